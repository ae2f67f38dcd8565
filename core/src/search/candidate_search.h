/* Best-first enumeration of the clusters of one cloud in increasing order of a lower bound of their
 * Chamfer value to a query cluster, over a bounding-volume hierarchy of the clusters' boxes. */
#ifndef SCIPAR_CANDIDATE_SEARCH_H
#define SCIPAR_CANDIDATE_SEARCH_H

#include "grouping/grouping.h"

/* Clusters per leaf of the hierarchy (8 was 4-5% faster than 4 on 200,000 clusters of 5 points: one
 * level fewer to descend, a leaf's clusters contiguous). */
enum { CLUSTER_LEAF_SIZE = 8 };

/* A node of the hierarchy: what bounds every cluster under it, in one place (a node is met at once). */
typedef struct hierarchy_node {
  double box_min[3], box_max[3];           /* box of the clusters' boxes */
  double centroid_min[3], centroid_max[3]; /* box of the clusters' centroids */
  double centroid_error;                   /* largest centroid_error of the clusters */
  int64_t begin, end;                      /* the node holds order[begin .. end) */
} hierarchy_node;

/* A cluster's box, centroid and centroid error, copied in hierarchy order. */
typedef struct hierarchy_cluster {
  double box_min[3], box_max[3], centroid[3], centroid_error;
} hierarchy_cluster;

/* Hierarchy over the boxes of a cluster set; nodes are heap-numbered (slots under a leaf are not
 * written), leaves hold up to CLUSTER_LEAF_SIZE clusters, contiguous in `order`. */
typedef struct cluster_hierarchy {
  size_t num_clusters;
  int64_t *order;             /* cluster indices in hierarchy order */
  hierarchy_cluster *cluster; /* [num_clusters] cluster order[i]'s bounds at i */
  hierarchy_node *node;       /* [num_nodes] */
  size_t num_nodes;
} cluster_hierarchy;

/* With num_threads threads; the hierarchy does not depend on their number. */
scipar_status cluster_hierarchy_build(const cluster_set *set, int num_threads, cluster_hierarchy *hierarchy);
void cluster_hierarchy_free(cluster_hierarchy *hierarchy);

typedef struct search_entry {
  double bound;     /* lower bound of the Chamfer value of everything under the entry */
  double tiebreak;  /* among equal bounds, nearer centroids first */
  int64_t item;     /* >= 0: a node; < 0: cluster -item - 1 */
} search_entry;

/* One query's state: a binary heap, reusable across queries by one thread. */
typedef struct candidate_search {
  const cluster_hierarchy *hierarchy;
  scipar_metric metric;
  int squared;
  int one_sided; /* bound the one-sided value query -> cluster (chamfer_one_sided_bounded), not the Chamfer value */
  double query_min[3], query_max[3], query_centroid[3], query_error;
  search_entry *heap;
  size_t size, capacity;
} candidate_search;

/* A search over a set's hierarchy for values of this metric; one_sided: of one-sided values. */
candidate_search candidate_search_make(const cluster_hierarchy *hierarchy, scipar_metric metric, int squared,
                                       int one_sided);

/* Starts a query for cluster `query` of query_set. Returns 0 on allocation failure. */
int candidate_search_begin(candidate_search *search, const cluster_set *query_set, size_t query);

/* The next cluster in bound order whose bound does not exceed stop: returns 1 and sets *cluster, or
 * returns 0 when none is left (or on allocation failure, when *failed is set). stop must not grow
 * from one call to the next of a query: what lies beyond it is dropped. */
int candidate_search_next(candidate_search *search, double stop, int64_t *cluster, int *failed);

void candidate_search_free(candidate_search *search);

/* A lower bound of the Chamfer value from lower bounds ab of d(A->B) and ba of d(B->A), in the
 * metric's units (squared distances when the metric is squared), with a relative slack of 1e-9 for
 * rounding. */
double combine_bounds(scipar_metric metric, double ab, double ba);

/* The same from bounds in distance units (not squared): a mean of squares is at least the square of
 * the mean, a max of squares the square of the max. */
double metric_lower_bound(scipar_metric metric, int squared, double ab, double ba);

/* A lower bound of d(A->B), in distance units, for cluster i of a and cluster j of b: the distance from
 * A's centroid to B's box, less the centroid's rounding error (convexity). */
double directed_lower_bound(const cluster_set *a, size_t i, const cluster_set *b, size_t j);

/* A lower bound of the Chamfer value of cluster i of a and cluster j of b: each directed distance is
 * at least the distance from one cluster's centroid to the other's box (by convexity; it is also at
 * least the gap between the boxes, which it never falls below). */
double cluster_lower_bound(scipar_metric metric, int squared, const cluster_set *a, size_t i, const cluster_set *b,
                           size_t j);

/* An upper bound of the Chamfer value of any two point sets inside boxes a and b: no nearest-point
 * distance is above their farthest corners' distance. With a relative slack of 1e-9, for rounding. */
double box_upper_bound(scipar_metric metric, int squared, const double *a_min, const double *a_max,
                       const double *b_min, const double *b_max);

#endif
