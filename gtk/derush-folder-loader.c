/* derush-folder-loader.c: scan a folder and list its photos off the main thread.
 *
 * One load is one GTask running in a worker thread with its own catalog
 * connection (SQLite connections are used by one thread at a time; the
 * main thread keeps its own for label writes). The worker first brings the
 * catalog up to date with derush_catalog_scan(), reporting progress, then
 * reads the folder's photos with derush_catalog_foreach_photo() and turns
 * them into DerushPhotoItems in chunks.
 *
 * Progress and chunks travel to the main thread through a queue drained by
 * one idle callback, and the task's own callback drains it once more before
 * completing: so "photos" always arrives before the load is reported done,
 * and the main thread only ever does g_list_store_splice() with whole
 * chunks.
 *
 * Signals (main thread):
 * - "progress" (gint64 done, gint64 found, gboolean walk_done)
 * - "photos" (GPtrArray of DerushPhotoItem, transfer none)
 */
#include "derush-folder-loader.h"
#include "derush-photo-item.h"

/* The first chunk is small so the grid shows something at once; later ones
 * are large so the model sees few splices. */
#define FIRST_CHUNK 512
#define CHUNK 8192

typedef enum { MSG_PROGRESS, MSG_PHOTOS } MessageKind;

typedef struct {
  MessageKind kind;
  gint64 done, found;
  gboolean walk_done;
  GPtrArray *items;
} Message;

struct _DerushFolderLoader {
  GObject parent_instance;
  char *catalog_path;
  char *cache_dir;

  GMutex lock;
  GQueue messages; /* Message*, under @lock */
  guint drain_idle;
};

typedef struct {
  DerushFolderLoader *self; /* (unowned): the task holds a reference */
  char *dir;
  gboolean scan;
  GPtrArray *chunk;
  guint n_listed;
  DerushScanSummary summary;
  GError *scan_error;
} LoadData;

G_DEFINE_FINAL_TYPE(DerushFolderLoader, derush_folder_loader, G_TYPE_OBJECT)

enum { SIGNAL_PROGRESS, SIGNAL_PHOTOS, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
message_free(Message *m)
{
  g_clear_pointer(&m->items, g_ptr_array_unref);
  g_free(m);
}

static void
load_data_free(LoadData *d)
{
  g_free(d->dir);
  g_clear_pointer(&d->chunk, g_ptr_array_unref);
  g_clear_error(&d->scan_error);
  g_free(d);
}

static void
drain(DerushFolderLoader *self)
{
  GQueue messages;
  g_mutex_lock(&self->lock);
  messages = self->messages;
  g_queue_init(&self->messages);
  g_mutex_unlock(&self->lock);

  for (Message *m; (m = g_queue_pop_head(&messages)); message_free(m)) {
    if (m->kind == MSG_PROGRESS)
      g_signal_emit(self, signals[SIGNAL_PROGRESS], 0, m->done, m->found, m->walk_done);
    else
      g_signal_emit(self, signals[SIGNAL_PHOTOS], 0, m->items);
  }
}

static gboolean
drain_idle_cb(gpointer data)
{
  DerushFolderLoader *self = data;
  g_mutex_lock(&self->lock);
  self->drain_idle = 0;
  g_mutex_unlock(&self->lock);
  drain(self);
  return G_SOURCE_REMOVE;
}

/* Any thread. Progress replaces a progress message not yet delivered, so a
 * busy main loop never falls behind on stale numbers. */
static void
post(DerushFolderLoader *self, Message *m)
{
  g_mutex_lock(&self->lock);
  Message *last = g_queue_peek_tail(&self->messages);
  if (m->kind == MSG_PROGRESS && last && last->kind == MSG_PROGRESS) {
    *last = *m;
    g_free(m);
  } else {
    g_queue_push_tail(&self->messages, m);
  }
  if (!self->drain_idle)
    self->drain_idle =
        g_idle_add_full(G_PRIORITY_DEFAULT, drain_idle_cb, g_object_ref(self), g_object_unref);
  g_mutex_unlock(&self->lock);
}

static void
scan_progress_cb(const DerushScanProgress *progress, gpointer user_data)
{
  LoadData *d = user_data;
  Message *m = g_new0(Message, 1);
  m->kind = MSG_PROGRESS;
  m->done = progress->done;
  m->found = progress->found;
  m->walk_done = progress->walk_done;
  post(d->self, m);
}

static void
flush_chunk(LoadData *d)
{
  if (!d->chunk || d->chunk->len == 0)
    return;
  Message *m = g_new0(Message, 1);
  m->kind = MSG_PHOTOS;
  m->items = g_steal_pointer(&d->chunk);
  post(d->self, m);
}

static gboolean
collect_photo_cb(const DerushPhoto *photo, gpointer user_data)
{
  LoadData *d = user_data;
  if (!d->chunk)
    d->chunk = g_ptr_array_new_with_free_func(g_object_unref);

  /* The callback's record is borrowed: copy the fields the app shows. */
  DerushPhoto *copy = g_new0(DerushPhoto, 1);
  *copy = *photo;
  copy->path = g_strdup(photo->path);
  copy->reason = g_strdup(photo->reason);
  copy->format = g_strdup(photo->format);
  copy->raw_format = g_strdup(photo->raw_format);
  copy->pair_path = g_strdup(photo->pair_path);
  copy->meta.make = g_strdup(photo->meta.make);
  copy->meta.model = g_strdup(photo->meta.model);
  copy->meta.lens = g_strdup(photo->meta.lens);
  g_ptr_array_add(d->chunk, derush_photo_item_new(copy));

  d->n_listed++;
  if ((d->n_listed <= FIRST_CHUNK && d->chunk->len == FIRST_CHUNK) || d->chunk->len >= CHUNK)
    flush_chunk(d);
  return TRUE;
}

static void
load_worker(GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  DerushFolderLoader *self = source_object;
  LoadData *d = task_data;
  GError *error = NULL;

  DerushCatalog *catalog = derush_catalog_open(self->catalog_path, &error);
  if (!catalog) {
    g_task_return_error(task, error);
    return;
  }
  if (self->cache_dir)
    derush_catalog_set_cache_dir(catalog, self->cache_dir);

  if (d->scan) {
    DerushScanOptions options;
    derush_scan_options_init(&options);
    options.progress = scan_progress_cb;
    options.user_data = d;
    options.cancellable = cancellable;
    const char *roots[] = {d->dir, NULL};
    if (!derush_catalog_scan(catalog, roots, &options, &d->summary, &d->scan_error) &&
        !d->scan_error)
      g_set_error_literal(&d->scan_error, DERUSH_ERROR, DERUSH_ERROR_FAILED, "scan failed");
  }

  /* Listed even after a cancelled or failed scan: the catalog still knows
   * what an earlier scan found (a folder on an unplugged disk included). */
  if (!derush_catalog_foreach_photo(catalog, d->dir, collect_photo_cb, d, &error)) {
    derush_catalog_close(catalog);
    g_task_return_error(task, error);
    return;
  }
  flush_chunk(d);
  derush_catalog_close(catalog);
  g_task_return_boolean(task, TRUE);
}

static void
derush_folder_loader_finalize(GObject *object)
{
  DerushFolderLoader *self = DERUSH_FOLDER_LOADER(object);
  g_queue_clear_full(&self->messages, (GDestroyNotify)message_free);
  g_mutex_clear(&self->lock);
  g_free(self->catalog_path);
  g_free(self->cache_dir);
  G_OBJECT_CLASS(derush_folder_loader_parent_class)->finalize(object);
}

static void
derush_folder_loader_class_init(DerushFolderLoaderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS(klass);
  object_class->finalize = derush_folder_loader_finalize;

  signals[SIGNAL_PROGRESS] =
      g_signal_new("progress", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                   G_TYPE_NONE, 3, G_TYPE_INT64, G_TYPE_INT64, G_TYPE_BOOLEAN);
  signals[SIGNAL_PHOTOS] = g_signal_new("photos", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0,
                                        NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_PTR_ARRAY);
}

static void
derush_folder_loader_init(DerushFolderLoader *self)
{
  g_mutex_init(&self->lock);
}

/**
 * derush_folder_loader_new:
 * @catalog_path: (nullable): the catalog file (NULL: the default).
 * @cache_dir: (nullable): thumbnail cache root override.
 *
 * Returns: (transfer full): a loader.
 */
DerushFolderLoader *
derush_folder_loader_new(const char *catalog_path, const char *cache_dir)
{
  DerushFolderLoader *self = g_object_new(DERUSH_TYPE_FOLDER_LOADER, NULL);
  self->catalog_path = g_strdup(catalog_path);
  self->cache_dir = g_strdup(cache_dir);
  return self;
}

/**
 * derush_folder_loader_load_async:
 * @dir: an absolute folder.
 * @scan: bring the catalog up to date first (FALSE: list what it knows).
 * @cancellable: (nullable): stops the scan; the photos known so far are
 *   still listed.
 *
 * Emits "progress" while scanning and "photos" for each chunk, then calls
 * @callback.
 */
void
derush_folder_loader_load_async(DerushFolderLoader *self, const char *dir, gboolean scan,
                                GCancellable *cancellable, GAsyncReadyCallback callback,
                                gpointer user_data)
{
  g_return_if_fail(DERUSH_IS_FOLDER_LOADER(self));
  g_return_if_fail(dir != NULL);

  LoadData *d = g_new0(LoadData, 1);
  d->self = self;
  d->dir = g_strdup(dir);
  d->scan = scan;

  g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);
  g_task_set_source_tag(task, derush_folder_loader_load_async);
  g_task_set_task_data(task, d, (GDestroyNotify)load_data_free);
  /* A cancelled scan still lists its photos: the result is never replaced
   * by G_IO_ERROR_CANCELLED. */
  g_task_set_check_cancellable(task, FALSE);
  g_task_run_in_thread(task, load_worker);
}

/**
 * derush_folder_loader_load_finish:
 * @summary: (out) (optional): what the scan did.
 * @scan_error: (out) (optional): why the scan failed (the folder is
 *   missing, unreadable...), while listing still worked.
 *
 * Returns: FALSE with @error set when the catalog could not be read.
 */
gboolean
derush_folder_loader_load_finish(DerushFolderLoader *self, GAsyncResult *result,
                                 DerushScanSummary *summary, GError **scan_error, GError **error)
{
  g_return_val_if_fail(g_task_is_valid(result, self), FALSE);
  /* Deliver what the worker posted last before reporting completion. */
  drain(self);
  LoadData *d = g_task_get_task_data(G_TASK(result));
  if (summary)
    *summary = d->summary;
  if (scan_error && d->scan_error)
    *scan_error = g_error_copy(d->scan_error);
  return g_task_propagate_boolean(G_TASK(result), error);
}
