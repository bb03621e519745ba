/* derush-window.c: the main window (grid, side panel, viewer).
 *
 * The grid is a GtkGridView over a DerushPhotoModel (store, indexes,
 * filter, sort: derush-photo-model.c) -> GtkMultiSelection, with a
 * GtkSignalListItemFactory whose cells are recycled: setup makes one
 * DerushGridCell, bind and unbind only swap its item (nautilus-grid-view.c).
 * Widgets alive grow with the window, not with the folder.
 *
 * Opening a folder asks the window's DerushFolderSession (loader, monitor,
 * analyzer, regroup: derush-folder-session.c) to fill the model; what the
 * window shows of it is derush-window-session.c. The main thread keeps its
 * own catalog connection for label writes, which are single durable
 * commits (~1 ms).
 *
 * Labels, navigation and the keyboard table live in
 * derush-window-actions.c; search in derush-window-search.c; what replay
 * and bench mode (gtk/testing/) read in derush-window-testing.c.
 *
 * Over 600 lines: the grid's factory and column count, the selection, the
 * status line, the viewer and compare pages, toasts and banners, and the
 * GObject plumbing of seven properties the preferences bind to.
 */
#include "derush-screenshot.h"
#include "derush-settings.h"
#include "derush-window-private.h"
#include "derush-face-marks.h"
#include <glib/gstdio.h>
#include <math.h>

G_DEFINE_FINAL_TYPE(DerushWindow, derush_window, ADW_TYPE_APPLICATION_WINDOW)

/* Options, exposed as properties so that property actions (win.advance,
 * win.hide-labelled, win.show-panel) give the menu its check marks for free
 * and the preferences window binds its rows to them (derush-preferences.c). */
enum {
  PROP_0,
  PROP_ADVANCE,
  PROP_HIDE_LABELLED,
  PROP_SHOW_PANEL,
  PROP_THUMB_SIZE,
  PROP_STYLE,
  PROP_SESSION_GAP,
  PROP_BURST_GAP,
  N_PROPS
};
static GParamSpec *properties[N_PROPS];

/* The settings file is derush-settings.c's: the window applies what it
 * reads and saves its own state back, keeping keys it does not know. */
void
_derush_window_save_settings(DerushWindow *self)
{
  g_autoptr(GKeyFile) kf = _derush_settings_load_file();
  DerushSettings s;
  _derush_settings_read(kf, &s);
  s.thumb_size = self->thumb_size;
  s.advance = self->advance;
  s.show_panel = self->show_panel;
  s.style = (int)self->style;
  s.session_gap_min = self->session_gap_min;
  s.burst_gap_s = self->burst_gap_s;
  const char *folder = derush_window_get_folder(self);
  if (folder && !derush_window_is_folder_missing(self))
    _derush_settings_add_recent(&s, folder);
  _derush_settings_write(kf, &s);
  _derush_settings_clear(&s);
  g_autofree char *path = _derush_settings_path();
  g_autofree char *dir = g_path_get_dirname(path);
  g_mkdir_with_parents(dir, 0700);
  g_autoptr(GError) error = NULL;
  if (!g_key_file_save_to_file(kf, path, &error))
    g_debug("cannot save settings: %s", error->message);
}

void
_derush_window_update_recent_menu(DerushWindow *self)
{
  g_autoptr(GKeyFile) kf = _derush_settings_load_file();
  DerushSettings s;
  _derush_settings_read(kf, &s);
  g_menu_remove_all(self->recent_section);
  for (int i = 0; s.recent[i]; i++) {
    g_autofree char *display = g_filename_display_name(s.recent[i]);
    g_autoptr(GMenuItem) item = g_menu_item_new(display, NULL);
    g_menu_item_set_action_and_target_value(item, "win.open-recent",
                                            g_variant_new_bytestring(s.recent[i]));
    g_menu_append_item(self->recent_section, item);
  }
  _derush_settings_clear(&s);
}

/* ------------------------------------------------------------ model */

/**
 * _derush_window_refilter:
 * Re-runs the filter after labels changed (only when the filter looks at
 * labels): items that no longer match leave the grid.
 */
void
_derush_window_refilter(DerushWindow *self)
{
  derush_photo_model_labels_changed(self->model);
  _derush_window_queue_status(self);
}

/* ------------------------------------------------------------ factory */

static void
cell_gone_cb(gpointer data, GObject *cell)
{
  DerushWindow *self = data;
  if (self->cells)
    g_ptr_array_remove_fast(self->cells, cell);
}

static void
setup_cb(GtkSignalListItemFactory *factory, GtkListItem *list_item, DerushWindow *self)
{
  GtkWidget *cell = derush_grid_cell_new(self->thumbnailer);
  derush_grid_cell_set_thumb_size(DERUSH_GRID_CELL(cell), self->thumb_size);
  derush_grid_cell_set_list_item(DERUSH_GRID_CELL(cell), list_item, G_LIST_MODEL(self->layout));
  derush_grid_cell_set_group_headers(DERUSH_GRID_CELL(cell),
                                     derush_photo_model_get_sort(self->model) == DERUSH_SORT_GROUP);
  gtk_list_item_set_child(list_item, cell);
  g_ptr_array_add(self->cells, cell);
  /* Not "teardown": GTK 4.8 disposes the list item widget (and the cell)
   * without the list item still holding its child at that point. */
  g_object_weak_ref(G_OBJECT(cell), cell_gone_cb, self);
}

static void
bind_cb(GtkSignalListItemFactory *factory, GtkListItem *list_item, DerushWindow *self)
{
  GtkWidget *cell = gtk_list_item_get_child(list_item);
  gpointer item = gtk_list_item_get_item(list_item);
  /* A spacer (the end of a row before a group): an empty cell that no
   * click selects or opens, and no hover lights. */
  gboolean photo = !derush_grid_layout_is_spacer(item);
  gtk_list_item_set_selectable(list_item, photo);
  gtk_list_item_set_activatable(list_item, photo);
  if (gtk_widget_get_parent(cell))
    (photo ? gtk_widget_remove_css_class : gtk_widget_add_css_class)(gtk_widget_get_parent(cell),
                                                                     "derush-spacer");
  derush_grid_cell_set_item(DERUSH_GRID_CELL(cell), photo ? item : NULL);
}

static void
unbind_cb(GtkSignalListItemFactory *factory, GtkListItem *list_item, DerushWindow *self)
{
  derush_grid_cell_set_item(DERUSH_GRID_CELL(gtk_list_item_get_child(list_item)), NULL);
}

static int
compare_double(gconstpointer a, gconstpointer b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/**
 * derush_window_get_n_columns:
 * GtkGridView keeps its column count to itself: count the distinct x
 * positions of the cells on screen instead.
 */
guint
derush_window_get_n_columns(DerushWindow *self)
{
  GArray *xs = g_array_new(FALSE, FALSE, sizeof(double));
  for (guint i = 0; i < self->cells->len; i++) {
    GtkWidget *cell = self->cells->pdata[i];
    double x, y;
    if (!derush_grid_cell_get_item(DERUSH_GRID_CELL(cell)) || !gtk_widget_get_mapped(cell))
      continue;
    if (gtk_widget_translate_coordinates(cell, GTK_WIDGET(self->grid_view), 0, 0, &x, &y))
      g_array_append_val(xs, x);
  }
  g_array_sort(xs, compare_double);
  guint n = 0;
  for (guint i = 0; i < xs->len; i++)
    if (i == 0 || g_array_index(xs, double, i) - g_array_index(xs, double, i - 1) > 1)
      n++;
  g_array_unref(xs);
  return MAX(n, 1);
}

/* GtkGridView 4.8 keeps 30 rows x max-columns items alive
 * (GTK_GRID_VIEW_MAX_VISIBLE_ROWS): with a generous max-columns it would
 * build a widget for every photo of a small folder and 1,200 for a large
 * one. Keep max-columns at what the width can show, so the cells alive
 * follow the window. */
static gboolean
update_max_columns_cb(gpointer data)
{
  DerushWindow *self = data;
  self->columns_idle = 0;
  GtkAdjustment *h = gtk_scrollable_get_hadjustment(GTK_SCROLLABLE(self->grid_view));
  double width = h ? gtk_adjustment_get_page_size(h) : 0;
  if (width <= 0)
    width = gtk_widget_get_width(GTK_WIDGET(self->grid_view));
  /* cell: frame + 2 x 6 pad; grid child: 2 x 4 padding + 2 x 2 margin;
   * the grid's own 2 x 12 padding. */
  int cell = self->thumb_size + 12 + 8 + 4;
  if (width <= 0)
    return G_SOURCE_REMOVE; /* not shown yet: the .ui's value holds */
  guint columns = (guint)MAX(1.0, (width - 24) / cell);
  if (gtk_grid_view_get_max_columns(self->grid_view) != columns)
    gtk_grid_view_set_max_columns(self->grid_view, columns);
  derush_grid_layout_set_columns(self->layout, columns);
  return G_SOURCE_REMOVE;
}

/* The width is known during size-allocate, where changing the grid's
 * columns trips GTK's own assertions: apply it from an idle, one that
 * runs before the next frame's layout (a default idle waited behind the
 * redraws of a busy window, and the grid kept its old columns, and the
 * "By Group" spacers their old rows, for as long). */
static void
update_max_columns(DerushWindow *self)
{
  if (!self->columns_idle)
    self->columns_idle = g_idle_add_full(G_PRIORITY_HIGH_IDLE, update_max_columns_cb, self, NULL);
}

/* Textures kept for cells off screen, so that scrolling back shows them
 * at once: a budget in bytes (~24 MB of RGB 3:2 thumbnails), not a count,
 * so smaller cells keep more of them. The cells on screen are pinned on
 * top of it. (600 textures at 200 px were 48 MB of a 250 MB budget for
 * 100,000 photos.) */
#define TEXTURE_BUDGET (24 * 1000 * 1000)

static guint
texture_capacity(int size)
{
  return MAX(64, TEXTURE_BUDGET / (size * size * 2));
}

void
_derush_window_set_thumb_size(DerushWindow *self, int size)
{
  size = CLAMP(size, 96, 512);
  if (size == self->thumb_size)
    return;
  self->thumb_size = size;
  for (guint i = 0; i < self->cells->len; i++)
    derush_grid_cell_set_thumb_size(self->cells->pdata[i], size);
  update_max_columns(self);
  derush_thumbnailer_set_capacity(self->thumbnailer, texture_capacity(size));
  _derush_window_save_settings(self);
  g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_THUMB_SIZE]);
}

/* ------------------------------------------------------------ selection */

/**
 * _derush_window_get_current_position:
 * Returns: the first selected photo's position in the photos' model (not
 *   the grid's, which has spacers in the "By Group" sort), or -1.
 */
int
_derush_window_get_current_position(DerushWindow *self)
{
  g_autoptr(GtkBitset) set =
      gtk_selection_model_get_selection(GTK_SELECTION_MODEL(self->selection));
  GtkBitsetIter iter;
  guint pos;
  for (gboolean ok = gtk_bitset_iter_init_first(&iter, set, &pos); ok;
       ok = gtk_bitset_iter_next(&iter, &pos)) {
    guint photo = derush_grid_layout_get_photo(self->layout, pos);
    if (photo != DERUSH_GRID_NONE)
      return (int)photo;
  }
  return -1;
}

/** derush_window_get_current: Returns: (transfer none) (nullable): the first selected item. */
DerushPhotoItem *
derush_window_get_current(DerushWindow *self)
{
  int pos = _derush_window_get_current_position(self);
  if (pos < 0)
    return NULL;
  g_autoptr(DerushPhotoItem) item = g_list_model_get_item(G_LIST_MODEL(self->model), pos);
  return item; /* the model keeps it alive */
}

/** _derush_window_get_selected: Returns: (transfer full): the selected items, in grid order. */
GPtrArray *
_derush_window_get_selected(DerushWindow *self)
{
  GPtrArray *items = g_ptr_array_new_with_free_func(g_object_unref);
  g_autoptr(GtkBitset) set =
      gtk_selection_model_get_selection(GTK_SELECTION_MODEL(self->selection));
  GtkBitsetIter iter;
  guint pos;
  for (gboolean ok = gtk_bitset_iter_init_first(&iter, set, &pos); ok;
       ok = gtk_bitset_iter_next(&iter, &pos)) {
    guint photo = derush_grid_layout_get_photo(self->layout, pos);
    if (photo != DERUSH_GRID_NONE) /* a spacer a rubber band or Ctrl+A took in */
      g_ptr_array_add(items, g_list_model_get_item(G_LIST_MODEL(self->model), photo));
  }
  return items;
}

/** _derush_window_select_position: selects only the photo at @position (in the photos' model)
 * and scrolls to it. */
void
_derush_window_select_position(DerushWindow *self, guint position)
{
  guint n = g_list_model_get_n_items(G_LIST_MODEL(self->model));
  if (n == 0)
    return;
  guint at = derush_grid_layout_get_position(self->layout, MIN(position, n - 1));
  gtk_selection_model_select_item(GTK_SELECTION_MODEL(self->selection), at, TRUE);
  /* GTK 4.8 has no gtk_grid_view_scroll_to (4.12): use the list action. */
  gtk_widget_activate_action(GTK_WIDGET(self->grid_view), "list.scroll-to-item", "u", at);
}

void
derush_window_select(DerushWindow *self, guint position, guint n)
{
  guint total = g_list_model_get_n_items(G_LIST_MODEL(self->model));
  if (position >= total)
    return;
  _derush_window_select_position(self, position);
  if (n > 1) {
    /* From the first photo to the last, the spacers between them too
     * (the labels skip them). */
    guint first = derush_grid_layout_get_position(self->layout, position);
    guint last = derush_grid_layout_get_position(self->layout, MIN(position + n, total) - 1);
    gtk_selection_model_select_range(GTK_SELECTION_MODEL(self->selection), first, last - first + 1,
                                     TRUE);
  }
}

static gboolean
update_status_cb(gpointer data)
{
  DerushWindow *self = data;
  self->status_idle = 0;

  DerushDatasetStats stats;
  derush_photo_model_get_stats(self->model, &stats);
  g_autoptr(GtkBitset) set =
      gtk_selection_model_get_selection(GTK_SELECTION_MODEL(self->selection));
  stats.selected = derush_grid_layout_count_photos(self->layout, set);
  derush_side_panel_set_stats(self->side_panel, &stats);
  derush_side_panel_set_item(self->side_panel, derush_window_get_current(self));

  g_autofree char *subtitle = NULL;
  const char *folder = derush_window_get_folder(self);
  if (derush_window_is_folder_missing(self))
    subtitle = g_strdup("Folder unavailable");
  else if (stats.shown != stats.total)
    subtitle =
        g_strdup_printf("%u of %u photos · %u labelled", stats.shown, stats.total, stats.labelled);
  else if (folder)
    subtitle = g_strdup_printf("%u photos · %u labelled", stats.total, stats.labelled);
  adw_window_title_set_subtitle(self->window_title, subtitle ? subtitle : "");
  gtk_widget_set_visible(self->no_match_page, stats.total > 0 && stats.shown == 0);
  _derush_face_marks_describe_no_match(ADW_STATUS_PAGE(self->no_match_page),
                                       derush_photo_model_get_filter(self->model) ==
                                           DERUSH_FILTER_CLOSED_EYES);

  const char *page = gtk_stack_get_visible_child_name(self->stack);
  if (folder && !derush_folder_session_is_loading(self->session) && stats.total > 0 &&
      !g_str_equal(page, "viewer") && !g_str_equal(page, "compare"))
    gtk_stack_set_visible_child_name(self->stack, "grid");
  _derush_window_update_actions(self);
  return G_SOURCE_REMOVE;
}

/** _derush_window_queue_status: refreshes counts and the side panel once, when idle. */
void
_derush_window_queue_status(DerushWindow *self)
{
  if (!self->model)
    return; /* disposing */
  if (!self->status_idle)
    self->status_idle = g_idle_add(update_status_cb, self);
}

/* Spacers are never selected, whatever selected them: the grid's own keys
 * (Page Down selects any slot), a rubber band, Ctrl+A, a range from one
 * photo to another. A spacer alone hands the selection to the photo
 * before it, on its row; among photos it is dropped, so no empty slot
 * lights up. Returns: TRUE when the selection changed. */
static gboolean
drop_spacers(DerushWindow *self, GtkSelectionModel *model)
{
  if (derush_grid_layout_get_n_spacers(self->layout) == 0)
    return FALSE;
  g_autoptr(GtkBitset) set = gtk_selection_model_get_selection(model);
  g_autoptr(GtkBitset) spacers = gtk_bitset_new_empty();
  gboolean photos = FALSE;
  GtkBitsetIter iter;
  guint pos;
  for (gboolean ok = gtk_bitset_iter_init_first(&iter, set, &pos); ok;
       ok = gtk_bitset_iter_next(&iter, &pos)) {
    if (derush_grid_layout_get_photo(self->layout, pos) == DERUSH_GRID_NONE)
      gtk_bitset_add(spacers, pos);
    else
      photos = TRUE;
  }
  if (gtk_bitset_is_empty(spacers))
    return FALSE;
  if (!photos) {
    guint photo =
        derush_grid_layout_get_photo_before(self->layout, gtk_bitset_get_minimum(spacers));
    if (photo == DERUSH_GRID_NONE)
      return FALSE;
    _derush_window_select_position(self, photo);
    return TRUE;
  }
  g_autoptr(GtkBitset) none = gtk_bitset_new_empty();
  gtk_selection_model_set_selection(model, none, spacers);
  return TRUE;
}

static void
selection_changed_cb(GtkSelectionModel *model, guint position, guint n, DerushWindow *self)
{
  if (drop_spacers(self, model))
    return; /* selection-changed comes again */
  _derush_window_queue_status(self);
  if (g_str_equal(gtk_stack_get_visible_child_name(self->stack), "viewer")) {
    DerushPhotoItem *item = derush_window_get_current(self);
    if (item)
      derush_viewer_show(self->viewer, item);
  }
}

static void
activate_cb(GtkGridView *view, guint position, DerushWindow *self)
{
  guint photo = derush_grid_layout_get_photo(self->layout, position);
  if (photo == DERUSH_GRID_NONE)
    return; /* a spacer */
  _derush_window_select_position(self, photo);
  _derush_window_show_viewer(self, TRUE);
}

void
_derush_window_show_viewer(DerushWindow *self, gboolean show)
{
  if (show) {
    DerushPhotoItem *item = derush_window_get_current(self);
    if (!item)
      return;
    derush_viewer_show(self->viewer, item);
    gtk_stack_set_visible_child_name(self->stack, "viewer");
    gtk_widget_grab_focus(GTK_WIDGET(self->viewer));
  } else if (g_str_equal(gtk_stack_get_visible_child_name(self->stack), "viewer")) {
    gtk_stack_set_visible_child_name(self->stack, "grid");
    int pos = _derush_window_get_current_position(self);
    if (pos >= 0)
      gtk_widget_activate_action(GTK_WIDGET(self->grid_view), "list.scroll-to-item", "u",
                                 derush_grid_layout_get_position(self->layout, pos));
    gtk_widget_grab_focus(GTK_WIDGET(self->grid_view));
  }
  _derush_window_update_actions(self);
}

/**
 * _derush_window_show_compare:
 * Shows the current photo's group side by side: the best pick first, then
 * the others by time, the current photo among those in view (four at a
 * time; the compare view slides along the rest). A pass over the items,
 * no query: ~1 ms at 100k.
 */
void
_derush_window_show_compare(DerushWindow *self, gboolean show)
{
  if (!show) {
    if (g_str_equal(gtk_stack_get_visible_child_name(self->stack), "compare")) {
      derush_compare_clear(self->compare);
      gtk_stack_set_visible_child_name(self->stack, "grid");
      gtk_widget_grab_focus(GTK_WIDGET(self->grid_view));
    }
    _derush_window_update_actions(self);
    return;
  }
  DerushPhotoItem *current = derush_window_get_current(self);
  gint64 group = current ? derush_photo_item_get_analysis(current)->group_id : 0;
  if (!group) {
    derush_window_show_toast(self, derush_window_is_analyzed(self)
                                       ? "This photo is in no burst or near-duplicate group"
                                       : "Groups are not known yet");
    return;
  }
  g_autoptr(GPtrArray) members = derush_photo_model_get_group(self->model, current);
  if (members->len < 2) {
    derush_window_show_toast(self, "The rest of this group is not in this folder");
    return;
  }
  _derush_window_show_viewer(self, FALSE);
  derush_compare_show(self->compare, members);
  derush_compare_show_member(self->compare, current);
  gtk_stack_set_visible_child_name(self->stack, "compare");
  gtk_widget_grab_focus(GTK_WIDGET(self->compare));
  _derush_window_update_actions(self);
}

static void
filter_selected_cb(GtkDropDown *dropdown, GParamSpec *pspec, DerushWindow *self)
{
  derush_window_set_filter(self, gtk_drop_down_get_selected(dropdown));
}

static void
sort_selected_cb(GtkDropDown *dropdown, GParamSpec *pspec, DerushWindow *self)
{
  derush_window_set_sort(self, gtk_drop_down_get_selected(dropdown));
}

/* ------------------------------------------------------------ loading */

void
_derush_window_show_message(DerushWindow *self, const char *icon, const char *title,
                            const char *description)
{
  adw_status_page_set_icon_name(self->message_page, icon);
  adw_status_page_set_title(self->message_page, title);
  adw_status_page_set_description(self->message_page, description);
  gtk_stack_set_visible_child_name(self->stack, "message");
}

/**
 * derush_window_show_toast:
 * Shows @message in a toast (and, under --replay, on stdout, so tests can
 * check what the user was told).
 */
static void
show_toast_full(DerushWindow *self, const char *message, AdwToastPriority priority)
{
  AdwToast *toast = adw_toast_new(message);
  adw_toast_set_timeout(toast, 5);
  adw_toast_set_priority(toast, priority);
  adw_toast_overlay_add_toast(self->toast_overlay, toast);
  if (g_object_get_data(G_OBJECT(self), "derush-replay"))
    g_print("toast: %s\n", message);
}

void
derush_window_show_toast(DerushWindow *self, const char *message)
{
  show_toast_full(self, message, ADW_TOAST_PRIORITY_NORMAL);
}

/**
 * derush_window_show_action_toast:
 * A toast with a button that activates @action_name (an apply's "Undo"),
 * kept on screen longer: the button is the easy way back.
 */
void
derush_window_show_action_toast(DerushWindow *self, const char *message, const char *button_label,
                                const char *action_name)
{
  AdwToast *toast = adw_toast_new(message);
  adw_toast_set_timeout(toast, 10);
  adw_toast_set_button_label(toast, button_label);
  adw_toast_set_action_name(toast, action_name);
  adw_toast_overlay_add_toast(self->toast_overlay, toast);
  if (g_object_get_data(G_OBJECT(self), "derush-replay"))
    g_print("toast: %s [%s]\n", message, action_name);
}

/* A problem that lasts (the folder is gone) gets a banner over the grid,
 * which stays until the next scan, and a toast that jumps the queue. */
void
_derush_window_show_problem(DerushWindow *self, const char *message)
{
  gtk_label_set_text(self->banner_label, message);
  gtk_revealer_set_reveal_child(self->banner, TRUE);
  show_toast_full(self, message, ADW_TOAST_PRIORITY_HIGH);
}

/* The header bar's job line, with the time left once the rate tells it
 * (@total 0 while the total is not known yet). */
/* ------------------------------------------------------------ search bar */

/* Typing, after GtkSearchEntry's short pause (it spares a 100,000-photo
 * pass per key of a fast typist). */
static void
search_changed_cb(GtkSearchEntry *entry, DerushWindow *self)
{
  derush_window_set_search(self, gtk_editable_get_text(GTK_EDITABLE(entry)));
}

/* Enter: search now, then the keys go to the grid (arrows, K, T). */
static void
search_activate_cb(GtkSearchEntry *entry, DerushWindow *self)
{
  derush_window_set_search(self, gtk_editable_get_text(GTK_EDITABLE(entry)));
  if (g_str_equal(gtk_stack_get_visible_child_name(self->stack), "grid"))
    gtk_widget_grab_focus(GTK_WIDGET(self->grid_view));
}

/* Closed (Escape in the entry, the button, win.back): the entry is empty
 * by now; the focus must not stay in a hidden entry. */
static void
search_mode_cb(GtkSearchBar *bar, GParamSpec *pspec, DerushWindow *self)
{
  if (gtk_search_bar_get_search_mode(bar))
    return;
  derush_window_set_search(self, NULL);
  GtkWidget *focus = gtk_root_get_focus(GTK_ROOT(self));
  if (!focus || focus == GTK_WIDGET(self->search_entry) ||
      gtk_widget_is_ancestor(focus, GTK_WIDGET(self->search_bar))) {
    const char *page = gtk_stack_get_visible_child_name(self->stack);
    if (g_str_equal(page, "viewer"))
      gtk_widget_grab_focus(GTK_WIDGET(self->viewer));
    else
      gtk_widget_grab_focus(GTK_WIDGET(self->grid_view));
  }
}

/* ------------------------------------------------------------ preferences */

static void
apply_style(DerushWindow *self)
{
  static const AdwColorScheme schemes[] = {
      [DERUSH_STYLE_FOLLOW] = ADW_COLOR_SCHEME_PREFER_DARK,
      [DERUSH_STYLE_DARK] = ADW_COLOR_SCHEME_FORCE_DARK,
      [DERUSH_STYLE_LIGHT] = ADW_COLOR_SCHEME_FORCE_LIGHT,
  };
  adw_style_manager_set_color_scheme(adw_style_manager_get_default(), schemes[self->style]);
}

/**
 * derush_window_screenshot:
 * @path: a .png file to write.
 * @width: (out) (optional): the window's width, @height likewise.
 *
 * Renders the window with its own GskRenderer into a texture and saves
 * it, so tests see exactly what is on screen without a compositor.
 */
gboolean
derush_window_screenshot(DerushWindow *self, const char *path, int *width, int *height,
                         GError **error)
{
  return derush_screenshot_window(GTK_WINDOW(self), path, width, height, error);
}

/* ------------------------------------------------------------ GObject */

static void
derush_window_dispose(GObject *object)
{
  DerushWindow *self = DERUSH_WINDOW(object);

  if (self->session) {
    g_signal_handlers_disconnect_by_data(self->session, self);
    derush_folder_session_stop(self->session);
  }
  g_clear_object(&self->session);
  _derush_window_dispose_learning(self);
  if (self->selection)
    g_signal_handlers_disconnect_by_data(self->selection, self);

  /* Cells outliving the window (held by GTK a little longer) must not
   * call back into it. */
  if (self->cells) {
    for (guint i = 0; i < self->cells->len; i++)
      g_object_weak_unref(self->cells->pdata[i], cell_gone_cb, self);
    g_ptr_array_set_size(self->cells, 0);
  }
  gtk_widget_dispose_template(GTK_WIDGET(self), DERUSH_TYPE_WINDOW);

  g_clear_object(&self->selection);
  g_clear_object(&self->layout);
  g_clear_object(&self->model);
  g_clear_pointer(&self->cells, g_ptr_array_unref);
  g_clear_object(&self->thumbnailer);
  /* Last: tearing the models down may have queued one more refresh. */
  g_clear_handle_id(&self->status_idle, g_source_remove);
  g_clear_handle_id(&self->columns_idle, g_source_remove);

  G_OBJECT_CLASS(derush_window_parent_class)->dispose(object);
}

static void
derush_window_finalize(GObject *object)
{
  DerushWindow *self = DERUSH_WINDOW(object);
  g_clear_pointer(&self->catalog, derush_catalog_close);
  g_free(self->catalog_path);
  G_OBJECT_CLASS(derush_window_parent_class)->finalize(object);
}

/* The grouping gaps changed (preferences): the session groups the folder
 * again with them. */
static void
queue_regroup(DerushWindow *self)
{
  if (!self->session)
    return; /* still being made */
  derush_folder_session_set_group_gaps(self->session, self->session_gap_min * 60.0,
                                       self->burst_gap_s);
  derush_folder_session_queue_regroup(self->session);
}

static void
derush_window_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  DerushWindow *self = DERUSH_WINDOW(object);
  switch (prop_id) {
  case PROP_ADVANCE:
    g_value_set_boolean(value, self->advance);
    break;
  case PROP_HIDE_LABELLED:
    g_value_set_boolean(value, self->hide_labelled);
    break;
  case PROP_SHOW_PANEL:
    g_value_set_boolean(value, self->show_panel);
    break;
  case PROP_THUMB_SIZE:
    g_value_set_int(value, self->thumb_size);
    break;
  case PROP_STYLE:
    g_value_set_uint(value, self->style);
    break;
  case PROP_SESSION_GAP:
    g_value_set_uint(value, self->session_gap_min);
    break;
  case PROP_BURST_GAP:
    g_value_set_double(value, self->burst_gap_s);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
  }
}

static void
derush_window_set_property(GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  DerushWindow *self = DERUSH_WINDOW(object);
  gboolean v = G_VALUE_HOLDS_BOOLEAN(value) && g_value_get_boolean(value);
  switch (prop_id) {
  case PROP_ADVANCE:
    if (self->advance == v)
      return;
    self->advance = v;
    _derush_window_save_settings(self);
    break;
  case PROP_HIDE_LABELLED:
    if (self->hide_labelled == v)
      return;
    self->hide_labelled = v;
    derush_photo_model_set_hide_labelled(self->model, v);
    if (_derush_window_get_current_position(self) < 0)
      _derush_window_select_position(self, 0);
    _derush_window_queue_status(self);
    break;
  case PROP_SHOW_PANEL:
    if (self->show_panel == v)
      return;
    self->show_panel = v;
    gtk_widget_set_visible(GTK_WIDGET(self->side_panel), v);
    _derush_window_save_settings(self);
    break;
  case PROP_THUMB_SIZE:
    _derush_window_set_thumb_size(self, g_value_get_int(value));
    return; /* notified there, as Ctrl+plus does */
  case PROP_STYLE:
    if (self->style == g_value_get_uint(value))
      return;
    self->style = g_value_get_uint(value);
    apply_style(self);
    _derush_window_save_settings(self);
    break;
  case PROP_SESSION_GAP:
    if (self->session_gap_min == g_value_get_uint(value))
      return;
    self->session_gap_min = g_value_get_uint(value);
    _derush_window_save_settings(self);
    queue_regroup(self);
    break;
  case PROP_BURST_GAP:
    if (self->burst_gap_s == g_value_get_double(value))
      return;
    self->burst_gap_s = g_value_get_double(value);
    _derush_window_save_settings(self);
    queue_regroup(self);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
    return;
  }
  g_object_notify_by_pspec(object, pspec);
}

static void
derush_window_class_init(DerushWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS(klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

  object_class->dispose = derush_window_dispose;
  object_class->finalize = derush_window_finalize;
  object_class->get_property = derush_window_get_property;
  object_class->set_property = derush_window_set_property;

  properties[PROP_ADVANCE] =
      g_param_spec_boolean("advance", NULL, NULL, TRUE,
                           G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HIDE_LABELLED] =
      g_param_spec_boolean("hide-labelled", NULL, NULL, FALSE,
                           G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHOW_PANEL] =
      g_param_spec_boolean("show-panel", NULL, NULL, TRUE,
                           G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* The grid's thumbnail size, in pixels (Ctrl+plus/minus step it). */
  properties[PROP_THUMB_SIZE] =
      g_param_spec_int("thumb-size", NULL, NULL, 96, 512, 200,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* A DerushStyle (a uint, as AdwComboRow:selected, which binds to it). */
  properties[PROP_STYLE] = g_param_spec_uint(
      "style", NULL, NULL, DERUSH_STYLE_FOLLOW, DERUSH_STYLE_LIGHT, DERUSH_STYLE_FOLLOW,
      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Grouping gaps (DerushGroupOptions): a change regroups the folder. */
  properties[PROP_SESSION_GAP] =
      g_param_spec_uint("session-gap", NULL, NULL, 1, 24 * 60, 30,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BURST_GAP] =
      g_param_spec_double("burst-gap", NULL, NULL, 0.5, 60, 2,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties(object_class, N_PROPS, properties);

  g_type_ensure(DERUSH_TYPE_SIDE_PANEL);
  g_type_ensure(DERUSH_TYPE_VIEWER);
  gtk_widget_class_set_template_from_resource(widget_class, "/org/derush/Derush/derush-window.ui");
  gtk_widget_class_bind_template_child(widget_class, DerushWindow, toast_overlay);
  gtk_widget_class_bind_template_child(widget_class, DerushWindow, window_title);
  gtk_widget_class_bind_template_child(widget_class, DerushWindow, jobs_box);
  gtk_widget_class_bind_template_child(widget_class, DerushWindow, progress_bar);
  gtk_widget_class_bind_template_child(widget_class, DerushWindow, progress_label);
  gtk_widget_class_bind_template_child(widget_class, DerushWindow, filter_dropdown);
  gtk_widget_class_bind_template_child(widget_class, DerushWindow, sort_dropdown);
  gtk_widget_class_bind_template_child(widget_class, DerushWindow, stack);
  gtk_widget_class_bind_template_child(widget_class, DerushWindow, message_page);
  gtk_widget_class_bind_template_child(widget_class, DerushWindow, paned);
  gtk_widget_class_bind_template_child(widget_class, DerushWindow, banner);
  gtk_widget_class_bind_template_child(widget_class, DerushWindow, banner_label);
  gtk_widget_class_bind_template_child(widget_class, DerushWindow, grid_scroller);
  gtk_widget_class_bind_template_child(widget_class, DerushWindow, no_match_page);
  gtk_widget_class_bind_template_child(widget_class, DerushWindow, grid_view);
  gtk_widget_class_bind_template_child(widget_class, DerushWindow, side_panel);
  gtk_widget_class_bind_template_child(widget_class, DerushWindow, viewer);
  gtk_widget_class_bind_template_child(widget_class, DerushWindow, recent_section);
  gtk_widget_class_bind_template_child(widget_class, DerushWindow, search_bar);
  gtk_widget_class_bind_template_child(widget_class, DerushWindow, search_entry);

  _derush_window_class_init_actions(widget_class);
  _derush_window_class_init_learning(widget_class);
}

static void
derush_window_init(DerushWindow *self)
{
  gtk_widget_init_template(GTK_WIDGET(self));

  self->cells = g_ptr_array_new();

  g_autoptr(GKeyFile) kf = _derush_settings_load_file();
  DerushSettings settings;
  _derush_settings_read(kf, &settings);
  self->thumb_size = settings.thumb_size;
  self->advance = settings.advance;
  self->show_panel = settings.show_panel;
  self->style = (DerushStyle)settings.style;
  self->session_gap_min = settings.session_gap_min;
  self->burst_gap_s = settings.burst_gap_s;
  _derush_settings_clear(&settings);
  apply_style(self);

  self->model = derush_photo_model_new();
  /* The grid lays out the photos with the "By Group" sort's row-ending
   * spacers (derush-grid-layout.c): positions in the selection are the
   * layout's, mapped to the photos' by the functions below. */
  self->layout = derush_grid_layout_new(G_LIST_MODEL(self->model));
  self->selection = gtk_multi_selection_new(G_LIST_MODEL(g_object_ref(self->layout)));
  g_signal_connect(self->selection, "selection-changed", G_CALLBACK(selection_changed_cb), self);
  g_signal_connect_swapped(self->selection, "items-changed",
                           G_CALLBACK(_derush_window_queue_status), self);

  GtkListItemFactory *factory = gtk_signal_list_item_factory_new();
  g_signal_connect(factory, "setup", G_CALLBACK(setup_cb), self);
  g_signal_connect(factory, "bind", G_CALLBACK(bind_cb), self);
  g_signal_connect(factory, "unbind", G_CALLBACK(unbind_cb), self);
  gtk_grid_view_set_factory(self->grid_view, factory);
  g_object_unref(factory);
  gtk_grid_view_set_model(self->grid_view, GTK_SELECTION_MODEL(self->selection));
  g_signal_connect(self->grid_view, "activate", G_CALLBACK(activate_cb), self);
  g_signal_connect_swapped(gtk_scrollable_get_hadjustment(GTK_SCROLLABLE(self->grid_view)),
                           "notify::page-size", G_CALLBACK(update_max_columns), self);
  update_max_columns(self);

  g_signal_connect(self->filter_dropdown, "notify::selected", G_CALLBACK(filter_selected_cb), self);
  g_signal_connect(self->sort_dropdown, "notify::selected", G_CALLBACK(sort_selected_cb), self);
  gtk_search_bar_connect_entry(self->search_bar, GTK_EDITABLE(self->search_entry));
  g_signal_connect(self->search_entry, "search-changed", G_CALLBACK(search_changed_cb), self);
  g_signal_connect(self->search_entry, "activate", G_CALLBACK(search_activate_cb), self);
  g_signal_connect(self->search_bar, "notify::search-mode-enabled", G_CALLBACK(search_mode_cb),
                   self);

  GtkDropTarget *drop = gtk_drop_target_new(G_TYPE_FILE, GDK_ACTION_COPY);
  g_signal_connect(drop, "drop", G_CALLBACK(_derush_window_drop_cb), self);
  gtk_widget_add_controller(GTK_WIDGET(self), GTK_EVENT_CONTROLLER(drop));

  self->compare = DERUSH_COMPARE(derush_compare_new());
  gtk_stack_add_named(self->stack, GTK_WIDGET(self->compare), "compare");

  gtk_paned_set_position(self->paned, 1400 - 360);
  gtk_widget_set_visible(GTK_WIDGET(self->side_panel), self->show_panel);
  _derush_window_init_shortcuts(self);
  _derush_window_init_focus(self);
  _derush_window_update_recent_menu(self);
}

/**
 * derush_window_new:
 * @app: the application.
 * @catalog_path: (nullable): the catalog (NULL: $DERUSH_CATALOG or the default).
 *
 * Opens the catalog for the main thread's label writes.
 *
 * Returns: (transfer full): the window, or NULL with @error set.
 */
DerushWindow *
derush_window_new(GtkApplication *app, const char *catalog_path, GError **error)
{
  DerushCatalog *catalog = derush_catalog_open(catalog_path, error);
  if (!catalog)
    return NULL;
  /* An apply that a crash cut short is finished or rolled back before the
   * grid shows any file (the CLI does the same on every open). */
  if (!derush_catalog_is_read_only(catalog) &&
      derush_catalog_recover_file_ops(catalog, error) < 0) {
    derush_catalog_close(catalog);
    return NULL;
  }
  DerushWindow *self = g_object_new(DERUSH_TYPE_WINDOW, "application", app, NULL);
  self->catalog = catalog;
  self->catalog_path = g_strdup(derush_catalog_get_path(catalog));
  self->thumbnailer = derush_thumbnailer_new(catalog, 2);
  derush_thumbnailer_set_capacity(self->thumbnailer, texture_capacity(self->thumb_size));
  derush_side_panel_set_photos(self->side_panel, derush_photo_model_get_all(self->model),
                               self->thumbnailer);
  self->session = derush_folder_session_new(self->catalog_path, self->model);
  derush_folder_session_set_group_gaps(self->session, self->session_gap_min * 60.0,
                                       self->burst_gap_s);
  _derush_window_connect_session(self);
  _derush_window_init_learning(self);
  _derush_window_update_actions(self);
  return self;
}

/** derush_window_get_catalog_path: Returns: (transfer none): the catalog the window opened. */
const char *
derush_window_get_catalog_path(DerushWindow *self)
{
  return self->catalog_path;
}

/**
 * derush_window_set_applying:
 * An apply or its undo is moving files (or is done): the actions that
 * would race it are disabled meanwhile.
 */
void
derush_window_set_applying(DerushWindow *self, gboolean applying)
{
  self->applying = applying;
  _derush_window_update_actions(self);
}

gboolean
derush_window_is_applying(DerushWindow *self)
{
  return self->applying;
}
