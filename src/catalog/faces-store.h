/* faces-store.h: the catalog's face tables (not installed): one run per
 * photo version (face_runs, with the face features) and its faces. See
 * faces-store.c. */
#ifndef DERUSH_FACES_STORE_H
#define DERUSH_FACES_STORE_H

#include "catalog-private.h"

G_BEGIN_DECLS

/* Replaces what is stored for @photo_id by one face run on the file version
 * @content_hash: @n faces (original pixels) and their DERUSH_N_FACE_FEATURES
 * @features (detect/ computes them: _derush_faces_store()). Call inside a
 * transaction. */
gboolean _derush_catalog_store_faces(DerushCatalog *cat, gint64 photo_id, guint64 content_hash,
                                     const DerushFace *faces, int n, const float *features,
                                     GError **error);

/* SQL (for a LEFT JOIN on photos p) telling whether p's faces are current:
 * joins face_runs as fr; test "fr.photo_id IS NOT NULL". Bind
 * DERUSH_FACES_VERSION to ?8. */
#define DERUSH_FACE_RUN_JOIN                                                                       \
  " LEFT JOIN face_runs fr ON fr.photo_id = p.id AND fr.version = ?8"                              \
  "  AND fr.content_hash = p.content_hash"

G_END_DECLS

#endif /* DERUSH_FACES_STORE_H */
