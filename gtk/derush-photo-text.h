/* derush-photo-text.h: what the app says about a photo, in a photographer's words. */
#pragma once

#include "derush-photo-item.h"

G_BEGIN_DECLS

const char *derush_group_kind_title(DerushGroupKind kind);
char *derush_photo_text_group_badge(const DerushPhotoAnalysis *a, int form);
char *derush_photo_text_group_header(const DerushPhotoAnalysis *a);
const char *derush_photo_text_warning(const DerushPhotoAnalysis *a);
char *derush_photo_text_soft(const DerushPhotoAnalysis *a);
const char *derush_sharpness_word(double rank, gboolean soft);
char *derush_photo_text_sharpness(DerushPhotoItem *item);
char *derush_text_label_change(DerushLabel label, int stars, gboolean label_changed, guint n_photos,
                               const char *name);

enum {
  DERUSH_GROUP_PLACE_IN = 1 << 0,
  DERUSH_GROUP_PLACE_FIRST = 1 << 1,
  DERUSH_GROUP_PLACE_LAST = 1 << 2,
};
gint64 derush_group_at(GListModel *model, guint pos);
guint derush_group_place_at(GListModel *model, guint pos);
char *derush_group_header_at(GListModel *model, guint pos);

const char *derush_relation_phrase(DerushRelation relation);
char *derush_photo_text_best(DerushPhotoItem *item, DerushPhotoItem *best);

G_END_DECLS
