/* onnx-read.c: ONNX protobuf (parsed by protobuf-c, from Debian's onnx.proto)
 * into the executor's graph.  Every count, index and byte length in the file is
 * checked here, so later stages can trust the graph. */
#include "nn/nn-graph.h"
#include "nn/onnx.pb-c.h"
#include <string.h>

/* Large enough for any photo model, small enough that a forged shape cannot
 * make us allocate the machine away. */
#define MAX_TENSOR_BYTES ((int64_t)1 << 31)

static gboolean
shape_ok(const int64_t *dims, size_t rank, NnDtype dtype, const char *what, GError **error)
{
  if (rank > NN_MAX_RANK) {
    g_set_error(error, DERUSH_NN_ERROR, DERUSH_NN_ERROR_UNSUPPORTED,
                "%s: rank %zu is above the executor's %d", what, rank, NN_MAX_RANK);
    return FALSE;
  }
  int64_t bytes = (int64_t)_nn_dtype_size(dtype);
  for (size_t i = 0; i < rank; i++) {
    if (dims[i] < 0 || (dims[i] > 0 && bytes > MAX_TENSOR_BYTES / dims[i])) {
      g_set_error(error, DERUSH_NN_ERROR, DERUSH_NN_ERROR_MALFORMED,
                  "%s: dimension %zu is %" G_GINT64_FORMAT ", out of range", what, i, dims[i]);
      return FALSE;
    }
    bytes *= dims[i];
  }
  return TRUE;
}

static gboolean
dtype_ok(int32_t type)
{
  switch (type) {
  case NN_F32:
  case NN_U8:
  case NN_I8:
  case NN_I32:
  case NN_I64:
  case NN_BOOL:
  case NN_F64:
    return TRUE;
  default:
    return FALSE;
  }
}

/* A TensorProto (initializer or attribute) as a host tensor. */
static NnTensor *
read_tensor(const Onnx__TensorProto *tp, const char *what, GError **error)
{
  if (tp->n_external_data > 0 ||
      (tp->has_data_location && tp->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL)) {
    g_set_error(error, DERUSH_NN_ERROR, DERUSH_NN_ERROR_UNSUPPORTED,
                "%s: tensor data stored in an external file is not supported", what);
    return NULL;
  }
  if (tp->segment) {
    g_set_error(error, DERUSH_NN_ERROR, DERUSH_NN_ERROR_UNSUPPORTED,
                "%s: segmented tensors are not supported", what);
    return NULL;
  }
  if (!dtype_ok(tp->data_type)) {
    g_set_error(error, DERUSH_NN_ERROR, DERUSH_NN_ERROR_UNSUPPORTED,
                "%s: tensor data type %d is not supported", what, tp->data_type);
    return NULL;
  }
  NnDtype dtype = tp->data_type;
  if (!shape_ok(tp->dims, tp->n_dims, dtype, what, error))
    return NULL;
  g_autoptr(NnTensor) t = _nn_tensor_new(dtype, (int)tp->n_dims, tp->dims);
  size_t n = (size_t)_nn_numel(t->dims, t->rank);
  size_t bytes = n * _nn_dtype_size(dtype);
  if (tp->has_raw_data) {
    if (tp->raw_data.len != bytes) {
      g_set_error(error, DERUSH_NN_ERROR, DERUSH_NN_ERROR_MALFORMED,
                  "%s: raw_data holds %zu bytes, its shape needs %zu", what, tp->raw_data.len,
                  bytes);
      return NULL;
    }
    if (bytes)
      memcpy(t->data, tp->raw_data.data, bytes);
    return g_steal_pointer(&t);
  }
  size_t have = 0;
  switch (dtype) {
  case NN_F32:
    have = tp->n_float_data;
    break;
  case NN_I64:
    have = tp->n_int64_data;
    break;
  case NN_F64:
    have = tp->n_double_data;
    break;
  default:
    have = tp->n_int32_data;
    break;
  }
  if (have != n) {
    g_set_error(error, DERUSH_NN_ERROR, DERUSH_NN_ERROR_MALFORMED,
                "%s: holds %zu values, its shape needs %zu", what, have, n);
    return NULL;
  }
  for (size_t i = 0; i < n; i++) {
    switch (dtype) {
    case NN_F32:
      ((float *)t->data)[i] = tp->float_data[i];
      break;
    case NN_I64:
      ((int64_t *)t->data)[i] = tp->int64_data[i];
      break;
    case NN_F64:
      ((double *)t->data)[i] = tp->double_data[i];
      break;
    default:
      _nn_tensor_set(t, (int64_t)i, tp->int32_data[i]);
      break;
    }
  }
  return g_steal_pointer(&t);
}

static gboolean
read_attr(const Onnx__AttributeProto *ap, NnAttr *a, const char *what, GError **error)
{
  a->name = g_strdup(ap->name ? ap->name : "");
  int type = ap->has_type ? (int)ap->type : 0;
  if (!type) { /* old exporters leave the type out */
    if (ap->n_ints)
      type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS;
    else if (ap->n_floats)
      type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS;
    else if (ap->t)
      type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR;
    else if (ap->has_s)
      type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING;
    else if (ap->has_f)
      type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT;
    else
      type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
  }
  switch (type) {
  case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT:
    a->type = NN_ATTR_FLOAT;
    a->f = ap->f;
    return TRUE;
  case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT:
    a->type = NN_ATTR_INT;
    a->i = ap->i;
    return TRUE;
  case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING:
    a->type = NN_ATTR_STRING;
    a->s = g_strndup((const char *)ap->s.data, ap->s.len);
    return TRUE;
  case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR: {
    a->type = NN_ATTR_TENSOR;
    if (!ap->t) {
      g_set_error(error, DERUSH_NN_ERROR, DERUSH_NN_ERROR_MALFORMED,
                  "%s: attribute %s has no tensor", what, a->name);
      return FALSE;
    }
    g_autofree char *w = g_strdup_printf("%s: attribute %s", what, a->name);
    a->t = read_tensor(ap->t, w, error);
    return a->t != NULL;
  }
  case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS:
    a->type = NN_ATTR_FLOATS;
    a->n = (int)ap->n_floats;
    a->floats = g_memdup2(ap->floats, sizeof(float) * ap->n_floats);
    return TRUE;
  case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS:
    a->type = NN_ATTR_INTS;
    a->n = (int)ap->n_ints;
    a->ints = g_memdup2(ap->ints, sizeof(int64_t) * ap->n_ints);
    return TRUE;
  default:
    /* Strings, graphs (If/Loop bodies) and sparse tensors: no operator the
     * executor runs takes them; keep the name so validation can say which. */
    a->type = NN_ATTR_STRING;
    a->s = g_strdup("");
    return TRUE;
  }
}

/* Constant nodes become constant values right away. */
static NnTensor *
constant_value(const NnNode *n, GError **error)
{
  if (n->n_attrs != 1) {
    g_set_error(error, DERUSH_NN_ERROR, DERUSH_NN_ERROR_MALFORMED,
                "node %s (Constant): needs exactly one value attribute", n->name);
    return NULL;
  }
  const NnAttr *a = &n->attrs[0];
  if (strcmp(a->name, "value") == 0 && a->t)
    return _nn_tensor_copy(a->t);
  NnTensor *t = NULL;
  if (strcmp(a->name, "value_float") == 0 && a->type == NN_ATTR_FLOAT) {
    t = _nn_tensor_new(NN_F32, 0, NULL);
    ((float *)t->data)[0] = a->f;
  } else if (strcmp(a->name, "value_int") == 0 && a->type == NN_ATTR_INT) {
    t = _nn_tensor_new(NN_I64, 0, NULL);
    ((int64_t *)t->data)[0] = a->i;
  } else if (strcmp(a->name, "value_floats") == 0 && a->type == NN_ATTR_FLOATS) {
    int64_t d = a->n;
    t = _nn_tensor_new(NN_F32, 1, &d);
    memcpy(t->data, a->floats, sizeof(float) * a->n);
  } else if (strcmp(a->name, "value_ints") == 0 && a->type == NN_ATTR_INTS) {
    int64_t d = a->n;
    t = _nn_tensor_new(NN_I64, 1, &d);
    memcpy(t->data, a->ints, sizeof(int64_t) * a->n);
  } else {
    g_set_error(error, DERUSH_NN_ERROR, DERUSH_NN_ERROR_UNSUPPORTED,
                "node %s (Constant): attribute %s is not supported", n->name, a->name);
  }
  return t;
}

static gboolean
read_nodes(NnGraph *g, const Onnx__GraphProto *gp, GError **error)
{
  for (size_t i = 0; i < gp->n_node; i++) {
    const Onnx__NodeProto *np = gp->node[i];
    NnNode n = {0};
    n.op = g_strdup(np->op_type ? np->op_type : "");
    n.domain = g_strdup(np->domain && strcmp(np->domain, "ai.onnx") != 0 ? np->domain : "");
    n.name = np->name && *np->name ? g_strdup(np->name) : g_strdup_printf("#%zu", i);
    n.n_in = (int)np->n_input;
    n.n_out = (int)np->n_output;
    n.in = g_new(int, MAX(n.n_in, 1));
    n.out = g_new(int, MAX(n.n_out, 1));
    n.n_attrs = (int)np->n_attribute;
    n.attrs = g_new0(NnAttr, MAX(n.n_attrs, 1));
    g_array_append_val(g->nodes, n);
    NnNode *node = NN_NODE(g, g->nodes->len - 1);
    g_autofree char *what = g_strdup_printf("node %s (%s)", node->name, node->op);

    for (int k = 0; k < node->n_attrs; k++)
      if (!read_attr(np->attribute[k], &node->attrs[k], what, error))
        return FALSE;
    for (int k = 0; k < node->n_in; k++) {
      const char *name = np->input[k];
      if (!name || !*name) {
        node->in[k] = -1;
        continue;
      }
      int v = _nn_graph_find(g, name);
      if (v < 0) {
        g_set_error(error, DERUSH_NN_ERROR, DERUSH_NN_ERROR_MALFORMED,
                    "%s: input '%s' is not produced by any earlier node", what, name);
        return FALSE;
      }
      node->in[k] = v;
    }
    for (int k = 0; k < node->n_out; k++) {
      const char *name = np->output[k] ? np->output[k] : "";
      if (!*name) { /* an omitted optional output */
        name = g_strdup_printf("%s:unused%d", node->name, k);
        node->out[k] = _nn_graph_value(g, name);
        g_free((char *)name);
        NN_VALUE(g, node->out[k])->producer = (int)g->nodes->len - 1;
        continue;
      }
      if (_nn_graph_find(g, name) >= 0) {
        g_set_error(error, DERUSH_NN_ERROR, DERUSH_NN_ERROR_MALFORMED,
                    "%s: output '%s' is already defined", what, name);
        return FALSE;
      }
      node->out[k] = _nn_graph_value(g, name);
      NN_VALUE(g, node->out[k])->producer = (int)g->nodes->len - 1;
    }
    if (!_nn_op_validate(g, node, error))
      return FALSE;
    if (strcmp(node->op, "Constant") == 0 && !*node->domain) {
      NnTensor *t = constant_value(node, error);
      if (!t)
        return FALSE;
      NnValue *v = NN_VALUE(g, node->out[0]);
      v->konst = t;
      v->producer = -1;
      node->dead = TRUE;
    }
  }
  return TRUE;
}

static gboolean
read_graph(NnGraph *g, const Onnx__GraphProto *gp, GError **error)
{
  for (size_t i = 0; i < gp->n_initializer; i++) {
    const Onnx__TensorProto *tp = gp->initializer[i];
    const char *name = tp->name ? tp->name : "";
    g_autofree char *what = g_strdup_printf("initializer '%s'", name);
    if (_nn_graph_find(g, name) >= 0) {
      g_set_error(error, DERUSH_NN_ERROR, DERUSH_NN_ERROR_MALFORMED, "%s is defined twice", what);
      return FALSE;
    }
    NnTensor *t = read_tensor(tp, what, error);
    if (!t)
      return FALSE;
    int v = _nn_graph_value(g, name); /* may move the values array */
    NN_VALUE(g, v)->konst = t;
  }
  if (gp->n_sparse_initializer) {
    g_set_error(error, DERUSH_NN_ERROR, DERUSH_NN_ERROR_UNSUPPORTED,
                "sparse initializers are not supported");
    return FALSE;
  }
  for (size_t i = 0; i < gp->n_input; i++) {
    const char *name = gp->input[i]->name ? gp->input[i]->name : "";
    if (_nn_graph_find(g, name) >= 0)
      continue; /* an initializer listed as an input too (IR < 4) */
    int v = _nn_graph_value(g, name);
    g_array_append_val(g->inputs, v);
  }
  if (!read_nodes(g, gp, error))
    return FALSE;
  for (size_t i = 0; i < gp->n_output; i++) {
    const char *name = gp->output[i]->name ? gp->output[i]->name : "";
    int v = _nn_graph_find(g, name);
    if (v < 0) {
      g_set_error(error, DERUSH_NN_ERROR, DERUSH_NN_ERROR_MALFORMED,
                  "graph output '%s' is not produced by any node", name);
      return FALSE;
    }
    g_array_append_val(g->outputs, v);
  }
  if (g->outputs->len == 0) {
    g_set_error(error, DERUSH_NN_ERROR, DERUSH_NN_ERROR_MALFORMED, "the graph has no output");
    return FALSE;
  }
  return TRUE;
}

/* The model's default-domain opset, checked against what the operators here
 * implement. */
static gboolean
read_opset(NnGraph *g, const Onnx__ModelProto *mp, GError **error)
{
  g->opset = 0;
  for (size_t i = 0; i < mp->n_opset_import; i++) {
    const Onnx__OperatorSetIdProto *o = mp->opset_import[i];
    if (!o->domain || !*o->domain || strcmp(o->domain, "ai.onnx") == 0)
      g->opset = (int)o->version;
  }
  if (g->opset < 7 || g->opset > 17) {
    g_set_error(error, DERUSH_NN_ERROR, DERUSH_NN_ERROR_UNSUPPORTED,
                "ONNX opset %d is not supported (7 to 17 are)", g->opset);
    return FALSE;
  }
  return TRUE;
}

NnGraph *
_nn_onnx_read(const void *data, size_t len, GError **error)
{
  Onnx__ModelProto *mp = onnx__model_proto__unpack(NULL, len, data);
  if (!mp) {
    g_set_error(error, DERUSH_NN_ERROR, DERUSH_NN_ERROR_MALFORMED,
                "not an ONNX model (the protobuf does not parse; truncated?)");
    return NULL;
  }
  NnGraph *g = _nn_graph_new();
  gboolean ok = FALSE;
  if (!mp->graph)
    g_set_error(error, DERUSH_NN_ERROR, DERUSH_NN_ERROR_MALFORMED, "the model has no graph");
  else
    ok = read_opset(g, mp, error) && read_graph(g, mp->graph, error);
  onnx__model_proto__free_unpacked(mp, NULL);
  if (!ok) {
    _nn_graph_free(g);
    return NULL;
  }
  _nn_graph_count_uses(g);
  return g;
}
