/* derush-zoom-view.h: a photo fitted or zoomed, panned by a normalised centre. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define DERUSH_TYPE_ZOOM_VIEW (derush_zoom_view_get_type())
G_DECLARE_FINAL_TYPE(DerushZoomView, derush_zoom_view, DERUSH, ZOOM_VIEW, GtkWidget)

GtkWidget *derush_zoom_view_new(void);
void derush_zoom_view_set_paintable(DerushZoomView *self, GdkPaintable *paintable);
GdkPaintable *derush_zoom_view_get_paintable(DerushZoomView *self);
void derush_zoom_view_set_overlay(DerushZoomView *self, GdkPaintable *overlay);
void derush_zoom_view_set_marks(DerushZoomView *self, GdkPaintable *marks);
void derush_zoom_view_set_image_size(DerushZoomView *self, int width, int height);
double derush_zoom_view_get_zoom(DerushZoomView *self);
void derush_zoom_view_set_zoom(DerushZoomView *self, double zoom);
double derush_zoom_view_get_scale(DerushZoomView *self);
void derush_zoom_view_get_center(DerushZoomView *self, double *x, double *y);
void derush_zoom_view_set_center(DerushZoomView *self, double x, double y);
void derush_zoom_view_pan_by(DerushZoomView *self, double dx, double dy);
void derush_zoom_view_zoom_step(DerushZoomView *self, int direction, double x, double y);

G_END_DECLS
