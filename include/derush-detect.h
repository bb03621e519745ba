/* derush-detect.h: objects in photos (YOLOX-nano, 80 COCO classes), the
 * detector features the learner reads, per-photo embeddings, and the
 * detector's evaluation. Part of libderush's public API (derush.h includes it).
 * Docs are in the .c files (src/detect/,
 * src/catalog/detections.c, src/eval/detector-eval.c). */
#ifndef DERUSH_DETECT_H
#define DERUSH_DETECT_H

#include "derush-base.h"
#include "derush-catalog.h"
#include "derush-scan.h"
#include "derush-quality.h"

G_BEGIN_DECLS

/* ------------------------------------------------------------------ models */

#define DERUSH_DETECTOR_MODEL "yolox_nano.onnx"
#define DERUSH_EMBEDDING_MODEL "mobilenetv2-12-int8.onnx"

void derush_model_set_dir(const char *dir);
char *derush_model_find(const char *file_name);
char *derush_model_missing_hint(const char *file_name);

/* --------------------------------------------------------------- detections */

/* Bumped when detections or detector features change definition: stored
 * ones of another version are computed again by the next detect. */
#define DERUSH_DETECT_VERSION 1

/* Detections stored per photo: score above this, at most DERUSH_DETECT_MAX. */
#define DERUSH_DETECT_STORE_SCORE 0.25f
#define DERUSH_DETECT_MAX 100

typedef struct {
  int class_id; /* 0..79, COCO order (derush_coco_class_name) */
  float score;  /* objectness * class probability, 0..1 */
  float box[4]; /* x0, y0, x1, y1 in the upright original's pixels */
} DerushDetection;

#define DERUSH_COCO_CLASSES 80
const char *derush_coco_class_name(int class_id);

typedef struct {
  int threads;           /* preview decoders; 0 = one per core */
  const char *model_dir; /* nullable: first folder searched */
  void (*progress)(const DerushScanProgress *progress, gpointer user_data);
  void (*on_bad_file)(const char *path, const char *reason, gpointer user_data);
  gpointer user_data;
  GCancellable *cancellable;
} DerushDetectOptions;

void derush_detect_options_init(DerushDetectOptions *options);

typedef struct {
  gint64 detected;   /* photos run through the detector */
  gint64 up_to_date; /* photos whose detections were current */
  gint64 failed;     /* preview could not be made */
  gint64 objects;    /* detections stored */
  double seconds;
} DerushDetectSummary;

gboolean derush_catalog_detect(DerushCatalog *catalog, const char *under,
                               const DerushDetectOptions *options, DerushDetectSummary *summary,
                               GError **error);

GArray *derush_catalog_get_detections(DerushCatalog *catalog, const char *path, GError **error);

/* ------------------------------------------------------- detector features */

/* Per-photo values for the learner, float32, in this order (docs/features.md
 * has the table). NAN when the photo was not run through the detector (no
 * model) or when a value is undefined (no subject). Append only. */
typedef enum {
  DERUSH_DETECT_FEATURE_OBJECTS,          /* detections with score >= 0.35 */
  DERUSH_DETECT_FEATURE_MAX_SCORE,        /* best detection score, 0 when none */
  DERUSH_DETECT_FEATURE_PERSON,           /* 0/1: a person */
  DERUSH_DETECT_FEATURE_PERSONS,          /* how many persons */
  DERUSH_DETECT_FEATURE_ANIMAL,           /* 0/1: bird, cat, dog, horse ... giraffe */
  DERUSH_DETECT_FEATURE_ANIMALS,          /* how many */
  DERUSH_DETECT_FEATURE_VEHICLE,          /* 0/1: bicycle, car ... boat */
  DERUSH_DETECT_FEATURE_VEHICLES,         /* how many */
  DERUSH_DETECT_FEATURE_FOOD,             /* 0/1: banana ... cake */
  DERUSH_DETECT_FEATURE_SUBJECT_AREA,     /* largest box / frame area, 0 when none */
  DERUSH_DETECT_FEATURE_SUBJECT_CX,       /* its centre, 0..1 of the width */
  DERUSH_DETECT_FEATURE_SUBJECT_CY,       /* its centre, 0..1 of the height */
  DERUSH_DETECT_FEATURE_SUBJECT_SHARP,    /* log10(1 + Laplacian variance) inside it */
  DERUSH_DETECT_FEATURE_SUBJECT_VS_FRAME, /* SUBJECT_SHARP minus the frame's */
  DERUSH_N_DETECT_FEATURES
} DerushDetectFeature;

const DerushFeatureInfo *derush_detect_feature_info(DerushDetectFeature feature);

gboolean derush_catalog_get_detector_features(DerushCatalog *catalog, gint64 photo_id,
                                              float *vector, GError **error);

/* --------------------------------------------------------------- embeddings */

typedef enum {
  DERUSH_EMBEDDING_YOLOX,     /* 256: mean of YOLOX's deepest backbone map */
  DERUSH_EMBEDDING_MOBILENET, /* 1280: MobileNetV2's pooled penultimate layer */
  DERUSH_N_EMBEDDINGS
} DerushEmbeddingKind;

typedef struct {
  const char *name; /* "yolox_backbone", "mobilenetv2" */
  int size;
  int version;
} DerushEmbeddingInfo;

const DerushEmbeddingInfo *derush_embedding_info(DerushEmbeddingKind kind);

float *derush_catalog_get_embedding(DerushCatalog *catalog, gint64 photo_id,
                                    DerushEmbeddingKind kind, int *size, GError **error);

/* --------------------------------------------------------------- evaluation */

/* `derush eval detector`: COCO mAP against a folder laid out like
 * ../shared/corpus/coco_sample (images/, boxes.csv, classes.txt). */
typedef struct {
  gint64 images;     /* images evaluated */
  gint64 truth;      /* ground-truth boxes */
  gint64 detections; /* detections scored (score >= 0.01, <= 100 per image) */
  gint64 classes;    /* classes present in the truth (averaged over) */
  double map50;      /* AP at IoU 0.50, mean over classes, 0..1 */
  double map75;
  double map50_95; /* mean over IoU 0.50:0.05:0.95 */
  double seconds;
} DerushDetectorEval;

gboolean derush_eval_detector(const char *truth_dir, const char *model_dir,
                              DerushDetectorEval *result, GError **error);

G_END_DECLS

#endif /* DERUSH_DETECT_H */
