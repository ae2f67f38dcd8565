#include "search/search.h"

#include "distance/distance.h"

#include <math.h>
#include <stdlib.h>

typedef struct sized_cluster {
  int64_t size;
  int64_t index;
} sized_cluster;

static int by_size_descending(const void *pa, const void *pb)
{
  const sized_cluster *a = pa, *b = pb;
  if (a->size != b->size)
    return a->size > b->size ? -1 : 1;
  return (a->index > b->index) - (a->index < b->index);
}

/* The clusters of subset (all of them when subset is NULL), largest first: big clusters are
 * scheduled early so that threads finish together. */
static int64_t *largest_first(const cluster_set *set, const int64_t *subset, size_t k)
{
  sized_cluster *sized = malloc((k ? k : 1) * sizeof *sized);
  int64_t *order = malloc((k ? k : 1) * sizeof *order);
  if (!sized || !order) {
    free(sized);
    free(order);
    return NULL;
  }
  for (size_t i = 0; i < k; ++i) {
    const int64_t c = subset ? subset[i] : (int64_t)i;
    sized[i] = (sized_cluster){cluster_set_size(set, (size_t)c), c};
  }
  qsort(sized, k, sizeof *sized, by_size_descending);
  for (size_t c = 0; c < k; ++c)
    order[c] = sized[c].index;
  free(sized);
  return order;
}

/* The nearest cluster of `to` for cluster k of `from`, visiting candidates in order of their lower
 * bound and stopping once no bound can beat the best value found. Returns 0 on allocation failure. */
static int nearest_one(const cluster_set *from, size_t k, const cluster_set *to, int from_is_source,
                       const scipar_options *options, candidate_search *search, int64_t *nearest, double *distance)
{
  const cluster_view self = cluster_set_view(from, k);
  const double limit = options->max_pair_distance > 0 ? options->max_pair_distance : INFINITY;
  int64_t best_index = *nearest;
  double best = best_index >= 0 ? *distance : INFINITY;
  if (!candidate_search_begin(search, from, k))
    return 0;
  int64_t c;
  int failed = 0;
  while (candidate_search_next(search, fmin(best, limit), &c, &failed)) {
    if (c == best_index)
      continue; /* the seed: its value is known */
    const cluster_view other = cluster_set_view(to, (size_t)c);
    const double stop = fmin(best, limit);
    double value;
    const int complete = from_is_source
                           ? chamfer_bounded(self, other, options->metric, options->squared, stop, &value)
                           : chamfer_bounded(other, self, options->metric, options->squared, stop, &value);
    /* A complete value may still exceed stop: the running mean is checked only now and then. */
    if (complete && value <= limit && (best_index < 0 || value < best || (value == best && c < best_index))) {
      best = value;
      best_index = c;
    }
  }
  if (failed)
    return 0;
  *nearest = best_index;
  *distance = best_index >= 0 ? best : NAN;
  return 1;
}

scipar_status nearest_clusters(const cluster_set *from, const cluster_set *to, const cluster_hierarchy *to_hierarchy,
                               int from_is_source, const scipar_options *options, int num_threads,
                               progress_state *progress, int64_t *nearest, double *distance)
{
  return nearest_clusters_of(from, NULL, from->num_clusters, to, to_hierarchy, from_is_source, options, num_threads,
                             progress, nearest, distance);
}

scipar_status nearest_clusters_of(const cluster_set *from, const int64_t *subset, size_t subset_count,
                                  const cluster_set *to, const cluster_hierarchy *to_hierarchy, int from_is_source,
                                  const scipar_options *options, int num_threads, progress_state *progress,
                                  int64_t *nearest, double *distance)
{
  int64_t *order = largest_first(from, subset, subset_count);
  if (!order)
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  const long long k = (long long)subset_count;
  int out_of_memory = 0;
#pragma omp parallel num_threads(num_threads)
  {
    candidate_search search = {to, to_hierarchy, options->metric, options->squared, 0, {0}, {0}, {0}, 0.0, NULL, 0, 0};
#pragma omp for schedule(dynamic, 1)
    for (long long i = 0; i < k; ++i) {
      if (progress_cancelled(progress))
        continue;
      const int64_t c = order[i];
      if (!nearest_one(from, (size_t)c, to, from_is_source, options, &search, &nearest[c], &distance[c])) {
#pragma omp atomic write
        out_of_memory = 1;
#pragma omp atomic write
        progress->cancelled = 1;
      }
      progress_item_done(progress);
    }
    candidate_search_free(&search);
  }
  free(order);
  if (out_of_memory)
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  return progress_cancelled(progress) ? SCIPAR_ERROR_CANCELLED : SCIPAR_OK;
}

void seeds_from_other_side(const int64_t *other_nearest, const double *other_distance, size_t other_count,
                           size_t count, int64_t *seed, double *seed_distance)
{
  for (size_t c = 0; c < count; ++c) {
    seed[c] = -1;
    seed_distance[c] = NAN;
  }
  for (size_t o = 0; o < other_count; ++o) {
    const int64_t c = other_nearest[o];
    if (c < 0)
      continue;
    const double d = other_distance[o];
    if (seed[c] < 0 || d < seed_distance[c]) { /* o ascends: an equal value keeps the smaller index */
      seed[c] = (int64_t)o;
      seed_distance[c] = d;
    }
  }
}
