#include "search/query_order.h"
#include "search/search_pass.h"

#include "distance/distance.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

/* One-point clusters find their nearest cluster through the point index when the other side's
 * clusters average at most this many points (a point's near neighbours then name the candidates) and
 * they are at least a quarter of the clusters searched: the index is a k-d tree over every point of
 * the other side, whose build cost more than it saved on 200,000 clusters of 1-9 points, 16% of them
 * one-point (those go best-first, as the others). */
enum { SMALL_OTHER_CLUSTERS = 8 };

/* A cluster still finding candidates whose bound can beat its best after this many exact evaluations
 * is entangled with many others (boxes overlapping, centroids close): when the neighbourhood radius
 * its best allows is within its own extent, it is deferred to the neighbourhood search. */
enum { DEFER_AFTER = 4 };

static int defer_after = DEFER_AFTER;

/* An index over the whole other cloud is built for the deferred clusters when there are at least
 * MIN_DEFERRED of them and at least one per DEFERRED_SHARE clusters of the other side. */
enum { MIN_DEFERRED = 16, DEFERRED_SHARE = 64 };

void search_set_defer_after(int evaluations)
{
  defer_after = evaluations;
}

static search_counters counters;

search_counters search_counters_get(void)
{
  search_counters c;
#pragma omp atomic read
  c.best_first = counters.best_first;
#pragma omp atomic read
  c.by_point = counters.by_point;
#pragma omp atomic read
  c.by_neighbourhood = counters.by_neighbourhood;
#pragma omp atomic read
  c.neighbourhood_budget = counters.neighbourhood_budget;
#pragma omp atomic read
  c.evaluations = counters.evaluations;
  return c;
}

void search_counters_reset(void)
{
#pragma omp critical(scipar_search_counters)
  memset(&counters, 0, sizeof counters);
}

static void count(int64_t *counter, int64_t amount)
{
#pragma omp atomic update
  *counter += amount;
}

/* The value of c for cluster k, if the other side's search computed it. */
static int known_value(const known_values *known, size_t k, int64_t c, double *value)
{
  if (!known)
    return 0;
  int64_t lo = known->offsets[k], hi = known->offsets[k + 1];
  while (lo < hi) {
    const int64_t mid = lo + (hi - lo) / 2;
    if (known->other[mid] < c)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo < known->offsets[k + 1] && known->other[lo] == c) {
    *value = known->value[lo];
    return 1;
  }
  return 0;
}

static void take_if_better(const search_pass *pass, best_candidate *best, int64_t c, double value)
{
  if (value <= pass->limit && (value < best->value || (value == best->value && (best->index < 0 || c < best->index)))) {
    best->value = value;
    best->index = c;
  }
}

static void log_pair(search_thread *t, int64_t from, int64_t to, double value)
{
  evaluated_pairs *log = &t->log;
  if (log->count == log->capacity) {
    const size_t capacity = log->capacity ? 2 * log->capacity : 256;
    int64_t *f = realloc(log->from, capacity * sizeof *f);
    if (f)
      log->from = f;
    int64_t *g = realloc(log->to, capacity * sizeof *g);
    if (g)
      log->to = g;
    double *v = realloc(log->value, capacity * sizeof *v);
    if (v)
      log->value = v;
    if (!f || !g || !v) {
      t->out_of_memory = 1;
      return;
    }
    log->capacity = capacity;
  }
  log->from[log->count] = from;
  log->to[log->count] = to;
  log->value[log->count++] = value;
}

/* Two one-point clusters: every metric's value is the points' distance t (squared or not), twice for
 * Sum, exactly as chamfer_bounded computes it (t + t, a one-term mean and max are t). */
static double single_points_value(const search_pass *pass, size_t k, int64_t c)
{
  const cluster_set *a = pass->from, *b = pass->to;
  const int64_t i = a->offsets[k], j = b->offsets[c];
  const double dx = a->x[i] - b->x[j], dy = a->y[i] - b->y[j], dz = a->z[i] - b->z[j];
  const double d2 = dx * dx + dy * dy + dz * dz;
  const double t = pass->options->squared ? d2 : sqrt(d2);
  return pass->options->metric == SCIPAR_METRIC_SUM ? t + t : t;
}

int consider_candidate(const search_pass *pass, search_thread *thread, size_t k, int64_t c, best_candidate *best)
{
  double value;
  if (known_value(pass->known, k, c, &value)) {
    take_if_better(pass, best, c, value);
    return 0;
  }
  const cluster_set *from = pass->from, *to = pass->to;
  int complete = 1;
  if (cluster_set_size(from, k) == 1 && cluster_set_size(to, (size_t)c) == 1) {
    value = single_points_value(pass, k, c);
  } else {
    const cluster_view self = cluster_set_view(from, k), other = cluster_set_view(to, (size_t)c);
    const double stop = search_stop(pass, best);
    const scipar_options *o = pass->options;
    complete = pass->from_is_source ? chamfer_bounded(self, other, o->metric, o->squared, stop, &value)
                                    : chamfer_bounded(other, self, o->metric, o->squared, stop, &value);
  }
  ++thread->evaluations;
  /* A complete value may still exceed stop: the running mean is checked only now and then. */
  if (complete) {
    if (pass->logging)
      log_pair(thread, (int64_t)k, c, value);
    take_if_better(pass, best, c, value);
  }
  return 1;
}

/* Whether cluster k, with this best so far, is entangled enough for a neighbourhood search: the
 * radius its best allows fits inside the cluster's own extent. */
static int entangled(const search_pass *pass, size_t k, const best_candidate *best)
{
  const double radius = neighbourhood_radius(pass, best);
  const double *lo = pass->from->box_min + 3 * k, *hi = pass->from->box_max + 3 * k;
  const double extent = fmax(hi[0] - lo[0], fmax(hi[1] - lo[1], hi[2] - lo[2]));
  return radius <= extent;
}

typedef enum outcome { OUTCOME_DONE, OUTCOME_FAILED, OUTCOME_DEFERRED } outcome;

/* Candidates in order of their lower bound, until no bound can beat the best value found. */
static outcome nearest_best_first(const search_pass *pass, search_thread *t, size_t k, best_candidate *best,
                                  int may_defer)
{
  if (!candidate_search_begin(&t->search, pass->from, k))
    return OUTCOME_FAILED;
  int64_t c;
  int failed = 0, evaluations = 0;
  while (candidate_search_next(&t->search, search_stop(pass, best), &c, &failed)) {
    if (c == best->index)
      continue; /* a seed: its value is known */
    if (may_defer && evaluations >= defer_after && entangled(pass, k, best))
      return OUTCOME_DEFERRED;
    evaluations += consider_candidate(pass, t, k, c, best);
  }
  return failed || t->out_of_memory ? OUTCOME_FAILED : OUTCOME_DONE;
}

/* The seed of cluster k (or its bound) and the best of its known values. */
static best_candidate initial_best(const search_pass *pass, size_t k, int64_t seed, double seed_value)
{
  best_candidate best = {seed == SEARCH_BOUND ? seed_value : INFINITY, -1};
  if (seed >= 0)
    take_if_better(pass, &best, seed, seed_value);
  if (pass->known)
    for (int64_t i = pass->known->offsets[k]; i < pass->known->offsets[k + 1]; ++i)
      take_if_better(pass, &best, pass->known->other[i], pass->known->value[i]);
  return best;
}

/* A cluster deferred to the neighbourhood search keeps its bound (SEARCH_BOUND) until it is done. */
static void store(best_candidate best, size_t k, int64_t *nearest, double *distance, int final)
{
  const int bounded = best.index < 0 && !final && best.value < INFINITY;
  nearest[k] = bounded ? SEARCH_BOUND : best.index;
  distance[k] = best.index >= 0 || bounded ? best.value : NAN;
}

/* Moves a thread's log into the shared one. */
static int merge_log(evaluated_pairs *into, evaluated_pairs *from)
{
  if (!into || from->count == 0)
    return 1;
  const size_t count = into->count + from->count;
  int64_t *f = realloc(into->from, count * sizeof *f);
  if (f)
    into->from = f;
  int64_t *t = realloc(into->to, count * sizeof *t);
  if (t)
    into->to = t;
  double *v = realloc(into->value, count * sizeof *v);
  if (v)
    into->value = v;
  if (!f || !t || !v)
    return 0;
  memcpy(into->from + into->count, from->from, from->count * sizeof *f);
  memcpy(into->to + into->count, from->to, from->count * sizeof *t);
  memcpy(into->value + into->count, from->value, from->count * sizeof *v);
  into->count = into->capacity = count;
  return 1;
}

typedef struct pass_state {
  search_pass pass;
  cluster_hierarchy hierarchy;
  point_index index;
  point_grid grid;
  int has_hierarchy, has_index, has_grid;
} pass_state;

static int by_value(const void *pa, const void *pb)
{
  const double a = *(const double *)pa, b = *(const double *)pb;
  return (a > b) - (a < b);
}

/* The grid's cell width for the deferred clusters' neighbourhood searches: the median of their radii
 * (a query then scans about 3 x 3 x 3 cells). */
static double median_radius(const search_pass *pass, const int64_t *deferred, size_t count, const int64_t *nearest,
                            const double *distance)
{
  double *radius = malloc((count ? count : 1) * sizeof *radius);
  if (!radius)
    return 0.0; /* the grid picks a width of its own */
  size_t m = 0;
  for (size_t i = 0; i < count; ++i) {
    const best_candidate best = {distance[deferred[i]], nearest[deferred[i]]};
    const double r = neighbourhood_radius(pass, &best);
    if (isfinite(r))
      radius[m++] = r;
  }
  qsort(radius, m, sizeof *radius, by_value);
  const double median = m ? radius[m / 2] : 0.0;
  free(radius);
  return median;
}

scipar_status nearest_clusters_of(const cluster_set *from, const int64_t *subset, size_t subset_count,
                                  const cluster_set *to, const cluster_hierarchy *to_hierarchy,
                                  int from_is_source, const scipar_options *options,
                                  const known_values *known, evaluated_pairs *log, int num_threads,
                                  progress_state *progress, int64_t *nearest, double *distance)
{
  size_t singles = 0;
  for (size_t i = 0; i < subset_count; ++i)
    singles += cluster_set_size(from, (size_t)(subset ? subset[i] : (int64_t)i)) == 1;
  const int by_points = singles > 0 && 4 * singles >= subset_count && to->num_clusters > 0 &&
                        to->offsets[to->num_clusters] <= SMALL_OTHER_CLUSTERS * (int64_t)to->num_clusters;
  /* Searches through the point index alone gain nothing from the order in space (2 x 1M one-point
   * clusters on 1 thread: 2.14 s with it, 1.98 s without). */
  int64_t *order = query_order(from, subset, subset_count, !by_points || singles < subset_count);
  int64_t *deferred = malloc((subset_count + 1) * sizeof *deferred);
  if (!order || !deferred) {
    free(order);
    free(deferred);
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  }
  pass_state s;
  memset(&s, 0, sizeof s);
  const double limit = options->max_pair_distance > 0 ? options->max_pair_distance : INFINITY;
  s.pass = (search_pass){.from = from, .to = to, .from_is_source = from_is_source, .options = options,
                         .limit = limit, .known = known, .logging = log != NULL};

  scipar_status status = SCIPAR_OK;
  if (by_points && (status = point_index_build(to, num_threads, &s.index)) == SCIPAR_OK)
    s.has_index = 1;
  if (status == SCIPAR_OK && (!by_points || singles < subset_count) && !to_hierarchy &&
      (status = cluster_hierarchy_build(to, num_threads, &s.hierarchy)) == SCIPAR_OK)
    s.has_hierarchy = 1;
  s.pass.to_hierarchy = s.has_hierarchy ? &s.hierarchy : to_hierarchy;
  s.pass.to_index = s.has_index ? &s.index : NULL;

  const long long k = status == SCIPAR_OK ? (long long)subset_count : 0;
  int failed = 0;
  size_t num_deferred = 0;
#pragma omp parallel num_threads(num_threads)
  {
    search_thread t;
    search_thread_init(&t, &s.pass);
#pragma omp for schedule(dynamic, 1)
    for (long long i = 0; i < k; ++i) {
      if (progress_cancelled(progress))
        continue;
      const size_t c = (size_t)order[i];
      best_candidate best = initial_best(&s.pass, c, nearest[c], distance[c]);
      outcome result = OUTCOME_DONE;
      if (by_points && cluster_set_size(from, c) == 1) {
        nearest_by_point(&s.pass, &t, c, &best);
        count(&counters.by_point, 1);
      } else {
        result = nearest_best_first(&s.pass, &t, c, &best, 1);
        if (result != OUTCOME_DEFERRED)
          count(&counters.best_first, 1);
      }
      store(best, c, nearest, distance, result != OUTCOME_DEFERRED);
      if (result == OUTCOME_DEFERRED) {
        size_t at;
#pragma omp atomic capture
        at = num_deferred++;
        deferred[at] = (int64_t)c;
        continue;
      }
      if (result == OUTCOME_FAILED || t.out_of_memory) {
#pragma omp atomic write
        failed = 1;
#pragma omp atomic write
        progress->cancelled = 1;
      }
      progress_item_done(progress);
    }
#pragma omp critical(scipar_search_log)
    failed = !merge_log(log, &t.log) || failed;
    count(&counters.evaluations, t.evaluations);
    search_thread_free(&t);
  }

  /* The entangled clusters, by radius queries against the whole other cloud: when there are enough
   * of them to pay for an index over it (a few entangled clusters among many finish best-first). */
  const int worth_an_index = num_deferred >= MIN_DEFERRED && num_deferred * DEFERRED_SHARE >= to->num_clusters;
  if (num_deferred > 0 && !failed && !progress_cancelled(progress)) {
    const double width = median_radius(&s.pass, deferred, num_deferred, nearest, distance);
    if (worth_an_index && (status = point_grid_build(to, width, num_threads, &s.grid)) == SCIPAR_OK)
      s.has_grid = 1;
    s.pass.to_grid = s.has_grid ? &s.grid : NULL;
    const long long m = status == SCIPAR_OK ? (long long)num_deferred : 0;
#pragma omp parallel num_threads(num_threads)
    {
      search_thread t;
      search_thread_init(&t, &s.pass);
#pragma omp for schedule(dynamic, 1)
      for (long long i = 0; i < m; ++i) {
        if (progress_cancelled(progress))
          continue;
        const size_t c = (size_t)deferred[i];
        best_candidate best = initial_best(&s.pass, c, nearest[c], distance[c]);
        const int settled = s.has_grid && nearest_by_neighbourhood(&s.pass, &t, c, &best);
        count(settled ? &counters.by_neighbourhood : &counters.neighbourhood_budget, 1);
        if (!settled && nearest_best_first(&s.pass, &t, c, &best, 0) == OUTCOME_FAILED) {
#pragma omp atomic write
          failed = 1;
#pragma omp atomic write
          progress->cancelled = 1;
        }
        if (t.out_of_memory) {
#pragma omp atomic write
          failed = 1;
        }
        store(best, c, nearest, distance, 1);
        progress_item_done(progress);
      }
#pragma omp critical(scipar_search_log)
      failed = !merge_log(log, &t.log) || failed;
      count(&counters.evaluations, t.evaluations);
      search_thread_free(&t);
    }
  }
  if (s.has_hierarchy)
    cluster_hierarchy_free(&s.hierarchy);
  if (s.has_index)
    point_index_free(&s.index);
  if (s.has_grid)
    point_grid_free(&s.grid);
  free(order);
  free(deferred);
  if (status != SCIPAR_OK || failed)
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  return progress_cancelled(progress) ? SCIPAR_ERROR_CANCELLED : SCIPAR_OK;
}
