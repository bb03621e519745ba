/* derush-compare.h: a group's members side by side, four at a time, zoomed and panned together. */
#pragma once

#include "derush-photo-item.h"

G_BEGIN_DECLS

#define DERUSH_TYPE_COMPARE (derush_compare_get_type())
G_DECLARE_FINAL_TYPE(DerushCompare, derush_compare, DERUSH, COMPARE, GtkWidget)

GtkWidget *derush_compare_new(void);
void derush_compare_show(DerushCompare *self, GPtrArray *items);
void derush_compare_clear(DerushCompare *self);
DerushPhotoItem *derush_compare_get_focused(DerushCompare *self);
GPtrArray *derush_compare_get_items(DerushCompare *self);
GPtrArray *derush_compare_get_members(DerushCompare *self);
gboolean derush_compare_show_member(DerushCompare *self, DerushPhotoItem *item);
char *derush_compare_get_pane_quality(DerushCompare *self, guint index);
gboolean derush_compare_click_member(DerushCompare *self, DerushPhotoItem *item);
void derush_compare_move_focus(DerushCompare *self, int delta);
gboolean derush_compare_is_loading(DerushCompare *self);
void derush_compare_toggle_zoom(DerushCompare *self);
void derush_compare_zoom_step(DerushCompare *self, int direction);
gboolean derush_compare_pan(DerushCompare *self, guint index, double dx, double dy);
gboolean derush_compare_get_pane_state(DerushCompare *self, guint index, double *zoom,
                                       double *scale, double *cx, double *cy);

G_END_DECLS
