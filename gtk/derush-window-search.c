/* derush-window-search.c: searching the window's photos by file and folder
 * name, within the current filter (Ctrl+F). The search bar's callbacks are
 * the template's, in derush-window.c. */
#include "derush-window-private.h"
#include <string.h>

/**
 * derush_window_set_search:
 * @text: (nullable): what the path below the folder must contain (a file
 *   or subfolder name, in any case); NULL or "" searches for nothing.
 *
 * Narrows what the filter shows (filter_func) and puts @text in the search
 * bar. A needle that contains the previous one can only hide photos, and
 * one the previous contains can only bring some back: the filter model is
 * told so, and then checks only the photos shown, or only the hidden ones.
 */
void
derush_window_set_search(DerushWindow *self, const char *text)
{
  if (!self->search_entry || !self->filter)
    return; /* disposing */
  if (!text)
    text = "";
  if (!g_str_equal(gtk_editable_get_text(GTK_EDITABLE(self->search_entry)), text)) {
    if (*text)
      gtk_search_bar_set_search_mode(self->search_bar, TRUE);
    /* Its search-changed comes back here, to an unchanged needle. */
    gtk_editable_set_text(GTK_EDITABLE(self->search_entry), text);
  }
  g_autofree char *key = *text ? derush_search_fold(text) : NULL;
  if (g_strcmp0(key, self->search_key) == 0)
    return;
  GtkFilterChange change = GTK_FILTER_CHANGE_DIFFERENT;
  if (!self->search_key || (key && strstr(key, self->search_key)))
    change = GTK_FILTER_CHANGE_MORE_STRICT;
  else if (!key || strstr(self->search_key, key))
    change = GTK_FILTER_CHANGE_LESS_STRICT;
  g_free(self->search_key);
  self->search_key = g_steal_pointer(&key);
  gtk_filter_changed(GTK_FILTER(self->filter), change);
  if (_derush_window_get_current_position(self) < 0)
    _derush_window_select_position(self, 0);
  _derush_window_queue_status(self);
}

/** derush_window_get_search: Returns: (transfer none): the search bar's text ("" when none). */
const char *
derush_window_get_search(DerushWindow *self)
{
  return gtk_editable_get_text(GTK_EDITABLE(self->search_entry));
}

/**
 * _derush_window_set_search_mode:
 * Opens the search bar with its entry focused, or closes it: closing
 * clears the search (GtkSearchBar empties its entry) and gives the keys
 * back to the grid.
 */
void
_derush_window_set_search_mode(DerushWindow *self, gboolean on)
{
  gtk_search_bar_set_search_mode(self->search_bar, on);
  if (on)
    gtk_widget_grab_focus(GTK_WIDGET(self->search_entry));
}
