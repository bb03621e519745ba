/* test-meta.c: metadata reading (src/meta/).
 *
 * Dates are checked against GLib's GDateTime (an independent calendar), and
 * the corpus files against the reference dumps shipped with them
 * (metadata-extractor and exiftool), never against our own earlier output.
 */
#include "test-util.h"
#include "meta/meta-private.h"
#include <stdlib.h>

#define NS G_GINT64_CONSTANT(1000000000)

/* ------------------------------------------------------------- helpers */

/* Reference conversion through GDateTime, a different code path from ours. */
static gint64
ref_ns(int y, int mo, int d, int h, int mi, int s, gint64 frac_ns, int offset_min)
{
  g_autoptr(GDateTime) dt = g_date_time_new_utc(y, mo, d, h, mi, s);
  g_assert_nonnull(dt);
  return (g_date_time_to_unix(dt) - (gint64)offset_min * 60) * NS + frac_ns;
}

static gboolean
parse(const char *dt, const char *subsec, const char *offset, DerushCaptureTime *t)
{
  memset(t, 0x55, sizeof *t);
  return _derush_parse_capture_time(dt, subsec, offset, t);
}

static gboolean
read_file(const char *path, DerushMeta *meta, GError **error)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  g_assert_true(g_file_get_contents(path, &data, &len, NULL));
  derush_meta_init(meta);
  return _derush_meta_read_buffer((const guint8 *)data, len, meta, error);
}

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

/* ------------------------------------------------------- date unit tests */

static void
test_parse_basic(void)
{
  DerushCaptureTime t;
  g_assert_true(parse("2011:01:13 14:33:39", NULL, NULL, &t));
  g_assert_cmpint(t.ns, ==, ref_ns(2011, 1, 13, 14, 33, 39, 0, 0));
  g_assert_false(t.has_offset);
  g_assert_cmpint(t.offset_minutes, ==, 0);

  /* Trailing NULs/blanks as cameras pad them, ISO 8601 separators. */
  g_assert_true(parse("  2011:01:13 14:33:39   ", NULL, NULL, &t));
  g_assert_cmpint(t.ns, ==, ref_ns(2011, 1, 13, 14, 33, 39, 0, 0));
  g_assert_true(parse("2011-01-13T14:33:39", NULL, NULL, &t));
  g_assert_cmpint(t.ns, ==, ref_ns(2011, 1, 13, 14, 33, 39, 0, 0));
  /* XMP may leave out the seconds. */
  g_assert_true(parse("2011-01-13T14:33", NULL, NULL, &t));
  g_assert_cmpint(t.ns, ==, ref_ns(2011, 1, 13, 14, 33, 0, 0, 0));
  /* Floating time does not depend on TZ. */
  g_setenv("TZ", "America/New_York", TRUE);
  tzset();
  g_assert_true(parse("2011:01:13 14:33:39", NULL, NULL, &t));
  g_assert_cmpint(t.ns, ==, G_GINT64_CONSTANT(1294929219) * NS);
  g_setenv("TZ", "UTC", TRUE);
  tzset();
}

static void
test_parse_subsec(void)
{
  static const struct {
    const char *subsec;
    gint64 ns;
  } cases[] = {
      {"12", 120000000},
      {"123", 123000000},
      {"1", 100000000},
      {"02", 20000000},
      {"860627", 860627000},
      {"000", 0},
      {"0532", 53200000},
      {"1234567891", 123456789}, /* beyond ns: dropped */
      {" 5 ", 500000000},
      {"", 0},
      {"   ", 0},
      {"1a", 0}, /* garbage */
      {"-5", 0},
  };
  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    DerushCaptureTime t;
    g_assert_true(parse("2020:10:27 13:23:33", cases[i].subsec, NULL, &t));
    g_assert_cmpint(t.ns - ref_ns(2020, 10, 27, 13, 23, 33, 0, 0), ==, cases[i].ns);
  }
  /* An inline fraction wins over the SubSec tag. */
  DerushCaptureTime t;
  g_assert_true(parse("2011-03-12T15:36:11.25", "99", NULL, &t));
  g_assert_cmpint(t.ns, ==, ref_ns(2011, 3, 12, 15, 36, 11, 250000000, 0));
}

static void
test_parse_offsets(void)
{
  static const struct {
    const char *dt, *offset;
    int minutes;
  } cases[] = {
      {"2024:01:12 21:38:53", "-08:00", -480},     {"2024:01:12 21:38:53", "+02:00", 120},
      {"2024:01:12 21:38:53", "+05:30", 330},      {"2024:01:12 21:38:53", "-05:30", -330},
      {"2024:01:12 21:38:53", "+0545", 345},       {"2024:01:12 21:38:53", "Z", 0},
      {"2024:01:12 21:38:53", "+00:00", 0},        {"2024:01:12 21:38:53", " +14:00 ", 840},
      {"2024-01-12T21:38:53-03:30", NULL, -210},   {"2024-01-12T21:38:53Z", NULL, 0},
      {"2024-01-12T21:38:53+01:00", "+09:00", 60}, /* inline offset wins */
  };
  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    DerushCaptureTime t;
    g_assert_true(parse(cases[i].dt, NULL, cases[i].offset, &t));
    g_assert_true(t.has_offset);
    g_assert_cmpint(t.offset_minutes, ==, cases[i].minutes);
    g_assert_cmpint(t.ns, ==, ref_ns(2024, 1, 12, 21, 38, 53, 0, cases[i].minutes));
  }
  /* Malformed offsets leave the time floating, they do not void the date. */
  static const char *const bad_offsets[] = {"   :  ", "",        "02:00", "+2:00", "+25:00",
                                            "+02:61", "+02:00x", "UTC",   NULL};
  for (int i = 0; bad_offsets[i]; i++) {
    DerushCaptureTime t;
    g_assert_true(parse("2024:01:12 21:38:53", NULL, bad_offsets[i], &t));
    g_assert_false(t.has_offset);
    g_assert_cmpint(t.ns, ==, ref_ns(2024, 1, 12, 21, 38, 53, 0, 0));
  }
  int m = 7;
  g_assert_false(_derush_parse_utc_offset(NULL, &m));
  g_assert_cmpint(m, ==, 7);
  g_assert_true(_derush_parse_utc_offset("-09:30", &m));
  g_assert_cmpint(m, ==, -570);
}

static void
test_parse_invalid(void)
{
  static const char *const bad[] = {
      "0000:00:00 00:00:00",
      "    :  :     :  :  ",
      "",
      "   ",
      "2011:13:01 00:00:00",
      "2011:00:10 00:00:00",
      "2011:04:31 12:00:00",
      "2011:02:29 12:00:00", /* not a leap year */
      "1900:02:29 12:00:00",
      "2011:01:13 24:00:00",
      "2011:01:13 12:60:00",
      "2011:01:13 12:00:61",
      "2011:01:13", /* no time of day */
      "2011:01:13 14:33:39 junk",
      "2011:01:13 14:33:39+",
      "2011-01:13 14:33:39",
      "20110113 143339",
      "2011:1:13 14:33:39",
      "1799:12:31 23:59:59",
      "2201:01:01 00:00:00",
      "abcd:ef:gh ij:kl:mn",
      "2011:01:13 14:33:39.",
      "2011:01:13\t14:33:39",
      NULL,
  };
  for (int i = 0; bad[i]; i++) {
    DerushCaptureTime t;
    if (parse(bad[i], "12", "+01:00", &t))
      g_error("accepted invalid date \"%s\"", bad[i]);
  }
  DerushCaptureTime t;
  g_assert_false(parse(NULL, NULL, NULL, &t));
}

static void
test_calendar(void)
{
  /* Leap years, century rules, pre-1970. */
  g_assert_cmpint(_derush_days_from_civil(1970, 1, 1), ==, 0);
  g_assert_cmpint(_derush_days_from_civil(1969, 12, 31), ==, -1);
  g_assert_cmpint(_derush_days_from_civil(2000, 3, 1) - _derush_days_from_civil(2000, 2, 28), ==,
                  2);
  g_assert_cmpint(_derush_days_from_civil(1900, 3, 1) - _derush_days_from_civil(1900, 2, 28), ==,
                  1);
  g_assert_cmpint(_derush_days_from_civil(2100, 3, 1) - _derush_days_from_civil(2100, 2, 28), ==,
                  1);

  /* Every day from 1800 to 2200 against GDate's Julian day count. */
  GDate date;
  g_date_clear(&date, 1);
  g_date_set_dmy(&date, 1, 1, 1970);
  guint32 epoch_julian = g_date_get_julian(&date);
  g_date_set_dmy(&date, 1, 1, 1800);
  for (; g_date_get_year(&date) <= 2200; g_date_add_days(&date, 1)) {
    gint64 days = (gint64)g_date_get_julian(&date) - epoch_julian;
    int y = g_date_get_year(&date), m = g_date_get_month(&date), d = g_date_get_day(&date);
    g_assert_cmpint(_derush_days_from_civil(y, m, d), ==, days);
    gint64 yy;
    int mm, dd;
    _derush_civil_from_days(days, &yy, &mm, &dd);
    g_assert_cmpint(yy, ==, y);
    g_assert_cmpint(mm, ==, m);
    g_assert_cmpint(dd, ==, d);
  }

  /* Leap day and pre-1970 times parse to what GDateTime says. */
  DerushCaptureTime t;
  g_assert_true(parse("2000:02:29 23:59:59", NULL, NULL, &t));
  g_assert_cmpint(t.ns, ==, ref_ns(2000, 2, 29, 23, 59, 59, 0, 0));
  g_assert_true(parse("1969:12:31 23:59:59", "5", NULL, &t));
  g_assert_cmpint(t.ns, ==, -NS / 2);
  g_assert_true(parse("1900:01:01 00:00:00", NULL, "+01:00", &t));
  g_assert_cmpint(t.ns, ==, ref_ns(1900, 1, 1, 0, 0, 0, 0, 60));
}

static void
test_format(void)
{
  g_assert_null(derush_format_capture_time(0, FALSE, 0, DERUSH_TIME_NONE));
  static const struct {
    gint64 ns;
    gboolean has_offset;
    int offset;
    const char *want;
  } cases[] = {
      {G_GINT64_CONSTANT(1294929219) * NS, FALSE, 0, "2011-01-13T14:33:39"},
      {G_GINT64_CONSTANT(1294929219) * NS + 120000000, FALSE, 0, "2011-01-13T14:33:39.120"},
      {G_GINT64_CONSTANT(1294929219) * NS + 999999, FALSE, 0, "2011-01-13T14:33:39"}, /* < 1 ms */
      {G_GINT64_CONSTANT(1294929219) * NS, TRUE, 120, "2011-01-13T16:33:39+02:00"},
      {G_GINT64_CONSTANT(1294929219) * NS, TRUE, -330, "2011-01-13T09:03:39-05:30"},
      {G_GINT64_CONSTANT(1294929219) * NS, TRUE, 0, "2011-01-13T14:33:39+00:00"},
      {G_GINT64_CONSTANT(1294929219) * NS, FALSE, 120, "2011-01-13T14:33:39"}, /* ignored */
      {0, FALSE, 0, "1970-01-01T00:00:00"},
      {-1, FALSE, 0, "1969-12-31T23:59:59.999"},
      {-NS / 2, TRUE, 60, "1970-01-01T00:59:59.500+01:00"},
      {G_GINT64_CONSTANT(-2208988800) * NS, FALSE, 0, "1900-01-01T00:00:00"},
  };
  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autofree char *s = derush_format_capture_time(cases[i].ns, cases[i].has_offset,
                                                    cases[i].offset, DERUSH_TIME_EXIF_ORIGINAL);
    g_assert_cmpstr(s, ==, cases[i].want);
  }
}

static void
test_round_trip(void)
{
  GRand *rand = g_rand_new_with_seed(20240607);
  static const int offsets[] = {0, 60, -60, 330, -330, 345, 840, -720, -210, 525};
  for (int i = 0; i < 20000; i++) {
    int y = g_rand_int_range(rand, 1900, 2101), mo = g_rand_int_range(rand, 1, 13);
    int dim = g_date_get_days_in_month(mo, y);
    int d = g_rand_int_range(rand, 1, dim + 1);
    int h = g_rand_int_range(rand, 0, 24), mi = g_rand_int_range(rand, 0, 60);
    int s = g_rand_int_range(rand, 0, 60);
    int ms = g_rand_boolean(rand) ? 0 : g_rand_int_range(rand, 0, 1000);
    gboolean with_offset = g_rand_boolean(rand);
    int off = offsets[g_rand_int_range(rand, 0, G_N_ELEMENTS(offsets))];

    g_autofree char *exif = g_strdup_printf("%04d:%02d:%02d %02d:%02d:%02d", y, mo, d, h, mi, s);
    g_autofree char *subsec = g_strdup_printf("%03d", ms);
    g_autofree char *offset_text = with_offset ? g_strdup_printf("%c%02d:%02d", off < 0 ? '-' : '+',
                                                                 ABS(off) / 60, ABS(off) % 60)
                                               : NULL;
    DerushCaptureTime t;
    g_assert_true(parse(exif, subsec, offset_text, &t));
    g_assert_cmpint(
        t.ns, ==,
        ref_ns(y, mo, d, h, mi, s, ms * G_GINT64_CONSTANT(1000000), with_offset ? off : 0));
    g_assert_cmpint(t.has_offset, ==, with_offset);

    g_autofree char *iso =
        derush_format_capture_time(t.ns, t.has_offset, t.offset_minutes, DERUSH_TIME_EXIF_ORIGINAL);
    g_autofree char *want_ms = ms ? g_strdup_printf(".%03d", ms) : g_strdup("");
    g_autofree char *want = g_strdup_printf("%04d-%02d-%02dT%02d:%02d:%02d%s%s", y, mo, d, h, mi, s,
                                            want_ms, offset_text ? offset_text : "");
    g_assert_cmpstr(iso, ==, want);

    /* And the ISO text parses back to the same instant. */
    DerushCaptureTime back;
    g_assert_true(parse(iso, NULL, NULL, &back));
    g_assert_cmpint(back.ns, ==, t.ns);
    g_assert_cmpint(back.has_offset, ==, t.has_offset);
    g_assert_cmpint(back.offset_minutes, ==, t.offset_minutes);
  }
  g_rand_free(rand);
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

typedef struct {
  char *name;
  char *path;
} CameraFile;

static GPtrArray *
camera_files(const char *dir)
{
  GPtrArray *files = g_ptr_array_new();
  g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
  g_assert_nonnull(d);
  const char *name;
  while ((name = g_dir_read_name(d))) {
    if (!g_str_has_suffix(name, ".jpg") && !g_str_has_suffix(name, ".JPG"))
      continue;
    g_ptr_array_add(files, g_build_filename(dir, name, NULL));
  }
  g_ptr_array_sort(files, (GCompareFunc)g_strcmp0);
  return files;
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
collect_files(const char *dir, GPtrArray *out)
{
  g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
  if (!d)
    return;
  const char *name;
  while ((name = g_dir_read_name(d))) {
    g_autofree char *path = g_build_filename(dir, name, NULL);
    if (g_file_test(path, G_FILE_TEST_IS_DIR))
      collect_files(path, out);
    else
      g_ptr_array_add(out, g_steal_pointer(&path));
  }
}

static gboolean
is_photo(const char *path)
{
  return !g_str_has_suffix(path, ".md") && !g_str_has_suffix(path, ".txt");
}

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

/* ------------------------------------------------------------ bad input */

/* @defaults: the data holds no metadata, so success must mean defaults. */
static void
check_bad(const guint8 *data, gsize len, const char *what, gboolean defaults)
{
  DerushMeta meta;
  derush_meta_init(&meta);
  g_autoptr(GError) error = NULL;
  gint64 before = derush_counter_get(DERUSH_COUNTER_METADATA_PARSED);
  gboolean ok = _derush_meta_read_buffer(data, len, &meta, &error);
  g_assert_cmpint(derush_counter_get(DERUSH_COUNTER_METADATA_PARSED), ==, before + 1);
  if (ok) {
    g_assert_no_error(error);
  }
  if (ok && defaults) {
    g_assert_null(meta.make);
    g_assert_cmpint(meta.time_source, ==, DERUSH_TIME_NONE);
  } else if (!ok) {
    g_assert_nonnull(error);
    g_assert_true(error->code == DERUSH_ERROR_CORRUPT || error->code == DERUSH_ERROR_UNSUPPORTED);
    g_assert_cmpstr(error->message, !=, "");
  }
  g_test_message("%s: %s", what, ok ? "ok, defaults" : error->message);
  g_assert_cmpint(meta.orientation, ==, 1);
  derush_meta_clear(&meta);
}

static void
test_bad_input(void)
{
  DerushMeta meta;
  derush_meta_init(&meta);
  g_autoptr(GError) error = NULL;
  g_assert_false(_derush_meta_read_buffer(NULL, 0, &meta, &error));
  g_assert_error(error, DERUSH_ERROR, DERUSH_ERROR_CORRUPT);
  g_clear_error(&error);
  static const guint8 one = 0;
  g_assert_false(_derush_meta_read_buffer(&one, 0, &meta, &error));
  g_assert_error(error, DERUSH_ERROR, DERUSH_ERROR_CORRUPT);
  g_clear_error(&error);

  const char *text = "This is not a photo, just some text in a file named .jpg\n";
  g_assert_false(_derush_meta_read_buffer((const guint8 *)text, strlen(text), &meta, &error));
  g_assert_error(error, DERUSH_ERROR, DERUSH_ERROR_UNSUPPORTED);
  g_clear_error(&error);
  check_bad((const guint8 *)text, strlen(text), "text", TRUE);

  GRand *rand = g_rand_new_with_seed(42);
  for (int n = 0; n < 50; n++) {
    gsize len = g_rand_int_range(rand, 1, 4096);
    g_autofree guint8 *junk = g_malloc(len);
    for (gsize i = 0; i < len; i++)
      junk[i] = g_rand_int_range(rand, 0, 256);
    /* Half of them with a JPEG or TIFF signature, so exiv2 goes further in. */
    if (n % 3 == 1 && len > 4)
      memcpy(junk, "\xff\xd8\xff\xe1", 4);
    if (n % 3 == 2 && len > 4)
      memcpy(junk, "II*\0", 4);
    check_bad(junk, len, "random bytes", n % 3 == 0);
  }
  g_rand_free(rand);

  /* A PNG without metadata: TRUE with defaults. */
  g_autofree char *tmp = test_make_tmpdir();
  g_autofree char *png = g_build_filename(tmp, "plain.png", NULL);
  test_make_quadrant_image(png, 16, 16);
  g_assert_true(read_file(png, &meta, &error));
  g_assert_no_error(error);
  g_assert_null(meta.make);
  g_assert_false(meta.has_orientation);
  g_assert_true(isnan(meta.iso) && isnan(meta.gps_lat));
  g_assert_cmpint(meta.flash, ==, -1);
  derush_meta_clear(&meta);
  test_rmrf(tmp);

  /* Real camera files cut short, and with bytes flipped inside the EXIF. */
  g_autofree char *dir = test_shared_path("corpus/exif_cameras");
  if (!dir)
    return;
  static const char *const files[] = {"Canon EOS 7D.jpg", "Nikon D70.jpg", "Issue 508.jpg",
                                      "Apple iPhone 4.jpg"};
  for (gsize f = 0; f < G_N_ELEMENTS(files); f++) {
    g_autofree char *path = g_build_filename(dir, files[f], NULL);
    g_autofree guint8 *data = NULL;
    gsize len;
    g_assert_true(g_file_get_contents(path, (char **)&data, &len, NULL));
    static const gsize cuts[] = {1, 2, 3, 4, 20, 100, 500, 2000, 10000};
    for (gsize c = 0; c < G_N_ELEMENTS(cuts); c++)
      if (cuts[c] < len)
        check_bad(data, cuts[c], "truncated", cuts[c] <= 100);
    GRand *r = g_rand_new_with_seed(f);
    for (int n = 0; n < 30; n++) {
      g_autofree guint8 *copy = g_memdup2(data, len);
      gsize span = MIN(len, (gsize)65536);
      for (int k = 0; k < 8; k++)
        copy[g_rand_int_range(r, 2, (gint32)span)] = g_rand_int_range(r, 0, 256);
      DerushMeta m;
      g_autoptr(GError) e = NULL;
      derush_meta_init(&m);
      if (!_derush_meta_read_buffer(copy, len, &m, &e))
        g_assert_true(e && e->domain == DERUSH_ERROR);
      g_assert_true(m.orientation >= 1 && m.orientation <= 8);
      derush_meta_clear(&m);
    }
    g_rand_free(r);
  }
}

/* ------------------------------------------------------------ threads */

typedef struct {
  GPtrArray *data; /* GBytes of each file */
  DerushMeta *reference;
  int rounds;
  int mismatches;
  int started; /* start line: all threads begin together */
  int next_id;
} ThreadJob;

static gboolean
double_same(double a, double b)
{
  return (isnan(a) && isnan(b)) || a == b;
}

static gboolean
meta_equal(const DerushMeta *a, const DerushMeta *b)
{
  return g_strcmp0(a->make, b->make) == 0 && g_strcmp0(a->model, b->model) == 0 &&
         g_strcmp0(a->lens, b->lens) == 0 && double_same(a->iso, b->iso) &&
         double_same(a->exposure_time, b->exposure_time) && double_same(a->f_number, b->f_number) &&
         double_same(a->focal_length_mm, b->focal_length_mm) &&
         double_same(a->focal_length_35mm, b->focal_length_35mm) &&
         double_same(a->exposure_bias, b->exposure_bias) && a->flash == b->flash &&
         a->orientation == b->orientation && a->has_orientation == b->has_orientation &&
         a->time_source == b->time_source && a->capture_time_ns == b->capture_time_ns &&
         a->has_offset == b->has_offset && a->offset_minutes == b->offset_minutes &&
         double_same(a->gps_lat, b->gps_lat) && double_same(a->gps_lon, b->gps_lon) &&
         a->has_rating == b->has_rating && a->rating == b->rating;
}

static gpointer
read_worker(gpointer user_data)
{
  ThreadJob *job = user_data;
  int bad = 0;
  /* Each thread walks the list from its own place, so different files (with
   * and without XMP) are parsed at the same moment. */
  guint id = (guint)g_atomic_int_add(&job->next_id, 1);
  g_atomic_int_inc(&job->started);
  while (g_atomic_int_get(&job->started) < 4)
    g_thread_yield();
  for (int round = 0; round < job->rounds; round++)
    for (guint k = 0; k < job->data->len; k++) {
      guint i = (k + id * 13) % job->data->len;
      gsize len;
      const guint8 *d = g_bytes_get_data(g_ptr_array_index(job->data, i), &len);
      DerushMeta meta;
      derush_meta_init(&meta);
      if (!_derush_meta_read_buffer(d, len, &meta, NULL) || !meta_equal(&meta, &job->reference[i]))
        bad++;
      derush_meta_clear(&meta);
    }
  g_atomic_int_add(&job->mismatches, bad);
  return NULL;
}

static void
test_threads(void)
{
  g_autofree char *dir = test_shared_path("corpus/exif_cameras");
  if (!dir) {
    g_test_skip("shared corpus absent: corpus/exif_cameras");
    return;
  }
  g_autoptr(GPtrArray) paths = camera_files(dir);
  g_ptr_array_set_free_func(paths, g_free);
  g_assert_cmpuint(paths->len, ==, 51);
  g_autoptr(GPtrArray) data = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
  DerushMeta *reference = g_new(DerushMeta, paths->len);
  int with_xmp_rating = 0;
  for (guint i = 0; i < paths->len; i++) {
    char *bytes;
    gsize len;
    g_assert_true(g_file_get_contents(g_ptr_array_index(paths, i), &bytes, &len, NULL));
    g_ptr_array_add(data, g_bytes_new_take(bytes, len));
    derush_meta_init(&reference[i]);
    g_assert_true(_derush_meta_read_buffer((const guint8 *)bytes, len, &reference[i], NULL));
    with_xmp_rating += reference[i].has_rating;
  }
  g_assert_cmpint(with_xmp_rating, >=, 4); /* XMP is what the race loses */

  /* Without the lock, 3 rounds catch the race in about one run in three on
   * 2 cores; 20 rounds (-m slow) in every run tried. */
  ThreadJob job = {data, reference, g_test_slow() ? 20 : 3, 0, 0, 0};
  GThread *threads[4];
  for (int t = 0; t < 4; t++)
    threads[t] = g_thread_new("meta-reader", read_worker, &job);
  for (int t = 0; t < 4; t++)
    g_thread_join(threads[t]);
  g_assert_cmpint(job.mismatches, ==, 0);

  for (guint i = 0; i < paths->len; i++)
    derush_meta_clear(&reference[i]);
  g_free(reference);
}

int
main(int argc, char **argv)
{
  test_init(&argc, &argv);
  g_test_add_func("/meta/time/parse", test_parse_basic);
  g_test_add_func("/meta/time/subsec", test_parse_subsec);
  g_test_add_func("/meta/time/offsets", test_parse_offsets);
  g_test_add_func("/meta/time/invalid", test_parse_invalid);
  g_test_add_func("/meta/time/calendar", test_calendar);
  g_test_add_func("/meta/time/format", test_format);
  g_test_add_func("/meta/time/round-trip", test_round_trip);
  g_test_add_func("/meta/corpus/exif-cameras", test_exif_cameras);
  g_test_add_func("/meta/corpus/exif-cameras-edges", test_exif_cameras_edges);
  g_test_add_func("/meta/corpus/exif-edge", test_exif_edge);
  g_test_add_func("/meta/corpus/exif-edge-facts", test_exif_edge_facts);
  g_test_add_func("/meta/corpus/formats", test_formats);
  g_test_add_func("/meta/bad-input", test_bad_input);
  g_test_add_func("/meta/threads", test_threads);
  return g_test_run();
}
