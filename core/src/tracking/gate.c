/* The gates chosen from the data (MaxLinkDistance 0), at every step.
 *
 * For each cluster p of the previous step, n1(p) and n2(p) are its least and second least Chamfer
 * values to the new step's clusters. A cluster that continues has n1 at its own motion and change of
 * shape, n2 at its nearest wrong candidate; a cluster that dies has both at wrong candidates. The
 * rule:
 *
 *   gate = max(4 x median{ n1(p) : p confident },  median{ n2(p) } / 2)
 *
 * where p is confident when its nearest new cluster c has p as its own nearest previous cluster
 * (mutual nearest) and n1(p) <= n2(p) / 2 (its nearest is clearly better than its second: the ratio
 * test of feature matching).
 *
 * - The first term follows the links' own values, measured on the links that can hardly be wrong:
 *   a dying cluster's nearest has a better partner of its own (not mutual), a cluster between two
 *   candidates fails the ratio test. Its median resists the remaining odd ones (a death and a birth
 *   each other's nearest) as long as they are fewer than the good; the factor 4 lets through links
 *   up to 4 times the typical one.
 * - The second term is half the typical distance to a wrong candidate: a link is allowed whenever it
 *   is at most half as far as what a typical cluster could confuse it with. It keeps the gate open
 *   for the few that move when most clusters stand still (n1 near 0).
 *
 * Splits and merges (coverage.c) ask whether one cluster lies near another, by its one-sided value:
 * "near" is within the first term alone (the links' own scale, 4 x the median confident link; the
 * link gate when no link is confident), not within half the distance to a wrong candidate, which
 * would call merged any cluster that vanishes beside another.
 *
 * The statistics are taken over a sample of the previous step's clusters, at most 256 of them, every
 * k-th by index (by id: ids say nothing of where a cluster is) (links.c): finding a cluster's second
 * least value costs a full Chamfer evaluation, and medians of 256 values guide as well as of all.
 *
 * Medians are nearest-rank (the ceil(n / 2)-th smallest): the gate is one of the values times a
 * constant, the same on every run. n2 is INFINITY when the new step has one cluster: the ratio test
 * passes and the second term has nothing to measure. A step with no confident cluster and no finite
 * n2 (an empty step, say) chooses nothing: the caller keeps the previous step's gate. */
#include "tracking/tracking.h"

#include <math.h>
#include <stdlib.h>

static int ascending(const void *pa, const void *pb)
{
  const double a = *(const double *)pa, b = *(const double *)pb;
  return (a > b) - (a < b);
}

/* The nearest-rank median of values[0..n), n > 0 (sorts them). */
static double median(double *values, size_t n)
{
  qsort(values, n, sizeof *values, ascending);
  return values[(n + 1) / 2 - 1];
}

int gates_from_nearest(const double *n1, const double *n2, const unsigned char *mutual, size_t num_prev,
                       step_gates *gates)
{
  double *confident = malloc((num_prev + 1) * sizeof *confident);
  double *second = malloc((num_prev + 1) * sizeof *second);
  if (!confident || !second) {
    free(confident), free(second);
    return -1;
  }
  size_t num_confident = 0, num_second = 0;
  for (size_t p = 0; p < num_prev; ++p) {
    if (mutual[p] && isfinite(n1[p]) && n1[p] <= 0.5 * n2[p])
      confident[num_confident++] = n1[p];
    if (isfinite(n2[p]))
      second[num_second++] = n2[p];
  }
  const double typical = num_confident > 0 ? 4.0 * median(confident, num_confident) : -1.0;
  const double apart = num_second > 0 ? 0.5 * median(second, num_second) : -1.0;
  free(confident), free(second);
  if (typical < 0.0 && apart < 0.0)
    return 0;
  gates->link = typical > apart ? typical : apart;
  gates->cover = typical >= 0.0 ? typical : gates->link;
  return 1;
}
