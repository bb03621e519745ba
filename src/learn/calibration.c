/* calibration.c: from raw boosted scores to probabilities a user can trust,
 * the thresholds of the three zones, and the metrics that say how well it
 * went.
 *
 * Calibration is fitted on out-of-fold predictions (fit.c), never on the
 * rows a model was trained on: in-sample scores of boosted trees are far
 * too confident. Platt scaling (a logistic fit on the logit of the score,
 * two parameters) is what small data supports; isotonic regression (a
 * monotone step function) follows any distortion but needs many labels of
 * both classes not to memorise them, so it is used only from
 * ISOTONIC_MIN_LABELS with ISOTONIC_MIN_PER_CLASS of each.
 */
#include "learn-private.h"

#define ISOTONIC_MIN_LABELS 1000
#define ISOTONIC_MIN_PER_CLASS 100
#define P_MIN 1e-4 /* probabilities stay inside (P_MIN, 1 - P_MIN): log loss is finite */

static double
clamp_p(double p)
{
  return CLAMP(p, P_MIN, 1 - P_MIN);
}

static double
logit(double p)
{
  p = clamp_p(p);
  return log(p / (1 - p));
}

void
_derush_calibration_clear(DerushCalibration *c)
{
  g_clear_pointer(&c->iso_x, g_array_unref);
  g_clear_pointer(&c->iso_y, g_array_unref);
  c->isotonic = FALSE;
  c->a = -1;
  c->b = 0;
}

/* Platt's method with his smoothed targets and a Newton solver
 * (Lin, Lin and Weng 2007: the numerically careful version). */
static void
fit_platt(DerushCalibration *c, const double *raw, const float *y, int n)
{
  int n_pos = 0;
  for (int i = 0; i < n; i++)
    n_pos += y[i] > 0.5f;
  int n_neg = n - n_pos;
  double hi = (n_pos + 1.0) / (n_pos + 2.0), lo = 1.0 / (n_neg + 2.0);
  double a = 0, b = log((n_neg + 1.0) / (n_pos + 1.0));
  g_autofree double *f = g_new(double, n);
  g_autofree double *t = g_new(double, n);
  for (int i = 0; i < n; i++) {
    f[i] = logit(raw[i]);
    t[i] = y[i] > 0.5f ? hi : lo;
  }
  double fval = 0;
  for (int i = 0; i < n; i++) {
    double fab = f[i] * a + b;
    fval += fab >= 0 ? t[i] * fab + log1p(exp(-fab)) : (t[i] - 1) * fab + log1p(exp(fab));
  }
  for (int iter = 0; iter < 100; iter++) {
    double h11 = 1e-12, h22 = 1e-12, h21 = 0, g1 = 0, g2 = 0;
    for (int i = 0; i < n; i++) {
      double fab = f[i] * a + b;
      double p = fab >= 0 ? exp(-fab) / (1 + exp(-fab)) : 1 / (1 + exp(fab));
      double q = 1 - p, d2 = p * q, d1 = t[i] - p;
      h11 += f[i] * f[i] * d2;
      h22 += d2;
      h21 += f[i] * d2;
      g1 += f[i] * d1;
      g2 += d1;
    }
    if (fabs(g1) < 1e-6 && fabs(g2) < 1e-6)
      break;
    double det = h11 * h22 - h21 * h21;
    double da = -(h22 * g1 - h21 * g2) / det, db = -(-h21 * g1 + h11 * g2) / det;
    double gd = g1 * da + g2 * db, step = 1;
    while (step >= 1e-10) {
      double na = a + step * da, nb = b + step * db, nf = 0;
      for (int i = 0; i < n; i++) {
        double fab = f[i] * na + nb;
        nf += fab >= 0 ? t[i] * fab + log1p(exp(-fab)) : (t[i] - 1) * fab + log1p(exp(fab));
      }
      if (nf < fval + 1e-4 * step * gd) {
        a = na;
        b = nb;
        fval = nf;
        break;
      }
      step /= 2;
    }
    if (step < 1e-10)
      break;
  }
  c->a = a;
  c->b = b;
}

typedef struct {
  double x, y;
} Point;

static int
cmp_point(const void *pa, const void *pb)
{
  const Point *a = pa, *b = pb;
  return (a->x > b->x) - (a->x < b->x);
}

/* Pool-adjacent-violators: a non-decreasing step function of the score. */
static void
fit_isotonic(DerushCalibration *c, const double *raw, const float *y, int n)
{
  g_autofree Point *pt = g_new(Point, n);
  for (int i = 0; i < n; i++)
    pt[i] = (Point){raw[i], y[i] > 0.5f};
  qsort(pt, n, sizeof(Point), cmp_point);
  g_autofree double *sum = g_new(double, n), *wt = g_new(double, n), *xs = g_new(double, n);
  int blocks = 0;
  for (int i = 0; i < n; i++) {
    sum[blocks] = pt[i].y;
    wt[blocks] = 1;
    xs[blocks] = pt[i].x;
    blocks++;
    while (blocks > 1 && sum[blocks - 2] / wt[blocks - 2] >= sum[blocks - 1] / wt[blocks - 1]) {
      sum[blocks - 2] += sum[blocks - 1];
      xs[blocks - 2] = (xs[blocks - 2] * wt[blocks - 2] + xs[blocks - 1] * wt[blocks - 1]) /
                       (wt[blocks - 2] + wt[blocks - 1]);
      wt[blocks - 2] += wt[blocks - 1];
      blocks--;
    }
  }
  c->iso_x = g_array_sized_new(FALSE, FALSE, sizeof(double), blocks);
  c->iso_y = g_array_sized_new(FALSE, FALSE, sizeof(double), blocks);
  for (int k = 0; k < blocks; k++) {
    double v = clamp_p(sum[k] / wt[k]);
    g_array_append_val(c->iso_x, xs[k]);
    g_array_append_val(c->iso_y, v);
  }
}

void
_derush_calibration_fit(DerushCalibration *c, const double *raw, const float *y, int n)
{
  _derush_calibration_clear(c);
  int n_pos = 0;
  for (int i = 0; i < n; i++)
    n_pos += y[i] > 0.5f;
  if (n >= ISOTONIC_MIN_LABELS && MIN(n_pos, n - n_pos) >= ISOTONIC_MIN_PER_CLASS) {
    c->isotonic = TRUE;
    fit_isotonic(c, raw, y, n);
  } else {
    fit_platt(c, raw, y, n);
  }
}

double
_derush_calibration_apply(const DerushCalibration *c, double raw)
{
  if (isnan(raw))
    return NAN;
  if (!c->isotonic) {
    double fab = c->a * logit(raw) + c->b;
    return clamp_p(fab >= 0 ? exp(-fab) / (1 + exp(-fab)) : 1 / (1 + exp(fab)));
  }
  const double *x = (const double *)c->iso_x->data, *y = (const double *)c->iso_y->data;
  guint n = c->iso_x->len;
  if (n == 0)
    return 0.5;
  if (raw <= x[0])
    return y[0];
  if (raw >= x[n - 1])
    return y[n - 1];
  guint lo = 0, hi = n - 1; /* x[lo] < raw < x[hi] */
  while (hi - lo > 1) {
    guint mid = (lo + hi) / 2;
    if (x[mid] <= raw)
      lo = mid;
    else
      hi = mid;
  }
  double w = x[hi] > x[lo] ? (raw - x[lo]) / (x[hi] - x[lo]) : 0;
  return y[lo] + w * (y[hi] - y[lo]);
}

static int
cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* The p of the photos with label @keep, ascending; @count gets how many. */
static double *
sorted_of_class(const double *p, const float *y, int n, gboolean keep, int *count)
{
  double *v = g_new(double, MAX(n, 1));
  int k = 0;
  for (int i = 0; i < n; i++)
    if ((y[i] > 0.5f) == keep && !isnan(p[i]))
      v[k++] = p[i];
  qsort(v, k, sizeof(double), cmp_double);
  *count = k;
  return v;
}

/*
 * Split-conformal reasoning: for a new keeper exchangeable with the n
 * labelled ones, the chance that its p falls below the k-th smallest
 * keeper p is about k / (n + 1). So k = floor(budget * (n + 1)) keeps the
 * expected keep-loss on new photos within the budget. With fewer than
 * 1 / budget - 1 keepers (49 for 2 %) no k qualifies: nothing the labels
 * show can vouch for the budget, so the model calls nothing trash (0) and
 * its doubtful photos stay unsure. Anything else lost keepers the user
 * never saw: `derush eval learning` on the burst taste put a keeper whose
 * burst siblings measure sharper than it at p 0.03-0.05, under half the
 * lowest of 12-19 labelled keepers, so 1 of its 2 unlabelled keepers (50 %)
 * was called trash. Junk still is (model.c): no labels are needed for it.
 */
double
_derush_threshold_for_keep_loss(const double *p, const float *y, int n, double budget)
{
  int n_keep;
  g_autofree double *keep = sorted_of_class(p, y, n, TRUE, &n_keep);
  int k = (int)floor(budget * (n_keep + 1) + 1e-9);
  if (k < 1)
    return 0;
  return MIN(keep[MIN(k, n_keep) - 1], 0.5);
}

double
_derush_threshold_for_junk_leak(const double *p, const float *y, int n, double budget,
                                double trash_threshold)
{
  int n_trash;
  g_autofree double *trash = sorted_of_class(p, y, n, FALSE, &n_trash);
  double u = 0.5;
  if (n_trash > 0) {
    int j = (int)floor(budget * n_trash); /* trash allowed at or above u */
    if (j < n_trash)
      u = nextafter(trash[n_trash - 1 - j], 2.0);
    else
      u = 0;
  }
  return MAX(MAX(u, 0.5), trash_threshold);
}

/* Area under the ROC curve by the rank-sum, ties counted half. */
double
_derush_roc_auc(const double *p, const float *y, int n)
{
  g_autofree Point *pt = g_new(Point, MAX(n, 1));
  int n_pos = 0;
  for (int i = 0; i < n; i++) {
    pt[i] = (Point){p[i], y[i] > 0.5f};
    n_pos += y[i] > 0.5f;
  }
  int n_neg = n - n_pos;
  if (n_pos == 0 || n_neg == 0)
    return NAN;
  qsort(pt, n, sizeof(Point), cmp_point);
  double rank_sum = 0;
  for (int i = 0; i < n;) {
    int j = i;
    while (j < n && pt[j].x == pt[i].x)
      j++;
    double rank = (i + 1 + j) / 2.0; /* mean of ranks i+1..j */
    for (int k = i; k < j; k++)
      if (pt[k].y > 0.5)
        rank_sum += rank;
    i = j;
  }
  return (rank_sum - n_pos * (n_pos + 1) / 2.0) / ((double)n_pos * n_neg);
}

void
_derush_learn_metrics(const double *p, const float *y, int n, double threshold,
                      DerushLearnMetrics *m)
{
  int correct = 0, n_keep = 0, n_trash = 0, lost = 0, leaked = 0;
  double ll = 0;
  for (int i = 0; i < n; i++) {
    gboolean keep = y[i] > 0.5f;
    correct += (p[i] >= 0.5) == keep;
    double q = clamp_p(p[i]);
    ll -= keep ? log(q) : log(1 - q);
    if (keep) {
      n_keep++;
      lost += p[i] < threshold;
    } else {
      n_trash++;
      leaked += p[i] >= threshold;
    }
  }
  m->accuracy = n ? (double)correct / n : NAN;
  m->log_loss = n ? ll / n : NAN;
  m->keep_loss = n_keep ? (double)lost / n_keep : NAN;
  m->junk_leak = n_trash ? (double)leaked / n_trash : NAN;
  m->roc_auc = _derush_roc_auc(p, y, n);
}

void
_derush_zone_losses(const int *zone, const float *y, int n, DerushLearnMetrics *m)
{
  int n_keep = 0, n_trash = 0, lost = 0, leaked = 0;
  for (int i = 0; i < n; i++) {
    gboolean trash_zone = zone[i] == DERUSH_ZONE_LIKELY_TRASH;
    if (y[i] > 0.5f) {
      n_keep++;
      lost += trash_zone;
    } else {
      n_trash++;
      leaked += !trash_zone;
    }
  }
  m->keep_loss = n_keep ? (double)lost / n_keep : NAN;
  m->junk_leak = n_trash ? (double)leaked / n_trash : NAN;
}

DerushZone
_derush_zone_of(double p, double threshold, double keep_threshold)
{
  if (p < threshold)
    return DERUSH_ZONE_LIKELY_TRASH;
  if (p >= keep_threshold)
    return DERUSH_ZONE_LIKELY_KEEP;
  return DERUSH_ZONE_UNSURE;
}

double
_derush_uncertainty_of(double p)
{
  p = clamp_p(p);
  return -(p * log2(p) + (1 - p) * log2(1 - p));
}
