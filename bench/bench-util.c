/* bench-util.c: the helpers every bench program shares (bench-util.h). */
#include "bench-util.h"
#include <time.h>

guint64
bench_random(guint64 *state)
{
  guint64 z = (*state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

guint64
bench_random_hash(guint64 *state, double bias)
{
  if (bias == 0)
    return bench_random(state);
  guint64 h = 0;
  for (int b = 0; b < 64; b++) {
    double p = 0.5 + ((b & 1) ? bias : -bias);
    double u = (double)(bench_random(state) >> 11) / (double)(1ULL << 53);
    h |= (guint64)(u < p) << b;
  }
  return h;
}

double
bench_cpu_seconds(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int
bench_cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}
