/* Every pair of clusters within a gate, exactly: for tracking, the candidate links between two steps
 * (and the one-sided values that decide splits and merges). Takes two grouped clouds and a hierarchy
 * over the second's clusters; gives, for each queried cluster of the first, every cluster of the
 * second whose value does not exceed the gate, with that value, in parallel and the same for any
 * thread count. Candidates are visited in order of a lower bound (candidate_search.h) and exact values
 * come from the distance stage, which leaves a computation as soon as it cannot come under the gate. */
#ifndef SCIPAR_NEARBY_PAIRS_H
#define SCIPAR_NEARBY_PAIRS_H

#include "call/progress.h"
#include "grouping/grouping.h"
#include "search/candidate_search.h"

typedef enum pair_measure {
  PAIR_CHAMFER,  /* the Chamfer value, the `from` cluster as the source (chamfer_bounded's order) */
  PAIR_ONE_SIDED /* the one-sided value from -> to (chamfer_one_sided_bounded): how far from lies from to */
} pair_measure;

typedef struct pair_query {
  const cluster_set *from;
  const int64_t *subset; /* the clusters of `from` to query, any order; NULL: all of them */
  size_t subset_count;   /* with subset NULL, from->num_clusters */
  const cluster_set *to;
  const cluster_hierarchy *to_hierarchy;
  scipar_metric metric;
  int squared;
  pair_measure measure;
  double gate;   /* every pair of value <= gate; >= 0 */
  int keep_best; /* 0, 1 or 2: also every pair up to the keep_best-th least value of its queried
                    cluster (which may exceed the gate), and those values in pair_list.best */
} pair_query;

typedef struct pair_list {
  size_t count;
  int64_t *offsets; /* [subset_count + 1]: the k-th queried cluster's pairs are offsets[k] .. offsets[k+1] */
  int64_t *to;      /* [count] cluster of `to`, ascending inside a queried cluster */
  double *value;    /* [count] */
  double *best;     /* [subset_count * keep_best] each queried cluster's keep_best least values,
                       ascending (INFINITY when `to` has fewer clusters); NULL when keep_best is 0 */
} pair_list;

/* Runs the query on num_threads threads, counting one progress item per queried cluster. Returns
 * SCIPAR_OK, SCIPAR_ERROR_OUT_OF_MEMORY or SCIPAR_ERROR_CANCELLED; on failure *list is empty. */
scipar_status nearby_pairs(const pair_query *query, int num_threads, progress_state *progress, pair_list *list);

void pair_list_free(pair_list *list);

#endif
