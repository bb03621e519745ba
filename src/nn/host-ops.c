/* host-ops.c: the host kernels (see host-ops.h). */
#include "nn/host-ops.h"
#include <math.h>
#include <string.h>

void
_nn_strides(const int64_t *dims, int rank, int64_t *strides)
{
  int64_t s = 1;
  for (int i = rank - 1; i >= 0; i--) {
    strides[i] = s;
    s *= dims[i];
  }
}

void
_nn_host_copy(const NnStep *s, void *const *ptrs)
{
  const NnCopyParams *p = s->params;
  const char *in = ptrs[0];
  char *out = ptrs[1];
  int64_t n = _nn_numel(p->dims, p->rank);
  if (n == 0)
    return;
  int64_t dense[NN_MAX_RANK];
  _nn_strides(p->dims, p->rank, dense);
  if (p->offset == 0 &&
      (p->rank == 0 || memcmp(dense, p->strides, sizeof(int64_t) * p->rank) == 0)) {
    memcpy(out, in, (size_t)n * p->esize);
    return;
  }
  /* Copy rows along the innermost axis; contiguous rows in one memcpy. */
  int r = p->rank;
  int64_t row = r ? p->dims[r - 1] : 1;
  int64_t rs = r ? p->strides[r - 1] : 1;
  int64_t idx[NN_MAX_RANK] = {0};
  int64_t off = p->offset;
  for (int64_t o = 0; o < n; o += row) {
    if (rs == 1) {
      memcpy(out + o * p->esize, in + off * p->esize, (size_t)row * p->esize);
    } else if (p->esize == 4) {
      const float *src = (const float *)in + off;
      float *dst = (float *)out + o;
      for (int64_t k = 0; k < row; k++)
        dst[k] = src[k * rs];
    } else {
      for (int64_t k = 0; k < row; k++)
        memcpy(out + (o + k) * p->esize, in + (off + k * rs) * p->esize, p->esize);
    }
    for (int d = r - 2; d >= 0; d--) {
      idx[d]++;
      off += p->strides[d];
      if (idx[d] < p->dims[d])
        break;
      off -= p->strides[d] * p->dims[d];
      idx[d] = 0;
    }
  }
}

void
_nn_concat_params_free(gpointer p)
{
  NnConcatParams *c = p;
  g_free(c->inner);
  g_free(c);
}

void
_nn_host_concat(const NnStep *s, void *const *ptrs)
{
  const NnConcatParams *p = s->params;
  char *out = ptrs[p->n];
  int64_t total = 0;
  for (int i = 0; i < p->n; i++)
    total += p->inner[i];
  for (int64_t o = 0; o < p->outer; o++) {
    int64_t at = 0;
    for (int i = 0; i < p->n; i++) {
      memcpy(out + (o * total + at) * p->esize, (const char *)ptrs[i] + o * p->inner[i] * p->esize,
             (size_t)p->inner[i] * p->esize);
      at += p->inner[i];
    }
  }
}

static double
binary_op(NnHostBinary op, double a, double b)
{
  switch (op) {
  case NN_HOST_ADD:
    return a + b;
  case NN_HOST_SUB:
    return a - b;
  case NN_HOST_MUL:
    return a * b;
  case NN_HOST_DIV:
    return a / b;
  case NN_HOST_POW:
    return pow(a, b);
  case NN_HOST_MAX:
    return MAX(a, b);
  case NN_HOST_MIN:
    return MIN(a, b);
  case NN_HOST_EQUAL:
    return a == b;
  case NN_HOST_LESS:
    return a < b;
  case NN_HOST_GREATER:
    return a > b;
  }
  return 0;
}

static float
binary_f32(NnHostBinary op, float a, float b)
{
  switch (op) {
  case NN_HOST_ADD:
    return a + b;
  case NN_HOST_SUB:
    return a - b;
  case NN_HOST_MUL:
    return a * b;
  case NN_HOST_DIV:
    return a / b;
  case NN_HOST_POW:
    return powf(a, b);
  case NN_HOST_MAX:
    return MAX(a, b);
  case NN_HOST_MIN:
    return MIN(a, b);
  case NN_HOST_EQUAL:
    return a == b;
  case NN_HOST_LESS:
    return a < b;
  case NN_HOST_GREATER:
    return a > b;
  }
  return 0;
}

void
_nn_host_binary(const NnStep *s, void *const *ptrs)
{
  const NnBinaryParams *p = s->params;
  gboolean compare = p->op >= NN_HOST_EQUAL;
  NnTensor a = {.dtype = p->dtype, .data = ptrs[0]};
  NnTensor b = {.dtype = p->dtype, .data = ptrs[1]};
  NnTensor o = {.dtype = compare ? NN_BOOL : p->dtype, .data = ptrs[2]};
  int64_t n = _nn_numel(p->dims, p->rank);
  int64_t idx[NN_MAX_RANK] = {0};
  int64_t ia = 0, ib = 0;
  for (int64_t i = 0; i < n; i++) {
    if (p->dtype == NN_F32 && !compare)
      ((float *)o.data)[i] =
          binary_f32(p->op, ((const float *)a.data)[ia], ((const float *)b.data)[ib]);
    else if (p->dtype == NN_I64 && !compare && p->op == NN_HOST_DIV)
      ((int64_t *)o.data)[i] =
          _nn_tensor_get_int(&b, ib) ? _nn_tensor_get_int(&a, ia) / _nn_tensor_get_int(&b, ib) : 0;
    else if (p->dtype == NN_I64 && !compare)
      ((int64_t *)o.data)[i] = (int64_t)binary_op(p->op, (double)_nn_tensor_get_int(&a, ia),
                                                  (double)_nn_tensor_get_int(&b, ib));
    else
      _nn_tensor_set(&o, i, binary_op(p->op, _nn_tensor_get(&a, ia), _nn_tensor_get(&b, ib)));
    for (int d = p->rank - 1; d >= 0; d--) {
      idx[d]++;
      ia += p->a_strides[d];
      ib += p->b_strides[d];
      if (idx[d] < p->dims[d])
        break;
      ia -= p->a_strides[d] * p->dims[d];
      ib -= p->b_strides[d] * p->dims[d];
      idx[d] = 0;
    }
  }
}

static float
unary_f32(NnAct act, float x, float alpha, float beta)
{
  switch (act) {
  case NN_ACT_RELU:
    return x > 0 ? x : 0;
  case NN_ACT_LEAKY_RELU:
    return x > 0 ? x : alpha * x;
  case NN_ACT_SIGMOID:
    return 1.0f / (1.0f + expf(-x));
  case NN_ACT_SWISH:
    return x / (1.0f + expf(-x));
  case NN_ACT_CLIP:
    return x < alpha ? alpha : x > beta ? beta : x;
  case NN_ACT_HARDSWISH:
    return x * MAX(0.0f, MIN(1.0f, x / 6.0f + 0.5f));
  case NN_ACT_EXP:
    return expf(x);
  case NN_ACT_TANH:
    return tanhf(x);
  case NN_ACT_ABS:
    return fabsf(x);
  case NN_ACT_SQRT:
    return sqrtf(x);
  case NN_ACT_LOG:
    return logf(x);
  case NN_ACT_NEG:
    return -x;
  case NN_ACT_IDENTITY:
    return x;
  case NN_ACT_LINEAR:
    return alpha * x + beta;
  case NN_ACT_ROUND:
    return nearbyintf(x);
  }
  return x;
}

void
_nn_host_unary(const NnStep *s, void *const *ptrs)
{
  const NnUnaryParams *p = s->params;
  if (p->dtype == NN_F32) {
    const float *in = ptrs[0];
    float *out = ptrs[1];
    for (int64_t i = 0; i < p->n; i++)
      out[i] = unary_f32(p->act, in[i], p->alpha, p->beta);
    return;
  }
  NnTensor a = {.dtype = p->dtype, .data = ptrs[0]};
  NnTensor o = {.dtype = p->dtype, .data = ptrs[1]};
  for (int64_t i = 0; i < p->n; i++)
    _nn_tensor_set(&o, i, unary_f32(p->act, (float)_nn_tensor_get(&a, i), p->alpha, p->beta));
}

void
_nn_host_cast(const NnStep *s, void *const *ptrs)
{
  const NnCastParams *p = s->params;
  NnTensor a = {.dtype = p->from, .data = ptrs[0]};
  NnTensor o = {.dtype = p->to, .data = ptrs[1]};
  for (int64_t i = 0; i < p->n; i++) {
    if (p->to == NN_I64 && p->from == NN_I64)
      ((int64_t *)o.data)[i] = ((const int64_t *)a.data)[i];
    else
      _nn_tensor_set(&o, i, _nn_tensor_get(&a, i));
  }
}

void
_nn_host_softmax(const NnStep *s, void *const *ptrs)
{
  const NnSoftmaxParams *p = s->params;
  const float *in = ptrs[0];
  float *out = ptrs[1];
  for (int64_t o = 0; o < p->outer; o++)
    for (int64_t i = 0; i < p->inner; i++) {
      const float *x = in + o * p->n * p->inner + i;
      float *y = out + o * p->n * p->inner + i;
      float m = -INFINITY;
      for (int64_t k = 0; k < p->n; k++)
        m = MAX(m, x[k * p->inner]);
      double sum = 0;
      for (int64_t k = 0; k < p->n; k++)
        sum += exp((double)x[k * p->inner] - m);
      for (int64_t k = 0; k < p->n; k++)
        y[k * p->inner] = p->log ? (float)((double)x[k * p->inner] - m - log(sum))
                                 : (float)(exp((double)x[k * p->inner] - m) / sum);
    }
}

void
_nn_host_reduce(const NnStep *s, void *const *ptrs)
{
  const NnReduceParams *p = s->params;
  const float *in = ptrs[0];
  float *out = ptrs[1];
  for (int64_t i = 0; i < p->n_out; i++)
    out[i] = p->op == NN_REDUCE_MAX ? -INFINITY : p->op == NN_REDUCE_MIN ? INFINITY : 0;
  int64_t n = _nn_numel(p->dims, p->rank);
  int64_t idx[NN_MAX_RANK] = {0};
  int64_t io = 0;
  for (int64_t i = 0; i < n; i++) {
    switch (p->op) {
    case NN_REDUCE_SUM:
    case NN_REDUCE_MEAN:
      out[io] += in[i];
      break;
    case NN_REDUCE_MAX:
      out[io] = MAX(out[io], in[i]);
      break;
    case NN_REDUCE_MIN:
      out[io] = MIN(out[io], in[i]);
      break;
    }
    for (int d = p->rank - 1; d >= 0; d--) {
      idx[d]++;
      io += p->out_strides[d];
      if (idx[d] < p->dims[d])
        break;
      io -= p->out_strides[d] * p->dims[d];
      idx[d] = 0;
    }
  }
  if (p->op == NN_REDUCE_MEAN && p->count > 0)
    for (int64_t i = 0; i < p->n_out; i++)
      out[i] /= (float)p->count;
}

void
_nn_gather_params_free(gpointer p)
{
  NnGatherParams *g = p;
  g_free(g->idx);
  g_free(g);
}

void
_nn_host_gather(const NnStep *s, void *const *ptrs)
{
  const NnGatherParams *p = s->params;
  const char *data = ptrs[0];
  char *out = ptrs[1];
  size_t row = (size_t)p->inner * p->esize;
  for (int64_t o = 0; o < p->outer; o++)
    for (int64_t j = 0; j < p->n_idx; j++)
      memcpy(out + (o * p->n_idx + j) * row, data + (o * p->n + p->idx[j]) * row, row);
}

void
_nn_gemm_params_free(gpointer p)
{
  NnGemmParams *g = p;
  g_free(g->a_off);
  g_free(g->b_off);
  g_free(g);
}

void
_nn_host_gemm(const NnStep *s, void *const *ptrs)
{
  const NnGemmParams *p = s->params;
  const float *a = ptrs[0], *b = ptrs[1], *c = p->has_c ? ptrs[2] : NULL;
  float *y = ptrs[p->has_c ? 3 : 2];
  for (int64_t t = 0; t < p->batch; t++) {
    const float *ab = a + p->a_off[t], *bb = b + p->b_off[t];
    float *yb = y + t * p->m * p->n;
    for (int64_t i = 0; i < p->m; i++) {
      float *row = yb + i * p->n;
      for (int64_t j = 0; j < p->n; j++)
        row[j] = 0;
      /* i-k-j order: the inner loop walks B's row (contiguous when not
       * transposed) and Y's row. */
      for (int64_t k = 0; k < p->k; k++) {
        float av = ab[i * p->a_rs + k * p->a_cs];
        const float *br = bb + k * p->b_rs;
        for (int64_t j = 0; j < p->n; j++)
          row[j] += av * br[j * p->b_cs];
      }
      for (int64_t j = 0; j < p->n; j++)
        row[j] = p->alpha * row[j] + (c ? p->beta * c[i * p->c_rs + j * p->c_cs] : 0.0f);
    }
  }
}

/* The input index along one axis for output index @o, -1 for the constant. */
static int64_t
pad_source(NnPadMode mode, int64_t o, int64_t pad_l, int64_t len)
{
  int64_t i = o - pad_l;
  if (i >= 0 && i < len)
    return i;
  switch (mode) {
  case NN_PAD_CONSTANT:
    return -1;
  case NN_PAD_EDGE:
    return i < 0 ? 0 : len - 1;
  case NN_PAD_REFLECT:
    if (len == 1)
      return 0;
    /* Mirror without repeating the edge, period 2 * (len - 1). */
    int64_t period = 2 * (len - 1);
    i = ((i % period) + period) % period;
    return i < len ? i : period - i;
  }
  return -1;
}

void
_nn_host_pad(const NnStep *s, void *const *ptrs)
{
  const NnPadParams *p = s->params;
  NnTensor in = {.dtype = p->dtype, .data = ptrs[0]};
  NnTensor out = {.dtype = p->dtype, .data = ptrs[1]};
  int64_t n = _nn_numel(p->out_dims, p->rank), in_strides[NN_MAX_RANK];
  _nn_strides(p->in_dims, p->rank, in_strides);
  int64_t idx[NN_MAX_RANK] = {0};
  size_t esize = _nn_dtype_size(p->dtype);
  for (int64_t o = 0; o < n; o++) {
    int64_t off = 0;
    for (int d = 0; d < p->rank && off >= 0; d++) {
      int64_t i = pad_source(p->mode, idx[d], p->pads_l[d], p->in_dims[d]);
      off = i < 0 ? -1 : off + i * in_strides[d];
    }
    if (off < 0)
      _nn_tensor_set(&out, o, p->value);
    else
      memcpy((char *)out.data + o * esize, (const char *)in.data + off * esize, esize);
    for (int d = p->rank - 1; d >= 0; d--) {
      if (++idx[d] < p->out_dims[d])
        break;
      idx[d] = 0;
    }
  }
}
