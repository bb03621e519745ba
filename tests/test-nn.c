/* test-nn.c: the ONNX executor on graphs the test writes itself (with
 * protobuf-c, see nn-builder.c, so no model files are needed): results
 * against naive reference code written here, fusion visible in the step
 * count, and bad models refused with errors naming the node.
 *
 * Over 600 lines: one case per graph pattern and per way a model is bad,
 * sharing the naive reference code and the graph builder. */
#include "nn-builder.h"
#include "nn/nn-threads.h"
#include "nn/nn.h"
#include "test-util.h"
#include <math.h>
#include <string.h>

/* Naive NCHW convolution, N = 1, square padding, stride 1. */
static void
ref_conv(const float *x, int c, int h, int w, const float *wt, const float *bias, int oc, int k,
         int pad, float *y)
{
  for (int o = 0; o < oc; o++)
    for (int i = 0; i < h; i++)
      for (int j = 0; j < w; j++) {
        double s = bias[o];
        for (int ci = 0; ci < c; ci++)
          for (int a = 0; a < k; a++)
            for (int b = 0; b < k; b++) {
              int yy = i + a - pad, xx = j + b - pad;
              if (yy >= 0 && yy < h && xx >= 0 && xx < w)
                s += (double)x[(ci * h + yy) * w + xx] * wt[((o * c + ci) * k + a) * k + b];
            }
        y[(o * h + i) * w + j] = (float)s;
      }
}

static void
assert_close(const float *got, const float *want, gsize n)
{
  for (gsize i = 0; i < n; i++)
    if (fabsf(got[i] - want[i]) > 1e-4f + 1e-4f * fabsf(want[i]))
      g_error("element %zu: %g, expected %g", i, got[i], want[i]);
}

/* out = silu(relu(conv3x3(x)) + conv1x1(x)): two convolutions, with ReLU,
 * the residual Add and SiLU (Sigmoid * Mul) all candidates for fusion. */
static guint8 *
residual_model(gsize *len, float **w3, float **w1, float **b3, float **b1)
{
  g_autoptr(NnBuilder) b = nnb_new(13);
  nnb_input(b, "x");
  nnb_output(b, "out");
  int64_t d3[4] = {4, 3, 3, 3}, d1[4] = {4, 3, 1, 1}, db[1] = {4};
  *w3 = nnb_pattern(4 * 3 * 9, 1);
  *w1 = nnb_pattern(4 * 3, 2);
  *b3 = nnb_pattern(4, 3);
  *b1 = nnb_pattern(4, 4);
  nnb_init_f32(b, "w3", 4, d3, *w3);
  nnb_init_f32(b, "w1", 4, d1, *w1);
  nnb_init_f32(b, "b3", 1, db, *b3);
  nnb_init_f32(b, "b1", 1, db, *b1);
  Onnx__NodeProto *c3 = nnb_node(b, "Conv", "conv3", "x,w3,b3", "c3");
  static const int64_t k3[2] = {3, 3}, pads[4] = {1, 1, 1, 1};
  nnb_attr_ints(b, c3, "kernel_shape", 2, k3);
  nnb_attr_ints(b, c3, "pads", 4, pads);
  nnb_node(b, "Relu", "relu", "c3", "r");
  nnb_node(b, "Conv", "conv1", "x,w1,b1", "c1");
  nnb_node(b, "Add", "add", "r,c1", "z");
  nnb_node(b, "Sigmoid", "sig", "z", "s");
  nnb_node(b, "Mul", "mul", "z,s", "out");
  return nnb_pack(b, len);
}

static void
test_residual(void)
{
  gsize len;
  g_autofree float *w3 = NULL, *w1 = NULL, *b3 = NULL, *b1 = NULL;
  g_autofree guint8 *bytes = residual_model(&len, &w3, &w1, &b3, &b1);
  enum { C = 3, H = 9, W = 7, OC = 4 };
  g_autofree float *x = nnb_pattern(C * H * W, 5);
  float y3[OC * H * W], y1[OC * H * W], want[OC * H * W];
  ref_conv(x, C, H, W, w3, b3, OC, 3, 1, y3);
  ref_conv(x, C, H, W, w1, b1, OC, 1, 0, y1);
  for (int i = 0; i < OC * H * W; i++) {
    float z = MAX(y3[i], 0.0f) + y1[i];
    want[i] = z / (1.0f + expf(-z));
  }
  const int64_t shape[4] = {1, C, H, W};
  int steps[2];
  for (int keep = 0; keep < 2; keep++) {
    g_autoptr(GError) error = NULL;
    g_autoptr(DerushNnModel) m = _derush_nn_model_load_from_data(bytes, len, &error);
    g_assert_no_error(error);
    /* Keeping the intermediates stops their fusion. */
    if (keep) {
      g_assert_true(_derush_nn_model_keep_tensor(m, "c3", &error));
      g_assert_true(_derush_nn_model_keep_tensor(m, "z", &error));
    }
    g_assert_true(_derush_nn_model_run(m, x, shape, 4, &error));
    g_assert_no_error(error);
    const int64_t *oshape;
    int rank;
    const float *out = _derush_nn_model_output(m, 0, &oshape, &rank);
    g_assert_cmpint(rank, ==, 4);
    g_assert_cmpint(oshape[1], ==, OC);
    assert_close(out, want, OC * H * W);
    if (keep) {
      const float *c3 = _derush_nn_model_tensor(m, "c3", &oshape, &rank);
      g_assert_nonnull(c3);
      assert_close(c3, y3, OC * H * W);
      g_assert_false(_derush_nn_model_keep_tensor(m, "r", &error)); /* too late */
      g_assert_error(error, DERUSH_NN_ERROR, DERUSH_NN_ERROR_UNSUPPORTED);
    }
    steps[keep] = _derush_nn_model_n_steps(m);
  }
  /* Unfused: ReLU, Add, Sigmoid and Mul run as steps of their own. */
  g_assert_cmpint(steps[0] + 3, <=, steps[1]);
}

/* A YOLOX bottleneck at 16 channels: h = silu(conv1x1(x)),
 * out = silu(conv3x3(silu(conv1x1(h)))) + h.  Every step must run an
 * optimised oneDNN kernel: a residual sum fused after the SiLU sent the
 * convolutions to the reference kernel (10x slower, 105 ms a YOLOX forward).
 * The residual Add is fused too (a binary post-op after the SiLU), so no
 * step runs for it. */
static void
test_bottleneck_kernels(void)
{
  enum { C = 16, H = 10, W = 12, N = C * H * W };
  g_autoptr(NnBuilder) b = nnb_new(13);
  nnb_input(b, "x");
  nnb_output(b, "out");
  int64_t d1[4] = {C, C, 1, 1}, d3[4] = {C, C, 3, 3}, db[1] = {C};
  g_autofree float *w0 = nnb_pattern(C * C, 11), *w1 = nnb_pattern(C * C, 12);
  g_autofree float *w2 = nnb_pattern(C * C * 9, 13), *bias = nnb_pattern(C, 14);
  nnb_init_f32(b, "w0", 4, d1, w0);
  nnb_init_f32(b, "w1", 4, d1, w1);
  nnb_init_f32(b, "w2", 4, d3, w2);
  nnb_init_f32(b, "b", 1, db, bias);
  static const char *const convs[3][3] = {
      {"conv0", "x,w0,b", "c0"}, {"conv1", "h,w1,b", "c1"}, {"conv2", "s1,w2,b", "c2"}};
  static const char *const silus[3][4] = {
      {"c0", "g0", "c0,g0", "h"}, {"c1", "g1", "c1,g1", "s1"}, {"c2", "g2", "c2,g2", "s2"}};
  for (int i = 0; i < 3; i++) {
    Onnx__NodeProto *c = nnb_node(b, "Conv", convs[i][0], convs[i][1], convs[i][2]);
    if (i == 2) {
      static const int64_t k3[2] = {3, 3}, pads[4] = {1, 1, 1, 1};
      nnb_attr_ints(b, c, "kernel_shape", 2, k3);
      nnb_attr_ints(b, c, "pads", 4, pads);
    }
    g_autofree char *sig = g_strdup_printf("sig%d", i), *mul = g_strdup_printf("mul%d", i);
    nnb_node(b, "Sigmoid", sig, silus[i][0], silus[i][1]);
    nnb_node(b, "Mul", mul, silus[i][2], silus[i][3]);
  }
  nnb_node(b, "Add", "add", "s2,h", "out");
  gsize len;
  g_autofree guint8 *bytes = nnb_pack(b, &len);

  g_autofree float *x = nnb_pattern(N, 15);
  float h[N], t[N], s1[N], want[N];
  ref_conv(x, C, H, W, w0, bias, C, 1, 0, h);
  for (int i = 0; i < N; i++)
    h[i] = h[i] / (1.0f + expf(-h[i]));
  ref_conv(h, C, H, W, w1, bias, C, 1, 0, t);
  for (int i = 0; i < N; i++)
    s1[i] = t[i] / (1.0f + expf(-t[i]));
  ref_conv(s1, C, H, W, w2, bias, C, 3, 1, t);
  for (int i = 0; i < N; i++)
    want[i] = t[i] / (1.0f + expf(-t[i])) + h[i];

  g_autoptr(GError) error = NULL;
  g_autoptr(DerushNnModel) m = _derush_nn_model_load_from_data(bytes, len, &error);
  g_assert_no_error(error);
  const int64_t shape[4] = {1, C, H, W};
  g_assert_true(_derush_nn_model_run(m, x, shape, 4, &error));
  g_assert_no_error(error);
  assert_close(_derush_nn_model_output(m, 0, NULL, NULL), want, N);
  g_assert_cmpint(_derush_nn_model_n_reference_steps(m), ==, 0);
  g_assert_cmpint(_derush_nn_model_n_steps_of(m, "Add"), ==, 0);
}

/* Concat(conv_a(x), conv_b(x)) into conv_c, with conv_a's output also read
 * after the Concat.  With channel counts on whole blocks the convolutions
 * write straight into the Concat's buffer (no Concat step); otherwise a
 * copy runs; both give the reference result. */
static void
concat_case(int ca, int cb, int want_concat_steps)
{
  enum { C = 8, H = 6, W = 5, OC = 8 };
  int cc = ca + cb;
  g_autoptr(NnBuilder) b = nnb_new(13);
  nnb_input(b, "x");
  nnb_output(b, "out");
  nnb_output(b, "sq");
  int64_t da[4] = {ca, C, 1, 1}, db[4] = {cb, C, 1, 1}, dc[4] = {OC, cc, 1, 1};
  int64_t nba[1] = {ca}, nbb[1] = {cb}, nbc[1] = {OC};
  g_autofree float *wa = nnb_pattern(ca * C, 21), *wb = nnb_pattern(cb * C, 22);
  g_autofree float *wc = nnb_pattern(OC * cc, 23), *bias = nnb_pattern(cc, 24);
  nnb_init_f32(b, "wa", 4, da, wa);
  nnb_init_f32(b, "wb", 4, db, wb);
  nnb_init_f32(b, "wc", 4, dc, wc);
  nnb_init_f32(b, "ba", 1, nba, bias);
  nnb_init_f32(b, "bb", 1, nbb, bias);
  nnb_init_f32(b, "bc", 1, nbc, bias);
  nnb_node(b, "Conv", "conv_a", "x,wa,ba", "a");
  nnb_node(b, "Conv", "conv_b", "x,wb,bb", "bo");
  nnb_attr_int(b, nnb_node(b, "Concat", "cat", "a,bo", "c"), "axis", 1);
  nnb_node(b, "Conv", "conv_c", "c,wc,bc", "out");
  nnb_node(b, "Mul", "square", "a,a", "sq");
  gsize len;
  g_autofree guint8 *bytes = nnb_pack(b, &len);

  g_autofree float *x = nnb_pattern(C * H * W, 25);
  g_autofree float *cat = g_new(float, cc *H *W);
  g_autofree float *want = g_new(float, OC *H *W);
  ref_conv(x, C, H, W, wa, bias, ca, 1, 0, cat);
  ref_conv(x, C, H, W, wb, bias, cb, 1, 0, cat + ca * H * W);
  ref_conv(cat, cc, H, W, wc, bias, OC, 1, 0, want);
  g_autoptr(GError) error = NULL;
  g_autoptr(DerushNnModel) m = _derush_nn_model_load_from_data(bytes, len, &error);
  g_assert_no_error(error);
  const int64_t shape[4] = {1, C, H, W};
  for (int run = 0; run < 2; run++) {
    g_assert_true(_derush_nn_model_run(m, x, shape, 4, &error));
    g_assert_no_error(error);
    assert_close(_derush_nn_model_output(m, 0, NULL, NULL), want, OC * H * W);
    const float *sq = _derush_nn_model_output(m, 1, NULL, NULL);
    for (int i = 0; i < ca * H * W; i++)
      g_assert_cmpfloat_with_epsilon(sq[i], cat[i] * cat[i], 1e-4 + 1e-4 * cat[i] * cat[i]);
  }
  g_assert_cmpint(_derush_nn_model_n_steps_of(m, "Concat"), ==, want_concat_steps);
}

static void
test_concat_in_place(void)
{
  concat_case(16, 8, 0);
  concat_case(16, 5, 0); /* the last input may end inside a block */
  concat_case(12, 4, 1); /* the second input would start inside a block */
}

/* YOLOX's stem: x[:, :, r::2, c::2] for the four (r, c), each cut by two
 * Slices, concatenated on channels, into a 3x3 convolution.  The executor
 * folds the Slices and the Concat into the convolution (a 6x6 kernel at
 * stride 2) when every Slice runs to the end of its axis (@end huge);
 * either way the result is the reference's.  An odd height is refused, as
 * the Concat of unequal parts would be. */
static void
focus_case(int64_t end, gboolean want_folded)
{
  enum { C = 3, H = 8, W = 10, OC = 5, HH = H / 2, WW = W / 2 };
  static const int phases[4][2] = {{0, 0}, {1, 0}, {0, 1}, {1, 1}};
  g_autoptr(NnBuilder) b = nnb_new(13);
  nnb_input(b, "x");
  nnb_output(b, "out");
  int64_t dw[4] = {OC, 4 * C, 3, 3}, db[1] = {OC}, zero = 0, one = 1, two = 2, ax2 = 2, ax3 = 3;
  g_autofree float *w = nnb_pattern(OC * 4 * C * 9, 31), *bias = nnb_pattern(OC, 32);
  nnb_init_f32(b, "w", 4, dw, w);
  nnb_init_f32(b, "b", 1, db, bias);
  nnb_init_i64(b, "s0", 1, &zero);
  nnb_init_i64(b, "s1", 1, &one);
  nnb_init_i64(b, "end", 1, &end);
  nnb_init_i64(b, "step", 1, &two);
  nnb_init_i64(b, "ax2", 1, &ax2);
  nnb_init_i64(b, "ax3", 1, &ax3);
  for (int k = 0; k < 4; k++) {
    g_autofree char *n0 = g_strdup_printf("rows%d", k), *n1 = g_strdup_printf("cols%d", k);
    g_autofree char *in0 = g_strdup_printf("x,s%d,end,ax2,step", phases[k][0]);
    g_autofree char *in1 = g_strdup_printf("%s,s%d,end,ax3,step", n0, phases[k][1]);
    nnb_node(b, "Slice", n0, in0, n0);
    nnb_node(b, "Slice", n1, in1, n1);
  }
  nnb_attr_int(b, nnb_node(b, "Concat", "cat", "cols0,cols1,cols2,cols3", "focus"), "axis", 1);
  Onnx__NodeProto *conv = nnb_node(b, "Conv", "conv", "focus,w,b", "out");
  static const int64_t k3[2] = {3, 3}, pads[4] = {1, 1, 1, 1};
  nnb_attr_ints(b, conv, "kernel_shape", 2, k3);
  nnb_attr_ints(b, conv, "pads", 4, pads);

  g_autofree float *x = nnb_pattern(C * H * W, 33);
  float focus[4 * C * HH * WW], want[OC * HH * WW];
  for (int k = 0; k < 4; k++)
    for (int c = 0; c < C; c++)
      for (int i = 0; i < HH; i++)
        for (int j = 0; j < WW; j++)
          focus[((k * C + c) * HH + i) * WW + j] =
              x[(c * H + 2 * i + phases[k][0]) * W + 2 * j + phases[k][1]];
  ref_conv(focus, 4 * C, HH, WW, w, bias, OC, 3, 1, want);
  g_autoptr(DerushNnModel) m = nnb_load(b);
  g_autoptr(GError) error = NULL;
  const int64_t shape[4] = {1, C, H, W};
  g_assert_true(_derush_nn_model_run(m, x, shape, 4, &error));
  g_assert_no_error(error);
  assert_close(_derush_nn_model_output(m, 0, NULL, NULL), want, OC * HH * WW);
  g_assert_cmpint(_derush_nn_model_n_steps_of(m, "Slice"), ==, want_folded ? 0 : 8);
  if (want_folded) {
    const int64_t odd[4] = {1, C, H - 1, W};
    nnb_expect_run_error(b, odd, 4, DERUSH_NN_ERROR_SHAPE, "node conv (Conv)");
  }
}

static void
test_focus(void)
{
  focus_case(G_MAXINT64, TRUE);
  focus_case(100, FALSE); /* an end short of INT32_MAX could stop inside the axis */
}

/* Alternating input shapes reuse their plans: one build per shape, for
 * more shapes than the 4 the executor once kept.  The plans share one
 * arena, as large as the largest plan's (not their sum), which grows while
 * larger shapes come: a plan built before must follow its buffers (each
 * shape's output is the same every time it runs). */
static void
test_plan_cache(void)
{
  gsize len;
  g_autofree float *w3 = NULL, *w1 = NULL, *b3 = NULL, *b1 = NULL;
  g_autofree guint8 *bytes = residual_model(&len, &w3, &w1, &b3, &b1);
  g_autoptr(GError) error = NULL;
  g_autoptr(DerushNnModel) m = _derush_nn_model_load_from_data(bytes, len, &error);
  g_assert_no_error(error);
  g_autofree float *x = nnb_pattern(3 * 24 * 24, 31);
  /* One thread count throughout: a busy machine would add plans for one
   * thread (test-nn-threads). */
  _nn_threads_pin(_nn_threads_max());
  enum { N_SHAPES = 6 };
  static const int64_t shapes[N_SHAPES][4] = {{1, 3, 9, 7},  {1, 3, 7, 9},   {1, 3, 5, 5},
                                              {1, 3, 16, 8}, {1, 3, 24, 24}, {1, 3, 12, 20}};
  static const int order[] = {0, 1, 0, 2, 1, 3, 0, 4, 2, 5, 1, 3, 0, 4, 5, 2};
  float *first[N_SHAPES] = {NULL};
  size_t largest = 0, sum = 0;
  for (gsize i = 0; i < G_N_ELEMENTS(order); i++) {
    const int64_t *s = shapes[order[i]];
    g_assert_true(_derush_nn_model_run(m, x, s, 4, &error));
    g_assert_no_error(error);
    const int64_t *oshape;
    int rank;
    const float *y = _derush_nn_model_output(m, 0, &oshape, &rank);
    g_assert_nonnull(y);
    g_assert_cmpint(oshape[2], ==, s[2]);
    g_assert_cmpint(oshape[3], ==, s[3]);
    size_t n = sizeof(float) * 4 * s[2] * s[3];
    if (!first[order[i]]) {
      first[order[i]] = g_memdup2(y, n);
      largest = MAX(largest, _derush_nn_model_arena_bytes(m));
      sum += _derush_nn_model_arena_bytes(m);
    }
    g_assert_cmpmem(y, n, first[order[i]], n);
  }
  g_assert_cmpint(_derush_nn_model_n_plans_built(m), ==, N_SHAPES);
  g_assert_cmpint(_derush_nn_model_n_plans_kept(m), ==, N_SHAPES);
  g_assert_cmpuint(_derush_nn_model_memory_bytes(m), ==, largest);
  g_assert_cmpuint(_derush_nn_model_memory_bytes(m), <, sum);
  for (int k = 0; k < N_SHAPES; k++)
    g_free(first[k]);
  _nn_threads_pin(0);
}

/* The steps read the caller's input buffer in place: no copy of it in the
 * arena, a new buffer each run is read, and nothing writes into it.  An
 * input that is also an output is copied, so the output outlives the
 * caller's buffer. */
static void
input_case(gboolean also_output)
{
  enum { N = 4 * 32 * 32 };
  g_autoptr(NnBuilder) b = nnb_new(13);
  nnb_input(b, "x");
  nnb_output(b, "y");
  if (also_output)
    nnb_output(b, "x");
  nnb_node(b, "Relu", "relu", "x", "y");
  g_autoptr(DerushNnModel) m = nnb_load(b);
  g_autoptr(GError) error = NULL;
  const int64_t shape[4] = {1, 4, 32, 32};
  g_autofree float *x0 = nnb_pattern(N, 41), *x1 = nnb_pattern(N, 42);
  g_autofree float *keep0 = g_memdup2(x0, sizeof(float) * N);
  for (int run = 0; run < 4; run++) {
    float *x = run % 2 ? x1 : x0;
    g_assert_true(_derush_nn_model_run(m, x, shape, 4, &error));
    g_assert_no_error(error);
    const float *y = _derush_nn_model_output(m, 0, NULL, NULL);
    for (int i = 0; i < N; i++)
      g_assert_cmpfloat(y[i], ==, MAX(x[i], 0.0f));
  }
  g_assert_cmpmem(x0, sizeof(float) * N, keep0, sizeof(float) * N);
  size_t bytes = sizeof(float) * N;
  if (also_output) {
    memset(x1, 0, bytes); /* the caller reuses its buffer */
    const float *out_x = _derush_nn_model_output(m, 1, NULL, NULL);
    g_autofree float *want = nnb_pattern(N, 42);
    g_assert_cmpmem(out_x, bytes, want, bytes);
    g_assert_cmpuint(_derush_nn_model_arena_bytes(m), >=, 2 * bytes);
  } else {
    g_assert_cmpuint(_derush_nn_model_arena_bytes(m), <, 2 * bytes);
  }
}

static void
test_input_in_place(void)
{
  input_case(FALSE);
  input_case(TRUE);
}

/* Shape arithmetic folded at plan time (Shape, Gather, Unsqueeze, Concat)
 * feeding a Reshape, then Transpose, Slice with steps, Concat with a
 * constant and Softmax. */
static void
test_shape_ops(void)
{
  g_autoptr(NnBuilder) b = nnb_new(13);
  nnb_input(b, "x"); /* [2, 3, 4] */
  nnb_output(b, "out");
  static const int64_t zero[1] = {0}, minus1[1] = {-1};
  nnb_init_i64(b, "i0", 1, zero);
  nnb_init_i64(b, "m1", 1, minus1);
  nnb_node(b, "Shape", "shape", "x", "sh");
  nnb_node(b, "Gather", "gather", "sh,i0", "n"); /* [2] -> shape [1] */
  nnb_attr_int(b, nnb_node(b, "Concat", "cat_shape", "n,m1", "newshape"), "axis", 0);
  nnb_node(b, "Reshape", "reshape", "x,newshape", "r"); /* [2, 12] */
  static const int64_t perm[2] = {1, 0};
  nnb_attr_ints(b, nnb_node(b, "Transpose", "tr", "r", "t"), "perm", 2, perm); /* [12, 2] */
  static const int64_t st[1] = {10}, en[1] = {-100}, ax[1] = {0}, sp[1] = {-3};
  nnb_init_i64(b, "st", 1, st);
  nnb_init_i64(b, "en", 1, en);
  nnb_init_i64(b, "ax", 1, ax);
  nnb_init_i64(b, "sp", 1, sp);
  nnb_node(b, "Slice", "slice", "t,st,en,ax,sp", "s"); /* rows 10, 7, 4, 1 -> [4, 2] */
  int64_t cd[2] = {4, 1};
  float cv[4] = {0.5f, -0.5f, 1.5f, 2.0f};
  nnb_init_f32(b, "cst", 2, cd, cv);
  nnb_attr_int(b, nnb_node(b, "Concat", "cat", "s,cst", "c"), "axis", 1); /* [4, 3] */
  nnb_attr_int(b, nnb_node(b, "Softmax", "softmax", "c", "out"), "axis", -1);
  gsize len;
  g_autofree guint8 *bytes = nnb_pack(b, &len);

  g_autofree float *x = nnb_pattern(24, 7);
  float want[12];
  static const int rows[4] = {10, 7, 4, 1};
  for (int i = 0; i < 4; i++) {
    /* t[row][j] = r[j][row] = x[j * 12 + row] */
    float v[3] = {x[0 * 12 + rows[i]], x[1 * 12 + rows[i]], cv[i]};
    float m = MAX(MAX(v[0], v[1]), v[2]), s = 0;
    for (int k = 0; k < 3; k++)
      s += expf(v[k] - m);
    for (int k = 0; k < 3; k++)
      want[i * 3 + k] = expf(v[k] - m) / s;
  }
  g_autoptr(GError) error = NULL;
  g_autoptr(DerushNnModel) m = _derush_nn_model_load_from_data(bytes, len, &error);
  g_assert_no_error(error);
  const int64_t shape[3] = {2, 3, 4};
  g_assert_true(_derush_nn_model_run(m, x, shape, 3, &error));
  g_assert_no_error(error);
  const int64_t *oshape;
  int rank;
  const float *out = _derush_nn_model_output(m, 0, &oshape, &rank);
  g_assert_cmpint(rank, ==, 2);
  g_assert_cmpint(oshape[0], ==, 4);
  g_assert_cmpint(oshape[1], ==, 3);
  assert_close(out, want, 12);
}

/* MaxPool 3x3/2 with padding, then nearest Resize x2 (asymmetric, floor). */
/* One forward of @x, [1, C, H, W] in @shape; the first output and its
 * shape. */
static const float *
run_first_output(DerushNnModel *m, const float *x, const int64_t *shape, const int64_t **oshape)
{
  g_autoptr(GError) error = NULL;
  g_assert_true(_derush_nn_model_run(m, x, shape, 4, &error));
  g_assert_no_error(error);
  int rank;
  const float *out = _derush_nn_model_output(m, 0, oshape, &rank);
  g_assert_cmpint(rank, ==, 4);
  return out;
}

static void
test_pool_resize(void)
{
  g_autoptr(NnBuilder) b = nnb_new(11);
  nnb_input(b, "x");
  nnb_output(b, "out");
  Onnx__NodeProto *p = nnb_node(b, "MaxPool", "pool", "x", "p");
  static const int64_t k[2] = {3, 3}, s[2] = {2, 2}, pads[4] = {1, 1, 1, 1};
  nnb_attr_ints(b, p, "kernel_shape", 2, k);
  nnb_attr_ints(b, p, "strides", 2, s);
  nnb_attr_ints(b, p, "pads", 4, pads);
  int64_t d4[1] = {4};
  float scales[4] = {1, 1, 2, 2};
  nnb_init_f32(b, "scales", 1, d4, scales);
  int64_t d0[1] = {0};
  nnb_init_f32(b, "roi", 1, d0, scales); /* empty */
  Onnx__NodeProto *r = nnb_node(b, "Resize", "resize", "p,roi,scales", "out");
  nnb_attr_string(b, r, "mode", "nearest");
  nnb_attr_string(b, r, "coordinate_transformation_mode", "asymmetric");
  nnb_attr_string(b, r, "nearest_mode", "floor");
  gsize len;
  g_autofree guint8 *bytes = nnb_pack(b, &len);
  enum { C = 2, H = 7, W = 6, PH = 4, PW = 3 };
  g_autofree float *x = nnb_pattern(C * H * W, 9);
  float pooled[C * PH * PW], want[C * PH * 2 * PW * 2];
  for (int c = 0; c < C; c++)
    for (int i = 0; i < PH; i++)
      for (int j = 0; j < PW; j++) {
        float m = -INFINITY;
        for (int a = -1; a <= 1; a++)
          for (int bb = -1; bb <= 1; bb++) {
            int y = 2 * i + a, xx = 2 * j + bb;
            if (y >= 0 && y < H && xx >= 0 && xx < W)
              m = MAX(m, x[(c * H + y) * W + xx]);
          }
        pooled[(c * PH + i) * PW + j] = m;
      }
  for (int c = 0; c < C; c++)
    for (int i = 0; i < 2 * PH; i++)
      for (int j = 0; j < 2 * PW; j++)
        want[(c * 2 * PH + i) * 2 * PW + j] = pooled[(c * PH + i / 2) * PW + j / 2];
  g_autoptr(GError) error = NULL;
  g_autoptr(DerushNnModel) m = _derush_nn_model_load_from_data(bytes, len, &error);
  g_assert_no_error(error);
  const int64_t shape[4] = {1, C, H, W}, *oshape;
  const float *out = run_first_output(m, x, shape, &oshape);
  g_assert_cmpint(oshape[2], ==, 2 * PH);
  g_assert_cmpint(oshape[3], ==, 2 * PW);
  assert_close(out, want, G_N_ELEMENTS(want));
}

/* MaxPool 2x2 stride 2 (YuNet's) runs as derush's host step in the layout
 * its input has: after a Conv of 12 channels (oneDNN's blocked layout,
 * channels padded to 16) and straight on the plain input, odd sizes
 * rounded down; equal to a naive pooling of the naive convolution. */
static void
test_maxpool_2x2(void)
{
  enum { C = 3, OC = 12, H = 9, W = 7, PH = H / 2, PW = W / 2 };
  static const int64_t k[2] = {2, 2}, st[2] = {2, 2};
  for (int after_conv = 0; after_conv < 2; after_conv++) {
    g_autoptr(NnBuilder) b = nnb_new(11);
    nnb_input(b, "x");
    nnb_output(b, "out");
    int oc = after_conv ? OC : C;
    int64_t dw[4] = {OC, C, 1, 1}, db[1] = {OC};
    g_autofree float *w = nnb_pattern(OC * C, 5), *bias = nnb_pattern(OC, 6);
    if (after_conv) {
      nnb_init_f32(b, "w", 4, dw, w);
      nnb_init_f32(b, "b", 1, db, bias);
      nnb_node(b, "Conv", "conv", "x,w,b", "c");
    }
    Onnx__NodeProto *p = nnb_node(b, "MaxPool", "pool", after_conv ? "c" : "x", "out");
    nnb_attr_ints(b, p, "kernel_shape", 2, k);
    nnb_attr_ints(b, p, "strides", 2, st);
    g_autoptr(DerushNnModel) m = nnb_load(b);
    g_autofree float *x = nnb_pattern(C * H * W, 7);
    float c[OC * H * W], want[OC * PH * PW];
    if (after_conv)
      ref_conv(x, C, H, W, w, bias, OC, 1, 0, c);
    else
      memcpy(c, x, sizeof(float) * C * H * W);
    for (int o = 0; o < oc; o++)
      for (int i = 0; i < PH; i++)
        for (int j = 0; j < PW; j++) {
          const float *r = c + (o * H + 2 * i) * W + 2 * j;
          want[(o * PH + i) * PW + j] = MAX(MAX(r[0], r[1]), MAX(r[W], r[W + 1]));
        }
    const int64_t shape[4] = {1, C, H, W}, *oshape;
    const float *out = run_first_output(m, x, shape, &oshape);
    g_assert_cmpint(oshape[1], ==, oc);
    g_assert_cmpint(oshape[2], ==, PH);
    g_assert_cmpint(oshape[3], ==, PW);
    assert_close(out, want, (gsize)oc * PH * PW);
    g_assert_cmpint(_derush_nn_model_n_host_steps_of(m, "MaxPool"), ==, 1);
  }
}

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
  g_assert_error(error, DERUSH_NN_ERROR, DERUSH_NN_ERROR_MALFORMED);
}

/* Every prefix of a valid model: refused or loaded, never a crash. */
static void
test_truncated(void)
{
  gsize len;
  g_autofree float *w3 = NULL, *w1 = NULL, *b3 = NULL, *b1 = NULL;
  g_autofree guint8 *bytes = residual_model(&len, &w3, &w1, &b3, &b1);
  g_autofree float *x = nnb_pattern(3 * 5 * 5, 3);
  const int64_t shape[4] = {1, 3, 5, 5};
  int refused = 0;
  for (gsize cut = 0; cut < len; cut++) {
    g_autofree guint8 *copy = g_memdup2(bytes, MAX(cut, 1));
    g_autoptr(GError) error = NULL;
    g_autoptr(DerushNnModel) m = _derush_nn_model_load_from_data(copy, cut, &error);
    if (!m) {
      g_assert_nonnull(error);
      g_assert_true(error->domain == DERUSH_NN_ERROR);
      refused++;
      continue;
    }
    /* A cut on a field boundary parses as a smaller model: it must run or
     * say why not. */
    if (!_derush_nn_model_run(m, x, shape, 4, &error))
      g_assert_true(error->domain == DERUSH_NN_ERROR);
  }
  g_assert_cmpint(refused, >, (int)len / 2);
}

static void
expect_load_error(NnBuilder *b, int code, const char *needle)
{
  gsize len;
  g_autofree guint8 *bytes = nnb_pack(b, &len);
  g_autoptr(GError) error = NULL;
  DerushNnModel *m = _derush_nn_model_load_from_data(bytes, len, &error);
  g_assert_null(m);
  g_assert_error(error, DERUSH_NN_ERROR, code);
  g_test_message("%s", error->message);
  g_assert_nonnull(strstr(error->message, needle));
}

static void
test_unsupported_op(void)
{
  g_autoptr(NnBuilder) b = nnb_new(13);
  nnb_input(b, "x");
  nnb_output(b, "y");
  nnb_node(b, "FooBar", "mystery", "x", "y");
  expect_load_error(b, DERUSH_NN_ERROR_UNSUPPORTED, "node mystery (FooBar)");
}

static void
test_undefined_input(void)
{
  g_autoptr(NnBuilder) b = nnb_new(13);
  nnb_input(b, "x");
  nnb_output(b, "y");
  nnb_node(b, "Relu", "r1", "nowhere", "y");
  expect_load_error(b, DERUSH_NN_ERROR_MALFORMED, "node r1 (Relu)");
}

static void
test_bad_initializers(void)
{
  g_autoptr(NnBuilder) b = nnb_new(13);
  nnb_input(b, "x");
  nnb_output(b, "y");
  int64_t d[1] = {8};
  float v[8] = {0};
  Onnx__TensorProto *t = nnb_init_f32(b, "w", 1, d, v);
  t->raw_data.len = 12; /* claims 8 floats, holds 3 */
  nnb_node(b, "Add", "add", "x,w", "y");
  expect_load_error(b, DERUSH_NN_ERROR_MALFORMED, "initializer 'w'");

  g_autoptr(NnBuilder) e = nnb_new(13);
  nnb_input(e, "x");
  nnb_output(e, "y");
  t = nnb_init_f32(e, "w", 1, d, v);
  t->has_data_location = TRUE;
  t->data_location = ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL;
  nnb_node(e, "Add", "add", "x,w", "y");
  expect_load_error(e, DERUSH_NN_ERROR_UNSUPPORTED, "external");
}

static void
test_shape_mismatch(void)
{
  g_autoptr(NnBuilder) b = nnb_new(13);
  nnb_input(b, "x");
  nnb_output(b, "y");
  int64_t d[4] = {2, 3, 1, 1};
  float w[6] = {1, 2, 3, 4, 5, 6};
  nnb_init_f32(b, "w", 4, d, w);
  nnb_node(b, "Conv", "conv", "x,w", "y");
  const int64_t shape[4] = {1, 5, 4, 4}; /* 5 channels, the weights take 3 */
  nnb_expect_run_error(b, shape, 4, DERUSH_NN_ERROR_SHAPE, "node conv (Conv)");
}

static void
test_index_out_of_range(void)
{
  g_autoptr(NnBuilder) b = nnb_new(13);
  nnb_input(b, "x");
  nnb_output(b, "y");
  static const int64_t idx[2] = {1, 10};
  nnb_init_i64(b, "idx", 2, idx);
  nnb_attr_int(b, nnb_node(b, "Gather", "gather", "x,idx", "y"), "axis", 1);
  const int64_t shape[2] = {2, 3};
  nnb_expect_run_error(b, shape, 2, DERUSH_NN_ERROR_MALFORMED, "node gather (Gather)");
}

int
main(int argc, char **argv)
{
  test_init(&argc, &argv);
  g_test_add_func("/nn/graph/residual-fusion", test_residual);
  g_test_add_func("/nn/graph/bottleneck-kernels", test_bottleneck_kernels);
  g_test_add_func("/nn/graph/concat-in-place", test_concat_in_place);
  g_test_add_func("/nn/graph/focus", test_focus);
  g_test_add_func("/nn/graph/plan-cache", test_plan_cache);
  g_test_add_func("/nn/graph/input-in-place", test_input_in_place);
  g_test_add_func("/nn/graph/shape-ops", test_shape_ops);
  g_test_add_func("/nn/graph/pool-resize", test_pool_resize);
  g_test_add_func("/nn/graph/maxpool-2x2", test_maxpool_2x2);
  g_test_add_func("/nn/bad/garbage", test_garbage);
  g_test_add_func("/nn/bad/truncated", test_truncated);
  g_test_add_func("/nn/bad/unsupported-op", test_unsupported_op);
  g_test_add_func("/nn/bad/undefined-input", test_undefined_input);
  g_test_add_func("/nn/bad/initializers", test_bad_initializers);
  g_test_add_func("/nn/bad/shape-mismatch", test_shape_mismatch);
  g_test_add_func("/nn/bad/index-out-of-range", test_index_out_of_range);
  return g_test_run();
}
