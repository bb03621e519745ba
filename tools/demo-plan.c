/* tools/demo-plan.c: planning a shoot: sessions, scenes, bursts, retakes,
 * copies and bad files, all drawn from one GRand so a seed gives the same
 * shoot. Nothing here touches a pixel (demo-render.c does).
 *
 * Over 600 lines on purpose: the camera and session tables and the planners
 * draw from one GRand in one fixed order, which is what makes a seed give
 * the same files byte for byte; kept together, that order stays visible. */
#include "demo-gen.h"

const char *const kind_names[N_KINDS] = {
    "sharp", "burst", "near_dup", "defocus",  "motion",
    "under", "over",  "noisy",    "raw_pair", "no_exif",
};

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

const Session sessions[N_SESSIONS] = {
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

void
job_free(Job *job)
{
  g_free(job->path);
  g_free(job);
}

void
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

GPtrArray *
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
