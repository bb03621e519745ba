/* nn-backend.h: what the planner asks of the compute backend.  The only
 * implementation is dnnl-backend.c, which holds every oneDNN call (oneDNN 3.x
 * replaced the 2.x descriptor API, so a port touches that file only). */
#ifndef DERUSH_NN_BACKEND_H
#define DERUSH_NN_BACKEND_H

#include "nn/nn-graph.h"

typedef struct _NnBackend NnBackend; /* engine and stream */
typedef struct _NnMd NnMd;           /* a memory layout: dims plus format */
typedef struct _NnPrim NnPrim;       /* one primitive with its constant arguments */

NnBackend *_nn_backend_new(GError **error);
void _nn_backend_free(NnBackend *be);

/* Layouts.  "Plain" is dense row-major, the only layout host code reads. */
NnMd *_nn_md_plain(int rank, const int64_t *dims);
/* A dense tensor of dims read through strides (in elements): transposes. */
NnMd *_nn_md_strided(int rank, const int64_t *dims, const int64_t *strides);
NnMd *_nn_md_copy(const NnMd *md);
void _nn_md_free(NnMd *md);
gboolean _nn_md_equal(const NnMd *a, const NnMd *b);
gboolean _nn_md_is_plain(const NnMd *md);
size_t _nn_md_bytes(const NnMd *md);
/* The layout of a tensor of @dims in @part's format when that format is
 * dense row-major or blocked along axis 1 (aBcd8b...), with that block size
 * through @block (1 for dense); NULL for other formats. */
NnMd *_nn_md_with_dims(const NnMd *part, int rank, const int64_t *dims, int *block);

typedef struct {
  int rank; /* of src/dst: 3 (1-D conv), 4 or 5 */
  const int64_t *src_dims, *dst_dims;
  const NnTensor *weights; /* [OC, IC/group, k...] float32 */
  const NnTensor *bias;    /* [OC] or NULL */
  int64_t strides[3], dilations[3], pads_l[3], pads_r[3];
  int64_t groups;
  const NnPostOp *post;
  int n_post;
} NnConvDesc;

typedef enum { NN_POOL_MAX, NN_POOL_AVG_INCLUDE_PAD, NN_POOL_AVG_EXCLUDE_PAD } NnPoolKind;

typedef struct {
  NnPoolKind kind;
  int rank;
  const int64_t *dst_dims;
  int64_t kernel[3], strides[3], pads_l[3], pads_r[3];
} NnPoolDesc;

typedef enum {
  NN_BIN_ADD,
  NN_BIN_SUB,
  NN_BIN_MUL,
  NN_BIN_DIV,
  NN_BIN_MAX,
  NN_BIN_MIN,
} NnBinary;

/* Primitive builders.  Each returns the primitive and, through @dst, the
 * layout it writes (chosen by oneDNN where it may).  Runtime arguments are
 * "slots", bound to buffers with _nn_prim_bind() in the order given. */

/* slots: src, dst */
NnPrim *_nn_prim_reorder(NnBackend *be, const NnMd *src, const NnMd *dst, GError **error);
/* slots: src, dst[, the addend of a fused Add (is_sum post-op), in dst's
 * layout].  @src_want: the
 * layout the convolution reads; the caller reorders into it. */
NnPrim *_nn_prim_conv(NnBackend *be, const NnConvDesc *d, NnMd **src_want, NnMd **dst,
                      GError **error);
/* slots: src, dst */
NnPrim *_nn_prim_pool(NnBackend *be, const NnMd *src, const NnPoolDesc *d, NnMd **dst,
                      GError **error);
/* slots: src, dst */
NnPrim *_nn_prim_eltwise(NnBackend *be, const NnMd *src, NnAct act, float alpha, float beta,
                         NnMd **dst, GError **error);
/* slots: src0, src1, dst.  src1 may broadcast (size-1 dims) onto src0. */
NnPrim *_nn_prim_binary(NnBackend *be, NnBinary op, const NnMd *src0, const NnMd *src1, NnMd **dst,
                        GError **error);
/* slots: src0..src(n-1), dst */
NnPrim *_nn_prim_concat(NnBackend *be, int n, const NnMd *const *srcs, int axis, NnMd **dst,
                        GError **error);
/* slots: src, dst.  Nearest (asymmetric, floor for integer scales) or
 * linear (half-pixel) resize to @dst_dims. */
NnPrim *_nn_prim_resample(NnBackend *be, const NnMd *src, gboolean linear, const int64_t *dst_dims,
                          NnMd **dst, GError **error);
/* slots: src, dst (plain in, plain out) */
NnPrim *_nn_prim_softmax(NnBackend *be, const NnMd *src, int axis, NnMd **dst, GError **error);
/* slots: src, dst.  dst = src x weights (+ bias), weights [K, N] constant;
 * src [..., M, K] plain. */
NnPrim *_nn_prim_matmul(NnBackend *be, const NnMd *src, const NnTensor *weights,
                        const NnTensor *bias, NnMd **dst, GError **error);

int _nn_prim_n_slots(const NnPrim *p);
void _nn_prim_bind(NnPrim *p, int slot, void *data);
gboolean _nn_prim_run(NnBackend *be, NnPrim *p, GError **error);
gboolean _nn_backend_wait(NnBackend *be, GError **error);
void _nn_prim_free(NnPrim *p);
/* The implementation oneDNN picked ("brgconv:avx2" ...), for logs. */
const char *_nn_prim_impl(const NnPrim *p);

#endif /* DERUSH_NN_BACKEND_H */
