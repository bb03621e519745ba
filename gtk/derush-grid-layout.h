/* derush-grid-layout.h: what the grid lays out: the shown photos and, in
 * the "By Group" sort, spacers that end a row so each group starts one. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* A position or photo index that is not there: a spacer, or past the end. */
#define DERUSH_GRID_NONE G_MAXUINT

#define DERUSH_TYPE_GRID_LAYOUT (derush_grid_layout_get_type())
G_DECLARE_FINAL_TYPE(DerushGridLayout, derush_grid_layout, DERUSH, GRID_LAYOUT, GObject)

DerushGridLayout *derush_grid_layout_new(GListModel *photos);

void derush_grid_layout_set_grouped(DerushGridLayout *self, gboolean grouped);
void derush_grid_layout_set_columns(DerushGridLayout *self, guint columns);
void derush_grid_layout_groups_changed(DerushGridLayout *self);
guint derush_grid_layout_get_columns(DerushGridLayout *self);
guint derush_grid_layout_get_n_spacers(DerushGridLayout *self);

gboolean derush_grid_layout_is_spacer(gpointer item);
guint derush_grid_layout_get_photo(DerushGridLayout *self, guint position);
guint derush_grid_layout_get_position(DerushGridLayout *self, guint photo);
guint derush_grid_layout_get_photo_before(DerushGridLayout *self, guint position);
guint derush_grid_layout_move_rows(DerushGridLayout *self, guint photo, int rows, guint columns);
guint derush_grid_layout_count_photos(DerushGridLayout *self, const GtkBitset *set);

G_END_DECLS
