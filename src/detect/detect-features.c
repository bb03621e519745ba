/* detect-features.c: what the learner gets from a photo's detections.
 *
 * Culling cares about who or what is in the picture and whether it is
 * sharp: a flag and a count for the classes photographers shoot (people,
 * animals, vehicles, food), the largest subject's size and place in the
 * frame, and the sharpness inside its box next to the frame's (a sharp
 * background behind a soft subject is a missed focus). */
#include "detect-private.h"
#include "quality/features.h"

/* A detection counts for the features from this score on: below it YOLOX's
 * boxes are mostly wrong on COCO (precision under 0.6 at 0.3 per
 * ../shared/models/README.md). */
#define FEATURE_SCORE 0.35f

static const char *const coco_names[DERUSH_COCO_CLASSES] = {
    "person",        "bicycle",      "car",
    "motorcycle",    "airplane",     "bus",
    "train",         "truck",        "boat",
    "traffic light", "fire hydrant", "stop sign",
    "parking meter", "bench",        "bird",
    "cat",           "dog",          "horse",
    "sheep",         "cow",          "elephant",
    "bear",          "zebra",        "giraffe",
    "backpack",      "umbrella",     "handbag",
    "tie",           "suitcase",     "frisbee",
    "skis",          "snowboard",    "sports ball",
    "kite",          "baseball bat", "baseball glove",
    "skateboard",    "surfboard",    "tennis racket",
    "bottle",        "wine glass",   "cup",
    "fork",          "knife",        "spoon",
    "bowl",          "banana",       "apple",
    "sandwich",      "orange",       "broccoli",
    "carrot",        "hot dog",      "pizza",
    "donut",         "cake",         "chair",
    "couch",         "potted plant", "bed",
    "dining table",  "toilet",       "tv",
    "laptop",        "mouse",        "remote",
    "keyboard",      "cell phone",   "microwave",
    "oven",          "toaster",      "sink",
    "refrigerator",  "book",         "clock",
    "vase",          "scissors",     "teddy bear",
    "hair drier",    "toothbrush",
};

/**
 * derush_coco_class_name:
 * @class_id: 0..79
 *
 * Returns: (transfer none) (nullable): the COCO name ("person", "dog"...),
 * NULL out of range.
 */
const char *
derush_coco_class_name(int class_id)
{
  return class_id >= 0 && class_id < DERUSH_COCO_CLASSES ? coco_names[class_id] : NULL;
}

static const DerushFeatureInfo infos[DERUSH_N_DETECT_FEATURES] = {
    [DERUSH_DETECT_FEATURE_OBJECTS] = {"det_objects", "detections scoring >= 0.35", ">= 0"},
    [DERUSH_DETECT_FEATURE_MAX_SCORE] = {"det_max_score", "best detection score (0: none)", "0..1"},
    [DERUSH_DETECT_FEATURE_PERSON] = {"det_person", "a person is in the picture", "0 or 1"},
    [DERUSH_DETECT_FEATURE_PERSONS] = {"det_persons", "how many persons", ">= 0"},
    [DERUSH_DETECT_FEATURE_ANIMAL] = {"det_animal", "an animal (bird ... giraffe)", "0 or 1"},
    [DERUSH_DETECT_FEATURE_ANIMALS] = {"det_animals", "how many animals", ">= 0"},
    [DERUSH_DETECT_FEATURE_VEHICLE] = {"det_vehicle", "a vehicle (bicycle ... boat)", "0 or 1"},
    [DERUSH_DETECT_FEATURE_VEHICLES] = {"det_vehicles", "how many vehicles", ">= 0"},
    [DERUSH_DETECT_FEATURE_FOOD] = {"det_food", "food (banana ... cake)", "0 or 1"},
    [DERUSH_DETECT_FEATURE_SUBJECT_AREA] = {"subject_area",
                                            "largest detection's box / frame area (0: none)",
                                            "0..1"},
    [DERUSH_DETECT_FEATURE_SUBJECT_CX] = {"subject_cx", "its centre, fraction of the width",
                                          "0..1"},
    [DERUSH_DETECT_FEATURE_SUBJECT_CY] = {"subject_cy", "its centre, fraction of the height",
                                          "0..1"},
    [DERUSH_DETECT_FEATURE_SUBJECT_SHARP] = {"subject_sharpness",
                                             "log10(1 + Laplacian variance) inside its box",
                                             ">= 0"},
    [DERUSH_DETECT_FEATURE_SUBJECT_VS_FRAME] = {"subject_vs_frame",
                                                "subject_sharpness minus the whole frame's", "any"},
};

/**
 * derush_detect_feature_info:
 * @feature: a DerushDetectFeature
 *
 * Returns: (transfer none): its stable name, meaning and range.
 */
const DerushFeatureInfo *
derush_detect_feature_info(DerushDetectFeature feature)
{
  g_return_val_if_fail(feature < DERUSH_N_DETECT_FEATURES, NULL);
  return &infos[feature];
}

/**
 * _derush_detect_features:
 * @dets: detections, boxes in the original's pixels
 * @n: how many
 * @orig_width: the original's width (the boxes' frame)
 * @orig_height: its height
 * @rgb: (nullable): the preview the detector saw, for the subject's sharpness
 * @width: the preview's width
 * @height: its height
 * @stride: bytes a row
 * @vector: (out caller-allocates): DERUSH_N_DETECT_FEATURES values
 */
void
_derush_detect_features(const DerushDetection *dets, int n, int orig_width, int orig_height,
                        const guint8 *rgb, int width, int height, gsize stride, float *vector)
{
  for (int i = 0; i < DERUSH_N_DETECT_FEATURES; i++)
    vector[i] = 0;
  vector[DERUSH_DETECT_FEATURE_SUBJECT_CX] = NAN;
  vector[DERUSH_DETECT_FEATURE_SUBJECT_CY] = NAN;
  vector[DERUSH_DETECT_FEATURE_SUBJECT_SHARP] = NAN;
  vector[DERUSH_DETECT_FEATURE_SUBJECT_VS_FRAME] = NAN;
  int subject = -1;
  double subject_area = 0;
  for (int i = 0; i < n; i++) {
    const DerushDetection *d = &dets[i];
    vector[DERUSH_DETECT_FEATURE_MAX_SCORE] =
        MAX(vector[DERUSH_DETECT_FEATURE_MAX_SCORE], d->score);
    if (d->score < FEATURE_SCORE)
      continue;
    vector[DERUSH_DETECT_FEATURE_OBJECTS]++;
    int c = d->class_id;
    if (c == 0)
      vector[DERUSH_DETECT_FEATURE_PERSONS]++;
    else if (c >= 1 && c <= 8)
      vector[DERUSH_DETECT_FEATURE_VEHICLES]++;
    else if (c >= 14 && c <= 23)
      vector[DERUSH_DETECT_FEATURE_ANIMALS]++;
    else if (c >= 46 && c <= 55)
      vector[DERUSH_DETECT_FEATURE_FOOD] = 1;
    double area = (double)(d->box[2] - d->box[0]) * (d->box[3] - d->box[1]);
    if (area > subject_area) {
      subject_area = area;
      subject = i;
    }
  }
  vector[DERUSH_DETECT_FEATURE_PERSON] = vector[DERUSH_DETECT_FEATURE_PERSONS] > 0;
  vector[DERUSH_DETECT_FEATURE_ANIMAL] = vector[DERUSH_DETECT_FEATURE_ANIMALS] > 0;
  vector[DERUSH_DETECT_FEATURE_VEHICLE] = vector[DERUSH_DETECT_FEATURE_VEHICLES] > 0;
  if (subject < 0 || orig_width <= 0 || orig_height <= 0)
    return;
  const float *b = dets[subject].box;
  vector[DERUSH_DETECT_FEATURE_SUBJECT_AREA] =
      (float)MIN(1.0, subject_area / ((double)orig_width * orig_height));
  vector[DERUSH_DETECT_FEATURE_SUBJECT_CX] = CLAMP((b[0] + b[2]) / 2 / orig_width, 0.0f, 1.0f);
  vector[DERUSH_DETECT_FEATURE_SUBJECT_CY] = CLAMP((b[1] + b[3]) / 2 / orig_height, 0.0f, 1.0f);
  if (!rgb || width <= 0 || height <= 0)
    return;
  double sx = (double)width / orig_width, sy = (double)height / orig_height;
  double inside = _derush_region_sharpness_rgb(rgb, width, height, stride, (int)floor(b[0] * sx),
                                               (int)floor(b[1] * sy), (int)ceil(b[2] * sx),
                                               (int)ceil(b[3] * sy));
  double frame = _derush_region_sharpness_rgb(rgb, width, height, stride, 0, 0, width, height);
  vector[DERUSH_DETECT_FEATURE_SUBJECT_SHARP] = (float)inside;
  vector[DERUSH_DETECT_FEATURE_SUBJECT_VS_FRAME] = (float)(inside - frame);
}
