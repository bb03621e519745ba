/* sketch.c: a fixed low-dimensional sketch of an embedding.
 *
 * A 1280-float MobileNetV2 embedding is 5 KB a photo: reading them all for
 * a 100,000-photo catalog cost 2.0-2.3 s of CPU where the rest of the
 * learning dataset cost 0.4 s (issue 19). What learning needs from it is
 * which photos look alike, i.e. inner products, and a random orthonormal
 * projection keeps those on average (Johnson-Lindenstrauss). So the catalog
 * stores, next to each embedding, its unit-normalised projection onto
 * DERUSH_SKETCH_SIZE fixed directions, one byte each: 64 bytes a photo.
 * 64 directions keep
 * much of what matters (on the tastes of bench/tastes, the ROC-AUC of the
 * kept/trashed centroid margin: person 0.85 with all 1280 floats, 0.83
 * with 128 random directions, 0.71-0.74 with 32-64) at a quarter of the
 * reading cost of 128 (commit message).
 *
 * The directions are Gaussian vectors from a fixed generator (splitmix64,
 * Box-Muller), orthonormalised by modified Gram-Schmidt: the same on every
 * machine and run, so sketches stored by one derush compare with another's.
 * Changing them needs a catalog migration that recomputes the stored ones.
 */
#include "derush-private.h"

#include <math.h>

/* The generator's seed: any fixed value; changing it needs a migration. */
#define SKETCH_SEED 0x5eed5ce7c4ULL

static guint64
splitmix64(guint64 *state)
{
  guint64 z = (*state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/* A uniform double in (0, 1). */
static double
uniform(guint64 *state)
{
  return ((splitmix64(state) >> 11) + 0.5) / (double)(1ULL << 53);
}

/* DERUSH_SKETCH_SIZE orthonormal directions of @n floats. */
static float *
make_directions(int n)
{
  g_autofree double *m = g_new(double, (gsize)DERUSH_SKETCH_SIZE *n);
  guint64 state = SKETCH_SEED;
  for (gsize i = 0; i < (gsize)DERUSH_SKETCH_SIZE * n; i++)
    m[i] = sqrt(-2 * log(uniform(&state))) * cos(2 * G_PI * uniform(&state));
  for (int r = 0; r < DERUSH_SKETCH_SIZE; r++) {
    double *row = m + (gsize)r * n;
    for (int q = 0; q < r; q++) {
      const double *prev = m + (gsize)q * n;
      double dot = 0;
      for (int k = 0; k < n; k++)
        dot += row[k] * prev[k];
      for (int k = 0; k < n; k++)
        row[k] -= dot * prev[k];
    }
    double norm = 0;
    for (int k = 0; k < n; k++)
      norm += row[k] * row[k];
    norm = 1 / sqrt(norm);
    for (int k = 0; k < n; k++)
      row[k] *= norm;
  }
  /* Transposed (n x DERUSH_SKETCH_SIZE): the projection's inner loop runs
   * over the outputs, which the compiler vectorises. */
  float *out = g_new(float, (gsize)n *DERUSH_SKETCH_SIZE);
  for (int r = 0; r < DERUSH_SKETCH_SIZE; r++)
    for (int k = 0; k < n; k++)
      out[(gsize)k * DERUSH_SKETCH_SIZE + r] = (float)m[(gsize)r * n + k];
  return out;
}

/* The directions for inputs of @n floats, made once per size and kept
 * for the process (one or two sizes ever: 40-160 KB each). */
static const float *
directions_for(int n)
{
  static GMutex lock;
  static GHashTable *by_size; /* GINT_TO_POINTER(n) -> float * */
  g_mutex_lock(&lock);
  if (!by_size)
    by_size = g_hash_table_new(g_direct_hash, g_direct_equal);
  float *d = g_hash_table_lookup(by_size, GINT_TO_POINTER(n));
  if (!d) {
    d = make_directions(n);
    g_hash_table_insert(by_size, GINT_TO_POINTER(n), d);
  }
  g_mutex_unlock(&lock);
  return d;
}

/**
 * _derush_sketch:
 * @in: an embedding of @n floats
 * @n: its size (> DERUSH_SKETCH_SIZE)
 * @out: (out caller-allocates): DERUSH_SKETCH_SIZE floats
 *
 * Projects @in, scaled to unit length, on the fixed directions.
 *
 * Returns: FALSE (and @out all NAN) when @in has no direction: all zero,
 * or not finite.
 */
gboolean
_derush_sketch(const float *in, int n, float *out)
{
  g_return_val_if_fail(n > DERUSH_SKETCH_SIZE, FALSE);
  double norm = 0;
  for (int k = 0; k < n; k++)
    norm += (double)in[k] * in[k];
  if (!(norm > 0) || !isfinite(norm)) {
    for (int j = 0; j < DERUSH_SKETCH_SIZE; j++)
      out[j] = NAN;
    return FALSE;
  }
  norm = 1 / sqrt(norm);
  const float *d = directions_for(n);
  float acc[DERUSH_SKETCH_SIZE] = {0};
  for (int k = 0; k < n; k++) {
    float v = in[k];
    if (v == 0) /* MobileNetV2's pooled ReLU outputs: many are */
      continue;
    const float *col = d + (gsize)k * DERUSH_SKETCH_SIZE;
    for (int j = 0; j < DERUSH_SKETCH_SIZE; j++)
      acc[j] += v * col[j];
  }
  for (int j = 0; j < DERUSH_SKETCH_SIZE; j++)
    out[j] = (float)(acc[j] * norm);
  return TRUE;
}

/* The stored form: one signed byte a value, SKETCH_RANGE mapped to 127.
 * A unit vector's 64 values are ~0.125 each, rarely beyond 0.5: steps of
 * 0.004 cost cosines about 1 %, and a sketch is 64 bytes, so a catalog's
 * 100,000 read like its detector features (0.1 s less CPU than floats). */
#define SKETCH_RANGE 0.5

/**
 * _derush_sketch_pack:
 * @sketch: DERUSH_SKETCH_SIZE floats from _derush_sketch()
 * @out: (out caller-allocates): DERUSH_SKETCH_BYTES bytes
 */
void
_derush_sketch_pack(const float *sketch, gint8 *out)
{
  for (int j = 0; j < DERUSH_SKETCH_SIZE; j++) {
    double q = round(sketch[j] * (127 / SKETCH_RANGE));
    out[j] = (gint8)CLAMP(q, -127, 127);
  }
}

/**
 * _derush_sketch_value:
 * @packed: a value of a packed sketch
 *
 * Returns: its float.
 */
float
_derush_sketch_value(gint8 packed)
{
  return (float)(packed * (SKETCH_RANGE / 127));
}
