/* cluster_set_take_over: a set built over another set's buffers holds each kept cluster's points and
 * k-d tree exactly as the source set held them (checked against copies packed before), with room of
 * the asked size (and a tree's room when large) for each new cluster, whatever clusters are dropped
 * and new ones inserted between: so that kept clusters move down, up or not at all, and the buffers
 * shrink or grow. A set grouped with room (cluster_set_build_with_room) grows into it: its buffers stay
 * where they are while the clusters fit. */
#include "check.h"
#include "random_cloud.h"

#include "distance/kdtree.h"
#include "grouping/grouping.h"

#include <stdlib.h>
#include <string.h>

/* One case: clusters of a random cloud grouped with room for `spare` more points, kept with probability
 * keep_percent, and up to max_inserted new ones (sizes up to max_new_size) before each kept or dropped
 * one. */
static void check_case(uint64_t seed, int keep_percent, int max_inserted, int64_t max_new_size, size_t spare)
{
  rng r = {seed};
  const cloud_spec spec = {40, 1200, 20.0, 1.0, LABELS_SPARSE};
  test_cloud cloud = random_cloud(&r, &spec);
  const scipar_cloud c = {cloud.points, cloud.labels, cloud.n, NULL};
  cluster_set from;
  CHECK(cluster_set_build_with_room(&c, NULL, 1, 1, 0, spare, &from) == SCIPAR_OK, "seed %llu: set builds",
        (unsigned long long)seed);
  CHECK(from.point_room == (size_t)from.offsets[from.num_clusters] + spare, "seed %llu: room for %zu points",
        (unsigned long long)seed, from.point_room);
  const size_t k = from.num_clusters;
  void **packed = malloc((k + 1) * sizeof *packed);
  for (size_t j = 0; j < k; ++j) {
    packed[j] = malloc(cluster_set_packed_bytes(cluster_set_size(&from, j)));
    cluster_set_pack(&from, j, packed[j]);
  }
  int64_t *sizes = malloc((k + 1) * sizeof *sizes), *tree_nodes = malloc((k + 1) * sizeof *tree_nodes);
  for (size_t j = 0; j < k; ++j) {
    sizes[j] = cluster_set_size(&from, j);
    tree_nodes[j] = from.tree_offsets[j + 1] - from.tree_offsets[j];
  }
  const size_t most = k * (size_t)(max_inserted + 1) + 1;
  int64_t *kept = malloc(most * sizeof *kept), *size = malloc(most * sizeof *size);
  size_t n = 0;
  for (size_t j = 0; j <= k; ++j) {
    const int inserted = max_inserted ? (int)rng_below(&r, (size_t)max_inserted + 1) : 0;
    for (int i = 0; i < inserted; ++i) {
      kept[n] = -1;
      size[n++] = 1 + (int64_t)rng_below(&r, (size_t)max_new_size);
    }
    if (j < k && (int)rng_below(&r, 100) < keep_percent) {
      kept[n] = (int64_t)j;
      size[n++] = 0; /* not read */
    }
  }
  const double *x = from.x;
  const size_t point_room = from.point_room;
  cluster_set set;
  CHECK(cluster_set_take_over(&set, &from, n, kept, size) == SCIPAR_OK, "seed %llu: takes over",
        (unsigned long long)seed);
  const size_t points = (size_t)set.offsets[n];
  if (points <= point_room)
    CHECK(set.x == x && set.point_room == point_room, "seed %llu: %zu points fit the room of %zu: x stays in place",
          (unsigned long long)seed, points, point_room);
  else
    CHECK(set.point_room >= points, "seed %llu: room grew to %zu for %zu points", (unsigned long long)seed,
          set.point_room, points);
  CHECK(from.x == NULL && from.split_value == NULL, "seed %llu: the source no longer holds points or trees",
        (unsigned long long)seed);
  for (size_t e = 0; e < n; ++e) {
    const int64_t count = cluster_set_size(&set, e), nodes = set.tree_offsets[e + 1] - set.tree_offsets[e];
    if (kept[e] < 0) {
      const int64_t want = size[e] >= KDTREE_MIN_POINTS ? (int64_t)kdtree_num_nodes(size[e], KDTREE_LEAF_SIZE) : 0;
      CHECK(count == size[e] && nodes == want, "seed %llu: new cluster %zu has %lld points, %lld nodes",
            (unsigned long long)seed, e, (long long)count, (long long)nodes);
      continue;
    }
    const size_t j = (size_t)kept[e];
    CHECK(count == sizes[j] && nodes == tree_nodes[j], "seed %llu: kept cluster %zu is %lld points, %lld nodes",
          (unsigned long long)seed, e, (long long)count, (long long)nodes);
    if (count != sizes[j] || nodes != tree_nodes[j])
      continue;
    void *now = malloc(cluster_set_packed_bytes(count));
    cluster_set_pack(&set, e, now);
    CHECK(memcmp(now, packed[j], cluster_set_packed_bytes(count)) == 0,
          "seed %llu: kept cluster %zu (was %zu) holds the same points and tree", (unsigned long long)seed, e, j);
    free(now);
  }
  cluster_set_free(&set);
  cluster_set_free(&from);
  for (size_t j = 0; j < k; ++j)
    free(packed[j]);
  free(packed);
  free(sizes);
  free(tree_nodes);
  free(kept);
  free(size);
  test_cloud_free(&cloud);
}

int main(void)
{
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    check_case(seed, 90, 1, 400, 0);  /* a few dropped, a few inserted, some large */
    check_case(seed, 50, 0, 1, 0);    /* only dropped: every kept cluster moves down or stays */
    check_case(seed, 100, 2, 600, 0); /* only inserted: every kept cluster moves up or stays */
    check_case(seed, 70, 3, 50, 0);   /* both, many */
    check_case(seed, 90, 1, 400, 100000); /* room for every insertion: nothing reallocated */
    check_case(seed, 100, 2, 600, 500);   /* some room, not always enough */
  }
  return check_report("test_cluster_take_over");
}
