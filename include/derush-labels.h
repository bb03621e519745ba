/* derush-labels.h: labels and their sources (part of the public API; include derush.h). */
#ifndef DERUSH_LABELS_H
#define DERUSH_LABELS_H

#include "derush-base.h"

G_BEGIN_DECLS

typedef enum {
  DERUSH_LABEL_NONE, /* unlabelled */
  DERUSH_LABEL_KEEP,
  DERUSH_LABEL_TRASH,
} DerushLabel;

/* Who made a label change. Stored by number: append only. */
typedef enum {
  DERUSH_SOURCE_USER,    /* a person, in the app or the CLI */
  DERUSH_SOURCE_AUTO,    /* the model's auto-labelling */
  DERUSH_SOURCE_IMPORT,  /* imported from another tool (photo-derush...) */
  DERUSH_SOURCE_SIDECAR, /* read from an XMP sidecar or embedded XMP */
  DERUSH_SOURCE_UNDO,    /* an undo of an earlier batch */
  DERUSH_SOURCE_REDO,    /* a redo of an undone batch */
} DerushLabelSource;

const char *derush_label_name(DerushLabel label);
gboolean derush_label_from_name(const char *name, DerushLabel *label);
const char *derush_label_source_name(DerushLabelSource source);

G_END_DECLS

#endif /* DERUSH_LABELS_H */
