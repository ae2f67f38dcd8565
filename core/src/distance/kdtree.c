#include "distance/kdtree.h"

#include <math.h>
#include <stdlib.h>

size_t kdtree_num_nodes(int64_t n, int leaf_size)
{
  /* The deepest path always takes the larger half, ceil(n / 2). */
  size_t depth = 0;
  for (int64_t m = n; m > leaf_size; m = m - m / 2)
    ++depth;
  return ((size_t)1 << (depth + 1)) - 1;
}

/* The build works on a copy of the points as xyz triples (with their label, for an index): a swap
 * then moves one contiguous record instead of scattered values (measured: 6% off a whole run on 20
 * clusters of 50k points). */
typedef struct triple {
  double c[3];
} triple;

typedef struct labelled {
  double c[3];
  int64_t label;
} labelled;

/* Below this many points a subtree is built by the thread that reached it, not as a new task. */
enum { TASK_MIN_POINTS = 32768 };

/* KDTREE_DEFINE_BUILD(name, type) defines
 *   static void select_kth_name(type *v, int dim, int64_t lo, int64_t hi, int64_t k): partially orders
 *     v[lo, hi) along dim so that position k holds the value it would hold if sorted, with no larger
 *     value before it and no smaller one after it (Hoare's selection, median of three: deterministic);
 *   static void build_node_name(...): splits along the widest side of the node's cell at the median
 *     point. The cell is the parent's cut at the split plane, not recomputed from the points: cheaper,
 *     and as good a guide to the widest side. Large subtrees become OpenMP tasks (the result does not
 *     depend on which thread builds what). */
#define KDTREE_DEFINE_BUILD(name, type)                                                                             \
  static void select_kth_##name(type *v, int dim, int64_t lo, int64_t hi, int64_t k)                               \
  {                                                                                                                 \
    while (hi - lo > 1) {                                                                                           \
      const int64_t mid = lo + (hi - lo) / 2;                                                                       \
      type t;                                                                                                       \
      if (v[mid].c[dim] < v[lo].c[dim])                                                                             \
        t = v[mid], v[mid] = v[lo], v[lo] = t;                                                                      \
      if (v[hi - 1].c[dim] < v[lo].c[dim])                                                                          \
        t = v[hi - 1], v[hi - 1] = v[lo], v[lo] = t;                                                                \
      if (v[hi - 1].c[dim] < v[mid].c[dim])                                                                         \
        t = v[hi - 1], v[hi - 1] = v[mid], v[mid] = t;                                                              \
      const double pivot = v[mid].c[dim];                                                                           \
      int64_t i = lo, j = hi - 1;                                                                                   \
      while (i <= j) {                                                                                              \
        while (v[i].c[dim] < pivot)                                                                                 \
          ++i;                                                                                                      \
        while (v[j].c[dim] > pivot)                                                                                 \
          --j;                                                                                                      \
        if (i <= j) {                                                                                               \
          t = v[i], v[i] = v[j], v[j] = t;                                                                          \
          ++i;                                                                                                      \
          --j;                                                                                                      \
        }                                                                                                           \
      }                                                                                                             \
      if (k <= j)                                                                                                   \
        hi = j + 1;                                                                                                 \
      else if (k >= i)                                                                                              \
        lo = i;                                                                                                     \
      else                                                                                                          \
        return;                                                                                                     \
    }                                                                                                               \
  }                                                                                                                 \
                                                                                                                    \
  static void build_node_##name(type *p, size_t node, int64_t lo, int64_t hi, const double cell_min[3],             \
                                const double cell_max[3], int leaf_size, double *split_value,                       \
                                unsigned char *split_dim)                                                           \
  {                                                                                                                 \
    if (hi - lo <= leaf_size)                                                                                       \
      return;                                                                                                       \
    int dim = 0;                                                                                                    \
    for (int d = 1; d < 3; ++d)                                                                                     \
      if (cell_max[d] - cell_min[d] > cell_max[dim] - cell_min[dim])                                                \
        dim = d;                                                                                                    \
    const int64_t mid = lo + (hi - lo) / 2;                                                                         \
    select_kth_##name(p, dim, lo, hi, mid);                                                                         \
    const double split = p[mid].c[dim];                                                                             \
    split_dim[node] = (unsigned char)dim;                                                                           \
    split_value[node] = split;                                                                                      \
    double left_max[3] = {cell_max[0], cell_max[1], cell_max[2]};                                                   \
    double right_min[3] = {cell_min[0], cell_min[1], cell_min[2]};                                                  \
    left_max[dim] = split;                                                                                          \
    right_min[dim] = split;                                                                                         \
    if (hi - lo >= TASK_MIN_POINTS) {                                                                               \
      _Pragma("omp task default(shared) firstprivate(node, lo, mid)")                                             \
        build_node_##name(p, 2 * node + 1, lo, mid, cell_min, left_max, leaf_size, split_value, split_dim);        \
      build_node_##name(p, 2 * node + 2, mid, hi, right_min, cell_max, leaf_size, split_value, split_dim);          \
      _Pragma("omp taskwait")                                                                                     \
    } else {                                                                                                        \
      build_node_##name(p, 2 * node + 1, lo, mid, cell_min, left_max, leaf_size, split_value, split_dim);          \
      build_node_##name(p, 2 * node + 2, mid, hi, right_min, cell_max, leaf_size, split_value, split_dim);          \
    }                                                                                                               \
  }

KDTREE_DEFINE_BUILD(triple, triple)
KDTREE_DEFINE_BUILD(labelled, labelled)

static void cell_of(const double *x, const double *y, const double *z, int64_t n, double cell_min[3], double cell_max[3])
{
  for (int d = 0; d < 3; ++d) {
    cell_min[d] = INFINITY;
    cell_max[d] = -INFINITY;
  }
  for (int64_t i = 0; i < n; ++i) {
    const double p[3] = {x[i], y[i], z[i]};
    for (int d = 0; d < 3; ++d) {
      cell_min[d] = p[d] < cell_min[d] ? p[d] : cell_min[d];
      cell_max[d] = p[d] > cell_max[d] ? p[d] : cell_max[d];
    }
  }
}

int kdtree_build(double *x, double *y, double *z, int64_t n, int leaf_size, double *split_value,
                 unsigned char *split_dim)
{
  triple *p = malloc((size_t)n * sizeof *p);
  if (!p)
    return 0;
  double cell_min[3], cell_max[3];
  cell_of(x, y, z, n, cell_min, cell_max);
  for (int64_t i = 0; i < n; ++i)
    p[i] = (triple){{x[i], y[i], z[i]}};
  build_node_triple(p, 0, 0, n, cell_min, cell_max, leaf_size, split_value, split_dim);
  for (int64_t i = 0; i < n; ++i) {
    x[i] = p[i].c[0];
    y[i] = p[i].c[1];
    z[i] = p[i].c[2];
  }
  free(p);
  return 1;
}

int kdtree_build_labelled(double *x, double *y, double *z, int64_t *labels, int64_t n, int leaf_size,
                          int num_threads, double *split_value, unsigned char *split_dim)
{
  labelled *p = malloc((size_t)n * sizeof *p);
  if (!p)
    return 0;
  double cell_min[3], cell_max[3];
  cell_of(x, y, z, n, cell_min, cell_max);
  const long long nn = (long long)n;
  /* One region (on a busy machine each costs milliseconds of waiting for the team): the build's tasks
   * are done by the end of the single. */
#pragma omp parallel num_threads(num_threads)
  {
#pragma omp for schedule(static)
    for (long long i = 0; i < nn; ++i)
      p[i] = (labelled){{x[i], y[i], z[i]}, labels[i]};
#pragma omp single
    build_node_labelled(p, 0, 0, n, cell_min, cell_max, leaf_size, split_value, split_dim);
#pragma omp for schedule(static)
    for (long long i = 0; i < nn; ++i) {
      x[i] = p[i].c[0];
      y[i] = p[i].c[1];
      z[i] = p[i].c[2];
      labels[i] = p[i].label;
    }
  }
  free(p);
  return 1;
}
