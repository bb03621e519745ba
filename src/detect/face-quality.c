/* face-quality.c: how sharp a face is compared with its photo.
 *
 * A culling question is "is the face in focus", and an absolute sharpness
 * cannot answer it: a soft lens, high ISO or a small face all lower the
 * Laplacian variance. Dividing by the whole image's own variance, measured
 * on the same pixels, gives ~1 for a face as sharp as the photo, well above
 * 1 for a sharp face on a blurred background (a portrait), below 1 when the
 * focus went behind the subject. */
#include "face-detect.h"

/* Grey (Rec. 601) of the rectangle [x0, x1) x [y0, y1) of @rgb. */
static float *
grey_rect(const guint8 *rgb, gsize stride, int x0, int y0, int x1, int y1)
{
  int w = x1 - x0, h = y1 - y0;
  float *g = g_new(float, (gsize)w *h);
  for (int y = 0; y < h; y++) {
    const guint8 *p = rgb + (gsize)(y0 + y) * stride + 3 * (gsize)x0;
    float *o = g + (gsize)y * w;
    for (int x = 0; x < w; x++, p += 3)
      o[x] = 0.299f * p[0] + 0.587f * p[1] + 0.114f * p[2];
  }
  return g;
}

void
_derush_faces_sharpness(const guint8 *rgb, int width, int height, gsize stride, GArray *faces)
{
  if (faces->len == 0)
    return;
  g_autofree float *all = grey_rect(rgb, stride, 0, 0, width, height);
  double photo = _derush_laplacian_variance(all, width, height);
  for (guint i = 0; i < faces->len; i++) {
    DerushFace *f = &g_array_index(faces, DerushFace, i);
    f->sharpness = NAN;
    int x0 = CLAMP((int)floorf(f->box[0]), 0, width), y0 = CLAMP((int)floorf(f->box[1]), 0, height);
    int x1 = CLAMP((int)ceilf(f->box[2]), 0, width), y1 = CLAMP((int)ceilf(f->box[3]), 0, height);
    if (x1 - x0 < 8 || y1 - y0 < 8 || !(photo > 1e-6))
      continue;
    g_autofree float *g = grey_rect(rgb, stride, x0, y0, x1, y1);
    f->sharpness = (float)(_derush_laplacian_variance(g, x1 - x0, y1 - y0) / photo);
  }
}

void
_derush_faces_frame(GArray *faces, int width, int height)
{
  /* "Cut" leaves a pixel of slack: YuNet's boxes of a face at the edge
   * often stop just short of it. */
  for (guint i = 0; i < faces->len; i++) {
    DerushFace *f = &g_array_index(faces, DerushFace, i);
    float w = MIN(f->box[2], (float)width) - MAX(f->box[0], 0.f);
    float h = MIN(f->box[3], (float)height) - MAX(f->box[1], 0.f);
    f->area = w > 0 && h > 0 ? w * h / ((float)width * height) : 0;
    f->cut = f->box[0] <= 1 || f->box[1] <= 1 || f->box[2] >= width - 1 || f->box[3] >= height - 1;
  }
}

/**
 * derush_face_soft:
 * @face: a face
 *
 * Returns: TRUE when the face's sharpness is known and below
 *   DERUSH_FACE_SOFT: clearly softer than its own photo (the focus missed
 *   it, or it moved).
 *
 * See also: derush_face_eyes_closed().
 */
gboolean
derush_face_soft(const DerushFace *face)
{
  g_return_val_if_fail(face != NULL, FALSE);
  return !isnan(face->sharpness) && face->sharpness < DERUSH_FACE_SOFT;
}
