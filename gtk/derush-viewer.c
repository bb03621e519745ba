/* derush-viewer.c: one photo, large, with 100% zoom and pan.
 *
 * The viewer shows the item's grid thumbnail at once (scaled up, as a
 * placeholder), then a 2048 px decode made on a worker; pressing Z (or
 * Ctrl+scroll) zooms in and asks for the full-size decode. Zoom and pan
 * are DerushZoomView's, shared with the compare view. Each new photo
 * cancels the decode of the previous one, and a late result for a photo
 * no longer shown is dropped.
 *
 * H shows the histogram (DerushHistogram) in a corner and paints the
 * clipped pixels over the photo, recomputed for each decode shown. D shows
 * the faces the analysis found (DerushFaceOverlay): boxes, with closed
 * eyes and soft faces named.
 *
 * Labels and navigation are the window's actions (K/T/U, Left/Right...):
 * the viewer only displays.
 */
#include "derush-viewer.h"
#include "derush-thumbnailer.h"
#include "derush-zoom-view.h"
#include "derush-face-overlay.h"

#define SCREEN_SIZE 2048

struct _DerushViewer {
  GtkWidget parent_instance;

  GtkWidget *overlay;
  DerushZoomView *zoom_view;
  GtkWidget *info_box;
  GtkWidget *badge_label;
  GtkWidget *name_label;
  GtkWidget *stars_label;
  GtkWidget *zoom_label;
  GtkWidget *spinner;
  DerushHistogram *histogram; /* in the overlay's bottom-right corner, while shown */
  gboolean show_histogram;
  DerushFaceOverlay *faces; /* the face boxes, over the photo while shown */
  gboolean show_faces;

  DerushPhotoItem *item;
  GSignalGroup *item_signals;
  GCancellable *cancellable;
  int loaded_size; /* SCREEN_SIZE, 0 = full size, -1 = placeholder only */
  gboolean zoomed;
};

G_DEFINE_FINAL_TYPE(DerushViewer, derush_viewer, GTK_TYPE_WIDGET)

typedef struct {
  char *path;
  int orientation;
  int size;
} DecodeData;

static void
decode_data_free(DecodeData *d)
{
  g_free(d->path);
  g_free(d);
}

static void
decode_worker(GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  DecodeData *d = task_data;
  derush_decode_texture_return(task, d->path, d->orientation, d->size, cancellable);
}

static void
update_info(DerushViewer *self)
{
  if (!self->item)
    return;
  gtk_label_set_text(GTK_LABEL(self->name_label), derush_photo_item_get_display_name(self->item));
  DerushLabel label = derush_photo_item_get_label(self->item);
  gtk_widget_set_visible(self->badge_label, label != DERUSH_LABEL_NONE);
  gtk_widget_remove_css_class(self->badge_label, "keep");
  gtk_widget_remove_css_class(self->badge_label, "trash");
  if (label != DERUSH_LABEL_NONE) {
    gtk_label_set_text(GTK_LABEL(self->badge_label),
                       label == DERUSH_LABEL_KEEP ? "✓ Keep" : "✕ Trash");
    gtk_widget_add_css_class(self->badge_label, label == DERUSH_LABEL_KEEP ? "keep" : "trash");
  }
  int stars = derush_photo_item_get_stars(self->item);
  char text[32] = "";
  for (int i = 0; i < 5; i++)
    g_strlcat(text, i < stars ? "★" : "☆", sizeof text);
  gtk_label_set_text(GTK_LABEL(self->stars_label), text);
  double zoom = derush_zoom_view_get_zoom(self->zoom_view);
  char percent[16];
  g_snprintf(percent, sizeof percent, "%.0f%%", zoom * 100);
  gtk_label_set_text(GTK_LABEL(self->zoom_label), zoom > 0 ? percent : "Fit");
}

static void decode(DerushViewer *self, int size);

/* The boxes of the photo shown, from its analysis record (no query). */
static void
update_faces(DerushViewer *self)
{
  const DerushPhoto *photo = self->item ? derush_photo_item_get_photo(self->item) : NULL;
  derush_face_overlay_set_faces(
      self->faces, self->show_faces && photo ? derush_photo_item_get_analysis(self->item) : NULL,
      photo ? photo->width : 0, photo ? photo->height : 0);
  derush_zoom_view_set_marks(self->zoom_view, self->show_faces ? GDK_PAINTABLE(self->faces) : NULL);
}

/* The histogram follows what the zoom view shows (the placeholder, then
 * each decode); its clipping mask only ever covers those same pixels. */
static void
update_histogram(DerushViewer *self)
{
  derush_zoom_view_set_overlay(self->zoom_view, NULL);
  gtk_widget_set_visible(GTK_WIDGET(self->histogram), self->show_histogram);
  GdkPaintable *shown = derush_zoom_view_get_paintable(self->zoom_view);
  derush_histogram_compute_async(
      self->histogram, self->show_histogram && GDK_IS_TEXTURE(shown) ? GDK_TEXTURE(shown) : NULL);
}

static void
histogram_computed_cb(DerushViewer *self)
{
  const DerushHistogramData *data = derush_histogram_get_data(self->histogram);
  if (self->show_histogram && data)
    derush_zoom_view_set_overlay(self->zoom_view, GDK_PAINTABLE(data->mask));
}

static void
decode_done_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(DerushViewer) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = g_task_propagate_pointer(G_TASK(result), &error);
  DecodeData *d = g_task_get_task_data(G_TASK(result));

  if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_task_get_cancellable(G_TASK(result)) != self->cancellable)
    return; /* another photo or size was asked for since */
  gtk_spinner_stop(GTK_SPINNER(self->spinner));
  if (!texture) {
    gtk_widget_set_tooltip_text(GTK_WIDGET(self->zoom_view), error->message);
    return;
  }
  derush_zoom_view_set_paintable(self->zoom_view, GDK_PAINTABLE(texture));
  update_histogram(self);
  self->loaded_size = d->size;
  if (self->zoomed && self->loaded_size != 0)
    decode(self, 0);
}

static void
decode(DerushViewer *self, int size)
{
  g_cancellable_cancel(self->cancellable);
  g_clear_object(&self->cancellable);
  if (!self->item)
    return;
  const DerushPhoto *photo = derush_photo_item_get_photo(self->item);
  if (photo->status != DERUSH_PHOTO_OK)
    return;
  self->cancellable = g_cancellable_new();
  DecodeData *d = g_new0(DecodeData, 1);
  d->path = g_strdup(photo->path);
  d->orientation = photo->meta.orientation;
  d->size = size;
  g_autoptr(GTask) task = g_task_new(NULL, self->cancellable, decode_done_cb, g_object_ref(self));
  g_task_set_source_tag(task, decode);
  g_task_set_task_data(task, d, (GDestroyNotify)decode_data_free);
  g_task_run_in_thread(task, decode_worker);
  gtk_spinner_start(GTK_SPINNER(self->spinner));
}

/* Z, or Ctrl+scroll on the photo: past fit, only the full size is sharp. */
static void
zoom_changed_cb(DerushViewer *self)
{
  self->zoomed = derush_zoom_view_get_zoom(self->zoom_view) > 0;
  update_info(self);
  if (self->zoomed && self->loaded_size != 0)
    decode(self, 0);
}

static void
derush_viewer_dispose(GObject *object)
{
  DerushViewer *self = DERUSH_VIEWER(object);
  if (self->cancellable)
    g_cancellable_cancel(self->cancellable);
  g_clear_object(&self->cancellable);
  g_clear_object(&self->item_signals);
  g_clear_object(&self->item);
  gtk_widget_dispose_template(GTK_WIDGET(self), DERUSH_TYPE_VIEWER);
  g_clear_object(&self->faces);
  G_OBJECT_CLASS(derush_viewer_parent_class)->dispose(object);
}

static void
derush_viewer_class_init(DerushViewerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS(klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);
  object_class->dispose = derush_viewer_dispose;

  g_type_ensure(DERUSH_TYPE_ZOOM_VIEW);
  gtk_widget_class_set_template_from_resource(widget_class, "/org/derush/Derush/derush-viewer.ui");
  gtk_widget_class_bind_template_child(widget_class, DerushViewer, overlay);
  gtk_widget_class_bind_template_child(widget_class, DerushViewer, zoom_view);
  gtk_widget_class_bind_template_child(widget_class, DerushViewer, info_box);
  gtk_widget_class_bind_template_child(widget_class, DerushViewer, badge_label);
  gtk_widget_class_bind_template_child(widget_class, DerushViewer, name_label);
  gtk_widget_class_bind_template_child(widget_class, DerushViewer, stars_label);
  gtk_widget_class_bind_template_child(widget_class, DerushViewer, zoom_label);
  gtk_widget_class_bind_template_child(widget_class, DerushViewer, spinner);
  gtk_widget_class_set_layout_manager_type(widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name(widget_class, "derush-viewer");
}

static void
derush_viewer_init(DerushViewer *self)
{
  gtk_widget_init_template(GTK_WIDGET(self));
  g_signal_connect_swapped(self->zoom_view, "notify::zoom", G_CALLBACK(zoom_changed_cb), self);

  self->item_signals = g_signal_group_new(DERUSH_TYPE_PHOTO_ITEM);
  g_signal_group_connect_swapped(self->item_signals, "notify::label", G_CALLBACK(update_info),
                                 self);
  g_signal_group_connect_swapped(self->item_signals, "notify::stars", G_CALLBACK(update_info),
                                 self);
  g_signal_group_connect_swapped(self->item_signals, "notify::analysis", G_CALLBACK(update_faces),
                                 self);
  self->faces = derush_face_overlay_new(GTK_WIDGET(self));

  self->histogram = DERUSH_HISTOGRAM(derush_histogram_new());
  gtk_widget_set_halign(GTK_WIDGET(self->histogram), GTK_ALIGN_END);
  gtk_widget_set_valign(GTK_WIDGET(self->histogram), GTK_ALIGN_END);
  gtk_widget_set_margin_end(GTK_WIDGET(self->histogram), 18);
  gtk_widget_set_margin_bottom(GTK_WIDGET(self->histogram), 18);
  gtk_widget_add_css_class(GTK_WIDGET(self->histogram), "osd");
  gtk_widget_set_visible(GTK_WIDGET(self->histogram), FALSE);
  gtk_widget_set_can_target(GTK_WIDGET(self->histogram), FALSE);
  gtk_overlay_add_overlay(GTK_OVERLAY(self->overlay), GTK_WIDGET(self->histogram));
  g_signal_connect_swapped(self->histogram, "computed", G_CALLBACK(histogram_computed_cb), self);
}

/**
 * derush_viewer_show:
 * @item: (nullable): the photo to show.
 *
 * Shows the grid thumbnail at once and decodes a larger version on a
 * worker (the full size when zoomed in).
 */
void
derush_viewer_show(DerushViewer *self, DerushPhotoItem *item)
{
  g_return_if_fail(DERUSH_IS_VIEWER(self));
  if (self->item == item)
    return;
  g_set_object(&self->item, item);
  g_signal_group_set_target(self->item_signals, item);
  self->loaded_size = -1;
  gtk_widget_set_tooltip_text(GTK_WIDGET(self->zoom_view), NULL);
  GdkTexture *thumb = item ? derush_photo_item_get_texture(item) : NULL;
  /* The photo's own size, so the placeholder sits where the decode will. */
  const DerushPhoto *photo = item ? derush_photo_item_get_photo(item) : NULL;
  derush_zoom_view_set_image_size(self->zoom_view, photo ? photo->width : 0,
                                  photo ? photo->height : 0);
  derush_zoom_view_set_paintable(self->zoom_view, thumb ? GDK_PAINTABLE(thumb) : NULL);
  update_histogram(self);
  update_faces(self);
  update_info(self);
  decode(self, self->zoomed ? 0 : SCREEN_SIZE);
}

/** derush_viewer_get_item: Returns: (transfer none) (nullable): the photo shown. */
DerushPhotoItem *
derush_viewer_get_item(DerushViewer *self)
{
  return self->item;
}

/** derush_viewer_toggle_zoom: switches between fit and 100%. */
void
derush_viewer_toggle_zoom(DerushViewer *self)
{
  derush_zoom_view_set_zoom(self->zoom_view, self->zoomed ? 0 : 1); /* zoom_changed_cb */
}

gboolean
derush_viewer_get_zoomed(DerushViewer *self)
{
  return self->zoomed;
}

/** derush_viewer_is_loading: TRUE while a decode is running (replay waits on it). */
gboolean
derush_viewer_is_loading(DerushViewer *self)
{
  return self->cancellable != NULL && gtk_spinner_get_spinning(GTK_SPINNER(self->spinner));
}

/** derush_viewer_toggle_histogram: shows or hides the histogram and the clipping (H). */
void
derush_viewer_toggle_histogram(DerushViewer *self)
{
  g_return_if_fail(DERUSH_IS_VIEWER(self));
  self->show_histogram = !self->show_histogram;
  update_histogram(self);
}

/**
 * derush_viewer_get_histogram:
 * Returns: (transfer none) (nullable): the histogram of the pixels shown,
 *   NULL while hidden or being computed.
 */
const DerushHistogramData *
derush_viewer_get_histogram(DerushViewer *self)
{
  return self->show_histogram ? derush_histogram_get_data(self->histogram) : NULL;
}

/** derush_viewer_is_histogram_busy: the histogram is being computed. */
gboolean
derush_viewer_is_histogram_busy(DerushViewer *self)
{
  return derush_histogram_is_busy(self->histogram);
}

/**
 * derush_viewer_toggle_faces:
 * Shows or hides the face boxes (D).
 * Returns: whether they are shown now.
 */
gboolean
derush_viewer_toggle_faces(DerushViewer *self)
{
  g_return_val_if_fail(DERUSH_IS_VIEWER(self), FALSE);
  self->show_faces = !self->show_faces;
  update_faces(self);
  return self->show_faces;
}

/**
 * derush_viewer_get_face_boxes:
 * Returns: the face boxes drawn over the photo, 0 while hidden.
 */
guint
derush_viewer_get_face_boxes(DerushViewer *self)
{
  g_return_val_if_fail(DERUSH_IS_VIEWER(self), 0);
  return self->show_faces ? derush_face_overlay_get_n_boxes(self->faces) : 0;
}
