/* group-store.h: encoding of the analysis blobs in the catalog (not
 * installed). Little-endian on disk whatever the machine, so a catalog
 * moves between machines. */
#ifndef DERUSH_GROUP_STORE_H
#define DERUSH_GROUP_STORE_H

#include "quality/features.h"

G_BEGIN_DECLS

/* The hashes of every transform and the polar signature to
 * DERUSH_HASHES_BLOB_SIZE bytes, and back
 * (FALSE when the blob has another size). */
void _derush_hashes_to_blob(const DerushHashes *hashes, guint8 *blob);
gboolean _derush_hashes_from_blob(const void *blob, int bytes, DerushHashes *hashes);

/* What best-of-group ranks by (best-pick.c): options->score when set,
 * else the stored model's p(keep) where there is one, else the quality
 * score. */
typedef struct {
  DerushScoreFunc func;
  gpointer data;
  GHashTable *model; /* photo id -> p(keep) of a trained model; NULL: none */
} DerushGroupScorer;

gboolean _derush_group_scorer_init(DerushGroupScorer *scorer, DerushCatalog *cat,
                                   const DerushGroupOptions *options, GError **error);
void _derush_group_scorer_clear(DerushGroupScorer *scorer);
double _derush_group_scorer_score(const DerushGroupScorer *scorer, gint64 id, const float *vector,
                                  gboolean *by_model);

/* Every readable, present photo as a grouping unit (a GArray of
 * DerushGroupUnit, ordered by id), scored by a scorer of @options. */
GArray *_derush_group_load_units(DerushCatalog *cat, const DerushGroupOptions *options,
                                 GError **error);

G_END_DECLS

#endif /* DERUSH_GROUP_STORE_H */
