#include "nearest_clusters.h"

#include "chamfer.h"

#include <math.h>
#include <stdlib.h>

static cluster_view view_of(const cluster_set *set, size_t k)
{
  const int64_t begin = set->offsets[k];
  return (cluster_view){set->x + begin, set->y + begin, set->z + begin, cluster_set_size(set, k)};
}

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

/* Cluster indices, largest first: big clusters are scheduled early so that threads finish together. */
static int64_t *largest_first(const cluster_set *set)
{
  const size_t k = set->num_clusters;
  sized_cluster *sized = malloc((k ? k : 1) * sizeof *sized);
  int64_t *order = malloc((k ? k : 1) * sizeof *order);
  if (!sized || !order) {
    free(sized);
    free(order);
    return NULL;
  }
  for (size_t c = 0; c < k; ++c)
    sized[c] = (sized_cluster){cluster_set_size(set, c), (int64_t)c};
  qsort(sized, k, sizeof *sized, by_size_descending);
  for (size_t c = 0; c < k; ++c)
    order[c] = sized[c].index;
  free(sized);
  return order;
}

/* The nearest cluster of `to` for cluster k of `from`, by evaluating every candidate in id order. */
static void nearest_one(const cluster_set *from, size_t k, const cluster_set *to, int from_is_source,
                        const scipar_options *options, int64_t *nearest, double *distance)
{
  const cluster_view self = view_of(from, k);
  double stop = options->max_pair_distance > 0 ? options->max_pair_distance : INFINITY;
  double best = NAN;
  int64_t best_index = -1;
  for (size_t c = 0; c < to->num_clusters; ++c) {
    const cluster_view other = view_of(to, c);
    double value;
    const int complete = from_is_source
                           ? chamfer_bounded(self, other, options->metric, options->squared, stop, &value)
                           : chamfer_bounded(other, self, options->metric, options->squared, stop, &value);
    /* Candidates come in ascending id order, so a strict < leaves a tie to the smaller id. A
     * complete value may still exceed stop (the running mean is checked only now and then). */
    if (complete && value <= stop && (best_index < 0 || value < best)) {
      best = value;
      best_index = (int64_t)c;
      stop = value;
    }
  }
  *nearest = best_index;
  *distance = best;
}

scipar_status nearest_clusters(const cluster_set *from, const cluster_set *to, int from_is_source,
                               const scipar_options *options, int num_threads,
                               progress_state *progress, int64_t *nearest, double *distance)
{
  int64_t *order = largest_first(from);
  if (!order)
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  const long long k = (long long)from->num_clusters;
#pragma omp parallel for num_threads(num_threads) schedule(dynamic, 1)
  for (long long i = 0; i < k; ++i) {
    if (progress_cancelled(progress))
      continue;
    const int64_t c = order[i];
    nearest_one(from, (size_t)c, to, from_is_source, options, &nearest[c], &distance[c]);
    progress_item_done(progress);
  }
  free(order);
  return progress_cancelled(progress) ? SCIPAR_ERROR_CANCELLED : SCIPAR_OK;
}
