/* A cluster of a set with its k-d tree, as bytes or into another set: x[n], y[n], z[n], then the
 * tree's split values and split dimensions (padded to 8 bytes). The layout is this stage's alone. */
#include "grouping/grouping.h"

#include "distance/kdtree.h"

#include <string.h>

static size_t padded(size_t bytes) { return (bytes + 7) / 8 * 8; }

size_t cluster_set_packed_bytes(int64_t num_points)
{
  /* As allocate_trees in cluster_set.c: small clusters have no tree. */
  const size_t nodes = num_points >= KDTREE_MIN_POINTS ? kdtree_num_nodes(num_points, KDTREE_LEAF_SIZE) : 0;
  return 3 * (size_t)num_points * sizeof(double) + nodes * sizeof(double) + padded(nodes);
}

void cluster_set_pack(const cluster_set *set, size_t k, void *out)
{
  const size_t n = (size_t)cluster_set_size(set, k), nodes = (size_t)(set->tree_offsets[k + 1] - set->tree_offsets[k]);
  const int64_t begin = set->offsets[k];
  double *points = out;
  memcpy(points, set->x + begin, n * sizeof *points);
  memcpy(points + n, set->y + begin, n * sizeof *points);
  memcpy(points + 2 * n, set->z + begin, n * sizeof *points);
  memcpy(points + 3 * n, set->split_value + set->tree_offsets[k], nodes * sizeof *points);
  unsigned char *dims = (unsigned char *)(points + 3 * n + nodes);
  memcpy(dims, set->split_dim + set->tree_offsets[k], nodes);
  memset(dims + nodes, 0, padded(nodes) - nodes);
}

void cluster_set_unpack(cluster_set *set, size_t k, const void *in)
{
  const size_t n = (size_t)cluster_set_size(set, k), nodes = (size_t)(set->tree_offsets[k + 1] - set->tree_offsets[k]);
  const int64_t begin = set->offsets[k];
  const double *points = in;
  memcpy(set->x + begin, points, n * sizeof *points);
  memcpy(set->y + begin, points + n, n * sizeof *points);
  memcpy(set->z + begin, points + 2 * n, n * sizeof *points);
  memcpy(set->split_value + set->tree_offsets[k], points + 3 * n, nodes * sizeof *points);
  memcpy(set->split_dim + set->tree_offsets[k], points + 3 * n + nodes, nodes);
}

void cluster_set_copy(cluster_set *to, size_t k, const cluster_set *from, size_t j)
{
  const size_t n = (size_t)cluster_set_size(from, j);
  const size_t nodes = (size_t)(from->tree_offsets[j + 1] - from->tree_offsets[j]);
  memcpy(to->x + to->offsets[k], from->x + from->offsets[j], n * sizeof *to->x);
  memcpy(to->y + to->offsets[k], from->y + from->offsets[j], n * sizeof *to->y);
  memcpy(to->z + to->offsets[k], from->z + from->offsets[j], n * sizeof *to->z);
  memcpy(to->split_value + to->tree_offsets[k], from->split_value + from->tree_offsets[j], nodes * sizeof *to->split_value);
  memcpy(to->split_dim + to->tree_offsets[k], from->split_dim + from->tree_offsets[j], nodes);
}
