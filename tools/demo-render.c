/* tools/demo-render.c: rendering the planned shoot: crops, resizes, blur,
 * motion, exposure, noise and frames with libvips, EXIF with gexiv2, in
 * parallel over the shots.
 *
 * Over 600 lines: one short step per effect, applied in the order the plan
 * states; the steps share the shot canvas and the parallel runner here. */
#include "demo-gen.h"
#include "tsan-handoff.h"

/* ------------------------------------------------------------ rendering */

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
GPtrArray *
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
    /* g_once_init_leave() publishes it inside GLib, where TSan cannot see. */
    DERUSH_HANDOFF_RELEASE(table);
    g_once_init_leave(&ready, 1);
  }
  DERUSH_HANDOFF_ACQUIRE(table);
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

int
compare_shot_size_cb(gconstpointer a, gconstpointer b)
{
  const Shot *sa = *(Shot *const *)a, *sb = *(Shot *const *)b;
  return (int)sb->jobs->len - (int)sa->jobs->len;
}

void
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

void
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

/* The pool's hand-offs, told to ThreadSanitizer (make tsan builds this
 * tool for the tests' demo set): GLib's futex locks are invisible to it. */
typedef struct {
  GFunc func;
  Context *ctx;
} Parallel;

static void
parallel_item(gpointer item, gpointer user_data)
{
  Parallel *par = user_data;
  DERUSH_HANDOFF_ACQUIRE(item);
  par->func(item, par->ctx);
  DERUSH_HANDOFF_RELEASE(item);
  DERUSH_HANDOFF_RELEASE(par->ctx);
}

gboolean
run_parallel(GFunc func, GPtrArray *items, Context *ctx, GError **error)
{
  Parallel par = {func, ctx};
  GThreadPool *pool =
      g_thread_pool_new(parallel_item, &par, (int)g_get_num_processors(), FALSE, error);

  if (pool == NULL)
    return FALSE;
  for (guint i = 0; i < items->len; i++) {
    DERUSH_HANDOFF_RELEASE(items->pdata[i]);
    g_thread_pool_push(pool, items->pdata[i], NULL);
  }
  g_thread_pool_free(pool, FALSE, TRUE);
  for (guint i = 0; i < items->len; i++)
    DERUSH_HANDOFF_ACQUIRE(items->pdata[i]);
  DERUSH_HANDOFF_ACQUIRE(ctx);
  if (ctx->error != NULL) {
    g_propagate_error(error, g_steal_pointer(&ctx->error));
    return FALSE;
  }
  return TRUE;
}
