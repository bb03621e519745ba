/* fidelity.c: which of two copies of a picture is nearer the original.
 *
 * Best-of-group used to rank by the quality score alone (sharpness minus
 * exposure penalties on the 512 px preview), and that prefers a copy: a
 * greyscale, brightened or heavily re-encoded copy reads as sharp as the
 * original once shrunk, or sharper (issue 21: the original won 4 of 25
 * sets of real photos). A photographer expects the original (full size,
 * in colour, never re-encoded, full frame) to win, whatever the preview
 * says. So two members are first compared on these, in this order, and
 * only when none of them tells them apart does the score decide:
 *
 * 1. resolution: more than 5% more pixels (a resized copy has a half or
 *    less; a crop of 90-95% of each side 81-90%). Pixels of one scene are
 *    the same in frames of one camera, so bursts are not affected.
 * 2. colour: one is grey (mean saturation < 0.02) and the other is not
 *    (> 0.06).
 * 3. encoder: both JPEGs, one laid out as a camera writes it and the other
 *    written again by a program (quality/jpeg-encoding.c): a re-encode
 *    never adds back what the first encode dropped, even at a higher
 *    quality setting.
 * 4. compression: both JPEGs, IJG qualities more than 8 apart.
 * 5. exposure: one is under-exposed (derush_features_exposure_flag) and the
 *    other is not. Without this step the next one preferred a darker
 *    frame: a missed flash or a lens-cap frame has "fewer clipped
 *    highlights" than the properly exposed frame shot in the same second
 *    (cameras that write whole seconds give a burst's frames one capture
 *    time, so fidelity compares them): 4 of 12 such bursts made from
 *    corpus photos picked the dark frame (tests/test-copies.c,
 *    /copies/dark-frames).
 * 6. focus: one is soft on its own (derush_features_soft) and the other is
 *    not. A blur never adds back detail, and a shaken or defocused frame
 *    has its highlights smeared, so the next step preferred it: of the
 *    corpus' three sharp/defocused/motion-blurred triplets (no capture
 *    time: fidelity is asked first), one picked its motion-blurred frame
 *    for "fewer clipped highlights" (tests/test-copies.c,
 *    /copies/blurred-frames).
 * 7. clipping: one has more than twice the other's clipped highlights, and
 *    at least 0.02% of the frame more (a brightened copy).
 *
 * Unknown values (NAN: not a JPEG, no features) never decide a step.
 */
#include "grouping.h"

#define RESOLUTION_RATIO 1.05
#define GREY_SATURATION 0.02
#define COLOUR_SATURATION 0.06
#define QUALITY_STEP 8
#define CLIP_RATIO 2.0
#define CLIP_MARGIN 0.0002

/**
 * _derush_fidelity_from_features:
 * @vector: (nullable): DERUSH_N_FEATURES values, NULL when none
 * @fid: (out): what fidelity compares
 */
void
_derush_fidelity_from_features(const float *vector, DerushFidelity *fid)
{
  fid->megapixels = vector ? vector[DERUSH_FEATURE_MEGAPIXELS] : NAN;
  fid->saturation = vector ? vector[DERUSH_FEATURE_SATURATION] : NAN;
  fid->jpeg_quality = vector ? vector[DERUSH_FEATURE_JPEG_QUALITY] : NAN;
  fid->camera_jpeg = vector ? vector[DERUSH_FEATURE_CAMERA_JPEG] : NAN;
  fid->clip_high = vector ? vector[DERUSH_FEATURE_CLIP_HIGH] : NAN;
  fid->under = vector ? derush_features_exposure_flag(vector) == DERUSH_EXPOSURE_UNDER : NAN;
  /* Unknown sharpness (no score) is not "sharp". */
  fid->soft = vector && !isnan(derush_features_sharpness_score(vector))
                  ? derush_features_soft(vector, NULL)
                  : NAN;
}

/* +1 when @a is the more faithful by this step, -1 when @b, 0 when it
 * does not tell. */
static int
step(const DerushFidelity *a, const DerushFidelity *b, DerushFidelityStep s)
{
  switch (s) {
  case DERUSH_FIDELITY_RESOLUTION:
    if (!(a->megapixels > 0 && b->megapixels > 0))
      return 0;
    return a->megapixels > b->megapixels * RESOLUTION_RATIO   ? 1
           : b->megapixels > a->megapixels * RESOLUTION_RATIO ? -1
                                                              : 0;
  case DERUSH_FIDELITY_COLOUR:
    return a->saturation > COLOUR_SATURATION && b->saturation < GREY_SATURATION   ? 1
           : b->saturation > COLOUR_SATURATION && a->saturation < GREY_SATURATION ? -1
                                                                                  : 0;
  case DERUSH_FIDELITY_ENCODER:
    if (isnan(a->camera_jpeg) || isnan(b->camera_jpeg))
      return 0;
    return (a->camera_jpeg > 0.5) - (b->camera_jpeg > 0.5);
  case DERUSH_FIDELITY_COMPRESSION:
    return a->jpeg_quality > b->jpeg_quality + QUALITY_STEP   ? 1
           : b->jpeg_quality > a->jpeg_quality + QUALITY_STEP ? -1
                                                              : 0;
  case DERUSH_FIDELITY_EXPOSURE:
    if (isnan(a->under) || isnan(b->under))
      return 0;
    return (b->under > 0.5) - (a->under > 0.5);
  case DERUSH_FIDELITY_FOCUS:
    if (isnan(a->soft) || isnan(b->soft))
      return 0;
    return (b->soft > 0.5) - (a->soft > 0.5);
  case DERUSH_FIDELITY_CLIPPING:
    return b->clip_high > a->clip_high * CLIP_RATIO && b->clip_high > a->clip_high + CLIP_MARGIN ? 1
           : a->clip_high > b->clip_high * CLIP_RATIO && a->clip_high > b->clip_high + CLIP_MARGIN
               ? -1
               : 0;
  case DERUSH_FIDELITY_SAME:
    break;
  }
  return 0;
}

/**
 * _derush_fidelity_compare:
 * @a, @b: two members' fidelity
 * @decided: (out) (optional): the step that told them apart, or
 *   DERUSH_FIDELITY_SAME
 *
 * Returns: > 0 when @a is nearer the original, < 0 when @b is, 0 when no
 *   step tells (the score decides).
 */
int
_derush_fidelity_compare(const DerushFidelity *a, const DerushFidelity *b,
                         DerushFidelityStep *decided)
{
  for (int s = DERUSH_FIDELITY_RESOLUTION; s < DERUSH_FIDELITY_SAME; s++) {
    int r = step(a, b, (DerushFidelityStep)s);
    if (r) {
      if (decided)
        *decided = (DerushFidelityStep)s;
      return r;
    }
  }
  if (decided)
    *decided = DERUSH_FIDELITY_SAME;
  return 0;
}

/**
 * _derush_fidelity_wins:
 * @a, @b: two members' fidelity
 *
 * Returns: a mask of (1 << DerushFidelityStep) for every step on which @a
 *   is the more faithful, whichever decides: the best pick's reason names
 *   them all ("full resolution, less compressed").
 */
guint
_derush_fidelity_wins(const DerushFidelity *a, const DerushFidelity *b)
{
  guint mask = 0;
  for (int s = DERUSH_FIDELITY_RESOLUTION; s < DERUSH_FIDELITY_SAME; s++)
    if (step(a, b, (DerushFidelityStep)s) > 0)
      mask |= 1u << s;
  return mask;
}

/**
 * _derush_fidelity_step_text:
 * @s: a step
 *
 * Returns: (transfer none): what the winner of that step is, as the best
 *   pick's reason says it: "full resolution", "in colour", "never
 *   re-encoded", "less compressed", "better exposed", "in focus", "fewer
 *   clipped highlights"; NULL for
 *   DERUSH_FIDELITY_SAME.
 */
const char *
_derush_fidelity_step_text(DerushFidelityStep s)
{
  static const char *const text[] = {
      [DERUSH_FIDELITY_RESOLUTION] = "full resolution",
      [DERUSH_FIDELITY_COLOUR] = "in colour",
      [DERUSH_FIDELITY_ENCODER] = "never re-encoded",
      [DERUSH_FIDELITY_COMPRESSION] = "less compressed",
      [DERUSH_FIDELITY_EXPOSURE] = "better exposed",
      [DERUSH_FIDELITY_FOCUS] = "in focus",
      [DERUSH_FIDELITY_CLIPPING] = "fewer clipped highlights",
  };
  return (guint)s < G_N_ELEMENTS(text) ? text[s] : NULL;
}
