/* counters.c: process-wide work counters (see DerushCounter in derush.h).
 *
 * Plain C11 atomics: the counters are bumped from scanner worker threads and
 * read by the main thread, and they must cost nothing measurable. */
#include "derush-private.h"
#include <stdatomic.h>

static _Atomic gint64 counters[DERUSH_N_COUNTERS];

/* Indexed by DerushCounter. These names are stored in catalogs and printed
 * by `derush stats --json`: never rename one. */
static const char *const counter_names[DERUSH_N_COUNTERS] = {
    [DERUSH_COUNTER_FILES_OPENED] = "files_opened",
    [DERUSH_COUNTER_FILES_HASHED] = "files_hashed",
    [DERUSH_COUNTER_METADATA_PARSED] = "metadata_parsed",
    [DERUSH_COUNTER_HEADERS_READ] = "headers_read",
    [DERUSH_COUNTER_IMAGES_DECODED] = "images_decoded",
    [DERUSH_COUNTER_RAW_PREVIEWS] = "raw_previews",
    [DERUSH_COUNTER_THUMBNAILS_WRITTEN] = "thumbnails_written",
    [DERUSH_COUNTER_THUMBNAIL_CACHE_HITS] = "thumbnail_cache_hits",
    [DERUSH_COUNTER_DB_TRANSACTIONS] = "db_transactions",
    [DERUSH_COUNTER_DIRS_WALKED] = "dirs_walked",
    [DERUSH_COUNTER_FILES_STATTED] = "files_statted",
    [DERUSH_COUNTER_LABEL_EVENTS] = "label_events",
    [DERUSH_COUNTER_NN_MODELS_LOADED] = "nn_models_loaded",
    [DERUSH_COUNTER_NN_FORWARDS] = "nn_forwards",
    [DERUSH_COUNTER_PHOTOS_DETECTED] = "photos_detected",
    [DERUSH_COUNTER_MODELS_TRAINED] = "models_trained",
    [DERUSH_COUNTER_PREDICTION_BATCHES] = "predictions_batches",
    [DERUSH_COUNTER_PHOTOS_PREDICTED] = "photos_predicted",
    [DERUSH_COUNTER_PHOTOS_EXPLAINED] = "photos_explained",
    [DERUSH_COUNTER_EMBEDDED_PREVIEWS] = "embedded_previews",
    [DERUSH_COUNTER_NN_THREAD_SWITCHES] = "nn_thread_switches",
    [DERUSH_COUNTER_TREES_BOOSTED] = "trees_boosted",
    [DERUSH_COUNTER_QUANTILE_SKETCHES] = "quantile_sketches",
};

/**
 * derush_counter_add:
 * @counter: which counter
 * @n: amount to add
 *
 * Adds @n to a work counter. Thread-safe and lock-free.
 */
void
derush_counter_add(DerushCounter counter, gint64 n)
{
  g_return_if_fail(counter < DERUSH_N_COUNTERS);
  atomic_fetch_add_explicit(&counters[counter], n, memory_order_relaxed);
}

/**
 * derush_counter_get:
 * Returns: the current value of @counter in this process.
 */
gint64
derush_counter_get(DerushCounter counter)
{
  g_return_val_if_fail(counter < DERUSH_N_COUNTERS, 0);
  return atomic_load_explicit(&counters[counter], memory_order_relaxed);
}

/**
 * derush_counter_name:
 * Returns: (transfer none): the counter's stable snake_case name.
 */
const char *
derush_counter_name(DerushCounter counter)
{
  g_return_val_if_fail(counter < DERUSH_N_COUNTERS, NULL);
  return counter_names[counter];
}

/**
 * derush_counters_snapshot:
 * @out: (out): receives every counter, indexed by DerushCounter.
 */
void
derush_counters_snapshot(gint64 out[DERUSH_N_COUNTERS])
{
  for (int i = 0; i < DERUSH_N_COUNTERS; i++)
    out[i] = atomic_load_explicit(&counters[i], memory_order_relaxed);
}

/**
 * derush_counters_reset:
 * Sets every counter back to zero (at the start of a command or a test).
 */
void
derush_counters_reset(void)
{
  for (int i = 0; i < DERUSH_N_COUNTERS; i++)
    atomic_store_explicit(&counters[i], 0, memory_order_relaxed);
}
