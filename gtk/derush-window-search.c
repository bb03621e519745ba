/* derush-window-search.c: searching the window's photos by file and folder
 * name, within the current filter (Ctrl+F). The search bar's callbacks are
 * the template's, in derush-window.c. */
#include "derush-window-private.h"

/**
 * derush_window_set_search:
 * @text: (nullable): what the path below the folder must contain (a file
 *   or subfolder name, in any case); NULL or "" searches for nothing.
 *
 * Narrows what the model shows (derush_photo_model_set_search()) and puts
 * @text in the search bar.
 */
void
derush_window_set_search(DerushWindow *self, const char *text)
{
  if (!self->search_entry || !self->model)
    return; /* disposing */
  if (!text)
    text = "";
  if (!g_str_equal(gtk_editable_get_text(GTK_EDITABLE(self->search_entry)), text)) {
    if (*text)
      gtk_search_bar_set_search_mode(self->search_bar, TRUE);
    /* Its search-changed comes back here, to an unchanged needle. */
    gtk_editable_set_text(GTK_EDITABLE(self->search_entry), text);
  }
  if (!derush_photo_model_set_search(self->model, text))
    return;
  if (derush_window_get_current_position(self) < 0)
    derush_window_select_position(self, 0);
  derush_window_queue_status(self);
}

/** derush_window_get_search: Returns: (transfer none): the search bar's text ("" when none). */
const char *
derush_window_get_search(DerushWindow *self)
{
  return gtk_editable_get_text(GTK_EDITABLE(self->search_entry));
}

/**
 * derush_window_set_search_mode:
 * Opens the search bar with its entry focused, or closes it: closing
 * clears the search (GtkSearchBar empties its entry) and gives the keys
 * back to the grid.
 */
void
derush_window_set_search_mode(DerushWindow *self, gboolean on)
{
  gtk_search_bar_set_search_mode(self->search_bar, on);
  if (on)
    gtk_widget_grab_focus(GTK_WIDGET(self->search_entry));
}

/** derush_window_get_search_mode: the search bar is open. */
gboolean
derush_window_get_search_mode(DerushWindow *self)
{
  return gtk_search_bar_get_search_mode(self->search_bar);
}

/** derush_window_stop_search: Escape in the search entry (its stop-search). */
void
derush_window_stop_search(DerushWindow *self)
{
  g_signal_emit_by_name(self->search_entry, "stop-search");
}
