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

/**
 * derush_catalog_set_labels:
 * @ids: photo ids; each photo's RAW+JPEG partner is changed with it.
 * @n_ids: how many
 * @change: what to set
 * @source: who is setting it (USER, AUTO, IMPORT or SIDECAR)
 * Applies @change as one batch (one undo step) of append-only events, in one
 * transaction committed with synchronous=FULL: when this returns TRUE the
 * decision survives a crash or a power cut. Photos already in the requested
 * state get no event. Returns: FALSE with @error set (disk full, busy...)
 * when nothing was saved.
 */
gboolean derush_catalog_set_labels(DerushCatalog *catalog, const gint64 *ids, gsize n_ids,
                                   const DerushLabelChange *change, DerushLabelSource source,
                                   gint64 *batch_out, GError **error);

/**
 * derush_catalog_undo:
 * Undoes the last @n user or import batches (each as a new batch of
 * events with source UNDO). Returns: how many were undone (0 when nothing
 * is left to undo), or -1 with @error set.
 */
int derush_catalog_undo(DerushCatalog *catalog, int n, GError **error);

/**
 * derush_catalog_redo:
 * Redoes the last @n undone batches, newest undo first, as long as no new
 * change was made since. Returns: how many were redone, or -1 on error.
 */
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

/**
 * derush_catalog_foreach_event:
 * @path: (nullable): only the events of this photo
 * Calls @func for each label event, oldest first.
 */
gboolean derush_catalog_foreach_event(DerushCatalog *catalog, const char *path,
                                      DerushLabelEventFunc func, gpointer user_data,
                                      GError **error);

/**
 * derush_catalog_foreach_event_after:
 * Calls @func for each event newer than event id @after, oldest first: what
 * an undo, a redo or another process has just written.
 */
gboolean derush_catalog_foreach_event_after(DerushCatalog *catalog, gint64 after,
                                            DerushLabelEventFunc func, gpointer user_data,
                                            GError **error);

/** derush_catalog_get_last_event_id: the newest event's id, 0 if none, -1 on error. */
gint64 derush_catalog_get_last_event_id(DerushCatalog *catalog);

G_END_DECLS

#endif /* DERUSH_DECISIONS_H */
