/* tsan-handoff.h: tell ThreadSanitizer about hand-offs it cannot see.
 *
 * GLib 2.74 builds GMutex and GCond on Linux futexes, not on pthreads, so
 * ThreadSanitizer (make tsan) sees no order between a job written by one
 * thread, pushed through a GThreadPool or GAsyncQueue, and read by another:
 * every such hand-off showed up as a data race in our code. Marking the
 * push (release) and the pop (acquire) on the job's address gives TSan the
 * order the queue's mutex really provides; outside a TSan build these are
 * nothing. */
#ifndef DERUSH_TSAN_HANDOFF_H
#define DERUSH_TSAN_HANDOFF_H

#if defined(__SANITIZE_THREAD__)
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
#define DERUSH_HANDOFF_RELEASE(p) __tsan_release((void *)(p))
#define DERUSH_HANDOFF_ACQUIRE(p) __tsan_acquire((void *)(p))
#else
#define DERUSH_HANDOFF_RELEASE(p) ((void)(p))
#define DERUSH_HANDOFF_ACQUIRE(p) ((void)(p))
#endif

#endif
