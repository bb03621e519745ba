/* host-quant.c: QuantizeLinear and DequantizeLinear on the host (see
 * host-ops.h), for constant folding (int8 weights to float32 at load) and
 * for per-channel scales at run time. */
#include "nn/host-ops.h"
#include <math.h>

void
_nn_quant_params_free(gpointer p)
{
  NnQuantParams *q = p;
  g_free(q->scale);
  g_free(q->zero);
  g_free(q);
}

void
_nn_host_quant(const NnStep *s, void *const *ptrs)
{
  const NnQuantParams *p = s->params;
  NnTensor in = {.dtype = p->in_dtype, .data = ptrs[0]};
  NnTensor out = {.dtype = p->out_dtype, .data = ptrs[1]};
  int64_t i = 0;
  for (int64_t o = 0; o < p->outer; o++)
    for (int64_t c = 0; c < p->c; c++) {
      float scale = p->scale[c], zero = p->zero[c];
      for (int64_t k = 0; k < p->inner; k++, i++) {
        double x = _nn_tensor_get(&in, i);
        double y;
        if (p->quantize) /* ONNX: saturate(round_half_even(x / scale) + zero) */
          y = CLAMP(nearbyint((float)x / scale) + zero, p->qmin, p->qmax);
        else
          y = ((float)x - zero) * scale;
        _nn_tensor_set(&out, i, y);
      }
    }
}
