/* derush-preferences.c: the preferences window (app.preferences, Ctrl+comma).
 *
 * Every row is bound both ways to a property of the DerushWindow it edits
 * ("style", "advance", "thumb-size", "session-gap", "burst-gap"). The
 * window stays the one owner of the settings: it applies a change (the
 * style manager's colour scheme, the grid's cells, a regroup on the
 * analyzer's worker) and saves it in its key file with the others
 * (derush_window_save_settings()). So the menu's check marks, Ctrl+plus
 * and this window never disagree, and closing the window just drops the
 * bindings.
 */
#include "derush-screenshot.h"
#include "derush-preferences.h"

struct _DerushPreferences {
  AdwPreferencesWindow parent_instance;

  AdwComboRow *style_row;
  GtkSwitch *advance_switch;
  GtkAdjustment *thumb_adjustment;
  GtkAdjustment *session_adjustment;
  GtkAdjustment *burst_adjustment;
};

G_DEFINE_FINAL_TYPE(DerushPreferences, derush_preferences, ADW_TYPE_PREFERENCES_WINDOW)

static void
derush_preferences_class_init(DerushPreferencesClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);

  gtk_widget_class_set_template_from_resource(widget_class,
                                              "/org/derush/Derush/derush-preferences.ui");
  gtk_widget_class_bind_template_child(widget_class, DerushPreferences, style_row);
  gtk_widget_class_bind_template_child(widget_class, DerushPreferences, advance_switch);
  gtk_widget_class_bind_template_child(widget_class, DerushPreferences, thumb_adjustment);
  gtk_widget_class_bind_template_child(widget_class, DerushPreferences, session_adjustment);
  gtk_widget_class_bind_template_child(widget_class, DerushPreferences, burst_adjustment);
}

static void
derush_preferences_init(DerushPreferences *self)
{
  gtk_widget_init_template(GTK_WIDGET(self));
}

static void
bind(DerushWindow *window, const char *property, gpointer target, const char *target_property)
{
  /* GValue transforms carry the uint and int properties to the
   * adjustments' doubles and back. */
  g_object_bind_property(window, property, target, target_property,
                         G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
}

/**
 * derush_preferences_find:
 * Returns: (transfer none) (nullable): the preferences window open over @window.
 */
DerushPreferences *
derush_preferences_find(DerushWindow *window)
{
  GListModel *toplevels = gtk_window_get_toplevels(); /* (transfer none) */
  guint n = g_list_model_get_n_items(toplevels);
  for (guint i = 0; i < n; i++) {
    g_autoptr(GObject) w = g_list_model_get_item(toplevels, i);
    if (DERUSH_IS_PREFERENCES(w) &&
        gtk_window_get_transient_for(GTK_WINDOW(w)) == GTK_WINDOW(window))
      return DERUSH_PREFERENCES(w);
  }
  return NULL;
}

/**
 * derush_preferences_present:
 * Opens the preferences of @window (or brings the open ones forward).
 *
 * Returns: (transfer none): the preferences window.
 */
DerushPreferences *
derush_preferences_present(DerushWindow *window)
{
  g_return_val_if_fail(DERUSH_IS_WINDOW(window), NULL);
  DerushPreferences *self = derush_preferences_find(window);
  if (!self) {
    self = g_object_new(DERUSH_TYPE_PREFERENCES, "transient-for", window, NULL);
    bind(window, "style", self->style_row, "selected");
    bind(window, "advance", self->advance_switch, "active");
    bind(window, "thumb-size", self->thumb_adjustment, "value");
    bind(window, "session-gap", self->session_adjustment, "value");
    bind(window, "burst-gap", self->burst_adjustment, "value");
  }
  gtk_window_present(GTK_WINDOW(self));
  return self;
}

static gboolean
set_number(GtkAdjustment *adjustment, const char *value, GError **error)
{
  char *end = NULL;
  double v = g_ascii_strtod(value, &end);
  if (end == value || *end || v < gtk_adjustment_get_lower(adjustment) ||
      v > gtk_adjustment_get_upper(adjustment)) {
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "expected a number from %g to %g",
                gtk_adjustment_get_lower(adjustment), gtk_adjustment_get_upper(adjustment));
    return FALSE;
  }
  gtk_adjustment_set_value(adjustment, v);
  return TRUE;
}

/**
 * derush_preferences_set:
 * @key: "style" (follow, dark, light), "advance" (true, false),
 *   "thumb-size" (pixels), "session-gap" (minutes) or "burst-gap" (seconds).
 * @value: the value, as text.
 *
 * Sets the row's widget, as a click or typing would (the replay's `pref`).
 *
 * Returns: FALSE with @error set for an unknown key or a bad value.
 */
gboolean
derush_preferences_set(DerushPreferences *self, const char *key, const char *value, GError **error)
{
  g_return_val_if_fail(DERUSH_IS_PREFERENCES(self), FALSE);
  if (g_str_equal(key, "style")) {
    static const char *const styles[] = {"follow", "dark", "light"};
    for (guint i = 0; i < G_N_ELEMENTS(styles); i++)
      if (g_str_equal(value, styles[i])) {
        adw_combo_row_set_selected(self->style_row, i);
        return TRUE;
      }
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "expected follow, dark or light");
    return FALSE;
  }
  if (g_str_equal(key, "advance")) {
    if (!g_str_equal(value, "true") && !g_str_equal(value, "false")) {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "expected true or false");
      return FALSE;
    }
    gtk_switch_set_active(self->advance_switch, g_str_equal(value, "true"));
    return TRUE;
  }
  if (g_str_equal(key, "thumb-size"))
    return set_number(self->thumb_adjustment, value, error);
  if (g_str_equal(key, "session-gap"))
    return set_number(self->session_adjustment, value, error);
  if (g_str_equal(key, "burst-gap"))
    return set_number(self->burst_adjustment, value, error);
  g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "unknown preference %s", key);
  return FALSE;
}

/**
 * derush_preferences_screenshot:
 * @path: a .png file to write.
 * @width: (out) (optional): the window's width, @height likewise.
 *
 * Renders the preferences window as derush_window_screenshot() renders
 * the main window.
 */
gboolean
derush_preferences_screenshot(DerushPreferences *self, const char *path, int *width, int *height,
                              GError **error)
{
  return derush_screenshot_window(GTK_WINDOW(self), path, width, height, error);
}
