/* yolox-decode.c: from YOLOX's raw head output to boxes.
 *
 * The head emits, for each of the 3549 cells of the 416 input (52x52 at
 * stride 8, 26x26 at 16, 13x13 at 32, in that order, row-major), an offset
 * and log size relative to the cell, an objectness and 80 class scores
 * (both already through their sigmoid inside the graph). Upstream's
 * demo_postprocess and multiclass_nms, in C: one pass to keep cells whose
 * best obj * class score clears the threshold, then greedy NMS per class. */
#include "detect-private.h"

static const int strides[] = {8, 16, 32};

/**
 * _derush_box_iou:
 * @a: x0, y0, x1, y1
 * @b: x0, y0, x1, y1
 *
 * Returns: intersection over union, 0 when either box is empty.
 */
double
_derush_box_iou(const float *a, const float *b)
{
  double iw = MIN(a[2], b[2]) - MAX(a[0], b[0]);
  double ih = MIN(a[3], b[3]) - MAX(a[1], b[1]);
  if (iw <= 0 || ih <= 0)
    return 0;
  double inter = iw * ih;
  double ua = (double)(a[2] - a[0]) * (a[3] - a[1]) + (double)(b[2] - b[0]) * (b[3] - b[1]) - inter;
  return ua > 0 ? inter / ua : 0;
}

static int
by_score_desc(gconstpointer a, gconstpointer b)
{
  const DerushDetection *x = a, *y = b;
  return (x->score < y->score) - (x->score > y->score);
}

/**
 * _derush_yolox_decode:
 * @raw: @rows x (5 + @n_classes) floats
 * @rows: cells (3549 for a 416 input)
 * @n_classes: 80 for COCO
 * @input_size: the square input's side
 * @ratio: the letterbox's scale
 * @score_min: keep obj * class score above this
 * @nms_iou: suppress a box of the same class overlapping a better one by more
 * @max_det: at most this many, best first
 * @out: GArray of DerushDetection, appended to
 *
 * Returns: how many detections were appended.
 */
int
_derush_yolox_decode(const float *raw, int rows, int n_classes, int input_size, double ratio,
                     float score_min, float nms_iou, int max_det, GArray *out)
{
  g_return_val_if_fail(raw != NULL && out != NULL && ratio > 0, 0);
  int width = 5 + n_classes;
  g_autoptr(GArray) cand = g_array_new(FALSE, FALSE, sizeof(DerushDetection));
  int row = 0;
  for (gsize s = 0; s < G_N_ELEMENTS(strides) && row < rows; s++) {
    int stride = strides[s], grid = input_size / stride;
    for (int gy = 0; gy < grid && row < rows; gy++) {
      for (int gx = 0; gx < grid && row < rows; gx++, row++) {
        const float *p = raw + (gsize)row * width;
        float obj = p[4];
        if (!(obj > score_min))
          continue;
        int best = 0;
        for (int c = 1; c < n_classes; c++)
          if (p[5 + c] > p[5 + best])
            best = c;
        float score = obj * p[5 + best];
        if (!(score > score_min))
          continue;
        float cx = (p[0] + gx) * stride, cy = (p[1] + gy) * stride;
        float w = expf(p[2]) * stride, h = expf(p[3]) * stride;
        DerushDetection d = {
            .class_id = best,
            .score = score,
            .box = {(float)((cx - w / 2) / ratio), (float)((cy - h / 2) / ratio),
                    (float)((cx + w / 2) / ratio), (float)((cy + h / 2) / ratio)},
        };
        g_array_append_val(cand, d);
      }
    }
  }
  g_array_sort(cand, by_score_desc);

  /* Greedy NMS; candidates are few (tens to a few thousand at 0.01), so
   * the quadratic scan against the kept ones of the same class is cheap. */
  guint first = out->len;
  for (guint i = 0; i < cand->len && (int)(out->len - first) < max_det; i++) {
    const DerushDetection *d = &g_array_index(cand, DerushDetection, i);
    gboolean keep = TRUE;
    for (guint k = first; k < out->len && keep; k++) {
      const DerushDetection *o = &g_array_index(out, DerushDetection, k);
      if (o->class_id == d->class_id && _derush_box_iou(o->box, d->box) > nms_iou)
        keep = FALSE;
    }
    if (keep)
      g_array_append_val(out, *d);
  }
  return (int)(out->len - first);
}
