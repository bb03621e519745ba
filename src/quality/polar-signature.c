/* polar-signature.c: a rotation-invariant signature of a picture, so copies
 * rotated by any angle (a straightened horizon, a scan put in crooked, a
 * phone that guessed the orientation wrong by less than 90 degrees) can be
 * found as near-duplicates. dHash and pHash cannot: they compare cells at
 * fixed places, and a 30-degree turn moves every cell.
 *
 * Definition (part of DERUSH_PHASH_VERSION 4):
 *
 * Grey. BT.601 luma of the 8-bit sRGB preview, 0..1. It is box-reduced by
 * the integer factor that brings its short side nearest to (not below)
 * POLAR_BASE pixels, which low-passes it before the sparse samples below.
 *
 * Polar samples. Around the picture's centre, the disc of radius 0.97 x
 * content_radius() (half the short side unless fill is found: the largest
 * disc a turned copy still shows whole, since a picture turned about its
 * centre keeps its inscribed circle, on the same canvas or an enlarged one)
 * is sampled on POLAR_RINGS rings at radii (k + 0.5) / RINGS of it,
 * POLAR_ANGLES angles each, bilinearly. Turning the picture by phi shifts
 * every ring's samples by phi; mirroring it reverses them.
 *
 * Coefficients. Each ring's angular DFT, normalised by the sample count:
 * c(k, 0) is the ring's mean, c(k, j) for j = 1..POLAR_HARMONICS its
 * harmonics. A turn by phi multiplies c(k, j) by exp(-i j phi), so the
 * magnitudes |c(k, j)| do not change: ring means plus the magnitudes of
 * harmonics 1..POLAR_MAG_HARMONICS are the rotation- and mirror-invariant
 * descriptor (_derush_polar_distance), and the phases give the angle back
 * (_derush_polar_rotation). Stored quantised to Q15 (values are in -1..1).
 *
 * rhash: 64 bits from that descriptor for the exact multi-index search, by
 * comparisons of neighbouring rings (like dHash compares neighbouring
 * cells), most significant first: mean(k) > mean(k + 1) for k = 0..10,
 * mean(k) > mean(k + 2) for k = 0..9, then for j = 1..4 in turn,
 * |c(k, j)| > |c(k + 1, j)| for k = 0..10, the last of j = 4 left out.
 *
 * Floats are used here (sin/cos, bilinear weights), unlike perceptual-hash.c:
 * a bit flipped by another libm only costs a candidate that the
 * descriptor's distance then decides, and that distance is not sensitive
 * to the last float bit.
 */
#include "derush-private.h"
#include "quality-private.h"
#include "util/tsan-handoff.h"

#include <math.h>

#define POLAR_BASE 128
#define POLAR_ANGLES 128
#define POLAR_RADIUS 0.485

G_STATIC_ASSERT(DERUSH_POLAR_RINGS == 12);
G_STATIC_ASSERT(DERUSH_POLAR_MAG_HARMONICS <= DERUSH_POLAR_HARMONICS);

/* Luma of @rgb box-reduced by @f, as floats 0..1; sets *w, *h. */
static float *
reduced_luma(const guint8 *rgb, int width, int height, gsize stride, int f, int *w, int *h)
{
  int rw = MAX(1, width / f), rh = MAX(1, height / f);
  float *out = g_new0(float, (gsize)rw *rh);
  for (int y = 0; y < rh; y++)
    for (int x = 0; x < rw; x++) {
      guint32 acc = 0, n = 0;
      for (int dy = 0; dy < f && y * f + dy < height; dy++) {
        const guint8 *p = rgb + (gsize)(y * f + dy) * stride + (gsize)x * f * 3;
        for (int dx = 0; dx < f && x * f + dx < width; dx++, p += 3, n++)
          acc += 299u * p[0] + 587u * p[1] + 114u * p[2];
      }
      out[(gsize)y * rw + x] = n ? (float)acc / (255000.0f * n) : 0;
    }
  *w = rw;
  *h = rh;
  return out;
}

static float
bilinear(const float *g, int w, int h, double x, double y)
{
  x = CLAMP(x, 0, w - 1);
  y = CLAMP(y, 0, h - 1);
  int x0 = (int)x, y0 = (int)y;
  int x1 = MIN(x0 + 1, w - 1), y1 = MIN(y0 + 1, h - 1);
  double fx = x - x0, fy = y - y0;
  double top = g[(gsize)y0 * w + x0] * (1 - fx) + g[(gsize)y0 * w + x1] * fx;
  double bot = g[(gsize)y1 * w + x0] * (1 - fx) + g[(gsize)y1 * w + x1] * fx;
  return (float)(top * (1 - fy) + bot * fy);
}

#define FILL_LUMA (3.0 / 255)
#define FILL_RAYS 72

/* The radius of the largest centred circle free of fill: the black (or
 * white) corners a turn on an enlarged canvas leaves. Along each of
 * FILL_RAYS rays from the centre, the content ends where the rest of the
 * ray out to the canvas edge is at least 95% fill; the smallest such end
 * over all rays, never less than a quarter of the short side. A picture
 * without fill gives half its short side, so its disc is the usual one,
 * and a copy turned on an enlarged canvas gets the disc of the original. */
static double
content_radius(const float *g, int w, int h)
{
  double cx = (w - 1) / 2.0, cy = (h - 1) / 2.0, half = MIN(w, h) / 2.0;
  double best = half;
  for (int a = 0; a < FILL_RAYS; a++) {
    double dx = cos(2 * G_PI * a / FILL_RAYS), dy = sin(2 * G_PI * a / FILL_RAYS);
    /* Samples one pixel apart out to the canvas edge. */
    int n = 0;
    float v[2048];
    for (double r = 0; n < (int)G_N_ELEMENTS(v); r += 1, n++) {
      double x = cx + r * dx, y = cy + r * dy;
      if (x < 0 || y < 0 || x > w - 1 || y > h - 1)
        break;
      v[n] = g[(gsize)lround(y) * w + lround(x)];
    }
    /* From the outside in: the longest tail that is >= 95% fill. */
    int fill = 0, end = n;
    for (int i = n - 1; i >= 0; i--) {
      fill += v[i] <= FILL_LUMA || v[i] >= 1 - FILL_LUMA;
      if (fill * 20 >= (n - i) * 19)
        end = i;
    }
    if (end < n && fill > 0)
      best = MIN(best, (double)end);
  }
  return MAX(best, half / 2);
}

static gint16
q15(double v)
{
  return (gint16)CLAMP(lround(v * 32767.0), -32767, 32767);
}

static double
unq15(gint16 v)
{
  return v / 32767.0;
}

/* The rotation-invariant descriptor: ring means, then |c(k, j)| by j. */
static void
descriptor(const DerushPolar *p, double *d)
{
  int n = 0;
  for (int k = 0; k < DERUSH_POLAR_RINGS; k++)
    d[n++] = unq15(p->mean[k]);
  for (int j = 0; j < DERUSH_POLAR_MAG_HARMONICS; j++)
    for (int k = 0; k < DERUSH_POLAR_RINGS; k++)
      d[n++] = hypot(unq15(p->re[k][j]), unq15(p->im[k][j]));
}

#define DESC_LEN (DERUSH_POLAR_RINGS * (1 + DERUSH_POLAR_MAG_HARMONICS))

static guint64
rhash_of(const double *d)
{
  const int K = DERUSH_POLAR_RINGS;
  guint64 h = 0;
  int bits = 0;
#define PUSH(cond)                                                                                 \
  do {                                                                                             \
    if (bits < 64) {                                                                               \
      h = (h << 1) | ((cond) ? 1 : 0);                                                             \
      bits++;                                                                                      \
    }                                                                                              \
  } while (0)
  for (int k = 0; k + 1 < K; k++)
    PUSH(d[k] > d[k + 1]);
  for (int k = 0; k + 2 < K; k++)
    PUSH(d[k] > d[k + 2]);
  for (int j = 1; j <= 4 && j <= DERUSH_POLAR_MAG_HARMONICS; j++)
    for (int k = 0; k + 1 < K; k++)
      PUSH(d[j * K + k] > d[j * K + k + 1]);
#undef PUSH
  return h << (64 - bits);
}

/**
 * _derush_polar_compute_rgb:
 * @rgb: packed 8-bit RGB, upright, at least 1 x 1
 * @stride: bytes from one row to the next
 * @polar: (out): the signature (see the file comment)
 */
void
_derush_polar_compute_rgb(const guint8 *rgb, int width, int height, gsize stride,
                          DerushPolar *polar)
{
  memset(polar, 0, sizeof *polar);
  int f = MAX(1, MIN(width, height) / POLAR_BASE);
  int w, h;
  g_autofree float *g = reduced_luma(rgb, width, height, stride, f, &w, &h);
  double cx = (w - 1) / 2.0, cy = (h - 1) / 2.0;
  double radius = POLAR_RADIUS * 2 * content_radius(g, w, h);

  double cs[POLAR_ANGLES], sn[POLAR_ANGLES];
  for (int a = 0; a < POLAR_ANGLES; a++) {
    cs[a] = cos(2 * G_PI * a / POLAR_ANGLES);
    sn[a] = sin(2 * G_PI * a / POLAR_ANGLES);
  }
  double energy = 0;
  for (int k = 0; k < DERUSH_POLAR_RINGS; k++) {
    double r = radius * (k + 0.5) / DERUSH_POLAR_RINGS;
    float v[POLAR_ANGLES];
    double mean = 0;
    for (int a = 0; a < POLAR_ANGLES; a++) {
      v[a] = bilinear(g, w, h, cx + r * cs[a], cy + r * sn[a]);
      mean += v[a];
    }
    polar->mean[k] = q15(mean / POLAR_ANGLES);
    for (int j = 1; j <= DERUSH_POLAR_HARMONICS; j++) {
      double re = 0, im = 0;
      for (int a = 0; a < POLAR_ANGLES; a++) {
        int idx = (j * a) % POLAR_ANGLES; /* exp(-i j theta_a) from the tables */
        re += v[a] * cs[idx];
        im -= v[a] * sn[idx];
      }
      polar->re[k][j - 1] = q15(re / POLAR_ANGLES);
      polar->im[k][j - 1] = q15(im / POLAR_ANGLES);
      energy += (re * re + im * im) / ((double)POLAR_ANGLES * POLAR_ANGLES);
    }
  }
  double d[DESC_LEN];
  descriptor(polar, d);
  polar->rhash = rhash_of(d);
  /* A flat disc (a blank frame, a 1x1 image) has no harmonics: it has no
   * angle to find, and would match every other flat picture. */
  polar->valid = energy > 1e-6;
}

/**
 * _derush_polar_distance:
 * Returns: the root-mean-square difference of the two rotation-invariant
 * descriptors (ring means and harmonic magnitudes, 0..1 scale): about 0.005
 * for a copy turned by 30 degrees, above 0.015 for different pictures.
 */
double
_derush_polar_distance(const DerushPolar *a, const DerushPolar *b)
{
  double da[DESC_LEN], db[DESC_LEN], sum = 0;
  descriptor(a, da);
  descriptor(b, db);
  for (int i = 0; i < DESC_LEN; i++)
    sum += (da[i] - db[i]) * (da[i] - db[i]);
  return sqrt(sum / DESC_LEN);
}

/**
 * _derush_polar_rotation:
 * @angle_deg: (out) (optional): the turn, 0..359, that best maps @b onto @a
 * @mirrored: (out) (optional): whether that mapping also mirrors
 * @identity_corr: (out) (optional): the best correlation at a turn of
 *   less than ROT_TRIVIAL_DEG from 0 (plain) or from 0 or 180 (mirrored),
 *   the relations the plain and transform hashes already cover
 *
 * Correlates the two signatures' harmonics over every whole-degree turn,
 * plain and mirrored, as the normalised inner product of the rings' angular
 * profiles (means left out, so a brightness change does not count).
 *
 * Returns: the best correlation, -1..1; 0 when either has no harmonics.
 */
double
_derush_polar_rotation(const DerushPolar *a, const DerushPolar *b, int trivial_deg, int *angle_deg,
                       gboolean *mirrored, double *identity_corr)
{
  /* The turn only multiplies harmonic j by exp(i j t), the same for every
   * ring, so the rings' products are summed first: per harmonic, plain
   * sum of a * conj(b), mirrored sum of a * b. */
  double na = 0, nb = 0;
  double sum[2][DERUSH_POLAR_HARMONICS][2] = {{{0}}};
  for (int k = 0; k < DERUSH_POLAR_RINGS; k++)
    for (int j = 0; j < DERUSH_POLAR_HARMONICS; j++) {
      double ar = unq15(a->re[k][j]), ai = unq15(a->im[k][j]);
      double br = unq15(b->re[k][j]), bi = unq15(b->im[k][j]);
      na += ar * ar + ai * ai;
      nb += br * br + bi * bi;
      sum[0][j][0] += ar * br + ai * bi;
      sum[0][j][1] += ai * br - ar * bi;
      sum[1][j][0] += ar * br - ai * bi;
      sum[1][j][1] += ar * bi + ai * br;
    }
  /* cos and sin of j * t for every whole degree t, computed once. */
  static double table[360][DERUSH_POLAR_HARMONICS][2];
  static gsize table_ready;
  if (g_once_init_enter(&table_ready)) {
    for (int deg = 0; deg < 360; deg++)
      for (int j = 0; j < DERUSH_POLAR_HARMONICS; j++) {
        table[deg][j][0] = cos((j + 1) * deg * G_PI / 180);
        table[deg][j][1] = sin((j + 1) * deg * G_PI / 180);
      }
    DERUSH_HANDOFF_RELEASE(table); /* g_once_init_leave() is invisible to make tsan */
    g_once_init_leave(&table_ready, 1);
  }
  DERUSH_HANDOFF_ACQUIRE(table);
  double best = 0, trivial = -1;
  int best_angle = 0;
  gboolean best_mirror = FALSE;
  if (na > 0 && nb > 0) {
    double norm = sqrt(na * nb);
    best = -2;
    for (int m = 0; m < 2; m++)
      for (int deg = 0; deg < 360; deg++) {
        double acc = 0;
        for (int j = 0; j < DERUSH_POLAR_HARMONICS; j++) /* Re(sum * exp(i j t)) */
          acc += sum[m][j][0] * table[deg][j][0] - sum[m][j][1] * table[deg][j][1];
        double corr = acc / norm;
        int off0 = MIN(deg, 360 - deg), off180 = abs(deg - 180);
        if (off0 < trivial_deg || (m == 1 && off180 < trivial_deg))
          trivial = MAX(trivial, corr);
        if (corr > best) {
          best = corr;
          best_angle = deg;
          best_mirror = m == 1;
        }
      }
  }
  if (angle_deg)
    *angle_deg = best_angle;
  if (mirrored)
    *mirrored = best_mirror;
  if (identity_corr)
    *identity_corr = trivial;
  return best;
}
