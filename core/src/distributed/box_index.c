#include "distributed/box_index.h"

#include "distributed/bounds.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

scipar_status box_index_allocate(box_index *index, size_t n, const scipar_options *options)
{
  memset(index, 0, sizeof *index);
  const size_t m = n ? n : 1;
  index->set.num_clusters = n;
  index->set.ids = malloc(m * sizeof *index->set.ids);
  index->set.box_min = malloc(3 * m * sizeof *index->set.box_min);
  index->set.box_max = malloc(3 * m * sizeof *index->set.box_max);
  index->set.centroids = malloc(3 * m * sizeof *index->set.centroids);
  index->set.centroid_error = malloc(m * sizeof *index->set.centroid_error);
  index->upper = malloc(m * sizeof *index->upper);
  index->visited = malloc(m * sizeof *index->visited);
  index->search.metric = options->metric;
  index->search.squared = options->squared;
  const int ok = index->set.ids && index->set.box_min && index->set.box_max && index->set.centroids &&
                 index->set.centroid_error && index->upper && index->visited;
  return ok ? SCIPAR_OK : SCIPAR_ERROR_OUT_OF_MEMORY;
}

void box_index_set(box_index *index, size_t i, int64_t id, const double box_min[3], const double box_max[3],
                   const double centre[3], double centre_error, const cluster_summary *upper)
{
  index->set.ids[i] = id;
  index->set.centroid_error[i] = centre_error;
  memcpy(index->set.box_min + 3 * i, box_min, 3 * sizeof *box_min);
  memcpy(index->set.box_max + 3 * i, box_max, 3 * sizeof *box_max);
  memcpy(index->set.centroids + 3 * i, centre, 3 * sizeof *centre);
  index->upper[i] = *upper;
}

/* A query cluster seen as a set of one, as the search stage takes its queries (read only). */
static cluster_set as_set(const cluster_summary *query)
{
  cluster_set set;
  memset(&set, 0, sizeof set);
  set.num_clusters = 1;
  set.ids = (int64_t *)&query->id;
  set.box_min = (double *)query->box_min;
  set.box_max = (double *)query->box_max;
  set.centroids = (double *)query->centroid;
  set.centroid_error = (double *)&query->centroid_error;
  return set;
}

static double lower_of(const box_index *index, const cluster_set *query, int64_t item)
{
  return cluster_lower_bound(index->search.metric, index->search.squared, query, 0, &index->set, (size_t)item);
}

static double upper_of(const box_index *index, const cluster_summary *query, int64_t item)
{
  return summary_upper_bound(index->search.metric, index->search.squared, query, &index->upper[item]);
}

enum { CODE_BITS = 21, QUICK_NEIGHBOURS = 4 };

/* The bits of v spread to every third bit. */
static uint64_t spread_bits(uint64_t v)
{
  v &= (UINT64_C(1) << CODE_BITS) - 1;
  v = (v | v << 32) & UINT64_C(0x1f00000000ffff);
  v = (v | v << 16) & UINT64_C(0x1f0000ff0000ff);
  v = (v | v << 8) & UINT64_C(0x100f00f00f00f00f);
  v = (v | v << 4) & UINT64_C(0x10c30c30c30c30c3);
  v = (v | v << 2) & UINT64_C(0x1249249249249249);
  return v;
}

static uint64_t code_of(const box_index *index, const double centre[3])
{
  uint64_t code = 0;
  for (int d = 0; d < 3; ++d) {
    const double g = (centre[d] - index->origin[d]) * index->scale;
    const double most = (double)((UINT64_C(1) << CODE_BITS) - 1);
    code |= spread_bits((uint64_t)(g < 0 ? 0 : g > most ? most : g)) << d;
  }
  return code;
}

typedef struct coded {
  uint64_t code;
  int64_t item;
} coded;

static int by_code(const void *pa, const void *pb)
{
  const coded *a = pa, *b = pb;
  if (a->code != b->code)
    return a->code < b->code ? -1 : 1;
  return (a->item > b->item) - (a->item < b->item);
}

static scipar_status sort_by_code(box_index *index)
{
  const size_t n = index->set.num_clusters;
  index->codes = malloc((n + 1) * sizeof *index->codes);
  index->by_code = malloc((n + 1) * sizeof *index->by_code);
  coded *pairs = malloc((n + 1) * sizeof *pairs);
  if (!index->codes || !index->by_code || !pairs) {
    free(pairs);
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  }
  double lo[3] = {INFINITY, INFINITY, INFINITY}, extent = 0.0;
  for (size_t i = 0; i < n; ++i)
    for (int d = 0; d < 3; ++d)
      lo[d] = fmin(lo[d], index->set.centroids[3 * i + d]);
  for (size_t i = 0; i < n; ++i)
    for (int d = 0; d < 3; ++d)
      extent = fmax(extent, index->set.centroids[3 * i + d] - lo[d]);
  memcpy(index->origin, lo, sizeof lo);
  index->scale = extent > 0 ? (double)((UINT64_C(1) << CODE_BITS) - 1) / extent : 0.0;
  for (size_t i = 0; i < n; ++i)
    pairs[i] = (coded){code_of(index, index->set.centroids + 3 * i), (int64_t)i};
  qsort(pairs, n, sizeof *pairs, by_code);
  for (size_t i = 0; i < n; ++i) {
    index->codes[i] = pairs[i].code;
    index->by_code[i] = pairs[i].item;
  }
  free(pairs);
  return SCIPAR_OK;
}

scipar_status box_index_finish(box_index *index)
{
  scipar_status status = cluster_hierarchy_build(&index->set, 1, &index->hierarchy);
  index->search =
    candidate_search_make(&index->hierarchy, index->search.metric, index->search.squared, 0);
  if (status == SCIPAR_OK)
    status = sort_by_code(index);
  return status;
}

void box_index_free(box_index *index)
{
  cluster_set_free(&index->set);
  free(index->upper);
  free(index->visited);
  free(index->codes);
  free(index->by_code);
  cluster_hierarchy_free(&index->hierarchy);
  candidate_search_free(&index->search);
  memset(index, 0, sizeof *index);
}

double box_index_quick_upper(const box_index *index, const cluster_summary *query)
{
  const size_t n = index->set.num_clusters;
  const uint64_t code = code_of(index, query->centroid);
  size_t lo = 0, hi = n;
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (index->codes[mid] < code)
      lo = mid + 1;
    else
      hi = mid;
  }
  double least = INFINITY;
  const size_t first = lo > QUICK_NEIGHBOURS ? lo - QUICK_NEIGHBOURS : 0;
  const size_t last = lo + QUICK_NEIGHBOURS < n ? lo + QUICK_NEIGHBOURS : n;
  for (size_t i = first; i < last; ++i)
    least = fmin(least, upper_of(index, query, index->by_code[i]));
  return least;
}

int box_index_search(box_index *index, const cluster_summary *query, double *bound, const int64_t **items,
                     size_t *count, int64_t *tightest)
{
  *items = index->visited;
  *count = 0;
  if (tightest)
    *tightest = -1;
  const cluster_set query_set = as_set(query);
  if (!candidate_search_begin(&index->search, &query_set, 0))
    return 0;
  double least_upper = *bound;
  size_t visited = 0;
  int64_t item;
  int failed = 0;
  while (candidate_search_next(&index->search, least_upper, &item, &failed)) {
    index->visited[visited++] = item;
    const double upper = upper_of(index, query, item);
    if (upper < least_upper) {
      least_upper = upper;
      if (tightest)
        *tightest = item;
    }
  }
  if (failed)
    return 0;
  /* Items visited before the bound tightened may now lie beyond it. */
  size_t kept = 0;
  for (size_t i = 0; i < visited; ++i) {
    const int64_t v = index->visited[i];
    if (lower_of(index, &query_set, v) <= least_upper)
      index->visited[kept++] = v;
  }
  *bound = least_upper;
  *count = kept;
  return 1;
}

/* The item of least lower bound, -1 without items, -2 when memory ran out. */
static int64_t first_item(box_index *index, const cluster_set *query)
{
  if (!candidate_search_begin(&index->search, query, 0))
    return -2;
  int64_t item;
  int failed = 0;
  if (candidate_search_next(&index->search, INFINITY, &item, &failed))
    return item;
  return failed ? -2 : -1;
}

double box_index_first_lower(box_index *index, const cluster_summary *query)
{
  const cluster_set query_set = as_set(query);
  const int64_t item = first_item(index, &query_set);
  if (item < 0)
    return item == -1 ? INFINITY : -INFINITY;
  return lower_of(index, &query_set, item);
}

double box_index_lower(const box_index *index, const cluster_summary *query, int64_t item)
{
  const cluster_set query_set = as_set(query);
  return lower_of(index, &query_set, item);
}
