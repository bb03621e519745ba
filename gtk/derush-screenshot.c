/* derush-screenshot.c: see derush-screenshot.h. */
#include "derush-screenshot.h"

/**
 * derush_screenshot_window:
 * @window: a shown window (the main window, a dialog, the preferences)
 * @path: a .png file to write
 * @width: (out) (optional): the picture's width, @height likewise
 *
 * Renders the window's own widget tree with its renderer, so tests see
 * exactly what is on screen without a compositor or a screen grab.
 *
 * Returns: FALSE with @error set when the window is not shown or the file
 * cannot be written.
 */
gboolean
derush_screenshot_window(GtkWindow *window, const char *path, int *width, int *height,
                         GError **error)
{
  return derush_screenshot_widget(GTK_WIDGET(window), path, width, height, error);
}

/**
 * derush_screenshot_widget:
 * @widget: a shown widget: a window, or a popover (a menu), which lives on a
 *   surface of its own that rendering the window leaves out
 * @path: a .png file to write
 * @width: (out) (optional): the picture's width, @height likewise
 *
 * Returns: FALSE with @error set when the widget is not shown or the file
 * cannot be written.
 */
gboolean
derush_screenshot_widget(GtkWidget *widget, const char *path, int *width, int *height,
                         GError **error)
{
  int w = gtk_widget_get_width(widget), h = gtk_widget_get_height(widget);
  if (w <= 0 || h <= 0) {
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "the widget is not shown");
    return FALSE;
  }
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new(widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new();
  gdk_paintable_snapshot(paintable, snapshot, w, h);
  g_autoptr(GskRenderNode) node = gtk_snapshot_to_node(snapshot);
  if (!node) {
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "nothing to render");
    return FALSE;
  }
  GskRenderer *renderer = gtk_native_get_renderer(gtk_widget_get_native(widget));
  g_autoptr(GdkTexture) texture =
      gsk_renderer_render_texture(renderer, node, &GRAPHENE_RECT_INIT(0, 0, w, h));
  if (!gdk_texture_save_to_png(texture, path)) {
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot write %s", path);
    return FALSE;
  }
  if (width)
    *width = gdk_texture_get_width(texture);
  if (height)
    *height = gdk_texture_get_height(texture);
  return TRUE;
}
