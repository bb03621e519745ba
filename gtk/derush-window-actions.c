/* derush-window-actions.c: DerushWindow's actions and keyboard table.
 *
 * Every command is a widget action (win.keep, win.stars-3, win.undo...),
 * so buttons, menus, shortcuts and the test replay take one path. The
 * keyboard lives in two tables:
 * - window_keys: class binding actions, in the bubble phase, so a focused
 *   widget that wants a key (a popover menu, a dropdown) still gets it;
 * - grid_keys / viewer_keys: capture-phase controllers on the grid and the
 *   viewer, because GtkGridView consumes arrows, Space and Enter for its
 *   own focus handling; here the selection is the single cursor.
 *
 * A label goes through derush_catalog_set_labels (one durable commit,
 * ~1 ms, on the main thread's connection), then only the changed items are
 * updated: their notify redraws the cells that show them, nothing else.
 *
 * Over 600 lines: every window action and both key tables; split, nothing
 * would say in one place which key does what.
 */
#include "derush-window-private.h"
#include "derush-photo-text.h"
#include "derush-apply-dialog.h"

typedef struct {
  const char *accel;
  const char *action;
} KeyBinding;

static const KeyBinding window_keys[] = {
    {"k", "win.keep"},
    {"t", "win.trash"},
    {"x", "win.trash"},
    {"u", "win.unlabel"},
    {"0", "win.stars-0"},
    {"1", "win.stars-1"},
    {"2", "win.stars-2"},
    {"3", "win.stars-3"},
    {"4", "win.stars-4"},
    {"5", "win.stars-5"},
    {"<Control>z", "win.undo"},
    {"<Control><Shift>z", "win.redo"},
    {"<Control>y", "win.redo"},
    /* vim motions; K is keep, so vim's up is not bound */
    {"h", "win.move-left"},
    {"j", "win.move-down"},
    {"l", "win.move-right"},
    {"g", "win.next-group"},
    {"c", "win.compare"},
    {"n", "win.next-to-label"},
    {"<Shift>k", "win.keep-trash-others"},
    {"z", "win.zoom"},
    {"f", "win.fullscreen"},
    {"F11", "win.fullscreen"},
    {"<Control>plus", "win.zoom-in"},
    {"<Control>equal", "win.zoom-in"},
    {"<Control>KP_Add", "win.zoom-in"},
    {"<Control>minus", "win.zoom-out"},
    {"<Control>KP_Subtract", "win.zoom-out"},
    {"question", "win.show-help-overlay"},
    {"<Control>o", "win.open"},
    {"F5", "win.rescan"},
    {"F9", "win.show-panel"},
    {"<Control>e", "win.apply"},
    {"<Control>f", "win.search"},
    {"Escape", "win.back"},
};

static const KeyBinding grid_keys[] = {
    {"Left", "win.move-left"}, {"Right", "win.move-right"}, {"Up", "win.move-up"},
    {"Down", "win.move-down"}, {"space", "win.view"},       {"Return", "win.view"},
    {"KP_Enter", "win.view"},
};

/* In compare, +/- (with or without Ctrl) zoom the panes, not the grid. */
static const KeyBinding compare_keys[] = {
    {"Left", "win.move-left"}, {"Right", "win.move-right"},     {"Escape", "win.back"},
    {"plus", "win.zoom-in"},   {"equal", "win.zoom-in"},        {"KP_Add", "win.zoom-in"},
    {"minus", "win.zoom-out"}, {"KP_Subtract", "win.zoom-out"},
};

/* In the viewer, H is the histogram (vim's left stays the arrow's). */
static const KeyBinding viewer_keys[] = {
    {"Left", "win.move-left"}, {"Right", "win.move-right"}, {"space", "win.view"},
    {"Return", "win.view"},    {"KP_Enter", "win.view"},    {"Escape", "win.back"},
    {"h", "win.histogram"},    {"d", "win.faces"},
};

static gboolean
viewer_shown(DerushWindow *self)
{
  return g_str_equal(gtk_stack_get_visible_child_name(self->stack), "viewer");
}

/* ------------------------------------------------------------ labels */

/* Writes @change for @items (one durable commit) and updates the items,
 * and their RAW+JPEG partners, which the library changes along. */
gboolean
_derush_window_write_labels(DerushWindow *self, GPtrArray *items, const DerushLabelChange *change)
{
  g_autoptr(GArray) ids = g_array_sized_new(FALSE, FALSE, sizeof(gint64), items->len);
  for (guint i = 0; i < items->len; i++) {
    gint64 id = derush_photo_item_get_id(items->pdata[i]);
    g_array_append_val(ids, id);
  }
  g_autoptr(GError) error = NULL;
  if (!derush_catalog_set_labels(self->catalog, (const gint64 *)ids->data, ids->len, change,
                                 DERUSH_SOURCE_USER, NULL, &error)) {
    g_autofree char *message = g_strdup_printf("Not saved: %s", error->message);
    derush_window_show_toast(self, message);
    return FALSE;
  }

  for (guint i = 0; i < items->len; i++) {
    DerushPhotoItem *item = items->pdata[i];
    DerushLabel label = change->set_label ? change->label : derush_photo_item_get_label(item);
    int stars = change->set_stars ? change->stars : derush_photo_item_get_stars(item);
    derush_photo_item_set_label(item, label, stars);
    const char *pair = derush_photo_item_get_photo(item)->pair_path;
    DerushPhotoItem *partner = pair ? derush_photo_model_lookup_path(self->model, pair) : NULL;
    if (partner) {
      DerushLabel pl = change->set_label ? change->label : derush_photo_item_get_label(partner);
      int ps = change->set_stars ? change->stars : derush_photo_item_get_stars(partner);
      derush_photo_item_set_label(partner, pl, ps);
    }
  }
  if (change->set_label)
    _derush_window_learning_labels_changed(self, TRUE);
  return TRUE;
}

static gboolean
compare_shown(DerushWindow *self)
{
  return g_str_equal(gtk_stack_get_visible_child_name(self->stack), "compare");
}

static void
apply_change(DerushWindow *self, const DerushLabelChange *change)
{
  /* In compare, labels go to the focused member, and the selection stays. */
  if (compare_shown(self)) {
    DerushPhotoItem *focused = derush_compare_get_focused(self->compare);
    if (!focused)
      return;
    g_autoptr(GPtrArray) one = g_ptr_array_new();
    g_ptr_array_add(one, focused);
    if (_derush_window_write_labels(self, one, change))
      _derush_window_refilter(self);
    return;
  }

  g_autoptr(GPtrArray) items = _derush_window_get_selected(self);
  if (items->len == 0)
    return;
  int pos = _derush_window_get_current_position(self);
  DerushPhotoItem *first = items->pdata[0];
  if (!_derush_window_write_labels(self, items, change))
    return;

  _derush_window_refilter(self);
  guint n = g_list_model_get_n_items(G_LIST_MODEL(self->model));
  if (n == 0 || pos < 0)
    return;
  /* Where the labelled photo went: still at @pos, or filtered out (then
   * the next photo has slid into its place). */
  g_autoptr(DerushPhotoItem) at =
      (guint)pos < n ? g_list_model_get_item(G_LIST_MODEL(self->model), pos) : NULL;
  gboolean stayed = at == first;
  guint next = pos;
  if (self->advance && items->len == 1 && stayed && change->set_label)
    next = MIN((guint)pos + 1, n - 1);
  if (next != (guint)pos || !stayed || _derush_window_get_current_position(self) < 0)
    _derush_window_select_position(self, next);
}

static void
keep_cb(GtkWidget *widget, const char *action, GVariant *param)
{
  DerushLabelChange change = {.set_label = TRUE, .label = DERUSH_LABEL_KEEP};
  apply_change(DERUSH_WINDOW(widget), &change);
}

/* Shift+K in compare: the focused member is the keeper, the others shown
 * go to trash, in one commit (one undo step). */
static void
keep_trash_others_cb(GtkWidget *widget, const char *action, GVariant *param)
{
  DerushWindow *self = DERUSH_WINDOW(widget);
  DerushPhotoItem *focused = derush_compare_get_focused(self->compare);
  if (!compare_shown(self) || !focused)
    return;
  DerushLabelChange keep = {.set_label = TRUE, .label = DERUSH_LABEL_KEEP};
  DerushLabelChange trash = {.set_label = TRUE, .label = DERUSH_LABEL_TRASH};
  g_autoptr(GPtrArray) one = g_ptr_array_new();
  g_autoptr(GPtrArray) others = g_ptr_array_new();
  GPtrArray *items = derush_compare_get_items(self->compare);
  for (guint i = 0; i < items->len; i++)
    g_ptr_array_add(items->pdata[i] == focused ? one : others, items->pdata[i]);
  if (_derush_window_write_labels(self, one, &keep) &&
      (others->len == 0 || _derush_window_write_labels(self, others, &trash))) {
    g_autofree char *message = g_strdup_printf(
        "Kept %s, %u to trash", derush_photo_item_get_display_name(focused), others->len);
    derush_window_show_toast(self, message);
  }
  _derush_window_refilter(self);
}

static void
trash_cb(GtkWidget *widget, const char *action, GVariant *param)
{
  DerushLabelChange change = {.set_label = TRUE, .label = DERUSH_LABEL_TRASH};
  apply_change(DERUSH_WINDOW(widget), &change);
}

static void
unlabel_cb(GtkWidget *widget, const char *action, GVariant *param)
{
  DerushLabelChange change = {.set_label = TRUE, .label = DERUSH_LABEL_NONE};
  apply_change(DERUSH_WINDOW(widget), &change);
}

static void
stars_cb(GtkWidget *widget, const char *action, GVariant *param)
{
  /* "win.stars-N": the count is the last character. */
  DerushLabelChange change = {.set_stars = TRUE, .stars = action[strlen(action) - 1] - '0'};
  apply_change(DERUSH_WINDOW(widget), &change);
}

typedef struct {
  gint64 photo_id;
  DerushLabel label;
  int stars;
  DerushLabel old_label; /* what the undo took away (or the redo brought back) */
  int old_stars;
  DerushLabelSource source; /* a cull's labels are "auto": the cells draw them apart */
} Change;

static gboolean
collect_change_cb(const DerushLabelEvent *event, gpointer user_data)
{
  GArray *changes = user_data;
  Change c = {event->photo_id,  event->new_label, event->new_stars,
              event->old_label, event->old_stars, event->source};
  g_array_append_val(changes, c);
  return TRUE;
}

/**
 * _derush_window_relabel_since:
 * @before: a label event id (derush_catalog_get_last_event_id() before the
 *   library wrote labels: an undo, a redo, a cull)
 * @first: (out) (optional): the first photo of the model they changed
 *
 * Reads back the label events newer than @before and shows them on their
 * items.
 *
 * Returns: (transfer full): the changes (opaque; ->len counts them).
 */
GArray *
_derush_window_relabel_since(DerushWindow *self, gint64 before, DerushPhotoItem **first)
{
  GArray *changes = g_array_new(FALSE, FALSE, sizeof(Change));
  g_autoptr(GError) error = NULL;
  if (!derush_catalog_foreach_event_after(self->catalog, before, collect_change_cb, changes,
                                          &error)) {
    g_autofree char *message = g_strdup_printf("Cannot read the history: %s", error->message);
    derush_window_show_toast(self, message);
  }
  if (first)
    *first = NULL;
  for (guint i = 0; i < changes->len; i++) {
    Change *c = &g_array_index(changes, Change, i);
    DerushPhotoItem *item = derush_photo_model_lookup_id(self->model, c->photo_id);
    if (item) {
      /* As the catalog holds it: a reload draws the same cell. */
      derush_photo_item_set_label_full(item, c->label, c->stars, c->source);
      if (first && !*first)
        *first = item;
    }
  }
  return changes;
}

/* After an undo or redo the library has written new events (one batch per
 * step): read back exactly those, newer than @before, and update just
 * those items. */
static void
refresh_after_history(DerushWindow *self, const char *verb, gint64 before)
{
  DerushPhotoItem *first = NULL;
  g_autoptr(GArray) changes = _derush_window_relabel_since(self, before, &first);
  g_autoptr(GHashTable) photos = g_hash_table_new(g_int64_hash, g_int64_equal);
  for (guint i = 0; i < changes->len; i++)
    g_hash_table_add(photos, &g_array_index(changes, Change, i).photo_id);
  /* Say what was undone: "Undone: Trash on IMG_0042.JPG". The undo's
   * events go back to the old state, so what it took away is their "old"
   * side; a redo's events bring back their "new" side. */
  g_autofree char *what = NULL;
  if (changes->len > 0) {
    Change *c = &g_array_index(changes, Change, 0);
    gboolean redo = g_str_equal(verb, "Redone");
    DerushPhotoItem *item = derush_photo_model_lookup_id(self->model, c->photo_id);
    what = derush_text_label_change(redo ? c->label : c->old_label, redo ? c->stars : c->old_stars,
                                    c->label != c->old_label, g_hash_table_size(photos),
                                    item ? derush_photo_item_get_display_name(item) : NULL);
  }
  g_autofree char *message = g_strdup_printf("%s: %s", verb, what ? what : "nothing");
  derush_window_show_toast(self, message);
  _derush_window_refilter(self);
  _derush_window_learning_labels_changed(self, FALSE);

  /* Bring the photo back into view, as an editor shows an undone edit. */
  if (first) {
    guint pos = 0;
    GListModel *model = G_LIST_MODEL(self->model);
    guint n = g_list_model_get_n_items(model);
    for (pos = 0; pos < n; pos++) {
      g_autoptr(DerushPhotoItem) it = g_list_model_get_item(model, pos);
      if (it == first)
        break;
    }
    if (pos < n)
      _derush_window_select_position(self, pos);
  }
}

static void
undo_cb(GtkWidget *widget, const char *action, GVariant *param)
{
  DerushWindow *self = DERUSH_WINDOW(widget);
  g_autoptr(GError) error = NULL;
  gboolean redo = g_str_equal(action, "win.redo");
  gint64 before = derush_catalog_get_last_event_id(self->catalog);
  int done = redo ? derush_catalog_redo(self->catalog, 1, &error)
                  : derush_catalog_undo(self->catalog, 1, &error);
  if (done < 0) {
    g_autofree char *message =
        g_strdup_printf("Cannot %s: %s", redo ? "redo" : "undo", error->message);
    derush_window_show_toast(self, message);
  } else if (done == 0) {
    derush_window_show_toast(self, redo ? "Nothing to redo" : "Nothing to undo");
  } else {
    refresh_after_history(self, redo ? "Redone" : "Undone", before);
  }
}

/* ------------------------------------------------------------ navigation */

static void
move_cb(GtkWidget *widget, const char *action, GVariant *param)
{
  DerushWindow *self = DERUSH_WINDOW(widget);
  guint n = g_list_model_get_n_items(G_LIST_MODEL(self->model));
  if (n == 0)
    return;
  int pos = _derush_window_get_current_position(self);
  if (pos < 0) {
    _derush_window_select_position(self, 0);
    return;
  }
  gboolean vertical = g_str_equal(action, "win.move-up") || g_str_equal(action, "win.move-down");
  gboolean back = g_str_equal(action, "win.move-up") || g_str_equal(action, "win.move-left");
  if (compare_shown(self)) {
    if (!vertical)
      derush_compare_move_focus(self->compare, back ? -1 : 1);
    return;
  }
  if (vertical && viewer_shown(self))
    return;
  /* Up and Down by rows of the grid, which in "By Group" has spacers
   * ending rows; Left and Right by photos. */
  guint next = vertical ? derush_grid_layout_move_rows(self->layout, (guint)pos, back ? -1 : 1,
                                                       derush_window_get_n_columns(self))
               : back   ? (guint)pos - 1
                        : (guint)pos + 1;
  if (next >= n)
    return; /* stay at the edges, as the file manager does (pos - 1 wraps past n) */
  _derush_window_select_position(self, next);
}

static gint64
group_at(GListModel *model, guint pos)
{
  g_autoptr(DerushPhotoItem) item = g_list_model_get_item(model, pos);
  return derush_photo_item_get_analysis(item)->group_id;
}

/* The first photo of the next group in grid order: a group member whose
 * left neighbour is not in the same group (so under any sort, a run of a
 * group counts once), past the current photo's own group. */
static void
next_group_cb(GtkWidget *widget, const char *action, GVariant *param)
{
  DerushWindow *self = DERUSH_WINDOW(widget);
  GListModel *model = G_LIST_MODEL(self->model);
  guint n = g_list_model_get_n_items(model);
  int pos = _derush_window_get_current_position(self);
  gint64 current = pos >= 0 ? group_at(model, pos) : 0;
  gint64 previous = current;
  for (guint i = pos < 0 ? 0 : (guint)pos + 1; i < n; i++) {
    gint64 group = group_at(model, i);
    if (group != 0 && group != previous && group != current) {
      _derush_window_select_position(self, i);
      return;
    }
    previous = group;
  }
  derush_window_show_toast(self, derush_window_is_analyzed(self) ? "No more groups"
                                                                 : "Groups are not known yet");
}

/* A click in the side panel's group strip: that photo (by id) becomes the
 * selection, when the filter shows it. */
static void
select_photo_cb(GtkWidget *widget, const char *action, GVariant *param)
{
  DerushWindow *self = DERUSH_WINDOW(widget);
  gint64 id = g_variant_get_int64(param);
  DerushPhotoItem *item = derush_photo_model_lookup_id(self->model, id);
  if (!item)
    return;
  GListModel *model = G_LIST_MODEL(self->model);
  guint n = g_list_model_get_n_items(model);
  for (guint pos = 0; pos < n; pos++) {
    g_autoptr(DerushPhotoItem) it = g_list_model_get_item(model, pos);
    if (it == item) {
      _derush_window_select_position(self, pos);
      /* The click focused the strip: arrows go back to the grid. */
      gtk_widget_grab_focus(GTK_WIDGET(self->grid_view));
      return;
    }
  }
  g_autofree char *message =
      g_strdup_printf("%s is hidden by the filter", derush_photo_item_get_display_name(item));
  derush_window_show_toast(self, message);
}

static void
histogram_cb(GtkWidget *widget, const char *action, GVariant *param)
{
  DerushWindow *self = DERUSH_WINDOW(widget);
  if (viewer_shown(self))
    derush_viewer_toggle_histogram(self->viewer);
}

/* D: the face boxes; says so when there is nothing to box. */
static void
faces_cb(GtkWidget *widget, const char *action, GVariant *param)
{
  DerushWindow *self = DERUSH_WINDOW(widget);
  DerushPhotoItem *item = derush_viewer_get_item(self->viewer);
  if (!viewer_shown(self) || !item || !derush_viewer_toggle_faces(self->viewer))
    return;
  const DerushPhotoAnalysis *a = derush_photo_item_get_analysis(item);
  if (!a->faces_known)
    derush_window_show_toast(self, "Faces not looked for: the face models are missing "
                                   "(docs/models.md)");
  else if (a->n_faces == 0)
    derush_window_show_toast(self, "No face found in this photo");
}

static void
compare_cb(GtkWidget *widget, const char *action, GVariant *param)
{
  DerushWindow *self = DERUSH_WINDOW(widget);
  _derush_window_show_compare(self, !compare_shown(self));
}

static void
view_cb(GtkWidget *widget, const char *action, GVariant *param)
{
  DerushWindow *self = DERUSH_WINDOW(widget);
  _derush_window_show_viewer(self, !viewer_shown(self));
}

static void
back_cb(GtkWidget *widget, const char *action, GVariant *param)
{
  DerushWindow *self = DERUSH_WINDOW(widget);
  if (compare_shown(self))
    _derush_window_show_compare(self, FALSE);
  else if (viewer_shown(self))
    _derush_window_show_viewer(self, FALSE);
  else if (gtk_search_bar_get_search_mode(self->search_bar))
    _derush_window_set_search_mode(self, FALSE);
  else if (gtk_window_is_fullscreen(GTK_WINDOW(self)))
    gtk_window_unfullscreen(GTK_WINDOW(self));
}

/* Ctrl+F: opens the search bar, or closes it when typing there (as the
 * header bar's toggle does). */
static void
search_cb(GtkWidget *widget, const char *action, GVariant *param)
{
  DerushWindow *self = DERUSH_WINDOW(widget);
  GtkWidget *focus = gtk_root_get_focus(GTK_ROOT(self));
  gboolean typing = focus && gtk_widget_is_ancestor(focus, GTK_WIDGET(self->search_entry));
  _derush_window_set_search_mode(self,
                                 !(gtk_search_bar_get_search_mode(self->search_bar) && typing));
}

static void
zoom_cb(GtkWidget *widget, const char *action, GVariant *param)
{
  DerushWindow *self = DERUSH_WINDOW(widget);
  if (compare_shown(self)) {
    derush_compare_toggle_zoom(self->compare);
    return;
  }
  if (!viewer_shown(self))
    _derush_window_show_viewer(self, TRUE);
  derush_viewer_toggle_zoom(self->viewer);
}

static void
fullscreen_cb(GtkWidget *widget, const char *action, GVariant *param)
{
  GtkWindow *window = GTK_WINDOW(widget);
  if (gtk_window_is_fullscreen(window))
    gtk_window_unfullscreen(window);
  else
    gtk_window_fullscreen(window);
}

static void
thumb_zoom_cb(GtkWidget *widget, const char *action, GVariant *param)
{
  DerushWindow *self = DERUSH_WINDOW(widget);
  gboolean in = g_str_equal(action, "win.zoom-in");
  if (compare_shown(self)) {
    derush_compare_zoom_step(self->compare, in ? 1 : -1);
    return;
  }
  /* Steps of ~20%: 96 → 116 → 139 → 167 → 200 → 240 → 288 → 346 → 415 → 498. */
  int size = in ? self->thumb_size * 6 / 5 : self->thumb_size * 5 / 6;
  _derush_window_set_thumb_size(self, size);
}

/* ------------------------------------------------------------ folders */

static void
open_cb(GtkWidget *widget, const char *action, GVariant *param)
{
  _derush_window_choose_folder(DERUSH_WINDOW(widget));
}

static void
open_recent_cb(GtkWidget *widget, const char *action, GVariant *param)
{
  derush_window_open_folder(DERUSH_WINDOW(widget), g_variant_get_bytestring(param));
}

static void
rescan_cb(GtkWidget *widget, const char *action, GVariant *param)
{
  DerushWindow *self = DERUSH_WINDOW(widget);
  if (derush_window_get_folder(self)) {
    g_autofree char *folder = g_strdup(derush_window_get_folder(self));
    derush_window_open_folder(self, folder);
  }
}

/* Trash, move or export the folder's decisions, after a dry run. */
static void
apply_cb(GtkWidget *widget, const char *action, GVariant *param)
{
  derush_apply_dialog_present(DERUSH_WINDOW(widget));
}

static void
undo_apply_cb(GtkWidget *widget, const char *action, GVariant *param)
{
  derush_apply_undo(DERUSH_WINDOW(widget));
}

static void
cancel_scan_cb(GtkWidget *widget, const char *action, GVariant *param)
{
  derush_window_cancel_jobs(DERUSH_WINDOW(widget));
}

/* ------------------------------------------------------------ set-up */

/**
 * _derush_window_update_actions:
 * Enables what makes sense now: labels need a selection, the viewer's
 * commands need the viewer, cancel needs a running scan.
 */
void
_derush_window_update_actions(DerushWindow *self)
{
  GtkWidget *w = GTK_WIDGET(self);
  gboolean has_selection = self->selection && _derush_window_get_current_position(self) >= 0;
  static const char *const label_actions[] = {
      "win.keep",    "win.trash",   "win.unlabel", "win.stars-0", "win.stars-1",
      "win.stars-2", "win.stars-3", "win.stars-4", "win.stars-5", "win.view"};
  for (gsize i = 0; i < G_N_ELEMENTS(label_actions); i++)
    gtk_widget_action_set_enabled(w, label_actions[i], has_selection && self->catalog);
  gtk_widget_action_set_enabled(w, "win.undo", self->catalog != NULL);
  gtk_widget_action_set_enabled(w, "win.redo", self->catalog != NULL);
  /* No session while the window is made or disposed. */
  gboolean loading = self->session && derush_folder_session_is_loading(self->session);
  gboolean analyzing = self->session && derush_folder_session_is_analyzing(self->session);
  gtk_widget_action_set_enabled(w, "win.cancel-scan", loading || analyzing);
  gtk_widget_action_set_enabled(w, "win.rescan", derush_window_get_folder(self) != NULL);
  /* Files must not move under a scan; one apply (or undo) at a time. */
  gtk_widget_action_set_enabled(w, "win.apply",
                                self->catalog && derush_window_get_folder(self) && !loading &&
                                    !derush_window_is_folder_missing(self) && !self->applying);
  gtk_widget_action_set_enabled(w, "win.undo-apply", self->catalog && !self->applying);
}

void
_derush_window_class_init_actions(GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action(widget_class, "win.keep", NULL, keep_cb);
  gtk_widget_class_install_action(widget_class, "win.trash", NULL, trash_cb);
  gtk_widget_class_install_action(widget_class, "win.unlabel", NULL, unlabel_cb);
  for (int i = 0; i <= 5; i++) {
    g_autofree char *name = g_strdup_printf("win.stars-%d", i);
    gtk_widget_class_install_action(widget_class, name, NULL, stars_cb);
  }
  gtk_widget_class_install_action(widget_class, "win.undo", NULL, undo_cb);
  gtk_widget_class_install_action(widget_class, "win.redo", NULL, undo_cb);
  gtk_widget_class_install_action(widget_class, "win.move-left", NULL, move_cb);
  gtk_widget_class_install_action(widget_class, "win.move-right", NULL, move_cb);
  gtk_widget_class_install_action(widget_class, "win.move-up", NULL, move_cb);
  gtk_widget_class_install_action(widget_class, "win.move-down", NULL, move_cb);
  gtk_widget_class_install_action(widget_class, "win.next-group", NULL, next_group_cb);
  gtk_widget_class_install_action(widget_class, "win.compare", NULL, compare_cb);
  gtk_widget_class_install_action(widget_class, "win.histogram", NULL, histogram_cb);
  gtk_widget_class_install_action(widget_class, "win.faces", NULL, faces_cb);
  gtk_widget_class_install_action(widget_class, "win.select-photo", "x", select_photo_cb);
  gtk_widget_class_install_action(widget_class, "win.keep-trash-others", NULL,
                                  keep_trash_others_cb);
  gtk_widget_class_install_action(widget_class, "win.view", NULL, view_cb);
  gtk_widget_class_install_action(widget_class, "win.back", NULL, back_cb);
  gtk_widget_class_install_action(widget_class, "win.search", NULL, search_cb);
  gtk_widget_class_install_action(widget_class, "win.zoom", NULL, zoom_cb);
  gtk_widget_class_install_action(widget_class, "win.fullscreen", NULL, fullscreen_cb);
  gtk_widget_class_install_action(widget_class, "win.zoom-in", NULL, thumb_zoom_cb);
  gtk_widget_class_install_action(widget_class, "win.zoom-out", NULL, thumb_zoom_cb);
  gtk_widget_class_install_action(widget_class, "win.open", NULL, open_cb);
  gtk_widget_class_install_action(widget_class, "win.open-recent", "ay", open_recent_cb);
  gtk_widget_class_install_action(widget_class, "win.rescan", NULL, rescan_cb);
  gtk_widget_class_install_action(widget_class, "win.cancel-scan", NULL, cancel_scan_cb);
  gtk_widget_class_install_action(widget_class, "win.apply", NULL, apply_cb);
  gtk_widget_class_install_action(widget_class, "win.undo-apply", NULL, undo_apply_cb);
  gtk_widget_class_install_action(widget_class, "win.cull-groups", NULL, _derush_cull_groups_cb);
  gtk_widget_class_install_action(widget_class, "win.cull-copies", NULL, _derush_cull_relations_cb);
  gtk_widget_class_install_action(widget_class, "win.cull-bursts", NULL, _derush_cull_relations_cb);

  for (gsize i = 0; i < G_N_ELEMENTS(window_keys); i++) {
    guint keyval;
    GdkModifierType mods;
    if (!gtk_accelerator_parse(window_keys[i].accel, &keyval, &mods))
      g_error("bad accelerator %s", window_keys[i].accel);
    gtk_widget_class_add_binding_action(widget_class, keyval, mods, window_keys[i].action, NULL);
  }
}

static GtkEventController *
capture_controller(const KeyBinding *keys, gsize n)
{
  GtkEventController *controller = gtk_shortcut_controller_new();
  gtk_event_controller_set_propagation_phase(controller, GTK_PHASE_CAPTURE);
  for (gsize i = 0; i < n; i++)
    gtk_shortcut_controller_add_shortcut(
        GTK_SHORTCUT_CONTROLLER(controller),
        gtk_shortcut_new(gtk_shortcut_trigger_parse_string(keys[i].accel),
                         gtk_named_action_new(keys[i].action)));
  return controller;
}

/* The menu's toggles (win.advance, win.hide-labelled, win.show-panel):
 * GPropertyActions in the window's own action group. GTK 4.8's menus draw
 * no check mark for a widget-class property action (its state does not
 * reach the menu's tracker), so these live in the GActionMap that
 * GtkApplicationWindow exports as "win.", whose state the menu reads. */
static void
init_toggles(DerushWindow *self)
{
  static const char *const toggles[] = {"advance", "hide-labelled", "show-panel"};
  for (gsize i = 0; i < G_N_ELEMENTS(toggles); i++) {
    g_autoptr(GPropertyAction) action = g_property_action_new(toggles[i], self, toggles[i]);
    g_action_map_add_action(G_ACTION_MAP(self), G_ACTION(action));
  }
}

void
_derush_window_init_shortcuts(DerushWindow *self)
{
  init_toggles(self);
  gtk_widget_add_controller(GTK_WIDGET(self->grid_view),
                            capture_controller(grid_keys, G_N_ELEMENTS(grid_keys)));
  gtk_widget_add_controller(GTK_WIDGET(self->viewer),
                            capture_controller(viewer_keys, G_N_ELEMENTS(viewer_keys)));
  gtk_widget_add_controller(GTK_WIDGET(self->compare),
                            capture_controller(compare_keys, G_N_ELEMENTS(compare_keys)));
}

static const char *
find_action(const KeyBinding *keys, gsize n, guint keyval, GdkModifierType mods)
{
  for (gsize i = 0; i < n; i++) {
    guint k;
    GdkModifierType m;
    if (gtk_accelerator_parse(keys[i].accel, &k, &m) &&
        gdk_keyval_to_lower(k) == gdk_keyval_to_lower(keyval) && m == mods)
      return keys[i].action;
  }
  return NULL;
}

/**
 * derush_window_activate_shortcut:
 * @accelerator: a key as gtk_accelerator_parse() reads it ("k", "<Control>z").
 *
 * Runs the action the keyboard tables bind to @accelerator, with the same
 * precedence as a key press (the grid's or viewer's table first, then the
 * window's). Used by the replay driver: GTK 4.8 has no public way to inject
 * key events.
 *
 * Returns: TRUE when a binding was found and its action ran.
 */
gboolean
derush_window_activate_shortcut(DerushWindow *self, const char *accelerator)
{
  guint keyval;
  GdkModifierType mods;
  if (!gtk_accelerator_parse(accelerator, &keyval, &mods))
    return FALSE;
  const char *action = NULL;
  if (compare_shown(self))
    action = find_action(compare_keys, G_N_ELEMENTS(compare_keys), keyval, mods);
  else if (viewer_shown(self))
    action = find_action(viewer_keys, G_N_ELEMENTS(viewer_keys), keyval, mods);
  else
    action = find_action(grid_keys, G_N_ELEMENTS(grid_keys), keyval, mods);
  if (!action)
    action = find_action(window_keys, G_N_ELEMENTS(window_keys), keyval, mods);
  if (!action)
    return FALSE;
  return gtk_widget_activate_action(GTK_WIDGET(self), action, NULL);
}
