/*
 * The oracle-informed limit of the benchmark, and the all-pairs brute force.
 *
 * scipar_limit_values is given the final pairs of a matching (as cluster ids) and computes only their
 * exact Chamfer values (Max metric, Euclidean distances): its own grouping of the points by cluster,
 * its own k-d trees inside large clusters, its own SIMD loops, no search of any kind. It is the least
 * exact work any matching method must do, whatever its bounds: every final value has to be computed.
 *
 * scipar_brute_force evaluates every cluster pair over every point pair and returns the nearest
 * cluster both ways: what the notebook did, written as fast as plain loops go.
 *
 * Independent of the scipar core on purpose (no shared code): it also checks the core's values.
 */
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Kernels get one clone per instruction set, chosen at load time, as the core's do. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define LIMIT_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define LIMIT_CLONES
#endif

enum { LEAF = 32, TREE_MIN = 256, BLOCK = 8 };

typedef struct group {
  size_t k;
  int64_t *ids;    /* [k] ascending */
  int64_t *start;  /* [k + 1] */
  double *x, *y, *z;
  int64_t *node_start; /* [k + 1] offsets into the node arrays; no nodes: brute force */
  double *box;     /* [6 * nodes]: min xyz, max xyz of each node */
} group;

static double now(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int compare_int64(const void *a, const void *b)
{
  const int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

static int64_t slot_of(const int64_t *ids, size_t k, int64_t id)
{
  size_t lo = 0, hi = k;
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (ids[mid] < id)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < k && ids[lo] == id ? (int64_t)lo : -1;
}

/* Nodes of the implicit tree over n points: leaves of at most LEAF points, halves of m - m/2 and m/2. */
static size_t tree_nodes(int64_t n)
{
  if (n < TREE_MIN)
    return 0;
  size_t depth = 0;
  for (int64_t m = n; m > LEAF; m -= m / 2)
    ++depth;
  return ((size_t)1 << (depth + 1)) - 1;
}

typedef struct xyz {
  double c[3];
} xyz;

static void nth_element(xyz *p, int64_t lo, int64_t hi, int64_t k, int d)
{
  while (hi - lo > 1) {
    const double pivot = p[lo + (hi - lo) / 2].c[d];
    int64_t i = lo, j = hi - 1;
    while (i <= j) {
      while (p[i].c[d] < pivot)
        ++i;
      while (p[j].c[d] > pivot)
        --j;
      if (i <= j) {
        const xyz t = p[i];
        p[i++] = p[j];
        p[j--] = t;
      }
    }
    if (k <= j)
      hi = j + 1;
    else if (k >= i)
      lo = i;
    else
      return;
  }
}

/* Splits at the median of the widest side of the cell (the parent's cell cut at the split); the
 * boxes kept for the queries are the points' own tight boxes, merged bottom-up. */
static void build(xyz *p, double *box, size_t node, int64_t lo, int64_t hi, double cell[6])
{
  double *b = box + 6 * node;
  if (hi - lo <= LEAF) {
    for (int d = 0; d < 3; ++d) {
      b[d] = INFINITY;
      b[3 + d] = -INFINITY;
    }
    for (int64_t i = lo; i < hi; ++i)
      for (int d = 0; d < 3; ++d) {
        b[d] = p[i].c[d] < b[d] ? p[i].c[d] : b[d];
        b[3 + d] = p[i].c[d] > b[3 + d] ? p[i].c[d] : b[3 + d];
      }
    return;
  }
  int dim = 0;
  for (int d = 1; d < 3; ++d)
    if (cell[3 + d] - cell[d] > cell[3 + dim] - cell[dim])
      dim = d;
  const int64_t mid = lo + (hi - lo) / 2;
  nth_element(p, lo, hi, mid, dim);
  const double split = p[mid].c[dim], low = cell[dim], high = cell[3 + dim];
  cell[3 + dim] = split;
  build(p, box, 2 * node + 1, lo, mid, cell);
  cell[3 + dim] = high;
  cell[dim] = split;
  build(p, box, 2 * node + 2, mid, hi, cell);
  cell[dim] = low;
  const double *l = box + 6 * (2 * node + 1), *r = box + 6 * (2 * node + 2);
  for (int d = 0; d < 3; ++d) {
    b[d] = l[d] < r[d] ? l[d] : r[d];
    b[3 + d] = l[3 + d] > r[3 + d] ? l[3 + d] : r[3 + d];
  }
}

static void free_group(group *g)
{
  free(g->ids);
  free(g->start);
  free(g->x);
  free(g->y);
  free(g->z);
  free(g->node_start);
  free(g->box);
  memset(g, 0, sizeof *g);
}

/* Groups the points of the wanted clusters (ids[0..k), ascending) and builds the trees of large ones. */
static int group_points(const double *points, const int64_t *labels, size_t n, int64_t *ids, size_t k, int threads,
                        group *g)
{
  memset(g, 0, sizeof *g);
  g->k = k;
  g->ids = ids;
  g->start = calloc(k + 1, sizeof *g->start);
  int64_t *slot = malloc((n + 1) * sizeof *slot);
  const int64_t lo_id = k ? ids[0] : 0;
  const uint64_t span = k ? (uint64_t)ids[k - 1] - (uint64_t)lo_id : 0;
  int64_t *table = NULL;
  if (k && span < 4 * (uint64_t)n + 16) {
    table = malloc((span + 1) * sizeof *table);
    if (table) {
      for (uint64_t v = 0; v <= span; ++v)
        table[v] = -1;
      for (size_t c = 0; c < k; ++c)
        table[(uint64_t)ids[c] - (uint64_t)lo_id] = (int64_t)c;
    }
  }
  if (!g->start || !slot)
    return 0;
  const long long nn = (long long)n;
#pragma omp parallel for num_threads(threads) schedule(static)
  for (long long i = 0; i < nn; ++i) {
    const uint64_t v = (uint64_t)labels[i] - (uint64_t)lo_id;
    slot[i] = table ? (v <= span ? table[v] : -1) : slot_of(ids, k, labels[i]);
  }
  free(table);
  for (size_t i = 0; i < n; ++i)
    if (slot[i] >= 0)
      ++g->start[slot[i] + 1];
  for (size_t c = 0; c < k; ++c)
    g->start[c + 1] += g->start[c];
  const size_t used = (size_t)g->start[k];
  g->x = malloc((used + 1) * sizeof(double));
  g->y = malloc((used + 1) * sizeof(double));
  g->z = malloc((used + 1) * sizeof(double));
  g->node_start = malloc((k + 1) * sizeof *g->node_start);
  int64_t *fill = malloc((k + 1) * sizeof *fill);
  if (!g->x || !g->y || !g->z || !g->node_start || !fill) {
    free(slot);
    free(fill);
    return 0;
  }
  memcpy(fill, g->start, k * sizeof *fill);
  for (size_t i = 0; i < n; ++i)
    if (slot[i] >= 0) {
      const int64_t to = fill[slot[i]]++;
      g->x[to] = points[3 * i];
      g->y[to] = points[3 * i + 1];
      g->z[to] = points[3 * i + 2];
    }
  free(slot);
  free(fill);
  g->node_start[0] = 0;
  for (size_t c = 0; c < k; ++c)
    g->node_start[c + 1] = g->node_start[c] + (int64_t)tree_nodes(g->start[c + 1] - g->start[c]);
  g->box = malloc((6 * (size_t)g->node_start[k] + 1) * sizeof *g->box);
  if (!g->box)
    return 0;
  int ok = 1;
  const long long kk = (long long)k;
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1) reduction(&& : ok)
  for (long long c = 0; c < kk; ++c) {
    if (g->node_start[c + 1] == g->node_start[c])
      continue;
    const int64_t s = g->start[c], m = g->start[c + 1] - s;
    xyz *p = malloc((size_t)m * sizeof *p);
    if (!p) {
      ok = 0;
      continue;
    }
    double cell[6] = {INFINITY, INFINITY, INFINITY, -INFINITY, -INFINITY, -INFINITY};
    for (int64_t i = 0; i < m; ++i) {
      p[i] = (xyz){{g->x[s + i], g->y[s + i], g->z[s + i]}};
      for (int d = 0; d < 3; ++d) {
        cell[d] = p[i].c[d] < cell[d] ? p[i].c[d] : cell[d];
        cell[3 + d] = p[i].c[d] > cell[3 + d] ? p[i].c[d] : cell[3 + d];
      }
    }
    build(p, g->box + 6 * g->node_start[c], 0, 0, m, cell);
    for (int64_t i = 0; i < m; ++i) {
      g->x[s + i] = p[i].c[0];
      g->y[s + i] = p[i].c[1];
      g->z[s + i] = p[i].c[2];
    }
    free(p);
  }
  return ok;
}

typedef struct view {
  const double *x, *y, *z;
  int64_t n;
  const double *box; /* NULL: no tree */
} view;

static view view_of(const group *g, size_t c)
{
  const int64_t s = g->start[c];
  const int has_tree = g->node_start[c + 1] > g->node_start[c];
  return (view){g->x + s, g->y + s, g->z + s, g->start[c + 1] - s, has_tree ? g->box + 6 * g->node_start[c] : NULL};
}

/* min over j in [lo, hi) of the squared distance from q to point j, and best. */
LIMIT_CLONES static double scan(const double *x, const double *y, const double *z, int64_t lo, int64_t hi, double qx,
                                double qy, double qz, double best)
{
  double m[BLOCK];
  for (int l = 0; l < BLOCK; ++l)
    m[l] = best;
  int64_t j = lo;
  for (; j + BLOCK <= hi; j += BLOCK)
#pragma omp simd
    for (int l = 0; l < BLOCK; ++l) {
      const double dx = qx - x[j + l], dy = qy - y[j + l], dz = qz - z[j + l];
      const double d = dx * dx + dy * dy + dz * dz;
      m[l] = d < m[l] ? d : m[l];
    }
  for (; j < hi; ++j) {
    const double dx = qx - x[j], dy = qy - y[j], dz = qz - z[j];
    const double d = dx * dx + dy * dy + dz * dz;
    m[0] = d < m[0] ? d : m[0];
  }
  for (int l = 1; l < BLOCK; ++l)
    m[0] = m[l] < m[0] ? m[l] : m[0];
  return m[0];
}

static double box_distance2(const double *b, double qx, double qy, double qz)
{
  const double q[3] = {qx, qy, qz};
  double s = 0.0;
  for (int d = 0; d < 3; ++d) {
    const double g = q[d] < b[d] ? b[d] - q[d] : (q[d] > b[3 + d] ? q[d] - b[3 + d] : 0.0);
    s += g * g;
  }
  return s;
}

static double tree_query(view v, size_t node, int64_t lo, int64_t hi, double qx, double qy, double qz, double best)
{
  if (hi - lo <= LEAF)
    return scan(v.x, v.y, v.z, lo, hi, qx, qy, qz, best);
  const int64_t mid = lo + (hi - lo) / 2;
  const size_t left = 2 * node + 1, right = 2 * node + 2;
  const double dl = box_distance2(v.box + 6 * left, qx, qy, qz), dr = box_distance2(v.box + 6 * right, qx, qy, qz);
  if (dl <= dr) {
    if (dl < best)
      best = tree_query(v, left, lo, mid, qx, qy, qz, best);
    if (dr < best)
      best = tree_query(v, right, mid, hi, qx, qy, qz, best);
  } else {
    if (dr < best)
      best = tree_query(v, right, mid, hi, qx, qy, qz, best);
    if (dl < best)
      best = tree_query(v, left, lo, mid, qx, qy, qz, best);
  }
  return best;
}

/* Sum over a of the distance to the nearest point of b, a BLOCK of a's points at a time against
 * every point of b (lanes over a: good whatever the sizes). */
LIMIT_CLONES static double directed_blocked(view a, view b)
{
  double lanes[BLOCK];
#pragma omp simd
  for (int l = 0; l < BLOCK; ++l)
    lanes[l] = 0.0;
  int64_t i = 0;
  for (; i + BLOCK <= a.n; i += BLOCK) {
    const double *qx = a.x + i, *qy = a.y + i, *qz = a.z + i;
    double m[BLOCK];
#pragma omp simd
    for (int l = 0; l < BLOCK; ++l)
      m[l] = INFINITY;
    for (int64_t j = 0; j < b.n; ++j) {
      const double bx = b.x[j], by = b.y[j], bz = b.z[j];
#pragma omp simd
      for (int l = 0; l < BLOCK; ++l) {
        const double dx = qx[l] - bx, dy = qy[l] - by, dz = qz[l] - bz;
        const double d = dx * dx + dy * dy + dz * dz;
        m[l] = d < m[l] ? d : m[l];
      }
    }
#pragma omp simd
    for (int l = 0; l < BLOCK; ++l)
      lanes[l] += sqrt(m[l]);
  }
  double total = 0.0;
  for (int l = 0; l < BLOCK; ++l)
    total += lanes[l];
  for (; i < a.n; ++i)
    total += sqrt(scan(b.x, b.y, b.z, 0, b.n, a.x[i], a.y[i], a.z[i], INFINITY));
  return total;
}

/* Mean over a of the distance to the nearest point of b. */
static double directed(view a, view b)
{
  if (!b.box)
    return directed_blocked(a, b) / (double)a.n;
  /* Tree queries, each started from an upper bound: the previous query's nearest distance grown by
   * the step between the two queries (a's points are in tree order when a has a tree, so steps are
   * short). The bound is widened for rounding; if nothing lies below it, the query runs again. */
  double total = 0.0, previous = INFINITY;
  for (int64_t i = 0; i < a.n; ++i) {
    double start = INFINITY;
    if (i > 0) {
      const double dx = a.x[i] - a.x[i - 1], dy = a.y[i] - a.y[i - 1], dz = a.z[i] - a.z[i - 1];
      const double reach = previous + sqrt(dx * dx + dy * dy + dz * dz);
      start = reach * reach * (1.0 + 1e-9);
    }
    double nearest = tree_query(b, 0, 0, b.n, a.x[i], a.y[i], a.z[i], start);
    if (nearest == start)
      nearest = tree_query(b, 0, 0, b.n, a.x[i], a.y[i], a.z[i], INFINITY);
    previous = sqrt(nearest);
    total += previous;
  }
  return total / (double)a.n;
}

static double chamfer_max(view a, view b)
{
  const double ab = directed(a, b), ba = directed(b, a);
  return ab > ba ? ab : ba;
}

static int64_t *distinct(const int64_t *values, size_t n, size_t *k)
{
  int64_t *v = malloc((n + 1) * sizeof *v);
  if (!v)
    return NULL;
  memcpy(v, values, n * sizeof *v);
  qsort(v, n, sizeof *v, compare_int64);
  size_t m = 0;
  for (size_t i = 0; i < n; ++i)
    if (m == 0 || v[i] != v[m - 1])
      v[m++] = v[i];
  *k = m;
  return v;
}

typedef struct sized_pair {
  double work;
  size_t index;
} sized_pair;

static int by_work_descending(const void *pa, const void *pb)
{
  const sized_pair *a = pa, *b = pb;
  return (a->work < b->work) - (a->work > b->work);
}

/* The exact Max-metric Chamfer value of each pair (source id pair_a[i], target id pair_b[i]) into
 * values[i]. Returns the seconds the work took (grouping, trees, values), or -1 when out of memory
 * or when a pair names a cluster the clouds do not hold. */
double scipar_limit_values(const double *a, const int64_t *a_labels, size_t na, const double *b,
                           const int64_t *b_labels, size_t nb, const int64_t *pair_a, const int64_t *pair_b,
                           size_t num_pairs, int threads, double *values)
{
  const double start = now();
  size_t ka, kb;
  int64_t *ids_a = distinct(pair_a, num_pairs, &ka), *ids_b = distinct(pair_b, num_pairs, &kb);
  group ga, gb;
  memset(&ga, 0, sizeof ga);
  memset(&gb, 0, sizeof gb);
  sized_pair *order = malloc((num_pairs + 1) * sizeof *order);
  int64_t *slot_a = malloc((num_pairs + 1) * sizeof *slot_a), *slot_b = malloc((num_pairs + 1) * sizeof *slot_b);
  double seconds = -1.0;
  if (!ids_a || !ids_b || !order || !slot_a || !slot_b) {
    free(ids_a);
    free(ids_b);
    goto done;
  }
  if (!group_points(a, a_labels, na, ids_a, ka, threads, &ga) || !group_points(b, b_labels, nb, ids_b, kb, threads, &gb))
    goto done;
  for (size_t i = 0; i < num_pairs; ++i) {
    slot_a[i] = slot_of(ga.ids, ga.k, pair_a[i]);
    slot_b[i] = slot_of(gb.ids, gb.k, pair_b[i]);
    if (ga.start[slot_a[i] + 1] == ga.start[slot_a[i]] || gb.start[slot_b[i] + 1] == gb.start[slot_b[i]])
      goto done; /* a cluster with no point */
    order[i] = (sized_pair){(double)(ga.start[slot_a[i] + 1] - ga.start[slot_a[i]]) *
                              (double)(gb.start[slot_b[i] + 1] - gb.start[slot_b[i]]), i};
  }
  qsort(order, num_pairs, sizeof *order, by_work_descending);
  const long long np = (long long)num_pairs;
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
  for (long long p = 0; p < np; ++p) {
    const size_t i = order[p].index;
    values[i] = chamfer_max(view_of(&ga, (size_t)slot_a[i]), view_of(&gb, (size_t)slot_b[i]));
  }
  seconds = now() - start;
done:
  free_group(&ga);
  free_group(&gb);
  free(order);
  free(slot_a);
  free(slot_b);
  return seconds;
}

/* Every cluster pair, every point pair (Max metric, Euclidean): the nearest target id of every source
 * cluster and the nearest source id of every target cluster (ties to the smaller id), in ascending
 * order of the clusters' ids. Returns seconds, or -1 when out of memory. */
double scipar_brute_force(const double *a, const int64_t *a_labels, size_t na, const double *b,
                          const int64_t *b_labels, size_t nb, int threads, int64_t *a_nearest, int64_t *b_nearest)
{
  const double start = now();
  size_t ka, kb;
  int64_t *ids_a = distinct(a_labels, na, &ka), *ids_b = distinct(b_labels, nb, &kb);
  group ga, gb;
  memset(&ga, 0, sizeof ga);
  memset(&gb, 0, sizeof gb);
  double *value = NULL, seconds = -1.0;
  if (!ids_a || !ids_b) {
    free(ids_a);
    free(ids_b);
    return -1.0;
  }
  /* The brute force uses no tree: every point pair is evaluated. */
  if (!group_points(a, a_labels, na, ids_a, ka, threads, &ga) || !group_points(b, b_labels, nb, ids_b, kb, threads, &gb))
    goto done;
  value = malloc((ka * kb + 1) * sizeof *value);
  if (!value)
    goto done;
  const long long kk = (long long)ka;
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
  for (long long s = 0; s < kk; ++s)
    for (size_t t = 0; t < kb; ++t) {
      view va = view_of(&ga, (size_t)s), vb = view_of(&gb, t);
      va.box = vb.box = NULL;
      const double ab = directed_blocked(va, vb) / (double)va.n, ba = directed_blocked(vb, va) / (double)vb.n;
      value[(size_t)s * kb + t] = ab > ba ? ab : ba;
    }
  for (size_t s = 0; s < ka; ++s) {
    size_t best = 0;
    for (size_t t = 1; t < kb; ++t)
      if (value[s * kb + t] < value[s * kb + best])
        best = t;
    a_nearest[s] = kb ? gb.ids[best] : -1;
  }
  for (size_t t = 0; t < kb; ++t) {
    size_t best = 0;
    for (size_t s = 1; s < ka; ++s)
      if (value[s * kb + t] < value[best * kb + t])
        best = s;
    b_nearest[t] = ka ? ga.ids[best] : -1;
  }
  seconds = now() - start;
done:
  free(value);
  free_group(&ga);
  free_group(&gb);
  return seconds;
}
