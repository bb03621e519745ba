/* face-detect.h: YuNet face detection and the eye-state classifier's
 * pre- and post-processing (not installed). ../shared/models/FACES.md is
 * the contract these follow; the forwards themselves are src/nn/'s.
 *
 * Coordinates: a DerushFace (include/derush.h) is in the pixels of the image
 * it was found in until _derush_faces_map() moves it to another frame (the
 * original photo, for storage and the CLI). */
#ifndef DERUSH_FACE_DETECT_H
#define DERUSH_FACE_DETECT_H

#include "derush-private.h"
#include "detect-private.h" /* _derush_box_iou, _derush_model_find */
#include "quality/quality-private.h"

G_BEGIN_DECLS

#define DERUSH_YUNET_FILE "face_detection_yunet_2023mar.onnx"
#define DERUSH_EYE_FILE "open_closed_eye.onnx"

/* Score threshold and NMS IoU. 0.7 (OpenCV's demo uses 0.9, which drops
 * most faces under ~25 px): on tests/data/faces-truth.csv 0.6 also
 * reported a dog's head (0.64) and graffiti (0.71) as faces. */
#define DERUSH_YUNET_SCORE 0.7f
#define DERUSH_YUNET_NMS 0.3f

/* The 12 output names, grouped by stride (8, 16, 32). */
#define DERUSH_YUNET_N_STRIDES 3
extern const int _derush_yunet_strides[DERUSH_YUNET_N_STRIDES];
extern const char *const _derush_yunet_cls[DERUSH_YUNET_N_STRIDES];
extern const char *const _derush_yunet_obj[DERUSH_YUNET_N_STRIDES];
extern const char *const _derush_yunet_bbox[DERUSH_YUNET_N_STRIDES];
extern const char *const _derush_yunet_kps[DERUSH_YUNET_N_STRIDES];

/* YuNet's input size for a @width x @height image: padded at the bottom and
 * right to multiples of 32. */
void _derush_yunet_padded_size(int width, int height, int *pad_width, int *pad_height);

/* The network input of a packed 8-bit RGB image: float32 NCHW [1, 3,
 * pad_h, pad_w], BGR planes of raw 0..255 values, zeros in the padding.
 * With a @quantum (a multiple of 32, e.g. 128; 0 for none) both sides are
 * padded to multiples of it: a few input shapes for all photos (512x384 and
 * 384x512 for most previews), so the executor plans the network a few
 * times, not once per aspect ratio (a plan costs ~50 ms, a forward a few).
 * Returns a g_malloc'd tensor. */
float *_derush_yunet_input(const guint8 *rgb, int width, int height, gsize stride, int quantum,
                           int *pad_width, int *pad_height);

/* The raw outputs of one forward: per stride, cls and obj [N], bbox [N*4],
 * kps [N*10], with N = (pad_h/s) * (pad_w/s). */
typedef struct {
  const float *cls[DERUSH_YUNET_N_STRIDES];
  const float *obj[DERUSH_YUNET_N_STRIDES];
  const float *bbox[DERUSH_YUNET_N_STRIDES];
  const float *kps[DERUSH_YUNET_N_STRIDES];
} DerushYunetOutputs;

/* Decodes the outputs (FACES.md): every cell whose sqrt(cls * obj) reaches
 * @threshold, then non-maximum suppression at @nms_iou. Appends DerushFace
 * (eyes_open and sharpness NAN) to @faces, best score first, in the input's
 * pixels. Returns how many. */
int _derush_yunet_decode(const DerushYunetOutputs *out, int pad_width, int pad_height,
                         float threshold, float nms_iou, GArray *faces);

/* The best sqrt(cls * obj) of stride index @k's cells: a face too large
 * to pass the threshold at that stride still raises it. */
float _derush_yunet_best_score(const DerushYunetOutputs *out, int k, int pad_width, int pad_height);

/* Scales and shifts faces from an image to another frame:
 * p' = p * scale + offset (boxes and landmarks). */
void _derush_faces_map(GArray *faces, guint first, double scale_x, double scale_y, double off_x,
                       double off_y);

/* Greedy non-maximum suppression of faces[first..]: best score first,
 * dropping any face overlapping a kept one by IoU > @iou. */
void _derush_faces_nms(GArray *faces, guint first, float iou);

/* Drops from @faces every face (index < @first) overlapping one of the
 * faces at index >= @first by IoU > @iou: a second, finer pass replaces
 * what the first found in the same place. */
void _derush_faces_replace(GArray *faces, guint first, float iou);

/* ----------------------------------------------------------- eye state */

#define DERUSH_EYE_SIZE 32
#define DERUSH_EYE_TENSOR (3 * DERUSH_EYE_SIZE * DERUSH_EYE_SIZE)
/* Crop sides, in inter-eye distances, whose p(open) are averaged: 0.4,
 * 0.5, 0.6. Chosen with the threshold by 2-fold cross-validation on
 * tests/data/faces-truth.csv among crop sides 0.4-1.1, with or without a
 * contrast stretch, grey, mirrored or lowered crops, and three ways to
 * combine the eyes (docs/faces-truth.md, "Eye state: how it was
 * chosen"). */
#define DERUSH_EYE_N_SCALES 3
extern const float _derush_eye_scales[DERUSH_EYE_N_SCALES];
/* ... and 0.5, 0.6, 0.7 for eyes closer than DERUSH_EYE_SMALL_DISTANCE px
 * in the image they are cut from (no larger decode has more: the face is
 * small in the original). The 24 open and 24 closed single faces of
 * ../shared/corpus/faces shrunk so the face is 60, 80, 110 and 160 px wide
 * (OpenCV INTER_AREA): open faces read closed 3, 1, 3 and 1 times with the
 * large faces' crops, 0, 1, 1 and 1 with these; closed faces found 65 of
 * 80 either way (ImageMagick's resize: 10 false alarms of 93 against 4,
 * 63 against 62 closed found; tests/test-faces-small.c, libvips: 5 of 24
 * against 0 at 60 px). The switch at 48 px changed too little; at 80 it
 * lost a closed face of tests/data/faces-truth.csv. */
#define DERUSH_EYE_SMALL_DISTANCE 64.0f
extern const float _derush_eye_scales_small[DERUSH_EYE_N_SCALES];
/* ... each at the landmark and shifted by DERUSH_EYE_JITTER inter-eye
 * distances left, right, up and down: the classifier is jumpy (a 2 px
 * shift of a 70 px apart pair of closed eyes moved p(open) from 0.01 to
 * 0.31), the mean of 15 crops much less. */
#define DERUSH_EYE_N_SHIFTS 5
#define DERUSH_EYE_JITTER 0.05f
#define DERUSH_EYE_N_CROPS (DERUSH_EYE_N_SCALES * DERUSH_EYE_N_SHIFTS)
/* Below this inter-eye distance (pixels of the best image available) the
 * classifier is not asked: eyes_open stays NAN. FACES.md: trust it from
 * 20 px; below, the smallest crop (0.4 eye distances) is under 8 px, and
 * the faces of 24 px the fine pass finds read as closed at random. */
#define DERUSH_EYE_MIN_DISTANCE 20.0f

/* The classifier's input for one eye: a square of @side pixels centred on
 * (@cx, @cy), turned by @angle (radians, the eye line's slope) so the eye
 * line is level, area-averaged down to 32x32, BGR planes of
 * (value - 127) / 255 (FACES.md). Pixels outside the image repeat the
 * border. */
void _derush_eye_input(const guint8 *rgb, int width, int height, gsize stride, float cx, float cy,
                       float angle, float side, float *tensor);

/* The crops of both eyes of @face (its landmarks in @rgb's pixels) at every
 * scale and shift, into @tensors (2 * DERUSH_EYE_N_CROPS tensors: eye 0's
 * crops, then eye 1's). FALSE (nothing written) when the eyes are closer
 * than DERUSH_EYE_MIN_DISTANCE. */
gboolean _derush_eye_inputs(const guint8 *rgb, int width, int height, gsize stride,
                            const DerushFace *face, float *tensors);

/* p(open) from the classifier's output [p(closed), p(open)]. */
float _derush_eye_p_open(const float *output);

/* ----------------------------------------------------------- face quality */

/* Sharpness of every face in @faces (boxes in @rgb's pixels): the variance
 * of the grey Laplacian inside the box over that of the whole image, so 1
 * is "as sharp as the photo", below 1 softer. NAN for a box under 8x8 px or a
 * flat image. */
void _derush_faces_sharpness(const guint8 *rgb, int width, int height, gsize stride, GArray *faces);

/* Each face's area (visible part of its box over the frame) and whether
 * its box reaches the border of a @width x @height frame. */
void _derush_faces_frame(GArray *faces, int width, int height);

/* ----------------------------------------------------------- faces.c */

/* A packed 8-bit RGB image, upright. The thumbnail cache's JPEG (quality
 * 85) serves as well as a fresh decode: on the 49 photos of
 * ../shared/corpus/faces, eye crops from either gave the same closed-eye
 * verdicts (p(open) within 0.01), so the analysis decodes once. */
typedef struct {
  guint8 *rgb;
  int width, height;
  gsize stride;
} DerushFaceImage;

/* Decodes the original photo with its long side @long_side (never more
 * than the original); fills @out with a g_malloc'd buffer. */
typedef gboolean (*DerushFaceDecodeFunc)(gpointer data, int long_side, DerushFaceImage *out,
                                         GError **error);

typedef struct _DerushFaceModels DerushFaceModels;
DerushFaceModels *_derush_face_models_get(const char *model_dir, GError **error);
/* A copy of the networks for one thread (faces.c): another copy is loaded
 * when all are busy, up to one per core. */
DerushFaceModels *_derush_face_models_acquire(DerushFaceModels *m);
void _derush_face_models_release(DerushFaceModels *copy);

/* The smallest face, in the original's pixels, that faces.c looks for
 * with a larger decode when the preview shows people but no face. */
#define DERUSH_FACE_MIN_ORIG 24.0f

/* What faces.c did for one photo (tests and the benchmark read it). */
typedef struct {
  int yunet_forwards;    /* preview + coarse + tiles */
  gboolean coarse;       /* the preview found none: looked again at 1/2-1/3 */
  float coarse_hint;     /* the preview's best stride-32 score (COARSE_HINT) */
  int plans_built;       /* executor plans built (cache misses), both models */
  int tiles;             /* forwards of the fine pass on a larger decode */
  int large_side;        /* long side of the larger decode; 0 none */
  int eye_forwards;      /* eye classifier forwards (one batch for all faces) */
  gboolean people_found; /* DerushFacePeople.find was called */
  /* Where the time went (microseconds of process CPU): for bench/faces
   * only, tests assert the counters above. */
  gint64 preview_us, coarse_us, fine_us, eye_crop_us, eye_nn_us;
} DerushFacesPasses;

/* Finds the people of a photo from its @preview (the object detector):
 * returns their boxes in the @orig_width x @orig_height original's pixels
 * (g_malloc'd, NULL when none), *@n how many. */
typedef float *(*DerushFacePeopleFunc)(gpointer data, const DerushFaceImage *preview,
                                       int orig_width, int orig_height, int *n);

/* People the object detector found (boxes in the upright original's
 * pixels): where to look for faces too small for the preview. Either
 * @boxes (the analysis ran the detector already), or @find, which faces.c
 * calls only when it needs them (no face in the preview): most photos then
 * do without the detector's forward. */
typedef struct {
  const float (*boxes)[4];
  int n;
  DerushFacePeopleFunc find;
  gpointer find_data;
} DerushFacePeople;

gboolean _derush_faces_find(DerushFaceModels *m, const DerushFaceImage *preview, int orig_width,
                            int orig_height, const DerushFacePeople *people,
                            DerushFaceDecodeFunc decode, gpointer decode_data, GArray *faces,
                            DerushFacesPasses *passes, GError **error);

/* YuNet on one packed RGB image (any size; padded to few shapes); faces
 * appended in its pixels; @coarse_score (nullable): the best score of the
 * stride-32 head. */
gboolean _derush_faces_run_yunet(DerushFaceModels *m, const guint8 *rgb, int w, int h, gsize stride,
                                 GArray *faces, float *coarse_score, GError **error);

/* face-features.c: the faces and their features into the catalog. */
gboolean _derush_faces_store(DerushCatalog *cat, gint64 photo_id, guint64 content_hash,
                             const DerushFace *faces, int n, GError **error);

/* faces-regions.c */
/* The rectangle [x0, x1) x [y0, y1) of @img, box-averaged by an integer
 * @shrink (>= 1), packed; g_malloc'd. */
guint8 *_derush_face_image_crop(const DerushFaceImage *img, int x0, int y0, int x1, int y1,
                                int shrink, int *w, int *h);
gboolean _derush_faces_tiled(DerushFaceModels *m, const DerushFaceImage *img, const float region[4],
                             GArray *faces, int *n_forwards, GError **error);
void _derush_faces_region_around(const GArray *faces, float region[4]);
/* The person boxes (COCO class 0) of @dets (DerushDetection; nullable):
 * how many, *@boxes g_malloc'd (NULL when none). */
int _derush_people_boxes(const GArray *dets, float **boxes);
gboolean _derush_faces_region_people(const float (*people)[4], int n_people, double k,
                                     float small_face, float region[4]);

/* faces-file.c */
gboolean _derush_faces_find_in_buffer(DerushFaceModels *m, const guint8 *data, gsize len,
                                      const char *name, int orientation,
                                      const DerushFacePeople *people, GArray *faces, int *width,
                                      int *height, GError **error);
gboolean _derush_faces_find_in_photo(DerushFaceModels *m, const char *path, int orientation,
                                     VipsImage *preview, int orig_width, int orig_height,
                                     const DerushFacePeople *people, GArray *faces, GError **error);

G_END_DECLS

#endif /* DERUSH_FACE_DETECT_H */
