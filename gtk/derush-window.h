/* derush-window.h: the main window (grid, side panel, viewer). */
#pragma once

#include <adwaita.h>
#include "derush.h"

G_BEGIN_DECLS

typedef enum {
  DERUSH_FILTER_ALL,
  DERUSH_FILTER_UNLABELLED,
  DERUSH_FILTER_KEEP,
  DERUSH_FILTER_TRASH,
  DERUSH_FILTER_BEST,            /* the best pick of each group, and photos in none */
  DERUSH_FILTER_PREDICTED_TRASH, /* the model's likely trash, not labelled by the user */
  DERUSH_FILTER_UNSURE,          /* the model's unsure zone, not labelled by the user */
} DerushFilterMode;

typedef enum {
  DERUSH_SORT_TIME,
  DERUSH_SORT_NAME,
  DERUSH_SORT_GROUP,     /* groups together, in time order of their start */
  DERUSH_SORT_SHARPNESS, /* sharpest first; not analysed last */
  DERUSH_SORT_P_KEEP,    /* the model's p(keep), highest first; not predicted last */
} DerushSortMode;

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

/* State and hooks for scripted replay (tests) and benchmarks. */
gboolean derush_window_is_loaded(DerushWindow *self);
gboolean derush_window_is_folder_missing(DerushWindow *self);
gboolean derush_window_is_analyzed(DerushWindow *self);
void derush_window_get_analysis_counts(DerushWindow *self, guint *grouped, guint *best,
                                       guint *flagged);
guint derush_window_get_n_shown(DerushWindow *self);
guint derush_window_get_thumbnails_pending(DerushWindow *self);
guint derush_window_get_n_cells(DerushWindow *self);
gboolean derush_window_is_viewer_loading(DerushWindow *self);
gboolean derush_window_is_compare_loading(DerushWindow *self);
void derush_window_select(DerushWindow *self, guint position, guint n);
void derush_window_set_filter(DerushWindow *self, DerushFilterMode mode);
void derush_window_set_sort(DerushWindow *self, DerushSortMode mode);
void derush_window_set_search(DerushWindow *self, const char *text);
const char *derush_window_get_search(DerushWindow *self);
gboolean derush_window_activate_shortcut(DerushWindow *self, const char *accelerator);
void derush_window_set_train_delay(DerushWindow *self, guint delay_ms);
gboolean derush_window_is_learning(DerushWindow *self);
char *derush_window_describe_learning(DerushWindow *self);
gboolean derush_window_screenshot(DerushWindow *self, const char *path, int *width, int *height,
                                  GError **error);

G_END_DECLS
