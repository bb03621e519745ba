/* derush-background-private.h: background work below the UI thread.
 *
 * On two cores the main thread shares the CPU with the scan, the analysis
 * and the thumbnail decoders; at the same priority a frame waits its turn
 * behind them and scrolling drops to 30 frames/s (bench/app.sh). Linux nice
 * values are per thread, so workers run below the UI: they still get every
 * cycle it leaves, and it gets its share first. Thumbnail decoders (what
 * the user is looking at) sit just below the UI, bulk work (the scan, the
 * analysis) well below both.
 *
 * A pool thread (GTask's) would keep its nice value for every later task,
 * the viewer's decodes included, and an unprivileged process cannot lower
 * it back: GTask workers run their body in a thread of their own instead
 * (derush_run_in_background), which the pool thread waits for.
 */
#pragma once

#include <glib.h>
#ifdef __linux__
#include <sys/resource.h>
#include <unistd.h>
#endif

#define DERUSH_NICE_THUMBNAILS 5
#define DERUSH_NICE_BULK 15

/* Only on a thread the caller owns (see above). Threads it creates inherit
 * the value (the scan's and the analysis' exclusive pools). */
static inline void
derush_thread_set_nice(int nice)
{
#ifdef __linux__
  setpriority(PRIO_PROCESS, (id_t)gettid(), nice);
#endif
}

typedef struct {
  GFunc func;
  gpointer data, user_data;
} DerushBackgroundCall;

static inline gpointer
derush_background_trampoline(gpointer data)
{
  DerushBackgroundCall *call = data;
  derush_thread_set_nice(DERUSH_NICE_BULK);
  call->func(call->data, call->user_data);
  return NULL;
}

/* Runs func(data, user_data) in a new thread at DERUSH_NICE_BULK and waits
 * for it. */
static inline void
derush_run_in_background(const char *name, GFunc func, gpointer data, gpointer user_data)
{
  DerushBackgroundCall call = {func, data, user_data};
  g_thread_join(g_thread_new(name, derush_background_trampoline, &call));
}
