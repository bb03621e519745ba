/* derush-zoom-view.c: a photo fitted or zoomed, panned by a normalised centre.
 *
 * The one piece of zoom and pan logic of the app: the viewer shows one
 * DerushZoomView, the compare view one per pane. The view draws its
 * paintable itself, at a scale that is either "fit" (zoom 0) or a zoom
 * factor (1 = 100%: one photo pixel per logical pixel), around a centre
 * given in normalised image coordinates (0..1 on each axis). So:
 * - the geometry follows the photo's real size (set_image_size), not the
 *   texture's: a 1600 px placeholder and the full decode that replaces it
 *   land on exactly the same spot;
 * - photos of different sizes line up by relative position, which is
 *   what the compare view synchronises ("view-changed" after each drag,
 *   scroll or zoom step by the user; setters never emit it, so copying
 *   one pane's state to the others cannot loop).
 *
 * Drag pans; scroll pans (Shift: horizontally); Ctrl+scroll zooms by
 * steps, keeping the point under the pointer in place. In fit mode plain
 * scrolling is left to the parent.
 */
#include "derush-zoom-view.h"
#include <math.h>

/* Scroll: a wheel notch pans this many logical pixels. */
#define WHEEL_STEP 60.0

struct _DerushZoomView {
  GtkWidget parent_instance;

  GdkPaintable *paintable;
  GdkPaintable *overlay;         /* drawn over the photo at its size (the histogram's clipping) */
  GdkPaintable *marks;           /* drawn over that (the viewer's face boxes) */
  int image_width, image_height; /* the photo at 100%; 0: the paintable's size */
  double zoom;                   /* 0: fit */
  double cx, cy;                 /* centre wanted, 0..1 */
  double drag_cx, drag_cy;
  gboolean dragging;
  double pointer_x, pointer_y;
  gboolean has_pointer;
  double zoom_scroll; /* Ctrl+scroll not yet turned into a step */
};

G_DEFINE_FINAL_TYPE(DerushZoomView, derush_zoom_view, GTK_TYPE_WIDGET)

enum { PROP_0, PROP_PAINTABLE, PROP_ZOOM, N_PROPS };
static GParamSpec *properties[N_PROPS];

enum { SIGNAL_VIEW_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* Zoom steps: round numbers a photographer reads at a glance. */
static const double levels[] = {0.05, 0.1, 0.125, 1 / 6.0, 0.25, 1 / 3.0, 0.5, 2 / 3.0,
                                1.0,  1.5, 2.0,   3.0,     4.0,  6.0,     8.0};

static gboolean
image_size(DerushZoomView *self, double *w, double *h)
{
  if (self->image_width > 0 && self->image_height > 0) {
    *w = self->image_width;
    *h = self->image_height;
  } else if (self->paintable) {
    *w = gdk_paintable_get_intrinsic_width(self->paintable);
    *h = gdk_paintable_get_intrinsic_height(self->paintable);
  } else {
    *w = *h = 0;
  }
  return *w > 0 && *h > 0;
}

static double
fit_scale(DerushZoomView *self)
{
  double iw, ih;
  int w = gtk_widget_get_width(GTK_WIDGET(self)), h = gtk_widget_get_height(GTK_WIDGET(self));
  if (!image_size(self, &iw, &ih) || w <= 0 || h <= 0)
    return 1.0;
  return MIN(w / iw, h / ih);
}

/* Where the centre can go on one axis: an image larger than the view
 * stops at its edges, a smaller one stays centred. */
static double
clamp_axis(double c, double view, double extent)
{
  if (extent <= view || view <= 0)
    return 0.5;
  double half = view / (2 * extent);
  return CLAMP(c, half, 1 - half);
}

static void
update_cursor(DerushZoomView *self)
{
  double iw, ih, s = derush_zoom_view_get_scale(self);
  gboolean pannable = self->zoom > 0 && image_size(self, &iw, &ih) &&
                      (iw * s > gtk_widget_get_width(GTK_WIDGET(self)) ||
                       ih * s > gtk_widget_get_height(GTK_WIDGET(self)));
  if (!pannable)
    gtk_widget_set_cursor(GTK_WIDGET(self), NULL);
  else
    gtk_widget_set_cursor_from_name(GTK_WIDGET(self), self->dragging ? "grabbing" : "grab");
}

/* Stores @cx, @cy as far as the view lets the image go; TRUE when it moved. */
static gboolean
move_center(DerushZoomView *self, double cx, double cy)
{
  double iw, ih;
  if (!image_size(self, &iw, &ih))
    return FALSE;
  double s = derush_zoom_view_get_scale(self);
  cx = clamp_axis(cx, gtk_widget_get_width(GTK_WIDGET(self)), iw * s);
  cy = clamp_axis(cy, gtk_widget_get_height(GTK_WIDGET(self)), ih * s);
  if (cx == self->cx && cy == self->cy)
    return FALSE;
  self->cx = cx;
  self->cy = cy;
  gtk_widget_queue_draw(GTK_WIDGET(self));
  return TRUE;
}

static void
derush_zoom_view_snapshot(GtkWidget *widget, GtkSnapshot *snapshot)
{
  DerushZoomView *self = DERUSH_ZOOM_VIEW(widget);
  double iw, ih;
  if (!self->paintable || !image_size(self, &iw, &ih))
    return;
  int w = gtk_widget_get_width(widget), h = gtk_widget_get_height(widget);
  double s = derush_zoom_view_get_scale(self);
  double dw = iw * s, dh = ih * s, cx, cy;
  derush_zoom_view_get_center(self, &cx, &cy);
  double x0 = dw <= w ? (w - dw) / 2 : w / 2.0 - cx * dw;
  double y0 = dh <= h ? (h - dh) / 2 : h / 2.0 - cy * dh;
  /* On whole device pixels: at 100% a photo pixel is a screen pixel. */
  int scale = gtk_widget_get_scale_factor(widget);
  x0 = round(x0 * scale) / scale;
  y0 = round(y0 * scale) / scale;

  gtk_snapshot_push_clip(snapshot, &GRAPHENE_RECT_INIT(0, 0, w, h));
  gtk_snapshot_save(snapshot);
  gtk_snapshot_translate(snapshot, &GRAPHENE_POINT_INIT(x0, y0));
  gdk_paintable_snapshot(self->paintable, snapshot, dw, dh);
  if (self->overlay)
    gdk_paintable_snapshot(self->overlay, snapshot, dw, dh);
  if (self->marks)
    gdk_paintable_snapshot(self->marks, snapshot, dw, dh);
  gtk_snapshot_restore(snapshot);
  gtk_snapshot_pop(snapshot);
}

static void
derush_zoom_view_measure(GtkWidget *widget, GtkOrientation orientation, int for_size, int *minimum,
                         int *natural, int *minimum_baseline, int *natural_baseline)
{
  /* Any size: the photo fits or pans inside whatever it is given. */
  *minimum = 16;
  *natural = 64;
}

static void
derush_zoom_view_size_allocate(GtkWidget *widget, int width, int height, int baseline)
{
  update_cursor(DERUSH_ZOOM_VIEW(widget));
}

static void
drag_begin_cb(GtkGestureDrag *gesture, double x, double y, DerushZoomView *self)
{
  if (self->zoom <= 0) {
    gtk_gesture_set_state(GTK_GESTURE(gesture), GTK_EVENT_SEQUENCE_DENIED);
    return;
  }
  derush_zoom_view_get_center(self, &self->drag_cx, &self->drag_cy);
  self->dragging = TRUE;
  update_cursor(self);
}

static void
drag_update_cb(GtkGestureDrag *gesture, double dx, double dy, DerushZoomView *self)
{
  double iw, ih;
  if (!self->dragging || !image_size(self, &iw, &ih))
    return;
  double s = derush_zoom_view_get_scale(self);
  if (move_center(self, self->drag_cx - dx / (iw * s), self->drag_cy - dy / (ih * s)))
    g_signal_emit(self, signals[SIGNAL_VIEW_CHANGED], 0);
}

static void
drag_end_cb(GtkGestureDrag *gesture, double dx, double dy, DerushZoomView *self)
{
  self->dragging = FALSE;
  update_cursor(self);
}

static gboolean
scroll_cb(GtkEventControllerScroll *controller, double dx, double dy, DerushZoomView *self)
{
  GdkModifierType mods =
      gtk_event_controller_get_current_event_state(GTK_EVENT_CONTROLLER(controller));
  if (mods & GDK_CONTROL_MASK) {
    /* Touchpads send many small deltas: one step per notch's worth. */
    self->zoom_scroll += dy;
    while (fabs(self->zoom_scroll) >= 1) {
      int direction = self->zoom_scroll < 0 ? 1 : -1;
      self->zoom_scroll += direction;
      derush_zoom_view_zoom_step(self, direction, self->has_pointer ? self->pointer_x : -1,
                                 self->has_pointer ? self->pointer_y : -1);
    }
    return TRUE;
  }
  if (self->zoom <= 0)
    return FALSE;
  if ((mods & GDK_SHIFT_MASK) && dx == 0) {
    dx = dy;
    dy = 0;
  }
  double step =
      gtk_event_controller_scroll_get_unit(controller) == GDK_SCROLL_UNIT_WHEEL ? WHEEL_STEP : 1.0;
  derush_zoom_view_pan_by(self, -dx * step, -dy * step);
  return TRUE;
}

static void
motion_cb(GtkEventControllerMotion *controller, double x, double y, DerushZoomView *self)
{
  self->pointer_x = x;
  self->pointer_y = y;
  self->has_pointer = TRUE;
}

static void
leave_cb(GtkEventControllerMotion *controller, DerushZoomView *self)
{
  self->has_pointer = FALSE;
}

static void
derush_zoom_view_dispose(GObject *object)
{
  DerushZoomView *self = DERUSH_ZOOM_VIEW(object);
  derush_zoom_view_set_paintable(self, NULL);
  g_clear_object(&self->overlay);
  derush_zoom_view_set_marks(self, NULL);
  G_OBJECT_CLASS(derush_zoom_view_parent_class)->dispose(object);
}

static void
derush_zoom_view_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  DerushZoomView *self = DERUSH_ZOOM_VIEW(object);
  switch (prop_id) {
  case PROP_PAINTABLE:
    g_value_set_object(value, self->paintable);
    break;
  case PROP_ZOOM:
    g_value_set_double(value, self->zoom);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
  }
}

static void
derush_zoom_view_set_property(GObject *object, guint prop_id, const GValue *value,
                              GParamSpec *pspec)
{
  DerushZoomView *self = DERUSH_ZOOM_VIEW(object);
  switch (prop_id) {
  case PROP_PAINTABLE:
    derush_zoom_view_set_paintable(self, g_value_get_object(value));
    break;
  case PROP_ZOOM:
    derush_zoom_view_set_zoom(self, g_value_get_double(value));
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
  }
}

static void
derush_zoom_view_class_init(DerushZoomViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS(klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);
  object_class->dispose = derush_zoom_view_dispose;
  object_class->get_property = derush_zoom_view_get_property;
  object_class->set_property = derush_zoom_view_set_property;
  widget_class->snapshot = derush_zoom_view_snapshot;
  widget_class->measure = derush_zoom_view_measure;
  widget_class->size_allocate = derush_zoom_view_size_allocate;

  properties[PROP_PAINTABLE] =
      g_param_spec_object("paintable", NULL, NULL, GDK_TYPE_PAINTABLE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * DerushZoomView:zoom:
   * 0 to fit the view, else logical pixels per photo pixel (1 = 100%).
   */
  properties[PROP_ZOOM] =
      g_param_spec_double("zoom", NULL, NULL, 0, 64, 0,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties(object_class, N_PROPS, properties);

  /**
   * DerushZoomView::view-changed:
   * The user panned or zoomed (drag, scroll, a zoom step or pan_by); not
   * emitted by the setters.
   */
  signals[SIGNAL_VIEW_CHANGED] =
      g_signal_new("view-changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                   G_TYPE_NONE, 0);
  gtk_widget_class_set_css_name(widget_class, "derush-zoom-view");
}

static void
derush_zoom_view_init(DerushZoomView *self)
{
  self->cx = self->cy = 0.5;
  gtk_widget_set_hexpand(GTK_WIDGET(self), TRUE);
  gtk_widget_set_vexpand(GTK_WIDGET(self), TRUE);
  gtk_widget_set_overflow(GTK_WIDGET(self), GTK_OVERFLOW_HIDDEN);

  GtkGesture *drag = gtk_gesture_drag_new();
  g_signal_connect(drag, "drag-begin", G_CALLBACK(drag_begin_cb), self);
  g_signal_connect(drag, "drag-update", G_CALLBACK(drag_update_cb), self);
  g_signal_connect(drag, "drag-end", G_CALLBACK(drag_end_cb), self);
  gtk_widget_add_controller(GTK_WIDGET(self), GTK_EVENT_CONTROLLER(drag));

  GtkEventController *scroll =
      gtk_event_controller_scroll_new(GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  g_signal_connect(scroll, "scroll", G_CALLBACK(scroll_cb), self);
  gtk_widget_add_controller(GTK_WIDGET(self), scroll);

  GtkEventController *motion = gtk_event_controller_motion_new();
  g_signal_connect(motion, "enter", G_CALLBACK(motion_cb), self);
  g_signal_connect(motion, "motion", G_CALLBACK(motion_cb), self);
  g_signal_connect(motion, "leave", G_CALLBACK(leave_cb), self);
  gtk_widget_add_controller(GTK_WIDGET(self), motion);
}

/** derush_zoom_view_new: Returns: (transfer floating): an empty view, fitted. */
GtkWidget *
derush_zoom_view_new(void)
{
  return g_object_new(DERUSH_TYPE_ZOOM_VIEW, NULL);
}

/**
 * derush_zoom_view_set_paintable:
 * @paintable: (nullable): what to show (a placeholder, then a larger
 *   decode of the same photo: the zoom and centre stay).
 */
void
derush_zoom_view_set_paintable(DerushZoomView *self, GdkPaintable *paintable)
{
  g_return_if_fail(DERUSH_IS_ZOOM_VIEW(self));
  if (self->paintable == paintable)
    return;
  if (self->paintable)
    g_signal_handlers_disconnect_by_data(self->paintable, self);
  g_set_object(&self->paintable, paintable);
  if (paintable) {
    g_signal_connect_swapped(paintable, "invalidate-contents", G_CALLBACK(gtk_widget_queue_draw),
                             self);
    g_signal_connect_swapped(paintable, "invalidate-size", G_CALLBACK(gtk_widget_queue_draw), self);
  }
  update_cursor(self);
  gtk_widget_queue_draw(GTK_WIDGET(self));
  g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_PAINTABLE]);
}

/**
 * derush_zoom_view_set_overlay:
 * @overlay: (nullable): drawn over the photo, stretched to it (a mask of
 *   the photo's pixels, as the histogram's clipping warning).
 */
void
derush_zoom_view_set_overlay(DerushZoomView *self, GdkPaintable *overlay)
{
  g_return_if_fail(DERUSH_IS_ZOOM_VIEW(self));
  if (g_set_object(&self->overlay, overlay))
    gtk_widget_queue_draw(GTK_WIDGET(self));
}

/**
 * derush_zoom_view_set_marks:
 * @marks: (nullable): drawn over the photo and its overlay, stretched to
 *   the photo (the viewer's face boxes); redrawn when it says it changed.
 */
void
derush_zoom_view_set_marks(DerushZoomView *self, GdkPaintable *marks)
{
  g_return_if_fail(DERUSH_IS_ZOOM_VIEW(self));
  if (self->marks == marks)
    return;
  if (self->marks)
    g_signal_handlers_disconnect_by_func(self->marks, gtk_widget_queue_draw, self);
  if (g_set_object(&self->marks, marks) && marks)
    g_signal_connect_swapped(marks, "invalidate-contents", G_CALLBACK(gtk_widget_queue_draw), self);
  gtk_widget_queue_draw(GTK_WIDGET(self));
}

/** derush_zoom_view_get_paintable: Returns: (transfer none) (nullable): what is shown. */
GdkPaintable *
derush_zoom_view_get_paintable(DerushZoomView *self)
{
  g_return_val_if_fail(DERUSH_IS_ZOOM_VIEW(self), NULL);
  return self->paintable;
}

/**
 * derush_zoom_view_set_image_size:
 * @width: the photo's width at 100% (after orientation), or <= 0 to use
 *   the paintable's own size; @height likewise.
 *
 * The zoom and the relative centre stay: flipping through a burst at 100%
 * shows the same spot of each photo.
 */
void
derush_zoom_view_set_image_size(DerushZoomView *self, int width, int height)
{
  g_return_if_fail(DERUSH_IS_ZOOM_VIEW(self));
  width = MAX(width, 0);
  height = MAX(height, 0);
  if (self->image_width == width && self->image_height == height)
    return;
  self->image_width = width;
  self->image_height = height;
  update_cursor(self);
  gtk_widget_queue_draw(GTK_WIDGET(self));
}

/** derush_zoom_view_get_zoom: Returns: 0 when fitted, else the zoom factor (1 = 100%). */
double
derush_zoom_view_get_zoom(DerushZoomView *self)
{
  g_return_val_if_fail(DERUSH_IS_ZOOM_VIEW(self), 0);
  return self->zoom;
}

/**
 * derush_zoom_view_set_zoom:
 * @zoom: 0 to fit, else the zoom factor (1 = 100%).
 *
 * Zooming in from fit lands on the centre of the photo, where the subject
 * usually is. Does not emit "view-changed".
 */
void
derush_zoom_view_set_zoom(DerushZoomView *self, double zoom)
{
  g_return_if_fail(DERUSH_IS_ZOOM_VIEW(self));
  zoom = CLAMP(zoom, 0, levels[G_N_ELEMENTS(levels) - 1]);
  if (self->zoom == zoom)
    return;
  if (self->zoom <= 0)
    self->cx = self->cy = 0.5;
  self->zoom = zoom;
  update_cursor(self);
  gtk_widget_queue_draw(GTK_WIDGET(self));
  g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_ZOOM]);
}

/** derush_zoom_view_get_scale: Returns: logical pixels per photo pixel now (fit included). */
double
derush_zoom_view_get_scale(DerushZoomView *self)
{
  g_return_val_if_fail(DERUSH_IS_ZOOM_VIEW(self), 1);
  return self->zoom > 0 ? self->zoom : fit_scale(self);
}

/**
 * derush_zoom_view_get_center:
 * @x: (out): the photo's point at the middle of the view, 0..1 from the
 *   left edge; @y likewise from the top. What is shown: the centre wanted,
 *   held back at the photo's edges (0.5 on an axis the photo fits in).
 */
void
derush_zoom_view_get_center(DerushZoomView *self, double *x, double *y)
{
  g_return_if_fail(DERUSH_IS_ZOOM_VIEW(self));
  double iw, ih;
  if (self->zoom <= 0 || !image_size(self, &iw, &ih)) {
    *x = *y = 0.5;
    return;
  }
  double s = self->zoom;
  *x = clamp_axis(self->cx, gtk_widget_get_width(GTK_WIDGET(self)), iw * s);
  *y = clamp_axis(self->cy, gtk_widget_get_height(GTK_WIDGET(self)), ih * s);
}

/**
 * derush_zoom_view_set_center:
 * @x: 0..1 across the photo, @y likewise down.
 *
 * Another view's position: kept as asked (this view may be smaller or
 * not laid out yet) and held back at the edges when drawn. Does not emit
 * "view-changed".
 */
void
derush_zoom_view_set_center(DerushZoomView *self, double x, double y)
{
  g_return_if_fail(DERUSH_IS_ZOOM_VIEW(self));
  x = CLAMP(x, 0, 1);
  y = CLAMP(y, 0, 1);
  if (self->cx == x && self->cy == y)
    return;
  self->cx = x;
  self->cy = y;
  gtk_widget_queue_draw(GTK_WIDGET(self));
}

/**
 * derush_zoom_view_pan_by:
 * @dx: logical pixels to move the photo right (a drag's offset), @dy down.
 *
 * What a drag or a scroll does; nothing when fitted. Emits "view-changed"
 * when the photo moved.
 */
void
derush_zoom_view_pan_by(DerushZoomView *self, double dx, double dy)
{
  g_return_if_fail(DERUSH_IS_ZOOM_VIEW(self));
  double iw, ih, cx, cy;
  if (self->zoom <= 0 || !image_size(self, &iw, &ih))
    return;
  derush_zoom_view_get_center(self, &cx, &cy);
  double s = self->zoom;
  if (move_center(self, cx - dx / (iw * s), cy - dy / (ih * s)))
    g_signal_emit(self, signals[SIGNAL_VIEW_CHANGED], 0);
}

/**
 * derush_zoom_view_zoom_step:
 * @direction: > 0 zooms in one step, < 0 out (down to fit).
 * @x: the point to keep in place, in the view's coordinates, or < 0 for
 *   the middle of the view; @y likewise.
 *
 * Emits "view-changed" when the zoom changed.
 */
void
derush_zoom_view_zoom_step(DerushZoomView *self, int direction, double x, double y)
{
  g_return_if_fail(DERUSH_IS_ZOOM_VIEW(self));
  double iw, ih;
  if (direction == 0 || !image_size(self, &iw, &ih))
    return;
  double s = derush_zoom_view_get_scale(self), fit = fit_scale(self);
  double next = -1;
  if (direction > 0) {
    for (gsize i = 0; i < G_N_ELEMENTS(levels) && next < 0; i++)
      if (levels[i] > s * 1.001)
        next = levels[i];
    if (next < 0)
      return; /* the closest zoom already */
  } else {
    if (self->zoom <= 0)
      return; /* fitted already */
    for (gsize i = G_N_ELEMENTS(levels); i > 0 && next < 0; i--)
      if (levels[i - 1] < s * 0.999)
        next = levels[i - 1];
    /* Below what fits, fit itself is the next step. */
    if (next <= fit * 1.001)
      next = 0;
  }

  int w = gtk_widget_get_width(GTK_WIDGET(self)), h = gtk_widget_get_height(GTK_WIDGET(self));
  double ax = x < 0 ? w / 2.0 : x, ay = y < 0 ? h / 2.0 : y;
  double cx, cy;
  derush_zoom_view_get_center(self, &cx, &cy);
  /* The photo's point under the anchor, before and after. */
  double px = cx + (ax - w / 2.0) / (iw * s), py = cy + (ay - h / 2.0) / (ih * s);
  self->zoom = next;
  double s2 = derush_zoom_view_get_scale(self);
  self->cx = 0.5;
  self->cy = 0.5;
  if (next > 0)
    move_center(self, px - (ax - w / 2.0) / (iw * s2), py - (ay - h / 2.0) / (ih * s2));
  update_cursor(self);
  gtk_widget_queue_draw(GTK_WIDGET(self));
  g_object_notify_by_pspec(G_OBJECT(self), properties[PROP_ZOOM]);
  g_signal_emit(self, signals[SIGNAL_VIEW_CHANGED], 0);
}
