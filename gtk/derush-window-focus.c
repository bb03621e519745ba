/* derush-window-focus.c: the arrow keys move through the photos.
 *
 * After the photographer picks a sort or filter from a dropdown, opens the
 * menu, or clicks a star button, GTK leaves the keyboard focus on that
 * button; the arrow keys then walked the header bar and the side panel's
 * buttons while K and T still labelled the grid's (now unseen) selection.
 * With the grid page shown, a bare arrow key pressed anywhere outside the
 * grid, a text entry or an open popover now goes back to the grid and moves
 * there, as it would in a file manager's icon view. Tab still walks the
 * widgets, for keyboard-only use of the buttons.
 */
#include "derush-window-private.h"

static const char *
arrow_action(guint keyval)
{
  switch (keyval) {
  case GDK_KEY_Left:
  case GDK_KEY_KP_Left:
    return "win.move-left";
  case GDK_KEY_Right:
  case GDK_KEY_KP_Right:
    return "win.move-right";
  case GDK_KEY_Up:
  case GDK_KEY_KP_Up:
    return "win.move-up";
  case GDK_KEY_Down:
  case GDK_KEY_KP_Down:
    return "win.move-down";
  default:
    return NULL;
  }
}

/**
 * derush_window_route_arrow:
 * @keyval: a key pressed with no modifier.
 *
 * Sends an arrow key pressed away from the grid back to it (see above).
 * The window's key controller calls it; so does the replay's `press`.
 *
 * Returns: TRUE when the key was handled here (the grid took it).
 */
gboolean
derush_window_route_arrow(DerushWindow *self, guint keyval)
{
  const char *action = arrow_action(keyval);
  if (!action || !g_str_equal(gtk_stack_get_visible_child_name(self->stack), "grid"))
    return FALSE;
  GtkWidget *grid = GTK_WIDGET(self->grid_view);
  GtkWidget *focus = gtk_root_get_focus(GTK_ROOT(self));
  if (focus && (focus == grid || gtk_widget_is_ancestor(focus, grid)))
    return FALSE; /* the grid's own key table handles it */
  /* Text entries move their cursor; an open menu or dropdown list moves
   * through its items (they live on a surface of their own). */
  if (focus && (GTK_IS_EDITABLE(focus) || GTK_IS_TEXT(focus) ||
                gtk_widget_get_native(focus) != GTK_NATIVE(self)))
    return FALSE;
  gtk_widget_grab_focus(grid);
  gtk_widget_activate_action(GTK_WIDGET(self), action, NULL);
  return TRUE;
}

static gboolean
key_pressed_cb(GtkEventControllerKey *controller, guint keyval, guint keycode,
               GdkModifierType state, DerushWindow *self)
{
  if (state & (GDK_CONTROL_MASK | GDK_SHIFT_MASK | GDK_ALT_MASK | GDK_SUPER_MASK))
    return FALSE;
  return derush_window_route_arrow(self, keyval);
}

/** derush_window_init_focus: installs the arrow routing on the window. */
void
derush_window_init_focus(DerushWindow *self)
{
  GtkEventController *keys = gtk_event_controller_key_new();
  gtk_event_controller_set_propagation_phase(keys, GTK_PHASE_CAPTURE);
  g_signal_connect(keys, "key-pressed", G_CALLBACK(key_pressed_cb), self);
  gtk_widget_add_controller(GTK_WIDGET(self), keys);
}
