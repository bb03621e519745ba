/* bench-faces.c: face detection + eye state per photo (bench/faces/run.sh;
 * README.md there).
 *
 *     derush-bench-faces MODEL_DIR FILE...
 *
 * Decodes every FILE to its 512 px preview first (not timed: the analysis
 * has it already), then, on one thread, runs _derush_faces_find on each
 * preview --runs times (3) and keeps the fastest run: YuNet on the preview
 * padded to multiples of 32, the coarse pass when it finds none but hints at
 * a large face, plus the eye crops (2 x 15 per
 * face, one batched forward per photo). The larger decode of small faces is left out (no decoder
 * is given), so the figure is the models' cost, as OpenCV DNN's in bench/faces/opencv-faces.py.
 * That is the latency (one photo at a time, the executor's threads on it), then again with one
 * thread (latency_1_thread: OpenMP's fork and join on each of YuNet's ~100 small steps may cost
 * more than the second core gives).  Then the throughput:
 * every photo once on --jobs threads (2; one OpenMP thread each, each with its own copy of the
 * networks, as `derush analyze` runs them), after a pass that plans them: wall and CPU time per
 * photo.
 * The first photo's first run (the executor plans the network) is reported apart. Prints one
 * JSON object, with the process CPU time of each stage (mean per photo, last run). */
#include "detect/face-detect.h"
#include "nn/nn-threads.h"
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include "bench-util.h"

static double
rss_mb(void)
{
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024.0;
}

/* The throughput pass: --jobs threads take the photos in turn. */
typedef struct {
  DerushFaceModels *m;
  const DerushFaceImage *pv;
  int n;
  gint next;
  gint failed;
} Queue;

static gpointer
throughput_worker(gpointer data)
{
  Queue *q = data;
  for (int i; (i = g_atomic_int_add(&q->next, 1)) < q->n;) {
    g_autoptr(GArray) found = g_array_new(FALSE, FALSE, sizeof(DerushFace));
    g_autoptr(GError) error = NULL;
    if (!_derush_faces_find(q->m, &q->pv[i], 0, 0, NULL, NULL, NULL, found, NULL, &error))
      g_atomic_int_set(&q->failed, 1);
  }
  return NULL;
}

static double
cpu_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* The latency pass: each photo @runs times, the fastest kept. */
typedef struct {
  double first_ms; /* the first photo's first run: the executor plans here */
  double wall_mean, wall_median, cpu_mean, cpu_median;
  int faces, coarse, eye_forwards, plans_built;
  /* Per stage, summed over the last run of every photo (microseconds). */
  gint64 preview_us, coarse_us, eye_crop_us, eye_nn_us;
} Latency;

/* @threads: each forward's OpenMP threads (0: the executor's policy). */
static gboolean
latency(DerushFaceModels *m, const DerushFaceImage *pv, int n, int runs, int threads, Latency *l)
{
  memset(l, 0, sizeof *l);
  _nn_threads_pin(threads);
  double *wall = g_new(double, n), *cpu = g_new(double, n);
  gboolean ok = TRUE;
  for (int i = 0; i < n && ok; i++) {
    wall[i] = cpu[i] = G_MAXDOUBLE;
    for (int r = 0; r < runs && ok; r++) {
      g_autoptr(GArray) found = g_array_new(FALSE, FALSE, sizeof(DerushFace));
      g_autoptr(GError) error = NULL;
      double w0 = g_get_monotonic_time() / 1000.0, c0 = cpu_ms();
      DerushFacesPasses passes;
      if (!(ok = _derush_faces_find(m, &pv[i], 0, 0, NULL, NULL, NULL, found, &passes, &error))) {
        fprintf(stderr, "photo %d: %s\n", i, error->message);
        break;
      }
      double w = g_get_monotonic_time() / 1000.0 - w0, c = cpu_ms() - c0;
      l->plans_built += passes.plans_built;
      if (i == 0 && r == 0) {
        l->first_ms = w;
        continue;
      }
      wall[i] = MIN(wall[i], w);
      cpu[i] = MIN(cpu[i], c);
      if (r == runs - 1) {
        l->faces += found->len;
        l->coarse += passes.coarse;
        l->eye_forwards += passes.eye_forwards;
        l->preview_us += passes.preview_us;
        l->coarse_us += passes.coarse_us;
        l->eye_crop_us += passes.eye_crop_us;
        l->eye_nn_us += passes.eye_nn_us;
      }
    }
  }
  _nn_threads_pin(0);
  qsort(wall, n, sizeof(double), bench_cmp_double);
  qsort(cpu, n, sizeof(double), bench_cmp_double);
  for (int i = 0; i < n; i++) {
    l->wall_mean += wall[i] / n;
    l->cpu_mean += cpu[i] / n;
  }
  l->wall_median = wall[n / 2];
  l->cpu_median = cpu[n / 2];
  g_free(wall);
  g_free(cpu);
  return ok;
}

/* All photos once on @jobs threads, each forward on one OpenMP thread,
 * after a pass that plans each copy of the networks: wall and CPU
 * milliseconds per photo. */
static void
throughput(DerushFaceModels *m, const DerushFaceImage *pv, int n, int jobs, double *wall_ms,
           double *cpu_ms_out)
{
  _nn_threads_pin(1);
  for (int pass = 0; pass < 2; pass++) {
    Queue q = {m, pv, n, 0, 0};
    GThread **t = g_new(GThread *, jobs);
    double w0 = g_get_monotonic_time() / 1000.0, c0 = cpu_ms();
    for (int j = 0; j < jobs; j++)
      t[j] = g_thread_new("faces", throughput_worker, &q);
    for (int j = 0; j < jobs; j++)
      g_thread_join(t[j]);
    *wall_ms = (g_get_monotonic_time() / 1000.0 - w0) / n;
    *cpu_ms_out = (cpu_ms() - c0) / n;
    g_free(t);
    if (q.failed) {
      fprintf(stderr, "throughput pass: a photo failed\n");
      exit(2);
    }
  }
  _nn_threads_pin(0);
}

int
main(int argc, char **argv)
{
  int runs = 3, jobs = 2;
  GOptionEntry entries[] = {{"runs", 0, 0, G_OPTION_ARG_INT, &runs, "Runs per photo", "N"},
                            {"jobs", 0, 0, G_OPTION_ARG_INT, &jobs,
                             "Photos at once in the throughput pass (0: none)", "N"},
                            {NULL}};
  g_autoptr(GOptionContext) ctx = g_option_context_new("MODEL_DIR FILE...");
  g_option_context_add_main_entries(ctx, entries, NULL);
  g_autoptr(GError) error = NULL;
  if (!g_option_context_parse(ctx, &argc, &argv, &error) || argc < 3) {
    fprintf(stderr, "usage: %s MODEL_DIR FILE...\n", argv[0]);
    return 2;
  }
  runs = MAX(runs, 2); /* the first photo's first run plans: it is not kept */
  if (!derush_init(argv[0], &error)) {
    fprintf(stderr, "%s\n", error->message);
    return 2;
  }
  double t0 = g_get_monotonic_time() / 1000.0;
  DerushFaceModels *m = _derush_face_models_get(argv[1], &error);
  if (!m) {
    fprintf(stderr, "%s\n", error->message);
    return 2;
  }
  double load_ms = g_get_monotonic_time() / 1000.0 - t0;
  int n = argc - 2;
  DerushFaceImage *pv = g_new0(DerushFaceImage, n);
  for (int i = 0; i < n; i++) {
    VipsImage *t = NULL, *s = NULL;
    if (vips_thumbnail(argv[i + 2], &t, DERUSH_THUMB_CACHE_SIZE, "size", VIPS_SIZE_DOWN, NULL) ||
        vips_colourspace(t, &s, VIPS_INTERPRETATION_sRGB, NULL)) {
      fprintf(stderr, "%s: cannot decode\n", argv[i + 2]);
      return 2;
    }
    VipsImage *rgb = NULL;
    if (s->Bands > 3)
      vips_extract_band(s, &rgb, 0, "n", 3, NULL);
    else
      rgb = g_object_ref(s);
    size_t len;
    pv[i].rgb = vips_image_write_to_memory(rgb, &len);
    pv[i].width = rgb->Xsize;
    pv[i].height = rgb->Ysize;
    pv[i].stride = (gsize)rgb->Xsize * 3;
    g_object_unref(rgb);
    g_object_unref(s);
    g_object_unref(t);
  }
  Latency lat, lat1;
  if (!latency(m, pv, n, runs, 0, &lat) || !latency(m, pv, n, runs, 1, &lat1))
    return 2;
  double tp_wall = 0, tp_cpu = 0;
  if (jobs > 0)
    throughput(m, pv, n, jobs, &tp_wall, &tp_cpu);
  printf("{\"tool\": \"derush\", \"photos\": %d, \"faces\": %d, \"load_ms\": %.1f, "
         "\"first_run_ms\": %.1f, \"wall_ms_mean\": %.2f, \"wall_ms_median\": %.2f, "
         "\"cpu_ms_mean\": %.2f, \"cpu_ms_median\": %.2f, \"coarse_passes\": %d, "
         "\"eye_forwards\": %d, \"plans_built\": %d, \"max_rss_mb\": %.0f, \"stage_ms_mean\": "
         "{\"yunet_preview\": %.2f, "
         "\"yunet_coarse\": %.2f, \"eye_crops\": %.2f, \"eye_forward\": %.2f}, "
         "\"latency_1_thread\": {\"wall_ms_median\": %.2f, \"cpu_ms_median\": %.2f}, "
         "\"throughput\": {\"jobs\": %d, \"threads_per_job\": 1, \"wall_ms_per_photo\": %.2f, "
         "\"cpu_ms_per_photo\": %.2f}}\n",
         n, lat.faces, load_ms, lat.first_ms, lat.wall_mean, lat.wall_median, lat.cpu_mean,
         lat.cpu_median, lat.coarse, lat.eye_forwards, lat.plans_built, rss_mb(),
         lat.preview_us / 1e3 / n, lat.coarse_us / 1e3 / n, lat.eye_crop_us / 1e3 / n,
         lat.eye_nn_us / 1e3 / n, lat1.wall_median, lat1.cpu_median, jobs, tp_wall, tp_cpu);
  for (int i = 0; i < n; i++)
    g_free(pv[i].rgb);
  g_free(pv);
  return 0;
}
