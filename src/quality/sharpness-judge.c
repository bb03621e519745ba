/* sharpness-judge.c: is this photo sharp, on its own, without a burst to
 * compare it with (issue 21)?
 *
 * A Laplacian variance measures how much fine detail a picture has, which
 * is as much a matter of content (grass against a foggy sky) as of focus,
 * so one threshold cannot tell a soft frame from a smooth scene. The two
 * measures here are normalised by the content itself: they ask how the
 * picture's own edges are made, not how many there are.
 *
 * - Edge width (after Marziliano et al. 2002). At each strong edge (a
 *   local maximum of the gradient across the edge), the contrast of the
 *   edge (the grey range of its 9x9 neighbourhood) over the steepest slope
 *   (the gradient) is how many pixels the edge takes to rise: ~2.5 px for
 *   a crisp edge on the preview, 4-6 px for a defocused one, whatever the
 *   edge's contrast. Edges are sorted into four orientations and each
 *   orientation keeps its 20th percentile (the crisper edges: a sharp
 *   subject on a smooth background still has crisp edges); the widest of
 *   the four is the picture's width. The widest, because motion blur
 *   smears only across its direction: edges that run along the motion stay
 *   crisp, so a camera shake shows in one orientation only.
 * - Re-blur (Crete et al. 2007). Blur the picture again with a 9-pixel box
 *   and measure how much neighbouring-pixel variation drops: a sharp
 *   picture loses much of it, a blurred one little (it has little left to
 *   lose). 0 is crisp, 1 flat; the worse of the two axes counts.
 *
 * Noise: high-ISO grain is fine detail too, and looks "sharp" to a
 * Laplacian and to a re-blur (grain loses a lot to a box blur). Edges are
 * therefore taken only where the slope clears three noise sigmas and the
 * contrast six, so grain neither makes edges nor fakes their slope; and the
 * re-blur's variation discounts what the measured noise alone contributes
 * (the mean absolute difference of two pixels of Gaussian noise sigma n is
 * 2n/sqrt(pi)). The noise is the photo's own NOISE feature (Immerkaer).
 *
 * Both run on the 512 px preview the analysis already decoded (no second
 * decode: the speed budget), in one pass each over the grey plane. The
 * preview hides a blur smaller than about a pixel of its own scale (0.2 %
 * of the long edge): such frames read sharp here; README's blur table has
 * the measured limits.
 *
 * The score combines the edge width with the Laplacian sharpness (a
 * logistic fit, see derush_features_sharpness_score()) into a 0..1 scale that means the
 * same for every photo; derush_features_soft() and derush_features_noisy()
 * are the lone-photo flags.
 */
#include "features.h"

#define RANGE_RADIUS 4   /* 9x9 neighbourhood for an edge's contrast */
#define EDGE_MIN_SLOPE 2 /* grey levels a pixel, at least */
#define EDGE_MIN_RANGE 20
#define EDGE_PERCENTILE 0.05
#define EDGE_MIN_COUNT 30 /* edges an orientation needs to count */
#define SLOPE_BINS 1024   /* histogram of slopes, 0.25 grey level a bin */
#define REBLUR_RADIUS 4   /* the 9-pixel box of Crete et al. */
#define REGION_TILES 8    /* the grid the crispest region is made of */
#define TILE_MIN_EDGES 12 /* edges a tile needs to be ranked */
#define REGION_SHARE 0.25 /* of all edges, the crispest region holds at least */
#define REGION_MIN_EDGES 200

static int
cmp_float(const void *a, const void *b)
{
  float x = *(const float *)a, y = *(const float *)b;
  return (x > y) - (x < y);
}

/* The grey range (max - min) of the (2r+1)^2 neighbourhood of (x, y),
 * which lies inside the plane. */
static float
local_range(const float *g, int w, int x, int y, int r)
{
  float lo = G_MAXFLOAT, hi = -G_MAXFLOAT;
  for (int dy = -r; dy <= r; dy++) {
    const float *row = g + (gsize)(y + dy) * w + x;
    for (int dx = -r; dx <= r; dx++) {
      lo = MIN(lo, row[dx]);
      hi = MAX(hi, row[dx]);
    }
  }
  return hi - lo;
}

/* Orientation of a gradient in four bins (0: horizontal gradient, i.e. a
 * vertical edge; 1: 45 degrees, 2: vertical, 3: 135), without atan2:
 * tan(22.5 degrees) = 0.4142. y grows downwards. */
static int
orientation(float gx, float gy)
{
  float ax = fabsf(gx), ay = fabsf(gy);
  if (ay <= 0.4142f * ax)
    return 0;
  if (ax <= 0.4142f * ay)
    return 2;
  return (gx > 0) == (gy > 0) ? 1 : 3;
}

typedef struct {
  float width;
  guint8 orient, tile;
} Edge;

static int
cmp_width(const void *a, const void *b)
{
  return cmp_float(&((const Edge *)a)->width, &((const Edge *)b)->width);
}

/* The picture's crispest region: the tiles of a REGION_TILES x
 * REGION_TILES grid ranked by the median width of their own edges
 * (tiles with fewer than TILE_MIN_EDGES edges left out), taken from the
 * crispest on until they hold REGION_SHARE of all edges and at least
 * REGION_MIN_EDGES. Sets @keep[tile]. */
static void
crispest_region(const Edge *edges, guint n, gboolean *keep)
{
  guint count[REGION_TILES * REGION_TILES] = {0};
  for (guint i = 0; i < n; i++)
    count[edges[i].tile]++;
  float median[REGION_TILES * REGION_TILES];
  int order[REGION_TILES * REGION_TILES], n_tiles = 0;
  g_autofree float *w = g_new(float, MAX(n, 1));
  for (int t = 0; t < REGION_TILES * REGION_TILES; t++) {
    keep[t] = FALSE;
    if (count[t] < TILE_MIN_EDGES)
      continue;
    guint m = 0;
    for (guint i = 0; i < n; i++)
      if (edges[i].tile == t)
        w[m++] = edges[i].width;
    qsort(w, m, sizeof(float), cmp_float);
    median[t] = w[m / 2];
    /* Insertion into the order, crispest first. */
    int j = n_tiles++;
    while (j > 0 && median[order[j - 1]] > median[t]) {
      order[j] = order[j - 1];
      j--;
    }
    order[j] = t;
  }
  guint want = MAX((guint)REGION_MIN_EDGES, (guint)(REGION_SHARE * n)), got = 0;
  for (int k = 0; k < n_tiles && got < want; k++) {
    keep[order[k]] = TRUE;
    got += count[order[k]];
  }
  if (n_tiles == 0) /* edges everywhere too sparse: the whole frame */
    for (int t = 0; t < REGION_TILES * REGION_TILES; t++)
      keep[t] = TRUE;
}

/* The width of @edges (sorted by width) whose tile is in @keep: per
 * orientation the EDGE_PERCENTILE-th, the widest of the four; NAN when no
 * orientation has EDGE_MIN_COUNT edges there. */
static double
width_of(const Edge *edges, guint n, const gboolean *keep)
{
  guint in[4] = {0}, seen[4] = {0};
  for (guint i = 0; i < n; i++)
    if (keep[edges[i].tile])
      in[edges[i].orient]++;
  double worst = NAN, q[4] = {NAN, NAN, NAN, NAN};
  for (guint i = 0; i < n; i++) {
    const Edge *e = &edges[i];
    if (!keep[e->tile] || in[e->orient] < EDGE_MIN_COUNT)
      continue;
    if (seen[e->orient]++ == (guint)(EDGE_PERCENTILE * (in[e->orient] - 1)))
      q[e->orient] = e->width;
  }
  for (int b = 0; b < 4; b++)
    if (!isnan(q[b]))
      worst = isnan(worst) ? q[b] : MAX(worst, q[b]);
  return worst;
}

/* Edge width, in preview pixels (see the top of the file), over the whole
 * frame (@whole) and over its crispest region (@crisp); NAN when no
 * orientation has EDGE_MIN_COUNT strong edges. */
static void
edge_width(const float *g, int w, int h, double noise, double *whole, double *crisp)
{
  int border = RANGE_RADIUS + 1;
  *whole = *crisp = NAN;
  if (w <= 2 * border + 2 || h <= 2 * border + 2)
    return;
  gsize n = (gsize)w * h;
  float *mag = g_new0(float, n);
  guint8 *bin = g_new0(guint8, n);
  guint hist[SLOPE_BINS] = {0};
  guint counted = 0;
  for (int y = 1; y < h - 1; y++) {
    const float *u = g + (gsize)(y - 1) * w, *r = u + w, *d = r + w;
    for (int x = 1; x < w - 1; x++) {
      /* Sobel / 8: grey levels a pixel. */
      float gx = ((u[x + 1] + 2 * r[x + 1] + d[x + 1]) - (u[x - 1] + 2 * r[x - 1] + d[x - 1])) / 8;
      float gy = ((d[x - 1] + 2 * d[x] + d[x + 1]) - (u[x - 1] + 2 * u[x] + u[x + 1])) / 8;
      float m = sqrtf(gx * gx + gy * gy);
      mag[(gsize)y * w + x] = m;
      bin[(gsize)y * w + x] = (guint8)orientation(gx, gy);
      hist[MIN(SLOPE_BINS - 1, (int)(m * 4))]++;
      counted++;
    }
  }
  /* The 90th percentile of slopes: edges are the steepest tenth at least. */
  guint target = counted - counted / 10, cum = 0;
  int p90 = 0;
  while (p90 < SLOPE_BINS - 1 && (cum += hist[p90]) < target)
    p90++;
  float min_slope = MAX(MAX((float)EDGE_MIN_SLOPE, p90 / 4.0f), 3.0f * (float)noise);
  float min_range = MAX((float)EDGE_MIN_RANGE, 6.0f * (float)noise);

  static const int nbr[4][2] = {{0, 1}, {1, 1}, {1, 0}, {1, -1}}; /* dy, dx across the edge */
  GArray *edges = g_array_new(FALSE, FALSE, sizeof(Edge));
  for (int y = border; y < h - border; y++) {
    for (int x = border; x < w - border; x++) {
      gsize i = (gsize)y * w + x;
      float m = mag[i];
      if (m <= min_slope)
        continue;
      int b = bin[i];
      gssize off = (gssize)nbr[b][0] * w + nbr[b][1];
      /* A local maximum across the edge (ties broken to one side). */
      if (m < mag[i + off] || m <= mag[i - off])
        continue;
      float range = local_range(g, w, x, y, RANGE_RADIUS);
      if (range <= min_range)
        continue;
      Edge e = {range / m, (guint8)b,
                (guint8)((y * REGION_TILES / h) * REGION_TILES + x * REGION_TILES / w)};
      g_array_append_val(edges, e);
    }
  }
  g_free(mag);
  g_free(bin);
  gboolean all[REGION_TILES * REGION_TILES], keep[REGION_TILES * REGION_TILES];
  for (int t = 0; t < REGION_TILES * REGION_TILES; t++)
    all[t] = TRUE;
  crispest_region((const Edge *)edges->data, edges->len, keep);
  g_array_sort(edges, cmp_width);
  *whole = width_of((const Edge *)edges->data, edges->len, all);
  *crisp = width_of((const Edge *)edges->data, edges->len, keep);
  g_array_unref(edges);
}

/* Re-blur (see the top of the file): 0 crisp .. 1 flat; NAN when the
 * picture is too small or has no variation at all. */
static double
reblur(const float *g, int w, int h, double noise)
{
  int r = REBLUR_RADIUS;
  if (w <= 2 * r + 3 || h <= 2 * r + 3)
    return NAN;
  /* The difference of two neighbouring 9-pixel box means is the two end
   * pixels' difference over 9: no blurred copy is needed. */
  double si_h = 0, sv_h = 0, si_v = 0, sv_v = 0, n_h = 0, n_v = 0;
  for (int y = 0; y < h; y++) {
    const float *row = g + (gsize)y * w;
    for (int x = r; x < w - r - 1; x++) {
      double di = fabs(row[x + 1] - row[x]);
      double db = fabs(row[x + r + 1] - row[x - r]) / (2 * r + 1);
      si_h += di;
      sv_h += MAX(0.0, di - db);
      n_h++;
    }
  }
  for (int y = r; y < h - r - 1; y++) {
    const float *row = g + (gsize)y * w;
    for (int x = 0; x < w; x++) {
      double di = fabs(row[x + w] - row[x]);
      double db = fabs(row[x + (gsize)(r + 1) * w] - row[x - (gssize)r * w]) / (2 * r + 1);
      si_v += di;
      sv_v += MAX(0.0, di - db);
      n_v++;
    }
  }
  /* Grain: what noise alone adds to the variation, taken off both sums
   * (a box blur removes nearly all of it, so it sits in the lost part). */
  double grain = isnan(noise) ? 0 : 2 * noise / sqrt(G_PI);
  si_h -= grain * n_h;
  sv_h -= grain * n_h;
  si_v -= grain * n_v;
  sv_v -= grain * n_v;
  if (si_h <= 1e-6 * n_h && si_v <= 1e-6 * n_v)
    return NAN;
  double bh = si_h > 1e-6 * n_h ? 1 - MAX(0.0, sv_h) / si_h : 1;
  double bv = si_v > 1e-6 * n_v ? 1 - MAX(0.0, sv_v) / si_v : 1;
  return CLAMP(MAX(bh, bv), 0.0, 1.0);
}

/* Noise of the flat parts: Immerkaer's estimator (the 3x3 kernel
 * 1 -2 1 / -2 4 -2 / 1 -2 1 cancels smooth content) averaged over 16x16
 * blocks, the 5th percentile of the blocks. The NOISE feature's 64 tiles
 * are too large to be flat in a textured photo (grass, gravel read as
 * grain there); a sky, a wall or a cheek has a few flat 16 px blocks, and
 * grain is all that is left in them. NAN under one block. */
static double
noise_flat(const float *g, int w, int h)
{
  enum { B = 16 };
  int nx = (w - 2) / B, ny = (h - 2) / B;
  if (nx < 1 || ny < 1)
    return NAN;
  double *block = g_new0(double, (gsize)nx *ny);
  for (int y = 1; y < 1 + ny * B; y++) {
    const float *u = g + (gsize)(y - 1) * w, *r = u + w, *d = r + w;
    double *row = block + (gsize)((y - 1) / B) * nx;
    for (int x = 1; x < 1 + nx * B; x++) {
      float k = (u[x - 1] + u[x + 1] + d[x - 1] + d[x + 1]) -
                2 * (u[x] + d[x] + r[x - 1] + r[x + 1]) + 4 * r[x];
      row[(x - 1) / B] += fabsf(k);
    }
  }
  int n = nx * ny;
  for (int i = 0; i < n; i++)
    block[i] /= B * B;
  /* The 5th percentile by a partial selection sort: n is at most ~1000. */
  int want = (int)(0.05 * (n - 1));
  for (int i = 0; i <= want; i++)
    for (int j = i + 1; j < n; j++)
      if (block[j] < block[i]) {
        double t = block[i];
        block[i] = block[j];
        block[j] = t;
      }
  double q = block[want];
  g_free(block);
  return sqrt(G_PI / 2) / 6 * q;
}

/**
 * _derush_sharpness_judge:
 * @g: the grey plane (0..255) of the preview
 * @w: its width
 * @h: its height
 * @v: the feature vector, NOISE already set; EDGE_WIDTH, REBLUR,
 *   SHARPNESS_SCORE and NOISE_FLAT are filled (NAN when the picture is too
 *   small or flat)
 */
void
_derush_sharpness_judge(const float *g, int w, int h, float *v)
{
  double noise = v[DERUSH_FEATURE_NOISE];
  double whole, crisp;
  edge_width(g, w, h, isnan(noise) ? 0 : noise, &whole, &crisp);
  v[DERUSH_FEATURE_EDGE_WIDTH] = (float)whole;
  v[DERUSH_FEATURE_EDGE_WIDTH_CRISP] = (float)crisp;
  v[DERUSH_FEATURE_REBLUR] = (float)reblur(g, w, h, noise);
  v[DERUSH_FEATURE_SHARPNESS_SCORE] = (float)derush_features_sharpness_score(v);
  v[DERUSH_FEATURE_NOISE_FLAT] = (float)noise_flat(g, w, h);
}

/* The logistic fit behind the score: log-odds of "sharp" =
 * SCORE_BIAS + SCORE_WIDTH * ln(edge_width) + SCORE_DETAIL * sharpness,
 * where sharpness is derush_features_sharpness() (log10 of the sharpest and
 * the centre tiles' Laplacian variance): the edge width says how edges are
 * made, the Laplacian how much fine detail there is; each covers the
 * other's misses (a smooth sunset has wide edges but a crisp horizon, a
 * blurred texture still some Laplacian). The re-blur added nothing beside
 * them in the fit (weight -0.3) and stays a feature for the learner and the
 * fallback for frames without strong edges (fog, a flat wall).
 * Fitted (bench/blur/fit-score.py) on the "tune" half of the frames
 * bench/blur/build-frames.sh makes from ../shared/corpus (324 frames, 54
 * sharp); the tests and the README's figures use the other half. */
#define SCORE_BIAS 24.94
#define SCORE_WIDTH -29.22
#define SCORE_DETAIL 2.40
#define SCORE_ONLY_BIAS 7.50
#define SCORE_ONLY_REBLUR -19.79

/**
 * derush_features_sharpness_score:
 * @vector: DERUSH_N_FEATURES values
 *
 * The lone-photo sharpness: 0..1, higher sharper, on one scale for every
 * photo (a probability-like value from a logistic fit, so 0.5 is the line
 * between soft and sharp). Computed from EDGE_WIDTH (see the top of
 * sharpness-judge.c), which is content-normalised (a smooth scene is not
 * soft for lacking fine texture), and derush_features_sharpness(); from
 * REBLUR alone when the picture has no strong edges.
 *
 * Returns: the score, NAN when the preview could not be judged.
 */
double
derush_features_sharpness_score(const float *vector)
{
  double width = vector[DERUSH_FEATURE_EDGE_WIDTH], rb = vector[DERUSH_FEATURE_REBLUR];
  double detail = derush_features_sharpness(vector);
  double z;
  if (!isnan(width) && width > 0 && !isnan(detail))
    z = SCORE_BIAS + SCORE_WIDTH * log(width) + SCORE_DETAIL * detail;
  else if (!isnan(rb))
    z = SCORE_ONLY_BIAS + SCORE_ONLY_REBLUR * rb;
  else
    return NAN;
  return 1 / (1 + exp(-z));
}

/**
 * derush_features_soft:
 * @vector: DERUSH_N_FEATURES values
 * @confidence: (out) (optional): how sure the answer is, 0.5..1 (the
 *   score's distance from the line, as a probability)
 *
 * Whether the photo is soft on its own: its sharpness score is below 0.5.
 *
 * Returns: TRUE when soft; FALSE when sharp or unknown (@confidence 0).
 */
gboolean
derush_features_soft(const float *vector, double *confidence)
{
  double s = derush_features_sharpness_score(vector);
  if (confidence)
    *confidence = isnan(s) ? 0 : MAX(s, 1 - s);
  return s < 0.5; /* NAN: FALSE */
}

/* The visible-softness fit behind derush_features_soft_visible(): log-odds
 * of "sharp" = VISIBLE_BIAS + VISIBLE_CRISP * ln(edge_width_crisp) +
 * VISIBLE_WIDTH * ln(edge_width) + VISIBLE_DETAIL * sharpness, soft below
 * VISIBLE_LINE. Fitted (bench/blur/fit-score.py --visible) on a demo shoot
 * of another seed (derush-demo-gen --seed 7: 212 sharp frames, 26
 * blurred), the line where 4 % of its sharp frames fall; the README's
 * figures are on the default demo and the held-out corpus frames. */
#define VISIBLE_BIAS 3.41
#define VISIBLE_CRISP -0.62
#define VISIBLE_WIDTH -3.83
#define VISIBLE_DETAIL 2.25
#define VISIBLE_LINE 0.77

/**
 * derush_features_soft_visible:
 * @vector: DERUSH_N_FEATURES values
 * @confidence: (out) (optional): how sure the answer is, 0.5..1 (the
 *   distance from the line, as a probability)
 *
 * Whether the photo looks soft at screen size, on its own: the warning the
 * app shows. derush_features_soft() asks whether the photo is as crisp as
 * a lens can make it at 100 %, which many good photos are not (a
 * wallpaper-grade macro with much bokeh is soft there and sharp on any
 * screen); this one leans on the crispest region of the frame
 * (EDGE_WIDTH_CRISP: the focused subject) and flags what a photographer
 * sees as missed focus or shake.
 *
 * Returns: TRUE when visibly soft; FALSE when not or unknown (@confidence 0).
 */
gboolean
derush_features_soft_visible(const float *vector, double *confidence)
{
  double crisp = vector[DERUSH_FEATURE_EDGE_WIDTH_CRISP], width = vector[DERUSH_FEATURE_EDGE_WIDTH];
  double detail = derush_features_sharpness(vector);
  if (isnan(crisp) || isnan(width) || crisp <= 0 || width <= 0 || isnan(detail)) {
    if (confidence)
      *confidence = 0;
    return FALSE;
  }
  double z = VISIBLE_BIAS + VISIBLE_CRISP * log(crisp) + VISIBLE_WIDTH * log(width) +
             VISIBLE_DETAIL * detail - VISIBLE_LINE;
  if (confidence)
    *confidence = 1 / (1 + exp(-fabs(z)));
  return z < 0;
}

/* Flat-block noise sigma on the preview (grey levels) at which a photo
 * reads noisy, and the width of the unsure band around it: the demo set's
 * noisy frames (grain sigma 9-15 at full size) measured 0.39-0.89, its
 * clean frames 0.03-0.33 (README, "Sharpness on its own"). */
#define NOISY_SIGMA 0.36
#define NOISY_SPREAD 0.05

/**
 * derush_features_noisy:
 * @vector: DERUSH_N_FEATURES values
 * @confidence: (out) (optional): how sure the answer is, 0.5..1
 *
 * Whether the photo shows grain: NOISE_FLAT (the noise of its flattest
 * blocks) above NOISY_SIGMA grey levels. The preview averages grain down (a
 * 12-MP frame shrunk 8 times keeps an eighth of its sigma), so what reads
 * noisy here is grain a photographer sees at fit-to-screen size.
 *
 * Returns: TRUE when noisy; FALSE when clean or unknown (@confidence 0).
 */
gboolean
derush_features_noisy(const float *vector, double *confidence)
{
  double n = vector[DERUSH_FEATURE_NOISE_FLAT];
  if (confidence)
    *confidence = isnan(n) ? 0 : 1 / (1 + exp(-fabs(n - NOISY_SIGMA) / NOISY_SPREAD));
  return n > NOISY_SIGMA; /* NAN: FALSE */
}
