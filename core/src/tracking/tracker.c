/* The tracker's entry points: options, one step at a time, the end of the series. */
#include "tracking/tracking.h"

#include "call/call.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void scipar_tracking_options_init(scipar_tracking_options *options)
{
  memset(options, 0, sizeof *options);
  options->metric = SCIPAR_METRIC_MAX;
  options->max_gap = 2;
  options->detect_splits_and_merges = 1;
}

/* Fails the tracker with a printf-style message; returns status. */
static scipar_status tracker_fail(scipar_tracker *t, scipar_status status, const char *format, ...)
{
  va_list args;
  va_start(args, format);
  vsnprintf(t->message, sizeof t->message, format, args);
  va_end(args);
  t->status = status;
  return status;
}

static void check_options(scipar_tracker *t)
{
  const scipar_tracking_options *o = &t->options;
  if (!scipar_metric_name(o->metric))
    tracker_fail(t, SCIPAR_ERROR_INVALID_ARGUMENT, "unknown metric %d", (int)o->metric);
  else if (!isfinite(o->max_link_distance) || o->max_link_distance < 0.0)
    tracker_fail(t, SCIPAR_ERROR_INVALID_ARGUMENT,
                 "max link distance %g must be a finite number >= 0 (0: chosen from the data)", o->max_link_distance);
  else if (o->max_gap < 0)
    tracker_fail(t, SCIPAR_ERROR_INVALID_ARGUMENT, "max gap %d is negative (0: no gap closing)", o->max_gap);
}

scipar_tracker *scipar_tracker_create(const scipar_tracking_options *options)
{
  scipar_tracker *t = calloc(1, sizeof *t);
  if (!t)
    return NULL;
  if (options)
    t->options = *options;
  else
    scipar_tracking_options_init(&t->options);
  t->step_offsets = calloc(1, sizeof *t->step_offsets);
  if (!t->step_offsets) {
    free(t);
    return NULL;
  }
  check_options(t);
  return t;
}

scipar_status scipar_tracker_status(const scipar_tracker *tracker) { return tracker->status; }

const char *scipar_tracker_message(const scipar_tracker *tracker) { return tracker->message; }

static double clock_seconds(clockid_t clock)
{
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static scipar_status grow_steps(scipar_tracker *t)
{
  if (t->num_steps + 1 <= t->step_capacity)
    return SCIPAR_OK;
  const size_t capacity = t->step_capacity ? 2 * t->step_capacity : 16;
  double *times = realloc(t->times, capacity * sizeof *times);
  if (times)
    t->times = times;
  double *gates = realloc(t->gates, capacity * sizeof *gates);
  if (gates)
    t->gates = gates;
  int64_t *offsets = realloc(t->step_offsets, (capacity + 1) * sizeof *offsets);
  if (offsets)
    t->step_offsets = offsets;
  if (!times || !gates || !offsets)
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  t->step_capacity = capacity;
  return SCIPAR_OK;
}

/* The options scipar_match would take, for the thread count rule shared with it. */
static scipar_options match_options(const scipar_tracking_options *o)
{
  scipar_options m;
  scipar_options_init(&m);
  m.metric = o->metric;
  m.squared = o->squared;
  m.num_threads = o->num_threads;
  return m;
}

/* Links the new step, grouped as `cur`, to the previous one and records it. */
static scipar_status link_and_record(scipar_tracker *t, cluster_set *cur, cluster_hierarchy *cur_hierarchy,
                                     double time, int num_threads)
{
  const size_t step = t->num_steps;
  const cluster_set *prev = &t->previous;
  /* Queries of the step's passes, at most: the gate's sample and its partners, the other previous
   * clusters, the lost tracks, the unlinked on both sides. */
  const size_t work = 4 * prev->num_clusters + cur->num_clusters + t->num_lost;
  progress_state progress = {t->options.progress, t->options.progress_user_data, work, 0, 0};
  const step_context s = {&t->options, prev, cur, &t->previous_hierarchy, cur_hierarchy, num_threads, &progress};
  step_links links;
  scipar_status status = step_links_init(&links, prev->num_clusters, cur->num_clusters);
  if (status == SCIPAR_OK)
    status = link_step(&s, t, time, &links, t->message, sizeof t->message);
  if (status == SCIPAR_OK && t->options.detect_splits_and_merges)
    status = find_splits_and_merges(&s, &links);
  if (status == SCIPAR_OK) {
    t->gates[step] = links.gates.link;
    t->last_gates = links.gates;
    status = record_step(t, prev, cur, &links, step);
  }
  step_links_free(&links);
  return status;
}

scipar_status scipar_tracker_add_step(scipar_tracker *t, const scipar_cloud *cloud, double time)
{
  if (t->status != SCIPAR_OK)
    return t->status;
  const size_t step = t->num_steps;
  if (t->finished)
    return tracker_fail(t, SCIPAR_ERROR_INVALID_ARGUMENT, "step %zu added after the tracker finished", step);
  const char *problem = cloud_problem(cloud);
  if (problem)
    return tracker_fail(t, SCIPAR_ERROR_INVALID_ARGUMENT, "step %zu: the cloud %s", step, problem);
  if (!isfinite(time))
    return tracker_fail(t, SCIPAR_ERROR_INVALID_ARGUMENT, "step %zu: time %g is not a finite number", step, time);
  if (step > 0 && !(time > t->times[step - 1]))
    return tracker_fail(t, SCIPAR_ERROR_INVALID_ARGUMENT,
                        "step %zu: time %.17g is not after step %zu's time %.17g: add the steps in increasing time",
                        step, time, step - 1, t->times[step - 1]);
  const double wall = clock_seconds(CLOCK_MONOTONIC), cpu = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
  const scipar_options m = match_options(&t->options);
  const int num_threads = choose_threads(&m, cloud->num_points + (size_t)(t->previous.offsets ? t->previous.offsets[t->previous.num_clusters] : 0));
  t->most_threads = num_threads > t->most_threads ? num_threads : t->most_threads;

  cluster_set cur;
  cluster_hierarchy cur_hierarchy;
  memset(&cur_hierarchy, 0, sizeof cur_hierarchy);
  scipar_status status = grow_steps(t);
  if (status == SCIPAR_OK)
    status = cluster_set_build(cloud, NULL, num_threads, 1, 0, &cur);
  if (status == SCIPAR_OK) {
    /* The per-point maps are for output, which the tracker does not make: drop them at once. */
    free(cur.point_ids), free(cur.point_cluster);
    cur.point_ids = NULL, cur.point_cluster = NULL;
    status = cluster_hierarchy_build(&cur, num_threads, &cur_hierarchy);
    if (status == SCIPAR_OK) {
      t->times[step] = time;
      if (step == 0) {
        t->gates[0] = NAN;
        status = record_first_step(t, &cur);
      } else {
        status = link_and_record(t, &cur, &cur_hierarchy, time, num_threads);
      }
    }
    if (status == SCIPAR_OK) {
      cluster_set_free(&t->previous);
      cluster_hierarchy_free(&t->previous_hierarchy);
      t->previous = cur;
      t->previous_hierarchy = cur_hierarchy;
      t->num_steps = step + 1;
      t->step_offsets[step + 1] = (int64_t)t->num_rows;
    } else {
      cluster_set_free(&cur);
      cluster_hierarchy_free(&cur_hierarchy);
    }
  }
  t->wall_seconds += clock_seconds(CLOCK_MONOTONIC) - wall;
  t->cpu_seconds += clock_seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu;
  if (status == SCIPAR_ERROR_CANCELLED)
    return tracker_fail(t, status, "step %zu: cancelled by the progress callback", step);
  if (status == SCIPAR_ERROR_OUT_OF_MEMORY)
    return tracker_fail(t, status, "step %zu: out of memory while tracking %zu points", step, cloud->num_points);
  if (status != SCIPAR_OK)
    return tracker_fail(t, status, "step %zu: %s", step, t->message);
  if (t->options.progress)
    t->options.progress(1.0, t->options.progress_user_data); /* the step is done: nothing left to cancel */
  return SCIPAR_OK;
}

scipar_status scipar_tracker_finish(scipar_tracker *t, scipar_tracking_result *result)
{
  memset(result, 0, sizeof *result);
  if (t->status == SCIPAR_OK && t->finished)
    tracker_fail(t, SCIPAR_ERROR_INVALID_ARGUMENT, "the tracker has already finished");
  if (t->status != SCIPAR_OK) {
    snprintf(result->message, sizeof result->message, "%s", t->message);
    return t->status;
  }
  t->finished = 1;
  const double wall = clock_seconds(CLOCK_MONOTONIC), cpu = clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
  cluster_set_free(&t->previous);
  cluster_hierarchy_free(&t->previous_hierarchy);
  const scipar_status status = record_finish(t, result);
  if (status != SCIPAR_OK) {
    tracker_fail(t, status, "out of memory while gathering %zu tracks", t->num_tracks);
    snprintf(result->message, sizeof result->message, "%s", t->message);
    return status;
  }
  result->num_threads = t->most_threads;
  result->wall_seconds = t->wall_seconds + clock_seconds(CLOCK_MONOTONIC) - wall;
  result->cpu_seconds = t->cpu_seconds + clock_seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu;
  return SCIPAR_OK;
}

void scipar_tracker_free(scipar_tracker *t)
{
  if (!t)
    return;
  cluster_set_free(&t->previous);
  cluster_hierarchy_free(&t->previous_hierarchy);
  lost_tracks_free(t);
  free(t->times), free(t->gates), free(t->step_offsets);
  free(t->row_ids), free(t->row_tracks), free(t->row_sizes), free(t->row_distances), free(t->row_centroids);
  free(t->tracks), free(t->events);
  free(t);
}
