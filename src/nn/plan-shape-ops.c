/* plan-shape-ops.c: planners of the operators that move or reshape data
 * (host kernels on plain buffers; usually folded into constants when their
 * inputs are shapes), and the small reductions. */
#include "nn/plan-ops.h"
#include <string.h>

static size_t
esize_of(NnPlan *pl, const NnNode *n, int k)
{
  return _nn_dtype_size(_nn_host_dtype(pl, n, k));
}

/* One output of the given shape with input 0's dtype, from a host copy. */
static gboolean
emit_copy(NnPlan *pl, const NnNode *n, NnCopyParams *p, GError **error)
{
  NnDtype dt = _nn_host_dtype(pl, n, 0);
  p->esize = _nn_dtype_size(dt);
  int rank = p->rank;
  int64_t dims[1][NN_MAX_RANK];
  memcpy(dims[0], p->dims, sizeof(dims[0]));
  return _nn_plan_add_host(pl, n, _nn_host_copy, p, g_free, 1, n->in, 1, n->out, &rank, dims, &dt,
                           error);
}

gboolean
_nn_plan_reshape_to(NnPlan *pl, const NnNode *n, int rank, const int64_t *dims, GError **error)
{
  NnPVal *x = _nn_in(pl, n, 0);
  if (_nn_numel(dims, rank) != _nn_numel(x->dims, x->rank)) {
    g_autofree char *a = _nn_shape_string(x->dims, x->rank);
    g_autofree char *b = _nn_shape_string(dims, rank);
    return _nn_fail(error, DERUSH_NN_ERROR_SHAPE, n, "cannot reshape %s to %s", a, b);
  }
  NnCopyParams *p = g_new0(NnCopyParams, 1);
  p->rank = rank;
  memcpy(p->dims, dims, sizeof(int64_t) * rank);
  _nn_strides(dims, rank, p->strides);
  return emit_copy(pl, n, p, error);
}

gboolean
_nn_plan_identity(NnPlan *pl, const NnNode *n, GError **error)
{
  NnPVal *x = _nn_in(pl, n, 0);
  NnPVal *training = strcmp(n->op, "Dropout") == 0 ? _nn_in(pl, n, 2) : NULL;
  if (training && (!training->konst || _nn_tensor_get(training->konst, 0) != 0))
    return _nn_fail(error, DERUSH_NN_ERROR_UNSUPPORTED, n, "training-mode Dropout");
  return _nn_plan_reshape_to(pl, n, x->rank, x->dims, error);
}

gboolean
_nn_plan_reshape(NnPlan *pl, const NnNode *n, GError **error)
{
  NnPVal *x = _nn_in(pl, n, 0);
  int64_t shape[NN_MAX_RANK];
  int rank;
  if (n->n_in >= 2) {
    rank = _nn_const_ints(pl, n, 1, shape, NN_MAX_RANK, error);
    if (rank < 0)
      return FALSE;
  } else {
    const int64_t *v;
    rank = _nn_attr_ints(n, "shape", &v);
    if (rank > NN_MAX_RANK)
      return _nn_fail(error, DERUSH_NN_ERROR_UNSUPPORTED, n, "rank %d", rank);
    if (rank > 0) /* no "shape" attribute: v is NULL */
      memcpy(shape, v, sizeof(int64_t) * rank);
  }
  gboolean allowzero = _nn_attr_int(n, "allowzero", 0) != 0;
  int infer = -1;
  int64_t known = 1;
  for (int i = 0; i < rank; i++) {
    if (shape[i] == 0 && !allowzero) {
      if (i >= x->rank)
        return _nn_fail(error, DERUSH_NN_ERROR_SHAPE, n,
                        "dimension %d copies a missing input dimension", i);
      shape[i] = x->dims[i];
    }
    if (shape[i] == -1) {
      if (infer >= 0)
        return _nn_fail(error, DERUSH_NN_ERROR_MALFORMED, n, "more than one -1 in the shape");
      infer = i;
    } else if (shape[i] < 0) {
      return _nn_fail(error, DERUSH_NN_ERROR_MALFORMED, n, "negative dimension in the shape");
    } else if (__builtin_mul_overflow(known, shape[i], &known)) {
      /* The dimensions come from the file: their product may not fit. */
      return _nn_fail(error, DERUSH_NN_ERROR_MALFORMED, n, "the shape has too many elements");
    }
  }
  int64_t total = _nn_numel(x->dims, x->rank);
  if (infer >= 0) {
    if (known == 0 || total % known != 0)
      return _nn_fail(error, DERUSH_NN_ERROR_SHAPE, n, "cannot infer the -1 dimension");
    shape[infer] = total / known;
  }
  return _nn_plan_reshape_to(pl, n, rank, shape, error);
}

gboolean
_nn_plan_flatten(NnPlan *pl, const NnNode *n, GError **error)
{
  NnPVal *x = _nn_in(pl, n, 0);
  int64_t axis = _nn_attr_int(n, "axis", 1);
  if (axis != x->rank && !_nn_axis(n, &axis, x->rank, error))
    return FALSE;
  int64_t dims[2] = {_nn_numel(x->dims, (int)axis), _nn_numel(x->dims + axis, x->rank - (int)axis)};
  return _nn_plan_reshape_to(pl, n, 2, dims, error);
}

/* Axes from the attribute (old opsets) or input 1 (opset 13). */
static int
axes_of(NnPlan *pl, const NnNode *n, int64_t *axes, GError **error)
{
  if (n->n_in >= 2 && n->in[1] >= 0)
    return _nn_const_ints(pl, n, 1, axes, NN_MAX_RANK, error);
  const int64_t *v;
  int c = _nn_attr_ints(n, "axes", &v);
  if (c > NN_MAX_RANK) {
    _nn_fail(error, DERUSH_NN_ERROR_MALFORMED, n, "%d axes", c);
    return -1;
  }
  if (c > 0) /* no "axes" attribute: v is NULL (a Reduce over every axis) */
    memcpy(axes, v, sizeof(int64_t) * c);
  return c;
}

gboolean
_nn_plan_squeeze(NnPlan *pl, const NnNode *n, GError **error)
{
  NnPVal *x = _nn_in(pl, n, 0);
  int64_t axes[NN_MAX_RANK];
  int c = axes_of(pl, n, axes, error);
  if (c < 0)
    return FALSE;
  gboolean drop[NN_MAX_RANK] = {FALSE};
  for (int i = 0; i < c; i++) {
    if (!_nn_axis(n, &axes[i], x->rank, error))
      return FALSE;
    if (x->dims[axes[i]] != 1)
      return _nn_fail(error, DERUSH_NN_ERROR_SHAPE, n, "axis %" G_GINT64_FORMAT " is not 1",
                      axes[i]);
    drop[axes[i]] = TRUE;
  }
  int64_t dims[NN_MAX_RANK];
  int rank = 0;
  for (int i = 0; i < x->rank; i++)
    if (!(c == 0 ? x->dims[i] == 1 : drop[i]))
      dims[rank++] = x->dims[i];
  return _nn_plan_reshape_to(pl, n, rank, dims, error);
}

gboolean
_nn_plan_unsqueeze(NnPlan *pl, const NnNode *n, GError **error)
{
  NnPVal *x = _nn_in(pl, n, 0);
  int64_t axes[NN_MAX_RANK];
  int c = axes_of(pl, n, axes, error);
  if (c < 0)
    return FALSE;
  int rank = x->rank + c;
  if (rank > NN_MAX_RANK)
    return _nn_fail(error, DERUSH_NN_ERROR_UNSUPPORTED, n, "rank %d", rank);
  gboolean ins[NN_MAX_RANK] = {FALSE};
  for (int i = 0; i < c; i++) {
    if (!_nn_axis(n, &axes[i], rank, error))
      return FALSE;
    if (ins[axes[i]])
      return _nn_fail(error, DERUSH_NN_ERROR_MALFORMED, n, "axis repeated");
    ins[axes[i]] = TRUE;
  }
  int64_t dims[NN_MAX_RANK];
  for (int i = 0, k = 0; i < rank; i++)
    dims[i] = ins[i] ? 1 : x->dims[k++];
  return _nn_plan_reshape_to(pl, n, rank, dims, error);
}

gboolean
_nn_plan_transpose(NnPlan *pl, const NnNode *n, GError **error)
{
  NnPVal *x = _nn_in(pl, n, 0);
  int64_t perm[NN_MAX_RANK];
  const int64_t *v;
  int c = _nn_attr_ints(n, "perm", &v);
  if (c == 0) {
    for (int i = 0; i < x->rank; i++)
      perm[i] = x->rank - 1 - i;
  } else if (c != x->rank) {
    return _nn_fail(error, DERUSH_NN_ERROR_SHAPE, n, "perm has %d axes, the input %d", c, x->rank);
  } else {
    memcpy(perm, v, sizeof(int64_t) * c);
  }
  int64_t in_strides[NN_MAX_RANK];
  _nn_strides(x->dims, x->rank, in_strides);
  gboolean seen[NN_MAX_RANK] = {FALSE};
  NnCopyParams *p = g_new0(NnCopyParams, 1);
  p->rank = x->rank;
  for (int i = 0; i < x->rank; i++) {
    if (perm[i] < 0 || perm[i] >= x->rank || seen[perm[i]]) {
      g_free(p);
      return _nn_fail(error, DERUSH_NN_ERROR_MALFORMED, n, "perm is not a permutation");
    }
    seen[perm[i]] = TRUE;
    p->dims[i] = x->dims[perm[i]];
    p->strides[i] = in_strides[perm[i]];
  }
  return emit_copy(pl, n, p, error);
}

gboolean
_nn_plan_slice(NnPlan *pl, const NnNode *n, GError **error)
{
  NnPVal *x = _nn_in(pl, n, 0);
  int64_t starts[NN_MAX_RANK], ends[NN_MAX_RANK], axes[NN_MAX_RANK], steps[NN_MAX_RANK];
  int c, ca, cs = 0;
  if (n->n_in == 1) { /* opset < 10: attributes */
    const int64_t *v;
    c = _nn_attr_ints(n, "starts", &v);
    if (c > x->rank || _nn_attr_ints(n, "ends", &v) != c)
      return _nn_fail(error, DERUSH_NN_ERROR_MALFORMED, n, "starts and ends differ in length");
    _nn_attr_ints(n, "starts", &v);
    memcpy(starts, v, sizeof(int64_t) * c);
    _nn_attr_ints(n, "ends", &v);
    memcpy(ends, v, sizeof(int64_t) * c);
    ca = _nn_attr_ints(n, "axes", &v);
    if (ca > NN_MAX_RANK)
      return _nn_fail(error, DERUSH_NN_ERROR_MALFORMED, n, "too many axes");
    memcpy(axes, v, sizeof(int64_t) * ca);
  } else {
    if (n->n_in < 3)
      return _nn_fail(error, DERUSH_NN_ERROR_MALFORMED, n, "needs starts and ends");
    c = _nn_const_ints(pl, n, 1, starts, NN_MAX_RANK, error);
    if (c < 0 || _nn_const_ints(pl, n, 2, ends, NN_MAX_RANK, error) != c)
      return error && *error ? FALSE
                             : _nn_fail(error, DERUSH_NN_ERROR_MALFORMED, n,
                                        "starts and ends differ in length");
    ca = _nn_in(pl, n, 3) ? _nn_const_ints(pl, n, 3, axes, NN_MAX_RANK, error) : 0;
    cs = _nn_in(pl, n, 4) ? _nn_const_ints(pl, n, 4, steps, NN_MAX_RANK, error) : 0;
    if (ca < 0 || cs < 0)
      return FALSE;
  }
  if ((ca && ca != c) || (cs && cs != c))
    return _nn_fail(error, DERUSH_NN_ERROR_MALFORMED, n, "axes or steps differ in length");
  NnCopyParams *p = g_new0(NnCopyParams, 1);
  p->rank = x->rank;
  int64_t in_strides[NN_MAX_RANK];
  _nn_strides(x->dims, x->rank, in_strides);
  for (int i = 0; i < x->rank; i++) {
    p->dims[i] = x->dims[i];
    p->strides[i] = in_strides[i];
  }
  gboolean seen[NN_MAX_RANK] = {FALSE};
  for (int i = 0; i < c; i++) {
    int64_t axis = ca ? axes[i] : i;
    int64_t step = cs ? steps[i] : 1;
    if (!_nn_axis(n, &axis, x->rank, error) || seen[axis] || step == 0) {
      g_free(p);
      return (error && *error) ? FALSE
                               : _nn_fail(error, DERUSH_NN_ERROR_MALFORMED, n, "bad axis or step");
    }
    seen[axis] = TRUE;
    int64_t dim = x->dims[axis];
    int64_t s = starts[i], e = ends[i];
    if (s < 0)
      s += dim;
    if (e < 0)
      e += dim;
    if (step > 0) {
      s = CLAMP(s, 0, dim);
      e = CLAMP(e, 0, dim);
    } else {
      s = CLAMP(s, 0, dim - 1);
      e = CLAMP(e, -1, dim - 1);
    }
    int64_t len = step > 0 ? (e - s + step - 1) / step : (s - e + (-step) - 1) / (-step);
    p->dims[axis] = MAX(len, 0);
    p->offset += (p->dims[axis] > 0 ? s : 0) * in_strides[axis];
    p->strides[axis] = in_strides[axis] * step;
  }
  return emit_copy(pl, n, p, error);
}

gboolean
_nn_plan_shape(NnPlan *pl, const NnNode *n, GError **error)
{
  NnPVal *x = _nn_in(pl, n, 0);
  int64_t start = _nn_attr_int(n, "start", 0), end = _nn_attr_int(n, "end", x->rank);
  if (start < 0)
    start += x->rank;
  if (end < 0)
    end += x->rank;
  start = CLAMP(start, 0, x->rank);
  end = CLAMP(end, start, x->rank);
  int64_t len = end - start;
  NnTensor *t = _nn_tensor_new(NN_I64, 1, &len);
  memcpy(t->data, x->dims + start, sizeof(int64_t) * len);
  _nn_plan_set_const(pl, n->out[0], t);
  return TRUE;
}

gboolean
_nn_plan_gather(NnPlan *pl, const NnNode *n, GError **error)
{
  NnPVal *x = _nn_in(pl, n, 0), *ix = _nn_in(pl, n, 1);
  if (!ix->konst)
    return _nn_fail(error, DERUSH_NN_ERROR_UNSUPPORTED, n, "indices must be a constant");
  int64_t axis = _nn_attr_int(n, "axis", 0);
  if (!_nn_axis(n, &axis, x->rank, error))
    return FALSE;
  int rank = x->rank - 1 + ix->rank;
  if (rank > NN_MAX_RANK)
    return _nn_fail(error, DERUSH_NN_ERROR_UNSUPPORTED, n, "rank %d", rank);
  NnGatherParams *p = g_new0(NnGatherParams, 1);
  p->esize = esize_of(pl, n, 0);
  p->outer = _nn_numel(x->dims, (int)axis);
  p->n = x->dims[axis];
  p->inner = _nn_numel(x->dims + axis + 1, x->rank - (int)axis - 1);
  p->n_idx = _nn_numel(ix->dims, ix->rank);
  p->idx = g_new(int64_t, MAX(p->n_idx, 1));
  for (int64_t j = 0; j < p->n_idx; j++) {
    int64_t k = _nn_tensor_get_int(ix->konst, j);
    if (k < -p->n || k >= p->n) {
      int64_t size = p->n; /* read before @p goes */
      _nn_gather_params_free(p);
      return _nn_fail(error, DERUSH_NN_ERROR_MALFORMED, n,
                      "index %" G_GINT64_FORMAT " is out of range [0, %" G_GINT64_FORMAT ")", k,
                      size);
    }
    p->idx[j] = k < 0 ? k + p->n : k;
  }
  int64_t dims[1][NN_MAX_RANK];
  int r = 0;
  for (int i = 0; i < axis; i++)
    dims[0][r++] = x->dims[i];
  for (int i = 0; i < ix->rank; i++)
    dims[0][r++] = ix->dims[i];
  for (int i = (int)axis + 1; i < x->rank; i++)
    dims[0][r++] = x->dims[i];
  NnDtype dt = _nn_host_dtype(pl, n, 0);
  return _nn_plan_add_host(pl, n, _nn_host_gather, p, _nn_gather_params_free, 1, n->in, 1, n->out,
                           &rank, dims, &dt, error);
}

gboolean
_nn_plan_cast(NnPlan *pl, const NnNode *n, GError **error)
{
  NnPVal *x = _nn_in(pl, n, 0);
  NnDtype to = (NnDtype)_nn_attr_int(n, "to", NN_F32);
  if (_nn_dtype_size(to) == 0)
    return _nn_fail(error, DERUSH_NN_ERROR_UNSUPPORTED, n, "cast to type %d", to);
  if (!pl->folding) {
    if (to != NN_F32)
      return _nn_fail(error, DERUSH_NN_ERROR_UNSUPPORTED, n, "cast of a runtime tensor to %s",
                      _nn_dtype_name(to));
    return _nn_plan_identity(pl, n, error);
  }
  NnCastParams *p = g_new0(NnCastParams, 1);
  *p = (NnCastParams){x->konst->dtype, to, _nn_numel(x->dims, x->rank)};
  int rank = x->rank;
  int64_t dims[1][NN_MAX_RANK];
  memcpy(dims[0], x->dims, sizeof(dims[0]));
  return _nn_plan_add_host(pl, n, _nn_host_cast, p, g_free, 1, n->in, 1, n->out, &rank, dims, &to,
                           error);
}

gboolean
_nn_plan_constant_of_shape(NnPlan *pl, const NnNode *n, GError **error)
{
  int64_t dims[NN_MAX_RANK];
  int rank = _nn_const_ints(pl, n, 0, dims, NN_MAX_RANK, error);
  if (rank < 0)
    return FALSE;
  for (int i = 0; i < rank; i++)
    if (dims[i] < 0 || dims[i] > (1 << 24))
      return _nn_fail(error, DERUSH_NN_ERROR_MALFORMED, n, "dimension %" G_GINT64_FORMAT, dims[i]);
  const NnAttr *a = _nn_attr(n, "value");
  NnTensor *t = _nn_tensor_new(a && a->t ? a->t->dtype : NN_F32, rank, dims);
  if (a && a->t && _nn_numel(a->t->dims, a->t->rank) >= 1) {
    double v = _nn_tensor_get(a->t, 0);
    int64_t cnt = _nn_numel(dims, rank);
    for (int64_t i = 0; i < cnt; i++)
      if (t->dtype == NN_I64)
        ((int64_t *)t->data)[i] = _nn_tensor_get_int(a->t, 0);
      else
        _nn_tensor_set(t, i, v);
  }
  _nn_plan_set_const(pl, n->out[0], t);
  return TRUE;
}

gboolean
_nn_plan_concat_host(NnPlan *pl, const NnNode *n, int axis, int rank, const int64_t *out_dims,
                     GError **error)
{
  NnConcatParams *p = g_new0(NnConcatParams, 1);
  p->esize = esize_of(pl, n, 0);
  p->n = n->n_in;
  p->inner = g_new(int64_t, n->n_in);
  p->outer = _nn_numel(out_dims, axis);
  for (int k = 0; k < n->n_in; k++) {
    NnPVal *x = _nn_in(pl, n, k);
    if (pl->folding && x->konst->dtype != _nn_host_dtype(pl, n, 0)) {
      _nn_concat_params_free(p);
      return _nn_fail(error, DERUSH_NN_ERROR_MALFORMED, n, "inputs of different types");
    }
    p->inner[k] = _nn_numel(x->dims + axis, rank - axis);
  }
  int64_t dims[1][NN_MAX_RANK];
  memcpy(dims[0], out_dims, sizeof(int64_t) * rank);
  NnDtype dt = _nn_host_dtype(pl, n, 0);
  return _nn_plan_add_host(pl, n, _nn_host_concat, p, _nn_concat_params_free, n->n_in, n->in, 1,
                           n->out, &rank, dims, &dt, error);
}

gboolean
_nn_plan_softmax(NnPlan *pl, const NnNode *n, GError **error)
{
  NnPVal *x = _nn_in(pl, n, 0);
  int64_t axis = _nn_attr_int(n, "axis", pl->g->opset >= 13 ? -1 : 1);
  if (!_nn_axis(n, &axis, x->rank, error))
    return FALSE;
  NnSoftmaxParams *p = g_new0(NnSoftmaxParams, 1);
  p->log = strcmp(n->op, "LogSoftmax") == 0;
  p->outer = _nn_numel(x->dims, (int)axis);
  if (pl->g->opset >= 13) {
    p->n = x->dims[axis];
    p->inner = _nn_numel(x->dims + axis + 1, x->rank - (int)axis - 1);
  } else { /* the input is flattened to 2-D at axis */
    p->n = _nn_numel(x->dims + axis, x->rank - (int)axis);
    p->inner = 1;
  }
  int rank = x->rank;
  int64_t dims[1][NN_MAX_RANK];
  memcpy(dims[0], x->dims, sizeof(dims[0]));
  NnDtype dt = NN_F32;
  if (pl->folding && x->konst->dtype != NN_F32) {
    g_free(p);
    return _nn_fail(error, DERUSH_NN_ERROR_UNSUPPORTED, n, "input type %s",
                    _nn_dtype_name(x->konst->dtype));
  }
  return _nn_plan_add_host(pl, n, _nn_host_softmax, p, g_free, 1, n->in, 1, n->out, &rank, dims,
                           &dt, error);
}

gboolean
_nn_plan_reduce(NnPlan *pl, const NnNode *n, GError **error)
{
  NnPVal *x = _nn_in(pl, n, 0);
  if (pl->folding && x->konst->dtype != NN_F32)
    return _nn_fail(error, DERUSH_NN_ERROR_UNSUPPORTED, n, "input type %s",
                    _nn_dtype_name(x->konst->dtype));
  int64_t axes[NN_MAX_RANK];
  int c = axes_of(pl, n, axes, error);
  if (c < 0)
    return FALSE;
  gboolean keepdims = _nn_attr_int(n, "keepdims", 1) != 0;
  gboolean red[NN_MAX_RANK] = {FALSE};
  if (c == 0 && _nn_attr_int(n, "noop_with_empty_axes", 0))
    return _nn_plan_identity(pl, n, error);
  for (int i = 0; i < x->rank; i++)
    red[i] = c == 0;
  for (int i = 0; i < c; i++) {
    if (!_nn_axis(n, &axes[i], x->rank, error))
      return FALSE;
    red[axes[i]] = TRUE;
  }
  NnReduceParams *p = g_new0(NnReduceParams, 1);
  p->op = strcmp(n->op, "ReduceSum") == 0    ? NN_REDUCE_SUM
          : strcmp(n->op, "ReduceMean") == 0 ? NN_REDUCE_MEAN
          : strcmp(n->op, "ReduceMax") == 0  ? NN_REDUCE_MAX
                                             : NN_REDUCE_MIN;
  p->rank = x->rank;
  memcpy(p->dims, x->dims, sizeof(p->dims));
  int64_t kdims[NN_MAX_RANK], kstrides[NN_MAX_RANK];
  int64_t dims[1][NN_MAX_RANK];
  int rank = 0;
  p->count = 1;
  for (int i = 0; i < x->rank; i++) {
    kdims[i] = red[i] ? 1 : x->dims[i];
    if (red[i])
      p->count *= x->dims[i];
    if (!red[i] || keepdims)
      dims[0][rank++] = kdims[i];
  }
  _nn_strides(kdims, x->rank, kstrides);
  for (int i = 0; i < x->rank; i++)
    p->out_strides[i] = red[i] ? 0 : kstrides[i];
  p->n_out = _nn_numel(kdims, x->rank);
  NnDtype dt = NN_F32;
  return _nn_plan_add_host(pl, n, _nn_host_reduce, p, g_free, 1, n->in, 1, n->out, &rank, dims, &dt,
                           error);
}
