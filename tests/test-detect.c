/* test-detect.c: the object detector's pre- and post-processing against
 * OpenCV's (the golden tensors of ../shared/models), the catalog store,
 * the COCO evaluator and the detector features. */
#include "catalog/detections-store.h"
#include "detect/detect-private.h"
#include "eval/detector-map.h"
#include "test-util.h"

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

int
main(int argc, char **argv)
{
  test_init(&argc, &argv);
  g_test_add_func("/detect/letterbox/golden", test_letterbox_golden);
  g_test_add_func("/detect/letterbox/synthetic", test_letterbox_synthetic);
  g_test_add_func("/detect/decode/golden", test_decode_golden);
  g_test_add_func("/detect/decode/nms", test_decode_nms);
  return g_test_run();
}
