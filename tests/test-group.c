/* test-group.c: sessions, bursts and near-duplicates on synthetic units
 * (grouping's algorithms, no catalog). Analyze, groups and eval on the
 * demo set and the shared corpus are test-group-catalog.c's.
 *
 * Over 600 lines: the synthetic pictures (turned, mirrored, cropped) are
 * built here and serve every case; the cases are independent.
 */
#include "group/grouping.h"
#include "group/group-store.h"
#include "test-util.h"

#define SEC ((gint64)1000000000)

static DerushGroupUnit
unit(gint64 id, gint64 time_s, guint32 camera)
{
  DerushGroupUnit u = {0};
  u.id = id;
  u.has_time = TRUE;
  u.time_ns = time_s * SEC;
  u.camera = camera;
  u.score = u.sharpness = NAN;
  return u;
}

/* The members (unit ids) of each group of @kind, as "1,2,3" strings. */
static GPtrArray *
groups_of(GPtrArray *groups, const DerushGroupUnit *units, DerushGroupKind kind)
{
  GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
  for (guint i = 0; i < groups->len; i++) {
    DerushGroupResult *g = groups->pdata[i];
    if (g->kind != kind)
      continue;
    GString *s = g_string_new(NULL);
    for (guint k = 0; k < g->units->len; k++)
      g_string_append_printf(s, "%s%" G_GINT64_FORMAT, k ? "," : "",
                             units[g_array_index(g->units, guint, k)].id);
    g_ptr_array_add(out, g_string_free(s, FALSE));
  }
  return out;
}

static void
assert_groups(GPtrArray *got, const char *const *want)
{
  g_assert_cmpuint(got->len, ==, g_strv_length((char **)want));
  for (guint i = 0; i < got->len; i++)
    g_assert_cmpstr(got->pdata[i], ==, want[i]);
}

static void
test_sessions_bursts(void)
{
  DerushGroupOptions opt;
  derush_group_options_init(&opt);
  opt.session_gap_s = 1800;
  opt.burst_gap_s = 2;
  /* Camera 1: 0, 2 (exactly the burst gap: same burst), 5 (3 s after:
   * new), 6; camera 2 at 1 s sits between them and must not join. Sessions: 1806 is exactly 30 min
   * after 6 (same session), 3607 is 1801 s after 1806 (new session). */
  DerushGroupUnit u[] = {
      unit(1, 0, 1), unit(2, 2, 1),    unit(3, 5, 1),    unit(4, 6, 1),
      unit(5, 1, 2), unit(6, 1806, 1), unit(7, 3607, 1), unit(8, 3608, 0),
  };
  u[7].camera = 0; /* unknown camera: never in a burst */
  g_autoptr(GPtrArray) groups = _derush_group_compute(u, G_N_ELEMENTS(u), &opt, 1);
  g_autoptr(GPtrArray) sessions = groups_of(groups, u, DERUSH_GROUP_SESSION);
  g_autoptr(GPtrArray) bursts = groups_of(groups, u, DERUSH_GROUP_BURST);
  const char *want_sessions[] = {"1,2,3,4,5,6", "7,8", NULL};
  /* 6 and 7 are alone (8 has no camera): no burst. */
  const char *want_bursts[] = {"1,2", "3,4", NULL};
  assert_groups(sessions, want_sessions);
  assert_groups(bursts, want_bursts);

  /* Sub-second: a gap of 2.000000001 s splits. */
  DerushGroupUnit v[] = {unit(1, 0, 1), unit(2, 0, 1)};
  v[1].time_ns = 2 * SEC + 1;
  g_autoptr(GPtrArray) g2 = _derush_group_compute(v, 2, &opt, 1);
  g_autoptr(GPtrArray) b2 = groups_of(g2, v, DERUSH_GROUP_BURST);
  g_assert_cmpuint(b2->len, ==, 0);

  /* Ids: smallest member * 4 + kind. */
  for (guint i = 0; i < groups->len; i++) {
    DerushGroupResult *g = groups->pdata[i];
    g_assert_cmpint(g->id, ==, g->key * 4 + g->kind);
  }
}

/* Random 64-bit values, deterministic. */
static guint64
next_rand(guint64 *state)
{
  *state ^= *state << 13;
  *state ^= *state >> 7;
  *state ^= *state << 17;
  return *state;
}

static guint64
flip_bits(guint64 h, int n, guint64 *state)
{
  /* n distinct bits (a bit flipped twice would cancel). */
  guint64 mask = 0;
  while (__builtin_popcountll(mask) < n)
    mask |= (guint64)1 << (next_rand(state) % 64);
  return h ^ mask;
}

static void
set_hash(DerushGroupUnit *u, guint64 d, guint64 p, guint64 *state)
{
  u->has_hashes = TRUE;
  u->hashes.dhash[0] = d;
  u->hashes.phash[0] = p;
  /* Transforms of a random picture: unrelated values. */
  for (int t = 1; t < DERUSH_N_XFORMS; t++) {
    u->hashes.dhash[t] = next_rand(state);
    u->hashes.phash[t] = next_rand(state);
  }
}

/* ------------------------------------------------- turned copies (polar) */

#define PIC_W 480
#define PIC_H 360

/* A picture with structure at several scales: smooth value noise over
 * three octaves plus a few coloured discs, from @seed. */
static guint8 *
make_picture(guint64 seed)
{
  guint64 st = seed * 2 + 1; /* xorshift needs a non-zero state */
  double grid[3][10][10][3];
  for (int o = 0; o < 3; o++)
    for (int y = 0; y < 10; y++)
      for (int x = 0; x < 10; x++)
        for (int c = 0; c < 3; c++)
          grid[o][y][x][c] = (double)(next_rand(&st) % 1000) / 1000.0;
  struct {
    double x, y, r, col[3];
  } disc[6];
  for (int i = 0; i < 6; i++) {
    disc[i].x = (double)(next_rand(&st) % PIC_W);
    disc[i].y = (double)(next_rand(&st) % PIC_H);
    disc[i].r = 15 + (double)(next_rand(&st) % 60);
    for (int c = 0; c < 3; c++)
      disc[i].col[c] = (double)(next_rand(&st) % 256);
  }
  guint8 *px = g_malloc((gsize)PIC_W * PIC_H * 3);
  for (int y = 0; y < PIC_H; y++)
    for (int x = 0; x < PIC_W; x++) {
      double v[3] = {0, 0, 0};
      for (int o = 0; o < 3; o++) {
        double cell = (double)PIC_W / (2 << o) / 2; /* 120, 60, 30 px */
        double gx = x / cell, gy = y / cell;
        int ix = (int)gx % 9, iy = (int)gy % 9;
        double fx = gx - floor(gx), fy = gy - floor(gy);
        for (int c = 0; c < 3; c++) {
          double top = grid[o][iy][ix][c] * (1 - fx) + grid[o][iy][ix + 1][c] * fx;
          double bot = grid[o][iy + 1][ix][c] * (1 - fx) + grid[o][iy + 1][ix + 1][c] * fx;
          v[c] += (top * (1 - fy) + bot * fy) * 255 / (1 << o) / 1.75;
        }
      }
      for (int i = 0; i < 6; i++)
        if (hypot(x - disc[i].x, y - disc[i].y) < disc[i].r)
          for (int c = 0; c < 3; c++)
            v[c] = disc[i].col[c];
      for (int c = 0; c < 3; c++)
        px[((gsize)y * PIC_W + x) * 3 + c] = (guint8)CLAMP(lround(v[c]), 0, 255);
    }
  return px;
}

/* @src (PIC_W x PIC_H) turned by @deg about its centre onto a @w x @h
 * canvas filled with @fill, mirrored left-right first when @mirror and
 * shifted right by @dx pixels; bilinear. */
static guint8 *
turn_onto(const guint8 *src, double deg, gboolean mirror, double dx, guint8 fill, int w, int h)
{
  guint8 *out = g_malloc((gsize)w * h * 3);
  memset(out, fill, (gsize)w * h * 3);
  double c = cos(deg * G_PI / 180), s = sin(deg * G_PI / 180);
  double cx = (PIC_W - 1) / 2.0, cy = (PIC_H - 1) / 2.0;
  double ox = (w - 1) / 2.0, oy = (h - 1) / 2.0;
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      double u = x - ox - dx, v = y - oy;
      double sx = c * u + s * v + cx, sy = -s * u + c * v + cy;
      if (mirror)
        sx = PIC_W - 1 - sx;
      if (sx < 0 || sy < 0 || sx > PIC_W - 1 || sy > PIC_H - 1)
        continue;
      int x0 = MIN((int)sx, PIC_W - 2), y0 = MIN((int)sy, PIC_H - 2);
      double fx = sx - x0, fy = sy - y0;
      for (int k = 0; k < 3; k++) {
        const guint8 *p = src + ((gsize)y0 * PIC_W + x0) * 3 + k;
        double top = p[0] * (1 - fx) + p[3] * fx;
        double bot = p[PIC_W * 3] * (1 - fx) + p[PIC_W * 3 + 3] * fx;
        out[((gsize)y * w + x) * 3 + k] = (guint8)lround(top * (1 - fy) + bot * fy);
      }
    }
  return out;
}

/* Turned on the same canvas (corners black, as a straightened copy is
 * before cropping), @dx a burst frame's pan. */
static guint8 *
turn_picture(const guint8 *src, double deg, gboolean mirror, double dx)
{
  return turn_onto(src, deg, mirror, dx, 0, PIC_W, PIC_H);
}

/* Turned on a canvas enlarged to hold all of it, the corners filled with
 * @fill (0 black, 255 white), as ImageMagick's -rotate and PIL's
 * rotate(expand=True) do. */
static guint8 *
turn_picture_enlarged(const guint8 *src, double deg, gboolean mirror, guint8 fill, int *w, int *h)
{
  double c = fabs(cos(deg * G_PI / 180)), s = fabs(sin(deg * G_PI / 180));
  *w = (int)ceil(PIC_W * c + PIC_H * s);
  *h = (int)ceil(PIC_W * s + PIC_H * c);
  return turn_onto(src, deg, mirror, 0, fill, *w, *h);
}

static DerushGroupUnit
sized_picture_unit(gint64 id, const guint8 *px, int w, int h)
{
  DerushGroupUnit u = unit(id, 0, 0);
  u.has_time = FALSE;
  u.has_hashes = TRUE;
  _derush_hashes_compute_rgb(px, w, h, (gsize)w * 3, &u.hashes);
  return u;
}

static DerushGroupUnit
picture_unit(gint64 id, const guint8 *px)
{
  return sized_picture_unit(id, px, PIC_W, PIC_H);
}

/* The central @percent of @src (width and height), as its own buffer. */
static guint8 *
crop_picture(const guint8 *src, int percent, int *w, int *h)
{
  *w = PIC_W * percent / 100;
  *h = PIC_H * percent / 100;
  guint8 *out = g_malloc((gsize)*w * *h * 3);
  for (int y = 0; y < *h; y++)
    memcpy(out + (gsize)y * *w * 3,
           src + ((gsize)(y + (PIC_H - *h) / 2) * PIC_W + (PIC_W - *w) / 2) * 3, (gsize)*w * 3);
  return out;
}

/* Re-crops join their original through the crop transforms, and a crop
 * and a mirror of one picture pass the safety bound together (transforms
 * compose), so all of them form one group; without transforms the crops
 * stay apart. */
static void
test_cropped_copies(void)
{
  g_autofree guint8 *a = make_picture(41), *other = make_picture(42);
  int w85, h85, w70, h70, w80, h80;
  g_autofree guint8 *c85 = crop_picture(a, 85, &w85, &h85);
  g_autofree guint8 *c70 = crop_picture(a, 70, &w70, &h70);
  g_autofree guint8 *c80 = crop_picture(a, 80, &w80, &h80);
  g_autofree guint8 *mirror = turn_picture(a, 0, TRUE, 0);
  DerushGroupUnit u[6] = {picture_unit(1, a),
                          sized_picture_unit(2, c85, w85, h85),
                          sized_picture_unit(3, c70, w70, h70),
                          sized_picture_unit(4, c80, w80, h80),
                          picture_unit(5, mirror),
                          picture_unit(6, other)};
  DerushGroupOptions opt;
  derush_group_options_init(&opt);
  g_assert_cmpint(_derush_group_unit_distance(&u[2], &u[4], TRUE), <=, opt.phash_safety);
  g_assert_cmpint(_derush_group_unit_distance(&u[2], &u[4], FALSE), >, opt.phash_safety);
  for (int xf = 0; xf < 2; xf++) {
    opt.transforms = xf;
    opt.rotations = FALSE;
    g_autoptr(GPtrArray) groups = _derush_group_compute(u, 6, &opt, 1);
    guint in_group[6] = {0};
    for (guint i = 0; i < groups->len; i++) {
      DerushGroupResult *g = groups->pdata[i];
      if (g->kind == DERUSH_GROUP_NEAR_DUP)
        for (guint k = 0; k < g->units->len; k++)
          in_group[g_array_index(g->units, guint, k)] = (guint)g->key;
    }
    g_test_message("transforms %d: groups %u %u %u %u %u %u", xf, in_group[0], in_group[1],
                   in_group[2], in_group[3], in_group[4], in_group[5]);
    g_assert_cmpuint(in_group[5], ==, 0);
    if (xf) {
      /* The 80% crop sits between the kept crops and still matches one. */
      for (int i = 0; i < 5; i++)
        g_assert_cmpuint(in_group[i], ==, 1);
    } else {
      g_assert_cmpuint(in_group[2], ==, 0);
      g_assert_cmpuint(in_group[4], ==, 0);
    }
  }
}

/* The signature finds the angle of a turned copy, plain or mirrored, and
 * keeps it close in distance and rhash; different pictures, shifted
 * frames and blank frames are not turned copies. */
static void
test_polar_signature(void)
{
  g_autofree guint8 *a = make_picture(7);
  DerushGroupUnit ua = picture_unit(1, a);
  g_assert_true(ua.hashes.polar.valid);
  const double angles[] = {12, 30, 45, 90, 137, 200, 333};
  for (gsize i = 0; i < G_N_ELEMENTS(angles); i++)
    for (int m = 0; m < 2; m++) {
      g_autofree guint8 *b = turn_picture(a, angles[i], m, 0);
      DerushGroupUnit ub = picture_unit(2, b);
      double dist = _derush_polar_distance(&ua.hashes.polar, &ub.hashes.polar);
      int bits = _derush_hamming(ua.hashes.polar.rhash, ub.hashes.polar.rhash);
      int angle;
      gboolean mirrored;
      double trivial;
      double corr = _derush_polar_rotation(&ua.hashes.polar, &ub.hashes.polar, 5, &angle, &mirrored,
                                           &trivial);
      g_test_message(
          "turned %.0f%s: distance %.4f, rhash %d bits, corr %.3f at %d%s (%.3f unturned)",
          angles[i], m ? " mirrored" : "", dist, bits, corr, angle, mirrored ? " mirrored" : "",
          trivial);
      g_assert_cmpfloat(dist, <, 0.012);
      g_assert_cmpint(bits, <=, 6);
      g_assert_cmpfloat(corr, >, 0.9);
      g_assert_true(mirrored == (m == 1));
      if (!m) {
        /* Which way round depends on the image's y axis: either is fine,
         * but it must be this angle. */
        int off = MIN(abs(angle - (int)angles[i]), abs(angle - (360 - (int)angles[i])));
        g_assert_cmpint(MIN(off, 360 - off), <=, 3);
      }
      g_assert_true(_derush_group_units_turned(&ua, &ub));
    }

  /* Turned on an enlarged canvas: the polar disc is fitted inside the
   * fill, so it reads the same circle of the picture. */
  const struct {
    double deg;
    gboolean mirror;
    guint8 fill;
  } enlarged[] = {{15, FALSE, 0}, {45, FALSE, 255}, {20, TRUE, 0}, {110, FALSE, 0}};
  for (gsize i = 0; i < G_N_ELEMENTS(enlarged); i++) {
    int w, h;
    g_autofree guint8 *b =
        turn_picture_enlarged(a, enlarged[i].deg, enlarged[i].mirror, enlarged[i].fill, &w, &h);
    DerushGroupUnit ub = sized_picture_unit(2, b, w, h);
    g_test_message("turned %.0f on a %dx%d canvas: distance %.4f", enlarged[i].deg, w, h,
                   _derush_polar_distance(&ua.hashes.polar, &ub.hashes.polar));
    g_assert_true(_derush_group_units_turned(&ua, &ub));
  }

  /* The same picture, unturned or mirrored only, is left to the hashes. */
  g_autofree guint8 *same = turn_picture(a, 0, FALSE, 0);
  DerushGroupUnit us = picture_unit(3, same);
  g_assert_false(_derush_group_units_turned(&ua, &us));
  g_autofree guint8 *mirror = turn_picture(a, 0, TRUE, 0);
  DerushGroupUnit um = picture_unit(3, mirror);
  g_assert_false(_derush_group_units_turned(&ua, &um));
  /* A burst frame panned by 12 px correlates best unturned. */
  g_autofree guint8 *pan = turn_picture(a, 0, FALSE, 12);
  DerushGroupUnit up = picture_unit(4, pan);
  g_assert_false(_derush_group_units_turned(&ua, &up));
  /* Other pictures, turned or not, are not copies. */
  for (guint64 seed = 8; seed < 20; seed++) {
    g_autofree guint8 *o = make_picture(seed);
    g_autofree guint8 *ot = turn_picture(o, 30, FALSE, 0);
    DerushGroupUnit uo = picture_unit(5, o), uot = picture_unit(6, ot);
    g_assert_false(_derush_group_units_turned(&ua, &uo));
    g_assert_false(_derush_group_units_turned(&ua, &uot));
    g_assert_true(_derush_group_units_turned(&uo, &uot));
  }
  /* A blank frame has no angle: never a turned copy of anything. */
  g_autofree guint8 *blank = g_malloc0((gsize)PIC_W * PIC_H * 3);
  DerushGroupUnit ubl = picture_unit(7, blank), ubl2 = picture_unit(8, blank);
  g_assert_false(ubl.hashes.polar.valid);
  g_assert_false(_derush_group_units_turned(&ubl, &ubl2));
}

/* Grouping puts a turned copy with its original only with rotations on,
 * and the catalog blob keeps the signature whole. */
static void
test_turned_grouping(void)
{
  g_autofree guint8 *a = make_picture(21), *b = make_picture(22), *c = make_picture(23);
  g_autofree guint8 *at = turn_picture(a, 30, FALSE, 0), *bt = turn_picture(b, 75, TRUE, 0);
  DerushGroupUnit u[5] = {picture_unit(1, a), picture_unit(2, b), picture_unit(3, at),
                          picture_unit(4, bt), picture_unit(5, c)};
  DerushGroupOptions opt;
  derush_group_options_init(&opt);
  for (int rot = 0; rot < 2; rot++) {
    opt.rotations = rot;
    g_autoptr(GPtrArray) groups = _derush_group_compute(u, 5, &opt, 1);
    int near = 0;
    for (guint i = 0; i < groups->len; i++) {
      DerushGroupResult *g = groups->pdata[i];
      if (g->kind != DERUSH_GROUP_NEAR_DUP)
        continue;
      near++;
      g_assert_cmpuint(g->units->len, ==, 2);
      guint x = g_array_index(g->units, guint, 0), y = g_array_index(g->units, guint, 1);
      g_test_message("rotations %d: group of units %u and %u", rot, x, y);
      g_assert_true((x == 0 && y == 2) || (x == 1 && y == 3));
    }
    g_assert_cmpint(near, ==, rot ? 2 : 0);
  }

  guint8 blob[DERUSH_HASHES_BLOB_SIZE];
  DerushHashes back;
  _derush_hashes_to_blob(&u[2].hashes, blob);
  g_assert_true(_derush_hashes_from_blob(blob, sizeof blob, &back));
  g_assert_cmpmem(&back.polar.mean, sizeof back.polar.mean, &u[2].hashes.polar.mean,
                  sizeof back.polar.mean);
  g_assert_cmpmem(&back.polar.re, sizeof back.polar.re, &u[2].hashes.polar.re,
                  sizeof back.polar.re);
  g_assert_cmpmem(&back.polar.im, sizeof back.polar.im, &u[2].hashes.polar.im,
                  sizeof back.polar.im);
  g_assert_cmpuint(back.polar.rhash, ==, u[2].hashes.polar.rhash);
  g_assert_true(back.polar.valid);
  /* A blob of the previous version's size is refused, so it is recomputed. */
  g_assert_false(_derush_hashes_from_blob(blob, 16 * DERUSH_N_XFORMS, &back));
}

/* A folder of a few pictures copied thousands of times (a backup merged
 * back, a benchmark set): every copy lands in its picture's group, and the
 * search does not grow with the square of the copies (it ran out of memory
 * on 8 pictures x 12,500 copies before exact copies were searched once). */
static void
test_many_copies(void)
{
  const gsize pictures = 4, copies = 5000, n = pictures * copies;
  DerushGroupUnit *u = g_new0(DerushGroupUnit, n);
  guint64 st = 5;
  DerushHashes base[4];
  for (gsize p = 0; p < pictures; p++) {
    DerushGroupUnit tmp = unit(1, 0, 0);
    set_hash(&tmp, next_rand(&st), next_rand(&st), &st);
    tmp.hashes.polar.valid = TRUE;
    tmp.hashes.polar.rhash = next_rand(&st);
    base[p] = tmp.hashes;
  }
  for (gsize i = 0; i < n; i++) {
    u[i] = unit((gint64)i + 1, 0, 0);
    u[i].has_time = FALSE;
    u[i].has_hashes = TRUE;
    u[i].hashes = base[i % pictures];
  }
  DerushGroupOptions opt;
  derush_group_options_init(&opt);
  gint64 t0 = g_get_monotonic_time();
  g_autoptr(GPtrArray) groups = _derush_group_compute(u, n, &opt, 0);
  g_test_message("%zu pictures x %zu copies grouped in %.3f s", pictures, copies,
                 (g_get_monotonic_time() - t0) / 1e6);
  guint near = 0;
  for (guint i = 0; i < groups->len; i++) {
    DerushGroupResult *g = groups->pdata[i];
    if (g->kind != DERUSH_GROUP_NEAR_DUP)
      continue;
    near++;
    g_assert_cmpuint(g->units->len, ==, copies);
    guint first = g_array_index(g->units, guint, 0);
    for (guint k = 0; k < g->units->len; k++)
      g_assert_cmpuint(g_array_index(g->units, guint, k) % pictures, ==, first % pictures);
  }
  g_assert_cmpuint(near, ==, pictures);
  g_free(u);
}

static void
test_near_dups(void)
{
  DerushGroupOptions opt;
  derush_group_options_init(&opt);
  guint64 st = 42;
  guint64 d = next_rand(&st), p = next_rand(&st);
  DerushGroupUnit u[6];
  for (int i = 0; i < 6; i++)
    u[i] = unit(i + 1, 0, 0), u[i].has_time = FALSE;
  set_hash(&u[0], d, p, &st);
  /* A copy (2 and 1 bits off), transforms included. */
  u[1].has_hashes = TRUE;
  for (int t = 0; t < DERUSH_N_XFORMS; t++) {
    u[1].hashes.dhash[t] = u[0].hashes.dhash[t] ^ 0x3;
    u[1].hashes.phash[t] = u[0].hashes.phash[t] ^ 0x1;
  }
  set_hash(&u[2], d, p ^ 0xffffff, &st);                /* pHash 24 away: no */
  set_hash(&u[3], d ^ 0xffffffff, p ^ 0x1, &st);        /* dHash 32 away: not confirmed */
  set_hash(&u[4], next_rand(&st), next_rand(&st), &st); /* unrelated */
  /* A mirrored copy of 1: its plain hashes are 1's hflip hashes, and
   * mirrored back it is 1 again. */
  set_hash(&u[5], u[0].hashes.dhash[DERUSH_XFORM_HFLIP], u[0].hashes.phash[DERUSH_XFORM_HFLIP],
           &st);
  u[5].hashes.dhash[DERUSH_XFORM_HFLIP] = u[0].hashes.dhash[0];
  u[5].hashes.phash[DERUSH_XFORM_HFLIP] = u[0].hashes.phash[0];
  g_autoptr(GPtrArray) groups = _derush_group_compute(u, 6, &opt, 1);
  g_autoptr(GPtrArray) nd = groups_of(groups, u, DERUSH_GROUP_NEAR_DUP);
  const char *want[] = {"1,2,6", NULL};
  assert_groups(nd, want);

  /* Without transforms the mirror stays apart. */
  opt.transforms = FALSE;
  g_autoptr(GPtrArray) g2 = _derush_group_compute(u, 6, &opt, 1);
  g_autoptr(GPtrArray) nd2 = groups_of(g2, u, DERUSH_GROUP_NEAR_DUP);
  const char *want2[] = {"1,2", NULL};
  assert_groups(nd2, want2);
}

/* A chain of small steps is not allowed to span two distant pictures. */
static void
test_safety_bound(void)
{
  DerushGroupOptions opt;
  derush_group_options_init(&opt);
  opt.transforms = FALSE;
  opt.phash_radius = 10;
  opt.dhash_radius = 64;
  opt.phash_safety = 12;
  guint64 st = 7;
  guint64 p = next_rand(&st);
  DerushGroupUnit u[3];
  for (int i = 0; i < 3; i++)
    u[i] = unit(i + 1, 0, 0), u[i].has_time = FALSE;
  /* A, B = A + 8 bits, C = B + 8 other bits: A-C is 16 > 12. */
  set_hash(&u[0], 0, p, &st);
  set_hash(&u[1], 0, p ^ 0xff, &st);
  set_hash(&u[2], 0, p ^ 0xffff, &st);
  g_autoptr(GPtrArray) groups = _derush_group_compute(u, 3, &opt, 1);
  g_autoptr(GPtrArray) nd = groups_of(groups, u, DERUSH_GROUP_NEAR_DUP);
  g_assert_cmpuint(nd->len, ==, 1);
  g_assert_cmpstr(nd->pdata[0], ==, "1,2"); /* ties by id: A-B first */
  opt.phash_safety = 16;
  g_autoptr(GPtrArray) g2 = _derush_group_compute(u, 3, &opt, 1);
  g_autoptr(GPtrArray) nd2 = groups_of(g2, u, DERUSH_GROUP_NEAR_DUP);
  g_assert_cmpstr(nd2->pdata[0], ==, "1,2,3");
}

static void
test_best_pick(void)
{
  DerushGroupOptions opt;
  derush_group_options_init(&opt);
  DerushGroupUnit u[4] = {unit(1, 0, 1), unit(2, 1, 1), unit(3, 2, 1), unit(4, 3, 1)};
  u[0].score = 1.0, u[0].sharpness = 3.0;
  u[1].score = 2.0, u[1].sharpness = 1.0; /* best score */
  u[2].score = 2.0, u[2].sharpness = 2.0; /* tie on score, sharper: best */
  u[3].partner_id = 0;                    /* no score: never best */
  g_autoptr(GPtrArray) groups = _derush_group_compute(u, 4, &opt, 1);
  gboolean seen = FALSE;
  for (guint i = 0; i < groups->len; i++) {
    DerushGroupResult *g = groups->pdata[i];
    if (g->kind == DERUSH_GROUP_BURST) {
      g_assert_cmpint(u[g->best].id, ==, 3);
      seen = TRUE;
    }
  }
  g_assert_true(seen);
  /* A RAW+JPEG partner counts in the key: a pair whose RAW has the
   * smaller id names the group. */
  DerushGroupUnit v[2] = {unit(5, 0, 1), unit(6, 1, 1)};
  v[0].partner_id = 2;
  g_autoptr(GPtrArray) g2 = _derush_group_compute(v, 2, &opt, 1);
  DerushGroupResult *first = g2->pdata[0];
  g_assert_cmpint(first->key, ==, 2);
}

/* Same input, same groups and ids; 100k units timed for the report. */
static void
test_determinism_and_speed(void)
{
  DerushGroupOptions opt;
  derush_group_options_init(&opt);
  gsize n = 100000;
  DerushGroupUnit *u = g_new0(DerushGroupUnit, n);
  guint64 st = 99;
  gint64 t = 1700000000;
  for (gsize i = 0; i < n; i++) {
    t += next_rand(&st) % 5 == 0 ? 600 + next_rand(&st) % 4000 : next_rand(&st) % 4;
    u[i] = unit((gint64)i + 1, t, 1 + next_rand(&st) % 3);
    u[i].score = (double)(next_rand(&st) % 1000);
    u[i].sharpness = u[i].score;
    /* Every tenth photo is a re-encode of the previous one. */
    if (i % 10 == 9)
      set_hash(&u[i], flip_bits(u[i - 1].hashes.dhash[0], 2, &st),
               flip_bits(u[i - 1].hashes.phash[0], 2, &st), &st);
    else
      set_hash(&u[i], next_rand(&st), next_rand(&st), &st);
    /* Polar signatures too, so the turned-copy search is timed: a
     * re-encode's is its original's (found, then left to the hashes as an
     * unturned match). */
    u[i].hashes.polar.valid = TRUE;
    if (i % 10 == 9) {
      u[i].hashes.polar = u[i - 1].hashes.polar;
      u[i].hashes.polar.rhash = flip_bits(u[i].hashes.polar.rhash, 1, &st);
    } else {
      u[i].hashes.polar.rhash = next_rand(&st);
      for (int k = 0; k < DERUSH_POLAR_RINGS; k++)
        u[i].hashes.polar.re[k][0] = (gint16)(next_rand(&st) % 20000);
    }
  }
  gint64 t0 = g_get_monotonic_time();
  g_autoptr(GPtrArray) a = _derush_group_compute(u, n, &opt, 0);
  gint64 t1 = g_get_monotonic_time();
  g_autoptr(GPtrArray) b = _derush_group_compute(u, n, &opt, 0);
  g_test_message("grouping %zu photos: %.3f s (%u groups)", n, (t1 - t0) / 1e6, a->len);
  opt.rotations = FALSE;
  gint64 t3 = g_get_monotonic_time();
  g_autoptr(GPtrArray) d = _derush_group_compute(u, n, &opt, 0);
  g_test_message("grouping %zu photos without rotations: %.3f s (%u groups)", n,
                 (g_get_monotonic_time() - t3) / 1e6, d->len);
  opt.transforms = FALSE;
  gint64 t2 = g_get_monotonic_time();
  g_autoptr(GPtrArray) c = _derush_group_compute(u, n, &opt, 0);
  g_test_message("grouping %zu photos without transform hashes or rotations: %.3f s (%u groups)", n,
                 (g_get_monotonic_time() - t2) / 1e6, c->len);
  g_assert_cmpuint(a->len, ==, b->len);
  guint near = 0;
  for (guint i = 0; i < a->len; i++) {
    DerushGroupResult *x = a->pdata[i], *y = b->pdata[i];
    g_assert_cmpint(x->id, ==, y->id);
    g_assert_cmpuint(x->best, ==, y->best);
    g_assert_cmpuint(x->units->len, ==, y->units->len);
    near += x->kind == DERUSH_GROUP_NEAR_DUP;
  }
  /* Every planted re-encode is found (random hashes are ~32 bits apart). */
  g_assert_cmpuint(near, >=, n / 10);
  g_free(u);
}

int
main(int argc, char **argv)
{
  test_init(&argc, &argv);
  g_test_add_func("/group/sessions-bursts", test_sessions_bursts);
  g_test_add_func("/group/near-dups", test_near_dups);
  g_test_add_func("/group/polar-signature", test_polar_signature);
  g_test_add_func("/group/turned-grouping", test_turned_grouping);
  g_test_add_func("/group/cropped-copies", test_cropped_copies);
  g_test_add_func("/group/many-copies", test_many_copies);
  g_test_add_func("/group/safety-bound", test_safety_bound);
  g_test_add_func("/group/best-pick", test_best_pick);
  g_test_add_func("/group/determinism-speed", test_determinism_and_speed);
  return g_test_run();
}
