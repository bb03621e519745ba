/* plan.c: building and running an execution plan (see plan.h).
 *
 * The graph is walked once per input shape: constant subgraphs (Shape,
 * Gather, Concat of shapes...) are computed there and then, every other node
 * becomes a oneDNN primitive or a host kernel.  Values then get buffers in
 * an arena by linear scan over their lifetimes, so a forward allocates
 * nothing and the arena holds only what is alive at once; the buffers
 * themselves are the model's, shared by its plans (plan-arena.c). */
#include "nn/plan.h"
#include <stdarg.h>
#include <string.h>

gboolean
_nn_fail(GError **error, int code, const NnNode *n, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  g_autofree char *msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  if (n)
    g_set_error(error, DERUSH_NN_ERROR, code, "node %s (%s): %s", n->name, n->op, msg);
  else
    g_set_error_literal(error, DERUSH_NN_ERROR, code, msg);
  return FALSE;
}

static void
free_step(gpointer p)
{
  NnStep *s = p;
  _nn_prim_free(s->prim);
  if (s->free_params)
    s->free_params(s->params);
  g_free(s->vals);
  g_free(s);
}

static void
free_pval(gpointer p)
{
  NnPVal *v = p;
  _nn_md_free(v->md);
  g_free(v);
}

void
_nn_plan_free(NnPlan *pl)
{
  if (!pl)
    return;
  if (pl->profile)
    _nn_plan_profile_report(pl);
  g_ptr_array_unref(pl->steps);
  g_ptr_array_unref(pl->vals);
  g_ptr_array_unref(pl->konsts);
  g_free(pl->buf_bytes);
  g_free(pl->out_vals);
  if (pl->kept)
    g_hash_table_destroy(pl->kept);
  g_free(pl);
}

int
_nn_plan_new_val(NnPlan *pl, int rank, const int64_t *dims)
{
  NnPVal *v = g_new0(NnPVal, 1);
  *v = (NnPVal){.rank = rank, .plain = -1, .first = -1, .last = -1, .buf = -1, .alias = -1};
  if (rank)
    memcpy(v->dims, dims, sizeof(int64_t) * rank);
  g_ptr_array_add(pl->vals, v);
  return (int)pl->vals->len - 1;
}

void
_nn_plan_set_runtime(NnPlan *pl, int v, int rank, const int64_t *dims, NnMd *md)
{
  NnPVal *p = PVAL(pl, v);
  p->rank = rank;
  if (rank)
    memcpy(p->dims, dims, sizeof(int64_t) * rank);
  _nn_md_free(p->md);
  p->md = md;
  p->plain = _nn_md_is_plain(md) ? v : -1;
}

void
_nn_plan_set_const(NnPlan *pl, int v, NnTensor *t)
{
  g_ptr_array_add(pl->konsts, t);
  NnPVal *p = PVAL(pl, v);
  p->konst = t;
  p->rank = t->rank;
  memcpy(p->dims, t->dims, sizeof(p->dims));
  p->plain = v;
}

NnMd *
_nn_plan_md(NnPlan *pl, int v)
{
  NnPVal *p = PVAL(pl, v);
  if (p->md)
    return _nn_md_copy(p->md);
  return _nn_md_plain(p->rank, p->dims);
}

static void
add_step(NnPlan *pl, NnStep *s)
{
  s->node = pl->node;
  g_ptr_array_add(pl->steps, s);
}

void
_nn_plan_add_prim(NnPlan *pl, NnPrim *prim, const int *vals)
{
  NnStep *s = g_new0(NnStep, 1);
  s->prim = prim;
  s->n_vals = _nn_prim_n_slots(prim);
  s->vals = g_memdup2(vals, sizeof(int) * s->n_vals);
  add_step(pl, s);
}

void
_nn_plan_add_host_step(NnPlan *pl, NnHostFn fn, gpointer params, GDestroyNotify free_params,
                       int n_in, int n_vals, const int *vals)
{
  NnStep *s = g_new0(NnStep, 1);
  s->host = fn;
  s->params = params;
  s->free_params = free_params;
  s->n_in = n_in;
  s->n_vals = n_vals;
  s->vals = g_memdup2(vals, sizeof(int) * n_vals);
  add_step(pl, s);
}

/* A constant the backend reads: float32, as a value of its own if the
 * graph's constant has another type. */
static int
f32_val(NnPlan *pl, int v)
{
  NnPVal *p = PVAL(pl, v);
  if (p->konst->dtype == NN_F32)
    return v;
  NnTensor *t = _nn_tensor_new(NN_F32, p->konst->rank, p->konst->dims);
  int64_t n = _nn_numel(t->dims, t->rank);
  for (int64_t i = 0; i < n; i++)
    ((float *)t->data)[i] = (float)_nn_tensor_get(p->konst, i);
  int c = _nn_plan_new_val(pl, t->rank, t->dims);
  _nn_plan_set_const(pl, c, t);
  return c;
}

void
_nn_plan_alias(NnPlan *pl, int part, int whole, size_t offset)
{
  PVAL(pl, part)->alias = whole;
  PVAL(pl, part)->alias_off = offset;
}

gboolean
_nn_plan_is_input(NnPlan *pl, int v)
{
  for (guint i = 0; i < pl->g->inputs->len; i++)
    if (g_array_index(pl->g->inputs, int, i) == v)
      return TRUE;
  return FALSE;
}

/* The value owning @v's buffer, and @v's byte offset in it. */
int
_nn_plan_alias_root(NnPlan *pl, int v, size_t *offset)
{
  *offset = 0;
  while (PVAL(pl, v)->alias >= 0) {
    *offset += PVAL(pl, v)->alias_off;
    v = PVAL(pl, v)->alias;
  }
  return v;
}

const NnTensor *
_nn_plan_f32(NnPlan *pl, int v)
{
  return PVAL(pl, f32_val(pl, v))->konst;
}

static int
reorder_into(NnPlan *pl, int v, const NnMd *want, GError **error)
{
  g_autoptr(GError) local = NULL;
  NnMd *have = _nn_plan_md(pl, v);
  NnPrim *prim = _nn_prim_reorder(pl->be, have, want, &local);
  _nn_md_free(have);
  if (!prim) {
    g_set_error(error, DERUSH_NN_ERROR, DERUSH_NN_ERROR_BACKEND,
                "cannot reorder tensor of shape %s: %s",
                _nn_shape_string(PVAL(pl, v)->dims, PVAL(pl, v)->rank), local->message);
    return -1;
  }
  int r = _nn_plan_new_val(pl, PVAL(pl, v)->rank, PVAL(pl, v)->dims);
  _nn_plan_set_runtime(pl, r, PVAL(pl, v)->rank, PVAL(pl, v)->dims, _nn_md_copy(want));
  int vals[2] = {v, r};
  _nn_plan_add_prim(pl, prim, vals);
  return r;
}

int
_nn_plan_plain(NnPlan *pl, int v, GError **error)
{
  NnPVal *p = PVAL(pl, v);
  if (p->konst)
    return f32_val(pl, v);
  if (p->plain >= 0)
    return p->plain;
  NnMd *want = _nn_md_plain(p->rank, p->dims);
  int r = reorder_into(pl, v, want, error);
  _nn_md_free(want);
  if (r >= 0)
    PVAL(pl, v)->plain = r;
  return r;
}

int
_nn_plan_in_layout(NnPlan *pl, int v, const NnMd *md, GError **error)
{
  NnPVal *p = PVAL(pl, v);
  if (p->konst)
    v = f32_val(pl, v);
  NnMd *have = _nn_plan_md(pl, v);
  gboolean same = _nn_md_equal(have, md);
  _nn_md_free(have);
  if (same)
    return v;
  if (!PVAL(pl, v)->konst && PVAL(pl, v)->plain >= 0 && _nn_md_is_plain(md))
    return PVAL(pl, v)->plain;
  return reorder_into(pl, v, md, error);
}

gboolean
_nn_plan_add_host(NnPlan *pl, const NnNode *n, NnHostFn fn, gpointer params,
                  GDestroyNotify free_params, int n_in, const int *in, int n_out, const int *out,
                  const int *out_ranks, const int64_t (*out_dims)[NN_MAX_RANK],
                  const NnDtype *out_dtypes, GError **error)
{
  NnStep *s = g_new0(NnStep, 1);
  s->host = fn;
  s->params = params;
  s->free_params = free_params;
  s->n_in = n_in;
  s->n_vals = n_in + n_out;
  s->vals = g_new(int, s->n_vals);
  if (pl->folding) {
    void **ptrs = g_new(void *, s->n_vals);
    for (int i = 0; i < n_in; i++)
      ptrs[i] = PVAL(pl, in[i])->konst->data;
    NnTensor **outs = g_new(NnTensor *, n_out);
    for (int k = 0; k < n_out; k++) {
      outs[k] = _nn_tensor_new(out_dtypes[k], out_ranks[k], out_dims[k]);
      ptrs[n_in + k] = outs[k]->data;
    }
    fn(s, ptrs);
    for (int k = 0; k < n_out; k++)
      _nn_plan_set_const(pl, out[k], outs[k]);
    g_free(outs);
    g_free(ptrs);
    free_step(s);
    return TRUE;
  }
  for (int i = 0; i < n_in; i++) {
    int v = _nn_plan_plain(pl, in[i], error);
    if (v < 0) {
      free_step(s);
      return FALSE;
    }
    s->vals[i] = v;
  }
  for (int k = 0; k < n_out; k++) {
    _nn_plan_set_runtime(pl, out[k], out_ranks[k], out_dims[k],
                         _nn_md_plain(out_ranks[k], out_dims[k]));
    s->vals[n_in + k] = out[k];
  }
  add_step(pl, s);
  return TRUE;
}

/* Linear-scan buffer assignment: a value takes the smallest free buffer it
 * fits in (or grows the largest free one), and gives it back after its last
 * reader. */
static void
assign_buffers(NnPlan *pl)
{
  GArray *sizes = g_array_new(FALSE, TRUE, sizeof(size_t));
  GArray *busy = g_array_new(FALSE, TRUE, sizeof(gboolean));
  int n_steps = (int)pl->steps->len;
  /* Values freed after each step. */
  GPtrArray *frees = g_ptr_array_new_with_free_func((GDestroyNotify)g_array_unref);
  for (int s = 0; s <= n_steps; s++)
    g_ptr_array_add(frees, g_array_new(FALSE, FALSE, sizeof(int)));

  for (guint v = 0; v < pl->vals->len; v++) {
    NnPVal *p = PVAL(pl, v);
    if (p->md && p->alias < 0 && p->first >= 0 && !p->pinned && p->last >= 0)
      g_array_append_val(g_ptr_array_index(frees, p->last), v);
  }
  /* Step index -1 (stored at 0 here) is the copy of the inputs. */
  for (int s = -1; s < n_steps; s++) {
    for (guint v = 0; v < pl->vals->len; v++) {
      NnPVal *p = PVAL(pl, v);
      if (!p->md || p->alias >= 0 || p->first != s || p->buf >= 0 || p->external)
        continue;
      size_t need = _nn_md_bytes(p->md);
      int best = -1, largest = -1;
      for (guint b = 0; b < sizes->len; b++) {
        if (g_array_index(busy, gboolean, b))
          continue;
        size_t have = g_array_index(sizes, size_t, b);
        if (have >= need && (best < 0 || have < g_array_index(sizes, size_t, best)))
          best = (int)b;
        if (largest < 0 || have > g_array_index(sizes, size_t, largest))
          largest = (int)b;
      }
      if (best < 0 && largest >= 0) {
        best = largest;
        g_array_index(sizes, size_t, best) = need;
      }
      if (best < 0) {
        gboolean t = FALSE;
        g_array_append_val(sizes, need);
        g_array_append_val(busy, t);
        best = (int)sizes->len - 1;
      }
      g_array_index(busy, gboolean, best) = TRUE;
      p->buf = best;
    }
    if (s >= 0) {
      GArray *f = g_ptr_array_index(frees, s);
      for (guint i = 0; i < f->len; i++)
        g_array_index(busy, gboolean, PVAL(pl, g_array_index(f, int, i))->buf) = FALSE;
    }
  }
  pl->n_bufs = (int)sizes->len;
  pl->buf_bytes = (size_t *)g_array_free(sizes, FALSE);
  g_array_unref(busy);
  g_ptr_array_unref(frees);
  pl->arena_bytes = 0;
  for (int b = 0; b < pl->n_bufs; b++)
    pl->arena_bytes += MAX((pl->buf_bytes[b] + 63) / 64 * 64, 64);
}

/* An input the steps may read from the caller's buffer: something reads
 * it, it is nobody's output or kept tensor (those must outlive the
 * caller's buffer) and no other value lives in its buffer. */
static gboolean
in_place_input(NnPlan *pl, int v)
{
  NnPVal *p = PVAL(pl, v);
  if (!p->md || p->pinned || p->alias >= 0 || p->last < 0)
    return FALSE;
  for (guint u = 0; u < pl->vals->len; u++) {
    size_t off;
    if ((int)u != v && _nn_plan_alias_root(pl, (int)u, &off) == v)
      return FALSE;
  }
  return TRUE;
}

/* Points the steps reading input value @v at @data. */
static void
bind_input(NnPlan *pl, int v, const float *data)
{
  PVAL(pl, v)->ptr = (void *)data; /* read only: no step writes its inputs */
  for (guint s = 0; s < pl->steps->len; s++) {
    NnStep *st = g_ptr_array_index(pl->steps, s);
    for (int k = 0; st->prim && k < st->n_vals; k++)
      if (st->vals[k] == v)
        _nn_prim_bind(st->prim, k, (void *)data);
  }
}

static void
compute_lifetimes(NnPlan *pl)
{
  for (guint s = 0; s < pl->steps->len; s++) {
    NnStep *st = g_ptr_array_index(pl->steps, s);
    for (int k = 0; k < st->n_vals; k++) {
      NnPVal *p = PVAL(pl, st->vals[k]);
      if (p->first < 0)
        p->first = (int)s;
      p->last = (int)s;
    }
  }
  /* A buffer holding aliases lives from the first write of any of them to
   * the last read of any. */
  for (guint v = 0; v < pl->vals->len; v++) {
    size_t off;
    NnPVal *p = PVAL(pl, v), *r = PVAL(pl, _nn_plan_alias_root(pl, (int)v, &off));
    if (r == p || p->first < 0)
      continue;
    if (r->first < 0 || p->first < r->first)
      r->first = p->first;
    r->last = MAX(r->last, p->last);
    r->pinned |= p->pinned;
  }
}

static gboolean
plan_nodes(NnPlan *pl, GError **error)
{
  NnGraph *g = pl->g;
  for (guint i = 0; i < g->nodes->len; i++) {
    const NnNode *n = NN_NODE(g, i);
    if (n->dead)
      continue;
    const NnOpInfo *info = _nn_op_lookup(n->domain, n->op);
    g_assert(info); /* validated at load */
    gboolean all_const = TRUE;
    for (int k = 0; k < n->n_in; k++) {
      if (n->in[k] < 0)
        continue;
      NnPVal *p = PVAL(pl, n->in[k]);
      if (!p->konst && !p->md)
        return _nn_fail(error, DERUSH_NN_ERROR_MALFORMED, n,
                        "input '%s' is not computed before this node", NN_VALUE(g, n->in[k])->name);
      all_const &= p->konst != NULL;
    }
    pl->folding = all_const && n->n_post == 0;
    pl->node = n;
    if (!info->plan(pl, n, error))
      return FALSE;
    for (int k = 0; k < n->n_out; k++) {
      NnPVal *p = PVAL(pl, n->out[k]);
      if (!p->konst && !p->md)
        return _nn_fail(error, DERUSH_NN_ERROR_UNSUPPORTED, n, "output %d was not computed", k);
    }
  }
  pl->folding = FALSE;
  pl->node = NULL;
  return TRUE;
}

/* The plain value an output or kept tensor is read from. */
static int
readable(NnPlan *pl, int v, const char *name, GError **error)
{
  NnPVal *p = PVAL(pl, v);
  if (!p->konst && !p->md) {
    g_set_error(error, DERUSH_NN_ERROR, DERUSH_NN_ERROR_UNSUPPORTED,
                "tensor '%s' is not computed by this plan (fused away?)", name);
    return -1;
  }
  int r = _nn_plan_plain(pl, v, error);
  if (r >= 0)
    PVAL(pl, r)->pinned = TRUE;
  return r;
}

NnPlan *
_nn_plan_build(NnGraph *g, NnBackend *be, int n_inputs, const int64_t *const *shapes,
               const int *ranks, GHashTable *keep, GError **error)
{
  if (n_inputs != (int)g->inputs->len || n_inputs > 16) {
    g_set_error(error, DERUSH_NN_ERROR, DERUSH_NN_ERROR_SHAPE, "the graph has %u inputs, %d given",
                g->inputs->len, n_inputs);
    return NULL;
  }
  NnPlan *pl = g_new0(NnPlan, 1);
  pl->g = g;
  pl->be = be;
  pl->vals = g_ptr_array_new_full(g->values->len * 2, free_pval);
  pl->steps = g_ptr_array_new_with_free_func(free_step);
  pl->konsts = g_ptr_array_new_with_free_func((GDestroyNotify)_nn_tensor_free);
  pl->kept = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  pl->profile = g_getenv("DERUSH_NN_PROFILE") != NULL;
  for (guint v = 0; v < g->values->len; v++) {
    int id = _nn_plan_new_val(pl, 0, NULL);
    NnTensor *k = NN_VALUE(g, v)->konst;
    if (k) {
      PVAL(pl, id)->konst = k;
      PVAL(pl, id)->rank = k->rank;
      memcpy(PVAL(pl, id)->dims, k->dims, sizeof(k->dims));
      PVAL(pl, id)->plain = id;
    }
  }
  for (int i = 0; i < n_inputs; i++) {
    if (ranks[i] < 1 || ranks[i] > NN_MAX_RANK) {
      g_set_error(error, DERUSH_NN_ERROR, DERUSH_NN_ERROR_SHAPE, "input %d has rank %d", i,
                  ranks[i]);
      goto fail;
    }
    for (int k = 0; k < ranks[i]; k++)
      if (shapes[i][k] < 1 || shapes[i][k] > (1 << 24)) {
        g_set_error(error, DERUSH_NN_ERROR, DERUSH_NN_ERROR_SHAPE,
                    "input %d: dimension %d is %" G_GINT64_FORMAT, i, k, shapes[i][k]);
        goto fail;
      }
    int v = g_array_index(g->inputs, int, i);
    _nn_plan_set_runtime(pl, v, ranks[i], shapes[i], _nn_md_plain(ranks[i], shapes[i]));
    PVAL(pl, v)->first = -1;
    pl->in_ranks[i] = ranks[i];
    memcpy(pl->in_dims[i], shapes[i], sizeof(int64_t) * ranks[i]);
  }
  if (!plan_nodes(pl, error))
    goto fail;
  pl->out_vals = g_new(int, g->outputs->len);
  for (guint i = 0; i < g->outputs->len; i++) {
    int v = g_array_index(g->outputs, int, i);
    if ((pl->out_vals[i] = readable(pl, v, NN_VALUE(g, v)->name, error)) < 0)
      goto fail;
  }
  if (keep) {
    GHashTableIter it;
    gpointer name;
    g_hash_table_iter_init(&it, keep);
    while (g_hash_table_iter_next(&it, &name, NULL)) {
      int r = readable(pl, _nn_graph_find(g, name), name, error);
      if (r < 0)
        goto fail;
      g_hash_table_insert(pl->kept, g_strdup(name), GINT_TO_POINTER(r + 1));
    }
  }
  compute_lifetimes(pl);
  for (int i = 0; i < n_inputs; i++) {
    int v = g_array_index(g->inputs, int, i);
    PVAL(pl, v)->first = -1;
    PVAL(pl, v)->external = in_place_input(pl, v);
  }
  assign_buffers(pl);
  return pl;
fail:
  _nn_plan_free(pl);
  return NULL;
}

gboolean
_nn_plan_matches(const NnPlan *pl, int n_inputs, const int64_t *const *shapes, const int *ranks)
{
  for (int i = 0; i < n_inputs; i++)
    if (pl->in_ranks[i] != ranks[i] ||
        memcmp(pl->in_dims[i], shapes[i], sizeof(int64_t) * ranks[i]) != 0)
      return FALSE;
  return TRUE;
}

gboolean
_nn_plan_run(NnPlan *pl, const float *const *inputs, GError **error)
{
  NnGraph *g = pl->g;
  for (guint i = 0; i < g->inputs->len; i++) {
    int v = g_array_index(g->inputs, int, i);
    NnPVal *p = PVAL(pl, v);
    if (p->external) {
      if (p->ptr != inputs[i])
        bind_input(pl, v, inputs[i]);
    } else if (p->ptr) { /* NULL when no node reads the input */
      memcpy(p->ptr, inputs[i], sizeof(float) * _nn_numel(p->dims, p->rank));
    }
  }
  void *ptrs[64];
  gboolean pending = FALSE;
  for (guint s = 0; s < pl->steps->len; s++) {
    NnStep *st = g_ptr_array_index(pl->steps, s);
    gint64 t0 = pl->profile ? _derush_nn_cpu_us() : 0;
    if (st->prim) {
      if (!_nn_prim_run(pl->be, st->prim, error))
        return FALSE;
      pending = TRUE;
    } else {
      if (pending && !_nn_backend_wait(pl->be, error))
        return FALSE;
      pending = FALSE;
      void **p = st->n_vals <= 64 ? ptrs : g_new(void *, st->n_vals);
      for (int k = 0; k < st->n_vals; k++)
        p[k] = PVAL(pl, st->vals[k])->ptr;
      st->host(st, p);
      if (p != ptrs)
        g_free(p);
    }
    if (pl->profile) {
      if (pending && !_nn_backend_wait(pl->be, error))
        return FALSE;
      st->prof_us += _derush_nn_cpu_us() - t0;
    }
  }
  pl->prof_runs++;
  return _nn_backend_wait(pl->be, error);
}
