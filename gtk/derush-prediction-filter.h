/* derush-prediction-filter.h: the grid's filters and sort by the model's predictions. */
#pragma once

#include "derush-photo-item.h"
#include "derush-photo-model.h"

G_BEGIN_DECLS

gboolean _derush_prediction_filter_matches(DerushPhotoItem *item, DerushFilterMode mode);
int _derush_prediction_compare(DerushPhotoItem *a, DerushPhotoItem *b);
const char *_derush_zone_text(DerushZone zone);

G_END_DECLS
