/* derush-decisions.h: label decisions: setting, undo, redo, history (part of the public API;
 * include derush.h). */
#ifndef DERUSH_DECISIONS_H
#define DERUSH_DECISIONS_H

#include "derush-catalog.h"

G_BEGIN_DECLS

/* What a label change sets; fields not flagged stay as they are. */
typedef struct {
  gboolean set_label;
  DerushLabel label;
  gboolean set_stars;
  int stars; /* 0-5 */
} DerushLabelChange;

gboolean derush_catalog_set_labels(DerushCatalog *catalog, const gint64 *ids, gsize n_ids,
                                   const DerushLabelChange *change, DerushLabelSource source,
                                   gint64 *batch_out, GError **error);

int derush_catalog_undo(DerushCatalog *catalog, int n, GError **error);

int derush_catalog_redo(DerushCatalog *catalog, int n, GError **error);

/* One label event, as `derush history` shows it. */
typedef struct {
  gint64 id;
  gint64 batch;
  gint64 time_ns; /* UTC */
  gint64 photo_id;
  const char *path; /* (transfer none) */
  DerushLabel old_label, new_label;
  int old_stars, new_stars;
  DerushLabelSource source;
} DerushLabelEvent;

typedef gboolean (*DerushLabelEventFunc)(const DerushLabelEvent *event, gpointer user_data);

gboolean derush_catalog_foreach_event(DerushCatalog *catalog, const char *path,
                                      DerushLabelEventFunc func, gpointer user_data,
                                      GError **error);

gboolean derush_catalog_foreach_event_after(DerushCatalog *catalog, gint64 after,
                                            DerushLabelEventFunc func, gpointer user_data,
                                            GError **error);

gint64 derush_catalog_get_last_event_id(DerushCatalog *catalog);

G_END_DECLS

#endif /* DERUSH_DECISIONS_H */
