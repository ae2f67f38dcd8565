/* Allocation failures and impossible sizes are reported, not crashed on: with the address space
 * limited to what the inputs already use plus a little, a large match must fail cleanly with
 * SCIPAR_ERROR_OUT_OF_MEMORY and a message, and leave nothing to free; sizes that cannot be
 * addressed are refused before any memory is touched. (Not run under AddressSanitizer, which needs
 * a large address space of its own.) */
#include "check.h"
#include "random_cloud.h"

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

int main(void)
{
  test_impossible_size();
  test_allocation_failure();
  return check_report("test_out_of_memory");
}
