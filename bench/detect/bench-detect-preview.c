/* bench-detect-preview.c: the object detector per photo from the cached
 * preview, with the preview's decode timed apart: what `derush detect`
 * spends on a photo once its 512 px preview is in memory (letterbox,
 * forward, decode + NMS, detector features, embeddings, store in the
 * catalog), the target the issue sets at under 20 ms a photo.
 *
 *   derush-bench-detect-preview CATALOG MODEL_DIR [N]
 *
 * CATALOG was scanned already (its previews are in derush_catalog's cache
 * folder, DERUSH_CACHE_DIR).  The first photo builds the plan and is not
 * counted.  Stores commit every 200 photos, as derush detect does, and
 * their commits are counted.  One JSON line on stdout; bench/detect-e2e.sh
 * runs it. */
#include "catalog/catalog-private.h"
#include "detect/detect-private.h"
#include "nn/plan.h" /* _derush_nn_cpu_us */
#include <stdio.h>

#define COMMIT_EVERY 200

typedef struct {
  gint64 id;
  char *path;
  guint64 hash;
  int orientation, width, height;
} Photo;

static void
photo_clear(gpointer p)
{
  g_free(((Photo *)p)->path);
}

static gboolean
collect(const DerushPhoto *photo, gpointer user_data)
{
  GArray *photos = user_data;
  if (photo->status == DERUSH_PHOTO_OK) {
    Photo p = {photo->id,    g_strdup(photo->path), photo->content_hash, photo->meta.orientation,
               photo->width, photo->height};
    g_array_append_val(photos, p);
  }
  return TRUE;
}

static double
now_ms(void)
{
  return g_get_monotonic_time() / 1000.0;
}

/* CPU time of the process, every thread (oneDNN's, libvips'). */
static double
cpu_ms(void)
{
  return _derush_nn_cpu_us() / 1000.0;
}

static int
cmp_double(gconstpointer a, gconstpointer b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static void
print_stat(const char *name, GArray *v)
{
  double sum = 0;
  for (guint i = 0; i < v->len; i++)
    sum += g_array_index(v, double, i);
  g_array_sort(v, cmp_double);
  printf("\"%s_ms\": {\"mean\": %.2f, \"median\": %.2f, \"min\": %.2f}, ", name,
         v->len ? sum / v->len : 0, v->len ? g_array_index(v, double, v->len / 2) : 0,
         v->len ? g_array_index(v, double, 0) : 0);
}

int
main(int argc, char **argv)
{
  if (argc < 3 || argc > 4) {
    fprintf(stderr, "usage: %s CATALOG MODEL_DIR [N]\n", argv[0]);
    return 2;
  }
  gint64 limit = argc == 4 ? g_ascii_strtoll(argv[3], NULL, 10) : 0;
  /* As derush does: idle OpenMP threads spin briefly, then sleep. */
  derush_restart_with_idle_threads(argv);
  g_autoptr(GError) error = NULL;
  if (!derush_init(argv[0], &error) || !derush_init_decoders(&error)) {
    fprintf(stderr, "derush_init: %s\n", error->message);
    return 2;
  }
  g_autoptr(DerushCatalog) cat = derush_catalog_open(argv[1], &error);
  DerushDetector *det = cat ? _derush_detector_get(argv[2], &error) : NULL;
  g_autoptr(GArray) photos = g_array_new(FALSE, FALSE, sizeof(Photo));
  g_array_set_clear_func(photos, photo_clear);
  if (!det || !derush_catalog_foreach_photo(cat, NULL, collect, photos, &error)) {
    fprintf(stderr, "%s\n", error->message);
    return 1;
  }
  if (limit > 0 && photos->len > limit)
    g_array_set_size(photos, (guint)limit);
  const char *cache_dir = derush_catalog_get_cache_dir(cat);
  g_autoptr(GArray) decode = g_array_new(FALSE, FALSE, sizeof(double));
  g_autoptr(GArray) detect = g_array_new(FALSE, FALSE, sizeof(double));
  g_autoptr(GArray) store = g_array_new(FALSE, FALSE, sizeof(double));
  g_autoptr(GArray) total = g_array_new(FALSE, FALSE, sizeof(double));
  double cpu = 0, commit_ms = 0;
  int failed = 0, in_tx = 0;
  for (guint i = 0; i < photos->len; i++) {
    const Photo *p = &g_array_index(photos, Photo, i);
    g_autoptr(GError) err = NULL;
    double t0 = now_ms();
    g_autoptr(VipsImage) lazy =
        _derush_preview_image(cache_dir, p->path, p->hash, p->orientation, DERUSH_THUMB_CACHE_SIZE,
                              DERUSH_PREVIEW_STRICT, NULL, NULL, &err);
    /* libvips decodes lazily: the pixels are in memory only after this. */
    g_autoptr(VipsImage) preview = lazy ? vips_image_copy_memory(lazy) : NULL;
    double t1 = now_ms(), c1 = cpu_ms();
    DerushDetectResult res;
    gboolean ok = preview && _derush_detect_preview(det, preview, p->width, p->height, &res, &err);
    double t2 = now_ms();
    if (ok && !in_tx) {
      ok = _derush_catalog_begin(cat, &err);
      in_tx = ok;
    }
    ok = ok && _derush_detect_store(cat, p->id, p->hash, &res, &err);
    if (preview)
      _derush_detect_result_clear(&res);
    double t3 = now_ms(), c3 = cpu_ms();
    if (in_tx && (i % COMMIT_EVERY == COMMIT_EVERY - 1 || i + 1 == photos->len)) {
      double a = now_ms();
      if (!_derush_catalog_commit(cat, &err))
        ok = FALSE;
      in_tx = 0;
      commit_ms += now_ms() - a;
      cpu += cpu_ms() - c3;
    }
    if (!ok) {
      failed++;
      continue;
    }
    if (i == 0) /* the plan is built on the first forward */
      continue;
    g_array_append_val(decode, (double){t1 - t0});
    g_array_append_val(detect, (double){t2 - t1});
    g_array_append_val(store, (double){t3 - t2});
    g_array_append_val(total, (double){t3 - t1});
    cpu += c3 - c1;
  }
  guint n = MAX(total->len, 1);
  printf("{\"runtime\": \"derush preview->store\", \"photos\": %u, \"failed\": %d, ", total->len,
         failed);
  print_stat("decode", decode);
  print_stat("detect", detect);
  print_stat("store", store);
  print_stat("no_decode", total);
  printf("\"commit_ms_per_photo\": %.3f, \"cpu_ms_per_photo\": %.2f}\n", commit_ms / n, cpu / n);
  _derush_detector_release();
  derush_shutdown();
  return 0;
}
