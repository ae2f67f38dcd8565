/* A tracked step's results spread over its points, for display, without tracking again. */
#include "scipar/tracking.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <string.h>

const char *scipar_event_kind_name(scipar_event_kind kind)
{
  switch (kind) {
  case SCIPAR_EVENT_BIRTH: return "birth";
  case SCIPAR_EVENT_DEATH: return "death";
  case SCIPAR_EVENT_SPLIT: return "split";
  case SCIPAR_EVENT_MERGE: return "merge";
  case SCIPAR_EVENT_GAP: return "gap";
  }
  return NULL;
}

/* Index of label among ids[0..n) (ascending), -1 if absent. */
static int64_t find_id(const int64_t *ids, int64_t n, int64_t label)
{
  int64_t lo = 0, hi = n;
  while (lo < hi) {
    const int64_t mid = lo + (hi - lo) / 2;
    if (ids[mid] < label)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < n && ids[lo] == label ? lo : -1;
}

static int point_counts(const scipar_cloud *cloud, size_t i)
{
  const double *p = cloud->points + 3 * i;
  return !(cloud->skip && cloud->skip[i]) && isfinite(p[0]) && isfinite(p[1]) && isfinite(p[2]);
}

scipar_status scipar_tracking_step_values(const scipar_tracking_result *result, size_t step,
                                          const scipar_cloud *cloud, int num_threads, int64_t *track_id,
                                          double *link_distance, int64_t *cluster_index, char *message,
                                          size_t message_size)
{
  if (message && message_size > 0)
    message[0] = '\0';
  if (step >= result->num_steps) {
    if (message)
      snprintf(message, message_size, "step %zu does not exist: %zu steps were tracked", step, result->num_steps);
    return SCIPAR_ERROR_INVALID_ARGUMENT;
  }
  if (!cloud || (cloud->num_points > 0 && (!cloud->points || !cloud->labels))) {
    if (message)
      snprintf(message, message_size, "step %zu: the cloud is missing, or has points but no coordinates or labels",
               step);
    return SCIPAR_ERROR_INVALID_ARGUMENT;
  }
  const int64_t first = result->step_offsets[step];
  const int64_t k = result->step_offsets[step + 1] - first;
  const int64_t *ids = result->cluster_ids + first;
  const long long n = (long long)cloud->num_points;
  long long unknown = n; /* the first point whose label is not a cluster of the step */
#pragma omp parallel for num_threads(num_threads > 0 ? num_threads : omp_get_max_threads()) schedule(static) \
  reduction(min : unknown)
  for (long long i = 0; i < n; ++i) {
    int64_t c = -1;
    if (point_counts(cloud, (size_t)i)) {
      c = find_id(ids, k, cloud->labels[i]);
      if (c < 0 && i < unknown)
        unknown = i;
    }
    if (track_id)
      track_id[i] = c >= 0 ? result->cluster_tracks[first + c] : -1;
    if (link_distance)
      link_distance[i] = c >= 0 ? result->cluster_link_distances[first + c] : NAN;
    if (cluster_index)
      cluster_index[i] = c;
  }
  if (unknown < n) {
    if (message)
      snprintf(message, message_size,
               "point %lld has cluster id %lld, which is not a cluster of step %zu: the cloud is not the one tracked",
               unknown, (long long)cloud->labels[unknown], step);
    return SCIPAR_ERROR_INVALID_ARGUMENT;
  }
  return SCIPAR_OK;
}

void scipar_tracking_step_cells(const scipar_tracking_result *result, size_t step, const int64_t *cluster_index,
                                size_t num_points, int64_t *offsets, int64_t *point_ids)
{
  const int64_t k = result->step_offsets[step + 1] - result->step_offsets[step];
  memset(offsets, 0, (size_t)(k + 1) * sizeof *offsets);
  for (size_t i = 0; i < num_points; ++i)
    if (cluster_index[i] >= 0)
      ++offsets[cluster_index[i] + 1];
  for (int64_t c = 0; c < k; ++c)
    offsets[c + 1] += offsets[c];
  for (size_t i = 0; i < num_points; ++i)
    if (cluster_index[i] >= 0)
      point_ids[offsets[cluster_index[i]]++] = (int64_t)i;
  memmove(offsets + 1, offsets, (size_t)k * sizeof *offsets);
  offsets[0] = 0;
}
