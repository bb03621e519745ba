/* dataset-embedding.c: the dataset's embedding column: does the photo look
 * more like the photos the user kept or like those the user trashed?
 *
 * The detector stores MobileNetV2's pooled penultimate layer per photo
 * (what is in the frame, as an ImageNet classifier sees it), and the
 * catalog its fixed DERUSH_SKETCH_SIZE-float sketch (util/sketch.c), which
 * is what is read here: 256 bytes a photo, not 5 KB. A few dozen labels
 * cannot teach trees 64 columns of content, but they give two centroids,
 * of the kept and of the trashed photos' sketches; the column is the
 * cosine to the first minus the cosine to the second, on sketches centred
 * on the dataset's mean (the embeddings are all >= 0, so raw cosines all
 * sit near 1). The nearest labelled neighbour instead of the centroid
 * ranked worse (ROC-AUC on the tastes of bench/tastes: person 0.55-0.61
 * against 0.85, blur 0.77 against 0.91, with all 1280 floats).
 *
 * A photo is never compared with its own CV group (burst, near-duplicates,
 * RAW+JPEG pair, dataset.c): its blurred copy in the same burst would
 * otherwise hand it its own label, and the grouped CV would score a leak.
 * Unlabelled photos follow the same rule, so training and prediction read
 * the same feature. Fewer than MIN_PER_KIND labels of a kind outside the
 * group: missing.
 *
 * Most tastes are about quality, not content (keep the sharp frame of a
 * burst): there the margin is noise, and with 10-60 labels trees split on
 * noise (the previous stop's ungated columns: -0.003 accuracy on average,
 * burst 0.952 -> 0.779 at worst). So the column is filled only when it
 * tells on the labels themselves: the labelled photos' margins (each
 * without its own group, as above) must rank the kept above the trashed
 * with a ROC-AUC 3 standard deviations of a random ranking above 0.5, and
 * at least GATE_MIN_AUC. Otherwise the whole column is missing, and below
 * 100 labels (no column sampling, booster.c) the model is byte for byte
 * the one without it.
 *
 * Cost: O(photos x DERUSH_SKETCH_SIZE).
 */
#include "learn-private.h"

/* Fewer labelled photos of a kind outside the photo's group than this:
 * missing (2-3 neighbours are noise). */
#define MIN_PER_KIND 5
/* The gate's lowest AUC, however many labels. */
#define GATE_MIN_AUC 0.7

/* The dataset's mean sketch; FALSE when no photo has one. */
static gboolean
mean_sketch(const DerushDataset *ds, double *mean)
{
  guint with = 0;
  for (int k = 0; k < DERUSH_SKETCH_SIZE; k++)
    mean[k] = 0;
  for (guint i = 0; i < ds->photos->len; i++) {
    const DerushLearnPhoto *p = &g_array_index(ds->photos, DerushLearnPhoto, i);
    if (!p->has_sketch)
      continue;
    for (int k = 0; k < DERUSH_SKETCH_SIZE; k++)
      mean[k] += _derush_sketch_value(p->sketch[k]);
    with++;
  }
  for (int k = 0; k < DERUSH_SKETCH_SIZE; k++)
    mean[k] /= MAX(with, 1);
  return with > 0;
}

/* Photo @i's sketch, centred on @mean, as a unit vector in @u; FALSE when
 * it has none or it is the mean itself (a dataset of one). */
static gboolean
unit_sketch(const DerushDataset *ds, guint i, const double *mean, double *u)
{
  const DerushLearnPhoto *p = &g_array_index(ds->photos, DerushLearnPhoto, i);
  if (!p->has_sketch)
    return FALSE;
  double norm = 0;
  for (int k = 0; k < DERUSH_SKETCH_SIZE; k++) {
    u[k] = _derush_sketch_value(p->sketch[k]) - mean[k];
    norm += u[k] * u[k];
  }
  if (norm <= 1e-12)
    return FALSE;
  norm = 1 / sqrt(norm);
  for (int k = 0; k < DERUSH_SKETCH_SIZE; k++)
    u[k] *= norm;
  return TRUE;
}

/* Per CV group: the sums of its labelled members' unit sketches. */
typedef struct {
  double sum[2][DERUSH_SKETCH_SIZE]; /* [0] trash, [1] keep */
  int count[2];
} GroupSums;

/* cos(@u, @total - @minus): @minus NULL for nothing to take out. */
static float
cosine_without(const double *u, const double *total, const double *minus)
{
  double dot = 0, norm = 0;
  for (int k = 0; k < DERUSH_SKETCH_SIZE; k++) {
    double c = total[k] - (minus ? minus[k] : 0);
    dot += u[k] * c;
    norm += c * c;
  }
  return norm > 1e-12 ? (float)(dot / sqrt(norm)) : NAN;
}

/* The margins of every photo (NAN where undefined) for @label_of. */
static void
margins(const DerushDataset *ds, const double *mean, const int *label_of, float *margin)
{
  guint n = ds->photos->len;
  double total[2][DERUSH_SKETCH_SIZE] = {{0}}, u[DERUSH_SKETCH_SIZE];
  int count[2] = {0, 0};
  g_autoptr(GHashTable) groups = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, g_free);
  for (guint i = 0; i < n; i++) {
    if (label_of[i] < 0 || !unit_sketch(ds, i, mean, u))
      continue;
    int kind = label_of[i] > 0;
    GroupSums *g = g_hash_table_lookup(groups, &ds->cv_group[i]);
    if (!g) {
      g = g_new0(GroupSums, 1);
      g_hash_table_insert(groups, &ds->cv_group[i], g);
    }
    for (int k = 0; k < DERUSH_SKETCH_SIZE; k++) {
      total[kind][k] += u[k];
      g->sum[kind][k] += u[k];
    }
    count[kind]++;
    g->count[kind]++;
  }
  for (guint i = 0; i < n; i++) {
    margin[i] = NAN;
    if (count[0] < MIN_PER_KIND || count[1] < MIN_PER_KIND || !unit_sketch(ds, i, mean, u))
      continue;
    const GroupSums *g = g_hash_table_lookup(groups, &ds->cv_group[i]);
    float sim[2];
    for (int kind = 0; kind < 2; kind++) {
      int own = g ? g->count[kind] : 0;
      sim[kind] = count[kind] - own >= MIN_PER_KIND
                      ? cosine_without(u, total[kind], own ? g->sum[kind] : NULL)
                      : NAN;
    }
    margin[i] = sim[1] - sim[0]; /* NAN when either is */
  }
}

/**
 * _derush_embedding_gate_passes:
 * @margin: per labelled photo, its margin
 * @keep: ... its label (1 keep, 0 trash)
 * @n: how many
 *
 * Whether @margin ranks the kept above the trashed well above chance:
 * ROC-AUC at least GATE_MIN_AUC and 3 standard deviations of a random
 * ranking's AUC above 0.5 (the Mann-Whitney statistic's, without ties).
 */
gboolean
_derush_embedding_gate_passes(const double *margin, const float *keep, int n)
{
  double pos = 0;
  for (int i = 0; i < n; i++)
    pos += keep[i] > 0.5f;
  double neg = n - pos;
  if (pos < MIN_PER_KIND || neg < MIN_PER_KIND)
    return FALSE;
  double auc = _derush_roc_auc(margin, keep, n);
  double sd = sqrt((pos + neg + 1) / (12 * pos * neg));
  return auc >= MAX(GATE_MIN_AUC, 0.5 + 3 * sd);
}

/**
 * _derush_dataset_embedding_columns:
 * @ds: a dataset with its CV groups built
 * @label_of: per photo, 1 keep, 0 trash, < 0 not labelled
 * @col: the column to fill
 *
 * Fills the nearest-neighbour margin (see above), or leaves the whole
 * column NAN: no sketch, too few labels, or the gate says it does not
 * tell on these labels.
 */
void
_derush_dataset_embedding_columns(DerushDataset *ds, const int *label_of, int col)
{
  guint n = ds->photos->len;
  for (guint i = 0; i < n; i++)
    ds->x[(gsize)i * ds->n_cols + col] = NAN;
  if (n == 0)
    return;
  double mean[DERUSH_SKETCH_SIZE];
  if (!mean_sketch(ds, mean))
    return;
  g_autofree float *margin = g_new(float, n);
  margins(ds, mean, label_of, margin);
  /* The gate, on the labelled photos with a margin. */
  g_autofree double *lm = g_new(double, n);
  g_autofree float *lk = g_new(float, n);
  int nl = 0;
  for (guint i = 0; i < n; i++)
    if (label_of[i] >= 0 && !isnan(margin[i])) {
      lm[nl] = margin[i];
      lk[nl++] = label_of[i] > 0;
    }
  if (_derush_embedding_gate_passes(lm, lk, nl))
    for (guint i = 0; i < n; i++)
      ds->x[(gsize)i * ds->n_cols + col] = margin[i];
}
