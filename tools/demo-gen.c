/* tools/demo-gen.c: derush-demo-gen, a believable photo shoot to cull.
 *
 *   derush-demo-gen --out DIR [--count N] [--seed S] [--source DIR]
 *
 * Turns the 12 photographs of Debian's mate-backgrounds package (or the
 * JPEG/PNG/TIFF photos of --source DIR) into a shoot of N photo files
 * (default 320) over five sessions on different days: single frames, bursts
 * of a panning camera, near-duplicate re-shots, defocused, shaken, under- and
 * over-exposed frames, a few noisy high-ISO frames, RAW+JPEG pairs, and two
 * files without EXIF. Every other file carries EXIF written by gexiv2: camera,
 * capture time with sub-seconds, settings coherent with what went wrong
 * (a shaken frame says 1/8 s), orientation, GPS on some.
 *
 * One seed gives the same files byte for byte: the whole shoot is planned
 * first from one GRand on the main thread, the workers only execute the plan,
 * and the noise images get their seeds from the plan.
 *
 * DIR appears at once: the set is built in DIR.tmp-XXXXXX, renamed to DIR,
 * and DIR/.complete is created last, so readers wait for .complete. Runs on
 * the same DIR serialise on an flock of DIR.lock, so a second run finds
 * .complete and exits instead of doing the work twice.
 *
 * DIR/truth.csv has one row per photo file, header
 * `path,session,burst,near_dup_group,kind`:
 *   path            relative to DIR, e.g. "2024-06-01 Garden/IMG_4213.JPG"
 *   session         1..5: photos minutes apart, sessions days apart; empty
 *                   for a file without a capture time (no EXIF)
 *   burst           id of a burst (frames 0.3-1 s apart, same camera,
 *                   panning); empty outside bursts
 *   near_dup_group  id shared by the files that show one scene from one
 *                   viewpoint: burst frames, re-shots, re-encodes and
 *                   re-crops, blurred or mis-exposed retakes, both files of
 *                   a RAW pair, a web export; empty for a scene shot once.
 *                   Grouping checks compare against this column.
 *   kind            sharp | burst (a sharp burst frame) | near_dup (a later
 *                   re-encoded, resized or re-cropped copy) | defocus |
 *                   motion | under | over | noisy | raw_pair (the JPEG and
 *                   its "RAW", a TIFF named .DNG that libvips reads) |
 *                   no_exif (a screenshot PNG, a stripped web export)
 *
 * Exit status: 0 when the set is ready (also when DIR/.complete was already
 * there); 2 on any error, with a message naming the file, and the
 * temporary folder removed.
 */

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

static const char *const kind_names[N_KINDS] = {
    "sharp", "burst", "near_dup", "defocus",  "motion",
    "under", "over",  "noisy",    "raw_pair", "no_exif",
};

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

static const Camera cameras[N_CAMERAS] = {
    [CAM_CANON] =
        {
            .make = "Canon",
            .model = "Canon EOS R6",
            .lens = "RF24-105mm F4 L IS USM",
            .prefix = "IMG_",
            .ext = ".JPG",
            .width = 1620,
            .height = 1080,
            .quality = 92,
            .focal_min = 24,
            .focal_max = 105,
            .crop_factor = 1.0,
            .widest_f100 = 400,
            .subsec_digits = 2,
            .offset_time = "+02:00",
            .first_number = 4210,
            .flash_off = 16,
        },
    [CAM_FUJI] =
        {
            .make = "FUJIFILM",
            .model = "X-T4",
            .lens = "XF16-55mmF2.8 R LM WR",
            .prefix = "DSCF",
            .ext = ".JPG",
            .width = 1560,
            .height = 1040,
            .quality = 90,
            .focal_min = 16,
            .focal_max = 55,
            .crop_factor = 1.5,
            .widest_f100 = 280,
            .subsec_digits = 3,
            .first_number = 1187,
            .flash_off = 16,
        },
    [CAM_PHONE] =
        {
            .make = "Google",
            .model = "Pixel 7",
            .lens = "Pixel 7 back camera 6.81mm f/1.85",
            .ext = ".jpg",
            .width = 1600,
            .height = 1200,
            .quality = 88,
            .focal_min = 6.81,
            .focal_max = 6.81,
            .crop_factor = 3.524,
            .widest_f100 = 185,
            .subsec_digits = 3,
            .flash_off = 24, /* auto, did not fire */
        },
};

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
static const Session sessions[] = {
    {
        .folder = "2024-06-01 Garden",
        .start = {2024, 6, 1, 9, 12},
        .sources = {4, 3, 11, 6, 9},
        .n_sources = 5,
        .camera_weights = {[CAM_CANON] = 7, [CAM_PHONE] = 3},
        .share = 0.24,
        .raw_pair = TRUE,
        .web_export = TRUE,
        .gps_cameras = 1u << CAM_PHONE,
        .lat = 45.7640,
        .lon = 4.8357,
        .alt = 170,
    },
    {
        /* The Fuji takes its position from the phone over Bluetooth. */
        .folder = "2024-06-02 Beach",
        .start = {2024, 6, 2, 17, 48},
        .sources = {2, 0, 8, 10},
        .n_sources = 4,
        .camera_weights = {[CAM_FUJI] = 10},
        .share = 0.20,
        .raw_pair = TRUE,
        .gps_cameras = 1u << CAM_FUJI,
        .lat = 43.4832,
        .lon = -1.5586,
        .alt = 5,
    },
    {
        .folder = "2024-06-09 Walk",
        .phone_folder = "2024-06-09 Walk/Phone",
        .start = {2024, 6, 9, 10, 31},
        .sources = {5, 1, 7, 6, 10},
        .n_sources = 5,
        .camera_weights = {[CAM_CANON] = 6, [CAM_PHONE] = 4},
        .share = 0.22,
        .raw_pair = TRUE,
        .gps_cameras = 1u << CAM_PHONE,
        .lat = 45.8992,
        .lon = 6.1294,
        .alt = 448,
    },
    {
        .folder = "2024-06-15 Macro",
        .start = {2024, 6, 15, 14, 5},
        .sources = {7, 0, 9, 11, 1},
        .n_sources = 5,
        .camera_weights = {[CAM_FUJI] = 10},
        .share = 0.18,
        .raw_pair = TRUE,
    },
    {
        /* At dusk: slow shutters, high ISO, the noisy frames. */
        .folder = "2024-06-22 Storm",
        .start = {2024, 6, 22, 20, 52},
        .sources = {8, 2, 5, 3},
        .n_sources = 4,
        .camera_weights = {[CAM_CANON] = 8, [CAM_PHONE] = 2},
        .share = 0.16,
        .dusk = TRUE,
        .gps_cameras = 1u << CAM_PHONE,
        .lat = 45.1885,
        .lon = 5.7245,
        .alt = 212,
    },
};

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

static void
job_free(Job *job)
{
  g_free(job->path);
  g_free(job);
}

typedef struct {
  char *path;
  VipsImage *image; /* decoded once, shared read-only by the workers */
} Source;

static void
source_free(Source *source)
{
  g_clear_object(&source->image);
  g_free(source->path);
  g_free(source);
}

/* ----------------------------------------------------------- planning */

typedef struct {
  GRand *rng;
  GPtrArray *jobs;          /* Job, in capture order */
  const GPtrArray *sources; /* Source */
  int next_burst, next_group, next_shot;
  guint next_bad;
  int next_number[N_CAMERAS];
  const Session *session;
  int session_id;
  gint64 t_ms; /* the session's clock */
  int left;    /* files still to plan in this session */
} Planner;

typedef struct {
  CameraId cam_id;
  int shot, source, src_w, src_h;
  Rect crop;
  double scale;
  int out_w, out_h, orientation;
  Exposure exposure;
  gboolean has_gps;
} Scene;

static double
rnd(Planner *p, double lo, double hi)
{
  return g_rand_double_range(p->rng, lo, hi);
}

static int
rndi(Planner *p, int lo, int hi)
{
  return g_rand_int_range(p->rng, lo, hi + 1);
}

/* rndi capped at `most`. Not MIN(rndi(...), most): the macro would draw
 * twice, and the count could exceed the cap. */
static int
rndi_most(Planner *p, int lo, int hi, int most)
{
  int value = rndi(p, lo, hi);
  return MIN(value, most);
}

static gboolean
chance(Planner *p, double probability)
{
  return g_rand_double(p->rng) < probability;
}

#define PICK(p, array) ((array)[rndi((p), 0, (int)G_N_ELEMENTS(array) - 1)])

/* Steps of 10 ms, so Canon's two sub-second digits hold the exact time. */
static void
planner_wait(Planner *p, int lo_ms, int hi_ms)
{
  p->t_ms += (gint64)rndi(p, lo_ms / 10, hi_ms / 10) * 10;
}

static gint64
wall_ms_new(int year, int month, int day, int hour, int minute, int second)
{
  g_autoptr(GDateTime) dt = g_date_time_new_utc(year, month, day, hour, minute, second);
  return g_date_time_to_unix(dt) * 1000;
}

static CameraId
pick_camera(Planner *p, gboolean allow_phone)
{
  const int *weights = p->session->camera_weights;
  int total = 0;

  for (int i = 0; i < N_CAMERAS; i++)
    total += (i != CAM_PHONE || allow_phone) ? weights[i] : 0;
  int ticket = rndi(p, 1, total);
  for (int i = 0; i < N_CAMERAS; i++) {
    ticket -= (i != CAM_PHONE || allow_phone) ? weights[i] : 0;
    if (ticket <= 0)
      return (CameraId)i;
  }
  return CAM_CANON;
}

static Exposure
exposure_base(Planner *p, CameraId cam_id)
{
  static const int day_shutters[] = {125, 160, 200, 250, 320, 400, 500, 640, 800, 1000};
  static const int dusk_shutters[] = {30, 40, 50, 60};
  static const int day_isos[] = {100, 100, 200, 400};
  static const int dusk_isos[] = {1600, 2000, 3200};
  static const int stops[] = {400, 560, 710, 800};
  static const int biases[] = {0, 0, 0, -1, 1};
  const Camera *cam = &cameras[cam_id];
  gboolean dusk = p->session->dusk;
  Exposure e;

  e.shutter_den = dusk ? PICK(p, dusk_shutters) : PICK(p, day_shutters);
  e.iso = dusk ? PICK(p, dusk_isos) : PICK(p, day_isos);
  int stop = PICK(p, stops);
  /* A phone's aperture is fixed; the others open up at dusk. */
  e.f100 = (dusk || cam_id == CAM_PHONE) ? cam->widest_f100 : MAX(cam->widest_f100, stop);
  e.focal = rint(rnd(p, cam->focal_min, cam->focal_max));
  if (cam->focal_min == cam->focal_max)
    e.focal = cam->focal_min;
  e.bias_thirds = PICK(p, biases);
  e.flash = cam->flash_off;
  return e;
}

/* A crop of the source with the camera's aspect, leaving `pan` (a fraction
 * of the source width) free so a burst can pan across it. */
static void
scene_frame(Planner *p, Scene *s, double pan)
{
  const Camera *cam = &cameras[s->cam_id];
  gboolean portrait = s->orientation != 1;
  int out_w = portrait ? cam->height : cam->width;
  int out_h = portrait ? cam->width : cam->height;
  double aspect = (double)out_w / out_h;
  double fit_w = MIN(s->src_w, s->src_h * aspect);
  double max_zoom = MIN(0.95, s->src_w * (1.0 - pan) / fit_w);
  double zoom = rnd(p, 0.70, 0.86);

  /* Never enlarge: an upscaled frame looks soft and would blur the line
   * between sharp and defocused. Small sources get wider crops instead,
   * and the smallest give smaller photos. */
  zoom = MIN(MAX(zoom, out_w / fit_w), max_zoom);
  s->crop.w = fit_w * zoom;
  s->crop.h = fit_w / aspect * zoom;
  s->crop.x = rnd(p, 0, MAX(0.0, s->src_w - s->crop.w - pan * s->src_w));
  s->crop.y = rnd(p, 0, MAX(0.0, s->src_h - s->crop.h));
  double scale = MIN(1.0, s->crop.w / out_w);
  s->out_w = (int)rint(out_w * scale);
  s->out_h = (int)rint(out_h * scale);
  s->scale = s->out_w / s->crop.w;
}

static Scene
scene_new(Planner *p, double pan, gboolean allow_phone, gboolean allow_portrait)
{
  const Session *ses = p->session;
  const Source *src;
  Scene s = {0};

  s.shot = ++p->next_shot;
  s.cam_id = pick_camera(p, allow_phone);
  s.source = ses->sources[rndi(p, 0, ses->n_sources - 1)] % (int)p->sources->len;
  src = g_ptr_array_index(p->sources, s.source);
  s.src_w = src->image->Xsize;
  s.src_h = src->image->Ysize;
  s.orientation = 1;
  if (allow_portrait && chance(p, 0.12))
    s.orientation = (s.cam_id == CAM_PHONE || chance(p, 0.5)) ? 6 : 8;
  scene_frame(p, &s, pan);
  s.exposure = exposure_base(p, s.cam_id);
  s.has_gps = (ses->gps_cameras & (1u << s.cam_id)) != 0;
  return s;
}

static Rect
rect_jitter(Planner *p, const Scene *s, Rect r, double amount)
{
  double dx = rnd(p, -amount, amount) * s->src_w, dy = rnd(p, -amount, amount) * s->src_h;

  r.x = CLAMP(r.x + dx, 0, s->src_w - r.w);
  r.y = CLAMP(r.y + dy, 0, s->src_h - r.h);
  return r;
}

/* The next file name of a camera, without its extension. */
static char *
frame_stem(Planner *p, CameraId cam_id)
{
  const Camera *cam = &cameras[cam_id];
  const Session *ses = p->session;

  if (cam->prefix != NULL) {
    int number = cam->first_number + p->next_number[cam_id]++;
    return g_strdup_printf("%s/%s%04d", ses->folder, cam->prefix, number % 10000);
  }
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(p->t_ms / 1000);
  g_autofree char *stamp = g_date_time_format(dt, "%Y%m%d_%H%M%S");
  return g_strdup_printf("%s/PXL_%s%03d", ses->phone_folder ? ses->phone_folder : ses->folder,
                         stamp, (int)(p->t_ms % 1000));
}

/* Pixels and settings of what went wrong. Settings follow the cause: a
 * shaken frame had a slow shutter, an underexposed one a fast shutter. */
static void
kind_apply(Planner *p, Job *job)
{
  static const int slow[] = {4, 6, 8, 10, 15};
  static const int fast[] = {4000, 5000, 6400, 8000};
  static const int dim[] = {15, 20, 25, 30};
  static const int high_isos[] = {6400, 6400, 12800};
  Exposure *e = &job->exposure;
  const Camera *cam = job->camera;

  switch (job->kind) {
  case KIND_DEFOCUS:
    job->blur_sigma = rnd(p, 3.0, 6.0);
    e->f100 = cam->widest_f100; /* missed focus at shallow depth of field */
    break;
  case KIND_MOTION:
    job->motion_length = rndi(p, 15, 35);
    job->motion_angle = rnd(p, 0, 180);
    e->shutter_den = PICK(p, slow);
    e->iso = job->camera == &cameras[CAM_PHONE] ? 50 : 100;
    break;
  case KIND_UNDER:
    job->gain = rnd(p, 0.25, 0.4);
    e->shutter_den = PICK(p, fast);
    e->bias_thirds = (int)rint(3 * log2(job->gain));
    break;
  case KIND_OVER:
    job->gain = rnd(p, 2.0, 3.0);
    if (cam != &cameras[CAM_PHONE] && chance(p, 0.4)) {
      e->flash = 9; /* fired, compulsory: flash at close range burnt it */
      e->shutter_den = 200;
      e->bias_thirds = 0;
    } else {
      e->shutter_den = PICK(p, dim);
      e->bias_thirds = (int)rint(3 * log2(job->gain));
    }
    break;
  case KIND_NOISY:
    job->noise_sigma = rnd(p, 9.0, 15.0);
    job->noise_seed = rndi(p, 1, 1 << 30);
    e->iso = PICK(p, high_isos);
    e->shutter_den = 125;
    e->f100 = cam->widest_f100;
    break;
  default:
    break;
  }
}

static Job *
job_add(Planner *p, const Scene *s, const Rect *crop, Kind kind)
{
  Job *job = g_new0(Job, 1);
  const Session *ses = p->session;

  job->kind = kind;
  job->format = FORMAT_JPEG;
  job->session = p->session_id;
  job->shot = s->shot;
  job->source = s->source;
  job->crop = *crop;
  job->scale = s->scale;
  job->out_w = s->out_w;
  job->out_h = s->out_h;
  job->camera = &cameras[s->cam_id];
  job->quality = job->camera->quality;
  job->orientation = s->orientation;
  job->gain = 1.0;
  job->wall_ms = p->t_ms;
  job->exposure = s->exposure;
  job->has_gps = s->has_gps;
  job->lat = ses->lat + rnd(p, -0.002, 0.002);
  job->lon = ses->lon + rnd(p, -0.002, 0.002);
  job->alt = ses->alt + rnd(p, -3, 3);
  kind_apply(p, job);

  g_autofree char *stem = frame_stem(p, s->cam_id);
  job->path = g_strconcat(stem, job->camera->ext, NULL);
  g_ptr_array_add(p->jobs, job);
  p->left--;
  return job;
}

static Job *
job_copy(Planner *p, const Job *from, const char *path)
{
  Job *job = g_memdup2(from, sizeof *job);

  job->path = g_strdup(path);
  g_ptr_array_add(p->jobs, job);
  p->left--;
  return job;
}

/* In turn rather than at random, so every kind of fault is well
 * represented whatever the seed. */
static Kind
next_bad_kind(Planner *p)
{
  static const Kind bad[] = {KIND_UNDER, KIND_DEFOCUS, KIND_OVER, KIND_MOTION};
  return bad[p->next_bad++ % G_N_ELEMENTS(bad)];
}

static void
plan_single(Planner *p)
{
  Scene s = scene_new(p, 0.0, TRUE, TRUE);
  job_add(p, &s, &s.crop, KIND_SHARP);
}

static void
plan_bad_single(Planner *p)
{
  Scene s = scene_new(p, 0.0, TRUE, TRUE);
  job_add(p, &s, &s.crop, next_bad_kind(p));
}

/* A camera panning: each frame shifts the crop a few percent. One frame in
 * three bursts is blurred (subject moved, focus hunted), at the burst's
 * settings since the camera did not change them. */
static void
plan_burst(Planner *p)
{
  if (p->left < 3) {
    plan_single(p);
    return;
  }
  int n = rndi_most(p, 3, 8, p->left);
  double step = rnd(p, 0.02, 0.04);
  Scene s = scene_new(p, step * (n - 1), TRUE, TRUE);
  int dir = chance(p, 0.5) ? 1 : -1;
  int bad = chance(p, 0.35) ? rndi(p, 1, n - 1) : -1;
  Kind bad_kind = chance(p, 0.5) ? KIND_MOTION : KIND_DEFOCUS;
  int burst = ++p->next_burst, group = ++p->next_group;
  Rect crop = s.crop;

  if (dir < 0)
    crop.x += step * s.src_w * (n - 1);
  for (int i = 0; i < n; i++) {
    Job *job = job_add(p, &s, &crop, i == bad ? bad_kind : KIND_BURST);
    job->exposure = s.exposure;
    job->burst = burst;
    job->group = group;
    crop.x = CLAMP(crop.x + dir * step * s.src_w, 0, s.src_w - crop.w);
    double drift = rnd(p, -0.005, 0.005) * s.src_h;
    crop.y = CLAMP(crop.y + drift, 0, s.src_h - crop.h);
    planner_wait(p, 300, 1000);
  }
}

/* A copy of the scene taken seconds or minutes later: re-encoded at a lower
 * quality, slightly smaller, or re-framed tighter. */
static void
copy_add(Planner *p, const Scene *s, int group)
{
  Scene v = *s;
  Rect crop = s->crop;
  int quality = 0;

  switch (rndi(p, 0, 2)) {
  case 0:
    quality = rndi(p, 72, 82);
    break;
  case 1: {
    double scale = rnd(p, 0.80, 0.94);
    v.out_w = (int)rint(s->out_w * scale);
    v.out_h = (int)rint(s->out_h * scale);
    break;
  }
  default: {
    double shrink = rnd(p, 0.02, 0.05);
    crop.x += crop.w * shrink * rnd(p, 0, 1);
    crop.y += crop.h * shrink * rnd(p, 0, 1);
    crop.w *= 1.0 - shrink;
    crop.h *= 1.0 - shrink;
    break;
  }
  }
  Job *job = job_add(p, &v, &crop, KIND_NEAR_DUP);
  job->group = group;
  if (quality > 0)
    job->quality = quality;
}

/* The photo as exported for the web that evening: small, no metadata at
 * all, pixels upright since no Orientation tag will turn them. */
static void
web_export_add(Planner *p, const Job *original)
{
  g_autofree char *stem = g_strndup(original->path, strrchr(original->path, '.') - original->path);
  g_autofree char *path = g_strconcat(stem, "_web.jpg", NULL);
  Job *job = job_copy(p, original, path);
  double scale = 1024.0 / MAX(job->out_w, job->out_h);

  job->kind = KIND_NO_EXIF;
  job->session = 0;
  job->camera = NULL;
  job->orientation = 1;
  job->out_w = (int)rint(job->out_w * scale);
  job->out_h = (int)rint(job->out_h * scale);
  job->quality = 80;
  job->wall_ms += (gint64)(3 * 3600 + 17 * 60) * 1000;
}

static void
plan_copies_full(Planner *p, gboolean web_export)
{
  if (p->left < 2) {
    plan_single(p);
    return;
  }
  Scene s = scene_new(p, 0.0, TRUE, TRUE);
  int group = ++p->next_group;
  Job *original = job_add(p, &s, &s.crop, KIND_SHARP);
  int n = rndi_most(p, 1, 3, p->left - (web_export ? 1 : 0));

  original->group = group;
  for (int i = 0; i < n; i++) {
    planner_wait(p, 3000, 240000);
    copy_add(p, &s, group);
  }
  if (web_export && p->left > 0)
    web_export_add(p, original);
}

static void
plan_copies(Planner *p)
{
  plan_copies_full(p, FALSE);
}

/* The photographer checks the screen and shoots again: one or two bad
 * frames and a good one of the same scene, seconds apart. */
static void
plan_retake(Planner *p)
{
  if (p->left < 2) {
    plan_single(p);
    return;
  }
  Scene s = scene_new(p, 0.0, TRUE, TRUE);
  int n_bad = rndi_most(p, 1, 2, p->left - 1);
  int good_at = chance(p, 0.3) ? 0 : n_bad;
  int group = ++p->next_group;

  for (int i = 0; i <= n_bad; i++) {
    Rect crop = rect_jitter(p, &s, s.crop, 0.01);
    Job *job = job_add(p, &s, &crop, i == good_at ? KIND_SHARP : next_bad_kind(p));
    job->group = group;
    planner_wait(p, 2000, 15000);
  }
}

static void
plan_noisy(Planner *p)
{
  int n = p->session->dusk ? rndi_most(p, 1, 2, p->left) : 1;
  Scene s = scene_new(p, 0.0, TRUE, TRUE);
  int group = n > 1 ? ++p->next_group : 0;

  for (int i = 0; i < n; i++) {
    Rect crop = rect_jitter(p, &s, s.crop, 0.01);
    job_add(p, &s, &crop, KIND_NOISY)->group = group;
    planner_wait(p, 2000, 20000);
  }
}

/* RAW+JPEG: libraw rejects a TIFF named .DNG, then derush reads it through
 * libvips, like a RAW it cannot decode but must still pair. */
static void
plan_raw_pair(Planner *p)
{
  Scene s = scene_new(p, 0.0, FALSE, FALSE);
  Job *jpeg = job_add(p, &s, &s.crop, KIND_RAW_PAIR);
  g_autofree char *stem = g_strndup(jpeg->path, strrchr(jpeg->path, '.') - jpeg->path);
  g_autofree char *path = g_strconcat(stem, ".DNG", NULL);

  jpeg->group = ++p->next_group;
  job_copy(p, jpeg, path)->format = FORMAT_RAW_TIFF;
}

typedef struct {
  void (*plan)(Planner *p);
  int day_weight, dusk_weight;
} Event;

static const Event events[] = {
    {plan_single, 30, 14}, {plan_burst, 11, 7},     {plan_copies, 9, 5},
    {plan_retake, 11, 8},  {plan_bad_single, 8, 6}, {plan_noisy, 1, 14},
};

static const Event *
pick_event(Planner *p)
{
  int total = 0, ticket;

  for (guint i = 0; i < G_N_ELEMENTS(events); i++)
    total += p->session->dusk ? events[i].dusk_weight : events[i].day_weight;
  ticket = rndi(p, 1, total);
  for (guint i = 0; i < G_N_ELEMENTS(events); i++) {
    ticket -= p->session->dusk ? events[i].dusk_weight : events[i].day_weight;
    if (ticket <= 0)
      return &events[i];
  }
  return &events[0];
}

static void
plan_session(Planner *p, int id, int quota)
{
  const Session *ses = &sessions[id - 1];
  gboolean raw_pending = ses->raw_pair, web_pending = ses->web_export;

  p->session = ses;
  p->session_id = id;
  const int *t = ses->start;
  p->t_ms = wall_ms_new(t[0], t[1], t[2], t[3], t[4], rndi(p, 0, 59));
  p->left = quota;
  while (p->left > 0) {
    int done = quota - p->left;
    if (raw_pending && done >= quota / 2 && p->left >= 2) {
      plan_raw_pair(p);
      raw_pending = FALSE;
    } else if (web_pending && done >= quota / 3 && p->left >= 3) {
      plan_copies_full(p, TRUE);
      web_pending = FALSE;
    } else {
      pick_event(p)->plan(p);
    }
    planner_wait(p, 40 * 1000, 6 * 60 * 1000);
  }
}

/* A screenshot of a photo viewer, between two sessions: a PNG, no EXIF. */
static void
plan_screenshot(Planner *p)
{
  const Source *src = g_ptr_array_index(p->sources, 0);
  Job *job = g_new0(Job, 1);
  double scale = MIN(1200.0 / src->image->Xsize, 640.0 / src->image->Ysize);

  job->path = g_strdup("Screenshots/Screenshot from 2024-06-03 21-14-07.png");
  job->kind = KIND_NO_EXIF;
  job->format = FORMAT_SCREENSHOT_PNG;
  job->shot = ++p->next_shot;
  job->crop = (Rect){0, 0, src->image->Xsize, src->image->Ysize};
  job->scale = scale;
  job->out_w = (int)rint(src->image->Xsize * scale);
  job->out_h = (int)rint(src->image->Ysize * scale);
  job->gain = 1.0;
  job->orientation = 1;
  job->wall_ms = wall_ms_new(2024, 6, 3, 21, 14, 7);
  g_ptr_array_add(p->jobs, job);
}

static GPtrArray *
plan_shoot(const GPtrArray *sources, int count, guint32 seed)
{
  Planner p = {0};
  int n_sessions = G_N_ELEMENTS(sessions);
  int rest = count - 1;

  p.rng = g_rand_new_with_seed(seed);
  p.jobs = g_ptr_array_new_with_free_func((GDestroyNotify)job_free);
  p.sources = sources;
  plan_screenshot(&p);
  for (int i = 0; i < n_sessions; i++) {
    int quota = (int)rint((count - 1) * sessions[i].share);
    plan_session(&p, i + 1, i == n_sessions - 1 ? rest : MIN(quota, rest));
    rest -= MIN(quota, rest);
  }
  g_rand_free(p.rng);
  return p.jobs;
}

/* ------------------------------------------------------------ rendering */

typedef struct {
  char *tmp_dir;
  GPtrArray *sources; /* Source */
  GMutex lock;        /* guards error */
  GError *error;      /* the first failure; later ones are dropped */
  gint failed;
} Context;

/* exiv2 keeps process-wide state that is not thread-safe (XMP reads came
 * back empty under concurrency), so one lock for the process, not per
 * object. */
static GMutex exiv2_lock;

static void
context_fail(Context *ctx, GError *error)
{
  g_mutex_lock(&ctx->lock);
  if (ctx->error == NULL)
    ctx->error = error;
  else
    g_error_free(error);
  g_atomic_int_set(&ctx->failed, 1);
  g_mutex_unlock(&ctx->lock);
}

/* The frames of one scene (a burst, a retake, a RAW pair...) are cut from
 * one canvas: the part of the source they cover, resampled once to their
 * scale. Resampling is most of the pixel work, and a burst frame is then
 * a plain crop of the canvas. */
typedef struct {
  int source;
  double scale;
  Rect cover;      /* union of the frames' crops, source pixels */
  int x, y, w, h;  /* cover rounded out to whole pixels */
  GPtrArray *jobs; /* Job, borrowed from the plan */
} Shot;

static void
shot_free(Shot *shot)
{
  g_ptr_array_unref(shot->jobs);
  g_free(shot);
}

static void
rect_union(Rect *a, const Rect *b)
{
  double x1 = MAX(a->x + a->w, b->x + b->w), y1 = MAX(a->y + a->h, b->y + b->h);

  a->x = MIN(a->x, b->x);
  a->y = MIN(a->y, b->y);
  a->w = x1 - a->x;
  a->h = y1 - a->y;
}

/* Jobs of a shot are planned one after the other, so one pass groups them. */
static GPtrArray *
shots_new(GPtrArray *jobs, GPtrArray *sources)
{
  GPtrArray *shots = g_ptr_array_new_with_free_func((GDestroyNotify)shot_free);
  Shot *shot = NULL;
  int shot_id = 0;

  for (guint i = 0; i < jobs->len; i++) {
    Job *job = jobs->pdata[i];
    if (shot == NULL || job->shot != shot_id) {
      shot = g_new0(Shot, 1);
      shot->source = job->source;
      shot->scale = job->scale;
      shot->cover = job->crop;
      shot->jobs = g_ptr_array_new();
      shot_id = job->shot;
      g_ptr_array_add(shots, shot);
    }
    rect_union(&shot->cover, &job->crop);
    g_ptr_array_add(shot->jobs, job);
  }
  for (guint i = 0; i < shots->len; i++) {
    Shot *sh = shots->pdata[i];
    const Source *src = g_ptr_array_index(sources, sh->source);
    sh->x = CLAMP((int)floor(sh->cover.x), 0, src->image->Xsize - 1);
    sh->y = CLAMP((int)floor(sh->cover.y), 0, src->image->Ysize - 1);
    sh->w = MIN((int)ceil(sh->cover.x + sh->cover.w), src->image->Xsize) - sh->x;
    sh->h = MIN((int)ceil(sh->cover.y + sh->cover.h), src->image->Ysize) - sh->y;
  }
  return shots;
}

static VipsImage *
shot_canvas_new(const Shot *shot, const Source *src)
{
  g_autoptr(VipsImage) cover = NULL, scaled = NULL;

  if (vips_extract_area(src->image, &cover, shot->x, shot->y, shot->w, shot->h, NULL) ||
      vips_resize(cover, &scaled, shot->scale, NULL))
    return NULL;
  return vips_image_copy_memory(scaled);
}

/* libvips errors come as several lines, often repeated ("write error",
 * "out of disk space?"): make them one line, each once. */
static char *
message_one_line(const char *message)
{
  g_auto(GStrv) lines = g_strsplit(message, "\n", -1);
  g_autoptr(GString) out = g_string_new(NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    g_strstrip(lines[i]);
  for (guint i = 0; lines[i] != NULL; i++) {
    gboolean seen = *lines[i] == '\0';
    for (guint j = 0; j < i && !seen; j++)
      seen = strcmp(lines[j], lines[i]) == 0;
    if (!seen)
      g_string_append_printf(out, "%s%s", out->len ? "; " : "", lines[i]);
  }
  return g_string_free(g_steal_pointer(&out), FALSE);
}

/* The boundary where libvips' error buffer becomes a GError. */
static void
vips_error_take(GError **error)
{
  vips_error_g(error);
  if (error != NULL && *error != NULL) {
    char *line = message_one_line((*error)->message);
    g_free((*error)->message);
    (*error)->message = line;
  }
}

/* One step of a pixel pipeline, vips-style: 0, or -1 with the vips error set. */
typedef int (*StepFunc)(const Shot *shot, const Job *job, VipsImage *in, VipsImage **out);

static int
step_skip(VipsImage *in, VipsImage **out)
{
  *out = g_object_ref(in);
  return 0;
}

static int
crop_step(const Shot *shot, const Job *job, VipsImage *in, VipsImage **out)
{
  const Rect *r = &job->crop;
  int x = CLAMP((int)rint((r->x - shot->x) * shot->scale), 0, in->Xsize - 1);
  int y = CLAMP((int)rint((r->y - shot->y) * shot->scale), 0, in->Ysize - 1);
  int w = MIN((int)rint(r->w * shot->scale), in->Xsize - x);
  int h = MIN((int)rint(r->h * shot->scale), in->Ysize - y);

  return vips_extract_area(in, out, x, y, w, h, NULL);
}

/* Only copies resized or re-cropped after the shot get here. */
static int
resize_step(const Shot *shot, const Job *job, VipsImage *in, VipsImage **out)
{
  if (in->Xsize == job->out_w && in->Ysize == job->out_h)
    return step_skip(in, out);
  return vips_resize(in, out, (double)job->out_w / in->Xsize, "vscale",
                     (double)job->out_h / in->Ysize, NULL);
}

static int
defocus_step(const Shot *shot, const Job *job, VipsImage *in, VipsImage **out)
{
  if (job->blur_sigma <= 0)
    return step_skip(in, out);
  return vips_gaussblur(in, out, job->blur_sigma, NULL);
}

/* A line of ones at the shake's angle: convolving with it averages the
 * positions the camera went through while the shutter was open. */
static VipsImage *
motion_kernel_new(double length, double angle_deg)
{
  int size = (int)length | 1, c = size / 2, ones = 0;
  double a = angle_deg * G_PI / 180.0;
  g_autofree double *cells = g_new0(double, size *size);
  VipsImage *mask;

  for (int i = 0; i <= 4 * size; i++) {
    double t = -c + (double)i * (2 * c) / (4 * size);
    int x = c + (int)rint(t * cos(a)), y = c - (int)rint(t * sin(a));
    if (cells[y * size + x] == 0) {
      cells[y * size + x] = 1;
      ones++;
    }
  }
  mask = vips_image_new_matrix_from_array(size, size, cells, size * size);
  vips_image_set_double(mask, "scale", ones);
  vips_image_set_double(mask, "offset", 0);
  return mask;
}

static int
motion_step(const Shot *shot, const Job *job, VipsImage *in, VipsImage **out)
{
  if (job->motion_length <= 0)
    return step_skip(in, out);
  g_autoptr(VipsImage) mask = motion_kernel_new(job->motion_length, job->motion_angle);
  return vips_conv(in, out, mask, "precision", VIPS_PRECISION_INTEGER, NULL);
}

static double
srgb_to_linear(double v)
{
  return v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4);
}

static double
linear_to_srgb(double v)
{
  return v <= 0.0031308 ? v * 12.92 : 1.055 * pow(v, 1 / 2.4) - 0.055;
}

/* Exposure multiplies light, so the gain applies in linear light and what
 * goes over white clips. On 8-bit sRGB that is a 256-entry table, much
 * cheaper than converting every pixel to float scRGB and back. */
static int
exposure_step(const Shot *shot, const Job *job, VipsImage *in, VipsImage **out)
{
  guint8 table[256];
  g_autoptr(VipsImage) lut = NULL;

  if (job->gain == 1.0)
    return step_skip(in, out);
  for (int v = 0; v < 256; v++) {
    double linear = MIN(1.0, srgb_to_linear(v / 255.0) * job->gain);
    table[v] = (guint8)rint(255 * linear_to_srgb(linear));
  }
  lut = vips_image_new_from_memory_copy(table, sizeof table, 256, 1, 1, VIPS_FORMAT_UCHAR);
  if (lut == NULL)
    return -1;
  return vips_maplut(in, out, lut, NULL);
}

/* High-ISO look: luminance grain shared by the bands plus weaker colour
 * noise per band. Samples come from a table of normal deviates indexed by
 * a GRand seeded by the plan: every run gives the same grain, at one
 * random number per two samples instead of a log and a cosine each. */
#define NORMAL_TABLE_SIZE 65536

static const float *
normal_table(void)
{
  static float table[NORMAL_TABLE_SIZE];
  static gsize ready = 0;

  if (g_once_init_enter(&ready)) {
    g_autoptr(GRand) rng = g_rand_new_with_seed(7);
    for (int i = 0; i < NORMAL_TABLE_SIZE; i += 2) {
      double u = 1.0 - g_rand_double(rng), v = g_rand_double(rng), r = sqrt(-2.0 * log(u));
      table[i] = (float)(r * cos(2 * G_PI * v));
      table[i + 1] = (float)(r * sin(2 * G_PI * v));
    }
    g_once_init_leave(&ready, 1);
  }
  return table;
}

static VipsImage *
noise_image_new(int width, int height, double sigma, guint32 seed)
{
  const float *normal = normal_table();
  gsize n = (gsize)width * height * 3;
  g_autofree gint8 *noise = g_malloc(n);
  g_autoptr(GRand) rng = g_rand_new_with_seed(seed);
  float grain_sigma = (float)sigma, colour_sigma = (float)(0.6 * sigma);

  for (gsize i = 0; i < n; i += 3) {
    guint32 a = g_rand_int(rng), b = g_rand_int(rng);
    float grain = grain_sigma * normal[a & 0xffff];
    float colour[3] = {normal[a >> 16], normal[b & 0xffff], normal[b >> 16]};
    for (int k = 0; k < 3; k++)
      noise[i + k] = (gint8)CLAMP(lrintf(grain + colour_sigma * colour[k]), -127, 127);
  }
  return vips_image_new_from_memory_copy(noise, n, width, height, 3, VIPS_FORMAT_CHAR);
}

static int
noise_step(const Shot *shot, const Job *job, VipsImage *in, VipsImage **out)
{
  g_autoptr(VipsImage) noise = NULL, sum = NULL;

  if (job->noise_sigma <= 0)
    return step_skip(in, out);
  noise = noise_image_new(in->Xsize, in->Ysize, job->noise_sigma, (guint32)job->noise_seed);
  if (noise == NULL || vips_add(in, noise, &sum, NULL))
    return -1;
  return vips_cast(sum, out, VIPS_FORMAT_UCHAR, NULL);
}

/* A dark viewer window: a header bar above the photo on a grey canvas. */
static int
screenshot_frame(VipsImage *in, VipsImage **out)
{
  g_autoptr(VipsImage) body = NULL;
  double body_bg[] = {36, 36, 36}, bar_bg[] = {48, 48, 48};
  VipsArrayDouble *body_array = vips_array_double_new(body_bg, 3);
  VipsArrayDouble *bar_array = vips_array_double_new(bar_bg, 3);
  int result = -1;

  if (!vips_embed(in, &body, (1366 - in->Xsize) / 2, (722 - in->Ysize) / 2, 1366, 722, "extend",
                  VIPS_EXTEND_BACKGROUND, "background", body_array, NULL))
    result = vips_embed(body, out, 0, 46, 1366, 768, "extend", VIPS_EXTEND_BACKGROUND, "background",
                        bar_array, NULL);
  vips_area_unref(VIPS_AREA(body_array));
  vips_area_unref(VIPS_AREA(bar_array));
  return result;
}

/* Portrait frames are stored as the sensor saw them, turned by the
 * Orientation tag: 6 asks viewers for 90 degrees clockwise, so the pixels
 * are turned the other way; 8 the opposite. */
static int
finish_step(const Shot *shot, const Job *job, VipsImage *in, VipsImage **out)
{
  if (job->format == FORMAT_SCREENSHOT_PNG)
    return screenshot_frame(in, out);
  if (job->orientation == 6)
    return vips_rot(in, out, VIPS_ANGLE_D270, NULL);
  if (job->orientation == 8)
    return vips_rot(in, out, VIPS_ANGLE_D90, NULL);
  return step_skip(in, out);
}

static const StepFunc pixel_steps[] = {
    crop_step, resize_step, defocus_step, motion_step, exposure_step, noise_step, finish_step,
};

static VipsImage *
job_pixels(const Shot *shot, VipsImage *canvas, const Job *job, GError **error)
{
  VipsImage *image = g_object_ref(canvas);

  for (guint i = 0; i < G_N_ELEMENTS(pixel_steps); i++) {
    VipsImage *next = NULL;
    if (pixel_steps[i](shot, job, image, &next)) {
      g_object_unref(image);
      vips_error_take(error);
      return NULL;
    }
    g_object_unref(image);
    image = next;
  }
  return image;
}

static gboolean
image_save(VipsImage *image, const Job *job, const char *path, GError **error)
{
  int failed;

  /* strip: the sources' own EXIF (one has a Canon's) must not leak in. */
  switch (job->format) {
  case FORMAT_RAW_TIFF:
    failed = vips_tiffsave(image, path, "compression", VIPS_FOREIGN_TIFF_COMPRESSION_LZW, "strip",
                           TRUE, NULL);
    break;
  case FORMAT_SCREENSHOT_PNG:
    failed = vips_pngsave(image, path, "compression", 6, "strip", TRUE, NULL);
    break;
  default:
    failed = vips_jpegsave(image, path, "Q", job->quality, "strip", TRUE, NULL);
    break;
  }
  if (failed)
    vips_error_take(error);
  return !failed;
}

static void G_GNUC_PRINTF(3, 4) tag_add(GPtrArray *tags, const char *key, const char *format, ...)
{
  va_list args;

  va_start(args, format);
  g_ptr_array_add(tags, g_strdup(key));
  g_ptr_array_add(tags, g_strdup_vprintf(format, args));
  va_end(args);
}

static void
tags_add_time(GPtrArray *tags, const Job *job)
{
  const Camera *cam = job->camera;
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(job->wall_ms / 1000);
  g_autofree char *stamp = g_date_time_format(dt, "%Y:%m:%d %H:%M:%S");
  int ms = (int)(job->wall_ms % 1000);
  int subsec = cam->subsec_digits == 2 ? ms / 10 : ms;

  tag_add(tags, "Exif.Image.DateTime", "%s", stamp);
  tag_add(tags, "Exif.Photo.DateTimeOriginal", "%s", stamp);
  tag_add(tags, "Exif.Photo.DateTimeDigitized", "%s", stamp);
  tag_add(tags, "Exif.Photo.SubSecTimeOriginal", "%0*d", cam->subsec_digits, subsec);
  tag_add(tags, "Exif.Photo.SubSecTimeDigitized", "%0*d", cam->subsec_digits, subsec);
  if (cam->offset_time != NULL) {
    tag_add(tags, "Exif.Photo.OffsetTime", "%s", cam->offset_time);
    tag_add(tags, "Exif.Photo.OffsetTimeOriginal", "%s", cam->offset_time);
  }
}

/* Key/value pairs, made outside the exiv2 lock. Values are strings that
 * exiv2 parses into each tag's type ("1/250" into a rational). */
static GPtrArray *
exif_tags_new(const Job *job, int width, int height)
{
  GPtrArray *tags = g_ptr_array_new_with_free_func(g_free);
  const Camera *cam = job->camera;
  const Exposure *e = &job->exposure;
  int bias = e->bias_thirds;

  tag_add(tags, "Exif.Image.Make", "%s", cam->make);
  tag_add(tags, "Exif.Image.Model", "%s", cam->model);
  tag_add(tags, "Exif.Image.Orientation", "%d", job->orientation);
  tags_add_time(tags, job);
  tag_add(tags, "Exif.Photo.ExposureTime", "1/%d", e->shutter_den);
  tag_add(tags, "Exif.Photo.FNumber", "%d/100", e->f100);
  tag_add(tags, "Exif.Photo.ISOSpeedRatings", "%d", e->iso);
  tag_add(tags, "Exif.Photo.FocalLength", "%d/100", (int)rint(e->focal * 100));
  tag_add(tags, "Exif.Photo.FocalLengthIn35mmFilm", "%d", (int)rint(e->focal * cam->crop_factor));
  tag_add(tags, "Exif.Photo.ExposureBiasValue", "%d/%d", bias % 3 ? bias : bias / 3,
          bias % 3 ? 3 : 1);
  tag_add(tags, "Exif.Photo.Flash", "%d", e->flash);
  tag_add(tags, "Exif.Photo.LensModel", "%s", cam->lens);
  tag_add(tags, "Exif.Photo.ColorSpace", "1");
  tag_add(tags, "Exif.Photo.PixelXDimension", "%d", width);
  tag_add(tags, "Exif.Photo.PixelYDimension", "%d", height);
  return tags;
}

static gboolean
exif_save(const Job *job, GPtrArray *tags, const char *path, GError **error)
{
  g_autoptr(GExiv2Metadata) meta = gexiv2_metadata_new();

  if (!gexiv2_metadata_open_path(meta, path, error))
    return FALSE;
  for (guint i = 0; i + 1 < tags->len; i += 2) {
    if (!gexiv2_metadata_try_set_tag_string(meta, tags->pdata[i], tags->pdata[i + 1], error))
      return FALSE;
  }
  if (job->has_gps && !gexiv2_metadata_try_set_gps_info(meta, job->lon, job->lat, job->alt, error))
    return FALSE;
  return gexiv2_metadata_save_file(meta, path, error);
}

/* Pixels are made in parallel; only the exiv2 part is serialised. */
static gboolean
exif_write(const Job *job, const char *path, int width, int height, GError **error)
{
  g_autoptr(GPtrArray) tags = exif_tags_new(job, width, height);
  gboolean saved;

  g_mutex_lock(&exiv2_lock);
  saved = exif_save(job, tags, path, error);
  g_mutex_unlock(&exiv2_lock);
  return saved;
}

/* Copied photos keep their capture time as mtime; tools that fall back to
 * mtime for files without EXIF then see a plausible time too. */
static gboolean
mtime_set(const Job *job, const char *path, GError **error)
{
  gint64 ms = job->wall_ms - CLOCK_OFFSET_MS;
  struct timespec times[2] = {{ms / 1000, (ms % 1000) * 1000000},
                              {ms / 1000, (ms % 1000) * 1000000}};

  if (utimensat(AT_FDCWD, path, times, 0) == 0)
    return TRUE;
  int errsv = errno;
  g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errsv), "%s", g_strerror(errsv));
  return FALSE;
}

static gboolean
job_write(const Shot *shot, VipsImage *canvas, const Job *job, const char *path, GError **error)
{
  g_autoptr(VipsImage) image = job_pixels(shot, canvas, job, error);

  if (image == NULL || !image_save(image, job, path, error))
    return FALSE;
  if (job->camera != NULL && !exif_write(job, path, image->Xsize, image->Ysize, error))
    return FALSE;
  return mtime_set(job, path, error);
}

static gboolean
shot_write(Context *ctx, const Shot *shot, GError **error)
{
  const Job *first = shot->jobs->pdata[0];
  g_autoptr(VipsImage) canvas =
      shot_canvas_new(shot, g_ptr_array_index(ctx->sources, shot->source));

  if (canvas == NULL) {
    vips_error_take(error);
    g_prefix_error(error, "cannot render %s: ", first->path);
    return FALSE;
  }
  for (guint i = 0; i < shot->jobs->len; i++) {
    const Job *job = shot->jobs->pdata[i];
    g_autofree char *path = g_build_filename(ctx->tmp_dir, job->path, NULL);
    if (!job_write(shot, canvas, job, path, error)) {
      g_prefix_error(error, "cannot write %s: ", path);
      return FALSE;
    }
  }
  return TRUE;
}

static int
compare_shot_size_cb(gconstpointer a, gconstpointer b)
{
  const Shot *sa = *(Shot *const *)a, *sb = *(Shot *const *)b;
  return (int)sb->jobs->len - (int)sa->jobs->len;
}

static void
shot_worker(gpointer data, gpointer user_data)
{
  Context *ctx = user_data;
  GError *error = NULL;

  if (!g_atomic_int_get(&ctx->failed) && !shot_write(ctx, data, &error))
    context_fail(ctx, error);
  vips_error_clear();
}

/* Decoded once into memory: every frame crops the same pixels, and a JPEG
 * would otherwise be decoded again for each of its ~30 frames. */
static VipsImage *
source_decode(const char *path)
{
  g_autoptr(VipsImage) file = NULL, upright = NULL, flat = NULL, srgb = NULL;

  file = vips_image_new_from_file(path, NULL);
  if (file == NULL || vips_autorot(file, &upright, NULL))
    return NULL;
  if (vips_image_hasalpha(upright) ? vips_flatten(upright, &flat, NULL) : step_skip(upright, &flat))
    return NULL;
  if (vips_colourspace(flat, &srgb, VIPS_INTERPRETATION_sRGB, NULL))
    return NULL;
  return vips_image_copy_memory(srgb);
}

static void
source_load_worker(gpointer data, gpointer user_data)
{
  Source *source = data;
  Context *ctx = user_data;
  GError *error = NULL;

  source->image = source_decode(source->path);
  if (source->image == NULL) {
    vips_error_take(&error);
    g_prefix_error(&error, "cannot read source photo %s: ", source->path);
    context_fail(ctx, error);
  }
  vips_error_clear();
}

static gboolean
run_parallel(GFunc func, GPtrArray *items, Context *ctx, GError **error)
{
  GThreadPool *pool = g_thread_pool_new(func, ctx, (int)g_get_num_processors(), FALSE, error);

  if (pool == NULL)
    return FALSE;
  for (guint i = 0; i < items->len; i++)
    g_thread_pool_push(pool, items->pdata[i], NULL);
  g_thread_pool_free(pool, FALSE, TRUE);
  if (ctx->error != NULL) {
    g_propagate_error(error, g_steal_pointer(&ctx->error));
    return FALSE;
  }
  return TRUE;
}

/* --------------------------------------------------------------- files */

static gboolean
is_source_name(const char *name)
{
  static const char *const exts[] = {".jpg", ".jpeg", ".png", ".tif", ".tiff"};
  g_autofree char *lower = g_ascii_strdown(name, -1);

  for (guint i = 0; i < G_N_ELEMENTS(exts); i++) {
    if (g_str_has_suffix(lower, exts[i]))
      return TRUE;
  }
  return FALSE;
}

static int
compare_source_cb(gconstpointer a, gconstpointer b)
{
  const Source *sa = *(Source *const *)a, *sb = *(Source *const *)b;
  return strcmp(sa->path, sb->path);
}

/* Sorted by name: the plan refers to sources by index, so the order must
 * not depend on the file system's. */
static GPtrArray *
sources_list(const char *dir_path, GError **error)
{
  g_autoptr(GDir) dir = g_dir_open(dir_path, 0, error);
  GPtrArray *sources;
  const char *name;

  if (dir == NULL)
    return NULL;
  sources = g_ptr_array_new_with_free_func((GDestroyNotify)source_free);
  while ((name = g_dir_read_name(dir)) != NULL) {
    if (!is_source_name(name))
      continue;
    Source *source = g_new0(Source, 1);
    source->path = g_build_filename(dir_path, name, NULL);
    g_ptr_array_add(sources, source);
  }
  g_ptr_array_sort(sources, compare_source_cb);
  if (sources->len == 0) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "no JPEG, PNG or TIFF photos in %s",
                dir_path);
    g_ptr_array_unref(sources);
    return NULL;
  }
  return sources;
}

static int
remove_entry_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  return remove(path);
}

/* rm -rf without following symlinks; a missing path is fine. */
static gboolean
remove_tree(const char *path)
{
  return nftw(path, remove_entry_cb, 16, FTW_DEPTH | FTW_PHYS) == 0 || errno == ENOENT;
}

static gboolean
set_errno_error(GError **error, int errsv, const char *what, const char *path)
{
  g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errsv), "cannot %s %s: %s", what, path,
              g_strerror(errsv));
  return FALSE;
}

/* flock on DIR.lock. The holder unlinks it when done; a waiter that then
 * wakes up on the unlinked inode tries again on a fresh file. */
static int
lock_acquire(const char *lock_path, GError **error)
{
  for (;;) {
    struct stat held, named;
    int fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
      set_errno_error(error, errno, "create", lock_path);
      return -1;
    }
    while (flock(fd, LOCK_EX) < 0) {
      if (errno != EINTR) {
        set_errno_error(error, errno, "lock", lock_path);
        close(fd);
        return -1;
      }
    }
    if (fstat(fd, &held) == 0 && g_stat(lock_path, &named) == 0 && held.st_ino == named.st_ino &&
        held.st_dev == named.st_dev)
      return fd;
    close(fd);
  }
}

static void
lock_release(const char *lock_path, int fd)
{
  g_unlink(lock_path);
  close(fd);
}

/* Under the lock nobody else builds a set here, so leftover DIR.tmp-*
 * folders are from a killed run. */
static void
remove_stale_tmp(const char *out)
{
  g_autofree char *parent = g_path_get_dirname(out);
  g_autofree char *base = g_path_get_basename(out);
  g_autofree char *prefix = g_strconcat(base, ".tmp-", NULL);
  g_autoptr(GDir) dir = g_dir_open(parent, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
    if (g_str_has_prefix(name, prefix)) {
      g_autofree char *path = g_build_filename(parent, name, NULL);
      remove_tree(path);
    }
  }
}

/* A DIR without .complete is removed only if it is a demo set (it has a
 * truth.csv) or empty: a mistyped --out must not wipe someone's photos. */
static gboolean
remove_incomplete(const char *out, GError **error)
{
  g_autofree char *truth = g_build_filename(out, "truth.csv", NULL);
  g_autoptr(GDir) dir = NULL;

  if (!g_file_test(out, G_FILE_TEST_EXISTS))
    return TRUE;
  dir = g_dir_open(out, 0, NULL);
  if (!g_file_test(truth, G_FILE_TEST_EXISTS) && (dir == NULL || g_dir_read_name(dir) != NULL)) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_EXIST,
                "%s exists and is not a demo set (no truth.csv); not touching it", out);
    return FALSE;
  }
  if (!remove_tree(out))
    return set_errno_error(error, errno, "remove", out);
  return TRUE;
}

static gboolean
make_folders(const char *tmp_dir, GPtrArray *jobs, GError **error)
{
  for (guint i = 0; i < jobs->len; i++) {
    const Job *job = jobs->pdata[i];
    g_autofree char *path = g_build_filename(tmp_dir, job->path, NULL);
    g_autofree char *folder = g_path_get_dirname(path);
    if (g_mkdir_with_parents(folder, 0755) < 0)
      return set_errno_error(error, errno, "create", folder);
  }
  return TRUE;
}

static void
csv_id(GString *row, int id)
{
  if (id > 0)
    g_string_append_printf(row, "%d", id);
  g_string_append_c(row, ',');
}

static gboolean
truth_write(const char *tmp_dir, GPtrArray *jobs, GError **error)
{
  g_autoptr(GString) csv = g_string_new("path,session,burst,near_dup_group,kind\n");
  g_autofree char *path = g_build_filename(tmp_dir, "truth.csv", NULL);

  for (guint i = 0; i < jobs->len; i++) {
    const Job *job = jobs->pdata[i];
    /* Our names never hold a comma or a quote, so no CSV quoting. */
    g_string_append_printf(csv, "%s,", job->path);
    csv_id(csv, job->session);
    csv_id(csv, job->burst);
    csv_id(csv, job->group);
    g_string_append_printf(csv, "%s\n", kind_names[job->kind]);
  }
  if (!g_file_set_contents(path, csv->str, (gssize)csv->len, error)) {
    g_prefix_error(error, "cannot write %s: ", path);
    return FALSE;
  }
  return TRUE;
}

static char *
summary_new(GPtrArray *jobs, const char *out, double seconds)
{
  GString *line = g_string_new(NULL);
  int counts[N_KINDS] = {0}, bursts = 0, groups = 0;

  for (guint i = 0; i < jobs->len; i++) {
    const Job *job = jobs->pdata[i];
    counts[job->kind]++;
    bursts = MAX(bursts, job->burst);
    groups = MAX(groups, job->group);
  }
  g_string_append_printf(line, "%s: %u photos in %s (", PROG, jobs->len, out);
  for (int k = 0; k < N_KINDS; k++)
    g_string_append_printf(line, "%s%d %s", k ? ", " : "", counts[k], kind_names[k]);
  g_string_append_printf(line, "; %d sessions, %d bursts, %d near-dup groups) in %.1f s",
                         (int)G_N_ELEMENTS(sessions), bursts, groups, seconds);
  return g_string_free(line, FALSE);
}

/* --------------------------------------------------------------- main */

typedef struct {
  char *out, *source;
  int count, seed;
} Options;

/* Everything between taking the lock and renaming the finished set. */
static gboolean
build_set(const Options *opts, const char *tmp_dir, GPtrArray **jobs_out, GError **error)
{
  g_autoptr(GPtrArray) sources = sources_list(opts->source, error);
  g_autoptr(GPtrArray) jobs = NULL;
  Context ctx = {.tmp_dir = (char *)tmp_dir};
  gboolean ok;

  if (sources == NULL)
    return FALSE;
  ctx.sources = sources;
  g_mutex_init(&ctx.lock);
  ok = run_parallel(source_load_worker, sources, &ctx, error);
  if (ok) {
    jobs = plan_shoot(sources, opts->count, (guint32)opts->seed);
    g_autoptr(GPtrArray) shots = shots_new(jobs, sources);
    /* Longest shots first, so no 8-frame burst is left running alone at
     * the end; the order changes no byte of the output. */
    g_ptr_array_sort(shots, compare_shot_size_cb);
    ok = make_folders(tmp_dir, jobs, error) && run_parallel(shot_worker, shots, &ctx, error) &&
         truth_write(tmp_dir, jobs, error);
  }
  g_mutex_clear(&ctx.lock);
  if (ok)
    *jobs_out = g_steal_pointer(&jobs);
  return ok;
}

static gboolean
publish(const char *tmp_dir, const char *out, const Options *opts, GError **error)
{
  g_autofree char *complete = g_build_filename(out, ".complete", NULL);
  g_autofree char *stamp = g_strdup_printf("%s seed=%d count=%d\n", PROG, opts->seed, opts->count);

  if (g_rename(tmp_dir, out) < 0)
    return set_errno_error(error, errno, "rename the set to", out);
  if (!g_file_set_contents(complete, stamp, -1, error)) {
    g_prefix_error(error, "cannot write %s: ", complete);
    return FALSE;
  }
  return TRUE;
}

static gboolean
generate(const Options *opts, const char *out, char **summary, GError **error)
{
  g_autofree char *tmp_dir = g_strconcat(out, ".tmp-XXXXXX", NULL);
  g_autoptr(GPtrArray) jobs = NULL;
  gint64 start = g_get_monotonic_time();

  remove_stale_tmp(out);
  if (!remove_incomplete(out, error))
    return FALSE;
  /* mkdtemp makes it private (0700); the set is for other users too. */
  if (g_mkdtemp(tmp_dir) == NULL || g_chmod(tmp_dir, 0755) < 0)
    return set_errno_error(error, errno, "create", tmp_dir);
  if (!build_set(opts, tmp_dir, &jobs, error) || !publish(tmp_dir, out, opts, error)) {
    remove_tree(tmp_dir);
    return FALSE;
  }
  *summary = summary_new(jobs, out, (g_get_monotonic_time() - start) / 1e6);
  return TRUE;
}

static int
run(const Options *opts)
{
  g_autofree char *out = g_canonicalize_filename(opts->out, NULL);
  g_autofree char *complete = g_build_filename(out, ".complete", NULL);
  g_autofree char *lock_path = g_strconcat(out, ".lock", NULL);
  g_autofree char *parent = g_path_get_dirname(out);
  g_autofree char *summary = NULL;
  g_autoptr(GError) error = NULL;
  int fd;

  if (g_file_test(complete, G_FILE_TEST_EXISTS))
    return 0;
  if (g_mkdir_with_parents(parent, 0755) < 0) {
    g_printerr("%s: cannot create %s: %s\n", PROG, parent, g_strerror(errno));
    return EXIT_FAILED;
  }
  fd = lock_acquire(lock_path, &error);
  if (fd >= 0 && !g_file_test(complete, G_FILE_TEST_EXISTS))
    generate(opts, out, &summary, &error);
  if (fd >= 0)
    lock_release(lock_path, fd);
  if (error != NULL) {
    g_printerr("%s: %s\n", PROG, error->message);
    return EXIT_FAILED;
  }
  if (summary != NULL)
    g_print("%s\n", summary);
  return 0;
}

static gboolean
parse_options(int *argc, char ***argv, Options *opts)
{
  GOptionEntry entries[] = {
      {"out", 'o', 0, G_OPTION_ARG_FILENAME, &opts->out, "Folder to create", "DIR"},
      {"count", 'n', 0, G_OPTION_ARG_INT, &opts->count, "Photo files to make (default 320)", "N"},
      {"seed", 's', 0, G_OPTION_ARG_INT, &opts->seed, "Random seed (default 1)", "S"},
      {"source", 0, 0, G_OPTION_ARG_FILENAME, &opts->source,
       "Folder of photos to start from (default " DEFAULT_SOURCE ")", "DIR"},
      G_OPTION_ENTRY_NULL,
  };
  g_autoptr(GOptionContext) context = g_option_context_new("- make a demo photo shoot to cull");
  g_autoptr(GError) error = NULL;

  g_option_context_add_main_entries(context, entries, NULL);
  if (!g_option_context_parse(context, argc, argv, &error)) {
    g_printerr("%s: %s\n", PROG, error->message);
    return FALSE;
  }
  if (opts->out == NULL || opts->count < 1) {
    g_printerr("%s: usage: %s --out DIR [--count N>=1] [--seed S] [--source DIR]\n", PROG, PROG);
    return FALSE;
  }
  return TRUE;
}

/* The default source is a Debian package, not part of the repo: say how
 * to get it rather than failing on a missing folder. */
static gboolean
check_source(Options *opts)
{
  if (opts->source != NULL)
    return TRUE;
  if (!g_file_test(DEFAULT_SOURCE, G_FILE_TEST_IS_DIR)) {
    g_printerr("%s: no source photos: %s is missing.\n"
               "Install the Debian package mate-backgrounds (scripts/install-deps.sh does),\n"
               "or pass --source DIR with a folder of JPEG photos.\n",
               PROG, DEFAULT_SOURCE);
    return FALSE;
  }
  opts->source = g_strdup(DEFAULT_SOURCE);
  return TRUE;
}

/* libvips warns on stderr for every recoverable decode problem; the error
 * that matters reaches the user through the GError. */
static void
ignore_log_cb(const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
}

int
main(int argc, char **argv)
{
  Options opts = {.count = DEFAULT_COUNT, .seed = 1};
  int status = EXIT_FAILED;

  if (parse_options(&argc, &argv, &opts) && check_source(&opts)) {
    /* Before any thread: concurrent vips_init aborts. */
    if (VIPS_INIT(argv[0])) {
      g_printerr("%s: cannot start libvips: %s\n", PROG, vips_error_buffer());
      return EXIT_FAILED;
    }
    /* Parallelism comes from one file per worker; vips' own threads per
     * pipeline would only oversubscribe the cores. No operation repeats,
     * so the cache would only hold memory. */
    g_log_set_handler("VIPS", G_LOG_LEVEL_WARNING, ignore_log_cb, NULL);
    vips_concurrency_set(1);
    vips_cache_set_max(0);
    gexiv2_initialize();
    gexiv2_log_set_level(GEXIV2_LOG_LEVEL_MUTE);
    status = run(&opts);
    vips_shutdown();
  }
  g_free(opts.out);
  g_free(opts.source);
  return status;
}
