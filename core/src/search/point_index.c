#include "search/point_index.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Boxes bottom-up: a leaf's from its points, a node's from its children's. */
static void node_boxes(point_index *index, size_t node, int64_t lo, int64_t hi)
{
  double *b = index->box + 6 * node;
  if (hi - lo <= POINT_INDEX_LEAF_SIZE) {
    for (int d = 0; d < 3; ++d) {
      b[d] = INFINITY;
      b[3 + d] = -INFINITY;
    }
    for (int64_t i = lo; i < hi; ++i) {
      const double p[3] = {index->x[i], index->y[i], index->z[i]};
      for (int d = 0; d < 3; ++d) {
        b[d] = p[d] < b[d] ? p[d] : b[d];
        b[3 + d] = p[d] > b[3 + d] ? p[d] : b[3 + d];
      }
    }
    return;
  }
  const int64_t mid = lo + (hi - lo) / 2;
  node_boxes(index, 2 * node + 1, lo, mid);
  node_boxes(index, 2 * node + 2, mid, hi);
  const double *l = index->box + 6 * (2 * node + 1), *r = index->box + 6 * (2 * node + 2);
  for (int d = 0; d < 3; ++d) {
    b[d] = l[d] < r[d] ? l[d] : r[d];
    b[3 + d] = l[3 + d] > r[3 + d] ? l[3 + d] : r[3 + d];
  }
}

scipar_status point_index_build(const cluster_set *set, int num_threads, point_index *index)
{
  memset(index, 0, sizeof *index);
  const int64_t n = set->offsets[set->num_clusters];
  const size_t m = n ? (size_t)n : 1;
  const size_t nodes = n > POINT_INDEX_LEAF_SIZE ? kdtree_num_nodes(n, POINT_INDEX_LEAF_SIZE) : 1;
  index->n = n;
  index->x = malloc(m * sizeof *index->x);
  index->y = malloc(m * sizeof *index->y);
  index->z = malloc(m * sizeof *index->z);
  index->cluster = malloc(m * sizeof *index->cluster);
  index->split_value = malloc(nodes * sizeof *index->split_value);
  index->split_dim = malloc(nodes);
  index->box = malloc(6 * nodes * sizeof *index->box);
  if (!index->x || !index->y || !index->z || !index->cluster || !index->split_value || !index->split_dim ||
      !index->box) {
    point_index_free(index);
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  }
  memcpy(index->x, set->x, (size_t)n * sizeof *index->x);
  memcpy(index->y, set->y, (size_t)n * sizeof *index->y);
  memcpy(index->z, set->z, (size_t)n * sizeof *index->z);
  const long long k = (long long)set->num_clusters;
#pragma omp parallel for num_threads(num_threads) schedule(static)
  for (long long c = 0; c < k; ++c)
    for (int64_t i = set->offsets[c]; i < set->offsets[c + 1]; ++i)
      index->cluster[i] = c;
  if (!kdtree_build_labelled(index->x, index->y, index->z, index->cluster, n, POINT_INDEX_LEAF_SIZE, num_threads,
                             index->split_value, index->split_dim)) {
    point_index_free(index);
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  }
  node_boxes(index, 0, 0, n);
  /* The split planes served the build only. */
  free(index->split_value);
  free(index->split_dim);
  index->split_value = NULL;
  index->split_dim = NULL;
  return SCIPAR_OK;
}

void point_index_free(point_index *index)
{
  free(index->x);
  free(index->y);
  free(index->z);
  free(index->cluster);
  free(index->split_value);
  free(index->split_dim);
  free(index->box);
  memset(index, 0, sizeof *index);
}
