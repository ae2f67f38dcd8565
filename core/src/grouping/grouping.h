/*
 * Stage: grouping. Takes one cloud as the caller holds it (interleaved points, a label per point, any
 * order); gives a cluster_set: the finite points grouped by cluster in the layout the distance loops
 * want (structure of arrays, a k-d tree inside each large cluster), with each cluster's id, box and
 * centroid, and the map between input points and clusters.
 */
#ifndef SCIPAR_GROUPING_H
#define SCIPAR_GROUPING_H

#include "distance/distance.h"
#include "scipar/scipar.h"

typedef struct cluster_set {
  size_t num_clusters;
  int64_t *ids;           /* [num_clusters] distinct labels of the used points, ascending */
  int64_t *offsets;       /* [num_clusters + 1] cluster k owns x,y,z[offsets[k] .. offsets[k+1]) */
  double *x, *y, *z;      /* used points (finite, not skipped) grouped by cluster; in k-d tree order inside a large cluster */
  double *box_min;        /* [3 * num_clusters] axis-aligned bounding box of each cluster */
  double *box_max;
  double *centroids;      /* [3 * num_clusters] */
  double *centroid_error; /* [num_clusters] how far a rounded centroid may be from the exact mean */
  int64_t *point_ids;     /* [offsets[num_clusters]] input indices grouped by cluster, in input order
                             (x, y, z are reordered by the trees, these are not: they are for output) */
  int64_t *tree_offsets;  /* [num_clusters + 1] cluster k's k-d tree nodes (none for small clusters) */
  double *split_value;    /* [tree_offsets[num_clusters]] */
  unsigned char *split_dim;
  int64_t *point_cluster; /* [num_points] cluster of each input point, -1 if not used */
  size_t point_room;      /* x, y, z hold this many points (at least offsets[num_clusters]), */
  size_t node_room;       /* split_value and split_dim this many nodes: room a set taken over grows
                             into without moving (0: sized exactly) */
  size_t num_excluded;    /* input points with a NaN or infinite coordinate (and not skipped) */
  size_t num_skipped;     /* input points flagged by the cloud's skip flags */
} cluster_set;

/* What one pass over a cloud finds: the points that take part, those the caller skipped, the
 * largest magnitude of a coordinate of a used point (which chooses the scale, call/scale.h), and the
 * least and greatest label of a used point (lo > hi when none is used). */
typedef struct cloud_survey {
  size_t num_used, num_skipped;
  double largest;
  int64_t label_lo, label_hi;
} cloud_survey;
cloud_survey cloud_survey_run(const scipar_cloud *cloud, int num_threads);

/* Groups cloud's points with num_threads threads, their coordinates multiplied by 2^scale_exponent,
 * and builds the k-d trees of large clusters when with_trees is set (without them, points keep input
 * order inside each cluster). survey is the cloud's (NULL: run it here). Returns SCIPAR_OK or
 * SCIPAR_ERROR_OUT_OF_MEMORY; on failure *set is empty. The result does not depend on num_threads. */
scipar_status cluster_set_build(const scipar_cloud *cloud, const cloud_survey *survey, int num_threads,
                                int with_trees, int scale_exponent, cluster_set *set);
/* The same, with room in the point buffers for spare_points more points, and in the tree buffers for
 * their trees once built (cluster_set_build_some_trees): for a set that cluster_set_take_over will grow.
 * Room that is never written costs address space only. */
scipar_status cluster_set_build_with_room(const scipar_cloud *cloud, const cloud_survey *survey, int num_threads,
                                          int with_trees, int scale_exponent, size_t spare_points, cluster_set *set);
void cluster_set_free(cluster_set *set);

/* A bound of the distance between a centroid computed by summing n coordinates (in any order, in up
 * to a few pieces) and dividing, and the exact mean, for coordinates inside the box. */
double centroid_error_bound(int64_t n, const double box_min[3], const double box_max[3]);

/* For callers that group points themselves (the distributed stage): a set of num_clusters clusters
 * and num_points points with ids, offsets, x, y, z, boxes, centroids and centroid errors allocated (no
 * per-input-point arrays) for the caller to fill in, ids ascending; then cluster_set_build_trees. On
 * failure *set is empty. */
scipar_status cluster_set_allocate(cluster_set *set, size_t num_clusters, size_t num_points);

/* Builds the k-d trees of the large clusters of a filled-in set, reordering the points inside each as
 * cluster_set_build does. The trees depend only on each cluster's points in their given order. */
scipar_status cluster_set_build_trees(cluster_set *set, int num_threads);

/* The trees of the large clusters flagged in wanted[num_clusters] only, replacing the set's (a set
 * grouped without trees, whose flagged clusters are then searched where they are). On failure *set is
 * empty. */
scipar_status cluster_set_build_some_trees(cluster_set *set, const unsigned char *wanted, int num_threads);

/* Or, once the offsets are filled in, room for the trees, to be filled by cluster_set_copy or
 * cluster_set_unpack. On failure *set is empty. */
scipar_status cluster_set_allocate_trees(cluster_set *set);

/* A set of num_clusters clusters over `from`'s point and tree buffers, which it takes (from keeps its
 * ids, offsets, boxes, centroids and point ids, no longer its points and trees): cluster e is cluster
 * kept[e] of `from` with its tree when kept[e] >= 0 (kept ascends over those), moved inside the
 * buffers, never copied into new ones (the buffers grow into their room, and are reallocated only
 * past it); else room for size[e] points and their tree, to be filled by
 * cluster_set_copy or cluster_set_unpack. The caller fills in ids, boxes, centroids and centroid
 * errors. On failure *set is empty (and `from` has no points either). */
scipar_status cluster_set_take_over(cluster_set *set, cluster_set *from, size_t num_clusters, const int64_t *kept,
                                    const int64_t *size);

/* A cluster with its tree, moved between sets or processes: its points in the set's order and its
 * tree's nodes, as cluster_set_packed_bytes(size) bytes (a multiple of 8). Unpacking (or copying) into
 * cluster k of a set needs the same size there and the set's trees allocated. */
size_t cluster_set_packed_bytes(int64_t num_points);
void cluster_set_pack(const cluster_set *set, size_t k, void *out);
void cluster_set_unpack(cluster_set *set, size_t k, const void *in);
void cluster_set_copy(cluster_set *to, size_t k, const cluster_set *from, size_t j);

/* Index of the cluster with this id, which the set must hold. */
int64_t cluster_set_find(const cluster_set *set, int64_t id);

/* A table over the set's ids, from ids[0] + v to the cluster with that id (-1: none), when they span
 * at most max_span values; NULL otherwise or when memory is short (cluster_set_find then). */
int32_t *cluster_set_id_table(const cluster_set *set, uint64_t max_span);

static inline int64_t cluster_set_size(const cluster_set *set, size_t k)
{
  return set->offsets[k + 1] - set->offsets[k];
}

/* Cluster k's points and, when it has one, its k-d tree. */
static inline cluster_view cluster_set_view(const cluster_set *set, size_t k)
{
  const int64_t begin = set->offsets[k];
  const int64_t nodes = set->tree_offsets[k];
  const kdtree_view tree = {set->tree_offsets[k + 1] > nodes ? set->split_value + nodes : NULL,
                            set->split_dim + nodes, KDTREE_LEAF_SIZE};
  return (cluster_view){set->x + begin, set->y + begin, set->z + begin, cluster_set_size(set, k), tree};
}

#endif
