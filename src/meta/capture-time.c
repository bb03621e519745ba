/* meta/capture-time.c: EXIF/XMP date strings to int64 nanoseconds, and back.
 *
 * This is the only place in derush that parses a date string: the scanner
 * calls it once per file version and the catalog stores the int64. Everything
 * is integer arithmetic on the proleptic Gregorian calendar (Howard Hinnant's
 * days_from_civil), so the result never depends on the machine's time zone,
 * on TZ, or on what mktime()/timegm() do outside 1970-2038.
 */
#include "meta/meta-private.h"

#define NS_PER_SEC G_GINT64_CONSTANT(1000000000)
#define SEC_PER_DAY G_GINT64_CONSTANT(86400)
/* Real offsets run from -12:00 to +14:00; ISO 8601 allows up to 18 hours. */
#define MAX_OFFSET_MINUTES (18 * 60)

/* Floor division: -1 / 86400 must be day -1, not day 0, for pre-1970 times. */
static gint64
floor_div(gint64 a, gint64 b)
{
  gint64 q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0)))
    q--;
  return q;
}

static gboolean
is_leap_year(gint64 year)
{
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int
days_in_month(gint64 year, int month)
{
  static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && is_leap_year(year))
    return 29;
  return days[month - 1];
}

/**
 * _derush_days_from_civil:
 * @year: proleptic Gregorian year
 * @month: 1-12
 * @day: 1-31
 *
 * Returns: the number of days from 1970-01-01 to the date (negative before).
 */
gint64
_derush_days_from_civil(gint64 year, int month, int day)
{
  /* Count years from March, so the leap day is the last day of a "year". */
  year -= month <= 2;
  gint64 era = floor_div(year, 400);
  gint64 yoe = year - era * 400;                                         /* [0, 399] */
  gint64 doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1; /* [0, 365] */
  gint64 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;                    /* [0, 146096] */
  return era * 146097 + doe - 719468;
}

/**
 * _derush_civil_from_days:
 * @days: days since 1970-01-01
 * @year: (out): proleptic Gregorian year
 * @month: (out): 1-12
 * @day: (out): 1-31
 *
 * The inverse of _derush_days_from_civil().
 */
void
_derush_civil_from_days(gint64 days, gint64 *year, int *month, int *day)
{
  days += 719468;
  gint64 era = floor_div(days, 146097);
  gint64 doe = days - era * 146097;                                   /* [0, 146096] */
  gint64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
  gint64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
  gint64 mp = (5 * doy + 2) / 153;                                    /* [0, 11] */
  int d = (int)(doy - (153 * mp + 2) / 5 + 1);
  int m = (int)(mp < 10 ? mp + 3 : mp - 9);
  *year = yoe + era * 400 + (m <= 2);
  *month = m;
  *day = d;
}

static const char *
skip_space(const char *p)
{
  while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
    p++;
  return p;
}

/* Reads exactly @n ASCII digits. */
static gboolean
read_digits(const char **p, int n, int *value)
{
  int v = 0;
  for (int i = 0; i < n; i++) {
    char c = (*p)[i];
    if (c < '0' || c > '9')
      return FALSE;
    v = v * 10 + (c - '0');
  }
  *p += n;
  *value = v;
  return TRUE;
}

/* Offset body after an optional leading blank: "Z", "+HH:MM", "-HHMM", "+HH".
 * Advances @p past it. */
static gboolean
read_offset(const char **p, int *minutes)
{
  const char *s = *p;
  if (*s == 'Z' || *s == 'z') {
    *p = s + 1;
    *minutes = 0;
    return TRUE;
  }
  if (*s != '+' && *s != '-')
    return FALSE;
  int sign = *s == '-' ? -1 : 1;
  s++;
  int hh, mm = 0;
  if (!read_digits(&s, 2, &hh))
    return FALSE;
  if (*s == ':') {
    s++;
    if (!read_digits(&s, 2, &mm))
      return FALSE;
  } else if (s[0] >= '0' && s[0] <= '9') {
    if (!read_digits(&s, 2, &mm))
      return FALSE;
  }
  if (mm > 59 || hh * 60 + mm > MAX_OFFSET_MINUTES)
    return FALSE;
  *p = s;
  *minutes = sign * (hh * 60 + mm);
  return TRUE;
}

/* Reads a run of digits as a fraction of a second ("12" is 0.12 s); digits
 * past nanoseconds are dropped. Advances @p past all digits. */
static gboolean
read_fraction(const char **p, gint64 *ns)
{
  const char *s = *p;
  gint64 v = 0;
  int n = 0;
  for (; *s >= '0' && *s <= '9'; s++, n++)
    if (n < 9)
      v = v * 10 + (*s - '0');
  if (n == 0)
    return FALSE;
  for (int i = MIN(n, 9); i < 9; i++)
    v *= 10;
  *p = s;
  *ns = v;
  return TRUE;
}

/**
 * _derush_parse_utc_offset:
 * @text: (nullable): an EXIF OffsetTime* value ("+02:00", "-05:30") or "Z";
 *   "+0200" and "+02" are accepted too; surrounding blanks are ignored.
 * @minutes: (out): the offset east of UTC, in minutes
 *
 * Returns: FALSE when @text is NULL, blank ("   :  " is common) or malformed.
 */
gboolean
_derush_parse_utc_offset(const char *text, int *minutes)
{
  if (!text)
    return FALSE;
  const char *p = skip_space(text);
  int m;
  if (!read_offset(&p, &m) || *skip_space(p) != '\0')
    return FALSE;
  *minutes = m;
  return TRUE;
}

/**
 * _derush_parse_capture_time:
 * @datetime: an EXIF "YYYY:MM:DD HH:MM:SS" or an ISO 8601 / XMP
 *   "YYYY-MM-DDTHH:MM[:SS[.fff]][Z|±HH:MM]" date-time. Surrounding blanks and
 *   trailing NULs (as cameras pad them) are ignored.
 * @subsec: (nullable): the EXIF SubSecTime* digits ("12" is 0.12 s); ignored
 *   when @datetime carries its own fraction or when not all digits.
 * @offset: (nullable): the EXIF OffsetTime* value; ignored when @datetime
 *   carries its own offset, or when malformed (the time then floats).
 * @out: (out): the capture time
 *
 * Converts one date to nanoseconds since the epoch: with an offset, the UTC
 * instant (wall clock minus offset); without, the wall clock taken as UTC
 * (floating time, has_offset FALSE). Dates without a time of day, the
 * "0000:00:00 00:00:00" and all-blank placeholders cameras write when their
 * clock was never set, impossible dates (month 13, 31 April, 29 February of
 * a common year, 25:00) and years outside 1800-2200 are all rejected: a
 * wrong capture time would misplace a photo in sessions and bursts, which is
 * worse than falling back to another source.
 *
 * Returns: TRUE when @datetime is a valid date-time.
 */
gboolean
_derush_parse_capture_time(const char *datetime, const char *subsec, const char *offset,
                           DerushCaptureTime *out)
{
  g_return_val_if_fail(out != NULL, FALSE);
  if (!datetime)
    return FALSE;

  const char *p = skip_space(datetime);
  int year, month, day, hour, minute, second = 0;
  if (!read_digits(&p, 4, &year))
    return FALSE;
  char sep = *p;
  if (sep != ':' && sep != '-')
    return FALSE;
  p++;
  if (!read_digits(&p, 2, &month) || *p++ != sep || !read_digits(&p, 2, &day))
    return FALSE;
  if (*p != ' ' && *p != 'T' && *p != 't')
    return FALSE;
  p++;
  if (!read_digits(&p, 2, &hour) || *p++ != ':' || !read_digits(&p, 2, &minute))
    return FALSE;
  if (*p == ':') {
    p++;
    if (!read_digits(&p, 2, &second))
      return FALSE;
  }

  gint64 frac_ns = 0;
  gboolean inline_fraction = FALSE;
  if (*p == '.' || *p == ',') {
    p++;
    if (!read_fraction(&p, &frac_ns))
      return FALSE;
    inline_fraction = TRUE;
  }

  int offset_minutes = 0;
  gboolean has_offset = FALSE;
  if (*p == 'Z' || *p == 'z' || *p == '+' || *p == '-') {
    if (!read_offset(&p, &offset_minutes))
      return FALSE;
    has_offset = TRUE;
  }
  if (*skip_space(p) != '\0')
    return FALSE;

  if (year < DERUSH_MIN_CAPTURE_YEAR || year > DERUSH_MAX_CAPTURE_YEAR)
    return FALSE;
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month))
    return FALSE;
  /* A leap second (:60) is legal in EXIF; it lands on the next minute. */
  if (hour > 23 || minute > 59 || second > 60)
    return FALSE;

  if (!inline_fraction && subsec) {
    const char *s = skip_space(subsec);
    gint64 v;
    if (read_fraction(&s, &v) && *skip_space(s) == '\0')
      frac_ns = v;
  }
  if (!has_offset && _derush_parse_utc_offset(offset, &offset_minutes))
    has_offset = TRUE;

  gint64 days = _derush_days_from_civil(year, month, day);
  gint64 secs = days * SEC_PER_DAY + hour * 3600 + minute * 60 + second;
  if (has_offset)
    secs -= (gint64)offset_minutes * 60;
  out->ns = secs * NS_PER_SEC + frac_ns;
  out->has_offset = has_offset;
  out->offset_minutes = has_offset ? offset_minutes : 0;
  return TRUE;
}

/**
 * derush_format_capture_time:
 * @capture_time_ns: nanoseconds since the epoch, as in #DerushMeta
 * @has_offset: whether @offset_minutes is known
 * @offset_minutes: offset east of UTC, used when @has_offset
 * @source: where the time came from
 *
 * Formats a capture time as ISO 8601: "2011-01-13T14:33:39.120+02:00" when the
 * offset is known (the local wall clock followed by the offset), the bare wall
 * clock "2011-01-13T14:33:39" for floating times. Milliseconds appear only
 * when non-zero. Pure integer arithmetic on the int64: no date-string parsing
 * and no dependence on the machine's time zone.
 *
 * Returns: (transfer full) (nullable): the text, or NULL when @source is
 *   %DERUSH_TIME_NONE.
 *
 * See also: derush_time_source_name()
 */
char *
derush_format_capture_time(gint64 capture_time_ns, gboolean has_offset, int offset_minutes,
                           DerushTimeSource source)
{
  if (source == DERUSH_TIME_NONE)
    return NULL;
  if (!has_offset)
    offset_minutes = 0;
  g_return_val_if_fail(
      offset_minutes >= -MAX_OFFSET_MINUTES && offset_minutes <= MAX_OFFSET_MINUTES, NULL);

  gint64 secs = floor_div(capture_time_ns, NS_PER_SEC);
  gint64 sub_ns = capture_time_ns - secs * NS_PER_SEC; /* [0, 1e9) */
  secs += (gint64)offset_minutes * 60;                 /* cannot overflow: |secs| < 2^34 */
  gint64 days = floor_div(secs, SEC_PER_DAY);
  gint64 sod = secs - days * SEC_PER_DAY;

  gint64 year;
  int month, day;
  _derush_civil_from_days(days, &year, &month, &day);

  GString *s = g_string_sized_new(32);
  g_string_append_printf(s, "%04" G_GINT64_FORMAT "-%02d-%02dT%02d:%02d:%02d", year, month, day,
                         (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60));
  int ms = (int)(sub_ns / 1000000);
  if (ms != 0)
    g_string_append_printf(s, ".%03d", ms);
  if (has_offset) {
    int a = ABS(offset_minutes);
    g_string_append_printf(s, "%c%02d:%02d", offset_minutes < 0 ? '-' : '+', a / 60, a % 60);
  }
  return g_string_free(s, FALSE);
}
