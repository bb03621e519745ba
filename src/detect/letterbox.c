/* letterbox.c: YOLOX's input tensor from an 8-bit RGB picture.
 *
 * YOLOX was trained on cv2.resize(INTER_LINEAR) output, so the resize here
 * is OpenCV's, bit for bit where it matters: half-pixel centres, the edge
 * clamping of resize.cpp, weights in 11-bit fixed point
 * (INTER_RESIZE_COEF_BITS) and the vertical pass's rounding of
 * VResizeLinearVec_32s8u (the SSE2/AVX2 path x86 takes). Upstream's
 * preproc then pastes the result top-left on a 114 canvas and feeds BGR
 * values 0..255 without normalisation (../shared/models/README.md). */
#include "detect-private.h"

#define COEF_BITS 11
#define COEF_SCALE (1 << COEF_BITS)

/* For each destination coordinate: the source index and the two weights
 * (summing to COEF_SCALE), as resize.cpp computes them. */
static void
linear_taps(int src_len, int dst_len, int *index, short *w0, short *w1)
{
  double scale = (double)src_len / dst_len;
  for (int d = 0; d < dst_len; d++) {
    float f = (float)((d + 0.5) * scale - 0.5);
    int s = (int)floorf(f);
    f -= s;
    if (s < 0) {
      f = 0;
      s = 0;
    }
    if (s >= src_len - 1) {
      f = 0;
      s = src_len - 1;
    }
    /* saturate_cast<short>(x * SCALE) rounds to nearest. */
    short a1 = (short)lrintf(f * COEF_SCALE);
    short a0 = (short)lrintf((1.0f - f) * COEF_SCALE);
    index[d] = s;
    w0[d] = a0;
    w1[d] = a1;
  }
}

/**
 * _derush_resize_rgb:
 * @rgb: packed 8-bit RGB, @height rows of @stride bytes
 * @width: pixels a row (>= 1)
 * @height: rows (>= 1)
 * @stride: bytes a row
 * @dw: the output's width (>= 1)
 * @dh: its height (>= 1)
 * @out: (out caller-allocates): @dw * @dh * 3 bytes, packed RGB
 *
 * cv2.resize(INTER_LINEAR), bit for bit where it matters (see above).
 */
void
_derush_resize_rgb(const guint8 *rgb, int width, int height, gsize stride, int dw, int dh,
                   guint8 *out)
{
  g_return_if_fail(rgb != NULL && out != NULL && width > 0 && height > 0 && dw > 0 && dh > 0);
  int *xi = g_new(int, dw), *yi = g_new(int, dh);
  short *xa0 = g_new(short, dw), *xa1 = g_new(short, dw);
  short *ya0 = g_new(short, dh), *ya1 = g_new(short, dh);
  linear_taps(width, dw, xi, xa0, xa1);
  linear_taps(height, dh, yi, ya0, ya1);

  /* Horizontal pass of the two source rows each output row needs, kept in
   * int as OpenCV keeps them ("buffered rows"), then the vertical blend. */
  int *h0 = g_new(int, 3 * dw), *h1 = g_new(int, 3 * dw);
  int row0 = -1, row1 = -1;
  for (int y = 0; y < dh; y++) {
    int sy0 = yi[y], sy1 = MIN(yi[y] + 1, height - 1);
    int rows[2] = {sy0, sy1};
    if (row1 == sy0 && row0 != sy0) {
      /* Moving down one row: the old second row is the new first. */
      int *t = h0;
      h0 = h1;
      h1 = t;
      row0 = row1;
      row1 = -1;
    }
    int *want[2] = {h0, h1};
    int *have[2] = {&row0, &row1};
    for (int k = 0; k < 2; k++) {
      if (*have[k] == rows[k])
        continue;
      const guint8 *src = rgb + (gsize)rows[k] * stride;
      int *h = want[k];
      for (int x = 0; x < dw; x++) {
        int sx0 = xi[x], sx1 = MIN(xi[x] + 1, width - 1);
        for (int c = 0; c < 3; c++)
          h[3 * x + c] = src[3 * sx0 + c] * xa0[x] + src[3 * sx1 + c] * xa1[x];
      }
      *have[k] = rows[k];
    }
    int b0 = ya0[y], b1 = ya1[y];
    guint8 *row = out + (gsize)y * dw * 3;
    for (int x = 0; x < 3 * dw; x++) {
      int v = (((b0 * (h0[x] >> 4)) >> 16) + ((b1 * (h1[x] >> 4)) >> 16) + 2) >> 2;
      row[x] = (guint8)CLAMP(v, 0, 255);
    }
  }
  g_free(xi);
  g_free(yi);
  g_free(xa0);
  g_free(xa1);
  g_free(ya0);
  g_free(ya1);
  g_free(h0);
  g_free(h1);
}

/**
 * _derush_letterbox:
 * @rgb: packed 8-bit RGB, @height rows of @stride bytes
 * @width: pixels a row (>= 1)
 * @height: rows (>= 1)
 * @stride: bytes a row
 * @size: the square input's side (416 for YOLOX-nano)
 * @out: (out caller-allocates): 3 * @size * @size floats, BGR planes
 *
 * Returns: the scale r applied to the picture (divide a box by it to get
 * back to @rgb's pixels).
 */
double
_derush_letterbox(const guint8 *rgb, int width, int height, gsize stride, int size, float *out)
{
  g_return_val_if_fail(rgb != NULL && out != NULL && width > 0 && height > 0 && size > 0, 0);

  double r = MIN((double)size / height, (double)size / width);
  int dw = CLAMP((int)(width * r), 1, size), dh = CLAMP((int)(height * r), 1, size);
  gsize plane = (gsize)size * size;
  for (gsize i = 0; i < 3 * plane; i++)
    out[i] = 114.0f;
  g_autofree guint8 *small = g_new(guint8, (gsize)dw * dh * 3);
  _derush_resize_rgb(rgb, width, height, stride, dw, dh, small);
  for (int y = 0; y < dh; y++)
    for (int x = 0; x < dw; x++)
      for (int c = 0; c < 3; c++) /* RGB in, BGR planes out */
        out[(gsize)(2 - c) * plane + (gsize)y * size + x] = small[((gsize)y * dw + x) * 3 + c];
  return r;
}
