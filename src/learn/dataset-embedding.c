/* dataset-embedding.c: the dataset's embedding columns: how much a photo
 * looks like the photos the user keeps and like those the user trashes.
 *
 * The detector stores MobileNetV2's pooled penultimate layer per photo
 * (1280 floats: what is in the frame, as an ImageNet classifier sees it).
 * A handful of
 * labels cannot teach trees 256 columns, but they give two centroids: the
 * mean embedding of the kept photos and of the trashed ones, and the cosine
 * similarity to each is a nearest-centroid classifier in two numbers that
 * XGBoost weighs against the rest. Embeddings are centred on the dataset's
 * mean first (their values are all >= 0, so raw cosines all sit near 1)
 * and normalised.
 *
 * A photo is never compared with its own CV group's labels (its burst,
 * near-duplicates and RAW+JPEG pair, dataset.c): a labelled photo would
 * otherwise see its own label in its feature, and cross-validation, whose
 * folds keep groups whole, would score a leak. Unlabelled photos get the
 * same rule, so training and prediction read the same feature. NAN when
 * the photo has no embedding or no label of that kind outside its group.
 *
 * The 1280 floats are reduced to 256 as they are read, by a fixed sparse
 * random projection (each input adds to one output with a fixed sign),
 * which keeps inner products on average: 1 KB a photo, so a 100,000-photo
 * catalog holds 100 MB of them while the columns are made, and they are
 * dropped after unless the caller relabels (eval learning). Measured on
 * the tastes of bench/tastes (commit message): MobileNetV2's did no harm
 * where YOLOX's backbone mean cost 2-5 points of accuracy on the burst
 * taste after 10-20 random labels.
 */
#include "learn-private.h"

/**
 * _derush_embedding_reduce:
 * @in: the stored embedding
 * @n_in: its size
 * @out: (out caller-allocates): DERUSH_LEARN_EMBEDDING_SIZE floats
 *
 * Input k adds to output k % SIZE with a sign fixed by a hash of k: a
 * copy when @n_in is the size already.
 */
void
_derush_embedding_reduce(const float *in, int n_in, float *out)
{
  for (int j = 0; j < DERUSH_LEARN_EMBEDDING_SIZE; j++)
    out[j] = 0;
  if (n_in == DERUSH_LEARN_EMBEDDING_SIZE) {
    memcpy(out, in, sizeof(float) * n_in);
    return;
  }
  for (int k = 0; k < n_in; k++)
    out[k % DERUSH_LEARN_EMBEDDING_SIZE] += _derush_mix64((guint64)k + 1) & 1 ? in[k] : -in[k];
}

/* Per CV group: the sums of its labelled members' unit embeddings. */
typedef struct {
  double *sum[2]; /* [0] trash, [1] keep; NULL while the group has none */
  int count[2];
} GroupSums;

static void
group_sums_free(gpointer data)
{
  GroupSums *g = data;
  g_free(g->sum[0]);
  g_free(g->sum[1]);
  g_free(g);
}

/* The unit, centred embeddings of @ds's photos, NULL rows when missing. */
static float *
unit_embeddings(const DerushDataset *ds, int size, gboolean *any)
{
  guint n = ds->photos->len;
  g_autofree double *mean = g_new0(double, size);
  guint with = 0;
  for (guint i = 0; i < n; i++) {
    const float *e = g_array_index(ds->photos, DerushLearnPhoto, i).embedding;
    if (!e)
      continue;
    for (int k = 0; k < size; k++)
      mean[k] += e[k];
    with++;
  }
  *any = with > 0;
  if (!with)
    return NULL;
  float *u = g_new(float, (gsize)n *size);
  for (guint i = 0; i < n; i++) {
    const float *e = g_array_index(ds->photos, DerushLearnPhoto, i).embedding;
    float *row = u + (gsize)i * size;
    if (!e) {
      row[0] = NAN;
      continue;
    }
    double norm = 0;
    for (int k = 0; k < size; k++) {
      row[k] = (float)(e[k] - mean[k] / with);
      norm += (double)row[k] * row[k];
    }
    /* The dataset's only photo, or one equal to the mean: no direction. */
    if (norm <= 1e-12) {
      row[0] = NAN;
      continue;
    }
    norm = 1 / sqrt(norm);
    for (int k = 0; k < size; k++)
      row[k] = (float)(row[k] * norm);
  }
  return u;
}

/* cos(@u, @total - @minus): @minus NULL for nothing to take out. */
static float
cosine_without(const float *u, const double *total, const double *minus, int size)
{
  double dot = 0, norm = 0;
  for (int k = 0; k < size; k++) {
    double c = total[k] - (minus ? minus[k] : 0);
    dot += u[k] * c;
    norm += c * c;
  }
  return norm > 1e-12 ? (float)(dot / sqrt(norm)) : NAN;
}

/**
 * _derush_dataset_embedding_columns:
 * @ds: a dataset with its CV groups built
 * @label_of: per photo, 1 keep, 0 trash, < 0 not labelled
 * @base: the first of the DERUSH_LEARN_N_EMBEDDING_COLUMNS columns
 *
 * Fills the keep and trash similarity columns and their difference (see
 * above); every one NAN when no photo of @ds has an embedding.
 */
void
_derush_dataset_embedding_columns(DerushDataset *ds, const int *label_of, int base)
{
  guint n = ds->photos->len;
  for (guint i = 0; i < n; i++)
    for (int c = 0; c < DERUSH_LEARN_N_EMBEDDING_COLUMNS; c++)
      ds->x[(gsize)i * ds->n_cols + base + c] = NAN;
  int size = DERUSH_LEARN_EMBEDDING_SIZE;
  gboolean any;
  g_autofree float *u = unit_embeddings(ds, size, &any);
  if (!any)
    return;
  double *total[2] = {g_new0(double, size), g_new0(double, size)};
  int count[2] = {0, 0};
  g_autoptr(GHashTable) groups =
      g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, group_sums_free);
  for (guint i = 0; i < n; i++) {
    const float *row = u + (gsize)i * size;
    if (label_of[i] < 0 || isnan(row[0]))
      continue;
    int kind = label_of[i] > 0;
    GroupSums *g = g_hash_table_lookup(groups, &ds->cv_group[i]);
    if (!g) {
      g = g_new0(GroupSums, 1);
      g_hash_table_insert(groups, &ds->cv_group[i], g);
    }
    if (!g->sum[kind])
      g->sum[kind] = g_new0(double, size);
    for (int k = 0; k < size; k++) {
      total[kind][k] += row[k];
      g->sum[kind][k] += row[k];
    }
    count[kind]++;
    g->count[kind]++;
  }
  for (guint i = 0; i < n; i++) {
    const float *row = u + (gsize)i * size;
    if (isnan(row[0]))
      continue;
    const GroupSums *g = g_hash_table_lookup(groups, &ds->cv_group[i]);
    float sim[2];
    for (int kind = 0; kind < 2; kind++) {
      int own = g ? g->count[kind] : 0;
      sim[kind] = count[kind] > own
                      ? cosine_without(row, total[kind], own ? g->sum[kind] : NULL, size)
                      : NAN;
    }
    float *x = ds->x + (gsize)i * ds->n_cols + base;
    x[DERUSH_LEARN_EMB_KEEP_SIMILARITY] = sim[1];
    x[DERUSH_LEARN_EMB_TRASH_SIMILARITY] = sim[0];
    x[DERUSH_LEARN_EMB_KEEP_MARGIN] = sim[1] - sim[0]; /* NAN when either is */
  }
  g_free(total[0]);
  g_free(total[1]);
}
