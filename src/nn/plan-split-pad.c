/* plan-split-pad.c: Split (host copies, one per output) and Pad (constant,
 * reflect, edge; negative pads crop). */
#include "nn/plan-ops.h"
#include <string.h>

gboolean
_nn_plan_split(NnPlan *pl, const NnNode *n, GError **error)
{
  NnPVal *x = _nn_in(pl, n, 0);
  int64_t axis = _nn_attr_int(n, "axis", 0);
  if (!_nn_axis(n, &axis, x->rank, error))
    return FALSE;
  int64_t sizes[64];
  int c;
  if (_nn_in(pl, n, 1)) { /* opset 13: an input */
    c = _nn_const_ints(pl, n, 1, sizes, G_N_ELEMENTS(sizes), error);
    if (c < 0)
      return FALSE;
  } else {
    const int64_t *v;
    c = _nn_attr_ints(n, "split", &v);
    if (c > (int)G_N_ELEMENTS(sizes))
      return _nn_fail(error, DERUSH_NN_ERROR_UNSUPPORTED, n, "%d parts", c);
    if (c > 0)
      memcpy(sizes, v, sizeof(int64_t) * c);
  }
  int64_t len = x->dims[axis];
  if (c == 0) { /* equal parts */
    if (n->n_out > (int)G_N_ELEMENTS(sizes) || len % n->n_out != 0)
      return _nn_fail(error, DERUSH_NN_ERROR_SHAPE, n,
                      "axis length %" G_GINT64_FORMAT " does not split into %d equal parts", len,
                      n->n_out);
    c = n->n_out;
    for (int i = 0; i < c; i++)
      sizes[i] = len / c;
  }
  int64_t total = 0;
  for (int i = 0; i < c; i++) {
    if (sizes[i] < 0)
      return _nn_fail(error, DERUSH_NN_ERROR_MALFORMED, n, "negative part size");
    total += sizes[i];
  }
  if (c != n->n_out || total != len)
    return _nn_fail(error, DERUSH_NN_ERROR_SHAPE, n,
                    "%d parts summing to %" G_GINT64_FORMAT
                    " for %d outputs and an axis of %" G_GINT64_FORMAT,
                    c, total, n->n_out, len);
  int64_t strides[NN_MAX_RANK];
  _nn_strides(x->dims, x->rank, strides);
  NnDtype dt = _nn_host_dtype(pl, n, 0);
  int64_t at = 0;
  for (int i = 0; i < c; i++) {
    NnCopyParams *p = g_new0(NnCopyParams, 1);
    p->esize = _nn_dtype_size(dt);
    p->rank = x->rank;
    memcpy(p->dims, x->dims, sizeof(p->dims));
    memcpy(p->strides, strides, sizeof(p->strides));
    p->dims[axis] = sizes[i];
    p->offset = at * strides[axis];
    at += sizes[i];
    int rank = x->rank;
    int64_t dims[1][NN_MAX_RANK];
    memcpy(dims[0], p->dims, sizeof(dims[0]));
    if (!_nn_plan_add_host(pl, n, _nn_host_copy, p, g_free, 1, n->in, 1, &n->out[i], &rank, dims,
                           &dt, error))
      return FALSE;
  }
  return TRUE;
}

gboolean
_nn_plan_pad(NnPlan *pl, const NnNode *n, GError **error)
{
  NnPVal *x = _nn_in(pl, n, 0);
  NnPadParams *p = g_new0(NnPadParams, 1);
  int64_t pads[2 * NN_MAX_RANK];
  int c;
  if (n->n_in >= 2) { /* opset 11: inputs */
    c = _nn_const_ints(pl, n, 1, pads, G_N_ELEMENTS(pads), error);
    NnPVal *v = _nn_in(pl, n, 2);
    if (v && (!v->konst || _nn_numel(v->dims, v->rank) != 1)) {
      g_free(p);
      return _nn_fail(error, DERUSH_NN_ERROR_UNSUPPORTED, n,
                      "constant_value must be a scalar constant");
    }
    p->value = v ? _nn_tensor_get(v->konst, 0) : 0.0;
  } else {
    const int64_t *v;
    c = _nn_attr_ints(n, "pads", &v);
    if (c > (int)G_N_ELEMENTS(pads))
      c = -2;
    else if (c > 0)
      memcpy(pads, v, sizeof(int64_t) * c);
    p->value = _nn_attr_float(n, "value", 0.0f);
  }
  if (_nn_in(pl, n, 3)) {
    g_free(p);
    return _nn_fail(error, DERUSH_NN_ERROR_UNSUPPORTED, n, "the axes input is not supported");
  }
  if (c != 2 * x->rank) {
    g_free(p);
    return error && *error ? FALSE
                           : _nn_fail(error, DERUSH_NN_ERROR_SHAPE, n,
                                      "%d pads for an input of rank %d", c, x->rank);
  }
  const char *mode = _nn_attr_string(n, "mode", "constant");
  p->mode = strcmp(mode, "reflect") == 0 ? NN_PAD_REFLECT
            : strcmp(mode, "edge") == 0  ? NN_PAD_EDGE
                                         : NN_PAD_CONSTANT;
  if (p->mode == NN_PAD_CONSTANT && strcmp(mode, "constant") != 0) {
    g_free(p);
    return _nn_fail(error, DERUSH_NN_ERROR_UNSUPPORTED, n, "mode '%s'", mode);
  }
  p->dtype = _nn_host_dtype(pl, n, 0);
  p->rank = x->rank;
  for (int i = 0; i < x->rank; i++) {
    p->in_dims[i] = x->dims[i];
    p->pads_l[i] = pads[i];
    p->out_dims[i] = x->dims[i] + pads[i] + pads[x->rank + i];
    gboolean empty = x->dims[i] == 0 && p->mode != NN_PAD_CONSTANT && p->out_dims[i] > 0;
    if (p->out_dims[i] < 0 || p->out_dims[i] > (1 << 24) || empty) {
      g_free(p);
      return _nn_fail(error, DERUSH_NN_ERROR_SHAPE, n, "axis %d would be %" G_GINT64_FORMAT " long",
                      i, p->out_dims[i]);
    }
  }
  int rank = x->rank;
  int64_t dims[1][NN_MAX_RANK];
  memcpy(dims[0], p->out_dims, sizeof(dims[0]));
  NnDtype dt = p->dtype;
  return _nn_plan_add_host(pl, n, _nn_host_pad, p, g_free, 1, n->in, 1, n->out, &rank, dims, &dt,
                           error);
}
