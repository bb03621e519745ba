/* bench-analysis.c: where the time of `derush analyze` goes, per photo, on
 * real files (bench/run.sh, section "analysis"; README.md).
 *
 * For each file of a list, on one thread, as the scanner and the analyzer
 * do it: the 512 px preview decoded from the original (the scanner's one
 * decode), stored in a thumbnail cache, read back from it (the analyzer's
 * one decode), then the feature vector and the perceptual hashes from its
 * pixels, each stage timed on its own. The features and hashes are computed
 * --runs times per photo and the fastest run kept (the photo's cost without
 * the machine's noise). Prints one JSON object on one line. */
#include "quality/features.h"
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

enum { ST_ORIGINAL, ST_PREVIEW, ST_FEATURES, ST_HASHES, N_STAGES };
static const char *const stage_names[N_STAGES] = {"decode_original", "decode_preview", "features",
                                                  "hashes"};

static double
now_ms(void)
{
  return g_get_monotonic_time() / 1000.0;
}

/* CPU time of the whole process (libvips' worker threads included), ms:
 * on a loaded machine the wall time of a stage grows, its CPU time much
 * less. */
static double
cpu_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double
cpu_seconds(void)
{
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
         (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static int
cmp_double(gconstpointer a, gconstpointer b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* "name_ms": {"mean": ..., "median": ..., "p90": ...} of @v (sorted here). */
static void
print_stats(GString *out, const char *name, const char *suffix, GArray *v)
{
  double sum = 0;
  for (guint i = 0; i < v->len; i++)
    sum += g_array_index(v, double, i);
  g_array_sort(v, cmp_double);
  double mean = v->len ? sum / v->len : 0;
  double median = v->len ? g_array_index(v, double, v->len / 2) : 0;
  double p90 = v->len ? g_array_index(v, double, MIN(v->len - 1, (guint)(0.9 * v->len))) : 0;
  g_string_append_printf(out,
                         "\"%s%s_ms\": {\"mean\": %.3f, \"median\": %.3f, \"p90\": %.3f, "
                         "\"total_s\": %.3f}, ",
                         name, suffix, mean, median, p90, sum / 1000.0);
}

/* Removes the temporary cache folder and what it holds. */
static void
remove_tree(const char *path)
{
  GDir *dir = g_dir_open(path, 0, NULL);
  if (dir) {
    const char *name;
    while ((name = g_dir_read_name(dir))) {
      g_autofree char *child = g_build_filename(path, name, NULL);
      if (g_file_test(child, G_FILE_TEST_IS_DIR) && !g_file_test(child, G_FILE_TEST_IS_SYMLINK))
        remove_tree(child);
      else
        g_unlink(child);
    }
    g_dir_close(dir);
  }
  g_rmdir(path);
}

static GPtrArray *
read_list(const char *path, GError **error)
{
  g_autofree char *text = NULL;
  if (!g_file_get_contents(path, &text, NULL, error))
    return NULL;
  GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  for (int i = 0; lines[i]; i++)
    if (lines[i][0])
      g_ptr_array_add(files, g_strdup(lines[i]));
  return files;
}

int
main(int argc, char **argv)
{
  int runs = 3;
  gint64 limit = 0;
  const char *cache_opt = NULL;
  GOptionEntry entries[] = {
      {"runs", 0, 0, G_OPTION_ARG_INT, &runs, "Feature and hash runs per photo, fastest kept (3)",
       "K"},
      {"limit", 0, 0, G_OPTION_ARG_INT64, &limit, "Only the first N files of the list (all)", "N"},
      {"cache", 0, 0, G_OPTION_ARG_FILENAME, &cache_opt,
       "Thumbnail cache folder to use (a temporary one, removed after)", "DIR"},
      {NULL},
  };
  g_autoptr(GOptionContext) ctx =
      g_option_context_new("LIST - time the per-photo stages of derush analyze");
  g_option_context_add_main_entries(ctx, entries, NULL);
  g_autoptr(GError) error = NULL;
  if (!g_option_context_parse(ctx, &argc, &argv, &error) || argc != 2 || runs < 1) {
    g_printerr("%s\n", error ? error->message : "usage: derush-bench-analysis [OPTION...] LIST");
    return 2;
  }
  if (!derush_init(argv[0], &error) || !derush_init_decoders(&error)) {
    g_printerr("derush_init: %s\n", error->message);
    return 2;
  }
  g_autoptr(GPtrArray) files = read_list(argv[1], &error);
  if (!files) {
    g_printerr("%s\n", error->message);
    return 2;
  }
  if (limit > 0 && (gint64)files->len > limit)
    g_ptr_array_set_size(files, (guint)limit);
  g_autofree char *cache =
      cache_opt ? g_strdup(cache_opt) : g_dir_make_tmp("derush-bench-analysis-XXXXXX", &error);
  if (!cache) {
    g_printerr("%s\n", error->message);
    return 2;
  }

  GArray *ms[N_STAGES], *cms[N_STAGES];
  for (int s = 0; s < N_STAGES; s++) {
    ms[s] = g_array_new(FALSE, FALSE, sizeof(double));
    cms[s] = g_array_new(FALSE, FALSE, sizeof(double));
  }
  GArray *pixels = g_array_new(FALSE, FALSE, sizeof(double));
  int errors = 0, flags[3] = {0};
  double cpu0 = cpu_seconds(), wall0 = now_ms();
  for (guint i = 0; i < files->len; i++) {
    const char *path = files->pdata[i];
    g_autoptr(GError) err = NULL;
    DerushMappedFile file;
    if (!_derush_mapped_file_open(&file, path, &err)) {
      errors++;
      continue;
    }
    /* Metadata: read by the scanner and stored; the analyzer has it from
     * the catalog. Not timed. */
    DerushMeta meta;
    derush_meta_init(&meta);
    _derush_meta_read_buffer(file.data, file.len, &meta, NULL);
    guint64 hash = _derush_content_hash_buf(file.data, file.len);
    DerushImageInfo info;
    VipsImage *thumb = NULL;
    double t0 = now_ms(), c0 = cpu_ms();
    gboolean ok = _derush_image_load(file.data, file.len, path, meta.orientation,
                                     DERUSH_THUMB_CACHE_SIZE, &info, &thumb, &err);
    double t1 = now_ms(), c1 = cpu_ms();
    _derush_mapped_file_close(&file);
    if (!ok || !_derush_thumb_cache_store(cache, hash, thumb, &err)) {
      g_clear_object(&thumb);
      derush_meta_clear(&meta);
      errors++;
      continue;
    }
    g_object_unref(thumb);
    /* The analyzer's decode: the cached JPEG back into memory, as 8-bit
     * RGB (what _derush_features_compute_image() starts from). */
    double t2 = now_ms(), c2 = cpu_ms();
    VipsImage *preview = _derush_thumb_cache_lookup(cache, hash);
    VipsImage *rgb = NULL;
    if (preview) {
      if (preview->BandFmt == VIPS_FORMAT_UCHAR && preview->Bands == 3)
        rgb = vips_image_copy_memory(preview);
      else {
        g_autoptr(VipsImage) n = _derush_image_normalise(preview, NULL);
        rgb = n ? vips_image_copy_memory(n) : NULL;
      }
    }
    double t3 = now_ms(), c3 = cpu_ms();
    g_clear_object(&preview);
    if (!rgb) {
      derush_meta_clear(&meta);
      errors++;
      continue;
    }
    const guint8 *px = VIPS_IMAGE_ADDR(rgb, 0, 0);
    gsize stride = VIPS_IMAGE_SIZEOF_LINE(rgb);
    float v[DERUSH_N_FEATURES];
    DerushHashes h;
    double best_f = G_MAXDOUBLE, best_h = G_MAXDOUBLE, cpu_f = G_MAXDOUBLE, cpu_h = G_MAXDOUBLE;
    for (int r = 0; r < runs; r++) {
      double a = now_ms(), ca = cpu_ms();
      _derush_features_compute_rgb(px, rgb->Xsize, rgb->Ysize, stride, &meta, info.width,
                                   info.height, v);
      double b = now_ms(), cb = cpu_ms();
      _derush_hashes_compute_rgb(px, rgb->Xsize, rgb->Ysize, stride, &h);
      double c = now_ms(), cc = cpu_ms();
      best_f = MIN(best_f, b - a);
      best_h = MIN(best_h, c - b);
      cpu_f = MIN(cpu_f, cb - ca);
      cpu_h = MIN(cpu_h, cc - cb);
    }
    double times[N_STAGES] = {t1 - t0, t3 - t2, best_f, best_h};
    double cpus[N_STAGES] = {c1 - c0, c3 - c2, cpu_f, cpu_h};
    for (int s = 0; s < N_STAGES; s++) {
      g_array_append_val(ms[s], times[s]);
      g_array_append_val(cms[s], cpus[s]);
    }
    double mp = (double)rgb->Xsize * rgb->Ysize / 1e6;
    g_array_append_val(pixels, mp);
    flags[derush_features_exposure_flag(v)]++;
    g_object_unref(rgb);
    derush_meta_clear(&meta);
  }
  double wall = (now_ms() - wall0) / 1000.0, cpu = cpu_seconds() - cpu0;
  if (!cache_opt)
    remove_tree(cache);

  GString *out = g_string_new("{\"bench\": \"analysis\", ");
  g_string_append_printf(out, "\"files\": %u, \"ok\": %u, \"errors\": %d, \"runs\": %d, ",
                         files->len, ms[0]->len, errors, runs);
  for (int s = 0; s < N_STAGES; s++)
    print_stats(out, stage_names[s], "", ms[s]);
  for (int s = 0; s < N_STAGES; s++)
    print_stats(out, stage_names[s], "_cpu", cms[s]);
  double sum_mp = 0;
  for (guint i = 0; i < pixels->len; i++)
    sum_mp += g_array_index(pixels, double, i);
  g_string_append_printf(
      out,
      "\"preview_megapixels_mean\": %.3f, \"flags\": {\"ok\": %d, \"under\": %d, "
      "\"over\": %d}, \"seconds\": %.3f, \"cpu_seconds\": %.3f}",
      pixels->len ? sum_mp / pixels->len : 0, flags[DERUSH_EXPOSURE_OK],
      flags[DERUSH_EXPOSURE_UNDER], flags[DERUSH_EXPOSURE_OVER], wall, cpu);
  printf("%s\n", out->str);
  g_string_free(out, TRUE);
  for (int s = 0; s < N_STAGES; s++) {
    g_array_unref(ms[s]);
    g_array_unref(cms[s]);
  }
  g_array_unref(pixels);
  return errors == (int)files->len && files->len > 0 ? 1 : 0;
}
