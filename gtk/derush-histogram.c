/* derush-histogram.c: a photo's histogram and its clipped pixels, for the viewer (H).
 *
 * Photographers judge exposure by the histogram, and by where it clips:
 * blown highlights (a channel at its top) and crushed shadows (every
 * channel at black) lose detail no edit brings back. In the viewer, H
 * shows both: the red, green, blue and luminance histogram in a corner,
 * with the clipped fractions written under it, and the clipped pixels
 * themselves painted over the photo (red: blown, blue: crushed), which the
 * zoom view draws with the photo's own geometry.
 *
 * The pixels are those of the texture the viewer shows (its 2048 px decode,
 * the full size once zoomed in): one pass on a worker (~15 ms for 3 MP),
 * returning the counts and an RGBA mask texture; the widget then draws
 * from the counts alone.
 */
#include "derush-histogram.h"
#include <math.h>

#define HIGH 254 /* a channel at or above: blown */
#define LOW 1    /* every channel at or below: crushed */

/**
 * derush_histogram_data_new:
 * @texture: the photo's pixels.
 *
 * Counts @texture's pixels per channel and luminance and marks the clipped
 * ones. Any thread.
 *
 * Returns: (transfer full): the histogram.
 */
DerushHistogramData *
derush_histogram_data_new(GdkTexture *texture)
{
  DerushHistogramData *data = g_new0(DerushHistogramData, 1);
  int w = gdk_texture_get_width(texture), h = gdk_texture_get_height(texture);
  gsize stride = (gsize)w * 4;
  guint8 *pixels = g_malloc((gsize)h * stride); /* GDK_MEMORY_DEFAULT: B, G, R, A premultiplied */
  gdk_texture_download(texture, pixels, stride);
  guint8 *mask = g_malloc0((gsize)h * stride);
  guint64 high = 0, low = 0;
  for (int y = 0; y < h; y++) {
    const guint8 *row = pixels + (gsize)y * stride;
    guint8 *mrow = mask + (gsize)y * stride;
    for (int x = 0; x < w; x++) {
      guint8 b = row[4 * x], g = row[4 * x + 1], r = row[4 * x + 2];
      int luma = (int)lround(0.2126 * r + 0.7152 * g + 0.0722 * b);
      data->counts[0][r]++;
      data->counts[1][g]++;
      data->counts[2][b]++;
      data->counts[3][MIN(luma, 255)]++;
      /* Premultiplied BGRA: opaque red and blue at 85%. */
      if (r >= HIGH || g >= HIGH || b >= HIGH) {
        high++;
        mrow[4 * x + 2] = 217;
        mrow[4 * x + 3] = 217;
      } else if (r <= LOW && g <= LOW && b <= LOW) {
        low++;
        mrow[4 * x] = 217;
        mrow[4 * x + 1] = 90;
        mrow[4 * x + 3] = 217;
      }
    }
  }
  data->n_pixels = (guint64)w * h;
  data->clipped_high = data->n_pixels ? (double)high / data->n_pixels : 0;
  data->clipped_low = data->n_pixels ? (double)low / data->n_pixels : 0;
  g_autoptr(GBytes) bytes = g_bytes_new_take(mask, (gsize)h * stride);
  data->mask = gdk_memory_texture_new(w, h, GDK_MEMORY_DEFAULT, bytes, stride);
  g_free(pixels);
  return data;
}

/** derush_histogram_data_free: frees @data and its mask. */
void
derush_histogram_data_free(DerushHistogramData *data)
{
  if (!data)
    return;
  g_clear_object(&data->mask);
  g_free(data);
}

/* ------------------------------------------------------------ widget */

struct _DerushHistogram {
  GtkWidget parent_instance;
  DerushHistogramData *data;
  GCancellable *cancellable; /* the computation running, if any */
};

G_DEFINE_FINAL_TYPE(DerushHistogram, derush_histogram, GTK_TYPE_WIDGET)

enum { SIGNAL_COMPUTED, N_SIGNALS };
static guint signals[N_SIGNALS];

#define WIDTH 256
#define PLOT 96
#define TEXT 22

static void
compute_worker(GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  g_task_return_pointer(task, derush_histogram_data_new(task_data),
                        (GDestroyNotify)derush_histogram_data_free);
}

static void
computed_cb(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(DerushHistogram) self = user_data;
  DerushHistogramData *data = g_task_propagate_pointer(G_TASK(result), NULL);
  if (g_task_get_cancellable(G_TASK(result)) != self->cancellable) {
    derush_histogram_data_free(data); /* another photo since */
    return;
  }
  g_clear_object(&self->cancellable);
  derush_histogram_data_free(self->data);
  self->data = data;
  gtk_widget_queue_draw(GTK_WIDGET(self));
  g_signal_emit(self, signals[SIGNAL_COMPUTED], 0);
}

/**
 * derush_histogram_compute_async:
 * @texture: (nullable): the pixels shown; NULL clears the histogram.
 *
 * Computes on a worker; "computed" is emitted when the result is shown.
 */
void
derush_histogram_compute_async(DerushHistogram *self, GdkTexture *texture)
{
  g_return_if_fail(DERUSH_IS_HISTOGRAM(self));
  if (self->cancellable)
    g_cancellable_cancel(self->cancellable);
  g_clear_object(&self->cancellable);
  g_clear_pointer(&self->data, derush_histogram_data_free);
  gtk_widget_queue_draw(GTK_WIDGET(self));
  if (!texture)
    return;
  self->cancellable = g_cancellable_new();
  g_autoptr(GTask) task = g_task_new(NULL, self->cancellable, computed_cb, g_object_ref(self));
  g_task_set_source_tag(task, derush_histogram_compute_async);
  g_task_set_task_data(task, g_object_ref(texture), g_object_unref);
  g_task_set_check_cancellable(task, FALSE);
  g_task_run_in_thread(task, compute_worker);
}

/** derush_histogram_get_data: Returns: (transfer none) (nullable): the histogram shown. */
const DerushHistogramData *
derush_histogram_get_data(DerushHistogram *self)
{
  return self->data;
}

/** derush_histogram_is_busy: a computation is running (the replay waits on it). */
gboolean
derush_histogram_is_busy(DerushHistogram *self)
{
  return self->cancellable != NULL;
}

/* One channel as a filled curve, scaled to the tallest bin but the two
 * clipped ends (a blown sky's spike would flatten everything else). */
static void
plot_channel(cairo_t *cr, const guint32 *counts, double peak, double r, double g, double b,
             double a)
{
  cairo_move_to(cr, 0, PLOT);
  for (int i = 0; i < 256; i++)
    cairo_line_to(cr, i * (WIDTH - 1) / 255.0, PLOT - MIN(1.0, counts[i] / peak) * PLOT);
  cairo_line_to(cr, WIDTH - 1, PLOT);
  cairo_close_path(cr);
  cairo_set_source_rgba(cr, r, g, b, a);
  cairo_fill(cr);
}

static void
derush_histogram_snapshot(GtkWidget *widget, GtkSnapshot *snapshot)
{
  DerushHistogram *self = DERUSH_HISTOGRAM(widget);
  if (!self->data)
    return;
  const DerushHistogramData *d = self->data;
  double peak = 1;
  for (int c = 0; c < 4; c++)
    for (int i = 2; i < 254; i++)
      peak = MAX(peak, d->counts[c][i]);
  cairo_t *cr = gtk_snapshot_append_cairo(snapshot, &GRAPHENE_RECT_INIT(0, 0, WIDTH, PLOT));
  cairo_set_operator(cr, CAIRO_OPERATOR_ADD);
  plot_channel(cr, d->counts[0], peak, 0.9, 0.2, 0.2, 0.55);
  plot_channel(cr, d->counts[1], peak, 0.2, 0.8, 0.3, 0.55);
  plot_channel(cr, d->counts[2], peak, 0.25, 0.45, 1.0, 0.55);
  cairo_set_operator(cr, CAIRO_OPERATOR_OVER);
  plot_channel(cr, d->counts[3], peak, 0.9, 0.9, 0.9, 0.35);
  cairo_destroy(cr);

  /* The clipped fractions, in the mask's colours. */
  g_autofree char *markup = g_markup_printf_escaped(
      "<span size='small'><span foreground='#ff6b6b'>▲ %.1f%% blown</span>   "
      "<span foreground='#62a0ea'>▼ %.1f%% crushed</span></span>",
      d->clipped_high * 100, d->clipped_low * 100);
  PangoLayout *layout = gtk_widget_create_pango_layout(widget, NULL);
  pango_layout_set_markup(layout, markup, -1);
  gtk_snapshot_save(snapshot);
  gtk_snapshot_translate(snapshot, &GRAPHENE_POINT_INIT(0, PLOT + 4));
  gtk_snapshot_append_layout(snapshot, layout, &(GdkRGBA){1, 1, 1, 1});
  gtk_snapshot_restore(snapshot);
  g_object_unref(layout);
}

static void
derush_histogram_measure(GtkWidget *widget, GtkOrientation orientation, int for_size, int *minimum,
                         int *natural, int *minimum_baseline, int *natural_baseline)
{
  *minimum = *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? WIDTH : PLOT + TEXT;
}

static void
derush_histogram_dispose(GObject *object)
{
  DerushHistogram *self = DERUSH_HISTOGRAM(object);
  if (self->cancellable)
    g_cancellable_cancel(self->cancellable);
  g_clear_object(&self->cancellable);
  g_clear_pointer(&self->data, derush_histogram_data_free);
  G_OBJECT_CLASS(derush_histogram_parent_class)->dispose(object);
}

static void
derush_histogram_class_init(DerushHistogramClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS(klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS(klass);
  object_class->dispose = derush_histogram_dispose;
  widget_class->snapshot = derush_histogram_snapshot;
  widget_class->measure = derush_histogram_measure;
  gtk_widget_class_set_css_name(widget_class, "derush-histogram");
  signals[SIGNAL_COMPUTED] = g_signal_new("computed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
derush_histogram_init(DerushHistogram *self)
{
}

/** derush_histogram_new: Returns: (transfer floating): an empty histogram. */
GtkWidget *
derush_histogram_new(void)
{
  return g_object_new(DERUSH_TYPE_HISTOGRAM, NULL);
}
