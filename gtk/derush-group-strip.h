/* derush-group-strip.h: the current photo's group as a row of thumbnails. */
#pragma once

#include "derush-photo-item.h"
#include "derush-thumbnailer.h"

G_BEGIN_DECLS

/* Which group the strip shows: the smallest the current photo is in. */
typedef enum {
  DERUSH_STRIP_NONE,
  DERUSH_STRIP_BURST,
  DERUSH_STRIP_NEAR_DUP,
  DERUSH_STRIP_SESSION,
} DerushStripKind;

#define DERUSH_TYPE_GROUP_STRIP (derush_group_strip_get_type())
G_DECLARE_FINAL_TYPE(DerushGroupStrip, derush_group_strip, DERUSH, GROUP_STRIP, GtkWidget)

GtkWidget *derush_group_strip_new(void);
void derush_group_strip_set_thumbnailer(DerushGroupStrip *self, DerushThumbnailer *thumbnailer);
void derush_group_strip_set_photos(DerushGroupStrip *self, GListModel *photos);
void derush_group_strip_groups_changed(DerushGroupStrip *self);
void derush_group_strip_set_current(DerushGroupStrip *self, DerushPhotoItem *item);
DerushPhotoItem *derush_group_strip_get_current(DerushGroupStrip *self);
DerushStripKind derush_group_strip_get_kind(DerushGroupStrip *self);
GListModel *derush_group_strip_get_members(DerushGroupStrip *self);
gboolean derush_group_strip_is_best(DerushGroupStrip *self, DerushPhotoItem *item);
DerushPhotoItem *derush_group_strip_get_best(DerushGroupStrip *self);
gboolean derush_group_strip_activate(DerushGroupStrip *self, guint position);

G_END_DECLS
