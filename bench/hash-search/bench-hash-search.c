/* bench-hash-search.c: times the exact near-duplicate pair search
 * (src/group/near-dup-index.c) on a million synthetic 64-bit hashes.
 *
 * The hashes are uniform random ones plus planted clusters: a random centre
 * and copies of it with 0..8 distinct bits flipped, so the answer has a
 * known part (every centre-copy pair is within 8) and realistic volume.
 * Prints one JSON object on one line; see README.md. */
#include "group/near-dup-index.h"
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include "bench-util.h"

/* @n hashes: @n_clusters clusters of @cluster_size (a centre and copies with
 * 0..@max_flips distinct bits flipped), the rest random, at shuffled
 * positions. The centre-copy pairs (as i < j) go to @planted. */
static guint64 *
generate(gsize n, gsize n_clusters, int cluster_size, int max_flips, double bias, guint64 seed,
         GArray *planted)
{
  guint64 state = seed;
  guint64 *hashes = g_new(guint64, n);
  g_autofree guint32 *pos = g_new(guint32, n);
  for (gsize i = 0; i < n; i++)
    pos[i] = (guint32)i;
  for (gsize i = n - 1; i > 0; i--) {
    gsize j = bench_random(&state) % (i + 1);
    guint32 t = pos[i];
    pos[i] = pos[j];
    pos[j] = t;
  }
  gsize t = 0;
  for (gsize c = 0; c < n_clusters && t + cluster_size <= n; c++) {
    guint64 centre = bench_random_hash(&state, bias);
    guint32 centre_pos = pos[t];
    hashes[pos[t++]] = centre;
    for (int k = 1; k < cluster_size; k++) {
      int flips = (int)(bench_random(&state) % (guint64)(max_flips + 1));
      guint64 h = centre, flipped = 0;
      while (flips > 0) {
        guint64 bit = 1ULL << (bench_random(&state) % 64);
        if (flipped & bit)
          continue;
        flipped |= bit;
        h ^= bit;
        flips--;
      }
      guint32 copy_pos = pos[t];
      hashes[pos[t++]] = h;
      DerushNearDupPair p = {MIN(centre_pos, copy_pos), MAX(centre_pos, copy_pos), 0};
      g_array_append_val(planted, p);
    }
  }
  for (; t < n; t++)
    hashes[pos[t]] = bench_random_hash(&state, bias);
  return hashes;
}

/* TRUE when (@i, @j) is in @pairs (sorted by (i, j)). */
static gboolean
has_pair(GArray *pairs, guint32 i, guint32 j)
{
  gsize lo = 0, hi = pairs->len;
  while (lo < hi) {
    gsize mid = (lo + hi) / 2;
    DerushNearDupPair *p = &g_array_index(pairs, DerushNearDupPair, mid);
    if (p->i < i || (p->i == i && p->j < j))
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo == pairs->len)
    return FALSE;
  DerushNearDupPair *p = &g_array_index(pairs, DerushNearDupPair, lo);
  return p->i == i && p->j == j;
}

/* Same pairs, same distances, same order. */
static gboolean
same_pairs(GArray *a, GArray *b)
{
  return a->len == b->len &&
         memcmp(a->data, b->data, (gsize)a->len * sizeof(DerushNearDupPair)) == 0;
}

int
main(int argc, char **argv)
{
  gint64 n = 1000000, check_n = 20000;
  int radius = 8, threads = 2, runs = 3, cluster_size = 5, max_flips = 8;
  double cluster_fraction = 0.1, bias = 0;
  gint64 seed = 42;
  gboolean brute_full = FALSE;
  GOptionEntry entries[] = {
      {"n", 0, 0, G_OPTION_ARG_INT64, &n, "Hashes to search (1000000)", "N"},
      {"radius", 0, 0, G_OPTION_ARG_INT, &radius, "Hamming radius (8)", "R"},
      {"threads", 0, 0, G_OPTION_ARG_INT, &threads, "Threads (2; 0 = one per core)", "T"},
      {"runs", 0, 0, G_OPTION_ARG_INT, &runs, "Timed runs (3)", "K"},
      {"check-n", 0, 0, G_OPTION_ARG_INT64, &check_n, "Brute-force check set size (20000)", "N"},
      {"cluster-fraction", 0, 0, G_OPTION_ARG_DOUBLE, &cluster_fraction,
       "Share of hashes in planted clusters (0.1)", "F"},
      {"cluster-size", 0, 0, G_OPTION_ARG_INT, &cluster_size, "Hashes per cluster (5)", "S"},
      {"max-flips", 0, 0, G_OPTION_ARG_INT, &max_flips, "Most bits flipped in a copy (8)", "B"},
      {"bias", 0, 0, G_OPTION_ARG_DOUBLE, &bias, "Bit skew of random hashes, 0..0.5 (0)", "P"},
      {"seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Generator seed (42)", "S"},
      {"brute-full", 0, 0, G_OPTION_ARG_NONE, &brute_full,
       "Also brute-force all N (minutes at 1e6)", NULL},
      {NULL},
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new("- time the exact Hamming pair search");
  g_option_context_add_main_entries(ctx, entries, NULL);
  g_autoptr(GError) error = NULL;
  if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
    g_printerr("%s\n", error->message);
    return 2;
  }
  if (n < 2 || n > G_MAXUINT32 || runs < 1 || radius < 0 || radius > 64 || cluster_size < 2 ||
      max_flips < 0 || max_flips > 64) {
    g_printerr("bad arguments\n");
    return 2;
  }

  gsize n_clusters = (gsize)(n * cluster_fraction / cluster_size);
  g_autoptr(GArray) planted = g_array_new(FALSE, FALSE, sizeof(DerushNearDupPair));
  g_autofree guint64 *hashes =
      generate((gsize)n, n_clusters, cluster_size, max_flips, bias, (guint64)seed, planted);

  g_autofree double *build_s = g_new(double, runs);
  g_autofree double *search_s = g_new(double, runs);
  g_autofree double *total_s = g_new(double, runs);
  g_autofree double *cpu_s = g_new(double, runs);
  g_autoptr(GArray) pairs = NULL;
  DerushNearDupStats stats = {0};
  for (int r = 0; r < runs; r++) {
    g_clear_pointer(&pairs, g_array_unref);
    double c0 = bench_cpu_seconds();
    gint64 t0 = g_get_monotonic_time();
    g_autoptr(DerushNearDupIndex) index = _derush_near_dup_index_new(hashes, (gsize)n, radius);
    gint64 t1 = g_get_monotonic_time();
    pairs = _derush_near_dup_pairs(index, radius, threads, &stats);
    gint64 t2 = g_get_monotonic_time();
    build_s[r] = (t1 - t0) / 1e6;
    search_s[r] = (t2 - t1) / 1e6;
    total_s[r] = (t2 - t0) / 1e6;
    cpu_s[r] = bench_cpu_seconds() - c0;
  }
  gsize planted_found = 0;
  for (guint k = 0; k < planted->len; k++) {
    DerushNearDupPair *p = &g_array_index(planted, DerushNearDupPair, k);
    planted_found += has_pair(pairs, p->i, p->j);
  }
  double total_min = total_s[0];
  for (int r = 1; r < runs; r++)
    total_min = MIN(total_min, total_s[r]);
  qsort(total_s, runs, sizeof(double), bench_cmp_double);
  qsort(build_s, runs, sizeof(double), bench_cmp_double);
  qsort(search_s, runs, sizeof(double), bench_cmp_double);
  qsort(cpu_s, runs, sizeof(double), bench_cmp_double);

  /* Exactness on a smaller set of the same mix, where brute force is fast. */
  gsize check_clusters = (gsize)(check_n * cluster_fraction / cluster_size);
  g_autoptr(GArray) check_planted = g_array_new(FALSE, FALSE, sizeof(DerushNearDupPair));
  g_autofree guint64 *check = generate((gsize)check_n, check_clusters, cluster_size, max_flips,
                                       bias, (guint64)seed + 1, check_planted);
  g_autoptr(DerushNearDupIndex) check_index =
      _derush_near_dup_index_new(check, (gsize)check_n, radius);
  g_autoptr(GArray) check_mih = _derush_near_dup_pairs(check_index, radius, threads, NULL);
  gint64 tb0 = g_get_monotonic_time();
  g_autoptr(GArray) check_brute =
      _derush_near_dup_pairs_brute(check, (gsize)check_n, radius, threads);
  double brute_check_s = (g_get_monotonic_time() - tb0) / 1e6;
  gboolean check_equal = same_pairs(check_mih, check_brute);

  int full_equal = -1; /* not checked */
  double brute_full_s = 0;
  if (brute_full) {
    gint64 t0 = g_get_monotonic_time();
    g_autoptr(GArray) all = _derush_near_dup_pairs_brute(hashes, (gsize)n, radius, threads);
    brute_full_s = (g_get_monotonic_time() - t0) / 1e6;
    full_equal = same_pairs(all, pairs);
  }

  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  printf("{\"bench\": \"hash-search\", \"n\": %" G_GINT64_FORMAT ", \"radius\": %d, "
         "\"threads\": %d, \"runs\": %d, \"substrings\": %d, \"substring_radius\": %d, "
         "\"brute_force_fallback\": %s, \"cluster_size\": %d, \"clusters\": %zu, "
         "\"max_flips\": %d, \"bias\": %g, \"seed\": %" G_GINT64_FORMAT ", "
         "\"pairs\": %u, \"planted_pairs\": %u, \"planted_found\": %zu, "
         "\"candidates\": %" G_GUINT64_FORMAT ", "
         "\"seconds_min\": %.3f, \"seconds_median\": %.3f, \"build_seconds_median\": %.3f, "
         "\"search_seconds_median\": %.3f, \"cpu_seconds_median\": %.3f, "
         "\"check_n\": %" G_GINT64_FORMAT ", \"check_pairs_mih\": %u, "
         "\"check_pairs_brute\": %u, \"check_equal\": %s, \"check_brute_seconds\": %.3f, "
         "\"full_brute_equal\": %s, \"full_brute_seconds\": %.3f, \"max_rss_mb\": %.1f}\n",
         n, radius, threads, runs, stats.n_substrings, stats.substring_radius,
         stats.brute_force ? "true" : "false", cluster_size, n_clusters, max_flips, bias, seed,
         pairs->len, planted->len, planted_found, stats.candidates, total_min, total_s[runs / 2],
         build_s[runs / 2], search_s[runs / 2], cpu_s[runs / 2], check_n, check_mih->len,
         check_brute->len, check_equal ? "true" : "false", brute_check_s,
         full_equal < 0 ? "null" : (full_equal ? "true" : "false"), brute_full_s,
         ru.ru_maxrss / 1024.0);
  return check_equal && planted_found == planted->len && full_equal != 0 ? 0 : 1;
}
