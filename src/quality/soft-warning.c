/* soft-warning.c: the one verdict on a photo's focus and grain that the
 * app shows (issue 21).
 *
 * Two questions make the "Soft" warning: is the photo soft on its own
 * (derush_features_soft_visible(): a defocused photo with no burst around
 * it, judged on its crispest region so bokeh is not softness), and is
 * it much less sharp than its group's best pick (a burst frame that
 * missed). Either raises the warning; the lone judgement also says how
 * sure it is. Grain rides along ("noisy"), as the same panel line shows
 * it. Every caller (grid badge, side panel, tooltips, counters) reads this
 * record, so they never disagree.
 */
#include "features.h"

/* A member this much less sharp than its group's best pick is flagged.
 * derush_features_sharpness() is a log10 of Laplacian variances, so 0.45
 * is about a third of the best's variance: clearly softer, where a half
 * (0.3) still flags mere framing differences. */
#define BLUR_DROP 0.45

/**
 * derush_soft_warning_init:
 * @warning: (out caller-allocates): the verdict
 * @vector: (nullable): the photo's DERUSH_N_FEATURES values; NULL when it
 *   has none yet (no warning, everything unknown)
 *
 * The lone-photo part of the verdict: soft on its own and noisy, with how
 * sure each is. derush_soft_warning_vs_best() adds the group's part.
 */
void
derush_soft_warning_init(DerushSoftWarning *warning, const float *vector)
{
  g_return_if_fail(warning != NULL);
  memset(warning, 0, sizeof *warning);
  warning->sharpness = NAN;
  if (!vector)
    return;
  warning->alone = derush_features_soft_visible(vector, &warning->soft_confidence);
  warning->noisy = derush_features_noisy(vector, &warning->noisy_confidence);
  warning->sharpness = derush_features_sharpness(vector);
  warning->soft = warning->alone;
}

/**
 * derush_soft_warning_vs_best:
 * @warning: a verdict from derush_soft_warning_init()
 * @best_sharpness: derush_features_sharpness() of the photo's group's best
 *   pick; NAN when the photo is in no group or is the best itself
 *
 * Adds the group's part: the photo is much less sharp (BLUR_DROP) than the
 * best pick of its group.
 */
void
derush_soft_warning_vs_best(DerushSoftWarning *warning, double best_sharpness)
{
  g_return_if_fail(warning != NULL);
  warning->vs_group = !isnan(best_sharpness) && !isnan(warning->sharpness) &&
                      warning->sharpness < best_sharpness - BLUR_DROP;
  warning->soft = warning->alone || warning->vs_group;
}

/**
 * derush_soft_warning_sureness:
 * @confidence: a flag's confidence, 0.5..1 (0: unknown)
 *
 * How sure a flag is, in a word for the photographer: "certain" (0.9 and
 * over), "likely" (0.65), "possible" below.
 *
 * Returns: (transfer none): the word.
 */
const char *
derush_soft_warning_sureness(double confidence)
{
  return confidence >= 0.9 ? "certain" : confidence >= 0.65 ? "likely" : "possible";
}
