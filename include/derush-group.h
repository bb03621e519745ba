/* derush-group.h: sessions, bursts, near-duplicates (part of the public API; include derush.h). */
#ifndef DERUSH_GROUP_H
#define DERUSH_GROUP_H

#include "derush-quality.h"

G_BEGIN_DECLS

typedef enum {
  DERUSH_GROUP_SESSION,  /* photos taken without a long pause */
  DERUSH_GROUP_BURST,    /* one camera, a few seconds apart */
  DERUSH_GROUP_NEAR_DUP, /* the same picture: copies, re-encodes, mirrors */
} DerushGroupKind;

const char *derush_group_kind_name(DerushGroupKind kind);
gboolean derush_group_kind_from_name(const char *name, DerushGroupKind *kind);

/* Replaces the score best-of-group ranks by. */
typedef double (*DerushScoreFunc)(gint64 photo_id, const float *vector, gpointer user_data);

/* What chose a group's best pick. */
typedef enum {
  DERUSH_BEST_BY_QUALITY, /* the quality score (sharpness, exposure...) */
  DERUSH_BEST_BY_MODEL,   /* the model's p(keep), learnt from the user's labels */
} DerushBestBy;

/** (transfer none): "quality" or "model". */
const char *derush_best_by_name(DerushBestBy by);

typedef struct {
  double session_gap_s;  /* a longer pause starts a new session (default 1800) */
  double burst_gap_s;    /* same camera, at most this apart (default 2) */
  int phash_radius;      /* near-dup pair: pHash distance <= this (default 10) */
  int dhash_radius;      /* ... confirmed by dHash distance <= this (default 12) */
  int phash_safety;      /* never cluster two photos further apart (default 16) */
  gboolean transforms;   /* also match mirrored, 180-rotated, cropped copies (default TRUE) */
  DerushScoreFunc score; /* NULL: the model's p(keep) when one is stored, else the quality score */
  gpointer score_data;
  gboolean rotations; /* also match copies turned by any angle (default TRUE) */
} DerushGroupOptions;

void derush_group_options_init(DerushGroupOptions *options);

typedef struct {
  gint64 photos; /* photos grouped (a RAW+JPEG pair counts once) */
  gint64 sessions, bursts, near_dups;
  double seconds;
} DerushGroupSummary;

gboolean derush_catalog_update_groups(DerushCatalog *catalog, const DerushGroupOptions *options,
                                      DerushGroupSummary *summary, GError **error);

typedef struct {
  gint64 id; /* stable: from the smallest member id and the kind */
  DerushGroupKind kind;
  gint64 best_id;        /* best pick */
  const char *best_path; /* (transfer none) */
  double best_score;     /* NAN when no member has features */
  DerushBestBy best_by;  /* the model's p(keep) or the quality score */
  guint n_members;
  const gint64 *member_ids; /* by id */
  const char *const *member_paths;
} DerushGroup;

typedef gboolean (*DerushGroupFunc)(const DerushGroup *group, gpointer user_data);

gboolean derush_catalog_update_best_picks(DerushCatalog *catalog, guint *changed, GError **error);

gboolean derush_catalog_foreach_group(DerushCatalog *catalog, const char *under, int kind,
                                      DerushGroupFunc func, gpointer user_data, GError **error);

/* What a member of a group is to the group's best pick. */
typedef enum {
  DERUSH_RELATION_BEST,   /* the best pick itself (or the other half of its RAW+JPEG pair) */
  DERUSH_RELATION_EXACT,  /* the same file: same size and content hash */
  DERUSH_RELATION_EDITED, /* the same shot, changed: resized, re-encoded, cropped, grey... */
  DERUSH_RELATION_BURST,  /* another frame of the same burst */
  DERUSH_RELATION_SCENE,  /* another shot of the same scene (or session) */
} DerushRelation;

const char *derush_relation_name(DerushRelation relation);

typedef struct {
  gint64 id;
  const char *path; /* (transfer none): the group's member_paths[i] */
  DerushRelation relation;
  double score; /* the member's quality score, NAN when it has no features */
} DerushGroupMember;

typedef struct {
  guint n_members;
  DerushGroupMember *members; /* in the group's member order */
  char
      *best_reason; /* why the best pick won, e.g. "full resolution, less compressed"; NULL alone */
} DerushGroupDetails;

DerushGroupDetails *derush_catalog_group_details(DerushCatalog *catalog, const DerushGroup *group,
                                                 GError **error);
void derush_group_details_free(DerushGroupDetails *details);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DerushGroupDetails, derush_group_details_free)

/* One reviewed step over every group (group/cull.c). */
typedef enum {
  DERUSH_CULL_COPIES, /* trash the exact and edited copies of each near-duplicate's best */
  DERUSH_CULL_BURSTS, /* keep the best of every burst, trash the other frames */
  DERUSH_CULL_GROUPS, /* keep the best of every burst and near-duplicate set, trash the rest */
} DerushCullKind;

/* One photo a cull would trash: (transfer none) paths valid during the call. */
typedef struct {
  gint64 id;
  const char *path;
  DerushRelation relation; /* to its group's best */
  const char *best_path;
} DerushCullItem;

typedef void (*DerushCullFunc)(const DerushCullItem *item, gpointer user_data);

gboolean derush_catalog_cull(DerushCatalog *catalog, DerushCullKind kind, const char *under,
                             gboolean dry_run, DerushCullFunc func, gpointer user_data,
                             gint64 *n_trashed, gint64 *batch, GError **error);

G_END_DECLS

#endif /* DERUSH_GROUP_H */
