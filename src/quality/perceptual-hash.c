/* perceptual-hash.c: 64-bit dHash and DCT pHash of an upright picture.
 *
 * Both hashes are computed from the same single pass over the pixels of the
 * (typically 512 px) cached preview, in integer arithmetic only: no float
 * rounding order, FMA contraction or libm cos() can make two machines store
 * different hashes for the same picture.
 *
 * Definitions (DERUSH_PHASH_VERSION 1):
 *
 * Grey. Each pixel's luma is Y = 299 R + 587 G + 114 B (ITU-R BT.601
 * weights times 1000, the same as PIL's "L" mode, on the sRGB-encoded 8-bit
 * values; no linearisation). One-band images use 1000 * value; a fourth
 * band (alpha) is ignored (derush's decoder flattens alpha beforehand).
 *
 * Resampling: an exact box filter of our own (not vips_resize, whose kernels
 * and vector paths are not specified to the bit). A W x H picture is cut
 * into C x R cells; cell column c covers pixel columns
 * [floor(c W / C), max(floor(c W / C) + 1, floor((c + 1) W / C))) and cell
 * rows likewise, so cells tile the picture when it is at least C x R and
 * pixels are replicated when it is smaller (a 1x1 image still hashes). A
 * cell's value is the mean luma of its pixels. The aspect ratio is not kept:
 * a picture resized to another aspect still maps onto the same cells.
 *
 * dHash: cells 9 x 8. For row y (0 = top) and x in 0..7, the bit is 1 when
 * cell (x + 1, y) is strictly brighter than cell (x, y): brightness rising to
 * the right. Means are compared exactly, by cross-multiplying the integer
 * sums with the pixel counts. Bit order: row-major, first cell pair is the
 * most significant bit, i.e. bit (63 - (8 y + x)); printed as 16 hex digits
 * this reads like imagehash's hex string. A dark-to-bright left-to-right
 * ramp gives 0xffffffffffffffff, the mirrored ramp and a flat picture 0.
 *
 * pHash (the phash.org definition): cells 32 x 32, each mean rounded to 1/16
 * of a grey level, G(x, y) = round(16 * mean / 1000). A 2-D DCT-II
 *   F(u, v) = sum_y sum_x Q((2y + 1) v) Q((2x + 1) u) G(x, y)
 * with the cosine quantised to 12 bits, Q(k) = round(4096 cos(k pi / 64)),
 * a table below, all in 64-bit integers (exact, so the summation order does
 * not matter). The 64 coefficients u, v in 1..8 (the lowest frequencies
 * without the DC row and column: DC only tracks overall brightness, and
 * dropping the row and column keeps 64 of them for 64 bits) are compared
 * with their median M (the mean of the 32nd and 33rd smallest): bit
 * (63 - (8 (v - 1) + (u - 1))) is 1 when F(u, v) > M, computed as
 * 2 F > sum of the two middle values. The normalisation factors of the DCT
 * are the same for all these coefficients, so they are left out.
 */
#include "derush-private.h"
#include "quality-private.h"

#define DHASH_COLS 9
#define DHASH_ROWS 8
#define PHASH_SIZE 32
#define PHASH_FREQS 8

/* BT.601 luma weights times 1000. */
#define LUMA_R 299
#define LUMA_G 587
#define LUMA_B 114
#define LUMA_ONE 1000

/* round(4096 cos(k pi / 64)) for k = 0..32, a quarter wave; quantised_cos()
 * unfolds it. Written out rather than computed with cos() so that the
 * definition cannot depend on the C library. */
static const gint64 quarter_cos[33] = {
    4096, 4091, 4076, 4052, 4017, 3973, 3920, 3857, 3784, 3703, 3612,
    3513, 3406, 3290, 3166, 3035, 2896, 2751, 2598, 2440, 2276, 2106,
    1931, 1751, 1567, 1380, 1189, 995,  799,  601,  401,  201,  0,
};

/* Q(k) = round(4096 cos(k pi / 64)) for any k >= 0, from the quarter wave
 * by the symmetries cos(2 pi - a) = cos(a) and cos(pi - a) = -cos(a). */
static gint64
quantised_cos(int k)
{
  k &= 127;
  if (k > 64)
    k = 128 - k;
  return k > 32 ? -quarter_cos[64 - k] : quarter_cos[k];
}

/* The cells of one grid: luma sums and pixel counts, row-major. */
typedef struct {
  int cols, rows;
  /* Pixel column (row) range of each cell column (row). 64-bit like the
   * sums: with int here, GCC 12.2 -O1/-O2 (Debian 12) strength-reduced the
   * accumulation loop into stores from a null base address and then dropped
   * them as dead, so every cell summed to 0. Equal element sizes give its
   * induction-variable pass nothing to fold. */
  guint64 x0[PHASH_SIZE], x1[PHASH_SIZE];
  guint64 y0[PHASH_SIZE], y1[PHASH_SIZE];
  guint64 sum[PHASH_SIZE * PHASH_SIZE];
  guint64 count[PHASH_SIZE * PHASH_SIZE];
} Grid;

/* Cell boundaries as documented above: floor(c W / C), at least one pixel. */
static void
grid_init(Grid *grid, int cols, int rows, int width, int height)
{
  memset(grid, 0, sizeof *grid);
  grid->cols = cols;
  grid->rows = rows;
  for (int c = 0; c < cols; c++) {
    grid->x0[c] = (guint64)c * (guint64)width / (guint64)cols;
    grid->x1[c] = MAX(grid->x0[c] + 1, (guint64)(c + 1) * (guint64)width / (guint64)cols);
  }
  for (int r = 0; r < rows; r++) {
    grid->y0[r] = (guint64)r * (guint64)height / (guint64)rows;
    grid->y1[r] = MAX(grid->y0[r] + 1, (guint64)(r + 1) * (guint64)height / (guint64)rows);
  }
  for (int r = 0; r < rows; r++)
    for (int c = 0; c < cols; c++)
      grid->count[r * cols + c] =
          (guint64)(grid->x1[c] - grid->x0[c]) * (guint64)(grid->y1[r] - grid->y0[r]);
}

/* Adds pixel row @y, given as prefix sums of luma (@prefix[x] = sum of the
 * first x pixels), to every cell row that covers it. When the picture is
 * at least as tall as the grid, exactly one does. */
static void
grid_add_row(Grid *grid, guint64 y, const guint64 *prefix)
{
  for (int r = 0; r < grid->rows; r++) {
    if (y < grid->y0[r] || y >= grid->y1[r])
      continue;
    for (int c = 0; c < grid->cols; c++) {
      int i = r * grid->cols + c;
      grid->sum[i] += prefix[grid->x1[c]] - prefix[grid->x0[c]];
    }
  }
}

/* dHash bits from the 9 x 8 grid (see the file comment). Comparing the
 * means sum_a / count_a < sum_b / count_b as sum_a count_b < sum_b count_a
 * is exact; the products stay below 2^64 for any picture under
 * DERUSH_PIXEL_LIMIT (255000 * (4e8 / 72)^2 ~ 7.9e18). */
static guint64
dhash_from_grid(const Grid *grid)
{
  guint64 hash = 0;
  for (int y = 0; y < DHASH_ROWS; y++)
    for (int x = 0; x < DHASH_COLS - 1; x++) {
      int a = y * DHASH_COLS + x, b = a + 1;
      gboolean brighter = grid->sum[b] * grid->count[a] > grid->sum[a] * grid->count[b];
      hash = (hash << 1) | (brighter ? 1 : 0);
    }
  return hash;
}

/* Sorts gint64 ascending (the median of the pHash coefficients). */
static int
cmp_gint64(gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;
  return (x > y) - (x < y);
}

/* pHash bits from the 32 x 32 grid (see the file comment). Only the 8 x 8
 * coefficients used are computed, separably: rows first (T), then columns.
 * Magnitudes: G <= 4080, |Q| <= 4096, so |T| < 2^29 and |F| < 2^46. */
static guint64
phash_from_grid(const Grid *grid)
{
  gint64 g[PHASH_SIZE][PHASH_SIZE];
  for (int y = 0; y < PHASH_SIZE; y++)
    for (int x = 0; x < PHASH_SIZE; x++) {
      int i = y * PHASH_SIZE + x;
      /* round(16 * sum / (1000 * count)), in integers. */
      guint64 den = (guint64)LUMA_ONE * grid->count[i];
      g[y][x] = (gint64)((16 * grid->sum[i] + den / 2) / den);
    }

  gint64 t[PHASH_SIZE][PHASH_FREQS];
  for (int y = 0; y < PHASH_SIZE; y++)
    for (int u = 1; u <= PHASH_FREQS; u++) {
      gint64 acc = 0;
      for (int x = 0; x < PHASH_SIZE; x++)
        acc += quantised_cos((2 * x + 1) * u) * g[y][x];
      t[y][u - 1] = acc;
    }

  gint64 f[PHASH_FREQS * PHASH_FREQS];
  for (int v = 1; v <= PHASH_FREQS; v++)
    for (int u = 1; u <= PHASH_FREQS; u++) {
      gint64 acc = 0;
      for (int y = 0; y < PHASH_SIZE; y++)
        acc += quantised_cos((2 * y + 1) * v) * t[y][u - 1];
      f[(v - 1) * PHASH_FREQS + (u - 1)] = acc;
    }

  gint64 sorted[PHASH_FREQS * PHASH_FREQS];
  memcpy(sorted, f, sizeof f);
  qsort(sorted, G_N_ELEMENTS(sorted), sizeof sorted[0], cmp_gint64);
  gint64 twice_median = sorted[31] + sorted[32];

  guint64 hash = 0;
  for (int i = 0; i < PHASH_FREQS * PHASH_FREQS; i++)
    hash = (hash << 1) | (2 * f[i] > twice_median ? 1 : 0);
  return hash;
}

/**
 * _derush_perceptual_hashes_rgb:
 * @pixels: the top-left pixel of an 8-bit picture, upright.
 * @width, @height: its size, at least 1 x 1.
 * @bands: 1 (grey), 3 (RGB) or 4 (RGBA, alpha ignored).
 * @stride: bytes from one row to the next.
 * @dhash: (out) (optional): the dHash.
 * @phash: (out) (optional): the pHash.
 *
 * Computes both hashes in one pass over a pixel buffer, as defined at the
 * top of this file. Exposed so that callers holding a buffer already (and
 * the tests) need no VipsImage.
 *
 * Returns: FALSE (a programmer error) when the arguments are invalid.
 */
gboolean
_derush_perceptual_hashes_rgb(const guint8 *pixels, int width, int height, int bands, gsize stride,
                              guint64 *dhash, guint64 *phash)
{
  g_return_val_if_fail(pixels != NULL, FALSE);
  g_return_val_if_fail(width > 0 && height > 0, FALSE);
  g_return_val_if_fail(bands == 1 || bands == 3 || bands == 4, FALSE);
  g_return_val_if_fail((gint64)width * height <= DERUSH_PIXEL_LIMIT, FALSE);

  /* ~17 KiB each, on the stack: no allocation per photo. */
  Grid dgrid, pgrid;
  grid_init(&dgrid, DHASH_COLS, DHASH_ROWS, width, height);
  grid_init(&pgrid, PHASH_SIZE, PHASH_SIZE, width, height);

  /* Row prefix sums let every cell take its share of a row with one
   * subtraction, whatever the cell widths. */
  guint64 *prefix = g_new(guint64, (gsize)width + 1);
  for (int y = 0; y < height; y++) {
    const guint8 *p = pixels + (gsize)y * stride;
    guint64 acc = 0;
    prefix[0] = 0;
    if (bands == 1)
      for (int x = 0; x < width; x++) {
        acc += (guint64)LUMA_ONE * p[x];
        prefix[x + 1] = acc;
      }
    else
      for (int x = 0; x < width; x++, p += bands) {
        acc += (guint64)(LUMA_R * p[0] + LUMA_G * p[1] + LUMA_B * p[2]);
        prefix[x + 1] = acc;
      }
    grid_add_row(&dgrid, (guint64)y, prefix);
    grid_add_row(&pgrid, (guint64)y, prefix);
  }
  g_free(prefix);

  if (dhash)
    *dhash = dhash_from_grid(&dgrid);
  if (phash)
    *phash = phash_from_grid(&pgrid);
  return TRUE;
}

/**
 * _derush_perceptual_hashes_windows:
 * @pixels: the top-left pixel of an 8-bit RGB picture (3 bands), upright.
 * @width, @height: its size, at least 1 x 1.
 * @stride: bytes from one row to the next.
 * @rects: (array length=n): windows as {x, y, width, height}, each inside
 *   the picture and at least 1 x 1.
 * @n: how many.
 * @dhash: (out) (array length=n): the dHash of each window.
 * @phash: (out) (array length=n): the pHash of each window.
 *
 * The hashes of many windows of one picture: exactly what
 * _derush_perceptual_hashes_rgb() gives for each window's pixels, bit for
 * bit, from one summed-area table of the luma: each window costs its
 * cells (four look-ups each) and its DCT, not a pass over its pixels.
 */
void
_derush_perceptual_hashes_windows(const guint8 *pixels, int width, int height, gsize stride,
                                  const int (*rects)[4], int n, guint64 *dhash, guint64 *phash)
{
  g_return_if_fail(pixels != NULL && width > 0 && height > 0);
  g_return_if_fail((gint64)width * height <= DERUSH_PIXEL_LIMIT);
  /* sat[y * (width + 1) + x]: the luma sum of the pixels above and left of
   * (x, y); below 2^64 for any picture under the pixel limit. */
  gsize cols = (gsize)width + 1;
  guint64 *sat = g_new0(guint64, cols * ((gsize)height + 1));
  for (int y = 0; y < height; y++) {
    const guint8 *p = pixels + (gsize)y * stride;
    guint64 acc = 0;
    for (int x = 0; x < width; x++, p += 3) {
      acc += (guint64)(LUMA_R * p[0] + LUMA_G * p[1] + LUMA_B * p[2]);
      sat[(y + 1) * cols + x + 1] = sat[y * cols + x + 1] + acc;
    }
  }
  Grid *grid = g_new(Grid, 1); /* ~17 KiB, reused for every window */
  for (int i = 0; i < n; i++) {
    const int *r = rects[i];
    g_return_if_fail(r[0] >= 0 && r[1] >= 0 && r[2] >= 1 && r[3] >= 1 && r[0] + r[2] <= width &&
                     r[1] + r[3] <= height);
    for (int pass = 0; pass < 2; pass++) {
      if (pass == 0)
        grid_init(grid, DHASH_COLS, DHASH_ROWS, r[2], r[3]);
      else
        grid_init(grid, PHASH_SIZE, PHASH_SIZE, r[2], r[3]);
      for (int gr = 0; gr < grid->rows; gr++)
        for (int gc = 0; gc < grid->cols; gc++) {
          /* Cells lie inside the window even when it is smaller than the
           * grid (grid_init: overlapping one-pixel cells), so a cell's
           * sum is the table's rectangle, as the row pass adds it up. */
          guint64 y0 = (guint64)r[1] + grid->y0[gr], y1 = (guint64)r[1] + grid->y1[gr];
          guint64 x0 = (guint64)r[0] + grid->x0[gc], x1 = (guint64)r[0] + grid->x1[gc];
          grid->sum[gr * grid->cols + gc] =
              sat[y1 * cols + x1] - sat[y0 * cols + x1] - sat[y1 * cols + x0] + sat[y0 * cols + x0];
        }
      if (pass == 0)
        dhash[i] = dhash_from_grid(grid);
      else
        phash[i] = phash_from_grid(grid);
    }
  }
  g_free(grid);
  g_free(sat);
}

/**
 * _derush_perceptual_hashes:
 * @image: an upright picture; normally the 8-bit sRGB 3-band preview the
 *   scanner makes. Anything else is first brought to that form with
 *   _derush_image_normalise(). A lazy image is computed once, here: pass an
 *   in-memory image when it is needed again afterwards.
 * @dhash: (out) (optional): the 64-bit dHash.
 * @phash: (out) (optional): the 64-bit DCT pHash.
 * @error: return location for a GError.
 *
 * Computes both perceptual hashes (defined at the top of this file) in one
 * pass over the pixels.
 *
 * Returns: FALSE with @error set when the pixels cannot be computed.
 * See also: _derush_hamming(), _derush_near_dup_pairs().
 */
gboolean
_derush_perceptual_hashes(VipsImage *image, guint64 *dhash, guint64 *phash, GError **error)
{
  g_return_val_if_fail(VIPS_IS_IMAGE(image), FALSE);

  g_autoptr(VipsImage) rgb = NULL;
  if (image->BandFmt == VIPS_FORMAT_UCHAR && (image->Bands == 3 || image->Bands == 1))
    rgb = g_object_ref(image);
  else if (!(rgb = _derush_image_normalise(image, error)))
    return FALSE;

  if ((gint64)rgb->Xsize * rgb->Ysize > DERUSH_PIXEL_LIMIT) {
    g_set_error(error, DERUSH_ERROR, DERUSH_ERROR_TOO_LARGE,
                "%dx%d is too large to hash; hash a preview", rgb->Xsize, rgb->Ysize);
    return FALSE;
  }

  /* A region over the whole image points into the pixels of an in-memory
   * image without a copy, and computes a lazy one once. */
  VipsRegion *region = vips_region_new(rgb);
  VipsRect all = {0, 0, rgb->Xsize, rgb->Ysize};
  if (vips_region_prepare(region, &all)) {
    g_object_unref(region);
    _derush_set_vips_error(error, DERUSH_ERROR_CORRUPT, "cannot compute the pixels to hash");
    return FALSE;
  }
  gboolean ok = _derush_perceptual_hashes_rgb((const guint8 *)VIPS_REGION_ADDR(region, 0, 0),
                                              rgb->Xsize, rgb->Ysize, rgb->Bands,
                                              VIPS_REGION_LSKIP(region), dhash, phash);
  g_object_unref(region); /* libvips 8.14 has no autoptr for VipsRegion */
  return ok;
}

/**
 * _derush_dhash:
 * @image: an upright picture (see _derush_perceptual_hashes()).
 * @error: return location for a GError.
 *
 * Returns: the 64-bit dHash; 0 with @error set on failure (0 is also the
 * hash of a flat picture: test @error, not the value).
 */
guint64
_derush_dhash(VipsImage *image, GError **error)
{
  guint64 hash = 0;
  if (!_derush_perceptual_hashes(image, &hash, NULL, error))
    return 0;
  return hash;
}

/**
 * _derush_phash:
 * @image: an upright picture (see _derush_perceptual_hashes()).
 * @error: return location for a GError.
 *
 * Returns: the 64-bit DCT pHash; 0 with @error set on failure.
 */
guint64
_derush_phash(VipsImage *image, GError **error)
{
  guint64 hash = 0;
  if (!_derush_perceptual_hashes(image, NULL, &hash, error))
    return 0;
  return hash;
}

/**
 * _derush_hamming:
 * @a, @b: two hashes.
 *
 * Returns: the number of bits in which @a and @b differ, 0..64.
 */
int
_derush_hamming(guint64 a, guint64 b)
{
  return __builtin_popcountll(a ^ b);
}
