/* export-private.h: small helpers shared by the decision area's files
 * (sidecars, apply, imports); the scanner sees only sidecar-hooks.h. */
#ifndef DERUSH_EXPORT_PRIVATE_H
#define DERUSH_EXPORT_PRIVATE_H

#include "catalog/catalog-private.h"
#include "sidecar-hooks.h"
#include <sys/stat.h>

G_BEGIN_DECLS

/* ---- the freedesktop trash (trash.c) ---- */

/* TRUE when @file (inside a trash) is already accounted for elsewhere. */
typedef gboolean (*DerushTrashClaimedFunc)(const char *file, gpointer user_data);

/* Trashes @path through GIO and finds where it went (*@file_out NULL when
 * it cannot be found again). */
gboolean _derush_trash_file(const char *path, char **file_out, char **info_out, GError **error);

/* Finds the file that was at @orig in the trash: the one with @was's inode
 * (nullable), else the newest not @claimed. FALSE when there is none. */
gboolean _derush_trash_find(const char *orig, const struct stat *was,
                            DerushTrashClaimedFunc claimed, gpointer user_data, char **file_out,
                            char **info_out);

/* TRUE when @name is a .trashinfo name GIO could give a file named @base. */
gboolean _derush_trash_info_name_fits(const char *base, const char *name);

/* ---- sidecar bytes (xmp-check.c) ---- */

/* FALSE (DERUSH_ERROR_CORRUPT, with the parser's reason) when @data is not
 * well-formed XML; else the number of properties of its rdf:Description
 * elements, which exiv2 must then read. */
gboolean _derush_xmp_check(const char *data, gsize len, int *n_properties, GError **error);

/* ---- shared helpers ---- */

/* Writes @data to @path through a temporary file in the same folder,
 * fsync'd, then renamed over @path; @mode for a new file. */
gboolean _derush_write_atomic(const char *path, const void *data, gsize len, int mode,
                              GError **error);

G_END_DECLS

#endif
