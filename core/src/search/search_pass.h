/* What one side's search shares between its threads, and what each thread keeps: internal to the
 * search stage (nearest_clusters.c drives, neighbourhood.c adds the point-index searches). */
#ifndef SCIPAR_SEARCH_PASS_H
#define SCIPAR_SEARCH_PASS_H

#include "search/point_grid.h"
#include "search/point_index.h"
#include "search/search.h"
#include "search/tally_map.h"

typedef struct search_pass {
  const cluster_set *from, *to;
  const cluster_hierarchy *to_hierarchy; /* for the best-first search over bounds */
  const point_index *to_index;           /* NULL until some cluster needs it */
  const point_grid *to_grid;             /* for neighbourhood searches: NULL until entangled clusters need it */
  int from_is_source;
  const scipar_options *options;
  double limit; /* max_pair_distance, or INFINITY */
  const known_values *known;
  int logging; /* complete evaluations go to each thread's log */
} search_pass;

/* One cluster's best candidate so far: index -1 when none, value then what a candidate must reach to
 * be taken (+infinity, or a bound found outside this search: SEARCH_BOUND). */
typedef struct best_candidate {
  double value;
  int64_t index;
} best_candidate;

typedef struct ranked_cluster {
  double bound;
  int64_t cluster;
} ranked_cluster;

/* A thread's scratch: reused from cluster to cluster. */
typedef struct search_thread {
  candidate_search search;
  evaluated_pairs log;
  tally_map tallies;      /* the clusters a point search or neighbourhood search met */
  size_t *touched;        /* tallies met by the current query point (at most MAX_HITS) */
  int64_t *hit;           /* the points met by the current query point, and their squared distances */
  double *hit_squared;
  ranked_cluster *ranked; /* candidates of a neighbourhood search */
  size_t ranked_capacity;
  int64_t evaluations;
  int out_of_memory;
} search_thread;

/* A thread's scratch for a search of clusters of the other side `to`. */
void search_thread_init(search_thread *thread, const search_pass *pass);
void search_thread_free(search_thread *thread);

/* What a candidate must beat: the best value so far, or the limit when that is lower. */
static inline double search_stop(const search_pass *pass, const best_candidate *best)
{
  return best->value < pass->limit ? best->value : pass->limit;
}

/* Takes candidate c for cluster k: its known value, or its exact value with an early exit once it
 * cannot beat best or the limit; best becomes c when c is better (ties to the smaller index).
 * Returns 1 when a value was computed (not known), 0 otherwise. */
int consider_candidate(const search_pass *pass, search_thread *thread, size_t k, int64_t c, best_candidate *best);

/* The nearest cluster of a one-point cluster k: one visit of the point index around its point, the
 * radius narrowing to what the best value so far allows; every cluster met is a candidate. */
void nearest_by_point(const search_pass *pass, search_thread *thread, size_t k, best_candidate *best);

/* The radius around each point of cluster k within which a neighbourhood search looks, given the
 * best value so far (or the limit): clusters with no point that near cannot beat it. */
double neighbourhood_radius(const search_pass *pass, const best_candidate *best);

/* The nearest cluster of cluster k by one radius query of each of its points against the whole other
 * cloud (pass->to_grid): exact point-to-cluster distances within the radius, the radius as a lower bound beyond it,
 * give a lower bound for every cluster at once; the few whose bound can beat best are evaluated.
 * best must be finite (or the limit finite). Returns 0, with best unchanged, when the queries would
 * scan more points than a budget (the radius is too large for this cloud). */
int nearest_by_neighbourhood(const search_pass *pass, search_thread *thread, size_t k, best_candidate *best);

#endif
