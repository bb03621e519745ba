/* plan-arena.c: the activation memory a model's plans share.  A model runs
 * one forward at a time (nn.h), so its plans (one per input shape) can all
 * use the same block, as large as the largest plan's arena: keeping many
 * plans then costs their primitives (a few hundred kilobytes for YuNet),
 * not one arena each (~10 MB at 512x384). */
#include "nn/plan.h"
#include <stdlib.h>
#include <string.h>

struct _NnArena {
  void *base;
  size_t bytes;
  guint64 generation; /* bumped whenever the block moves */
};

NnArena *
_nn_arena_new(void)
{
  return g_new0(NnArena, 1);
}

void
_nn_arena_free(NnArena *a)
{
  if (!a)
    return;
  free(a->base);
  g_free(a);
}

size_t
_nn_arena_bytes(const NnArena *a)
{
  return a ? a->bytes : 0;
}

void
_nn_plan_bind_buffers(NnPlan *pl, void *base)
{
  /* Buffer b at the sum of the ones before it, each rounded to 64. */
  g_autofree size_t *at = g_new0(size_t, pl->n_bufs + 1);
  for (int b = 0; b < pl->n_bufs; b++)
    at[b + 1] = at[b] + MAX((pl->buf_bytes[b] + 63) / 64 * 64, 64);
  for (guint v = 0; v < pl->vals->len; v++) {
    NnPVal *p = PVAL(pl, v);
    if (p->konst)
      p->ptr = p->konst->data;
    else if (p->buf >= 0)
      p->ptr = (char *)base + at[p->buf];
  }
  for (guint v = 0; v < pl->vals->len; v++) {
    size_t off;
    int r = _nn_plan_alias_root(pl, (int)v, &off);
    if (r != (int)v && PVAL(pl, r)->ptr)
      PVAL(pl, v)->ptr = (char *)PVAL(pl, r)->ptr + off;
  }
  for (guint s = 0; s < pl->steps->len; s++) {
    NnStep *st = g_ptr_array_index(pl->steps, s);
    if (st->prim)
      for (int k = 0; k < st->n_vals; k++)
        _nn_prim_bind(st->prim, k, PVAL(pl, st->vals[k])->ptr);
  }
}

/**
 * _nn_plan_use_arena:
 * @pl: a plan
 * @a: the arena of its model
 *
 * Gives @pl's buffers their place in @a (grown first if @pl needs more)
 * and binds its primitives to them; nothing to do when @pl is bound to @a
 * already and the block did not move since.
 */
void
_nn_plan_use_arena(NnPlan *pl, NnArena *a)
{
  size_t want = MAX(pl->arena_bytes, 64);
  if (!a->base || a->bytes < want) {
    free(a->base);
    /* Zeroed, as a plan's own buffers were (blocked layouts' padding). */
    a->base = aligned_alloc(64, want);
    memset(a->base, 0, want);
    a->bytes = want;
    a->generation++;
  }
  if (pl->arena == a && pl->arena_generation == a->generation)
    return;
  _nn_plan_bind_buffers(pl, a->base);
  pl->arena = a;
  pl->arena_generation = a->generation;
}
