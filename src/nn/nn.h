/* nn.h: the neural-network executor (ONNX graphs run on oneDNN).
 *
 * Internal to libderush; the contract between src/nn/ and its users in
 * src/detect/ (see docs/models.md for the operators it runs). */
#ifndef DERUSH_NN_H
#define DERUSH_NN_H

#include <glib.h>
#include <stdint.h>

typedef struct _DerushNnModel DerushNnModel;

#define DERUSH_NN_ERROR (_derush_nn_error_quark())
GQuark _derush_nn_error_quark(void);
typedef enum {
  DERUSH_NN_ERROR_MALFORMED,   /* truncated / not ONNX / bad protobuf / index out of range */
  DERUSH_NN_ERROR_UNSUPPORTED, /* operator, attribute, data type, external data */
  DERUSH_NN_ERROR_SHAPE,       /* input shape does not fit the graph */
  DERUSH_NN_ERROR_BACKEND,     /* oneDNN refused */
} DerushNnError;

/* Loads, folds constants and BatchNorm, validates; primitives are built lazily
 * per input shape and cached.  Error messages name the node and operator. */
DerushNnModel *_derush_nn_model_load(const char *path, GError **error);
DerushNnModel *_derush_nn_model_load_from_data(const void *data, size_t len, GError **error);
void _derush_nn_model_free(DerushNnModel *model);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DerushNnModel, _derush_nn_model_free)

/* Keep an intermediate tensor (by ONNX value name) readable after a run, e.g.
 * the deepest backbone feature map for an embedding.  Call before the first
 * run. */
gboolean _derush_nn_model_keep_tensor(DerushNnModel *model, const char *name, GError **error);

/* One forward on a single float32 NCHW input (the models here have one
 * input).  Not thread-safe per model: one model per thread, or a lock. */
gboolean _derush_nn_model_run(DerushNnModel *model, const float *input, const int64_t *shape,
                              int rank, GError **error);

/* After a successful run: output i (graph order) or any kept tensor by name,
 * as dense row-major float32 (NCHW for 4-D); valid until the next run or
 * free. */
int _derush_nn_model_n_outputs(DerushNnModel *model);
const float *_derush_nn_model_output(DerushNnModel *model, int index, const int64_t **shape,
                                     int *rank);
const float *_derush_nn_model_tensor(DerushNnModel *model, const char *name, const int64_t **shape,
                                     int *rank);

/* Additions beyond the shared contract. */

/* The graph's runtime inputs (initializers excluded) and output names. */
int _derush_nn_model_n_inputs(DerushNnModel *model);
const char *_derush_nn_model_input_name(DerushNnModel *model, int index);
const char *_derush_nn_model_output_name(DerushNnModel *model, int index);

/* A forward with several float32 inputs (graph input order), for graphs
 * with more than one input, such as the ONNX node tests. */
gboolean _derush_nn_model_run_many(DerushNnModel *model, int n_inputs, const float *const *inputs,
                                   const int64_t *const *shapes, const int *ranks, GError **error);

/* How many oneDNN primitives / host steps the current plan runs (tests
 * assert fusion happened), and the bytes of its activation arena. */
int _derush_nn_model_n_steps(DerushNnModel *model);
size_t _derush_nn_model_arena_bytes(DerushNnModel *model);
/* Steps of the current plan on oneDNN's reference (unoptimised) kernels:
 * a layout or fusion its jit kernels refuse shows up here. */
int _derush_nn_model_n_reference_steps(DerushNnModel *model);
/* Steps of the current plan run for nodes of operator @op ("Concat": 0 when
 * every Concat was done in place). */
int _derush_nn_model_n_steps_of(DerushNnModel *model, const char *op);
/* ... of them, those run by derush's own code rather than oneDNN. */
int _derush_nn_model_n_host_steps_of(DerushNnModel *model, const char *op);
/* Process CPU time in microseconds (DERUSH_NN_PROFILE's clock; callers'
 * per-stage figures use it too): a loaded machine inflates it less than
 * the wall clock. */
gint64 _derush_nn_cpu_us(void);
/* Plans built so far: one per input shape (and thread count: a plan is
 * built for the OpenMP threads it runs with) while at most 16 alternate
 * (the model keeps the 16 most recently used: _n_plans_kept). */
int _derush_nn_model_n_plans_built(DerushNnModel *model);
int _derush_nn_model_n_plans_kept(DerushNnModel *model);
/* The bytes of the activation memory the model's plans share: the
 * largest plan's arena, not the sum of them. */
size_t _derush_nn_model_memory_bytes(DerushNnModel *model);
/* OpenMP threads the last forward ran with (all cores unless
 * DERUSH_NN_THREADS says otherwise, nn-threads.h). */
int _derush_nn_model_threads(DerushNnModel *model);

#endif /* DERUSH_NN_H */
