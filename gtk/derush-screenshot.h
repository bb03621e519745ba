/* derush-screenshot.h: a window rendered to a PNG, for the scripted tests
 * (derush-replay.c) and the benchmark's screenshots. */
#ifndef DERUSH_SCREENSHOT_H
#define DERUSH_SCREENSHOT_H

#include <gtk/gtk.h>

G_BEGIN_DECLS

gboolean derush_screenshot_window(GtkWindow *window, const char *path, int *width, int *height,
                                  GError **error);

gboolean derush_screenshot_widget(GtkWidget *widget, const char *path, int *width, int *height,
                                  GError **error);

G_END_DECLS

#endif /* DERUSH_SCREENSHOT_H */
