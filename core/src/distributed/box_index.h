/* A searchable set of boxes (clusters' global boxes, or ranks' regions) for the candidates step:
 * which of them may hold the nearest cluster of a query cluster, by the search stage's lower and
 * upper bounds from boxes (a region's upper bound from the box of one of its clusters). */
#ifndef SCIPAR_DISTRIBUTED_BOX_INDEX_H
#define SCIPAR_DISTRIBUTED_BOX_INDEX_H

#include "distributed/records.h"
#include "search/candidate_search.h"

typedef struct box_index {
  cluster_set set;          /* only ids, box_min, box_max, centroids and centroid_error are set */
  const cluster_summary **upper; /* [n] what bounds the value of item i from above: a cluster's
                               own summary (the caller's), or a region's representative cluster */
  cluster_summary *representatives; /* [n] the regions' representative clusters, when items are
                               regions (the caller allocates them; box_index_free frees them) */
  cluster_hierarchy hierarchy;
  int64_t *visited;         /* [n] scratch of box_index_search */
  candidate_search search;
} box_index;

/* Room for n items, each set by box_index_set (ids ascending), then box_index_finish. An item is a
 * cluster, its centroid `centre` off by at most `centre_error`; or a region of clusters, its centre
 * any point and centre_error +infinity (the search stage's lower bounds then fall back on the box).
 * `upper` must outlive the index. */
scipar_status box_index_allocate(box_index *index, size_t n, const scipar_options *options);
void box_index_set(box_index *index, size_t i, int64_t id, const double box_min[3], const double box_max[3],
                   const double centre[3], double centre_error, const cluster_summary *upper);
scipar_status box_index_finish(box_index *index);
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
