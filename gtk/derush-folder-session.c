/* derush-folder-session.c: the background work on the open folder.
 *
 * Loading a folder runs a DerushFolderLoader (scan, then list, on a worker
 * with its own catalog connection) whose chunks land in the
 * DerushPhotoModel; a known folder is shown before its scan and the scan's
 * changes come afterwards. When the load is done a GFileMonitor watches
 * the folder (an unplugged disk, a removed folder) and a DerushAnalyzer
 * computes features, hashes and groups on its own worker. Changing the
 * grouping gaps regroups, once the value has settled.
 *
 * The session fills the model and reports in signals; the window decides
 * what the user sees (derush-window-session.c). Room is left for the
 * coming jobs on the folder (a trainer, a detector): each is one more
 * worker object started here and one more signal.
 *
 * Signals:
 *   progress (text, fraction): a job's line for the header bar, with the
 *     time left once the rate tells it; @fraction < 0 asks for a pulse.
 *   jobs-changed: loading or analysing started or stopped.
 *   photos-changed: the loader added, replaced or removed photos.
 *   loaded (ok, error, scan_error, summary): the load is done; @error
 *     when the catalog could not be read, @scan_error when the scan was
 *     cut short (the folder may be missing), @summary a DerushScanSummary*.
 *   folder-missing: the watched folder went away.
 *   analyzed (table): the analysis is done (photo id -> analysis).
 *   analysis-failed (error): it failed (not when cancelled).
 */
#include "derush-folder-session.h"
#include "derush-analyzer.h"
#include "derush-folder-loader.h"

struct _DerushFolderSession {
  GObject parent_instance;

  char *catalog_path;
  DerushPhotoModel *model;
  char *folder;

  DerushFolderLoader *loader;
  GCancellable *load_cancellable;
  gboolean loading;
  gboolean folder_missing;
  GFileMonitor *monitor;

  DerushAnalyzer *analyzer;
  GCancellable *analyze_cancellable;
  gboolean analyzing;
  gboolean analyzed;         /* the last analysis of this folder finished */
  gboolean detector_missing; /* and ran without the object detector's model */

  double session_gap_s; /* DerushGroupOptions */
  double burst_gap_s;
  guint regroup_source; /* a regroup waits for the gaps to settle */

  gint64 job_started_us; /* when the job on show began, for its ETA */
};

enum {
  SIGNAL_PROGRESS,
  SIGNAL_JOBS_CHANGED,
  SIGNAL_PHOTOS_CHANGED,
  SIGNAL_LOADED,
  SIGNAL_FOLDER_MISSING,
  SIGNAL_ANALYZED,
  SIGNAL_ANALYSIS_FAILED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE(DerushFolderSession, derush_folder_session, G_TYPE_OBJECT)

/* A new job on show: its line, and the clock of its ETA. */
static void
start_job(DerushFolderSession *self, const char *text)
{
  self->job_started_us = g_get_monotonic_time();
  g_signal_emit(self, signals[SIGNAL_PROGRESS], 0, text, 0.0);
  g_signal_emit(self, signals[SIGNAL_JOBS_CHANGED], 0);
}

/* @total 0 while the total is not known yet: a pulse, no ETA. */
static void
report_progress(DerushFolderSession *self, const char *text, gint64 done, gint64 total)
{
  double elapsed = (g_get_monotonic_time() - self->job_started_us) / 1e6;
  /* A second of history at least, so the first items do not promise. */
  g_autofree char *eta = elapsed >= 1 ? derush_format_eta(elapsed, done, total) : NULL;
  g_autofree char *full = eta ? g_strdup_printf("%s · %s left", text, eta) : g_strdup(text);
  double fraction = total > 0 ? (double)done / (double)total : -1;
  g_signal_emit(self, signals[SIGNAL_PROGRESS], 0, full, fraction);
}

/* ------------------------------------------------------------ loading */

static void
loader_progress_cb(DerushFolderLoader *loader, gint64 done, gint64 found, gboolean walk_done,
                   DerushFolderSession *self)
{
  g_autofree char *text =
      walk_done
          ? g_strdup_printf("Scanning %'" G_GINT64_FORMAT " of %'" G_GINT64_FORMAT, done, found)
          : g_strdup_printf("Scanning %'" G_GINT64_FORMAT " · %'" G_GINT64_FORMAT " found", done,
                            found);
  report_progress(self, text, done, walk_done ? found : 0);
}

static void
loader_photos_cb(DerushFolderLoader *loader, GPtrArray *items, DerushFolderSession *self)
{
  derush_photo_model_append(self->model, items);
  g_signal_emit(self, signals[SIGNAL_PHOTOS_CHANGED], 0);
}

static void
loader_changes_cb(DerushFolderLoader *loader, GPtrArray *replaced, GArray *removed,
                  GArray *relabeled, DerushFolderSession *self)
{
  derush_photo_model_apply_changes(self->model, replaced, removed, relabeled);
  g_signal_emit(self, signals[SIGNAL_PHOTOS_CHANGED], 0);
}

static void
folder_changed_cb(GFileMonitor *monitor, GFile *file, GFile *other, GFileMonitorEvent event,
                  DerushFolderSession *self)
{
  /* An unplugged disk or a removed folder: one stat() per event, only
   * when something under the folder changed. */
  if (self->folder_missing || !self->folder || g_file_test(self->folder, G_FILE_TEST_IS_DIR))
    return;
  self->folder_missing = TRUE;
  g_signal_emit(self, signals[SIGNAL_FOLDER_MISSING], 0);
}

static void start_analysis(DerushFolderSession *self, gboolean regroup);

static void
load_done_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(DerushFolderSession) self = user_data;
  DerushFolderLoader *loader = DERUSH_FOLDER_LOADER(source);
  DerushScanSummary summary = {0};
  g_autoptr(GError) scan_error = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok = derush_folder_loader_load_finish(loader, result, &summary, &scan_error, &error);
  if (loader != self->loader)
    return; /* superseded by another folder, or stopped */

  self->loading = FALSE;
  if (ok && scan_error)
    self->folder_missing = !g_file_test(self->folder, G_FILE_TEST_IS_DIR);
  g_signal_emit(self, signals[SIGNAL_JOBS_CHANGED], 0);
  g_signal_emit(self, signals[SIGNAL_LOADED], 0, ok, error, scan_error, &summary);

  /* Not after a cancelled scan: the user asked the background work to
   * stop. */
  if (ok && derush_photo_model_get_n_photos(self->model) > 0 && !self->folder_missing &&
      !g_cancellable_is_cancelled(self->load_cancellable))
    start_analysis(self, FALSE);

  if (!self->folder_missing && !self->monitor) {
    g_autoptr(GFile) dir = g_file_new_for_path(self->folder);
    self->monitor = g_file_monitor_directory(dir, G_FILE_MONITOR_WATCH_MOVES, NULL, NULL);
    if (self->monitor)
      g_signal_connect_object(self->monitor, "changed", G_CALLBACK(folder_changed_cb), self, 0);
  }
}

static void
cancel_analysis(DerushFolderSession *self)
{
  if (self->analyze_cancellable)
    g_cancellable_cancel(self->analyze_cancellable);
  g_clear_object(&self->analyze_cancellable);
  if (self->analyzer)
    g_signal_handlers_disconnect_by_data(self->analyzer, self);
  g_clear_object(&self->analyzer);
  self->analyzing = FALSE;
}

static void
cancel_load(DerushFolderSession *self)
{
  if (self->load_cancellable)
    g_cancellable_cancel(self->load_cancellable);
  g_clear_object(&self->load_cancellable);
  if (self->loader)
    g_signal_handlers_disconnect_by_data(self->loader, self);
  g_clear_object(&self->loader);
  g_clear_object(&self->monitor);
}

/**
 * derush_folder_session_load:
 * @folder: an absolute folder, without a trailing slash.
 * @scan: scan it first; FALSE lists it from the catalog only (after an
 *   apply or its undo the catalog already says where each photo is).
 *
 * Empties the model, then fills it again on a worker.
 */
void
derush_folder_session_load(DerushFolderSession *self, const char *folder, gboolean scan)
{
  cancel_analysis(self);
  self->analyzed = FALSE;
  cancel_load(self);
  if (folder != self->folder) {
    g_free(self->folder);
    self->folder = g_strdup(folder);
  }
  derush_photo_model_clear(self->model);
  derush_photo_model_set_folder(self->model, self->folder);
  self->folder_missing = FALSE;
  self->loading = TRUE;
  start_job(self, scan ? "Scanning…" : "Loading…");

  self->loader = derush_folder_loader_new(self->catalog_path, NULL);
  self->load_cancellable = g_cancellable_new();
  g_signal_connect(self->loader, "progress", G_CALLBACK(loader_progress_cb), self);
  g_signal_connect(self->loader, "photos", G_CALLBACK(loader_photos_cb), self);
  g_signal_connect(self->loader, "changes", G_CALLBACK(loader_changes_cb), self);
  derush_folder_loader_load_async(self->loader, self->folder, scan, self->load_cancellable,
                                  load_done_cb, g_object_ref(self));
}

/* ------------------------------------------------------------ analysis */

static void
analyzer_progress_cb(DerushAnalyzer *analyzer, gint64 done, gint64 total, DerushFolderSession *self)
{
  g_autofree char *text =
      g_strdup_printf("Analyzing %'" G_GINT64_FORMAT "/%'" G_GINT64_FORMAT, done, total);
  report_progress(self, text, done, total);
}

static void
analyze_done_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(DerushFolderSession) self = user_data;
  DerushAnalyzer *analyzer = DERUSH_ANALYZER(source);
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) table = derush_analyzer_analyze_finish(analyzer, result, &error);
  if (analyzer != self->analyzer)
    return; /* superseded by another folder, or stopped */

  self->analyzing = FALSE;
  if (table) {
    self->analyzed = TRUE;
    self->detector_missing = derush_analyzer_get_detector_missing(analyzer);
  }
  g_signal_emit(self, signals[SIGNAL_JOBS_CHANGED], 0);
  if (table)
    g_signal_emit(self, signals[SIGNAL_ANALYZED], 0, table);
  else if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_signal_emit(self, signals[SIGNAL_ANALYSIS_FAILED], 0, error);
}

/* After every scan: features and hashes of new photos, then the groups;
 * @regroup: the groups only, with new gaps. */
static void
start_analysis(DerushFolderSession *self, gboolean regroup)
{
  cancel_analysis(self);
  self->analyzing = TRUE;
  self->analyzed = FALSE;
  self->analyzer = derush_analyzer_new(self->catalog_path);
  self->analyze_cancellable = g_cancellable_new();
  g_signal_connect(self->analyzer, "progress", G_CALLBACK(analyzer_progress_cb), self);
  DerushGroupOptions options;
  derush_group_options_init(&options);
  options.session_gap_s = self->session_gap_s;
  options.burst_gap_s = self->burst_gap_s;
  derush_analyzer_set_group_options(self->analyzer, &options);
  start_job(self, regroup ? "Grouping…" : "Analyzing…");
  if (regroup)
    derush_analyzer_regroup_async(self->analyzer, self->folder, self->analyze_cancellable,
                                  analyze_done_cb, g_object_ref(self));
  else
    derush_analyzer_analyze_async(self->analyzer, self->folder, self->analyze_cancellable,
                                  analyze_done_cb, g_object_ref(self));
}

/* An analysis under way starts over with the new gaps; a scan under way
 * analyses with them when it is done. */
static gboolean
regroup_cb(gpointer data)
{
  DerushFolderSession *self = data;
  self->regroup_source = 0;
  if (self->folder && !self->loading && !self->folder_missing &&
      derush_photo_model_get_n_photos(self->model) > 0)
    start_analysis(self, !self->analyzing);
  return G_SOURCE_REMOVE;
}

/**
 * derush_folder_session_take_model_note:
 *
 * After an analysis that ran without the object detector: one line telling
 * how to add its model, the first time only in this process (the app says
 * it once, as the CLI does).
 *
 * Returns: (transfer full) (nullable): the line, or NULL.
 */
char *
derush_folder_session_take_model_note(DerushFolderSession *self)
{
  static gboolean said;
  if (!self->detector_missing || said)
    return NULL;
  said = TRUE;
  g_autofree char *dir = g_build_filename(g_get_user_data_dir(), "derush", "models", NULL);
  return g_strdup_printf("Object detection is off: add %s to %s (docs/models.md)",
                         DERUSH_DETECTOR_MODEL, dir);
}

/** derush_folder_session_set_group_gaps: the grouping gaps of the next analysis. */
void
derush_folder_session_set_group_gaps(DerushFolderSession *self, double session_gap_s,
                                     double burst_gap_s)
{
  self->session_gap_s = session_gap_s;
  self->burst_gap_s = burst_gap_s;
}

/**
 * derush_folder_session_queue_regroup:
 * Groups the folder again with the gaps set, on the analyzer's worker. A
 * spin button sends every step: wait for the value to settle, so one
 * regroup runs, not one per click.
 */
void
derush_folder_session_queue_regroup(DerushFolderSession *self)
{
  g_clear_handle_id(&self->regroup_source, g_source_remove);
  self->regroup_source = g_timeout_add(600, regroup_cb, self);
}

/** derush_folder_session_cancel: stops the scan and the analysis (the stop button). */
void
derush_folder_session_cancel(DerushFolderSession *self)
{
  if (self->load_cancellable)
    g_cancellable_cancel(self->load_cancellable);
  if (self->analyze_cancellable)
    g_cancellable_cancel(self->analyze_cancellable);
}

/** derush_folder_session_stop: drops every job; no signal comes afterwards (the window closes). */
void
derush_folder_session_stop(DerushFolderSession *self)
{
  cancel_load(self);
  cancel_analysis(self);
  g_clear_handle_id(&self->regroup_source, g_source_remove);
}

/* ------------------------------------------------------------ state */

/** derush_folder_session_get_folder: Returns: (transfer none) (nullable): the open folder. */
const char *
derush_folder_session_get_folder(DerushFolderSession *self)
{
  return self->folder;
}

gboolean
derush_folder_session_is_loading(DerushFolderSession *self)
{
  return self->loading;
}

gboolean
derush_folder_session_is_analyzing(DerushFolderSession *self)
{
  return self->analyzing;
}

/** derush_folder_session_is_analyzed: the analysis finished and no regroup is due. */
gboolean
derush_folder_session_is_analyzed(DerushFolderSession *self)
{
  return self->analyzed && !self->analyzing && !self->regroup_source;
}

gboolean
derush_folder_session_is_folder_missing(DerushFolderSession *self)
{
  return self->folder_missing;
}

/* ------------------------------------------------------------ GObject */

static void
derush_folder_session_dispose(GObject *object)
{
  DerushFolderSession *self = DERUSH_FOLDER_SESSION(object);
  derush_folder_session_stop(self);
  g_clear_object(&self->model);
  G_OBJECT_CLASS(derush_folder_session_parent_class)->dispose(object);
}

static void
derush_folder_session_finalize(GObject *object)
{
  DerushFolderSession *self = DERUSH_FOLDER_SESSION(object);
  g_free(self->catalog_path);
  g_free(self->folder);
  G_OBJECT_CLASS(derush_folder_session_parent_class)->finalize(object);
}

static void
derush_folder_session_class_init(DerushFolderSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS(klass);
  object_class->dispose = derush_folder_session_dispose;
  object_class->finalize = derush_folder_session_finalize;

  signals[SIGNAL_PROGRESS] =
      g_signal_new("progress", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                   G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_DOUBLE);
  signals[SIGNAL_JOBS_CHANGED] =
      g_signal_new("jobs-changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                   G_TYPE_NONE, 0);
  signals[SIGNAL_PHOTOS_CHANGED] =
      g_signal_new("photos-changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                   NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_LOADED] =
      g_signal_new("loaded", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                   G_TYPE_NONE, 4, G_TYPE_BOOLEAN, G_TYPE_ERROR, G_TYPE_ERROR, G_TYPE_POINTER);
  signals[SIGNAL_FOLDER_MISSING] =
      g_signal_new("folder-missing", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                   NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_ANALYZED] = g_signal_new("analyzed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_HASH_TABLE);
  signals[SIGNAL_ANALYSIS_FAILED] =
      g_signal_new("analysis-failed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                   NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
derush_folder_session_init(DerushFolderSession *self)
{
}

/**
 * derush_folder_session_new:
 * @catalog_path: the catalog each worker opens its own connection to.
 * @model: the model the loader fills.
 *
 * Returns: (transfer full): a session with no folder.
 */
DerushFolderSession *
derush_folder_session_new(const char *catalog_path, DerushPhotoModel *model)
{
  DerushFolderSession *self = g_object_new(DERUSH_TYPE_FOLDER_SESSION, NULL);
  self->catalog_path = g_strdup(catalog_path);
  self->model = g_object_ref(model);
  return self;
}
