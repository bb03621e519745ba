/* yunet.c: YuNet 2023mar's input tensor and the decoding of its 12 outputs
 * (../shared/models/FACES.md, which follows OpenCV >= 4.8's
 * FaceDetectorYN::postProcess()). The network itself runs in src/nn/. */
#include "face-detect.h"

const int _derush_yunet_strides[DERUSH_YUNET_N_STRIDES] = {8, 16, 32};
const char *const _derush_yunet_cls[DERUSH_YUNET_N_STRIDES] = {"cls_8", "cls_16", "cls_32"};
const char *const _derush_yunet_obj[DERUSH_YUNET_N_STRIDES] = {"obj_8", "obj_16", "obj_32"};
const char *const _derush_yunet_bbox[DERUSH_YUNET_N_STRIDES] = {"bbox_8", "bbox_16", "bbox_32"};
const char *const _derush_yunet_kps[DERUSH_YUNET_N_STRIDES] = {"kps_8", "kps_16", "kps_32"};

void
_derush_yunet_padded_size(int width, int height, int *pad_width, int *pad_height)
{
  *pad_width = ((MAX(width, 1) - 1) / 32 + 1) * 32;
  *pad_height = ((MAX(height, 1) - 1) / 32 + 1) * 32;
}

float *
_derush_yunet_input(const guint8 *rgb, int width, int height, gsize stride, int quantum,
                    int *pad_width, int *pad_height)
{
  int pw, ph;
  _derush_yunet_padded_size(width, height, &pw, &ph);
  if (quantum > 32 && quantum % 32 == 0) {
    pw = (pw + quantum - 1) / quantum * quantum;
    ph = (ph + quantum - 1) / quantum * quantum;
  }
  gsize plane = (gsize)pw * ph;
  /* Only the padding is zeroed: the image covers most of the tensor
   * (2.4 MB at 512x384), and clearing it all first cost ~2% of a photo. */
  float *t = g_new(float, 3 * plane);
  float *b = t, *g = t + plane, *r = t + 2 * plane;
  for (int y = 0; y < height; y++) {
    const guint8 *p = rgb + (gsize)y * stride;
    gsize o = (gsize)y * pw;
    for (int x = 0; x < width; x++, p += 3) {
      r[o + x] = p[0];
      g[o + x] = p[1];
      b[o + x] = p[2];
    }
    for (int c = 0; c < 3; c++)
      memset(t + c * plane + o + width, 0, sizeof(float) * (pw - width));
  }
  for (int c = 0; c < 3; c++)
    memset(t + c * plane + (gsize)height * pw, 0, sizeof(float) * (ph - height) * pw);
  *pad_width = pw;
  *pad_height = ph;
  return t;
}

static int
cmp_score_desc(const void *a, const void *b)
{
  const DerushFace *fa = a, *fb = b;
  return (fa->score < fb->score) - (fa->score > fb->score);
}

void
_derush_faces_nms(GArray *faces, guint first, float iou)
{
  /* Greedy, best score first (qsort is not stable: ties keep no order, as
   * in OpenCV). */
  guint n = faces->len - first;
  if (n > 1)
    qsort(&g_array_index(faces, DerushFace, first), n, sizeof(DerushFace), cmp_score_desc);
  guint kept = first;
  for (guint i = first; i < faces->len; i++) {
    const DerushFace *f = &g_array_index(faces, DerushFace, i);
    gboolean keep = TRUE;
    for (guint j = first; j < kept && keep; j++)
      keep = _derush_box_iou(f->box, g_array_index(faces, DerushFace, j).box) <= iou;
    if (keep)
      g_array_index(faces, DerushFace, kept++) = *f;
  }
  g_array_set_size(faces, kept);
}

int
_derush_yunet_decode(const DerushYunetOutputs *out, int pad_width, int pad_height, float threshold,
                     float nms_iou, GArray *faces)
{
  guint first = faces->len;
  for (int k = 0; k < DERUSH_YUNET_N_STRIDES; k++) {
    int s = _derush_yunet_strides[k];
    int cols = pad_width / s, rows = pad_height / s;
    const float *cls = out->cls[k], *obj = out->obj[k];
    const float *bbox = out->bbox[k], *kps = out->kps[k];
    for (int idx = 0; idx < rows * cols; idx++) {
      float score = sqrtf(CLAMP(cls[idx], 0.f, 1.f) * CLAMP(obj[idx], 0.f, 1.f));
      if (!(score >= threshold))
        continue;
      int r = idx / cols, c = idx % cols;
      const float *bb = bbox + (gsize)idx * 4, *kp = kps + (gsize)idx * 10;
      float cx = (c + bb[0]) * s, cy = (r + bb[1]) * s;
      float w = expf(bb[2]) * s, h = expf(bb[3]) * s;
      if (!isfinite(w) || !isfinite(h))
        continue;
      DerushFace f = {
          .box = {cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2},
          .score = score,
          .eyes_open = {NAN, NAN},
          .sharpness = NAN,
          .area = NAN,
      };
      for (int n = 0; n < 5; n++) {
        f.landmarks[n][0] = (kp[2 * n] + c) * s;
        f.landmarks[n][1] = (kp[2 * n + 1] + r) * s;
      }
      g_array_append_val(faces, f);
    }
  }
  _derush_faces_nms(faces, first, nms_iou);
  return (int)(faces->len - first);
}

float
_derush_yunet_best_score(const DerushYunetOutputs *out, int k, int pad_width, int pad_height)
{
  int s = _derush_yunet_strides[k], n = (pad_width / s) * (pad_height / s);
  float best = 0;
  for (int idx = 0; idx < n; idx++)
    best = MAX(best, CLAMP(out->cls[k][idx], 0.f, 1.f) * CLAMP(out->obj[k][idx], 0.f, 1.f));
  return sqrtf(best);
}

void
_derush_faces_map(GArray *faces, guint first, double scale_x, double scale_y, double off_x,
                  double off_y)
{
  for (guint i = first; i < faces->len; i++) {
    DerushFace *f = &g_array_index(faces, DerushFace, i);
    for (int k = 0; k < 4; k += 2) {
      f->box[k] = (float)(f->box[k] * scale_x + off_x);
      f->box[k + 1] = (float)(f->box[k + 1] * scale_y + off_y);
    }
    for (int n = 0; n < 5; n++) {
      f->landmarks[n][0] = (float)(f->landmarks[n][0] * scale_x + off_x);
      f->landmarks[n][1] = (float)(f->landmarks[n][1] * scale_y + off_y);
    }
  }
}

void
_derush_faces_replace(GArray *faces, guint first, float iou)
{
  guint i = 0;
  while (i < first && i < faces->len) {
    gboolean dup = FALSE;
    for (guint j = first; j < faces->len && !dup; j++)
      dup = _derush_box_iou(g_array_index(faces, DerushFace, i).box,
                            g_array_index(faces, DerushFace, j).box) > iou;
    if (dup) {
      g_array_remove_index(faces, i);
      first--;
    } else {
      i++;
    }
  }
}
