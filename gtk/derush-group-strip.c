/* derush-group-strip.c: the current photo's group as a row of thumbnails.
 *
 * The side panel shows, under the decision buttons, every member of the
 * smallest group the current photo is in: its burst or near-duplicate set,
 * else its session. Members run in capture order, the group's best pick
 * carries a star, the current photo is ringed, and a click selects that
 * photo in the grid through the window's win.select-photo action (the
 * panel only shows state, as its buttons do).
 *
 * A session can hold thousands of photos, so the strip is a horizontal
 * GtkListView over a GListStore of members: only the cells on screen are
 * widgets (STYLE.md, anti-pattern 1). Cells pin their item and ask the
 * window's DerushThumbnailer for a small texture, as grid cells do: the
 * decode runs on its workers, and a texture the grid already holds is
 * reused as it is.
 *
 * Which photos share a group is read from the items' analysis records, not
 * from the catalog: one pass over the folder's photos builds an index (id
 * -> members) after each analysis or change of the photo list, then every
 * selection change is a lookup.
 *
 * Over 600 lines: the strip's model, its cells and their thumbnails; the
 * cells serve only this strip.
 */
#include "derush-group-strip.h"

#define CELL 64 /* thumbnail side, logical pixels */
#define RADIUS 6.0f

/* ------------------------------------------------------------ cell */

#define DERUSH_TYPE_STRIP_CELL (derush_strip_cell_get_type())
G_DECLARE_FINAL_TYPE(DerushStripCell, derush_strip_cell, DERUSH, STRIP_CELL, GtkWidget)

struct _DerushStripCell {
  GtkWidget parent_instance;
  DerushGroupStrip *strip; /* (unowned): the strip outlives its cells' use */
  DerushPhotoItem *item;
  GSignalGroup *item_signals;
};

G_DEFINE_FINAL_TYPE(DerushStripCell, derush_strip_cell, GTK_TYPE_WIDGET)

struct _DerushGroupStrip {
  GtkWidget parent_instance;

  GtkWidget *scroller;
  GtkWidget *list_view;
  GListStore *members; /* DerushPhotoItem, in capture order */
  DerushThumbnailer *thumbnailer;
  GListModel *photos; /* every photo of the folder (the window's store) */

  /* index, built on demand: gint64 id -> GPtrArray of DerushPhotoItem
   * (borrowed from @photos, dropped whenever @photos changes) */
  GHashTable *bursts;
  GHashTable *near_dups;
  GHashTable *sessions;

  DerushPhotoItem *current;
  int center_on; /* the member to centre once the strip is laid out; -1: none */
  guint center_tick;
  DerushStripKind kind;
  gint64 shown_id; /* the group or session in @members */
};

G_DEFINE_FINAL_TYPE(DerushGroupStrip, derush_group_strip, GTK_TYPE_WIDGET)

enum { PROP_0, PROP_CURRENT, N_PROPS };
static GParamSpec *properties[N_PROPS];

enum { SIGNAL_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static const GdkRGBA keep_color = {0.18f, 0.76f, 0.49f, 1.0f};  /* Adwaita green 3 */
static const GdkRGBA trash_color = {0.88f, 0.11f, 0.14f, 1.0f}; /* Adwaita red 3 */
static const GdkRGBA star_color = {0.96f, 0.83f, 0.18f, 1.0f};  /* Adwaita yellow 3 */
static const GdkRGBA dark = {0.1f, 0.1f, 0.1f, 1.0f};
static const GdkRGBA white = {1.0f, 1.0f, 1.0f, 1.0f};

static void
cell_request_thumbnail(DerushStripCell *self)
{
  if (!self->item || !self->strip->thumbnailer)
    return;
  /* The long edge that covers the square for photos up to 16:9. */
  int scale = gtk_widget_get_scale_factor(GTK_WIDGET(self));
  derush_thumbnailer_request(self->strip->thumbnailer, self->item, CELL * 16 / 9 * scale);
}

static void
cell_update_current(DerushStripCell *self)
{
  if (self->item && self->item == self->strip->current)
    gtk_widget_add_css_class(GTK_WIDGET(self), "current");
  else
    gtk_widget_remove_css_class(GTK_WIDGET(self), "current");
}

static void
cell_texture_changed_cb(DerushStripCell *self)
{
  if (self->item && !derush_photo_item_get_texture(self->item))
    cell_request_thumbnail(self);
  gtk_widget_queue_draw(GTK_WIDGET(self));
}

/* A round badge of @diameter at (x, y), with @text centred. */
static void
snapshot_badge(DerushStripCell *self, GtkSnapshot *snapshot, float x, float y, float diameter,
               const char *text, const GdkRGBA *bg, const GdkRGBA *fg)
{
  GskRoundedRect rr;
  graphene_rect_t r = GRAPHENE_RECT_INIT(x, y, diameter, diameter);
  gsk_rounded_rect_init_from_rect(&rr, &r, diameter / 2);
  gtk_snapshot_push_rounded_clip(snapshot, &rr);
  gtk_snapshot_append_color(snapshot, bg, &r);
  gtk_snapshot_pop(snapshot);
  PangoLayout *layout = gtk_widget_create_pango_layout(GTK_WIDGET(self), NULL);
  g_autofree char *markup =
      g_markup_printf_escaped("<span weight='bold' size='x-small'>%s</span>", text);
  pango_layout_set_markup(layout, markup, -1);
  int tw, th;
  pango_layout_get_pixel_size(layout, &tw, &th);
  gtk_snapshot_save(snapshot);
  gtk_snapshot_translate(snapshot,
                         &GRAPHENE_POINT_INIT(x + (diameter - tw) / 2, y + (diameter - th) / 2));
  gtk_snapshot_append_layout(snapshot, layout, fg);
  gtk_snapshot_restore(snapshot);
  g_object_unref(layout);
}

static void
derush_strip_cell_snapshot(GtkWidget *widget, GtkSnapshot *snapshot)
{
  DerushStripCell *self = DERUSH_STRIP_CELL(widget);
  if (!self->item)
    return;
  float w = gtk_widget_get_width(widget), h = gtk_widget_get_height(widget);
  graphene_rect_t frame = GRAPHENE_RECT_INIT(0, 0, w, h);
  GskRoundedRect rounded;
  gsk_rounded_rect_init_from_rect(&rounded, &frame, RADIUS);
  gtk_snapshot_push_rounded_clip(snapshot, &rounded);
  GdkTexture *texture = derush_photo_item_get_texture(self->item);
  if (texture) {
    /* Cropped to the square: a strip of even tiles reads as one row. */
    float tw = gdk_texture_get_width(texture), th = gdk_texture_get_height(texture);
    float s = MAX(w / tw, h / th);
    gtk_snapshot_append_texture(
        snapshot, texture, &GRAPHENE_RECT_INIT((w - tw * s) / 2, (h - th * s) / 2, tw * s, th * s));
  } else {
    GdkRGBA fg;
    gtk_style_context_get_color(gtk_widget_get_style_context(widget), &fg);
    fg.alpha = 0.08f;
    gtk_snapshot_append_color(snapshot, &fg, &frame);
  }
  gtk_snapshot_pop(snapshot);

  if (derush_group_strip_is_best(self->strip, self->item))
    snapshot_badge(self, snapshot, 3, h - 19, 16, "★", &star_color, &dark);
  DerushLabel label = derush_photo_item_get_label(self->item);
  if (label != DERUSH_LABEL_NONE)
    snapshot_badge(self, snapshot, w - 19, 3, 16, label == DERUSH_LABEL_KEEP ? "✓" : "✕",
                   label == DERUSH_LABEL_KEEP ? &keep_color : &trash_color, &white);
}

static void
derush_strip_cell_measure(GtkWidget *widget, GtkOrientation orientation, int for_size, int *minimum,
                          int *natural, int *minimum_baseline, int *natural_baseline)
{
  *minimum = *natural = CELL;
}

static gboolean
cell_query_tooltip_cb(GtkWidget *widget, int x, int y, gboolean keyboard, GtkTooltip *tooltip,
                      gpointer data)
{
  DerushStripCell *self = DERUSH_STRIP_CELL(widget);
  if (!self->item)
    return FALSE;
  DerushLabel label = derush_photo_item_get_label(self->item);
  g_autofree char *text =
      g_strdup_printf("%s%s%s", derush_photo_item_get_display_name(self->item),
                      derush_group_strip_is_best(self->strip, self->item) ? "\nBest pick" : "",
                      label == DERUSH_LABEL_KEEP    ? "\nKeep"
                      : label == DERUSH_LABEL_TRASH ? "\nTrash"
                                                    : "");
  gtk_tooltip_set_text(tooltip, text);
  return TRUE;
}

static void
cell_set_item(DerushStripCell *self, DerushPhotoItem *item)
{
  if (self->item == item)
    return;
  if (self->item) {
    derush_photo_item_unpin(self->item);
    if (!derush_photo_item_is_pinned(self->item))
      derush_photo_item_cancel(self->item);
    g_clear_object(&self->item);
  }
  if (item) {
    self->item = g_object_ref(item);
    derush_photo_item_pin(item);
    cell_request_thumbnail(self);
  }
  g_signal_group_set_target(self->item_signals, item);
  cell_update_current(self);
  gtk_widget_queue_draw(GTK_WIDGET(self));
}

static void
derush_strip_cell_dispose(GObject *object)
{
  DerushStripCell *self = DERUSH_STRIP_CELL(object);
  cell_set_item(self, NULL);
  g_clear_object(&self->item_signals);
  G_OBJECT_CLASS(derush_strip_cell_parent_class)->dispose(object);
}

static void
derush_strip_cell_class_init(DerushStripCellClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS(klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);
  object_class->dispose = derush_strip_cell_dispose;
  widget_class->snapshot = derush_strip_cell_snapshot;
  widget_class->measure = derush_strip_cell_measure;
  gtk_widget_class_set_css_name(widget_class, "derush-strip-cell");
}

static void
derush_strip_cell_init(DerushStripCell *self)
{
  self->item_signals = g_signal_group_new(DERUSH_TYPE_PHOTO_ITEM);
  g_signal_group_connect_swapped(self->item_signals, "notify::texture",
                                 G_CALLBACK(cell_texture_changed_cb), self);
  g_signal_group_connect_swapped(self->item_signals, "notify::label",
                                 G_CALLBACK(gtk_widget_queue_draw), self);
  g_signal_group_connect_swapped(self->item_signals, "notify::analysis",
                                 G_CALLBACK(gtk_widget_queue_draw), self);
  gtk_widget_set_has_tooltip(GTK_WIDGET(self), TRUE);
  g_signal_connect(self, "query-tooltip", G_CALLBACK(cell_query_tooltip_cb), NULL);
}

static GtkWidget *
strip_cell_new(DerushGroupStrip *strip)
{
  DerushStripCell *self = g_object_new(DERUSH_TYPE_STRIP_CELL, NULL);
  self->strip = strip;
  /* Connected to the cell: it goes when the cell does. */
  g_signal_connect_object(strip, "notify::current", G_CALLBACK(cell_update_current), self,
                          G_CONNECT_SWAPPED);
  return GTK_WIDGET(self);
}

/* ------------------------------------------------------------ strip */

static void
setup_cb(GtkSignalListItemFactory *factory, GtkListItem *list_item, DerushGroupStrip *self)
{
  gtk_list_item_set_child(list_item, strip_cell_new(self));
}

static void
bind_cb(GtkSignalListItemFactory *factory, GtkListItem *list_item, DerushGroupStrip *self)
{
  cell_set_item(DERUSH_STRIP_CELL(gtk_list_item_get_child(list_item)),
                gtk_list_item_get_item(list_item));
}

static void
unbind_cb(GtkSignalListItemFactory *factory, GtkListItem *list_item, DerushGroupStrip *self)
{
  cell_set_item(DERUSH_STRIP_CELL(gtk_list_item_get_child(list_item)), NULL);
}

static gint64
capture_time(DerushPhotoItem *item)
{
  const DerushPhoto *p = derush_photo_item_get_photo(item);
  return p->meta.time_source != DERUSH_TIME_NONE ? p->meta.capture_time_ns : p->mtime_ns;
}

static int
compare_time(gconstpointer a, gconstpointer b)
{
  DerushPhotoItem *ia = *(DerushPhotoItem **)a, *ib = *(DerushPhotoItem **)b;
  gint64 ta = capture_time(ia), tb = capture_time(ib);
  if (ta != tb)
    return ta < tb ? -1 : 1;
  return strcmp(derush_photo_item_get_photo(ia)->path, derush_photo_item_get_photo(ib)->path);
}

static void
index_add(GHashTable *index, gint64 id, DerushPhotoItem *item)
{
  GPtrArray *members = g_hash_table_lookup(index, &id);
  if (!members) {
    gint64 *key = g_new(gint64, 1);
    *key = id;
    members = g_ptr_array_new();
    g_hash_table_insert(index, key, members);
  }
  g_ptr_array_add(members, item);
}

static GHashTable *
index_new(void)
{
  return g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
                               (GDestroyNotify)g_ptr_array_unref);
}

/* One pass over the folder's photos: ~1 ms per 10k, once per analysis.
 * Bursts are the photos' own groups (a photo is in one burst at most); a
 * near-duplicate set counts every member, bursts' members included. */
static void
build_index(DerushGroupStrip *self)
{
  self->bursts = index_new();
  self->near_dups = index_new();
  self->sessions = index_new();
  self->shown_id = -1; /* the members may be other objects now: list them again */
  guint n = self->photos ? g_list_model_get_n_items(self->photos) : 0;
  for (guint i = 0; i < n; i++) {
    g_autoptr(DerushPhotoItem) item = g_list_model_get_item(self->photos, i);
    const DerushPhotoAnalysis *a = derush_photo_item_get_analysis(item);
    if (a->group_id && a->group_kind == DERUSH_GROUP_BURST)
      index_add(self->bursts, a->group_id, item);
    if (a->near_dup_id)
      index_add(self->near_dups, a->near_dup_id, item);
    if (a->session_id)
      index_add(self->sessions, a->session_id, item);
  }
  GHashTable *indexes[] = {self->bursts, self->near_dups, self->sessions};
  for (gsize i = 0; i < G_N_ELEMENTS(indexes); i++) {
    GHashTableIter iter;
    gpointer value;
    g_hash_table_iter_init(&iter, indexes[i]);
    while (g_hash_table_iter_next(&iter, NULL, &value))
      g_ptr_array_sort(value, compare_time);
  }
}

static void
drop_index(DerushGroupStrip *self)
{
  g_clear_pointer(&self->bursts, g_hash_table_unref);
  g_clear_pointer(&self->near_dups, g_hash_table_unref);
  g_clear_pointer(&self->sessions, g_hash_table_unref);
}

/* The members of group @id in @index, when at least two are in the folder. */
static GPtrArray *
lookup_members(GHashTable *index, gint64 id)
{
  GPtrArray *members = id ? g_hash_table_lookup(index, &id) : NULL;
  return members && members->len >= 2 ? members : NULL;
}

/* The current photo in the middle of the strip, its neighbours on both
 * sides (scroll-to-item only brings it to an edge). Cells all have the
 * same width, so the list's extent tells where each one is; until the
 * strip is laid out with its new members, this waits for the next
 * "changed" of the adjustment, then for the next frame: set from inside
 * the list's allocation, the value would be overruled by the list's own
 * anchor. */
static void
center_current(DerushGroupStrip *self)
{
  GtkAdjustment *adj = gtk_scrolled_window_get_hadjustment(GTK_SCROLLED_WINDOW(self->scroller));
  guint n = g_list_model_get_n_items(G_LIST_MODEL(self->members));
  double upper = gtk_adjustment_get_upper(adj), page = gtk_adjustment_get_page_size(adj);
  if (self->center_on < 0 || (guint)self->center_on >= n || page <= 0 || upper <= 0)
    return;
  double cell = upper / n;
  if (cell < CELL || cell > 2 * CELL)
    return; /* the list's extent is still the previous members' */
  double value = self->center_on * cell + cell / 2 - page / 2;
  self->center_on = -1;
  gtk_adjustment_set_value(adj, CLAMP(value, 0, MAX(upper - page, 0)));
}

static gboolean
center_tick_cb(GtkWidget *widget, GdkFrameClock *clock, gpointer data)
{
  DerushGroupStrip *self = data;
  self->center_tick = 0;
  center_current(self);
  return G_SOURCE_REMOVE;
}

static void
adjustment_changed_cb(GtkAdjustment *adj, DerushGroupStrip *self)
{
  if (self->center_on >= 0 && !self->center_tick)
    self->center_tick = gtk_widget_add_tick_callback(GTK_WIDGET(self), center_tick_cb, self, NULL);
}

/* Shows the current photo's smallest group (or nothing). */
static void
refresh(DerushGroupStrip *self)
{
  DerushStripKind kind = DERUSH_STRIP_NONE;
  GPtrArray *members = NULL;
  gint64 id = 0;
  if (self->current) {
    if (!self->bursts)
      build_index(self);
    const DerushPhotoAnalysis *a = derush_photo_item_get_analysis(self->current);
    gint64 burst = a->group_kind == DERUSH_GROUP_BURST ? a->group_id : 0;
    if ((members = lookup_members(self->bursts, burst))) {
      kind = DERUSH_STRIP_BURST;
      id = burst;
    } else if ((members = lookup_members(self->near_dups, a->near_dup_id))) {
      kind = DERUSH_STRIP_NEAR_DUP;
      id = a->near_dup_id;
    } else if ((members = lookup_members(self->sessions, a->session_id))) {
      kind = DERUSH_STRIP_SESSION;
      id = a->session_id;
    }
  }
  if (kind != self->kind || id != self->shown_id ||
      g_list_model_get_n_items(G_LIST_MODEL(self->members)) != (members ? members->len : 0)) {
    self->kind = kind;
    self->shown_id = id;
    g_list_store_splice(self->members, 0, g_list_model_get_n_items(G_LIST_MODEL(self->members)),
                        members ? members->pdata : NULL, members ? members->len : 0);
  }
  gtk_widget_set_visible(GTK_WIDGET(self), kind != DERUSH_STRIP_NONE);
  guint position;
  self->center_on = -1;
  if (members && g_ptr_array_find(members, self->current, &position)) {
    gtk_widget_activate_action(self->list_view, "list.scroll-to-item", "u", position);
    self->center_on = position;
    center_current(self);
  }
  g_signal_emit(self, signals[SIGNAL_CHANGED], 0);
}

static void
photos_changed_cb(GListModel *photos, guint position, guint removed, guint added,
                  DerushGroupStrip *self)
{
  drop_index(self);
  /* A strip on screen may show items that just left; while a folder is
   * loading (nothing shown yet) the index waits for the next lookup. */
  if (self->kind != DERUSH_STRIP_NONE)
    refresh(self);
}

static void
activate_cb(GtkListView *list_view, guint position, DerushGroupStrip *self)
{
  derush_group_strip_activate(self, position);
}

static void
derush_group_strip_dispose(GObject *object)
{
  DerushGroupStrip *self = DERUSH_GROUP_STRIP(object);
  if (self->center_tick)
    gtk_widget_remove_tick_callback(GTK_WIDGET(self), self->center_tick);
  self->center_tick = 0;
  derush_group_strip_set_photos(self, NULL);
  g_clear_pointer(&self->scroller, gtk_widget_unparent);
  g_clear_object(&self->members);
  g_clear_object(&self->current);
  g_clear_object(&self->thumbnailer);
  G_OBJECT_CLASS(derush_group_strip_parent_class)->dispose(object);
}

static void
derush_group_strip_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  DerushGroupStrip *self = DERUSH_GROUP_STRIP(object);
  switch (prop_id) {
  case PROP_CURRENT:
    g_value_set_object(value, self->current);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
  }
}

static void
derush_group_strip_class_init(DerushGroupStripClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS(klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);
  object_class->dispose = derush_group_strip_dispose;
  object_class->get_property = derush_group_strip_get_property;

  properties[PROP_CURRENT] =
      g_param_spec_object("current", NULL, NULL, DERUSH_TYPE_PHOTO_ITEM,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties(object_class, N_PROPS, properties);

  /**
   * DerushGroupStrip::changed:
   * The group shown, its members or the current photo may have changed
   * (for a heading that names the group).
   */
  signals[SIGNAL_CHANGED] = g_signal_new("changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0,
                                         NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_layout_manager_type(widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name(widget_class, "derush-group-strip");
}

static void
derush_group_strip_init(DerushGroupStrip *self)
{
  self->members = g_list_store_new(DERUSH_TYPE_PHOTO_ITEM);

  GtkListItemFactory *factory = gtk_signal_list_item_factory_new();
  g_signal_connect(factory, "setup", G_CALLBACK(setup_cb), self);
  g_signal_connect(factory, "bind", G_CALLBACK(bind_cb), self);
  g_signal_connect(factory, "unbind", G_CALLBACK(unbind_cb), self);
  GtkNoSelection *model = gtk_no_selection_new(G_LIST_MODEL(g_object_ref(self->members)));
  self->list_view = gtk_list_view_new(GTK_SELECTION_MODEL(model), factory);
  gtk_orientable_set_orientation(GTK_ORIENTABLE(self->list_view), GTK_ORIENTATION_HORIZONTAL);
  gtk_list_view_set_single_click_activate(GTK_LIST_VIEW(self->list_view), TRUE);
  gtk_widget_add_css_class(self->list_view, "group-strip");
  g_signal_connect(self->list_view, "activate", G_CALLBACK(activate_cb), self);

  self->center_on = -1;
  self->scroller = gtk_scrolled_window_new();
  gtk_scrolled_window_set_policy(GTK_SCROLLED_WINDOW(self->scroller), GTK_POLICY_AUTOMATIC,
                                 GTK_POLICY_NEVER);
  gtk_scrolled_window_set_child(GTK_SCROLLED_WINDOW(self->scroller), self->list_view);
  gtk_widget_set_parent(self->scroller, GTK_WIDGET(self));
  g_signal_connect(gtk_scrolled_window_get_hadjustment(GTK_SCROLLED_WINDOW(self->scroller)),
                   "changed", G_CALLBACK(adjustment_changed_cb), self);
  gtk_widget_set_visible(GTK_WIDGET(self), FALSE);
}

/** derush_group_strip_new: Returns: (transfer floating): an empty strip (hidden). */
GtkWidget *
derush_group_strip_new(void)
{
  return g_object_new(DERUSH_TYPE_GROUP_STRIP, NULL);
}

/**
 * derush_group_strip_set_thumbnailer:
 * @thumbnailer: (nullable): where cells ask for their textures.
 */
void
derush_group_strip_set_thumbnailer(DerushGroupStrip *self, DerushThumbnailer *thumbnailer)
{
  g_return_if_fail(DERUSH_IS_GROUP_STRIP(self));
  g_set_object(&self->thumbnailer, thumbnailer);
}

/**
 * derush_group_strip_set_photos:
 * @photos: (nullable): every photo of the folder (DerushPhotoItem), where
 *   the members are looked up. Any change to it rebuilds the index.
 */
void
derush_group_strip_set_photos(DerushGroupStrip *self, GListModel *photos)
{
  g_return_if_fail(DERUSH_IS_GROUP_STRIP(self));
  if (self->photos == photos)
    return;
  if (self->photos)
    g_signal_handlers_disconnect_by_data(self->photos, self);
  g_set_object(&self->photos, photos);
  if (photos)
    g_signal_connect(photos, "items-changed", G_CALLBACK(photos_changed_cb), self);
  drop_index(self);
}

/**
 * derush_group_strip_groups_changed:
 * The analysis changed the groups: look the members up again.
 */
void
derush_group_strip_groups_changed(DerushGroupStrip *self)
{
  g_return_if_fail(DERUSH_IS_GROUP_STRIP(self));
  drop_index(self);
  refresh(self);
}

/**
 * derush_group_strip_set_current:
 * @item: (nullable): the photo whose group to show, ringed in the strip.
 */
void
derush_group_strip_set_current(DerushGroupStrip *self, DerushPhotoItem *item)
{
  g_return_if_fail(DERUSH_IS_GROUP_STRIP(self));
  gboolean changed = g_set_object(&self->current, item);
  refresh(self);
  if (changed)
    g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_CURRENT]);
}

/** derush_group_strip_get_current: Returns: (transfer none) (nullable): the photo ringed. */
DerushPhotoItem *
derush_group_strip_get_current(DerushGroupStrip *self)
{
  g_return_val_if_fail(DERUSH_IS_GROUP_STRIP(self), NULL);
  return self->current;
}

/** derush_group_strip_get_kind: Returns: the kind of group shown, NONE when hidden. */
DerushStripKind
derush_group_strip_get_kind(DerushGroupStrip *self)
{
  g_return_val_if_fail(DERUSH_IS_GROUP_STRIP(self), DERUSH_STRIP_NONE);
  return self->kind;
}

/**
 * derush_group_strip_get_members:
 * Returns: (transfer none): the members shown (DerushPhotoItem), in
 *   capture order; empty when the strip is hidden.
 */
GListModel *
derush_group_strip_get_members(DerushGroupStrip *self)
{
  g_return_val_if_fail(DERUSH_IS_GROUP_STRIP(self), NULL);
  return G_LIST_MODEL(self->members);
}

/**
 * derush_group_strip_is_best:
 * @item: a member.
 *
 * Returns: TRUE when @item is the best pick of the group shown (a
 *   session has none).
 */
gboolean
derush_group_strip_is_best(DerushGroupStrip *self, DerushPhotoItem *item)
{
  g_return_val_if_fail(DERUSH_IS_GROUP_STRIP(self), FALSE);
  const DerushPhotoAnalysis *a = derush_photo_item_get_analysis(item);
  switch (self->kind) {
  case DERUSH_STRIP_BURST:
    return a->is_best;
  case DERUSH_STRIP_NEAR_DUP:
    return a->near_dup_best;
  case DERUSH_STRIP_NONE:
  case DERUSH_STRIP_SESSION:
    break;
  }
  return FALSE;
}

/**
 * derush_group_strip_get_best:
 * Returns: (transfer none) (nullable): the best pick of the group shown.
 */
DerushPhotoItem *
derush_group_strip_get_best(DerushGroupStrip *self)
{
  g_return_val_if_fail(DERUSH_IS_GROUP_STRIP(self), NULL);
  GListModel *members = G_LIST_MODEL(self->members);
  for (guint i = 0; i < g_list_model_get_n_items(members); i++) {
    g_autoptr(DerushPhotoItem) item = g_list_model_get_item(members, i);
    if (derush_group_strip_is_best(self, item))
      return item; /* the store keeps it alive */
  }
  return NULL;
}

/**
 * derush_group_strip_activate:
 * @position: a member.
 *
 * What a click on it does: activates win.select-photo with its id.
 *
 * Returns: FALSE when there is no such member or no window to tell.
 */
gboolean
derush_group_strip_activate(DerushGroupStrip *self, guint position)
{
  g_return_val_if_fail(DERUSH_IS_GROUP_STRIP(self), FALSE);
  g_autoptr(DerushPhotoItem) item = g_list_model_get_item(G_LIST_MODEL(self->members), position);
  if (!item)
    return FALSE;
  return gtk_widget_activate_action(GTK_WIDGET(self), "win.select-photo", "x",
                                    derush_photo_item_get_id(item));
}
