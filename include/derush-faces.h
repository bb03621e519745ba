/* derush-faces.h: faces, eye state and face quality (part of the public API;
 * include derush.h). */
#ifndef DERUSH_FACES_H
#define DERUSH_FACES_H

#include "derush-catalog.h"

G_BEGIN_DECLS

/* One face found by YuNet (../shared/models/FACES.md), in the pixels of the
 * upright original photo unless said otherwise. */
typedef struct {
  float box[4];          /* x0, y0, x1, y1 */
  float score;           /* detector confidence, 0..1 */
  float landmarks[5][2]; /* eye, eye, nose tip, mouth corner, mouth corner:
                          * the subject's right eye first (on the photo's left) */
  float eyes_open[2];    /* p(open) of the eyes at landmarks[0] and [1]; NAN when
                          * the eyes are too small to tell */
  float sharpness;       /* Laplacian variance in the box / the photo's; NAN unknown */
  float area;            /* box area / photo area, 0..1 */
  gboolean cut;          /* the box touches or crosses the photo's border */
} DerushFace;

/* A face counts as having closed eyes when the mean p(open) of its two eyes
 * is below this. */
#define DERUSH_FACE_CLOSED_P 0.5f
/* A face is soft when its sharpness (relative to the photo's) is below this. */
#define DERUSH_FACE_SOFT 0.5f

gboolean derush_face_eyes_closed(const DerushFace *face);

G_END_DECLS

#endif /* DERUSH_FACES_H */
