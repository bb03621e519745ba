/* derush-prediction-filter.c: the grid's filters "Predicted Trash" and
 * "Unsure" and its sort by p(keep), over the stored batch predictions each
 * item looks up in the analysis table (no query, no model call: the
 * predictions were made once, in one batch, on the trainer's worker).
 *
 * Both filters show what is left to decide: photos the user has not
 * labelled. An auto-label is the model's suggestion, not a decision, so a
 * photo the model auto-labelled trash still shows under "Predicted Trash",
 * for the user to confirm. The quality prior (no trained model yet) makes
 * no zones worth filtering on: nothing matches until a model answers.
 */
#include "derush-prediction-filter.h"
#include <math.h>

static gboolean
decided_by_user(DerushPhotoItem *item)
{
  return derush_photo_item_get_label(item) != DERUSH_LABEL_NONE &&
         derush_photo_item_get_label_source(item) != DERUSH_SOURCE_AUTO;
}

/**
 * derush_prediction_filter_matches:
 * @mode: DERUSH_FILTER_PREDICTED_TRASH or DERUSH_FILTER_UNSURE
 *
 * Returns: whether @item is a photo the user has not labelled that the
 *   trained model puts in @mode's zone.
 */
gboolean
derush_prediction_filter_matches(DerushPhotoItem *item, DerushFilterMode mode)
{
  const DerushPhotoAnalysis *a = derush_photo_item_get_analysis(item);
  if (isnan(a->p_keep) || a->model_version <= 0 || decided_by_user(item))
    return FALSE;
  DerushZone want =
      mode == DERUSH_FILTER_PREDICTED_TRASH ? DERUSH_ZONE_LIKELY_TRASH : DERUSH_ZONE_UNSURE;
  return a->zone == want;
}

/**
 * derush_prediction_compare:
 *
 * Returns: < 0 when @a sorts first: the higher p(keep) first, photos not
 *   predicted yet last; 0 on a tie (the caller breaks it).
 */
int
derush_prediction_compare(DerushPhotoItem *a, DerushPhotoItem *b)
{
  double pa = derush_photo_item_get_analysis(a)->p_keep;
  double pb = derush_photo_item_get_analysis(b)->p_keep;
  if (isnan(pa) != isnan(pb))
    return isnan(pa) ? 1 : -1;
  if (isnan(pa) || pa == pb)
    return 0;
  return pa > pb ? -1 : 1;
}

/** derush_zone_text: Returns: (transfer none): "likely keep", "unsure" or "likely trash". */
const char *
derush_zone_text(DerushZone zone)
{
  return zone == DERUSH_ZONE_LIKELY_KEEP    ? "likely keep"
         : zone == DERUSH_ZONE_LIKELY_TRASH ? "likely trash"
                                            : "unsure";
}
