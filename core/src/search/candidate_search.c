#include "search/candidate_search.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Nodes of at least PARALLEL_NODE clusters are built as OpenMP tasks, by a team only over at least
 * PARALLEL_TEAM clusters: below it the build takes about a millisecond, less than a thread waiting
 * for its team on a busy machine. */
enum { PARALLEL_NODE = 4096, PARALLEL_TEAM = 65536 };

/* Bounds come from rounded arithmetic; shrinking them by a relative 1e-9 keeps them below every
 * rounded Chamfer value they bound (a mean of n terms is off by at most ~(n / 8 + 5) units in the last
 * place: far less for clusters of up to 10^7 points). */
static const double BOUND_SLACK = 1.0 - 1e-9;

static size_t hierarchy_nodes(size_t k)
{
  size_t depth = 0;
  for (size_t m = k; m > CLUSTER_LEAF_SIZE; m = m - m / 2)
    ++depth;
  return ((size_t)1 << (depth + 1)) - 1;
}

/* A cluster while the hierarchy is built: its centroid (the split key) and index. */
typedef struct placed_cluster {
  double centroid[3];
  int64_t index;
} placed_cluster;

static int before(const placed_cluster *a, const placed_cluster *b, int axis)
{
  return a->centroid[axis] < b->centroid[axis] || (a->centroid[axis] == b->centroid[axis] && a->index < b->index);
}

/* Reorders v[lo, hi) so that v[k] is the element a sort along axis would put there, with none after it
 * before it and none before it after it (Hoare's selection; keys are distinct through the index). */
static void select_kth(placed_cluster *v, size_t lo, size_t hi, size_t k, int axis)
{
  while (hi - lo > 1) {
    const size_t mid = lo + (hi - lo) / 2;
    placed_cluster t;
#define SWAP(i, j) (t = v[i], v[i] = v[j], v[j] = t)
    if (before(&v[mid], &v[lo], axis))
      SWAP(mid, lo);
    if (before(&v[hi - 1], &v[lo], axis))
      SWAP(hi - 1, lo);
    if (before(&v[hi - 1], &v[mid], axis))
      SWAP(hi - 1, mid);
    const placed_cluster pivot = v[mid];
    size_t i = lo, j = hi - 1;
    while (i <= j) {
      while (before(&v[i], &pivot, axis))
        ++i;
      while (before(&pivot, &v[j], axis))
        --j;
      if (i <= j) {
        SWAP(i, j);
        ++i;
        --j; /* j >= lo here: v[lo] <= pivot stops the scan down at lo at the latest */
      }
    }
#undef SWAP
    if (k <= j)
      hi = j + 1;
    else if (k >= i)
      lo = i;
    else
      return;
  }
}

typedef struct build_state {
  const cluster_set *set;
  cluster_hierarchy *h;
  placed_cluster *placed; /* [num_clusters]: moved around by the selections, contiguous per node */
} build_state;

/* Node boxes bottom-up (a leaf's from its clusters, a node's from its children's) and centroid boxes
 * from the node's placed clusters, which are contiguous: no pass over scattered cluster data per
 * level. */
static void build_node(build_state *s, size_t node, size_t lo, size_t hi)
{
  hierarchy_node *n = s->h->node + node;
  n->begin = (int64_t)lo;
  n->end = (int64_t)hi;
  for (int d = 0; d < 3; ++d) {
    n->centroid_min[d] = INFINITY;
    n->centroid_max[d] = -INFINITY;
  }
  for (size_t i = lo; i < hi; ++i)
    for (int d = 0; d < 3; ++d) {
      const double centre = s->placed[i].centroid[d];
      n->centroid_min[d] = centre < n->centroid_min[d] ? centre : n->centroid_min[d];
      n->centroid_max[d] = centre > n->centroid_max[d] ? centre : n->centroid_max[d];
    }
  if (hi - lo <= CLUSTER_LEAF_SIZE) {
    n->centroid_error = 0.0;
    for (int d = 0; d < 3; ++d) {
      n->box_min[d] = INFINITY;
      n->box_max[d] = -INFINITY;
    }
    for (size_t i = lo; i < hi; ++i) {
      const int64_t c = s->placed[i].index;
      hierarchy_cluster *e = s->h->cluster + i;
      s->h->order[i] = c;
      e->centroid_error = s->set->centroid_error[c];
      n->centroid_error = e->centroid_error > n->centroid_error ? e->centroid_error : n->centroid_error;
      for (int d = 0; d < 3; ++d) {
        e->box_min[d] = s->set->box_min[3 * c + d];
        e->box_max[d] = s->set->box_max[3 * c + d];
        e->centroid[d] = s->set->centroids[3 * c + d];
        n->box_min[d] = e->box_min[d] < n->box_min[d] ? e->box_min[d] : n->box_min[d];
        n->box_max[d] = e->box_max[d] > n->box_max[d] ? e->box_max[d] : n->box_max[d];
      }
    }
    return;
  }
  int axis = 0;
  for (int d = 1; d < 3; ++d)
    if (n->centroid_max[d] - n->centroid_min[d] > n->centroid_max[axis] - n->centroid_min[axis])
      axis = d;
  /* Split at the median centroid along the axis where centroids spread most. */
  const size_t mid = lo + (hi - lo) / 2;
  select_kth(s->placed, lo, hi, mid, axis);
  /* The halves touch disjoint ranges and nodes: large ones are built as tasks of the team building the
   * hierarchy (the tree does not depend on which thread builds what). */
#pragma omp task if (hi - lo >= PARALLEL_NODE)
  build_node(s, 2 * node + 1, lo, mid);
  build_node(s, 2 * node + 2, mid, hi);
#pragma omp taskwait
  const hierarchy_node *l = s->h->node + 2 * node + 1, *r = s->h->node + 2 * node + 2;
  n->centroid_error = l->centroid_error > r->centroid_error ? l->centroid_error : r->centroid_error;
  for (int d = 0; d < 3; ++d) {
    n->box_min[d] = l->box_min[d] < r->box_min[d] ? l->box_min[d] : r->box_min[d];
    n->box_max[d] = l->box_max[d] > r->box_max[d] ? l->box_max[d] : r->box_max[d];
  }
}

scipar_status cluster_hierarchy_build(const cluster_set *set, int num_threads, cluster_hierarchy *h)
{
  memset(h, 0, sizeof *h);
  const size_t k = set->num_clusters;
  h->num_clusters = k;
  h->num_nodes = k ? hierarchy_nodes(k) : 0;
  h->order = malloc((k ? k : 1) * sizeof *h->order);
  h->cluster = malloc((k ? k : 1) * sizeof *h->cluster);
  h->node = malloc((h->num_nodes + 1) * sizeof *h->node);
  build_state s = {set, h, malloc((k ? k : 1) * sizeof(placed_cluster))};
  if (!h->order || !h->cluster || !h->node || !s.placed) {
    free(s.placed);
    cluster_hierarchy_free(h);
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  }
  for (size_t c = 0; c < k; ++c)
    s.placed[c] = (placed_cluster){{set->centroids[3 * c], set->centroids[3 * c + 1], set->centroids[3 * c + 2]},
                                   (int64_t)c};
  if (k > 0) {
#pragma omp parallel num_threads(k >= PARALLEL_TEAM ? num_threads : 1)
#pragma omp single
    build_node(&s, 0, 0, k);
  }
  free(s.placed);
  return SCIPAR_OK;
}

void cluster_hierarchy_free(cluster_hierarchy *h)
{
  free(h->order);
  free(h->cluster);
  free(h->node);
  memset(h, 0, sizeof *h);
}

/* Distance between two boxes (0 when they overlap); a point is a box of size 0. */
static double box_gap(const double *amin, const double *amax, const double *bmin, const double *bmax)
{
  double sum = 0.0;
  for (int d = 0; d < 3; ++d) {
    const double below = bmin[d] - amax[d], above = amin[d] - bmax[d];
    const double gap = below > above ? (below > 0.0 ? below : 0.0) : (above > 0.0 ? above : 0.0);
    sum += gap * gap;
  }
  return sqrt(sum);
}

/* A lower bound of a directed distance d(A->B) (a mean or max of nearest-point distances), given as
 * a distance to B's box from A's centroid, which carries up to `error` of rounding: by convexity,
 * mean over a of |a - nearest(a)| >= |centroid(A) - mean of the nearest points| >= distance from
 * centroid(A) to B's hull >= to B's box. */
static double convexity_bound(double distance, double error)
{
  return distance > error ? distance - error : 0.0;
}

double combine_bounds(scipar_metric metric, double ab, double ba)
{
  double value;
  switch (metric) {
  case SCIPAR_METRIC_SUM: value = ab + ba; break;
  case SCIPAR_METRIC_MEAN: value = 0.5 * (ab + ba); break;
  default: value = ab > ba ? ab : ba;
  }
  return value * BOUND_SLACK;
}

double metric_lower_bound(scipar_metric metric, int squared, double ab, double ba)
{
  return combine_bounds(metric, squared ? ab * ab : ab, squared ? ba * ba : ba);
}

double directed_lower_bound(const cluster_set *a, size_t i, const cluster_set *b, size_t j)
{
  const double *ac = a->centroids + 3 * i;
  return convexity_bound(box_gap(ac, ac, b->box_min + 3 * j, b->box_max + 3 * j), a->centroid_error[i]);
}

double cluster_lower_bound(scipar_metric metric, int squared, const cluster_set *a, size_t i, const cluster_set *b,
                           size_t j)
{
  return metric_lower_bound(metric, squared, directed_lower_bound(a, i, b, j), directed_lower_bound(b, j, a, i));
}

double box_upper_bound(scipar_metric metric, int squared, const double *a_min, const double *a_max,
                       const double *b_min, const double *b_max)
{
  double sum = 0.0;
  for (int d = 0; d < 3; ++d) {
    const double one = a_max[d] - b_min[d], other = b_max[d] - a_min[d];
    const double far = one > other ? one : other;
    sum += far * far;
  }
  const double g = squared ? sum : sqrt(sum);
  return (metric == SCIPAR_METRIC_SUM ? 2.0 * g : g) / BOUND_SLACK;
}

static int entry_before(const search_entry *a, const search_entry *b)
{
  if (a->bound != b->bound)
    return a->bound < b->bound;
  if (a->tiebreak != b->tiebreak)
    return a->tiebreak < b->tiebreak;
  return a->item > b->item; /* nodes (>= 0) before clusters; among clusters the smaller index */
}

static int push(candidate_search *s, search_entry e)
{
  if (s->size == s->capacity) {
    const size_t capacity = s->capacity ? 2 * s->capacity : 64;
    search_entry *heap = realloc(s->heap, capacity * sizeof *heap);
    if (!heap)
      return 0;
    s->heap = heap;
    s->capacity = capacity;
  }
  size_t i = s->size++;
  while (i > 0 && entry_before(&e, &s->heap[(i - 1) / 2])) {
    s->heap[i] = s->heap[(i - 1) / 2];
    i = (i - 1) / 2;
  }
  s->heap[i] = e;
  return 1;
}

static search_entry pop(candidate_search *s)
{
  const search_entry top = s->heap[0];
  const search_entry last = s->heap[--s->size];
  size_t i = 0;
  for (;;) {
    size_t child = 2 * i + 1;
    if (child >= s->size)
      break;
    if (child + 1 < s->size && entry_before(&s->heap[child + 1], &s->heap[child]))
      ++child;
    if (!entry_before(&s->heap[child], &last))
      break;
    s->heap[i] = s->heap[child];
    i = child;
  }
  if (s->size > 0)
    s->heap[i] = last;
  return top;
}

/* Every cluster under a node has its box inside the node's box and its centroid inside the node's
 * box of centroids: the query's centroid is at least as far from each cluster's box as from the
 * node's, and each cluster's centroid at least as far from the query's box as the centroids' box.
 * An entry whose bound exceeds stop is not pushed: stop never grows during a query, so it would never
 * come out (half the entries of a search over separated clusters, which only made the heap deeper). */
static int push_node(candidate_search *s, size_t node, double stop)
{
  const hierarchy_node *n = s->hierarchy->node + node;
  const double *q = s->query_centroid;
  const double ab = convexity_bound(box_gap(q, q, n->box_min, n->box_max), s->query_error);
  const double ba = convexity_bound(box_gap(n->centroid_min, n->centroid_max, s->query_min, s->query_max),
                                    n->centroid_error);
  /* Among equal bounds (boxes that all overlap the query's), nearer centroids first, nodes by the
   * nearest their clusters' centroids can be: the search then reaches the clusters likeliest to be
   * best without expanding every node of equal bound first. */
  const double centre = box_gap(q, q, n->centroid_min, n->centroid_max);
  const search_entry e = {metric_lower_bound(s->metric, s->squared, ab, s->one_sided ? ab : ba), centre * centre,
                          (int64_t)node};
  return e.bound > stop || push(s, e);
}

/* The cluster at position i of the hierarchy's order, from its copy of the cluster's box and centroid
 * (contiguous in a leaf: the set's arrays, in cluster order, cost a cache miss a cluster). */
static int push_cluster(candidate_search *s, size_t i, double stop)
{
  const hierarchy_cluster *e = s->hierarchy->cluster + i;
  double centre = 0.0;
  for (int d = 0; d < 3; ++d) {
    const double diff = e->centroid[d] - s->query_centroid[d];
    centre += diff * diff;
  }
  const double *q = s->query_centroid;
  const double ab = convexity_bound(box_gap(q, q, e->box_min, e->box_max), s->query_error);
  const double ba = convexity_bound(box_gap(e->centroid, e->centroid, s->query_min, s->query_max), e->centroid_error);
  const search_entry entry = {metric_lower_bound(s->metric, s->squared, ab, s->one_sided ? ab : ba), centre,
                              -s->hierarchy->order[i] - 1};
  return entry.bound > stop || push(s, entry);
}

candidate_search candidate_search_make(const cluster_hierarchy *hierarchy, scipar_metric metric, int squared,
                                       int one_sided)
{
  candidate_search s;
  memset(&s, 0, sizeof s);
  s.hierarchy = hierarchy;
  s.metric = metric;
  s.squared = squared;
  s.one_sided = one_sided;
  return s;
}

int candidate_search_begin(candidate_search *s, const cluster_set *query_set, size_t query)
{
  memcpy(s->query_min, query_set->box_min + 3 * query, sizeof s->query_min);
  memcpy(s->query_max, query_set->box_max + 3 * query, sizeof s->query_max);
  memcpy(s->query_centroid, query_set->centroids + 3 * query, sizeof s->query_centroid);
  s->query_error = query_set->centroid_error[query];
  s->size = 0;
  return s->hierarchy->num_nodes == 0 || push_node(s, 0, INFINITY);
}

int candidate_search_next(candidate_search *s, double stop, int64_t *cluster, int *failed)
{
  while (s->size > 0 && s->heap[0].bound <= stop) {
    const search_entry e = pop(s);
    if (e.item < 0) {
      *cluster = -e.item - 1;
      return 1;
    }
    const size_t node = (size_t)e.item;
    const size_t lo = (size_t)s->hierarchy->node[node].begin, hi = (size_t)s->hierarchy->node[node].end;
    int ok = 1;
    if (hi - lo <= CLUSTER_LEAF_SIZE) {
      for (size_t i = lo; i < hi && ok; ++i)
        ok = push_cluster(s, i, stop);
    } else {
      ok = push_node(s, 2 * node + 1, stop) && push_node(s, 2 * node + 2, stop);
    }
    if (!ok) {
      *failed = 1;
      return 0;
    }
  }
  return 0;
}

void candidate_search_free(candidate_search *s)
{
  free(s->heap);
  s->heap = NULL;
  s->size = s->capacity = 0;
}
