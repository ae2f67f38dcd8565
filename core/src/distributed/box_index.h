/* A searchable set of boxes (clusters' global boxes, or ranks' regions) for the candidates step:
 * which of them may hold the nearest cluster of a query cluster, by the search stage's lower and
 * upper bounds from boxes (a region's upper bound from the box of one of its clusters). */
#ifndef SCIPAR_DISTRIBUTED_BOX_INDEX_H
#define SCIPAR_DISTRIBUTED_BOX_INDEX_H

#include "distributed/records.h"
#include "search/candidate_search.h"

typedef struct box_index {
  cluster_set set;          /* only ids, box_min, box_max, centroids and centroid_error are read */
  const cluster_summary *upper; /* [n] item i's value is at most the boxes' bound with upper[i]: the
                               cluster itself, or a region's representative cluster */
  cluster_summary *representatives; /* [n] the regions' representatives, allocated here */
  cluster_hierarchy hierarchy;
  int borrowed;             /* set and hierarchy are the caller's (box_index_borrow) */
  int64_t *visited;         /* [n] scratch of box_index_search */
  candidate_search search;
} box_index;

/* Regions: room for n items, each set by box_index_set (ids ascending) with its representative in
 * representatives[i] (a cluster of the region, known by its box), then box_index_finish. A region's
 * centre is any point and its centre_error +infinity (the search stage's lower bounds then fall back
 * on the box). */
scipar_status box_index_allocate(box_index *index, size_t n, const scipar_options *options);
void box_index_set(box_index *index, size_t i, int64_t id, const double box_min[3], const double box_max[3],
                   const double centre[3], double centre_error);
scipar_status box_index_finish(box_index *index);

/* Clusters: an index over `set`'s clusters with the hierarchy already built over them (a search's),
 * both borrowed (they must outlive the index); upper[i] is cluster i's summary. */
scipar_status box_index_borrow(box_index *index, const cluster_set *set, const cluster_hierarchy *hierarchy,
                               const cluster_summary *upper, const scipar_options *options);
void box_index_free(box_index *index);

/* Items whose boxes may hold the nearest cluster of `query`: visits items in order of their lower
 * bound while it does not exceed the least upper bound met so far (*bound on entry, a value the
 * nearest is known not to exceed: the distance limit, a bound found elsewhere, or infinity). On return
 * *bound is the least upper bound, and items[0 .. *count) (pointing into the index's scratch) are
 * the visited items whose lower bound does not exceed it, in visiting order. Returns 0 when memory
 * ran out. */
int box_index_search(box_index *index, const cluster_summary *query, double *bound, const int64_t **items,
                     size_t *count);

/* The lower bound of the value of `query` and item `item`. */
double box_index_lower(const box_index *index, const cluster_summary *query, int64_t item);

/* The lower bound of the item of least lower bound alone: +infinity without items, -infinity when
 * memory ran out (so that callers fall back to box_index_search, which reports it). */
double box_index_first_lower(box_index *index, const cluster_summary *query);

#endif
