#include "kdtree.h"

#include "nearest_scan.h"

#include <math.h>

size_t kdtree_num_nodes(int64_t n)
{
  if (n < KDTREE_MIN_POINTS)
    return 0;
  /* The deepest path always takes the larger half, ceil(n / 2). */
  size_t depth = 0;
  for (int64_t m = n; m > KDTREE_LEAF_SIZE; m = m - m / 2)
    ++depth;
  return ((size_t)1 << (depth + 1)) - 1;
}

typedef struct points {
  double *c[3];
} points;

static void swap_points(points *p, int64_t i, int64_t j)
{
  for (int d = 0; d < 3; ++d) {
    const double t = p->c[d][i];
    p->c[d][i] = p->c[d][j];
    p->c[d][j] = t;
  }
}

/* Partially orders [lo, hi) along dim so that position k holds the value it would hold if sorted,
 * with no larger value before it and no smaller one after it (Hoare's selection). */
static void select_kth(points *p, int dim, int64_t lo, int64_t hi, int64_t k)
{
  const double *v = p->c[dim];
  while (hi - lo > 1) {
    /* Median of three as pivot: deterministic and robust to sorted input. */
    const int64_t mid = lo + (hi - lo) / 2;
    if (v[mid] < v[lo])
      swap_points(p, mid, lo);
    if (v[hi - 1] < v[lo])
      swap_points(p, hi - 1, lo);
    if (v[hi - 1] < v[mid])
      swap_points(p, hi - 1, mid);
    const double pivot = v[mid];
    int64_t i = lo, j = hi - 1;
    while (i <= j) {
      while (v[i] < pivot)
        ++i;
      while (v[j] > pivot)
        --j;
      if (i <= j) {
        swap_points(p, i, j);
        ++i;
        --j;
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

/* Splits along the widest side of the node's box, at the median point. The box is the parent's cut at
 * the split plane, not recomputed from the points: cheaper, and as good a guide to the widest side. */
static void build_node(points *p, size_t node, int64_t lo, int64_t hi, double box_min[3], double box_max[3],
                       double *split_value, unsigned char *split_dim)
{
  if (hi - lo <= KDTREE_LEAF_SIZE)
    return;
  int dim = 0;
  for (int d = 1; d < 3; ++d)
    if (box_max[d] - box_min[d] > box_max[dim] - box_min[dim])
      dim = d;
  const int64_t mid = lo + (hi - lo) / 2;
  select_kth(p, dim, lo, hi, mid);
  const double split = p->c[dim][mid];
  split_dim[node] = (unsigned char)dim;
  split_value[node] = split;
  const double saved_max = box_max[dim], saved_min = box_min[dim];
  box_max[dim] = split;
  build_node(p, 2 * node + 1, lo, mid, box_min, box_max, split_value, split_dim);
  box_max[dim] = saved_max;
  box_min[dim] = split;
  build_node(p, 2 * node + 2, mid, hi, box_min, box_max, split_value, split_dim);
  box_min[dim] = saved_min;
}

void kdtree_build(double *x, double *y, double *z, int64_t n, double *split_value, unsigned char *split_dim)
{
  points p = {{x, y, z}};
  double box_min[3], box_max[3];
  for (int d = 0; d < 3; ++d) {
    double a = INFINITY, b = -INFINITY;
    for (int64_t i = 0; i < n; ++i) {
      const double v = p.c[d][i];
      a = v < a ? v : a;
      b = v > b ? v : b;
    }
    box_min[d] = a;
    box_max[d] = b;
  }
  build_node(&p, 0, 0, n, box_min, box_max, split_value, split_dim);
}

typedef struct search {
  const double *c[3];
  kdtree_view tree;
  double q[3];
  double off[3]; /* per axis, the offset from q to the current cell (Arya and Mount) */
  double best;
} search;

/* The far side's bound is rounded; searching it when it is within a relative 1e-12 of the best keeps
 * the result the exact brute-force minimum. */
static const double FAR_SIDE_SLACK = 1.0 + 1e-12;

static void search_node(search *s, size_t node, int64_t lo, int64_t hi, double cell_distance)
{
  if (hi - lo <= KDTREE_LEAF_SIZE) {
    s->best = nearest_scan(s->c[0], s->c[1], s->c[2], lo, hi, s->q[0], s->q[1], s->q[2], s->best);
    return;
  }
  const int dim = s->tree.split_dim[node];
  const int64_t mid = lo + (hi - lo) / 2;
  const double diff = s->q[dim] - s->tree.split_value[node];
  const int near_is_left = diff <= 0.0;
  if (near_is_left)
    search_node(s, 2 * node + 1, lo, mid, cell_distance);
  else
    search_node(s, 2 * node + 2, mid, hi, cell_distance);
  const double old = s->off[dim];
  const double far_distance = cell_distance - old * old + diff * diff;
  if (far_distance < s->best * FAR_SIDE_SLACK) {
    s->off[dim] = diff;
    if (near_is_left)
      search_node(s, 2 * node + 2, mid, hi, far_distance);
    else
      search_node(s, 2 * node + 1, lo, mid, far_distance);
    s->off[dim] = old;
  }
}

double kdtree_nearest_squared(const double *x, const double *y, const double *z, int64_t n, kdtree_view tree,
                              const double q[3])
{
  search s = {{x, y, z}, tree, {q[0], q[1], q[2]}, {0.0, 0.0, 0.0}, INFINITY};
  search_node(&s, 0, 0, n, 0.0);
  return s.best;
}
