/* model.c: the executor's entry points (see nn.h): a loaded graph, its
 * kept tensors, and the plans for the last input shapes. */
#include "derush-private.h"
#include "nn/nn-threads.h"
#include "nn/plan.h"
#include <string.h>

/* DERUSH_NN_ERROR is defined in library.c (derush_init fills it). */

struct _DerushNnModel {
  NnGraph *graph;
  NnBackend *be;
  GHashTable *keep; /* names, set */
  gboolean fused;
  NnPlan *plan;     /* the last run's, NULL after a failed build */
  GPtrArray *plans; /* NnPlan, most recently used first, at most PLAN_CACHE */
  NnArena *arena;   /* the buffers all its plans use, one forward at a time */
  int plans_built;
  int threads; /* the last forward's OpenMP threads */
};

/* Plans kept per model, keyed by input shapes and threads: YuNet runs at
 * the preview's size padded to multiples of 32 (landscape and portrait 3:2,
 * 4:3, 16:9, square...), at the coarse pass's and on tiles, each maybe
 * with one or two threads, and rebuilding a plan costs tens of
 * milliseconds where a forward costs a few.  The plans share one arena
 * (plan-arena.c), so a kept plan costs its primitives only. */
#define PLAN_CACHE 16

/* OpenMP's threads spin after each parallel region by default, which on a
 * shared 2-core machine starves the next forward (measured: 6.5 s instead
 * of 0.85 s median at load average 27).  libgomp reads its settings in
 * its constructor, before main(), so this only reaches OpenMP runtimes that
 * start later (child processes); front ends set them before exec
 * (derush_restart_with_idle_threads). */
static void
nn_process_init(void)
{
  static gsize done = 0;
  if (g_once_init_enter(&done)) {
    (void)_derush_set_openmp_env();
    g_once_init_leave(&done, 1);
  }
}

DerushNnModel *
_derush_nn_model_load_from_data(const void *data, size_t len, GError **error)
{
  g_return_val_if_fail(data != NULL || len == 0, NULL);
  nn_process_init();
  NnGraph *g = _nn_onnx_read(data, len, error);
  if (!g)
    return NULL;
  for (guint i = 0; i < g->inputs->len; i++) {
    (void)i; /* dtype of inputs: float32 is checked when a run binds them */
  }
  for (guint i = 0; i < g->nodes->len; i++)
    if (g_str_has_prefix(NN_NODE(g, i)->op, "QLinear")) {
      g_info("int8 model: its QLinear operators run in float32 (weights dequantized once, "
             "when the plan is built; outputs requantized), see src/nn/plan-quant.c");
      break;
    }
  _nn_fold_batchnorm(g);
  NnBackend *be = _nn_backend_new(error);
  if (!be) {
    _nn_graph_free(g);
    return NULL;
  }
  DerushNnModel *m = g_new0(DerushNnModel, 1);
  m->graph = g;
  m->be = be;
  m->keep = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  m->plans = g_ptr_array_new_with_free_func((GDestroyNotify)_nn_plan_free);
  m->arena = _nn_arena_new();
  derush_counter_add(DERUSH_COUNTER_NN_MODELS_LOADED, 1);
  return m;
}

DerushNnModel *
_derush_nn_model_load(const char *path, GError **error)
{
  g_return_val_if_fail(path != NULL, NULL);
  g_autoptr(GMappedFile) f = g_mapped_file_new(path, FALSE, error);
  if (!f) {
    g_prefix_error(error, "cannot read model: ");
    return NULL;
  }
  DerushNnModel *m = _derush_nn_model_load_from_data(g_mapped_file_get_contents(f),
                                                     g_mapped_file_get_length(f), error);
  if (!m)
    g_prefix_error(error, "%s: ", path);
  return m;
}

void
_derush_nn_model_free(DerushNnModel *m)
{
  if (!m)
    return;
  g_ptr_array_unref(m->plans);
  _nn_arena_free(m->arena);
  _nn_backend_free(m->be);
  _nn_graph_free(m->graph);
  g_hash_table_destroy(m->keep);
  g_free(m);
}

gboolean
_derush_nn_model_keep_tensor(DerushNnModel *m, const char *name, GError **error)
{
  g_return_val_if_fail(m != NULL && name != NULL, FALSE);
  int v = _nn_graph_find(m->graph, name);
  if (v < 0) {
    g_set_error(error, DERUSH_NN_ERROR, DERUSH_NN_ERROR_MALFORMED, "no tensor named '%s'", name);
    return FALSE;
  }
  if (m->fused) {
    g_set_error(error, DERUSH_NN_ERROR, DERUSH_NN_ERROR_UNSUPPORTED,
                "tensor '%s' must be kept before the first run", name);
    return FALSE;
  }
  g_hash_table_add(m->keep, g_strdup(name));
  return TRUE;
}

/* Makes m->plan the plan for these input shapes and @threads, built now
 * (*@built) when none of the kept ones fits. */
static gboolean
find_plan(DerushNnModel *m, int n_inputs, const int64_t *const *shapes, const int *ranks,
          int threads, gboolean *built, GError **error)
{
  m->plan = NULL;
  for (guint i = 0; i < m->plans->len && (int)m->graph->inputs->len == n_inputs; i++) {
    NnPlan *pl = g_ptr_array_index(m->plans, i);
    if (pl->threads == threads && _nn_plan_matches(pl, n_inputs, shapes, ranks)) {
      g_ptr_array_steal_index(m->plans, i);
      g_ptr_array_insert(m->plans, 0, pl);
      m->plan = pl;
      _nn_plan_use_arena(pl, m->arena);
      return TRUE;
    }
  }
  NnPlan *pl = _nn_plan_build(m->graph, m->be, n_inputs, shapes, ranks, m->keep, error);
  if (!pl)
    return FALSE;
  pl->threads = threads;
  *built = TRUE;
  m->plans_built++;
  if (m->plans->len >= PLAN_CACHE)
    g_ptr_array_remove_index(m->plans, m->plans->len - 1);
  g_ptr_array_insert(m->plans, 0, pl);
  m->plan = pl;
  _nn_plan_use_arena(pl, m->arena);
  return TRUE;
}

gboolean
_derush_nn_model_run_many(DerushNnModel *m, int n_inputs, const float *const *inputs,
                          const int64_t *const *shapes, const int *ranks, GError **error)
{
  g_return_val_if_fail(m != NULL, FALSE);
  if (!m->fused) {
    _nn_fuse(m->graph, m->keep);
    m->fused = TRUE;
  }
  NnForwardClock clock;
  int threads = _nn_threads_begin(&clock);
  /* oneDNN bakes the thread count into its kernels when they are created
   * (and reads it again for some when they run): a plan is built and run
   * with the same count, set on this thread alone. */
  int saved = omp_get_max_threads();
  if (saved != threads)
    omp_set_num_threads(threads);
  gboolean built = FALSE, ok = find_plan(m, n_inputs, shapes, ranks, threads, &built, error) &&
                               _nn_plan_run(m->plan, inputs, error);
  if (saved != threads)
    omp_set_num_threads(saved);
  if (!ok)
    return FALSE;
  m->threads = threads;
  if (!built) {
    gint64 wall = _nn_threads_end(&clock, m->plan->best_us);
    if (m->plan->best_us == 0 || wall < m->plan->best_us)
      m->plan->best_us = wall;
  }
  derush_counter_add(DERUSH_COUNTER_NN_FORWARDS, 1);
  return TRUE;
}

gboolean
_derush_nn_model_run(DerushNnModel *m, const float *input, const int64_t *shape, int rank,
                     GError **error)
{
  return _derush_nn_model_run_many(m, 1, &input, &shape, &rank, error);
}

int
_derush_nn_model_n_outputs(DerushNnModel *m)
{
  return (int)m->graph->outputs->len;
}

int
_derush_nn_model_n_inputs(DerushNnModel *m)
{
  return (int)m->graph->inputs->len;
}

const char *
_derush_nn_model_input_name(DerushNnModel *m, int index)
{
  g_return_val_if_fail(index >= 0 && index < (int)m->graph->inputs->len, NULL);
  return NN_VALUE(m->graph, g_array_index(m->graph->inputs, int, index))->name;
}

const char *
_derush_nn_model_output_name(DerushNnModel *m, int index)
{
  g_return_val_if_fail(index >= 0 && index < (int)m->graph->outputs->len, NULL);
  return NN_VALUE(m->graph, g_array_index(m->graph->outputs, int, index))->name;
}

static const float *
value_data(DerushNnModel *m, int v, const int64_t **shape, int *rank)
{
  NnPVal *p = PVAL(m->plan, v);
  if (shape)
    *shape = p->dims;
  if (rank)
    *rank = p->rank;
  if (p->konst && p->konst->dtype != NN_F32)
    return NULL;
  return p->ptr;
}

const float *
_derush_nn_model_output(DerushNnModel *m, int index, const int64_t **shape, int *rank)
{
  g_return_val_if_fail(m != NULL && m->plan != NULL, NULL);
  g_return_val_if_fail(index >= 0 && index < (int)m->graph->outputs->len, NULL);
  return value_data(m, m->plan->out_vals[index], shape, rank);
}

const float *
_derush_nn_model_tensor(DerushNnModel *m, const char *name, const int64_t **shape, int *rank)
{
  g_return_val_if_fail(m != NULL && m->plan != NULL, NULL);
  int v = GPOINTER_TO_INT(g_hash_table_lookup(m->plan->kept, name)) - 1;
  if (v < 0) {
    for (guint i = 0; i < m->graph->outputs->len; i++)
      if (strcmp(_derush_nn_model_output_name(m, (int)i), name) == 0)
        return _derush_nn_model_output(m, (int)i, shape, rank);
    return NULL;
  }
  return value_data(m, v, shape, rank);
}

int
_derush_nn_model_n_steps(DerushNnModel *m)
{
  return m->plan ? (int)m->plan->steps->len : 0;
}

size_t
_derush_nn_model_arena_bytes(DerushNnModel *m)
{
  return m->plan ? m->plan->arena_bytes : 0;
}

int
_derush_nn_model_n_reference_steps(DerushNnModel *m)
{
  int n = 0;
  for (guint s = 0; m->plan && s < m->plan->steps->len; s++) {
    NnStep *st = g_ptr_array_index(m->plan->steps, s);
    n += st->prim && g_str_has_prefix(_nn_prim_impl(st->prim), "ref");
  }
  return n;
}

int
_derush_nn_model_n_steps_of(DerushNnModel *m, const char *op)
{
  int n = 0;
  for (guint s = 0; m->plan && s < m->plan->steps->len; s++) {
    NnStep *st = g_ptr_array_index(m->plan->steps, s);
    n += st->node && strcmp(st->node->op, op) == 0;
  }
  return n;
}

int
_derush_nn_model_n_host_steps_of(DerushNnModel *m, const char *op)
{
  int n = 0;
  for (guint s = 0; m->plan && s < m->plan->steps->len; s++) {
    NnStep *st = g_ptr_array_index(m->plan->steps, s);
    n += st->host && st->node && strcmp(st->node->op, op) == 0;
  }
  return n;
}

size_t
_derush_nn_model_memory_bytes(DerushNnModel *m)
{
  return _nn_arena_bytes(m->arena);
}

int
_derush_nn_model_n_plans_kept(DerushNnModel *m)
{
  return (int)m->plans->len;
}

int
_derush_nn_model_n_plans_built(DerushNnModel *m)
{
  return m->plans_built;
}

int
_derush_nn_model_threads(DerushNnModel *m)
{
  return m->threads;
}
