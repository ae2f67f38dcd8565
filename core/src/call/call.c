#include "call/call.h"

#include <math.h>
#include <omp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int scipar_max_threads(void) { return 4 * omp_get_num_procs(); }

int choose_threads(const scipar_options *options, size_t num_points)
{
  return choose_threads_for(options->num_threads, num_points, AUTO_POINTS_PER_THREAD);
}

int choose_threads_for(int num_threads, size_t num_points, size_t points_per_thread)
{
  int wanted;
  if (num_threads > 0) {
    wanted = num_threads < scipar_max_threads() ? num_threads : scipar_max_threads();
  } else {
    const size_t useful = 1 + num_points / points_per_thread;
    const int all = omp_get_max_threads();
    wanted = useful < (size_t)all ? (int)useful : all;
  }
  /* What OpenMP grants here (OMP_THREAD_LIMIT, nesting, ...) is what the call reports; every region
   * still works with whatever team it gets. */
  int granted = 1;
#pragma omp parallel num_threads(wanted)
#pragma omp single
  granted = omp_get_num_threads();
  return granted;
}

static double clock_seconds(clockid_t clock)
{
  struct timespec t;
  clock_gettime(clock, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

const scipar_options *options_or_defaults(const scipar_options *options, scipar_options *storage)
{
  if (options)
    return options;
  scipar_options_init(storage);
  return storage;
}

call_clock call_clock_start(void)
{
  return (call_clock){clock_seconds(CLOCK_MONOTONIC), clock_seconds(CLOCK_PROCESS_CPUTIME_ID)};
}

call_clock call_clock_elapsed(call_clock start)
{
  return (call_clock){clock_seconds(CLOCK_MONOTONIC) - start.wall,
                      clock_seconds(CLOCK_PROCESS_CPUTIME_ID) - start.cpu};
}

void call_clock_stop(call_clock start, int num_threads, scipar_result *result)
{
  const call_clock elapsed = call_clock_elapsed(start);
  result->num_threads = num_threads;
  result->wall_seconds = elapsed.wall;
  result->cpu_seconds = elapsed.cpu;
}

scipar_status result_fail(scipar_result *result, scipar_status status, const char *format, ...)
{
  va_list args;
  va_start(args, format);
  vsnprintf(result->message, sizeof result->message, format, args);
  va_end(args);
  return status;
}

const char *cloud_problem(const scipar_cloud *cloud)
{
  if (!cloud)
    return "is missing (NULL)";
  if (cloud->num_points > 0 && !cloud->points)
    return "has points but no coordinates (NULL)";
  if (cloud->num_points > 0 && !cloud->labels)
    return "has points but no cluster labels (NULL)";
  if (cloud->num_points > SIZE_MAX / (3 * sizeof(double)))
    return "has more points than memory can address";
  return NULL;
}

scipar_status check_arguments(const scipar_cloud *source, const scipar_cloud *target,
                              const scipar_options *options, scipar_result *result)
{
  if (!result)
    return SCIPAR_ERROR_INVALID_ARGUMENT;
  memset(result, 0, sizeof *result);
  const char *problem;
  if ((problem = cloud_problem(source)))
    return result_fail(result, SCIPAR_ERROR_INVALID_ARGUMENT, "source cloud %s", problem);
  if ((problem = cloud_problem(target)))
    return result_fail(result, SCIPAR_ERROR_INVALID_ARGUMENT, "target cloud %s", problem);
  if (options && !scipar_metric_name(options->metric))
    return result_fail(result, SCIPAR_ERROR_INVALID_ARGUMENT, "unknown metric %d", (int)options->metric);
  if (options && isnan(options->max_pair_distance))
    return result_fail(result, SCIPAR_ERROR_INVALID_ARGUMENT, "maximum pair distance is NaN");
  return SCIPAR_OK;
}
