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

G_END_DECLS

#endif /* DERUSH_GROUP_STORE_H */
