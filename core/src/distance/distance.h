/*
 * Stage: distance. Takes two clusters' points (a cluster_view each, with its k-d tree when large) and
 * a value to beat; gives their exact Chamfer value, or gives up as soon as it cannot beat that value.
 * Nearest-point queries inside a cluster (k-d tree, SIMD scans, one variant per instruction set) live
 * here too (kernels.h).
 */
#ifndef SCIPAR_DISTANCE_H
#define SCIPAR_DISTANCE_H

#include "distance/kernels.h"
#include "scipar/scipar.h"

/* Computes the Chamfer value of (a, b) into *value and returns 1, or returns 0 as soon as the value is
 * certain to exceed stop (pass INFINITY for no early exit). A returned value may still exceed stop.
 * The value does not depend on stop, nor on the SIMD variant, and chamfer(a, b) is always evaluated
 * as d(a->b) then d(b->a), so it is bit-identical whichever side asks: callers must pass the source
 * cluster as a. */
int chamfer_bounded(cluster_view a, cluster_view b, scipar_metric metric, int squared, double stop,
                    double *value);

/* The one-sided value of a towards b: how far a's points lie from b, in the metric's units (the value
 * the metric would give if both directions equalled d(a->b): d(a->b) for Max and Mean, 2 d(a->b) for
 * Sum, the largest nearest-point distance from a for Hausdorff). Small when a lies near or inside b,
 * whatever b holds besides. Same contract as chamfer_bounded. */
int chamfer_one_sided_bounded(cluster_view a, cluster_view b, scipar_metric metric, int squared, double stop,
                              double *value);

#endif
