/* derush-folder-loader.c: scan a folder and list its photos off the main thread.
 *
 * One load is one GTask running in a worker thread with its own catalog
 * connection (SQLite connections are used by one thread at a time; the
 * main thread keeps its own for label writes). The worker brings the
 * catalog up to date with derush_catalog_scan(), reporting progress, and
 * reads the folder's photos with derush_catalog_foreach_photo(), turning
 * them into DerushPhotoItems in chunks.
 *
 * A folder the catalog already knows is listed before the scan, so the
 * grid shows its photos at once (100,000 in ~0.3 s) instead of after the
 * scan's stat() of every file; the scan then runs and the folder is listed
 * again, keeping only a fingerprint of each record from the first pass:
 * new photos arrive as "photos", changed records as "changes" (a new item
 * for the same id, or the id alone when the photo left the folder), and
 * an unchanged folder costs the main thread nothing more.
 *
 * A folder seen for the first time shows its photos as the scan finds
 * them: from the scan's progress callback, every POLL_US at most, a second
 * catalog connection (WAL: it reads what the scan committed without
 * waiting for it) lists the folder and delivers the photos not delivered
 * yet; after the scan, the final listing is the same diff as a known
 * folder's. That scan makes no thumbnails (a photo is committed once its
 * metadata is read, in about a millisecond): the grid shows each cell's
 * embedded EXIF thumbnail at once and decodes the visible ones first
 * (derush-thumbnailer.c).
 *
 * Progress and chunks travel to the main thread through a queue drained by
 * one idle callback, and the task's own callback drains it once more before
 * completing: so "photos" always arrives before the load is reported done,
 * and the main thread only ever does g_list_store_splice() with whole
 * chunks.
 *
 * Signals (main thread):
 * - "progress" (gint64 done, gint64 found, gboolean walk_done)
 * - "photos" (GPtrArray of DerushPhotoItem, transfer none): new photos
 * - "changes" (GPtrArray of DerushPhotoItem, GArray of gint64, GArray of
 *   DerushRelabel, transfer none): replacements of photos already delivered
 *   (same id: the record changed), ids no longer in the folder, and photos
 *   whose decision alone changed (a sidecar's, during the scan): the item
 *   stays, so does the selection
 */
#include "derush-folder-loader.h"
#include "derush-background-private.h"
#include "derush-photo-item.h"
#include "derush-gui-counters.h"

/* The first chunk is small so the grid shows something at once; later ones
 * are large so the model sees few splices. */
#define FIRST_CHUNK 512
#define CHUNK 8192
/* A first scan lists what it committed this often at most (the scan
 * commits every 250 ms); a listing slower than a tenth of that spaces the
 * next one further, so a huge folder does not pay for its own polling. */
#define POLL_US (300 * 1000)

typedef enum { MSG_PROGRESS, MSG_PHOTOS, MSG_CHANGES } MessageKind;

typedef struct {
  MessageKind kind;
  gint64 done, found;
  gboolean walk_done;
  GPtrArray *items;
  GArray *removed;   /* gint64 ids, MSG_CHANGES */
  GArray *relabeled; /* DerushRelabel, MSG_CHANGES */
} Message;

/* What the first listing delivered, to tell what the second one changed. */
typedef struct {
  gint64 id;
  guint64 fingerprint; /* of the record but its decision */
  DerushLabel label;
  int stars;
  gboolean seen;
} Known;

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
  GArray *known;       /* Known, by id once sorted; NULL when not listed before the scan */
  gboolean diffing;    /* the second listing: deliver only what changed */
  GPtrArray *replaced; /* DerushPhotoItem, second listing */
  GArray *relabeled;   /* DerushRelabel, second listing */
  DerushScanSummary summary;
  GError *scan_error;
  /* A first scan's streaming (see above): */
  DerushCatalog *peek;  /* the second connection, opened on the first poll */
  GHashTable *streamed; /* gint64 id -> Known*, the photos delivered so far */
  gint64 next_poll_us;
} LoadData;

G_DEFINE_FINAL_TYPE(DerushFolderLoader, derush_folder_loader, G_TYPE_OBJECT)

enum { SIGNAL_PROGRESS, SIGNAL_PHOTOS, SIGNAL_CHANGES, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
message_free(Message *m)
{
  g_clear_pointer(&m->items, g_ptr_array_unref);
  g_clear_pointer(&m->removed, g_array_unref);
  g_clear_pointer(&m->relabeled, g_array_unref);
  g_free(m);
}

static void
load_data_free(LoadData *d)
{
  g_free(d->dir);
  g_clear_pointer(&d->chunk, g_ptr_array_unref);
  g_clear_pointer(&d->known, g_array_unref);
  g_clear_pointer(&d->replaced, g_ptr_array_unref);
  g_clear_pointer(&d->relabeled, g_array_unref);
  g_clear_error(&d->scan_error);
  g_clear_pointer(&d->streamed, g_hash_table_unref);
  if (d->peek)
    derush_catalog_close(d->peek);
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
    else if (m->kind == MSG_PHOTOS)
      g_signal_emit(self, signals[SIGNAL_PHOTOS], 0, m->items);
    else
      g_signal_emit(self, signals[SIGNAL_CHANGES], 0, m->items, m->removed, m->relabeled);
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

static void flush_chunk(LoadData *d);
static gboolean collect_photo_cb(const DerushPhoto *photo, gpointer user_data);
static int compare_known(gconstpointer a, gconstpointer b);

/* On the scanning thread, during a first scan: deliver what it committed. */
static void
poll_streamed(LoadData *d)
{
  gint64 now = g_get_monotonic_time();
  if (!d->streamed || now < d->next_poll_us)
    return;
  if (!d->peek) {
    d->peek = derush_catalog_open(d->self->catalog_path, NULL);
    if (!d->peek) {
      g_clear_pointer(&d->streamed, g_hash_table_unref); /* list at the end only */
      return;
    }
  }
  /* A failed listing (the scan busy migrating, say) only waits for the next. */
  guint before = g_hash_table_size(d->streamed);
  derush_catalog_foreach_photo(d->peek, d->dir, collect_photo_cb, d, NULL);
  derush_gui_counter_add(DERUSH_GUI_COUNTER_PHOTOS_STREAMED,
                         g_hash_table_size(d->streamed) - before);
  flush_chunk(d);
  gint64 took = g_get_monotonic_time() - now;
  d->next_poll_us = g_get_monotonic_time() + MAX(POLL_US, 10 * took);
}

/* After a first scan: what the polls delivered becomes the first listing
 * of a known folder, so the final listing delivers only what is new or
 * changed since. */
static void
end_streaming(LoadData *d)
{
  if (!d->streamed)
    return;
  d->known = g_array_sized_new(FALSE, FALSE, sizeof(Known), g_hash_table_size(d->streamed));
  GHashTableIter iter;
  gpointer value;
  g_hash_table_iter_init(&iter, d->streamed);
  while (g_hash_table_iter_next(&iter, NULL, &value))
    g_array_append_vals(d->known, value, 1);
  g_array_sort(d->known, compare_known);
  g_clear_pointer(&d->streamed, g_hash_table_unref);
  d->relabeled = g_array_new(FALSE, FALSE, sizeof(DerushRelabel));
  d->diffing = TRUE;
}

static void
scan_progress_cb(const DerushScanProgress *progress, gpointer user_data)
{
  LoadData *d = user_data;
  poll_streamed(d);
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

static guint64
mix(guint64 h, guint64 v)
{
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  return h;
}

static guint64
mix_str(guint64 h, const char *s)
{
  return mix(h, s ? g_str_hash(s) : 0x5bd1e995);
}

/* Everything the app shows of a record but the decision (label, stars):
 * two listings with the same fingerprint show the same photo. */
static guint64
fingerprint(const DerushPhoto *p)
{
  guint64 h = 0;
  h = mix_str(h, p->path);
  h = mix_str(h, p->reason);
  h = mix_str(h, p->format);
  h = mix_str(h, p->raw_format);
  h = mix_str(h, p->pair_path);
  h = mix_str(h, p->meta.make);
  h = mix_str(h, p->meta.model);
  h = mix_str(h, p->meta.lens);
  h = mix(h, (guint64)p->status);
  h = mix(h, (guint64)p->width << 32 | (guint32)p->height);
  h = mix(h, (guint64)p->size);
  h = mix(h, (guint64)p->mtime_ns);
  h = mix(h, p->content_hash);
  h = mix(h, (guint64)p->meta.capture_time_ns);
  h = mix(h, (guint64)p->meta.orientation);
  return h;
}

static int
compare_known(gconstpointer a, gconstpointer b)
{
  gint64 x = ((const Known *)a)->id, y = ((const Known *)b)->id;
  return x < y ? -1 : x > y;
}

static Known *
find_known(GArray *known, gint64 id)
{
  Known key = {.id = id};
  guint index;
  if (!g_array_binary_search(known, &key, compare_known, &index))
    return NULL;
  return &g_array_index(known, Known, index);
}

static gboolean
collect_photo_cb(const DerushPhoto *photo, gpointer user_data)
{
  LoadData *d = user_data;
  GPtrArray *into = NULL;
  if (d->diffing) {
    Known *k = find_known(d->known, photo->id);
    if (k) {
      k->seen = TRUE;
      if (k->fingerprint == fingerprint(photo)) {
        if (k->label != photo->label || k->stars != photo->stars) {
          DerushRelabel r = {photo->id, photo->label, photo->stars};
          g_array_append_val(d->relabeled, r);
        }
        return TRUE; /* the main thread has it already */
      }
      if (!d->replaced)
        d->replaced = g_ptr_array_new_with_free_func(g_object_unref);
      into = d->replaced;
    }
  } else if (d->streamed) {
    if (g_hash_table_contains(d->streamed, &photo->id))
      return TRUE; /* delivered by an earlier poll */
    Known *k = g_new(Known, 1);
    *k = (Known){photo->id, fingerprint(photo), photo->label, photo->stars, FALSE};
    g_hash_table_insert(d->streamed, &k->id, k);
  } else if (d->known) {
    Known k = {photo->id, fingerprint(photo), photo->label, photo->stars, FALSE};
    g_array_append_val(d->known, k);
  }
  if (!into) {
    if (!d->chunk)
      d->chunk = g_ptr_array_new_with_free_func(g_object_unref);
    into = d->chunk;
  }

  /* The callback's record is borrowed: copy the fields the app shows. The
   * format and camera strings repeat across a whole shoot: interned, they
   * cost nothing per photo (13 MB less at 100,000; see
   * derush_photo_item_new()). */
  DerushPhoto *copy = g_new0(DerushPhoto, 1);
  *copy = *photo;
  copy->path = g_strdup(photo->path);
  copy->reason = g_strdup(photo->reason);
  copy->format = (char *)g_intern_string(photo->format);
  copy->raw_format = (char *)g_intern_string(photo->raw_format);
  copy->pair_path = g_strdup(photo->pair_path);
  copy->meta.make = (char *)g_intern_string(photo->meta.make);
  copy->meta.model = (char *)g_intern_string(photo->meta.model);
  copy->meta.lens = (char *)g_intern_string(photo->meta.lens);
  g_ptr_array_add(into, derush_photo_item_new(copy));
  if (into != d->chunk)
    return TRUE;

  d->n_listed++;
  if ((d->n_listed <= FIRST_CHUNK && d->chunk->len == FIRST_CHUNK) || d->chunk->len >= CHUNK)
    flush_chunk(d);
  return TRUE;
}

/* In a background thread of its own (derush-background-private.h): the
 * scan's workers inherit its priority. */
static void
load_body(gpointer data, gpointer unused)
{
  GTask *task = data;
  DerushFolderLoader *self = g_task_get_source_object(task);
  LoadData *d = g_task_get_task_data(task);
  GCancellable *cancellable = g_task_get_cancellable(task);
  GError *error = NULL;

  DerushCatalog *catalog = derush_catalog_open(self->catalog_path, &error);
  if (!catalog) {
    g_task_return_error(task, error);
    return;
  }
  if (self->cache_dir)
    derush_catalog_set_cache_dir(catalog, self->cache_dir);

  /* Show what the catalog has now, scan after; a folder it does not know
   * yet lists nothing here (an index range: no time). */
  gboolean listed = FALSE;
  if (d->scan) {
    d->known = g_array_new(FALSE, FALSE, sizeof(Known));
    if (!derush_catalog_foreach_photo(catalog, d->dir, collect_photo_cb, d, &error)) {
      derush_catalog_close(catalog);
      g_task_return_error(task, error);
      return;
    }
    flush_chunk(d);
    if (d->known->len > 0) {
      g_array_sort(d->known, compare_known);
      d->relabeled = g_array_new(FALSE, FALSE, sizeof(DerushRelabel));
      d->diffing = listed = TRUE;
    } else {
      g_clear_pointer(&d->known, g_array_unref);
      d->streamed = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, g_free);
    }
  }

  if (d->scan) {
    DerushScanOptions options;
    derush_scan_options_init(&options);
    options.progress = scan_progress_cb;
    /* A folder seen for the first time: commit each photo as soon as its
     * metadata is read, not after its ~50 ms decode, so the grid lists it
     * at once and shows its embedded preview (the thumbnailer decodes the
     * cells on screen first; the analysis decodes the rest, once, and
     * fills the cache). */
    options.thumbnails = d->streamed == NULL;
    options.user_data = d;
    options.cancellable = cancellable;
    const char *roots[] = {d->dir, NULL};
    if (!derush_catalog_scan(catalog, roots, &options, &d->summary, &d->scan_error) &&
        !d->scan_error)
      g_set_error_literal(&d->scan_error, DERUSH_ERROR, DERUSH_ERROR_FAILED, "scan failed");
    flush_chunk(d);
    listed = listed || (d->streamed && g_hash_table_size(d->streamed) > 0);
    if (d->streamed && g_hash_table_size(d->streamed) > 0)
      end_streaming(d);
    else
      g_clear_pointer(&d->streamed, g_hash_table_unref);
  }

  /* Listed even after a cancelled or failed scan: the catalog still knows
   * what an earlier scan found (a folder on an unplugged disk included).
   * The second listing of a known folder also catches what changed in
   * the catalog without a file changing (a sidecar's decision). */
  if (!derush_catalog_foreach_photo(catalog, d->dir, collect_photo_cb, d, &error)) {
    derush_catalog_close(catalog);
    g_task_return_error(task, error);
    return;
  }
  flush_chunk(d);
  if (listed) {
    GArray *removed = g_array_new(FALSE, FALSE, sizeof(gint64));
    for (guint i = 0; i < d->known->len; i++)
      if (!g_array_index(d->known, Known, i).seen)
        g_array_append_val(removed, g_array_index(d->known, Known, i).id);
    if (d->replaced || removed->len > 0 || d->relabeled->len > 0) {
      Message *m = g_new0(Message, 1);
      m->kind = MSG_CHANGES;
      m->items = d->replaced ? g_steal_pointer(&d->replaced)
                             : g_ptr_array_new_with_free_func(g_object_unref);
      m->removed = removed;
      m->relabeled = g_steal_pointer(&d->relabeled);
      post(self, m);
    } else {
      g_array_unref(removed);
    }
  }
  derush_catalog_close(catalog);
  g_task_return_boolean(task, TRUE);
}

static void
load_worker(GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  derush_run_in_background("derush-load", load_body, task, NULL);
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
  signals[SIGNAL_CHANGES] =
      g_signal_new("changes", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                   G_TYPE_NONE, 3, G_TYPE_PTR_ARRAY, G_TYPE_ARRAY, G_TYPE_ARRAY);
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
 * Emits "progress" while scanning, "photos" for each chunk and "changes"
 * when a folder listed before its scan changed, then calls @callback.
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
