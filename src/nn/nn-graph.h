/* nn-graph.h: the executor's own graph, read from ONNX and rewritten by the
 * optimisation passes; shared by the files of src/nn/ only. */
#ifndef DERUSH_NN_GRAPH_H
#define DERUSH_NN_GRAPH_H

#include "nn/nn.h"

#define NN_MAX_RANK 8

/* ONNX TensorProto.DataType values, the subset the executor stores. */
typedef enum {
  NN_F32 = 1,
  NN_U8 = 2,
  NN_I8 = 3,
  NN_I32 = 6,
  NN_I64 = 7,
  NN_BOOL = 9,
  NN_F64 = 11,
} NnDtype;

/* A dense row-major host tensor: initializers and folded constants. */
typedef struct {
  NnDtype dtype;
  int rank;
  int64_t dims[NN_MAX_RANK];
  void *data; /* owned */
} NnTensor;

typedef enum {
  NN_ATTR_FLOAT,
  NN_ATTR_INT,
  NN_ATTR_STRING,
  NN_ATTR_TENSOR,
  NN_ATTR_FLOATS,
  NN_ATTR_INTS,
} NnAttrType;

typedef struct {
  char *name;
  NnAttrType type;
  float f;
  int64_t i;
  char *s;
  NnTensor *t;
  int n;
  float *floats;
  int64_t *ints;
} NnAttr;

/* Activations the backend fuses after a convolution (or runs alone). */
typedef enum {
  NN_ACT_RELU,
  NN_ACT_LEAKY_RELU, /* alpha */
  NN_ACT_SIGMOID,
  NN_ACT_SWISH, /* x * sigmoid(x) */
  NN_ACT_CLIP,  /* alpha = min, beta = max */
  NN_ACT_HARDSWISH,
  NN_ACT_EXP,
  NN_ACT_TANH,
  NN_ACT_ABS,
  NN_ACT_SQRT,
  NN_ACT_LOG,
  NN_ACT_NEG,
  NN_ACT_IDENTITY,
  NN_ACT_LINEAR, /* alpha * x + beta */
  NN_ACT_ROUND,  /* to nearest, ties to even */
} NnAct;

typedef struct {
  gboolean is_sum; /* else an activation */
  NnAct act;
  float alpha, beta;
  int value; /* is_sum: the value added into the output */
} NnPostOp;

#define NN_MAX_POST 4

typedef struct {
  char *name;
  char *op;
  char *domain;
  int n_in, n_out;
  int *in;  /* value indices, -1 for an omitted optional input */
  int *out; /* value indices */
  int n_attrs;
  NnAttr *attrs;
  gboolean dead; /* folded or fused away */
  /* A Conv that took in a space-to-depth (Focus) before it: its input's
   * height and width must be even, as the Concat it replaces required. */
  gboolean even_input;
  int n_post;
  NnPostOp post[NN_MAX_POST];
} NnNode;

typedef struct {
  char *name;
  NnTensor *konst; /* initializer or folded constant, else NULL */
  int producer;    /* node index, -1 for inputs and constants */
  int n_uses;      /* live consumers (nodes and graph outputs) */
} NnValue;

typedef struct {
  GArray *values;      /* NnValue */
  GArray *nodes;       /* NnNode */
  GHashTable *by_name; /* char* -> index + 1 */
  GArray *inputs;      /* int: runtime inputs */
  GArray *outputs;     /* int */
  int opset;
} NnGraph;

#define NN_VALUE(g, i) (&g_array_index((g)->values, NnValue, (i)))
#define NN_NODE(g, i) (&g_array_index((g)->nodes, NnNode, (i)))

/* nn-graph.c */
NnGraph *_nn_graph_new(void);
void _nn_graph_free(NnGraph *graph);
int _nn_graph_value(NnGraph *graph, const char *name); /* finds or adds */
int _nn_graph_find(NnGraph *graph, const char *name);  /* -1 if absent */
void _nn_graph_count_uses(NnGraph *graph);

size_t _nn_dtype_size(NnDtype dtype);
const char *_nn_dtype_name(NnDtype dtype);
int64_t _nn_numel(const int64_t *dims, int rank);
NnTensor *_nn_tensor_new(NnDtype dtype, int rank, const int64_t *dims);
NnTensor *_nn_tensor_copy(const NnTensor *t);
void _nn_tensor_free(NnTensor *t);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NnTensor, _nn_tensor_free)
/* Element i as a double / int64, whatever the dtype. */
double _nn_tensor_get(const NnTensor *t, int64_t i);
int64_t _nn_tensor_get_int(const NnTensor *t, int64_t i);
void _nn_tensor_set(NnTensor *t, int64_t i, double v);
char *_nn_shape_string(const int64_t *dims, int rank);

const NnAttr *_nn_attr(const NnNode *node, const char *name);
int64_t _nn_attr_int(const NnNode *node, const char *name, int64_t fallback);
float _nn_attr_float(const NnNode *node, const char *name, float fallback);
const char *_nn_attr_string(const NnNode *node, const char *name, const char *fallback);
/* INTS attribute: count (0 when absent) and values. */
int _nn_attr_ints(const NnNode *node, const char *name, const int64_t **ints);
/* Sets (adds or replaces) an INTS attribute. */
void _nn_attr_set_ints(NnNode *node, const char *name, int count, const int64_t *ints);

/* onnx-read.c */
NnGraph *_nn_onnx_read(const void *data, size_t len, GError **error);

/* graph-opt.c: load-time rewrites (BatchNorm into Conv) and the plan-time
 * fusions (activations and residual adds into Conv, space-to-depth slices
 * into the Conv after them: graph-focus.c). */
void _nn_fold_batchnorm(NnGraph *graph);
void _nn_fuse(NnGraph *graph, GHashTable *keep);
gboolean _nn_fold_focus(NnGraph *graph, int concat, GHashTable *keep);
/* Helpers of the rewrites (graph-opt.c). */
gboolean _nn_is_op(const NnNode *n, const char *op);
/* The live nodes reading @v (at most @max of them in @out), and their count. */
int _nn_consumers(NnGraph *g, int v, int *out, int max);
gboolean _nn_is_graph_output(NnGraph *g, int v);
/* A new constant value named after @base (takes @t). */
int _nn_new_const(NnGraph *g, const char *base, NnTensor *t);

/* ops.c: the operator table. */
typedef struct _NnOpInfo NnOpInfo;
const NnOpInfo *_nn_op_lookup(const char *domain, const char *op);
gboolean _nn_op_validate(const NnGraph *graph, const NnNode *node, GError **error);

#endif /* DERUSH_NN_GRAPH_H */
