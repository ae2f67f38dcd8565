/* Allocation failures and impossible sizes are reported, not crashed on: with the address space
 * limited to what the inputs already use plus a little, a large match must fail cleanly with
 * SCIPAR_ERROR_OUT_OF_MEMORY and a message, and leave nothing to free; sizes that cannot be
 * addressed are refused before any memory is touched. (Not run under AddressSanitizer, which needs
 * a large address space of its own.) */
#include "check.h"
#include "random_cloud.h"
#include "scipar/tracking.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static void test_impossible_size(void)
{
  double point[3] = {0, 0, 0};
  int64_t label = 0;
  const scipar_cloud huge = {point, &label, SIZE_MAX / 16};
  const scipar_cloud one = {point, &label, 1};
  scipar_result r;
  CHECK(scipar_match(&huge, &one, NULL, &r) == SCIPAR_ERROR_INVALID_ARGUMENT &&
          strstr(r.message, "more points than memory can address"),
        "an unaddressable size is refused: %s", r.message);
}

static void test_allocation_failure(void)
{
  rng r = {99};
  const cloud_spec spec = {2000, 1000, 200.0, 1.0, LABELS_SEQUENTIAL};
  test_cloud source = random_cloud(&r, &spec);
  test_cloud target = moved_cloud(&r, &source, 0.3);
  const scipar_cloud src = as_scipar(&source), tgt = as_scipar(&target);
  scipar_options options;
  scipar_options_init(&options);
  options.num_threads = 1; /* no thread to start under the limit */
  scipar_result result;
  /* Warm up the runtime (OpenMP, stdio) before the limit. */
  const double tiny_points[3] = {0, 0, 0};
  const int64_t tiny_label = 0;
  const scipar_cloud tiny = {tiny_points, &tiny_label, 1};
  CHECK(scipar_match(&tiny, &tiny, &options, &result) == SCIPAR_OK, "warm-up");
  scipar_result_free(&result);

  struct rlimit saved;
  getrlimit(RLIMIT_AS, &saved);
  FILE *status = fopen("/proc/self/status", "r");
  char line[256];
  long used_kb = 0;
  while (status && fgets(line, sizeof line, status))
    if (!strncmp(line, "VmSize:", 7))
      used_kb = atol(line + 7);
  if (status)
    fclose(status);
  /* The match needs tens of megabytes more than this. */
  struct rlimit limited = {(rlim_t)(used_kb + 4096) * 1024, saved.rlim_max};
  CHECK(setrlimit(RLIMIT_AS, &limited) == 0, "address space limited");
  const scipar_status got = scipar_match(&src, &tgt, &options, &result);
  setrlimit(RLIMIT_AS, &saved);
  CHECK(got == SCIPAR_ERROR_OUT_OF_MEMORY && strstr(result.message, "out of memory"),
        "out of memory reported: status %d, %s", (int)got, result.message);
  CHECK(result.pairs == NULL && result.source.cluster_ids == NULL && result.target.point_cluster == NULL,
        "a failed call leaves nothing to free");
  /* And the library still works afterwards. */
  CHECK(scipar_match(&src, &tgt, &options, &result) == SCIPAR_OK, "works again once memory is back");
  scipar_result_free(&result);
  test_cloud_free(&source);
  test_cloud_free(&target);
}

/* The address space limited to what is in use plus a little. */
static void limit_memory(struct rlimit *saved)
{
  getrlimit(RLIMIT_AS, saved);
  FILE *status = fopen("/proc/self/status", "r");
  char line[256];
  long used_kb = 0;
  while (status && fgets(line, sizeof line, status))
    if (!strncmp(line, "VmSize:", 7))
      used_kb = atol(line + 7);
  if (status)
    fclose(status);
  struct rlimit limited = {(rlim_t)(used_kb + 4096) * 1024, saved->rlim_max};
  CHECK(setrlimit(RLIMIT_AS, &limited) == 0, "address space limited");
}

/* A tracker that runs out of memory in a step reports it, stays failed, and frees cleanly. */
static void test_tracker_allocation_failure(void)
{
  rng r = {7};
  const cloud_spec spec = {2000, 1000, 200.0, 1.0, LABELS_SEQUENTIAL};
  test_cloud first = random_cloud(&r, &spec);
  test_cloud second = moved_cloud(&r, &first, 0.3);
  const scipar_cloud a = as_scipar(&first), b = as_scipar(&second);
  scipar_tracking_options options;
  scipar_tracking_options_init(&options);
  options.num_threads = 1;
  for (int failing_step = 0; failing_step < 2; ++failing_step) {
    scipar_tracker *t = scipar_tracker_create(&options);
    const double tiny_points[3] = {0, 0, 0};
    const int64_t tiny_label = 0;
    const scipar_cloud tiny = {tiny_points, &tiny_label, 1, NULL};
    if (failing_step == 1)
      CHECK(scipar_tracker_add_step(t, &a, 0.0) == SCIPAR_OK, "tracker: first step");
    else
      CHECK(scipar_tracker_add_step(t, &tiny, -1.0) == SCIPAR_OK, "tracker: a tiny first step");
    struct rlimit saved;
    limit_memory(&saved);
    const scipar_status got = scipar_tracker_add_step(t, failing_step ? &b : &a, 1.0);
    setrlimit(RLIMIT_AS, &saved);
    CHECK(got == SCIPAR_ERROR_OUT_OF_MEMORY && strstr(scipar_tracker_message(t), "out of memory"),
          "tracker: out of memory reported at step %d: status %d, %s", failing_step + 1, (int)got,
          scipar_tracker_message(t));
    scipar_tracking_result result;
    CHECK(scipar_tracker_finish(t, &result) == SCIPAR_ERROR_OUT_OF_MEMORY && result.cluster_ids == NULL,
          "tracker: finish reports the failure and gives nothing to free");
    scipar_tracking_result_free(&result);
    scipar_tracker_free(t);
  }
  test_cloud_free(&first);
  test_cloud_free(&second);
}

int main(void)
{
  test_impossible_size();
  test_allocation_failure();
  test_tracker_allocation_failure();
  return check_report("test_out_of_memory");
}
