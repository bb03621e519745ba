/* sidecar-hooks.h: the one door from the scanner into the decision area
 * (not installed): sidecars and embedded ratings a scan finds become
 * SIDECAR decisions. scan/ includes this header and nothing else of
 * export/. */
#ifndef DERUSH_SIDECAR_HOOKS_H
#define DERUSH_SIDECAR_HOOKS_H

#include "derush-private.h"

G_BEGIN_DECLS

/* The scanner notes, while it walks, which photos have a sidecar next to
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

G_END_DECLS

#endif /* DERUSH_SIDECAR_HOOKS_H */
