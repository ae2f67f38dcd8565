#include "distance/distance.h"

#include "distance/nearest_scan.h"

#include <math.h>
#include <stdlib.h>

/* Squared distance from (px, py, pz) to its nearest point of b: the tree and the scan give the same
 * exact minimum. */
static double nearest_squared(double px, double py, double pz, cluster_view b)
{
  if (b.tree.split_value) {
    const double q[3] = {px, py, pz};
    return kdtree_nearest_squared(b.x, b.y, b.z, b.n, b.tree, q);
  }
  return nearest_scan(b.x, b.y, b.z, 0, b.n, px, py, pz, INFINITY);
}

/* How often the running mean is checked against the bound: often enough to exit early, rarely
 * enough that the division does not show. */
enum { MEAN_CHECK_INTERVAL = 16 };

/* d(a->b): mean (or, for Hausdorff, max) over a of the nearest distance in b. Returns 0 once
 * (base + partial) * scale > stop is certain. Partial sums and maxima of non-negative terms only
 * grow, in floating point too, so an early exit never drops a value that would not exceed stop. */
static int directed(cluster_view a, cluster_view b, int squared, int hausdorff, double base,
                    double scale, double stop, double *value)
{
  double acc = 0.0;
  for (int64_t i = 0; i < a.n; ++i) {
    double d = nearest_squared(a.x[i], a.y[i], a.z[i], b);
    if (!squared)
      d = sqrt(d);
    if (hausdorff) {
      acc = d > acc ? d : acc;
      if (acc > stop)
        return 0;
    } else {
      acc += d;
      if (i % MEAN_CHECK_INTERVAL == MEAN_CHECK_INTERVAL - 1 && (base + acc / (double)a.n) * scale > stop)
        return 0;
    }
  }
  *value = hausdorff ? acc : acc / (double)a.n;
  return 1;
}

int chamfer_bounded(cluster_view a, cluster_view b, scipar_metric metric, int squared, double stop,
                    double *value)
{
  const int hausdorff = metric == SCIPAR_METRIC_HAUSDORFF;
  const int additive = metric == SCIPAR_METRIC_SUM || metric == SCIPAR_METRIC_MEAN;
  const double scale = metric == SCIPAR_METRIC_MEAN ? 0.5 : 1.0;
  double ab, ba;
  if (!directed(a, b, squared, hausdorff, 0.0, scale, stop, &ab))
    return 0;
  /* For Max and Hausdorff, ab <= stop here, so max(ab, partial) > stop iff partial > stop. */
  if (!directed(b, a, squared, hausdorff, additive ? ab : 0.0, scale, stop, &ba))
    return 0;
  *value = additive ? (ab + ba) * scale : (ab > ba ? ab : ba);
  return 1;
}

double scipar_chamfer(const double *a, size_t num_a, const double *b, size_t num_b,
                      scipar_metric metric, int squared)
{
  if (!a || !b || num_a == 0 || num_b == 0 || !scipar_metric_name(metric))
    return NAN;
  double *soa = malloc(3 * (num_a + num_b) * sizeof *soa);
  if (!soa)
    return NAN;
  double *sa = soa;
  double *sb = soa + 3 * num_a;
  for (size_t i = 0; i < num_a; ++i)
    for (int d = 0; d < 3; ++d)
      sa[d * num_a + i] = a[3 * i + d];
  for (size_t i = 0; i < num_b; ++i)
    for (int d = 0; d < 3; ++d)
      sb[d * num_b + i] = b[3 * i + d];
  const cluster_view va = {sa, sa + num_a, sa + 2 * num_a, (int64_t)num_a, {NULL, NULL}};
  const cluster_view vb = {sb, sb + num_b, sb + 2 * num_b, (int64_t)num_b, {NULL, NULL}};
  double value = NAN;
  chamfer_bounded(va, vb, metric, squared, INFINITY, &value);
  free(soa);
  return value;
}
