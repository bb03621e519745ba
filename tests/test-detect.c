/* test-detect.c: the object detector's pre- and post-processing against
 * OpenCV's (the golden tensors of ../shared/models), the catalog store,
 * the COCO evaluator and the detector features.
 *
 * Over 600 lines: the golden-tensor readers serve every case here; the
 * cases are short. */
#include "catalog/detections-store.h"
#include "detect/detect-private.h"
#include "eval/detector-map.h"
#include "test-util.h"
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#define GOLDEN_IN "models/golden/yolox_nano_000000000009_input_1x3x416x416.f32"
#define GOLDEN_OUT "models/golden/yolox_nano_000000000009_output_1x3549x85.f32"
#define IMAGE_9 "corpus/coco_sample/images/000000000009.jpg"
#define REFERENCE_CSV "corpus/coco_sample/yolox_nano_reference.csv"

/* A ../shared file's bytes, or NULL after g_test_skip when absent. */
static guint8 *
shared_bytes(const char *relative, gsize *len)
{
  g_autofree char *path = test_shared_path(relative);
  guint8 *data = NULL;
  if (!path || !g_file_get_contents(path, (char **)&data, len, NULL)) {
    g_test_skip("../shared is absent: no golden tensors");
    return NULL;
  }
  return data;
}

/* A picture decoded whole as packed RGB (what cv2.imread gives, in RGB). */
static guint8 *
decode_rgb(const char *path, int *w, int *h)
{
  g_autoptr(VipsImage) img = vips_image_new_from_file(path, "access", VIPS_ACCESS_SEQUENTIAL, NULL);
  g_assert_nonnull(img);
  g_assert_cmpint(img->Bands, ==, 3);
  size_t size = 0;
  guint8 *px = vips_image_write_to_memory(img, &size);
  g_assert_nonnull(px);
  *w = img->Xsize;
  *h = img->Ysize;
  return px;
}

/* The letterbox of photo 9 matches the tensor cv2 made from the same file:
 * same scale, same padding, every value within one grey level (the JPEG
 * decoders may differ by one), nearly all equal. */
static void
test_letterbox_golden(void)
{
  gsize len = 0;
  g_autofree guint8 *golden = shared_bytes(GOLDEN_IN, &len);
  if (!golden)
    return;
  g_assert_cmpuint(len, ==, 3 * 416 * 416 * sizeof(float));
  g_autofree char *path = test_shared_path(IMAGE_9);
  int w, h;
  g_autofree guint8 *rgb = decode_rgb(path, &w, &h);
  g_autofree float *t = g_new(float, 3 * 416 * 416);
  double r = _derush_letterbox(rgb, w, h, (gsize)w * 3, 416, t);
  g_assert_cmpfloat_with_epsilon(r, 0.65, 1e-9);
  const float *g = (const float *)golden;
  gsize differ = 0;
  float worst = 0;
  for (gsize i = 0; i < 3 * 416 * 416; i++) {
    float d = fabsf(t[i] - g[i]);
    worst = MAX(worst, d);
    differ += d > 0;
  }
  g_test_message("letterbox vs cv2: %zu of %d values differ, at most by %g", differ, 3 * 416 * 416,
                 worst);
  g_assert_cmpfloat(worst, <=, 1.0f);
  g_assert_cmpuint(differ, <, 3 * 416 * 416 / 100);
  /* Padding below the 312 resized rows is 114 in every plane. */
  g_assert_cmpfloat(t[(gsize)2 * 416 * 416 + 415 * 416 + 10], ==, 114.0f);
}

/* MobileNetV2's input for photo 9 matches the golden tensor made from the
 * same file (shorter side 256, centre crop 224, ImageNet normalisation):
 * within one grey level (1 / 255 / std, at most 0.0175) everywhere. */
static void
test_mobilenet_input_golden(void)
{
  gsize len = 0;
  g_autofree guint8 *golden =
      shared_bytes("models/golden/mobilenetv2-12-int8_000000000009_input_1x3x224x224.f32", &len);
  if (!golden)
    return;
  g_assert_cmpuint(len, ==, 3 * 224 * 224 * sizeof(float));
  g_autofree char *path = test_shared_path(IMAGE_9);
  int w, h;
  g_autofree guint8 *rgb = decode_rgb(path, &w, &h);
  g_autofree float *t = g_new(float, 3 * 224 * 224);
  _derush_mobilenet_input(rgb, w, h, (gsize)w * 3, t);
  const float *g = (const float *)golden;
  gsize differ = 0;
  float worst = 0;
  for (gsize i = 0; i < 3 * 224 * 224; i++) {
    float d = fabsf(t[i] - g[i]);
    worst = MAX(worst, d);
    differ += d > 1e-5f;
  }
  g_test_message("mobilenet input vs golden: %zu of %d values differ, at most by %g", differ,
                 3 * 224 * 224, worst);
  g_assert_cmpfloat(worst, <=, 1.0f / 255 / 0.224f + 1e-4f);
  g_assert_cmpuint(differ, <, 3 * 224 * 224 / 100);
}

/* Synthetic: channel order (RGB in, BGR planes out), a flat picture stays
 * flat through the resize, and a portrait one pads on the right. */
static void
test_letterbox_synthetic(void)
{
  int w = 100, h = 200;
  g_autofree guint8 *rgb = g_malloc((gsize)w * h * 3);
  for (int i = 0; i < w * h; i++) {
    rgb[3 * i] = 10;
    rgb[3 * i + 1] = 20;
    rgb[3 * i + 2] = 30;
  }
  g_autofree float *t = g_new(float, 3 * 64 * 64);
  double r = _derush_letterbox(rgb, w, h, (gsize)w * 3, 64, t);
  g_assert_cmpfloat_with_epsilon(r, 0.32, 1e-9);
  /* (x, y) = (5, 40) is inside the 32 x 64 picture; (40, 5) is padding. */
  g_assert_cmpfloat(t[0 * 4096 + 40 * 64 + 5], ==, 30.0f); /* B */
  g_assert_cmpfloat(t[1 * 4096 + 40 * 64 + 5], ==, 20.0f); /* G */
  g_assert_cmpfloat(t[2 * 4096 + 40 * 64 + 5], ==, 10.0f); /* R */
  g_assert_cmpfloat(t[0 * 4096 + 5 * 64 + 40], ==, 114.0f);
}

typedef struct {
  int class_id;
  float score;
  float box[4];
} RefBox;

/* The reference detections of one image from yolox_nano_reference.csv. */
static GArray *
reference_boxes(const char *image)
{
  gsize len = 0;
  g_autofree char *csv = (char *)shared_bytes(REFERENCE_CSV, &len);
  if (!csv)
    return NULL;
  GArray *out = g_array_new(FALSE, FALSE, sizeof(RefBox));
  g_auto(GStrv) lines = g_strsplit(csv, "\n", -1);
  for (int i = 1; lines[i]; i++) {
    g_auto(GStrv) f = g_strsplit(lines[i], ",", -1);
    if (g_strv_length(f) != 8 || strcmp(f[0], image) != 0)
      continue;
    RefBox b = {.class_id = atoi(f[1]), .score = (float)g_ascii_strtod(f[3], NULL)};
    for (int k = 0; k < 4; k++)
      b.box[k] = (float)g_ascii_strtod(f[4 + k], NULL);
    g_array_append_val(out, b);
  }
  return out;
}

/* Decoding cv2's raw output of photo 9 with the reference's settings (score
 * > 0.3, class-wise NMS 0.45) gives the reference's boxes, in its order. */
static void
test_decode_golden(void)
{
  gsize len = 0;
  g_autofree guint8 *raw = shared_bytes(GOLDEN_OUT, &len);
  if (!raw)
    return;
  g_assert_cmpuint(len, ==, DERUSH_YOLOX_ROWS * 85 * sizeof(float));
  g_autoptr(GArray) ref = reference_boxes("000000000009.jpg");
  if (!ref)
    return;
  g_assert_cmpuint(ref->len, >, 0);
  g_autoptr(GArray) dets = g_array_new(FALSE, FALSE, sizeof(DerushDetection));
  int n = _derush_yolox_decode((const float *)raw, DERUSH_YOLOX_ROWS, 80, 416, 0.65, 0.3f, 0.45f,
                               100, dets);
  g_assert_cmpint(n, ==, (int)ref->len);
  for (guint i = 0; i < ref->len; i++) {
    const RefBox *b = &g_array_index(ref, RefBox, i);
    const DerushDetection *d = &g_array_index(dets, DerushDetection, i);
    g_assert_cmpint(d->class_id, ==, b->class_id);
    g_assert_cmpfloat_with_epsilon(d->score, b->score, 6e-5);
    for (int k = 0; k < 4; k++)
      g_assert_cmpfloat_with_epsilon(d->box[k], b->box[k], 0.051);
  }
}

/* NMS is per class: two overlapping boxes of different classes both stay,
 * of one class only the better one; max_det caps the output. */
static void
test_decode_nms(void)
{
  float raw[DERUSH_YOLOX_ROWS * 85] = {0};
  /* Three cells at stride 8 side by side, each box exp(log 8) * 8 = 64
   * px square, centres 8 px apart: heavy overlap. */
  for (int i = 0; i < 3; i++) {
    float *p = raw + (gsize)(100 + i) * 85;
    p[2] = p[3] = logf(8.0f);
    p[4] = 0.9f;
    p[5 + (i == 2 ? 16 : 0)] = 0.9f - 0.1f * i; /* person, person, dog */
  }
  g_autoptr(GArray) dets = g_array_new(FALSE, FALSE, sizeof(DerushDetection));
  int n = _derush_yolox_decode(raw, DERUSH_YOLOX_ROWS, 80, 416, 1.0, 0.3f, 0.45f, 100, dets);
  g_assert_cmpint(n, ==, 2);
  g_assert_cmpint(g_array_index(dets, DerushDetection, 0).class_id, ==, 0);
  g_assert_cmpint(g_array_index(dets, DerushDetection, 1).class_id, ==, 16);
  g_assert_cmpfloat_with_epsilon(g_array_index(dets, DerushDetection, 0).score, 0.81f, 1e-6);
  /* Cell 100 is row 1 (100 = 1 * 52 + 48), column 48: centre (384, 8). */
  g_assert_cmpfloat_with_epsilon(g_array_index(dets, DerushDetection, 0).box[0], 384 - 32, 1e-3);
  g_assert_cmpfloat_with_epsilon(g_array_index(dets, DerushDetection, 0).box[1], 8 - 32, 1e-3);
  g_array_set_size(dets, 0);
  g_assert_cmpint(_derush_yolox_decode(raw, DERUSH_YOLOX_ROWS, 80, 416, 1.0, 0.3f, 0.45f, 1, dets),
                  ==, 1);
}

/* A catalog in a fresh folder holding one scanned photo. */
typedef struct {
  char *dir;
  char *photo;
  DerushCatalog *cat;
  gint64 id;
} Fixture;

static void
fixture_rescan(Fixture *f)
{
  const char *roots[] = {f->dir, NULL};
  DerushScanOptions sopt;
  derush_scan_options_init(&sopt);
  DerushScanSummary sum;
  g_autoptr(GError) error = NULL;
  g_assert_true(derush_catalog_scan(f->cat, roots, &sopt, &sum, &error));
  g_assert_no_error(error);
  g_autoptr(DerushPhoto) p = derush_catalog_get_photo(f->cat, f->photo, &error);
  g_assert_no_error(error);
  f->id = p->id;
}

static void
fixture_set_up(Fixture *f, gconstpointer data)
{
  f->dir = test_make_tmpdir();
  f->photo = g_build_filename(f->dir, "a.jpg", NULL);
  test_make_quadrant_image(f->photo, 120, 80);
  g_autofree char *db = g_build_filename(f->dir, "cat.db", NULL);
  g_autoptr(GError) error = NULL;
  f->cat = derush_catalog_open(db, &error);
  g_assert_no_error(error);
  g_autofree char *cache = g_build_filename(f->dir, "cache", NULL);
  derush_catalog_set_cache_dir(f->cat, cache);
  fixture_rescan(f);
}

static void
fixture_tear_down(Fixture *f, gconstpointer data)
{
  derush_catalog_close(f->cat);
  test_rmrf(f->dir);
  g_free(f->dir);
  g_free(f->photo);
}

static guint64
photo_hash(Fixture *f)
{
  g_autoptr(DerushPhoto) p = derush_catalog_get_photo(f->cat, f->photo, NULL);
  return p->content_hash;
}

/* What is stored comes back (boxes, order, features, embedding); a photo
 * never detected has no detections and all-NAN features. */
static void
test_store_round_trip(Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_assert_null(derush_catalog_get_detections(f->cat, f->photo, &error));
  g_assert_error(error, DERUSH_ERROR, DERUSH_ERROR_NOT_FOUND);
  g_clear_error(&error);
  float v[DERUSH_N_DETECT_FEATURES];
  g_assert_true(derush_catalog_get_detector_features(f->cat, f->id, v, &error));
  for (int i = 0; i < DERUSH_N_DETECT_FEATURES; i++)
    g_assert_true(isnan(v[i]));

  DerushDetection dets[] = {
      {.class_id = 16, .score = 0.9f, .box = {1.5f, 2, 60, 70.25f}},
      {.class_id = 0, .score = 0.4f, .box = {0, 0, 10, 20}},
  };
  float feat[DERUSH_N_DETECT_FEATURES];
  for (int i = 0; i < DERUSH_N_DETECT_FEATURES; i++)
    feat[i] = (float)i / 3;
  feat[DERUSH_DETECT_FEATURE_SUBJECT_CX] = NAN;
  float emb[256];
  for (int i = 0; i < 256; i++)
    emb[i] = sinf((float)i);
  g_assert_true(_derush_catalog_begin(f->cat, &error));
  g_assert_true(
      _derush_catalog_store_detections(f->cat, f->id, photo_hash(f), dets, 2, feat, &error));
  g_assert_true(_derush_catalog_store_embedding(f->cat, f->id, photo_hash(f),
                                                DERUSH_EMBEDDING_YOLOX, emb, 256, &error));
  g_assert_true(_derush_catalog_commit(f->cat, &error));

  g_autoptr(GArray) back = derush_catalog_get_detections(f->cat, f->photo, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(back->len, ==, 2);
  g_assert_cmpmem(back->data, 2 * sizeof(DerushDetection), dets, sizeof dets);
  g_assert_true(derush_catalog_get_detector_features(f->cat, f->id, v, &error));
  for (int i = 0; i < DERUSH_N_DETECT_FEATURES; i++)
    if (i == DERUSH_DETECT_FEATURE_SUBJECT_CX)
      g_assert_true(isnan(v[i]));
    else
      g_assert_cmpfloat(v[i], ==, feat[i]);
  int size = 0;
  g_autofree float *e =
      derush_catalog_get_embedding(f->cat, f->id, DERUSH_EMBEDDING_YOLOX, &size, &error);
  g_assert_no_error(error);
  g_assert_cmpint(size, ==, 256);
  g_assert_cmpmem(e, sizeof emb, emb, sizeof emb);
  g_assert_null(
      derush_catalog_get_embedding(f->cat, f->id, DERUSH_EMBEDDING_MOBILENET, NULL, &error));
  g_assert_error(error, DERUSH_ERROR, DERUSH_ERROR_NOT_FOUND);
  g_clear_error(&error);

  /* A second run replaces the first: one box left, none of the old. */
  g_assert_true(_derush_catalog_begin(f->cat, &error));
  g_assert_true(
      _derush_catalog_store_detections(f->cat, f->id, photo_hash(f), dets + 1, 1, feat, &error));
  g_assert_true(_derush_catalog_commit(f->cat, &error));
  g_autoptr(GArray) again = derush_catalog_get_detections(f->cat, f->photo, &error);
  g_assert_cmpuint(again->len, ==, 1);
  g_assert_cmpint(g_array_index(again, DerushDetection, 0).class_id, ==, 0);
}

/* Detections belong to one file version and one detector version: a
 * changed file or an older DERUSH_DETECT_VERSION makes them stale. */
static void
test_store_versioning(Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  DerushDetection d = {.class_id = 2, .score = 0.5f, .box = {1, 2, 3, 4}};
  float feat[DERUSH_N_DETECT_FEATURES] = {0};
  g_assert_true(_derush_catalog_begin(f->cat, &error));
  g_assert_true(
      _derush_catalog_store_detections(f->cat, f->id, photo_hash(f), &d, 1, feat, &error));
  g_assert_true(_derush_catalog_commit(f->cat, &error));
  g_autoptr(GArray) now = derush_catalog_get_detections(f->cat, f->photo, &error);
  g_assert_no_error(error);

  g_assert_true(
      _derush_catalog_exec(f->cat, "UPDATE detect_runs SET version = version - 1", &error));
  g_assert_null(derush_catalog_get_detections(f->cat, f->photo, &error));
  g_assert_error(error, DERUSH_ERROR, DERUSH_ERROR_NOT_FOUND);
  g_clear_error(&error);
  g_assert_true(
      _derush_catalog_exec(f->cat, "UPDATE detect_runs SET version = version + 1", &error));
  g_autoptr(GArray) back = derush_catalog_get_detections(f->cat, f->photo, &error);
  g_assert_no_error(error);

  /* The file changes (another picture, same name): stale. */
  g_usleep(10000);
  test_make_quadrant_image(f->photo, 200, 90);
  fixture_rescan(f);
  g_assert_null(derush_catalog_get_detections(f->cat, f->photo, &error));
  g_assert_error(error, DERUSH_ERROR, DERUSH_ERROR_NOT_FOUND);
  g_clear_error(&error);
  float v[DERUSH_N_DETECT_FEATURES];
  g_assert_true(derush_catalog_get_detector_features(f->cat, f->id, v, &error));
  g_assert_true(isnan(v[0]));
}

static void
add_box(GArray *a, int class_id, float score, float x0, float y0, float x1, float y1)
{
  DerushDetection d = {.class_id = class_id, .score = score, .box = {x0, y0, x1, y1}};
  g_array_append_val(a, d);
}

/* COCO mAP on cases worked out by hand. */
static void
test_map(void)
{
  GArray *truth[2], *dets[2];
  for (int i = 0; i < 2; i++) {
    truth[i] = g_array_new(FALSE, FALSE, sizeof(DerushDetection));
    dets[i] = g_array_new(FALSE, FALSE, sizeof(DerushDetection));
  }
  add_box(truth[0], 0, 1, 0, 0, 100, 100);
  add_box(truth[1], 16, 1, 10, 10, 50, 50);
  /* Perfect: every AP is 1. */
  add_box(dets[0], 0, 0.9f, 0, 0, 100, 100);
  add_box(dets[1], 16, 0.8f, 10, 10, 50, 50);
  DerushMap m;
  _derush_coco_map(2, truth, dets, &m);
  g_assert_cmpint(m.classes, ==, 2);
  g_assert_cmpfloat_with_epsilon(m.map50, 1, 1e-12);
  g_assert_cmpfloat_with_epsilon(m.map50_95, 1, 1e-12);

  /* The person box shifted to IoU 0.7 (70x100 of 100x100): a hit at the
   * thresholds 0.50 ... 0.70, five of ten. */
  g_array_set_size(dets[0], 0);
  add_box(dets[0], 0, 0.9f, 0, 0, 70, 100);
  _derush_coco_map(2, truth, dets, &m);
  g_assert_cmpfloat_with_epsilon(m.map50, 1, 1e-12);
  g_assert_cmpfloat_with_epsilon(m.map50_95, (0.5 + 1) / 2, 1e-12);
  g_assert_cmpfloat_with_epsilon(m.map75, 0.5, 1e-12);

  /* A better-scored false dog before the true one: precision 1/2 at recall
   * 1, so the dog's AP is 0.5 at every threshold. A detection of a class
   * absent from the truth (car) changes nothing. */
  add_box(dets[1], 16, 0.95f, 200, 200, 250, 250);
  add_box(dets[1], 2, 0.99f, 10, 10, 50, 50);
  _derush_coco_map(2, truth, dets, &m);
  g_assert_cmpfloat_with_epsilon(m.map50, (1 + 0.5) / 2, 1e-12);
  g_assert_cmpfloat_with_epsilon(m.map50_95, (0.5 + 0.5) / 2, 1e-12);
  g_assert_cmpint(m.detections, ==, 4);

  /* No detections at all: 0, not NAN; no truth at all: NAN. */
  g_array_set_size(dets[0], 0);
  g_array_set_size(dets[1], 0);
  _derush_coco_map(2, truth, dets, &m);
  g_assert_cmpfloat(m.map50, ==, 0);
  g_array_set_size(truth[0], 0);
  g_array_set_size(truth[1], 0);
  _derush_coco_map(2, truth, dets, &m);
  g_assert_true(isnan(m.map50));
  for (int i = 0; i < 2; i++) {
    g_array_unref(truth[i]);
    g_array_unref(dets[i]);
  }
}

/* Flags, counts and the subject: the largest confident box, its place,
 * and a sharp subject on a flat background scores above the frame. */
static void
test_features(void)
{
  int w = 200, h = 100;
  g_autofree guint8 *rgb = g_malloc0((gsize)w * h * 3);
  /* A checkerboard (sharp) in x 100..160, y 20..80; grey elsewhere. */
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      guint8 v = 128;
      if (x >= 100 && x < 160 && y >= 20 && y < 80)
        v = ((x + y) & 1) ? 250 : 5;
      memset(rgb + ((gsize)y * w + x) * 3, v, 3);
    }
  DerushDetection dets[] = {
      {.class_id = 0, .score = 0.9f, .box = {200, 40, 320, 160}}, /* the subject, in 2x pixels */
      {.class_id = 0, .score = 0.5f, .box = {0, 0, 20, 20}},
      {.class_id = 16, .score = 0.6f, .box = {0, 0, 30, 30}},
      {.class_id = 2, .score = 0.3f, .box = {0, 0, 399, 199}}, /* below 0.35: not counted */
      {.class_id = 53, .score = 0.4f, .box = {0, 0, 5, 5}},
  };
  float v[DERUSH_N_DETECT_FEATURES];
  _derush_detect_features(dets, G_N_ELEMENTS(dets), 400, 200, rgb, w, h, (gsize)w * 3, v);
  g_assert_cmpfloat(v[DERUSH_DETECT_FEATURE_OBJECTS], ==, 4);
  g_assert_cmpfloat(v[DERUSH_DETECT_FEATURE_MAX_SCORE], ==, 0.9f);
  g_assert_cmpfloat(v[DERUSH_DETECT_FEATURE_PERSON], ==, 1);
  g_assert_cmpfloat(v[DERUSH_DETECT_FEATURE_PERSONS], ==, 2);
  g_assert_cmpfloat(v[DERUSH_DETECT_FEATURE_ANIMAL], ==, 1);
  g_assert_cmpfloat(v[DERUSH_DETECT_FEATURE_ANIMALS], ==, 1);
  g_assert_cmpfloat(v[DERUSH_DETECT_FEATURE_VEHICLE], ==, 0);
  g_assert_cmpfloat(v[DERUSH_DETECT_FEATURE_FOOD], ==, 1);
  g_assert_cmpfloat_with_epsilon(v[DERUSH_DETECT_FEATURE_SUBJECT_AREA], 120.0 * 120 / (400 * 200),
                                 1e-6);
  g_assert_cmpfloat_with_epsilon(v[DERUSH_DETECT_FEATURE_SUBJECT_CX], 0.65, 1e-6);
  g_assert_cmpfloat_with_epsilon(v[DERUSH_DETECT_FEATURE_SUBJECT_CY], 0.5, 1e-6);
  g_assert_cmpfloat(v[DERUSH_DETECT_FEATURE_SUBJECT_SHARP], >, 3);
  g_assert_cmpfloat(v[DERUSH_DETECT_FEATURE_SUBJECT_VS_FRAME], >, 0.3);

  /* Nothing found: counts 0, the subject's place undefined. */
  _derush_detect_features(NULL, 0, 400, 200, rgb, w, h, (gsize)w * 3, v);
  g_assert_cmpfloat(v[DERUSH_DETECT_FEATURE_OBJECTS], ==, 0);
  g_assert_cmpfloat(v[DERUSH_DETECT_FEATURE_SUBJECT_AREA], ==, 0);
  g_assert_true(isnan(v[DERUSH_DETECT_FEATURE_SUBJECT_CX]));
  g_assert_true(isnan(v[DERUSH_DETECT_FEATURE_SUBJECT_SHARP]));
  /* Names are unique and none is empty. */
  g_autoptr(GHashTable) names = g_hash_table_new(g_str_hash, g_str_equal);
  for (int i = 0; i < DERUSH_N_DETECT_FEATURES; i++)
    g_assert_true(g_hash_table_add(names, (char *)derush_detect_feature_info(i)->name));
}

/* Model lookup order: explicit folder, process override, environment. */
static void
test_model_dir(void)
{
  g_autofree char *tmp = test_make_tmpdir();
  g_autofree char *a = g_build_filename(tmp, "a", NULL), *b = g_build_filename(tmp, "b", NULL);
  g_mkdir_with_parents(a, 0755);
  g_mkdir_with_parents(b, 0755);
  g_autofree char *fa = g_build_filename(a, "m.onnx", NULL);
  g_autofree char *fb = g_build_filename(b, "m.onnx", NULL);
  test_write_file(fa, "x", 1);
  test_write_file(fb, "y", 1);
  g_setenv("DERUSH_MODEL_DIR", b, TRUE);
  g_autofree char *env = derush_model_find("m.onnx");
  g_assert_cmpstr(env, ==, fb);
  derush_model_set_dir(a);
  g_autofree char *over = derush_model_find("m.onnx");
  g_assert_cmpstr(over, ==, fa);
  g_autofree char *expl = _derush_model_find("m.onnx", b);
  g_assert_cmpstr(expl, ==, fb);
  g_assert_null(derush_model_find("absent.onnx"));
  g_autofree char *hint = derush_model_missing_hint("absent.onnx");
  g_assert_nonnull(strstr(hint, "absent.onnx"));
  g_assert_nonnull(strstr(hint, "docs/models.md"));
  derush_model_set_dir(NULL);
  g_unsetenv("DERUSH_MODEL_DIR");
  test_rmrf(tmp);
}

/* The models folder, or NULL after g_test_skip when ../shared is absent. */
static char *
models_dir(void)
{
  char *dir = test_shared_path("models");
  g_autofree char *model = dir ? g_build_filename(dir, DERUSH_DETECTOR_MODEL, NULL) : NULL;
  if (!model || !g_file_test(model, G_FILE_TEST_IS_REGULAR)) {
    g_test_skip("../shared/models is absent: no detector model");
    g_free(dir);
    return NULL;
  }
  return dir;
}

/* End to end on coco_sample photos: scan, detect through the catalog; the
 * model loads once, one forward and one preview decode per photo, nothing
 * at all the second time; photo 9 has its bowls and broccoli, in the
 * original's pixels; the embedding is stored with the detections. */
static void
test_end_to_end(void)
{
  g_autofree char *models = models_dir();
  if (!models)
    return;
  g_autofree char *tmp = test_make_tmpdir();
  g_autofree char *photos = g_build_filename(tmp, "photos", NULL);
  g_mkdir_with_parents(photos, 0755);
  const char *names[] = {"000000000009.jpg", "000000000025.jpg", "000000000030.jpg"};
  for (gsize i = 0; i < G_N_ELEMENTS(names); i++) {
    g_autofree char *rel = g_build_filename("corpus/coco_sample/images", names[i], NULL);
    g_autofree char *from = test_shared_path(rel);
    g_autofree char *to = g_build_filename(photos, names[i], NULL);
    test_copy_file(from, to);
  }
  g_autofree char *db = g_build_filename(tmp, "cat.db", NULL);
  g_autoptr(GError) error = NULL;
  DerushCatalog *cat = derush_catalog_open(db, &error);
  g_assert_no_error(error);
  g_autofree char *cache = g_build_filename(tmp, "cache", NULL);
  derush_catalog_set_cache_dir(cat, cache);
  const char *roots[] = {photos, NULL};
  DerushScanOptions sopt;
  derush_scan_options_init(&sopt);
  DerushScanSummary ssum;
  g_assert_true(derush_catalog_scan(cat, roots, &sopt, &ssum, &error));

  gint64 loads = derush_counter_get(DERUSH_COUNTER_NN_MODELS_LOADED);
  gint64 forwards = derush_counter_get(DERUSH_COUNTER_NN_FORWARDS);
  gint64 decodes = derush_counter_get(DERUSH_COUNTER_IMAGES_DECODED);
  gint64 detected = derush_counter_get(DERUSH_COUNTER_PHOTOS_DETECTED);
  DerushDetectOptions opt;
  derush_detect_options_init(&opt);
  opt.model_dir = models;
  DerushDetectSummary sum;
  g_assert_true(derush_catalog_detect(cat, NULL, &opt, &sum, &error));
  g_assert_no_error(error);
  g_assert_cmpint(sum.detected, ==, 3);
  /* With MobileNetV2 beside YOLOX: its model once, its forward per photo. */
  g_autofree char *mobilenet = g_build_filename(models, DERUSH_EMBEDDING_MODEL, NULL);
  int n_models = g_file_test(mobilenet, G_FILE_TEST_EXISTS) ? 2 : 1;
  g_assert_cmpint(derush_counter_get(DERUSH_COUNTER_NN_MODELS_LOADED) - loads, <=, n_models);
  g_assert_cmpint(derush_counter_get(DERUSH_COUNTER_NN_FORWARDS) - forwards, ==, 3 * n_models);
  g_assert_cmpint(derush_counter_get(DERUSH_COUNTER_IMAGES_DECODED) - decodes, ==, 3);
  g_assert_cmpint(derush_counter_get(DERUSH_COUNTER_PHOTOS_DETECTED) - detected, ==, 3);

  /* Again: up to date, no load, no forward, no decode. */
  loads = derush_counter_get(DERUSH_COUNTER_NN_MODELS_LOADED);
  forwards = derush_counter_get(DERUSH_COUNTER_NN_FORWARDS);
  decodes = derush_counter_get(DERUSH_COUNTER_IMAGES_DECODED);
  g_assert_true(derush_catalog_detect(cat, NULL, &opt, &sum, &error));
  g_assert_cmpint(sum.detected, ==, 0);
  g_assert_cmpint(sum.up_to_date, ==, 3);
  g_assert_cmpint(derush_counter_get(DERUSH_COUNTER_NN_MODELS_LOADED), ==, loads);
  g_assert_cmpint(derush_counter_get(DERUSH_COUNTER_NN_FORWARDS), ==, forwards);
  g_assert_cmpint(derush_counter_get(DERUSH_COUNTER_IMAGES_DECODED), ==, decodes);

  /* Photo 9 (640 x 480): the reference's top box is a bowl at about
   * (308, 0) - (632, 243); the preview path finds it within a few pixels. */
  g_autofree char *p9 = g_build_filename(photos, names[0], NULL);
  g_autoptr(GArray) dets = derush_catalog_get_detections(cat, p9, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(dets->len, >=, 4);
  const DerushDetection *top = &g_array_index(dets, DerushDetection, 0);
  g_assert_cmpstr(derush_coco_class_name(top->class_id), ==, "bowl");
  const float want[4] = {308.0f, 0.3f, 632.2f, 242.7f};
  g_assert_cmpfloat(_derush_box_iou(top->box, want), >, 0.9);
  gboolean broccoli = FALSE;
  for (guint i = 0; i < dets->len; i++) {
    const DerushDetection *d = &g_array_index(dets, DerushDetection, i);
    broccoli |= d->class_id == 50;
    g_assert_cmpfloat(d->box[0], >=, 0);
    g_assert_cmpfloat(d->box[2], <=, 640);
    g_assert_cmpfloat(d->box[3], <=, 480);
    if (i > 0)
      g_assert_cmpfloat(d->score, <=, g_array_index(dets, DerushDetection, i - 1).score);
  }
  g_assert_true(broccoli);
  g_autoptr(DerushPhoto) photo = derush_catalog_get_photo(cat, p9, &error);
  float v[DERUSH_N_DETECT_FEATURES];
  g_assert_true(derush_catalog_get_detector_features(cat, photo->id, v, &error));
  g_assert_cmpfloat(v[DERUSH_DETECT_FEATURE_FOOD], ==, 1);
  g_assert_cmpfloat(v[DERUSH_DETECT_FEATURE_OBJECTS], >=, 3);
  int size = 0;
  g_autofree float *e =
      derush_catalog_get_embedding(cat, photo->id, DERUSH_EMBEDDING_YOLOX, &size, &error);
  g_assert_no_error(error);
  g_assert_cmpint(size, ==, 256);
  double norm = 0;
  for (int i = 0; i < size; i++) {
    g_assert_true(isfinite(e[i]));
    norm += e[i] * e[i];
  }
  g_assert_cmpfloat(norm, >, 0);
  if (n_models == 2) {
    /* The MobileNetV2 embedding: 1280 pooled ReLU6 outputs (>= 0), not
     * all zero, and another photo's differs (cosine well below 1). */
    g_autofree float *m9 =
        derush_catalog_get_embedding(cat, photo->id, DERUSH_EMBEDDING_MOBILENET, &size, &error);
    g_assert_no_error(error);
    g_assert_cmpint(size, ==, 1280);
    g_autofree char *p25 = g_build_filename(photos, names[1], NULL);
    g_autoptr(DerushPhoto) photo25 = derush_catalog_get_photo(cat, p25, &error);
    g_autofree float *m25 =
        derush_catalog_get_embedding(cat, photo25->id, DERUSH_EMBEDDING_MOBILENET, &size, &error);
    g_assert_no_error(error);
    double dot = 0, n9 = 0, n25 = 0;
    for (int i = 0; i < size; i++) {
      g_assert_true(isfinite(m9[i]) && m9[i] >= 0);
      dot += m9[i] * m25[i];
      n9 += m9[i] * m9[i];
      n25 += m25[i] * m25[i];
    }
    g_assert_cmpfloat(n9, >, 0);
    g_test_message("mobilenet embeddings of photos 9 and 25: cosine %.3f", dot / sqrt(n9 * n25));
    g_assert_cmpfloat(dot / sqrt(n9 * n25), <, 0.95);
  }
  derush_catalog_close(cat);
  test_rmrf(tmp);
}

/* Without a model: derush detect says where to put it, analyze works and
 * the detector features stay NAN. */
static void
test_no_model(void)
{
  g_autofree char *tmp = test_make_tmpdir();
  g_autofree char *photo = g_build_filename(tmp, "a.jpg", NULL);
  test_make_quadrant_image(photo, 64, 48);
  g_autofree char *db = g_build_filename(tmp, "cat.db", NULL);
  g_auto(GStrv) env = test_isolated_env(tmp, db);
  env = g_environ_setenv(env, "DERUSH_MODEL_DIR", tmp, TRUE);
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(test_run_derush_on(db, (const char *const *)env, &out, &err, "scan", tmp, NULL),
                  ==, 0);
  g_free(out);
  g_free(err);
  out = err = NULL;
  g_assert_cmpint(test_run_derush_on(db, (const char *const *)env, &out, &err, "detect", tmp, NULL),
                  ==, 2);
  g_assert_nonnull(strstr(err, "yolox_nano.onnx"));
  g_assert_nonnull(strstr(err, "docs/models.md"));
  g_free(out);
  g_free(err);
  out = err = NULL;
  g_assert_cmpint(
      test_run_derush_on(db, (const char *const *)env, &out, &err, "analyze", "--json", tmp, NULL),
      ==, 0);
  /* Said once, plainly. */
  const char *first = strstr(err, "yolox_nano.onnx");
  g_assert_nonnull(first);
  g_assert_null(strstr(first + 1, "model yolox_nano.onnx not found"));
  g_free(out);
  g_free(err);
  out = err = NULL;
  g_assert_cmpint(test_run_derush_on(db, (const char *const *)env, &out, &err, "features", "--json",
                                     photo, NULL),
                  ==, 0);
  g_autoptr(JsonParser) parser = json_parser_new();
  g_assert_true(json_parser_load_from_data(parser, out, -1, NULL));
  JsonObject *o = json_node_get_object(json_parser_get_root(parser));
  g_assert_true(json_object_get_null_member(o, "det_objects"));
  g_assert_true(json_object_get_null_member(o, "embedding"));
  g_assert_cmpuint(json_array_get_length(json_object_get_array_member(o, "embeddings")), ==, 0);
  test_rmrf(tmp);
}

/* The CLI's JSON: detections (one object per file, the keys) and
 * features' embedding, on a real photo. */
static void
test_cli_json(void)
{
  g_autofree char *models = models_dir();
  if (!models)
    return;
  g_autofree char *tmp = test_make_tmpdir();
  g_autofree char *photo = g_build_filename(tmp, "b.jpg", NULL);
  g_autofree char *from = test_shared_path(IMAGE_9);
  test_copy_file(from, photo);
  g_autofree char *db = g_build_filename(tmp, "cat.db", NULL);
  g_auto(GStrv) env = test_isolated_env(tmp, db);
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(test_run_derush_on(db, (const char *const *)env, &out, &err, "--model-dir",
                                     models, "detections", "--json", photo, NULL),
                  ==, 0);
  g_autoptr(JsonParser) parser = json_parser_new();
  g_assert_true(json_parser_load_from_data(parser, out, -1, NULL));
  JsonObject *o = json_node_get_object(json_parser_get_root(parser));
  g_assert_cmpstr(json_object_get_string_member(o, "path"), ==, photo);
  JsonArray *dets = json_object_get_array_member(o, "detections");
  g_assert_cmpuint(json_array_get_length(dets), >=, 4);
  for (guint i = 0; i < json_array_get_length(dets); i++) {
    JsonObject *d = json_array_get_object_element(dets, i);
    g_assert_cmpuint(json_object_get_size(d), ==, 4);
    int id = (int)json_object_get_int_member(d, "class_id");
    g_assert_cmpstr(json_object_get_string_member(d, "class"), ==, derush_coco_class_name(id));
    double score = json_object_get_double_member(d, "score");
    g_assert_cmpfloat(score, >, 0.25);
    g_assert_cmpfloat(score, <=, 1);
    JsonArray *box = json_object_get_array_member(d, "box");
    g_assert_cmpuint(json_array_get_length(box), ==, 4);
    g_assert_cmpfloat(json_array_get_double_element(box, 0), <,
                      json_array_get_double_element(box, 2));
    g_assert_cmpfloat(json_array_get_double_element(box, 2), <=, 640);
  }
  g_free(out);
  g_free(err);
  out = err = NULL;
  g_assert_cmpint(test_run_derush_on(db, (const char *const *)env, &out, &err, "--model-dir",
                                     models, "features", "--json", photo, NULL),
                  ==, 0);
  g_autoptr(JsonParser) fp = json_parser_new();
  g_assert_true(json_parser_load_from_data(fp, out, -1, NULL));
  JsonObject *f = json_node_get_object(json_parser_get_root(fp));
  JsonObject *e = json_object_get_object_member(f, "embedding");
  g_assert_cmpint(json_object_get_int_member(e, "size"), ==, 256);
  g_assert_cmpint(json_object_get_int_member(e, "version"), ==, 1);
  /* Every stored embedding: YOLOX's, and MobileNetV2's when its model is
   * in the folder too. */
  JsonArray *all = json_object_get_array_member(f, "embeddings");
  g_autofree char *mobilenet = g_build_filename(models, DERUSH_EMBEDDING_MODEL, NULL);
  guint want = g_file_test(mobilenet, G_FILE_TEST_EXISTS) ? 2 : 1;
  g_assert_cmpuint(json_array_get_length(all), ==, want);
  JsonObject *last = json_array_get_object_element(all, want - 1);
  g_assert_cmpstr(json_object_get_string_member(last, "name"), ==,
                  want == 2 ? "mobilenetv2" : "yolox_backbone");
  g_assert_cmpint(json_object_get_int_member(last, "size"), ==, want == 2 ? 1280 : 256);
  g_assert_cmpint(json_object_get_int_member(last, "version"), ==, 1);
  g_assert_cmpfloat(json_object_get_double_member(f, "det_food"), ==, 1);
  test_rmrf(tmp);
}

/* eval detector on a truth folder the test builds from two coco_sample
 * photos: a box list equal to the detector's own confident boxes scores 1,
 * and the JSON has the contract's keys as fractions. */
static void
test_eval_tiny(void)
{
  g_autofree char *models = models_dir();
  if (!models)
    return;
  g_autofree char *tmp = test_make_tmpdir();
  g_autofree char *images = g_build_filename(tmp, "truth", "images", NULL);
  g_mkdir_with_parents(images, 0755);
  g_autofree char *from = test_shared_path(IMAGE_9);
  g_autofree char *to = g_build_filename(images, "a.jpg", NULL);
  test_copy_file(from, to);
  g_autofree char *classes_from = test_shared_path("corpus/coco_sample/classes.txt");
  g_autofree char *truth = g_build_filename(tmp, "truth", NULL);
  g_autofree char *classes_to = g_build_filename(truth, "classes.txt", NULL);
  test_copy_file(classes_from, classes_to);

  /* Truth = what derush itself finds above 0.5: every class's AP is 1 at
   * every threshold (its own boxes rank first and match exactly). */
  derush_model_set_dir(models);
  g_autofree char *db = g_build_filename(tmp, "cat.db", NULL);
  g_auto(GStrv) env = test_isolated_env(tmp, db);
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint(test_run_derush_on(db, (const char *const *)env, &out, &err, "--model-dir",
                                     models, "detections", "--json", to, NULL),
                  ==, 0);
  g_autoptr(JsonParser) parser = json_parser_new();
  g_assert_true(json_parser_load_from_data(parser, out, -1, NULL));
  JsonArray *dets = json_object_get_array_member(json_node_get_object(json_parser_get_root(parser)),
                                                 "detections");
  GString *csv = g_string_new("image,width,height,class_id,class_name,x0,y0,x1,y1\n");
  int n = 0;
  for (guint i = 0; i < json_array_get_length(dets); i++) {
    JsonObject *d = json_array_get_object_element(dets, i);
    if (json_object_get_double_member(d, "score") < 0.5)
      continue;
    JsonArray *b = json_object_get_array_member(d, "box");
    g_string_append_printf(csv, "a.jpg,640,480,%d,x,%.1f,%.1f,%.1f,%.1f\n",
                           (int)json_object_get_int_member(d, "class_id"),
                           json_array_get_double_element(b, 0), json_array_get_double_element(b, 1),
                           json_array_get_double_element(b, 2),
                           json_array_get_double_element(b, 3));
    n++;
  }
  g_assert_cmpint(n, >=, 2);
  g_autofree char *boxes = g_build_filename(truth, "boxes.csv", NULL);
  test_write_file(boxes, csv->str, csv->len);
  g_string_free(csv, TRUE);
  g_free(out);
  g_free(err);
  out = err = NULL;
  g_assert_cmpint(test_run_derush_on(db, (const char *const *)env, &out, &err, "--model-dir",
                                     models, "eval", "detector", "--truth", truth, "--json", NULL),
                  ==, 0);
  g_autoptr(JsonParser) ep = json_parser_new();
  g_assert_true(json_parser_load_from_data(ep, out, -1, NULL));
  JsonObject *r = json_node_get_object(json_parser_get_root(ep));
  g_assert_cmpint(json_object_get_int_member(r, "images"), ==, 1);
  g_assert_cmpfloat_with_epsilon(json_object_get_double_member(r, "map50"), 1, 1e-9);
  g_assert_cmpfloat(json_object_get_double_member(r, "map50_95"), >, 0.95);
  g_assert_cmpfloat(json_object_get_double_member(r, "map50_95"), <=, 1);

  /* A folder without boxes.csv is a clear error, not a crash. */
  g_unlink(boxes);
  g_free(out);
  g_free(err);
  out = err = NULL;
  g_assert_cmpint(test_run_derush_on(db, (const char *const *)env, &out, &err, "eval", "detector",
                                     "--truth", truth, "--json", NULL),
                  ==, 2);
  g_assert_nonnull(strstr(err, "boxes.csv"));
  derush_model_set_dir(NULL);
  test_rmrf(tmp);
}

int
main(int argc, char **argv)
{
  test_init(&argc, &argv);
  g_test_add_func("/detect/letterbox/golden", test_letterbox_golden);
  g_test_add_func("/detect/letterbox/synthetic", test_letterbox_synthetic);
  g_test_add_func("/detect/mobilenet/input-golden", test_mobilenet_input_golden);
  g_test_add_func("/detect/decode/golden", test_decode_golden);
  g_test_add_func("/detect/decode/nms", test_decode_nms);
  g_test_add("/detect/store/round-trip", Fixture, NULL, fixture_set_up, test_store_round_trip,
             fixture_tear_down);
  g_test_add("/detect/store/versioning", Fixture, NULL, fixture_set_up, test_store_versioning,
             fixture_tear_down);
  g_test_add_func("/detect/map", test_map);
  g_test_add_func("/detect/features", test_features);
  g_test_add_func("/detect/model-dir", test_model_dir);
  g_test_add_func("/detect/end-to-end", test_end_to_end);
  g_test_add_func("/detect/no-model", test_no_model);
  g_test_add_func("/detect/cli-json", test_cli_json);
  g_test_add_func("/detect/eval-tiny", test_eval_tiny);
  return g_test_run();
}
