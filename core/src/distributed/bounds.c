#include "distributed/bounds.h"

#include "search/candidate_search.h"

#include <math.h>

/* The centroid bound carries rounding of sums over up to ~1e9 terms: a relative 1e-6 covers it. */
static const double SLACK = 1.0 + 1e-6;

double summary_upper_bound(scipar_metric metric, int squared, const cluster_summary *a, const cluster_summary *b)
{
  const double boxes = box_upper_bound(metric, squared, a->box_min, a->box_max, b->box_min, b->box_max);
  double apart = 0.0;
  for (int d = 0; d < 3; ++d)
    apart += (a->centroid[d] - b->centroid[d]) * (a->centroid[d] - b->centroid[d]);
  apart = sqrt(apart);
  const int hausdorff = metric == SCIPAR_METRIC_HAUSDORFF;
  double a_to_b = (hausdorff ? a->radius : a->spread) + apart + b->core;
  double b_to_a = (hausdorff ? b->radius : b->spread) + apart + a->core;
  if (squared) {
    a_to_b *= a_to_b;
    b_to_a *= b_to_a;
  }
  double value;
  switch (metric) {
  case SCIPAR_METRIC_SUM: value = a_to_b + b_to_a; break;
  case SCIPAR_METRIC_MEAN: value = (a_to_b + b_to_a) / 2; break;
  default: value = fmax(a_to_b, b_to_a); break;
  }
  value *= SLACK;
  return value < boxes ? value : boxes; /* NaN (a region's shapeless representative) keeps the boxes' */
}

void shape_of(const double *x, const double *y, const double *z, int64_t n, const double centre[3], double *spread,
              double *radius, double *core)
{
  /* Four lanes, so that the compiler vectorises the loop (one pass over every owned point). */
  enum { LANES = 4 };
  double sum[LANES], most[LANES], least[LANES];
  for (int l = 0; l < LANES; ++l) {
    sum[l] = most[l] = 0.0;
    least[l] = INFINITY;
  }
  int64_t i = 0;
  for (; i + LANES <= n; i += LANES)
    for (int l = 0; l < LANES; ++l) {
      const double dx = x[i + l] - centre[0], dy = y[i + l] - centre[1], dz = z[i + l] - centre[2];
      const double d = dx * dx + dy * dy + dz * dz;
      sum[l] += d;
      most[l] = d > most[l] ? d : most[l];
      least[l] = d < least[l] ? d : least[l];
    }
  for (; i < n; ++i) {
    const double dx = x[i] - centre[0], dy = y[i] - centre[1], dz = z[i] - centre[2];
    const double d = dx * dx + dy * dy + dz * dz;
    sum[0] += d;
    most[0] = d > most[0] ? d : most[0];
    least[0] = d < least[0] ? d : least[0];
  }
  for (int l = 1; l < LANES; ++l) {
    sum[0] += sum[l];
    most[0] = most[l] > most[0] ? most[l] : most[0];
    least[0] = least[l] < least[0] ? least[l] : least[0];
  }
  *spread = n > 0 ? sqrt(sum[0] / (double)n) : 0.0;
  *radius = sqrt(most[0]);
  *core = n > 0 ? sqrt(least[0]) : 0.0;
}
