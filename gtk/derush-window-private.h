/* derush-window-private.h: DerushWindow's state, shared by derush-window.c
 * (construction, model, loading) and derush-window-actions.c (labels,
 * navigation, the keyboard table). */
#pragma once

#include "derush-window.h"
#include "derush-compare.h"
#include "derush-folder-session.h"
#include "derush-grid-cell.h"
#include "derush-grid-layout.h"
#include "derush-photo-item.h"
#include "derush-side-panel.h"
#include "derush-thumbnailer.h"
#include "derush-trainer.h"
#include "derush-viewer.h"

G_BEGIN_DECLS

struct _DerushWindow {
  AdwApplicationWindow parent_instance;

  /* template children */
  AdwToastOverlay *toast_overlay;
  AdwWindowTitle *window_title;
  GtkWidget *jobs_box;
  GtkProgressBar *progress_bar;
  GtkLabel *progress_label;
  GtkDropDown *filter_dropdown;
  GtkDropDown *sort_dropdown;
  GtkStack *stack;
  AdwStatusPage *message_page;
  GtkPaned *paned;
  GtkRevealer *banner;
  GtkLabel *banner_label;
  GtkWidget *grid_scroller;
  GtkWidget *no_match_page; /* over the grid when the filter leaves nothing */
  GtkGridView *grid_view;
  DerushSidePanel *side_panel;
  DerushViewer *viewer;
  DerushCompare *compare; /* the "compare" page of @stack, made in code */
  GMenu *recent_section;
  GtkSearchBar *search_bar;
  GtkSearchEntry *search_entry;

  /* catalog: this connection is the main thread's, for label writes (one
   * quick durable commit each); loads open their own on a worker. */
  char *catalog_path;
  DerushCatalog *catalog;
  DerushThumbnailer *thumbnailer;

  /* the open folder's photos (store, indexes, filter, sort) and the work
   * on them (loader, monitor, analyzer: derush-window-session.c) */
  DerushPhotoModel *model;
  DerushFolderSession *session;

  /* learning (derush-window-learn.c): retrains after labels on a worker */
  DerushTrainer *trainer;
  GtkWidget *train_indicator; /* in the header bar, beside jobs_box */
  GtkSpinner *train_spinner;
  GtkLabel *train_label;
  GCancellable *next_cancellable; /* the N key's pick, while it is chosen */

  /* an apply or its undo is moving files (derush-apply-dialog.c) */
  gboolean applying;

  /* view: model -> layout (spacers in "By Group") -> multi-selection -> grid */
  DerushGridLayout *layout;
  GtkMultiSelection *selection;
  GPtrArray *cells; /* live DerushGridCells (weak), to count grid columns */

  gboolean hide_labelled;
  gboolean advance;
  gboolean show_panel;
  int thumb_size;
  guint status_idle;
  guint columns_idle;

  /* preferences (derush-preferences.c edits them through properties) */
  DerushStyle style;
  guint session_gap_min; /* DerushGroupOptions.session_gap_s, in minutes */
  double burst_gap_s;
};

/* derush-window-actions.c */
void _derush_window_class_init_actions(GtkWidgetClass *widget_class);
void _derush_window_init_shortcuts(DerushWindow *self);
void _derush_window_update_actions(DerushWindow *self);
gboolean _derush_window_write_labels(DerushWindow *self, GPtrArray *items,
                                     const DerushLabelChange *change);

/* derush-cull-groups.c */
void _derush_cull_groups_cb(GtkWidget *widget, const char *action, GVariant *param);
void _derush_cull_relations_cb(GtkWidget *widget, const char *action, GVariant *param);
void _derush_cull_review_trash(DerushWindow *self);
GtkWidget *_derush_cull_dialog_new(DerushWindow *self, const char *title, const char *body);
GArray *_derush_window_relabel_since(DerushWindow *self, gint64 before, DerushPhotoItem **first);

/* derush-window-focus.c */
void _derush_window_init_focus(DerushWindow *self);

/* derush-window.c */
GPtrArray *_derush_window_get_selected(DerushWindow *self);
int _derush_window_get_current_position(DerushWindow *self);
void _derush_window_select_position(DerushWindow *self, guint position);
void _derush_window_refilter(DerushWindow *self);
void _derush_window_queue_status(DerushWindow *self);
void _derush_window_set_thumb_size(DerushWindow *self, int size);
void _derush_window_set_search_mode(DerushWindow *self, gboolean on);
void _derush_window_show_viewer(DerushWindow *self, gboolean show);
void _derush_window_show_compare(DerushWindow *self, gboolean show);
void _derush_window_save_settings(DerushWindow *self);
void _derush_window_choose_folder(DerushWindow *self);
void _derush_window_update_recent_menu(DerushWindow *self);
void _derush_window_show_message(DerushWindow *self, const char *icon, const char *title,
                                 const char *description);
void _derush_window_show_problem(DerushWindow *self, const char *message);

/* derush-window-learn.c */
void _derush_window_class_init_learning(GtkWidgetClass *widget_class);
void _derush_window_init_learning(DerushWindow *self);
void _derush_window_dispose_learning(DerushWindow *self);
void _derush_window_learning_labels_changed(DerushWindow *self, gboolean by_user);
void _derush_window_learning_set_folder(DerushWindow *self);
void _derush_window_learning_analyzed(DerushWindow *self);
gboolean _derush_window_is_next_pending(DerushWindow *self);

/* derush-window-session.c */
void _derush_window_connect_session(DerushWindow *self);
gboolean _derush_window_drop_cb(GtkDropTarget *target, const GValue *value, double x, double y,
                                DerushWindow *self);

G_END_DECLS
