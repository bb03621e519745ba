/* bench-decisions.c: how fast decisions are saved, undone, exported and
 * imported (bench/decisions.sh builds and runs it).
 *
 *   bench-decisions WORKDIR [N_PHOTOS]
 *
 * Photos are catalog rows pointing at empty files: labelling, undo,
 * sidecars and imports never read photo pixels, so a scan would only add
 * noise. Prints one "name: value" line per figure. */
#include "catalog/catalog-private.h"
#include "export/export-private.h"
#include <stdio.h>
#include <stdlib.h>

static int
cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double
now_s(void)
{
  return g_get_monotonic_time() / 1e6;
}

static void
check(gboolean ok, GError *error)
{
  if (!ok) {
    fprintf(stderr, "bench-decisions: %s\n", error ? error->message : "failed");
    exit(1);
  }
}

int
main(int argc, char **argv)
{
  if (argc < 2) {
    fprintf(stderr, "usage: bench-decisions WORKDIR [N_PHOTOS]\n");
    return 2;
  }
  int n = argc > 2 ? atoi(argv[2]) : 10000;
  GError *error = NULL;
  check(derush_init(argv[0], &error), error);
  g_autofree char *photos = g_build_filename(argv[1], "photos", NULL);
  g_autofree char *db = g_build_filename(argv[1], "catalog.db", NULL);
  g_mkdir_with_parents(photos, 0755);
  DerushCatalog *cat = derush_catalog_open(db, &error);
  check(cat != NULL, error);

  /* Rows, as a scan would leave them. */
  gint64 *ids = g_new(gint64, n);
  DerushMeta meta;
  derush_meta_init(&meta);
  double t = now_s();
  check(_derush_catalog_begin(cat, &error), error);
  for (int i = 0; i < n; i++) {
    g_autofree char *name = g_strdup_printf("IMG_%05d.JPG", i);
    g_autofree char *path = g_build_filename(photos, name, NULL);
    g_file_set_contents(path, "", 0, NULL);
    DerushPhotoRecord rec = {.path = path,
                             .dir = photos,
                             .name = name,
                             .size = i,
                             .mtime_ns = i,
                             .content_hash = (guint64)i + 1,
                             .meta = &meta};
    check(_derush_catalog_upsert_photo(cat, &rec, &ids[i], &error), error);
  }
  check(_derush_catalog_commit(cat, &error), error);
  printf("rows_created: %d in %.2f s\n", n, now_s() - t);

  /* 1. Label commit latency: one photo per commit, as a person labels. */
  int n_lat = 1000;
  double *lat = g_new(double, n_lat);
  for (int i = 0; i < n_lat; i++) {
    DerushLabelChange c = {TRUE, (DerushLabel)(1 + i % 2), TRUE, i % 6};
    double t0 = now_s();
    check(derush_catalog_set_labels(cat, &ids[i % n], 1, &c, DERUSH_SOURCE_USER, NULL, &error),
          error);
    lat[i] = (now_s() - t0) * 1000;
  }
  qsort(lat, n_lat, sizeof(double), cmp_double);
  printf("label_commit_ms: p50 %.3f  p99 %.3f  max %.3f (%d labels, synchronous=FULL)\n",
         lat[n_lat / 2], lat[n_lat * 99 / 100], lat[n_lat - 1], n_lat);

  /* 2. Undo of those 1,000 events (1,000 batches), then redo. */
  t = now_s();
  int undone = derush_catalog_undo(cat, n_lat, &error);
  check(undone == n_lat, error);
  printf("undo_1000_batches_s: %.3f\n", now_s() - t);
  t = now_s();
  check(derush_catalog_redo(cat, n_lat, &error) == n_lat, error);
  printf("redo_1000_batches_s: %.3f\n", now_s() - t);
  /* One batch of 1,000 events, undone in one step. */
  DerushLabelChange trash = {TRUE, DERUSH_LABEL_TRASH, TRUE, 0};
  check(derush_catalog_set_labels(cat, ids, 1000, &trash, DERUSH_SOURCE_USER, NULL, &error), error);
  t = now_s();
  check(derush_catalog_undo(cat, 1, &error) == 1, error);
  printf("undo_1_batch_of_1000_events_s: %.3f\n", now_s() - t);

  /* 3. Sidecars for every photo. */
  DerushLabelChange keep = {TRUE, DERUSH_LABEL_KEEP, TRUE, 3};
  t = now_s();
  check(derush_catalog_set_labels(cat, ids, n, &keep, DERUSH_SOURCE_USER, NULL, &error), error);
  printf("label_batch_of_%d_s: %.3f\n", n, now_s() - t);
  DerushSidecarSummary sum;
  const char *what[] = {"new", "unchanged", "merged"};
  for (int round = 0; round < 3; round++) {
    if (round == 2) {
      DerushLabelChange five = {FALSE, 0, TRUE, 5};
      check(derush_catalog_set_labels(cat, ids, n, &five, DERUSH_SOURCE_USER, NULL, &error), error);
    }
    t = now_s();
    check(derush_catalog_export_sidecars(cat, photos, NULL, 0, DERUSH_XMP_DARKTABLE, 0, NULL, NULL,
                                         &sum, &error),
          error);
    double s = now_s() - t;
    printf("sidecar_export_%s_s: %.2f for %d (%.0f/s; written %" G_GINT64_FORMAT
           ", unchanged %" G_GINT64_FORMAT ", failed %" G_GINT64_FORMAT ")\n",
           what[round], s, n, n / s, sum.written, sum.unchanged, sum.failed);
  }
  /* A rescan-like pass over the sidecars: all ours, none read. */

  /* 4. Import of an n-entry photo-derush file. */
  check(derush_catalog_undo(cat, 2, &error) == 2, error);
  GString *json = g_string_new("{\n");
  for (int i = 0; i < n; i++) {
    const char *entry = i % 4 == 0   ? "{\"state\": \"keep\", \"label_source\": \"manual\"}"
                        : i % 4 == 1 ? "{\"state\": \"trash\", \"label_source\": \"auto\"}"
                        : i % 4 == 2 ? "{\"rating\": 4, \"tags\": [\"a\"], \"state\": \"keep\"}"
                                     : "{\"state\": \"trash\"}";
    g_string_append_printf(json, "  \"IMG_%05d.JPG\": %s%s\n", i, entry, i + 1 < n ? "," : "");
  }
  g_string_append(json, "}\n");
  g_autofree char *json_path = g_build_filename(photos, ".ratings_tags.json", NULL);
  g_file_set_contents(json_path, json->str, (gssize)json->len, NULL);
  g_string_free(json, TRUE);
  /* Decisions made in derush are never overridden by an import: start
   * from a catalog where the import has something to do. */
  g_autofree char *db2 = g_build_filename(argv[1], "import.db", NULL);
  derush_catalog_close(cat);
  cat = derush_catalog_open(db2, &error);
  check(cat != NULL, error);
  check(_derush_catalog_begin(cat, &error), error);
  for (int i = 0; i < n; i++) {
    g_autofree char *name = g_strdup_printf("IMG_%05d.JPG", i);
    g_autofree char *path = g_build_filename(photos, name, NULL);
    DerushPhotoRecord rec = {.path = path,
                             .dir = photos,
                             .name = name,
                             .size = i,
                             .mtime_ns = i,
                             .content_hash = (guint64)i + 1,
                             .meta = &meta};
    check(_derush_catalog_upsert_photo(cat, &rec, NULL, &error), error);
  }
  check(_derush_catalog_commit(cat, &error), error);
  DerushImportSummary isum;
  for (int round = 0; round < 2; round++) {
    t = now_s();
    check(derush_catalog_import_photo_derush(cat, photos, NULL, NULL, &isum, &error), error);
    printf("import_%s_s: %.3f for %" G_GINT64_FORMAT " entries (%" G_GINT64_FORMAT " changes)\n",
           round ? "again" : "first", now_s() - t, isum.entries, isum.changed);
  }
  derush_catalog_close(cat);
  g_free(ids);
  g_free(lat);
  derush_shutdown();
  return 0;
}
