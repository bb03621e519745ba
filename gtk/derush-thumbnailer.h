/* derush-thumbnailer.h: asynchronous grid thumbnails. */
#pragma once

#include "derush-photo-item.h"

G_BEGIN_DECLS

#define DERUSH_TYPE_THUMBNAILER (derush_thumbnailer_get_type())
G_DECLARE_FINAL_TYPE(DerushThumbnailer, derush_thumbnailer, DERUSH, THUMBNAILER, GObject)

DerushThumbnailer *derush_thumbnailer_new(DerushCatalog *catalog, int n_threads);
void derush_thumbnailer_request(DerushThumbnailer *self, DerushPhotoItem *item, int size);
void derush_thumbnailer_clear(DerushThumbnailer *self);
guint derush_thumbnailer_get_pending(DerushThumbnailer *self);
guint derush_thumbnailer_get_cached(DerushThumbnailer *self);
void derush_thumbnailer_set_capacity(DerushThumbnailer *self, guint capacity);

GdkTexture *derush_decode_texture(const DerushPhoto *photo, int size, GCancellable *cancellable,
                                  GError **error);
void derush_decode_texture_return(GTask *task, const char *path, int orientation, int size,
                                  GCancellable *cancellable);

G_END_DECLS
