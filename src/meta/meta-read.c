/* meta/meta-read.c: one photo's EXIF/XMP/IPTC into a typed DerushMeta.
 *
 * The scanner maps each file once and hands the bytes here; exiv2 (through
 * gexiv2) parses them once, and every field derush uses later (camera, lens,
 * exposure, orientation, GPS, rating, capture time) leaves this file typed.
 * Nothing downstream looks at a tag string again.
 *
 * Each field has a list of tags tried in order: the standard EXIF tag first,
 * then XMP, then the maker notes exiv2 decodes (some cameras keep ISO or the
 * lens name only there). A value that cannot be right (an ISO or focal length
 * of 0, a latitude of 95 degrees, a date of 0000:00:00) counts as absent.
 *
 * Over 600 lines: one list of tag fallbacks per field, all under the one
 * exiv2 lock; split, the fields would lose the one place that says which
 * tag wins.
 */
#include "meta/meta-private.h"
#include <gexiv2/gexiv2.h>
#include <errno.h>
#include <stdlib.h>

/* Error codes gexiv2 passes on (exiv2's ErrorCode is C++ only): exiv2's
 * kerFileContainsUnknownImageType .. kerUnsupportedImageType, and gexiv2's
 * own "unsupported format" when no exiv2 image class claims the data. Every
 * other failure (kerFailedToReadImageData, kerNotAnImage, kerCorruptedMetadata
 * ...) means a recognised but damaged file. */
#define EXIV2_UNKNOWN_TYPE_FIRST 11
#define EXIV2_UNKNOWN_TYPE_LAST 13
#define GEXIV2_UNSUPPORTED_FORMAT 501

/* exiv2 0.27 keeps global state in its XMP toolkit (and, from several
 * threads, silently returned empty XMP for some files on this machine:
 * DESIGN.md), so every use of exiv2 in the process goes through this lock. */
static GMutex exiv2_mutex;

/**
 * _derush_exiv2_lock:
 *
 * Takes the process-wide exiv2 lock. Hold it around the whole life of a
 * GExiv2Metadata (open, getters, free). Not recursive.
 */
void
_derush_exiv2_lock(void)
{
  g_mutex_lock(&exiv2_mutex);
}

/**
 * _derush_exiv2_unlock:
 *
 * Releases the lock taken by _derush_exiv2_lock().
 */
void
_derush_exiv2_unlock(void)
{
  g_mutex_unlock(&exiv2_mutex);
}

/* ------------------------------------------------------------ tag access */

/* Cameras pad ASCII tags with blanks and NULs; "" means absent. Getting an
 * unknown key or a missing tag is not an error for us: the tag is absent. */
static char *
clean_string(char *s)
{
  if (!s)
    return NULL;
  g_strstrip(s);
  if (*s == '\0') {
    g_free(s);
    return NULL;
  }
  if (!g_utf8_validate(s, -1, NULL)) {
    /* The catalog and the JSON output need UTF-8; old cameras wrote Latin-1. */
    char *valid = g_utf8_make_valid(s, -1);
    g_free(s);
    return valid;
  }
  return s;
}

static char *
tag_string(GExiv2Metadata *md, const char *tag)
{
  GError *error = NULL;
  char *s = gexiv2_metadata_try_get_tag_string(md, tag, &error);
  if (error) {
    g_error_free(error);
    g_free(s);
    return NULL;
  }
  return clean_string(s);
}

/* exiv2's rendering of the tag: lens names from lens-ID tables, maker-note
 * values decoded from indices. */
static char *
tag_interpreted(GExiv2Metadata *md, const char *tag)
{
  GError *error = NULL;
  char *s = gexiv2_metadata_try_get_tag_interpreted_string(md, tag, &error);
  if (error) {
    g_error_free(error);
    g_free(s);
    return NULL;
  }
  return clean_string(s);
}

/* Parses "a/b" or a decimal number at *p, advancing past it. */
static gboolean
parse_number_at(const char **p, double *out)
{
  char *end;
  errno = 0;
  double v = g_ascii_strtod(*p, &end);
  if (end == *p || errno == ERANGE)
    return FALSE;
  if (*end == '/') {
    const char *den_start = end + 1;
    double den = g_ascii_strtod(den_start, &end);
    if (end == den_start || den == 0)
      return FALSE;
    v /= den;
  }
  if (!isfinite(v))
    return FALSE;
  *p = end;
  *out = v;
  return TRUE;
}

/* The @index-th whitespace-separated number of a tag's value ("1/15",
 * "0 200", "28/10"). */
static gboolean
value_number(const char *value, int index, double *out)
{
  if (!value)
    return FALSE;
  const char *p = value;
  for (int i = 0;; i++) {
    while (g_ascii_isspace(*p) || *p == ',')
      p++;
    if (*p == '\0')
      return FALSE;
    double v;
    if (!parse_number_at(&p, &v))
      return FALSE;
    if (i == index) {
      *out = v;
      return TRUE;
    }
  }
}

static gboolean
tag_number(GExiv2Metadata *md, const char *tag, int index, double *out)
{
  g_autofree char *s = tag_string(md, tag);
  return value_number(s, index, out);
}

/* First tag of @tags with a value > 0: exposure values of 0 are what
 * cameras write when they do not know. NAN when none. */
static double
first_positive(GExiv2Metadata *md, const char *const *tags)
{
  for (; *tags; tags++) {
    double v;
    if (tag_number(md, *tags, 0, &v) && v > 0)
      return v;
  }
  return NAN;
}

/* -------------------------------------------------------------- the fields */

static char *
first_string(GExiv2Metadata *md, const char *const *tags)
{
  for (; *tags; tags++) {
    char *s = tag_string(md, *tags);
    if (s)
      return s;
  }
  return NULL;
}

/* Placeholders lens tables and firmwares give when they do not know. */
static gboolean
is_lens_placeholder(const char *s)
{
  return s[0] == '(' || g_str_has_prefix(s, "----") || g_str_has_prefix(s, "Unknown") ||
         g_str_has_prefix(s, "unknown") || g_str_equal(s, "n/a") || g_str_equal(s, "0") ||
         g_str_equal(s, "None");
}

static char *
read_lens(GExiv2Metadata *md)
{
  /* Model names written by the camera first, then exiv2's lens-ID tables
   * (rendered names, precise for Nikon and Pentax), then Adobe's aux:Lens,
   * which is often only a range ("18.0-70.0 mm f/3.5-4.5"). */
  static const char *const written[] = {
      "Exif.Photo.LensModel",     "Xmp.exifEX.LensModel",    "Exif.Canon.LensModel",
      "Exif.OlympusEq.LensModel", "Exif.Panasonic.LensType", NULL,
  };
  static const char *const looked_up[] = {
      "Exif.NikonLd3.LensIDNumber", "Exif.NikonLd2.LensIDNumber",
      "Exif.NikonLd1.LensIDNumber", "Exif.Pentax.LensType",
      "Exif.PentaxDng.LensType",    "Exif.OlympusEq.LensType",
      "Exif.Sony1.LensID",          "Exif.Sony2.LensID",
      "Exif.Minolta.LensID",        NULL,
  };
  for (const char *const *t = written; *t; t++) {
    char *s = tag_string(md, *t);
    if (s && !is_lens_placeholder(s))
      return s;
    g_free(s);
  }
  for (const char *const *t = looked_up; *t; t++) {
    char *s = tag_interpreted(md, *t);
    if (s && !is_lens_placeholder(s) && !g_ascii_isdigit(s[0]))
      return s;
    g_free(s);
  }
  char *s = tag_string(md, "Xmp.aux.Lens");
  if (s && !is_lens_placeholder(s))
    return s;
  g_free(s);
  return NULL;
}

/* Old Pentax / Asahi maker notes ("type 1", no "AOC\0" header) are not
 * decoded by exiv2 0.27, and some models keep ISO only there (tag 0x0014).
 * The note is a bare IFD; its byte order is found by which reading gives a
 * sane entry count and types. */
static double
pentax_type1_iso(GExiv2Metadata *md)
{
  GError *error = NULL;
  g_autoptr(GBytes) bytes = gexiv2_metadata_try_get_tag_raw(md, "Exif.Photo.MakerNote", &error);
  if (error) {
    g_error_free(error);
    return NAN;
  }
  if (!bytes)
    return NAN;
  gsize n;
  const guint8 *p = g_bytes_get_data(bytes, &n);
  if (n < 2 + 12 || memcmp(p, "AOC", 3) == 0)
    return NAN;
  for (int big = 0; big <= 1; big++) {
#define U16(q) (big ? (guint)((q)[0] << 8 | (q)[1]) : (guint)((q)[1] << 8 | (q)[0]))
    guint count = U16(p);
    if (count == 0 || count > 64 || 2 + (gsize)count * 12 > n)
      continue;
    gboolean sane = TRUE;
    for (guint i = 0; i < count && sane; i++) {
      guint type = U16(p + 2 + i * 12 + 2);
      sane = type >= 1 && type <= 12;
    }
    if (!sane)
      continue;
    for (guint i = 0; i < count; i++) {
      const guint8 *e = p + 2 + i * 12;
      /* SHORT, one value: it sits in the first two bytes of the value field. */
      if (U16(e) == 0x0014 && U16(e + 2) == 3) {
        guint v = U16(e + 8);
        /* Small values are an index (exiftool's table), large ones the ISO. */
        return v >= 50 ? (double)v : NAN;
      }
    }
#undef U16
  }
  return NAN;
}

static double
read_iso(GExiv2Metadata *md, const char *make)
{
  static const char *const standard[] = {
      /* PhotographicSensitivity is the EXIF 2.3 name, used by exiv2 0.28. */
      "Exif.Photo.ISOSpeedRatings",
      "Exif.Photo.PhotographicSensitivity",
      "Exif.Photo.ISOSpeed",
      "Exif.Photo.RecommendedExposureIndex",
      "Exif.Image.ISOSpeedRatings",
      "Xmp.exif.ISOSpeedRatings",
      "Xmp.exifEX.PhotographicSensitivity",
      NULL,
  };
  double iso = first_positive(md, standard);
  if (!isnan(iso))
    return iso;

  /* Nikon stores ISO as two shorts, the first always 0. */
  static const char *const nikon[] = {"Exif.Nikon3.ISOSpeed", "Exif.Nikon3.ISOSettings",
                                      "Exif.Nikon2.ISOSpeed", NULL};
  for (const char *const *t = nikon; *t; t++) {
    double v;
    if (tag_number(md, *t, 1, &v) && v > 0)
      return v;
  }
  /* These are indices or codes in the raw value; exiv2 renders the ISO. */
  static const char *const rendered[] = {
      "Exif.Casio2.ISO",    "Exif.Casio2.ISOSpeed",  "Exif.Casio.ISO",        "Exif.Pentax.ISO",
      "Exif.PentaxDng.ISO", "Exif.Olympus.ISOSpeed", "Exif.CanonSi.ISOSpeed", NULL,
  };
  for (const char *const *t = rendered; *t; t++) {
    g_autofree char *s = tag_interpreted(md, *t);
    double v;
    const char *p = s;
    if (p && g_str_has_prefix(p, "ISO"))
      p += 3;
    /* exiv2 renders an unset CanonSi.ISOSpeed as 3.125: no camera goes
     * below ISO 10. */
    if (value_number(p, 0, &v) && v >= 10 && v < 10000000)
      return v;
  }
  if (make && (g_str_has_prefix(make, "Asahi") || g_str_has_prefix(make, "PENTAX")))
    return pentax_type1_iso(md);
  return NAN;
}

/* XMP GPS coordinates: "DDD,MM.mmmmk" or "DDD,MM,SSk" (k is N, S, E or W). */
static gboolean
parse_xmp_coordinate(const char *s, double *out)
{
  if (!s)
    return FALSE;
  gsize len = strlen(s);
  if (len < 2)
    return FALSE;
  char ref = g_ascii_toupper(s[len - 1]);
  if (ref != 'N' && ref != 'S' && ref != 'E' && ref != 'W')
    return FALSE;
  g_autofree char *body = g_strndup(s, len - 1);
  g_auto(GStrv) parts = g_strsplit(body, ",", 4);
  guint n = g_strv_length(parts);
  if (n < 2 || n > 3)
    return FALSE;
  double v = 0, scale = 1;
  for (guint i = 0; i < n; i++) {
    char *end;
    double x = g_ascii_strtod(parts[i], &end);
    if (end == parts[i] || *end != '\0' || !isfinite(x) || x < 0)
      return FALSE;
    v += x / scale;
    scale *= 60;
  }
  *out = ref == 'S' || ref == 'W' ? -v : v;
  return TRUE;
}

static void
read_gps(GExiv2Metadata *md, DerushMeta *meta)
{
  double lat = NAN, lon = NAN;
  GError *error = NULL;
  /* Not try_get_gps_info: it fails when GPSAltitude is absent. */
  if (!gexiv2_metadata_try_get_gps_latitude(md, &lat, &error) ||
      !gexiv2_metadata_try_get_gps_longitude(md, &lon, &error))
    lat = lon = NAN;
  g_clear_error(&error);

  if (isnan(lat) || isnan(lon)) {
    g_autofree char *xlat = tag_string(md, "Xmp.exif.GPSLatitude");
    g_autofree char *xlon = tag_string(md, "Xmp.exif.GPSLongitude");
    if (!parse_xmp_coordinate(xlat, &lat) || !parse_xmp_coordinate(xlon, &lon))
      lat = lon = NAN;
  }
  /* 0,0 is kept: it is a real place, and cameras that write it as a
   * placeholder cannot be told apart from one there. Out of range is not. */
  if (!isfinite(lat) || !isfinite(lon) || fabs(lat) > 90 || fabs(lon) > 180)
    return;
  meta->gps_lat = lat;
  meta->gps_lon = lon;
}

static void
read_orientation(GExiv2Metadata *md, DerushMeta *meta)
{
  static const char *const tags[] = {"Exif.Image.Orientation", "Xmp.tiff.Orientation", NULL};
  for (const char *const *t = tags; *t; t++) {
    double v;
    if (!tag_number(md, *t, 0, &v))
      continue;
    meta->has_orientation = TRUE;
    meta->orientation = v >= 1 && v <= 8 && v == (int)v ? (int)v : 1;
    return;
  }
}

static void
read_rating(GExiv2Metadata *md, DerushMeta *meta)
{
  static const char *const tags[] = {"Xmp.xmp.Rating", "Exif.Image.Rating", NULL};
  for (const char *const *t = tags; *t; t++) {
    double v;
    if (!tag_number(md, *t, 0, &v))
      continue;
    /* Some writers store fractional stars (xmp:Rating is a Real). */
    v = round(v);
    if (v < -1 || v > 5)
      continue;
    meta->has_rating = TRUE;
    meta->rating = (int)v;
    return;
  }
}

/* ------------------------------------------------------------ capture time */

typedef struct {
  const char *datetime, *subsec, *offset; /* tag keys; subsec/offset nullable */
  DerushTimeSource source;
} DateSource;

/* In order of trust. XMP and IPTC dates are written by the same cameras or
 * by editors that copy the capture time (Lightroom's photoshop:DateCreated),
 * so an "original" there beats an EXIF "digitized". IFD0 DateTime is the
 * file's last change: in camera files it is the capture time, after an edit
 * it is not, so it comes last, labelled digitized (still closer than the
 * file's mtime, which is usually the copy time). */
static const DateSource date_sources[] = {
    {"Exif.Photo.DateTimeOriginal", "Exif.Photo.SubSecTimeOriginal",
     "Exif.Photo.OffsetTimeOriginal", DERUSH_TIME_EXIF_ORIGINAL},
    {"Exif.Image.DateTimeOriginal", NULL, NULL, DERUSH_TIME_EXIF_ORIGINAL}, /* TIFF/EP, some RAW */
    {"Xmp.exif.DateTimeOriginal", NULL, NULL, DERUSH_TIME_EXIF_ORIGINAL},
    {"Xmp.photoshop.DateCreated", NULL, NULL, DERUSH_TIME_EXIF_ORIGINAL},
    {"Exif.Photo.DateTimeDigitized", "Exif.Photo.SubSecTimeDigitized",
     "Exif.Photo.OffsetTimeDigitized", DERUSH_TIME_EXIF_DIGITIZED},
    {"Xmp.exif.DateTimeDigitized", NULL, NULL, DERUSH_TIME_EXIF_DIGITIZED},
    {"Xmp.xmp.CreateDate", NULL, NULL, DERUSH_TIME_EXIF_DIGITIZED},
    {"Exif.Image.DateTime", "Exif.Photo.SubSecTime", "Exif.Photo.OffsetTime",
     DERUSH_TIME_EXIF_DIGITIZED},
};

/* Reads candidate @i (the IPTC pair is the last one). */
static gboolean
read_date_candidate(GExiv2Metadata *md, gsize i, DerushCaptureTime *t, DerushTimeSource *source)
{
  if (i < G_N_ELEMENTS(date_sources)) {
    const DateSource *src = &date_sources[i];
    g_autofree char *datetime = tag_string(md, src->datetime);
    if (!datetime)
      return FALSE;
    g_autofree char *subsec = src->subsec ? tag_string(md, src->subsec) : NULL;
    g_autofree char *offset = src->offset ? tag_string(md, src->offset) : NULL;
    *source = src->source;
    return _derush_parse_capture_time(datetime, subsec, offset, t);
  }
  /* IPTC keeps date and time apart: "2023-11-15" and "14:30:00+00:00". */
  g_autofree char *date = tag_string(md, "Iptc.Application2.DateCreated");
  g_autofree char *time = tag_string(md, "Iptc.Application2.TimeCreated");
  if (!date || !time)
    return FALSE;
  g_autofree char *joined = g_strconcat(date, "T", time, NULL);
  *source = DERUSH_TIME_EXIF_ORIGINAL;
  if (!_derush_parse_capture_time(joined, NULL, NULL, t))
    return FALSE;
  /* IIM makes the offset mandatory, so writers fill in one they do not know
   * ("+00:00", or their own zone: thompson-springs.jpg says -04:00 for a
   * January photo in Utah). Keep the wall clock, let it float. */
  if (t->has_offset) {
    t->ns += (gint64)t->offset_minutes * 60 * 1000000000;
    t->has_offset = FALSE;
    t->offset_minutes = 0;
  }
  return TRUE;
}

/* Wall-clock second of a parsed time, whether it floats or not. */
static gint64
wall_second(const DerushCaptureTime *t)
{
  gint64 local = t->ns + (t->has_offset ? (gint64)t->offset_minutes * 60 * 1000000000 : 0);
  return local / 1000000000 - (local % 1000000000 < 0);
}

static void
read_capture_time(GExiv2Metadata *md, DerushMeta *meta)
{
  const gsize n = G_N_ELEMENTS(date_sources) + 1;
  DerushCaptureTime best = {0};
  DerushTimeSource source = DERUSH_TIME_NONE;
  gsize i;
  for (i = 0; i < n; i++)
    if (read_date_candidate(md, i, &best, &source))
      break;
  if (i == n)
    return;

  /* Cameras and editors often write the offset to only one of the copies of
   * the capture time (XMP exif:DateTimeOriginal "2010-12-12T12:41:35+01:00"
   * beside a bare EXIF DateTimeOriginal, or OffsetTime for DateTime only).
   * Another source showing the same wall clock with an offset tells us the
   * zone of this one. */
  if (!best.has_offset) {
    gint64 wall = wall_second(&best);
    for (gsize j = i + 1; j < n; j++) {
      DerushCaptureTime other;
      DerushTimeSource ignored;
      if (read_date_candidate(md, j, &other, &ignored) && other.has_offset &&
          wall_second(&other) == wall) {
        best.ns -= (gint64)other.offset_minutes * 60 * 1000000000;
        best.has_offset = TRUE;
        best.offset_minutes = other.offset_minutes;
        break;
      }
    }
  }
  meta->time_source = source;
  meta->capture_time_ns = best.ns;
  meta->has_offset = best.has_offset;
  meta->offset_minutes = best.offset_minutes;
}

/* ----------------------------------------------------------------- reading */

static void
read_all(GExiv2Metadata *md, DerushMeta *meta)
{
  static const char *const make_tags[] = {"Exif.Image.Make", "Xmp.tiff.Make", NULL};
  static const char *const model_tags[] = {"Exif.Image.Model", "Xmp.tiff.Model", NULL};
  g_free(meta->make);
  g_free(meta->model);
  g_free(meta->lens);
  meta->make = first_string(md, make_tags);
  meta->model = first_string(md, model_tags);
  meta->lens = read_lens(md);

  meta->iso = read_iso(md, meta->make);
  static const char *const exposure[] = {"Exif.Photo.ExposureTime", "Xmp.exif.ExposureTime", NULL};
  static const char *const fnumber[] = {"Exif.Photo.FNumber", "Xmp.exif.FNumber", NULL};
  static const char *const focal[] = {"Exif.Photo.FocalLength", "Xmp.exif.FocalLength", NULL};
  static const char *const focal35[] = {"Exif.Photo.FocalLengthIn35mmFilm",
                                        "Xmp.exif.FocalLengthIn35mmFilm", NULL};
  meta->exposure_time = first_positive(md, exposure);
  meta->f_number = first_positive(md, fnumber);
  meta->focal_length_mm = first_positive(md, focal);
  meta->focal_length_35mm = first_positive(md, focal35);

  /* 0 EV is a real bias, so no "positive" rule here. */
  double v;
  if ((tag_number(md, "Exif.Photo.ExposureBiasValue", 0, &v) ||
       tag_number(md, "Xmp.exif.ExposureBiasValue", 0, &v)) &&
      fabs(v) <= 64)
    meta->exposure_bias = v;
  if (tag_number(md, "Exif.Photo.Flash", 0, &v) && v >= 0 && v <= 0xffff && v == (int)v)
    meta->flash = (int)v;

  read_orientation(md, meta);
  read_gps(md, meta);
  read_rating(md, meta);
  read_capture_time(md, meta);
}

/**
 * _derush_meta_read_buffer:
 * @data: (array length=len): the whole file
 * @len: its size in bytes
 * @meta: a #DerushMeta set up with derush_meta_init(); fields the file does
 *   not carry keep their defaults
 * @error: return location for a #GError
 *
 * Parses EXIF, XMP and IPTC from a photo in memory (any format exiv2 knows:
 * JPEG, TIFF, PNG, WebP, HEIF/AVIF, DNG and other RAW) and fills @meta.
 * A file without metadata is not an error. Holds the exiv2 lock for the whole
 * parse; counts one %DERUSH_COUNTER_METADATA_PARSED per call.
 *
 * Returns: TRUE on success; FALSE with %DERUSH_ERROR_UNSUPPORTED when exiv2
 *   does not recognise the data (text, random bytes), %DERUSH_ERROR_CORRUPT
 *   when it is empty or its structure cannot be read.
 */
gboolean
_derush_meta_read_buffer(const guint8 *data, gsize len, DerushMeta *meta, GError **error)
{
  g_return_val_if_fail(meta != NULL, FALSE);
  g_return_val_if_fail(data != NULL || len == 0, FALSE);

  derush_counter_add(DERUSH_COUNTER_METADATA_PARSED, 1);
  if (len == 0) {
    g_set_error_literal(error, DERUSH_ERROR, DERUSH_ERROR_CORRUPT, "empty file");
    return FALSE;
  }
  if (len > G_MAXLONG) {
    g_set_error_literal(error, DERUSH_ERROR, DERUSH_ERROR_TOO_LARGE,
                        "file too large for the metadata reader");
    return FALSE;
  }

  GError *local = NULL;
  _derush_exiv2_lock();
  GExiv2Metadata *md = gexiv2_metadata_new();
  gboolean ok = gexiv2_metadata_open_buf(md, data, (glong)len, &local);
  if (ok)
    read_all(md, meta);
  g_object_unref(md);
  _derush_exiv2_unlock();

  if (!ok) {
    /* exiv2 names what it did not understand; keep its words as the reason
     * the scanner records, under our own codes. */
    const char *why = local && local->message ? local->message : "unknown error";
    int code = DERUSH_ERROR_CORRUPT;
    if (local && local->code >= EXIV2_UNKNOWN_TYPE_FIRST && local->code <= EXIV2_UNKNOWN_TYPE_LAST)
      code = DERUSH_ERROR_UNSUPPORTED;
    else if (local && local->code == GEXIV2_UNSUPPORTED_FORMAT)
      code = DERUSH_ERROR_UNSUPPORTED;
    g_set_error(error, DERUSH_ERROR, code, "cannot read metadata: %s", why);
    g_clear_error(&local);
    return FALSE;
  }
  return TRUE;
}
