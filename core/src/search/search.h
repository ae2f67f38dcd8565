/*
 * Stage: search. Takes two grouped clouds (cluster_sets) and a hierarchy over the second's clusters;
 * gives, for every cluster of the first, the cluster of least Chamfer value in the second and that
 * value. Candidates are visited in order of a lower bound (candidate_search.h) and exact values come
 * from the distance stage.
 */
#ifndef SCIPAR_SEARCH_H
#define SCIPAR_SEARCH_H

#include "search/candidate_search.h"
#include "grouping/grouping.h"
#include "call/progress.h"

/* For every cluster k of `from`, finds the cluster of `to` of least Chamfer value within
 * max_pair_distance: nearest[k] (-1 when none) and distance[k] (NaN when none). Ties go to the
 * smaller cluster id. On entry nearest[k] and distance[k] may hold a known candidate and its exact
 * value (a seed, -1 when none), which is then not evaluated again. from_is_source tells which side is
 * the source, so that every pair is evaluated in the same argument order from both sides.
 * Returns SCIPAR_ERROR_CANCELLED when the progress callback asked to stop. */
scipar_status nearest_clusters(const cluster_set *from, const cluster_set *to, const cluster_hierarchy *to_hierarchy,
                               int from_is_source, const scipar_options *options, int num_threads,
                               progress_state *progress, int64_t *nearest, double *distance);

/* The same for the clusters subset[0 .. subset_count) of `from` only. */
scipar_status nearest_clusters_of(const cluster_set *from, const int64_t *subset, size_t subset_count,
                                  const cluster_set *to, const cluster_hierarchy *to_hierarchy, int from_is_source,
                                  const scipar_options *options, int num_threads, progress_state *progress,
                                  int64_t *nearest, double *distance);

/* Seeds for one side from the other side's result: for each cluster, the best of the clusters of the
 * other side that chose it (ties to the smaller index), or -1. Pairs are symmetric, so these values
 * are exact. */
void seeds_from_other_side(const int64_t *other_nearest, const double *other_distance, size_t other_count,
                           size_t count, int64_t *seed, double *seed_distance);

#endif
