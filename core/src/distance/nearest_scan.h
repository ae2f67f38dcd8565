/* The brute-force nearest-point scan shared by small clusters and k-d tree leaves. */
#ifndef SCIPAR_NEAREST_SCAN_H
#define SCIPAR_NEAREST_SCAN_H

#include <stdint.h>

/* min(best, smallest squared distance from (qx, qy, qz) to points [begin, end) of x, y, z). The min is
 * exact whatever the evaluation order, so the SIMD reduction keeps results reproducible. */
static inline double nearest_scan(const double *x, const double *y, const double *z, int64_t begin, int64_t end,
                                  double qx, double qy, double qz, double best)
{
#pragma omp simd reduction(min : best)
  for (int64_t j = begin; j < end; ++j) {
    const double dx = qx - x[j];
    const double dy = qy - y[j];
    const double dz = qz - z[j];
    const double d = dx * dx + dy * dy + dz * dz;
    best = d < best ? d : best;
  }
  return best;
}

#endif
