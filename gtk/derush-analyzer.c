/* derush-analyzer.c: features, hashes and groups of a folder, off the main thread.
 *
 * One analysis is one GTask in a worker thread with its own catalog
 * connection (as DerushFolderLoader: one thread per SQLite connection). It
 * runs derush_catalog_analyze() on the folder (features and hashes of the
 * photos that lack them, in parallel, then the groups), then reads
 * everything the grid draws into one table, so the main thread never runs
 * a query: the burst and near-duplicate groups with their best picks,
 * each photo's sharpness and exposure flag, its stored prediction and
 * what its faces say (closed eyes, soft faces: derush-face-marks.c).
 *
 * Progress reaches the main thread through one idle that delivers the
 * latest numbers only ("progress" (gint64 done, gint64 total)).
 *
 * The result maps photo id (gint64*) -> DerushPhotoAnalysis*; the window
 * publishes it whole (DerushAnalysisTable), and items look their record up.
 *
 * The work runs below the UI thread's priority, in a thread of its own
 * (derush-background-private.h): the feature workers inherit it.
 *
 * Grouping uses the user's gaps (derush_analyzer_set_group_options()); when
 * only they changed, derush_analyzer_regroup_async() recomputes the groups
 * (derush_catalog_update_groups()) without looking at a single photo.
 */
#include "derush-analyzer.h"
#include "derush-background-private.h"
#include "derush-face-marks.h"
#include <math.h>

struct _DerushAnalyzer {
  GObject parent_instance;
  char *catalog_path;
  DerushGroupOptions group; /* copied into each job */

  GMutex lock;
  gint64 done, total;        /* latest progress, under @lock */
  gboolean detector_missing; /* the last analysis had no detector model, under @lock */
  guint progress_idle;
};

G_DEFINE_FINAL_TYPE(DerushAnalyzer, derush_analyzer, G_TYPE_OBJECT)

enum { SIGNAL_PROGRESS, N_SIGNALS };
static guint signals[N_SIGNALS];

typedef struct {
  DerushAnalyzer *self; /* (unowned): the task holds a reference */
  char *dir;
  DerushGroupOptions group;
  gboolean regroup; /* only the groups, from what the catalog has */
} AnalyzeData;

/* The record first, so the result's values read as DerushPhotoAnalysis*. */
typedef struct {
  DerushPhotoAnalysis a;
  gint64 id;
} Entry;

static void
entry_free(Entry *e)
{
  g_free(e->a.best_name);
  g_free(e->a.face_marks);
  g_free(e);
}

static void
analyze_data_free(AnalyzeData *d)
{
  g_free(d->dir);
  g_free(d);
}

static gboolean
progress_idle_cb(gpointer data)
{
  DerushAnalyzer *self = data;
  g_mutex_lock(&self->lock);
  self->progress_idle = 0;
  gint64 done = self->done, total = self->total;
  g_mutex_unlock(&self->lock);
  g_signal_emit(self, signals[SIGNAL_PROGRESS], 0, done, total);
  return G_SOURCE_REMOVE;
}

/* Worker thread: keep the latest numbers, one idle at a time. */
static void
analyze_progress_cb(const DerushScanProgress *progress, gpointer user_data)
{
  AnalyzeData *d = user_data;
  DerushAnalyzer *self = d->self;
  g_mutex_lock(&self->lock);
  self->done = progress->done;
  self->total = progress->found;
  if (!self->progress_idle)
    self->progress_idle =
        g_idle_add_full(G_PRIORITY_DEFAULT, progress_idle_cb, g_object_ref(self), g_object_unref);
  g_mutex_unlock(&self->lock);
}

typedef struct {
  GHashTable *entries; /* id -> Entry* */
  DerushCatalog *catalog;
} Collect;

static Entry *
entry_for(GHashTable *entries, gint64 id)
{
  Entry *e = g_hash_table_lookup(entries, &id);
  if (!e) {
    e = g_new0(Entry, 1);
    e->id = id;
    e->a.sharpness = NAN;
    derush_soft_warning_init(&e->a.soft, NULL);
    e->a.p_keep = NAN;
    g_hash_table_insert(entries, &e->id, e);
  }
  return e;
}

static gboolean
collect_photo_cb(const DerushPhoto *photo, gpointer user_data)
{
  Collect *c = user_data;
  Entry *e = entry_for(c->entries, photo->id);
  e->a.group_time_ns =
      photo->meta.time_source != DERUSH_TIME_NONE ? photo->meta.capture_time_ns : photo->mtime_ns;
  float vector[DERUSH_N_FEATURES];
  /* Not analysed (unreadable, or cancelled before it): no indicators. */
  if (derush_catalog_get_features(c->catalog, photo->path, vector, NULL)) {
    e->a.sharpness = derush_features_sharpness(vector);
    e->a.exposure = derush_features_exposure_flag(vector);
    /* Soft on its own and noisy; the group's part comes with the groups. */
    derush_soft_warning_init(&e->a.soft, vector);
  }
  return TRUE;
}

static int
compare_entry_times(gconstpointer a, gconstpointer b)
{
  const Entry *x = *(Entry *const *)a, *y = *(Entry *const *)b;
  if (x->a.group_time_ns != y->a.group_time_ns)
    return x->a.group_time_ns < y->a.group_time_ns ? -1 : 1;
  return x->id < y->id ? -1 : x->id > y->id;
}

static gboolean
collect_group_cb(const DerushGroup *group, gpointer user_data)
{
  Collect *c = user_data;
  if (group->n_members < 2)
    return TRUE;
  /* Sessions are too coarse to badge, but the side panel's group strip
   * falls back on them for a photo in no smaller group. */
  if (group->kind == DERUSH_GROUP_SESSION) {
    for (guint i = 0; i < group->n_members; i++) {
      Entry *e = g_hash_table_lookup(c->entries, &group->member_ids[i]);
      if (e)
        e->a.session_id = group->id;
    }
    return TRUE;
  }
  for (guint i = 0; i < group->n_members && group->kind == DERUSH_GROUP_NEAR_DUP; i++) {
    Entry *e = g_hash_table_lookup(c->entries, &group->member_ids[i]);
    if (e) {
      e->a.near_dup_id = group->id;
      e->a.near_dup_best = group->member_ids[i] == group->best_id;
    }
  }
  /* A burst is the culling unit, so it wins over a near-duplicate group
   * the photo may also be in (groups arrive ordered by kind: bursts
   * first). */
  g_autofree char *best_base = group->best_path ? g_path_get_basename(group->best_path) : NULL;
  g_autofree char *best_name = best_base ? g_filename_display_name(best_base) : NULL;
  Entry *best = g_hash_table_lookup(c->entries, &group->best_id);
  double best_sharpness = best ? best->a.sharpness : NAN;
  gint64 first_time = G_MAXINT64;
  for (guint i = 0; i < group->n_members; i++) {
    Entry *e = g_hash_table_lookup(c->entries, &group->member_ids[i]);
    if (e && e->a.group_time_ns < first_time)
      first_time = e->a.group_time_ns;
  }
  /* The badge counts what the photographer sees: the members in this
   * folder (a near-duplicate in another folder or day is not one to cull
   * here), numbered in capture order. */
  g_autoptr(GPtrArray) here = g_ptr_array_new();
  for (guint i = 0; i < group->n_members; i++) {
    Entry *e = g_hash_table_lookup(c->entries, &group->member_ids[i]);
    if (e && !e->a.group_id)
      g_ptr_array_add(here, e);
  }
  if (here->len < 2)
    return TRUE;
  g_ptr_array_sort(here, compare_entry_times);
  /* What each member is to the best pick, and why the best won
   * (group/relations.c): the side panel and tooltips say it. */
  g_autoptr(DerushGroupDetails) details = derush_catalog_group_details(c->catalog, group, NULL);
  const char *best_reason = details ? g_intern_string(details->best_reason) : NULL;
  for (guint k = 0; k < here->len; k++) {
    Entry *e = here->pdata[k];
    e->a.group_id = group->id;
    e->a.group_kind = group->kind;
    e->a.group_size = here->len;
    e->a.group_index = k + 1;
    e->a.is_best = e->id == group->best_id;
    e->a.relation = e->a.is_best                        ? DERUSH_RELATION_BEST
                    : group->kind == DERUSH_GROUP_BURST ? DERUSH_RELATION_BURST
                                                        : DERUSH_RELATION_SCENE;
    for (guint m = 0; details && m < details->n_members; m++)
      if (details->members[m].id == e->id)
        e->a.relation = details->members[m].relation;
    e->a.best_reason = best_reason;
    e->a.best_by = group->best_by;
    e->a.best_name = g_strdup(best_name);
    derush_soft_warning_vs_best(&e->a.soft, e->a.is_best ? NAN : best_sharpness);
  }
  /* Every member of the group sorts by the group's start (set last: the
   * loop above read the members' own times). */
  for (guint i = 0; i < group->n_members; i++) {
    Entry *e = g_hash_table_lookup(c->entries, &group->member_ids[i]);
    if (e && e->a.group_id == group->id)
      e->a.group_time_ns = first_time;
  }
  return TRUE;
}

/* The stored batch prediction of each photo (derush-trainer.c refreshes
 * it after each retrain). */
static gboolean
collect_prediction_cb(const DerushPrediction *prediction, gpointer user_data)
{
  Collect *c = user_data;
  Entry *e = g_hash_table_lookup(c->entries, &prediction->photo_id);
  if (e) {
    e->a.p_keep = prediction->p_keep;
    e->a.zone = prediction->zone;
    e->a.uncertainty = prediction->uncertainty;
    e->a.model_version = prediction->model_version;
  }
  return TRUE;
}

/**
 * derush_analyzer_collect:
 * @catalog: a connection of the calling (worker) thread
 * @dir: the folder
 *
 * Reads what the grid draws of @dir's photos into one table: their
 * sharpness and exposure flags, the burst and near-duplicate groups with
 * their best picks, the stored predictions and the faces. Runs queries over every
 * photo: call it on a worker.
 *
 * Returns: (transfer full): photo id (gint64*) -> DerushPhotoAnalysis*,
 *   or NULL with @error set.
 */
GHashTable *
derush_analyzer_collect(DerushCatalog *catalog, const char *dir, GError **error)
{
  Collect c = {g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, (GDestroyNotify)entry_free),
               catalog};
  /* Photos first (their sharpness and times), then the groups over them. */
  if (!derush_catalog_foreach_photo(catalog, dir, collect_photo_cb, &c, error) ||
      !derush_catalog_foreach_group(catalog, dir, -1, collect_group_cb, &c, error) ||
      !derush_catalog_foreach_prediction(catalog, dir, collect_prediction_cb, &c, error) ||
      !_derush_face_marks_collect(catalog, dir, c.entries, error)) {
    g_hash_table_unref(c.entries);
    return NULL;
  }
  return c.entries;
}

static void
analyze_body(gpointer data, gpointer unused)
{
  GTask *task = data;
  DerushAnalyzer *self = g_task_get_source_object(task);
  AnalyzeData *d = g_task_get_task_data(task);
  GCancellable *cancellable = g_task_get_cancellable(task);
  GError *error = NULL;

  g_autoptr(DerushCatalog) catalog = derush_catalog_open(self->catalog_path, &error);
  if (!catalog) {
    g_task_return_error(task, error);
    return;
  }

  DerushAnalyzeOptions options;
  derush_analyze_options_init(&options);
  options.progress = analyze_progress_cb;
  options.user_data = d;
  options.cancellable = cancellable;
  options.group = &d->group;
  DerushAnalyzeSummary summary = {0};
  gboolean ok = d->regroup ? derush_catalog_update_groups(catalog, &d->group, NULL, &error)
                           : derush_catalog_analyze(catalog, d->dir, &options, &summary, &error);
  if (!ok) {
    if (!error)
      error = g_error_new_literal(DERUSH_ERROR, DERUSH_ERROR_FAILED, "analysis failed");
    g_task_return_error(task, error);
    return;
  }
  if (g_task_return_error_if_cancelled(task))
    return;
  g_mutex_lock(&self->lock);
  self->detector_missing = !d->regroup && summary.detector_missing;
  g_mutex_unlock(&self->lock);

  GHashTable *entries = derush_analyzer_collect(catalog, d->dir, &error);
  if (!entries) {
    g_task_return_error(task, error);
    return;
  }
  g_task_return_pointer(task, entries, (GDestroyNotify)g_hash_table_unref);
}

static void
analyze_worker(GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  _derush_run_in_background("derush-analyze", analyze_body, task, NULL);
}

static void
derush_analyzer_finalize(GObject *object)
{
  DerushAnalyzer *self = DERUSH_ANALYZER(object);
  g_mutex_clear(&self->lock);
  g_free(self->catalog_path);
  G_OBJECT_CLASS(derush_analyzer_parent_class)->finalize(object);
}

static void
derush_analyzer_class_init(DerushAnalyzerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS(klass);
  object_class->finalize = derush_analyzer_finalize;

  signals[SIGNAL_PROGRESS] =
      g_signal_new("progress", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                   G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_INT64);
}

static void
derush_analyzer_init(DerushAnalyzer *self)
{
  g_mutex_init(&self->lock);
  derush_group_options_init(&self->group);
}

/**
 * derush_analyzer_new:
 * @catalog_path: the catalog file.
 *
 * Returns: (transfer full): an analyzer.
 */
DerushAnalyzer *
derush_analyzer_new(const char *catalog_path)
{
  DerushAnalyzer *self = g_object_new(DERUSH_TYPE_ANALYZER, NULL);
  self->catalog_path = g_strdup(catalog_path);
  return self;
}

/**
 * derush_analyzer_set_group_options:
 * @options: the gaps and radii the next jobs group with.
 *
 * Only the plain values are kept (a score function is not).
 */
void
derush_analyzer_set_group_options(DerushAnalyzer *self, const DerushGroupOptions *options)
{
  g_return_if_fail(DERUSH_IS_ANALYZER(self));
  g_return_if_fail(options != NULL);
  self->group = *options;
  self->group.score = NULL;
  self->group.score_data = NULL;
}

static void
start_job(DerushAnalyzer *self, const char *dir, gboolean regroup, GCancellable *cancellable,
          GAsyncReadyCallback callback, gpointer user_data, gpointer source_tag)
{
  AnalyzeData *d = g_new0(AnalyzeData, 1);
  d->self = self;
  d->dir = g_strdup(dir);
  d->group = self->group;
  d->regroup = regroup;
  g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);
  g_task_set_source_tag(task, source_tag);
  g_task_set_task_data(task, d, (GDestroyNotify)analyze_data_free);
  g_task_run_in_thread(task, analyze_worker);
}

/**
 * derush_analyzer_analyze_async:
 * @dir: an absolute folder, already scanned.
 * @cancellable: (nullable): stops the analysis (what was stored stays).
 *
 * Emits "progress" while analysing, then calls @callback.
 */
void
derush_analyzer_analyze_async(DerushAnalyzer *self, const char *dir, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail(DERUSH_IS_ANALYZER(self));
  g_return_if_fail(dir != NULL);
  start_job(self, dir, FALSE, cancellable, callback, user_data, derush_analyzer_analyze_async);
}

/**
 * derush_analyzer_regroup_async:
 * @dir: an absolute folder, already analysed.
 * @cancellable: (nullable): drops the result (the grouping itself, one
 *   transaction, runs to its end).
 *
 * Recomputes the groups with the current options from the features and
 * hashes the catalog holds, then reads @dir's records as an analysis does:
 * finish with derush_analyzer_analyze_finish(). Runs on a worker, like an
 * analysis: grouping 100,000 photos takes seconds.
 */
void
derush_analyzer_regroup_async(DerushAnalyzer *self, const char *dir, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail(DERUSH_IS_ANALYZER(self));
  g_return_if_fail(dir != NULL);
  start_job(self, dir, TRUE, cancellable, callback, user_data, derush_analyzer_regroup_async);
}

/**
 * derush_analyzer_analyze_finish:
 *
 * Finishes an analysis or a regroup.
 *
 * Returns: (transfer full): photo id (gint64*) -> DerushPhotoAnalysis*
 *   for the folder's photos, or NULL with @error set (cancelled included).
 */
GHashTable *
derush_analyzer_analyze_finish(DerushAnalyzer *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail(g_task_is_valid(result, self), NULL);
  return g_task_propagate_pointer(G_TASK(result), error);
}

/**
 * derush_analyzer_get_detector_missing:
 *
 * Returns: whether the last analysis ran without the object detector,
 *   its model file being nowhere (docs/models.md).
 */
gboolean
derush_analyzer_get_detector_missing(DerushAnalyzer *self)
{
  g_mutex_lock(&self->lock);
  gboolean missing = self->detector_missing;
  g_mutex_unlock(&self->lock);
  return missing;
}
