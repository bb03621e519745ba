/* derush-photo-item.h: one photo of the grid's model. */
#pragma once

#include <gtk/gtk.h>
#include "derush.h"

G_BEGIN_DECLS

#define DERUSH_TYPE_PHOTO_ITEM (derush_photo_item_get_type())
G_DECLARE_FINAL_TYPE(DerushPhotoItem, derush_photo_item, DERUSH, PHOTO_ITEM, GObject)

DerushPhotoItem *derush_photo_item_new(DerushPhoto *photo);

const DerushPhoto *derush_photo_item_get_photo(DerushPhotoItem *self);
gint64 derush_photo_item_get_id(DerushPhotoItem *self);
const char *derush_photo_item_get_name(DerushPhotoItem *self);
const char *derush_photo_item_get_display_name(DerushPhotoItem *self);

DerushLabel derush_photo_item_get_label(DerushPhotoItem *self);
int derush_photo_item_get_stars(DerushPhotoItem *self);
void derush_photo_item_set_label(DerushPhotoItem *self, DerushLabel label, int stars);

GdkTexture *derush_photo_item_get_texture(DerushPhotoItem *self);
int derush_photo_item_get_texture_size(DerushPhotoItem *self);
void derush_photo_item_set_texture(DerushPhotoItem *self, GdkTexture *texture, int size);
void derush_photo_item_pin(DerushPhotoItem *self);
void derush_photo_item_unpin(DerushPhotoItem *self);
gboolean derush_photo_item_is_pinned(DerushPhotoItem *self);
const char *derush_photo_item_get_thumb_error(DerushPhotoItem *self);
void derush_photo_item_set_thumb_error(DerushPhotoItem *self, const char *message);

GCancellable *derush_photo_item_get_cancellable(DerushPhotoItem *self);
void derush_photo_item_cancel(DerushPhotoItem *self);

G_END_DECLS
