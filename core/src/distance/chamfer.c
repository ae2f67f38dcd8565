#include "distance/distance.h"

#include "call/scale.h"

#include <math.h>
#include <stdlib.h>

int chamfer_bounded(cluster_view a, cluster_view b, scipar_metric metric, int squared, double stop,
                    double *value)
{
  const simd_kernels *kernels = simd_kernels_get();
  const int hausdorff = metric == SCIPAR_METRIC_HAUSDORFF;
  const int additive = metric == SCIPAR_METRIC_SUM || metric == SCIPAR_METRIC_MEAN;
  const double scale = metric == SCIPAR_METRIC_MEAN ? 0.5 : 1.0;
  directed_query q = {a, b, squared, hausdorff, 0.0, scale, stop};
  double ab, ba;
  if (!kernels->directed(&q, &ab))
    return 0;
  /* For Max and Hausdorff, ab <= stop here, so max(ab, partial) > stop iff partial > stop. */
  q = (directed_query){b, a, squared, hausdorff, additive ? ab : 0.0, scale, stop};
  if (!kernels->directed(&q, &ba))
    return 0;
  *value = additive ? (ab + ba) * scale : (ab > ba ? ab : ba);
  return 1;
}

int chamfer_one_sided_bounded(cluster_view a, cluster_view b, scipar_metric metric, int squared, double stop,
                              double *value)
{
  const directed_query q = {a, b, squared, metric == SCIPAR_METRIC_HAUSDORFF, 0.0,
                            metric == SCIPAR_METRIC_SUM ? 2.0 : 1.0, stop};
  double ab;
  if (!simd_kernels_get()->directed(&q, &ab))
    return 0;
  *value = ab * q.scale;
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
  /* In scaled units when coordinates are extreme, as scipar_match computes (call/scale.h). */
  double largest = 0.0;
  for (size_t i = 0; i < 3 * num_a; ++i)
    largest = fmax(largest, fabs(a[i]));
  for (size_t i = 0; i < 3 * num_b; ++i)
    largest = fmax(largest, fabs(b[i]));
  const int exponent = scale_exponent(largest);
  double *sa = soa;
  double *sb = soa + 3 * num_a;
  for (size_t i = 0; i < num_a; ++i)
    for (int d = 0; d < 3; ++d)
      sa[d * num_a + i] = times_power_of_two(a[3 * i + d], exponent);
  for (size_t i = 0; i < num_b; ++i)
    for (int d = 0; d < 3; ++d)
      sb[d * num_b + i] = times_power_of_two(b[3 * i + d], exponent);
  const cluster_view va = {sa, sa + num_a, sa + 2 * num_a, (int64_t)num_a, {NULL, NULL, 0}};
  const cluster_view vb = {sb, sb + num_b, sb + 2 * num_b, (int64_t)num_b, {NULL, NULL, 0}};
  double value = NAN;
  chamfer_bounded(va, vb, metric, squared, INFINITY, &value);
  free(soa);
  return times_power_of_two(value, squared ? -2 * exponent : -exponent);
}
