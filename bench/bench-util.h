/* bench-util.h: what the bench programs share: a seeded random stream
 * that is the same on every machine, the process's CPU time, and the sort
 * for medians. */
#ifndef DERUSH_BENCH_UTIL_H
#define DERUSH_BENCH_UTIL_H

#include <glib.h>

G_BEGIN_DECLS

/* splitmix64: a tiny, well-mixed generator giving the same stream on every
 * machine (GRand's stream is fine too, but this one documents itself). */
guint64 bench_random(guint64 *state);

/* A random 64-bit hash whose bit b is set with probability 0.5 + bias *
 * (b odd ? 1 : -1): real dHash bits are not fair coins, and skew makes the
 * near-duplicate index's buckets uneven. bias 0 gives uniform hashes. */
guint64 bench_random_hash(guint64 *state, double bias);

/* Process CPU seconds, every thread: on a machine shared by many jobs the
 * wall time measures the queue as much as the work, the CPU time does not. */
double bench_cpu_seconds(void);

/* qsort's comparison of doubles (for medians). */
int bench_cmp_double(const void *a, const void *b);

G_END_DECLS

#endif /* DERUSH_BENCH_UTIL_H */
