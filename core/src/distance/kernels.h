/*
 * The distance loops, compiled once per instruction set (portable, AVX2, AVX-512) and chosen once at
 * run time for the processor: every user gets the SIMD width their machine has, from one build.
 *
 * Every variant computes bit-identical results: the loops are written with explicit lanes (a fixed
 * number, whatever the vector width), so the order of every rounded operation is set by the source,
 * and the build forbids contracting a multiply and an add into one rounding (-ffp-contract=off).
 */
#ifndef SCIPAR_KERNELS_H
#define SCIPAR_KERNELS_H

#include "distance/kdtree.h"

#include <stddef.h>
#include <stdint.h>

/* Lanes of every SIMD loop, and of the canonical sum of a directed Chamfer value: term i is added to
 * lane i % SIMD_LANES, and the lanes are summed pairwise at the end. */
enum { SIMD_LANES = 8 };

/* One cluster's points, structure of arrays, with its k-d tree when it is large. */
typedef struct cluster_view {
  const double *x, *y, *z;
  int64_t n;
  kdtree_view tree; /* tree.split_value is NULL for a cluster searched by brute force */
} cluster_view;

/* Points in k-d tree order with a tight box per heap-numbered node (min x y z, max x y z): the
 * search stage's index over a whole cloud. */
typedef struct boxed_tree_view {
  const double *x, *y, *z;
  int64_t n;
  const double *box; /* [6 * nodes] */
  int leaf_size;
} boxed_tree_view;

/* Points sorted by the cell of a uniform grid (x fastest, then y, then z): cell c holds points
 * cell_start[c] .. cell_start[c + 1]; a point's cell along axis d is floor((p[d] - origin[d]) *
 * inverse_width), clamped to [0, dims[d]). */
typedef struct grid_view {
  const double *x, *y, *z;
  const int64_t *cell_start;
  int64_t dims[3];
  double origin[3], inverse_width;
} grid_view;

/* A point's cell index along one axis of a grid, clamped: every caller computes it this way, so that
 * a query's range of cells and the cells points were sorted into agree to the last rounding. */
static inline int64_t grid_cell_along(double coordinate, double origin, double inverse_width, int64_t dim)
{
  const double at = (coordinate - origin) * inverse_width;
  if (!(at >= 0.0))
    return 0;
  return at >= (double)(dim - 1) ? dim - 1 : (int64_t)at;
}

/* What a directed evaluation is asked: d(a->b) as the mean (or for Hausdorff the max) over a of the
 * nearest distance in b (squared or not). The evaluation stops early, returning 0, once
 * (base + partial mean) * scale > stop is certain, or for Hausdorff a term exceeds stop. */
typedef struct directed_query {
  cluster_view a, b;
  int squared, hausdorff;
  double base, scale, stop;
} directed_query;

/* Called for each point of a visit within the radius: returns the squared radius to go on with
 * (the same, or smaller to narrow the visit). */
typedef double (*point_visitor)(void *context, int64_t point, double distance_squared);

typedef struct simd_kernels {
  const char *name;
  /* Evaluates q into *value and returns 1, or returns 0 on an early exit. */
  int (*directed)(const directed_query *q, double *value);
  /* Squared distance from p to its nearest point of b, and that point's index. */
  double (*nearest)(cluster_view b, const double p[3], int64_t *index);
  /* Calls visit for every point of b at squared distance at most radius2 from p, nearer subtrees
   * first, radius2 being what the last call returned. */
  void (*visit)(boxed_tree_view b, const double p[3], double radius2, point_visitor visit, void *context);
  /* The points of b at squared distance at most radius2 from p, as indices into b and their squared
   * distances, at most max_hits of them; returns their number, or -1 when there are more or when the
   * leaves scanned cost more than *budget (which they are taken from). */
  int64_t (*gather)(boxed_tree_view b, const double p[3], double radius2, int64_t *hit, double *hit_squared,
                    int64_t max_hits, int64_t *budget);
  /* The same over a grid: every point within the radius is met (the cells scanned are widened for
   * rounding), in cell order. */
  int64_t (*gather_grid)(grid_view g, const double p[3], double radius2, int64_t *hit, double *hit_squared,
                         int64_t max_hits, int64_t *budget);
} simd_kernels;

/* The variants, those this build has (NULL for the others). */
extern const simd_kernels simd_kernels_portable;
#if defined(SCIPAR_X86_VARIANTS)
extern const simd_kernels simd_kernels_avx2;
extern const simd_kernels simd_kernels_avx512;
#endif

/* The variant in use: the widest the processor supports, or the one named by the environment variable
 * SCIPAR_SIMD (portable, avx2, avx512) when the processor supports it; chosen at the first call. */
const simd_kernels *simd_kernels_get(void);

/* For tests: use the named variant from now on. Returns 0 (and changes nothing) when this build or
 * this processor does not have it. */
int simd_kernels_force(const char *name);

#endif
