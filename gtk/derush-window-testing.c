/* derush-window-testing.c: what the replay script and bench mode read of
 * the window (loaded, analysed, counts, loading states) and the setters
 * they drive; the app's own code does not call these. */
#include "derush-window-private.h"

gboolean
derush_window_is_loaded(DerushWindow *self)
{
  return self->folder && !self->loading;
}

gboolean
derush_window_is_folder_missing(DerushWindow *self)
{
  return self->folder_missing;
}

/** derush_window_is_analyzed: the folder's analysis finished and its results are shown. */
gboolean
derush_window_is_analyzed(DerushWindow *self)
{
  return self->analyzed && !self->analyzing && !self->regroup_source;
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
  *grouped = *best = *flagged = 0;
  GHashTableIter iter;
  gpointer value;
  g_hash_table_iter_init(&iter, self->by_id);
  while (g_hash_table_iter_next(&iter, NULL, &value)) {
    const DerushPhotoAnalysis *a = derush_photo_item_get_analysis(value);
    *grouped += a->group_id != 0;
    *best += a->group_id != 0 && a->is_best;
    *flagged += a->blurry || a->exposure != DERUSH_EXPOSURE_OK;
  }
}

guint
derush_window_get_n_shown(DerushWindow *self)
{
  return g_list_model_get_n_items(G_LIST_MODEL(self->sort_model));
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
  return derush_viewer_is_loading(self->viewer);
}

/**
 * derush_window_set_filter: shows all photos, or only unlabelled / keep / trash / best picks /
 * predicted trash / unsure ones.
 */
void
derush_window_set_filter(DerushWindow *self, DerushFilterMode mode)
{
  if (mode > DERUSH_FILTER_UNSURE)
    return;
  if (gtk_drop_down_get_selected(self->filter_dropdown) != (guint)mode)
    gtk_drop_down_set_selected(self->filter_dropdown, mode); /* comes back here */
  if (self->filter_mode == mode)
    return;
  self->filter_mode = mode;
  gtk_filter_changed(GTK_FILTER(self->filter), GTK_FILTER_CHANGE_DIFFERENT);
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
  if (self->sort_mode == mode)
    return;
  self->sort_mode = mode;
  gtk_sorter_changed(GTK_SORTER(self->sorter), GTK_SORTER_CHANGE_DIFFERENT);
  _derush_window_queue_status(self);
}
