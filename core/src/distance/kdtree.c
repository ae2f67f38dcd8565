#include "distance/kdtree.h"

#include <math.h>
#include <stdlib.h>

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

/* The build works on a copy of the points as xyz triples: a swap then moves one contiguous triple
 * instead of three scattered values (measured: 6% off a whole run on 20 clusters of 50k points). */
typedef struct triple {
  double c[3];
} triple;

/* Partially orders v[lo, hi) along dim so that position k holds the value it would hold if sorted,
 * with no larger value before it and no smaller one after it (Hoare's selection). */
static void select_kth(triple *v, int dim, int64_t lo, int64_t hi, int64_t k)
{
  while (hi - lo > 1) {
    /* Median of three as pivot: deterministic and robust to sorted input. */
    const int64_t mid = lo + (hi - lo) / 2;
    triple t;
#define SWAP(a, b) (t = v[a], v[a] = v[b], v[b] = t)
    if (v[mid].c[dim] < v[lo].c[dim])
      SWAP(mid, lo);
    if (v[hi - 1].c[dim] < v[lo].c[dim])
      SWAP(hi - 1, lo);
    if (v[hi - 1].c[dim] < v[mid].c[dim])
      SWAP(hi - 1, mid);
    const double pivot = v[mid].c[dim];
    int64_t i = lo, j = hi - 1;
    while (i <= j) {
      while (v[i].c[dim] < pivot)
        ++i;
      while (v[j].c[dim] > pivot)
        --j;
      if (i <= j) {
        SWAP(i, j);
        ++i;
        --j;
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

/* Splits along the widest side of the node's box, at the median point. The box is the parent's cut at
 * the split plane, not recomputed from the points: cheaper, and as good a guide to the widest side. */
static void build_node(triple *p, size_t node, int64_t lo, int64_t hi, double box_min[3], double box_max[3],
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
  const double split = p[mid].c[dim];
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

int kdtree_build(double *x, double *y, double *z, int64_t n, double *split_value, unsigned char *split_dim)
{
  triple *p = malloc((size_t)n * sizeof *p);
  if (!p)
    return 0;
  double box_min[3] = {INFINITY, INFINITY, INFINITY}, box_max[3] = {-INFINITY, -INFINITY, -INFINITY};
  for (int64_t i = 0; i < n; ++i) {
    p[i] = (triple){{x[i], y[i], z[i]}};
    for (int d = 0; d < 3; ++d) {
      box_min[d] = p[i].c[d] < box_min[d] ? p[i].c[d] : box_min[d];
      box_max[d] = p[i].c[d] > box_max[d] ? p[i].c[d] : box_max[d];
    }
  }
  build_node(p, 0, 0, n, box_min, box_max, split_value, split_dim);
  for (int64_t i = 0; i < n; ++i) {
    x[i] = p[i].c[0];
    y[i] = p[i].c[1];
    z[i] = p[i].c[2];
  }
  free(p);
  return 1;
}
