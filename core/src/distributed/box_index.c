#include "distributed/box_index.h"

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
  index->upper = index->representatives = malloc(m * sizeof *index->representatives);
  index->visited = malloc(m * sizeof *index->visited);
  index->search.metric = options->metric;
  index->search.squared = options->squared;
  const int ok = index->set.ids && index->set.box_min && index->set.box_max && index->set.centroids &&
                 index->set.centroid_error && index->representatives && index->visited;
  return ok ? SCIPAR_OK : SCIPAR_ERROR_OUT_OF_MEMORY;
}

scipar_status box_index_borrow(box_index *index, const cluster_set *set, const cluster_hierarchy *hierarchy,
                               const cluster_summary *upper, const scipar_options *options)
{
  memset(index, 0, sizeof *index);
  index->set = *set;
  index->hierarchy = *hierarchy;
  index->borrowed = 1;
  index->upper = upper;
  index->visited = malloc((set->num_clusters + 1) * sizeof *index->visited);
  index->search = candidate_search_make(&index->hierarchy, options->metric, options->squared, 0);
  return index->visited ? SCIPAR_OK : SCIPAR_ERROR_OUT_OF_MEMORY;
}

void box_index_set(box_index *index, size_t i, int64_t id, const double box_min[3], const double box_max[3],
                   const double centre[3], double centre_error)
{
  index->set.ids[i] = id;
  index->set.centroid_error[i] = centre_error;
  memcpy(index->set.box_min + 3 * i, box_min, 3 * sizeof *box_min);
  memcpy(index->set.box_max + 3 * i, box_max, 3 * sizeof *box_max);
  memcpy(index->set.centroids + 3 * i, centre, 3 * sizeof *centre);
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
  const cluster_summary *u = &index->upper[item];
  return box_upper_bound(index->search.metric, index->search.squared, query->box_min, query->box_max, u->box_min,
                         u->box_max);
}

scipar_status box_index_finish(box_index *index)
{
  const scipar_status status = cluster_hierarchy_build(&index->set, 1, &index->hierarchy);
  index->search =
    candidate_search_make(&index->hierarchy, index->search.metric, index->search.squared, 0);
  return status;
}

void box_index_free(box_index *index)
{
  if (!index->borrowed) {
    cluster_set_free(&index->set);
    cluster_hierarchy_free(&index->hierarchy);
  }
  free(index->representatives);
  free(index->visited);
  candidate_search_free(&index->search);
  memset(index, 0, sizeof *index);
}

int box_index_search(box_index *index, const cluster_summary *query, double *bound, const int64_t **items,
                     size_t *count)
{
  *items = index->visited;
  *count = 0;
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
    least_upper = upper < least_upper ? upper : least_upper;
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

/* Up to this many items, a loop over them finds the least lower bound faster than starting a search
 * (a few processes' regions). */
enum { DIRECT_ITEMS = 16 };

double box_index_first_lower(box_index *index, const cluster_summary *query)
{
  const cluster_set query_set = as_set(query);
  if (index->set.num_clusters <= DIRECT_ITEMS) {
    double least = INFINITY;
    for (size_t i = 0; i < index->set.num_clusters; ++i)
      least = fmin(least, lower_of(index, &query_set, (int64_t)i));
    return least;
  }
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
