/* plan-pool-host.c: 2x2 stride-2 max pooling (YuNet's four MaxPools, the
 * downsampling of most small detectors) as a host step, in the layout its
 * input already has: plain NCHW or channels blocked by 8 or 16.  oneDNN
 * 2.6's jit:avx2 pooling took 0.70 ms on YuNet's [1, 16, 192, 256] with one
 * thread, this loop 0.08 ms: its two largest MaxPools were a fifth of
 * YuNet's forward at 512x384. */
#include "nn/plan.h"

typedef struct {
  int64_t outer; /* images x channel blocks */
  int64_t h, w, oh, ow;
  int block; /* channels interleaved per pixel: 1 (plain), 8 or 16 */
} Pool2Params;

static inline float
max4(float a, float b, float c, float d)
{
  float m = a > b ? a : b, n = c > d ? c : d;
  return m > n ? m : n;
}

/* One output row of @B interleaved channels: a compile-time @B lets the
 * compiler vectorise the lanes. */
#define POOL2_ROW(B)                                                                               \
  static void pool2_row_##B(const float *restrict r0, const float *restrict r1, float *restrict o, \
                            int64_t ow)                                                            \
  {                                                                                                \
    for (int64_t j = 0; j < ow; j++, r0 += 2 * (B), r1 += 2 * (B), o += (B))                       \
      for (int k = 0; k < (B); k++)                                                                \
        o[k] = max4(r0[k], r0[k + (B)], r1[k], r1[k + (B)]);                                       \
  }
POOL2_ROW(1)
POOL2_ROW(8)
POOL2_ROW(16)

static void
host_pool2(const NnStep *s, void *const *ptrs)
{
  const Pool2Params *p = s->params;
  const float *x = ptrs[0];
  float *y = ptrs[1];
  int64_t b = p->block;
  for (int64_t o = 0; o < p->outer; o++)
    for (int64_t i = 0; i < p->oh; i++) {
      const float *r0 = x + ((o * p->h + 2 * i) * p->w) * b, *r1 = r0 + p->w * b;
      float *out = y + ((o * p->oh + i) * p->ow) * b;
      if (b == 8)
        pool2_row_8(r0, r1, out, p->ow);
      else if (b == 16)
        pool2_row_16(r0, r1, out, p->ow);
      else
        pool2_row_1(r0, r1, out, p->ow);
    }
}

/**
 * _nn_plan_pool2_host:
 * @pl: the plan
 * @n: the MaxPool node
 * @in: its input value (runtime, in any layout)
 * @d: the pooling
 *
 * Plans @n as a host step when it is a 2-D 2x2 max pooling of stride 2
 * without padding (outputs floor(h / 2) x floor(w / 2): a negative right
 * pad is how the planner drops an odd last row) over a plain or
 * channel-blocked input.
 *
 * Returns: FALSE (nothing planned) otherwise: oneDNN's pooling then.
 */
gboolean
_nn_plan_pool2_host(NnPlan *pl, const NnNode *n, int in, const NnPoolDesc *d)
{
  NnPVal *x = PVAL(pl, in);
  if (pl->folding || x->konst || !x->md || d->kind != NN_POOL_MAX || d->rank != 4)
    return FALSE;
  for (int i = 0; i < 2; i++)
    if (d->kernel[i] != 2 || d->strides[i] != 2 || d->pads_l[i] != 0 || d->pads_r[i] > 0 ||
        d->dst_dims[2 + i] != x->dims[2 + i] / 2 || d->dst_dims[2 + i] < 1)
      return FALSE;
  int block = 0;
  NnMd *dst = _nn_md_with_dims(x->md, 4, d->dst_dims, &block);
  if (!dst)
    return FALSE;
  Pool2Params *p = g_new(Pool2Params, 1);
  *p = (Pool2Params){
      .outer = x->dims[0] * ((x->dims[1] + block - 1) / block),
      .h = x->dims[2],
      .w = x->dims[3],
      .oh = d->dst_dims[2],
      .ow = d->dst_dims[3],
      .block = block,
  };
  _nn_plan_set_runtime(pl, n->out[0], 4, d->dst_dims, dst);
  const int vals[2] = {in, n->out[0]};
  _nn_plan_add_host_step(pl, host_pool2, p, g_free, 1, 2, vals);
  return TRUE;
}
