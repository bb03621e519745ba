/* prior.c: what derush says before it has learnt anything.
 *
 * Without a model the quality prior answers: the photo's model-free quality
 * score (sharpness minus exposure penalties) turned into a percentile and
 * squeezed into 0.15..0.85, so a prior never sounds sure. A percentile
 * cannot say "trash" on its own: in a shoot of good photos the bottom
 * fifth are good photos too (on the demo taste the bottom-fifth rule called
 * 16 % of the keepers likely trash). So the likely-trash zone holds only
 * what no photographer keeps, whatever the taste: a blank frame (lens cap,
 * plain colour), one blurred beyond use, or one almost black. Those rank
 * below every other photo and get p under PRIOR_TRASH; every other photo
 * is at least unsure.
 */
#include "learn-private.h"

#define PRIOR_LOW 0.15
#define PRIOR_HIGH 0.85
#define PRIOR_TRASH 0.3 /* junk below, everything else from here */
#define PRIOR_KEEP 0.7

/* Junk thresholds, from the tastes of bench/tastes (bench/learn/curves.sh):
 * the softest keeper that is not blank measured a sharpness of 0.82 (a
 * corpus/exif_cameras frame; the demo set's softest keeper 1.22, the person
 * taste's 2.90), while defocused copies go down to 0.69 and a blank frame
 * to 0.36. The darkest keeper averaged 5.4 EV under mid-grey but kept
 * highlights at 0.49 of full scale (a night scene); one with no highlight
 * above 0.30 was 3.6 EV under. Junk is well outside both. */
#define JUNK_SHARPNESS 0.7 /* derush_features_sharpness(): log10 of Laplacian variances */
#define JUNK_DARK_EV -4.5  /* mean linear luminance 1/22 of mid-grey... */
#define JUNK_DARK_P99 0.2  /* ...and no highlight above a fifth of full scale */

double
_derush_prior_trash_threshold(void)
{
  return PRIOR_TRASH;
}

double
_derush_prior_keep_threshold(void)
{
  return PRIOR_KEEP;
}

gboolean
_derush_prior_is_junk(const DerushLearnPhoto *photo)
{
  if (!photo->has_features)
    return FALSE;
  const float *v = photo->vector;
  if (derush_features_blank(v))
    return TRUE;
  double s = derush_features_sharpness(v);
  if (!isnan(s) && s < JUNK_SHARPNESS)
    return TRUE;
  return v[DERUSH_FEATURE_EXPOSURE_EV] < JUNK_DARK_EV &&
         v[DERUSH_FEATURE_LUMA_P99] < JUNK_DARK_P99; /* NAN: not junk */
}

typedef struct {
  double q;
  guint i;
} Scored;

static int
cmp_scored(const void *pa, const void *pb)
{
  const Scored *a = pa, *b = pb;
  if (a->q != b->q)
    return a->q < b->q ? -1 : 1;
  return (a->i > b->i) - (a->i < b->i);
}

/* Spreads the photos of @s (sorted) over lo..hi by rank. */
static void
spread(const Scored *s, guint k, double lo, double hi, double *p)
{
  for (guint j = 0; j < k; j++)
    p[s[j].i] = lo + (hi - lo) * (k > 1 ? (double)j / (k - 1) : 0.5);
}

void
_derush_prior_predict(const DerushDataset *ds, double *p)
{
  guint n = ds->photos->len, n_junk = 0, n_good = 0;
  g_autofree Scored *junk = g_new(Scored, MAX(n, 1));
  g_autofree Scored *good = g_new(Scored, MAX(n, 1));
  for (guint i = 0; i < n; i++) {
    const DerushLearnPhoto *photo = &g_array_index(ds->photos, DerushLearnPhoto, i);
    double q = _derush_dataset_quality(photo);
    p[i] = 0.5;
    if (_derush_prior_is_junk(photo))
      junk[n_junk++] = (Scored){isnan(q) ? -INFINITY : q, i};
    else if (!isnan(q))
      good[n_good++] = (Scored){q, i};
  }
  qsort(junk, n_junk, sizeof(Scored), cmp_scored);
  qsort(good, n_good, sizeof(Scored), cmp_scored);
  /* Junk under the trash threshold, the rest from it up. */
  spread(junk, n_junk, PRIOR_LOW, nextafter(PRIOR_TRASH, 0) - 0.01, p);
  spread(good, n_good, PRIOR_TRASH, PRIOR_HIGH, p);
}
