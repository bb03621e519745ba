/* mobilenet.c: the second embedding, MobileNetV2's penultimate layer (the
 * global-average-pooled 1280-d feature map before the classifier) from
 * mobilenetv2-12-int8.onnx, when that model is in the model folder.
 *
 * Pre-processing as the model card's imagenet_preprocess.py (and the golden
 * input in ../shared/models/golden): RGB, shorter side resized to 256 with
 * cv2's bilinear resize, centre crop 224, scaled to [0, 1] and normalised
 * with ImageNet's mean and std, NCHW. The pooled tensor is int8 in this
 * model (QLinearGlobalAveragePool's output); it is dequantized with the
 * model's own scale and zero point, read from the graph. */
#include "detect-private.h"
#include "nn/nn.h"

/* ../shared/models/README.md: QLinearGlobalAveragePool's output and its
 * quantization parameters. */
#define POOLED_TENSOR "464_quantized"
#define POOLED_SCALE "464_scale"
#define POOLED_ZERO "464_zero_point"

/**
 * _derush_mobilenet_input:
 * @rgb: packed 8-bit RGB, @height rows of @stride bytes
 * @width: pixels a row (>= 1)
 * @height: rows (>= 1)
 * @stride: bytes a row
 * @out: (out caller-allocates): 3 * 224 * 224 floats, RGB planes
 */
void
_derush_mobilenet_input(const guint8 *rgb, int width, int height, gsize stride, float *out)
{
  static const float mean[3] = {0.485f, 0.456f, 0.406f}, std[3] = {0.229f, 0.224f, 0.225f};
  const int size = DERUSH_MOBILENET_SIZE, shorter = 256;
  int dw = width <= height ? shorter : MAX((int)((double)width * shorter / height), shorter);
  int dh = width <= height ? MAX((int)((double)height * shorter / width), shorter) : shorter;
  g_autofree guint8 *resized = g_new(guint8, (gsize)dw * dh * 3);
  _derush_resize_rgb(rgb, width, height, stride, dw, dh, resized);
  int left = (dw - size) / 2, top = (dh - size) / 2;
  gsize plane = (gsize)size * size;
  for (int y = 0; y < size; y++)
    for (int x = 0; x < size; x++)
      for (int c = 0; c < 3; c++) {
        float v = resized[((gsize)(top + y) * dw + left + x) * 3 + c] / 255.0f;
        out[c * plane + (gsize)y * size + x] = (v - mean[c]) / std[c];
      }
}

/**
 * _derush_mobilenet_prepare:
 * @model: a freshly loaded mobilenetv2-12-int8 model
 * @error: return location for a GError
 *
 * Keeps the pooled tensor and its quantization readable after a run.
 *
 * Returns: FALSE (another export, without those tensors) with @error set.
 */
gboolean
_derush_mobilenet_prepare(DerushNnModel *model, GError **error)
{
  return _derush_nn_model_keep_tensor(model, POOLED_TENSOR, error) &&
         _derush_nn_model_keep_tensor(model, POOLED_SCALE, error) &&
         _derush_nn_model_keep_tensor(model, POOLED_ZERO, error);
}

static const float *
tensor_of(DerushNnModel *model, const char *name, gsize want)
{
  const int64_t *shape = NULL;
  int rank = 0;
  const float *t = _derush_nn_model_tensor(model, name, &shape, &rank);
  gsize n = 1;
  for (int i = 0; i < rank; i++)
    n *= (gsize)shape[i];
  return t && n == want ? t : NULL;
}

/**
 * _derush_mobilenet_embed:
 * @model: a prepared model (_derush_mobilenet_prepare); not thread-safe
 * @rgb: the preview, packed 8-bit RGB, upright
 * @width: its width
 * @height: its height
 * @stride: bytes a row
 * @out: (out caller-allocates): DERUSH_MOBILENET_EMBEDDING floats
 * @error: return location for a GError
 *
 * One forward.
 *
 * Returns: FALSE with @error set when the forward fails or the model's
 * tensors are not MobileNetV2's.
 */
gboolean
_derush_mobilenet_embed(DerushNnModel *model, const guint8 *rgb, int width, int height,
                        gsize stride, float *out, GError **error)
{
  const int size = DERUSH_MOBILENET_SIZE;
  g_autofree float *input = g_new(float, 3 * size * size);
  _derush_mobilenet_input(rgb, width, height, stride, input);
  const int64_t shape[] = {1, 3, size, size};
  g_autoptr(GError) local = NULL;
  if (!_derush_nn_model_run(model, input, shape, 4, &local)) {
    g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_FAILED, "embedding model: %s", local->message);
    return FALSE;
  }
  const float *pooled = tensor_of(model, POOLED_TENSOR, DERUSH_MOBILENET_EMBEDDING);
  const float *scale = tensor_of(model, POOLED_SCALE, 1), *zero = tensor_of(model, POOLED_ZERO, 1);
  if (!pooled || !scale || !zero) {
    g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_CORRUPT,
                "embedding model: %s is not a 1 x %d tensor", POOLED_TENSOR,
                DERUSH_MOBILENET_EMBEDDING);
    return FALSE;
  }
  for (int i = 0; i < DERUSH_MOBILENET_EMBEDDING; i++)
    out[i] = (pooled[i] - zero[0]) * scale[0];
  return TRUE;
}
