/* fuzz/fuzz-onnx.c: the ONNX loader (protobuf-c reader, graph checks,
 * constant and BatchNorm folding) on outside bytes, and, for a graph that
 * loads with one input, one forward on a small input: planning a graph
 * (shape inference, arena sizes) trusts what the file declares too.
 *
 * Model files come from a folder the user points at (--model-dir,
 * DERUSH_MODEL_DIR): a wrong or damaged file must be an error, never a
 * crash. */
#include "fuzz.h"
#include "nn/nn.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
  fuzz_init((*argv)[0]);
  return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  GError *error = NULL;
  DerushNnModel *model = _derush_nn_model_load_from_data(data, size, &error);
  if (!model) {
    g_assert_true(error && error->domain == DERUSH_NN_ERROR);
    g_error_free(error);
    return 0;
  }
  g_assert_null(error);
  if (_derush_nn_model_n_inputs(model) == 1) {
    static const int64_t shape[] = {1, 3, 16, 16};
    static float input[1 * 3 * 16 * 16];
    if (_derush_nn_model_run(model, input, shape, 4, &error)) {
      int n = _derush_nn_model_n_outputs(model);
      for (int i = 0; i < n; i++) {
        const int64_t *out_shape = NULL;
        int rank = -1;
        _derush_nn_model_output(model, i, &out_shape, &rank);
        g_assert_cmpint(rank, >=, 0);
      }
    } else {
      g_assert_true(error && error->domain == DERUSH_NN_ERROR);
      g_clear_error(&error);
    }
  }
  _derush_nn_model_free(model);
  return 0;
}
