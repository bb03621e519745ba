/* bench-nn.c: derush's executor on one model and input tensor: load time,
 * first forward (plan build included), median and minimum of RUNS forwards,
 * peak RSS, CPU time (all threads) per forward.  One JSON line on stdout; bench/nn.sh runs it
 * beside OpenCV DNN and ONNX Runtime on the same tensor.
 *
 *   derush-bench-nn MODEL INPUT.f32 N,C,H,W RUNS */
#include "derush.h"
#include "nn/nn.h"
#include "nn/plan.h" /* _derush_nn_cpu_us */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static long
status_kb(const char *key)
{
  g_autofree char *s = NULL;
  if (!g_file_get_contents("/proc/self/status", &s, NULL, NULL))
    return -1;
  const char *p = strstr(s, key);
  return p ? strtol(p + strlen(key) + 1, NULL, 10) : -1;
}

int
main(int argc, char **argv)
{
  if (argc != 5) {
    fprintf(stderr, "usage: %s MODEL INPUT.f32 N,C,H,W RUNS\n", argv[0]);
    return 2;
  }
  int64_t shape[4];
  if (sscanf(argv[3], "%" SCNd64 ",%" SCNd64 ",%" SCNd64 ",%" SCNd64, &shape[0], &shape[1],
             &shape[2], &shape[3]) != 4)
    return 2;
  int runs = atoi(argv[4]);
  /* As derush does: idle OpenMP threads spin briefly, then sleep. */
  derush_restart_with_idle_threads(argv);
  g_autofree char *data = NULL;
  gsize len;
  g_autoptr(GError) error = NULL;
  if (!g_file_get_contents(argv[2], &data, &len, &error)) {
    fprintf(stderr, "%s\n", error->message);
    return 1;
  }
  long rss0 = status_kb("VmRSS:");
  gint64 t0 = g_get_monotonic_time();
  g_autoptr(DerushNnModel) m = _derush_nn_model_load(argv[1], &error);
  gint64 t1 = g_get_monotonic_time();
  if (!m || !_derush_nn_model_run(m, (const float *)data, shape, 4, &error)) {
    fprintf(stderr, "%s\n", error->message);
    return 1;
  }
  gint64 t2 = g_get_monotonic_time();
  double *ms = g_new(double, MAX(runs, 1));
  gint64 cpu0 = _derush_nn_cpu_us();
  for (int i = 0; i < runs; i++) {
    gint64 a = g_get_monotonic_time();
    if (!_derush_nn_model_run(m, (const float *)data, shape, 4, &error)) {
      fprintf(stderr, "%s\n", error->message);
      return 1;
    }
    ms[i] = (g_get_monotonic_time() - a) / 1000.0;
  }
  double cpu_ms = (_derush_nn_cpu_us() - cpu0) / 1000.0 / MAX(runs, 1);
  qsort(ms, runs, sizeof(double), cmp_double);
  printf("{\"runtime\": \"derush\", \"load_ms\": %.1f, \"first_ms\": %.1f, \"median_ms\": %.2f, "
         "\"min_ms\": %.2f, \"runs\": %d, \"vmhwm_mb\": %.1f, \"rss_growth_mb\": %.1f, "
         "\"arena_mb\": %.1f, \"cpu_ms\": %.2f, \"threads_last\": %d, "
         "\"thread_switches\": %" G_GINT64_FORMAT "}\n",
         (t1 - t0) / 1000.0, (t2 - t1) / 1000.0, ms[runs / 2], ms[0], runs,
         status_kb("VmHWM:") / 1024.0, (status_kb("VmRSS:") - rss0) / 1024.0,
         _derush_nn_model_arena_bytes(m) / 1048576.0, cpu_ms, _derush_nn_model_threads(m),
         derush_counter_get(DERUSH_COUNTER_NN_THREAD_SWITCHES));
  g_free(ms);
  return 0;
}
