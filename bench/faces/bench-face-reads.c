/* bench-face-reads.c: what the app pays to know every photo's faces.
 *
 * derush-gtk reads a folder's faces in one query on its analyzer's worker
 * (derush_catalog_foreach_faces), after each analysis and retrain, so that
 * its cells draw "Eyes closed" and "Face soft" from a hash lookup. The
 * alternative, one derush_catalog_get_faces() per photo (what a cell would
 * do if it asked for its own photo), is timed beside it on the same
 * catalog: N synthetic photos under one folder, a face run each, 0-3 faces
 * per photo (mean 1.5), a quarter of them with closed eyes.
 *
 * usage: derush-bench-face-reads [N] (default 100000); prints one JSON
 * object on one line, CPU seconds (the folder-wide read: best of 3). */
#include "catalog/faces-store.h"
#include "detect/face-detect.h"
#include <stdio.h>
#include <time.h>
#include "bench-util.h"

static gboolean
count_cb(gint64 id, const char *path, const DerushFace *faces, int n, gpointer user_data)
{
  gint64 *counts = user_data;
  counts[0]++;
  counts[1] += n;
  for (int i = 0; i < n; i++)
    counts[2] += derush_face_eyes_closed(&faces[i]);
  return TRUE;
}

int
main(int argc, char **argv)
{
  if (!derush_init(argv[0], NULL))
    return 2;
  int n = argc > 1 ? atoi(argv[1]) : 100000;
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp("derush-bench-faces-XXXXXX", &error);
  g_assert_no_error(error);
  g_autofree char *db = g_build_filename(tmp, "cat.db", NULL);
  g_autofree char *dir = g_build_filename(tmp, "photos", NULL);
  DerushCatalog *cat = derush_catalog_open(db, &error);
  g_assert_no_error(error);

  /* The photos and their faces, in one transaction. */
  double start = bench_cpu_seconds();
  g_assert_true(_derush_catalog_begin(cat, &error));
  GPtrArray *paths = g_ptr_array_new_with_free_func(g_free);
  for (int i = 0; i < n; i++) {
    g_autofree char *name = g_strdup_printf("IMG_%06d.JPG", i);
    char *path = g_build_filename(dir, name, NULL);
    g_ptr_array_add(paths, path);
    DerushMeta meta;
    derush_meta_init(&meta);
    DerushPhotoRecord rec = {.path = path,
                             .dir = dir,
                             .name = name,
                             .ino = i + 1,
                             .size = 1000 + i,
                             .mtime_ns = i,
                             .content_hash = (guint64)i * 2654435761u + 1,
                             .meta = &meta};
    gint64 id = 0;
    g_assert_true(_derush_catalog_upsert_photo(cat, &rec, &id, &error));
    DerushFace faces[3];
    int k = i % 4; /* 0, 1, 2, 3 faces: mean 1.5 */
    for (int j = 0; j < k; j++) {
      float open = (i + j) % 4 == 0 ? 0.1f : 0.95f;
      faces[j] = (DerushFace){.box = {10.f * j, 10, 10.f * j + 50, 60},
                              .score = 0.9f,
                              .eyes_open = {open, open},
                              .sharpness = 1.0f,
                              .area = 0.01f};
    }
    g_assert_true(_derush_faces_store(cat, id, rec.content_hash, faces, k, &error));
    derush_meta_clear(&meta);
  }
  g_assert_true(_derush_catalog_commit(cat, &error));
  double fill = bench_cpu_seconds() - start;

  /* Folder-wide: one query (best of 3). */
  gint64 counts[3] = {0};
  double one_query = G_MAXDOUBLE;
  for (int run = 0; run < 3; run++) {
    memset(counts, 0, sizeof counts);
    start = bench_cpu_seconds();
    g_assert_true(derush_catalog_foreach_faces(cat, dir, count_cb, counts, &error));
    one_query = MIN(one_query, bench_cpu_seconds() - start);
  }
  g_assert_cmpint(counts[0], ==, n);

  /* Per photo: one call each (one run: it is the slow side). */
  gint64 per_faces = 0;
  start = bench_cpu_seconds();
  for (guint i = 0; i < paths->len; i++) {
    GArray *faces = NULL;
    g_assert_true(derush_catalog_get_faces(cat, paths->pdata[i], &faces, &error));
    per_faces += faces->len;
    g_array_unref(faces);
  }
  double per_photo = bench_cpu_seconds() - start;
  g_assert_cmpint(per_faces, ==, counts[1]);

  printf("{\"photos\": %d, \"faces\": %" G_GINT64_FORMAT ", \"closed\": %" G_GINT64_FORMAT
         ", \"fill_cpu_s\": %.3f, \"foreach_faces_cpu_s\": %.3f,"
         " \"get_faces_per_photo_cpu_s\": %.3f,"
         " \"ratio\": %.1f}\n",
         n, counts[1], counts[2], fill, one_query, per_photo, per_photo / one_query);
  g_ptr_array_unref(paths);
  derush_catalog_close(cat);
  g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", tmp);
  if (system(cmd) != 0)
    g_printerr("could not remove %s\n", tmp);
  return 0;
}
