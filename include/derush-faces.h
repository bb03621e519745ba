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

/* A face counts as having closed eyes when the p(open) of both its eyes
 * are below this. Cross-validated on tests/data/faces-truth.csv, its
 * photos split in two halves by odd and even number
 * (tools/faces-threshold.py): each half's best threshold (most closed
 * faces at precision >= 0.8) was 0.79 and 0.84, and scored recall 0.92,
 * precision 0.80 and recall 1.00, precision 1.00 on the other half; this
 * is between the two. docs/faces-truth.md has the details. */
#define DERUSH_FACE_CLOSED_P 0.8f
/* A face is soft when its sharpness (relative to the photo's) is below this. */
#define DERUSH_FACE_SOFT 0.5f

gboolean derush_face_eyes_closed(const DerushFace *face);
gboolean derush_face_soft(const DerushFace *face);

/* Bumped whenever face detection or eye state changes: stored faces of
 * another version are found again by the next analyze. */
#define DERUSH_FACES_VERSION 3

/* The per-photo face features for the learner (docs/features.md), in this
 * order; NAN when unknown (the face models were not run, or no face has
 * that measure). Append only. */
typedef enum {
  DERUSH_FACE_FEATURE_COUNT,          /* faces found */
  DERUSH_FACE_FEATURE_LARGEST_AREA,   /* largest face box / frame area, 0 without faces */
  DERUSH_FACE_FEATURE_EYES_OPEN_MIN,  /* lowest per-face mean p(open) */
  DERUSH_FACE_FEATURE_EYES_OPEN_MEAN, /* mean of the per-face mean p(open) */
  DERUSH_FACE_FEATURE_ANY_CLOSED,     /* 1 when a face has closed eyes, else 0 */
  DERUSH_FACE_FEATURE_SHARPNESS_MIN,  /* softest face (relative sharpness) */
  DERUSH_FACE_FEATURE_SHARPNESS_MAX,  /* sharpest face */
  DERUSH_N_FACE_FEATURES
} DerushFaceFeature;

/* (transfer none): stable snake_case name, e.g. "face_count". */
const char *derush_face_feature_name(DerushFaceFeature feature);
void derush_face_features_compute(const DerushFace *faces, int n, float *vector);

gboolean derush_faces_load_models(const char *model_dir, GError **error);
gboolean derush_faces_detect_file(const char *path, const char *model_dir, GArray **faces,
                                  GError **error);
gboolean derush_faces_detect_file_with_detections(const char *path, const char *model_dir,
                                                  const GArray *detections, GArray **faces,
                                                  GError **error);

/* The faces stored for the photo at @path by the last analyze (array of
 * DerushFace, best score first). FALSE with DERUSH_ERROR_NOT_FOUND when
 * its faces were never looked for (or it changed since). */
gboolean derush_catalog_get_faces(DerushCatalog *catalog, const char *path, GArray **faces,
                                  GError **error);
/* The faces of every photo under a folder whose faces were looked for, in
 * one query (faces-store.c); @faces is valid during the call only. Return
 * FALSE to stop. */
typedef gboolean (*DerushFacesFunc)(gint64 photo_id, const char *path, const DerushFace *faces,
                                    int n_faces, gpointer user_data);
gboolean derush_catalog_foreach_faces(DerushCatalog *catalog, const char *under,
                                      DerushFacesFunc func, gpointer user_data, GError **error);
/* The DERUSH_N_FACE_FEATURES values of the photo at @path (all NAN, and
 * TRUE, when its faces were never looked for). */
gboolean derush_catalog_get_face_features(DerushCatalog *catalog, const char *path, float *vector,
                                          GError **error);

/* `derush eval faces`: face counts and closed eyes against a truth CSV. */
#define DERUSH_EVAL_FACE_MIN 48.0f /* faces this wide (original pixels) count */
typedef struct {
  gint64 photos;                   /* rows scored (readable) */
  gint64 unreadable;               /* listed files that could not be read */
  double count_accuracy;           /* photos whose face count is right */
  double closed_precision;         /* closed-eye faces found that are closed */
  double closed_recall;            /* closed-eye faces that were found */
  gint64 faces_truth, faces_found; /* faces >= MIN (found: >= MIN * 1.25) */
  gint64 closed_truth, closed_found;
  gint64 empty_photos;            /* rows with no face */
  gint64 empty_photos_with_faces; /* ... where a face >= MIN / 1.25 was found */
} DerushFacesEval;

gboolean derush_eval_faces(const char *truth_csv, const char *model_dir,
                           void (*on_unreadable)(const char *path, const char *reason,
                                                 gpointer user_data),
                           gpointer user_data, DerushFacesEval *result, GError **error);

G_END_DECLS

#endif /* DERUSH_FACES_H */
