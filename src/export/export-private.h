/* export-private.h: small helpers shared by the decision area's files
 * (sidecars, apply, imports); the scanner sees only sidecar-hooks.h. */
#ifndef DERUSH_EXPORT_PRIVATE_H
#define DERUSH_EXPORT_PRIVATE_H

#include "catalog/catalog-private.h"
#include "sidecar-hooks.h"

G_BEGIN_DECLS

/* ---- shared helpers ---- */

/* Writes @data to @path through a temporary file in the same folder,
 * fsync'd, then renamed over @path; @mode for a new file. */
gboolean _derush_write_atomic(const char *path, const void *data, gsize len, int mode,
                              GError **error);

/* A settings-table value, or NULL. */
char *_derush_catalog_get_setting(DerushCatalog *cat, const char *key);
gboolean _derush_catalog_put_setting(DerushCatalog *cat, const char *key, const char *value,
                                     GError **error);

G_END_DECLS

#endif
