/* nn-graph.c: the executor's graph and host tensors (see nn-graph.h). */
#include "nn/nn-graph.h"
#include <string.h>

static void
clear_value(gpointer p)
{
  NnValue *v = p;
  g_free(v->name);
  _nn_tensor_free(v->konst);
}

static void
clear_node(gpointer p)
{
  NnNode *n = p;
  g_free(n->name);
  g_free(n->op);
  g_free(n->domain);
  g_free(n->in);
  g_free(n->out);
  for (int i = 0; i < n->n_attrs; i++) {
    g_free(n->attrs[i].name);
    g_free(n->attrs[i].s);
    _nn_tensor_free(n->attrs[i].t);
    g_free(n->attrs[i].floats);
    g_free(n->attrs[i].ints);
  }
  g_free(n->attrs);
}

NnGraph *
_nn_graph_new(void)
{
  NnGraph *g = g_new0(NnGraph, 1);
  g->values = g_array_new(FALSE, TRUE, sizeof(NnValue));
  g_array_set_clear_func(g->values, clear_value);
  g->nodes = g_array_new(FALSE, TRUE, sizeof(NnNode));
  g_array_set_clear_func(g->nodes, clear_node);
  g->by_name = g_hash_table_new(g_str_hash, g_str_equal);
  g->inputs = g_array_new(FALSE, FALSE, sizeof(int));
  g->outputs = g_array_new(FALSE, FALSE, sizeof(int));
  return g;
}

void
_nn_graph_free(NnGraph *g)
{
  if (!g)
    return;
  g_hash_table_destroy(g->by_name);
  g_array_unref(g->values);
  g_array_unref(g->nodes);
  g_array_unref(g->inputs);
  g_array_unref(g->outputs);
  g_free(g);
}

int
_nn_graph_find(NnGraph *g, const char *name)
{
  return GPOINTER_TO_INT(g_hash_table_lookup(g->by_name, name)) - 1;
}

int
_nn_graph_value(NnGraph *g, const char *name)
{
  int i = _nn_graph_find(g, name);
  if (i >= 0)
    return i;
  NnValue v = {.name = g_strdup(name), .producer = -1};
  g_array_append_val(g->values, v);
  i = (int)g->values->len - 1;
  /* The key is the value's own name, which lives as long as the table. */
  g_hash_table_insert(g->by_name, NN_VALUE(g, i)->name, GINT_TO_POINTER(i + 1));
  return i;
}

void
_nn_graph_count_uses(NnGraph *g)
{
  for (guint i = 0; i < g->values->len; i++)
    NN_VALUE(g, i)->n_uses = 0;
  for (guint i = 0; i < g->nodes->len; i++) {
    NnNode *n = NN_NODE(g, i);
    if (n->dead)
      continue;
    for (int k = 0; k < n->n_in; k++)
      if (n->in[k] >= 0)
        NN_VALUE(g, n->in[k])->n_uses++;
    for (int k = 0; k < n->n_post; k++)
      if (n->post[k].is_sum)
        NN_VALUE(g, n->post[k].value)->n_uses++;
  }
  for (guint i = 0; i < g->outputs->len; i++)
    NN_VALUE(g, g_array_index(g->outputs, int, i))->n_uses++;
}

size_t
_nn_dtype_size(NnDtype dtype)
{
  switch (dtype) {
  case NN_F32:
  case NN_I32:
    return 4;
  case NN_I64:
  case NN_F64:
    return 8;
  case NN_U8:
  case NN_I8:
  case NN_BOOL:
    return 1;
  }
  return 0;
}

const char *
_nn_dtype_name(NnDtype dtype)
{
  switch (dtype) {
  case NN_F32:
    return "float32";
  case NN_U8:
    return "uint8";
  case NN_I8:
    return "int8";
  case NN_I32:
    return "int32";
  case NN_I64:
    return "int64";
  case NN_BOOL:
    return "bool";
  case NN_F64:
    return "float64";
  }
  return "unknown";
}

int64_t
_nn_numel(const int64_t *dims, int rank)
{
  int64_t n = 1;
  for (int i = 0; i < rank; i++)
    n *= dims[i];
  return n;
}

NnTensor *
_nn_tensor_new(NnDtype dtype, int rank, const int64_t *dims)
{
  g_return_val_if_fail(rank >= 0 && rank <= NN_MAX_RANK, NULL);
  NnTensor *t = g_new0(NnTensor, 1);
  t->dtype = dtype;
  t->rank = rank;
  if (rank > 0)
    memcpy(t->dims, dims, sizeof(int64_t) * rank);
  size_t bytes = (size_t)_nn_numel(dims, rank) * _nn_dtype_size(dtype);
  t->data = g_malloc0(MAX(bytes, 1));
  return t;
}

NnTensor *
_nn_tensor_copy(const NnTensor *t)
{
  NnTensor *c = _nn_tensor_new(t->dtype, t->rank, t->dims);
  memcpy(c->data, t->data, (size_t)_nn_numel(t->dims, t->rank) * _nn_dtype_size(t->dtype));
  return c;
}

void
_nn_tensor_free(NnTensor *t)
{
  if (!t)
    return;
  g_free(t->data);
  g_free(t);
}

double
_nn_tensor_get(const NnTensor *t, int64_t i)
{
  switch (t->dtype) {
  case NN_F32:
    return ((const float *)t->data)[i];
  case NN_F64:
    return ((const double *)t->data)[i];
  case NN_I32:
    return ((const int32_t *)t->data)[i];
  case NN_I64:
    return (double)((const int64_t *)t->data)[i];
  case NN_U8:
  case NN_BOOL:
    return ((const uint8_t *)t->data)[i];
  case NN_I8:
    return ((const int8_t *)t->data)[i];
  }
  return 0;
}

int64_t
_nn_tensor_get_int(const NnTensor *t, int64_t i)
{
  if (t->dtype == NN_I64)
    return ((const int64_t *)t->data)[i];
  return (int64_t)_nn_tensor_get(t, i);
}

void
_nn_tensor_set(NnTensor *t, int64_t i, double v)
{
  switch (t->dtype) {
  case NN_F32:
    ((float *)t->data)[i] = (float)v;
    break;
  case NN_F64:
    ((double *)t->data)[i] = v;
    break;
  case NN_I32:
    ((int32_t *)t->data)[i] = (int32_t)v;
    break;
  case NN_I64:
    ((int64_t *)t->data)[i] = (int64_t)v;
    break;
  case NN_U8:
    ((uint8_t *)t->data)[i] = (uint8_t)v;
    break;
  case NN_BOOL:
    ((uint8_t *)t->data)[i] = v != 0;
    break;
  case NN_I8:
    ((int8_t *)t->data)[i] = (int8_t)v;
    break;
  }
}

char *
_nn_shape_string(const int64_t *dims, int rank)
{
  GString *s = g_string_new("[");
  for (int i = 0; i < rank; i++)
    g_string_append_printf(s, "%s%" G_GINT64_FORMAT, i ? ", " : "", dims[i]);
  g_string_append_c(s, ']');
  return g_string_free(s, FALSE);
}

const NnAttr *
_nn_attr(const NnNode *node, const char *name)
{
  for (int i = 0; i < node->n_attrs; i++)
    if (strcmp(node->attrs[i].name, name) == 0)
      return &node->attrs[i];
  return NULL;
}

int64_t
_nn_attr_int(const NnNode *node, const char *name, int64_t fallback)
{
  const NnAttr *a = _nn_attr(node, name);
  return a && a->type == NN_ATTR_INT ? a->i : fallback;
}

float
_nn_attr_float(const NnNode *node, const char *name, float fallback)
{
  const NnAttr *a = _nn_attr(node, name);
  return a && a->type == NN_ATTR_FLOAT ? a->f : fallback;
}

const char *
_nn_attr_string(const NnNode *node, const char *name, const char *fallback)
{
  const NnAttr *a = _nn_attr(node, name);
  return a && a->type == NN_ATTR_STRING ? a->s : fallback;
}

int
_nn_attr_ints(const NnNode *node, const char *name, const int64_t **ints)
{
  const NnAttr *a = _nn_attr(node, name);
  if (!a || a->type != NN_ATTR_INTS) {
    *ints = NULL;
    return 0;
  }
  *ints = a->ints;
  return a->n;
}

void
_nn_attr_set_ints(NnNode *node, const char *name, int count, const int64_t *ints)
{
  NnAttr *a = (NnAttr *)_nn_attr(node, name);
  if (!a) {
    node->attrs = g_renew(NnAttr, node->attrs, node->n_attrs + 1);
    a = &node->attrs[node->n_attrs++];
    *a = (NnAttr){.name = g_strdup(name)};
  }
  g_free(a->ints);
  a->type = NN_ATTR_INTS;
  a->n = count;
  a->ints = g_memdup2(ints, sizeof(int64_t) * count);
}
