/* derush-histogram.h: a photo's histogram and its clipped pixels, for the viewer (H). */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* What a texture's pixels say about its exposure. */
typedef struct {
  guint32 counts[4][256]; /* red, green, blue, luma (Rec. 709) */
  guint64 n_pixels;
  double clipped_high; /* fraction of pixels with a channel at 254-255 (blown) */
  double clipped_low;  /* fraction of pixels with every channel at 0-1 (crushed) */
  GdkTexture *mask;    /* (owned) blown pixels red, crushed ones blue, the rest clear */
} DerushHistogramData;

DerushHistogramData *derush_histogram_data_new(GdkTexture *texture);
void derush_histogram_data_free(DerushHistogramData *data);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DerushHistogramData, derush_histogram_data_free)

#define DERUSH_TYPE_HISTOGRAM (derush_histogram_get_type())
G_DECLARE_FINAL_TYPE(DerushHistogram, derush_histogram, DERUSH, HISTOGRAM, GtkWidget)

GtkWidget *derush_histogram_new(void);
void derush_histogram_compute_async(DerushHistogram *self, GdkTexture *texture);
const DerushHistogramData *derush_histogram_get_data(DerushHistogram *self);
gboolean derush_histogram_is_busy(DerushHistogram *self);

G_END_DECLS
