/* Hand-made cases with known answers: metric definitions, exact ties, empty clouds, non-finite
 * points, invalid arguments, progress and cancellation. */
#include "check.h"
#include "scipar/scipar.h"

#include <math.h>
#include <string.h>

static void test_metric_values(void)
{
  /* A = {(0,0,0)}, B = {(3,4,0), (6,8,0)}: d(A->B) = 5, d(B->A) = (5 + 10) / 2 = 7.5, largest NN 10. */
  const double a[] = {0, 0, 0};
  const double b[] = {3, 4, 0, 6, 8, 0};
  CHECK(scipar_chamfer(a, 1, b, 2, SCIPAR_METRIC_MAX, 0) == 7.5, "Max");
  CHECK(scipar_chamfer(a, 1, b, 2, SCIPAR_METRIC_SUM, 0) == 12.5, "Sum");
  CHECK(scipar_chamfer(a, 1, b, 2, SCIPAR_METRIC_MEAN, 0) == 6.25, "Mean");
  CHECK(scipar_chamfer(a, 1, b, 2, SCIPAR_METRIC_HAUSDORFF, 0) == 10.0, "Hausdorff");
  CHECK(scipar_chamfer(a, 1, b, 2, SCIPAR_METRIC_MAX, 1) == 62.5, "Max squared: (25 + 100) / 2");
  CHECK(scipar_chamfer(a, 1, b, 2, SCIPAR_METRIC_HAUSDORFF, 1) == 100.0, "Hausdorff squared");
  CHECK(scipar_chamfer(b, 2, a, 1, SCIPAR_METRIC_SUM, 0) == 12.5, "symmetric");
  CHECK(isnan(scipar_chamfer(a, 0, b, 2, SCIPAR_METRIC_MAX, 0)), "empty set gives NaN");
  CHECK(isnan(scipar_chamfer(a, 1, b, 2, (scipar_metric)9, 0)), "unknown metric gives NaN");
  CHECK(!strcmp(scipar_metric_name(SCIPAR_METRIC_HAUSDORFF), "Hausdorff"), "metric name");
  CHECK(scipar_metric_name((scipar_metric)4) == NULL, "unknown metric name");
}

static void test_exact_tie_goes_to_smaller_id(void)
{
  /* Target clusters 5 and 3 hold the same points in the same order: their values are bit-identical. */
  const double src_points[] = {0, 0, 0, 1, 0, 0};
  const int64_t src_labels[] = {42, 42};
  const double tgt_points[] = {0, 1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 0};
  const int64_t tgt_labels[] = {5, 5, 3, 3};
  const scipar_cloud src = {src_points, src_labels, 2}, tgt = {tgt_points, tgt_labels, 4};
  scipar_result r;
  CHECK(scipar_match(&src, &tgt, NULL, &r) == SCIPAR_OK, "tie case runs: %s", r.message);
  CHECK(r.target.cluster_ids[0] == 3 && r.target.cluster_ids[1] == 5, "target ids sorted");
  CHECK(r.source.nearest[0] == 0, "the source's nearest is id 3, the smaller of two equal candidates");
  CHECK(r.source.nearest_distance[0] == 1.0, "distance 1: every point is 1 away");
  CHECK(r.target.nearest[0] == 0 && r.target.nearest[1] == 0, "both targets choose the only source");
  CHECK(r.num_pairs == 2, "two rows: (42, 3) both ways and (42, 5) one way");
  CHECK(r.pairs[0].mutual && r.pairs[0].target == 0, "row 0 is the mutual pair");
  CHECK(!r.pairs[1].mutual && !r.pairs[1].source_to_target && r.pairs[1].target_to_source, "row 1 is one way");
  CHECK(r.target.pair_index[1] == 1 && r.target.mutual[1] == 0, "target 5 points at row 1, not mutual");
  scipar_result_free(&r);
}

static void test_empty_clouds(void)
{
  const double points[] = {0, 0, 0, 5, 5, 5};
  const int64_t labels[] = {1, 2};
  const scipar_cloud empty = {NULL, NULL, 0}, two = {points, labels, 2};
  scipar_result r;
  CHECK(scipar_match(&empty, &two, NULL, &r) == SCIPAR_OK, "empty source runs: %s", r.message);
  CHECK(r.source.num_clusters == 0 && r.target.num_clusters == 2 && r.num_pairs == 0, "nothing to pair");
  CHECK(r.target.nearest[0] == -1 && isnan(r.target.nearest_distance[1]) && r.target.pair_index[0] == -1,
        "targets unpaired");
  scipar_result_free(&r);
  CHECK(scipar_match(&empty, &empty, NULL, &r) == SCIPAR_OK && r.num_pairs == 0, "both empty run");
  scipar_result_free(&r);
  CHECK(scipar_match(&two, &two, NULL, &r) == SCIPAR_OK && r.num_pairs == 2 && r.source.nearest_distance[0] == 0.0,
        "a cloud matches itself at distance 0");
  scipar_result_free(&r);
}

static void test_non_finite_points_are_excluded(void)
{
  const double points[] = {0, 0, 0, NAN, 0, 0, 1, INFINITY, 0, 1, 0, 0, 0, 0, -INFINITY};
  const int64_t labels[] = {7, 7, 7, 7, 9}; /* cluster 9 holds only a non-finite point */
  const double other[] = {0, 0, 1};
  const int64_t other_labels[] = {1};
  const scipar_cloud src = {points, labels, 5}, tgt = {other, other_labels, 1};
  scipar_result r;
  CHECK(scipar_match(&src, &tgt, NULL, &r) == SCIPAR_OK, "runs: %s", r.message);
  CHECK(r.source.num_excluded_points == 3, "3 excluded, got %zu", r.source.num_excluded_points);
  CHECK(r.source.num_clusters == 1 && r.source.cluster_sizes[0] == 2, "only cluster 7 with its 2 finite points");
  CHECK(r.source.point_cluster[1] == -1 && r.source.point_cluster[2] == -1 && r.source.point_cluster[4] == -1 &&
          r.source.point_cluster[3] == 0,
        "excluded points belong to no cluster");
  /* d(7->1) = (1 + sqrt 2) / 2, d(1->7) = 1: Max = 1.2071... */
  CHECK(fabs(r.source.nearest_distance[0] - 0.5 * (1.0 + sqrt(2.0))) < 1e-15, "distance ignores NaN points");
  scipar_result_free(&r);
}

static void test_pair_values_spread_cluster_results(void)
{
  /* Source cluster 7 (two finite points and a NaN one) pairs with target 1, mutually; source 8 is too
   * far for the distance limit and stays unpaired. */
  const double points[] = {0, 0, 0, NAN, 0, 0, 1, 0, 0, 100, 0, 0};
  const int64_t labels[] = {7, 7, 7, 8};
  const double other[] = {0, 0, 1};
  const int64_t other_labels[] = {1};
  const scipar_cloud src = {points, labels, 4}, tgt = {other, other_labels, 1};
  scipar_options options;
  scipar_options_init(&options);
  options.max_pair_distance = 10.0;
  scipar_result r;
  CHECK(scipar_match(&src, &tgt, &options, &r) == SCIPAR_OK, "runs: %s", r.message);
  const double d = 0.5 * (1.0 + sqrt(2.0));
  for (int threads = 1; threads <= 3; ++threads) {
    int64_t pair_id[4], pair_index[4];
    double distance[4];
    unsigned char mutual[4];
    scipar_pair_values(&r.source, &r.target, r.source.point_cluster, 4, threads, pair_id, distance, mutual,
                       pair_index);
    CHECK(pair_id[0] == 1 && pair_id[2] == 1 && pair_id[1] == -1 && pair_id[3] == -1,
          "%d threads: paired points name target 1, the NaN point and cluster 8 -1", threads);
    CHECK(fabs(distance[0] - d) < 1e-15 && distance[2] == distance[0] && isnan(distance[1]) && isnan(distance[3]),
          "%d threads: the pair's distance, NaN when unpaired", threads);
    CHECK(mutual[0] == 1 && mutual[2] == 1 && mutual[1] == 0 && mutual[3] == 0, "%d threads: mutual", threads);
    CHECK(pair_index[0] == 0 && pair_index[2] == 0 && pair_index[1] == -1 && pair_index[3] == -1,
          "%d threads: row 0 of the pairs table", threads);
  }
  /* Items may be cells: here the target's one cluster; outputs not wanted are NULL. */
  const int64_t cluster_of[] = {0};
  int64_t target_pair_id = 0;
  scipar_pair_values(&r.target, &r.source, cluster_of, 1, 0, &target_pair_id, NULL, NULL, NULL);
  CHECK(target_pair_id == 7, "the target cluster's pair is source 7, got %lld", (long long)target_pair_id);
  scipar_result_free(&r);
}

static void test_invalid_arguments(void)
{
  const double points[] = {0, 0, 0};
  const int64_t labels[] = {1};
  const scipar_cloud ok = {points, labels, 1}, no_points = {NULL, labels, 1}, no_labels = {points, NULL, 1};
  scipar_result r;
  CHECK(scipar_match(NULL, &ok, NULL, &r) == SCIPAR_ERROR_INVALID_ARGUMENT && strstr(r.message, "source"),
        "missing source named: %s", r.message);
  CHECK(scipar_match(&ok, &no_points, NULL, &r) == SCIPAR_ERROR_INVALID_ARGUMENT &&
          strstr(r.message, "target") && strstr(r.message, "coordinates"),
        "target without coordinates named: %s", r.message);
  CHECK(scipar_match(&no_labels, &ok, NULL, &r) == SCIPAR_ERROR_INVALID_ARGUMENT && strstr(r.message, "labels"),
        "source without labels named: %s", r.message);
  scipar_options options;
  scipar_options_init(&options);
  options.metric = (scipar_metric)17;
  CHECK(scipar_match(&ok, &ok, &options, &r) == SCIPAR_ERROR_INVALID_ARGUMENT && strstr(r.message, "metric"),
        "unknown metric named: %s", r.message);
  scipar_options_init(&options);
  options.max_pair_distance = NAN;
  CHECK(scipar_match(&ok, &ok, &options, &r) == SCIPAR_ERROR_INVALID_ARGUMENT && strstr(r.message, "NaN"),
        "NaN limit named: %s", r.message);
  CHECK(r.pairs == NULL && r.source.cluster_ids == NULL, "a failed call leaves nothing to free");
  scipar_result_free(&r);
  CHECK(scipar_match(&ok, &ok, NULL, NULL) == SCIPAR_ERROR_INVALID_ARGUMENT, "NULL result refused");
  CHECK(!strcmp(scipar_status_string(SCIPAR_ERROR_OUT_OF_MEMORY), "out of memory"), "status string");
}

typedef struct progress_log {
  int calls;
  double last;
  int decreasing;
  int cancel_after;
} progress_log;

static int log_progress(double fraction, void *user_data)
{
  progress_log *log = user_data;
  log->decreasing |= fraction < log->last;
  log->last = fraction;
  ++log->calls;
  return log->cancel_after > 0 && log->calls >= log->cancel_after;
}

static void test_progress_and_cancel(void)
{
  enum { N = 400 };
  static double points[3 * N];
  static int64_t labels[N];
  for (int i = 0; i < N; ++i) {
    points[3 * i] = i;
    points[3 * i + 1] = (i * 7) % 13;
    points[3 * i + 2] = 0;
    labels[i] = i / 4;
  }
  const scipar_cloud cloud = {points, labels, N};
  scipar_options options;
  scipar_options_init(&options);
  progress_log log = {0, 0.0, 0, 0};
  options.progress = log_progress;
  options.progress_user_data = &log;
  options.num_threads = 2;
  scipar_result r;
  CHECK(scipar_match(&cloud, &cloud, &options, &r) == SCIPAR_OK, "runs with progress");
  CHECK(log.calls > 0 && !log.decreasing && log.last <= 1.0, "progress reported in order: %d calls, last %g",
        log.calls, log.last);
  scipar_result_free(&r);

  progress_log cancel = {0, 0.0, 0, 3};
  options.progress_user_data = &cancel;
  CHECK(scipar_match(&cloud, &cloud, &options, &r) == SCIPAR_ERROR_CANCELLED && strstr(r.message, "cancel"),
        "cancelled: %s", r.message);
  CHECK(r.pairs == NULL && r.source.nearest == NULL, "a cancelled call leaves nothing to free");
  scipar_result_free(&r);
}

static void test_thread_count(void)
{
  const double points[] = {0, 0, 0, 1, 1, 1};
  const int64_t labels[] = {1, 2};
  const scipar_cloud cloud = {points, labels, 2};
  scipar_options options;
  scipar_options_init(&options);
  scipar_result r;
  CHECK(scipar_match(&cloud, &cloud, &options, &r) == SCIPAR_OK && r.num_threads == 1,
        "all cores asked, a tiny input runs on one thread: %d", r.num_threads);
  scipar_result_free(&r);
  options.num_threads = 3;
  CHECK(scipar_match(&cloud, &cloud, &options, &r) == SCIPAR_OK && r.num_threads == 3,
        "an explicit thread count is obeyed: %d", r.num_threads);
  scipar_result_free(&r);
}

int main(void)
{
  test_metric_values();
  test_exact_tie_goes_to_smaller_id();
  test_empty_clouds();
  test_non_finite_points_are_excluded();
  test_pair_values_spread_cluster_results();
  test_invalid_arguments();
  test_progress_and_cancel();
  test_thread_count();
  return check_report("test_edge_cases");
}
