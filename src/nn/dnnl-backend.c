/* dnnl-backend.c: the compute backend on the oneDNN 2.x C API.  Every oneDNN
 * call of the executor is in this file (see nn-backend.h).
 *
 * Layouts are chosen by oneDNN (format_tag any) for convolutions; the other
 * primitives take the layout their input already has, so tensors stay in the
 * blocked formats the convolutions like and are reordered only where a host
 * operator or an output needs them dense.
 *
 * Over 600 lines: every oneDNN call of the executor is here on purpose, so
 * the backend is one file to audit or replace.
 */
#include "nn/nn-backend.h"
#include <oneapi/dnnl/dnnl.h>
#include <string.h>

#define MAX_ARGS 40
#define MAX_OWNED 4

struct _NnBackend {
  dnnl_engine_t engine;
  dnnl_stream_t stream;
};

struct _NnMd {
  dnnl_memory_desc_t md;
};

struct _NnPrim {
  dnnl_primitive_t prim;
  const char *impl;
  int n_slots;
  int n_args;
  dnnl_exec_arg_t args[MAX_ARGS];
  int n_owned;
  dnnl_memory_t owned[MAX_OWNED];
};

static const char *
status_str(dnnl_status_t s)
{
  switch (s) {
  case dnnl_success:
    return "success";
  case dnnl_out_of_memory:
    return "out of memory";
  case dnnl_invalid_arguments:
    return "invalid arguments";
  case dnnl_unimplemented:
    return "no implementation for these shapes and layouts";
  case dnnl_iterator_ends:
    return "iterator ends";
  case dnnl_runtime_error:
    return "runtime error";
  case dnnl_not_required:
    return "not required";
  }
  return "unknown error";
}

#define CHECK(call, what)                                                                          \
  do {                                                                                             \
    dnnl_status_t st_ = (call);                                                                    \
    if (st_ != dnnl_success) {                                                                     \
      g_set_error(error, DERUSH_NN_ERROR, DERUSH_NN_ERROR_BACKEND, "oneDNN %s: %s", (what),        \
                  status_str(st_));                                                                \
      goto fail;                                                                                   \
    }                                                                                              \
  } while (0)

NnBackend *
_nn_backend_new(GError **error)
{
  NnBackend *be = g_new0(NnBackend, 1);
  CHECK(dnnl_engine_create(&be->engine, dnnl_cpu, 0), "engine");
  CHECK(dnnl_stream_create(&be->stream, be->engine, dnnl_stream_default_flags), "stream");
  return be;
fail:
  _nn_backend_free(be);
  return NULL;
}

void
_nn_backend_free(NnBackend *be)
{
  if (!be)
    return;
  if (be->stream)
    dnnl_stream_destroy(be->stream);
  if (be->engine)
    dnnl_engine_destroy(be->engine);
  g_free(be);
}

/* oneDNN has no rank-0 tensors: a scalar is [1]. */
static int
fix_rank(int rank, const int64_t *dims, dnnl_dims_t out)
{
  if (rank == 0) {
    out[0] = 1;
    return 1;
  }
  for (int i = 0; i < rank; i++)
    out[i] = dims[i];
  return rank;
}

static void
plain_md(dnnl_memory_desc_t *md, int rank, const int64_t *dims)
{
  dnnl_dims_t d, strides;
  int r = fix_rank(rank, dims, d);
  int64_t s = 1;
  for (int i = r - 1; i >= 0; i--) {
    strides[i] = s;
    s *= MAX(d[i], 1);
  }
  dnnl_memory_desc_init_by_strides(md, r, d, dnnl_f32, strides);
}

static void
any_md(dnnl_memory_desc_t *md, int rank, const int64_t *dims)
{
  dnnl_dims_t d;
  int r = fix_rank(rank, dims, d);
  dnnl_memory_desc_init_by_tag(md, r, d, dnnl_f32, dnnl_format_tag_any);
}

NnMd *
_nn_md_plain(int rank, const int64_t *dims)
{
  NnMd *m = g_new0(NnMd, 1);
  plain_md(&m->md, rank, dims);
  return m;
}

NnMd *
_nn_md_strided(int rank, const int64_t *dims, const int64_t *strides)
{
  NnMd *m = g_new0(NnMd, 1);
  dnnl_dims_t d, s;
  int r = fix_rank(rank, dims, d);
  for (int i = 0; i < r; i++)
    s[i] = rank ? strides[i] : 1;
  dnnl_memory_desc_init_by_strides(&m->md, r, d, dnnl_f32, s);
  return m;
}

NnMd *
_nn_md_copy(const NnMd *md)
{
  return g_memdup2(md, sizeof(NnMd));
}

void
_nn_md_free(NnMd *md)
{
  g_free(md);
}

gboolean
_nn_md_equal(const NnMd *a, const NnMd *b)
{
  return dnnl_memory_desc_equal(&a->md, &b->md) != 0;
}

gboolean
_nn_md_is_plain(const NnMd *md)
{
  dnnl_memory_desc_t p;
  dnnl_dims_t d;
  for (int i = 0; i < md->md.ndims; i++)
    d[i] = md->md.dims[i];
  plain_md(&p, md->md.ndims, d);
  return dnnl_memory_desc_equal(&p, &md->md) != 0;
}

size_t
_nn_md_bytes(const NnMd *md)
{
  return dnnl_memory_desc_get_size(&md->md);
}

NnMd *
_nn_md_with_dims(const NnMd *part, int rank, const int64_t *dims, int *block)
{
  static const struct {
    int rank, block;
    dnnl_format_tag_t tag;
  } tags[] = {
      {3, 1, dnnl_abc},   {3, 8, dnnl_aBc8b},   {3, 16, dnnl_aBc16b},
      {4, 1, dnnl_abcd},  {4, 8, dnnl_aBcd8b},  {4, 16, dnnl_aBcd16b},
      {5, 1, dnnl_abcde}, {5, 8, dnnl_aBcde8b}, {5, 16, dnnl_aBcde16b},
  };
  if (part->md.ndims != rank)
    return NULL;
  for (gsize i = 0; i < G_N_ELEMENTS(tags); i++) {
    if (tags[i].rank != rank)
      continue;
    dnnl_memory_desc_t t;
    if (dnnl_memory_desc_init_by_tag(&t, rank, part->md.dims, dnnl_f32, tags[i].tag) !=
            dnnl_success ||
        !dnnl_memory_desc_equal(&t, &part->md))
      continue;
    dnnl_dims_t d;
    for (int k = 0; k < rank; k++)
      d[k] = dims[k];
    NnMd *m = g_new0(NnMd, 1);
    dnnl_memory_desc_init_by_tag(&m->md, rank, d, dnnl_f32, tags[i].tag);
    *block = tags[i].block;
    return m;
  }
  return NULL;
}

static NnMd *
wrap_md(const dnnl_memory_desc_t *md)
{
  NnMd *m = g_new0(NnMd, 1);
  m->md = *md;
  return m;
}

void
_nn_prim_free(NnPrim *p)
{
  if (!p)
    return;
  if (p->prim)
    dnnl_primitive_destroy(p->prim);
  for (int i = 0; i < p->n_args; i++) {
    gboolean owned = FALSE;
    for (int k = 0; k < p->n_owned; k++)
      owned |= p->owned[k] == p->args[i].memory;
    if (!owned && p->args[i].memory)
      dnnl_memory_destroy(p->args[i].memory);
  }
  for (int k = 0; k < p->n_owned; k++)
    dnnl_memory_destroy(p->owned[k]);
  g_free(p);
}

/* Creates the primitive of @pd (taking ownership of @pd) with runtime slots
 * for the given argument kinds. */
static NnPrim *
make_prim(NnBackend *be, dnnl_primitive_desc_t pd, int n_slots, const int *slot_args,
          const dnnl_memory_desc_t *const *slot_mds, GError **error)
{
  NnPrim *p = g_new0(NnPrim, 1);
  const char *impl = NULL;
  dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl);
  p->impl = g_intern_string(impl ? impl : "?");
  CHECK(dnnl_primitive_create(&p->prim, pd), "primitive");
  dnnl_primitive_desc_destroy(pd);
  pd = NULL;
  for (int i = 0; i < n_slots; i++) {
    dnnl_memory_t m;
    CHECK(dnnl_memory_create(&m, slot_mds[i], be->engine, DNNL_MEMORY_NONE), "memory");
    p->args[p->n_args++] = (dnnl_exec_arg_t){slot_args[i], m};
  }
  p->n_slots = n_slots;
  return p;
fail:
  if (pd)
    dnnl_primitive_desc_destroy(pd);
  _nn_prim_free(p);
  return NULL;
}

/* A constant argument in the layout @want, filled from a plain float tensor
 * reinterpreted with the dims of @want. */
static gboolean
add_const(NnBackend *be, NnPrim *p, int arg, const dnnl_memory_desc_t *want, const float *data,
          GError **error)
{
  dnnl_memory_desc_t src_md;
  plain_md(&src_md, want->ndims, want->dims);
  dnnl_memory_t src = NULL, dst = NULL;
  dnnl_primitive_desc_t pd = NULL;
  dnnl_primitive_t r = NULL;
  CHECK(dnnl_memory_create(&src, &src_md, be->engine, (void *)data), "memory");
  CHECK(dnnl_memory_create(&dst, want, be->engine, DNNL_MEMORY_ALLOCATE), "memory");
  CHECK(dnnl_reorder_primitive_desc_create(&pd, &src_md, be->engine, want, be->engine, NULL),
        "weights reorder");
  CHECK(dnnl_primitive_create(&r, pd), "weights reorder");
  dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, src}, {DNNL_ARG_TO, dst}};
  CHECK(dnnl_primitive_execute(r, be->stream, 2, args), "weights reorder");
  CHECK(dnnl_stream_wait(be->stream), "weights reorder");
  dnnl_primitive_destroy(r);
  dnnl_primitive_desc_destroy(pd);
  dnnl_memory_destroy(src);
  g_assert(p->n_owned < MAX_OWNED);
  p->owned[p->n_owned++] = dst;
  p->args[p->n_args++] = (dnnl_exec_arg_t){arg, dst};
  return TRUE;
fail:
  if (r)
    dnnl_primitive_destroy(r);
  if (pd)
    dnnl_primitive_desc_destroy(pd);
  if (src)
    dnnl_memory_destroy(src);
  if (dst)
    dnnl_memory_destroy(dst);
  return FALSE;
}

NnPrim *
_nn_prim_reorder(NnBackend *be, const NnMd *src, const NnMd *dst, GError **error)
{
  dnnl_primitive_desc_t pd = NULL;
  CHECK(dnnl_reorder_primitive_desc_create(&pd, &src->md, be->engine, &dst->md, be->engine, NULL),
        "reorder");
  const int args[2] = {DNNL_ARG_FROM, DNNL_ARG_TO};
  const dnnl_memory_desc_t *mds[2] = {&src->md, &dst->md};
  return make_prim(be, pd, 2, args, mds, error);
fail:
  return NULL;
}

static dnnl_alg_kind_t
act_alg(NnAct act, float *alpha, float *beta)
{
  switch (act) {
  case NN_ACT_RELU:
    *alpha = 0;
    return dnnl_eltwise_relu;
  case NN_ACT_LEAKY_RELU:
    return dnnl_eltwise_relu;
  case NN_ACT_SIGMOID:
    return dnnl_eltwise_logistic;
  case NN_ACT_SWISH:
    *alpha = 1;
    return dnnl_eltwise_swish;
  case NN_ACT_CLIP:
    return dnnl_eltwise_clip_v2;
  case NN_ACT_HARDSWISH:
    return dnnl_eltwise_hardswish;
  case NN_ACT_EXP:
    return dnnl_eltwise_exp;
  case NN_ACT_TANH:
    return dnnl_eltwise_tanh;
  case NN_ACT_ABS:
    return dnnl_eltwise_abs;
  case NN_ACT_SQRT:
    return dnnl_eltwise_sqrt;
  case NN_ACT_LOG:
    return dnnl_eltwise_log;
  case NN_ACT_NEG:
    *alpha = -1;
    *beta = 0;
    return dnnl_eltwise_linear;
  case NN_ACT_IDENTITY:
    *alpha = 1;
    *beta = 0;
    return dnnl_eltwise_linear;
  case NN_ACT_LINEAR:
    return dnnl_eltwise_linear;
  case NN_ACT_ROUND:
    return dnnl_eltwise_round;
  }
  return dnnl_eltwise_linear;
}

NnPrim *
_nn_prim_conv(NnBackend *be, const NnConvDesc *d, NnMd **src_want, NnMd **dst, GError **error)
{
  *src_want = *dst = NULL;
  int sp = d->rank - 2;
  dnnl_memory_desc_t src_md, dst_md, w_md, b_md;
  any_md(&src_md, d->rank, d->src_dims);
  any_md(&dst_md, d->rank, d->dst_dims);
  dnnl_dims_t wd;
  int wr = 0;
  if (d->groups > 1) {
    wd[wr++] = d->groups;
    wd[wr++] = d->weights->dims[0] / d->groups;
  } else {
    wd[wr++] = d->weights->dims[0];
  }
  for (int i = 1; i < d->weights->rank; i++)
    wd[wr++] = d->weights->dims[i];
  dnnl_memory_desc_init_by_tag(&w_md, wr, wd, dnnl_f32, dnnl_format_tag_any);
  dnnl_dims_t bd = {d->weights->dims[0]};
  dnnl_memory_desc_init_by_tag(&b_md, 1, bd, dnnl_f32, dnnl_a);
  dnnl_dims_t strides, dil, pl, pr;
  for (int i = 0; i < sp; i++) {
    strides[i] = d->strides[i];
    dil[i] = d->dilations[i] - 1;
    pl[i] = d->pads_l[i];
    pr[i] = d->pads_r[i];
  }
  dnnl_convolution_desc_t cd;
  dnnl_primitive_attr_t attr = NULL;
  dnnl_post_ops_t ops = NULL;
  dnnl_primitive_desc_t pd = NULL;
  NnPrim *p = NULL;
  CHECK(dnnl_dilated_convolution_forward_desc_init(
            &cd, dnnl_forward_inference, dnnl_convolution_direct, &src_md, &w_md,
            d->bias ? &b_md : NULL, &dst_md, strides, dil, pl, pr),
        "convolution");
  CHECK(dnnl_primitive_attr_create(&attr), "attributes");
  CHECK(dnnl_post_ops_create(&ops), "post-ops");
  /* The addend of a fused Add is a binary post-op reading its own tensor,
   * not a sum into dst: a sum must come first in the jit kernels' chain
   * (after an activation they fall back to the reference kernel) and needs
   * the addend copied into dst beforehand. */
  int addend = -1;
  for (int i = 0; i < d->n_post; i++) {
    if (d->post[i].is_sum) {
      dnnl_memory_desc_t a_md;
      any_md(&a_md, d->rank, d->dst_dims);
      CHECK(dnnl_post_ops_append_binary(ops, dnnl_binary_add, &a_md), "add post-op");
      addend = i;
    } else {
      float alpha = d->post[i].alpha, beta = d->post[i].beta;
      dnnl_alg_kind_t alg = act_alg(d->post[i].act, &alpha, &beta);
      CHECK(dnnl_post_ops_append_eltwise(ops, 1.0f, alg, alpha, beta), "eltwise post-op");
    }
  }
  CHECK(dnnl_primitive_attr_set_post_ops(attr, ops), "post-ops");
  CHECK(dnnl_primitive_desc_create(&pd, &cd, attr, be->engine, NULL), "convolution");
  /* Copies: the descriptors the queries return die with @pd. */
  dnnl_memory_desc_t s = *dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0);
  dnnl_memory_desc_t o = *dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0);
  dnnl_memory_desc_t w_want = *dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
  dnnl_memory_desc_t a = o;
  if (addend >= 0) {
    const dnnl_memory_desc_t *q = dnnl_primitive_desc_query_md(
        pd, dnnl_query_exec_arg_md, DNNL_ARG_ATTR_MULTIPLE_POST_OP(addend) | DNNL_ARG_SRC_1);
    if (q && q->format_kind != dnnl_format_kind_any)
      a = *q;
    /* The planner hands the addend over in dst's layout. */
    CHECK(dnnl_memory_desc_equal(&a, &o) ? dnnl_success : dnnl_unimplemented, "add post-op");
  }
  *src_want = wrap_md(&s);
  *dst = wrap_md(&o);
  const int args[3] = {DNNL_ARG_SRC, DNNL_ARG_DST,
                       DNNL_ARG_ATTR_MULTIPLE_POST_OP(MAX(addend, 0)) | DNNL_ARG_SRC_1};
  const dnnl_memory_desc_t *mds[3] = {&s, &o, &a};
  p = make_prim(be, pd, addend >= 0 ? 3 : 2, args, mds, error);
  pd = NULL;
  if (!p)
    goto fail;
  if (!add_const(be, p, DNNL_ARG_WEIGHTS, &w_want, d->weights->data, error))
    goto fail;
  if (d->bias && !add_const(be, p, DNNL_ARG_BIAS, &b_md, d->bias->data, error))
    goto fail;
  dnnl_post_ops_destroy(ops);
  dnnl_primitive_attr_destroy(attr);
  return p;
fail:
  if (pd)
    dnnl_primitive_desc_destroy(pd);
  if (ops)
    dnnl_post_ops_destroy(ops);
  if (attr)
    dnnl_primitive_attr_destroy(attr);
  _nn_prim_free(p);
  if (*src_want) {
    _nn_md_free(*src_want);
    *src_want = NULL;
  }
  if (*dst) {
    _nn_md_free(*dst);
    *dst = NULL;
  }
  return NULL;
}

/* The primitive of @pd with a src and a dst slot, reporting dst's layout. */
static NnPrim *
src_dst_prim(NnBackend *be, dnnl_primitive_desc_t pd, NnMd **dst, GError **error)
{
  const dnnl_memory_desc_t *s = dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0);
  const dnnl_memory_desc_t *o = dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0);
  dnnl_memory_desc_t sc = *s, oc = *o;
  const int args[2] = {DNNL_ARG_SRC, DNNL_ARG_DST};
  const dnnl_memory_desc_t *mds[2] = {&sc, &oc};
  NnPrim *p = make_prim(be, pd, 2, args, mds, error);
  if (p)
    *dst = wrap_md(&oc);
  return p;
}

NnPrim *
_nn_prim_pool(NnBackend *be, const NnMd *src, const NnPoolDesc *d, NnMd **dst, GError **error)
{
  int sp = d->rank - 2;
  dnnl_memory_desc_t dst_md;
  any_md(&dst_md, d->rank, d->dst_dims);
  dnnl_dims_t k, s, dil, pl, pr;
  for (int i = 0; i < sp; i++) {
    k[i] = d->kernel[i];
    s[i] = d->strides[i];
    dil[i] = 0;
    pl[i] = d->pads_l[i];
    pr[i] = d->pads_r[i];
  }
  dnnl_alg_kind_t alg = d->kind == NN_POOL_MAX               ? dnnl_pooling_max
                        : d->kind == NN_POOL_AVG_INCLUDE_PAD ? dnnl_pooling_avg_include_padding
                                                             : dnnl_pooling_avg_exclude_padding;
  dnnl_pooling_v2_desc_t pdesc;
  dnnl_primitive_desc_t pd = NULL;
  CHECK(dnnl_pooling_v2_forward_desc_init(&pdesc, dnnl_forward_inference, alg, &src->md, &dst_md, s,
                                          k, dil, pl, pr),
        "pooling");
  CHECK(dnnl_primitive_desc_create(&pd, &pdesc, NULL, be->engine, NULL), "pooling");
  return src_dst_prim(be, pd, dst, error);
fail:
  return NULL;
}

NnPrim *
_nn_prim_eltwise(NnBackend *be, const NnMd *src, NnAct act, float alpha, float beta, NnMd **dst,
                 GError **error)
{
  dnnl_eltwise_desc_t ed;
  dnnl_primitive_desc_t pd = NULL;
  dnnl_alg_kind_t alg = act_alg(act, &alpha, &beta);
  CHECK(dnnl_eltwise_forward_desc_init(&ed, dnnl_forward_inference, alg, &src->md, alpha, beta),
        "eltwise");
  CHECK(dnnl_primitive_desc_create(&pd, &ed, NULL, be->engine, NULL), "eltwise");
  return src_dst_prim(be, pd, dst, error);
fail:
  return NULL;
}

NnPrim *
_nn_prim_binary(NnBackend *be, NnBinary op, const NnMd *src0, const NnMd *src1, NnMd **dst,
                GError **error)
{
  static const dnnl_alg_kind_t algs[] = {
      [NN_BIN_ADD] = dnnl_binary_add, [NN_BIN_SUB] = dnnl_binary_sub,
      [NN_BIN_MUL] = dnnl_binary_mul, [NN_BIN_DIV] = dnnl_binary_div,
      [NN_BIN_MAX] = dnnl_binary_max, [NN_BIN_MIN] = dnnl_binary_min,
  };
  dnnl_memory_desc_t dst_md;
  dnnl_memory_desc_init_by_tag(&dst_md, src0->md.ndims, src0->md.dims, dnnl_f32,
                               dnnl_format_tag_any);
  dnnl_binary_desc_t bd;
  dnnl_primitive_desc_t pd = NULL;
  CHECK(dnnl_binary_desc_init(&bd, algs[op], &src0->md, &src1->md, &dst_md), "binary");
  CHECK(dnnl_primitive_desc_create(&pd, &bd, NULL, be->engine, NULL), "binary");
  const dnnl_memory_desc_t *o = dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0);
  dnnl_memory_desc_t oc = *o;
  const int args[3] = {DNNL_ARG_SRC_0, DNNL_ARG_SRC_1, DNNL_ARG_DST};
  const dnnl_memory_desc_t *mds[3] = {&src0->md, &src1->md, &oc};
  NnPrim *p = make_prim(be, pd, 3, args, mds, error);
  if (p)
    *dst = wrap_md(&oc);
  return p;
fail:
  return NULL;
}

NnPrim *
_nn_prim_concat(NnBackend *be, int n, const NnMd *const *srcs, int axis, NnMd **dst, GError **error)
{
  if (n + 1 > MAX_ARGS) {
    g_set_error(error, DERUSH_NN_ERROR, DERUSH_NN_ERROR_UNSUPPORTED,
                "concat of %d tensors is more than the backend takes", n);
    return NULL;
  }
  dnnl_memory_desc_t *mds = g_new(dnnl_memory_desc_t, n);
  const dnnl_memory_desc_t **slot_mds = g_new(const dnnl_memory_desc_t *, n + 1);
  int *args = g_new(int, n + 1);
  NnPrim *p = NULL;
  for (int i = 0; i < n; i++) {
    mds[i] = srcs[i]->md;
    slot_mds[i] = &mds[i];
    args[i] = DNNL_ARG_MULTIPLE_SRC + i;
  }
  dnnl_primitive_desc_t pd = NULL;
  CHECK(dnnl_concat_primitive_desc_create(&pd, NULL, n, axis, mds, NULL, be->engine), "concat");
  dnnl_memory_desc_t oc = *dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0);
  slot_mds[n] = &oc;
  args[n] = DNNL_ARG_DST;
  p = make_prim(be, pd, n + 1, args, slot_mds, error);
  if (p)
    *dst = wrap_md(&oc);
fail:
  g_free(mds);
  g_free(slot_mds);
  g_free(args);
  return p;
}

NnPrim *
_nn_prim_resample(NnBackend *be, const NnMd *src, gboolean linear, const int64_t *dst_dims,
                  NnMd **dst, GError **error)
{
  int rank = src->md.ndims;
  dnnl_memory_desc_t dst_md;
  any_md(&dst_md, rank, dst_dims);
  dnnl_resampling_desc_t rd;
  dnnl_primitive_desc_t pd = NULL;
  CHECK(dnnl_resampling_forward_desc_init(&rd, dnnl_forward_inference,
                                          linear ? dnnl_resampling_linear : dnnl_resampling_nearest,
                                          NULL, &src->md, &dst_md),
        "resampling");
  CHECK(dnnl_primitive_desc_create(&pd, &rd, NULL, be->engine, NULL), "resampling");
  return src_dst_prim(be, pd, dst, error);
fail:
  return NULL;
}

NnPrim *
_nn_prim_softmax(NnBackend *be, const NnMd *src, int axis, NnMd **dst, GError **error)
{
  dnnl_softmax_desc_t sd;
  dnnl_primitive_desc_t pd = NULL;
  CHECK(dnnl_softmax_forward_desc_init(&sd, dnnl_forward_inference, &src->md, axis), "softmax");
  CHECK(dnnl_primitive_desc_create(&pd, &sd, NULL, be->engine, NULL), "softmax");
  return src_dst_prim(be, pd, dst, error);
fail:
  return NULL;
}

NnPrim *
_nn_prim_matmul(NnBackend *be, const NnMd *src, const NnTensor *weights, const NnTensor *bias,
                NnMd **dst, GError **error)
{
  int rank = src->md.ndims;
  dnnl_dims_t wd, dd, bd;
  for (int i = 0; i < rank; i++)
    wd[i] = bd[i] = 1;
  wd[rank - 2] = weights->dims[0];
  wd[rank - 1] = weights->dims[1];
  for (int i = 0; i < rank; i++)
    dd[i] = src->md.dims[i];
  dd[rank - 1] = weights->dims[1];
  bd[rank - 1] = weights->dims[1];
  dnnl_memory_desc_t w_md, d_md, b_md;
  dnnl_memory_desc_init_by_tag(&w_md, rank, wd, dnnl_f32, dnnl_format_tag_any);
  plain_md(&d_md, rank, dd);
  plain_md(&b_md, rank, bd);
  dnnl_matmul_desc_t md;
  dnnl_primitive_desc_t pd = NULL;
  NnPrim *p = NULL;
  CHECK(dnnl_matmul_desc_init(&md, &src->md, &w_md, bias ? &b_md : NULL, &d_md), "matmul");
  CHECK(dnnl_primitive_desc_create(&pd, &md, NULL, be->engine, NULL), "matmul");
  dnnl_memory_desc_t w_want = *dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
  p = src_dst_prim(be, pd, dst, error);
  if (!p)
    return NULL;
  if (!add_const(be, p, DNNL_ARG_WEIGHTS, &w_want, weights->data, error))
    goto fail;
  if (bias && !add_const(be, p, DNNL_ARG_BIAS, &b_md, bias->data, error))
    goto fail;
  return p;
fail:
  _nn_prim_free(p);
  if (p && *dst) {
    _nn_md_free(*dst);
    *dst = NULL;
  }
  return NULL;
}

int
_nn_prim_n_slots(const NnPrim *p)
{
  return p->n_slots;
}

void
_nn_prim_bind(NnPrim *p, int slot, void *data)
{
  g_return_if_fail(slot >= 0 && slot < p->n_slots);
  dnnl_memory_set_data_handle(p->args[slot].memory, data);
}

gboolean
_nn_prim_run(NnBackend *be, NnPrim *p, GError **error)
{
  CHECK(dnnl_primitive_execute(p->prim, be->stream, p->n_args, p->args), p->impl);
  return TRUE;
fail:
  return FALSE;
}

gboolean
_nn_backend_wait(NnBackend *be, GError **error)
{
  CHECK(dnnl_stream_wait(be->stream), "stream");
  return TRUE;
fail:
  return FALSE;
}

const char *
_nn_prim_impl(const NnPrim *p)
{
  return p->impl;
}
