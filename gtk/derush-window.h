/* derush-window.h: the main window (grid, side panel, viewer). */
#pragma once

#include <adwaita.h>
#include "derush.h"
#include "derush-photo-model.h"

G_BEGIN_DECLS

/* The app's colours, a preference. */
typedef enum {
  DERUSH_STYLE_FOLLOW, /* dark unless the system asks for light (ADW_COLOR_SCHEME_PREFER_DARK) */
  DERUSH_STYLE_DARK,
  DERUSH_STYLE_LIGHT,
} DerushStyle;

#define DERUSH_TYPE_WINDOW (derush_window_get_type())
G_DECLARE_FINAL_TYPE(DerushWindow, derush_window, DERUSH, WINDOW, AdwApplicationWindow)

DerushWindow *derush_window_new(GtkApplication *app, const char *catalog_path, GError **error);
void derush_window_open_folder(DerushWindow *self, const char *dir);
const char *derush_window_get_folder(DerushWindow *self);
void derush_window_show_toast(DerushWindow *self, const char *message);

/* For the apply dialog: its catalog and folder, the jobs it must stop,
 * the reload and the toast with an Undo button afterwards. */
const char *derush_window_get_catalog_path(DerushWindow *self);
void derush_window_cancel_jobs(DerushWindow *self);
void derush_window_reload(DerushWindow *self);
void derush_window_show_action_toast(DerushWindow *self, const char *message,
                                     const char *button_label, const char *action_name);
void derush_window_set_applying(DerushWindow *self, gboolean applying);
gboolean derush_window_is_applying(DerushWindow *self);

/* State and hooks for scripted replay and bench mode (gtk/testing/,
 * derush-window-testing.c); the app's own code does not call these. */
DerushPhotoModel *derush_window_get_model(DerushWindow *self);
DerushPhotoItem *derush_window_get_current(DerushWindow *self);
gboolean derush_window_is_loaded(DerushWindow *self);
gboolean derush_window_is_folder_missing(DerushWindow *self);
gboolean derush_window_is_analyzed(DerushWindow *self);
gboolean derush_window_is_status_pending(DerushWindow *self);
gboolean derush_window_is_no_match_shown(DerushWindow *self);
const char *derush_window_get_message(DerushWindow *self);
const char *derush_window_get_subtitle(DerushWindow *self);
void derush_window_get_analysis_counts(DerushWindow *self, guint *grouped, guint *best,
                                       guint *flagged);
guint derush_window_get_n_shown(DerushWindow *self);
guint derush_window_get_thumbnails_pending(DerushWindow *self);
guint derush_window_get_n_cells(DerushWindow *self);
guint derush_window_count_cells_on_screen(DerushWindow *self, guint *blank);
guint derush_window_count_placeholders_on_screen(DerushWindow *self);
guint derush_window_get_n_columns(DerushWindow *self);
GtkGridView *derush_window_get_grid_view(DerushWindow *self);
GListModel *derush_window_get_grid_items(DerushWindow *self, guint *columns);
GtkWidget *derush_window_get_side_panel(DerushWindow *self);
GtkWidget *derush_window_get_compare(DerushWindow *self);
gboolean derush_window_is_viewer_loading(DerushWindow *self);
gboolean derush_window_is_compare_loading(DerushWindow *self);
guint derush_window_apply_analysis(DerushWindow *self, GHashTable *table, gboolean groups_changed);
void derush_window_select(DerushWindow *self, guint position, guint n);
void derush_window_set_filter(DerushWindow *self, DerushFilterMode mode);
void derush_window_set_sort(DerushWindow *self, DerushSortMode mode);
void derush_window_set_search(DerushWindow *self, const char *text);
const char *derush_window_get_search(DerushWindow *self);
gboolean derush_window_get_search_mode(DerushWindow *self);
void derush_window_stop_search(DerushWindow *self);
gboolean derush_window_activate_shortcut(DerushWindow *self, const char *accelerator);
void derush_window_set_train_delay(DerushWindow *self, guint delay_ms);
gboolean derush_window_is_learning(DerushWindow *self);
char *derush_window_describe_learning(DerushWindow *self);
gboolean derush_window_screenshot(DerushWindow *self, const char *path, int *width, int *height,
                                  GError **error);
const char *derush_window_get_page(DerushWindow *self);
GtkWidget *derush_window_get_viewer(DerushWindow *self);
GtkWidget *derush_window_get_sort_dropdown(DerushWindow *self);
gboolean derush_window_route_arrow(DerushWindow *self, guint keyval);
gboolean derush_window_cull_groups_respond(DerushWindow *self, const char *response);

G_END_DECLS
