/* test-nn-ops.c: operators whose oneDNN path the ONNX node tests do not
 * reach (there every operand is a runtime input, so Gemm and MatMul run on
 * the host): a classifier-style Gemm and MatMul with constant weights,
 * against a naive product written here; and unsupported attribute
 * combinations refused with an error naming the node and the operator. */
#include "nn-builder.h"
#include "nn/nn.h"
#include "test-util.h"
#include <math.h>
#include <string.h>

/* y = alpha * x . B^T + beta * c, x [M, K], B [N, K] constant (transB). */
static void
test_gemm_const(void)
{
  enum { M = 3, K = 40, N = 7 };
  g_autoptr(NnBuilder) b = nnb_new(13);
  nnb_input(b, "x");
  nnb_output(b, "y");
  g_autofree float *w = nnb_pattern(N * K, 1);
  g_autofree float *c = nnb_pattern(N, 2);
  g_autofree float *x = nnb_pattern(M * K, 3);
  int64_t wd[2] = {N, K}, cd[1] = {N};
  nnb_init_f32(b, "w", 2, wd, w);
  nnb_init_f32(b, "c", 1, cd, c);
  Onnx__NodeProto *n = nnb_node(b, "Gemm", "fc", "x,w,c", "y");
  nnb_attr_int(b, n, "transB", 1);
  nnb_attr_float(b, n, "alpha", 0.5f);
  nnb_attr_float(b, n, "beta", 2.0f);
  g_autoptr(DerushNnModel) m = nnb_load(b);
  const int64_t shape[2] = {M, K};
  g_autoptr(GError) error = NULL;
  g_assert_true(_derush_nn_model_run(m, x, shape, 2, &error));
  g_assert_no_error(error);
  const int64_t *os;
  int rank;
  const float *y = _derush_nn_model_output(m, 0, &os, &rank);
  g_assert_cmpint(rank, ==, 2);
  g_assert_cmpint(os[0], ==, M);
  g_assert_cmpint(os[1], ==, N);
  for (int i = 0; i < M; i++)
    for (int j = 0; j < N; j++) {
      double s = 0;
      for (int k = 0; k < K; k++)
        s += (double)x[i * K + k] * w[j * K + k];
      double want = 0.5 * s + 2.0 * c[j];
      g_assert_cmpfloat(fabs(y[i * N + j] - want), <, 1e-4);
    }
}

/* MatMul of a 3-D input by a constant matrix (oneDNN broadcasts it). */
static void
test_matmul_const(void)
{
  enum { B = 2, M = 3, K = 5, N = 4 };
  g_autoptr(NnBuilder) b = nnb_new(13);
  nnb_input(b, "x");
  nnb_output(b, "y");
  g_autofree float *w = nnb_pattern(K * N, 4);
  g_autofree float *x = nnb_pattern(B * M * K, 5);
  int64_t wd[2] = {K, N};
  nnb_init_f32(b, "w", 2, wd, w);
  nnb_node(b, "MatMul", "mm", "x,w", "y");
  g_autoptr(DerushNnModel) m = nnb_load(b);
  const int64_t shape[3] = {B, M, K};
  g_autoptr(GError) error = NULL;
  g_assert_true(_derush_nn_model_run(m, x, shape, 3, &error));
  g_assert_no_error(error);
  const int64_t *os;
  int rank;
  const float *y = _derush_nn_model_output(m, 0, &os, &rank);
  g_assert_cmpint(rank, ==, 3);
  g_assert_cmpint(os[2], ==, N);
  for (int t = 0; t < B * M; t++)
    for (int j = 0; j < N; j++) {
      double s = 0;
      for (int k = 0; k < K; k++)
        s += (double)x[t * K + k] * w[k * N + j];
      g_assert_cmpfloat(fabs(y[t * N + j] - s), <, 1e-4);
    }
}

static void
test_unsupported_attrs(void)
{
  const int64_t shape[4] = {1, 2, 3, 3};
  g_autoptr(NnBuilder) pad = nnb_new(13);
  nnb_input(pad, "x");
  nnb_output(pad, "y");
  int64_t pads[8] = {0, 0, 1, 1, 0, 0, 1, 1};
  nnb_init_i64(pad, "pads", 8, pads);
  Onnx__NodeProto *n = nnb_node(pad, "Pad", "border", "x,pads", "y");
  nnb_attr_string(pad, n, "mode", "wrap");
  nnb_expect_run_error(pad, shape, 4, DERUSH_NN_ERROR_UNSUPPORTED,
                       "node border (Pad): mode 'wrap'");

  g_autoptr(NnBuilder) split = nnb_new(13);
  nnb_input(split, "x");
  nnb_output(split, "a");
  nnb_output(split, "b");
  nnb_node(split, "Split", "halves", "x", "a,b"); /* axis 0 has length 1 */
  nnb_expect_run_error(split, shape, 4, DERUSH_NN_ERROR_SHAPE, "node halves (Split)");

  g_autoptr(NnBuilder) q = nnb_new(13);
  nnb_input(q, "x");
  nnb_output(q, "y");
  int64_t one[1] = {1};
  float s = 0.5f;
  nnb_init_f32(q, "s", 0, one, &s);
  nnb_node(q, "QuantizeLinear", "quant", "x,x", "y"); /* a runtime scale */
  nnb_expect_run_error(q, shape, 4, DERUSH_NN_ERROR_UNSUPPORTED, "node quant (QuantizeLinear)");
}

int
main(int argc, char **argv)
{
  test_init(&argc, &argv);
  g_test_add_func("/nn/ops/gemm-const", test_gemm_const);
  g_test_add_func("/nn/ops/matmul-const", test_matmul_const);
  g_test_add_func("/nn/ops/unsupported-attrs", test_unsupported_attrs);
  return g_test_run();
}
