/* tools/demo-gen.h: what the demo generator's files share: the plan of a
 * shoot (jobs, scenes, cameras, sessions) and the steps between planning
 * (demo-plan.c), rendering (demo-render.c) and the files and main
 * (demo-gen.c). */
#ifndef DEMO_GEN_H
#define DEMO_GEN_H

#include <glib.h>
#include <glib/gstdio.h>
#include <vips/vips.h>
#include <gexiv2/gexiv2.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* The tool does not link libderush on purpose (it makes the data that tests
 * libderush), so it defines what derush-private.h would give it. */
#if VIPS_MAJOR_VERSION == 8 && VIPS_MINOR_VERSION < 16
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VipsImage, g_object_unref)
#endif

#define PROG "derush-demo-gen"
#define DEFAULT_SOURCE "/usr/share/backgrounds/mate/nature"
#define DEFAULT_COUNT 320
#define EXIT_FAILED 2

/* The camera clocks are set to local time (CEST); file mtimes are instants. */
#define CLOCK_OFFSET_MS ((gint64)2 * 3600 * 1000)

/* ------------------------------------------------------------ the shoot */

typedef enum {
  KIND_SHARP,
  KIND_BURST,
  KIND_NEAR_DUP,
  KIND_DEFOCUS,
  KIND_MOTION,
  KIND_UNDER,
  KIND_OVER,
  KIND_NOISY,
  KIND_RAW_PAIR,
  KIND_NO_EXIF,
  N_KINDS
} Kind;

typedef enum { CAM_CANON, CAM_FUJI, CAM_PHONE, N_CAMERAS } CameraId;

typedef struct {
  const char *make, *model, *lens;
  const char *prefix, *ext; /* file names; a NULL prefix names by capture time */
  int width, height;        /* its JPEGs, landscape; a little different per camera */
  int quality;
  double focal_min, focal_max, crop_factor;
  int widest_f100; /* widest aperture, f-number x100 */
  int subsec_digits;
  const char *offset_time; /* only one camera writes OffsetTimeOriginal */
  int first_number;
  int flash_off; /* its EXIF Flash value when the flash did not fire */
} Camera;

/* Source indices refer to the sorted mate-backgrounds photos (0 Aqua,
 * 1 Blinds, 2 Dune, 3 FreshFlower, 4 Garden, 5 GreenMeadow, 6 LadyBird,
 * 7 RainDrops, 8 Storm, 9 TwoWings, 10 Wood, 11 YellowFlower), taken modulo
 * the number of photos when --source has others. */
typedef struct {
  const char *folder;
  const char *phone_folder; /* NULL: with the other cameras */
  int start[5];             /* year, month, day, hour, minute on the camera clocks */
  int sources[5], n_sources;
  int camera_weights[N_CAMERAS];
  double share; /* of the photos */
  gboolean dusk, raw_pair, web_export;
  guint gps_cameras; /* bit per CameraId */
  double lat, lon, alt;
} Session;

/* Two sessions a day apart, then one a week: hours to days between them,
 * as a shoot that a culling tool must split into sessions. */

typedef enum { FORMAT_JPEG, FORMAT_RAW_TIFF, FORMAT_SCREENSHOT_PNG } Format;

typedef struct {
  double x, y, w, h;
} Rect;

typedef struct {
  int shutter_den; /* exposure time 1/den s */
  int f100;        /* f-number x100 */
  int iso;
  double focal; /* mm */
  int bias_thirds;
  int flash; /* EXIF Flash */
} Exposure;

/* One file to write: what the workers execute, and its truth.csv row. */
typedef struct {
  char *path; /* relative to DIR */
  Kind kind;
  Format format;
  int session, burst, group; /* 0: none */

  int shot; /* frames of one scene share one resampled canvas */
  int source;
  Rect crop;        /* source pixels, upright */
  double scale;     /* output pixels per source pixel of the scene */
  int out_w, out_h; /* upright */
  int quality;
  double blur_sigma, motion_length, motion_angle, gain, noise_sigma;
  int noise_seed;
  int orientation; /* EXIF: 1, or 6/8 with the pixels stored rotated */

  const Camera *camera; /* NULL: no EXIF */
  gint64 wall_ms;       /* capture time on the camera's clock, as ms since 1970 */
  Exposure exposure;
  gboolean has_gps;
  double lat, lon, alt;
} Job;

typedef struct {
  char *path;
  VipsImage *image; /* decoded once, shared read-only by the workers */
} Source;

/* What the workers share while rendering (demo-render.c). */
typedef struct {
  char *tmp_dir;
  GPtrArray *sources; /* Source */
  GMutex lock;        /* guards error */
  GError *error;      /* the first failure; later ones are dropped */
  gint failed;
} Context;

#define N_SESSIONS 5

/* demo-plan.c */
extern const char *const kind_names[N_KINDS];
extern const Session sessions[N_SESSIONS];
void job_free(Job *job);
void source_free(Source *source);
GPtrArray *plan_shoot(const GPtrArray *sources, int count, guint32 seed);

/* demo-render.c */
GPtrArray *shots_new(GPtrArray *jobs, GPtrArray *sources);
int compare_shot_size_cb(gconstpointer a, gconstpointer b);
void shot_worker(gpointer data, gpointer user_data);
void source_load_worker(gpointer data, gpointer user_data);
gboolean run_parallel(GFunc func, GPtrArray *items, Context *ctx, GError **error);

#endif /* DEMO_GEN_H */
