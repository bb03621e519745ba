/* graph-opt.c: graph rewrites.  BatchNormalization after a Conv is folded
 * into the Conv's weights at load; at the first plan, activations (ReLU,
 * Clip, SiLU = x * Sigmoid(x)...) and residual Adds following a Conv become
 * its oneDNN post-ops, so each runs inside the convolution's output loop. */
#include "nn/nn-graph.h"
#include <math.h>
#include <string.h>

gboolean
_nn_is_op(const NnNode *n, const char *op)
{
  return !n->dead && !*n->domain && strcmp(n->op, op) == 0;
}

int
_nn_consumers(NnGraph *g, int v, int *out, int max)
{
  int c = 0;
  for (guint i = 0; i < g->nodes->len; i++) {
    NnNode *n = NN_NODE(g, i);
    if (n->dead)
      continue;
    gboolean reads = FALSE;
    for (int k = 0; k < n->n_in; k++)
      reads |= n->in[k] == v;
    for (int k = 0; k < n->n_post; k++)
      reads |= n->post[k].is_sum && n->post[k].value == v;
    if (reads) {
      if (c < max)
        out[c] = (int)i;
      c++;
    }
  }
  return c;
}

gboolean
_nn_is_graph_output(NnGraph *g, int v)
{
  for (guint i = 0; i < g->outputs->len; i++)
    if (g_array_index(g->outputs, int, i) == v)
      return TRUE;
  return FALSE;
}

int
_nn_new_const(NnGraph *g, const char *base, NnTensor *t)
{
  g_autofree char *name = NULL;
  for (int i = 0;; i++) {
    g_free(name);
    name = g_strdup_printf("%s:folded%d", base, i);
    if (_nn_graph_find(g, name) < 0)
      break;
  }
  int v = _nn_graph_value(g, name);
  NN_VALUE(g, v)->konst = t;
  return v;
}

/* Moves node @from's output onto @to (whose output it consumed). */
static void
take_output(NnGraph *g, NnNode *to, int to_index, NnNode *from)
{
  to->out[0] = from->out[0];
  NN_VALUE(g, to->out[0])->producer = to_index;
  from->dead = TRUE;
}

void
_nn_fold_batchnorm(NnGraph *g)
{
  for (guint i = 0; i < g->nodes->len; i++) {
    NnNode *bn = NN_NODE(g, i);
    if (!_nn_is_op(bn, "BatchNormalization") || bn->n_in != 5)
      continue;
    int x = bn->in[0];
    int p = NN_VALUE(g, x)->producer;
    if (p < 0 || _nn_is_graph_output(g, x))
      continue;
    NnNode *conv = NN_NODE(g, p);
    int dummy[2];
    if (!_nn_is_op(conv, "Conv") || conv->n_post || _nn_consumers(g, x, dummy, 2) != 1)
      continue;
    gboolean extra_used = FALSE;
    for (int k = 1; k < bn->n_out; k++)
      extra_used |=
          _nn_consumers(g, bn->out[k], dummy, 1) > 0 || _nn_is_graph_output(g, bn->out[k]);
    NnTensor *w = NN_VALUE(g, conv->in[1])->konst;
    NnTensor *b = conv->n_in > 2 && conv->in[2] >= 0 ? NN_VALUE(g, conv->in[2])->konst : NULL;
    NnTensor *st[4];
    gboolean ok = w && w->dtype == NN_F32 && !extra_used && w->rank >= 1 &&
                  (conv->n_in < 3 || conv->in[2] < 0 || (b && b->dtype == NN_F32));
    for (int k = 0; k < 4 && ok; k++) {
      st[k] = NN_VALUE(g, bn->in[1 + k])->konst;
      ok = st[k] && st[k]->dtype == NN_F32 && _nn_numel(st[k]->dims, st[k]->rank) == w->dims[0];
    }
    if (!ok)
      continue;
    float eps = _nn_attr_float(bn, "epsilon", 1e-5f);
    int64_t oc = w->dims[0], per = _nn_numel(w->dims + 1, w->rank - 1);
    NnTensor *nw = _nn_tensor_copy(w);
    NnTensor *nb = _nn_tensor_new(NN_F32, 1, &oc);
    const float *scale = st[0]->data, *beta = st[1]->data, *mean = st[2]->data, *var = st[3]->data;
    for (int64_t o = 0; o < oc; o++) {
      float s = scale[o] / sqrtf(var[o] + eps);
      for (int64_t k = 0; k < per; k++)
        ((float *)nw->data)[o * per + k] *= s;
      float b0 = b ? ((const float *)b->data)[o] : 0.0f;
      ((float *)nb->data)[o] = (b0 - mean[o]) * s + beta[o];
    }
    /* New values: the originals may be shared with other nodes. */
    int wv = _nn_new_const(g, NN_VALUE(g, conv->in[1])->name, nw);
    int bv = _nn_new_const(g, NN_VALUE(g, bn->in[2])->name, nb);
    conv = NN_NODE(g, p); /* the values array may have moved, not the nodes */
    if (conv->n_in < 3) {
      conv->in = g_renew(int, conv->in, 3);
      conv->n_in = 3;
    }
    conv->in[1] = wv;
    conv->in[2] = bv;
    take_output(g, conv, p, bn);
  }
  _nn_graph_count_uses(g);
}

static gboolean
act_of(NnGraph *g, const NnNode *n, NnPostOp *op)
{
  *op = (NnPostOp){0};
  if (_nn_is_op(n, "Relu")) {
    op->act = NN_ACT_RELU;
  } else if (_nn_is_op(n, "LeakyRelu")) {
    op->act = NN_ACT_LEAKY_RELU;
    op->alpha = _nn_attr_float(n, "alpha", 0.01f);
  } else if (_nn_is_op(n, "HardSwish")) {
    op->act = NN_ACT_HARDSWISH;
  } else if (_nn_is_op(n, "Sigmoid")) {
    op->act = NN_ACT_SIGMOID;
  } else if (_nn_is_op(n, "Tanh")) {
    op->act = NN_ACT_TANH;
  } else if (_nn_is_op(n, "Clip")) {
    op->act = NN_ACT_CLIP;
    op->alpha = _nn_attr_float(n, "min", -INFINITY);
    op->beta = _nn_attr_float(n, "max", INFINITY);
    for (int k = 1; k < n->n_in && k <= 2; k++) {
      if (n->in[k] < 0)
        continue;
      NnTensor *t = NN_VALUE(g, n->in[k])->konst;
      if (!t || _nn_numel(t->dims, t->rank) != 1)
        return FALSE;
      *(k == 1 ? &op->alpha : &op->beta) = (float)_nn_tensor_get(t, 0);
    }
  } else {
    return FALSE;
  }
  return TRUE;
}

/* One fusion into @c (node @ci); TRUE if the graph changed. */
static gboolean
fuse_one(NnGraph *g, int ci, GHashTable *keep)
{
  NnNode *c = NN_NODE(g, ci);
  int out = c->out[0];
  if (c->n_post >= NN_MAX_POST || _nn_is_graph_output(g, out) ||
      (keep && g_hash_table_contains(keep, NN_VALUE(g, out)->name)))
    return FALSE;
  int users[2];
  int nu = _nn_consumers(g, out, users, 2);
  if (nu == 1) {
    NnNode *u = NN_NODE(g, users[0]);
    NnPostOp op;
    if (u->n_in >= 1 && u->in[0] == out && act_of(g, u, &op)) {
      c->post[c->n_post++] = op;
      take_output(g, c, ci, u);
      return TRUE;
    }
    gboolean has_sum = FALSE;
    for (int k = 0; k < c->n_post; k++)
      has_sum |= c->post[k].is_sum;
    /* The backend adds the residual as a binary post-op, which may follow
     * activations (a sum post-op could not: the jit kernels take it first
     * only). */
    if (_nn_is_op(u, "Add") && !has_sum) {
      int other = u->in[0] == out ? u->in[1] : u->in[0];
      int p = NN_VALUE(g, other)->producer;
      /* The addend must exist when the convolution runs, and be a
       * computed tensor (a constant would be a bias). */
      if (other == out || p < 0 || p > ci || NN_VALUE(g, other)->konst)
        return FALSE;
      c->post[c->n_post++] = (NnPostOp){.is_sum = TRUE, .value = other};
      take_output(g, c, ci, u);
      return TRUE;
    }
    return FALSE;
  }
  if (nu == 2) { /* SiLU: Mul(x, Sigmoid(x)) */
    NnNode *a = NN_NODE(g, users[0]), *b = NN_NODE(g, users[1]);
    NnNode *s = _nn_is_op(a, "Sigmoid") ? a : b, *m = s == a ? b : a;
    int s_users[2];
    if (!_nn_is_op(s, "Sigmoid") || !_nn_is_op(m, "Mul") ||
        _nn_consumers(g, s->out[0], s_users, 2) != 1 || _nn_is_graph_output(g, s->out[0]) ||
        (keep && g_hash_table_contains(keep, NN_VALUE(g, s->out[0])->name)))
      return FALSE;
    if (!((m->in[0] == out && m->in[1] == s->out[0]) || (m->in[1] == out && m->in[0] == s->out[0])))
      return FALSE;
    c->post[c->n_post++] = (NnPostOp){.act = NN_ACT_SWISH, .alpha = 1.0f};
    s->dead = TRUE;
    take_output(g, c, ci, m);
    return TRUE;
  }
  return FALSE;
}

void
_nn_fuse(NnGraph *g, GHashTable *keep)
{
  for (guint i = 0; i < g->nodes->len; i++)
    if (_nn_is_op(NN_NODE(g, i), "Concat"))
      _nn_fold_focus(g, (int)i, keep);
  for (guint i = 0; i < g->nodes->len; i++) {
    if (!_nn_is_op(NN_NODE(g, i), "Conv"))
      continue;
    while (fuse_one(g, (int)i, keep))
      ;
  }
  _nn_graph_count_uses(g);
}
