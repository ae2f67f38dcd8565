/* OpenMP may give a parallel region fewer threads than asked (OMP_THREAD_LIMIT, OMP_DYNAMIC, a call
 * from inside another parallel region, max-active-levels 0). The results must not change: checked
 * against the brute-force oracle with points sorted by cluster, the layout where a slice of the input
 * that no thread handles would drop whole clusters. ctest also runs this under OMP_THREAD_LIMIT=1 and
 * OMP_DYNAMIC=true. Absurd thread counts are clamped, not attempted. */
#include "check.h"
#include "random_cloud.h"
#include "verify.h"

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const int64_t *sort_labels;

static int by_label(const void *pa, const void *pb)
{
  const int64_t a = sort_labels[*(const size_t *)pa], b = sort_labels[*(const size_t *)pb];
  return (a > b) - (a < b);
}

/* The cloud's points reordered so that each cluster's points are contiguous, clusters ascending. */
static test_cloud sorted_by_cluster(const test_cloud *cloud)
{
  size_t *order = malloc(cloud->n * sizeof *order);
  for (size_t i = 0; i < cloud->n; ++i)
    order[i] = i;
  sort_labels = cloud->labels;
  qsort(order, cloud->n, sizeof *order, by_label);
  test_cloud sorted = {malloc(3 * cloud->n * sizeof(double)), malloc(cloud->n * sizeof(int64_t)), cloud->n};
  for (size_t i = 0; i < cloud->n; ++i) {
    memcpy(sorted.points + 3 * i, cloud->points + 3 * order[i], 3 * sizeof(double));
    sorted.labels[i] = cloud->labels[order[i]];
  }
  free(order);
  return sorted;
}

static scipar_options options_with_threads(int num_threads)
{
  scipar_options options;
  scipar_options_init(&options);
  options.num_threads = num_threads;
  return options;
}

/* Runs the match asking for `asked` threads and checks it against the oracle. */
static void check_match(const scipar_cloud *src, const scipar_cloud *tgt, int asked, const char *context)
{
  const scipar_options options = options_with_threads(asked);
  scipar_result r;
  const scipar_status status = scipar_match(src, tgt, &options, &r);
  CHECK(status == SCIPAR_OK, "%s: %s", context, r.message);
  if (status != SCIPAR_OK)
    return;
  CHECK(r.num_threads >= 1 && r.num_threads <= asked, "%s: %d threads reported for %d asked", context,
        r.num_threads, asked);
  verify_result(src, tgt, &options, &r, context);
  scipar_result_free(&r);
}

static void test_fewer_threads_than_asked(const scipar_cloud *src, const scipar_cloud *tgt)
{
  check_match(src, tgt, 2, "2 threads asked, as the environment allows");
  check_match(src, tgt, 3, "3 threads asked, as the environment allows");

  const int levels = omp_get_max_active_levels();
  omp_set_max_active_levels(0); /* every parallel region runs on one thread */
  check_match(src, tgt, 2, "2 threads asked, max-active-levels 0");
  omp_set_max_active_levels(levels);

  /* Called from inside a parallel region: nested regions get one thread each. Both outer threads
   * match at once, which also checks that concurrent calls do not share state. */
  omp_set_max_active_levels(1);
#pragma omp parallel num_threads(2)
  check_match(src, tgt, 2, "2 threads asked from inside a parallel region");
  omp_set_max_active_levels(levels);
}

static void test_absurd_thread_counts_are_clamped(const scipar_cloud *src, const scipar_cloud *tgt)
{
  const int limit = scipar_max_threads();
  CHECK(limit >= 1 && limit >= omp_get_num_procs(), "the limit %d covers every processor (%d)", limit,
        omp_get_num_procs());
  const int asks[] = {40000, 100000, 2147483647};
  for (size_t i = 0; i < sizeof asks / sizeof *asks; ++i) {
    const scipar_options options = options_with_threads(asks[i]);
    scipar_result r;
    CHECK(scipar_match(src, tgt, &options, &r) == SCIPAR_OK, "%d threads asked: %s", asks[i], r.message);
    CHECK(r.num_threads >= 1 && r.num_threads <= limit, "%d threads asked: %d used, limit %d", asks[i],
          r.num_threads, limit);
    scipar_result_free(&r);
  }
}

int main(void)
{
  rng r = {1311};
  const cloud_spec spec = {60, 80, 40.0, 1.5, LABELS_SEQUENTIAL};
  test_cloud source = random_cloud(&r, &spec);
  test_cloud target = moved_cloud(&r, &source, 0.5);
  test_cloud sorted_source = sorted_by_cluster(&source), sorted_target = sorted_by_cluster(&target);
  const scipar_cloud src = as_scipar(&sorted_source), tgt = as_scipar(&sorted_target);

  test_fewer_threads_than_asked(&src, &tgt);
  test_absurd_thread_counts_are_clamped(&src, &tgt);

  test_cloud_free(&source);
  test_cloud_free(&target);
  test_cloud_free(&sorted_source);
  test_cloud_free(&sorted_target);
  return check_report("test_thread_team");
}
