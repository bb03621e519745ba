/* eyes.c: the eye open/closed classifier's input, cut from YuNet's eye
 * landmarks (../shared/models/FACES.md, "How to feed it from YuNet
 * landmarks"): a levelled square around each eye, area-averaged to 32x32.
 * Bilinear sampling of a large crop aliases enough to turn a clearly open
 * eye into p(open) 0.01 (FACES.md); averaging n x n bilinear samples per
 * output pixel, n covering the footprint, behaves like OpenCV's INTER_AREA
 * and also works with the rotation. */
#include "face-detect.h"

/* Tight crops (0.4-0.6 of the eye distance: the eye and its lids, little
 * brow), as the classifier's training crops (MRL Eye) are; face-detect.h
 * says how they were chosen. */
const float _derush_eye_scales[DERUSH_EYE_N_SCALES] = {0.4f, 0.5f, 0.6f};
/* Eyes closer than DERUSH_EYE_SMALL_DISTANCE in the best image at hand:
 * a crop upsampled from a few dozen pixels has lost the lid's edge, and
 * the tight crops read blurred open eyes as closed; a little more of the
 * lids and brow keeps them apart (face-detect.h gives the figures). */
const float _derush_eye_scales_small[DERUSH_EYE_N_SCALES] = {0.5f, 0.6f, 0.7f};

/* Bilinear sample of channel-interleaved RGB at (x, y), border repeated. */
static inline void
sample(const guint8 *rgb, int width, int height, gsize stride, float x, float y, float *px)
{
  x = CLAMP(x, 0.f, (float)(width - 1));
  y = CLAMP(y, 0.f, (float)(height - 1));
  int x0 = (int)x, y0 = (int)y;
  int x1 = MIN(x0 + 1, width - 1), y1 = MIN(y0 + 1, height - 1);
  float fx = x - x0, fy = y - y0;
  const guint8 *a = rgb + (gsize)y0 * stride + 3 * x0, *b = rgb + (gsize)y0 * stride + 3 * x1;
  const guint8 *c = rgb + (gsize)y1 * stride + 3 * x0, *d = rgb + (gsize)y1 * stride + 3 * x1;
  for (int k = 0; k < 3; k++) {
    float top = a[k] + (b[k] - a[k]) * fx;
    float bot = c[k] + (d[k] - c[k]) * fx;
    px[k] = top + (bot - top) * fy;
  }
}

void
_derush_eye_input(const guint8 *rgb, int width, int height, gsize stride, float cx, float cy,
                  float angle, float side, float *tensor)
{
  const int n = DERUSH_EYE_SIZE;
  float step = side / n; /* source pixels per output pixel */
  int sub = CLAMP((int)ceilf(step), 1, 16);
  float ca = cosf(angle), sa = sinf(angle);
  float *bp = tensor, *gp = tensor + n * n, *rp = tensor + 2 * n * n;
  for (int j = 0; j < n; j++) {
    for (int i = 0; i < n; i++) {
      float acc[3] = {0, 0, 0};
      for (int b = 0; b < sub; b++) {
        float v = (j + (b + 0.5f) / sub) * step - side / 2;
        for (int a = 0; a < sub; a++) {
          float u = (i + (a + 0.5f) / sub) * step - side / 2;
          /* (u, v) in the levelled frame; rotate back into the image. */
          float px[3];
          sample(rgb, width, height, stride, cx + u * ca - v * sa, cy + u * sa + v * ca, px);
          acc[0] += px[0];
          acc[1] += px[1];
          acc[2] += px[2];
        }
      }
      float inv = 1.f / (sub * sub);
      int o = j * n + i;
      /* FACES.md: (value - 127) / 255, nothing more. A contrast stretch
       * (2nd-98th percentile to 0..255) was tried: with these tight crops
       * it found 15 instead of 22 of the 23 closed faces detected in
       * tests/data/faces-truth.csv (docs/faces-truth.md). */
      rp[o] = (acc[0] * inv - 127.f) / 255.f;
      gp[o] = (acc[1] * inv - 127.f) / 255.f;
      bp[o] = (acc[2] * inv - 127.f) / 255.f;
    }
  }
}

gboolean
_derush_eye_inputs(const guint8 *rgb, int width, int height, gsize stride, const DerushFace *face,
                   float *tensors)
{
  float dx = face->landmarks[1][0] - face->landmarks[0][0];
  float dy = face->landmarks[1][1] - face->landmarks[0][1];
  float dist = hypotf(dx, dy);
  if (!(dist >= DERUSH_EYE_MIN_DISTANCE))
    return FALSE;
  float angle = atan2f(dy, dx);
  const float *scales =
      dist < DERUSH_EYE_SMALL_DISTANCE ? _derush_eye_scales_small : _derush_eye_scales;
  static const float shifts[DERUSH_EYE_N_SHIFTS][2] = {{0, 0}, {1, 0}, {-1, 0}, {0, 1}, {0, -1}};
  float *t = tensors;
  for (int e = 0; e < 2; e++)
    for (int k = 0; k < DERUSH_EYE_N_SCALES; k++)
      for (int j = 0; j < DERUSH_EYE_N_SHIFTS; j++, t += DERUSH_EYE_TENSOR)
        _derush_eye_input(rgb, width, height, stride,
                          face->landmarks[e][0] + shifts[j][0] * DERUSH_EYE_JITTER * dist,
                          face->landmarks[e][1] + shifts[j][1] * DERUSH_EYE_JITTER * dist, angle,
                          scales[k] * dist, t);
  return TRUE;
}

float
_derush_eye_p_open(const float *output)
{
  /* Index 0 = closed, 1 = open (FACES.md: OMZ's README has it backwards).
   * The graph's softmax has no max subtraction: renormalise defensively. */
  float s = output[0] + output[1];
  return s > 0 && isfinite(s) ? output[1] / s : NAN;
}

/**
 * derush_face_eyes_closed:
 * @face: a face
 *
 * Returns: TRUE when both eye states are known and both eyes' p(open) are
 * below DERUSH_FACE_CLOSED_P: closed means both eyes closed, as the truth
 * counts it (docs/faces-truth.md); a wink is not a blink.
 */
gboolean
derush_face_eyes_closed(const DerushFace *face)
{
  g_return_val_if_fail(face != NULL, FALSE);
  if (isnan(face->eyes_open[0]) || isnan(face->eyes_open[1]))
    return FALSE;
  return MAX(face->eyes_open[0], face->eyes_open[1]) < DERUSH_FACE_CLOSED_P;
}
