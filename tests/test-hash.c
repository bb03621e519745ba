/* test-hash.c: perceptual hashes (src/quality/perceptual-hash.c) and the
 * exact near-duplicate pair search (src/group/near-dup-index.c).
 *
 * The search is checked against brute force, pair for pair, on random sets
 * with planted clusters and on adversarial sets built to sit on the edges of
 * its pigeonhole argument. The hashes are checked by known answers computed
 * here from their written definitions, and on real photos: edits a
 * photographer makes (re-encode, resize, brighten) stay close, mirror images,
 * rotations and other photos stay far.
 *
 * Over 600 lines: one program per area shares one fixture; the cases are
 * independent.
 */
#include "test-util.h"
#include "group/near-dup-index.h"
#include "quality/quality-private.h"

/* ------------------------------------------------------------ helpers */

/* splitmix64: the same stream on every machine, for reproducible sets. */
static guint64
next_random(guint64 *state)
{
  guint64 z = (*state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/* @h with @flips distinct random bits flipped. */
static guint64
flip_bits(guint64 h, int flips, guint64 *state)
{
  guint64 done = 0;
  while (flips > 0) {
    guint64 bit = (guint64)1 << (next_random(state) % 64);
    if (done & bit)
      continue;
    done |= bit;
    h ^= bit;
    flips--;
  }
  return h;
}

/* @n hashes: clusters (a centre and up to 5 copies with 0..@max_flips
 * flips) making up about a third of them, the rest random; the cluster
 * members are scattered over the array. */
static guint64 *
make_clustered(gsize n, int max_flips, guint64 seed)
{
  guint64 state = seed;
  guint64 *h = g_new(guint64, n);
  for (gsize i = 0; i < n; i++)
    h[i] = next_random(&state);
  gsize n_members = n / 3;
  for (gsize done = 0; done < n_members;) {
    guint64 centre = next_random(&state);
    int size = 2 + (int)(next_random(&state) % 5);
    for (int k = 0; k < size && done < n_members; k++, done++) {
      int flips = k == 0 ? 0 : (int)(next_random(&state) % (guint64)(max_flips + 1));
      h[next_random(&state) % n] = flip_bits(centre, flips, &state);
    }
  }
  return h;
}

/* Asserts that the index finds exactly brute force's pairs at @radius. */
static void
assert_same_as_brute(const guint64 *h, gsize n, int index_radius, int radius, int n_threads)
{
  g_autoptr(DerushNearDupIndex) index = _derush_near_dup_index_new(h, n, index_radius);
  DerushNearDupStats stats;
  g_autoptr(GArray) mih = _derush_near_dup_pairs(index, radius, n_threads, &stats);
  g_autoptr(GArray) brute = _derush_near_dup_pairs_brute(h, n, radius, 1);
  if (mih->len != brute->len)
    g_test_message("n %zu radius %d: m %d s %d: %u pairs, brute force %u", n, radius,
                   stats.n_substrings, stats.substring_radius, mih->len, brute->len);
  g_assert_cmpuint(mih->len, ==, brute->len);
  g_assert_cmpuint(stats.pairs, ==, mih->len);
  for (guint k = 0; k < mih->len; k++) {
    DerushNearDupPair *a = &g_array_index(mih, DerushNearDupPair, k);
    DerushNearDupPair *b = &g_array_index(brute, DerushNearDupPair, k);
    g_assert_cmpuint(a->i, ==, b->i);
    g_assert_cmpuint(a->j, ==, b->j);
    g_assert_cmpuint(a->distance, ==, b->distance);
    g_assert_cmpuint(a->i, <, a->j);
    g_assert_cmpint(_derush_hamming(h[a->i], h[a->j]), ==, (int)a->distance);
  }
}

/* ------------------------------------------------------- pair search */

static const int radii[] = {0, 1, 4, 8, 12};

static void
test_mih_random(void)
{
  static const gsize sizes[] = {2000, 7000};
  for (gsize si = 0; si < G_N_ELEMENTS(sizes); si++)
    for (gsize ri = 0; ri < G_N_ELEMENTS(radii); ri++)
      for (guint64 seed = 1; seed <= 3; seed++) {
        int r = radii[ri];
        /* Flips up to r + 2 put copies on both sides of the radius. */
        g_autofree guint64 *h = make_clustered(sizes[si], r + 2, seed * 1000 + ri);
        assert_same_as_brute(h, sizes[si], r, r, 2);
      }
}

/* Queries against an index: exactly the (query, indexed) pairs a double
 * loop finds, on sets where half the queries are copies of indexed hashes
 * with 0..radius + 2 bits flipped, with 1-3 threads. */
static void
test_mih_query(void)
{
  const int q_radii[] = {0, 1, 4, 6, 8};
  for (gsize ri = 0; ri < G_N_ELEMENTS(q_radii); ri++)
    for (guint64 seed = 1; seed <= 3; seed++) {
      int r = q_radii[ri];
      gsize n = 5000, nq = 3000;
      g_autofree guint64 *h = make_clustered(n, r + 2, seed * 77 + ri);
      g_autofree guint64 *q = g_new(guint64, nq);
      guint64 st = seed * 991 + ri;
      for (gsize i = 0; i < nq; i++)
        q[i] = i % 2 ? next_random(&st)
                     : flip_bits(h[next_random(&st) % n], (int)(next_random(&st) % (r + 3)), &st);
      /* Both kinds of index: substrings chosen for all pairs or queries. */
      g_autoptr(DerushNearDupIndex) index =
          seed % 2 ? _derush_near_dup_index_new(h, n, r)
                   : _derush_near_dup_index_new_for_queries(h, n, nq, r);
      g_autoptr(GArray) got = _derush_near_dup_query(index, q, nq, r, 1 + (int)(seed % 3));
      GArray *want = g_array_new(FALSE, FALSE, sizeof(DerushNearDupPair));
      for (gsize i = 0; i < nq; i++)
        for (gsize j = 0; j < n; j++) {
          int d = _derush_hamming(q[i], h[j]);
          if (d <= r) {
            DerushNearDupPair p = {(guint32)i, (guint32)j, (guint32)d};
            g_array_append_val(want, p);
          }
        }
      g_test_message("radius %d: %u pairs", r, want->len);
      g_assert_cmpuint(want->len, >, 0);
      g_assert_cmpuint(got->len, ==, want->len);
      for (guint k = 0; k < got->len; k++) {
        DerushNearDupPair *a = &g_array_index(got, DerushNearDupPair, k);
        DerushNearDupPair *b = &g_array_index(want, DerushNearDupPair, k);
        g_assert_cmpuint(a->i, ==, b->i);
        g_assert_cmpuint(a->j, ==, b->j);
        g_assert_cmpuint(a->distance, ==, b->distance);
      }
      g_array_unref(want);
    }
}

static void
test_mih_large(void)
{
  static const int large_radii[] = {4, 8, 12};
  for (gsize ri = 0; ri < G_N_ELEMENTS(large_radii); ri++) {
    g_autofree guint64 *h = make_clustered(20000, large_radii[ri] + 2, 77 + ri);
    assert_same_as_brute(h, 20000, large_radii[ri], large_radii[ri], 2);
  }
}

/* All zero, all equal: every pair, from every substring, reported once. */
static void
test_mih_identical(void)
{
  const gsize n = 1200;
  g_autofree guint64 *h = g_new0(guint64, n);
  for (gsize ri = 0; ri < G_N_ELEMENTS(radii); ri++) {
    g_autoptr(DerushNearDupIndex) index = _derush_near_dup_index_new(h, n, radii[ri]);
    g_autoptr(GArray) pairs = _derush_near_dup_pairs(index, radii[ri], 2, NULL);
    g_assert_cmpuint(pairs->len, ==, n * (n - 1) / 2);
  }
  for (gsize i = 0; i < n; i++)
    h[i] = 0xdeadbeefcafef00dULL;
  assert_same_as_brute(h, n, 8, 8, 2);
  /* Half one value, half its complement: two cliques, nothing between. */
  for (gsize i = 0; i < n; i += 2)
    h[i] = ~h[i];
  assert_same_as_brute(h, n, 8, 8, 2);
}

/* Copies at exactly r and r + 1, with the flips spread as evenly as
 * possible over the index's substrings (so each substring is at s or
 * s + 1: the edge of the pigeonhole), or packed into one substring. */
static void
test_mih_boundary(void)
{
  for (gsize ri = 0; ri < G_N_ELEMENTS(radii); ri++) {
    int r = radii[ri];
    const gsize n_base = 300;
    gsize n = n_base * 5;
    g_autofree guint64 *h = g_new(guint64, n);
    guint64 state = 99 + r;
    for (gsize i = 0; i < n; i++)
      h[i] = next_random(&state);
    /* The index's substring layout (m depends on n and r only): m
     * substrings, the first 64 mod m one bit wider, from bit 0 up. */
    g_autoptr(DerushNearDupIndex) probe = _derush_near_dup_index_new(h, n, r);
    int m = _derush_near_dup_index_get_n_substrings(probe);
    int start[33], width[33];
    for (int k = 0, off = 0; k < m; k++) {
      width[k] = 64 / m + (k < 64 % m ? 1 : 0);
      start[k] = off;
      off += width[k];
    }
    for (gsize b = 0; b < n_base; b++) {
      guint64 base = next_random(&state);
      h[b * 5] = base;
      for (int v = 0; v < 4; v++) {
        int d = (v % 2 == 0) ? r : r + 1;
        guint64 copy = base;
        if (v < 2) {
          /* Spread: round-robin over substrings, a random bit in each. */
          int used[33] = {0};
          for (int f = 0; f < d; f++) {
            int k = f % m;
            for (;;) {
              int bit = start[k] + (int)(next_random(&state) % (guint64)width[k]);
              if (!(copy & ((guint64)1 << bit)) == !(base & ((guint64)1 << bit))) {
                copy ^= (guint64)1 << bit;
                used[k]++;
                break;
              }
              if (used[k] >= width[k])
                break;
            }
          }
        } else {
          /* Packed: the lowest d bits, so substring 0 takes them all. */
          for (int f = 0; f < d; f++)
            copy ^= (guint64)1 << (f % 64);
        }
        h[b * 5 + 1 + v] = copy;
      }
    }
    g_autoptr(DerushNearDupIndex) index = _derush_near_dup_index_new(h, n, r);
    g_autoptr(GArray) pairs = _derush_near_dup_pairs(index, r, 2, NULL);
    /* Every copy at exactly r is found. */
    guint found_at_r = 0;
    for (guint k = 0; k < pairs->len; k++) {
      DerushNearDupPair *p = &g_array_index(pairs, DerushNearDupPair, k);
      g_assert_cmpuint(p->distance, <=, (guint)r);
      if (p->i % 5 == 0 && p->j == p->i + 1 + 0)
        found_at_r++;
      if (p->i % 5 == 0 && p->j == p->i + 1 + 2)
        found_at_r++;
    }
    g_assert_cmpuint(found_at_r, ==, 2 * n_base);
    assert_same_as_brute(h, n, r, r, 2);
  }
}

/* The answer does not depend on the threads, the index's planned radius or
 * the brute-force fallback for large radii; tiny inputs work. */
static void
test_mih_options(void)
{
  g_autofree guint64 *h = make_clustered(3000, 10, 5);
  assert_same_as_brute(h, 3000, 8, 8, 1);
  assert_same_as_brute(h, 3000, 8, 8, 3);
  assert_same_as_brute(h, 3000, 2, 8, 2);  /* searched wider than planned */
  assert_same_as_brute(h, 3000, 12, 4, 2); /* narrower */
  assert_same_as_brute(h, 3000, 16, 16, 2);
  assert_same_as_brute(h, 3000, 8, 40, 2); /* brute force inside */
  assert_same_as_brute(h, 3000, 64, 64, 2);

  g_autoptr(DerushNearDupIndex) empty = _derush_near_dup_index_new(NULL, 0, 8);
  g_autoptr(GArray) none = _derush_near_dup_pairs(empty, 8, 2, NULL);
  g_assert_cmpuint(none->len, ==, 0);
  assert_same_as_brute(h, 1, 8, 8, 2);
  assert_same_as_brute(h, 2, 8, 64, 2);
  for (gsize n = 3; n < 40; n += 7)
    assert_same_as_brute(h, n, 8, 8, 2);
}

static void
test_hamming(void)
{
  g_assert_cmpint(_derush_hamming(0, 0), ==, 0);
  g_assert_cmpint(_derush_hamming(0, G_MAXUINT64), ==, 64);
  g_assert_cmpint(_derush_hamming(0x8000000000000001ULL, 0), ==, 2);
  g_assert_cmpint(_derush_hamming(0xf0f0, 0x0ff0), ==, 8);
}

/* --------------------------------------------------- known answers */

/* A grey W x H image from a function of (x, y), as 3 equal bands. */
static VipsImage *
make_grey_image(int w, int h, int (*value)(int x, int y, int w, int h))
{
  g_autofree guint8 *px = g_malloc((gsize)w * h * 3);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      guint8 v = (guint8)CLAMP(value(x, y, w, h), 0, 255);
      memset(px + ((gsize)y * w + x) * 3, v, 3);
    }
  VipsImage *img =
      vips_image_new_from_memory_copy(px, (gsize)w * h * 3, w, h, 3, VIPS_FORMAT_UCHAR);
  g_assert_nonnull(img);
  return img;
}

static int
ramp_right(int x, int y, int w, int h)
{
  return 10 + 235 * x / MAX(1, w - 1);
}

static int
ramp_left(int x, int y, int w, int h)
{
  return 245 - 235 * x / MAX(1, w - 1);
}

static int
ramp_down(int x, int y, int w, int h)
{
  return 10 + 235 * y / MAX(1, h - 1);
}

static int
flat(int x, int y, int w, int h)
{
  return 128;
}

/* 128 + 100 cos(pi (2x + 1) / 64) cos(pi (2y + 1) / 64) on a 32 x 32
 * image: the DCT basis function (1, 1), so F(1, 1) is the largest
 * coefficient by far. */
static int
basis_11(int x, int y, int w, int h)
{
  return (int)lround(128 + 100 * cos(G_PI * (2 * x + 1) / 64) * cos(G_PI * (2 * y + 1) / 64));
}

static int
basis_11_negative(int x, int y, int w, int h)
{
  return 256 - basis_11(x, y, w, h);
}

static guint64
dhash_of(VipsImage *img)
{
  g_autoptr(GError) error = NULL;
  guint64 hash = _derush_dhash(img, &error);
  g_assert_no_error(error);
  return hash;
}

static guint64
phash_of(VipsImage *img)
{
  g_autoptr(GError) error = NULL;
  guint64 hash = _derush_phash(img, &error);
  g_assert_no_error(error);
  return hash;
}

static void
test_dhash_known(void)
{
  static const int sizes[][2] = {{9, 8}, {64, 64}, {512, 384}, {301, 17}, {3, 2}};
  for (gsize i = 0; i < G_N_ELEMENTS(sizes); i++) {
    int w = sizes[i][0], h = sizes[i][1];
    g_autoptr(VipsImage) right = make_grey_image(w, h, ramp_right);
    g_autoptr(VipsImage) left = make_grey_image(w, h, ramp_left);
    g_autoptr(VipsImage) down = make_grey_image(w, h, ramp_down);
    g_autoptr(VipsImage) still = make_grey_image(w, h, flat);
    if (w >= 9) /* narrower images replicate pixels: equal neighbours */
      g_assert_cmphex(dhash_of(right), ==, G_MAXUINT64);
    g_assert_cmphex(dhash_of(left), ==, 0);
    g_assert_cmphex(dhash_of(down), ==, 0);
    g_assert_cmphex(dhash_of(still), ==, 0);
    g_assert_cmphex(phash_of(still), ==, 0);
  }

  /* Bit order, on a 9 x 8 image where cells are pixels: the bit of row y,
   * column x is bit 63 - (8 y + x), set when pixel (x + 1, y) > (x, y). */
  guint64 state = 7;
  guint8 px[8][9][3];
  guint64 expect = 0;
  for (int y = 0; y < 8; y++)
    for (int x = 0; x < 9; x++) {
      guint8 v = (guint8)(next_random(&state) % 6 * 40); /* ties happen */
      px[y][x][0] = px[y][x][1] = px[y][x][2] = v;
    }
  for (int y = 0; y < 8; y++)
    for (int x = 0; x < 8; x++)
      if (px[y][x + 1][0] > px[y][x][0])
        expect |= (guint64)1 << (63 - (8 * y + x));
  g_autoptr(VipsImage) img =
      vips_image_new_from_memory_copy(px, sizeof px, 9, 8, 3, VIPS_FORMAT_UCHAR);
  g_assert_cmphex(dhash_of(img), ==, expect);

  /* Luma weights (299 R + 587 G + 114 B) decide between colours: blue 100
   * has luma 11400, red 20 5980 (darker), red 40 11960 (brighter). */
  guint8 two[1][2][3] = {{{0, 0, 100}, {20, 0, 0}}};
  guint64 dh = 0;
  g_assert_true(_derush_perceptual_hashes_rgb(&two[0][0][0], 2, 1, 3, 6, &dh, NULL));
  g_assert_cmphex(dh, ==, 0);
  guint8 two_b[1][2][3] = {{{0, 0, 100}, {40, 0, 0}}};
  g_assert_true(_derush_perceptual_hashes_rgb(&two_b[0][0][0], 2, 1, 3, 6, &dh, NULL));
  /* 2 pixels over 9 columns: cells 0..4 hold pixel 0, 5..8 pixel 1
   * (floor(c * 2 / 9)), so in each row only the step from cell 4 to 5
   * rises: x = 4, the fifth bit from the top of each byte. */
  g_assert_cmphex(dh, ==, 0x0808080808080808ULL);
}

static void
test_phash_known(void)
{
  g_autoptr(VipsImage) pos = make_grey_image(32, 32, basis_11);
  g_autoptr(VipsImage) neg = make_grey_image(32, 32, basis_11_negative);
  guint64 p = phash_of(pos), n = phash_of(neg);
  /* F(1, 1) is bit 63: above the median for the pattern, below it for its
   * negative. */
  g_assert_cmphex(p >> 63, ==, 1);
  g_assert_cmphex(n >> 63, ==, 0);

  /* The same picture at another size hashes the same: the box filter maps
   * 64 x 64 onto 32 x 32 cells of 2 x 2 equal pixels. */
  g_autoptr(VipsImage) big = NULL;
  g_assert_cmpint(vips_zoom(pos, &big, 2, 2, NULL), ==, 0);
  g_assert_cmphex(phash_of(big), ==, p);
  g_assert_cmphex(dhash_of(big), ==, dhash_of(pos));

  /* Grey (1 band) and RGB with equal bands agree; 1 x 1 works. */
  g_autoptr(VipsImage) grey = NULL;
  g_assert_cmpint(vips_extract_band(pos, &grey, 0, NULL), ==, 0);
  g_assert_cmphex(phash_of(grey), ==, p);
  guint8 one[3] = {9, 99, 199};
  guint64 d1 = 1, p1 = 1;
  g_assert_true(_derush_perceptual_hashes_rgb(one, 1, 1, 3, 3, &d1, &p1));
  g_assert_cmphex(d1, ==, 0);
  g_assert_cmphex(p1, ==, 0);
}

/* A quadrant image (test-util) from a file: same file, same hash; its
 * mirror hashes differently (only the middle column and the odd horizontal
 * frequencies change in so simple a picture, so "far" is for photos). */
static void
test_hash_quadrant_file(void)
{
  g_autofree char *dir = test_make_tmpdir();
  g_autofree char *path = g_build_filename(dir, "q.png", NULL);
  test_make_quadrant_image(path, 640, 480);
  g_autoptr(GError) error = NULL;
  g_autoptr(VipsImage) a = vips_image_new_from_file(path, NULL);
  g_autoptr(VipsImage) b = vips_image_new_from_file(path, NULL);
  g_assert_nonnull(a);
  guint64 da = 0, pa = 0, db = 0, pb = 0;
  g_assert_true(_derush_perceptual_hashes(a, &da, &pa, &error));
  g_assert_no_error(error);
  g_assert_true(_derush_perceptual_hashes(b, &db, &pb, &error));
  g_assert_cmphex(da, ==, db);
  g_assert_cmphex(pa, ==, pb);
  g_autoptr(VipsImage) c = vips_image_new_from_file(path, NULL);
  g_autoptr(VipsImage) mirror = NULL;
  g_assert_cmpint(vips_flip(c, &mirror, VIPS_DIRECTION_HORIZONTAL, NULL), ==, 0);
  guint64 dm = 0, pm = 0;
  g_assert_true(_derush_perceptual_hashes(mirror, &dm, &pm, &error));
  g_assert_cmphex(dm, !=, da);
  g_assert_cmphex(pm, !=, pa);
  test_rmrf(dir);
}

/* ------------------------------------------------------- real photos */

typedef struct {
  guint64 d, p;
} Hashes;

/* Hashes an encoded file the way the scanner will: the project's decoder,
 * a 512 px upright sRGB preview. */
static Hashes
hash_encoded(const void *data, gsize len, const char *name)
{
  g_autoptr(GError) error = NULL;
  DerushImageInfo info;
  g_autoptr(VipsImage) thumb = NULL;
  g_assert_true(
      _derush_image_load(data, len, name, 1, DERUSH_THUMB_CACHE_SIZE, &info, &thumb, &error));
  g_assert_no_error(error);
  Hashes h;
  g_assert_true(_derush_perceptual_hashes(thumb, &h.d, &h.p, &error));
  g_assert_no_error(error);
  return h;
}

static Hashes
hash_file(const char *path)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  g_assert_true(g_file_get_contents(path, &data, &len, NULL));
  return hash_encoded(data, len, path);
}

/* Encodes @img as JPEG at @q and hashes the result. */
static Hashes
hash_as_jpeg(VipsImage *img, int q)
{
  void *buf = NULL;
  size_t len = 0;
  g_assert_cmpint(vips_jpegsave_buffer(img, &buf, &len, "Q", q, NULL), ==, 0);
  Hashes h = hash_encoded(buf, len, "edit.jpg");
  g_free(buf);
  return h;
}

/* Orders a GPtrArray of strings (it passes pointers to the elements). */
static int
cmp_path(gconstpointer a, gconstpointer b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static GPtrArray *
mate_photos(void)
{
  GPtrArray *paths = g_ptr_array_new_with_free_func(g_free);
  const char *dirname = "/usr/share/backgrounds/mate/nature";
  g_autoptr(GDir) dir = g_dir_open(dirname, 0, NULL);
  const char *name;
  while (dir && (name = g_dir_read_name(dir)))
    if (g_str_has_suffix(name, ".jpg"))
      g_ptr_array_add(paths, g_build_filename(dirname, name, NULL));
  g_ptr_array_sort(paths, cmp_path);
  return paths;
}

/* The window hashes of one summed-area table are, bit for bit, the hashes
 * of each window's own pixels: windows large and small (under the 32 x 32
 * grid, whose cells then overlap), at the edges and inside, of pictures
 * with sizes the grids do not divide. */
static void
test_hash_windows_exact(void)
{
  static const int sizes[][2] = {{200, 150}, {37, 23}, {512, 341}};
  guint64 state = 21;
  for (gsize s = 0; s < G_N_ELEMENTS(sizes); s++) {
    int w = sizes[s][0], h = sizes[s][1];
    gsize stride = (gsize)w * 3 + 5; /* padded rows, as a region's may be */
    g_autofree guint8 *rgb = g_malloc(stride * h);
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w * 3; x++) /* gradients plus noise: varied bits */
        rgb[y * stride + x] = (guint8)((x * 3 + y * 5 + next_random(&state) % 64) & 255);
    int rects[][4] = {{0, 0, w, h},         {1, 2, w - 3, h - 2}, {w / 3, h / 4, w / 2, h / 2},
                      {w - 5, h - 3, 5, 3}, {0, h - 1, w, 1},     {w / 2, 0, 1, h},
                      {3, 1, w - 10, h - 1}};
    int n = G_N_ELEMENTS(rects);
    guint64 dh[G_N_ELEMENTS(rects)], ph[G_N_ELEMENTS(rects)];
    _derush_perceptual_hashes_windows(rgb, w, h, stride, (const int(*)[4])rects, n, dh, ph);
    for (int i = 0; i < n; i++) {
      guint64 d = 0, p = 0;
      const guint8 *origin = rgb + (gsize)rects[i][1] * stride + (gsize)rects[i][0] * 3;
      g_assert_true(
          _derush_perceptual_hashes_rgb(origin, rects[i][2], rects[i][3], 3, stride, &d, &p));
      g_assert_cmphex(dh[i], ==, d);
      g_assert_cmphex(ph[i], ==, p);
    }
    /* Not all alike: the windows see different pixels. */
    g_assert_cmphex(ph[0], !=, ph[2]);
  }
}

/* Edits that keep a photo a near-duplicate stay within 8 bits; a mirror
 * image or a quarter turn is a different picture for these hashes. */
static void
test_hash_photo_edits(void)
{
  g_autoptr(GPtrArray) photos = mate_photos();
  if (photos->len == 0) {
    g_test_skip("/usr/share/backgrounds/mate/nature is absent (apt-get install mate-backgrounds)");
    return;
  }
  int worst_near = 0, best_far = 64;
  for (guint i = 0; i < photos->len; i++) {
    const char *path = photos->pdata[i];
    Hashes orig = hash_file(path);
    Hashes again = hash_file(path);
    g_assert_cmphex(orig.d, ==, again.d);
    g_assert_cmphex(orig.p, ==, again.p);
    /* The median splits the 64 coefficients in half. */
    g_assert_cmpint(__builtin_popcountll(orig.p), ==, 32);

    g_autoptr(VipsImage) img = vips_image_new_from_file(path, "access", VIPS_ACCESS_RANDOM, NULL);
    g_assert_nonnull(img);
    g_autoptr(VipsImage) half = NULL, bright = NULL, bright8 = NULL, mirror = NULL, turned = NULL;
    g_assert_cmpint(vips_resize(img, &half, 0.5, NULL), ==, 0);
    double a[] = {1.0}, b[] = {12.0};
    g_assert_cmpint(vips_linear(img, &bright, a, b, 1, NULL), ==, 0);
    g_assert_cmpint(vips_cast_uchar(bright, &bright8, NULL), ==, 0);
    g_assert_cmpint(vips_flip(img, &mirror, VIPS_DIRECTION_HORIZONTAL, NULL), ==, 0);
    g_assert_cmpint(vips_rot(img, &turned, VIPS_ANGLE_D90, NULL), ==, 0);

    const struct {
      const char *what;
      Hashes h;
      gboolean near;
    } edits[] = {
        {"jpeg q60", hash_as_jpeg(img, 60), TRUE},
        {"half size", hash_as_jpeg(half, 90), TRUE},
        {"brighter +12", hash_as_jpeg(bright8, 90), TRUE},
        {"mirrored", hash_as_jpeg(mirror, 90), FALSE},
        {"rotated 90", hash_as_jpeg(turned, 90), FALSE},
    };
    for (gsize e = 0; e < G_N_ELEMENTS(edits); e++) {
      int dd = _derush_hamming(orig.d, edits[e].h.d), dp = _derush_hamming(orig.p, edits[e].h.p);
      g_autofree char *base = g_path_get_basename(path);
      g_test_message("%s %s: dHash %d pHash %d", base, edits[e].what, dd, dp);
      if (edits[e].near) {
        g_assert_cmpint(dd, <=, 8);
        g_assert_cmpint(dp, <=, 8);
        worst_near = MAX(worst_near, MAX(dd, dp));
      } else {
        /* Far on pHash. Not always on dHash: the mirror of a smooth,
         * nearly symmetric picture keeps most horizontal gradients' signs
         * (Dune.jpg: 6 bits, TwoWings.jpg: 15) while its pHash moves ~30,
         * as the odd horizontal frequencies change sign. Grouping must not
         * rely on dHash alone. */
        g_assert_cmpint(dp, >, 16);
        g_assert_cmpint(MAX(dd, dp), >, 16);
        best_far = MIN(best_far, MIN(dd, dp));
      }
    }
  }
  g_test_message("edits: worst near %d, closest far %d", worst_near, best_far);
}

/* Different photos are far apart. */
static void
test_hash_photo_distinct(void)
{
  g_autoptr(GPtrArray) photos = mate_photos();
  if (photos->len < 2) {
    g_test_skip("/usr/share/backgrounds/mate/nature is absent (apt-get install mate-backgrounds)");
    return;
  }
  g_autofree Hashes *h = g_new(Hashes, photos->len);
  for (guint i = 0; i < photos->len; i++)
    h[i] = hash_file(photos->pdata[i]);
  int closest_d = 64, closest_p = 64;
  for (guint i = 0; i < photos->len; i++)
    for (guint j = i + 1; j < photos->len; j++) {
      closest_d = MIN(closest_d, _derush_hamming(h[i].d, h[j].d));
      closest_p = MIN(closest_p, _derush_hamming(h[i].p, h[j].p));
    }
  g_test_message("different photos: closest dHash %d, pHash %d", closest_d, closest_p);
  /* pHash keeps them far; dHash only outside the near-duplicate radius
   * (13 bits for two of these 12 photos, as corpus/near_dups/README.md
   * found for UKBench objects). */
  g_assert_cmpint(closest_d, >, 8);
  g_assert_cmpint(closest_p, >, 16);
}

/* ../shared/corpus/near_dups: its groups.csv relations, hashed. */
static void
test_hash_near_dups_corpus(void)
{
  g_autofree char *root = test_shared_path("corpus/near_dups");
  if (!root) {
    g_test_skip("../shared/corpus/near_dups is absent");
    return;
  }
  g_autofree char *orig_path = g_build_filename(root, "base_images/ukbench00120.jpg", NULL);
  Hashes orig = hash_file(orig_path);
  static const struct {
    const char *path;
    int max_d, max_p; /* a near-duplicate: at most this far */
    gboolean far;     /* not one: more than 16 apart on both hashes */
  } cases[] = {
      {"mixed_images/ukbench00120.jpg", 0, 0, FALSE},
      {"mixed_nested_images/lvl1/ukbench00120.jpg", 0, 0, FALSE},
      {"mixed_images/ukbench00120_resize.jpg", 8, 8, FALSE},
      {"ukbench00120_gray.jpg", 8, 8, FALSE},
      {"alpha_channel_image.png", 8, 8, FALSE},
      {"mixed_images/ukbench00120_hflip.jpg", 0, 0, TRUE},
      {"mixed_images/ukbench00120_rotation.jpg", 0, 0, TRUE},
  };
  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autofree char *path = g_build_filename(root, cases[i].path, NULL);
    Hashes h = hash_file(path);
    int dd = _derush_hamming(orig.d, h.d), dp = _derush_hamming(orig.p, h.p);
    g_test_message("%s: dHash %d pHash %d", cases[i].path, dd, dp);
    if (cases[i].far) {
      g_assert_cmpint(dd, >, 16);
      g_assert_cmpint(dp, >, 16);
    } else {
      g_assert_cmpint(dd, <=, cases[i].max_d);
      g_assert_cmpint(dp, <=, cases[i].max_p);
    }
  }
  g_autofree char *webp = g_build_filename(root, "formats_images/ukbench09380.webp", NULL);
  g_autofree char *jpg = g_build_filename(root, "base_images/ukbench09380.jpg", NULL);
  Hashes w = hash_file(webp), j = hash_file(jpg);
  g_assert_cmpint(_derush_hamming(w.d, j.d), <=, 8);
  g_assert_cmpint(_derush_hamming(w.p, j.p), <=, 8);
}

int
main(int argc, char **argv)
{
  test_init(&argc, &argv);
  g_test_add_func("/hash/hamming", test_hamming);
  g_test_add_func("/hash/mih/random", test_mih_random);
  g_test_add_func("/hash/mih/query", test_mih_query);
  g_test_add_func("/hash/mih/large", test_mih_large);
  g_test_add_func("/hash/mih/identical", test_mih_identical);
  g_test_add_func("/hash/mih/boundary", test_mih_boundary);
  g_test_add_func("/hash/mih/options", test_mih_options);
  g_test_add_func("/hash/dhash/known", test_dhash_known);
  g_test_add_func("/hash/phash/known", test_phash_known);
  g_test_add_func("/hash/windows/exact", test_hash_windows_exact);
  g_test_add_func("/hash/file/quadrant", test_hash_quadrant_file);
  g_test_add_func("/hash/photo/edits", test_hash_photo_edits);
  g_test_add_func("/hash/photo/distinct", test_hash_photo_distinct);
  g_test_add_func("/hash/corpus/near-dups", test_hash_near_dups_corpus);
  return g_test_run();
}
