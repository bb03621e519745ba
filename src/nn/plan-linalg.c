/* plan-linalg.c: Gemm and MatMul.  A constant right-hand matrix (a
 * classifier's weights) runs as a oneDNN matmul; the general case (both
 * operands computed, transposed A, broadcast batches, a full-size bias) runs
 * as a host kernel, which is also what folds constant products. */
#include "nn/plan-ops.h"
#include <string.h>

/* Element strides of @p read as a matrix [rows, cols] (its last two axes,
 * swapped when @trans), and the batch offsets @p's batch axes give inside the
 * output's batch shape @bdims (@brank axes; broadcast axes read offset 0). */
static void
matrix_view(const NnPVal *p, gboolean trans, int brank, const int64_t *bdims, int64_t batch,
            int64_t *rs, int64_t *cs, int64_t *off)
{
  int64_t st[NN_MAX_RANK];
  _nn_strides(p->dims, p->rank, st);
  *rs = st[p->rank - 2];
  *cs = st[p->rank - 1];
  if (trans) {
    int64_t t = *rs;
    *rs = *cs;
    *cs = t;
  }
  int own = p->rank - 2;
  int64_t idx[NN_MAX_RANK] = {0};
  for (int64_t b = 0; b < batch; b++) {
    int64_t o = 0;
    for (int d = 0; d < brank; d++) {
      int od = d - (brank - own);
      if (od >= 0 && p->dims[od] != 1)
        o += idx[d] * st[od];
    }
    off[b] = o;
    for (int d = brank - 1; d >= 0; d--) {
      if (++idx[d] < bdims[d])
        break;
      idx[d] = 0;
    }
  }
}

static gboolean
check_f32(NnPlan *pl, const NnNode *n, GError **error)
{
  for (int k = 0; k < n->n_in; k++)
    if (_nn_in(pl, n, k) && _nn_host_dtype(pl, n, k) != NN_F32 && pl->folding)
      return _nn_fail(error, DERUSH_NN_ERROR_UNSUPPORTED, n, "input %d of type %s", k,
                      _nn_dtype_name(_nn_host_dtype(pl, n, k)));
  return TRUE;
}

/* Y = alpha * op(A) x op(B) + beta * C on the host; @a and @b are views of
 * rank >= 2 (1-D MatMul operands already given a unit axis). */
static gboolean
plan_gemm_host(NnPlan *pl, const NnNode *n, const NnPVal *a, const NnPVal *b, gboolean ta,
               gboolean tb, float alpha, float beta, int out_rank, const int64_t *out_dims,
               GError **error)
{
  if (!check_f32(pl, n, error))
    return FALSE;
  int brank = MAX(a->rank, b->rank) - 2;
  int64_t bdims[NN_MAX_RANK];
  for (int d = 0; d < brank; d++) {
    int da = d - (brank - (a->rank - 2)), db = d - (brank - (b->rank - 2));
    int64_t x = da >= 0 ? a->dims[da] : 1, y = db >= 0 ? b->dims[db] : 1;
    if (x != y && x != 1 && y != 1)
      return _nn_fail(error, DERUSH_NN_ERROR_SHAPE, n, "batch dimensions do not broadcast");
    bdims[d] = x == 1 ? y : x;
  }
  NnGemmParams *p = g_new0(NnGemmParams, 1);
  p->batch = _nn_numel(bdims, brank);
  p->m = a->dims[a->rank - (ta ? 1 : 2)];
  p->k = a->dims[a->rank - (ta ? 2 : 1)];
  p->n = b->dims[b->rank - (tb ? 2 : 1)];
  p->alpha = alpha;
  p->beta = beta;
  p->a_off = g_new(int64_t, MAX(p->batch, 1));
  p->b_off = g_new(int64_t, MAX(p->batch, 1));
  matrix_view(a, ta, brank, bdims, p->batch, &p->a_rs, &p->a_cs, p->a_off);
  matrix_view(b, tb, brank, bdims, p->batch, &p->b_rs, &p->b_cs, p->b_off);
  if (b->dims[b->rank - (tb ? 1 : 2)] != p->k) {
    _nn_gemm_params_free(p);
    return _nn_fail(error, DERUSH_NN_ERROR_SHAPE, n, "inner dimensions differ");
  }
  NnPVal *c = strcmp(n->op, "Gemm") == 0 ? _nn_in(pl, n, 2) : NULL;
  if (c) {
    /* C broadcasts onto [M, N]: unidirectionally, from the right. */
    int64_t cm = c->rank >= 2 ? c->dims[c->rank - 2] : 1,
            cn = c->rank >= 1 ? c->dims[c->rank - 1] : 1;
    if (c->rank > 2 || (cm != 1 && cm != p->m) || (cn != 1 && cn != p->n)) {
      _nn_gemm_params_free(p);
      return _nn_fail(error, DERUSH_NN_ERROR_SHAPE, n, "C does not broadcast to the output");
    }
    p->has_c = TRUE;
    p->c_rs = cm == 1 ? 0 : cn;
    p->c_cs = cn == 1 ? 0 : 1;
  }
  int64_t dims[1][NN_MAX_RANK];
  memcpy(dims[0], out_dims, sizeof(int64_t) * out_rank);
  NnDtype dt = NN_F32;
  int in[3] = {n->in[0], n->in[1], c ? n->in[2] : -1};
  return _nn_plan_add_host(pl, n, _nn_host_gemm, p, _nn_gemm_params_free, c ? 3 : 2, in, 1, n->out,
                           &out_rank, dims, &dt, error);
}

/* Y = src x W (+ bias) with W a constant [K, N] float32 the plan owns, on
 * oneDNN; FALSE without an error when oneDNN has no kernel. */
static gboolean
plan_matmul_dnnl(NnPlan *pl, const NnNode *n, int src, NnTensor *w, NnTensor *bias, int out_rank,
                 const int64_t *out_dims, GError **error)
{
  g_ptr_array_add(pl->konsts, w);
  if (bias)
    g_ptr_array_add(pl->konsts, bias);
  int in = _nn_plan_plain(pl, src, error);
  if (in < 0)
    return FALSE;
  NnMd *md = _nn_plan_md(pl, in), *dst = NULL;
  NnPrim *prim = _nn_prim_matmul(pl->be, md, w, bias, &dst, NULL);
  _nn_md_free(md);
  if (!prim)
    return FALSE;
  _nn_plan_set_runtime(pl, n->out[0], out_rank, out_dims, dst);
  int vals[2] = {in, n->out[0]};
  _nn_plan_add_prim(pl, prim, vals);
  return TRUE;
}

/* A constant matrix (rank 2) as float32 [K, N], optionally transposed and
 * scaled. */
static NnTensor *
weights_kn(NnPlan *pl, int v, gboolean trans, float alpha)
{
  const NnTensor *b = _nn_plan_f32(pl, v);
  int64_t k = b->dims[trans ? 1 : 0], nn = b->dims[trans ? 0 : 1];
  int64_t d[2] = {k, nn};
  NnTensor *w = _nn_tensor_new(NN_F32, 2, d);
  for (int64_t i = 0; i < k; i++)
    for (int64_t j = 0; j < nn; j++)
      ((float *)w->data)[i * nn + j] =
          alpha * ((const float *)b->data)[trans ? j * k + i : i * nn + j];
  return w;
}

gboolean
_nn_plan_matmul(NnPlan *pl, const NnNode *n, GError **error)
{
  NnPVal a = *_nn_in(pl, n, 0), b = *_nn_in(pl, n, 1);
  if (a.rank < 1 || b.rank < 1 || a.rank > NN_MAX_RANK - 1 || b.rank > NN_MAX_RANK - 1)
    return _nn_fail(error, DERUSH_NN_ERROR_SHAPE, n, "operand ranks %d and %d", a.rank, b.rank);
  /* 1-D operands take a unit axis (dropped from the output again). */
  gboolean a1 = a.rank == 1, b1 = b.rank == 1;
  if (a1) {
    a.dims[1] = a.dims[0];
    a.dims[0] = 1;
    a.rank = 2;
  }
  if (b1) {
    b.dims[1] = 1;
    b.rank = 2;
  }
  int rank = MAX(a.rank, b.rank);
  int64_t dims[NN_MAX_RANK];
  for (int d = 0; d < rank - 2; d++) {
    int da = d - (rank - a.rank), db = d - (rank - b.rank);
    int64_t x = da >= 0 ? a.dims[da] : 1, y = db >= 0 ? b.dims[db] : 1;
    dims[d] = x == 1 ? y : x;
  }
  dims[rank - 2] = a.dims[a.rank - 2];
  dims[rank - 1] = b.dims[b.rank - 1];
  int out_rank = rank;
  if (b1)
    out_rank--;
  if (a1) {
    dims[out_rank - (b1 ? 1 : 2)] = dims[out_rank - (b1 ? 0 : 1)];
    out_rank--;
  }
  if (!pl->folding && !a.konst && b.konst && b.rank == 2 && !a1 && !b1 &&
      a.dims[a.rank - 1] == b.dims[0] &&
      plan_matmul_dnnl(pl, n, n->in[0], weights_kn(pl, n->in[1], FALSE, 1.0f), NULL, out_rank, dims,
                       error))
    return TRUE;
  if (error && *error)
    return FALSE;
  return plan_gemm_host(pl, n, &a, &b, FALSE, FALSE, 1.0f, 0.0f, out_rank, dims, error);
}

gboolean
_nn_plan_gemm(NnPlan *pl, const NnNode *n, GError **error)
{
  NnPVal *a = _nn_in(pl, n, 0), *b = _nn_in(pl, n, 1), *c = _nn_in(pl, n, 2);
  if (a->rank != 2 || b->rank != 2)
    return _nn_fail(error, DERUSH_NN_ERROR_SHAPE, n, "A and B must be matrices (ranks %d, %d)",
                    a->rank, b->rank);
  gboolean ta = _nn_attr_int(n, "transA", 0) != 0, tb = _nn_attr_int(n, "transB", 0) != 0;
  float alpha = _nn_attr_float(n, "alpha", 1.0f), beta = _nn_attr_float(n, "beta", 1.0f);
  int64_t dims[2] = {a->dims[ta ? 1 : 0], b->dims[tb ? 0 : 1]};
  int64_t k = a->dims[ta ? 0 : 1];
  if (b->dims[tb ? 1 : 0] != k)
    return _nn_fail(error, DERUSH_NN_ERROR_SHAPE, n,
                    "A has %" G_GINT64_FORMAT " columns, B %" G_GINT64_FORMAT " rows", k,
                    b->dims[tb ? 1 : 0]);
  /* The classifier case: constant B, a bias of N values (or none). */
  gboolean row_bias = !c || (c->konst && _nn_numel(c->dims, c->rank) == dims[1] &&
                             (c->rank == 1 || (c->rank == 2 && c->dims[0] == 1)));
  if (!pl->folding && !a->konst && !ta && b->konst && row_bias) {
    NnTensor *bias = NULL;
    if (c) {
      const NnTensor *cf = _nn_plan_f32(pl, n->in[2]);
      int64_t bd[2] = {1, dims[1]};
      bias = _nn_tensor_new(NN_F32, 2, bd);
      for (int64_t j = 0; j < dims[1]; j++)
        ((float *)bias->data)[j] = beta * ((const float *)cf->data)[j];
    }
    if (plan_matmul_dnnl(pl, n, n->in[0], weights_kn(pl, n->in[1], tb, alpha), bias, 2, dims,
                         error))
      return TRUE;
    if (error && *error)
      return FALSE;
  }
  return plan_gemm_host(pl, n, a, b, ta, tb, alpha, beta, 2, dims, error);
}
