#include "search/query_order.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Cells per axis of the grid whose Morton order sorts clusters of one size class. */
enum { MORTON_BITS = 8 };

/* Bits 0 .. 9 of v spread to bits 0, 3, 6 ... 27. */
static uint64_t spread(uint64_t v)
{
  v &= 0x3ff;
  v = (v | v << 16) & 0x30000ff;
  v = (v | v << 8) & 0x300f00f;
  v = (v | v << 4) & 0x30c30c3;
  return (v | v << 2) & 0x9249249;
}

/* Sorts keys by their high 32 bits, stably (least significant digit first, 11 bits a pass, passes over
 * digits every key shares skipped): keys made in index order keep it among equal high halves. */
static void sort_by_high_half(int64_t *keys, int64_t *scratch, size_t n)
{
  enum { DIGIT = 11, BUCKETS = 1 << DIGIT };
  int64_t *from = keys, *to = scratch;
  for (unsigned shift = 32; shift < 64; shift += DIGIT) {
    size_t count[BUCKETS] = {0};
    for (size_t i = 0; i < n; ++i)
      ++count[((uint64_t)from[i] >> shift) & (BUCKETS - 1)];
    if (n == 0 || count[((uint64_t)from[0] >> shift) & (BUCKETS - 1)] == n)
      continue;
    size_t start = 0;
    for (size_t b = 0; b < BUCKETS; ++b) {
      const size_t c = count[b];
      count[b] = start;
      start += c;
    }
    for (size_t i = 0; i < n; ++i)
      to[count[((uint64_t)from[i] >> shift) & (BUCKETS - 1)]++] = from[i];
    int64_t *swap = from;
    from = to;
    to = swap;
  }
  if (from != keys)
    memcpy(keys, from, n * sizeof *keys);
}

/* floor(log2(size)) for size >= 1. */
static int size_class(int64_t size)
{
  int c = 0;
  while (size >>= 1)
    ++c;
  return c;
}

/* Sorted by one key per cluster: its size class, largest first (within a class sizes differ by less
 * than two: the order still ends with the smallest work), then the Morton code of its centroid on a
 * 256^3 grid over the centroids' box (the searches of near clusters meet the same nodes of the other
 * side's hierarchy: on 200,000 clusters of 5 points, searches in index order, which is random in
 * space, waited on a cache miss at most nodes) when in_space is set, then the index. */
int64_t *query_order(const cluster_set *set, const int64_t *subset, size_t count, int in_space)
{
  int64_t *key = malloc((count ? count : 1) * sizeof *key);
  int64_t *scratch = malloc((count ? count : 1) * sizeof *scratch);
  if (!key || !scratch) {
    free(key);
    free(scratch);
    return NULL;
  }
  if (set->num_clusters > UINT32_MAX) { /* an index must fit in a key's low 32 bits: the subset's order */
    for (size_t i = 0; i < count; ++i)
      key[i] = subset ? subset[i] : (int64_t)i;
    free(scratch);
    return key;
  }
  double lo[3] = {INFINITY, INFINITY, INFINITY}, hi[3] = {-INFINITY, -INFINITY, -INFINITY};
  for (size_t i = 0; i < count && in_space; ++i) {
    const double *c = set->centroids + 3 * (subset ? subset[i] : (int64_t)i);
    for (int d = 0; d < 3; ++d) {
      lo[d] = fmin(lo[d], c[d]);
      hi[d] = fmax(hi[d], c[d]);
    }
  }
  const double cells = (double)(1 << MORTON_BITS);
  for (size_t i = 0; i < count; ++i) {
    const int64_t k = subset ? subset[i] : (int64_t)i;
    const double *c = set->centroids + 3 * k;
    uint64_t morton = 0;
    for (int d = 0; d < 3 && in_space; ++d) {
      const double t = hi[d] > lo[d] ? (c[d] - lo[d]) / (hi[d] - lo[d]) * cells : 0.0;
      const uint64_t cell = t < cells - 1.0 ? (uint64_t)t : (uint64_t)cells - 1;
      morton |= spread(cell) << d;
    }
    const uint64_t descending = (uint64_t)(63 - size_class(cluster_set_size(set, (size_t)k)));
    key[i] = (int64_t)((descending << 56) | (morton << 32) | (uint64_t)k);
  }
  sort_by_high_half(key, scratch, count);
  free(scratch);
  for (size_t i = 0; i < count; ++i)
    key[i] &= (int64_t)UINT32_MAX;
  return key;
}
