/* host-ops.h: kernels run on plain (dense row-major) buffers by the host,
 * for operators that only move data (Slice, Transpose, Gather...), for
 * constant folding at plan time in any dtype, and as fallbacks where oneDNN
 * has no primitive.  Parameters are computed once per plan. */
#ifndef DERUSH_NN_HOST_OPS_H
#define DERUSH_NN_HOST_OPS_H

#include "nn/plan.h"

/* out[i...] = in[offset + sum i_k * strides[k]]: slices (any step),
 * transposes, broadcasts (stride 0) and plain copies. */
typedef struct {
  size_t esize;
  int rank;
  int64_t dims[NN_MAX_RANK];    /* output */
  int64_t strides[NN_MAX_RANK]; /* input, in elements */
  int64_t offset;
} NnCopyParams;
void _nn_host_copy(const NnStep *s, void *const *ptrs);
/* Dense row-major strides of @dims. */
void _nn_strides(const int64_t *dims, int rank, int64_t *strides);

typedef struct {
  size_t esize;
  int n;
  int64_t outer;
  int64_t *inner; /* per input: its axis length times the inner size */
} NnConcatParams;
void _nn_host_concat(const NnStep *s, void *const *ptrs);
void _nn_concat_params_free(gpointer p);

typedef enum {
  NN_HOST_ADD,
  NN_HOST_SUB,
  NN_HOST_MUL,
  NN_HOST_DIV,
  NN_HOST_POW,
  NN_HOST_MAX,
  NN_HOST_MIN,
  NN_HOST_EQUAL,
  NN_HOST_LESS,
  NN_HOST_GREATER,
} NnHostBinary;

typedef struct {
  NnHostBinary op;
  NnDtype dtype; /* of the inputs */
  int rank;
  int64_t dims[NN_MAX_RANK]; /* output */
  int64_t a_strides[NN_MAX_RANK], b_strides[NN_MAX_RANK];
} NnBinaryParams;
void _nn_host_binary(const NnStep *s, void *const *ptrs);

typedef struct {
  NnAct act;
  float alpha, beta;
  NnDtype dtype;
  int64_t n;
} NnUnaryParams;
void _nn_host_unary(const NnStep *s, void *const *ptrs);

typedef struct {
  NnDtype from, to;
  int64_t n;
} NnCastParams;
void _nn_host_cast(const NnStep *s, void *const *ptrs);

/* Softmax (or LogSoftmax) over the middle dimension of [outer, n, inner]. */
typedef struct {
  int64_t outer, n, inner;
  gboolean log;
} NnSoftmaxParams;
void _nn_host_softmax(const NnStep *s, void *const *ptrs);

typedef enum { NN_REDUCE_SUM, NN_REDUCE_MEAN, NN_REDUCE_MAX, NN_REDUCE_MIN } NnReduce;
/* Reduces an input of @dims onto the output whose strides (0 on reduced
 * axes) are @out_strides. */
typedef struct {
  NnReduce op;
  int rank;
  int64_t dims[NN_MAX_RANK];
  int64_t out_strides[NN_MAX_RANK];
  int64_t n_out;
  int64_t count; /* inputs per output, for the mean */
} NnReduceParams;
void _nn_host_reduce(const NnStep *s, void *const *ptrs);

/* Gather along an axis: data [outer, n, inner], constant indices, already
 * checked to lie in [0, n). */
typedef struct {
  size_t esize;
  int64_t outer, n, inner, n_idx;
  int64_t *idx; /* owned */
} NnGatherParams;
void _nn_host_gather(const NnStep *s, void *const *ptrs);
void _nn_gather_params_free(gpointer p);

/* Batched matrix product Y[b] = alpha * A[b] x B[b] (+ beta * C), float32.
 * A is read as [M, K] and B as [K, N] through element strides (transposes
 * and broadcast batches cost nothing); C (Gemm's bias, inputs[2] when
 * @has_c) broadcasts onto [M, N] through its strides. */
typedef struct {
  int64_t batch, m, n, k;
  int64_t *a_off, *b_off; /* per batch, owned */
  int64_t a_rs, a_cs, b_rs, b_cs;
  float alpha, beta;
  gboolean has_c;
  int64_t c_rs, c_cs;
} NnGemmParams;
void _nn_host_gemm(const NnStep *s, void *const *ptrs);
void _nn_gemm_params_free(gpointer p);

typedef enum { NN_PAD_CONSTANT, NN_PAD_REFLECT, NN_PAD_EDGE } NnPadMode;
/* Pad (or crop, with negative pads) every axis: out[i] = in[i - pads_l]
 * with the mode's rule outside the input. */
typedef struct {
  NnPadMode mode;
  NnDtype dtype;
  double value;
  int rank;
  int64_t in_dims[NN_MAX_RANK], out_dims[NN_MAX_RANK], pads_l[NN_MAX_RANK];
} NnPadParams;
void _nn_host_pad(const NnStep *s, void *const *ptrs);

/* QuantizeLinear (@quantize) or DequantizeLinear over [outer, c, inner]
 * with one scale and zero point per channel (c = 1: per tensor).
 * Quantized values are integers of the ONNX type, or float32 holding those
 * integers at run time (the executor computes in float32). */
typedef struct {
  gboolean quantize;
  NnDtype in_dtype, out_dtype;
  int64_t outer, c, inner;
  float *scale, *zero; /* c each, owned */
  float qmin, qmax;
} NnQuantParams;
void _nn_host_quant(const NnStep *s, void *const *ptrs);
void _nn_quant_params_free(gpointer p);

#endif /* DERUSH_NN_HOST_OPS_H */
