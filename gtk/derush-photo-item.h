/* derush-photo-item.h: one photo of the grid's model. */
#pragma once

#include <gtk/gtk.h>
#include "derush.h"

G_BEGIN_DECLS

#define DERUSH_TYPE_PHOTO_ITEM (derush_photo_item_get_type())
G_DECLARE_FINAL_TYPE(DerushPhotoItem, derush_photo_item, DERUSH, PHOTO_ITEM, GObject)

DerushPhotoItem *derush_photo_item_new(DerushPhoto *photo);

const DerushPhoto *derush_photo_item_get_photo(DerushPhotoItem *self);
gint64 derush_photo_item_get_id(DerushPhotoItem *self);
const char *derush_photo_item_get_name(DerushPhotoItem *self);
const char *derush_photo_item_get_display_name(DerushPhotoItem *self);
const char *derush_photo_item_get_search_key(DerushPhotoItem *self, const char *folder);
char *derush_search_fold(const char *text);

DerushLabel derush_photo_item_get_label(DerushPhotoItem *self);
int derush_photo_item_get_stars(DerushPhotoItem *self);
void derush_photo_item_set_label(DerushPhotoItem *self, DerushLabel label, int stars);
void derush_photo_item_set_label_full(DerushPhotoItem *self, DerushLabel label, int stars,
                                      DerushLabelSource source);
DerushLabelSource derush_photo_item_get_label_source(DerushPhotoItem *self);

GdkTexture *derush_photo_item_get_texture(DerushPhotoItem *self);
int derush_photo_item_get_texture_size(DerushPhotoItem *self);
void derush_photo_item_set_texture(DerushPhotoItem *self, GdkTexture *texture, int size);
gboolean derush_photo_item_has_placeholder(DerushPhotoItem *self);
void derush_photo_item_pin(DerushPhotoItem *self);
void derush_photo_item_unpin(DerushPhotoItem *self);
gboolean derush_photo_item_is_pinned(DerushPhotoItem *self);
const char *derush_photo_item_get_thumb_error(DerushPhotoItem *self);
void derush_photo_item_set_thumb_error(DerushPhotoItem *self, const char *message);

/* One face as the viewer draws it (derush-face-marks.c). */
typedef struct {
  float box[4];        /* x0, y0, x1, y1 in the upright original's pixels */
  gboolean closed;     /* derush_face_eyes_closed() */
  gboolean soft;       /* derush_face_soft() */
  gboolean eyes_known; /* the eyes were large enough to tell */
  gboolean sharpness_known;
} DerushFaceMark;

/* What background analysis found about a photo (derush-analyzer.c). */
typedef struct {
  gint64 group_id; /* the burst or near-duplicate group; 0 when none */
  DerushGroupKind group_kind;
  guint group_size;        /* members in this folder (the group may reach further) */
  guint group_index;       /* 1..group_size, in capture order */
  gboolean is_best;        /* the group's best pick */
  DerushRelation relation; /* what the photo is to the best pick (exact or edited copy...) */
  const char *best_reason; /* (interned, nullable) why the best pick won */
  gint64 group_time_ns;    /* the group's earliest capture, to sort groups by time */
  char *best_name;         /* UTF-8 basename of the best pick (owned) */
  double sharpness;        /* derush_features_sharpness(); NAN when unknown */
  DerushExposureFlag exposure;
  DerushSoftWarning soft; /* soft on its own or against its group's best; noisy */
  /* Every group the photo is in, for the side panel's group strip (a
   * burst member may also be in a near-duplicate set): */
  gint64 near_dup_id;     /* its near-duplicate set; 0 when none */
  gboolean near_dup_best; /* the set's best pick */
  gint64 session_id;      /* its session (no long pause between shots); 0 when none */
  DerushBestBy best_by;   /* what chose the group's best pick */
  /* The model's answer, stored by the last batch prediction
   * (derush-trainer.c): */
  double p_keep; /* NAN: not predicted yet */
  DerushZone zone;
  double uncertainty;   /* 0 sure .. 1 a coin toss */
  gint64 model_version; /* 0: the quality prior answered, not a model */
  /* The faces the last analyze stored (derush-face-marks.c); FALSE, 0 and
   * NULL when the face models never ran on this version of the photo: */
  gboolean faces_known;
  guint n_faces;
  guint n_closed;             /* faces with closed eyes */
  guint n_soft;               /* faces softer than the photo */
  DerushFaceMark *face_marks; /* n_faces of them, owned by the record */
} DerushPhotoAnalysis;

typedef struct _DerushAnalysisTable DerushAnalysisTable;

const DerushPhotoAnalysis *derush_photo_item_get_analysis(DerushPhotoItem *self);
void derush_photo_item_set_analysis_table(DerushPhotoItem *self, DerushAnalysisTable *table);
void derush_photo_item_notify_analysis(DerushPhotoItem *self);
double derush_photo_item_get_sharpness_rank(DerushPhotoItem *self);

GCancellable *derush_photo_item_get_cancellable(DerushPhotoItem *self);
void derush_photo_item_cancel(DerushPhotoItem *self);

G_END_DECLS
