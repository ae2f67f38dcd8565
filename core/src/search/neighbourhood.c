#include "search/search_pass.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A neighbourhood search looks this much farther than the least radius that rules out clusters it
 * does not meet: a cluster it meets is ruled out when enough of the query's points are farther from
 * it than the best value, which a wider radius shows, at the cost of more points per query (measured
 * on 2,000 overlapping clusters: 1.05, 1.1, 1.25 and 1.5 cost 1.58, 1.57, 1.79 and 2.27 billion
 * instructions, 1.05 from evaluating twice as many candidates). */
static const double NEIGHBOURHOOD_REACH = 1.1;

/* A neighbourhood search gives up (and the cluster goes back to the best-first search) when its
 * queries would scan more than this many points per query point, plus a constant, or when one query
 * point meets more than MAX_HITS points. Generous: where a cluster is entangled, the best-first search
 * it would go back to evaluates most clusters around it, which costs far more (2 x 1M points in 10,000
 * overlapping clusters: 2,285 clusters gave up at 8,192 per point and took 4.8M evaluations, 22 s;
 * none give up now). */
enum { BUDGET_PER_POINT = 65536, BUDGET_BASE = 16384, MAX_HITS = 65536 };

static double budget_scale = 1.0;

void search_set_neighbourhood_budget(double scale)
{
  budget_scale = scale;
}

/* Radii carry this relative slack outwards, for rounding: a cluster whose value ties the best must be
 * met. */
static const double RADIUS_SLACK = 1.0 + 1e-8;

void search_thread_init(search_thread *t, const search_pass *pass)
{
  memset(t, 0, sizeof *t);
  t->search = candidate_search_make(pass->to_hierarchy, pass->options->metric, pass->options->squared, 0);
  tally_map_init(&t->tallies, pass->to->num_clusters);
}

void search_thread_free(search_thread *t)
{
  candidate_search_free(&t->search);
  evaluated_pairs_free(&t->log);
  tally_map_free(&t->tallies);
  free(t->touched);
  free(t->hit);
  free(t->hit_squared);
  free(t->ranked);
  memset(t, 0, sizeof *t);
}

/* --- one point: every cluster met is evaluated, the radius narrowing as the best improves -------- */

/* For a one-point cluster {a}, d(A->C) is a's nearest distance d to C and d(C->A), a mean (or max)
 * of distances to a, is at least d: a cluster with no point within r of a has a value above
 * combine(r, r). The squared radius beyond which no cluster can beat stop: */
static double point_radius2(const search_pass *pass, double stop)
{
  const scipar_options *o = pass->options;
  if (!(stop < INFINITY))
    return INFINITY;
  const double units = o->metric == SCIPAR_METRIC_SUM ? 0.5 * stop : stop; /* Sum adds d twice */
  const double r2 = o->squared ? units : units * units;
  return r2 * RADIUS_SLACK * RADIUS_SLACK;
}

typedef struct point_visit {
  const search_pass *pass;
  search_thread *thread;
  size_t k;
  best_candidate *best;
} point_visit;

static double visit_point(void *context, int64_t point, double distance_squared)
{
  (void)distance_squared;
  point_visit *v = context;
  search_thread *t = v->thread;
  cluster_tally *seen = tally_map_get(&t->tallies, v->pass->to_index->cluster[point]);
  if (!seen) {
    t->out_of_memory = 1;
    return -1.0; /* nothing is within a negative radius: the visit ends */
  }
  if (seen->count == 0) {
    seen->count = 1;
    consider_candidate(v->pass, t, v->k, seen->cluster, v->best);
  }
  return point_radius2(v->pass, search_stop(v->pass, v->best));
}

void nearest_by_point(const search_pass *pass, search_thread *thread, size_t k, best_candidate *best)
{
  tally_map_clear(&thread->tallies);
  const int64_t at = pass->from->offsets[k];
  const double p[3] = {pass->from->x[at], pass->from->y[at], pass->from->z[at]};
  point_visit v = {pass, thread, k, best};
  simd_kernels_get()->visit(point_index_view(pass->to_index), p, point_radius2(pass, search_stop(pass, best)),
                            visit_point, &v);
}

/* --- many points: a lower bound for every cluster at once ------------------------------------- */

double neighbourhood_radius(const search_pass *pass, const best_candidate *best)
{
  const scipar_options *o = pass->options;
  const double stop = search_stop(pass, best);
  /* A cluster met by no query point has d(A->C) above the radius r (in the metric's units) and
   * d(C->A) >= 0: its bound combine(r, 0) must exceed stop. Mean halves the sum. */
  const double units = o->metric == SCIPAR_METRIC_MEAN ? 2.0 * stop : stop;
  return NEIGHBOURHOOD_REACH * (o->squared ? sqrt(units) : units);
}

static int by_bound(const void *pa, const void *pb)
{
  const ranked_cluster *a = pa, *b = pb;
  if (a->bound != b->bound)
    return a->bound < b->bound ? -1 : 1;
  return (a->cluster > b->cluster) - (a->cluster < b->cluster);
}

/* Clusters of the other side whose centroids are nearest cluster k's: evaluated first. */
enum { NEAREST_CENTROIDS = 16 };

/* They are tried only when the radius the best so far allows exceeds this many grid cell widths
 * (the median of the deferred clusters' radii): when the best is poor. */
static const double CENTROIDS_ABOVE = 1.5;

typedef struct centroid_list {
  const double *q;
  const cluster_set *set;
  const cluster_hierarchy *h;
  int64_t cluster[NEAREST_CENTROIDS];
  double distance2[NEAREST_CENTROIDS];
  int count;
} centroid_list;

static double point_box2(const double *q, const double *lo, const double *hi)
{
  double sum = 0.0;
  for (int d = 0; d < 3; ++d) {
    const double gap = q[d] < lo[d] ? lo[d] - q[d] : (q[d] > hi[d] ? q[d] - hi[d] : 0.0);
    sum += gap * gap;
  }
  return sum;
}

static void offer_centroid(centroid_list *l, int64_t c)
{
  const double *cc = l->set->centroids + 3 * c;
  const double dx = cc[0] - l->q[0], dy = cc[1] - l->q[1], dz = cc[2] - l->q[2];
  const double d2 = dx * dx + dy * dy + dz * dz;
  int at = l->count;
  while (at > 0 && (d2 < l->distance2[at - 1] || (d2 == l->distance2[at - 1] && c < l->cluster[at - 1])))
    --at;
  if (at >= NEAREST_CENTROIDS)
    return;
  const int last = l->count < NEAREST_CENTROIDS ? l->count : NEAREST_CENTROIDS - 1;
  for (int i = last; i > at; --i) {
    l->cluster[i] = l->cluster[i - 1];
    l->distance2[i] = l->distance2[i - 1];
  }
  l->cluster[at] = c;
  l->distance2[at] = d2;
  l->count = l->count < NEAREST_CENTROIDS ? l->count + 1 : NEAREST_CENTROIDS;
}

static void nearest_centroids(centroid_list *l, size_t node)
{
  const cluster_hierarchy *h = l->h;
  if (l->count == NEAREST_CENTROIDS &&
      point_box2(l->q, h->node[node].centroid_min, h->node[node].centroid_max) > l->distance2[NEAREST_CENTROIDS - 1])
    return;
  const int64_t lo = h->node[node].begin, hi = h->node[node].end;
  if (2 * node + 2 >= h->num_nodes || hi - lo <= CLUSTER_LEAF_SIZE) { /* a leaf */
    for (int64_t i = lo; i < hi; ++i)
      offer_centroid(l, h->order[i]);
    return;
  }
  const size_t left = 2 * node + 1, right = 2 * node + 2;
  const double dl = point_box2(l->q, h->node[left].centroid_min, h->node[left].centroid_max);
  const double dr = point_box2(l->q, h->node[right].centroid_min, h->node[right].centroid_max);
  nearest_centroids(l, dl <= dr ? left : right);
  nearest_centroids(l, dl <= dr ? right : left);
}

/* A good best before the radius is set: a neighbourhood search's cost grows with the cube of its
 * radius, which the best value so far sets. The clusters whose centroids are nearest k's are
 * evaluated (early exits make the poor ones cheap): a cluster's moved copy is usually among them. */
static void try_nearest_centroids(const search_pass *pass, search_thread *thread, size_t k, best_candidate *best)
{
  if (!pass->to_hierarchy || pass->to_hierarchy->num_nodes == 0)
    return;
  centroid_list l = {pass->from->centroids + 3 * k, pass->to, pass->to_hierarchy, {0}, {0}, 0};
  nearest_centroids(&l, 0);
  for (int i = 0; i < l.count; ++i)
    if (l.cluster[i] != best->index)
      consider_candidate(pass, thread, k, l.cluster[i], best);
}

/* One neighbourhood search of cluster k at the radius its best allows: 0 when it gave up (budget,
 * memory), 1 when done. */
static int neighbourhood_search(const search_pass *pass, search_thread *thread, size_t k, best_candidate *best)
{
  const scipar_options *o = pass->options;
  const cluster_set *from = pass->from;
  const int hausdorff = o->metric == SCIPAR_METRIC_HAUSDORFF;
  const double radius = neighbourhood_radius(pass, best);
  const double radius2 = radius * radius;
  const double miss = o->squared ? radius2 : radius; /* a term's least value for a point that met nothing */
  const int64_t begin = from->offsets[k], n = cluster_set_size(from, k);
  int64_t budget = (int64_t)(budget_scale * (double)(BUDGET_BASE + BUDGET_PER_POINT * n));
  tally_map *tallies = &thread->tallies;
  tally_map_clear(tallies);
  const int64_t *cluster_of = pass->to_grid->cluster;
  const grid_view grid = point_grid_view(pass->to_grid);
  const simd_kernels *kernels = simd_kernels_get();
  for (int64_t i = 0; i < n && !thread->out_of_memory; ++i) {
    const double p[3] = {from->x[begin + i], from->y[begin + i], from->z[begin + i]};
    const int64_t hits =
      kernels->gather_grid(grid, p, radius2, thread->hit, thread->hit_squared, MAX_HITS, &budget);
    if (hits < 0)
      break;

    size_t touched = 0;
    for (int64_t h = 0; h < hits; ++h) {
      cluster_tally *tally = tally_map_get(tallies, cluster_of[thread->hit[h]]);
      if (!tally) {
        thread->out_of_memory = 1;
        break;
      }
      const double d2 = thread->hit_squared[h];
      if (tally->last_point != i) {
        tally->last_point = i;
        tally->point_min = d2;
        thread->touched[touched++] = (size_t)(tally - tallies->tally);
      } else if (d2 < tally->point_min) {
        tally->point_min = d2;
      }
    }
    for (size_t j = 0; j < touched; ++j) {
      cluster_tally *tally = &tallies->tally[thread->touched[j]];
      const double term = o->squared ? tally->point_min : sqrt(tally->point_min);
      tally->sum = hausdorff ? (term > tally->sum ? term : tally->sum) : tally->sum + term;
      ++tally->count;
    }
  }
  if (budget < 0 || thread->out_of_memory)
    return 0;
  /* Bounds for the clusters met; those not met are above stop by the choice of the radius. */
  if (thread->ranked_capacity < tallies->num_met) {
    ranked_cluster *ranked = realloc(thread->ranked, tallies->num_met * sizeof *ranked);
    if (!ranked) {
      thread->out_of_memory = 1;
      return 0;
    }
    thread->ranked = ranked;
    thread->ranked_capacity = tallies->num_met;
  }
  const double stop = search_stop(pass, best);
  size_t m = 0;
  for (size_t j = 0; j < tallies->num_met; ++j) {
    const cluster_tally *tally = tally_map_met(tallies, j);
    double ab;
    if (hausdorff)
      ab = tally->count < n && miss > tally->sum ? miss : tally->sum;
    else
      ab = (tally->sum + (double)(n - tally->count) * miss) / (double)n;
    if (combine_bounds(o->metric, ab, 0.0) > stop)
      continue; /* this direction alone rules it out */
    const double towards = directed_lower_bound(pass->to, (size_t)tally->cluster, from, k); /* d(C->A) */
    const double ba = o->squared ? towards * towards : towards;
    const double bound = combine_bounds(o->metric, ab, ba);
    if (bound <= stop)
      thread->ranked[m++] = (ranked_cluster){bound, tally->cluster};
  }
  if (m > 1) /* ranked is not allocated while no cluster has been met */
    qsort(thread->ranked, m, sizeof *thread->ranked, by_bound);
  for (size_t j = 0; j < m && thread->ranked[j].bound <= search_stop(pass, best); ++j)
    if (thread->ranked[j].cluster != best->index)
      consider_candidate(pass, thread, k, thread->ranked[j].cluster, best);
  return 1;
}

int nearest_by_neighbourhood(const search_pass *pass, search_thread *thread, size_t k, best_candidate *best)
{
  if (!thread->hit) {
    thread->hit = malloc(MAX_HITS * sizeof *thread->hit);
    thread->hit_squared = malloc(MAX_HITS * sizeof *thread->hit_squared);
    thread->touched = malloc(MAX_HITS * sizeof *thread->touched);
    if (!thread->hit || !thread->hit_squared || !thread->touched) {
      thread->out_of_memory = 1;
      return 0;
    }
  }
  const double width = 1.0 / pass->to_grid->inverse_width;
  if (neighbourhood_radius(pass, best) > CENTROIDS_ABOVE * width)
    try_nearest_centroids(pass, thread, k, best);
  return !thread->out_of_memory && neighbourhood_search(pass, thread, k, best);
}
