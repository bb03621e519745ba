/* derush-photo-model.c: the open folder's photos, as the grid shows them.
 *
 * A GListStore of DerushPhotoItems (every photo of the folder, in the
 * order the loader delivered them) with two indexes, by catalog id and by
 * path, under a GtkFilterListModel (the filter mode, "hide labelled" and
 * the search, in one filter: one pass) and a GtkSortListModel. The model
 * is itself the GListModel of what is shown: it forwards the sort model's
 * items-changed, so a selection model sits directly on it (nautilus'
 * NautilusViewModel plays the same part).
 *
 * Every item looks its analysis up in one DerushAnalysisTable, so a new
 * analysis is published in O(1) (derush_photo_model_publish_analysis());
 * the filter and the sort are told only when they read it.
 *
 * Main thread only: the loader's worker hands items over in signals.
 */
#include "derush-photo-model.h"
#include "derush-prediction-filter.h"
#include "derush-face-marks.h"
#include "derush-photo-text.h"
#include <math.h>
#include <string.h>

struct _DerushPhotoModel {
  GObject parent_instance;

  GListStore *store;
  GHashTable *by_id;   /* gint64* id -> DerushPhotoItem* (borrowed from the store) */
  GHashTable *by_path; /* path -> DerushPhotoItem* (borrowed) */
  GtkCustomFilter *filter;
  GtkFilterListModel *filter_model;
  GtkCustomSorter *sorter;
  GtkSortListModel *sort_model;
  DerushAnalysisTable *analysis_table; /* the latest analysis, read by every item */

  char *folder;     /* search keys are paths below it */
  char *search_key; /* the needle, folded (derush_search_fold()); NULL shows all */
  DerushFilterMode filter_mode;
  DerushSortMode sort_mode;
  gboolean hide_labelled;
};

static void derush_photo_model_list_init(GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE(DerushPhotoModel, derush_photo_model, G_TYPE_OBJECT,
                              G_IMPLEMENT_INTERFACE(G_TYPE_LIST_MODEL,
                                                    derush_photo_model_list_init))

/* ------------------------------------------------------------ GListModel */

static GType
get_item_type(GListModel *list)
{
  return DERUSH_TYPE_PHOTO_ITEM;
}

static guint
get_n_items(GListModel *list)
{
  return g_list_model_get_n_items(G_LIST_MODEL(DERUSH_PHOTO_MODEL(list)->sort_model));
}

static gpointer
get_item(GListModel *list, guint position)
{
  return g_list_model_get_item(G_LIST_MODEL(DERUSH_PHOTO_MODEL(list)->sort_model), position);
}

static void
derush_photo_model_list_init(GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

static void
sorted_items_changed_cb(GListModel *sorted, guint position, guint removed, guint added,
                        DerushPhotoModel *self)
{
  g_list_model_items_changed(G_LIST_MODEL(self), position, removed, added);
}

/* ------------------------------------------------------------ filter and sort */

/* A RAW+JPEG pair is one photo (the library labels both halves at once):
 * one cell, the JPEG's, marked "RAW+JPEG"; the RAW half is neither shown
 * nor counted. It is told by its name too: a RAW libraw cannot read (read
 * through libvips) has no raw_format, and showed as a second cell. */
static gboolean
is_raw_half(DerushPhotoItem *item)
{
  const DerushPhoto *photo = derush_photo_item_get_photo(item);
  return photo->pair_path && (photo->raw_format || derush_is_raw_name(photo->path));
}

static gboolean
filter_mode_matches(DerushPhotoModel *self, gpointer object)
{
  if (is_raw_half(object))
    return FALSE;
  DerushLabel label = derush_photo_item_get_label(object);
  if (self->hide_labelled && label != DERUSH_LABEL_NONE)
    return FALSE;
  switch (self->filter_mode) {
  case DERUSH_FILTER_ALL:
    return TRUE;
  case DERUSH_FILTER_UNLABELLED:
    return label == DERUSH_LABEL_NONE;
  case DERUSH_FILTER_KEEP:
    return label == DERUSH_LABEL_KEEP;
  case DERUSH_FILTER_TRASH:
    return label == DERUSH_LABEL_TRASH;
  case DERUSH_FILTER_BEST: {
    /* A photo in no group is its own best pick. */
    const DerushPhotoAnalysis *a = derush_photo_item_get_analysis(object);
    return a->group_id == 0 || a->is_best;
  }
  case DERUSH_FILTER_PREDICTED_TRASH:
  case DERUSH_FILTER_UNSURE:
    return _derush_prediction_filter_matches(object, self->filter_mode);
  case DERUSH_FILTER_CLOSED_EYES:
    return derush_face_marks_closed_eyes(derush_photo_item_get_analysis(object));
  case DERUSH_N_FILTERS:
    break;
  }
  return TRUE;
}

/* The filter's mode and the search, both: one filter, one pass. The
 * search compares the folded needle with each photo's folded path, kept on
 * the item: a strstr() per photo, no allocation per keystroke. */
static gboolean
filter_func(gpointer object, gpointer user_data)
{
  DerushPhotoModel *self = user_data;
  if (!filter_mode_matches(self, object))
    return FALSE;
  return !self->search_key ||
         strstr(derush_photo_item_get_search_key(object, self->folder), self->search_key);
}

static gint64
sort_time(DerushPhotoItem *item)
{
  const DerushPhoto *p = derush_photo_item_get_photo(item);
  return p->meta.time_source != DERUSH_TIME_NONE ? p->meta.capture_time_ns : p->mtime_ns;
}

static int
sort_func(gconstpointer a, gconstpointer b, gpointer user_data)
{
  DerushPhotoModel *self = user_data;
  DerushPhotoItem *ia = (DerushPhotoItem *)a, *ib = (DerushPhotoItem *)b;
  if (self->sort_mode == DERUSH_SORT_TIME) {
    gint64 ta = sort_time(ia), tb = sort_time(ib);
    if (ta != tb)
      return ta < tb ? -1 : 1;
  } else if (self->sort_mode == DERUSH_SORT_GROUP) {
    /* Each group at its start time, members together, best pick first,
     * then by time; photos in no group sit at their own time. */
    const DerushPhotoAnalysis *ra = derush_photo_item_get_analysis(ia);
    const DerushPhotoAnalysis *rb = derush_photo_item_get_analysis(ib);
    gint64 ga = ra->group_id ? ra->group_time_ns : sort_time(ia);
    gint64 gb = rb->group_id ? rb->group_time_ns : sort_time(ib);
    if (ga != gb)
      return ga < gb ? -1 : 1;
    if (ra->group_id != rb->group_id)
      return ra->group_id < rb->group_id ? -1 : 1;
    if (ra->is_best != rb->is_best)
      return ra->is_best ? -1 : 1;
    gint64 ta = sort_time(ia), tb = sort_time(ib);
    if (ta != tb)
      return ta < tb ? -1 : 1;
  } else if (self->sort_mode == DERUSH_SORT_P_KEEP) {
    int c = _derush_prediction_compare(ia, ib);
    if (c)
      return c;
  } else if (self->sort_mode == DERUSH_SORT_SHARPNESS) {
    double sa = derush_photo_item_get_analysis(ia)->sharpness;
    double sb = derush_photo_item_get_analysis(ib)->sharpness;
    if (isnan(sa) != isnan(sb))
      return isnan(sa) ? 1 : -1;
    if (!isnan(sa) && sa != sb)
      return sa > sb ? -1 : 1;
  } else {
    int c = strcmp(derush_photo_item_get_name(ia), derush_photo_item_get_name(ib));
    if (c)
      return c;
  }
  return strcmp(derush_photo_item_get_photo(ia)->path, derush_photo_item_get_photo(ib)->path);
}

/** derush_photo_model_set_filter: Returns: TRUE when the mode changed. */
gboolean
derush_photo_model_set_filter(DerushPhotoModel *self, DerushFilterMode mode)
{
  if (mode >= DERUSH_N_FILTERS || self->filter_mode == mode)
    return FALSE;
  self->filter_mode = mode;
  gtk_filter_changed(GTK_FILTER(self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  return TRUE;
}

DerushFilterMode
derush_photo_model_get_filter(DerushPhotoModel *self)
{
  return self->filter_mode;
}

/** derush_photo_model_set_sort: Returns: TRUE when the order changed. */
gboolean
derush_photo_model_set_sort(DerushPhotoModel *self, DerushSortMode mode)
{
  if (mode > DERUSH_SORT_P_KEEP || self->sort_mode == mode)
    return FALSE;
  self->sort_mode = mode;
  gtk_sorter_changed(GTK_SORTER(self->sorter), GTK_SORTER_CHANGE_DIFFERENT);
  return TRUE;
}

DerushSortMode
derush_photo_model_get_sort(DerushPhotoModel *self)
{
  return self->sort_mode;
}

/** derush_photo_model_set_hide_labelled: hides (or shows again) every labelled photo. */
void
derush_photo_model_set_hide_labelled(DerushPhotoModel *self, gboolean hide)
{
  if (self->hide_labelled == hide)
    return;
  self->hide_labelled = hide;
  gtk_filter_changed(GTK_FILTER(self->filter),
                     hide ? GTK_FILTER_CHANGE_MORE_STRICT : GTK_FILTER_CHANGE_LESS_STRICT);
}

/**
 * derush_photo_model_set_search:
 * @text: (nullable): what the path below the folder must contain (a file
 *   or subfolder name, in any case); NULL or "" searches for nothing.
 *
 * A needle that contains the previous one can only hide photos, and one
 * the previous contains can only bring some back: the filter model is told
 * so, and then checks only the photos shown, or only the hidden ones.
 *
 * Returns: TRUE when the search changed.
 */
gboolean
derush_photo_model_set_search(DerushPhotoModel *self, const char *text)
{
  g_autofree char *key = text && *text ? derush_search_fold(text) : NULL;
  if (g_strcmp0(key, self->search_key) == 0)
    return FALSE;
  GtkFilterChange change = GTK_FILTER_CHANGE_DIFFERENT;
  if (!self->search_key || (key && strstr(key, self->search_key)))
    change = GTK_FILTER_CHANGE_MORE_STRICT;
  else if (!key || strstr(self->search_key, key))
    change = GTK_FILTER_CHANGE_LESS_STRICT;
  g_free(self->search_key);
  self->search_key = g_steal_pointer(&key);
  gtk_filter_changed(GTK_FILTER(self->filter), change);
  return TRUE;
}

/**
 * derush_photo_model_labels_changed:
 * Re-runs the filter after labels changed (only when the filter looks at
 * labels): items that no longer match leave the view.
 */
void
derush_photo_model_labels_changed(DerushPhotoModel *self)
{
  if (self->filter_mode != DERUSH_FILTER_ALL || self->hide_labelled)
    gtk_filter_changed(GTK_FILTER(self->filter), GTK_FILTER_CHANGE_DIFFERENT);
}

/* ------------------------------------------------------------ contents */

/** derush_photo_model_get_all: Returns: (transfer none): every photo of the folder, unfiltered. */
GListModel *
derush_photo_model_get_all(DerushPhotoModel *self)
{
  return G_LIST_MODEL(self->store);
}

guint
derush_photo_model_get_n_photos(DerushPhotoModel *self)
{
  return g_hash_table_size(self->by_id);
}

/** derush_photo_model_lookup_id: Returns: (transfer none) (nullable): the photo with catalog id
 * @id. */
DerushPhotoItem *
derush_photo_model_lookup_id(DerushPhotoModel *self, gint64 id)
{
  return g_hash_table_lookup(self->by_id, &id);
}

/** derush_photo_model_lookup_path: Returns: (transfer none) (nullable): the photo at @path. */
DerushPhotoItem *
derush_photo_model_lookup_path(DerushPhotoModel *self, const char *path)
{
  return g_hash_table_lookup(self->by_path, path);
}

/** derush_photo_model_foreach: calls @func on every photo, in no particular order. */
void
derush_photo_model_foreach(DerushPhotoModel *self, GFunc func, gpointer user_data)
{
  GHashTableIter iter;
  gpointer value;
  g_hash_table_iter_init(&iter, self->by_id);
  while (g_hash_table_iter_next(&iter, NULL, &value))
    func(value, user_data);
}

/** derush_photo_model_set_folder: the folder the photos' search keys are relative to. */
void
derush_photo_model_set_folder(DerushPhotoModel *self, const char *folder)
{
  g_free(self->folder);
  self->folder = g_strdup(folder);
}

/** derush_photo_model_clear: removes every photo and the analysis (another folder, a reload). */
void
derush_photo_model_clear(DerushPhotoModel *self)
{
  g_hash_table_remove_all(self->by_id);
  g_hash_table_remove_all(self->by_path);
  g_list_store_remove_all(self->store);
  derush_analysis_table_publish(self->analysis_table, NULL);
}

static void
index_item(DerushPhotoModel *self, DerushPhotoItem *item)
{
  const DerushPhoto *p = derush_photo_item_get_photo(item);
  g_hash_table_insert(self->by_id, (gpointer)&p->id, item);
  g_hash_table_insert(self->by_path, p->path, item);
  derush_photo_item_set_analysis_table(item, self->analysis_table);
}

/** derush_photo_model_append: adds a chunk of the loader's items, in one splice. */
void
derush_photo_model_append(DerushPhotoModel *self, GPtrArray *items)
{
  for (guint i = 0; i < items->len; i++)
    index_item(self, items->pdata[i]);
  /* One splice per chunk: the filter and sort models see one change. */
  g_list_store_splice(self->store, g_list_model_get_n_items(G_LIST_MODEL(self->store)), 0,
                      items->pdata, items->len);
}

/**
 * derush_photo_model_apply_changes:
 * @replaced: new items for ids already here (swapped in where the old ones sit)
 * @removed: (element-type gint64): ids that left the folder
 * @relabeled: (element-type DerushRelabel): decisions that changed
 *
 * What a rescan of a folder shown before its scan found. One pass over
 * the store finds the first two; it only runs when something changed.
 */
void
derush_photo_model_apply_changes(DerushPhotoModel *self, GPtrArray *replaced, GArray *removed,
                                 GArray *relabeled)
{
  for (guint i = 0; i < relabeled->len; i++) {
    const DerushRelabel *r = &g_array_index(relabeled, DerushRelabel, i);
    DerushPhotoItem *item = derush_photo_model_lookup_id(self, r->id);
    if (item)
      derush_photo_item_set_label(item, r->label, r->stars);
  }
  if (relabeled->len > 0)
    derush_photo_model_labels_changed(self);

  g_autoptr(GHashTable) todo = g_hash_table_new(g_int64_hash, g_int64_equal);
  for (guint i = 0; i < replaced->len; i++)
    g_hash_table_insert(todo, (gpointer)&derush_photo_item_get_photo(replaced->pdata[i])->id,
                        replaced->pdata[i]);
  for (guint i = 0; i < removed->len; i++)
    g_hash_table_insert(todo, &g_array_index(removed, gint64, i), NULL);

  GListModel *store = G_LIST_MODEL(self->store);
  g_autoptr(GArray) hits = g_array_new(FALSE, FALSE, sizeof(guint));
  guint n = g_list_model_get_n_items(store);
  for (guint i = 0; i < n && hits->len < g_hash_table_size(todo); i++) {
    g_autoptr(DerushPhotoItem) item = g_list_model_get_item(store, i);
    gint64 id = derush_photo_item_get_id(item);
    if (g_hash_table_contains(todo, &id))
      g_array_append_val(hits, i);
  }
  /* From the end, so the positions still to visit stay valid. */
  for (guint j = hits->len; j-- > 0;) {
    guint pos = g_array_index(hits, guint, j);
    g_autoptr(DerushPhotoItem) old = g_list_model_get_item(store, pos);
    const DerushPhoto *p = derush_photo_item_get_photo(old);
    DerushPhotoItem *item = g_hash_table_lookup(todo, &p->id);
    if (g_hash_table_lookup(self->by_path, p->path) == old)
      g_hash_table_remove(self->by_path, p->path);
    g_hash_table_remove(self->by_id, &p->id);
    if (item) {
      index_item(self, item);
      g_list_store_splice(self->store, pos, 1, (gpointer *)&item, 1);
    } else {
      g_list_store_remove(self->store, pos);
    }
  }
}

/* ------------------------------------------------------------ analysis */

/**
 * derush_photo_model_publish_analysis:
 * @table: photo id (gint64*) -> DerushPhotoAnalysis*, from the analyzer.
 *
 * Publishes the whole table at once (O(1): each item looks its record up
 * when next asked). The filter and the sort are told only when they read
 * the analysis; telling the items on screen is the view's job.
 */
void
derush_photo_model_publish_analysis(DerushPhotoModel *self, GHashTable *table)
{
  derush_analysis_table_publish(self->analysis_table, g_hash_table_ref(table));
  if (self->filter_mode == DERUSH_FILTER_BEST ||
      self->filter_mode == DERUSH_FILTER_PREDICTED_TRASH ||
      self->filter_mode == DERUSH_FILTER_UNSURE || self->filter_mode == DERUSH_FILTER_CLOSED_EYES)
    gtk_filter_changed(GTK_FILTER(self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  if (self->sort_mode == DERUSH_SORT_GROUP || self->sort_mode == DERUSH_SORT_SHARPNESS ||
      self->sort_mode == DERUSH_SORT_P_KEEP)
    gtk_sorter_changed(GTK_SORTER(self->sorter), GTK_SORTER_CHANGE_DIFFERENT);
}

/**
 * derush_photo_model_get_analysis_counts:
 * @grouped: (out): photos in a burst or near-duplicate group (a RAW+JPEG
 *   pair counts once, as it shows)
 * @best: (out): best picks among them
 * @flagged: (out): photos with a blur or exposure warning
 */
void
derush_photo_model_get_analysis_counts(DerushPhotoModel *self, guint *grouped, guint *best,
                                       guint *flagged)
{
  *grouped = *best = *flagged = 0;
  GHashTableIter iter;
  gpointer value;
  g_hash_table_iter_init(&iter, self->by_id);
  while (g_hash_table_iter_next(&iter, NULL, &value)) {
    if (is_raw_half(value))
      continue;
    const DerushPhotoAnalysis *a = derush_photo_item_get_analysis(value);
    *grouped += a->group_id != 0;
    *best += a->group_id != 0 && a->is_best;
    *flagged += derush_photo_text_warning(a) != NULL;
  }
}

/**
 * derush_photo_model_get_stats:
 * Counts labels and unreadable photos in one pass over the items (no
 * SQL): ~1 ms at 100k photos. A RAW+JPEG pair counts once, as it shows
 * as one cell. @stats->selected is left to the caller.
 */
void
derush_photo_model_get_stats(DerushPhotoModel *self, DerushDatasetStats *stats)
{
  *stats = (DerushDatasetStats){0};
  guint n = g_list_model_get_n_items(G_LIST_MODEL(self->store));
  for (guint i = 0; i < n; i++) {
    DerushPhotoItem *item = g_list_model_get_item(G_LIST_MODEL(self->store), i);
    if (!is_raw_half(item)) {
      const DerushPhoto *p = derush_photo_item_get_photo(item);
      stats->total++;
      stats->keep += p->label == DERUSH_LABEL_KEEP;
      stats->trash += p->label == DERUSH_LABEL_TRASH;
      stats->unreadable += p->status != DERUSH_PHOTO_OK; /* unreadable or missing */
    }
    g_object_unref(item);
  }
  stats->labelled = stats->keep + stats->trash;
  stats->unlabelled = stats->total - stats->labelled;
  stats->shown = g_list_model_get_n_items(G_LIST_MODEL(self->sort_model));
}

static int
compare_members(gconstpointer a, gconstpointer b)
{
  DerushPhotoItem *ia = *(DerushPhotoItem **)a, *ib = *(DerushPhotoItem **)b;
  gboolean ba = derush_photo_item_get_analysis(ia)->is_best;
  gboolean bb = derush_photo_item_get_analysis(ib)->is_best;
  if (ba != bb)
    return ba ? -1 : 1;
  gint64 ta = sort_time(ia), tb = sort_time(ib);
  return ta < tb ? -1 : ta > tb;
}

/**
 * derush_photo_model_get_group:
 * @current: a photo in a group.
 *
 * The photos of @current's group here, @current included: the best pick
 * first, then by time. A pass over the items, no query: ~1 ms at 100k.
 *
 * Returns: (transfer container): the members (borrowed items); empty when
 *   @current is in no group.
 */
GPtrArray *
derush_photo_model_get_group(DerushPhotoModel *self, DerushPhotoItem *current)
{
  GPtrArray *members = g_ptr_array_new();
  gint64 group = derush_photo_item_get_analysis(current)->group_id;
  if (!group)
    return members;
  GHashTableIter iter;
  gpointer value;
  g_hash_table_iter_init(&iter, self->by_id);
  while (g_hash_table_iter_next(&iter, NULL, &value))
    if (value != current && derush_photo_item_get_analysis(value)->group_id == group)
      g_ptr_array_add(members, value);
  g_ptr_array_add(members, current);
  g_ptr_array_sort(members, compare_members);
  return members;
}

/* ------------------------------------------------------------ GObject */

static void
derush_photo_model_dispose(GObject *object)
{
  DerushPhotoModel *self = DERUSH_PHOTO_MODEL(object);
  if (self->sort_model)
    g_signal_handlers_disconnect_by_data(self->sort_model, self);
  g_clear_object(&self->sort_model);
  g_clear_object(&self->filter_model);
  g_clear_object(&self->sorter);
  g_clear_object(&self->filter);
  g_clear_object(&self->store);
  g_clear_pointer(&self->by_id, g_hash_table_unref);
  g_clear_pointer(&self->by_path, g_hash_table_unref);
  g_clear_object(&self->analysis_table);
  G_OBJECT_CLASS(derush_photo_model_parent_class)->dispose(object);
}

static void
derush_photo_model_finalize(GObject *object)
{
  DerushPhotoModel *self = DERUSH_PHOTO_MODEL(object);
  g_free(self->folder);
  g_free(self->search_key);
  G_OBJECT_CLASS(derush_photo_model_parent_class)->finalize(object);
}

static void
derush_photo_model_class_init(DerushPhotoModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS(klass);
  object_class->dispose = derush_photo_model_dispose;
  object_class->finalize = derush_photo_model_finalize;
}

static void
derush_photo_model_init(DerushPhotoModel *self)
{
  self->by_id = g_hash_table_new(g_int64_hash, g_int64_equal);
  self->by_path = g_hash_table_new(g_str_hash, g_str_equal);
  self->analysis_table = derush_analysis_table_new();
  self->store = g_list_store_new(DERUSH_TYPE_PHOTO_ITEM);
  self->filter = gtk_custom_filter_new(filter_func, self, NULL);
  self->filter_model = gtk_filter_list_model_new(G_LIST_MODEL(g_object_ref(self->store)),
                                                 GTK_FILTER(g_object_ref(self->filter)));
  self->sorter = gtk_custom_sorter_new(sort_func, self, NULL);
  self->sort_model = gtk_sort_list_model_new(G_LIST_MODEL(g_object_ref(self->filter_model)),
                                             GTK_SORTER(g_object_ref(self->sorter)));
  g_signal_connect(self->sort_model, "items-changed", G_CALLBACK(sorted_items_changed_cb), self);
}

/** derush_photo_model_new: Returns: (transfer full): an empty model. */
DerushPhotoModel *
derush_photo_model_new(void)
{
  return g_object_new(DERUSH_TYPE_PHOTO_MODEL, NULL);
}
