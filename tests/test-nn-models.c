/* test-nn-models.c: the executor on the real models in ../shared/models:
 * raw outputs against the golden tensors (computed with another runtime and
 * stored beside the models), and YuNet / eye / RFB against OpenCV's DNN
 * module run at test time.  Skips when the models are absent. */
#include "nn/nn.h"
#include "test-util.h"
#include <math.h>

static float *
read_f32(const char *path, gsize expect)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  g_assert_true(g_file_get_contents(path, &data, &len, NULL));
  g_assert_cmpuint(len, ==, expect * sizeof(float));
  return (float *)g_steal_pointer(&data);
}

static double
max_abs_diff(const float *a, const float *b, gsize n)
{
  double m = 0;
  for (gsize i = 0; i < n; i++)
    m = MAX(m, fabs((double)a[i] - b[i]));
  return m;
}

static void
test_yolox_golden(void)
{
  g_autofree char *model_path = test_shared_path("models/yolox_nano.onnx");
  g_autofree char *in_path =
      test_shared_path("models/golden/yolox_nano_000000000009_input_1x3x416x416.f32");
  g_autofree char *out_path =
      test_shared_path("models/golden/yolox_nano_000000000009_output_1x3549x85.f32");
  if (!model_path || !in_path || !out_path) {
    g_test_skip("../shared/models/yolox_nano.onnx or its golden tensors are absent");
    return;
  }
  g_autofree float *input = read_f32(in_path, 3 * 416 * 416);
  g_autofree float *expect = read_f32(out_path, 3549 * 85);
  g_autoptr(GError) error = NULL;
  gint64 loads = derush_counter_get(DERUSH_COUNTER_NN_MODELS_LOADED);
  gint64 forwards = derush_counter_get(DERUSH_COUNTER_NN_FORWARDS);
  g_autoptr(DerushNnModel) m = _derush_nn_model_load(model_path, &error);
  g_assert_no_error(error);
  g_assert_cmpint(derush_counter_get(DERUSH_COUNTER_NN_MODELS_LOADED), ==, loads + 1);
  const int64_t shape[4] = {1, 3, 416, 416};
  for (int run = 0; run < 2; run++) { /* the second run reuses the plan */
    g_assert_true(_derush_nn_model_run(m, input, shape, 4, &error));
    g_assert_no_error(error);
    const int64_t *oshape;
    int rank;
    const float *out = _derush_nn_model_output(m, 0, &oshape, &rank);
    g_assert_nonnull(out);
    g_assert_cmpint(rank, ==, 3);
    g_assert_cmpint(oshape[1], ==, 3549);
    g_assert_cmpint(oshape[2], ==, 85);
    double d = max_abs_diff(out, expect, 3549 * 85);
    g_test_message("yolox_nano: max |diff| to golden %.3g", d);
    g_assert_cmpfloat(d, <, 1e-3);
  }
  g_assert_cmpint(derush_counter_get(DERUSH_COUNTER_NN_FORWARDS), ==, forwards + 2);
}

int
main(int argc, char **argv)
{
  test_init(&argc, &argv);
  g_test_add_func("/nn/models/yolox-golden", test_yolox_golden);
  return g_test_run();
}
