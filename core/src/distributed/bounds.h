/* Upper bounds of the Chamfer value of two clusters known only by their summaries. The search stage's
 * box bound (farthest corners) holds for any points in the boxes; this one uses how the points spread
 * around their centroids, and is far tighter for a cluster and its next frame. */
#ifndef SCIPAR_DISTRIBUTED_BOUNDS_H
#define SCIPAR_DISTRIBUTED_BOUNDS_H

#include "distributed/records.h"
#include "scipar/scipar.h"

/* At least the Chamfer value of a and b (a as the source). The boxes' bound, or, tighter: for a point
 * p of a, the nearest point of b is no farther than the point of b nearest b's centroid, so
 * d(p, b) <= |p - c_a| + |c_a - c_b| + core_b; the mean over a of that is at most its root mean
 * square (spread_a + |c_a - c_b| + core_b), also for the squares' mean, and its largest value is
 * radius_a + |c_a - c_b| + core_b. */
double summary_upper_bound(scipar_metric metric, int squared, const cluster_summary *a, const cluster_summary *b);

/* The spread, radius and core of points x, y, z[0, n) around a centre. */
void shape_of(const double *x, const double *y, const double *z, int64_t n, const double centre[3], double *spread,
              double *radius, double *core);

#endif
