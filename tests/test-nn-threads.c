/* test-nn-threads.c: the executor's thread policy (src/nn/nn-threads.h):
 * the decision state driven by made-up observations (contended forwards
 * throttle the spinning, probes let go, failed probes back off), the
 * throttle's team, and a model pinned to a thread count: a plan built for
 * one thread, outputs equal to the all-cores plan's, no OpenMP worker
 * running for it, the all-cores plan reused when pinned back. */
#include "nn-builder.h"
#include "nn/nn-threads.h"
#include "nn/nn.h"
#include "test-util.h"
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* A quiet forward of 10 ms, its plan's best also 10 ms. */
#define QUIET 10000, 0, 10000

static void
expect_spin(NnThreadPolicy *p, int others, gboolean want, gboolean want_probe)
{
  gboolean probe = !want_probe;
  g_assert_cmpint(_nn_policy_spin(p, others, &probe), ==, want);
  g_assert_cmpint(probe, ==, want_probe);
}

static void
test_policy(void)
{
  NnThreadPolicy p;
  _nn_policy_init(&p, 2, 2);
  expect_spin(&p, 0, TRUE, FALSE);
  /* One contended forward between quiet ones is noise. */
  _nn_policy_observe(&p, TRUE, FALSE, QUIET);
  _nn_policy_observe(&p, TRUE, FALSE, 10000, 5000, 10000);
  _nn_policy_observe(&p, TRUE, FALSE, QUIET);
  expect_spin(&p, 0, TRUE, FALSE);
  g_assert_cmpint(p.switches, ==, 0);
  /* Two in a row (slower than twice the best, then waiting for a CPU a
   * quarter of the time): throttled. */
  _nn_policy_observe(&p, TRUE, FALSE, 25000, 0, 10000);
  _nn_policy_observe(&p, TRUE, FALSE, 12000, 3000, 10000);
  g_assert_true(p.throttled);
  g_assert_cmpint(p.switches, ==, 1);
  for (int i = 0; i < NN_THREADS_PROBE_MIN; i++)
    expect_spin(&p, 0, FALSE, FALSE);
  /* Due for a probe, but another task runs: no core free for spinning. */
  expect_spin(&p, 1, FALSE, FALSE);
  expect_spin(&p, 0, TRUE, TRUE);
  /* The probe was contended: throttled again, twice as long. */
  _nn_policy_observe(&p, TRUE, TRUE, 30000, 9000, 10000);
  g_assert_true(p.throttled);
  g_assert_cmpint(p.switches, ==, 1);
  for (int i = 0; i < 2 * NN_THREADS_PROBE_MIN; i++)
    expect_spin(&p, 0, FALSE, FALSE);
  expect_spin(&p, 0, TRUE, TRUE);
  /* A throttled forward begun before the probe tells nothing. */
  _nn_policy_observe(&p, FALSE, FALSE, 30000, 20000, 10000);
  _nn_policy_observe(&p, TRUE, TRUE, QUIET);
  g_assert_false(p.throttled);
  g_assert_cmpint(p.switches, ==, 2);
  expect_spin(&p, 0, TRUE, FALSE);
  /* The back-off is capped. */
  _nn_policy_observe(&p, TRUE, FALSE, 10000, 9000, 10000);
  _nn_policy_observe(&p, TRUE, FALSE, 10000, 9000, 10000);
  for (int k = 0; k < 10; k++) {
    while (p.wait > 0)
      expect_spin(&p, 0, FALSE, FALSE);
    expect_spin(&p, 0, TRUE, TRUE);
    _nn_policy_observe(&p, TRUE, TRUE, 10000, 9000, 10000);
    g_assert_cmpint(p.every, <=, NN_THREADS_PROBE_MAX);
  }
  g_assert_cmpint(p.every, ==, NN_THREADS_PROBE_MAX);
  g_assert_cmpint(p.switches, ==, 3);

  /* With one thread a forward has no barrier to wait at. */
  NnThreadPolicy one;
  _nn_policy_init(&one, 1, 2);
  for (int i = 0; i < 4; i++)
    _nn_policy_observe(&one, TRUE, FALSE, 50000, 40000, 10000);
  expect_spin(&one, 0, TRUE, FALSE);
  g_assert_cmpint(one.switches, ==, 0);
}

static int
n_threads(void)
{
  g_autoptr(GDir) dir = g_dir_open("/proc/self/task", 0, NULL);
  int n = 0;
  while (dir && g_dir_read_name(dir))
    n++;
  return n;
}

/* Throttling holds a team of more threads than cores (what makes libgomp
 * cut its spinning short) and letting go ends it. */
static void
test_throttle(void)
{
  int ncpu = (int)g_get_num_processors();
  int before = n_threads();
  g_assert_false(_nn_threads_throttled());
  _nn_threads_throttle(TRUE);
  g_assert_true(_nn_threads_throttled());
  g_assert_cmpint(n_threads(), ==, before + ncpu + 1);
  _nn_threads_throttle(TRUE); /* held once */
  g_assert_cmpint(n_threads(), ==, before + ncpu + 1);
  _nn_threads_throttle(FALSE);
  g_assert_false(_nn_threads_throttled());
  /* The team's threads leave on their own once let go: give them up to
   * 5 s (a fresh-clone CI saw 3 threads where 1 was due right after). */
  for (int i = 0; i < 500 && n_threads() != before; i++)
    g_usleep(10000);
  g_assert_cmpint(n_threads(), ==, before);
}

/* CPU nanoseconds of every thread of this process but the caller
 * (schedstat), -1 when the kernel does not say. */
static gint64
other_threads_cpu_ns(void)
{
  g_autoptr(GDir) dir = g_dir_open("/proc/self/task", 0, NULL);
  if (!dir)
    return -1;
  g_autofree char *self = g_strdup_printf("%ld", (long)syscall(SYS_gettid));
  gint64 sum = 0;
  const char *tid;
  while ((tid = g_dir_read_name(dir))) {
    if (strcmp(tid, self) == 0)
      continue;
    g_autofree char *path = g_strdup_printf("/proc/self/task/%s/schedstat", tid);
    g_autofree char *text = NULL;
    if (!g_file_get_contents(path, &text, NULL, NULL))
      continue; /* the thread ended */
    unsigned long long run = 0;
    if (sscanf(text, "%llu", &run) != 1)
      return -1;
    sum += (gint64)run;
  }
  return sum;
}

static DerushNnModel *
conv_model(void)
{
  g_autoptr(NnBuilder) b = nnb_new(13);
  nnb_input(b, "x");
  nnb_output(b, "y");
  int64_t dw[4] = {32, 16, 3, 3}, db[1] = {32};
  g_autofree float *w = nnb_pattern(32 * 16 * 9, 7), *bias = nnb_pattern(32, 8);
  nnb_init_f32(b, "w", 4, dw, w);
  nnb_init_f32(b, "b", 1, db, bias);
  Onnx__NodeProto *c = nnb_node(b, "Conv", "conv", "x,w,b", "c");
  static const int64_t k[2] = {3, 3}, pads[4] = {1, 1, 1, 1};
  nnb_attr_ints(b, c, "kernel_shape", 2, k);
  nnb_attr_ints(b, c, "pads", 4, pads);
  nnb_node(b, "Relu", "relu", "c", "y");
  return nnb_load(b);
}

/* Runs @m @n times; returns the other threads' CPU time meanwhile. */
static gint64
run_n(DerushNnModel *m, const float *x, const int64_t *shape, int n)
{
  g_autoptr(GError) error = NULL;
  gint64 cpu0 = other_threads_cpu_ns();
  for (int i = 0; i < n; i++) {
    g_assert_true(_derush_nn_model_run(m, x, shape, 4, &error));
    g_assert_no_error(error);
  }
  gint64 cpu1 = other_threads_cpu_ns();
  return cpu0 < 0 || cpu1 < 0 ? -1 : cpu1 - cpu0;
}

static void
test_model_follows(void)
{
  int many = _nn_threads_max();
  if (many < 2) {
    g_test_skip("one core: nothing to switch");
    return;
  }
  g_autoptr(DerushNnModel) m = conv_model();
  enum { N = 16 * 96 * 96, OUT = 32 * 96 * 96 };
  const int64_t shape[4] = {1, 16, 96, 96};
  g_autofree float *x = nnb_pattern(N, 9);

  _nn_threads_pin(many);
  gint64 switches = derush_counter_get(DERUSH_COUNTER_NN_THREAD_SWITCHES);
  gint64 worker_cpu = run_n(m, x, shape, 4);
  g_assert_cmpint(_derush_nn_model_threads(m), ==, many);
  g_assert_cmpint(_derush_nn_model_n_plans_built(m), ==, 1);
  g_autofree float *want =
      g_memdup2(_derush_nn_model_output(m, 0, NULL, NULL), sizeof(float) * OUT);

  /* One thread (DERUSH_NN_THREADS=1): a plan of its own, same outputs. */
  _nn_threads_pin(1);
  run_n(m, x, shape, 1);
  g_assert_cmpint(_derush_nn_model_threads(m), ==, 1);
  g_assert_cmpint(_derush_nn_model_n_plans_built(m), ==, 2);
  const float *got = _derush_nn_model_output(m, 0, NULL, NULL);
  for (int i = 0; i < OUT; i++)
    g_assert_cmpfloat(fabsf(got[i] - want[i]), <=, 1e-4f * (1.0f + fabsf(want[i])));
  /* ... run by this thread alone: oneDNN's kernels take their thread
   * count when they are created, and its primitive cache must not hand
   * back the all-cores ones.  (OpenMP's worker may still be spinning
   * after the last all-cores forward: let it fall asleep first.) */
  g_usleep(200 * 1000);
  gint64 one_cpu = run_n(m, x, shape, 8);
  if (worker_cpu < 0 || one_cpu < 0) {
    g_test_message("no schedstat: the workers' CPU time is not checked");
  } else {
    g_assert_cmpint(worker_cpu, >, 0); /* the check can see a worker */
    g_assert_cmpint(one_cpu, <, 1000 * 1000);
  }

  /* All cores again: that plan, kept, is reused. */
  _nn_threads_pin(many);
  run_n(m, x, shape, 1);
  g_assert_cmpint(_derush_nn_model_threads(m), ==, many);
  g_assert_cmpint(_derush_nn_model_n_plans_built(m), ==, 2);
  _nn_threads_pin(0);
  /* Pins are not the policy's switches. */
  g_assert_cmpint(derush_counter_get(DERUSH_COUNTER_NN_THREAD_SWITCHES), ==, switches);
}

int
main(int argc, char **argv)
{
  test_init(&argc, &argv);
  g_test_add_func("/nn/threads/policy", test_policy);
  g_test_add_func("/nn/threads/throttle", test_throttle);
  g_test_add_func("/nn/threads/model-follows", test_model_follows);
  return g_test_run();
}
