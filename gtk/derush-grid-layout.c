/* derush-grid-layout.c: what the grid lays out, photos and row-ending spacers.
 *
 * In the "By Group" sort a group should start on a row of its own, under
 * its header, and what follows it on the next row: a group that starts
 * mid-row reads as part of the one before. GtkGridView has no section
 * headers before GTK 4.12 (GtkSectionModel) and no item spanning columns,
 * so this model puts spacer items at the end of the row before each
 * group's first photo and after its last: with the grid's column count,
 * every group's first photo falls in column 0. The grid binds a spacer to
 * a recycled cell like any other item and the cell draws nothing; the
 * window maps positions here to photos and back, so the selection, the
 * labels and the arrow keys act on photos only.
 *
 * In the other sorts (and with one column) there are no spacers: the
 * model forwards the photos' changes as they come, position for position.
 * With spacers, a change of the photos (or of the column count) lays the
 * grid out again (one pass over the photos) and tells the
 * grid only the span that differs, so the cells and the selection outside
 * it stay as they were.
 */
#include "derush-grid-layout.h"
#include "derush-photo-text.h"

/* A photo of the old layout that the change removed (never equal to any
 * new slot). */
#define GONE (G_MAXUINT - 1)

/* ------------------------------------------------------------ spacer */

/* An empty slot of the grid; the model makes one each time it is asked. */
#define DERUSH_TYPE_GRID_SPACER (derush_grid_spacer_get_type())
G_DECLARE_FINAL_TYPE(DerushGridSpacer, derush_grid_spacer, DERUSH, GRID_SPACER, GObject)

struct _DerushGridSpacer {
  GObject parent_instance;
};

G_DEFINE_FINAL_TYPE(DerushGridSpacer, derush_grid_spacer, G_TYPE_OBJECT)

static void
derush_grid_spacer_class_init(DerushGridSpacerClass *klass)
{
}

static void
derush_grid_spacer_init(DerushGridSpacer *self)
{
}

/* ------------------------------------------------------------ layout */

struct _DerushGridLayout {
  GObject parent_instance;

  GListModel *photos; /* the shown photos, in order */
  gboolean grouped;
  guint columns;
  /* With spacers: the photo at each position (DERUSH_GRID_NONE for a
   * spacer) and the position of each photo. NULL: none, position = photo. */
  GArray *slots;
  GArray *where;
  guint n_spacers;
};

static void derush_grid_layout_list_model_init(GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE(DerushGridLayout, derush_grid_layout, G_TYPE_OBJECT,
                              G_IMPLEMENT_INTERFACE(G_TYPE_LIST_MODEL,
                                                    derush_grid_layout_list_model_init))

static guint
n_slots(DerushGridLayout *self)
{
  return self->slots ? self->slots->len : g_list_model_get_n_items(self->photos);
}

static guint
slot_at(DerushGridLayout *self, guint position)
{
  return self->slots ? g_array_index(self->slots, guint, position) : position;
}

static GType
get_item_type(GListModel *list)
{
  return G_TYPE_OBJECT; /* DerushPhotoItem, or a spacer */
}

static guint
get_n_items(GListModel *list)
{
  return n_slots(DERUSH_GRID_LAYOUT(list));
}

static gpointer
get_item(GListModel *list, guint position)
{
  DerushGridLayout *self = DERUSH_GRID_LAYOUT(list);
  if (!self->slots)
    return g_list_model_get_item(self->photos, position);
  if (position >= self->slots->len)
    return NULL;
  guint photo = g_array_index(self->slots, guint, position);
  if (photo == DERUSH_GRID_NONE)
    return g_object_new(DERUSH_TYPE_GRID_SPACER, NULL);
  return g_list_model_get_item(self->photos, photo);
}

static void
derush_grid_layout_list_model_init(GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

/* Lays the photos out again: a group starts a row, and so does what
 * follows it (photos in no group run on together). */
static void
rebuild(DerushGridLayout *self)
{
  g_clear_pointer(&self->slots, g_array_unref);
  g_clear_pointer(&self->where, g_array_unref);
  self->n_spacers = 0;
  if (!self->grouped || self->columns < 2)
    return;
  guint n = g_list_model_get_n_items(self->photos);
  GArray *slots = g_array_sized_new(FALSE, FALSE, sizeof(guint), n + n / 4);
  GArray *where = g_array_sized_new(FALSE, FALSE, sizeof(guint), n);
  const guint spacer = DERUSH_GRID_NONE;
  gint64 previous = 0;
  for (guint i = 0; i < n; i++) {
    gint64 group = derush_group_at(self->photos, i);
    if (i > 0 && group != previous && (group || previous)) {
      guint column = slots->len % self->columns;
      for (guint k = column ? self->columns - column : 0; k > 0; k--) {
        g_array_append_val(slots, spacer);
        self->n_spacers++;
      }
    }
    g_array_append_val(where, slots->len);
    g_array_append_val(slots, i);
    previous = group;
  }
  if (self->n_spacers == 0) {
    g_array_unref(slots);
    g_array_unref(where);
    return;
  }
  self->slots = slots;
  self->where = where;
}

/* The layout as it is, photos numbered as @p, @removed, @added will
 * number them (the photos' change about to be applied), for diff(). */
static GArray *
snapshot_slots(DerushGridLayout *self, guint n, guint p, guint removed, guint added)
{
  GArray *old = g_array_sized_new(FALSE, FALSE, sizeof(guint), n);
  g_array_set_size(old, n);
  for (guint i = 0; i < n; i++) {
    guint q = self->slots ? g_array_index(self->slots, guint, i) : i;
    if (q != DERUSH_GRID_NONE && q >= p)
      q = q >= p + removed ? q - removed + added : GONE;
    g_array_index(old, guint, i) = q;
  }
  return old;
}

/* Tells the grid the one span where @old and the new layout differ. */
static void
diff(DerushGridLayout *self, GArray *old)
{
  guint old_len = old->len, new_len = n_slots(self);
  guint prefix = 0, suffix = 0;
  while (prefix < old_len && prefix < new_len &&
         g_array_index(old, guint, prefix) == slot_at(self, prefix))
    prefix++;
  while (suffix < old_len - prefix && suffix < new_len - prefix &&
         g_array_index(old, guint, old_len - 1 - suffix) == slot_at(self, new_len - 1 - suffix))
    suffix++;
  guint removed = old_len - prefix - suffix, added = new_len - prefix - suffix;
  if (removed || added)
    g_list_model_items_changed(G_LIST_MODEL(self), prefix, removed, added);
}

static void
photos_changed_cb(GListModel *photos, guint p, guint removed, guint added, DerushGridLayout *self)
{
  if (!self->slots && (!self->grouped || self->columns < 2)) {
    g_list_model_items_changed(G_LIST_MODEL(self), p, removed, added); /* no spacers */
    return;
  }
  guint before =
      self->slots ? self->slots->len : g_list_model_get_n_items(photos) - added + removed;
  g_autoptr(GArray) old = snapshot_slots(self, before, p, removed, added);
  rebuild(self);
  diff(self, old);
}

/* Lays out again after a change of the layout itself (the photos stay). */
static void
relayout(DerushGridLayout *self)
{
  guint n = n_slots(self);
  g_autoptr(GArray) old = snapshot_slots(self, n, G_MAXUINT, 0, 0);
  rebuild(self);
  diff(self, old);
}

static void
derush_grid_layout_dispose(GObject *object)
{
  DerushGridLayout *self = DERUSH_GRID_LAYOUT(object);
  if (self->photos)
    g_signal_handlers_disconnect_by_data(self->photos, self);
  g_clear_object(&self->photos);
  G_OBJECT_CLASS(derush_grid_layout_parent_class)->dispose(object);
}

static void
derush_grid_layout_finalize(GObject *object)
{
  DerushGridLayout *self = DERUSH_GRID_LAYOUT(object);
  g_clear_pointer(&self->slots, g_array_unref);
  g_clear_pointer(&self->where, g_array_unref);
  G_OBJECT_CLASS(derush_grid_layout_parent_class)->finalize(object);
}

static void
derush_grid_layout_class_init(DerushGridLayoutClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS(klass);
  object_class->dispose = derush_grid_layout_dispose;
  object_class->finalize = derush_grid_layout_finalize;
}

static void
derush_grid_layout_init(DerushGridLayout *self)
{
  self->columns = 1;
}

/**
 * derush_grid_layout_new:
 * @photos: the shown photos, in the grid's order (DerushPhotoItems).
 * Returns: (transfer full): the grid's items over @photos, with no
 *   spacers until derush_grid_layout_set_grouped().
 */
DerushGridLayout *
derush_grid_layout_new(GListModel *photos)
{
  g_return_val_if_fail(G_IS_LIST_MODEL(photos), NULL);
  DerushGridLayout *self = g_object_new(DERUSH_TYPE_GRID_LAYOUT, NULL);
  self->photos = g_object_ref(photos);
  g_signal_connect(photos, "items-changed", G_CALLBACK(photos_changed_cb), self);
  return self;
}

/**
 * derush_grid_layout_set_grouped:
 * @grouped: TRUE in the "By Group" sort: each group starts a row.
 */
void
derush_grid_layout_set_grouped(DerushGridLayout *self, gboolean grouped)
{
  g_return_if_fail(DERUSH_IS_GRID_LAYOUT(self));
  if (self->grouped == !!grouped)
    return;
  self->grouped = !!grouped;
  relayout(self);
}

/**
 * derush_grid_layout_set_columns:
 * @columns: how many columns the grid shows (its max-columns, which the
 *   window keeps at what the width holds).
 */
void
derush_grid_layout_set_columns(DerushGridLayout *self, guint columns)
{
  g_return_if_fail(DERUSH_IS_GRID_LAYOUT(self));
  columns = MAX(columns, 1);
  if (self->columns == columns)
    return;
  self->columns = columns;
  if (self->grouped)
    relayout(self);
}

/**
 * derush_grid_layout_groups_changed:
 *
 * The photos' groups changed where they stand (an analysis that split or
 * joined groups without moving a photo, so the sort had nothing to say):
 * lays the rows out again.
 */
void
derush_grid_layout_groups_changed(DerushGridLayout *self)
{
  g_return_if_fail(DERUSH_IS_GRID_LAYOUT(self));
  if (self->grouped)
    relayout(self);
}

/** derush_grid_layout_get_columns: Returns: the column count the spacers are laid out for. */
guint
derush_grid_layout_get_columns(DerushGridLayout *self)
{
  return self->columns;
}

/** derush_grid_layout_get_n_spacers: Returns: the spacers laid out now. */
guint
derush_grid_layout_get_n_spacers(DerushGridLayout *self)
{
  return self->n_spacers;
}

/** derush_grid_layout_is_spacer: Returns: TRUE when @item is a spacer, not a photo. */
gboolean
derush_grid_layout_is_spacer(gpointer item)
{
  return item && G_TYPE_CHECK_INSTANCE_TYPE(item, DERUSH_TYPE_GRID_SPACER);
}

/**
 * derush_grid_layout_get_photo:
 * @position: a position in the grid.
 * Returns: the index of the photo there in the photos' model, or
 *   DERUSH_GRID_NONE for a spacer or past the end.
 */
guint
derush_grid_layout_get_photo(DerushGridLayout *self, guint position)
{
  g_return_val_if_fail(DERUSH_IS_GRID_LAYOUT(self), DERUSH_GRID_NONE);
  return position < n_slots(self) ? slot_at(self, position) : DERUSH_GRID_NONE;
}

/**
 * derush_grid_layout_get_position:
 * @photo: an index in the photos' model.
 * Returns: where the grid shows it, or DERUSH_GRID_NONE past the end.
 */
guint
derush_grid_layout_get_position(DerushGridLayout *self, guint photo)
{
  g_return_val_if_fail(DERUSH_IS_GRID_LAYOUT(self), DERUSH_GRID_NONE);
  if (self->where)
    return photo < self->where->len ? g_array_index(self->where, guint, photo) : DERUSH_GRID_NONE;
  return photo < g_list_model_get_n_items(self->photos) ? photo : DERUSH_GRID_NONE;
}

/**
 * derush_grid_layout_get_photo_before:
 * @position: a position in the grid.
 *
 * Spacers only end rows, so the photo before one is on its row.
 *
 * Returns: the index of the photo at @position or, for a spacer, of the
 *   nearest photo before it; DERUSH_GRID_NONE past the end.
 */
guint
derush_grid_layout_get_photo_before(DerushGridLayout *self, guint position)
{
  g_return_val_if_fail(DERUSH_IS_GRID_LAYOUT(self), DERUSH_GRID_NONE);
  if (position >= n_slots(self))
    return DERUSH_GRID_NONE;
  for (guint t = position + 1; t-- > 0;)
    if (slot_at(self, t) != DERUSH_GRID_NONE)
      return slot_at(self, t);
  return DERUSH_GRID_NONE;
}

/**
 * derush_grid_layout_move_rows:
 * @photo: an index in the photos' model.
 * @rows: how many rows down (up when negative).
 * @columns: the grid's column count as the screen shows it; with spacers,
 *   the layout's own count is used, as it laid them out (a column can hold
 *   only spacers on screen, which counting the photos' cells misses).
 *
 * The Up and Down keys: the photo @rows rows away in @photo's column; where
 * that is a spacer (a group's last row is short), the last photo of that
 * row, so the keys never stop on an empty slot.
 *
 * Returns: the photo's index, or DERUSH_GRID_NONE past the grid's edge.
 */
guint
derush_grid_layout_move_rows(DerushGridLayout *self, guint photo, int rows, guint columns)
{
  g_return_val_if_fail(DERUSH_IS_GRID_LAYOUT(self), DERUSH_GRID_NONE);
  guint position = derush_grid_layout_get_position(self, photo);
  if (position == DERUSH_GRID_NONE)
    return DERUSH_GRID_NONE;
  if (self->slots)
    columns = self->columns;
  gint64 target = (gint64)position + (gint64)rows * MAX(columns, 1);
  if (target < 0)
    return DERUSH_GRID_NONE;
  return derush_grid_layout_get_photo_before(self, (guint)target);
}

/**
 * derush_grid_layout_count_photos:
 * @set: positions in the grid (a selection).
 * Returns: how many of them are photos.
 */
guint
derush_grid_layout_count_photos(DerushGridLayout *self, const GtkBitset *set)
{
  g_return_val_if_fail(DERUSH_IS_GRID_LAYOUT(self), 0);
  guint n = (guint)gtk_bitset_get_size(set);
  for (guint i = 0; self->slots && i < self->slots->len; i++)
    if (g_array_index(self->slots, guint, i) == DERUSH_GRID_NONE && gtk_bitset_contains(set, i))
      n--;
  return n;
}
