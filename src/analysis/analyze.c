/* analyze.c: the analysis pipeline: computing and storing features and
 * hashes for catalog photos, then regrouping.
 *
 * As in scan.c, the calling thread owns the SQLite connection: it finds the
 * photos whose features or hashes are missing or stale, hands them to a
 * small pool of workers (a few jobs per worker in flight, so memory stays
 * flat) and applies their results in short batched transactions, so a
 * killed analyze keeps what it committed and the next one resumes.
 *
 * Each worker decodes one preview per photo: the 512 px JPEG the scanner
 * left in the thumbnail cache. Only when it is missing (scanned with
 * --no-thumbnails, cache cleared) is the original decoded, once, and the
 * preview stored for next time. Features, hashes, the object detector and
 * the face models (when their files are found) all work on that one
 * decode; only small faces ask faces.c for a larger decode of their
 * region. */
#include "analysis/analyze.h"
#include "catalog/catalog-private.h"
#include "quality/features.h"
#include "group/group-store.h"
#include "detect/detect-private.h"
#include "detect/face-detect.h"
#include "catalog/faces-store.h"
#include "util/tsan-handoff.h"

#define FLUSH_JOBS 200
#define FLUSH_US (250 * 1000)
#define JOBS_PER_THREAD 4
#define PROGRESS_US (100 * 1000)

typedef struct {
  DerushPhoto *photo;
  const char *cache_dir;
  gboolean want_features, want_detect, want_faces;
  gboolean ok;
  char *reason;
  float vector[DERUSH_N_FEATURES];
  DerushHashes hashes;
  DerushDetectResult detect;
  GArray *faces; /* DerushFace; NULL: not looked for, or the models failed */
} Job;

static void
job_free(Job *job)
{
  derush_photo_free(job->photo);
  g_free(job->reason);
  _derush_detect_result_clear(&job->detect);
  if (job->faces)
    g_array_unref(job->faces);
  g_free(job);
}

typedef struct {
  GAsyncQueue *done;
  GCancellable *cancellable;
  DerushDetector *detector;      /* NULL: no detection in this run */
  DerushFaceModels *face_models; /* NULL: no faces in this run */
} Shared;

/* The preview of @photo: the cached thumbnail, or (once) a new one. */
static VipsImage *
load_preview(const DerushPhoto *photo, const char *cache_dir, GError **error)
{
  gboolean from_cache = FALSE;
  VipsImage *preview = _derush_preview_image(cache_dir, photo->path, photo->content_hash,
                                             photo->meta.orientation, DERUSH_THUMB_CACHE_SIZE,
                                             DERUSH_PREVIEW_STRICT, &from_cache, NULL, error);
  /* Decoding the small JPEG is a decode too: a second analyze must show
   * none at all. */
  if (from_cache)
    derush_counter_add(DERUSH_COUNTER_IMAGES_DECODED, 1);
  return preview;
}

static void
worker(gpointer data, gpointer user_data)
{
  Job *job = data;
  Shared *shared = user_data;
  DERUSH_HANDOFF_ACQUIRE(job);
  if (!shared->cancellable || !g_cancellable_is_cancelled(shared->cancellable)) {
    g_autoptr(GError) error = NULL;
    g_autoptr(VipsImage) preview = load_preview(job->photo, job->cache_dir, &error);
    job->ok = preview != NULL;
    if (job->ok && job->want_features)
      job->ok =
          _derush_features_compute_image(preview, &job->photo->meta, job->photo->width,
                                         job->photo->height, job->vector, &job->hashes, &error);
    if (job->ok && job->want_features)
      _derush_file_features(job->photo->path, job->photo->size, job->vector);
    if (job->ok && job->want_detect)
      job->ok = _derush_detect_preview(shared->detector, preview, job->photo->width,
                                       job->photo->height, &job->detect, &error);
    if (job->ok && job->want_faces) {
      /* A face model failing leaves this photo's faces unknown (the next
       * analyze tries again), never its features. */
      g_autoptr(GError) face_error = NULL;
      g_autofree float *people = NULL;
      DerushFacePeople hint = {0};
      if (job->want_detect)
        hint.n = _derush_people_boxes(job->detect.dets, &people);
      hint.boxes = (const float(*)[4])(void *)people;
      job->faces = g_array_new(FALSE, FALSE, sizeof(DerushFace));
      if (!_derush_faces_find_in_photo(shared->face_models, job->photo->path,
                                       job->photo->meta.orientation, preview, job->photo->width,
                                       job->photo->height, &hint, job->faces, &face_error)) {
        g_debug("%s: faces: %s", job->photo->path, face_error->message);
        g_clear_pointer(&job->faces, g_array_unref);
      }
    }
    if (!job->ok)
      job->reason = g_strdup(error ? error->message : "cancelled");
  } else {
    job->reason = g_strdup("cancelled");
  }
  DERUSH_HANDOFF_RELEASE(job);
  /* Shared lives on the caller's stack: handed back after its last read
   * (GLib's futex locks are invisible to ThreadSanitizer). */
  GAsyncQueue *done = shared->done;
  DERUSH_HANDOFF_RELEASE(shared);
  g_async_queue_push(done, job);
}

static gboolean
store_job(DerushCatalog *cat, const Job *job, GError **error)
{
  if (job->want_detect &&
      !_derush_detect_store(cat, job->photo->id, job->photo->content_hash, &job->detect, error))
    return FALSE;
  if (job->faces && !_derush_catalog_store_faces(cat, job->photo->id, job->photo->content_hash,
                                                 (const DerushFace *)(void *)job->faces->data,
                                                 (int)job->faces->len, error))
    return FALSE;
  if (!job->want_features)
    return TRUE;
  guint8 vec[4 * DERUSH_N_FEATURES];
  _derush_floats_to_blob(job->vector, DERUSH_N_FEATURES, vec);
  guint8 var[DERUSH_HASHES_BLOB_SIZE];
  _derush_hashes_to_blob(&job->hashes, var);
  DerushAnalysisRecord rec = {
      .photo_id = job->photo->id,
      .content_hash = job->photo->content_hash,
      .features_version = DERUSH_FEATURES_VERSION,
      .features = vec,
      .features_len = sizeof vec,
      .hashes_version = DERUSH_PHASH_VERSION,
      .dhash = job->hashes.dhash[0],
      .phash = job->hashes.phash[0],
      .variants = var,
      .variants_len = sizeof var,
  };
  return _derush_catalog_store_analysis(cat, &rec, error);
}

typedef struct {
  DerushCatalog *cat;
  const DerushAnalyzeOptions *opts;
  DerushAnalyzeSummary *sum;
  Shared shared;
  GThreadPool *pool;
  GPtrArray *pending; /* finished Jobs, stored by flush() */
  int in_flight;
  gint64 total, handled;
  gint64 start_us, last_flush_us, last_progress_us;
  char *current;
  GError *fatal;
} Analyze;

static void
flush(Analyze *a)
{
  a->last_flush_us = g_get_monotonic_time();
  if (a->pending->len == 0 || a->fatal)
    return;
  GError *error = NULL;
  if (!_derush_catalog_begin(a->cat, &error))
    goto fail;
  for (guint i = 0; i < a->pending->len; i++)
    if (!store_job(a->cat, a->pending->pdata[i], &error))
      goto fail;
  if (!_derush_catalog_commit(a->cat, &error))
    goto fail;
  g_ptr_array_set_size(a->pending, 0);
  return;
fail:
  _derush_catalog_rollback(a->cat);
  g_ptr_array_set_size(a->pending, 0);
  a->fatal = error;
}

static void
progress(Analyze *a, gboolean force)
{
  gint64 now = g_get_monotonic_time();
  if (!a->opts->progress || (!force && now - a->last_progress_us < PROGRESS_US))
    return;
  a->last_progress_us = now;
  DerushScanProgress p = {
      .done = a->handled,
      .found = a->total,
      .walk_done = TRUE,
      .elapsed = (now - a->start_us) / 1e6,
      .current = a->current,
  };
  a->opts->progress(&p, a->opts->user_data);
}

static void
handle(Analyze *a, Job *job)
{
  a->in_flight--;
  a->handled++;
  g_free(a->current);
  a->current = g_strdup(job->photo->path);
  if (job->ok) {
    if (job->want_features)
      a->sum->analyzed++;
    if (job->want_detect) {
      a->sum->detected++;
      a->sum->objects += job->detect.dets->len;
    }
    if (job->faces) {
      a->sum->face_photos++;
      a->sum->faces += job->faces->len;
    }
    g_ptr_array_add(a->pending, job);
    return;
  }
  gboolean cancelled = a->opts->cancellable && g_cancellable_is_cancelled(a->opts->cancellable);
  if (!cancelled) {
    a->sum->failed++;
    if (a->opts->on_bad_file)
      a->opts->on_bad_file(job->photo->path, job->reason, a->opts->user_data);
  }
  job_free(job);
}

static void
collect(Analyze *a, int max_in_flight)
{
  while (a->in_flight > max_in_flight) {
    Job *job = g_async_queue_timeout_pop(a->shared.done, PROGRESS_US);
    if (job) {
      DERUSH_HANDOFF_ACQUIRE(job);
      handle(a, job);
    }
    while ((job = g_async_queue_try_pop(a->shared.done))) {
      DERUSH_HANDOFF_ACQUIRE(job);
      handle(a, job);
    }
    if (a->pending->len >= FLUSH_JOBS ||
        (a->pending->len > 0 && g_get_monotonic_time() - a->last_flush_us > FLUSH_US))
      flush(a);
    progress(a, FALSE);
  }
}

/* The readable photos under @root lacking current features or hashes
 * (unless @detect_only), or, when @detect, current detections, or, when
 * @faces, current faces. */
static gboolean
find_todo(DerushCatalog *cat, const char *root, gboolean detect, gboolean detect_only,
          gboolean faces, GArray *todo, gint64 *up_to_date, GError **error)
{
  return _derush_catalog_analysis_todo(cat, root, detect_only ? 0 : DERUSH_FEATURES_VERSION,
                                       DERUSH_PHASH_VERSION, detect ? DERUSH_DETECT_VERSION : 0,
                                       faces ? DERUSH_FACES_VERSION : 0, todo, up_to_date, error);
}

/* Both face model files are there (they are loaded only when a photo
 * needs them). */
static gboolean
face_models_found(const char *model_dir)
{
  g_autofree char *yunet = _derush_model_find(DERUSH_YUNET_FILE, model_dir);
  g_autofree char *eye = yunet ? _derush_model_find(DERUSH_EYE_FILE, model_dir) : NULL;
  return eye != NULL;
}

/**
 * derush_analyze_options_init:
 * @options: (out): the defaults: one thread per core, no callbacks, groups
 *   updated with the default options.
 */
void
derush_analyze_options_init(DerushAnalyzeOptions *options)
{
  memset(options, 0, sizeof *options);
}

gboolean
_derush_catalog_analyze_roots(DerushCatalog *catalog, const char *const *roots,
                              const DerushAnalyzeOptions *options, DerushAnalyzeSummary *summary,
                              GError **error)
{
  DerushAnalyzeOptions defaults;
  if (!options) {
    derush_analyze_options_init(&defaults);
    options = &defaults;
  }
  DerushAnalyzeSummary sum = {0};
  Analyze a = {.cat = catalog, .opts = options, .sum = &sum};
  a.start_us = g_get_monotonic_time();

  /* The detector runs when its model file is there; it is loaded only
   * when a photo needs it, so an analyze with nothing to do stays instant. */
  gboolean detect_only = options->detect == DERUSH_ANALYZE_DETECT_ONLY;
  gboolean detect = FALSE;
  if (options->detect != DERUSH_ANALYZE_DETECT_NEVER) {
    g_autofree char *model = _derush_model_find(DERUSH_DETECTOR_MODEL, options->model_dir);
    detect = model != NULL;
    sum.detector_missing = !detect;
    if (!detect && detect_only) {
      g_autofree char *hint = derush_model_missing_hint(DERUSH_DETECTOR_MODEL);
      g_set_error_literal(error, DERUSH_ERROR, DERUSH_ERROR_NOT_FOUND, hint);
      return FALSE;
    }
  }
  /* Faces likewise, in a full analysis (not in `derush detect`). */
  gboolean faces =
      options->detect == DERUSH_ANALYZE_DETECT_AUTO && face_models_found(options->model_dir);
  sum.face_models_missing = options->detect == DERUSH_ANALYZE_DETECT_AUTO && !faces;

  /* Roots may overlap (a folder and a file in it): each path once. */
  g_autoptr(GArray) todo = g_array_new(FALSE, FALSE, sizeof(DerushAnalysisTodo));
  g_array_set_clear_func(todo, _derush_analysis_todo_clear);
  if (!roots) {
    if (!find_todo(catalog, NULL, detect, detect_only, faces, todo, &sum.up_to_date, error))
      return FALSE;
  } else {
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
    g_autoptr(GArray) all = g_array_new(FALSE, FALSE, sizeof(DerushAnalysisTodo));
    g_array_set_clear_func(all, _derush_analysis_todo_clear);
    for (int i = 0; roots[i]; i++) {
      gint64 fresh = 0;
      if (!find_todo(catalog, roots[i], detect, detect_only, faces, all, &fresh, error))
        return FALSE;
      sum.up_to_date += fresh;
    }
    for (guint i = 0; i < all->len; i++) {
      DerushAnalysisTodo *t = &g_array_index(all, DerushAnalysisTodo, i);
      if (g_hash_table_add(seen, t->path)) {
        DerushAnalysisTodo copy = *t;
        copy.path = g_strdup(t->path);
        g_array_append_val(todo, copy);
      }
    }
  }
  a.total = todo->len;
  if (todo->len > 0 && !_derush_decoders_ensure(error))
    return FALSE;
  for (guint i = 0; i < todo->len && detect && !a.shared.detector; i++)
    if (g_array_index(todo, DerushAnalysisTodo, i).detect &&
        !(a.shared.detector = _derush_detector_get(options->model_dir, error)))
      return FALSE;
  for (guint i = 0; i < todo->len && faces && !a.shared.face_models; i++)
    if (g_array_index(todo, DerushAnalysisTodo, i).faces &&
        !(a.shared.face_models = _derush_face_models_get(options->model_dir, error)))
      return FALSE;

  int threads = options->threads > 0 ? options->threads : (int)g_get_num_processors();
  a.shared.done = g_async_queue_new();
  a.shared.cancellable = options->cancellable;
  a.pending = g_ptr_array_new_with_free_func((GDestroyNotify)job_free);
  a.pool = g_thread_pool_new(worker, &a.shared, threads, TRUE, NULL);
  const char *cache_dir = derush_catalog_get_cache_dir(catalog);
  for (guint i = 0; i < todo->len && !a.fatal; i++) {
    if (options->cancellable && g_cancellable_is_cancelled(options->cancellable))
      break;
    g_autoptr(GError) local = NULL;
    const DerushAnalysisTodo *t = &g_array_index(todo, DerushAnalysisTodo, i);
    DerushPhoto *photo = derush_catalog_get_photo(catalog, t->path, &local);
    if (!photo) {
      a.fatal = g_steal_pointer(&local);
      break;
    }
    Job *job = g_new0(Job, 1);
    job->photo = photo;
    job->cache_dir = cache_dir;
    job->want_features = t->features;
    job->want_detect = t->detect;
    job->want_faces = t->faces;
    a.in_flight++;
    DERUSH_HANDOFF_RELEASE(job);
    g_thread_pool_push(a.pool, job, NULL);
    collect(&a, threads * JOBS_PER_THREAD);
  }
  collect(&a, 0);
  flush(&a);
  progress(&a, TRUE);
  g_thread_pool_free(a.pool, FALSE, TRUE);
  DERUSH_HANDOFF_ACQUIRE(&a.shared);
  g_async_queue_unref(a.shared.done);
  g_ptr_array_unref(a.pending);
  g_free(a.current);

  if (a.fatal) {
    g_propagate_error(error, a.fatal);
    sum.seconds = (g_get_monotonic_time() - a.start_us) / 1e6;
    if (summary)
      *summary = sum;
    return FALSE;
  }
  gboolean ok = TRUE;
  if (options->cancellable && g_cancellable_is_cancelled(options->cancellable)) {
    g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_CANCELLED, "analysis cancelled");
    ok = FALSE;
  } else if (!options->no_groups) {
    ok = derush_catalog_update_groups(catalog, options->group, &sum.groups, error);
  }
  sum.seconds = (g_get_monotonic_time() - a.start_us) / 1e6;
  if (summary)
    *summary = sum;
  return ok;
}

/**
 * derush_catalog_analyze:
 * @catalog: the catalog
 * @under: (nullable): only photos at or below this folder (or this file)
 * @options: (nullable): threads, callbacks, group options
 * @summary: (out) (optional): what was done
 * @error: return location for a GError
 *
 * Computes the features and hashes of every readable photo lacking those
 * of the current versions (DERUSH_FEATURES_VERSION, DERUSH_PHASH_VERSION)
 * or whose file changed since they were computed, from one decode of its
 * cached preview each, in parallel; then recomputes the groups of the whole
 * catalog (unless options->no_groups). A photo whose preview cannot be made
 * is reported through on_bad_file and counted, never fatal. A second run
 * with nothing changed decodes nothing.
 *
 * Returns: FALSE with @error set when the catalog fails or on cancellation
 * (what was committed stays).
 */
gboolean
derush_catalog_analyze(DerushCatalog *catalog, const char *under,
                       const DerushAnalyzeOptions *options, DerushAnalyzeSummary *summary,
                       GError **error)
{
  g_return_val_if_fail(catalog != NULL, FALSE);
  const char *roots[] = {under, NULL};
  return _derush_catalog_analyze_roots(catalog, under ? roots : NULL, options, summary, error);
}

/**
 * derush_detect_options_init:
 * @options: (out): the defaults: one preview decoder per core, the model
 *   searched in the usual folders, no callbacks.
 */
void
derush_detect_options_init(DerushDetectOptions *options)
{
  memset(options, 0, sizeof *options);
}

/**
 * derush_catalog_detect:
 * @catalog: the catalog
 * @under: (nullable): only photos at or below this folder (or this file)
 * @options: (nullable): threads, model folder, callbacks
 * @summary: (out) (optional): what was done
 * @error: return location for a GError
 *
 * Runs the object detector over every readable photo whose detections are
 * missing or stale (another DERUSH_DETECT_VERSION, or the file changed):
 * its cached preview decoded once, letterboxed, one forward, decode and
 * NMS, then the boxes, detector features and backbone embedding stored in
 * short batched transactions, so an interrupted run keeps what it
 * committed and the next resumes. derush_catalog_analyze() does the same
 * along with the features when the model is found.
 *
 * Returns: FALSE with @error set when the model is not found
 * (DERUSH_ERROR_NOT_FOUND, the message says where to put it) or does not
 * load, when the catalog fails, or on cancellation.
 */
gboolean
derush_catalog_detect(DerushCatalog *catalog, const char *under, const DerushDetectOptions *options,
                      DerushDetectSummary *summary, GError **error)
{
  g_return_val_if_fail(catalog != NULL, FALSE);
  DerushDetectOptions defaults;
  if (!options) {
    derush_detect_options_init(&defaults);
    options = &defaults;
  }
  DerushAnalyzeOptions aopt;
  derush_analyze_options_init(&aopt);
  aopt.threads = options->threads;
  aopt.progress = options->progress;
  aopt.on_bad_file = options->on_bad_file;
  aopt.user_data = options->user_data;
  aopt.cancellable = options->cancellable;
  aopt.no_groups = TRUE;
  aopt.detect = DERUSH_ANALYZE_DETECT_ONLY;
  aopt.model_dir = options->model_dir;
  DerushAnalyzeSummary sum = {0};
  const char *roots[] = {under, NULL};
  gboolean ok = _derush_catalog_analyze_roots(catalog, under ? roots : NULL, &aopt, &sum, error);
  if (summary) {
    summary->detected = sum.detected;
    summary->up_to_date = sum.up_to_date;
    summary->failed = sum.failed;
    summary->objects = sum.objects;
    summary->seconds = sum.seconds;
  }
  return ok;
}
