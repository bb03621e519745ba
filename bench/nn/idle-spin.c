/* idle-spin.c: an experiment for bench/nn-threads.sh, preloaded
 * (LD_PRELOAD) into derush-bench-nn; no part of derush.
 *
 * It starts IDLE_SPIN threads (default 0: none) that spin at SCHED_IDLE
 * priority, so they run only on a CPU nothing else wants, and give way at
 * once to any other thread.  On an idle virtual machine they keep the
 * virtual CPUs out of their halt state, so waking an OpenMP thread that
 * slept between two oneDNN primitives (OMP_WAIT_POLICY=passive) costs a
 * context switch instead of a wake-up of the virtual CPU by the host.
 * Under load they never run.  If they make passive forwards faster on a
 * quiet machine, the wake-up latency is what passive costs there.
 * (_GNU_SOURCE, for SCHED_IDLE, comes from the build flags.) */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>

static void *
spin(void *data)
{
  (void)data;
  struct sched_param param = {0};
  pthread_setschedparam(pthread_self(), SCHED_IDLE, &param);
  for (;;)
    __builtin_ia32_pause();
  return NULL;
}

__attribute__((constructor)) static void
start_spinners(void)
{
  const char *n = getenv("IDLE_SPIN");
  for (int i = 0; n && i < atoi(n) && i < 64; i++) {
    pthread_t t;
    if (pthread_create(&t, NULL, spin, NULL) == 0)
      pthread_detach(t);
  }
}
