/* detections-store.h: the catalog's detector tables (not installed): one
 * run per photo version (detect_runs, with the detector features), its
 * boxes (detections) and the embeddings. See detections.c. */
#ifndef DERUSH_DETECTIONS_STORE_H
#define DERUSH_DETECTIONS_STORE_H

#include "catalog-private.h"
#include "derush-detect.h"

G_BEGIN_DECLS

/* Replaces what is stored for @photo_id by one detector run on the file
 * version @content_hash: @n detections and the DERUSH_N_DETECT_FEATURES
 * values of @features. Call inside a transaction. */
gboolean _derush_catalog_store_detections(DerushCatalog *cat, gint64 photo_id, guint64 content_hash,
                                          const DerushDetection *dets, int n, const float *features,
                                          GError **error);

/* Replaces the @kind embedding of @photo_id. Call inside a transaction. */
gboolean _derush_catalog_store_embedding(DerushCatalog *cat, gint64 photo_id, guint64 content_hash,
                                         DerushEmbeddingKind kind, const float *vector, int size,
                                         GError **error);

/* SQL (for a LEFT JOIN on photos p) telling whether p's detections are
 * current: joins detect_runs as d; test "d.photo_id IS NOT NULL". Bind
 * DERUSH_DETECT_VERSION to ?9. */
#define DERUSH_DETECT_RUN_JOIN                                                                     \
  " LEFT JOIN detect_runs d ON d.photo_id = p.id AND d.version = ?9"                               \
  "  AND d.content_hash = p.content_hash"

G_END_DECLS

#endif /* DERUSH_DETECTIONS_STORE_H */
