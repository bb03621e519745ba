/* derush-replay-faces.c: the replay's commands for faces.
 *
 * Part of `derush-gtk --replay` (derush-replay.c lists the other commands):
 *
 *   print-face-cells   print "face-cell NAME BADGES" for every bound cell:
 *                      the face badges it drew last ("Eyes closed", "Face
 *                      soft", joined by "|"), "-" when none (take a
 *                      screenshot first, so every cell has drawn)
 *   print-faces        print "faces TEXT": the side panel's Faces row for
 *                      the current photo, lines joined by " / ", "-" when
 *                      hidden (waits for the panel to follow the selection)
 *   print-face-boxes   print "face-boxes N": the boxes the viewer draws (D),
 *                      then "face-states S..." for the current photo's faces
 *                      (derush_face_mark_state: how the viewer draws each)
 *   print-no-match-text  print "no-match-text TEXT": what the "No Photos
 *                      Match" page over the grid says, "-" while hidden
 *                      (waits for the grid's status to follow the filter)
 *
 * The grid's filter "closed-eyes" is derush-replay.c's `filter`.
 */
#include "derush-replay-faces.h"
#include "derush-face-overlay.h"
#include "derush-grid-cell.h"
#include "derush-side-panel.h"
#include "derush-viewer.h"

static void
print_face_states(DerushPhotoItem *item)
{
  const DerushPhotoAnalysis *a = item ? derush_photo_item_get_analysis(item) : NULL;
  GString *text = g_string_new("face-states");
  for (guint i = 0; a && i < a->n_faces; i++)
    g_string_append_printf(text, " %s", derush_face_mark_state(&a->face_marks[i]));
  g_print("%s\n", text->str);
  g_string_free(text, TRUE);
}

static const char *const commands[] = {"print-face-cells", "print-faces", "print-face-boxes",
                                       "print-no-match-text", NULL};

/** derush_replay_faces_handles: TRUE when @cmd is one of this file's commands. */
gboolean
derush_replay_faces_handles(const char *cmd)
{
  return g_strv_contains(commands, cmd);
}

static void
print_face_cell(DerushGridCell *cell, gpointer unused)
{
  DerushPhotoItem *item = derush_grid_cell_get_item(cell);
  if (!item)
    return;
  guint n = 0;
  const char *const *badges = derush_grid_cell_get_face_badges(cell, &n);
  GString *text = g_string_new(NULL);
  for (guint i = 0; i < n; i++)
    g_string_append_printf(text, "%s%s", i ? "|" : "", badges[i]);
  g_print("face-cell %s %s\n", derush_photo_item_get_display_name(item), n ? text->str : "-");
  g_string_free(text, TRUE);
}

/* The visible AdwStatusPage titled "No Photos Match" under @widget. */
static AdwStatusPage *
find_no_match(GtkWidget *widget)
{
  if (ADW_IS_STATUS_PAGE(widget) && gtk_widget_get_visible(widget) &&
      g_strcmp0(adw_status_page_get_title(ADW_STATUS_PAGE(widget)), "No Photos Match") == 0)
    return ADW_STATUS_PAGE(widget);
  for (GtkWidget *c = gtk_widget_get_first_child(widget); c; c = gtk_widget_get_next_sibling(c)) {
    AdwStatusPage *page = find_no_match(c);
    if (page)
      return page;
  }
  return NULL;
}

/**
 * derush_replay_faces_run:
 * @window: the window
 * @cmd: one of this file's commands
 * @done: (out): FALSE when the command waits: call again on the next tick
 * @error: return location for a GError
 *
 * Returns: FALSE with @error set when the command cannot run.
 */
gboolean
derush_replay_faces_run(DerushWindow *window, const char *cmd, gboolean *done, GError **error)
{
  /* The grid's status (side panel, "No Photos Match") follows the
   * selection and the filter from an idle: let it catch up. */
  *done = !derush_window_is_status_pending(window) || g_str_equal(cmd, "print-face-cells") ||
          g_str_equal(cmd, "print-face-boxes");
  if (!*done)
    return TRUE;
  if (g_str_equal(cmd, "print-face-cells")) {
    derush_grid_cell_foreach(GTK_WIDGET(derush_window_get_grid_view(window)), print_face_cell,
                             NULL);
  } else if (g_str_equal(cmd, "print-faces")) {
    DerushSidePanel *panel = DERUSH_SIDE_PANEL(derush_window_get_side_panel(window));
    const char *text = derush_side_panel_get_faces_text(panel);
    g_auto(GStrv) lines = g_strsplit(text ? text : "-", "\n", -1);
    g_autofree char *one = g_strjoinv(" / ", lines);
    g_print("faces %s\n", one);
  } else if (g_str_equal(cmd, "print-no-match-text")) {
    AdwStatusPage *page = find_no_match(GTK_WIDGET(window));
    g_print("no-match-text %s\n", page ? adw_status_page_get_description(page) : "-");
  } else if (g_str_equal(cmd, "print-face-boxes")) {
    g_print("face-boxes %u\n",
            derush_viewer_get_face_boxes(DERUSH_VIEWER(derush_window_get_viewer(window))));
    print_face_states(derush_window_get_current(window));
  } else {
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "not a faces command");
    return FALSE;
  }
  return TRUE;
}
