/* derush-grid-cell.h: one recycled cell of the photo grid. */
#pragma once

#include "derush-photo-item.h"
#include "derush-thumbnailer.h"

G_BEGIN_DECLS

#define DERUSH_TYPE_GRID_CELL (derush_grid_cell_get_type())
G_DECLARE_FINAL_TYPE(DerushGridCell, derush_grid_cell, DERUSH, GRID_CELL, GtkWidget)

GtkWidget *derush_grid_cell_new(DerushThumbnailer *thumbnailer);
DerushPhotoItem *derush_grid_cell_get_item(DerushGridCell *self);
void derush_grid_cell_set_item(DerushGridCell *self, DerushPhotoItem *item);
int derush_grid_cell_get_thumb_size(DerushGridCell *self);
void derush_grid_cell_set_thumb_size(DerushGridCell *self, int size);
gboolean derush_grid_cell_is_auto_label(DerushGridCell *self);
const char *const *derush_grid_cell_get_face_badges(DerushGridCell *self, guint *n);

/* A pill the cell drew: its text (interned) and its rectangle. */
typedef struct {
  const char *text;
  float x, y, width, height;
} DerushCellPill;
#define DERUSH_CELL_MAX_PILLS 12
const DerushCellPill *derush_grid_cell_get_pills(DerushGridCell *self, guint *n);
const graphene_rect_t *derush_grid_cell_get_photo_rect(DerushGridCell *self);
void derush_grid_cell_foreach(GtkWidget *root,
                              void (*func)(DerushGridCell *cell, gpointer user_data),
                              gpointer user_data);

void derush_grid_cell_set_list_item(DerushGridCell *self, GtkListItem *list_item,
                                    GListModel *model);
void derush_grid_cell_set_group_headers(DerushGridCell *self, gboolean group_headers);

G_END_DECLS
