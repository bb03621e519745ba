/* near-dup-index.h: exact all-pairs search of 64-bit hashes within a
 * Hamming radius (multi-index hashing). Not installed.
 *
 * Exact means: the same pairs as comparing every pair, never fewer (the
 * bucketed LSH of photo-derush misses pairs). See near-dup-index.c. */
#ifndef DERUSH_NEAR_DUP_INDEX_H
#define DERUSH_NEAR_DUP_INDEX_H

#include <glib.h>

G_BEGIN_DECLS

/* One pair of hashes within the radius: indices into the array given to
 * _derush_near_dup_index_new(), i < j. */
typedef struct {
  guint32 i, j;
  guint32 distance; /* Hamming distance, 0..radius */
} DerushNearDupPair;

/* What a search did, for benchmarks and tests. */
typedef struct {
  int n_substrings;     /* m: the hash is cut into m substrings */
  int substring_radius; /* s = floor(radius / m), searched in each substring */
  gboolean brute_force; /* the radius was too large for the index to pay */
  guint64 candidates;   /* pairs whose full distance was computed */
  guint64 pairs;        /* pairs reported */
} DerushNearDupStats;

typedef struct _DerushNearDupIndex DerushNearDupIndex;

DerushNearDupIndex *_derush_near_dup_index_new(const guint64 *hashes, gsize n, int max_radius);
/* The same, with substrings chosen for @n_queries lookups. */
DerushNearDupIndex *_derush_near_dup_index_new_for_queries(const guint64 *hashes, gsize n,
                                                           gsize n_queries, int max_radius);
void _derush_near_dup_index_free(DerushNearDupIndex *index);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DerushNearDupIndex, _derush_near_dup_index_free)

gsize _derush_near_dup_index_get_size(DerushNearDupIndex *index);
int _derush_near_dup_index_get_n_substrings(DerushNearDupIndex *index);

GArray *_derush_near_dup_pairs(DerushNearDupIndex *index, int radius, int n_threads,
                               DerushNearDupStats *stats);
/* Every (query, indexed hash) pair within @radius: i the query's index, j
 * the indexed hash's. Exact, like _derush_near_dup_pairs(). */
GArray *_derush_near_dup_query(DerushNearDupIndex *index, const guint64 *queries, gsize n_queries,
                               int radius, int n_threads);
GArray *_derush_near_dup_pairs_brute(const guint64 *hashes, gsize n, int radius, int n_threads);

G_END_DECLS

#endif /* DERUSH_NEAR_DUP_INDEX_H */
