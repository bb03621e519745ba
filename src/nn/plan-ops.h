/* plan-ops.h: helpers shared by the operator planners (plan-*.c). */
#ifndef DERUSH_NN_PLAN_OPS_H
#define DERUSH_NN_PLAN_OPS_H

#include "nn/host-ops.h"

/* Input @k of @n, or NULL when absent. */
NnPVal *_nn_in(NnPlan *pl, const NnNode *n, int k);
/* A constant integer input as int64 values (at most @max); -1 on error. */
int _nn_const_ints(NnPlan *pl, const NnNode *n, int k, int64_t *out, int max, GError **error);
/* Normalises an axis in [-rank, rank); FALSE (error set) if out of range. */
gboolean _nn_axis(const NnNode *n, int64_t *axis, int rank, GError **error);
/* The dtype a host kernel sees for input @k: the constant's own type while
 * folding, float32 at run time. */
NnDtype _nn_host_dtype(NnPlan *pl, const NnNode *n, int k);
/* Emits a host copy of input 0 into output 0 with the given shape (data
 * unchanged): Reshape, Flatten, Squeeze, Unsqueeze, Identity. */
gboolean _nn_plan_reshape_to(NnPlan *pl, const NnNode *n, int rank, const int64_t *dims,
                             GError **error);
/* Host fallback for an elementwise unary op. */
gboolean _nn_plan_host_unary(NnPlan *pl, const NnNode *n, NnAct act, float alpha, float beta,
                             GError **error);

/* plan-ops.c: planners other operators build on. */
gboolean _nn_plan_conv(NnPlan *pl, const NnNode *n, GError **error);
gboolean _nn_plan_pool(NnPlan *pl, const NnNode *n, GError **error);
gboolean _nn_plan_binary(NnPlan *pl, const NnNode *n, GError **error);

/* plan-linalg.c */
gboolean _nn_plan_matmul(NnPlan *pl, const NnNode *n, GError **error);
gboolean _nn_plan_gemm(NnPlan *pl, const NnNode *n, GError **error);

/* plan-split-pad.c */
gboolean _nn_plan_split(NnPlan *pl, const NnNode *n, GError **error);
gboolean _nn_plan_pad(NnPlan *pl, const NnNode *n, GError **error);

/* plan-quant.c */
gboolean _nn_plan_quantize(NnPlan *pl, const NnNode *n, GError **error);
gboolean _nn_plan_qlinear_conv(NnPlan *pl, const NnNode *n, GError **error);
gboolean _nn_plan_qlinear_matmul(NnPlan *pl, const NnNode *n, GError **error);
gboolean _nn_plan_qlinear_add(NnPlan *pl, const NnNode *n, GError **error);
gboolean _nn_plan_qlinear_pool(NnPlan *pl, const NnNode *n, GError **error);

/* plan-shape-ops.c */
gboolean _nn_plan_slice(NnPlan *pl, const NnNode *n, GError **error);
gboolean _nn_plan_reshape(NnPlan *pl, const NnNode *n, GError **error);
gboolean _nn_plan_flatten(NnPlan *pl, const NnNode *n, GError **error);
gboolean _nn_plan_squeeze(NnPlan *pl, const NnNode *n, GError **error);
gboolean _nn_plan_unsqueeze(NnPlan *pl, const NnNode *n, GError **error);
gboolean _nn_plan_identity(NnPlan *pl, const NnNode *n, GError **error);
gboolean _nn_plan_transpose(NnPlan *pl, const NnNode *n, GError **error);
gboolean _nn_plan_shape(NnPlan *pl, const NnNode *n, GError **error);
gboolean _nn_plan_gather(NnPlan *pl, const NnNode *n, GError **error);
gboolean _nn_plan_cast(NnPlan *pl, const NnNode *n, GError **error);
gboolean _nn_plan_constant_of_shape(NnPlan *pl, const NnNode *n, GError **error);
gboolean _nn_plan_softmax(NnPlan *pl, const NnNode *n, GError **error);
gboolean _nn_plan_reduce(NnPlan *pl, const NnNode *n, GError **error);
gboolean _nn_plan_concat_host(NnPlan *pl, const NnNode *n, int axis, int rank,
                              const int64_t *out_dims, GError **error);

#endif /* DERUSH_NN_PLAN_OPS_H */
