/* detector-map.c: COCO mAP, as pycocotools computes it for boxes.
 *
 * For each class that has truth boxes and each IoU threshold t in
 * 0.50, 0.55 ... 0.95: the class's detections of every image (each image's
 * 100 best, by score) are taken by falling score; each one matches the
 * unmatched truth box of its image (same class) with the highest IoU >= t,
 * else it is a false positive. Precision is made non-increasing from the
 * right, read at the 101 recalls 0, 0.01 ... 1 (the first point whose
 * recall reaches each, 0 past the last), and averaged: AP(class, t). mAP50
 * is the mean over classes at t = 0.5, mAP50-95 over classes and t. */
#include "detector-map.h"
#include "detect/detect-private.h"

#define N_IOU 10
#define N_RECALL 101
#define MAX_DETS 100

typedef struct {
  int image;
  int index; /* in the image's detection array */
  float score;
} Ranked;

static int
ranked_desc(gconstpointer a, gconstpointer b)
{
  const Ranked *x = a, *y = b;
  if (x->score != y->score)
    return (x->score < y->score) - (x->score > y->score);
  /* Stable on ties, as numpy's mergesort in COCOeval. */
  return x->image != y->image ? x->image - y->image : x->index - y->index;
}

static int
index_by_score_desc(const void *a, const void *b, void *data)
{
  const DerushDetection *d = data;
  int i = *(const int *)a, j = *(const int *)b;
  if (d[i].score != d[j].score)
    return (d[i].score < d[j].score) - (d[i].score > d[j].score);
  return i - j;
}

/* AP of one class at one threshold from its ranked detections. */
static double
class_ap(int n_images, GArray *const *truth, GArray *const *dets, const GArray *ranked,
         int class_id, int n_truth, double t, guint8 **used)
{
  for (int im = 0; im < n_images; im++)
    if (truth[im]->len)
      memset(used[im], 0, truth[im]->len);
  double *prec = g_new(double, ranked->len + 1), *rec = g_new(double, ranked->len + 1);
  int tp = 0, fp = 0;
  for (guint r = 0; r < ranked->len; r++) {
    const Ranked *k = &g_array_index(ranked, Ranked, r);
    const DerushDetection *d = &g_array_index(dets[k->image], DerushDetection, k->index);
    GArray *gt = truth[k->image];
    double best = MIN(t, 1 - 1e-10);
    int m = -1;
    for (guint g = 0; g < gt->len; g++) {
      const DerushDetection *b = &g_array_index(gt, DerushDetection, g);
      if (b->class_id != class_id || used[k->image][g])
        continue;
      double iou = _derush_box_iou(d->box, b->box);
      if (iou < best)
        continue;
      best = iou;
      m = (int)g;
    }
    if (m >= 0) {
      used[k->image][m] = 1;
      tp++;
    } else {
      fp++;
    }
    rec[r] = (double)tp / n_truth;
    prec[r] = (double)tp / (tp + fp);
  }
  int n = (int)ranked->len;
  for (int i = n - 1; i > 0; i--)
    if (prec[i] > prec[i - 1])
      prec[i - 1] = prec[i];
  double sum = 0;
  int i = 0;
  for (int p = 0; p < N_RECALL; p++) {
    double target = p / 100.0;
    while (i < n && rec[i] < target)
      i++;
    if (i < n)
      sum += prec[i];
  }
  g_free(prec);
  g_free(rec);
  return sum / N_RECALL;
}

void
_derush_coco_map(int n_images, GArray *const *truth, GArray *const *dets, DerushMap *out)
{
  memset(out, 0, sizeof *out);
  int n_truth[DERUSH_COCO_CLASSES] = {0};
  for (int im = 0; im < n_images; im++)
    for (guint g = 0; g < truth[im]->len; g++) {
      int c = g_array_index(truth[im], DerushDetection, g).class_id;
      if (c >= 0 && c < DERUSH_COCO_CLASSES)
        n_truth[c]++;
      out->truth++;
    }

  /* Each image's 100 best detections, ranked per class. */
  GArray *ranked[DERUSH_COCO_CLASSES];
  for (int c = 0; c < DERUSH_COCO_CLASSES; c++)
    ranked[c] = g_array_new(FALSE, FALSE, sizeof(Ranked));
  for (int im = 0; im < n_images; im++) {
    int n = (int)dets[im]->len;
    g_autofree int *order = g_new(int, MAX(n, 1));
    for (int i = 0; i < n; i++)
      order[i] = i;
    g_qsort_with_data(order, n, sizeof(int), index_by_score_desc, dets[im]->data);
    for (int i = 0; i < MIN(n, MAX_DETS); i++) {
      const DerushDetection *d = &g_array_index(dets[im], DerushDetection, order[i]);
      if (d->class_id < 0 || d->class_id >= DERUSH_COCO_CLASSES)
        continue;
      Ranked k = {.image = im, .index = order[i], .score = d->score};
      g_array_append_val(ranked[d->class_id], k);
      out->detections++;
    }
  }

  guint8 **used = g_new(guint8 *, MAX(n_images, 1));
  for (int im = 0; im < n_images; im++)
    used[im] = g_malloc0(MAX(truth[im]->len, 1));
  double sum50 = 0, sum75 = 0, sum_all = 0;
  for (int c = 0; c < DERUSH_COCO_CLASSES; c++) {
    if (n_truth[c] > 0) {
      out->classes++;
      g_array_sort(ranked[c], ranked_desc);
      for (int ti = 0; ti < N_IOU; ti++) {
        double ap =
            class_ap(n_images, truth, dets, ranked[c], c, n_truth[c], 0.5 + 0.05 * ti, used);
        sum_all += ap;
        if (ti == 0)
          sum50 += ap;
        if (ti == 5)
          sum75 += ap;
      }
    }
    g_array_unref(ranked[c]);
  }
  for (int im = 0; im < n_images; im++)
    g_free(used[im]);
  g_free(used);
  if (out->classes > 0) {
    out->map50 = sum50 / out->classes;
    out->map75 = sum75 / out->classes;
    out->map50_95 = sum_all / (out->classes * (double)N_IOU);
  } else {
    out->map50 = out->map75 = out->map50_95 = NAN;
  }
}
