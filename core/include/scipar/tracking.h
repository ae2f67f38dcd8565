/*
 * scipar tracking: persistent track ids for the clusters of a time series, by Chamfer distance.
 *
 * Plain C11 + OpenMP, no VTK. Steps are fed one at a time in time order, each a scipar_cloud (points
 * and a cluster label per point; labels are arbitrary and may change meaning from step to step) and
 * its time. Consecutive steps are linked by a global one-to-one assignment of least total Chamfer
 * cost within a gate; a track missing for up to max_gap steps is continued when it reappears near
 * where its motion predicts (gap closing); a cluster that divides, or two that join, is recorded as a
 * split or a merge, decided from one-sided Chamfer coverage. docs/tracking.md has the rules.
 *
 *   scipar_tracking_options options;
 *   scipar_tracking_options_init(&options);        // Max metric, gate from the data, max gap 2
 *   scipar_tracker *tracker = scipar_tracker_create(&options);
 *   for (each step s, in time order)
 *     if (scipar_tracker_add_step(tracker, &cloud_s, time_s) != SCIPAR_OK)
 *       fprintf(stderr, "%s\n", scipar_tracker_message(tracker));   // and stop
 *   scipar_tracking_result result;
 *   scipar_tracker_finish(tracker, &result);       // the tracks, events and per-step clusters
 *   scipar_tracker_free(tracker);
 *   ...result.cluster_tracks[result.step_offsets[s] + k]: the track of step s's k-th cluster...
 *   scipar_tracking_step_values(&result, s, &cloud_s, 0, track_id, link_distance, cluster_index, NULL, 0);
 *   scipar_tracking_result_free(&result);
 *
 * Memory: the tracker holds the points of two steps (the previous one and the one being added) and,
 * for gap closing, copies of the last cluster of each track missing for at most max_gap steps; the
 * rest is per cluster and per track (O(clusters x steps)).
 *
 * Results are identical for every thread count.
 */
#ifndef SCIPAR_TRACKING_H
#define SCIPAR_TRACKING_H

#include <stddef.h>
#include <stdint.h>

#include "scipar/scipar.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct scipar_tracking_options {
  scipar_metric metric;         /* the Chamfer value linking clusters; default SCIPAR_METRIC_MAX */
  int squared;                  /* non-zero: squared Euclidean distances; default 0 */
  double max_link_distance;     /* the gate: clusters whose Chamfer value exceeds it are never linked.
                                   0 (the default): chosen from the data at every step (docs/tracking.md);
                                   > 0: this value, in the metric's units. Finite, >= 0 */
  int max_gap;                  /* a track missing for up to this many steps is continued when it
                                   reappears (0: never); default 2, as TrackMate's */
  int detect_splits_and_merges; /* non-zero (the default): record splits and merges */
  int num_threads;              /* <= 0: all cores (default); at most scipar_max_threads() are used */
  scipar_progress_fn progress;  /* called during each scipar_tracker_add_step with the fraction of that
                                   step's work done; a non-zero return cancels it */
  void *progress_user_data;
} scipar_tracking_options;

typedef enum scipar_event_kind {
  SCIPAR_EVENT_BIRTH = 0, /* a track starts, from nothing (not at the first step) */
  SCIPAR_EVENT_DEATH = 1, /* a track ends and no cluster of it is seen again (not at the last step) */
  SCIPAR_EVENT_SPLIT = 2, /* a track starts as a part of another: other_track is the parent */
  SCIPAR_EVENT_MERGE = 3, /* a track ends, absorbed by another: other_track is the survivor */
  SCIPAR_EVENT_GAP = 4    /* a track reappears after missing one or more steps */
} scipar_event_kind;

typedef struct scipar_tracking_event {
  int64_t step;           /* the step where the event is first visible: a birth or split at the
                             track's first step, a death or merge at the first step without the
                             track, a gap at the step where the track reappears */
  scipar_event_kind kind;
  int64_t track;          /* the track born, dead, split off, absorbed or reappearing */
  int64_t other_track;    /* split: the parent; merge: the survivor; otherwise -1 */
} scipar_tracking_event;

/* Everything tracked, for the whole series. Steps are numbered from 0 in the order they were added;
 * tracks from 0 in the order they started (by step, then by cluster id). Per-cluster arrays list
 * every step's clusters, step by step, each step's clusters by ascending id: step s's k-th cluster is
 * row step_offsets[s] + k. */
typedef struct scipar_tracking_result {
  size_t num_steps;
  double *step_times;       /* [num_steps] the times given */
  double *step_gates;       /* [num_steps] the gate used to link step s - 1 to step s (NaN at step 0) */
  int64_t *step_offsets;    /* [num_steps + 1] */

  size_t num_clusters;              /* over all steps */
  int64_t *cluster_ids;             /* [num_clusters] the label in its step */
  int64_t *cluster_tracks;          /* [num_clusters] its track */
  double *cluster_link_distances;   /* [num_clusters] Chamfer value to the cluster it continues (for a
                                       gap, the track's last cluster); NaN at a track's start */
  double *cluster_centroids;        /* [3 * num_clusters] */
  int64_t *cluster_sizes;           /* [num_clusters] points (finite, not skipped) */

  size_t num_tracks;
  int64_t *track_start_steps;       /* [num_tracks] first step */
  int64_t *track_end_steps;         /* [num_tracks] last step seen */
  int64_t *track_parents;           /* [num_tracks] the track it split from, -1 */
  int64_t *track_merged_into;       /* [num_tracks] the track that absorbed it, -1 */
  double *track_path_lengths;       /* [num_tracks] sum of the distances between its consecutive
                                       centroids (across gaps too) */
  double *track_mean_speeds;        /* [num_tracks] path length over (end time - start time); NaN for a
                                       track seen at one step only */
  int64_t *track_offsets;           /* [num_tracks + 1] track t's clusters are the rows */
  int64_t *track_clusters;          /* track_clusters[track_offsets[t] ..], in time order */

  size_t num_events;
  scipar_tracking_event *events;    /* sorted by (step, track, kind) */

  int num_threads;      /* most threads any step ran on */
  double wall_seconds;  /* elapsed time inside the tracker's calls */
  double cpu_seconds;   /* CPU time of the process over them */
  char message[256];    /* what went wrong, when the status is not SCIPAR_OK */
} scipar_tracking_result;

typedef struct scipar_tracker scipar_tracker;

void scipar_tracking_options_init(scipar_tracking_options *options);

/* A tracker for one series, with these options (NULL: the defaults). Returns NULL only when memory is
 * short. Bad options leave it failed at once: scipar_tracker_status says so and every call returns
 * that status, with the message. */
scipar_tracker *scipar_tracker_create(const scipar_tracking_options *options);

/* Adds the next step: its cloud (read now, not kept; skip flags honoured, points with a NaN or
 * infinite coordinate left out) and its time, greater than the previous step's. Links it to the
 * previous steps. On an error (bad cloud or time, cancellation, memory) returns it; the tracker is
 * then failed and stays so. */
scipar_status scipar_tracker_add_step(scipar_tracker *tracker, const scipar_cloud *cloud, double time);

/* SCIPAR_OK, or the error that failed the tracker; and its message ("" when none). */
scipar_status scipar_tracker_status(const scipar_tracker *tracker);
const char *scipar_tracker_message(const scipar_tracker *tracker);

/* Ends the series (tracks still missing die) and fills *result, to be released with
 * scipar_tracking_result_free. After it the tracker takes no more steps. On failure *result holds
 * only a message (freeing it is harmless). */
scipar_status scipar_tracker_finish(scipar_tracker *tracker, scipar_tracking_result *result);

void scipar_tracker_free(scipar_tracker *tracker);
void scipar_tracking_result_free(scipar_tracking_result *result);

/* Per point of one tracked step, given the step's cloud again (the same labels; points may be read
 * from a file again): the track id (-1 for a point that took no part), the link distance (NaN), and
 * the index of its cluster among the step's clusters (-1). Any output may be NULL. Runs on
 * num_threads threads (<= 0: all cores). SCIPAR_ERROR_INVALID_ARGUMENT when the step does not exist
 * or a label is not one of the step's clusters (the cloud is not the one tracked); message (may be
 * NULL) then says which. */
scipar_status scipar_tracking_step_values(const scipar_tracking_result *result, size_t step,
                                          const scipar_cloud *cloud, int num_threads, int64_t *track_id,
                                          double *link_distance, int64_t *cluster_index, char *message,
                                          size_t message_size);

/* The points of one step grouped by cluster, as a cell per cluster wants them: offsets[k + 1] for
 * the step's k clusters and point_ids (input point indices, input order inside a cluster), from the
 * cluster_index that scipar_tracking_step_values gave for its num_points points. */
void scipar_tracking_step_cells(const scipar_tracking_result *result, size_t step, const int64_t *cluster_index,
                                size_t num_points, int64_t *offsets, int64_t *point_ids);

/* "birth", "death", "split", "merge" or "gap"; NULL for an unknown kind. */
const char *scipar_event_kind_name(scipar_event_kind kind);

#ifdef __cplusplus
}
#endif

#endif /* SCIPAR_TRACKING_H */
