/* grouping.h: sessions, bursts and near-duplicate clusters of photos, as a
 * pure computation over arrays (not installed). grouping.c documents the
 * rules; the catalog side is in group-store.c. */
#ifndef DERUSH_GROUPING_H
#define DERUSH_GROUPING_H

#include "derush-private.h"
#include "quality/features.h"

G_BEGIN_DECLS

/* What best-of-group compares before the score (fidelity.c): NAN unknown. */
typedef struct {
  float megapixels, saturation, jpeg_quality, camera_jpeg, clip_high;
  float under; /* 1 under-exposed (derush_features_exposure_flag), 0 not */
  float soft;  /* 1 soft on its own (derush_features_soft), 0 sharp */
} DerushFidelity;

/* The steps of fidelity.c, in the order they are tried. */
typedef enum {
  DERUSH_FIDELITY_RESOLUTION,
  DERUSH_FIDELITY_COLOUR,
  DERUSH_FIDELITY_ENCODER,
  DERUSH_FIDELITY_COMPRESSION,
  DERUSH_FIDELITY_EXPOSURE,
  DERUSH_FIDELITY_FOCUS,
  DERUSH_FIDELITY_CLIPPING,
  DERUSH_FIDELITY_SAME, /* none tells them apart */
} DerushFidelityStep;

void _derush_fidelity_from_features(const float *vector, DerushFidelity *fid);
int _derush_fidelity_compare(const DerushFidelity *a, const DerushFidelity *b,
                             DerushFidelityStep *decided);
guint _derush_fidelity_wins(const DerushFidelity *a, const DerushFidelity *b);
const char *_derush_fidelity_step_text(DerushFidelityStep s);

/* What a photo's faces say for best-of-group (best-pick.c). */
typedef enum {
  DERUSH_FACES_UNKNOWN, /* not looked for, or no face */
  DERUSH_FACES_GOOD,    /* every subject's face is sharp, with open eyes */
  DERUSH_FACES_FLAWED,  /* a subject's face has closed eyes or is soft */
} DerushFacesVerdict;

DerushFacesVerdict _derush_faces_verdict(const DerushFace *faces, int n);
/* @a's faces beat @b's: both have faces, @a's all good, @b's not. */
gboolean _derush_faces_verdict_beats(DerushFacesVerdict a, DerushFacesVerdict b);
/* gint64 photo id -> DerushFacesVerdict (as a pointer) of every photo whose
 * faces were looked for; NULL with @error set when the catalog fails. */
GHashTable *_derush_faces_verdicts(DerushCatalog *cat, GError **error);

/* One photo as grouping sees it: a RAW+JPEG pair is one unit. */
typedef struct {
  gint64 id;         /* the representative photo (the JPEG of a pair) */
  gint64 partner_id; /* the other half of a RAW+JPEG pair, or 0 */
  gboolean has_time; /* capture time from EXIF */
  gint64 time_ns;
  guint32 camera; /* make+model interned by the caller, 0 unknown */
  gboolean has_hashes;
  DerushHashes hashes;
  double score;             /* best-of-group score, NAN unknown */
  gboolean by_model;        /* @score is the model's p(keep) */
  double sharpness;         /* tie-break, NAN unknown */
  DerushFidelity fid;       /* compared before the score */
  DerushFacesVerdict faces; /* compared after fidelity, before the score */
} DerushGroupUnit;

typedef struct {
  DerushGroupKind kind;
  gint64 key;    /* smallest photo id among the members (partners included) */
  gint64 id;     /* key * 4 + kind: stable while the members stay */
  guint best;    /* index of the best unit */
  GArray *units; /* guint indices into the unit array, ascending */
} DerushGroupResult;

void _derush_group_result_free(DerushGroupResult *group);

/* Groups @units (sorted by id). Returns a GPtrArray of DerushGroupResult,
 * ordered by kind then id. */
GPtrArray *_derush_group_compute(const DerushGroupUnit *units, gsize n,
                                 const DerushGroupOptions *options, int n_threads);

/* Whether @a is a better best pick than @b: the higher score, then the
 * sharper, then the smaller id (a total order). */
gboolean _derush_group_unit_better(const DerushGroupUnit *a, const DerushGroupUnit *b);

/* The pHash distance the safety bound uses between two units: the smallest
 * over every pair of their transforms (only the plain hashes when
 * @transforms is FALSE). Symmetric. */
int _derush_group_unit_distance(const DerushGroupUnit *a, const DerushGroupUnit *b,
                                gboolean transforms);

/* Whether @b is a turned (perhaps mirrored) copy of @a by the polar
 * signatures: the confirmation step of the rotation rule in grouping.c. */
gboolean _derush_group_units_turned(const DerushGroupUnit *a, const DerushGroupUnit *b);

G_END_DECLS

#endif /* DERUSH_GROUPING_H */
