/* plan-quant.c: the int8 operators (QuantizeLinear, DequantizeLinear,
 * QLinearConv, QLinearMatMul, and onnxruntime's QLinearAdd and
 * QLinearGlobalAveragePool), run in float32.
 *
 * A quantized tensor is carried as float32 holding its integer values (so
 * graph inputs and outputs of uint8/int8 type read and write those
 * integers).  Each QLinear operator dequantizes its inputs ((q - zero) *
 * scale: one oneDNN eltwise pass, or folded at load for constant weights,
 * which become float32 there), runs the float operator, and requantizes its
 * output (round half to even, saturate) as oneDNN post-ops or eltwise passes.
 * The results are the integer kernels' up to float rounding at exact ties. */
#include "nn/plan-ops.h"
#include <string.h>

/* The scale and zero point of one quantized operand, per tensor (n = 1) or
 * per channel along @axis. */
typedef struct {
  int64_t n;
  float *scale, *zero;
  float qmin, qmax;
  NnDtype qtype;
} QParams;

static void
qparams_clear(QParams *q)
{
  g_free(q->scale);
  g_free(q->zero);
}

static gboolean
qparams(NnPlan *pl, const NnNode *n, int k_scale, int k_zero, QParams *q, GError **error)
{
  NnPVal *s = _nn_in(pl, n, k_scale), *z = _nn_in(pl, n, k_zero);
  *q = (QParams){0};
  if (!s || !s->konst || (z && !z->konst))
    return _nn_fail(error, DERUSH_NN_ERROR_UNSUPPORTED, n,
                    "scale and zero point (inputs %d and %d) must be constants", k_scale, k_zero);
  q->n = _nn_numel(s->dims, s->rank);
  if (q->n < 1 || s->rank > 1 || (z && _nn_numel(z->dims, z->rank) != q->n))
    return _nn_fail(error, DERUSH_NN_ERROR_SHAPE, n,
                    "scale (input %d) and zero point must have one value or one per channel",
                    k_scale);
  q->qtype = z ? z->konst->dtype : NN_U8;
  q->qmin = q->qtype == NN_I8 ? -128 : 0;
  q->qmax = q->qtype == NN_I8 ? 127 : 255;
  if (q->qtype != NN_U8 && q->qtype != NN_I8 && q->qtype != NN_I32)
    return _nn_fail(error, DERUSH_NN_ERROR_UNSUPPORTED, n, "zero point of type %s",
                    _nn_dtype_name(q->qtype));
  q->scale = g_new(float, q->n);
  q->zero = g_new0(float, q->n);
  for (int64_t i = 0; i < q->n; i++) {
    q->scale[i] = (float)_nn_tensor_get(s->konst, i);
    if (z)
      q->zero[i] = (float)_nn_tensor_get(z->konst, i);
    if (!(q->scale[i] > 0) && !pl->folding) {
      qparams_clear(q);
      return _nn_fail(error, DERUSH_NN_ERROR_MALFORMED, n, "scale %g is not positive",
                      (double)q->scale[i]);
    }
  }
  return TRUE;
}

/* A host (de)quantization of @v into @out along @axis; folded now when @v
 * is a constant. */
static gboolean
host_quant(NnPlan *pl, const NnNode *n, gboolean quantize, int v, int out, const QParams *q,
           int64_t axis, GError **error)
{
  NnPVal *x = PVAL(pl, v);
  if (q->n > 1 && (axis < 0 || axis >= x->rank || x->dims[axis] != q->n)) {
    g_autofree char *shape = _nn_shape_string(x->dims, x->rank);
    return _nn_fail(error, DERUSH_NN_ERROR_SHAPE, n,
                    "%" G_GINT64_FORMAT " scales for axis %" G_GINT64_FORMAT " of a %s tensor",
                    q->n, axis, shape);
  }
  gboolean was = pl->folding;
  pl->folding = x->konst != NULL;
  NnQuantParams *p = g_new0(NnQuantParams, 1);
  p->quantize = quantize;
  p->in_dtype = pl->folding ? x->konst->dtype : NN_F32;
  p->out_dtype = !pl->folding ? NN_F32 : quantize ? q->qtype : NN_F32;
  p->c = q->n;
  p->outer = q->n > 1 ? _nn_numel(x->dims, (int)axis) : _nn_numel(x->dims, x->rank);
  p->inner = q->n > 1 ? _nn_numel(x->dims + axis + 1, x->rank - (int)axis - 1) : 1;
  p->scale = g_memdup2(q->scale, sizeof(float) * q->n);
  p->zero = g_memdup2(q->zero, sizeof(float) * q->n);
  p->qmin = q->qmin;
  p->qmax = q->qmax;
  int rank = x->rank;
  int64_t dims[1][NN_MAX_RANK];
  memcpy(dims[0], x->dims, sizeof(dims[0]));
  NnDtype dt = p->out_dtype;
  gboolean ok = _nn_plan_add_host(pl, n, _nn_host_quant, p, _nn_quant_params_free, 1, &v, 1, &out,
                                  &rank, dims, &dt, error);
  pl->folding = was;
  return ok;
}

/* One oneDNN eltwise pass from @v into @out, in @v's layout. */
static gboolean
eltwise(NnPlan *pl, const NnNode *n, int v, int out, NnAct act, float alpha, float beta,
        GError **error)
{
  g_autoptr(GError) local = NULL;
  NnMd *src = _nn_plan_md(pl, v), *dst = NULL;
  NnPrim *prim = _nn_prim_eltwise(pl->be, src, act, alpha, beta, &dst, &local);
  _nn_md_free(src);
  if (!prim)
    return _nn_fail(error, DERUSH_NN_ERROR_BACKEND, n, "%s", local->message);
  _nn_plan_set_runtime(pl, out, PVAL(pl, v)->rank, PVAL(pl, v)->dims, dst);
  int vals[2] = {v, out};
  _nn_plan_add_prim(pl, prim, vals);
  return TRUE;
}

static int
new_like(NnPlan *pl, int v)
{
  return _nn_plan_new_val(pl, PVAL(pl, v)->rank, PVAL(pl, v)->dims);
}

/* Node input @k dequantized to float32 (a new value): folded for a
 * constant, one eltwise pass at run time (per-tensor scale). */
static int
dequantized(NnPlan *pl, const NnNode *n, int k, const QParams *q, int64_t axis, GError **error)
{
  int v = n->in[k], out = new_like(pl, v);
  if (PVAL(pl, v)->konst || q->n > 1)
    return host_quant(pl, n, FALSE, v, out, q, axis, error) ? out : -1;
  return eltwise(pl, n, v, out, NN_ACT_LINEAR, q->scale[0], -q->zero[0] * q->scale[0], error) ? out
                                                                                              : -1;
}

/* The post-ops that requantize a float result. */
static int
requant_ops(const QParams *q, NnPostOp *ops)
{
  ops[0] = (NnPostOp){.act = NN_ACT_LINEAR, .alpha = 1.0f / q->scale[0], .beta = q->zero[0]};
  ops[1] = (NnPostOp){.act = NN_ACT_ROUND};
  ops[2] = (NnPostOp){.act = NN_ACT_CLIP, .alpha = q->qmin, .beta = q->qmax};
  return 3;
}

/* Float value @v requantized into the node's output. */
static gboolean
requantize(NnPlan *pl, const NnNode *n, int v, const QParams *q, GError **error)
{
  if (PVAL(pl, v)->konst || q->n > 1)
    return host_quant(pl, n, TRUE, v, n->out[0], q, 1, error);
  NnPostOp ops[3];
  requant_ops(q, ops);
  for (int i = 0; i < 3; i++) {
    int out = i == 2 ? n->out[0] : new_like(pl, v);
    if (!eltwise(pl, n, v, out, ops[i].act, ops[i].alpha, ops[i].beta, error))
      return FALSE;
    v = out;
  }
  return TRUE;
}

/* A float operator standing in for a quantized node: its planner runs on
 * @in into @out, its errors still name the node. */
static gboolean
run_float_op(NnPlan *pl, const NnNode *n, const char *op, NnPlanFn fn, int n_in, int *in, int out,
             const NnPostOp *post, int n_post, GError **error)
{
  g_autofree char *name = g_strdup_printf("%s (%s), as float", n->name, n->op);
  NnNode sub = *n;
  sub.name = name;
  sub.op = (char *)op;
  sub.domain = (char *)"";
  sub.n_in = n_in;
  sub.in = in;
  sub.n_out = 1;
  sub.out = &out;
  sub.n_post = n_post;
  if (n_post)
    memcpy(sub.post, post, sizeof(NnPostOp) * n_post);
  gboolean was = pl->folding;
  pl->folding = n_post == 0;
  for (int k = 0; k < n_in; k++)
    pl->folding &= in[k] < 0 || PVAL(pl, in[k])->konst != NULL;
  gboolean ok = fn(pl, &sub, error);
  pl->folding = was;
  return ok;
}

gboolean
_nn_plan_quantize(NnPlan *pl, const NnNode *n, GError **error)
{
  QParams q;
  if (!qparams(pl, n, 1, 2, &q, error))
    return FALSE;
  NnPVal *x = _nn_in(pl, n, 0);
  gboolean quantize = strcmp(n->op, "QuantizeLinear") == 0;
  if (!quantize && pl->folding)
    q.qtype = x->konst->dtype;
  if (quantize && q.qtype == NN_I32) {
    qparams_clear(&q);
    return _nn_fail(error, DERUSH_NN_ERROR_UNSUPPORTED, n, "quantization to int32");
  }
  int64_t axis = _nn_attr_int(n, "axis", 1);
  gboolean ok = q.n == 1 || _nn_axis(n, &axis, x->rank, error);
  ok = ok && host_quant(pl, n, quantize, n->in[0], n->out[0], &q, axis, error);
  qparams_clear(&q);
  return ok;
}

/* QLinearConv: x, x_scale, x_zero, w, w_scale, w_zero, y_scale, y_zero[, B]. */
gboolean
_nn_plan_qlinear_conv(NnPlan *pl, const NnNode *n, GError **error)
{
  QParams qx, qw, qy, qb = {0};
  gboolean ok = FALSE;
  if (!qparams(pl, n, 1, 2, &qx, error))
    return FALSE;
  if (!qparams(pl, n, 4, 5, &qw, error)) {
    qparams_clear(&qx);
    return FALSE;
  }
  if (!qparams(pl, n, 6, 7, &qy, error))
    goto out;
  NnPVal *w = _nn_in(pl, n, 3), *b = _nn_in(pl, n, 8);
  if (qx.n != 1 || qy.n != 1 || !w->konst || (b && !b->konst) || w->rank < 3) {
    _nn_fail(error, DERUSH_NN_ERROR_UNSUPPORTED, n,
             "needs per-tensor input and output scales and constant weights and bias");
    goto out;
  }
  int in[3] = {-1, -1, -1};
  if ((in[0] = dequantized(pl, n, 0, &qx, 1, error)) < 0 ||
      (in[1] = dequantized(pl, n, 3, &qw, 0, error)) < 0)
    goto out;
  if (b) { /* int32, scale x_scale * w_scale per output channel, zero 0 */
    qb.n = qw.n;
    qb.scale = g_new(float, qb.n);
    qb.zero = g_new0(float, qb.n);
    for (int64_t i = 0; i < qb.n; i++)
      qb.scale[i] = qx.scale[0] * qw.scale[i];
    if ((in[2] = new_like(pl, n->in[8])) < 0 ||
        !host_quant(pl, n, FALSE, n->in[8], in[2], &qb, 0, error))
      goto out;
  }
  NnPostOp post[3];
  int n_post = requant_ops(&qy, post);
  ok = run_float_op(pl, n, "Conv", _nn_plan_conv, b ? 3 : 2, in, n->out[0], post, n_post, error);
out:
  qparams_clear(&qx);
  qparams_clear(&qw);
  qparams_clear(&qy);
  qparams_clear(&qb);
  return ok;
}

/* The float operator @op on the dequantized inputs at @ks (scale k + 1,
 * zero k + 2 each), requantized with the scale and zero at @k_out. */
static gboolean
plan_qlinear(NnPlan *pl, const NnNode *n, const char *op, NnPlanFn fn, int n_ks, const int *ks,
             int k_out, GError **error)
{
  QParams q[3] = {{0}};
  int in[2] = {-1, -1};
  gboolean ok = FALSE;
  int i = 0;
  for (; i < n_ks; i++) {
    if (!qparams(pl, n, ks[i] + 1, ks[i] + 2, &q[i], error))
      goto out;
    /* Per-channel only for a constant matrix (columns of B). */
    if ((in[i] = dequantized(pl, n, ks[i], &q[i], PVAL(pl, n->in[ks[i]])->rank - 1, error)) < 0)
      goto out;
  }
  if (!qparams(pl, n, k_out, k_out + 1, &q[i++], error))
    goto out;
  if (q[n_ks].n != 1) {
    _nn_fail(error, DERUSH_NN_ERROR_UNSUPPORTED, n, "a per-channel output scale");
    goto out;
  }
  int y = _nn_plan_new_val(pl, 0, NULL);
  ok = run_float_op(pl, n, op, fn, n_ks, in, y, NULL, 0, error) &&
       requantize(pl, n, y, &q[n_ks], error);
out:
  for (int k = 0; k < 3; k++)
    qparams_clear(&q[k]);
  return ok;
}

/* QLinearMatMul: a, a_scale, a_zero, b, b_scale, b_zero, y_scale, y_zero. */
gboolean
_nn_plan_qlinear_matmul(NnPlan *pl, const NnNode *n, GError **error)
{
  static const int ks[2] = {0, 3};
  return plan_qlinear(pl, n, "MatMul", _nn_plan_matmul, 2, ks, 6, error);
}

/* com.microsoft QLinearAdd: A, A_scale, A_zero, B, B_scale, B_zero, C_scale, C_zero. */
gboolean
_nn_plan_qlinear_add(NnPlan *pl, const NnNode *n, GError **error)
{
  static const int ks[2] = {0, 3};
  if (n->n_in < 8 || n->in[7] < 0)
    return _nn_fail(error, DERUSH_NN_ERROR_UNSUPPORTED, n, "no output zero point");
  return plan_qlinear(pl, n, "Add", _nn_plan_binary, 2, ks, 6, error);
}

/* com.microsoft QLinearGlobalAveragePool: X, x_scale, x_zero, y_scale, y_zero. */
gboolean
_nn_plan_qlinear_pool(NnPlan *pl, const NnNode *n, GError **error)
{
  static const int ks[1] = {0};
  if (_nn_attr_int(n, "channels_last", 0))
    return _nn_fail(error, DERUSH_NN_ERROR_UNSUPPORTED, n, "channels_last=1");
  return plan_qlinear(pl, n, "GlobalAveragePool", _nn_plan_pool, 1, ks, 3, error);
}
