/* Clouds with extreme coordinates (near 1e155, where squared distances overflow; near 1e-310, where
 * coordinates are subnormal and squared distances underflow; and in between) match exactly as the
 * same clouds at ordinary scale: scaling every coordinate by 2^k scales every value by 2^k (2^2k
 * squared, saturating to inf when that does not fit) and every centroid by 2^k, and changes no pair.
 * The oracle is scipar on the ordinary clouds, itself checked against brute force elsewhere.
 * Coordinates of ~1e-310 are subnormal, so scaling ordinary clouds down loses bits: the reference is
 * then the scaled-down cloud scaled back up (exact), and the expected values its values scaled down. */
#include "check.h"
#include "random_cloud.h"
#include "verify.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double *scaled_points(const test_cloud *cloud, int k)
{
  double *p = malloc(3 * cloud->n * sizeof *p + 1);
  for (size_t i = 0; i < 3 * cloud->n; ++i)
    p[i] = ldexp(cloud->points[i], k);
  return p;
}

/* Every field of got equals reference's with values scaled by 2^value_k and centroids by 2^k. */
static void check_scaled_side(const scipar_side *ref, const scipar_side *got, int k, int value_k, const char *context)
{
  CHECK(ref->num_clusters == got->num_clusters, "%s: %zu clusters, reference %zu", context, got->num_clusters,
        ref->num_clusters);
  if (ref->num_clusters != got->num_clusters)
    return;
  for (size_t c = 0; c < ref->num_clusters; ++c) {
    CHECK(got->nearest[c] == ref->nearest[c], "%s: cluster %zu paired with %lld, reference %lld", context, c,
          (long long)got->nearest[c], (long long)ref->nearest[c]);
    CHECK(got->mutual[c] == ref->mutual[c] && got->pair_index[c] == ref->pair_index[c], "%s: cluster %zu flags",
          context, c);
    const double expected = ldexp(ref->nearest_distance[c], value_k);
    CHECK((isnan(expected) && isnan(got->nearest_distance[c])) || got->nearest_distance[c] == expected,
          "%s: cluster %zu value %a, expected %a", context, c, got->nearest_distance[c], expected);
    for (int d = 0; d < 3; ++d)
      CHECK(got->centroids[3 * c + d] == ldexp(ref->centroids[3 * c + d], k), "%s: cluster %zu centroid %a, expected %a",
            context, c, got->centroids[3 * c + d], ldexp(ref->centroids[3 * c + d], k));
  }
}

static void check_case(const test_cloud *source, const test_cloud *target, int k, scipar_metric metric, int squared,
                       double limit, const char *context)
{
  /* The reference clouds: exactly what the scaled clouds hold, brought back to ordinary scale. */
  double *src_scaled = scaled_points(source, k), *tgt_scaled = scaled_points(target, k);
  test_cloud src_ref = {scaled_points(source, 0), source->labels, source->n};
  test_cloud tgt_ref = {scaled_points(target, 0), target->labels, target->n};
  for (size_t i = 0; i < 3 * source->n; ++i)
    src_ref.points[i] = ldexp(src_scaled[i], -k);
  for (size_t i = 0; i < 3 * target->n; ++i)
    tgt_ref.points[i] = ldexp(tgt_scaled[i], -k);

  scipar_options options;
  scipar_options_init(&options);
  options.metric = metric;
  options.squared = squared;
  options.num_threads = 2;
  options.max_pair_distance = limit;
  const scipar_cloud src = as_scipar(&src_ref), tgt = as_scipar(&tgt_ref);
  scipar_result ref, got;
  CHECK(scipar_match(&src, &tgt, &options, &ref) == SCIPAR_OK, "%s: reference runs", context);
  const scipar_options reference_options = options;
  options.max_pair_distance = ldexp(limit, squared ? 2 * k : k);
  const scipar_cloud src_k = {src_scaled, source->labels, source->n}, tgt_k = {tgt_scaled, target->labels, target->n};
  CHECK(scipar_match(&src_k, &tgt_k, &options, &got) == SCIPAR_OK, "%s: scaled clouds run: %s", context, got.message);
  const int value_k = squared ? 2 * k : k;
  check_scaled_side(&ref.source, &got.source, k, value_k, context);
  check_scaled_side(&ref.target, &got.target, k, value_k, context);
  CHECK(got.num_pairs == ref.num_pairs, "%s: %zu pairs, reference %zu", context, got.num_pairs, ref.num_pairs);
  for (size_t p = 0; p < got.num_pairs && p < ref.num_pairs; ++p)
    CHECK(got.pairs[p].source == ref.pairs[p].source && got.pairs[p].target == ref.pairs[p].target &&
            got.pairs[p].mutual == ref.pairs[p].mutual && got.pairs[p].distance == ldexp(ref.pairs[p].distance, value_k),
          "%s: pairs row %zu", context, p);
  /* The reference at ordinary scale is itself right. */
  if (k == 515)
    verify_result(&src, &tgt, &reference_options, &ref, context);
  scipar_result_free(&ref);
  scipar_result_free(&got);
  free(src_scaled);
  free(tgt_scaled);
  free(src_ref.points);
  free(tgt_ref.points);
}

static void test_scipar_chamfer(void)
{
  /* A = {(0,0,0)}, B = {(3,4,0), (6,8,0)}: Max = 7.5, squared 62.5, at 2^515 and 2^-1040. */
  const double a[] = {0, 0, 0};
  const double b[] = {3, 4, 0, 6, 8, 0};
  const int ks[] = {515, -1040};
  for (int i = 0; i < 2; ++i) {
    const int k = ks[i];
    const double bk[] = {ldexp(3, k), ldexp(4, k), 0, ldexp(6, k), ldexp(8, k), 0};
    CHECK(scipar_chamfer(a, 1, bk, 2, SCIPAR_METRIC_MAX, 0) == ldexp(7.5, k), "scipar_chamfer at 2^%d: %a", k,
          scipar_chamfer(a, 1, bk, 2, SCIPAR_METRIC_MAX, 0));
    CHECK(scipar_chamfer(a, 1, bk, 2, SCIPAR_METRIC_MAX, 1) == ldexp(62.5, 2 * k), "squared scipar_chamfer at 2^%d", k);
  }
  (void)b;
}

int main(void)
{
  test_scipar_chamfer();
  rng r = {1155};
  const cloud_spec specs[] = {
    {8, 400, 20.0, 2.0, LABELS_SEQUENTIAL}, /* k-d trees */
    {25, 30, 10.0, 1.0, LABELS_SPARSE},
    {40, 3, 10.0, 0.5, LABELS_SEQUENTIAL},
  };
  /* 2^515 ~ 1e155 and 2^1000: squares overflow unscaled; 2^300: no scaling needed, values exact;
   * 2^-600: squares underflow unscaled; 2^-1030 ~ 1e-310: subnormal coordinates. */
  const int ks[] = {515, 1000, 300, -600, -1030};
  for (size_t s = 0; s < sizeof specs / sizeof *specs; ++s) {
    for (int c = 0; c < 2; ++c) {
      test_cloud source = random_cloud(&r, &specs[s]);
      test_cloud target = c ? moved_cloud(&r, &source, 0.3) : random_cloud(&r, &specs[s]);
      for (size_t i = 0; i < sizeof ks / sizeof *ks; ++i) {
        for (int m = 0; m < 8; ++m) {
          char context[128];
          snprintf(context, sizeof context, "spec %zu case %d scale 2^%d metric %d squared %d", s, c, ks[i], m / 2,
                   m % 2);
          check_case(&source, &target, ks[i], (scipar_metric)(m / 2), m % 2, 0.0, context);
        }
        /* A distance limit that leaves some clusters unpaired, scaled with the clouds. */
        char context[128];
        snprintf(context, sizeof context, "spec %zu case %d scale 2^%d with a limit", s, c, ks[i]);
        check_case(&source, &target, ks[i], SCIPAR_METRIC_MAX, 0, 2.0, context);
      }
      test_cloud_free(&source);
      test_cloud_free(&target);
    }
  }
  return check_report("test_extreme_coordinates");
}
