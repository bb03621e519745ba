/* derush-viewer.h: one photo, large, with 100% zoom and pan. */
#pragma once

#include "derush-histogram.h"
#include "derush-photo-item.h"

G_BEGIN_DECLS

#define DERUSH_TYPE_VIEWER (derush_viewer_get_type())
G_DECLARE_FINAL_TYPE(DerushViewer, derush_viewer, DERUSH, VIEWER, GtkWidget)

void derush_viewer_show(DerushViewer *self, DerushPhotoItem *item);
DerushPhotoItem *derush_viewer_get_item(DerushViewer *self);
void derush_viewer_toggle_zoom(DerushViewer *self);
gboolean derush_viewer_get_zoomed(DerushViewer *self);
gboolean derush_viewer_is_loading(DerushViewer *self);
void derush_viewer_toggle_histogram(DerushViewer *self);
const DerushHistogramData *derush_viewer_get_histogram(DerushViewer *self);
gboolean derush_viewer_is_histogram_busy(DerushViewer *self);
gboolean derush_viewer_toggle_faces(DerushViewer *self);
guint derush_viewer_get_face_boxes(DerushViewer *self);

G_END_DECLS
