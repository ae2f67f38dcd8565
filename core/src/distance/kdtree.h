/* A k-d tree over points, built in place: the points are reordered inside their range so that every
 * node is a contiguous range, and only split planes are stored. Queries are in kernels_body.h,
 * compiled once per instruction set. */
#ifndef SCIPAR_KDTREE_H
#define SCIPAR_KDTREE_H

#include <stddef.h>
#include <stdint.h>

/* Points per leaf of a cluster's tree: leaves are scanned with the same SIMD loop as small clusters. */
enum { KDTREE_LEAF_SIZE = 64 };

/* Clusters smaller than this are searched by brute force: below it a tree does not pay. */
enum { KDTREE_MIN_POINTS = 256 };

typedef struct kdtree_view {
  const double *split_value; /* heap-numbered nodes: children of i are 2i+1 and 2i+2 */
  const unsigned char *split_dim;
  int leaf_size;
} kdtree_view;

/* Number of heap slots a tree over n points with leaves of at most leaf_size points uses. */
size_t kdtree_num_nodes(int64_t n, int leaf_size);

/* Builds the tree over points [0, n) of x, y, z, reordering them. Returns 0 if out of memory (it
 * needs a copy of the points while it works). */
int kdtree_build(double *x, double *y, double *z, int64_t n, int leaf_size, double *split_value,
                 unsigned char *split_dim);

/* The same, reordering a label per point with the points, on num_threads threads (the tree does not
 * depend on their number). */
int kdtree_build_labelled(double *x, double *y, double *z, int64_t *labels, int64_t n, int leaf_size,
                          int num_threads, double *split_value, unsigned char *split_dim);

#endif
