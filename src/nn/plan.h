/* plan.h: an execution plan, built once per model and input shape: the
 * steps (oneDNN primitives and host kernels) in order, every value's shape
 * and layout, and one arena holding all activations.  Shared by plan.c (the
 * machinery) and the plan-*.c files (one planner per operator family). */
#ifndef DERUSH_NN_PLAN_H
#define DERUSH_NN_PLAN_H

#include "nn/nn-backend.h"
#include "nn/nn.h"

typedef struct {
  int rank;
  int64_t dims[NN_MAX_RANK];
  NnTensor *konst;  /* a constant (borrowed from the graph or owned by the plan) */
  NnMd *md;         /* a runtime value's layout */
  int plain;        /* the value holding this one in plain layout, -1 if none yet */
  int first, last;  /* the steps that write it first and read it last */
  gboolean pinned;  /* output or kept tensor: its buffer is never reused */
  int buf;          /* arena buffer, -1 for constants */
  int alias;        /* lives inside this value's buffer (in-place Concat), -1 if not */
  size_t alias_off; /* at this byte offset */
  /* A graph input the steps read in place from the caller's buffer (no
   * copy into the arena); its ptr is set by each run. */
  gboolean external;
  void *ptr;
} NnPVal;

typedef struct _NnStep NnStep;
/* A host kernel: @ptrs holds the step's inputs then outputs, plain layout. */
typedef void (*NnHostFn)(const NnStep *s, void *const *ptrs);

struct _NnStep {
  NnPrim *prim; /* or */
  NnHostFn host;
  gpointer params;
  GDestroyNotify free_params;
  int n_vals; /* prim: one per slot; host: inputs then outputs */
  int n_in;
  int *vals;
  const NnNode *node; /* the node it was planned for (NULL for output copies) */
  gint64 prof_us;     /* DERUSH_NN_PROFILE: CPU time spent in it */
};

typedef struct _NnArena NnArena;

typedef struct {
  NnGraph *g;
  NnBackend *be;
  GPtrArray *vals;   /* NnPVal (stable pointers); the graph's values first, at their index */
  GPtrArray *steps;  /* NnStep */
  GPtrArray *konsts; /* NnTensor the plan owns */
  int n_bufs;
  size_t *buf_bytes;
  size_t arena_bytes; /* the sum of buf_bytes, each rounded to 64 */
  NnArena *arena;     /* the buffers it is bound to (plan-arena.c) */
  guint64 arena_generation;
  int64_t in_dims[16][NN_MAX_RANK]; /* the input shapes this plan is for */
  int in_ranks[16];
  int threads;      /* OpenMP threads its primitives were built for */
  gint64 best_us;   /* its fastest forward so far (wall), 0 before one */
  int *out_vals;    /* per graph output: its plain value */
  GHashTable *kept; /* name -> plain value + 1 */
  gboolean profile; /* DERUSH_NN_PROFILE set: time every step */
  int prof_runs;
  /* Planning state. */
  gboolean folding;   /* the current node has only constant inputs */
  const NnNode *node; /* the node being planned */
} NnPlan;

#define PVAL(pl, i) ((NnPVal *)g_ptr_array_index((pl)->vals, (i)))

/* plan.c */
NnPlan *_nn_plan_build(NnGraph *g, NnBackend *be, int n_inputs, const int64_t *const *shapes,
                       const int *ranks, GHashTable *keep, GError **error);
gboolean _nn_plan_matches(const NnPlan *pl, int n_inputs, const int64_t *const *shapes,
                          const int *ranks);
/* Runs @pl, which _nn_plan_use_arena() bound to buffers. */
gboolean _nn_plan_run(NnPlan *pl, const float *const *inputs, GError **error);
/* The value whose buffer @v lives in (itself when none), *@offset bytes in. */
int _nn_plan_alias_root(NnPlan *pl, int v, size_t *offset);

/* plan-arena.c: the activation memory of a model's plans. */
NnArena *_nn_arena_new(void);
void _nn_arena_free(NnArena *a);
/* The bytes it holds. */
size_t _nn_arena_bytes(const NnArena *a);
void _nn_plan_use_arena(NnPlan *pl, NnArena *a);
/* Points @pl's values and primitives at its buffers in the block @base
 * (arena_bytes long, 64-byte aligned). */
void _nn_plan_bind_buffers(NnPlan *pl, void *base);
void _nn_plan_free(NnPlan *pl);
/* plan-profile.c: with DERUSH_NN_PROFILE set, where the plan's forwards
 * spent their time, per kernel and per step, on stderr. */
void _nn_plan_profile_report(NnPlan *pl);

/* For the planners. */
int _nn_plan_new_val(NnPlan *pl, int rank, const int64_t *dims);
/* Sets value @v's shape and layout as a runtime value (takes @md). */
void _nn_plan_set_runtime(NnPlan *pl, int v, int rank, const int64_t *dims, NnMd *md);
/* Makes @v a constant (the plan takes @t). */
void _nn_plan_set_const(NnPlan *pl, int v, NnTensor *t);
/* @v in plain layout (a reorder step is added the first time). */
int _nn_plan_plain(NnPlan *pl, int v, GError **error);
/* @v in layout @md (adds a reorder step into a new value unless it already
 * is); constants are uploaded as float32. */
int _nn_plan_in_layout(NnPlan *pl, int v, const NnMd *md, GError **error);
/* Places runtime value @part inside @whole's buffer at @offset bytes: its
 * producer then writes straight into @whole (a Concat with no copy). */
void _nn_plan_alias(NnPlan *pl, int part, int whole, size_t offset);
/* TRUE if @v is one of the graph's runtime inputs. */
gboolean _nn_plan_is_input(NnPlan *pl, int v);
/* A constant as float32 (converted once), for the backend. */
const NnTensor *_nn_plan_f32(NnPlan *pl, int v);
/* The runtime layout of @v (plain for constants; the caller frees). */
NnMd *_nn_plan_md(NnPlan *pl, int v);
void _nn_plan_add_prim(NnPlan *pl, NnPrim *prim, const int *vals);
/* A host step over plain inputs and outputs, or, while folding, runs it now
 * on constants.  Outputs get shapes from @out_ranks/@out_dims and, when
 * folding, dtypes from @out_dtypes (runtime outputs are float32). */
gboolean _nn_plan_add_host(NnPlan *pl, const NnNode *n, NnHostFn fn, gpointer params,
                           GDestroyNotify free_params, int n_in, const int *in, int n_out,
                           const int *out, const int *out_ranks,
                           const int64_t (*out_dims)[NN_MAX_RANK], const NnDtype *out_dtypes,
                           GError **error);

/* A host step over runtime values in the layouts they have (the caller
 * set the outputs' layouts): @fn reads @vals[0..n_in) and writes the rest. */
void _nn_plan_add_host_step(NnPlan *pl, NnHostFn fn, gpointer params, GDestroyNotify free_params,
                            int n_in, int n_vals, const int *vals);
/* plan-pool-host.c: 2x2 stride-2 max pooling as a host step; FALSE when
 * @d is another pooling (nothing planned). */
gboolean _nn_plan_pool2_host(NnPlan *pl, const NnNode *n, int in, const NnPoolDesc *d);

/* plan-ops.c: the operator table. */
typedef gboolean (*NnPlanFn)(NnPlan *pl, const NnNode *n, GError **error);
struct _NnOpInfo {
  const char *domain;
  const char *name;
  int min_in, max_in;
  NnPlanFn plan;
};

/* Error helpers: every message names the node and its operator. */
#define NN_FAIL(err, code, n, ...) _nn_fail((err), (code), (n), __VA_ARGS__)
gboolean _nn_fail(GError **error, int code, const NnNode *n, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);

#endif /* DERUSH_NN_PLAN_H */
