/* derush-window-testing.c: what the replay script and bench mode
 * (gtk/testing/) read of the window (loaded, analysed, counts, loading
 * states, its parts) and the setters they drive, so that they need no
 * private header; the app's own code does not call these. */
#include "derush-window-private.h"

gboolean
derush_window_is_loaded(DerushWindow *self)
{
  return derush_window_get_folder(self) && !derush_folder_session_is_loading(self->session);
}

gboolean
derush_window_is_folder_missing(DerushWindow *self)
{
  return self->session && derush_folder_session_is_folder_missing(self->session);
}

/** derush_window_is_analyzed: the folder's analysis finished and its results are shown. */
gboolean
derush_window_is_analyzed(DerushWindow *self)
{
  return self->session && derush_folder_session_is_analyzed(self->session);
}

/**
 * derush_window_get_analysis_counts:
 * @grouped: (out): photos in a burst or near-duplicate group
 * @best: (out): best picks among them
 * @flagged: (out): photos with a blur or exposure warning
 */
void
derush_window_get_analysis_counts(DerushWindow *self, guint *grouped, guint *best, guint *flagged)
{
  derush_photo_model_get_analysis_counts(self->model, grouped, best, flagged);
}

/** derush_window_get_subtitle: the header's line under the folder name ("76 photos · 3 labelled").
 */
const char *
derush_window_get_subtitle(DerushWindow *self)
{
  return adw_window_title_get_subtitle(self->window_title);
}

guint
derush_window_get_n_shown(DerushWindow *self)
{
  return g_list_model_get_n_items(G_LIST_MODEL(self->model));
}

guint
derush_window_get_thumbnails_pending(DerushWindow *self)
{
  return derush_thumbnailer_get_pending(self->thumbnailer);
}

/** derush_window_get_n_cells: grid cell widgets alive now (recycling check). */
guint
derush_window_get_n_cells(DerushWindow *self)
{
  return self->cells->len;
}

gboolean
derush_window_is_compare_loading(DerushWindow *self)
{
  return derush_compare_is_loading(self->compare);
}

gboolean
derush_window_is_viewer_loading(DerushWindow *self)
{
  return derush_viewer_is_loading(self->viewer) || derush_viewer_is_histogram_busy(self->viewer);
}

/**
 * derush_window_set_filter: shows all photos, or only unlabelled / keep / trash / best picks /
 * predicted trash / unsure ones, or those with closed eyes.
 */
void
derush_window_set_filter(DerushWindow *self, DerushFilterMode mode)
{
  if (mode >= DERUSH_N_FILTERS)
    return;
  if (gtk_drop_down_get_selected(self->filter_dropdown) != (guint)mode)
    gtk_drop_down_set_selected(self->filter_dropdown, mode); /* comes back here */
  if (!derush_photo_model_set_filter(self->model, mode))
    return;
  if (_derush_window_get_current_position(self) < 0)
    _derush_window_select_position(self, 0);
  _derush_window_queue_status(self);
}

/** derush_window_set_sort: orders the grid by capture time, file name, group, sharpness or p(keep).
 */
void
derush_window_set_sort(DerushWindow *self, DerushSortMode mode)
{
  if (mode > DERUSH_SORT_P_KEEP)
    return;
  if (gtk_drop_down_get_selected(self->sort_dropdown) != (guint)mode)
    gtk_drop_down_set_selected(self->sort_dropdown, mode);
  if (!derush_photo_model_set_sort(self->model, mode))
    return;
  /* The "By Group" sort heads each group (derush-grid-cell.c) and starts
   * it on a row of its own (derush-grid-layout.c). */
  for (guint i = 0; i < self->cells->len; i++)
    derush_grid_cell_set_group_headers(self->cells->pdata[i], mode == DERUSH_SORT_GROUP);
  derush_grid_layout_set_grouped(self->layout, mode == DERUSH_SORT_GROUP);
  _derush_window_queue_status(self);
}

/** derush_window_get_model: Returns: (transfer none): the folder's photos, as shown. */
DerushPhotoModel *
derush_window_get_model(DerushWindow *self)
{
  return self->model;
}

/** derush_window_is_status_pending: the side panel and counts have a refresh queued. */
gboolean
derush_window_is_status_pending(DerushWindow *self)
{
  return self->status_idle != 0;
}

/**
 * derush_window_get_message:
 * Returns: the title of the message page ("Reading Photos…", "Disk Full")
 * when it is what the window shows, else NULL.
 */
const char *
derush_window_get_message(DerushWindow *self)
{
  if (g_strcmp0(gtk_stack_get_visible_child_name(self->stack), "message") != 0)
    return NULL;
  return adw_status_page_get_title(self->message_page);
}

/** derush_window_is_no_match_shown: the "No Photos Match" page covers the grid. */
gboolean
derush_window_is_no_match_shown(DerushWindow *self)
{
  return gtk_widget_get_visible(self->no_match_page);
}

/**
 * derush_window_count_cells_on_screen:
 * @blank: (out): those still without a thumbnail (a placeholder).
 * Returns: the grid cells mapped and bound to a photo.
 */
guint
derush_window_count_cells_on_screen(DerushWindow *self, guint *blank)
{
  guint mapped = 0;
  *blank = 0;
  for (guint i = 0; i < self->cells->len; i++) {
    GtkWidget *cell = self->cells->pdata[i];
    DerushPhotoItem *item = derush_grid_cell_get_item(DERUSH_GRID_CELL(cell));
    if (!item || !gtk_widget_get_mapped(cell))
      continue;
    mapped++;
    *blank += !derush_photo_item_get_texture(item) && !derush_photo_item_get_thumb_error(item);
  }
  return mapped;
}

/**
 * derush_window_count_placeholders_on_screen:
 * Returns: the mapped cells still showing their photo's embedded preview.
 */
guint
derush_window_count_placeholders_on_screen(DerushWindow *self)
{
  guint n = 0;
  for (guint i = 0; i < self->cells->len; i++) {
    GtkWidget *cell = self->cells->pdata[i];
    DerushPhotoItem *item = derush_grid_cell_get_item(DERUSH_GRID_CELL(cell));
    n += item && gtk_widget_get_mapped(cell) && derush_photo_item_has_placeholder(item);
  }
  return n;
}

/** derush_window_get_grid_view: Returns: (transfer none): the grid. */
GtkGridView *
derush_window_get_grid_view(DerushWindow *self)
{
  return self->grid_view;
}

/**
 * derush_window_get_grid_items:
 * @columns: (out): the column count the "By Group" sort's spacers were
 *   laid out for
 * Returns: (transfer none): what the grid lays out: the photos shown and
 *   the spacers (derush-grid-layout.c).
 */
GListModel *
derush_window_get_grid_items(DerushWindow *self, guint *columns)
{
  *columns = derush_grid_layout_get_columns(self->layout);
  return G_LIST_MODEL(self->layout);
}

/** derush_window_get_side_panel: Returns: (transfer none): the DerushSidePanel. */
GtkWidget *
derush_window_get_side_panel(DerushWindow *self)
{
  return GTK_WIDGET(self->side_panel);
}

/** derush_window_get_compare: Returns: (transfer none): the DerushCompare page. */
GtkWidget *
derush_window_get_compare(DerushWindow *self)
{
  return GTK_WIDGET(self->compare);
}

/** derush_window_get_page: Returns: (transfer none): the page shown: empty, message, grid, viewer,
 * compare. */
const char *
derush_window_get_page(DerushWindow *self)
{
  return gtk_stack_get_visible_child_name(self->stack);
}

/** derush_window_get_viewer: Returns: (transfer none): the DerushViewer page. */
GtkWidget *
derush_window_get_viewer(DerushWindow *self)
{
  return GTK_WIDGET(self->viewer);
}

/** derush_window_get_sort_dropdown: Returns: (transfer none): the header bar's sort dropdown. */
GtkWidget *
derush_window_get_sort_dropdown(DerushWindow *self)
{
  return GTK_WIDGET(self->sort_dropdown);
}
