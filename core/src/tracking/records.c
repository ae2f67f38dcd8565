/* What the tracker records: per cluster rows, tracks, events, the lost tracks' copies; and the result
 * they become at the end of the series. */
#include "tracking/tracking.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Grows an array of `size`-byte elements to hold `needed`; 0 when out of memory. */
static int grow(void **array, size_t *capacity, size_t needed, size_t size)
{
  if (needed <= *capacity)
    return 1;
  size_t wanted = *capacity ? *capacity : 64;
  while (wanted < needed)
    wanted *= 2;
  void *grown = realloc(*array, wanted * size);
  if (!grown)
    return 0;
  *array = grown;
  *capacity = wanted;
  return 1;
}

static scipar_status reserve_rows(scipar_tracker *t, size_t more)
{
  const size_t needed = t->num_rows + more;
  if (needed <= t->row_capacity)
    return SCIPAR_OK;
  size_t capacity = t->row_capacity;
  size_t c1 = capacity, c2 = capacity, c3 = capacity, c4 = capacity, c5 = capacity;
  if (!grow((void **)&t->row_ids, &c1, needed, sizeof(int64_t)) || !grow((void **)&t->row_tracks, &c2, needed, sizeof(int64_t)) ||
      !grow((void **)&t->row_sizes, &c3, needed, sizeof(int64_t)) ||
      !grow((void **)&t->row_distances, &c4, needed, sizeof(double)) ||
      !grow((void **)&t->row_centroids, &c5, needed, 3 * sizeof(double)))
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  t->row_capacity = c1;
  return SCIPAR_OK;
}

static scipar_status add_event(scipar_tracker *t, int64_t step, scipar_event_kind kind, int64_t track, int64_t other)
{
  if (!grow((void **)&t->events, &t->event_capacity, t->num_events + 1, sizeof *t->events))
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  t->events[t->num_events++] = (scipar_tracking_event){step, kind, track, other};
  return SCIPAR_OK;
}

static double distance3(const double *a, const double *b)
{
  const double dx = a[0] - b[0], dy = a[1] - b[1], dz = a[2] - b[2];
  return sqrt(dx * dx + dy * dy + dz * dz);
}

/* Appends cluster k of `cur` as a row of `track`; returns the row. */
static int64_t append_row(scipar_tracker *t, const cluster_set *cur, size_t k, int64_t track, double distance)
{
  const size_t row = t->num_rows++;
  t->row_ids[row] = cur->ids[k];
  t->row_tracks[row] = track;
  t->row_sizes[row] = cluster_set_size(cur, k);
  t->row_distances[row] = distance;
  memcpy(t->row_centroids + 3 * row, cur->centroids + 3 * k, 3 * sizeof(double));
  return (int64_t)row;
}

static scipar_status new_track(scipar_tracker *t, int64_t step, int64_t parent, int64_t *id)
{
  if (!grow((void **)&t->tracks, &t->track_capacity, t->num_tracks + 1, sizeof *t->tracks))
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  *id = (int64_t)t->num_tracks++;
  memset(&t->tracks[*id], 0, sizeof t->tracks[*id]);
  t->tracks[*id].start_step = t->tracks[*id].end_step = step;
  t->tracks[*id].parent = parent;
  t->tracks[*id].merged_into = -1;
  t->tracks[*id].last_row = -1;
  return SCIPAR_OK;
}

/* The track goes on with this row at this step. */
static void continue_track(scipar_tracker *t, int64_t track, int64_t row, int64_t step)
{
  track_record *r = &t->tracks[track];
  if (r->last_row >= 0)
    r->path_length += distance3(t->row_centroids + 3 * r->last_row, t->row_centroids + 3 * row);
  memmove(r->recent_rows + 1, r->recent_rows, VELOCITY_SPAN * sizeof *r->recent_rows);
  memmove(r->recent_steps + 1, r->recent_steps, VELOCITY_SPAN * sizeof *r->recent_steps);
  r->recent_rows[0] = row;
  r->recent_steps[0] = step;
  r->num_recent = r->num_recent <= VELOCITY_SPAN ? r->num_recent + 1 : VELOCITY_SPAN + 1;
  r->last_row = row;
  r->end_step = step;
}

scipar_status record_first_step(scipar_tracker *t, const cluster_set *cur)
{
  if (reserve_rows(t, cur->num_clusters) != SCIPAR_OK)
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  for (size_t k = 0; k < cur->num_clusters; ++k) {
    int64_t track;
    if (new_track(t, 0, -1, &track) != SCIPAR_OK)
      return SCIPAR_ERROR_OUT_OF_MEMORY;
    continue_track(t, track, append_row(t, cur, k, track, NAN), 0);
  }
  return SCIPAR_OK;
}

/* Keeps a copy of the last cluster of a track that goes missing, with its velocity. */
static scipar_status keep_lost(scipar_tracker *t, const cluster_set *prev, size_t p, int64_t track)
{
  if (!grow((void **)&t->lost, &t->lost_capacity, t->num_lost + 1, sizeof *t->lost))
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  const int64_t n = cluster_set_size(prev, p), begin = prev->offsets[p];
  double *xyz = malloc((3 * (size_t)n + 1) * sizeof *xyz);
  if (!xyz)
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  for (int64_t i = 0; i < n; ++i) {
    xyz[3 * i] = prev->x[begin + i];
    xyz[3 * i + 1] = prev->y[begin + i];
    xyz[3 * i + 2] = prev->z[begin + i];
  }
  const track_record *r = &t->tracks[track];
  lost_track lost = {track, r->end_step, n, xyz, {0.0, 0.0, 0.0}};
  if (r->num_recent > 1) {
    const int oldest = r->num_recent - 1;
    const double elapsed = t->times[r->end_step] - t->times[r->recent_steps[oldest]];
    for (int d = 0; d < 3; ++d)
      lost.velocity[d] =
        (t->row_centroids[3 * r->last_row + d] - t->row_centroids[3 * r->recent_rows[oldest] + d]) / elapsed;
  }
  t->lost[t->num_lost++] = lost;
  return SCIPAR_OK;
}

/* Drops the lost tracks that reappeared (taken) and, with a death, those missing for more than
 * max_gap steps at `step`; keeps the others in order. */
static scipar_status prune_lost(scipar_tracker *t, const unsigned char *taken, size_t num_taken, int64_t step)
{
  size_t kept = 0;
  scipar_status status = SCIPAR_OK;
  for (size_t l = 0; l < t->num_lost; ++l) {
    lost_track *lost = &t->lost[l];
    const int reappeared = l < num_taken && taken[l];
    const int too_long = lost->last_step + t->options.max_gap < step;
    if (!reappeared && too_long && status == SCIPAR_OK)
      status = add_event(t, lost->last_step + 1, SCIPAR_EVENT_DEATH, lost->track, -1);
    if (reappeared || too_long)
      free(lost->xyz);
    else
      t->lost[kept++] = *lost;
  }
  t->num_lost = kept;
  return status;
}

scipar_status record_step(scipar_tracker *t, const cluster_set *prev, const cluster_set *cur, const step_links *links,
                          size_t step_index)
{
  const int64_t step = (int64_t)step_index;
  const int64_t prev_rows = t->step_offsets[step_index - 1];
  const size_t num_lost = t->num_lost;
  unsigned char *taken = calloc(num_lost + 1, 1);
  int64_t *cur_track = malloc((cur->num_clusters + 1) * sizeof *cur_track);
  scipar_status status = taken && cur_track ? reserve_rows(t, cur->num_clusters) : SCIPAR_ERROR_OUT_OF_MEMORY;
  /* The new clusters: continuing (a link or a closed gap) or new (a split's part or a birth); new
   * tracks numbered in cluster order. */
  for (size_t c = 0; status == SCIPAR_OK && c < cur->num_clusters; ++c) {
    int64_t track;
    if (links->cur_prev[c] >= 0) {
      track = t->row_tracks[prev_rows + links->cur_prev[c]];
    } else if (links->cur_lost[c] >= 0) {
      track = t->lost[links->cur_lost[c]].track;
      taken[links->cur_lost[c]] = 1;
      status = add_event(t, step, SCIPAR_EVENT_GAP, track, -1);
    } else {
      const int64_t parent = links->cur_parent[c] >= 0 ? t->row_tracks[prev_rows + links->cur_parent[c]] : -1;
      status = new_track(t, step, parent, &track);
      if (status == SCIPAR_OK)
        status = add_event(t, step, parent >= 0 ? SCIPAR_EVENT_SPLIT : SCIPAR_EVENT_BIRTH, track, parent);
    }
    if (status == SCIPAR_OK) {
      cur_track[c] = track;
      continue_track(t, track, append_row(t, cur, c, track, links->cur_distance[c]), step);
    }
  }
  /* The previous clusters nothing continues: merged, missing (kept for gap closing) or dead. */
  for (size_t p = 0; status == SCIPAR_OK && p < prev->num_clusters; ++p) {
    if (links->prev_next[p] >= 0)
      continue;
    const int64_t track = t->row_tracks[prev_rows + (int64_t)p];
    if (links->prev_merged_into[p] >= 0) {
      const int64_t survivor = cur_track[links->prev_merged_into[p]];
      t->tracks[track].merged_into = survivor;
      status = add_event(t, step, SCIPAR_EVENT_MERGE, track, survivor);
    } else if (t->options.max_gap > 0) {
      status = keep_lost(t, prev, p, track);
    } else {
      status = add_event(t, step, SCIPAR_EVENT_DEATH, track, -1);
    }
  }
  if (status == SCIPAR_OK)
    status = prune_lost(t, taken, num_lost, step);
  free(taken), free(cur_track);
  return status;
}

void lost_tracks_free(scipar_tracker *t)
{
  for (size_t l = 0; l < t->num_lost; ++l)
    free(t->lost[l].xyz);
  free(t->lost);
  t->lost = NULL;
  t->num_lost = t->lost_capacity = 0;
}

static int event_before(const void *pa, const void *pb)
{
  const scipar_tracking_event *a = pa, *b = pb;
  if (a->step != b->step)
    return a->step < b->step ? -1 : 1;
  if (a->track != b->track)
    return a->track < b->track ? -1 : 1;
  return (a->kind > b->kind) - (a->kind < b->kind);
}

/* Moves an array out of the tracker into the result, shrunk to its size. */
static void *take(void **array, size_t count, size_t size)
{
  void *p = *array;
  *array = NULL;
  if (!p)
    return malloc(size);
  void *shrunk = realloc(p, (count ? count : 1) * size);
  return shrunk ? shrunk : p;
}

scipar_status record_finish(scipar_tracker *t, scipar_tracking_result *r)
{
  /* Tracks still missing die: a track is never missing at the last step without dying. */
  for (size_t l = 0; l < t->num_lost; ++l)
    if (add_event(t, t->lost[l].last_step + 1, SCIPAR_EVENT_DEATH, t->lost[l].track, -1) != SCIPAR_OK)
      return SCIPAR_ERROR_OUT_OF_MEMORY;
  lost_tracks_free(t);
  if (t->num_events > 1) /* a series without events has no array to sort */
    qsort(t->events, t->num_events, sizeof *t->events, event_before);

  const size_t k = t->num_rows, n = t->num_tracks;
  r->track_start_steps = malloc((n + 1) * sizeof(int64_t));
  r->track_end_steps = malloc((n + 1) * sizeof(int64_t));
  r->track_parents = malloc((n + 1) * sizeof(int64_t));
  r->track_merged_into = malloc((n + 1) * sizeof(int64_t));
  r->track_path_lengths = malloc((n + 1) * sizeof(double));
  r->track_mean_speeds = malloc((n + 1) * sizeof(double));
  r->track_offsets = calloc(n + 1, sizeof(int64_t));
  r->track_clusters = malloc((k + 1) * sizeof(int64_t));
  if (!r->track_start_steps || !r->track_end_steps || !r->track_parents || !r->track_merged_into ||
      !r->track_path_lengths || !r->track_mean_speeds || !r->track_offsets || !r->track_clusters) {
    scipar_tracking_result_free(r);
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  }
  for (size_t i = 0; i < n; ++i) {
    const track_record *tr = &t->tracks[i];
    r->track_start_steps[i] = tr->start_step;
    r->track_end_steps[i] = tr->end_step;
    r->track_parents[i] = tr->parent;
    r->track_merged_into[i] = tr->merged_into;
    r->track_path_lengths[i] = tr->path_length;
    const double duration = tr->end_step > tr->start_step ? t->times[tr->end_step] - t->times[tr->start_step] : 0.0;
    r->track_mean_speeds[i] = duration > 0.0 ? tr->path_length / duration : NAN;
  }
  /* Each track's rows in time order: rows are in step order already, a stable counting sort keeps it. */
  for (size_t row = 0; row < k; ++row)
    ++r->track_offsets[t->row_tracks[row] + 1];
  for (size_t i = 0; i < n; ++i)
    r->track_offsets[i + 1] += r->track_offsets[i];
  for (size_t row = 0; row < k; ++row)
    r->track_clusters[r->track_offsets[t->row_tracks[row]]++] = (int64_t)row;
  memmove(r->track_offsets + 1, r->track_offsets, n * sizeof(int64_t));
  r->track_offsets[0] = 0;

  r->num_steps = t->num_steps;
  r->num_clusters = k;
  r->num_tracks = n;
  r->num_events = t->num_events;
  r->step_times = take((void **)&t->times, t->num_steps, sizeof(double));
  r->step_gates = take((void **)&t->gates, t->num_steps, sizeof(double));
  r->step_offsets = take((void **)&t->step_offsets, t->num_steps + 1, sizeof(int64_t));
  r->cluster_ids = take((void **)&t->row_ids, k, sizeof(int64_t));
  r->cluster_tracks = take((void **)&t->row_tracks, k, sizeof(int64_t));
  r->cluster_link_distances = take((void **)&t->row_distances, k, sizeof(double));
  r->cluster_centroids = take((void **)&t->row_centroids, 3 * k, sizeof(double));
  r->cluster_sizes = take((void **)&t->row_sizes, k, sizeof(int64_t));
  r->events = take((void **)&t->events, t->num_events, sizeof(scipar_tracking_event));
  free(t->tracks);
  t->tracks = NULL;
  t->num_rows = t->num_tracks = t->num_events = t->row_capacity = t->track_capacity = t->event_capacity = 0;
  if (!r->step_times || !r->step_gates || !r->step_offsets || !r->cluster_ids || !r->cluster_tracks ||
      !r->cluster_link_distances || !r->cluster_centroids || !r->cluster_sizes || !r->events) {
    scipar_tracking_result_free(r);
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  }
  return SCIPAR_OK;
}

void scipar_tracking_result_free(scipar_tracking_result *r)
{
  if (!r)
    return;
  free(r->step_times), free(r->step_gates), free(r->step_offsets);
  free(r->cluster_ids), free(r->cluster_tracks), free(r->cluster_link_distances), free(r->cluster_centroids);
  free(r->cluster_sizes);
  free(r->track_start_steps), free(r->track_end_steps), free(r->track_parents), free(r->track_merged_into);
  free(r->track_path_lengths), free(r->track_mean_speeds), free(r->track_offsets), free(r->track_clusters);
  free(r->events);
  char message[sizeof r->message];
  memcpy(message, r->message, sizeof message);
  memset(r, 0, sizeof *r);
  memcpy(r->message, message, sizeof message);
}
