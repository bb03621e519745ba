/* export-private.h: what the decision area (sidecars, apply, imports)
 * offers the rest of libderush: the scanner's sidecar hooks and small file
 * helpers shared by its files. */
#ifndef DERUSH_EXPORT_PRIVATE_H
#define DERUSH_EXPORT_PRIVATE_H

#include "catalog/catalog-private.h"
#include <sys/stat.h>

G_BEGIN_DECLS

/* ---- scanner hooks (sidecar.c) ----
 * The scanner notes, while it walks, which photos have a sidecar next to
 * them and which re-read files carry an embedded rating that changed; after
 * its last batch it hands both lists to _derush_sidecars_apply_scan(). */

/* Stats the sidecar names of @dir/@name and adds the ones that exist to
 * @seen (a GPtrArray made by _derush_sidecars_seen_new()). */
GPtrArray *_derush_sidecars_seen_new(void);
void _derush_sidecars_seen_add(GPtrArray *seen, const char *dir, const char *name);

/* Called before a re-read photo's row is written: when @meta's rating
 * differs from the one the row had, notes it in @embedded (a GPtrArray from
 * _derush_sidecars_seen_new()). */
gboolean _derush_sidecars_note_embedded(DerushCatalog *cat, const char *path,
                                        const DerushMeta *meta, GPtrArray *embedded,
                                        GError **error);

/* Turns changed ratings/rejects into SIDECAR decisions: embedded first, then
 * sidecars not written by us (or edited since). Records what it read. */
gboolean _derush_sidecars_apply_scan(DerushCatalog *cat, GPtrArray *seen, GPtrArray *embedded,
                                     GError **error);

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
