/* meta/meta-private.h: helpers shared inside meta/ (and by tests/test-meta.c).
 *
 * The rest of libderush sees meta/ only through derush-private.h; these are
 * the pieces of capture-time.c that meta-read.c and the unit tests need.
 */
#ifndef DERUSH_META_PRIVATE_H
#define DERUSH_META_PRIVATE_H

#include "derush-private.h"

G_BEGIN_DECLS

/* Years outside this range are treated as a broken camera clock (and keep
 * every int64 nanosecond value far from overflow: int64 ns spans 1677-2262). */
#define DERUSH_MIN_CAPTURE_YEAR 1800
#define DERUSH_MAX_CAPTURE_YEAR 2200

typedef struct {
  gint64 ns; /* UTC when has_offset, else the wall clock taken as UTC */
  gboolean has_offset;
  int offset_minutes; /* east of UTC */
} DerushCaptureTime;

/* Days since 1970-01-01 of the proleptic Gregorian date (no time zone). */
gint64 _derush_days_from_civil(gint64 year, int month, int day);
void _derush_civil_from_days(gint64 days, gint64 *year, int *month, int *day);

gboolean _derush_parse_utc_offset(const char *text, int *minutes);

gboolean _derush_parse_capture_time(const char *datetime, const char *subsec, const char *offset,
                                    DerushCaptureTime *out);

G_END_DECLS

#endif /* DERUSH_META_PRIVATE_H */
