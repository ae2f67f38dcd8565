/*
 * Stage: call. What every public entry point does before and after its work, whatever the stage:
 * argument checks with their messages, default options, the thread count, the wall and CPU clock.
 * Takes the caller's arguments; gives checked options, a thread count and a filled-in message or
 * timing in the result. Progress reporting and cancellation live beside it (progress.h).
 */
#ifndef SCIPAR_CALL_H
#define SCIPAR_CALL_H

#include "scipar/scipar.h"

/* Clears *result and checks the arguments scipar_match and scipar_match_distributed share: SCIPAR_OK,
 * or an error with its message in result. */
scipar_status check_arguments(const scipar_cloud *source, const scipar_cloud *target,
                              const scipar_options *options, scipar_result *result);

/* What is wrong with a cloud as given ("is missing (NULL)", "has points but no cluster labels (NULL)",
 * ...), or NULL when it can be used. */
const char *cloud_problem(const scipar_cloud *cloud);

/* Writes a printf-style message into result->message and returns status. */
scipar_status result_fail(scipar_result *result, scipar_status status, const char *format, ...);

/* Threads for a call: the asked number (at most scipar_max_threads()), or with num_threads <= 0 all
 * cores, but no more than one per AUTO_POINTS_PER_THREAD points: on small inputs a second thread
 * costs more (waking it, and on a loaded machine waiting for it: ~0.1 s seen for a 1,000-point match)
 * than it saves. Returns the size of the team OpenMP grants for that request, which may be smaller. */
enum { AUTO_POINTS_PER_THREAD = 20000 };
int choose_threads(const scipar_options *options, size_t num_points);
/* The same for any entry point: num_threads as asked, or with num_threads <= 0 all cores but no more
 * than one per points_per_thread points. */
int choose_threads_for(int num_threads, size_t num_points, size_t points_per_thread);

/* options, or the defaults (written into storage) when options is NULL. */
const scipar_options *options_or_defaults(const scipar_options *options, scipar_options *storage);

/* Wall and CPU time of a call: start it, and on success record it with the thread count in result. */
typedef struct call_clock {
  double wall, cpu;
} call_clock;
call_clock call_clock_start(void);
void call_clock_stop(call_clock start, int num_threads, scipar_result *result);
/* The wall and CPU seconds since start, for entry points with results of their own. */
call_clock call_clock_elapsed(call_clock start);

#endif
