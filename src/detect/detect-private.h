/* detect-private.h: the detector's pre- and post-processing, model files
 * and the per-photo detector pass, between libderush's areas (not
 * installed). The public side is include/derush-detect.h. */
#ifndef DERUSH_DETECT_PRIVATE_H
#define DERUSH_DETECT_PRIVATE_H

#include "derush-private.h"
#include "derush-detect.h"
#include "nn/nn.h"

G_BEGIN_DECLS

/* ------------------------------------------------------------ model-dir.c */

/* The path of model @file_name, searched in order: @model_dir, the process
 * override (derush_model_set_dir), $DERUSH_MODEL_DIR,
 * $XDG_DATA_HOME/derush/models, the installed data folder. NULL when no
 * folder has it. (transfer full) */
char *_derush_model_find(const char *file_name, const char *model_dir);

/* ------------------------------------------------------------ letterbox.c */

/* YOLOX's input: @rgb (packed 8-bit RGB, @stride bytes a row) resized by
 * r = min(@size / w, @size / h) with OpenCV's bilinear INTER_LINEAR
 * (half-pixel centres, 11-bit fixed-point weights, rounded to 8 bits as
 * cv2.resize does), pasted at the top-left of a @size x @size canvas of
 * 114, as BGR planes (CHW) of floats 0..255 into @out (3 * size * size).
 * Returns r. */
double _derush_letterbox(const guint8 *rgb, int width, int height, gsize stride, int size,
                         float *out);
/* The same resize alone, into @out (packed RGB, @dw x @dh). */
void _derush_resize_rgb(const guint8 *rgb, int width, int height, gsize stride, int dw, int dh,
                        guint8 *out);

/* ------------------------------------------------------------ mobilenet.c */

#define DERUSH_MOBILENET_SIZE 224
#define DERUSH_MOBILENET_EMBEDDING 1280

/* MobileNetV2's input from @rgb (see mobilenet.c): 3 * 224 * 224 floats. */
void _derush_mobilenet_input(const guint8 *rgb, int width, int height, gsize stride, float *out);
gboolean _derush_mobilenet_prepare(DerushNnModel *model, GError **error);
/* One forward; the 1280-d pooled penultimate layer into @out. */
gboolean _derush_mobilenet_embed(DerushNnModel *model, const guint8 *rgb, int width, int height,
                                 gsize stride, float *out, GError **error);

/* --------------------------------------------------------- yolox-decode.c */

#define DERUSH_YOLOX_SIZE 416
#define DERUSH_YOLOX_CLASSES 80
#define DERUSH_YOLOX_ROWS 3549 /* 52^2 + 26^2 + 13^2 */

/* Grid/stride decode of YOLOX's raw head output (@rows x (5 + classes):
 * x, y, w, h, obj, class scores after their sigmoid) for a @input_size
 * square input, then class-aware greedy NMS at @nms_iou. Keeps detections
 * whose obj * class score is above @score_min (the best class per row),
 * at most @max_det of them, best first; boxes divided by @ratio (the
 * letterbox's r) into the original's pixels, not clipped. Returns how many
 * went into @out (an array of DerushDetection, appended). */
int _derush_yolox_decode(const float *raw, int rows, int n_classes, int input_size, double ratio,
                         float score_min, float nms_iou, int max_det, GArray *out);

/* IoU of two x0,y0,x1,y1 boxes (0 when either is empty). */
double _derush_box_iou(const float *a, const float *b);

/* ------------------------------------------------------------- detector.c */

typedef struct _DerushDetector DerushDetector;

/* The process's YOLOX detector, loaded once on first use (transfer none);
 * NULL with DERUSH_ERROR_NOT_FOUND (and the how-to-add hint) when the model
 * file is nowhere, DERUSH_ERROR_CORRUPT when it does not load. */
DerushDetector *_derush_detector_get(const char *model_dir, GError **error);
void _derush_detector_release(void);

/* Letterbox + forward + decode + NMS on a preview; boxes in the original's
 * pixels (@orig_width x @orig_height, the preview's size when <= 0),
 * clipped; @embedding (optional) gets the 256-d backbone embedding. */
gboolean _derush_detector_run(DerushDetector *det, const guint8 *rgb, int width, int height,
                              gsize stride, int orig_width, int orig_height, float score_min,
                              GArray *dets, float *embedding, gboolean *has_embedding,
                              GError **error);

/* The MobileNetV2 embedding when that model was found with the detector's
 * (*@has FALSE otherwise); FALSE with @error set when its forward fails. */
gboolean _derush_detector_embed(DerushDetector *det, const guint8 *rgb, int width, int height,
                                gsize stride, float *out, gboolean *has, GError **error);

/* --------------------------------------------------------- detect-photo.c */

#define DERUSH_YOLOX_EMBEDDING 256

/* One photo's detector run. */
typedef struct {
  GArray *dets; /* DerushDetection, best first */
  float features[DERUSH_N_DETECT_FEATURES];
  float embedding[DERUSH_YOLOX_EMBEDDING];
  gboolean has_embedding;
  float mobilenet[DERUSH_MOBILENET_EMBEDDING]; /* the second embedding */
  gboolean has_mobilenet;
} DerushDetectResult;

void _derush_detect_result_clear(DerushDetectResult *result);

/* Runs the detector on a decoded preview (see detect-photo.c). */
gboolean _derush_detect_preview(DerushDetector *det, VipsImage *preview, int orig_width,
                                int orig_height, DerushDetectResult *result, GError **error);

/* Stores a run in the catalog; inside a transaction. */
gboolean _derush_detect_store(DerushCatalog *cat, gint64 photo_id, guint64 content_hash,
                              const DerushDetectResult *result, GError **error);

/* ------------------------------------------------------ detect-features.c */

/* The detector features of @n detections (boxes in an @orig_width x
 * @orig_height frame) and, for the subject's sharpness, the preview
 * (nullable) the detector saw. */
void _derush_detect_features(const DerushDetection *dets, int n, int orig_width, int orig_height,
                             const guint8 *rgb, int width, int height, gsize stride, float *vector);

G_END_DECLS

#endif /* DERUSH_DETECT_PRIVATE_H */
