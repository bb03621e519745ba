/* near-dup-index.c: exact all-pairs Hamming search by multi-index hashing.
 *
 * Finding every pair of n perceptual hashes within distance r by comparing
 * all pairs costs n^2 / 2 popcounts: 5e11 for a million photos. Multi-index
 * hashing (Norouzi, Punjani, Fleet: "Fast search in Hamming space with
 * multi-index hashing", CVPR 2012) cuts the 64 bits into m disjoint
 * substrings. By the pigeonhole principle, two hashes within distance r
 * differ in at most s = floor(r / m) bits on at least one substring
 * (otherwise they would differ in m (s + 1) > r bits). So it is enough to
 * compare the hashes whose substring values are within s of each other, on
 * each substring in turn, and to check the full distance of those
 * candidates: nothing within r can be missed, which is what "exact" means.
 *
 * With s = 0 (m = r + 1) this is the textbook form: exact substring
 * matches only. It is right for small collections, but with a million
 * hashes and r = 8 the 7-bit substrings put ~8,000 hashes in each bucket
 * and the candidates number 3.5e10. The index therefore picks m from a cost
 * model (estimate_cost()): for n = 1e6, r = 8 it takes m = 3 substrings of
 * 21-22 bits searched within s = 2, a few hundred million candidates.
 *
 * Layout: for each substring, the hashes sorted by that substring's value
 * (a stable LSD radix sort, so equal values stay in input order), their
 * input indices, and a table from the top bits of the value to the first
 * sorted position, with ~2 entries per hash: O(n) memory, ~12 bytes per hash
 * and substring plus the table.
 *
 * Search: each run of equal values (a bucket) is compared with itself and
 * with the buckets whose value differs by a mask of 1..s bits, only towards
 * larger values so that each pair of buckets is visited once. Walking the
 * buckets in sorted order keeps the probed table entries and buckets of
 * consecutive keys in the same cache lines. A pair is reported only from the
 * first substring on which it is within s, so each pair comes out once. The
 * work is split in chunks of table buckets, taken by the threads from an
 * atomic counter, and the pairs are sorted by (i, j) at the end: the result
 * does not depend on the number of threads or their timing.
 *
 * Over 600 lines: the index, its exact search and the threaded pair
 * enumeration are one algorithm.
 */
#include "near-dup-index.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* More substrings than this never pays: substrings of 2 bits. */
#define MAX_SUBSTRINGS 32
/* Bits per radix sort pass: 2^11 counters stay in L1. */
#define RADIX_BITS 11

/* On x86-64 without -mpopcnt, GCC turns __builtin_popcountll into a call to
 * libgcc; the scan is a loop of popcounts, so build it twice and let the
 * loader pick the POPCNT version when the CPU has it. Not under
 * ThreadSanitizer: the loader runs the clone's resolver before the TSan
 * runtime starts, and the instrumented resolver crashed every program
 * (`derush --version` included) in the make tsan build. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__POPCNT__) &&     \
    !defined(__SANITIZE_THREAD__)
#define POPCNT_CLONES __attribute__((target_clones("popcnt", "default")))
#else
#define POPCNT_CLONES
#endif

typedef struct {
  int offset, width; /* bits [offset, offset + width) of the hash, width <= 32 */
  int shift;         /* value >> shift indexes the table */
  guint64 *sorted;   /* the hashes, sorted by this substring's value, then index */
  guint32 *ids;      /* input index of each sorted hash */
  guint32 *table;    /* table_size + 1 sorted positions */
  gsize table_size;
} Substring;

struct _DerushNearDupIndex {
  gsize n;
  guint64 *hashes; /* a copy, in input order */
  int max_radius;
  int m;
  Substring sub[MAX_SUBSTRINGS];
};

/* The value of substring @sub of @hash. */
static inline guint32
sub_value(const Substring *sub, guint64 hash)
{
  return (guint32)((hash >> sub->offset) & (((guint64)1 << sub->width) - 1));
}

/* Number of bit strings of @bits bits within distance @s of a given one. */
static double
ball_size(int bits, int s)
{
  double total = 0, c = 1;
  for (int i = 0; i <= s && i <= bits; i++) {
    total += c;
    c = c * (bits - i) / (i + 1);
  }
  return total;
}

/* Bits of the bucket table of a substring of @width bits over @n hashes:
 * ~2 buckets per hash, so memory stays O(n) whatever the width. */
static int
table_bits_for(int width, gsize n)
{
  return MIN(width, (int)g_bit_storage(MAX(n, 1)) + 1);
}

/* Estimated work of a search at @radius with @m substrings on @n uniform
 * hashes, in units of one occupancy word: each table-bucket mask costs one
 * pass over half the occupancy words; each candidate (a pair of hashes in
 * two buckets within s, a cache miss more often than not) costs ~4; the
 * build ~8 per hash and substring. Clustered data adds its true pairs on
 * top, whatever m is. */
static double
estimate_cost(gsize n, int m, int radius)
{
  int bits = 64 / m, s = radius / m, table_bits = table_bits_for(bits, n);
  if (s >= table_bits)
    return INFINITY;
  double masks = ball_size(table_bits, s), buckets = ldexp(1.0, table_bits);
  double words = m * masks * buckets / 128;
  double candidates = m * ((double)n * n / 2) * masks / buckets;
  return words + 4 * candidates + 8.0 * m * n;
}

/* Estimated work of @n_queries queries at @radius against @n indexed
 * hashes with @m substrings: per query and substring, one probe per mask
 * of the table bits and ~4 per candidate in the probed buckets. */
static double
estimate_query_cost(gsize n, gsize n_queries, int m, int radius)
{
  int bits = 64 / m, s = radius / m, table_bits = table_bits_for(bits, n);
  if (s >= table_bits)
    return INFINITY;
  double masks = ball_size(table_bits, s);
  double candidates = (double)n_queries * m * masks * n / ldexp(1.0, table_bits);
  return (double)n_queries * m * masks + 4 * candidates + 8.0 * m * n;
}

/* The number of substrings with the lowest estimated cost for @radius. */
static int
choose_substrings(gsize n, int radius)
{
  int best = 2;
  double best_cost = estimate_cost(n, 2, radius);
  for (int m = 3; m <= MIN(radius + 1, MAX_SUBSTRINGS); m++) {
    double cost = estimate_cost(n, m, radius);
    if (cost < best_cost) {
      best = m;
      best_cost = cost;
    }
  }
  return best;
}

/* Sorts the hashes by @sub's value, stable (LSD radix), and fills the
 * table: table[t] is the first sorted position whose value >> shift >= t. */
static void
substring_build(Substring *sub, const guint64 *hashes, gsize n)
{
  sub->sorted = g_new(guint64, MAX(n, 1));
  sub->ids = g_new(guint32, MAX(n, 1));
  g_autofree guint64 *tmp_hash = g_new(guint64, MAX(n, 1));
  g_autofree guint32 *tmp_id = g_new(guint32, MAX(n, 1));
  memcpy(sub->sorted, hashes, n * sizeof *hashes);
  for (gsize i = 0; i < n; i++)
    sub->ids[i] = (guint32)i;

  g_autofree gsize *count = g_new(gsize, 1 << RADIX_BITS);
  for (int low = 0; low < sub->width; low += RADIX_BITS) {
    int digit_bits = MIN(RADIX_BITS, sub->width - low);
    guint32 digit_mask = (1u << digit_bits) - 1;
    memset(count, 0, sizeof(gsize) << RADIX_BITS);
    for (gsize i = 0; i < n; i++)
      count[(sub_value(sub, sub->sorted[i]) >> low) & digit_mask]++;
    gsize pos = 0;
    for (guint32 d = 0; d <= digit_mask; d++) {
      gsize c = count[d];
      count[d] = pos;
      pos += c;
    }
    for (gsize i = 0; i < n; i++) {
      gsize to = count[(sub_value(sub, sub->sorted[i]) >> low) & digit_mask]++;
      tmp_hash[to] = sub->sorted[i];
      tmp_id[to] = sub->ids[i];
    }
    memcpy(sub->sorted, tmp_hash, n * sizeof *tmp_hash);
    memcpy(sub->ids, tmp_id, n * sizeof *tmp_id);
  }

  /* A table of ~2n entries keeps a probe to one or two hashes without
   * spending 2^22 entries on a thousand photos. */
  int table_bits = table_bits_for(sub->width, n);
  sub->shift = sub->width - table_bits;
  sub->table_size = (gsize)1 << table_bits;
  sub->table = g_new0(guint32, sub->table_size + 1);
  for (gsize i = 0; i < n; i++)
    sub->table[(sub_value(sub, sub->sorted[i]) >> sub->shift) + 1]++;
  for (gsize t = 0; t < sub->table_size; t++)
    sub->table[t + 1] += sub->table[t];
}

/**
 * _derush_near_dup_index_new:
 * @hashes: (array length=n): the hashes; copied.
 * @n: their number, below 2^32.
 * @max_radius: the largest radius the index will usually be searched with
 *   (0..64): it sets the number of substrings. Larger radii still give
 *   exact answers, more slowly.
 *
 * Builds the multi-index: m substrings chosen for @n and @max_radius by a
 * cost model, each sorted once. O(n) memory, about 8 + 12 m bytes per hash
 * plus ~8 bytes per hash and substring for the tables.
 *
 * Returns: (transfer full): the index; free it with
 * _derush_near_dup_index_free().
 * See also: _derush_near_dup_pairs().
 */
static DerushNearDupIndex *index_new(const guint64 *hashes, gsize n, int max_radius, int m);

DerushNearDupIndex *
_derush_near_dup_index_new(const guint64 *hashes, gsize n, int max_radius)
{
  g_return_val_if_fail(max_radius >= 0 && max_radius <= 64, NULL);
  return index_new(hashes, n, max_radius, choose_substrings(n, max_radius));
}

/**
 * _derush_near_dup_index_new_for_queries:
 * @n_queries: how many hashes will be looked up with
 *   _derush_near_dup_query()
 *
 * Like _derush_near_dup_index_new(), with the number of substrings chosen
 * for queries rather than for the all-pairs search: probing the buckets
 * around each query favours more, shorter substrings.
 */
DerushNearDupIndex *
_derush_near_dup_index_new_for_queries(const guint64 *hashes, gsize n, gsize n_queries,
                                       int max_radius)
{
  g_return_val_if_fail(max_radius >= 0 && max_radius <= 64, NULL);
  int best = 2;
  double best_cost = estimate_query_cost(n, n_queries, 2, max_radius);
  for (int m = 3; m <= MIN(max_radius + 1, MAX_SUBSTRINGS); m++) {
    double cost = estimate_query_cost(n, n_queries, m, max_radius);
    if (cost < best_cost) {
      best = m;
      best_cost = cost;
    }
  }
  return index_new(hashes, n, max_radius, best);
}

static DerushNearDupIndex *
index_new(const guint64 *hashes, gsize n, int max_radius, int m)
{
  g_return_val_if_fail(hashes != NULL || n == 0, NULL);
  g_return_val_if_fail(n <= G_MAXUINT32, NULL);
  g_return_val_if_fail(max_radius >= 0 && max_radius <= 64, NULL);

  DerushNearDupIndex *index = g_new0(DerushNearDupIndex, 1);
  index->n = n;
  index->hashes = g_new(guint64, MAX(n, 1));
  if (n)
    memcpy(index->hashes, hashes, n * sizeof *hashes);
  index->max_radius = max_radius;
  index->m = m;

  /* The first 64 mod m substrings are one bit wider. */
  int offset = 0;
  for (int k = 0; k < index->m; k++) {
    Substring *sub = &index->sub[k];
    sub->offset = offset;
    sub->width = 64 / index->m + (k < 64 % index->m ? 1 : 0);
    offset += sub->width;
    substring_build(sub, index->hashes, n);
  }
  g_assert(offset == 64);
  return index;
}

/**
 * _derush_near_dup_index_free:
 * @index: (nullable) (transfer full): an index.
 *
 * Frees the index and its tables.
 */
void
_derush_near_dup_index_free(DerushNearDupIndex *index)
{
  if (!index)
    return;
  for (int k = 0; k < index->m; k++) {
    g_free(index->sub[k].sorted);
    g_free(index->sub[k].ids);
    g_free(index->sub[k].table);
  }
  g_free(index->hashes);
  g_free(index);
}

/**
 * _derush_near_dup_index_get_size:
 * @index: an index.
 *
 * Returns: the number of hashes indexed.
 */
gsize
_derush_near_dup_index_get_size(DerushNearDupIndex *index)
{
  g_return_val_if_fail(index != NULL, 0);
  return index->n;
}

/**
 * _derush_near_dup_index_get_n_substrings:
 * @index: an index.
 *
 * Returns: m, the number of substrings the hashes are cut into.
 */
int
_derush_near_dup_index_get_n_substrings(DerushNearDupIndex *index)
{
  g_return_val_if_fail(index != NULL, 0);
  return index->m;
}

/* ------------------------------------------------------------ search */

/* One search, shared by its threads (read-only but for next_job). */
typedef struct {
  const DerushNearDupIndex *index;
  const guint64 *hashes; /* brute force: the input */
  gsize n;
  int radius;
  int s;                             /* radius searched in each substring */
  guint64 sub_mask[MAX_SUBSTRINGS];  /* the bits of each substring */
  guint64 *occupied[MAX_SUBSTRINGS]; /* bit t: table bucket t is not empty */
  guint32 *masks[MAX_SUBSTRINGS];    /* 0, then every mask of 1..s of the table bits */
  gsize n_masks[MAX_SUBSTRINGS];
  gsize tiles[MAX_SUBSTRINGS]; /* jobs of each substring: tiles of TILE_BUCKETS */
  int n_jobs;
  int next_job; /* atomic */
} Search;

/* Buckets per tile, the unit of work. The masks are ordered by the tile
 * they lead to (c >> TILE_BITS), so that a tile and its target tile stay in
 * the L2 cache while all the masks between them are scanned: scanning each
 * mask over the whole substring instead streams the table and the hashes
 * from memory once per mask (~230 times at n = 1e6, r = 8), and probing each
 * bucket's neighbours in turn is a cache miss per probe. */
#define TILE_BITS 13
#define TILE_BUCKETS ((gsize)1 << TILE_BITS)

/* What one thread found; @job is its Search or Query. */
typedef struct {
  gpointer job;
  GArray *pairs;
  guint64 candidates;
} Worker;

/* Every mask of @bits bits with 0..@s bits set, 0 first (Gosper's hack
 * enumerates each number of bits). */
static guint32 *
make_masks(int bits, int s, gsize *n_out)
{
  gsize total = (gsize)ball_size(bits, s);
  guint32 *masks = g_new(guint32, total);
  gsize n = 0;
  masks[n++] = 0;
  for (int ones = 1; ones <= s && ones <= bits; ones++) {
    guint64 limit = (guint64)1 << bits;
    for (guint64 v = ((guint64)1 << ones) - 1; v < limit;) {
      masks[n++] = (guint32)v;
      guint64 t = v | (v - 1);
      v = (t + 1) | (((~t & -~t) - 1) >> (__builtin_ctzll(v) + 1));
    }
  }
  g_assert(n == total);
  *n_out = n;
  return masks;
}

/* Orders masks by the tile they lead to, then by value. */
static int
cmp_mask_tile(gconstpointer a, gconstpointer b)
{
  guint32 x = *(const guint32 *)a, y = *(const guint32 *)b;
  guint32 tx = x >> TILE_BITS, ty = y >> TILE_BITS;
  if (tx != ty)
    return tx < ty ? -1 : 1;
  return (x > y) - (x < y);
}

/* One bit per table bucket of @sub, set when the bucket holds a hash. */
static guint64 *
make_occupancy(const Substring *sub)
{
  guint64 *bits = g_new0(guint64, (sub->table_size + 63) / 64);
  for (gsize t = 0; t < sub->table_size; t++)
    if (sub->table[t + 1] > sub->table[t])
      bits[t / 64] |= (guint64)1 << (t % 64);
  return bits;
}

/* Checks the candidate pair at sorted positions @a and @b of substring @k.
 * Candidates are a superset of the pairs within s on substring @k, so the
 * pair is reported here only when @k is the first substring on which it is
 * within s: each pair comes out once, from exactly one substring. */
static inline void
check_pair(const Search *search, const Substring *sub, int k, gsize a, gsize b, Worker *worker)
{
  guint64 x = sub->sorted[a] ^ sub->sorted[b];
  int d = __builtin_popcountll(x);
  worker->candidates++;
  if (d > search->radius)
    return;
  for (int e = 0; e < k; e++)
    if (__builtin_popcountll(x & search->sub_mask[e]) <= search->s)
      return;
  if (__builtin_popcountll(x & search->sub_mask[k]) > search->s)
    return;
  guint32 i = sub->ids[a], j = sub->ids[b];
  DerushNearDupPair pair = {MIN(i, j), MAX(i, j), (guint32)d};
  g_array_append_val(worker->pairs, pair);
}

/* Bit masks selecting, in a 64-bit word, the positions whose bit @i is 0. */
static const guint64 low_half[6] = {
    0x5555555555555555ULL, 0x3333333333333333ULL, 0x0f0f0f0f0f0f0f0fULL,
    0x00ff00ff00ff00ffULL, 0x0000ffff0000ffffULL, 0x00000000ffffffffULL,
};

/* Returns @x with its bit j moved to bit j ^ @c (c < 64): XOR-ing an index
 * with 2^i swaps adjacent blocks of 2^i bits. */
static inline guint64
permute_xor(guint64 x, unsigned c)
{
  for (int i = 0; i < 6; i++)
    if (c & (1u << i))
      x = ((x & low_half[i]) << (1u << i)) | ((x >> (1u << i)) & low_half[i]);
  return x;
}

/* Compares every hash of table bucket @t with every later hash of the same
 * bucket (@c == 0) or of bucket t ^ c. */
static inline void
compare_buckets(const Search *search, const Substring *sub, int k, gsize t, guint32 c,
                Worker *worker)
{
  gsize a0 = sub->table[t], a1 = sub->table[t + 1];
  if (c == 0) {
    for (gsize a = a0; a < a1; a++)
      for (gsize b = a + 1; b < a1; b++)
        check_pair(search, sub, k, a, b, worker);
    return;
  }
  gsize u = t ^ c;
  gsize b0 = sub->table[u], b1 = sub->table[u + 1];
  for (gsize a = a0; a < a1; a++)
    for (gsize b = b0; b < b1; b++)
      check_pair(search, sub, k, a, b, worker);
}

/* Visits, on substring @k, every pair of non-empty table buckets (t, t ^ c)
 * with t < t ^ c (each pair of buckets once), or every bucket with itself
 * when @c is 0, for t in the occupancy words [@w_begin, @w_end). Buckets
 * are found 64 at a time from the occupancy bits: those of t ^ c are those
 * of word (t ^ c) / 64, permuted. */
POPCNT_CLONES static void
scan_mask(const Search *search, int k, guint32 c, gsize w_begin, gsize w_end, Worker *worker)
{
  const Substring *sub = &search->index->sub[k];
  const guint64 *occ = search->occupied[k];
  if (c == 0) {
    for (gsize w = w_begin; w < w_end; w++)
      for (guint64 bits = occ[w]; bits; bits &= bits - 1)
        compare_buckets(search, sub, k, w * 64 + (gsize)__builtin_ctzll(bits), 0, worker);
    return;
  }
  /* t < t ^ c exactly when t has a 0 at the highest bit of c. */
  int high = 31 - __builtin_clz(c);
  gsize word_c = c >> 6;
  guint64 keep = high < 6 ? low_half[high] : ~(guint64)0;
  for (gsize w = w_begin; w < w_end; w++) {
    if (high >= 6 && ((w >> (high - 6)) & 1))
      continue;
    guint64 hits = occ[w] & keep;
    if (!hits)
      continue;
    hits &= permute_xor(occ[w ^ word_c], c & 63);
    for (; hits; hits &= hits - 1)
      compare_buckets(search, sub, k, w * 64 + (gsize)__builtin_ctzll(hits), c, worker);
  }
}

/* Compares rows [@i0, @i1) with all later hashes (brute force). */
POPCNT_CLONES static void
scan_rows(const Search *search, gsize i0, gsize i1, Worker *worker)
{
  const guint64 *h = search->hashes;
  for (gsize i = i0; i < i1; i++)
    for (gsize j = i + 1; j < search->n; j++) {
      int d = __builtin_popcountll(h[i] ^ h[j]);
      if (d <= search->radius) {
        DerushNearDupPair pair = {(guint32)i, (guint32)j, (guint32)d};
        g_array_append_val(worker->pairs, pair);
      }
    }
  for (gsize i = i0; i < i1; i++)
    worker->candidates += search->n - 1 - i;
}

/* Rows per brute-force job: small enough that the triangle evens out. */
#define BRUTE_ROWS 256

/* Takes jobs until none is left. */
static gpointer
search_worker(gpointer data)
{
  Worker *worker = data;
  Search *search = worker->job;
  for (;;) {
    int job = g_atomic_int_add(&search->next_job, 1);
    if (job >= search->n_jobs)
      break;
    if (!search->index) {
      gsize i0 = (gsize)job * BRUTE_ROWS;
      scan_rows(search, i0, MIN(i0 + BRUTE_ROWS, search->n), worker);
      continue;
    }
    /* Jobs: substring 0's tiles, then substring 1's... */
    int k = 0;
    gsize tile = (gsize)job;
    while (tile >= search->tiles[k])
      tile -= search->tiles[k++];
    const Substring *sub = &search->index->sub[k];
    gsize n_words = (sub->table_size + 63) / 64;
    gsize w_begin = tile * (TILE_BUCKETS / 64);
    gsize w_end = MIN(n_words, w_begin + TILE_BUCKETS / 64);
    for (gsize i = 0; i < search->n_masks[k]; i++)
      scan_mask(search, k, search->masks[k][i], w_begin, w_end, worker);
  }
  return NULL;
}

/* Orders pairs by (i, j). */
static int
cmp_pair(gconstpointer a, gconstpointer b)
{
  const DerushNearDupPair *x = a, *y = b;
  if (x->i != y->i)
    return x->i < y->i ? -1 : 1;
  return (x->j > y->j) - (x->j < y->j);
}

/* Runs @func on @n_threads threads (this one included, at most @n_jobs),
 * each with a Worker whose job is @job, and returns all their pairs sorted
 * by (i, j); *@candidates gets the sum of theirs. */
static GArray *
run_workers(GThreadFunc func, gpointer job, int n_jobs, int n_threads, guint64 *candidates)
{
  if (n_threads <= 0)
    n_threads = (int)g_get_num_processors();
  n_threads = CLAMP(n_threads, 1, MAX(1, n_jobs));
  g_autofree Worker *workers = g_new0(Worker, n_threads);
  g_autofree GThread **threads = g_new0(GThread *, n_threads);
  for (int t = 0; t < n_threads; t++) {
    workers[t].job = job;
    workers[t].pairs = g_array_new(FALSE, FALSE, sizeof(DerushNearDupPair));
  }
  for (int t = 1; t < n_threads; t++)
    threads[t] = g_thread_new("derush-near-dup", func, &workers[t]);
  func(&workers[0]);

  GArray *pairs = g_steal_pointer(&workers[0].pairs);
  *candidates = workers[0].candidates;
  for (int t = 1; t < n_threads; t++) {
    g_thread_join(threads[t]);
    g_array_append_vals(pairs, workers[t].pairs->data, workers[t].pairs->len);
    g_array_unref(workers[t].pairs);
    *candidates += workers[t].candidates;
  }
  /* Threads finish in any order; sorting makes the answer deterministic. */
  g_array_sort(pairs, cmp_pair);
  return pairs;
}

static GArray *
run_search(Search *search, int n_threads, guint64 *candidates)
{
  return run_workers(search_worker, search, search->n_jobs, n_threads, candidates);
}

/**
 * _derush_near_dup_pairs_brute:
 * @hashes: (array length=n): the hashes.
 * @n: their number, below 2^32.
 * @radius: the largest Hamming distance reported, 0..64.
 * @n_threads: threads to use; 0 or less for one per core.
 *
 * The reference answer: compares every pair. O(n^2); used by the tests and
 * the benchmark to check _derush_near_dup_pairs(), and by it when a radius
 * is so large that the index would do more work.
 *
 * Returns: (transfer full) (element-type DerushNearDupPair): every pair
 * i < j with distance <= @radius, sorted by (i, j).
 */
GArray *
_derush_near_dup_pairs_brute(const guint64 *hashes, gsize n, int radius, int n_threads)
{
  g_return_val_if_fail(hashes != NULL || n == 0, NULL);
  g_return_val_if_fail(n <= G_MAXUINT32, NULL);
  Search search = {.hashes = hashes, .n = n, .radius = radius};
  search.n_jobs = (int)((n + BRUTE_ROWS - 1) / BRUTE_ROWS);
  guint64 candidates = 0;
  return run_search(&search, n_threads, &candidates);
}

/**
 * _derush_near_dup_pairs:
 * @index: an index of the hashes.
 * @radius: the largest Hamming distance reported, 0..64.
 * @n_threads: threads to use; 0 or less for one per core.
 * @stats: (out) (optional): what the search did.
 *
 * Finds every pair of indexed hashes within @radius: exactly the pairs that
 * _derush_near_dup_pairs_brute() finds, each once. The index is not changed,
 * so several searches may run on it at once.
 *
 * Returns: (transfer full) (element-type DerushNearDupPair): the pairs
 * i < j (indices into the array given to _derush_near_dup_index_new()),
 * sorted by (i, j).
 */
GArray *
_derush_near_dup_pairs(DerushNearDupIndex *index, int radius, int n_threads,
                       DerushNearDupStats *stats)
{
  g_return_val_if_fail(index != NULL, NULL);
  g_return_val_if_fail(radius >= 0 && radius <= 64, NULL);

  DerushNearDupStats local = {0};
  local.n_substrings = index->m;
  local.substring_radius = radius / index->m;
  GArray *pairs = NULL;

  /* A radius much larger than the index was made for can make probing all
   * the masks cost more than comparing every pair: then compare every pair,
   * which is exact too. */
  double pairs_all = (double)index->n * index->n / 2;
  double masks = ball_size(table_bits_for(64 / index->m + 1, index->n), radius / index->m);
  if (estimate_cost(index->n, index->m, radius) > pairs_all || masks > (double)(1 << 24)) {
    local.brute_force = TRUE;
    Search search = {.hashes = index->hashes, .n = index->n, .radius = radius};
    search.n_jobs = (int)((index->n + BRUTE_ROWS - 1) / BRUTE_ROWS);
    pairs = run_search(&search, n_threads, &local.candidates);
  } else {
    Search search = {.index = index, .radius = radius, .s = radius / index->m};
    for (int k = 0; k < index->m; k++) {
      const Substring *sub = &index->sub[k];
      search.sub_mask[k] = (((guint64)1 << sub->width) - 1) << sub->offset;
      search.occupied[k] = make_occupancy(sub);
      search.masks[k] = make_masks(sub->width - sub->shift, search.s, &search.n_masks[k]);
      qsort(search.masks[k], search.n_masks[k], sizeof(guint32), cmp_mask_tile);
      search.tiles[k] = (sub->table_size + TILE_BUCKETS - 1) / TILE_BUCKETS;
      search.n_jobs += (int)search.tiles[k];
    }
    pairs = run_search(&search, n_threads, &local.candidates);
    for (int k = 0; k < index->m; k++) {
      g_free(search.occupied[k]);
      g_free(search.masks[k]);
    }
  }

  local.pairs = pairs->len;
  if (stats)
    *stats = local;
  return pairs;
}

/* ------------------------------------------------------------ queries */

/* One query search, shared by its threads (read-only but for next_job).
 * A job is one substring and one mask; the queries are walked in the order
 * of that substring's value, so the probed buckets (value ^ mask) move
 * through the table in long increasing runs instead of at random: the
 * table and the sorted hashes stream through the cache rather than missing
 * it at every probe. */
typedef struct {
  const DerushNearDupIndex *index;
  const guint64 *queries;
  gsize n_queries;
  int radius, s;
  guint64 sub_mask[MAX_SUBSTRINGS];
  guint32 *masks[MAX_SUBSTRINGS]; /* table-bit masks of 0..s bits */
  gsize n_masks[MAX_SUBSTRINGS];
  guint32 *order[MAX_SUBSTRINGS]; /* query indices by substring value */
  int n_jobs;
  gint next_job; /* atomic */
} Query;

POPCNT_CLONES static gpointer
query_worker(gpointer data)
{
  Worker *w = data;
  Query *q = w->job;
  const DerushNearDupIndex *index = q->index;
  for (;;) {
    int job = g_atomic_int_add(&q->next_job, 1);
    if (job >= q->n_jobs)
      break;
    int k = 0;
    gsize mi = (gsize)job;
    while (mi >= q->n_masks[k])
      mi -= q->n_masks[k++];
    const Substring *sub = &index->sub[k];
    guint32 mask = q->masks[k][mi];
    for (gsize o = 0; o < q->n_queries; o++) {
      guint32 qi = q->order[k][o];
      guint64 h = q->queries[qi];
      guint32 t = (sub_value(sub, h) >> sub->shift) ^ mask;
      for (guint32 p = sub->table[t]; p < sub->table[t + 1]; p++) {
        /* Reported from the first substring on which the pair is within
         * s (the pigeonhole guarantees one), so once, as in the all-pairs
         * search. */
        guint64 x = h ^ sub->sorted[p];
        int d = __builtin_popcountll(x);
        if (d > q->radius || __builtin_popcountll(x & q->sub_mask[k]) > q->s)
          continue;
        gboolean earlier = FALSE;
        for (int e = 0; e < k && !earlier; e++)
          earlier = __builtin_popcountll(x & q->sub_mask[e]) <= q->s;
        if (earlier)
          continue;
        DerushNearDupPair pair = {qi, sub->ids[p], (guint32)d};
        g_array_append_val(w->pairs, pair);
      }
    }
  }
  return NULL;
}

/* @n query indices ordered by substring @sub's value (stable LSD radix). */
static guint32 *
query_order(const Substring *sub, const guint64 *queries, gsize n)
{
  guint32 *order = g_new(guint32, MAX(n, 1));
  g_autofree guint32 *tmp = g_new(guint32, MAX(n, 1));
  g_autofree gsize *count = g_new(gsize, 1 << RADIX_BITS);
  for (gsize i = 0; i < n; i++)
    order[i] = (guint32)i;
  for (int low = 0; low < sub->width; low += RADIX_BITS) {
    guint32 digit_mask = (1u << MIN(RADIX_BITS, sub->width - low)) - 1;
    memset(count, 0, sizeof(gsize) << RADIX_BITS);
    for (gsize i = 0; i < n; i++)
      count[(sub_value(sub, queries[order[i]]) >> low) & digit_mask]++;
    gsize pos = 0;
    for (guint32 d = 0; d <= digit_mask; d++) {
      gsize c = count[d];
      count[d] = pos;
      pos += c;
    }
    for (gsize i = 0; i < n; i++)
      tmp[count[(sub_value(sub, queries[order[i]]) >> low) & digit_mask]++] = order[i];
    memcpy(order, tmp, n * sizeof *order);
  }
  return order;
}

/**
 * _derush_near_dup_query:
 * @index: an index of hashes.
 * @queries: (array length=n_queries): other hashes, below 2^32 of them.
 * @radius: the largest Hamming distance reported, 0..64.
 * @n_threads: threads to use; 0 or less for one per core.
 *
 * Finds every (query, indexed hash) pair within @radius: exactly what
 * comparing each query with every indexed hash finds, each pair once. For
 * matching one set against another (transformed hashes against plain ones)
 * without the pairs inside each set that an all-pairs search of their
 * union would also enumerate.
 *
 * Returns: (transfer full) (element-type DerushNearDupPair): pairs with i
 * the query's index and j the indexed hash's, sorted by (i, j).
 */
GArray *
_derush_near_dup_query(DerushNearDupIndex *index, const guint64 *queries, gsize n_queries,
                       int radius, int n_threads)
{
  g_return_val_if_fail(index != NULL, NULL);
  g_return_val_if_fail(queries != NULL || n_queries == 0, NULL);
  g_return_val_if_fail(radius >= 0 && radius <= 64, NULL);
  Query q = {.index = index, .queries = queries, .n_queries = n_queries, .radius = radius};
  q.s = radius / index->m;
  for (int k = 0; k < index->m; k++) {
    const Substring *sub = &index->sub[k];
    int table_bits = sub->width - sub->shift;
    q.sub_mask[k] = (((guint64)1 << sub->width) - 1) << sub->offset;
    q.masks[k] = make_masks(table_bits, MIN(q.s, table_bits), &q.n_masks[k]);
    q.order[k] = query_order(sub, queries, n_queries);
    q.n_jobs += (int)q.n_masks[k];
  }
  guint64 candidates;
  GArray *pairs = run_workers(query_worker, &q, q.n_jobs, n_threads, &candidates);
  for (int k = 0; k < index->m; k++) {
    g_free(q.masks[k]);
    g_free(q.order[k]);
  }
  return pairs;
}
