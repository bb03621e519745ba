/* derush-prediction-filter.h: the grid's filters and sort by the model's predictions. */
#pragma once

#include "derush-photo-item.h"
#include "derush-photo-model.h"

G_BEGIN_DECLS

gboolean derush_prediction_filter_matches(DerushPhotoItem *item, DerushFilterMode mode);
int derush_prediction_compare(DerushPhotoItem *a, DerushPhotoItem *b);
const char *derush_zone_text(DerushZone zone);

G_END_DECLS
