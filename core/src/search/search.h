/*
 * Stage: search. Takes two grouped clouds (cluster_sets); gives, for every cluster of the first, the
 * cluster of least Chamfer value in the second and that value. Candidates are visited in order of a
 * lower bound (candidate_search.h), or found by radius queries of the cluster's points against the
 * whole other cloud when clusters are tiny or entangled (neighbourhood.h); exact values come from
 * the distance stage.
 */
#ifndef SCIPAR_SEARCH_H
#define SCIPAR_SEARCH_H

#include "search/candidate_search.h"
#include "grouping/grouping.h"
#include "call/progress.h"

/* Pairs whose exact value a search computed completely: (from, to, value), from indexing the
 * searching side. Appended by many threads, in no particular order. */
typedef struct evaluated_pairs {
  size_t count, capacity;
  int64_t *from, *to;
  double *value;
} evaluated_pairs;

void evaluated_pairs_free(evaluated_pairs *pairs);

/* The exact values known for the clusters of a side before its search: for cluster k, entries
 * offsets[k] .. offsets[k + 1] of other (a cluster of the other side, ascending) and value. */
typedef struct known_values {
  size_t num_clusters;
  int64_t *offsets;
  int64_t *other;
  double *value;
} known_values;

/* The pairs the other side's search evaluated, indexed by this side's clusters (their `to`). */
scipar_status known_values_build(const evaluated_pairs *pairs, size_t num_clusters, known_values *known);
void known_values_free(known_values *known);

/* A seed that is only a bound: a cluster elsewhere is known to reach this value (see below). */
enum { SEARCH_BOUND = -2 };

/* For every cluster k of subset[0 .. subset_count) of `from` (every cluster when subset is NULL),
 * finds the cluster of `to` of least Chamfer value within max_pair_distance: nearest[k] (-1 when
 * none) and distance[k] (NaN when none). Ties go to the smaller cluster id. On entry nearest[k] and
 * distance[k] may hold a known candidate and its exact value (a seed, -1 when none), or SEARCH_BOUND
 * and a value that a cluster outside `to` reaches: then only clusters of value at most that are
 * found (ties included: the caller compares ids across the sets), and -1 when there is none; `known`
 * (may be NULL) holds more exact values, which are not computed again; `log` (may be NULL) receives
 * every value this search computes completely. to_hierarchy (may be NULL: built here when needed) is
 * the caller's hierarchy over `to`'s clusters. from_is_source tells which side is the source, so that
 * every pair is evaluated in the same argument order from both sides. Results do not depend on
 * num_threads. Returns SCIPAR_ERROR_CANCELLED when the progress callback asked to stop. */
scipar_status nearest_clusters_of(const cluster_set *from, const int64_t *subset, size_t subset_count,
                                  const cluster_set *to, const cluster_hierarchy *to_hierarchy,
                                  int from_is_source, const scipar_options *options,
                                  const known_values *known, evaluated_pairs *log, int num_threads,
                                  progress_state *progress, int64_t *nearest, double *distance);

/* How the searches ran since the last reset, over every call: for tests (that a path was taken) and
 * for measuring. Counted per cluster, atomically. */
typedef struct search_counters {
  int64_t best_first;           /* clusters searched by bounds alone */
  int64_t by_point;             /* one-point clusters searched through the point index */
  int64_t by_neighbourhood;     /* entangled clusters settled by a neighbourhood search */
  int64_t neighbourhood_budget; /* entangled clusters finished best-first: a neighbourhood search gave up
                                   for its budget, or too few were entangled to pay for an index */
  int64_t evaluations;          /* Chamfer values computed (early exits included) */
} search_counters;

search_counters search_counters_get(void);
void search_counters_reset(void);

/* For tests: multiplies the neighbourhood search's budget (0: every such search gives up at once). */
void search_set_neighbourhood_budget(double scale);

/* For tests: how many values a best-first search computes before an entangled cluster is deferred to
 * a neighbourhood search (default 4). */
void search_set_defer_after(int evaluations);
#endif
