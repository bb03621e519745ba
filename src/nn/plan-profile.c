/* plan-profile.c: the DERUSH_NN_PROFILE report.  Each step is timed on its
 * own (the stream waited on after it) in process CPU time, which a loaded
 * machine inflates less than the wall clock; what matters is where the time
 * goes. */
#include "nn/plan.h"
#include <stdio.h>
#include <time.h>

gint64
_derush_nn_cpu_us(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * G_GINT64_CONSTANT(1000000) + ts.tv_nsec / 1000;
}

typedef struct {
  const char *kind;
  gint64 us;
  int n;
} Kind;

static const char *
step_kind(const NnStep *st)
{
  if (st->prim)
    return _nn_prim_impl(st->prim);
  return g_intern_string(st->node ? st->node->op : "host");
}

static int
by_time(gconstpointer a, gconstpointer b)
{
  gint64 x = ((const Kind *)a)->us, y = ((const Kind *)b)->us;
  return x < y ? 1 : x > y ? -1 : 0;
}

void
_nn_plan_profile_report(NnPlan *pl)
{
  if (pl->prof_runs == 0)
    return;
  GArray *kinds = g_array_new(FALSE, TRUE, sizeof(Kind));
  GArray *steps = g_array_new(FALSE, TRUE, sizeof(Kind));
  gint64 total = 0;
  for (guint s = 0; s < pl->steps->len; s++) {
    const NnStep *st = g_ptr_array_index(pl->steps, s);
    const char *kind = step_kind(st);
    total += st->prof_us;
    guint k = 0;
    while (k < kinds->len && g_array_index(kinds, Kind, k).kind != kind)
      k++;
    if (k == kinds->len)
      g_array_append_val(kinds, ((Kind){kind, 0, 0}));
    g_array_index(kinds, Kind, k).us += st->prof_us;
    g_array_index(kinds, Kind, k).n++;
    g_autofree char *name =
        st->node ? g_strdup_printf("%s %s (%s)", kind, st->node->name, st->node->op) : NULL;
    const char *label = name ? g_intern_string(name) : kind;
    g_array_append_val(steps, ((Kind){label, st->prof_us, 1}));
  }
  g_array_sort(kinds, by_time);
  g_array_sort(steps, by_time);
  double runs = pl->prof_runs;
  fprintf(stderr, "nn profile: %u steps, %.2f ms of CPU (all threads) a forward over %d forwards\n",
          pl->steps->len, total / runs / 1000.0, pl->prof_runs);
  for (guint k = 0; k < kinds->len; k++) {
    const Kind *x = &g_array_index(kinds, Kind, k);
    fprintf(stderr, "  %8.3f ms %5.1f%% %4d x %s\n", x->us / runs / 1000.0,
            100.0 * x->us / MAX(total, 1), x->n, x->kind);
  }
  fprintf(stderr, "nn profile: slowest steps\n");
  for (guint k = 0; k < MIN(steps->len, 20); k++) {
    const Kind *x = &g_array_index(steps, Kind, k);
    fprintf(stderr, "  %8.3f ms %s\n", x->us / runs / 1000.0, x->kind);
  }
  g_array_unref(kinds);
  g_array_unref(steps);
}
