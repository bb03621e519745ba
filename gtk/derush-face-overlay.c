/* derush-face-overlay.c: the viewer's face boxes, a paintable over the photo.
 *
 * D in the viewer shows the faces the analysis found: a box around each,
 * orange with "eyes closed" over it when the eyes are closed, yellow with
 * "soft" when the face is softer than the photo, green when neither, white
 * when the eyes were too small to tell (green would say "open"). The
 * boxes come from the photo's analysis record (derush-face-marks.c: read
 * once per folder on a worker), in the upright original's pixels, and are
 * drawn as a paintable stretched to the photo by DerushZoomView
 * (derush_zoom_view_set_marks), so they follow zoom and pan and land on
 * the same faces whatever the size of the decode shown.
 */
#include "derush-face-overlay.h"

#define LINE 2.0f /* box line width, logical pixels */

struct _DerushFaceOverlay {
  GObject parent_instance;
  GtkWidget *widget; /* (unowned, weak pointer): where text layouts come from */
  GArray *marks;     /* DerushFaceMark */
  int image_width, image_height;
};

static void derush_face_overlay_paintable_init(GdkPaintableInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE(DerushFaceOverlay, derush_face_overlay, G_TYPE_OBJECT,
                              G_IMPLEMENT_INTERFACE(GDK_TYPE_PAINTABLE,
                                                    derush_face_overlay_paintable_init))

static const GdkRGBA open_color = {0.34f, 0.89f, 0.54f, 1.0f}; /* Adwaita green 2 */
static const GdkRGBA closed_color = {1.0f, 0.47f, 0.0f, 1.0f}; /* Adwaita orange 3 */
static const GdkRGBA soft_color = {0.97f, 0.76f, 0.29f, 1.0f}; /* Adwaita yellow 2 */
static const GdkRGBA unchecked_color = {1.0f, 1.0f, 1.0f, 0.85f};
static const GdkRGBA scrim = {0.0f, 0.0f, 0.0f, 0.62f};

/* "eyes closed", "soft", both, or NULL for a face with nothing wrong. */
static const char *
mark_words(const DerushFaceMark *m)
{
  return m->closed && m->soft ? "eyes closed · soft"
         : m->closed          ? "eyes closed"
         : m->soft            ? "soft"
                              : NULL;
}

/* The words on a scrim just above the box (inside it when the box touches
 * the photo's top). */
static void
snapshot_words(DerushFaceOverlay *self, GtkSnapshot *snapshot, const char *words,
               const graphene_rect_t *box, const GdkRGBA *color)
{
  if (!self->widget)
    return;
  PangoLayout *layout = gtk_widget_create_pango_layout(self->widget, NULL);
  g_autofree char *markup = g_markup_printf_escaped("<span weight='bold'>%s</span>", words);
  pango_layout_set_markup(layout, markup, -1);
  int tw, th;
  pango_layout_get_pixel_size(layout, &tw, &th);
  float w = tw + 8, h = th + 2;
  float x = box->origin.x, y = box->origin.y - h;
  if (y < 0)
    y = box->origin.y + LINE;
  gtk_snapshot_append_color(snapshot, &scrim, &GRAPHENE_RECT_INIT(x, y, w, h));
  gtk_snapshot_save(snapshot);
  gtk_snapshot_translate(snapshot, &GRAPHENE_POINT_INIT(x + 4, y + 1));
  gtk_snapshot_append_layout(snapshot, layout, color);
  gtk_snapshot_restore(snapshot);
  g_object_unref(layout);
}

static void
overlay_snapshot(GdkPaintable *paintable, GdkSnapshot *gdk_snapshot, double width, double height)
{
  DerushFaceOverlay *self = DERUSH_FACE_OVERLAY(paintable);
  GtkSnapshot *snapshot = GTK_SNAPSHOT(gdk_snapshot);
  if (self->image_width <= 0 || self->image_height <= 0)
    return;
  float sx = (float)(width / self->image_width), sy = (float)(height / self->image_height);
  for (guint i = 0; i < self->marks->len; i++) {
    const DerushFaceMark *m = &g_array_index(self->marks, DerushFaceMark, i);
    /* YuNet's box of a tightly framed face reaches past the photo: draw
     * what is on it, so the line and the words stay in sight. */
    float x0 = CLAMP(m->box[0] * sx, 0, (float)width), y0 = CLAMP(m->box[1] * sy, 0, (float)height);
    float x1 = CLAMP(m->box[2] * sx, 0, (float)width), y1 = CLAMP(m->box[3] * sy, 0, (float)height);
    if (x1 - x0 < 1 || y1 - y0 < 1)
      continue;
    graphene_rect_t box = GRAPHENE_RECT_INIT(x0, y0, x1 - x0, y1 - y0);
    const GdkRGBA *color = m->closed       ? &closed_color
                           : m->soft       ? &soft_color
                           : m->eyes_known ? &open_color
                                           : &unchecked_color;
    GskRoundedRect rr;
    gsk_rounded_rect_init_from_rect(&rr, &box, 0);
    const float widths[4] = {LINE, LINE, LINE, LINE};
    const GdkRGBA colors[4] = {*color, *color, *color, *color};
    gtk_snapshot_append_border(snapshot, &rr, widths, colors);
    const char *words = mark_words(m);
    if (words)
      snapshot_words(self, snapshot, words, &box, color);
  }
}

static int
overlay_get_intrinsic_width(GdkPaintable *paintable)
{
  return DERUSH_FACE_OVERLAY(paintable)->image_width;
}

static int
overlay_get_intrinsic_height(GdkPaintable *paintable)
{
  return DERUSH_FACE_OVERLAY(paintable)->image_height;
}

static void
derush_face_overlay_paintable_init(GdkPaintableInterface *iface)
{
  iface->snapshot = overlay_snapshot;
  iface->get_intrinsic_width = overlay_get_intrinsic_width;
  iface->get_intrinsic_height = overlay_get_intrinsic_height;
}

static void
derush_face_overlay_finalize(GObject *object)
{
  DerushFaceOverlay *self = DERUSH_FACE_OVERLAY(object);
  if (self->widget)
    g_object_remove_weak_pointer(G_OBJECT(self->widget), (gpointer *)&self->widget);
  g_array_unref(self->marks);
  G_OBJECT_CLASS(derush_face_overlay_parent_class)->finalize(object);
}

static void
derush_face_overlay_class_init(DerushFaceOverlayClass *klass)
{
  G_OBJECT_CLASS(klass)->finalize = derush_face_overlay_finalize;
}

static void
derush_face_overlay_init(DerushFaceOverlay *self)
{
  self->marks = g_array_new(FALSE, FALSE, sizeof(DerushFaceMark));
}

/**
 * derush_face_overlay_new:
 * @widget: the widget the boxes are drawn in (its font for the words).
 *
 * Returns: (transfer full): an overlay without boxes.
 */
DerushFaceOverlay *
derush_face_overlay_new(GtkWidget *widget)
{
  DerushFaceOverlay *self = g_object_new(DERUSH_TYPE_FACE_OVERLAY, NULL);
  self->widget = widget;
  g_object_add_weak_pointer(G_OBJECT(widget), (gpointer *)&self->widget);
  return self;
}

/**
 * derush_face_overlay_set_faces:
 * @analysis: (nullable): the photo's analysis record (its face marks are
 *   copied), NULL for no boxes
 * @image_width: the upright photo's width, the boxes' frame
 * @image_height: its height
 */
void
derush_face_overlay_set_faces(DerushFaceOverlay *self, const DerushPhotoAnalysis *analysis,
                              int image_width, int image_height)
{
  g_return_if_fail(DERUSH_IS_FACE_OVERLAY(self));
  g_array_set_size(self->marks, 0);
  if (analysis && analysis->n_faces > 0)
    g_array_append_vals(self->marks, analysis->face_marks, analysis->n_faces);
  self->image_width = image_width;
  self->image_height = image_height;
  gdk_paintable_invalidate_contents(GDK_PAINTABLE(self));
}

/** derush_face_overlay_get_n_boxes: Returns: the boxes drawn. */
guint
derush_face_overlay_get_n_boxes(DerushFaceOverlay *self)
{
  g_return_val_if_fail(DERUSH_IS_FACE_OVERLAY(self), 0);
  return self->marks->len;
}

/**
 * derush_face_mark_state:
 * @m: a face mark
 *
 * Returns: how the viewer draws @m, in a word: "closed" (orange, "eyes
 *   closed"), "soft" (yellow, "soft"), "open" (green: eyes seen open, face
 *   in focus) or "unchecked" (white: eyes too small to tell).
 */
const char *
derush_face_mark_state(const DerushFaceMark *m)
{
  return m->closed ? "closed" : m->soft ? "soft" : m->eyes_known ? "open" : "unchecked";
}
