/* derush-meta.h: photo metadata: the typed record, capture times (part of the public API; include
 * derush.h). */
#ifndef DERUSH_META_H
#define DERUSH_META_H

#include "derush-base.h"

G_BEGIN_DECLS

typedef enum {
  DERUSH_TIME_NONE,
  DERUSH_TIME_EXIF_ORIGINAL,  /* DateTimeOriginal (+SubSec, +Offset) */
  DERUSH_TIME_EXIF_DIGITIZED, /* DateTimeDigitized / CreateDate */
  DERUSH_TIME_FILE_MTIME,     /* no usable EXIF date: the file's mtime */
} DerushTimeSource;

const char *derush_time_source_name(DerushTimeSource source);

/* The typed metadata of one photo, read once at scan time. Capture time is
 * stored as int64 nanoseconds since the Unix epoch in UTC: when the file
 * carries an offset (OffsetTimeOriginal) it is applied; when it does not, the
 * camera's wall clock is taken as UTC ("floating" time, independent of the
 * machine's time zone), and has_offset is FALSE. */
typedef struct {
  char *make;           /* trimmed, NULL when absent */
  char *model;          /* trimmed, NULL when absent */
  char *lens;           /* NULL when absent */
  double iso;           /* NAN when absent (also read from maker notes) */
  double exposure_time; /* seconds */
  double f_number;
  double focal_length_mm;
  double focal_length_35mm;
  double exposure_bias;     /* EV */
  int flash;                /* EXIF Flash tag value, -1 when absent */
  int orientation;          /* EXIF 1-8, 1 when absent */
  gboolean has_orientation; /* the file carries an Orientation tag */
  DerushTimeSource time_source;
  gint64 capture_time_ns; /* valid when time_source != NONE */
  gboolean has_offset;
  int offset_minutes; /* east of UTC, valid when has_offset */
  double gps_lat;     /* decimal degrees, NAN when absent */
  double gps_lon;
  gboolean has_rating;
  int rating; /* xmp:Rating (-1 rejected, 0..5) when has_rating */
} DerushMeta;

void derush_meta_init(DerushMeta *meta);
void derush_meta_clear(DerushMeta *meta);

char *derush_meta_camera_name(const DerushMeta *meta);

char *derush_format_capture_time(gint64 capture_time_ns, gboolean has_offset, int offset_minutes,
                                 DerushTimeSource source);

char *derush_format_eta(double elapsed_s, gint64 done, gint64 total);

G_END_DECLS

#endif /* DERUSH_META_H */
