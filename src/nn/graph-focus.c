/* graph-focus.c: a space-to-depth ("Focus": stride-2 Slices of one tensor,
 * concatenated on channels) feeding a Conv becomes that Conv on the tensor
 * itself, with a kernel twice as large and stride 2.  Channel k*C + c of
 * the Concat is x[c, 2i + r_k, 2j + c_k], so tap (y, x) of the old kernel
 * on it is tap (2y + r_k, 2x + c_k) of the new one.
 *
 * YOLOX's stem: eight Slices on the host (one thread), a Concat and a
 * reorder, 0.9 ms of CPU a forward, become nothing; the convolution does
 * the same multiply-adds. */
#include "nn/nn-graph.h"

#define MAX_PARTS 16

static gboolean
kept(NnGraph *g, GHashTable *keep, int v)
{
  return _nn_is_graph_output(g, v) || (keep && g_hash_table_contains(keep, NN_VALUE(g, v)->name));
}

static const NnTensor *
konst(NnGraph *g, const NnNode *n, int k)
{
  return k < n->n_in && n->in[k] >= 0 ? NN_VALUE(g, n->in[k])->konst : NULL;
}

/* TRUE if @v is src[:, :, r::2, c::2] (r and c 0 or 1, each to the end of
 * its axis) cut by one or two Slice nodes that nothing else reads; sets
 * @src, the phase and the Slice nodes. */
static gboolean
phase_of(NnGraph *g, GHashTable *keep, int v, int *src, int phase[2], int *nodes, int *n_nodes)
{
  phase[0] = phase[1] = -1;
  *n_nodes = 0;
  for (int p; (p = NN_VALUE(g, v)->producer) >= 0 && _nn_is_op(NN_NODE(g, p), "Slice");) {
    const NnNode *s = NN_NODE(g, p);
    if (*n_nodes == 2 || NN_VALUE(g, v)->n_uses != 1 || kept(g, keep, v))
      return FALSE;
    const NnTensor *st = konst(g, s, 1), *en = konst(g, s, 2), *ax = konst(g, s, 3),
                   *sp = konst(g, s, 4);
    if (!st || !en || !ax || !sp)
      return FALSE;
    int64_t cnt = _nn_numel(st->dims, st->rank);
    if (_nn_numel(en->dims, en->rank) != cnt || _nn_numel(ax->dims, ax->rank) != cnt ||
        _nn_numel(sp->dims, sp->rank) != cnt)
      return FALSE;
    for (int64_t i = 0; i < cnt; i++) {
      int64_t a = _nn_tensor_get_int(ax, i), start = _nn_tensor_get_int(st, i);
      if (a < 0)
        a += 4;
      /* Ends below INT32_MAX may stop short of the axis' end. */
      if ((a != 2 && a != 3) || phase[a - 2] >= 0 || _nn_tensor_get_int(sp, i) != 2 ||
          (start != 0 && start != 1) || _nn_tensor_get_int(en, i) < G_MAXINT32)
        return FALSE;
      phase[a - 2] = (int)start;
    }
    nodes[(*n_nodes)++] = p;
    v = s->in[0];
  }
  *src = v;
  return phase[0] >= 0 && phase[1] >= 0;
}

/* Stride 1, dilation 1, one group, explicit pads (four values, or none). */
static gboolean
plain_conv(const NnNode *conv, int64_t pads[4])
{
  const int64_t *v;
  int c;
  if (_nn_attr_int(conv, "group", 1) != 1 ||
      g_strcmp0(_nn_attr_string(conv, "auto_pad", "NOTSET"), "NOTSET") != 0 || conv->n_post)
    return FALSE;
  static const char *const ones[] = {"strides", "dilations"};
  for (int k = 0; k < 2; k++) {
    c = _nn_attr_ints(conv, ones[k], &v);
    for (int i = 0; i < c; i++)
      if (v[i] != 1)
        return FALSE;
  }
  c = _nn_attr_ints(conv, "pads", &v);
  if (c != 0 && c != 4)
    return FALSE;
  for (int i = 0; i < 4; i++)
    pads[i] = c ? v[i] : 0;
  return TRUE;
}

gboolean
_nn_fold_focus(NnGraph *g, int ci, GHashTable *keep)
{
  NnNode *cat = NN_NODE(g, ci);
  int64_t axis = _nn_attr_int(cat, "axis", 0);
  int users[2];
  if ((axis != 1 && axis != -3) || cat->n_in < 1 || cat->n_in > MAX_PARTS ||
      kept(g, keep, cat->out[0]) || _nn_consumers(g, cat->out[0], users, 2) != 1)
    return FALSE;
  int ni = users[0];
  NnNode *conv = NN_NODE(g, ni);
  int64_t pads[4];
  const NnTensor *w = konst(g, conv, 1);
  if (!_nn_is_op(conv, "Conv") || conv->in[0] != cat->out[0] || !plain_conv(conv, pads) || !w ||
      w->dtype != NN_F32 || w->rank != 4 || w->dims[1] % cat->n_in != 0)
    return FALSE;
  int src = -1, phase[MAX_PARTS][2], slices[MAX_PARTS][2], n_slices[MAX_PARTS];
  for (int k = 0; k < cat->n_in; k++) {
    int s;
    if (!phase_of(g, keep, cat->in[k], &s, phase[k], slices[k], &n_slices[k]) ||
        (src >= 0 && s != src))
      return FALSE;
    src = s;
  }
  int64_t oc = w->dims[0], c = w->dims[1] / cat->n_in, kh = w->dims[2], kw = w->dims[3];
  int64_t dims[4] = {oc, c, 2 * kh, 2 * kw};
  NnTensor *nw = _nn_tensor_new(NN_F32, 4, dims);
  const float *from = w->data;
  float *to = nw->data;
  for (int64_t o = 0; o < oc; o++)
    for (int k = 0; k < cat->n_in; k++)
      for (int64_t ch = 0; ch < c; ch++)
        for (int64_t y = 0; y < kh; y++)
          for (int64_t x = 0; x < kw; x++)
            to[((o * c + ch) * 2 * kh + 2 * y + phase[k][0]) * 2 * kw + 2 * x + phase[k][1]] +=
                from[((o * w->dims[1] + k * c + ch) * kh + y) * kw + x];
  int wv = _nn_new_const(g, NN_VALUE(g, conv->in[1])->name, nw);
  conv = NN_NODE(g, ni); /* the values array may have moved, not the nodes */
  cat = NN_NODE(g, ci);
  conv->in[0] = src;
  conv->in[1] = wv;
  const int64_t strides[2] = {2, 2}, kernel[2] = {2 * kh, 2 * kw};
  const int64_t new_pads[4] = {2 * pads[0], 2 * pads[1], 2 * pads[2], 2 * pads[3]};
  _nn_attr_set_ints(conv, "strides", 2, strides);
  _nn_attr_set_ints(conv, "kernel_shape", 2, kernel);
  _nn_attr_set_ints(conv, "pads", 4, new_pads);
  conv->even_input = TRUE;
  cat->dead = TRUE;
  for (int k = 0; k < cat->n_in; k++)
    for (int i = 0; i < n_slices[k]; i++)
      NN_NODE(g, slices[k][i])->dead = TRUE;
  return TRUE;
}
