/* plan-ops.c: the operator table and the planners of the operators oneDNN
 * runs (Conv, pooling, element-wise, Concat, Resize).  Data-movement and
 * shape operators are in plan-shape-ops.c.
 *
 * Over 600 lines: one planner per operator, in one table, as the ONNX
 * operator list reads.
 */
#include "nn/plan-ops.h"
#include <math.h>
#include <string.h>

NnPVal *
_nn_in(NnPlan *pl, const NnNode *n, int k)
{
  if (k >= n->n_in || n->in[k] < 0)
    return NULL;
  return PVAL(pl, n->in[k]);
}

int
_nn_const_ints(NnPlan *pl, const NnNode *n, int k, int64_t *out, int max, GError **error)
{
  NnPVal *p = _nn_in(pl, n, k);
  if (!p || !p->konst) {
    _nn_fail(error, DERUSH_NN_ERROR_UNSUPPORTED, n, "input %d must be a constant", k);
    return -1;
  }
  int64_t cnt = _nn_numel(p->konst->dims, p->konst->rank);
  if (cnt > max) {
    _nn_fail(error, DERUSH_NN_ERROR_MALFORMED, n, "input %d has %" G_GINT64_FORMAT " values", k,
             cnt);
    return -1;
  }
  for (int64_t i = 0; i < cnt; i++)
    out[i] = _nn_tensor_get_int(p->konst, i);
  return (int)cnt;
}

gboolean
_nn_axis(const NnNode *n, int64_t *axis, int rank, GError **error)
{
  if (*axis < -rank || *axis >= MAX(rank, 1))
    return _nn_fail(error, DERUSH_NN_ERROR_MALFORMED, n,
                    "axis %" G_GINT64_FORMAT " is out of range for rank %d", *axis, rank);
  if (*axis < 0)
    *axis += rank;
  return TRUE;
}

NnDtype
_nn_host_dtype(NnPlan *pl, const NnNode *n, int k)
{
  NnPVal *p = _nn_in(pl, n, k);
  return pl->folding && p && p->konst ? p->konst->dtype : NN_F32;
}

/* --- Conv ------------------------------------------------------------------ */

/* Output size and pads of one spatial axis, auto_pad included. */
static gboolean
spatial_out(const NnNode *n, const char *auto_pad, int64_t in, int64_t k, int64_t stride,
            int64_t dil, int64_t *pl_, int64_t *pr_, gboolean ceil_mode, int64_t *out,
            GError **error)
{
  int64_t ek = (k - 1) * dil + 1;
  if (strcmp(auto_pad, "SAME_UPPER") == 0 || strcmp(auto_pad, "SAME_LOWER") == 0) {
    *out = (in + stride - 1) / stride;
    int64_t total = MAX((*out - 1) * stride + ek - in, 0);
    *pl_ = strcmp(auto_pad, "SAME_UPPER") == 0 ? total / 2 : total - total / 2;
    *pr_ = total - *pl_;
  } else {
    if (strcmp(auto_pad, "VALID") == 0)
      *pl_ = *pr_ = 0;
    int64_t span = in + *pl_ + *pr_ - ek;
    if (span < 0)
      return _nn_fail(error, DERUSH_NN_ERROR_SHAPE, n,
                      "kernel %" G_GINT64_FORMAT
                      " is larger than the padded input %" G_GINT64_FORMAT,
                      ek, in + *pl_ + *pr_);
    *out = (ceil_mode ? (span + stride - 1) / stride : span / stride) + 1;
    /* ceil_mode: the last window must start inside the input or left pad. */
    if (ceil_mode && (*out - 1) * stride >= in + *pl_)
      (*out)--;
    /* oneDNN wants the right pad that makes the output size exact. */
    *pr_ = (*out - 1) * stride + ek - in - *pl_;
  }
  return TRUE;
}

typedef struct {
  int sp;
  int64_t k[3], s[3], d[3], pl[3], pr[3];
  int64_t out[NN_MAX_RANK];
} Window;

/* Kernel, strides, dilations and pads of a Conv or pooling node over an
 * input of @x's shape, and its output shape (channels left to the caller). */
static gboolean
window(const NnNode *n, const NnPVal *x, const int64_t *kernel, gboolean ceil_mode, Window *w,
       GError **error)
{
  w->sp = x->rank - 2;
  if (w->sp < 1 || w->sp > 3)
    return _nn_fail(error, DERUSH_NN_ERROR_SHAPE, n, "input rank %d is not 3, 4 or 5", x->rank);
  const int64_t *v;
  int c;
  for (int i = 0; i < w->sp; i++) {
    w->k[i] = kernel[i];
    w->s[i] = w->d[i] = 1;
    w->pl[i] = w->pr[i] = 0;
  }
  if ((c = _nn_attr_ints(n, "strides", &v)) == w->sp)
    memcpy(w->s, v, sizeof(int64_t) * c);
  if ((c = _nn_attr_ints(n, "dilations", &v)) == w->sp)
    memcpy(w->d, v, sizeof(int64_t) * c);
  if ((c = _nn_attr_ints(n, "pads", &v)) == 2 * w->sp)
    for (int i = 0; i < w->sp; i++) {
      w->pl[i] = v[i];
      w->pr[i] = v[w->sp + i];
    }
  const char *auto_pad = _nn_attr_string(n, "auto_pad", "NOTSET");
  w->out[0] = x->dims[0];
  w->out[1] = x->dims[1];
  for (int i = 0; i < w->sp; i++) {
    if (w->k[i] < 1 || w->s[i] < 1 || w->d[i] < 1 || w->pl[i] < 0 || w->pr[i] < 0)
      return _nn_fail(error, DERUSH_NN_ERROR_MALFORMED, n,
                      "kernel, stride, dilation or pad out of range");
    if (!spatial_out(n, auto_pad, x->dims[2 + i], w->k[i], w->s[i], w->d[i], &w->pl[i], &w->pr[i],
                     ceil_mode, &w->out[2 + i], error))
      return FALSE;
  }
  return TRUE;
}

gboolean
_nn_plan_conv(NnPlan *pl, const NnNode *n, GError **error)
{
  NnPVal *x = _nn_in(pl, n, 0), *w = _nn_in(pl, n, 1), *b = _nn_in(pl, n, 2);
  if (!w->konst || (b && !b->konst))
    return _nn_fail(error, DERUSH_NN_ERROR_UNSUPPORTED, n, "weights and bias must be constants");
  if (w->rank != x->rank)
    return _nn_fail(error, DERUSH_NN_ERROR_SHAPE, n, "weights rank %d, input rank %d", w->rank,
                    x->rank);
  int64_t group = _nn_attr_int(n, "group", 1);
  int64_t oc = w->dims[0];
  if (group < 1 || oc % group != 0 || x->dims[1] != w->dims[1] * group)
    return _nn_fail(error, DERUSH_NN_ERROR_SHAPE, n,
                    "input has %" G_GINT64_FORMAT " channels, weights expect %" G_GINT64_FORMAT
                    " x group %" G_GINT64_FORMAT,
                    x->dims[1], w->dims[1], group);
  if (b && (b->rank != 1 || b->dims[0] != oc))
    return _nn_fail(error, DERUSH_NN_ERROR_SHAPE, n,
                    "bias does not have %" G_GINT64_FORMAT " values", oc);
  if (n->even_input && (x->rank != 4 || x->dims[2] % 2 || x->dims[3] % 2)) {
    g_autofree char *shape = _nn_shape_string(x->dims, x->rank);
    return _nn_fail(error, DERUSH_NN_ERROR_SHAPE, n,
                    "input %s: the space-to-depth folded into this convolution needs an even "
                    "height and width",
                    shape);
  }
  Window win;
  if (!window(n, x, w->dims + 2, FALSE, &win, error))
    return FALSE;
  win.out[1] = oc;
  NnConvDesc d = {.rank = x->rank,
                  .src_dims = x->dims,
                  .dst_dims = win.out,
                  .weights = _nn_plan_f32(pl, n->in[1]),
                  .bias = b ? _nn_plan_f32(pl, n->in[2]) : NULL,
                  .groups = group,
                  .post = n->post,
                  .n_post = n->n_post};
  for (int i = 0; i < win.sp; i++) {
    d.strides[i] = win.s[i];
    d.dilations[i] = win.d[i];
    d.pads_l[i] = win.pl[i];
    d.pads_r[i] = win.pr[i];
  }
  NnMd *want = NULL, *dst = NULL;
  g_autoptr(GError) local = NULL;
  NnPrim *prim = _nn_prim_conv(pl->be, &d, &want, &dst, &local);
  if (!prim)
    return _nn_fail(error, DERUSH_NN_ERROR_BACKEND, n, "%s", local->message);
  int src = _nn_plan_in_layout(pl, n->in[0], want, error);
  _nn_md_free(want);
  if (src < 0) {
    _nn_prim_free(prim);
    _nn_md_free(dst);
    return FALSE;
  }
  int out = n->out[0];
  _nn_plan_set_runtime(pl, out, x->rank, win.out, dst);
  int vals[3] = {src, out, -1};
  for (int i = 0; i < n->n_post; i++) {
    if (!n->post[i].is_sum)
      continue;
    /* The convolution reads the residual itself (a binary post-op), in its
     * output's layout. */
    NnPVal *r = PVAL(pl, n->post[i].value);
    if (r->rank != x->rank || memcmp(r->dims, win.out, sizeof(int64_t) * x->rank) != 0) {
      _nn_prim_free(prim);
      return _nn_fail(error, DERUSH_NN_ERROR_SHAPE, n, "the fused Add has another shape");
    }
    vals[2] = _nn_plan_in_layout(pl, n->post[i].value, PVAL(pl, out)->md, error);
    if (vals[2] < 0) {
      _nn_prim_free(prim);
      return FALSE;
    }
  }
  _nn_plan_add_prim(pl, prim, vals);
  return TRUE;
}

/* A BatchNormalization no Conv precedes: a depthwise 1x1 convolution with
 * the folded scale and shift, so it runs in the layout its input has. */
static gboolean
plan_batchnorm(NnPlan *pl, const NnNode *n, GError **error)
{
  NnPVal *x = _nn_in(pl, n, 0);
  if (x->rank < 3 || x->rank > 5)
    return _nn_fail(error, DERUSH_NN_ERROR_UNSUPPORTED, n, "input rank %d", x->rank);
  int64_t c = x->dims[1];
  const NnTensor *st[4];
  for (int k = 0; k < 4; k++) {
    NnPVal *p = _nn_in(pl, n, 1 + k);
    if (!p->konst || _nn_numel(p->dims, p->rank) != c)
      return _nn_fail(error, DERUSH_NN_ERROR_UNSUPPORTED, n,
                      "input %d must be a constant of %" G_GINT64_FORMAT " values", 1 + k, c);
    st[k] = _nn_plan_f32(pl, n->in[1 + k]);
  }
  float eps = _nn_attr_float(n, "epsilon", 1e-5f);
  int64_t wd[5] = {c, 1, 1, 1, 1};
  NnTensor *w = _nn_tensor_new(NN_F32, x->rank, wd);
  NnTensor *b = _nn_tensor_new(NN_F32, 1, &c);
  for (int64_t i = 0; i < c; i++) {
    const float *scale = st[0]->data, *beta = st[1]->data, *mean = st[2]->data, *var = st[3]->data;
    float s = scale[i] / sqrtf(var[i] + eps);
    ((float *)w->data)[i] = s;
    ((float *)b->data)[i] = beta[i] - mean[i] * s;
  }
  g_ptr_array_add(pl->konsts, w);
  g_ptr_array_add(pl->konsts, b);
  NnConvDesc d = {.rank = x->rank,
                  .src_dims = x->dims,
                  .dst_dims = x->dims,
                  .weights = w,
                  .bias = b,
                  .groups = c,
                  .post = n->post,
                  .n_post = n->n_post};
  for (int i = 0; i < 3; i++)
    d.strides[i] = d.dilations[i] = 1;
  NnMd *want = NULL, *dst = NULL;
  g_autoptr(GError) local = NULL;
  NnPrim *prim = _nn_prim_conv(pl->be, &d, &want, &dst, &local);
  if (!prim)
    return _nn_fail(error, DERUSH_NN_ERROR_BACKEND, n, "%s", local->message);
  int src = _nn_plan_in_layout(pl, n->in[0], want, error);
  _nn_md_free(want);
  if (src < 0) {
    _nn_prim_free(prim);
    _nn_md_free(dst);
    return FALSE;
  }
  _nn_plan_set_runtime(pl, n->out[0], x->rank, x->dims, dst);
  int vals[2] = {src, n->out[0]};
  _nn_plan_add_prim(pl, prim, vals);
  return TRUE;
}

/* --- Pooling --------------------------------------------------------------- */

gboolean
_nn_plan_pool(NnPlan *pl, const NnNode *n, GError **error)
{
  NnPVal *x = _nn_in(pl, n, 0);
  gboolean global = g_str_has_prefix(n->op, "Global");
  gboolean max = strstr(n->op, "Max") != NULL;
  if (x->rank < 3 || x->rank > 5)
    return _nn_fail(error, DERUSH_NN_ERROR_SHAPE, n, "input rank %d is not 3, 4 or 5", x->rank);
  int64_t kernel[3];
  const int64_t *v;
  if (global) {
    for (int i = 0; i < x->rank - 2; i++)
      kernel[i] = x->dims[2 + i];
  } else {
    if (_nn_attr_ints(n, "kernel_shape", &v) != x->rank - 2)
      return _nn_fail(error, DERUSH_NN_ERROR_MALFORMED, n,
                      "kernel_shape does not match the input rank");
    memcpy(kernel, v, sizeof(int64_t) * (x->rank - 2));
  }
  if (n->n_out > 1 && NN_VALUE(pl->g, n->out[1])->n_uses > 0)
    return _nn_fail(error, DERUSH_NN_ERROR_UNSUPPORTED, n, "the Indices output is not supported");
  Window win;
  if (!window(n, x, kernel, _nn_attr_int(n, "ceil_mode", 0) != 0, &win, error))
    return FALSE;
  for (int i = 0; i < win.sp; i++)
    if (win.d[i] != 1)
      return _nn_fail(error, DERUSH_NN_ERROR_UNSUPPORTED, n, "dilated pooling is not supported");
  NnPoolDesc d = {.rank = x->rank, .dst_dims = win.out};
  d.kind = max                                       ? NN_POOL_MAX
           : _nn_attr_int(n, "count_include_pad", 0) ? NN_POOL_AVG_INCLUDE_PAD
                                                     : NN_POOL_AVG_EXCLUDE_PAD;
  for (int i = 0; i < win.sp; i++) {
    d.kernel[i] = win.k[i];
    d.strides[i] = win.s[i];
    d.pads_l[i] = win.pl[i];
    d.pads_r[i] = win.pr[i];
  }
  g_autoptr(GError) local = NULL;
  /* A constant input (of any type) is read as float32. */
  int in = x->konst ? _nn_plan_plain(pl, n->in[0], error) : n->in[0];
  if (in < 0)
    return FALSE;
  if (_nn_plan_pool2_host(pl, n, in, &d))
    return TRUE;
  NnMd *src = _nn_plan_md(pl, in), *dst = NULL;
  NnPrim *prim = _nn_prim_pool(pl->be, src, &d, &dst, &local);
  _nn_md_free(src);
  if (!prim)
    return _nn_fail(error, DERUSH_NN_ERROR_BACKEND, n, "%s", local->message);
  _nn_plan_set_runtime(pl, n->out[0], x->rank, win.out, dst);
  int vals[2] = {in, n->out[0]};
  _nn_plan_add_prim(pl, prim, vals);
  return TRUE;
}

/* --- Element-wise unary ------------------------------------------------------ */

gboolean
_nn_plan_host_unary(NnPlan *pl, const NnNode *n, NnAct act, float alpha, float beta, GError **error)
{
  NnPVal *x = _nn_in(pl, n, 0);
  NnUnaryParams *p = g_new0(NnUnaryParams, 1);
  *p = (NnUnaryParams){act, alpha, beta, _nn_host_dtype(pl, n, 0), _nn_numel(x->dims, x->rank)};
  int rank = x->rank;
  int64_t dims[1][NN_MAX_RANK];
  memcpy(dims[0], x->dims, sizeof(dims[0]));
  NnDtype dt = p->dtype;
  return _nn_plan_add_host(pl, n, _nn_host_unary, p, g_free, 1, n->in, 1, n->out, &rank, dims, &dt,
                           error);
}

static gboolean
unary_act(NnPlan *pl, const NnNode *n, NnAct *act, float *alpha, float *beta, GError **error)
{
  static const struct {
    const char *op;
    NnAct act;
  } map[] = {
      {"Relu", NN_ACT_RELU},
      {"LeakyRelu", NN_ACT_LEAKY_RELU},
      {"Sigmoid", NN_ACT_SIGMOID},
      {"Clip", NN_ACT_CLIP},
      {"HardSwish", NN_ACT_HARDSWISH},
      {"Exp", NN_ACT_EXP},
      {"Tanh", NN_ACT_TANH},
      {"Abs", NN_ACT_ABS},
      {"Sqrt", NN_ACT_SQRT},
      {"Log", NN_ACT_LOG},
      {"Neg", NN_ACT_NEG},
  };
  *alpha = *beta = 0;
  for (gsize i = 0; i < G_N_ELEMENTS(map); i++)
    if (strcmp(n->op, map[i].op) == 0)
      *act = map[i].act;
  if (*act == NN_ACT_LEAKY_RELU)
    *alpha = _nn_attr_float(n, "alpha", 0.01f);
  if (*act == NN_ACT_CLIP) {
    *alpha = _nn_attr_float(n, "min", -INFINITY);
    *beta = _nn_attr_float(n, "max", INFINITY);
    for (int k = 1; k <= 2; k++) {
      NnPVal *p = _nn_in(pl, n, k);
      if (!p)
        continue;
      if (!p->konst || _nn_numel(p->dims, p->rank) != 1)
        return _nn_fail(error, DERUSH_NN_ERROR_UNSUPPORTED, n,
                        "min and max must be scalar constants");
      *(k == 1 ? alpha : beta) = (float)_nn_tensor_get(p->konst, 0);
    }
  }
  return TRUE;
}

static gboolean
plan_unary(NnPlan *pl, const NnNode *n, GError **error)
{
  NnAct act = NN_ACT_IDENTITY;
  float alpha, beta;
  if (!unary_act(pl, n, &act, &alpha, &beta, error))
    return FALSE;
  if (pl->folding)
    return _nn_plan_host_unary(pl, n, act, alpha, beta, error);
  NnPVal *x = _nn_in(pl, n, 0);
  NnMd *src = _nn_plan_md(pl, n->in[0]), *dst = NULL;
  NnPrim *prim = _nn_prim_eltwise(pl->be, src, act, alpha, beta, &dst, NULL);
  _nn_md_free(src);
  if (!prim)
    return _nn_plan_host_unary(pl, n, act, alpha, beta, error);
  _nn_plan_set_runtime(pl, n->out[0], x->rank, x->dims, dst);
  int vals[2] = {n->in[0], n->out[0]};
  _nn_plan_add_prim(pl, prim, vals);
  return TRUE;
}

/* --- Element-wise binary ------------------------------------------------------ */

static gboolean
broadcast(const NnNode *n, const NnPVal *a, const NnPVal *b, int *rank, int64_t *dims,
          GError **error)
{
  *rank = MAX(a->rank, b->rank);
  for (int i = 0; i < *rank; i++) {
    int ia = i - (*rank - a->rank), ib = i - (*rank - b->rank);
    int64_t da = ia >= 0 ? a->dims[ia] : 1, db = ib >= 0 ? b->dims[ib] : 1;
    if (da != db && da != 1 && db != 1) {
      g_autofree char *sa = _nn_shape_string(a->dims, a->rank);
      g_autofree char *sb = _nn_shape_string(b->dims, b->rank);
      return _nn_fail(error, DERUSH_NN_ERROR_SHAPE, n, "shapes %s and %s do not broadcast", sa, sb);
    }
    dims[i] = da == 1 ? db : da;
  }
  return TRUE;
}

/* Strides that read @p broadcast onto @dims (0 along broadcast axes). */
static void
broadcast_strides(const NnPVal *p, int rank, const int64_t *dims, int64_t *strides)
{
  int64_t own[NN_MAX_RANK];
  _nn_strides(p->dims, p->rank, own);
  for (int i = 0; i < rank; i++) {
    int ip = i - (rank - p->rank);
    strides[i] = ip >= 0 && p->dims[ip] == dims[i] && dims[i] != 1 ? own[ip] : 0;
  }
}

static NnHostBinary
host_binary_op(const char *op)
{
  static const char *const names[] = {
      [NN_HOST_ADD] = "Add",         [NN_HOST_SUB] = "Sub",     [NN_HOST_MUL] = "Mul",
      [NN_HOST_DIV] = "Div",         [NN_HOST_POW] = "Pow",     [NN_HOST_MAX] = "Max",
      [NN_HOST_MIN] = "Min",         [NN_HOST_EQUAL] = "Equal", [NN_HOST_LESS] = "Less",
      [NN_HOST_GREATER] = "Greater",
  };
  for (gsize i = 0; i < G_N_ELEMENTS(names); i++)
    if (strcmp(op, names[i]) == 0)
      return (NnHostBinary)i;
  return NN_HOST_ADD;
}

static gboolean
plan_binary_host(NnPlan *pl, const NnNode *n, int rank, const int64_t *dims, GError **error)
{
  NnPVal *a = _nn_in(pl, n, 0), *b = _nn_in(pl, n, 1);
  NnBinaryParams *p = g_new0(NnBinaryParams, 1);
  p->op = host_binary_op(n->op);
  p->dtype = _nn_host_dtype(pl, n, 0);
  if (pl->folding && a->konst->dtype != b->konst->dtype) {
    g_free(p);
    return _nn_fail(error, DERUSH_NN_ERROR_MALFORMED, n, "inputs of types %s and %s",
                    _nn_dtype_name(a->konst->dtype), _nn_dtype_name(b->konst->dtype));
  }
  p->rank = rank;
  memcpy(p->dims, dims, sizeof(int64_t) * rank);
  broadcast_strides(a, rank, dims, p->a_strides);
  broadcast_strides(b, rank, dims, p->b_strides);
  int64_t od[1][NN_MAX_RANK];
  memcpy(od[0], dims, sizeof(int64_t) * rank);
  NnDtype dt = p->op >= NN_HOST_EQUAL ? NN_BOOL : p->dtype;
  if (!pl->folding && dt != NN_F32) {
    g_free(p);
    return _nn_fail(error, DERUSH_NN_ERROR_UNSUPPORTED, n, "a boolean result at run time");
  }
  return _nn_plan_add_host(pl, n, _nn_host_binary, p, g_free, 2, n->in, 1, n->out, &rank, od, &dt,
                           error);
}

/* The backend's view of @v as @rank dims (size-1 axes prepended); NULL when
 * only its plain layout can be reshaped so. */
static NnMd *
md_at_rank(NnPlan *pl, int v, int rank, int *use, GError **error)
{
  NnPVal *p = PVAL(pl, v);
  *use = v;
  if (p->rank == rank)
    return _nn_plan_md(pl, v);
  int64_t d[NN_MAX_RANK];
  for (int i = 0; i < rank; i++)
    d[i] = i < rank - p->rank ? 1 : p->dims[i - (rank - p->rank)];
  *use = _nn_plan_plain(pl, v, error);
  return *use < 0 ? NULL : _nn_md_plain(rank, d);
}

gboolean
_nn_plan_binary(NnPlan *pl, const NnNode *n, GError **error)
{
  NnPVal *a = _nn_in(pl, n, 0), *b = _nn_in(pl, n, 1);
  int rank;
  int64_t dims[NN_MAX_RANK];
  if (!broadcast(n, a, b, &rank, dims, error))
    return FALSE;
  static const char *const ops[] = {"Add", "Sub", "Mul", "Div", "Max", "Min"};
  int op = -1;
  for (int i = 0; i < (int)G_N_ELEMENTS(ops); i++)
    if (strcmp(n->op, ops[i]) == 0)
      op = i;
  if (pl->folding || op < 0 || (a->konst && b->konst))
    return plan_binary_host(pl, n, rank, dims, error);
  int i0 = 0, i1 = 1;
  gboolean a_full = a->rank == rank && memcmp(a->dims, dims, sizeof(int64_t) * rank) == 0;
  gboolean b_full = b->rank == rank && memcmp(b->dims, dims, sizeof(int64_t) * rank) == 0;
  gboolean commutes = op == NN_BIN_ADD || op == NN_BIN_MUL || op >= NN_BIN_MAX;
  if (!a_full || (a->konst && b_full && commutes)) {
    if (!(b_full && commutes))
      return plan_binary_host(pl, n, rank, dims, error);
    i0 = 1;
    i1 = 0;
  }
  int v0, v1;
  NnMd *m0 = md_at_rank(pl, n->in[i0], rank, &v0, error);
  if (!m0)
    return FALSE;
  if (PVAL(pl, v0)->konst) /* a constant as the full-size operand */
    v0 = _nn_plan_in_layout(pl, v0, m0, error);
  NnMd *m1 = md_at_rank(pl, n->in[i1], rank, &v1, error);
  if (!m1 || v0 < 0) {
    _nn_md_free(m0);
    _nn_md_free(m1);
    return FALSE;
  }
  if (PVAL(pl, v1)->konst)
    v1 = _nn_plan_plain(pl, v1, error); /* float32 */
  NnMd *dst = NULL;
  NnPrim *prim = _nn_prim_binary(pl->be, (NnBinary)op, m0, m1, &dst, NULL);
  _nn_md_free(m0);
  _nn_md_free(m1);
  if (!prim)
    return plan_binary_host(pl, n, rank, dims, error);
  _nn_plan_set_runtime(pl, n->out[0], rank, dims, dst);
  int vals[3] = {v0, v1, n->out[0]};
  _nn_plan_add_prim(pl, prim, vals);
  return TRUE;
}

/* --- Concat ----------------------------------------------------------------- */

/* A Concat with no copy: its inputs' producers write straight into the
 * output at their offsets.  That needs every input at a whole number of
 * blocks along @axis in a layout where such a slice is itself a dense or
 * blocked tensor: axis 1 with one image (or only size-1 dims before the
 * axis), each input a runtime value placed nowhere else. */
static gboolean
concat_in_place(NnPlan *pl, const NnNode *n, int axis, int rank, const int64_t *dims)
{
  if (axis != 1)
    return FALSE;
  for (int i = 0; i < axis; i++)
    if (dims[i] != 1)
      return FALSE;
  int64_t inner = _nn_numel(dims + axis + 1, rank - axis - 1);
  NnMd *whole = NULL;
  int64_t at = 0;
  gboolean ok = TRUE;
  for (int k = 0; ok && k < n->n_in; k++) {
    NnPVal *p = _nn_in(pl, n, k);
    ok = !p->konst && p->md && p->alias < 0 && !_nn_plan_is_input(pl, n->in[k]);
    for (int j = 0; ok && j < k; j++)
      ok = n->in[j] != n->in[k];
    int block = 0;
    NnMd *w = ok ? _nn_md_with_dims(p->md, rank, dims, &block) : NULL;
    ok = w && (!whole || _nn_md_equal(w, whole)) && at % block == 0 &&
         (k == n->n_in - 1 || p->dims[axis] % block == 0);
    if (whole)
      _nn_md_free(w);
    else
      whole = w;
    at += p->dims[axis];
  }
  if (!ok) {
    _nn_md_free(whole);
    return FALSE;
  }
  _nn_plan_set_runtime(pl, n->out[0], rank, dims, whole);
  at = 0;
  for (int k = 0; k < n->n_in; k++) {
    _nn_plan_alias(pl, n->in[k], n->out[0], (size_t)(at * inner) * sizeof(float));
    at += _nn_in(pl, n, k)->dims[axis];
  }
  return TRUE;
}

static gboolean
plan_concat(NnPlan *pl, const NnNode *n, GError **error)
{
  NnPVal *first = _nn_in(pl, n, 0);
  int rank = first->rank;
  int64_t axis = _nn_attr_int(n, "axis", 1);
  if (!_nn_axis(n, &axis, rank, error))
    return FALSE;
  int64_t dims[NN_MAX_RANK];
  memcpy(dims, first->dims, sizeof(dims));
  dims[axis] = 0;
  gboolean any_const = FALSE;
  for (int k = 0; k < n->n_in; k++) {
    NnPVal *p = _nn_in(pl, n, k);
    if (!p || p->rank != rank)
      return _nn_fail(error, DERUSH_NN_ERROR_SHAPE, n, "input %d is missing or of another rank", k);
    for (int i = 0; i < rank; i++)
      if (i != axis && p->dims[i] != first->dims[i])
        return _nn_fail(error, DERUSH_NN_ERROR_SHAPE, n, "input %d differs on axis %d", k, i);
    dims[axis] += p->dims[axis];
    any_const |= p->konst != NULL || p->dims[axis] == 0;
  }
  if (pl->folding || any_const || n->n_in == 1)
    return _nn_plan_concat_host(pl, n, (int)axis, rank, dims, error);
  if (concat_in_place(pl, n, (int)axis, rank, dims))
    return TRUE;
  NnMd **mds = g_new(NnMd *, n->n_in);
  for (int k = 0; k < n->n_in; k++)
    mds[k] = _nn_plan_md(pl, n->in[k]);
  NnMd *dst = NULL;
  NnPrim *prim = _nn_prim_concat(pl->be, n->n_in, (const NnMd *const *)mds, (int)axis, &dst, NULL);
  for (int k = 0; k < n->n_in; k++)
    _nn_md_free(mds[k]);
  g_free(mds);
  if (!prim)
    return _nn_plan_concat_host(pl, n, (int)axis, rank, dims, error);
  _nn_plan_set_runtime(pl, n->out[0], rank, dims, dst);
  int *vals = g_new(int, n->n_in + 1);
  memcpy(vals, n->in, sizeof(int) * n->n_in);
  vals[n->n_in] = n->out[0];
  _nn_plan_add_prim(pl, prim, vals);
  g_free(vals);
  return TRUE;
}

/* --- Resize / Upsample ------------------------------------------------------- */

static gboolean
plan_resize(NnPlan *pl, const NnNode *n, GError **error)
{
  NnPVal *x = _nn_in(pl, n, 0);
  int rank = x->rank;
  double scales[NN_MAX_RANK];
  int64_t out[NN_MAX_RANK];
  gboolean have = FALSE;
  NnPVal *sizes = strcmp(n->op, "Resize") == 0 && pl->g->opset >= 11 ? _nn_in(pl, n, 3) : NULL;
  int scales_in = strcmp(n->op, "Resize") == 0 && pl->g->opset >= 11 ? 2 : 1;
  NnPVal *sc = _nn_in(pl, n, scales_in);
  if (sizes && _nn_numel(sizes->dims, sizes->rank) > 0) {
    if (_nn_const_ints(pl, n, 3, out, NN_MAX_RANK, error) != rank)
      return error && *error
                 ? FALSE
                 : _nn_fail(error, DERUSH_NN_ERROR_SHAPE, n, "sizes do not match the input rank");
    for (int i = 0; i < rank; i++)
      scales[i] = (double)out[i] / (double)x->dims[i];
    have = TRUE;
  } else if (sc && _nn_numel(sc->dims, sc->rank) > 0) {
    if (!sc->konst || _nn_numel(sc->dims, sc->rank) != rank)
      return _nn_fail(error, DERUSH_NN_ERROR_UNSUPPORTED, n,
                      "scales must be a constant of the input's rank");
    for (int i = 0; i < rank; i++) {
      scales[i] = _nn_tensor_get(sc->konst, i);
      out[i] = (int64_t)floor(x->dims[i] * scales[i]);
    }
    have = TRUE;
  } else {
    const NnAttr *a = _nn_attr(n, "scales");
    if (a && a->type == NN_ATTR_FLOATS && a->n == rank) {
      for (int i = 0; i < rank; i++) {
        scales[i] = a->floats[i];
        out[i] = (int64_t)floor(x->dims[i] * scales[i]);
      }
      have = TRUE;
    }
  }
  if (!have)
    return _nn_fail(error, DERUSH_NN_ERROR_MALFORMED, n, "neither scales nor sizes given");
  const char *mode = _nn_attr_string(n, "mode", "nearest");
  const char *coord = _nn_attr_string(
      n, "coordinate_transformation_mode",
      strcmp(n->op, "Upsample") == 0 || pl->g->opset < 11 ? "asymmetric" : "half_pixel");
  const char *nearest = _nn_attr_string(n, "nearest_mode", "round_prefer_floor");
  gboolean linear = strcmp(mode, "linear") == 0 || strcmp(mode, "bilinear") == 0;
  gboolean ok = rank >= 3 && rank <= 5 && out[0] == x->dims[0] && out[1] == x->dims[1];
  for (int i = 2; ok && i < rank; i++) {
    if (out[i] < 1)
      return _nn_fail(error, DERUSH_NN_ERROR_SHAPE, n, "output size %" G_GINT64_FORMAT, out[i]);
    if (linear) /* oneDNN maps through out / in, not through a given scale */
      ok = (strcmp(coord, "half_pixel") == 0 ||
            (strcmp(coord, "pytorch_half_pixel") == 0 && out[i] > 1)) &&
           fabs(scales[i] - (double)out[i] / (double)x->dims[i]) < 1e-6;
    else
      /* oneDNN's nearest picks floor((o + .5) / f - .5 + .5): the same
       * pixel as asymmetric/floor when f is a whole number. */
      ok = strcmp(mode, "nearest") == 0 && strcmp(coord, "asymmetric") == 0 &&
           (strcmp(nearest, "floor") == 0 || pl->g->opset < 11) && out[i] % x->dims[i] == 0 &&
           fabs(scales[i] - (double)(out[i] / x->dims[i])) < 1e-6;
    ok = ok && (linear || strcmp(mode, "nearest") == 0);
  }
  if (!ok || pl->folding || x->konst)
    return _nn_fail(error, DERUSH_NN_ERROR_UNSUPPORTED, n,
                    "mode %s with %s coordinates (%s) is not supported", mode, coord, nearest);
  g_autoptr(GError) local = NULL;
  NnMd *src = _nn_plan_md(pl, n->in[0]), *dst = NULL;
  NnPrim *prim = _nn_prim_resample(pl->be, src, linear, out, &dst, &local);
  _nn_md_free(src);
  if (!prim)
    return _nn_fail(error, DERUSH_NN_ERROR_BACKEND, n, "%s", local->message);
  _nn_plan_set_runtime(pl, n->out[0], rank, out, dst);
  int vals[2] = {n->in[0], n->out[0]};
  _nn_plan_add_prim(pl, prim, vals);
  return TRUE;
}

/* --- The table ---------------------------------------------------------------- */

static gboolean
plan_constant(NnPlan *pl, const NnNode *n, GError **error)
{
  return TRUE; /* turned into a constant value by the reader */
}

static const NnOpInfo ops[] = {
    {"", "Conv", 2, 3, _nn_plan_conv},
    {"", "BatchNormalization", 5, 5, plan_batchnorm},
    {"", "MaxPool", 1, 1, _nn_plan_pool},
    {"", "AveragePool", 1, 1, _nn_plan_pool},
    {"", "GlobalAveragePool", 1, 1, _nn_plan_pool},
    {"", "GlobalMaxPool", 1, 1, _nn_plan_pool},
    {"", "Relu", 1, 1, plan_unary},
    {"", "LeakyRelu", 1, 1, plan_unary},
    {"", "Sigmoid", 1, 1, plan_unary},
    {"", "Clip", 1, 3, plan_unary},
    {"", "HardSwish", 1, 1, plan_unary},
    {"", "Exp", 1, 1, plan_unary},
    {"", "Tanh", 1, 1, plan_unary},
    {"", "Abs", 1, 1, plan_unary},
    {"", "Sqrt", 1, 1, plan_unary},
    {"", "Log", 1, 1, plan_unary},
    {"", "Neg", 1, 1, plan_unary},
    {"", "Add", 2, 2, _nn_plan_binary},
    {"", "Sub", 2, 2, _nn_plan_binary},
    {"", "Mul", 2, 2, _nn_plan_binary},
    {"", "Div", 2, 2, _nn_plan_binary},
    {"", "Pow", 2, 2, _nn_plan_binary},
    {"", "Equal", 2, 2, _nn_plan_binary},
    {"", "Less", 2, 2, _nn_plan_binary},
    {"", "Greater", 2, 2, _nn_plan_binary},
    {"", "Concat", 1, 64, plan_concat},
    {"", "Resize", 1, 4, plan_resize},
    {"", "Upsample", 1, 2, plan_resize},
    {"", "Constant", 0, 0, plan_constant},
    {"", "Slice", 1, 5, _nn_plan_slice},
    {"", "Reshape", 1, 2, _nn_plan_reshape},
    {"", "Flatten", 1, 1, _nn_plan_flatten},
    {"", "Squeeze", 1, 2, _nn_plan_squeeze},
    {"", "Unsqueeze", 1, 2, _nn_plan_unsqueeze},
    {"", "Identity", 1, 1, _nn_plan_identity},
    {"", "Dropout", 1, 3, _nn_plan_identity},
    {"", "Transpose", 1, 1, _nn_plan_transpose},
    {"", "Shape", 1, 1, _nn_plan_shape},
    {"", "Gather", 2, 2, _nn_plan_gather},
    {"", "Cast", 1, 1, _nn_plan_cast},
    {"", "ConstantOfShape", 1, 1, _nn_plan_constant_of_shape},
    {"", "Softmax", 1, 1, _nn_plan_softmax},
    {"", "LogSoftmax", 1, 1, _nn_plan_softmax},
    {"", "ReduceSum", 1, 2, _nn_plan_reduce},
    {"", "ReduceMean", 1, 1, _nn_plan_reduce},
    {"", "ReduceMax", 1, 1, _nn_plan_reduce},
    {"", "ReduceMin", 1, 1, _nn_plan_reduce},
    {"", "MatMul", 2, 2, _nn_plan_matmul},
    {"", "Gemm", 2, 3, _nn_plan_gemm},
    {"", "Split", 1, 2, _nn_plan_split},
    {"", "Pad", 1, 4, _nn_plan_pad},
    {"", "QuantizeLinear", 2, 3, _nn_plan_quantize},
    {"", "DequantizeLinear", 2, 3, _nn_plan_quantize},
    {"", "QLinearConv", 8, 9, _nn_plan_qlinear_conv},
    {"", "QLinearMatMul", 8, 8, _nn_plan_qlinear_matmul},
    /* onnxruntime's contrib operators, as quantized MobileNets use them. */
    {"com.microsoft", "QLinearAdd", 7, 8, _nn_plan_qlinear_add},
    {"com.microsoft", "QLinearGlobalAveragePool", 5, 5, _nn_plan_qlinear_pool},
};

const NnOpInfo *
_nn_op_lookup(const char *domain, const char *op)
{
  for (gsize i = 0; i < G_N_ELEMENTS(ops); i++)
    if (strcmp(ops[i].name, op) == 0 && strcmp(ops[i].domain, domain) == 0)
      return &ops[i];
  return NULL;
}

gboolean
_nn_op_validate(const NnGraph *g, const NnNode *n, GError **error)
{
  const NnOpInfo *info = _nn_op_lookup(n->domain, n->op);
  if (!info)
    return _nn_fail(error, DERUSH_NN_ERROR_UNSUPPORTED, n, "operator %s%s%s is not supported",
                    n->domain, *n->domain ? "." : "", n->op);
  int present = n->n_in;
  if (n->n_in < info->min_in || n->n_in > info->max_in)
    return _nn_fail(error, DERUSH_NN_ERROR_MALFORMED, n, "%d inputs, expected %d to %d", present,
                    info->min_in, info->max_in);
  for (int k = 0; k < info->min_in; k++)
    if (n->in[k] < 0)
      return _nn_fail(error, DERUSH_NN_ERROR_MALFORMED, n, "required input %d is empty", k);
  if (n->n_out < 1 && strcmp(n->op, "Constant") != 0)
    return _nn_fail(error, DERUSH_NN_ERROR_MALFORMED, n, "no output");
  return TRUE;
}
