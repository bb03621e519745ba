/* nn-threads.c: the executor's thread policy (see nn-threads.h).
 *
 * Measured on this 2-core machine (bench/nn-threads.sh, YOLOX-nano): idle,
 * two threads spinning up to 10,000 iterations between primitives take
 * 10.7 ms a forward, two passive ones 18.0, one thread 19.9; beside one
 * busy process the spinning pair took 87 ms, the passive pair 21.4; beside
 * two, 87.5 and 47.7. */
#include "nn/nn-threads.h"
#include "derush-private.h"
#include <stdio.h>
#include <stdlib.h>

void
_nn_policy_init(NnThreadPolicy *p, int many, int ncpu)
{
  memset(p, 0, sizeof *p);
  p->many = MAX(many, 1);
  p->ncpu = MAX(ncpu, 1);
  p->every = NN_THREADS_PROBE_MIN;
}

gboolean
_nn_policy_spin(NnThreadPolicy *p, int others_running, gboolean *probe)
{
  *probe = FALSE;
  if (!p->throttled)
    return TRUE;
  if (p->wait > 0) {
    p->wait--;
    return FALSE;
  }
  /* Due for a probe, but only when the machine has a core free for every
   * thread: otherwise the probe would only measure the contention again. */
  if (others_running + p->many > p->ncpu)
    return FALSE;
  *probe = TRUE;
  return TRUE;
}

void
_nn_policy_observe(NnThreadPolicy *p, gboolean spun, gboolean probe, gint64 wall_us,
                   gint64 delay_us, gint64 best_us)
{
  if (!spun || p->many <= 1)
    return;
  gboolean contended = delay_us * 100 > wall_us * NN_THREADS_DELAY_PCT ||
                       (best_us > 0 && wall_us > best_us * NN_THREADS_SLOW_FACTOR);
  if (probe) {
    if (contended) {
      p->every = MIN(p->every * 2, NN_THREADS_PROBE_MAX);
      p->wait = p->every;
    } else {
      p->throttled = FALSE;
      p->every = NN_THREADS_PROBE_MIN;
      p->strikes = 0;
      p->switches++;
    }
    return;
  }
  if (p->throttled)
    return; /* a forward begun before another thread throttled */
  p->strikes = contended ? p->strikes + 1 : 0;
  if (p->strikes >= NN_THREADS_STRIKES) {
    p->throttled = TRUE;
    p->strikes = 0;
    p->wait = p->every;
    p->switches++;
  }
}

/* ------------------------------------------------------ the throttle */

/* GCC's entry point for `#pragma omp parallel` (libgomp's ABI since GCC
 * 4.9), called directly so that no file needs -fopenmp. */
void GOMP_parallel(void (*fn)(void *), void *data, unsigned num_threads, unsigned flags);

static void
empty_region(void *data)
{
  (void)data;
}

static GMutex helper_lock;
static GCond helper_cond;
/* Read and written with g_atomic_int_* although helper_lock guards them:
 * GLib 2.74's GMutex is a futex ThreadSanitizer cannot see (tsan-handoff.h),
 * so plain accesses read as a race between helper_main and set_throttle
 * (make tsan, test-nn-threads /nn/threads/throttle). */
static gint helper_stop, helper_ready;
static GThread *helper;

/* Opens a team of more threads than cores and holds it: libgomp counts
 * them as managed while this thread lives, and frees them (the count goes
 * down again) when it ends. */
static gpointer
helper_main(gpointer data)
{
  GOMP_parallel(empty_region, NULL, GPOINTER_TO_UINT(data), 0);
  g_mutex_lock(&helper_lock);
  g_atomic_int_set(&helper_ready, TRUE);
  g_cond_broadcast(&helper_cond);
  while (!g_atomic_int_get(&helper_stop))
    g_cond_wait(&helper_cond, &helper_lock);
  g_mutex_unlock(&helper_lock);
  return NULL;
}

static void throttle_release(void);

/* Called with the policy's lock held. */
static void
set_throttle(gboolean on, int ncpu)
{
  if (on == (helper != NULL))
    return;
  if (on) {
    _derush_on_shutdown(throttle_release);
    g_atomic_int_set(&helper_stop, FALSE);
    g_atomic_int_set(&helper_ready, FALSE);
    helper = g_thread_new("nn-throttle", helper_main, GUINT_TO_POINTER((guint)ncpu + 1));
    /* Throttled once its team is up. */
    g_mutex_lock(&helper_lock);
    while (!g_atomic_int_get(&helper_ready))
      g_cond_wait(&helper_cond, &helper_lock);
    g_mutex_unlock(&helper_lock);
    return;
  }
  g_mutex_lock(&helper_lock);
  g_atomic_int_set(&helper_stop, TRUE);
  g_cond_broadcast(&helper_cond);
  g_mutex_unlock(&helper_lock);
  g_thread_join(g_steal_pointer(&helper));
}

/* ---------------------------------------------------- the process's policy */

static GMutex lock;
static NnThreadPolicy policy;
static int fixed; /* DERUSH_NN_THREADS or a test's pin, 0: the policy runs (atomic) */

static void
ensure_init(void)
{
  static gsize done = 0;
  if (g_once_init_enter(&done)) {
    const char *env = g_getenv("DERUSH_NN_THREADS");
    g_atomic_int_set(&fixed, env ? CLAMP(atoi(env), 0, 1024) : 0);
    _nn_policy_init(&policy, omp_get_max_threads(), (int)g_get_num_processors());
    g_once_init_leave(&done, 1);
  }
}

/* derush_shutdown: no helper thread left behind. */
static void
throttle_release(void)
{
  g_mutex_lock(&lock);
  set_throttle(FALSE, policy.ncpu);
  g_mutex_unlock(&lock);
}

int
_nn_threads_max(void)
{
  ensure_init();
  return policy.many;
}

/* Microseconds the calling thread has waited on a run queue (the second
 * field of schedstat), 0 when the kernel does not say. */
static gint64
run_delay_us(void)
{
  FILE *f = fopen("/proc/thread-self/schedstat", "re");
  unsigned long long run = 0, wait = 0;
  gboolean ok = f && fscanf(f, "%llu %llu", &run, &wait) == 2;
  if (f)
    fclose(f);
  return ok ? (gint64)(wait / 1000) : 0;
}

/* Tasks running on the machine now besides the caller (the fourth field
 * of /proc/loadavg, "running/total", counts the reader). */
static int
others_running(void)
{
  FILE *f = fopen("/proc/loadavg", "re");
  int running = 1;
  if (f) {
    if (fscanf(f, "%*s %*s %*s %d", &running) != 1)
      running = 1;
    fclose(f);
  }
  return MAX(running - 1, 0);
}

int
_nn_threads_begin(NnForwardClock *c)
{
  ensure_init();
  memset(c, 0, sizeof *c);
  int pinned = g_atomic_int_get(&fixed);
  c->threads = pinned ? pinned : policy.many;
  if (pinned || policy.many <= 1)
    return c->threads;
  g_mutex_lock(&lock);
  gboolean due = policy.throttled && policy.wait == 0;
  g_mutex_unlock(&lock);
  int others = due ? others_running() : 0;
  g_mutex_lock(&lock);
  c->spin = _nn_policy_spin(&policy, others, &c->probe);
  set_throttle(!c->spin, policy.ncpu);
  g_mutex_unlock(&lock);
  c->wall0_us = g_get_monotonic_time();
  c->delay0_us = c->spin ? run_delay_us() : 0;
  return c->threads;
}

gint64
_nn_threads_end(const NnForwardClock *c, gint64 best_us)
{
  gint64 wall = g_get_monotonic_time() - c->wall0_us;
  if (!c->spin || g_atomic_int_get(&fixed))
    return wall;
  gint64 delay = run_delay_us() - c->delay0_us;
  g_mutex_lock(&lock);
  gint64 before = policy.switches;
  _nn_policy_observe(&policy, c->spin, c->probe, wall, delay, best_us);
  gint64 switched = policy.switches - before;
  set_throttle(policy.throttled, policy.ncpu);
  g_mutex_unlock(&lock);
  if (switched)
    derush_counter_add(DERUSH_COUNTER_NN_THREAD_SWITCHES, switched);
  return wall;
}

void
_nn_threads_pin(int threads)
{
  ensure_init();
  g_atomic_int_set(&fixed, MAX(threads, 0));
}

void
_nn_threads_throttle(gboolean on)
{
  ensure_init();
  g_mutex_lock(&lock);
  policy.throttled = on;
  policy.strikes = 0;
  policy.wait = policy.every;
  set_throttle(on, policy.ncpu);
  g_mutex_unlock(&lock);
}

gboolean
_nn_threads_throttled(void)
{
  g_mutex_lock(&lock);
  gboolean on = helper != NULL;
  g_mutex_unlock(&lock);
  return on;
}
