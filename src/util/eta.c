/* eta.c: the time a job has left, as the CLI's progress line and the app's
 * header bar both show it. */
#include "derush-private.h"

/**
 * derush_format_eta:
 * @elapsed_s: seconds since the job started
 * @done: items done so far
 * @total: items in all
 *
 * Extrapolates the rate so far: (total - done) * elapsed / done seconds,
 * rounded to the second, as "m:ss" or "h:mm:ss".
 *
 * Returns: (transfer full) (nullable): NULL when it cannot be told yet
 * (nothing done or no time elapsed) or nothing is left.
 */
char *
derush_format_eta(double elapsed_s, gint64 done, gint64 total)
{
  if (done <= 0 || !(elapsed_s > 0) || total <= done)
    return NULL;
  double left = (double)(total - done) * elapsed_s / (double)done;
  gint64 s = (gint64)(left + 0.5);
  if (s >= 3600)
    return g_strdup_printf("%" G_GINT64_FORMAT ":%02d:%02d", s / 3600, (int)(s / 60 % 60),
                           (int)(s % 60));
  return g_strdup_printf("%d:%02d", (int)(s / 60), (int)(s % 60));
}
