/* derush-trainer.c: learning in the background.
 *
 * photo-derush retrained after every label on the UI thread and then
 * called its model once per photo (0.12 s a call). Here a label only
 * (re)starts a short timer (2 s by default): a run of K, T, K, K within it
 * is one training. When the timer fires, one job runs on a worker thread
 * with its own catalog connection, below the UI's priority
 * (derush-background-private.h): derush_catalog_update_predictions()
 * retrains when the labels changed since the stored model (or the model is
 * stale or damaged), predicts every photo in ONE batch call and stores the
 * answers with the model's version; the library then chooses each group's
 * best pick again by them. With auto-labelling on (off by default), the
 * confident zones are then labelled, source "auto", in one undoable batch
 * (after a training on the user's new labels only: not after an undo).
 * Last, the job reads the folder's records (derush_analyzer_collect()), so
 * the main thread only publishes one table and redraws the cells on screen.
 *
 * Labels made while a job runs are not lost: the timer starts again when
 * the job is done. Cancelling (another folder, the stop button, closing)
 * drops the job's result; XGBoost's training itself cannot be interrupted,
 * so the worker finishes it in the background.
 *
 * Explanations and active learning's next photo run here too, one photo
 * (or one pick) per call, on workers: both read the whole dataset.
 *
 * Signals: "started" when a job begins, "finished" (result, table, auto
 * labels) when its answers are stored, on the main thread.
 */
#include "derush-trainer.h"
#include "derush-analyzer.h"
#include "derush-background-private.h"
#include "derush-gui-counters.h"

#define DEFAULT_DELAY_MS 2000

struct _DerushTrainer {
  GObject parent_instance;
  char *catalog_path;
  char *dir;
  guint delay_ms;
  guint timer;
  GCancellable *cancellable; /* of the running job */
  gboolean running;
  gboolean pending; /* labels arrived while a job ran */
  gboolean auto_ok; /* the labels that start the next job are the user's */
  gboolean have_result;
  DerushTrainResult result;
};

G_DEFINE_FINAL_TYPE(DerushTrainer, derush_trainer, G_TYPE_OBJECT)

enum { SIGNAL_STARTED, SIGNAL_FINISHED, N_SIGNALS };
static guint signals[N_SIGNALS];

typedef enum {
  JOB_INFO,    /* what the stored model is (start-up) */
  JOB_PREDICT, /* retrain if needed, predict every photo, collect */
} JobKind;

typedef struct {
  char *catalog_path;
  char *dir;
  JobKind kind;
  gboolean auto_ok;
  DerushTrainResult result;
  GHashTable *table; /* collected records, JOB_PREDICT */
  GArray *auto_labels;
} Job;

static void
job_free(Job *job)
{
  g_free(job->catalog_path);
  g_free(job->dir);
  g_clear_pointer(&job->table, g_hash_table_unref);
  g_clear_pointer(&job->auto_labels, g_array_unref);
  g_free(job);
}

static gboolean
collect_auto_cb(const DerushLabelEvent *event, gpointer user_data)
{
  DerushAutoLabel a = {event->photo_id, event->new_label, event->new_stars};
  g_array_append_val(user_data, a);
  return TRUE;
}

/* Auto-labelling, when the user turned it on: the labels it made. */
static gboolean
auto_label(DerushCatalog *cat, Job *job, GError **error)
{
  DerushLearnSettings settings;
  if (!derush_catalog_get_learn_settings(cat, &settings, error))
    return FALSE;
  if (!settings.auto_label || !job->auto_ok || job->result.state != DERUSH_MODEL_TRAINED)
    return TRUE;
  gint64 before = derush_catalog_get_last_event_id(cat);
  if (derush_catalog_auto_label(cat, NULL, error) < 0)
    return FALSE;
  return derush_catalog_foreach_event_after(cat, before, collect_auto_cb, job->auto_labels, error);
}

static void
job_body(gpointer data, gpointer unused)
{
  GTask *task = data;
  Job *job = g_task_get_task_data(task);
  GError *error = NULL;
  g_autoptr(DerushCatalog) cat = derush_catalog_open(job->catalog_path, &error);
  gboolean ok = cat != NULL;
  if (ok && job->kind == JOB_INFO) {
    ok = derush_catalog_model_info(cat, &job->result, &error);
  } else if (ok) {
    gint64 batches = derush_counter_get(DERUSH_COUNTER_PREDICTION_BATCHES);
    ok = derush_catalog_update_predictions(cat, NULL, &job->result, &error);
    /* Counted here, on the worker: the main thread makes none. */
    derush_gui_counter_add(DERUSH_GUI_COUNTER_TRAINER_BATCHES,
                           derush_counter_get(DERUSH_COUNTER_PREDICTION_BATCHES) - batches);
    ok = ok && auto_label(cat, job, &error);
    if (ok && job->dir && !g_task_return_error_if_cancelled(task)) {
      job->table = derush_analyzer_collect(cat, job->dir, &error);
      ok = job->table != NULL;
    } else if (ok && job->dir) {
      return; /* cancelled: already returned */
    }
  }
  if (!ok)
    g_task_return_error(task, error);
  else
    g_task_return_boolean(task, TRUE);
}

static void
job_worker(GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  derush_run_in_background("derush-train", job_body, task, NULL);
}

static void start_job(DerushTrainer *self, JobKind kind);

static gboolean
timer_cb(gpointer data)
{
  DerushTrainer *self = data;
  self->timer = 0;
  if (self->running)
    self->pending = TRUE;
  else
    start_job(self, JOB_PREDICT);
  return G_SOURCE_REMOVE;
}

static void
job_done_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
  DerushTrainer *self = DERUSH_TRAINER(source);
  GCancellable *cancellable = g_task_get_cancellable(G_TASK(res));
  Job *job = g_task_get_task_data(G_TASK(res));
  g_autoptr(GError) error = NULL;
  gboolean ok = g_task_propagate_boolean(G_TASK(res), &error);
  if (cancellable != self->cancellable)
    return; /* a cancelled job that ended: another may be running */
  self->running = FALSE;
  g_clear_object(&self->cancellable);
  if (!ok) {
    g_debug("learning: %s", error->message);
  } else {
    self->result = job->result;
    self->have_result = TRUE;
  }
  g_signal_emit(self, signals[SIGNAL_FINISHED], 0, ok ? &self->result : NULL,
                ok ? job->table : NULL, ok ? job->auto_labels : NULL, ok ? NULL : error->message);
  if (self->pending) {
    self->pending = FALSE;
    g_clear_handle_id(&self->timer, g_source_remove);
    self->timer = g_timeout_add(self->delay_ms, timer_cb, self);
  }
}

static void
start_job(DerushTrainer *self, JobKind kind)
{
  if (kind == JOB_PREDICT && !self->dir)
    return;
  if (self->cancellable)
    g_cancellable_cancel(self->cancellable);
  g_clear_object(&self->cancellable);
  self->cancellable = g_cancellable_new();
  self->running = TRUE;
  Job *job = g_new0(Job, 1);
  job->catalog_path = g_strdup(self->catalog_path);
  job->dir = g_strdup(self->dir);
  job->kind = kind;
  job->auto_ok = self->auto_ok;
  self->auto_ok = FALSE;
  job->auto_labels = g_array_new(FALSE, FALSE, sizeof(DerushAutoLabel));
  g_autoptr(GTask) task = g_task_new(self, self->cancellable, job_done_cb, NULL);
  g_task_set_source_tag(task, start_job);
  g_task_set_task_data(task, job, (GDestroyNotify)job_free);
  if (kind == JOB_PREDICT)
    derush_gui_counter_add(DERUSH_GUI_COUNTER_TRAINER_RUNS, 1);
  g_signal_emit(self, signals[SIGNAL_STARTED], 0, kind == JOB_PREDICT);
  g_task_run_in_thread(task, job_worker);
}

static void
derush_trainer_dispose(GObject *object)
{
  DerushTrainer *self = DERUSH_TRAINER(object);
  derush_trainer_cancel(self);
  G_OBJECT_CLASS(derush_trainer_parent_class)->dispose(object);
}

static void
derush_trainer_finalize(GObject *object)
{
  DerushTrainer *self = DERUSH_TRAINER(object);
  g_free(self->catalog_path);
  g_free(self->dir);
  G_OBJECT_CLASS(derush_trainer_parent_class)->finalize(object);
}

static void
derush_trainer_class_init(DerushTrainerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS(klass);
  object_class->dispose = derush_trainer_dispose;
  object_class->finalize = derush_trainer_finalize;

  /* (gboolean training): FALSE for the start-up look at the stored model. */
  signals[SIGNAL_STARTED] = g_signal_new("started", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0,
                                         NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
  /* (const DerushTrainResult *result, GHashTable *table, GArray *auto_labels,
   *  const char *error): result NULL on failure (error says why); table
   *  NULL for a start-up look; all owned by the trainer. */
  signals[SIGNAL_FINISHED] =
      g_signal_new("finished", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                   G_TYPE_NONE, 4, G_TYPE_POINTER, G_TYPE_POINTER, G_TYPE_POINTER, G_TYPE_STRING);
}

static void
derush_trainer_init(DerushTrainer *self)
{
  self->delay_ms = DEFAULT_DELAY_MS;
}

/**
 * derush_trainer_new:
 * @catalog_path: the catalog file; each job opens its own connection.
 *
 * Returns: (transfer full): a trainer.
 */
DerushTrainer *
derush_trainer_new(const char *catalog_path)
{
  DerushTrainer *self = g_object_new(DERUSH_TYPE_TRAINER, NULL);
  self->catalog_path = g_strdup(catalog_path);
  return self;
}

/**
 * derush_trainer_set_folder:
 * @dir: (nullable): the folder shown, whose records each job reads back.
 *
 * Cancels what runs for the folder before, then looks at the stored model
 * (a quick load, on a worker) so the model's state shows at once.
 */
void
derush_trainer_set_folder(DerushTrainer *self, const char *dir)
{
  g_return_if_fail(DERUSH_IS_TRAINER(self));
  derush_trainer_cancel(self);
  g_free(self->dir);
  self->dir = g_strdup(dir);
  if (dir)
    start_job(self, JOB_INFO);
}

/** derush_trainer_set_delay: the quiet time after a label before training (2,000 ms). */
void
derush_trainer_set_delay(DerushTrainer *self, guint delay_ms)
{
  g_return_if_fail(DERUSH_IS_TRAINER(self));
  self->delay_ms = delay_ms;
}

/**
 * derush_trainer_labels_changed:
 * @by_user: the user labelled (TRUE), or undid or redid (FALSE)
 *
 * Train again once the labels have been quiet for the delay. Cheap: it
 * only restarts a timer. Auto-labelling (when on) follows only a training
 * on the user's new labels: after an undo of its labels it would put them
 * straight back.
 */
void
derush_trainer_labels_changed(DerushTrainer *self, gboolean by_user)
{
  g_return_if_fail(DERUSH_IS_TRAINER(self));
  self->auto_ok = by_user;
  g_clear_handle_id(&self->timer, g_source_remove);
  self->timer = g_timeout_add(self->delay_ms, timer_cb, self);
}

/**
 * derush_trainer_refresh:
 *
 * Predicts the folder now (after an analysis added photos): the stored
 * model answers, retrained first only when the labels moved on.
 */
void
derush_trainer_refresh(DerushTrainer *self)
{
  g_return_if_fail(DERUSH_IS_TRAINER(self));
  g_clear_handle_id(&self->timer, g_source_remove);
  if (self->running)
    self->pending = TRUE;
  else
    start_job(self, JOB_PREDICT);
}

/** derush_trainer_cancel: drops the timer and the running job's result. */
void
derush_trainer_cancel(DerushTrainer *self)
{
  g_return_if_fail(DERUSH_IS_TRAINER(self));
  g_clear_handle_id(&self->timer, g_source_remove);
  if (self->cancellable)
    g_cancellable_cancel(self->cancellable);
  g_clear_object(&self->cancellable);
  self->running = self->pending = FALSE;
}

/** derush_trainer_is_busy: a training is waiting for its timer or running. */
gboolean
derush_trainer_is_busy(DerushTrainer *self)
{
  return self->timer != 0 || self->running || self->pending;
}

/** derush_trainer_is_running: a job runs now. */
gboolean
derush_trainer_is_running(DerushTrainer *self)
{
  return self->running;
}

/**
 * derush_trainer_get_result:
 * Returns: (transfer none) (nullable): what the last job said of the model.
 */
const DerushTrainResult *
derush_trainer_get_result(DerushTrainer *self)
{
  return self->have_result ? &self->result : NULL;
}

/* ------------------------------------------------------------ one-offs */

typedef struct {
  char *catalog_path;
  char *path; /* explain: the photo */
  int n;      /* next: picks, explain: reasons */
} Query;

static void
query_free(Query *q)
{
  g_free(q->catalog_path);
  g_free(q->path);
  g_free(q);
}

static void
next_worker(GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Query *q = task_data;
  GError *error = NULL;
  g_autoptr(DerushCatalog) cat = derush_catalog_open(q->catalog_path, &error);
  GPtrArray *picks = cat ? derush_catalog_next(cat, q->n, &error) : NULL;
  if (picks)
    g_task_return_pointer(task, picks, (GDestroyNotify)g_ptr_array_unref);
  else
    g_task_return_error(task, error);
}

static GTask *
query_task(DerushTrainer *self, const char *path, int n, GCancellable *cancellable,
           GAsyncReadyCallback callback, gpointer user_data, gpointer tag)
{
  Query *q = g_new0(Query, 1);
  q->catalog_path = g_strdup(self->catalog_path);
  q->path = g_strdup(path);
  q->n = n;
  GTask *task = g_task_new(self, cancellable, callback, user_data);
  g_task_set_source_tag(task, tag);
  g_task_set_task_data(task, q, (GDestroyNotify)query_free);
  return task;
}

/**
 * derush_trainer_next_async:
 * @n: picks wanted
 *
 * derush_catalog_next(), as `derush next` calls it, on a worker.
 */
void
derush_trainer_next_async(DerushTrainer *self, int n, GCancellable *cancellable,
                          GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail(DERUSH_IS_TRAINER(self));
  g_autoptr(GTask) task =
      query_task(self, NULL, n, cancellable, callback, user_data, derush_trainer_next_async);
  g_task_run_in_thread(task, next_worker);
}

/**
 * derush_trainer_next_finish:
 * Returns: (transfer full) (element-type DerushPick): the picks, or NULL
 *   with @error set.
 */
GPtrArray *
derush_trainer_next_finish(DerushTrainer *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail(g_task_is_valid(result, self), NULL);
  return g_task_propagate_pointer(G_TASK(result), error);
}

static void
explain_worker(GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Query *q = task_data;
  GError *error = NULL;
  if (g_task_return_error_if_cancelled(task))
    return; /* the selection moved on before this one started */
  g_autoptr(DerushCatalog) cat = derush_catalog_open(q->catalog_path, &error);
  const char *paths[] = {q->path, NULL};
  g_autoptr(GPtrArray) out = cat ? derush_catalog_explain(cat, paths, q->n, &error) : NULL;
  if (!out) {
    g_task_return_error(task, error);
    return;
  }
  derush_gui_counter_add(DERUSH_GUI_COUNTER_EXPLANATIONS, 1);
  g_task_return_pointer(task, g_ptr_array_steal_index(out, 0),
                        (GDestroyNotify)derush_explanation_free);
}

/**
 * derush_trainer_explain_async:
 * @path: the photo
 * @max_reasons: the strongest reasons wanted
 *
 * derush_catalog_explain() of one photo, on a worker (it reads the whole
 * dataset: never on the main thread, never for every photo).
 */
void
derush_trainer_explain_async(DerushTrainer *self, const char *path, int max_reasons,
                             GCancellable *cancellable, GAsyncReadyCallback callback,
                             gpointer user_data)
{
  g_return_if_fail(DERUSH_IS_TRAINER(self));
  g_autoptr(GTask) task = query_task(self, path, max_reasons, cancellable, callback, user_data,
                                     derush_trainer_explain_async);
  g_task_run_in_thread(task, explain_worker);
}

/**
 * derush_trainer_explain_finish:
 * Returns: (transfer full): the explanation, or NULL with @error set (no
 *   trained model: DERUSH_ERROR_NOT_FOUND; cancelled).
 */
DerushExplanation *
derush_trainer_explain_finish(DerushTrainer *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail(g_task_is_valid(result, self), NULL);
  return g_task_propagate_pointer(G_TASK(result), error);
}
