/* dataset.c: the learning dataset, one float row per photo.
 *
 * A photographer does not judge a frame alone but against its neighbours:
 * the softest frame of a burst goes, even when it is sharp by itself. So
 * besides the quality features (quality/features.c, EXIF included: shake
 * risk, ISO, aperture, flash) each row says where the photo stands inside
 * its burst and its near-duplicate group: its rank (0 the best, 1 the
 * worst) and its distance to the group's median for sharpness, exposure,
 * resolution and bytes per pixel, whether it is the group's best pick by
 * quality, the group sizes and the time to the previous and next photo.
 * Then the object detector's features (person, animal... flags and counts,
 * the largest subject's area, position and sharpness) and the face
 * models' (count, eyes open, face sharpness) when those models ran, and
 * whether the photo looks more like the kept or the trashed ones by the
 * embedding's sketch (dataset-embedding.c: the only column that depends on
 * the labels, missing unless it tells on them).
 * Values that do not exist (no group, no EXIF, not analyzed) are NAN, which
 * XGBoost treats as missing, never 0.
 *
 * The column order is DERUSH_LEARN_DATASET_VERSION: append, and bump it.
 */
#include "learn-private.h"
#include "catalog/catalog-private.h"

/* The group-relative metrics. */
enum { METRIC_SHARPNESS, METRIC_EXPOSURE, METRIC_RESOLUTION, METRIC_BPP, N_METRICS };

/* Context columns after the DERUSH_N_FEATURES quality features. Each of the
 * two group kinds (burst, near-dup) has, per metric, a rank and a distance
 * to the median, then an is-best flag. */
enum {
  CTX_SESSION_SIZE,
  CTX_BURST_SIZE,
  CTX_NEAR_DUP_SIZE,
  CTX_BYTES_PER_PIXEL,
  CTX_GAP_PREV, /* log10(1 + seconds) to the previous photo in time */
  CTX_GAP_NEXT,
  CTX_GROUPS, /* 2 kinds x (N_METRICS x 2 + 1) */
};
#define PER_KIND (N_METRICS * 2 + 1)
#define N_CONTEXT (CTX_GROUPS + 2 * PER_KIND)
/* Then the detector's and the face models' per-photo features (NAN when
 * those models did not run). */
#define DETECT_BASE (DERUSH_N_FEATURES + N_CONTEXT)
#define FACES_BASE (DETECT_BASE + DERUSH_N_DETECT_FEATURES)
#define EMB_COLUMN (FACES_BASE + DERUSH_N_FACE_FEATURES)
#define N_COLUMNS (EMB_COLUMN + 1)

static const char *const context_names[N_CONTEXT] = {
    "session_size",
    "burst_size",
    "near_dup_size",
    "bytes_per_pixel",
    "gap_prev",
    "gap_next",
    "burst_sharpness_rank",
    "burst_sharpness_vs_median",
    "burst_exposure_rank",
    "burst_exposure_vs_best",
    "burst_resolution_rank",
    "burst_resolution_vs_median",
    "burst_bpp_rank",
    "burst_bpp_vs_median",
    "burst_is_best",
    "near_dup_sharpness_rank",
    "near_dup_sharpness_vs_median",
    "near_dup_exposure_rank",
    "near_dup_exposure_vs_best",
    "near_dup_resolution_rank",
    "near_dup_resolution_vs_median",
    "near_dup_bpp_rank",
    "near_dup_bpp_vs_median",
    "near_dup_is_best",
};

int
_derush_dataset_n_columns(void)
{
  return N_COLUMNS;
}

const char *
_derush_dataset_column_name(int col)
{
  if (col < 0 || col >= N_COLUMNS)
    return "bias";
  if (col == EMB_COLUMN)
    return "emb_keep_margin";
  if (col < DERUSH_N_FEATURES)
    return derush_feature_info((DerushFeature)col)->name;
  if (col >= FACES_BASE)
    return derush_face_feature_name((DerushFaceFeature)(col - FACES_BASE));
  if (col >= DETECT_BASE)
    return derush_detect_feature_info((DerushDetectFeature)(col - DETECT_BASE))->name;
  return context_names[col - DERUSH_N_FEATURES];
}

DerushDataset *
_derush_dataset_new(void)
{
  DerushDataset *ds = g_new0(DerushDataset, 1);
  ds->photos = g_array_new(FALSE, TRUE, sizeof(DerushLearnPhoto));
  ds->n_cols = N_COLUMNS;
  return ds;
}

void
_derush_dataset_add(DerushDataset *ds, const DerushLearnPhoto *photo)
{
  DerushLearnPhoto p = *photo;
  p.path = g_strdup(photo->path);
  g_array_append_val(ds->photos, p);
}

void
_derush_dataset_free(DerushDataset *ds)
{
  if (!ds)
    return;
  for (guint i = 0; i < ds->photos->len; i++)
    g_free(g_array_index(ds->photos, DerushLearnPhoto, i).path);
  g_array_unref(ds->photos);
  g_free(ds->x);
  g_free(ds->cv_group);
  g_free(ds);
}

double
_derush_dataset_quality(const DerushLearnPhoto *photo)
{
  return photo->has_features ? derush_features_quality_score(photo->vector) : NAN;
}

/* The metric of one photo, oriented so that higher is better except for
 * exposure, which is the distance from mid-grey in EV (lower is better). */
static double
metric_of(const DerushLearnPhoto *p, int metric)
{
  gint64 pixels = p->width > 0 && p->height > 0 ? (gint64)p->width * p->height : 0;
  switch (metric) {
  case METRIC_SHARPNESS:
    return p->has_features ? derush_features_sharpness(p->vector) : NAN;
  case METRIC_EXPOSURE:
    return p->has_features ? fabs(p->vector[DERUSH_FEATURE_EXPOSURE_EV]) : NAN;
  case METRIC_RESOLUTION:
    return pixels ? log2((double)pixels) : NAN;
  case METRIC_BPP:
    return pixels && p->size > 0 ? log2((double)p->size / pixels) : NAN;
  default:
    return NAN;
  }
}

static int
cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* How many of the @n ascending @v are < @x (count_below) or <= @x. */
static guint
count_below(const double *v, guint n, double x)
{
  guint lo = 0, hi = n;
  while (lo < hi) {
    guint mid = (lo + hi) / 2;
    if (v[mid] < x)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

static guint
count_at_most(const double *v, guint n, double x)
{
  guint lo = 0, hi = n;
  while (lo < hi) {
    guint mid = (lo + hi) / 2;
    if (v[mid] <= x)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

/* Fills one kind's context columns for the members @idx of one group. */
static void
group_context(DerushDataset *ds, const guint *idx, guint n, int base)
{
  g_autofree double *vals = g_new(double, n);
  g_autofree double *sorted = g_new(double, n);
  for (int metric = 0; metric < N_METRICS; metric++) {
    guint valid = 0;
    for (guint k = 0; k < n; k++) {
      vals[k] = metric_of(&g_array_index(ds->photos, DerushLearnPhoto, idx[k]), metric);
      if (!isnan(vals[k]))
        sorted[valid++] = vals[k];
    }
    if (valid < 2)
      continue; /* nothing to compare with: missing */
    qsort(sorted, valid, sizeof(double), cmp_double);
    double median =
        valid % 2 ? sorted[valid / 2] : 0.5 * (sorted[valid / 2 - 1] + sorted[valid / 2]);
    gboolean lower_better = metric == METRIC_EXPOSURE;
    for (guint k = 0; k < n; k++) {
      if (isnan(vals[k]))
        continue;
      guint better = lower_better ? count_below(sorted, valid, vals[k])
                                  : valid - count_at_most(sorted, valid, vals[k]);
      float *row = ds->x + (gsize)idx[k] * N_COLUMNS;
      row[base + 2 * metric] = (float)better / (valid - 1);
      row[base + 2 * metric + 1] = (float)(lower_better ? vals[k] - sorted[0] : vals[k] - median);
    }
  }
  /* The best pick by the model-free quality score (ties: smaller id), so
   * the feature never depends on a previous model's answers. */
  guint best = G_MAXUINT;
  double best_q = -INFINITY;
  for (guint k = 0; k < n; k++) {
    double q = _derush_dataset_quality(&g_array_index(ds->photos, DerushLearnPhoto, idx[k]));
    if (!isnan(q) && q > best_q) {
      best_q = q;
      best = k;
    }
  }
  if (best == G_MAXUINT)
    return;
  for (guint k = 0; k < n; k++)
    ds->x[(gsize)idx[k] * N_COLUMNS + base + N_METRICS * 2] = k == best ? 1.0f : 0.0f;
}

/* Union-find over photo indices, for the CV groups. */
static guint
find(guint *parent, guint i)
{
  while (parent[i] != i) {
    parent[i] = parent[parent[i]];
    i = parent[i];
  }
  return i;
}

static void
unite(guint *parent, guint a, guint b)
{
  a = find(parent, a);
  b = find(parent, b);
  if (a != b)
    parent[MAX(a, b)] = MIN(a, b);
}

typedef struct {
  gint64 time_ns;
  guint index;
} TimeIndex;

static int
cmp_time(const void *a, const void *b)
{
  const TimeIndex *x = a, *y = b;
  if (x->time_ns != y->time_ns)
    return x->time_ns < y->time_ns ? -1 : 1;
  return (x->index > y->index) - (x->index < y->index);
}

void
_derush_dataset_build(DerushDataset *ds)
{
  guint n = ds->photos->len;
  g_free(ds->x);
  g_free(ds->cv_group);
  ds->x = g_new(float, (gsize)MAX(n, 1) * N_COLUMNS);
  ds->cv_group = g_new(gint64, MAX(n, 1));
  for (gsize i = 0; i < (gsize)n * N_COLUMNS; i++)
    ds->x[i] = NAN;

  g_autofree guint *parent = g_new(guint, MAX(n, 1));
  g_autoptr(GHashTable) by_id = g_hash_table_new(g_int64_hash, g_int64_equal);
  /* Members of each group, by kind: group id -> GArray of indices. */
  GHashTable *members[3];
  for (int k = 0; k < 3; k++)
    members[k] =
        g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, (GDestroyNotify)g_array_unref);
  g_autofree TimeIndex *times = g_new(TimeIndex, MAX(n, 1));
  guint n_times = 0;

  for (guint i = 0; i < n; i++) {
    DerushLearnPhoto *p = &g_array_index(ds->photos, DerushLearnPhoto, i);
    parent[i] = i;
    g_hash_table_insert(by_id, &p->id, GUINT_TO_POINTER(i + 1));
    float *row = ds->x + (gsize)i * N_COLUMNS;
    if (p->has_features)
      memcpy(row, p->vector, sizeof(p->vector));
    memcpy(row + DETECT_BASE, p->detector, sizeof(p->detector));
    memcpy(row + FACES_BASE, p->faces, sizeof(p->faces));
    double bpp = metric_of(p, METRIC_BPP);
    row[DERUSH_N_FEATURES + CTX_BYTES_PER_PIXEL] = isnan(bpp) ? NAN : (float)exp2(bpp);
    for (int k = 0; k < 3; k++) {
      if (!p->group[k])
        continue;
      GArray *m = g_hash_table_lookup(members[k], &p->group[k]);
      if (!m) {
        m = g_array_new(FALSE, FALSE, sizeof(guint));
        g_hash_table_insert(members[k], &p->group[k], m);
      }
      g_array_append_val(m, i);
    }
    if (p->has_time)
      times[n_times++] = (TimeIndex){p->time_ns, i};
  }

  /* Group sizes and context; bursts and near-dups join CV groups. */
  static const int size_col[3] = {CTX_SESSION_SIZE, CTX_BURST_SIZE, CTX_NEAR_DUP_SIZE};
  for (int k = 0; k < 3; k++) {
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, members[k]);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
      GArray *m = value;
      const guint *idx = (const guint *)m->data;
      for (guint j = 0; j < m->len; j++) {
        ds->x[(gsize)idx[j] * N_COLUMNS + DERUSH_N_FEATURES + size_col[k]] = (float)m->len;
        if (k != DERUSH_GROUP_SESSION)
          unite(parent, idx[0], idx[j]);
      }
      if (k != DERUSH_GROUP_SESSION)
        group_context(ds, idx, m->len,
                      DERUSH_N_FEATURES + CTX_GROUPS + (k == DERUSH_GROUP_BURST ? 0 : PER_KIND));
    }
  }
  for (guint i = 0; i < n; i++) {
    DerushLearnPhoto *p = &g_array_index(ds->photos, DerushLearnPhoto, i);
    float *row = ds->x + (gsize)i * N_COLUMNS;
    /* A photo in no group is its own group of one. */
    for (int k = 0; k < 3; k++)
      if (!p->group[k])
        row[DERUSH_N_FEATURES + size_col[k]] = 1.0f;
    if (p->pair_id) {
      gpointer other = g_hash_table_lookup(by_id, &p->pair_id);
      if (other)
        unite(parent, i, GPOINTER_TO_UINT(other) - 1);
    }
  }

  /* Time to the neighbours, in capture order. */
  qsort(times, n_times, sizeof(TimeIndex), cmp_time);
  for (guint t = 0; t < n_times; t++) {
    float *row = ds->x + (gsize)times[t].index * N_COLUMNS + DERUSH_N_FEATURES;
    if (t > 0)
      row[CTX_GAP_PREV] = (float)log10(1 + (times[t].time_ns - times[t - 1].time_ns) / 1e9);
    if (t + 1 < n_times)
      row[CTX_GAP_NEXT] = (float)log10(1 + (times[t + 1].time_ns - times[t].time_ns) / 1e9);
  }

  for (guint i = 0; i < n; i++)
    ds->cv_group[i] = g_array_index(ds->photos, DerushLearnPhoto, find(parent, i)).id;
  for (int k = 0; k < 3; k++)
    g_hash_table_unref(members[k]);

  /* The labels people gave (auto labels are not theirs), as training
   * reads them (learn.c). */
  g_autofree int *label_of = g_new(int, MAX(n, 1));
  for (guint i = 0; i < n; i++) {
    const DerushLearnPhoto *p = &g_array_index(ds->photos, DerushLearnPhoto, i);
    gboolean by_person = p->label != DERUSH_LABEL_NONE && p->source != DERUSH_SOURCE_AUTO;
    label_of[i] = !by_person ? -1 : p->label == DERUSH_LABEL_KEEP;
  }
  _derush_dataset_embedding_columns(ds, label_of, EMB_COLUMN);
}

void
_derush_dataset_relabel(DerushDataset *ds, const int *label_of)
{
  _derush_dataset_embedding_columns(ds, label_of, EMB_COLUMN);
}

static void
add_row_cb(const DerushLearnRow *row, gpointer user_data)
{
  DerushDataset *ds = user_data;
  DerushLearnPhoto p = {0};
  p.id = row->id;
  p.path = (char *)row->path; /* copied by _derush_dataset_add */
  p.pair_id = row->pair_id;
  p.has_time = row->has_time;
  p.time_ns = row->time_ns;
  p.size = row->size;
  p.width = row->width;
  p.height = row->height;
  if (row->features) {
    p.has_features = TRUE;
    _derush_blob_to_floats(row->features, row->features_bytes, p.vector, DERUSH_N_FEATURES);
  }
  for (int k = 0; k < DERUSH_N_DETECT_FEATURES; k++)
    p.detector[k] = NAN;
  for (int k = 0; k < DERUSH_N_FACE_FEATURES; k++)
    p.faces[k] = NAN;
  if (row->detector)
    _derush_blob_to_floats(row->detector, row->detector_bytes, p.detector,
                           DERUSH_N_DETECT_FEATURES);
  if (row->faces)
    _derush_blob_to_floats(row->faces, row->faces_bytes, p.faces, DERUSH_N_FACE_FEATURES);
  if (row->sketch && row->sketch_bytes == DERUSH_SKETCH_SIZE) {
    memcpy(p.sketch, row->sketch, DERUSH_SKETCH_SIZE);
    p.has_sketch = TRUE;
  }
  p.label = row->label;
  p.source = row->source;
  memcpy(p.group, row->group, sizeof(p.group));
  _derush_dataset_add(ds, &p);
}

DerushDataset *
_derush_dataset_load(DerushCatalog *cat, GError **error)
{
  g_autoptr(DerushDataset) ds = _derush_dataset_new();
  if (!_derush_catalog_foreach_learn_row(cat, DERUSH_LEARN_EMBEDDING, add_row_cb, ds, error))
    return NULL;
  _derush_dataset_build(ds);
  return g_steal_pointer(&ds);
}
