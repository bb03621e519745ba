/* derush-face-overlay.h: the viewer's face boxes, a paintable over the photo. */
#pragma once

#include <gtk/gtk.h>
#include "derush-photo-item.h"

G_BEGIN_DECLS

#define DERUSH_TYPE_FACE_OVERLAY (derush_face_overlay_get_type())
G_DECLARE_FINAL_TYPE(DerushFaceOverlay, derush_face_overlay, DERUSH, FACE_OVERLAY, GObject)

DerushFaceOverlay *derush_face_overlay_new(GtkWidget *widget);
void derush_face_overlay_set_faces(DerushFaceOverlay *self, const DerushPhotoAnalysis *analysis,
                                   int image_width, int image_height);
guint derush_face_overlay_get_n_boxes(DerushFaceOverlay *self);
const char *derush_face_mark_state(const DerushFaceMark *m);

G_END_DECLS
