/* detector-map.h: COCO mean average precision (not installed). */
#ifndef DERUSH_DETECTOR_MAP_H
#define DERUSH_DETECTOR_MAP_H

#include "derush-detect.h"

G_BEGIN_DECLS

typedef struct {
  double map50, map75, map50_95;
  int classes;       /* classes with at least one truth box */
  gint64 truth;      /* truth boxes */
  gint64 detections; /* detections scored */
} DerushMap;

/* COCO's protocol (pycocotools COCOeval, bbox, area "all", maxDets 100):
 * per class present in the truth and IoU threshold 0.50:0.05:0.95, greedy
 * matching of detections by falling score to the best-overlapping unmatched
 * truth box of their image, then 101-point interpolated precision; averaged
 * over thresholds and classes. @truth and @dets are @n_images GArrays of
 * DerushDetection (the truth's score unused); each image's detections
 * beyond its 100 best are ignored. */
void _derush_coco_map(int n_images, GArray *const *truth, GArray *const *dets, DerushMap *out);

G_END_DECLS

#endif /* DERUSH_DETECTOR_MAP_H */
