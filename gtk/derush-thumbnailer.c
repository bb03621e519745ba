/* derush-thumbnailer.c: asynchronous grid thumbnails.
 *
 * A DerushThumbnailer owns a few worker threads draining one request queue.
 * Requests come from the grid's bind handler and are pushed at the head of
 * the queue, so the cells bound last (the ones on screen) are served first;
 * a request whose item was unbound meanwhile is cancelled through the
 * item's GCancellable and skipped when a worker pops it (nautilus'
 * thumbnail_thread_func, without its global state: everything lives in the
 * object, so tests can make as many as they like).
 *
 * Workers ask the library for each photo's preview at the size the grid
 * shows in two steps. First the fast one (derush_photo_load_preview_fast:
 * the cached 512 px JPEG shrunk on load, else the EXIF thumbnail or RAW
 * preview the file embeds, in a millisecond); a photo not in the cache yet
 * (a folder seen for the first time) then shows that embedded preview as a
 * placeholder and waits in a second queue for its real decode
 * (derush_photo_load_preview, which fills the cache). The fast queue is
 * always served first, so every cell on screen gets its placeholder before
 * any of them gets its ~50 ms decode (as Photo Mechanic does).
 *
 * Finished textures go back to the main thread in batches, through one
 * idle callback, and are kept in a bounded LRU: 100,000 photos never mean
 * 100,000 textures in memory (placeholders included).
 */
#include "derush-thumbnailer.h"
#include "derush-gui-counters.h"
#include "derush-background-private.h"

typedef struct {
  DerushPhotoItem *item; /* (owned) */
  GCancellable *cancellable;
  int size;
  gboolean fast_tried; /* the fast step ran: only the real decode is left */
  /* A placeholder delivery: the request it stands in for (compared, never
   * dereferenced: it is alive in the slow queue or the results). */
  gconstpointer stands_in_for;
  /* results */
  GdkTexture *texture;
  char *error;
} Request;

struct _DerushThumbnailer {
  GObject parent_instance;

  DerushCatalog *catalog; /* not owned: the window closes it after disposing us */
  GPtrArray *threads;

  GMutex lock;
  GCond cond;
  GQueue queue;   /* Request*, head first; under @lock */
  GQueue slow;    /* Request* whose fast step is done, waiting to decode; under @lock */
  GQueue results; /* Request*, finished, or placeholders; under @lock */
  guint results_idle;
  gboolean shutdown;

  /* main thread only */
  GHashTable *pending; /* DerushPhotoItem* -> Request* not yet returned */
  GQueue lru;          /* DerushPhotoItem* with a texture, most recent first */
  GHashTable *lru_links;
  guint capacity;
};

G_DEFINE_FINAL_TYPE(DerushThumbnailer, derush_thumbnailer, G_TYPE_OBJECT)

enum { PROP_0, PROP_PENDING, N_PROPS };
static GParamSpec *properties[N_PROPS];

static void
request_free(Request *request)
{
  g_clear_object(&request->item);
  g_clear_object(&request->cancellable);
  g_clear_object(&request->texture);
  g_free(request->error);
  g_free(request);
}

/* The library's preview as a texture: the same bytes, not copied. */
static GdkTexture *
texture_from_preview(const DerushPreview *preview)
{
  derush_gui_counter_add(DERUSH_GUI_COUNTER_TEXTURES_LOADED, 1);
  return gdk_memory_texture_new(preview->width, preview->height, GDK_MEMORY_R8G8B8, preview->pixels,
                                preview->stride);
}

/**
 * derush_decode_texture:
 * @photo: a photo.
 * @size: long edge wanted, or 0 for the full size.
 * @cancellable: (nullable): checked before the decode.
 *
 * Decodes the photo (shrink-on-load) into an upright texture, without the
 * thumbnail cache (the viewer's and compare view's large sizes). Blocking.
 *
 * Returns: (transfer full): the texture, or NULL with @error set.
 */
GdkTexture *
derush_decode_texture(const DerushPhoto *photo, int size, GCancellable *cancellable, GError **error)
{
  g_autoptr(DerushPreview) preview =
      derush_photo_load_preview(NULL, photo, size, cancellable, error);
  return preview ? texture_from_preview(preview) : NULL;
}

/**
 * derush_decode_texture_return:
 * @task: the task whose worker thread this is
 * @path: the photo's file
 * @orientation: its EXIF orientation
 * @size: long edge wanted, or 0 for the full size
 * @cancellable: (nullable): the task's
 *
 * derush_decode_texture() in a GTask's worker: returns the texture, or the
 * error, through @task (the viewer's and the compare view's decodes).
 */
void
derush_decode_texture_return(GTask *task, const char *path, int orientation, int size,
                             GCancellable *cancellable)
{
  GError *error = NULL;
  DerushPhoto photo = {.path = (char *)path};
  photo.meta.orientation = orientation;
  GdkTexture *texture = derush_decode_texture(&photo, size, cancellable, &error);
  if (texture)
    g_task_return_pointer(task, texture, g_object_unref);
  else
    g_task_return_error(task, error);
}

/* The grid's thumbnail: the catalog's cached preview shrunk on load to
 * @size, made first when it is missing. */
static GdkTexture *
load_thumbnail(DerushCatalog *catalog, const DerushPhoto *photo, int size,
               GCancellable *cancellable, GError **error)
{
  g_autoptr(DerushPreview) preview =
      derush_photo_load_preview(catalog, photo, size, cancellable, error);
  return preview ? texture_from_preview(preview) : NULL;
}

/* The item's texture was just set: most recently used (main thread). */
static void
lru_touch(DerushThumbnailer *self, DerushPhotoItem *item)
{
  GList *link = g_hash_table_lookup(self->lru_links, item);
  if (link) {
    g_queue_unlink(&self->lru, link);
    g_queue_push_head_link(&self->lru, link);
  } else {
    g_queue_push_head(&self->lru, g_object_ref(item));
    g_hash_table_insert(self->lru_links, item, self->lru.head);
  }
}

static gboolean
deliver_results_cb(gpointer data)
{
  DerushThumbnailer *self = data;
  GQueue done = G_QUEUE_INIT;

  g_mutex_lock(&self->lock);
  done = self->results;
  g_queue_init(&self->results);
  self->results_idle = 0;
  g_mutex_unlock(&self->lock);

  for (Request *r; (r = g_queue_pop_head(&done));) {
    if (r->stands_in_for) {
      /* A placeholder counts while its request is still the item's newest
       * and nothing better arrived meanwhile. */
      if (g_hash_table_lookup(self->pending, r->item) == r->stands_in_for &&
          !g_cancellable_is_cancelled(r->cancellable) && !derush_photo_item_get_texture(r->item)) {
        derush_photo_item_set_texture(r->item, r->texture, 0);
        lru_touch(self, r->item);
        derush_gui_counter_add(DERUSH_GUI_COUNTER_PLACEHOLDERS_SHOWN, 1);
      }
      request_free(r);
      continue;
    }
    /* Only the newest request of an item counts (a size change may have
     * replaced it). */
    if (g_hash_table_lookup(self->pending, r->item) == r) {
      g_hash_table_remove(self->pending, r->item);
      if (!g_cancellable_is_cancelled(r->cancellable)) {
        if (r->texture) {
          if (derush_photo_item_has_placeholder(r->item))
            derush_gui_counter_add(DERUSH_GUI_COUNTER_PLACEHOLDERS_REPLACED, 1);
          derush_photo_item_set_texture(r->item, r->texture, r->size);
          lru_touch(self, r->item);
        } else {
          derush_photo_item_set_thumb_error(r->item, r->error);
        }
      }
    }
    request_free(r);
  }

  /* Evict the least recently loaded textures of items no cell shows. */
  GList *link = self->lru.tail;
  while (self->lru.length > self->capacity && link) {
    GList *prev = link->prev;
    DerushPhotoItem *item = link->data;
    if (!derush_photo_item_is_pinned(item)) {
      derush_photo_item_set_texture(item, NULL, 0);
      g_hash_table_remove(self->lru_links, item);
      g_queue_delete_link(&self->lru, link);
      g_object_unref(item);
    }
    link = prev;
  }

  g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_PENDING]);
  return G_SOURCE_REMOVE;
}

/* Worker thread: hands a finished request (or a placeholder) to the main
 * thread. */
static void
deliver(DerushThumbnailer *self, Request *r)
{
  g_mutex_lock(&self->lock);
  g_queue_push_tail(&self->results, r);
  if (!self->results_idle)
    self->results_idle = g_idle_add_full(G_PRIORITY_DEFAULT_IDLE, deliver_results_cb,
                                         g_object_ref(self), g_object_unref);
  g_mutex_unlock(&self->lock);
}

/* Worker thread: the fast step. TRUE when it answered @r for good (the
 * cached thumbnail); else @placeholder may hold the embedded preview to
 * show meanwhile (a request of its own, delivered before @r). */
static gboolean
fast_step(DerushThumbnailer *self, Request *r, Request **placeholder)
{
  gboolean stand_in = FALSE;
  g_autoptr(DerushPreview) preview =
      derush_photo_load_preview_fast(self->catalog, derush_photo_item_get_photo(r->item), r->size,
                                     &stand_in, r->cancellable, NULL);
  if (!preview)
    return FALSE;
  if (!stand_in) {
    r->texture = texture_from_preview(preview);
    return TRUE;
  }
  Request *p = g_new0(Request, 1);
  p->item = g_object_ref(r->item);
  p->cancellable = g_object_ref(r->cancellable);
  p->stands_in_for = r;
  p->texture = texture_from_preview(preview);
  *placeholder = p;
  return FALSE;
}

static gpointer
thumbnail_worker(gpointer data)
{
  DerushThumbnailer *self = data;
  /* A late frame shows more than a late thumbnail. */
  derush_thread_set_nice(DERUSH_NICE_THUMBNAILS);

  for (;;) {
    g_mutex_lock(&self->lock);
    while (!self->shutdown && g_queue_is_empty(&self->queue) && g_queue_is_empty(&self->slow))
      g_cond_wait(&self->cond, &self->lock);
    if (self->shutdown) {
      g_mutex_unlock(&self->lock);
      break;
    }
    Request *r = g_queue_pop_head(&self->queue);
    if (!r)
      r = g_queue_pop_head(&self->slow);
    g_mutex_unlock(&self->lock);

    Request *placeholder = NULL;
    if (!g_cancellable_is_cancelled(r->cancellable) && !r->fast_tried) {
      r->fast_tried = TRUE;
      if (fast_step(self, r, &placeholder)) {
        deliver(self, r);
        continue;
      }
      /* The real decode waits behind every other cell's fast step. */
      g_mutex_lock(&self->lock);
      if (placeholder)
        g_queue_push_tail(&self->results, placeholder);
      g_queue_push_head(&self->slow, r);
      g_mutex_unlock(&self->lock);
      continue;
    }
    if (!g_cancellable_is_cancelled(r->cancellable)) {
      g_autoptr(GError) error = NULL;
      r->texture = load_thumbnail(self->catalog, derush_photo_item_get_photo(r->item), r->size,
                                  r->cancellable, &error);
      if (!r->texture)
        r->error = g_strdup(error ? error->message : "no thumbnail");
    }
    deliver(self, r);
  }
  return NULL;
}

static void
derush_thumbnailer_dispose(GObject *object)
{
  DerushThumbnailer *self = DERUSH_THUMBNAILER(object);

  if (self->threads) {
    g_mutex_lock(&self->lock);
    self->shutdown = TRUE;
    g_cond_broadcast(&self->cond);
    g_mutex_unlock(&self->lock);
    /* A worker finishes the decode it is in (milliseconds) and exits. */
    for (guint i = 0; i < self->threads->len; i++)
      g_thread_join(self->threads->pdata[i]);
    g_clear_pointer(&self->threads, g_ptr_array_unref);
  }
  g_queue_clear_full(&self->queue, (GDestroyNotify)request_free);
  g_queue_clear_full(&self->slow, (GDestroyNotify)request_free);
  g_queue_clear_full(&self->results, (GDestroyNotify)request_free);
  g_clear_pointer(&self->pending, g_hash_table_unref);
  g_clear_pointer(&self->lru_links, g_hash_table_unref);
  g_queue_clear_full(&self->lru, g_object_unref);

  G_OBJECT_CLASS(derush_thumbnailer_parent_class)->dispose(object);
}

static void
derush_thumbnailer_finalize(GObject *object)
{
  DerushThumbnailer *self = DERUSH_THUMBNAILER(object);

  g_mutex_clear(&self->lock);
  g_cond_clear(&self->cond);

  G_OBJECT_CLASS(derush_thumbnailer_parent_class)->finalize(object);
}

static void
derush_thumbnailer_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  DerushThumbnailer *self = DERUSH_THUMBNAILER(object);
  switch (prop_id) {
  case PROP_PENDING:
    g_value_set_uint(value, derush_thumbnailer_get_pending(self));
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
  }
}

static void
derush_thumbnailer_class_init(DerushThumbnailerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS(klass);
  object_class->dispose = derush_thumbnailer_dispose;
  object_class->finalize = derush_thumbnailer_finalize;
  object_class->get_property = derush_thumbnailer_get_property;

  /**
   * DerushThumbnailer:pending:
   * Requests not yet answered (for the background-jobs indicator).
   */
  properties[PROP_PENDING] = g_param_spec_uint("pending", NULL, NULL, 0, G_MAXUINT, 0,
                                               G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties(object_class, N_PROPS, properties);
}

static void
derush_thumbnailer_init(DerushThumbnailer *self)
{
  g_mutex_init(&self->lock);
  g_cond_init(&self->cond);
  self->pending = g_hash_table_new(NULL, NULL);
  /* The LRU holds a reference on its items, so an evicted item is alive. */
  self->lru_links = g_hash_table_new(NULL, NULL);
  self->capacity = 600;
}

/**
 * derush_thumbnailer_new:
 * @catalog: the catalog whose thumbnail cache is read and filled; it must
 *   outlive the thumbnailer (dispose joins the workers).
 * @n_threads: worker threads (2 keeps a core free for the UI and the scan).
 *
 * Returns: (transfer full): a thumbnailer.
 */
DerushThumbnailer *
derush_thumbnailer_new(DerushCatalog *catalog, int n_threads)
{
  g_return_val_if_fail(catalog != NULL, NULL);
  DerushThumbnailer *self = g_object_new(DERUSH_TYPE_THUMBNAILER, NULL);
  self->catalog = catalog;
  self->threads = g_ptr_array_new();
  for (int i = 0; i < MAX(n_threads, 1); i++)
    g_ptr_array_add(self->threads, g_thread_new("derush-thumbs", thumbnail_worker, self));
  return self;
}

/**
 * derush_thumbnailer_request:
 * @item: a photo a cell was just bound to.
 * @size: the long edge the cell shows, in device pixels.
 *
 * Queues the item's thumbnail at the head of the queue (visible first)
 * unless it already has a texture at least that large or a request for it
 * is pending. Main thread only.
 */
void
derush_thumbnailer_request(DerushThumbnailer *self, DerushPhotoItem *item, int size)
{
  g_return_if_fail(DERUSH_IS_THUMBNAILER(self));
  size = CLAMP(size, 16, DERUSH_THUMB_CACHE_SIZE);

  GList *link = g_hash_table_lookup(self->lru_links, item);
  if (link) { /* touched: most recently used again */
    g_queue_unlink(&self->lru, link);
    g_queue_push_head_link(&self->lru, link);
  }
  if (derush_photo_item_get_texture_size(item) >= size)
    return;
  if (derush_photo_item_get_thumb_error(item))
    return;
  Request *old = g_hash_table_lookup(self->pending, item);
  if (old && old->size >= size && !g_cancellable_is_cancelled(old->cancellable))
    return;

  Request *r = g_new0(Request, 1);
  r->item = g_object_ref(item);
  r->cancellable = g_object_ref(derush_photo_item_get_cancellable(item));
  r->size = size;
  g_hash_table_insert(self->pending, item, r);

  g_mutex_lock(&self->lock);
  g_queue_push_head(&self->queue, r);
  g_cond_signal(&self->cond);
  g_mutex_unlock(&self->lock);
  g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_PENDING]);
}

/**
 * derush_thumbnailer_clear:
 * Forgets every request and cached texture (a new folder was opened).
 */
void
derush_thumbnailer_clear(DerushThumbnailer *self)
{
  g_mutex_lock(&self->lock);
  for (GList *l = self->queue.head; l; l = l->next)
    g_cancellable_cancel(((Request *)l->data)->cancellable);
  for (GList *l = self->slow.head; l; l = l->next)
    g_cancellable_cancel(((Request *)l->data)->cancellable);
  g_mutex_unlock(&self->lock);
  g_hash_table_remove_all(self->pending);
  g_hash_table_remove_all(self->lru_links);
  for (DerushPhotoItem *item; (item = g_queue_pop_head(&self->lru));)
    g_object_unref(item);
  g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_PENDING]);
}

/** derush_thumbnailer_get_pending: requests not answered yet (main thread). */
guint
derush_thumbnailer_get_pending(DerushThumbnailer *self)
{
  return g_hash_table_size(self->pending);
}

/** derush_thumbnailer_get_cached: textures held by the LRU. */
guint
derush_thumbnailer_get_cached(DerushThumbnailer *self)
{
  return self->lru.length;
}

/**
 * derush_thumbnailer_set_capacity:
 * How many textures to keep at most (besides those on screen).
 */
void
derush_thumbnailer_set_capacity(DerushThumbnailer *self, guint capacity)
{
  self->capacity = MAX(capacity, 16);
}
