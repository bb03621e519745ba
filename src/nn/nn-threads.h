/* nn-threads.h: how the OpenMP threads of a forward wait for work.
 *
 * A YOLOX-nano forward is ~100 oneDNN primitives, each a parallel region.
 * On an idle 2-core machine threads that spin briefly between regions are
 * fastest (derush starts libgomp with GOMP_SPINCOUNT=10000); as soon as
 * another process wants a core, every region's barrier waits for a
 * preempted thread and spinning makes it far worse (bench/nn-threads.sh:
 * 87 ms a forward instead of 21 passive).  libgomp reads its spin count
 * once, at load, but cuts every spin to at most 100 iterations while it
 * manages more threads than there are cores.  So while forwards show
 * contention this file "throttles": a helper thread opens an OpenMP team
 * of its own and holds it, which makes the count exceed the cores, and
 * the spinning stops (passive threads); it lets the team go when a probe
 * forward, on a machine that looks free, runs uncontended again.  The
 * state is process-wide: contention is the machine's, whichever model
 * notices it.  Without libgomp's throttle the helper costs two idle
 * threads and changes nothing. */
#ifndef DERUSH_NN_THREADS_H
#define DERUSH_NN_THREADS_H

#include <glib.h>

/* The decision state, a plain value so tests can drive it with made-up
 * observations. */
typedef struct {
  int many;           /* threads a forward uses (OpenMP's maximum) */
  int ncpu;           /* cores this process may run on */
  gboolean throttled; /* spinning stopped: the machine is busy */
  int strikes;        /* consecutive contended spinning forwards */
  int wait;           /* throttled forwards left before the next probe */
  int every;          /* the probe interval, doubled after each failed probe */
  gint64 switches;    /* mode changes so far */
} NnThreadPolicy;

/* A forward is contended when its calling thread waited for a CPU this
 * share of its wall time, or ran this many times slower than its plan's
 * best. */
#define NN_THREADS_DELAY_PCT 15
#define NN_THREADS_SLOW_FACTOR 2
/* Consecutive contended forwards before throttling. */
#define NN_THREADS_STRIKES 2
#define NN_THREADS_PROBE_MIN 8
#define NN_THREADS_PROBE_MAX 256

void _nn_policy_init(NnThreadPolicy *p, int many, int ncpu);
/* Whether the next forward spins, given how many tasks besides the caller
 * are running on the machine now (/proc/loadavg); *@probe says whether it
 * is a probe (spinning tried while throttled). */
gboolean _nn_policy_spin(NnThreadPolicy *p, int others_running, gboolean *probe);
/* What a forward saw: whether it spun, its wall time, the time its
 * calling thread waited for a CPU, its plan's best wall time (0: none
 * yet). */
void _nn_policy_observe(NnThreadPolicy *p, gboolean spun, gboolean probe, gint64 wall_us,
                        gint64 delay_us, gint64 best_us);

/* The process-wide policy, used by model.c around each forward. */
typedef struct {
  int threads;
  gboolean spin, probe;
  gint64 wall0_us, delay0_us;
} NnForwardClock;

/* Threads for this forward (DERUSH_NN_THREADS=N fixes N and turns the
 * policy off); throttles or lets go as the policy says. */
int _nn_threads_begin(NnForwardClock *c);
/* Reports the forward begun with @c (not called for a forward that built
 * a plan: building is not running); returns its wall time. */
gint64 _nn_threads_end(const NnForwardClock *c, gint64 best_us);
/* Every forward with @threads threads and the policy off from now on, as
 * DERUSH_NN_THREADS does; 0 turns the policy back on (tests). */
void _nn_threads_pin(int threads);
/* Throttles (or lets go) now, as the policy would (tests); whether the
 * helper's team is held. */
void _nn_threads_throttle(gboolean on);
gboolean _nn_threads_throttled(void);
/* Threads a forward uses (OpenMP's maximum at first use). */
int _nn_threads_max(void);

/* libgomp's API (oneDNN runs on it; see the top meson.build). */
int omp_get_max_threads(void);
void omp_set_num_threads(int n);

#endif /* DERUSH_NN_THREADS_H */
