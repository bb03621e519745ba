/* faces-regions.c: where faces.c looks again, and how: the parts of a photo
 * that may hold faces too small for the 512 px preview (around the small
 * faces already found, or the heads of the people the object detector
 * found), cut from a larger decode into tiles YuNet's size. */
#include "face-detect.h"

/* Tiles of at most this side, overlapping by TILE_OVERLAP so that a face
 * of up to that size is whole in one of them; at most MAX_TILES of them
 * (a larger region is box-averaged down first). */
#define TILE_SIDE 640
#define TILE_OVERLAP 64
#define MAX_TILES 6
#define MIN_REGION 128

guint8 *
_derush_face_image_crop(const DerushFaceImage *img, int x0, int y0, int x1, int y1, int shrink,
                        int *w, int *h)
{
  int ow = MAX(1, (x1 - x0) / shrink), oh = MAX(1, (y1 - y0) / shrink);
  guint8 *out = g_malloc((gsize)ow * oh * 3);
  for (int y = 0; y < oh; y++)
    for (int x = 0; x < ow; x++)
      for (int c = 0; c < 3; c++) {
        int sum = 0, n = 0;
        for (int dy = 0; dy < shrink; dy++) {
          int sy = MIN(y0 + y * shrink + dy, img->height - 1);
          for (int dx = 0; dx < shrink; dx++) {
            int sx = MIN(x0 + x * shrink + dx, img->width - 1);
            sum += img->rgb[(gsize)sy * img->stride + 3 * (gsize)sx + c];
            n++;
          }
        }
        out[((gsize)y * ow + x) * 3 + c] = (guint8)((sum + n / 2) / n);
      }
  *w = ow;
  *h = oh;
  return out;
}

/* How many tiles of TILE_SIDE, overlapping by TILE_OVERLAP, cover @len. */
static int
n_tiles(int len)
{
  return len <= TILE_SIDE ? 1 : 1 + (len - TILE_OVERLAP - 1) / (TILE_SIDE - TILE_OVERLAP);
}

/**
 * _derush_faces_tiled:
 * @region: x0, y0, x1, y1 in @img's pixels
 * @faces: found faces appended, in @img's pixels
 * @n_forwards: (out) (optional): YuNet forwards run
 *
 * YuNet on @region of @img in overlapping tiles of TILE_SIDE; duplicates
 * where tiles overlap are suppressed. The region is box-averaged by the
 * smallest integer factor that keeps it within MAX_TILES tiles.
 */
gboolean
_derush_faces_tiled(DerushFaceModels *m, const DerushFaceImage *img, const float region[4],
                    GArray *faces, int *n_forwards, GError **error)
{
  /* A small region (the head of one person) grows to MIN_REGION around
   * its centre: YuNet wants some context around a face. */
  float r[4];
  for (int a = 0; a < 2; a++) {
    float c = (region[a] + region[a + 2]) / 2,
          half = MAX(region[a + 2] - region[a], MIN_REGION) / 2;
    r[a] = c - half;
    r[a + 2] = c + half;
  }
  int x0 = CLAMP((int)r[0], 0, img->width), y0 = CLAMP((int)r[1], 0, img->height);
  int x1 = CLAMP((int)ceilf(r[2]), 0, img->width);
  int y1 = CLAMP((int)ceilf(r[3]), 0, img->height);
  if (n_forwards)
    *n_forwards = 0;
  if (x1 - x0 < 32 || y1 - y0 < 32)
    return TRUE;
  int shrink = 1;
  while (n_tiles((x1 - x0) / shrink) * n_tiles((y1 - y0) / shrink) > MAX_TILES)
    shrink++;
  int w, h;
  g_autofree guint8 *rgb = _derush_face_image_crop(img, x0, y0, x1, y1, shrink, &w, &h);
  int nx = n_tiles(w), ny = n_tiles(h);
  /* Tiles spread evenly, each TILE_SIDE (or the whole side). */
  int tw = MIN(w, TILE_SIDE), th = MIN(h, TILE_SIDE);
  guint first = faces->len;
  for (int ty = 0; ty < ny; ty++)
    for (int tx = 0; tx < nx; tx++) {
      int ox = nx > 1 ? (int)((gint64)(w - tw) * tx / (nx - 1)) : 0;
      int oy = ny > 1 ? (int)((gint64)(h - th) * ty / (ny - 1)) : 0;
      guint before = faces->len;
      if (!_derush_faces_run_yunet(m, rgb + (gsize)oy * w * 3 + (gsize)ox * 3, tw, th, (gsize)w * 3,
                                   faces, NULL, error))
        return FALSE;
      if (n_forwards)
        (*n_forwards)++;
      _derush_faces_map(faces, before, shrink, shrink, x0 + ox * shrink, y0 + oy * shrink);
    }
  _derush_faces_nms(faces, first, DERUSH_YUNET_NMS);
  return TRUE;
}

/**
 * _derush_faces_region_around:
 * @faces: faces found (preview pixels), at least one
 * @region: (out): their bounding box with a margin of 4 face widths
 *   (people stand in rows: more faces of that size are near)
 */
void
_derush_faces_region_around(const GArray *faces, float region[4])
{
  float wmax = 0;
  region[0] = region[1] = G_MAXFLOAT;
  region[2] = region[3] = -G_MAXFLOAT;
  for (guint i = 0; i < faces->len; i++) {
    const DerushFace *f = &g_array_index(faces, DerushFace, i);
    region[0] = MIN(region[0], f->box[0]);
    region[1] = MIN(region[1], f->box[1]);
    region[2] = MAX(region[2], f->box[2]);
    region[3] = MAX(region[3], f->box[3]);
    wmax = MAX(wmax, f->box[2] - f->box[0]);
  }
  region[0] -= 4 * wmax;
  region[1] -= 4 * wmax;
  region[2] += 4 * wmax;
  region[3] += 4 * wmax;
}

/**
 * _derush_faces_region_people:
 * @people: person boxes, upright original pixels
 * @n_people: how many
 * @k: original pixels -> preview pixels
 * @region: (out): the heads' region in preview pixels
 *
 * Where the faces of people the preview showed no face of may be: the top
 * half of each person box (the head of someone standing or sitting), with
 * a margin, for the people tall enough to have a face of
 * DERUSH_FACE_MIN_ORIG px in the original (a face is up to half of a
 * head-and-shoulders box) yet short enough in the preview for their face
 * to be missed there (a face is at least an eighth of a standing person:
 * under 8 x @small_face, the preview may not show it).
 *
 * Returns: FALSE when no person qualifies.
 */
gboolean
_derush_faces_region_people(const float (*people)[4], int n_people, double k, float small_face,
                            float region[4])
{
  gboolean any = FALSE;
  region[0] = region[1] = G_MAXFLOAT;
  region[2] = region[3] = -G_MAXFLOAT;
  for (int i = 0; i < n_people; i++) {
    const float *b = people[i];
    float w = b[2] - b[0], h = b[3] - b[1];
    if (!(h >= 2 * DERUSH_FACE_MIN_ORIG) || !(h * k < 8 * small_face))
      continue;
    region[0] = MIN(region[0], (float)((b[0] - 0.1f * w) * k));
    region[1] = MIN(region[1], (float)((b[1] - 0.1f * h) * k));
    region[2] = MAX(region[2], (float)((b[2] + 0.1f * w) * k));
    region[3] = MAX(region[3], (float)((b[1] + 0.5f * h) * k));
    any = TRUE;
  }
  return any;
}

int
_derush_people_boxes(const GArray *dets, float **boxes)
{
  int n = 0;
  *boxes = NULL;
  for (guint i = 0; dets && i < dets->len; i++) {
    const DerushDetection *d = &g_array_index(dets, DerushDetection, i);
    if (d->class_id != 0)
      continue;
    *boxes = g_renew(float, *boxes, 4 * (n + 1));
    memcpy(*boxes + 4 * n++, d->box, sizeof d->box);
  }
  return n;
}
