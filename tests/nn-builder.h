/* nn-builder.h: writes small ONNX models with protobuf-c for the executor's
 * tests, so they need no model files. */
#ifndef DERUSH_TEST_NN_BUILDER_H
#define DERUSH_TEST_NN_BUILDER_H

#include "nn/nn.h"
#include "nn/onnx.pb-c.h"
#include <glib.h>

typedef struct _NnBuilder NnBuilder;

NnBuilder *nnb_new(int opset);
void nnb_free(NnBuilder *b);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NnBuilder, nnb_free)
void nnb_input(NnBuilder *b, const char *name);
void nnb_output(NnBuilder *b, const char *name);
/* float32 initializer in raw_data; int64 one in the typed int64_data field. */
Onnx__TensorProto *nnb_init_f32(NnBuilder *b, const char *name, int rank, const int64_t *dims,
                                const float *data);
Onnx__TensorProto *nnb_init_i64(NnBuilder *b, const char *name, int n, const int64_t *values);
/* A node; @inputs and @outputs are comma-separated names. */
Onnx__NodeProto *nnb_node(NnBuilder *b, const char *op, const char *name, const char *inputs,
                          const char *outputs);
void nnb_attr_int(NnBuilder *b, Onnx__NodeProto *n, const char *name, int64_t v);
void nnb_attr_float(NnBuilder *b, Onnx__NodeProto *n, const char *name, float v);
void nnb_attr_ints(NnBuilder *b, Onnx__NodeProto *n, const char *name, int count, const int64_t *v);
void nnb_attr_string(NnBuilder *b, Onnx__NodeProto *n, const char *name, const char *v);
/* The serialised model. (transfer full) */
guint8 *nnb_pack(NnBuilder *b, gsize *len);

/* @n floats in [-1, 1) from @seed. (transfer full) */
float *nnb_pattern(gsize n, guint32 seed);
/* The model loaded (asserted). (transfer full) */
DerushNnModel *nnb_load(NnBuilder *b);
/* The model loads, and a forward on an input of @shape fails with @code and
 * a message holding @needle. */
void nnb_expect_run_error(NnBuilder *b, const int64_t *shape, int rank, int code,
                          const char *needle);

#endif
