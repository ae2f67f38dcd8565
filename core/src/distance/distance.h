/*
 * Stage: distance. Takes two clusters' points (a cluster_view each, with its k-d tree when large) and
 * a value to beat; gives their exact Chamfer value, or gives up as soon as it cannot beat that value.
 * Nearest-point queries inside a cluster (k-d tree, SIMD scan) live here too.
 */
#ifndef SCIPAR_DISTANCE_H
#define SCIPAR_DISTANCE_H

#include "distance/kdtree.h"
#include "scipar/scipar.h"

/* One cluster's points, structure of arrays, with its k-d tree when it is large. */
typedef struct cluster_view {
  const double *x, *y, *z;
  int64_t n;
  kdtree_view tree; /* tree.split_value is NULL for a cluster searched by brute force */
} cluster_view;

/* Computes the Chamfer value of (a, b) into *value and returns 1, or returns 0 as soon as the value is
 * certain to exceed stop (pass INFINITY for no early exit). A returned value may still exceed stop. The value does not depend on stop, and
 * chamfer(a, b) is always evaluated as d(a->b) then d(b->a), so it is bit-identical whichever side
 * asks: callers must pass the source cluster as a. */
int chamfer_bounded(cluster_view a, cluster_view b, scipar_metric metric, int squared, double stop,
                    double *value);

#endif
