/* test-meta-corpus.c: metadata of ../shared's corpus files (src/meta/),
 * checked against the reference dumps shipped with them
 * (metadata-extractor and exiftool), never against our own earlier output.
 *
 * Over 600 lines: the readers of those dumps (CSV, metadata-extractor's
 * text) sit beside the corpus checks that are their only users.
 */
#include "meta-test-util.h"
#include <stdlib.h>

static void
assert_close(double got, double want, double rel, const char *what, const char *file)
{
  if (isnan(want)) {
    if (!isnan(got))
      g_error("%s: %s: expected absent, got %g", file, what, got);
    return;
  }
  if (isnan(got) || fabs(got - want) > rel * fabs(want) + 1e-9)
    g_error("%s: %s: expected %.10g, got %.10g", file, what, want, got);
}

/* ---------------------------------------------- reference: exif_cameras */

/* Splits one CSV line (quotes as exiftool writes them). */
static GPtrArray *
csv_split(const char *line)
{
  GPtrArray *fields = g_ptr_array_new_with_free_func(g_free);
  GString *f = g_string_new(NULL);
  gboolean quoted = FALSE;
  for (const char *p = line;; p++) {
    if (quoted) {
      if (*p == '"' && p[1] == '"') {
        g_string_append_c(f, '"');
        p++;
      } else if (*p == '"') {
        quoted = FALSE;
      } else if (*p == '\0') {
        break;
      } else {
        g_string_append_c(f, *p);
      }
    } else if (*p == '"') {
      quoted = TRUE;
    } else if (*p == ',' || *p == '\0' || *p == '\r') {
      g_ptr_array_add(fields, g_strdup(f->str));
      g_string_truncate(f, 0);
      if (*p != ',')
        break;
    } else {
      g_string_append_c(f, *p);
    }
  }
  g_string_free(f, TRUE);
  return fields;
}

typedef struct {
  GPtrArray *header;
  GPtrArray *rows; /* of GPtrArray */
} Csv;

static Csv *
csv_load(const char *path)
{
  g_autofree char *text = NULL;
  g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  Csv *csv = g_new0(Csv, 1);
  csv->rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
  for (int i = 0; lines[i]; i++) {
    if (!*lines[i])
      continue;
    GPtrArray *fields = csv_split(lines[i]);
    if (!csv->header)
      csv->header = fields;
    else
      g_ptr_array_add(csv->rows, fields);
  }
  return csv;
}

static void
csv_free(Csv *csv)
{
  g_ptr_array_unref(csv->header);
  g_ptr_array_unref(csv->rows);
  g_free(csv);
}

static const char *
csv_get(Csv *csv, GPtrArray *row, const char *column)
{
  for (guint i = 0; i < csv->header->len; i++)
    if (g_str_equal(g_ptr_array_index(csv->header, i), column))
      return i < row->len ? g_ptr_array_index(row, i) : "";
  g_error("no column %s", column);
  return NULL;
}

static double
csv_number(const char *s)
{
  if (!s || !*s)
    return NAN;
  /* "0 200": Nikon's two-value ISO; the ISO is the last one. */
  const char *last = strrchr(s, ' ');
  double v = g_ascii_strtod(last ? last + 1 : s, NULL);
  return v > 0 ? v : NAN; /* derush reports 0 as absent */
}

/* Reference date "YYYY:MM:DD HH:MM:SS" through GDateTime; FALSE when it is
 * not a valid date (0000:00:00, blanks). */
static gboolean
ref_date(const char *s, const char *subsec, gint64 *ns)
{
  int y, mo, d, h, mi, sec;
  if (!s || sscanf(s, "%4d:%2d:%2d %2d:%2d:%2d", &y, &mo, &d, &h, &mi, &sec) != 6)
    return FALSE;
  g_autoptr(GDateTime) dt = g_date_time_new_utc(y, mo, d, h, mi, sec);
  if (!dt)
    return FALSE;
  gint64 frac = 0;
  if (subsec && *subsec) {
    /* "0532" -> 0.0532 s, via a decimal string and rounding. */
    g_autofree char *dec = g_strconcat("0.", subsec, NULL);
    frac = (gint64)llround(g_ascii_strtod(dec, NULL) * 1e9);
  }
  *ns = g_date_time_to_unix(dt) * NS + frac;
  return TRUE;
}

/* Reads "[Dir - 0xTAG] Name = value" from a metadata-extractor dump. */
static char *
dump_value(const char *dump, const char *prefix)
{
  const char *p = dump;
  while ((p = strstr(p, prefix))) {
    if (p == dump || p[-1] == '\n') {
      const char *eq = strstr(p, " = ");
      const char *eol = strchr(p, '\n');
      if (eq && (!eol || eq < eol))
        return g_strndup(eq + 3, eol ? (gsize)(eol - eq - 3) : strlen(eq + 3));
    }
    p++;
  }
  return NULL;
}

/* "41° 51' 10.8"" and its Ref: decimal degrees, NAN when absent. */
static double
dump_coordinate(const char *dump, const char *tag_prefix, const char *ref_prefix)
{
  g_autofree char *v = dump_value(dump, tag_prefix);
  g_autofree char *ref = dump_value(dump, ref_prefix);
  if (!v || !ref)
    return NAN;
  double deg, min, sec;
  if (sscanf(v, "%lf\xc2\xb0 %lf' %lf\"", &deg, &min, &sec) != 3)
    return NAN;
  double x = fabs(deg) + min / 60 + sec / 3600;
  return ref[0] == 'S' || ref[0] == 'W' ? -x : x;
}

static void
test_exif_cameras(void)
{
  g_autofree char *dir = test_shared_path("corpus/exif_cameras");
  if (!dir) {
    g_test_skip("shared corpus absent: corpus/exif_cameras");
    return;
  }
  g_autofree char *csv_path = g_build_filename(dir, "exiftool_summary.csv", NULL);
  Csv *csv = csv_load(csv_path);
  g_assert_cmpuint(csv->rows->len, ==, 51);

  int with_gps = 0, with_iso = 0, with_lens = 0, digitized = 0, with_offset = 0, n_oriented = 0;
  for (guint r = 0; r < csv->rows->len; r++) {
    GPtrArray *row = g_ptr_array_index(csv->rows, r);
    const char *file = csv_get(csv, row, "file");
    g_autofree char *path = g_build_filename(dir, file, NULL);
    g_autofree char *dump_path = g_strdup_printf("%s/metadata/java/%s.txt", dir, file);
    g_autofree char *dump = NULL;
    gsize dump_len;
    g_assert_true(g_file_get_contents(dump_path, &dump, &dump_len, NULL));
    /* Some dumps hold binary values with NULs: make them one C string. */
    for (gsize i = 0; i < dump_len; i++)
      if (dump[i] == '\0')
        dump[i] = ' ';

    g_test_message("%s", file);
    DerushMeta meta;
    g_autoptr(GError) error = NULL;
    gint64 before = derush_counter_get(DERUSH_COUNTER_METADATA_PARSED);
    if (!read_file(path, &meta, &error))
      g_error("%s: %s", file, error->message);
    g_assert_cmpint(derush_counter_get(DERUSH_COUNTER_METADATA_PARSED), ==, before + 1);

    /* Camera. */
    const char *make = csv_get(csv, row, "Make"), *model = csv_get(csv, row, "Model");
    g_assert_cmpstr(meta.make, ==, *make ? make : NULL);
    g_assert_cmpstr(meta.model, ==, *model ? model : NULL);

    /* Orientation: the tag's value, or 1 and "absent". The dump decides
     * whether the image has one: Nikon D5000's only Orientation is its
     * thumbnail's (IFD1), which exiftool -n shows as if it were the photo's. */
    const char *orient = csv_get(csv, row, "Orientation");
    gboolean has_orient = strstr(dump, "\n[Exif IFD0 - 0x0112] Orientation =") != NULL;
    g_assert_true(!has_orient || *orient);
    g_assert_cmpint(meta.has_orientation, ==, has_orient);
    g_assert_cmpint(meta.orientation, ==, has_orient ? atoi(orient) : 1);
    n_oriented += has_orient;

    /* Capture time: EXIF DateTimeOriginal (+ SubSec), else CreateDate. No
     * file of this set carries OffsetTime*: the wall clock must match, and
     * an offset is only allowed when an XMP copy of the date shows it. */
    gint64 want_ns;
    const char *dto = csv_get(csv, row, "DateTimeOriginal");
    const char *create = csv_get(csv, row, "CreateDate");
    if (ref_date(dto, csv_get(csv, row, "SubSecTimeOriginal"), &want_ns)) {
      gint64 wall = meta.capture_time_ns + (gint64)meta.offset_minutes * 60 * NS;
      if (meta.time_source != DERUSH_TIME_EXIF_ORIGINAL || wall != want_ns)
        g_error("%s: capture time %" G_GINT64_FORMAT " (source %d), want %" G_GINT64_FORMAT, file,
                wall, meta.time_source, want_ns);
      if (meta.has_offset) {
        static const char *const xmp_dates[] = {
            "[XMPMeta - http://ns.adobe.com/exif/1.0/] exif:DateTimeOriginal =",
            "[XMPMeta - http://ns.adobe.com/xap/1.0/] xmp:CreateDate =",
            "[XMPMeta - http://ns.adobe.com/photoshop/1.0/] photoshop:DateCreated =",
        };
        gboolean backed = FALSE;
        for (gsize k = 0; k < G_N_ELEMENTS(xmp_dates) && !backed; k++) {
          g_autofree char *v = dump_value(dump, xmp_dates[k]);
          g_autoptr(GDateTime) dt = v ? g_date_time_new_from_iso8601(v, NULL) : NULL;
          backed = dt &&
                   g_date_time_get_utc_offset(dt) / G_TIME_SPAN_MINUTE == meta.offset_minutes &&
                   g_date_time_to_unix(dt) == meta.capture_time_ns / NS;
        }
        if (!backed)
          g_error("%s: offset %d not shown by any XMP date", file, meta.offset_minutes);
        with_offset++;
      }
    } else {
      /* 0000:00:00, blanks or no tag: never "original". */
      g_assert_cmpint(meta.time_source, !=, DERUSH_TIME_EXIF_ORIGINAL);
      if (ref_date(create, NULL, &want_ns)) {
        g_assert_cmpint(meta.time_source, ==, DERUSH_TIME_EXIF_DIGITIZED);
        g_assert_cmpint(meta.capture_time_ns, ==, want_ns);
        digitized++;
      }
    }

    /* GPS: the dump wins (Nikon D5000's EXIF seconds are 0/0, which
     * exiftool drops; its XMP copy holds the position). */
    double lat = dump_coordinate(dump, "[GPS - 0x0002] GPS Latitude =", "[GPS - 0x0001]");
    double lon = dump_coordinate(dump, "[GPS - 0x0004] GPS Longitude =", "[GPS - 0x0003]");
    if (isnan(lat)) {
      lat = csv_number(csv_get(csv, row, "GPSLatitude"));
      lon = csv_number(csv_get(csv, row, "GPSLongitude"));
    }
    if (isnan(lat)) {
      g_assert_true(isnan(meta.gps_lat) && isnan(meta.gps_lon));
    } else {
      with_gps++;
      if (isnan(meta.gps_lat) || fabs(meta.gps_lat - lat) > 1e-4 || fabs(meta.gps_lon - lon) > 1e-4)
        g_error("%s: GPS %f,%f want %f,%f", file, meta.gps_lat, meta.gps_lon, lat, lon);
    }

    /* ISO: the EXIF value in the dump wins over exiftool -n, which prints
     * Pentax's maker-note index (9) for the *ist D. */
    g_autofree char *dump_iso = dump_value(dump, "[Exif SubIFD - 0x8827] ISO Speed Ratings =");
    double iso = dump_iso ? csv_number(dump_iso) : csv_number(csv_get(csv, row, "ISO"));
    /* The one exception: exiftool reads CameraISO 50 from the A85's Canon
     * CameraSettings, which exiv2 0.27 decodes as garbage (Selftimer 19785...)
     * and metadata-extractor reports as "Not specified". */
    if (g_str_equal(file, "Canon PowerShot A85.jpg"))
      iso = NAN;
    assert_close(meta.iso, iso, 0, "ISO", file);
    with_iso += !isnan(iso);

    assert_close(meta.exposure_time, csv_number(csv_get(csv, row, "ExposureTime")), 1e-6,
                 "exposure time", file);
    assert_close(meta.f_number, csv_number(csv_get(csv, row, "FNumber")), 1e-6, "f-number", file);
    assert_close(meta.focal_length_mm, csv_number(csv_get(csv, row, "FocalLength")), 1e-6,
                 "focal length", file);

    /* Lens: not in the brief's list, and exiv2 0.27 cannot read the maker
     * notes of two files where exiftool finds it (Issue 339's Olympus2 IFD
     * is "invalid" to exiv2; the T3i's Canon LensModel is empty to
     * metadata-extractor too). So: never a different lens, and most found. */
    const char *lens = csv_get(csv, row, "LensModel");
    if (*lens && meta.lens) {
      g_assert_cmpstr(meta.lens, ==, lens);
      with_lens++;
    }

    /* Rating: xmp:Rating as the dump shows it. */
    g_autofree char *rating =
        dump_value(dump, "[XMPMeta - http://ns.adobe.com/xap/1.0/] xmp:Rating =");
    g_assert_cmpint(meta.has_rating, ==, rating != NULL);
    if (rating)
      g_assert_cmpint(meta.rating, ==, atoi(rating));

    /* Flash: present when the dump shows the tag (not the converse: the
     * dump leaves out Issue 609's Flash, which exiftool reads as 25). */
    g_autofree char *flash = dump_value(dump, "[Exif SubIFD - 0x9209] Flash =");
    if (flash && meta.flash < 0)
      g_error("%s: flash %d, dump says %s", file, meta.flash, flash ? flash : "(absent)");

    derush_meta_clear(&meta);
  }
  g_assert_cmpint(with_gps, ==, 11);
  g_assert_cmpint(n_oriented, ==, 40); /* README: 41 with a tag, one of them IFD1's */
  g_assert_cmpint(with_iso, >=, 40);
  g_assert_cmpint(with_lens, >=, 5);
  g_assert_cmpint(digitized, ==, 1);   /* FujiFilm SP-2500 */
  g_assert_cmpint(with_offset, >=, 2); /* Canon EOS 7D, Nikon D5000: +01:00 from XMP */
  csv_free(csv);
}

/* The README's named edge cases, spelled out. */
static void
test_exif_cameras_edges(void)
{
  g_autofree char *dir = test_shared_path("corpus/exif_cameras");
  if (!dir) {
    g_test_skip("shared corpus absent: corpus/exif_cameras");
    return;
  }
  static const struct {
    const char *file;
    DerushTimeSource source; /* -1: anything but ORIGINAL */
    const char *iso;         /* formatted, NULL: not checked */
  } cases[] = {
      {"Issue 609.jpg", -1, NULL},
      {"Nikon E900 (1).jpg", DERUSH_TIME_NONE, NULL}, /* every date is 0000:00:00 */
      {"FujiFilm SP-2500.jpg", DERUSH_TIME_EXIF_DIGITIZED, "2003-09-10T20:59:18"},
      {"Sigma DP1.jpg", DERUSH_TIME_EXIF_ORIGINAL, "2038-05-05T01:29:24"},
      {"FujiFilm DS-7 (1).jpg", DERUSH_TIME_EXIF_ORIGINAL, "1996-11-10T20:59:21"},
      {"Issue 525.jpg", DERUSH_TIME_EXIF_ORIGINAL, "2020-10-27T13:23:33.860"},
      {"Android Depth Map.jpg", -1, NULL},
  };
  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autofree char *path = g_build_filename(dir, cases[i].file, NULL);
    DerushMeta meta;
    g_assert_true(read_file(path, &meta, NULL));
    if ((int)cases[i].source == -1)
      g_assert_cmpint(meta.time_source, !=, DERUSH_TIME_EXIF_ORIGINAL);
    else
      g_assert_cmpint(meta.time_source, ==, cases[i].source);
    if (cases[i].iso) {
      g_autofree char *s = derush_format_capture_time(meta.capture_time_ns, meta.has_offset,
                                                      meta.offset_minutes, meta.time_source);
      g_assert_cmpstr(s, ==, cases[i].iso);
    }
    derush_meta_clear(&meta);
  }
}

/* ------------------------------------------------------------ exif_edge */

static void
test_exif_edge(void)
{
  g_autofree char *dir = test_shared_path("corpus/exif_edge");
  if (!dir) {
    g_test_skip("shared corpus absent: corpus/exif_edge");
    return;
  }
  g_autofree char *csv_path = g_build_filename(dir, "exiftool_summary.csv", NULL);
  Csv *csv = csv_load(csv_path);
  GHashTable *rows = g_hash_table_new(g_str_hash, g_str_equal);
  for (guint r = 0; r < csv->rows->len; r++) {
    GPtrArray *row = g_ptr_array_index(csv->rows, r);
    g_hash_table_insert(rows, (gpointer)csv_get(csv, row, "file"), row);
  }

  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
  collect_files(dir, files);
  int parsed = 0, failed = 0, oriented = 0, checked = 0, dated_with_offset = 0;
  for (guint i = 0; i < files->len; i++) {
    const char *path = g_ptr_array_index(files, i);
    const char *rel = path + strlen(dir) + 1;
    if (!g_str_has_prefix(rel, "jpg/") && !g_str_has_prefix(rel, "heic/") &&
        !g_str_has_prefix(rel, "tiff/"))
      continue;
    if (g_str_has_suffix(rel, "README"))
      continue;
    DerushMeta meta;
    g_autoptr(GError) error = NULL;
    gint64 t0 = g_get_monotonic_time();
    gboolean ok = read_file(path, &meta, &error);
    g_assert_cmpint(g_get_monotonic_time() - t0, <, 5 * G_USEC_PER_SEC); /* no endless loop */
    if (!ok) {
      g_assert_error(error, DERUSH_ERROR, DERUSH_ERROR_CORRUPT);
      g_test_message("%s: %s", rel, error->message);
      failed++;
      continue;
    }
    parsed++;
    g_assert_true(meta.orientation >= 1 && meta.orientation <= 8);

    /* Orientation files: the digit in the name. */
    if (g_str_has_prefix(rel, "jpg/orientation/")) {
      const char *us = strrchr(rel, '_');
      g_assert_true(meta.has_orientation);
      g_assert_cmpint(meta.orientation, ==, us[1] - '0');
      oriented++;
    }

    GPtrArray *row = g_hash_table_lookup(rows, rel);
    if (row) {
      checked++;
      const char *make = csv_get(csv, row, "Make");
      g_assert_cmpstr(meta.make, ==, *make ? make : NULL);
      const char *orient = csv_get(csv, row, "Orientation");
      if (*orient)
        g_assert_cmpint(meta.orientation, ==, atoi(orient));
      double lat = csv_number(csv_get(csv, row, "GPSLatitude"));
      double lon = g_ascii_strtod(csv_get(csv, row, "GPSLongitude"), NULL);
      if (!isnan(lat) && fabs(meta.gps_lat - lat) > 1e-4)
        g_error("%s: latitude %f, want %f", rel, meta.gps_lat, lat);
      if (!isnan(lat) && fabs(meta.gps_lon - lon) > 1e-4)
        g_error("%s: longitude %f, want %f", rel, meta.gps_lon, lon);
      /* Capture time: DateTimeOriginal, else CreateDate (often an XMP date
       * with an offset, or "Z", which must survive). */
      const char *date = csv_get(csv, row, "DateTimeOriginal");
      gint64 want;
      if (!ref_date(date, NULL, &want)) {
        date = csv_get(csv, row, "CreateDate");
        if (!ref_date(date, NULL, &want))
          date = NULL;
      }
      if (date) {
        g_assert_cmpint(meta.time_source, !=, DERUSH_TIME_NONE);
        int off_h, off_m, off = 0;
        char sign;
        gboolean has_off = FALSE;
        if (date[19] == 'Z') {
          has_off = TRUE;
        } else if (sscanf(date + 19, "%c%2d:%2d", &sign, &off_h, &off_m) == 3) {
          has_off = TRUE;
          off = (sign == '-' ? -1 : 1) * (off_h * 60 + off_m);
        }
        gint64 wall = meta.capture_time_ns + (gint64)meta.offset_minutes * 60 * NS;
        if (wall / NS != want / NS)
          g_error("%s: wall clock %" G_GINT64_FORMAT ", want %s", rel, wall / NS, date);
        if (has_off) {
          g_assert_true(meta.has_offset);
          g_assert_cmpint(meta.offset_minutes, ==, off);
          dated_with_offset++;
        }
      } else {
        /* Possibly IFD0 DateTime (exiftool's ModifyDate, not in the CSV). */
        g_assert_cmpint(meta.time_source, !=, DERUSH_TIME_EXIF_ORIGINAL);
      }
    }
    derush_meta_clear(&meta);
  }
  g_test_message("exif_edge: %d parsed, %d failed cleanly", parsed, failed);
  g_assert_cmpint(oriented, ==, 16);
  g_assert_cmpint(dated_with_offset, ==, 10); /* 7 invalid/, 2 xmp/, 30-type_error */
  g_assert_cmpint(checked, >=, 55);
  g_assert_cmpint(parsed, >=, 55);
  g_hash_table_unref(rows);
  csv_free(csv);
}

/* Specific exif_edge facts from its README. */
static void
test_exif_edge_facts(void)
{
  g_autofree char *dir = test_shared_path("corpus/exif_edge");
  if (!dir) {
    g_test_skip("shared corpus absent: corpus/exif_edge");
    return;
  }
  DerushMeta meta;
  g_autofree char *corrupted = g_build_filename(dir, "jpg/corrupted.jpg", NULL);
  g_assert_true(read_file(corrupted, &meta, NULL)); /* pixels corrupt, EXIF fine */
  g_assert_cmpstr(meta.make, ==, "OLYMPUS IMAGING CORP.");
  g_assert_cmpint(meta.orientation, ==, 1);
  derush_meta_clear(&meta);

  /* xmp:CreateDate with an offset is the only date of these files. */
  g_autofree char *blue = g_build_filename(dir, "jpg/xmp/BlueSquare.jpg", NULL);
  g_assert_true(read_file(blue, &meta, NULL));
  g_assert_cmpint(meta.time_source, ==, DERUSH_TIME_EXIF_DIGITIZED);
  g_assert_true(meta.has_offset);
  g_assert_cmpint(meta.offset_minutes, ==, -7 * 60);
  g_assert_cmpint(meta.capture_time_ns, ==, ref_ns(2005, 9, 7, 15, 7, 40, 0, -7 * 60));
  derush_meta_clear(&meta);

  g_autofree char *nokia = g_build_filename(dir, "heic/mobile/HMD_Nokia_8.3_5G_hdr.heif", NULL);
  g_assert_true(read_file(nokia, &meta, NULL));
  g_assert_cmpfloat_with_epsilon(meta.gps_lat, 40.6629935, 1e-4);
  g_assert_cmpfloat_with_epsilon(meta.gps_lon, -3.76374051, 1e-4);
  derush_meta_clear(&meta);

  g_autofree char *iphone = g_build_filename(dir, "heic/mobile/iphone_13_pro_max.HEIC", NULL);
  g_assert_true(read_file(iphone, &meta, NULL));
  g_assert_cmpstr(meta.model, ==, "iPhone 13 Pro Max");
  g_assert_cmpint(meta.orientation, ==, 6);
  g_assert_cmpint(meta.time_source, ==, DERUSH_TIME_EXIF_ORIGINAL);
  derush_meta_clear(&meta);
}

/* -------------------------------------------------------------- formats */

static void
test_formats(void)
{
  g_autofree char *dir = test_shared_path("corpus/formats");
  if (!dir) {
    g_test_skip("shared corpus absent: corpus/formats");
    return;
  }
  static const struct {
    const char *file, *make, *model;
    DerushTimeSource source;
    const char *time; /* derush_format_capture_time() */
    int orientation;  /* 0: not checked */
    double lat, lon;  /* 0: not checked */
    int rating;       /* -2: absent */
  } cases[] = {
      {"formats/heic/IMG_2682.heic", "Apple", "iPhone 7", DERUSH_TIME_EXIF_ORIGINAL,
       "2019-03-21T11:04:22.348", 1, 41.220300, -96.071625, -2},
      {"formats/motionphoto/samsung-one-ui-6.heic", "samsung", "SM-S906U",
       DERUSH_TIME_EXIF_ORIGINAL, "2024-01-12T21:38:53.853-08:00", 6, 0, 0, -2},
      {"formats/webp/denali.webp", "Canon", NULL, DERUSH_TIME_EXIF_ORIGINAL,
       "2010-08-13T21:00:01.850", 1, 0, 0, -2},
      {"formats/jpg/el_torcal_rocks.jpg", "SONY", NULL, DERUSH_TIME_EXIF_ORIGINAL,
       "2012-08-05T11:39:59", 0, 0, 0, -2},
      {"metadata/dates/date-priority-test.jpg", NULL, NULL, DERUSH_TIME_EXIF_ORIGINAL,
       "2023-02-02T02:00:00", 0, 0, 0, -2},
      {"metadata/dates/datetime-utc.jpg", "Nikon", NULL, DERUSH_TIME_NONE, NULL, 0, 0, 0, -2},
      {"metadata/dates/sony-datetime2.jpg", "SONY", NULL, DERUSH_TIME_NONE, NULL, 0, 0, 0, -2},
      {"metadata/dates/gps-datetime.jpg", NULL, NULL, DERUSH_TIME_NONE, NULL, 0, 37.774900,
       -122.419400, -2},
      {"metadata/dates/time-created.jpg", "Canon", NULL, DERUSH_TIME_NONE, NULL, 0, 0, 0, -2},
      /* IPTC TimeCreated says -04:00 (exiftool shows it as the composite
       * DateTimeOriginal), but IPTC offsets are not trusted: the XMP date floats. */
      {"metadata/gps-position/thompson-springs.jpg", NULL, NULL, DERUSH_TIME_EXIF_ORIGINAL,
       "2022-01-10T15:15:44.310", 0, 39.115, -108.400969, -2},
      {"metadata/gps-position/empty_gps.jpg", "motorola", NULL, DERUSH_TIME_EXIF_ORIGINAL,
       "2025-06-01T16:59:26.023", 1, 0, 0, -2},
      {"metadata/rating/mongolels.jpg", "Canon", NULL, DERUSH_TIME_EXIF_ORIGINAL,
       "2009-08-29T13:18:08.170", 1, 0, 0, 3},
      {"metadata/faces/portrait-orientation-6.jpg", NULL, NULL, -1, NULL, 6, 0, 0, -2},
      {"formats/avif/8bit-sRGB.avif", NULL, NULL, -1, NULL, 0, 0, 0, -2},
      {"formats/png/density_plot.png", NULL, NULL, DERUSH_TIME_NONE, NULL, 0, 0, 0, -2},
      /* An XMP sidecar alone: everything comes from XMP, ISO from an rdf:Seq. */
      {"problems/xmp/iso-value-array/iso-value-array.xmp", "Canon", "Canon PowerShot SX120 IS",
       DERUSH_TIME_EXIF_ORIGINAL, "2009-11-28T13:42:39", 1, 40.234644, -76.287142, -2},
  };
  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autofree char *path = g_build_filename(dir, cases[i].file, NULL);
    DerushMeta meta;
    g_autoptr(GError) error = NULL;
    if (!read_file(path, &meta, &error))
      g_error("%s: %s", cases[i].file, error->message);
    g_test_message("%s", cases[i].file);
    if (cases[i].make)
      g_assert_cmpstr(meta.make, ==, cases[i].make);
    if (cases[i].model)
      g_assert_cmpstr(meta.model, ==, cases[i].model);
    if ((int)cases[i].source != -1)
      g_assert_cmpint(meta.time_source, ==, cases[i].source);
    g_autofree char *t = derush_format_capture_time(meta.capture_time_ns, meta.has_offset,
                                                    meta.offset_minutes, meta.time_source);
    if ((int)cases[i].source != -1)
      g_assert_cmpstr(t, ==, cases[i].time);
    if (cases[i].orientation)
      g_assert_cmpint(meta.orientation, ==, cases[i].orientation);
    if (cases[i].lat != 0) {
      g_assert_cmpfloat_with_epsilon(meta.gps_lat, cases[i].lat, 1e-4);
      g_assert_cmpfloat_with_epsilon(meta.gps_lon, cases[i].lon, 1e-4);
    }
    g_assert_cmpint(meta.has_rating, ==, cases[i].rating != -2);
    if (cases[i].rating != -2)
      g_assert_cmpint(meta.rating, ==, cases[i].rating);
    derush_meta_clear(&meta);
  }

  /* ISO from the rdf:Seq of the sidecar. */
  g_autofree char *xmp =
      g_build_filename(dir, "problems/xmp/iso-value-array/iso-value-array.xmp", NULL);
  DerushMeta meta;
  g_assert_true(read_file(xmp, &meta, NULL));
  g_assert_cmpfloat(meta.iso, ==, 160);
  g_assert_cmpfloat(meta.exposure_time, ==, 1.0 / 1250);
  derush_meta_clear(&meta);

  /* Every file of the set: parses or fails cleanly. */
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
  collect_files(dir, files);
  for (guint i = 0; i < files->len; i++) {
    const char *path = g_ptr_array_index(files, i);
    if (!is_photo(path))
      continue;
    g_autoptr(GError) error = NULL;
    if (!read_file(path, &meta, &error)) {
      g_assert_nonnull(error);
      g_assert_true(error->domain == DERUSH_ERROR);
      g_test_message("%s: %s", path, error->message);
    }
    derush_meta_clear(&meta);
  }
}

int
main(int argc, char **argv)
{
  test_init(&argc, &argv);
  g_test_add_func("/meta/corpus/exif-cameras", test_exif_cameras);
  g_test_add_func("/meta/corpus/exif-cameras-edges", test_exif_cameras_edges);
  g_test_add_func("/meta/corpus/exif-edge", test_exif_edge);
  g_test_add_func("/meta/corpus/exif-edge-facts", test_exif_edge_facts);
  g_test_add_func("/meta/corpus/formats", test_formats);
  return g_test_run();
}
