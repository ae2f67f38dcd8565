/* A set built over another set's point and tree buffers: the clusters kept are moved inside those
 * buffers (grown in place when the allocator can), never copied into new ones, so that a process's
 * points are held once while it adds clusters from elsewhere. */
#include "grouping/grouping.h"

#include "distance/kdtree.h"

#include <stdlib.h>
#include <string.h>

/* Moves the kept blocks of `buffer` (element size `unit`, room for *room elements; block of source
 * cluster j at from_at[j] .. from_at[j + 1], of from_count elements in all) to to_at[e] for each e with
 * kept[e] >= 0, in a buffer of at least to_at[k] elements. Kept blocks keep their order, and a run of
 * them with nothing dropped or inserted between (kept[e + 1] == kept[e] + 1) shifts by one amount, so
 * it moves as one: runs going down in ascending order, then runs going up in descending order. A run
 * going down lands above every block before it (moved or not) and below where the blocks after it
 * are; one going up lands below every block after it (already moved) and above where the blocks
 * before it are. The buffer is reallocated only when its room is short: a reallocation the allocator
 * cannot do in place copies the whole buffer into fresh pages, the cost the room is there to avoid.
 * Returns the buffer, or NULL (freed) when it cannot grow. */
static void *move_blocks(void *buffer, size_t unit, size_t *room, const int64_t *from_at, int64_t from_count,
                         const int64_t *to_at, const int64_t *kept, size_t k)
{
  const size_t total = (size_t)to_at[k];
  const size_t needed = total > (size_t)from_count ? total : (size_t)from_count;
  unsigned char *b = buffer;
  if (needed > *room) {
    if (!(b = realloc(buffer, needed * unit))) {
      free(buffer);
      return NULL;
    }
    *room = needed;
  }
  for (size_t e = 0; e < k;) { /* runs [e, end) going down */
    size_t end = e + 1;
    while (end < k && kept[e] >= 0 && kept[end] == kept[end - 1] + 1)
      ++end;
    if (kept[e] >= 0 && to_at[e] < from_at[kept[e]])
      memmove(b + (size_t)to_at[e] * unit, b + (size_t)from_at[kept[e]] * unit,
              (size_t)(from_at[kept[end - 1] + 1] - from_at[kept[e]]) * unit);
    e = end;
  }
  for (size_t end = k; end > 0;) { /* runs [e, end) going up */
    size_t e = end - 1;
    while (e > 0 && kept[end - 1] >= 0 && kept[e - 1] >= 0 && kept[e] == kept[e - 1] + 1)
      --e;
    if (kept[e] >= 0 && to_at[e] > from_at[kept[e]])
      memmove(b + (size_t)to_at[e] * unit, b + (size_t)from_at[kept[e]] * unit,
              (size_t)(from_at[kept[end - 1] + 1] - from_at[kept[e]]) * unit);
    end = e;
  }
  return b;
}

scipar_status cluster_set_take_over(cluster_set *set, cluster_set *from, size_t num_clusters, const int64_t *kept,
                                    const int64_t *size)
{
  memset(set, 0, sizeof *set);
  const size_t k = num_clusters;
  set->num_clusters = k;
  set->ids = malloc((k + 1) * sizeof *set->ids);
  set->offsets = malloc((k + 1) * sizeof *set->offsets);
  set->tree_offsets = malloc((k + 1) * sizeof *set->tree_offsets);
  set->box_min = malloc((3 * k + 1) * sizeof *set->box_min);
  set->box_max = malloc((3 * k + 1) * sizeof *set->box_max);
  set->centroids = malloc((3 * k + 1) * sizeof *set->centroids);
  set->centroid_error = malloc((k + 1) * sizeof *set->centroid_error);
  void *x = from->x, *y = from->y, *z = from->z, *split_value = from->split_value, *split_dim = from->split_dim;
  from->x = from->y = from->z = NULL;
  from->split_value = NULL;
  from->split_dim = NULL;
  int ok = set->ids && set->offsets && set->tree_offsets && set->box_min && set->box_max && set->centroids &&
           set->centroid_error;
  if (ok) {
    set->offsets[0] = set->tree_offsets[0] = 0;
    for (size_t e = 0; e < k; ++e) {
      int64_t n, nodes;
      if (kept[e] >= 0) { /* with the tree it has, if any */
        n = cluster_set_size(from, (size_t)kept[e]);
        nodes = from->tree_offsets[kept[e] + 1] - from->tree_offsets[kept[e]];
      } else { /* room for a tree when large, as cluster_set_allocate_trees */
        n = size[e];
        nodes = n >= KDTREE_MIN_POINTS ? (int64_t)kdtree_num_nodes(n, KDTREE_LEAF_SIZE) : 0;
      }
      set->offsets[e + 1] = set->offsets[e] + n;
      set->tree_offsets[e + 1] = set->tree_offsets[e] + nodes;
    }
  }
  /* One buffer at a time: if one has to move to grow, only it is held twice for a moment. A buffer
   * not moved (after a failure) is freed. */
  const int64_t *at = from->offsets, *nodes_at = from->tree_offsets;
  const int64_t points = at[from->num_clusters], nodes = nodes_at[from->num_clusters];
  /* x, y and z share one room, as do the two tree buffers: each call grows its own copy. */
  const size_t point_room = from->point_room > (size_t)points ? from->point_room : (size_t)points;
  const size_t node_room = from->node_room > (size_t)nodes ? from->node_room : (size_t)nodes;
  size_t rooms[5] = {point_room, point_room, point_room, node_room, node_room};
  if (ok)
    ok = (set->x = move_blocks(x, sizeof(double), &rooms[0], at, points, set->offsets, kept, k)) != NULL;
  else
    free(x);
  if (ok)
    ok = (set->y = move_blocks(y, sizeof(double), &rooms[1], at, points, set->offsets, kept, k)) != NULL;
  else
    free(y);
  if (ok)
    ok = (set->z = move_blocks(z, sizeof(double), &rooms[2], at, points, set->offsets, kept, k)) != NULL;
  else
    free(z);
  if (ok)
    ok = (set->split_value = move_blocks(split_value, sizeof(double), &rooms[3], nodes_at, nodes, set->tree_offsets,
                                         kept, k)) != NULL;
  else
    free(split_value);
  if (ok)
    ok = (set->split_dim = move_blocks(split_dim, 1, &rooms[4], nodes_at, nodes, set->tree_offsets, kept, k)) != NULL;
  else
    free(split_dim);
  set->point_room = rooms[0];
  set->node_room = rooms[3];
  if (ok)
    return SCIPAR_OK;
  cluster_set_free(set);
  return SCIPAR_ERROR_OUT_OF_MEMORY;
}
