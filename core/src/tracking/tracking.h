/*
 * Stage: tracking. Takes the steps of a time series one at a time (a cloud and its time each); gives
 * persistent track ids for their clusters, the tracks and their events (scipar/tracking.h). For each
 * new step it groups the cloud (grouping), links it to the previous step by the global assignment
 * (assignment) over the pairs within the gate (search/nearby_pairs), continues tracks missing for a
 * few steps (gap closing) and records splits and merges from one-sided coverage; docs/tracking.md
 * has the rules.
 *
 * What the tracker holds, and why:
 * - the previous step's grouped points and their hierarchy: the next step is linked against them;
 *   the step being added is grouped into the same form and then replaces them (two steps' points);
 * - for each track missing for at most max_gap steps, a copy of its last cluster's points and its
 *   velocity: gap closing compares them, moved to where the track would be now, with the new step's
 *   clusters; a copy is dropped when its track reappears or has been missing too long;
 * - per cluster of every step (id, track, link distance, centroid, size), per track and per event a
 *   few numbers: the result, O(clusters x steps).
 */
#ifndef SCIPAR_TRACKING_STAGE_H
#define SCIPAR_TRACKING_STAGE_H

#include "call/progress.h"
#include "grouping/grouping.h"
#include "scipar/tracking.h"
#include "search/candidate_search.h"
#include "search/nearby_pairs.h"

/* ---- what the tracker keeps ---- */

/* A step's thresholds, in the metric's units: links are allowed up to `link`; a cluster lies near
 * another when its one-sided value is within `cover` (splits and merges, coverage.c). */
typedef struct step_gates {
  double link, cover;
} step_gates;

/* A track's velocity, for gap closing, is measured over its last VELOCITY_SPAN + 1 clusters: over one
 * step, the centroids of small clusters are too noisy to extrapolate over a gap. */
enum { VELOCITY_SPAN = 4 };

typedef struct track_record {
  int64_t start_step, end_step;
  int64_t parent, merged_into;
  double path_length;
  int64_t last_row;                        /* its latest cluster's row */
  int64_t recent_rows[VELOCITY_SPAN + 1];  /* its latest clusters' rows, latest first */
  int64_t recent_steps[VELOCITY_SPAN + 1]; /* and their steps */
  int num_recent;
} track_record;

/* A track missing from the latest step(s): its last cluster as it was seen. */
typedef struct lost_track {
  int64_t track;
  int64_t last_step;
  int64_t num_points;
  double *xyz;        /* [3 * num_points] interleaved */
  double velocity[3]; /* of its centroid per unit of time, over its last clusters (0 with one) */
} lost_track;

struct scipar_tracker {
  scipar_tracking_options options;
  scipar_status status; /* SCIPAR_OK until an error fails the tracker */
  char message[256];
  int finished;

  size_t num_steps, step_capacity;
  double *times, *gates;
  int64_t *step_offsets; /* [num_steps + 1] rows of each step */
  step_gates last_gates; /* the latest chosen from the data, for steps that give no data to choose */

  cluster_set previous;  /* the latest step added, grouped */
  cluster_hierarchy previous_hierarchy;

  size_t num_rows, row_capacity; /* per cluster of every step */
  int64_t *row_ids, *row_tracks, *row_sizes;
  double *row_distances, *row_centroids;

  size_t num_tracks, track_capacity;
  track_record *tracks;

  size_t num_events, event_capacity;
  scipar_tracking_event *events;

  size_t num_lost, lost_capacity;
  lost_track *lost; /* in the order they went missing */

  int most_threads;
  double wall_seconds, cpu_seconds;
};

/* ---- one step's links, decided in stages ---- */

/* The links between the previous step's clusters P and the new step's clusters C. */
typedef struct step_links {
  size_t num_prev, num_cur;
  step_gates gates;
  int64_t *prev_next;        /* [num_prev] the C cluster continuing it, -1 */
  int64_t *prev_merged_into; /* [num_prev] the C cluster it merged into, -1 */
  int64_t *cur_prev;         /* [num_cur] the P cluster it continues, -1 */
  int64_t *cur_lost;         /* [num_cur] the lost track it continues (index in tracker->lost), -1 */
  int64_t *cur_parent;       /* [num_cur] the P cluster it split from, -1 */
  double *cur_distance;      /* [num_cur] its link distance, NaN */
} step_links;

scipar_status step_links_init(step_links *links, size_t num_prev, size_t num_cur);
void step_links_free(step_links *links);

/* What every stage of one step reads. */
typedef struct step_context {
  const scipar_tracking_options *options;
  const cluster_set *prev, *cur;
  const cluster_hierarchy *prev_hierarchy, *cur_hierarchy;
  int num_threads;
  progress_state *progress;
} step_context;

/* The gates from the previous step to the new one: options->max_link_distance (both) when set;
 * otherwise chosen from the data (gate.c), with fallback when the data choose nothing. Also gives the
 * candidate links: every (p, c) of Chamfer value <= gate, by p then c (link_* arrays, *num_links;
 * the caller frees them). */
scipar_status frame_candidates(const step_context *s, step_gates fallback, step_gates *gates, int64_t **link_row,
                               int64_t **link_col, double **link_cost, size_t *num_links);

/* The gates chosen from each P cluster's two least Chamfer values to C (n1, n2: INFINITY when C has
 * fewer clusters) and whether its nearest is mutual: see gate.c. Returns 1, 0 when they choose none,
 * -1 when memory is short. */
int gates_from_nearest(const double *n1, const double *n2, const unsigned char *mutual, size_t num_prev,
                       step_gates *gates);

/* Links the new step (at `time`) to the previous one and to the tracker's lost tracks:
 * frame_candidates, lost_candidates (when gaps are closed), then one assignment over both with "no
 * link" costing the gate on each side. Fills links->gates, prev_next, cur_prev, cur_lost and
 * cur_distance. */
scipar_status link_step(const step_context *s, const scipar_tracker *tracker, double time, step_links *links,
                        char *message, size_t message_size);

/* Gap closing's candidates: every (lost track, C cluster) of Chamfer value <= gate, the lost track's
 * last cluster moved by its velocity to `time` (gaps.c); lost tracks in tracker->lost's order. */
scipar_status lost_candidates(const step_context *s, const scipar_tracker *tracker, double time, double gate,
                              pair_list *pairs);

/* The Chamfer value of a lost track's last cluster, as it was seen, and C cluster c. */
scipar_status gap_link_distance(const step_context *s, const lost_track *lost, int64_t c, double *value);

/* Splits and merges from one-sided coverage (coverage.c). Updates the links. */
scipar_status find_splits_and_merges(const step_context *s, step_links *links);

/* The Chamfer value of P cluster p and C cluster c (p as the source), evaluated in full. */
double link_distance(const step_context *s, int64_t p, int64_t c);

/* ---- records ---- */

/* Appends the first step's clusters, each a new track. */
scipar_status record_first_step(scipar_tracker *tracker, const cluster_set *cur);

/* Appends step `step`'s clusters with their tracks as the links say, the events they make, and
 * updates the lost tracks (copies of those that go missing, deaths of those missing too long). */
scipar_status record_step(scipar_tracker *tracker, const cluster_set *prev, const cluster_set *cur,
                          const step_links *links, size_t step);

/* Deaths of the tracks still missing at the end; the result. */
scipar_status record_finish(scipar_tracker *tracker, scipar_tracking_result *result);

void lost_tracks_free(scipar_tracker *tracker);

#endif
