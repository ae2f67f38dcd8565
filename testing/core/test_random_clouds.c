/* Many random cloud pairs, every metric, squared or not, with and without a distance limit, some with
 * points skipped by the caller's flags: the core must agree with the brute-force oracle, and give
 * bit-identical results for 1, 2 and 3 threads. */
#include "check.h"
#include "random_cloud.h"
#include "verify.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static void run_case(scipar_cloud src, scipar_cloud tgt, scipar_metric metric, int squared, double max_distance,
                     const char *context)
{
  scipar_options options;
  scipar_options_init(&options);
  options.metric = metric;
  options.squared = squared;
  options.max_pair_distance = max_distance;

  scipar_result results[3];
  for (int t = 0; t < 3; ++t) {
    options.num_threads = t + 1;
    const scipar_status status = scipar_match(&src, &tgt, &options, &results[t]);
    CHECK(status == SCIPAR_OK, "%s: status %s (%s)", context, scipar_status_string(status), results[t].message);
    CHECK(results[t].num_threads == t + 1, "%s: %d threads used, %d asked", context, results[t].num_threads, t + 1);
  }
  verify_result(&src, &tgt, &options, &results[0], context);
  for (int t = 1; t < 3; ++t)
    CHECK(results_identical(&results[0], &results[t], src.num_points, tgt.num_points),
          "%s: %d threads differ from 1 thread", context, t + 1);
  for (int t = 0; t < 3; ++t)
    scipar_result_free(&results[t]);
}

/* A limit that leaves some clusters unpaired: the median of the nearest values of a run without one. */
static double median_nearest(scipar_cloud src, scipar_cloud tgt, scipar_metric metric, int squared)
{
  scipar_options options;
  scipar_options_init(&options);
  options.metric = metric;
  options.squared = squared;
  scipar_result r;
  if (scipar_match(&src, &tgt, &options, &r) != SCIPAR_OK || r.source.num_clusters == 0)
    return 1.0;
  double best = INFINITY, worst = 0.0;
  for (size_t k = 0; k < r.source.num_clusters; ++k) {
    best = fmin(best, r.source.nearest_distance[k]);
    worst = fmax(worst, r.source.nearest_distance[k]);
  }
  scipar_result_free(&r);
  return 0.5 * (best + worst);
}

int main(void)
{
  rng r = {20181119};
  const cloud_spec specs[] = {
    {12, 40, 10.0, 1.0, LABELS_SEQUENTIAL},
    {20, 25, 30.0, 2.0, LABELS_SPARSE},
    {8, 300, 20.0, 1.5, LABELS_EXTREMES},  /* clusters large enough for any spatial index */
    {40, 3, 10.0, 0.5, LABELS_SPARSE},     /* tiny clusters, many singletons */
    {3, 1500, 5.0, 2.0, LABELS_SEQUENTIAL} /* few large, overlapping clusters */
  };
  const int cases_per_spec = 12;
  for (size_t s = 0; s < sizeof specs / sizeof *specs; ++s) {
    for (int c = 0; c < cases_per_spec; ++c) {
      test_cloud source = random_cloud(&r, &specs[s]);
      /* Half the cases match a cloud with its own next frame, half two unrelated clouds. */
      test_cloud target = c % 2 ? moved_cloud(&r, &source, 0.3) : random_cloud(&r, &specs[s]);
      scipar_cloud src = as_scipar(&source), tgt = as_scipar(&target);
      /* Every fourth case skips a fifth of the source's points and the target's points of one label
       * (a whole cluster skipped), as ghost points or points of no cluster would be. */
      unsigned char *src_skip = calloc(source.n + 1, 1), *tgt_skip = calloc(target.n + 1, 1);
      if (c % 4 == 1) {
        for (size_t i = 0; i < source.n; ++i)
          src_skip[i] = rng_uniform(&r) < 0.2;
        for (size_t i = 0; i < target.n; ++i)
          tgt_skip[i] = target.labels[i] == target.labels[0];
        src.skip = src_skip;
        tgt.skip = tgt_skip;
      }
      for (int metric = 0; metric < 4; ++metric) {
        for (int squared = 0; squared < 2; ++squared) {
          char context[128];
          snprintf(context, sizeof context, "spec %zu case %d metric %d squared %d", s, c, metric, squared);
          run_case(src, tgt, (scipar_metric)metric, squared, 0.0, context);
          if (c % 3 == 0) {
            const double limit = median_nearest(src, tgt, (scipar_metric)metric, squared);
            snprintf(context, sizeof context, "spec %zu case %d metric %d squared %d limit %g", s, c, metric,
                     squared, limit);
            run_case(src, tgt, (scipar_metric)metric, squared, limit, context);
          }
        }
      }
      free(src_skip);
      free(tgt_skip);
      test_cloud_free(&source);
      test_cloud_free(&target);
    }
  }
  return check_report("test_random_clouds");
}
