/* derush-analysis-table.c: the latest analysis results, shared by all items.
 *
 * An analysis (or, later, a retrain) produces a record for every photo of
 * the folder at once, on a worker. Handing each of 100,000 items its record
 * costs the main thread ~50 ms (a hash lookup, a compare and a notify per
 * item), where only the twenty cells on screen need to change. So the
 * window publishes the whole table here instead, in O(1): the generation
 * goes up, and each item resolves its record again the next time it is
 * asked (derush_photo_item_get_analysis), which for most items is never,
 * or during a sort or filter pass that walks them all anyway. The window
 * then notifies only the items its cells show.
 *
 * The replaced table is freed on a worker: 100,000 records are ~4 ms of
 * free() that the main thread need not wait for. Items never keep a record
 * across a publish: they look it up again when the generation moved.
 *
 * Main thread only, except the freeing.
 */
#include "derush-analysis-table.h"
#include <math.h>

struct _DerushAnalysisTable {
  GObject parent_instance;
  GHashTable *records; /* gint64* id -> DerushPhotoAnalysis* (owned), nullable */
  guint generation;
  /* Every known sharpness, ascending, built on the first rank asked after
   * a publish (the side panel asks for one photo at a time). */
  GArray *sorted_sharpness; /* double, nullable */
};

G_DEFINE_FINAL_TYPE(DerushAnalysisTable, derush_analysis_table, G_TYPE_OBJECT)

static void
free_records_worker(GTask *task, gpointer source_object, gpointer task_data,
                    GCancellable *cancellable)
{
  /* Here, not in a destroy notify: the task's last reference may well be
   * dropped on the main thread. */
  g_hash_table_unref(task_data);
  g_task_return_boolean(task, TRUE);
}

static void
free_records_later(GHashTable *records)
{
  if (!records)
    return;
  if (g_hash_table_size(records) < 1024) {
    g_hash_table_unref(records);
    return;
  }
  g_autoptr(GTask) task = g_task_new(NULL, NULL, NULL, NULL);
  g_task_set_source_tag(task, free_records_later);
  g_task_set_task_data(task, records, NULL);
  g_task_run_in_thread(task, free_records_worker);
}

static void
derush_analysis_table_finalize(GObject *object)
{
  DerushAnalysisTable *self = DERUSH_ANALYSIS_TABLE(object);
  g_clear_pointer(&self->records, g_hash_table_unref);
  g_clear_pointer(&self->sorted_sharpness, g_array_unref);
  G_OBJECT_CLASS(derush_analysis_table_parent_class)->finalize(object);
}

static void
derush_analysis_table_class_init(DerushAnalysisTableClass *klass)
{
  G_OBJECT_CLASS(klass)->finalize = derush_analysis_table_finalize;
}

static void
derush_analysis_table_init(DerushAnalysisTable *self)
{
  self->generation = 1;
}

/** derush_analysis_table_new: Returns: (transfer full): an empty table. */
DerushAnalysisTable *
derush_analysis_table_new(void)
{
  return g_object_new(DERUSH_TYPE_ANALYSIS_TABLE, NULL);
}

/**
 * derush_analysis_table_publish:
 * @records: (nullable) (transfer full): photo id (gint64*) -> its
 *   DerushPhotoAnalysis*, as derush_analyzer_analyze_finish() returns; NULL
 *   forgets every record (another folder).
 *
 * Replaces the table in O(1); items pick their record up when next asked.
 */
void
derush_analysis_table_publish(DerushAnalysisTable *self, GHashTable *records)
{
  g_return_if_fail(DERUSH_IS_ANALYSIS_TABLE(self));
  free_records_later(g_steal_pointer(&self->records));
  self->records = records;
  self->generation++;
  g_clear_pointer(&self->sorted_sharpness, g_array_unref);
}

/** derush_analysis_table_get_generation: goes up with every publish. */
guint
derush_analysis_table_get_generation(DerushAnalysisTable *self)
{
  return self->generation;
}

/**
 * derush_analysis_table_lookup:
 * Returns: (transfer none) (nullable): the photo's record, valid until the
 *   next publish.
 */
const DerushPhotoAnalysis *
derush_analysis_table_lookup(DerushAnalysisTable *self, gint64 id)
{
  return self->records ? g_hash_table_lookup(self->records, &id) : NULL;
}

/** derush_analysis_table_get_size: the photos with a record. */
guint
derush_analysis_table_get_size(DerushAnalysisTable *self)
{
  return self->records ? g_hash_table_size(self->records) : 0;
}

static int
compare_doubles(gconstpointer a, gconstpointer b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/**
 * derush_analysis_table_get_sharpness_rank:
 * @sharpness: a photo's sharpness (derush_features_sharpness()).
 *
 * Where @sharpness stands in the folder: the fraction of the photos with a
 * known sharpness that are less sharp. The first call after a publish sorts
 * the folder's values once (~10 ms at 100,000 photos); later calls are a
 * binary search.
 *
 * Returns: 0..1, or NAN when @sharpness or the folder's are unknown.
 */
double
derush_analysis_table_get_sharpness_rank(DerushAnalysisTable *self, double sharpness)
{
  g_return_val_if_fail(DERUSH_IS_ANALYSIS_TABLE(self), NAN);
  if (isnan(sharpness) || !self->records)
    return NAN;
  if (!self->sorted_sharpness) {
    self->sorted_sharpness =
        g_array_sized_new(FALSE, FALSE, sizeof(double), g_hash_table_size(self->records));
    GHashTableIter iter;
    gpointer value;
    g_hash_table_iter_init(&iter, self->records);
    while (g_hash_table_iter_next(&iter, NULL, &value)) {
      double s = ((const DerushPhotoAnalysis *)value)->sharpness;
      if (!isnan(s))
        g_array_append_val(self->sorted_sharpness, s);
    }
    g_array_sort(self->sorted_sharpness, compare_doubles);
  }
  guint n = self->sorted_sharpness->len;
  if (n == 0)
    return NAN;
  /* The first value not below @sharpness: that many are less sharp. */
  guint lo = 0, hi = n;
  while (lo < hi) {
    guint mid = lo + (hi - lo) / 2;
    if (g_array_index(self->sorted_sharpness, double, mid) < sharpness)
      lo = mid + 1;
    else
      hi = mid;
  }
  return n > 1 ? (double)lo / (n - 1) : 1.0;
}
