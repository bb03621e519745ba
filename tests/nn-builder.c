/* nn-builder.c: see nn-builder.h.  Every message and array lives in the
 * builder's list and is freed with it. */
#include "nn-builder.h"
#include <string.h>

struct _NnBuilder {
  GPtrArray *mem;
  Onnx__ModelProto model;
  Onnx__OperatorSetIdProto opset;
  Onnx__OperatorSetIdProto *opsets[1];
  Onnx__GraphProto graph;
  GPtrArray *nodes, *inits, *inputs, *outputs;
};

static gpointer
keep(NnBuilder *b, gpointer p)
{
  g_ptr_array_add(b->mem, p);
  return p;
}

static char *
str(NnBuilder *b, const char *s)
{
  return keep(b, g_strdup(s));
}

NnBuilder *
nnb_new(int opset)
{
  NnBuilder *b = g_new0(NnBuilder, 1);
  b->mem = g_ptr_array_new_with_free_func(g_free);
  b->nodes = g_ptr_array_new();
  b->inits = g_ptr_array_new();
  b->inputs = g_ptr_array_new();
  b->outputs = g_ptr_array_new();
  Onnx__ModelProto m = ONNX__MODEL_PROTO__INIT;
  b->model = m;
  Onnx__GraphProto g = ONNX__GRAPH_PROTO__INIT;
  b->graph = g;
  Onnx__OperatorSetIdProto o = ONNX__OPERATOR_SET_ID_PROTO__INIT;
  b->opset = o;
  b->opset.domain = str(b, "");
  b->opset.has_version = TRUE;
  b->opset.version = opset;
  b->opsets[0] = &b->opset;
  b->model.has_ir_version = TRUE;
  b->model.ir_version = 8;
  b->model.n_opset_import = 1;
  b->model.opset_import = b->opsets;
  b->model.graph = &b->graph;
  b->graph.name = str(b, "test");
  return b;
}

void
nnb_free(NnBuilder *b)
{
  if (!b)
    return;
  g_ptr_array_unref(b->mem);
  g_ptr_array_unref(b->nodes);
  g_ptr_array_unref(b->inits);
  g_ptr_array_unref(b->inputs);
  g_ptr_array_unref(b->outputs);
  g_free(b);
}

static Onnx__ValueInfoProto *
value_info(NnBuilder *b, const char *name)
{
  Onnx__ValueInfoProto *v = keep(b, g_new0(Onnx__ValueInfoProto, 1));
  Onnx__ValueInfoProto init = ONNX__VALUE_INFO_PROTO__INIT;
  *v = init;
  v->name = str(b, name);
  return v;
}

void
nnb_input(NnBuilder *b, const char *name)
{
  g_ptr_array_add(b->inputs, value_info(b, name));
}

void
nnb_output(NnBuilder *b, const char *name)
{
  g_ptr_array_add(b->outputs, value_info(b, name));
}

static Onnx__TensorProto *
tensor(NnBuilder *b, const char *name, int rank, const int64_t *dims)
{
  Onnx__TensorProto *t = keep(b, g_new0(Onnx__TensorProto, 1));
  Onnx__TensorProto init = ONNX__TENSOR_PROTO__INIT;
  *t = init;
  t->name = str(b, name);
  t->n_dims = rank;
  t->dims = keep(b, g_memdup2(dims, sizeof(int64_t) * MAX(rank, 1)));
  t->has_data_type = TRUE;
  g_ptr_array_add(b->inits, t);
  return t;
}

Onnx__TensorProto *
nnb_init_f32(NnBuilder *b, const char *name, int rank, const int64_t *dims, const float *data)
{
  Onnx__TensorProto *t = tensor(b, name, rank, dims);
  gsize n = 1;
  for (int i = 0; i < rank; i++)
    n *= (gsize)dims[i];
  t->data_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
  t->has_raw_data = TRUE;
  t->raw_data.len = n * sizeof(float);
  t->raw_data.data = keep(b, g_memdup2(data, n * sizeof(float)));
  return t;
}

Onnx__TensorProto *
nnb_init_i64(NnBuilder *b, const char *name, int n, const int64_t *values)
{
  int64_t d = n;
  Onnx__TensorProto *t = tensor(b, name, 1, &d);
  t->data_type = ONNX__TENSOR_PROTO__DATA_TYPE__INT64;
  t->n_int64_data = n;
  t->int64_data = keep(b, g_memdup2(values, sizeof(int64_t) * MAX(n, 1)));
  return t;
}

static char **
names(NnBuilder *b, const char *list, size_t *n)
{
  char **v = g_strsplit(list, ",", -1);
  *n = g_strv_length(v);
  for (size_t i = 0; i < *n; i++)
    keep(b, v[i]);
  return keep(b, v); /* the strings are freed one by one, the vector too */
}

Onnx__NodeProto *
nnb_node(NnBuilder *b, const char *op, const char *name, const char *inputs, const char *outputs)
{
  Onnx__NodeProto *n = keep(b, g_new0(Onnx__NodeProto, 1));
  Onnx__NodeProto init = ONNX__NODE_PROTO__INIT;
  *n = init;
  n->op_type = str(b, op);
  n->name = str(b, name);
  n->domain = str(b, "");
  n->input = names(b, inputs, &n->n_input);
  n->output = names(b, outputs, &n->n_output);
  g_ptr_array_add(b->nodes, n);
  return n;
}

static Onnx__AttributeProto *
attr(NnBuilder *b, Onnx__NodeProto *n, const char *name, Onnx__AttributeProto__AttributeType type)
{
  Onnx__AttributeProto *a = keep(b, g_new0(Onnx__AttributeProto, 1));
  Onnx__AttributeProto init = ONNX__ATTRIBUTE_PROTO__INIT;
  *a = init;
  a->name = str(b, name);
  a->has_type = TRUE;
  a->type = type;
  Onnx__AttributeProto **v = g_new(Onnx__AttributeProto *, n->n_attribute + 1);
  if (n->n_attribute)
    memcpy(v, n->attribute, sizeof(void *) * n->n_attribute);
  v[n->n_attribute++] = a;
  n->attribute = keep(b, v);
  return a;
}

void
nnb_attr_int(NnBuilder *b, Onnx__NodeProto *n, const char *name, int64_t v)
{
  Onnx__AttributeProto *a = attr(b, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT);
  a->has_i = TRUE;
  a->i = v;
}

void
nnb_attr_float(NnBuilder *b, Onnx__NodeProto *n, const char *name, float v)
{
  Onnx__AttributeProto *a = attr(b, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT);
  a->has_f = TRUE;
  a->f = v;
}

void
nnb_attr_ints(NnBuilder *b, Onnx__NodeProto *n, const char *name, int count, const int64_t *v)
{
  Onnx__AttributeProto *a = attr(b, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS);
  a->n_ints = count;
  a->ints = keep(b, g_memdup2(v, sizeof(int64_t) * MAX(count, 1)));
}

void
nnb_attr_string(NnBuilder *b, Onnx__NodeProto *n, const char *name, const char *v)
{
  Onnx__AttributeProto *a = attr(b, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING);
  a->has_s = TRUE;
  a->s.len = strlen(v);
  a->s.data = (uint8_t *)str(b, v);
}

guint8 *
nnb_pack(NnBuilder *b, gsize *len)
{
  b->graph.n_node = b->nodes->len;
  b->graph.node = (Onnx__NodeProto **)b->nodes->pdata;
  b->graph.n_initializer = b->inits->len;
  b->graph.initializer = (Onnx__TensorProto **)b->inits->pdata;
  b->graph.n_input = b->inputs->len;
  b->graph.input = (Onnx__ValueInfoProto **)b->inputs->pdata;
  b->graph.n_output = b->outputs->len;
  b->graph.output = (Onnx__ValueInfoProto **)b->outputs->pdata;
  *len = onnx__model_proto__get_packed_size(&b->model);
  guint8 *out = g_malloc(MAX(*len, 1));
  onnx__model_proto__pack(&b->model, out);
  return out;
}

float *
nnb_pattern(gsize n, guint32 seed)
{
  g_autoptr(GRand) r = g_rand_new_with_seed(seed);
  float *v = g_new(float, n);
  for (gsize i = 0; i < n; i++)
    v[i] = (float)g_rand_double_range(r, -1, 1);
  return v;
}

DerushNnModel *
nnb_load(NnBuilder *b)
{
  gsize len = 0;
  g_autofree guint8 *bytes = nnb_pack(b, &len);
  g_autoptr(GError) error = NULL;
  DerushNnModel *m = _derush_nn_model_load_from_data(bytes, len, &error);
  g_assert_no_error(error);
  return m;
}

void
nnb_expect_run_error(NnBuilder *b, const int64_t *shape, int rank, int code, const char *needle)
{
  g_autoptr(DerushNnModel) m = nnb_load(b);
  gsize n = 1;
  for (int i = 0; i < rank; i++)
    n *= (gsize)shape[i];
  g_autofree float *x = nnb_pattern(n, 1);
  g_autoptr(GError) error = NULL;
  g_assert_false(_derush_nn_model_run(m, x, shape, rank, &error));
  g_assert_error(error, DERUSH_NN_ERROR, code);
  g_test_message("%s", error->message);
  g_assert_nonnull(strstr(error->message, needle));
}
