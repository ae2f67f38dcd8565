/* The tracker (scipar/tracking.h) on hand-made sequences whose answer is known: ids renumbered every
 * step, a birth, a death, a gap bridged and one too long to bridge, a split (linked by the assignment,
 * and with every part beyond the gate), a merge, splits and merges switched off, an empty step; the
 * per-track figures (path length, mean speed) and per-point values; identical results on 1, 2 and 3
 * threads; bad input, cancellation and a failed tracker. */
#include "check.h"
#include "random_cloud.h"
#include "scipar/tracking.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A Gaussian blob of points with its label in a step. */
typedef struct blob {
  int64_t label;
  double centre[3], sigma[3];
  int n;
  uint64_t seed; /* its points' draw: a new seed is a new sample of the same shape */
} blob;

typedef struct step_cloud {
  double *points;
  int64_t *labels;
  size_t n;
} step_cloud;

static step_cloud make_step(const blob *blobs, int count)
{
  size_t n = 0;
  for (int b = 0; b < count; ++b)
    n += (size_t)blobs[b].n;
  step_cloud s = {malloc(3 * n * sizeof(double) + 8), malloc(n * sizeof(int64_t) + 8), n};
  size_t at = 0;
  for (int b = 0; b < count; ++b) {
    rng r = {blobs[b].seed * 7919u + 13u};
    for (int i = 0; i < blobs[b].n; ++i, ++at) {
      for (int d = 0; d < 3; ++d)
        s.points[3 * at + d] = blobs[b].centre[d] + blobs[b].sigma[d] * rng_normal(&r);
      s.labels[at] = blobs[b].label;
    }
  }
  return s;
}

static void free_step(step_cloud *s)
{
  free(s->points);
  free(s->labels);
}

static scipar_tracking_options options_with(double gate, int max_gap, int splits, int threads)
{
  scipar_tracking_options o;
  scipar_tracking_options_init(&o);
  o.max_link_distance = gate;
  o.max_gap = max_gap;
  o.detect_splits_and_merges = splits;
  o.num_threads = threads;
  return o;
}

/* Runs the steps through a tracker. */
static scipar_status track(const scipar_tracking_options *o, step_cloud *steps, int count, scipar_tracking_result *r)
{
  scipar_tracker *t = scipar_tracker_create(o);
  for (int s = 0; s < count; ++s) {
    const scipar_cloud c = {steps[s].points, steps[s].labels, steps[s].n, NULL};
    if (scipar_tracker_add_step(t, &c, 0.5 * s) != SCIPAR_OK)
      break;
  }
  const scipar_status status = scipar_tracker_finish(t, r);
  scipar_tracker_free(t);
  return status;
}

/* The track of the cluster with this label in step s, -1 if none. */
static int64_t track_of(const scipar_tracking_result *r, size_t s, int64_t label)
{
  for (int64_t row = r->step_offsets[s]; row < r->step_offsets[s + 1]; ++row)
    if (r->cluster_ids[row] == label)
      return r->cluster_tracks[row];
  return -1;
}

static int64_t row_of(const scipar_tracking_result *r, size_t s, int64_t label)
{
  for (int64_t row = r->step_offsets[s]; row < r->step_offsets[s + 1]; ++row)
    if (r->cluster_ids[row] == label)
      return row;
  return -1;
}

static int has_event(const scipar_tracking_result *r, int64_t step, scipar_event_kind kind, int64_t track, int64_t other)
{
  for (size_t e = 0; e < r->num_events; ++e)
    if (r->events[e].step == step && r->events[e].kind == kind && r->events[e].track == track &&
        r->events[e].other_track == other)
      return 1;
  return 0;
}

static size_t count_events(const scipar_tracking_result *r, scipar_event_kind kind)
{
  size_t n = 0;
  for (size_t e = 0; e < r->num_events; ++e)
    n += r->events[e].kind == kind;
  return n;
}

/* Three blobs moving apart at their own constant velocity, ids shuffled at every step. */
static void test_renumbered_ids(void)
{
  enum { STEPS = 6 };
  step_cloud steps[STEPS];
  const double start[3][3] = {{0, 0, 0}, {30, 0, 0}, {0, 30, 0}};
  const double velocity[3][3] = {{1, 0, 0}, {0, 1, 0.5}, {-0.5, 0, 1}};
  for (int s = 0; s < STEPS; ++s) {
    blob blobs[3];
    for (int b = 0; b < 3; ++b) {
      blobs[b] = (blob){(int64_t)((b * 7 + s * 5) % 3) + 10 * s, {0}, {1, 1.5, 0.7}, 40 + 5 * b, (uint64_t)(100 * s + b)};
      for (int d = 0; d < 3; ++d)
        blobs[b].centre[d] = start[b][d] + s * velocity[b][d];
    }
    steps[s] = make_step(blobs, 3);
  }
  scipar_tracking_options o = options_with(0.0, 2, 1, 1);
  scipar_tracking_result r;
  CHECK(track(&o, steps, STEPS, &r) == SCIPAR_OK, "renumbered: tracks: %s", r.message);
  CHECK(r.num_steps == STEPS && r.num_tracks == 3 && r.num_events == 0, "renumbered: 3 tracks, no event (got %zu, %zu)",
        r.num_tracks, r.num_events);
  for (int b = 0; b < 3; ++b) {
    const int64_t first = track_of(&r, 0, (b * 7) % 3);
    int same = first >= 0;
    for (int s = 1; s < STEPS; ++s)
      same &= track_of(&r, (size_t)s, (int64_t)((b * 7 + s * 5) % 3) + 10 * s) == first;
    CHECK(same, "renumbered: blob %d keeps its track through every step", b);
    if (first < 0)
      continue;
    const double speed = sqrt(velocity[b][0] * velocity[b][0] + velocity[b][1] * velocity[b][1] +
                              velocity[b][2] * velocity[b][2]);
    /* Centroids of redrawn samples wander: the path is the true one within a few tenths. */
    CHECK(fabs(r.track_path_lengths[first] - (STEPS - 1) * speed) < 0.2 * (STEPS - 1),
          "renumbered: blob %d path %g, true %g", b, r.track_path_lengths[first], (STEPS - 1) * speed);
    CHECK(fabs(r.track_mean_speeds[first] - r.track_path_lengths[first] / (0.5 * (STEPS - 1))) < 1e-12,
          "renumbered: mean speed is path over time");
    CHECK(r.track_start_steps[first] == 0 && r.track_end_steps[first] == STEPS - 1 && r.track_parents[first] == -1 &&
            r.track_merged_into[first] == -1,
          "renumbered: blob %d's track spans the series", b);
  }
  for (int64_t row = 0; row < (int64_t)r.num_clusters; ++row) {
    const int first_step = row < r.step_offsets[1];
    CHECK(first_step ? isnan(r.cluster_link_distances[row]) : r.cluster_link_distances[row] > 0,
          "renumbered: link distance NaN at a track's start only (row %lld)", (long long)row);
  }
  /* The link distance is the Chamfer value to the cluster continued. */
  const int64_t row1 = row_of(&r, 1, 10 + 5 % 3), row0 = row_of(&r, 0, 0);
  double a[3 * 60], b[3 * 60];
  size_t na = 0, nb = 0;
  for (size_t i = 0; i < steps[0].n; ++i)
    if (steps[0].labels[i] == 0)
      memcpy(a + 3 * na++, steps[0].points + 3 * i, 3 * sizeof(double));
  for (size_t i = 0; i < steps[1].n; ++i)
    if (steps[1].labels[i] == 10 + 5 % 3)
      memcpy(b + 3 * nb++, steps[1].points + 3 * i, 3 * sizeof(double));
  const double expected = scipar_chamfer(a, na, b, nb, SCIPAR_METRIC_MAX, 0);
  CHECK(row0 >= 0 && row1 >= 0 && fabs(r.cluster_link_distances[row1] - expected) <= 1e-12 * expected,
        "renumbered: link distance %.17g, Chamfer %.17g", row1 >= 0 ? r.cluster_link_distances[row1] : NAN, expected);
  CHECK(r.cluster_sizes[row0] == 40 && fabs(r.cluster_centroids[3 * row0]) < 0.5, "renumbered: size and centroid");
  CHECK(isnan(r.step_gates[0]) && r.step_gates[1] > 0, "renumbered: gate NaN at step 0, chosen after");
  scipar_tracking_result_free(&r);
  for (int s = 0; s < STEPS; ++s)
    free_step(&steps[s]);
}

/* Blobs A, B, C, D of a scene that goes: B missing in steps 2-3 (a gap of 2), C dies after step 1,
 * D born at step 3, E missing in steps 2-4 (too long to bridge with max gap 2). Every blob moves
 * at its own velocity; the lost ones reappear where they would have been. */
typedef struct scene_blob {
  double start[3], velocity[3];
  int n;
  int first, last;       /* steps where it exists */
  int gap_from, gap_to;  /* steps where it is hidden (gap_from > gap_to: none) */
} scene_blob;

static step_cloud scene_step(const scene_blob *scene, int count, int s)
{
  blob blobs[8];
  int k = 0;
  for (int b = 0; b < count; ++b) {
    if (s < scene[b].first || s > scene[b].last || (s >= scene[b].gap_from && s <= scene[b].gap_to))
      continue;
    blobs[k] = (blob){(int64_t)((b * 3 + s) % count), {0}, {1, 1, 1}, scene[b].n, (uint64_t)(1000 * s + b)};
    for (int d = 0; d < 3; ++d)
      blobs[k].centre[d] = scene[b].start[d] + s * scene[b].velocity[d];
    ++k;
  }
  return make_step(blobs, k);
}

static int64_t scene_label(int b, int s, int count) { return (int64_t)((b * 3 + s) % count); }

static void test_births_deaths_gaps(void)
{
  enum { STEPS = 8, COUNT = 5 };
  const scene_blob scene[COUNT] = {
    {{0, 0, 0}, {1, 0, 0}, 40, 0, STEPS - 1, 1, 0},      /* A: always there */
    {{40, 0, 0}, {0, 1.5, 0}, 50, 0, STEPS - 1, 2, 3},   /* B: hidden in steps 2 and 3 */
    {{0, 40, 0}, {0, 0, 1}, 30, 0, 1, 1, 0},             /* C: dies after step 1 */
    {{40, 40, 0}, {-1, 0, 0}, 45, 3, STEPS - 1, 1, 0},   /* D: born at step 3 */
    {{0, 0, 40}, {0.5, 0.5, 0}, 35, 0, STEPS - 1, 2, 4}, /* E: hidden in steps 2, 3 and 4 */
  };
  step_cloud steps[STEPS];
  for (int s = 0; s < STEPS; ++s)
    steps[s] = scene_step(scene, COUNT, s);
  scipar_tracking_options o = options_with(0.0, 2, 1, 2);
  scipar_tracking_result r;
  CHECK(track(&o, steps, STEPS, &r) == SCIPAR_OK, "scene: tracks: %s", r.message);
  const int64_t a = track_of(&r, 0, scene_label(0, 0, COUNT)), b = track_of(&r, 0, scene_label(1, 0, COUNT));
  const int64_t c = track_of(&r, 0, scene_label(2, 0, COUNT)), e = track_of(&r, 0, scene_label(4, 0, COUNT));
  const int64_t d = track_of(&r, 3, scene_label(3, 3, COUNT)), e_again = track_of(&r, 5, scene_label(4, 5, COUNT));
  /* Step 0's ids: A 0, C 1, E 2, B 3; tracks are numbered in that order. */
  CHECK(a == 0 && c == 1 && e == 2 && b == 3, "scene: tracks of step 0 numbered by ascending id (%lld %lld %lld %lld)",
        (long long)a, (long long)c, (long long)e, (long long)b);
  int a_kept = 1, b_kept = 1;
  for (int s = 0; s < STEPS; ++s) {
    a_kept &= track_of(&r, (size_t)s, scene_label(0, s, COUNT)) == a;
    if (s < 2 || s > 3)
      b_kept &= track_of(&r, (size_t)s, scene_label(1, s, COUNT)) == b;
  }
  CHECK(a_kept, "scene: A keeps its track");
  CHECK(b_kept, "scene: B keeps its track across its gap of 2 steps");
  CHECK(has_event(&r, 4, SCIPAR_EVENT_GAP, b, -1), "scene: a gap event for B at step 4, where it reappears");
  CHECK(has_event(&r, 2, SCIPAR_EVENT_DEATH, c, -1) && r.track_end_steps[c] == 1,
        "scene: C dies, the event at step 2 (the first step without it)");
  CHECK(d == 4 && has_event(&r, 3, SCIPAR_EVENT_BIRTH, d, -1) && r.track_start_steps[d] == 3,
        "scene: D is born at step 3 with the next fresh id (got %lld)", (long long)d);
  CHECK(e_again == 5 && e_again != e, "scene: E, missing 3 steps, comes back as a new track (got %lld)", (long long)e_again);
  CHECK(has_event(&r, 2, SCIPAR_EVENT_DEATH, e, -1) && has_event(&r, 5, SCIPAR_EVENT_BIRTH, e_again, -1),
        "scene: E's first track dies at step 2, its second is born at step 5");
  CHECK(r.num_events == 5, "scene: 5 events (gap, 2 deaths, 2 births), got %zu", r.num_events);
  for (size_t i = 1; i < r.num_events; ++i)
    CHECK(r.events[i - 1].step < r.events[i].step ||
            (r.events[i - 1].step == r.events[i].step && r.events[i - 1].track <= r.events[i].track),
          "scene: events sorted by step then track");
  /* The gap link's distance is the Chamfer value to B's cluster at step 1 (not to a predicted one). */
  const int64_t row = row_of(&r, 4, scene_label(1, 4, COUNT));
  CHECK(row >= 0 && r.cluster_link_distances[row] > 2.5,
        "scene: B's link distance at step 4 is measured to its step-1 cluster, 4.5 away (%g)",
        row >= 0 ? r.cluster_link_distances[row] : NAN);
  /* The track's polyline: its clusters in time order, across the gap. */
  CHECK(r.track_offsets[b + 1] - r.track_offsets[b] == STEPS - 2, "scene: B's track holds 6 clusters");
  int ordered = 1;
  for (int64_t k = r.track_offsets[b] + 1; k < r.track_offsets[b + 1]; ++k)
    ordered &= r.track_clusters[k] > r.track_clusters[k - 1] && r.cluster_tracks[r.track_clusters[k]] == b;
  CHECK(ordered, "scene: B's clusters listed in time order");
  scipar_tracking_result_free(&r);

  /* With max gap 0 B too dies and comes back new; with max gap 3 E is bridged. */
  o.max_gap = 0;
  CHECK(track(&o, steps, STEPS, &r) == SCIPAR_OK, "scene, max gap 0: %s", r.message);
  CHECK(count_events(&r, SCIPAR_EVENT_GAP) == 0 && r.num_tracks == 7, "scene, max gap 0: no gap, 7 tracks (got %zu)",
        r.num_tracks);
  scipar_tracking_result_free(&r);
  o.max_gap = 3;
  CHECK(track(&o, steps, STEPS, &r) == SCIPAR_OK, "scene, max gap 3: %s", r.message);
  CHECK(track_of(&r, 5, scene_label(4, 5, COUNT)) == track_of(&r, 0, scene_label(4, 0, COUNT)) &&
          has_event(&r, 5, SCIPAR_EVENT_GAP, track_of(&r, 0, scene_label(4, 0, COUNT)), -1),
        "scene, max gap 3: E bridged over 3 missing steps");
  scipar_tracking_result_free(&r);
  for (int s = 0; s < STEPS; ++s)
    free_step(&steps[s]);
}

/* A rod along x that breaks at step 2 into a long part (60 points) and a short one (40) moving apart;
 * a far blob keeps the gate honest. */
static void make_split(step_cloud steps[5], double separation)
{
  for (int s = 0; s < 5; ++s) {
    blob blobs[3];
    int k = 0;
    blobs[k++] = (blob){100 + s, {60, 60, 60}, {1, 1, 1}, 30, (uint64_t)(50 + s)};
    if (s < 2) {
      blobs[k++] = (blob){7 - s, {0, 0, 0}, {5, 0.6, 0.6}, 100, (uint64_t)s};
    } else {
      const double apart = separation * (s - 1);
      blobs[k++] = (blob){3 * s, {-2 - apart, 0, 0}, {3, 0.6, 0.6}, 60, (uint64_t)(10 + s)};
      blobs[k++] = (blob){3 * s + 1, {4 + apart, 0, 0}, {2, 0.6, 0.6}, 40, (uint64_t)(20 + s)};
    }
    steps[s] = make_step(blobs, k);
  }
}

/* The points of one label in a step, interleaved; returns their count. */
static size_t points_of(const step_cloud *s, int64_t label, double *out)
{
  size_t n = 0;
  for (size_t i = 0; i < s->n; ++i)
    if (s->labels[i] == label)
      memcpy(out + 3 * n++, s->points + 3 * i, 3 * sizeof(double));
  return n;
}

/* Brute-force mean distance from a's points to their nearest point of b. */
static double one_sided(const double *a, size_t na, const double *b, size_t nb)
{
  double total = 0.0;
  for (size_t i = 0; i < na; ++i) {
    double best = INFINITY;
    for (size_t j = 0; j < nb; ++j) {
      const double dx = a[3 * i] - b[3 * j], dy = a[3 * i + 1] - b[3 * j + 1], dz = a[3 * i + 2] - b[3 * j + 2];
      best = fmin(best, dx * dx + dy * dy + dz * dz);
    }
    total += sqrt(best);
  }
  return total / (double)na;
}

static void test_split(void)
{
  step_cloud steps[5];
  make_split(steps, 2.0);
  /* Variant 1: a gate under both parts' Chamfer values to the rod, above their one-sided values:
   * the assignment links neither part, coverage finds both. */
  double rod[3 * 100], big_part[3 * 60], small_part[3 * 40];
  const size_t n_rod = points_of(&steps[1], 6, rod), n_big = points_of(&steps[2], 6, big_part);
  const size_t n_small = points_of(&steps[2], 7, small_part);
  const double below = 0.95 * fmin(scipar_chamfer(rod, n_rod, big_part, n_big, SCIPAR_METRIC_MAX, 0),
                                   scipar_chamfer(rod, n_rod, small_part, n_small, SCIPAR_METRIC_MAX, 0));
  CHECK(one_sided(big_part, n_big, rod, n_rod) < below && one_sided(small_part, n_small, rod, n_rod) < below,
        "split: the parts lie near the rod (one-sided values under %g)", below);
  for (int variant = 0; variant < 2; ++variant) {
    scipar_tracking_options o = options_with(variant ? below : 0.0, 2, 1, 1);
    scipar_tracking_result r;
    CHECK(track(&o, steps, 5, &r) == SCIPAR_OK, "split %d: tracks: %s", variant, r.message);
    const int64_t rod_track = track_of(&r, 1, 6), big = track_of(&r, 2, 6), small = track_of(&r, 2, 7);
    CHECK(rod_track >= 0 && big == rod_track, "split %d: the larger part continues the rod's track (%lld, %lld)",
          variant, (long long)rod_track, (long long)big);
    CHECK(small >= 0 && small != rod_track && r.track_parents[small] == rod_track && r.track_start_steps[small] == 2,
          "split %d: the smaller part starts a new track whose parent is the rod's", variant);
    CHECK(has_event(&r, 2, SCIPAR_EVENT_SPLIT, small, rod_track), "split %d: a split event at step 2", variant);
    const int64_t row = row_of(&r, 2, 6);
    CHECK(row >= 0 && r.cluster_link_distances[row] > 0 && isnan(r.cluster_link_distances[row_of(&r, 2, 7)]),
          "split %d: the continuing part has a link distance, the new one NaN", variant);
    if (variant == 0) {
      CHECK(track_of(&r, 4, 12) == rod_track && track_of(&r, 4, 13) == small, "split: both parts keep their tracks");
      CHECK(r.num_events == 1, "split: one event, got %zu", r.num_events);
    }
    scipar_tracking_result_free(&r);
  }
  /* Without split detection the smaller part is a birth. */
  scipar_tracking_options o = options_with(0.0, 2, 0, 1);
  scipar_tracking_result r;
  CHECK(track(&o, steps, 5, &r) == SCIPAR_OK, "split off: %s", r.message);
  const int64_t small = track_of(&r, 2, 7);
  CHECK(small >= 0 && r.track_parents[small] == -1 && has_event(&r, 2, SCIPAR_EVENT_BIRTH, small, -1) &&
          count_events(&r, SCIPAR_EVENT_SPLIT) == 0,
        "split off: the part is born, no split");
  scipar_tracking_result_free(&r);
  for (int s = 0; s < 5; ++s)
    free_step(&steps[s]);
}

/* The larger part continues even when the assignment prefers the smaller: a rod whose short part
 * (30 points) stays spread along its whole length, nearer to it by Chamfer value, while its long part
 * (70 points) gathers at one end. Likewise a merge whose smaller member is nearer the result. */
static void test_larger_part_continues(void)
{
  step_cloud steps[3];
  for (int s = 0; s < 3; ++s) {
    blob blobs[2];
    if (s == 0) {
      blobs[0] = (blob){1, {0, 0, 0}, {5, 0.5, 0.5}, 100, 1};
      steps[s] = make_step(blobs, 1);
    } else {
      blobs[0] = (blob){2, {0, 0, 0.5 * s}, {5, 0.5, 0.5}, 30, (uint64_t)(10 + s)};
      blobs[1] = (blob){3, {7 + 0.5 * s, 0, 0}, {1, 0.5, 0.5}, 70, (uint64_t)(20 + s)};
      steps[s] = make_step(blobs, 2);
    }
  }
  scipar_tracking_options o = options_with(0.0, 2, 1, 1);
  scipar_tracking_result r;
  CHECK(track(&o, steps, 3, &r) == SCIPAR_OK, "larger part: %s", r.message);
  const int64_t rod = track_of(&r, 0, 1), big = track_of(&r, 1, 3), small = track_of(&r, 1, 2);
  CHECK(big == rod && small != rod && r.track_parents[small] == rod && has_event(&r, 1, SCIPAR_EVENT_SPLIT, small, rod),
        "larger part: the 70 points continue the rod, the 30 split off (tracks %lld %lld %lld)", (long long)rod,
        (long long)big, (long long)small);
  CHECK(track_of(&r, 2, 3) == rod && track_of(&r, 2, 2) == small, "larger part: both go on");
  scipar_tracking_result_free(&r);
  /* The same played backwards: a long sparse cluster (30) and a compact one (70) merge. */
  for (int s = 0; s < 3; ++s)
    free_step(&steps[s]);
  for (int s = 0; s < 3; ++s) {
    blob blobs[2];
    if (s == 2) {
      blobs[0] = (blob){1, {0, 0, 0}, {5, 0.5, 0.5}, 100, 1};
      steps[s] = make_step(blobs, 1);
    } else {
      blobs[0] = (blob){2, {0, 0, 0.5 * (2 - s)}, {5, 0.5, 0.5}, 30, (uint64_t)(10 + s)};
      blobs[1] = (blob){3, {7 + 0.5 * (2 - s), 0, 0}, {1, 0.5, 0.5}, 70, (uint64_t)(20 + s)};
      steps[s] = make_step(blobs, 2);
    }
  }
  CHECK(track(&o, steps, 3, &r) == SCIPAR_OK, "larger member: %s", r.message);
  const int64_t compact = track_of(&r, 1, 3), sparse = track_of(&r, 1, 2), merged = track_of(&r, 2, 1);
  CHECK(merged == compact && r.track_merged_into[sparse] == compact &&
          has_event(&r, 2, SCIPAR_EVENT_MERGE, sparse, compact),
        "larger member: the 70 points' track survives the merge, the 30 merge into it (%lld %lld %lld)",
        (long long)compact, (long long)sparse, (long long)merged);
  scipar_tracking_result_free(&r);
  for (int s = 0; s < 3; ++s)
    free_step(&steps[s]);
}

/* Neighbours: G goes missing in steps 2-3 and reappears at step 4 where its motion takes it, just as
 * its neighbour N, 4.5 away, vanishes for good: G's track continues there and N dies (closing gaps
 * after frame linking would hand the cluster to N). D vanishes at step 2, 5 from E, which goes on: D
 * dies, it does not merge into E (5 is within the gate, far outside the links' own scale). Four far
 * blobs set the scale. */
static void test_neighbours(void)
{
  enum { STEPS = 6 };
  step_cloud steps[STEPS];
  for (int s = 0; s < STEPS; ++s) {
    blob blobs[8];
    int k = 0;
    for (int f = 0; f < 4; ++f)
      blobs[k++] = (blob){20 + f, {100.0 + 20 * f, 100, 0}, {0.5, 0.5, 0.5}, 40, (uint64_t)(100 * s + f)};
    if (s < 2 || s >= 4)
      blobs[k++] = (blob){1, {s * 1.0, 0, 0}, {0.5, 0.5, 0.5}, 40, (uint64_t)(10 + s)}; /* G */
    if (s < 4)
      blobs[k++] = (blob){2, {4.0 + 4.5, 0, 0}, {0.5, 0.5, 0.5}, 40, (uint64_t)(20 + s)}; /* N */
    if (s < 2)
      blobs[k++] = (blob){3, {0, 40, 0}, {0.5, 0.5, 0.5}, 40, (uint64_t)(30 + s)}; /* D */
    blobs[k++] = (blob){4, {5, 40, 0}, {0.5, 0.5, 0.5}, 40, (uint64_t)(40 + s)};    /* E */
    steps[s] = make_step(blobs, k);
  }
  scipar_tracking_options o = options_with(0.0, 2, 1, 1);
  scipar_tracking_result r;
  CHECK(track(&o, steps, STEPS, &r) == SCIPAR_OK, "neighbours: %s", r.message);
  const int64_t g = track_of(&r, 0, 1), n = track_of(&r, 0, 2), d = track_of(&r, 0, 3), e = track_of(&r, 0, 4);
  CHECK(r.step_gates[4] > 4.5 && r.step_gates[2] > 5.0, "neighbours: the gates (%g, %g) allow both confusions",
        r.step_gates[4], r.step_gates[2]);
  CHECK(track_of(&r, 4, 1) == g && has_event(&r, 4, SCIPAR_EVENT_GAP, g, -1), "neighbours: G reappears on its own track");
  CHECK(has_event(&r, 4, SCIPAR_EVENT_DEATH, n, -1) && r.track_end_steps[n] == 3, "neighbours: N dies at step 4");
  CHECK(has_event(&r, 2, SCIPAR_EVENT_DEATH, d, -1) && r.track_merged_into[d] == -1 && track_of(&r, 5, 4) == e,
        "neighbours: D dies beside E, no merge");
  CHECK(r.num_events == 3, "neighbours: 3 events, got %zu", r.num_events);
  scipar_tracking_result_free(&r);
  for (int s = 0; s < STEPS; ++s)
    free_step(&steps[s]);
}

/* Blob A (60 points) and blob B (30) approach and become one cluster at step 2. */
static void test_merge(void)
{
  step_cloud steps[5];
  for (int s = 0; s < 5; ++s) {
    blob blobs[3];
    int k = 0;
    blobs[k++] = (blob){50 + s, {60, 60, 60}, {1, 1, 1}, 30, (uint64_t)(50 + s)};
    blobs[k++] = (blob){s % 2, {s * 0.5, 0, 0}, {1, 1, 1}, 60, (uint64_t)(10 + s)};
    if (s < 2)
      blobs[k++] = (blob){1 - s % 2, {9 - 3 * s, 0, 0}, {0.8, 0.8, 0.8}, 30, (uint64_t)(20 + s)};
    else
      blobs[k++] = (blob){s % 2, {3 + s * 0.5, 0, 0}, {0.8, 0.8, 0.8}, 30, (uint64_t)(20 + s)}; /* same label as A */
    steps[s] = make_step(blobs, k);
  }
  scipar_tracking_options o = options_with(0.0, 2, 1, 1);
  scipar_tracking_result r;
  CHECK(track(&o, steps, 5, &r) == SCIPAR_OK, "merge: tracks: %s", r.message);
  const int64_t a = track_of(&r, 1, 1), b = track_of(&r, 1, 0), merged = track_of(&r, 2, 0);
  CHECK(a >= 0 && merged == a, "merge: the larger blob's track continues into the merged cluster");
  CHECK(b >= 0 && b != a && r.track_merged_into[b] == a && r.track_end_steps[b] == 1,
        "merge: the smaller blob's track ends at step 1, merged into the larger's");
  CHECK(has_event(&r, 2, SCIPAR_EVENT_MERGE, b, a), "merge: a merge event at step 2 (the step where one remains)");
  CHECK(r.num_events == 1 && count_events(&r, SCIPAR_EVENT_DEATH) == 0, "merge: no death, one event (got %zu)",
        r.num_events);
  CHECK(track_of(&r, 4, 0) == a, "merge: the merged cluster keeps the survivor's track");
  scipar_tracking_result_free(&r);
  /* Without merge detection the smaller one dies. */
  o.detect_splits_and_merges = 0;
  CHECK(track(&o, steps, 5, &r) == SCIPAR_OK, "merge off: %s", r.message);
  CHECK(count_events(&r, SCIPAR_EVENT_MERGE) == 0 && has_event(&r, 2, SCIPAR_EVENT_DEATH, track_of(&r, 1, 0), -1),
        "merge off: the smaller one dies");
  scipar_tracking_result_free(&r);
  for (int s = 0; s < 5; ++s)
    free_step(&steps[s]);
}

static int events_identical(const scipar_tracking_result *a, const scipar_tracking_result *b)
{
  for (size_t e = 0; e < a->num_events; ++e)
    if (a->events[e].step != b->events[e].step || a->events[e].kind != b->events[e].kind ||
        a->events[e].track != b->events[e].track || a->events[e].other_track != b->events[e].other_track)
      return 0;
  return 1;
}

static int results_identical(const scipar_tracking_result *a, const scipar_tracking_result *b)
{
  const size_t k = a->num_clusters, t = a->num_tracks;
  return a->num_steps == b->num_steps && k == b->num_clusters && t == b->num_tracks &&
         a->num_events == b->num_events &&
         !memcmp(a->step_gates, b->step_gates, a->num_steps * sizeof(double)) &&
         !memcmp(a->cluster_tracks, b->cluster_tracks, k * sizeof(int64_t)) &&
         !memcmp(a->cluster_link_distances, b->cluster_link_distances, k * sizeof(double)) &&
         !memcmp(a->cluster_centroids, b->cluster_centroids, 3 * k * sizeof(double)) &&
         !memcmp(a->track_parents, b->track_parents, t * sizeof(int64_t)) &&
         !memcmp(a->track_merged_into, b->track_merged_into, t * sizeof(int64_t)) &&
         !memcmp(a->track_path_lengths, b->track_path_lengths, t * sizeof(double)) &&
         !memcmp(a->track_clusters, b->track_clusters, k * sizeof(int64_t)) &&
         events_identical(a, b);
}

/* Many random clusters moving, with births and deaths: the same result on 1, 2 and 3 threads. */
static void test_threads(void)
{
  enum { STEPS = 6 };
  rng r = {3};
  const cloud_spec spec = {300, 40, 200.0, 1.5, LABELS_SPARSE};
  test_cloud clouds[STEPS];
  clouds[0] = random_cloud(&r, &spec);
  for (int s = 1; s < STEPS; ++s)
    clouds[s] = moved_cloud(&r, &clouds[s - 1], 1.5);
  scipar_tracking_result results[3];
  for (int threads = 1; threads <= 3; ++threads) {
    scipar_tracking_options o = options_with(0.0, 2, 1, threads);
    scipar_tracker *t = scipar_tracker_create(&o);
    for (int s = 0; s < STEPS; ++s) {
      const scipar_cloud c = as_scipar(&clouds[s]);
      scipar_tracker_add_step(t, &c, (double)s);
    }
    CHECK(scipar_tracker_finish(t, &results[threads - 1]) == SCIPAR_OK, "threads %d: %s", threads,
          results[threads - 1].message);
    scipar_tracker_free(t);
  }
  CHECK(results[0].num_tracks > 0 && results_identical(&results[0], &results[1]) &&
          results_identical(&results[0], &results[2]),
        "identical results on 1, 2 and 3 threads (%zu tracks)", results[0].num_tracks);
  for (int i = 0; i < 3; ++i)
    scipar_tracking_result_free(&results[i]);
  for (int s = 0; s < STEPS; ++s)
    test_cloud_free(&clouds[s]);
}

/* A step without any point: every track goes missing, and comes back over the gap. */
static void test_empty_step(void)
{
  step_cloud steps[4];
  for (int s = 0; s < 4; ++s) {
    blob blobs[2] = {{s, {s * 1.0, 0, 0}, {1, 1, 1}, 40, (uint64_t)s}, {s + 10, {30, s * 1.0, 0}, {1, 1, 1}, 30, (uint64_t)(s + 10)}};
    steps[s] = make_step(blobs, s == 2 ? 0 : 2);
  }
  scipar_tracking_options o = options_with(0.0, 2, 1, 1);
  scipar_tracking_result r;
  CHECK(track(&o, steps, 4, &r) == SCIPAR_OK, "empty step: %s", r.message);
  CHECK(r.step_offsets[3] == r.step_offsets[2] && r.num_tracks == 2 && track_of(&r, 3, 3) == track_of(&r, 0, 0) &&
          track_of(&r, 3, 13) == track_of(&r, 0, 10) && count_events(&r, SCIPAR_EVENT_GAP) == 2,
        "empty step: both tracks bridged over it");
  scipar_tracking_result_free(&r);
  for (int s = 0; s < 4; ++s)
    free_step(&steps[s]);
}

static void test_step_values(void)
{
  step_cloud steps[3];
  for (int s = 0; s < 3; ++s) {
    blob blobs[2] = {{5 + s, {s * 1.0, 0, 0}, {1, 1, 1}, 20, (uint64_t)s}, {-1 - s, {30, 0, 0}, {1, 1, 1}, 25, (uint64_t)(s + 10)}};
    steps[s] = make_step(blobs, 2);
  }
  steps[1].points[3 * 4] = NAN; /* left out of distances */
  unsigned char skip[45] = {0};
  skip[30] = 1;
  scipar_tracking_options o = options_with(0.0, 2, 1, 1);
  scipar_tracker *t = scipar_tracker_create(&o);
  for (int s = 0; s < 3; ++s) {
    const scipar_cloud c = {steps[s].points, steps[s].labels, steps[s].n, s == 1 ? skip : NULL};
    CHECK(scipar_tracker_add_step(t, &c, (double)s) == SCIPAR_OK, "values: step %d: %s", s, scipar_tracker_message(t));
  }
  scipar_tracking_result r;
  CHECK(scipar_tracker_finish(t, &r) == SCIPAR_OK, "values: %s", r.message);
  scipar_tracker_free(t);
  CHECK(r.cluster_sizes[row_of(&r, 1, 6)] == 19 && r.cluster_sizes[row_of(&r, 1, -2)] == 24,
        "values: a NaN point and a skipped one are left out of the sizes");
  int64_t track_id[45], cluster_index[45];
  double distance[45];
  const scipar_cloud c1 = {steps[1].points, steps[1].labels, steps[1].n, skip};
  char message[256];
  CHECK(scipar_tracking_step_values(&r, 1, &c1, 2, track_id, distance, cluster_index, message, sizeof message) == SCIPAR_OK,
        "values: step 1: %s", message);
  const int64_t a = track_of(&r, 1, 6), b = track_of(&r, 1, -2);
  int ok = 1;
  for (size_t i = 0; i < steps[1].n; ++i) {
    const int out = i == 4 || i == 30;
    const int64_t expected = out ? -1 : steps[1].labels[i] == 6 ? a : b;
    ok &= track_id[i] == expected && (out ? isnan(distance[i]) && cluster_index[i] == -1
                                          : distance[i] == r.cluster_link_distances[r.step_offsets[1] + cluster_index[i]]);
  }
  CHECK(ok, "values: every point gets its cluster's track and link distance, -1 and NaN when left out");
  int64_t offsets[3], point_ids[45];
  scipar_tracking_step_cells(&r, 1, cluster_index, steps[1].n, offsets, point_ids);
  CHECK(offsets[0] == 0 && offsets[1] == 24 && offsets[2] == 43 && point_ids[0] == 20 && point_ids[24] == 0 &&
          point_ids[28] == 5,
        "values: cells group the step's points by cluster (id -2 first), input order inside");
  /* The cloud of another step is refused, by name. */
  const scipar_cloud c2 = {steps[2].points, steps[2].labels, steps[2].n, NULL};
  CHECK(scipar_tracking_step_values(&r, 1, &c2, 1, track_id, NULL, NULL, message, sizeof message) ==
            SCIPAR_ERROR_INVALID_ARGUMENT &&
          strstr(message, "step 1") && strstr(message, "cluster id"),
        "values: labels that are not the step's are refused: %s", message);
  CHECK(scipar_tracking_step_values(&r, 3, &c1, 1, track_id, NULL, NULL, message, sizeof message) ==
            SCIPAR_ERROR_INVALID_ARGUMENT && strstr(message, "3 steps"),
        "values: a step that does not exist is refused: %s", message);
  scipar_tracking_result_free(&r);
  for (int s = 0; s < 3; ++s)
    free_step(&steps[s]);
}

typedef struct progress_log {
  int calls, ends, out_of_range, backwards;
  double last;
} progress_log;

static int record_progress(double fraction, void *user_data)
{
  progress_log *log = user_data;
  ++log->calls;
  log->out_of_range += !(fraction >= 0.0 && fraction <= 1.0);
  log->backwards += fraction < log->last && log->last < 1.0;
  log->ends += fraction == 1.0;
  log->last = fraction;
  return 0;
}

/* Progress within each step: fractions in [0, 1], never going back within a step, 1 at its end. */
static void test_progress(void)
{
  enum { STEPS = 5 };
  rng r = {8};
  const cloud_spec spec = {400, 20, 200.0, 1.5, LABELS_SEQUENTIAL};
  test_cloud clouds[STEPS];
  clouds[0] = random_cloud(&r, &spec);
  for (int s = 1; s < STEPS; ++s)
    clouds[s] = moved_cloud(&r, &clouds[s - 1], 1.0);
  progress_log log = {0, 0, 0, 0, 0.0};
  scipar_tracking_options o = options_with(0.0, 2, 1, 1);
  o.progress = record_progress;
  o.progress_user_data = &log;
  scipar_tracker *t = scipar_tracker_create(&o);
  for (int s = 0; s < STEPS; ++s) {
    const scipar_cloud c = as_scipar(&clouds[s]);
    CHECK(scipar_tracker_add_step(t, &c, (double)s) == SCIPAR_OK, "progress: step %d", s);
    log.last = 0.0;
  }
  scipar_tracker_free(t);
  CHECK(log.calls > 2 * STEPS && log.ends == STEPS && log.out_of_range == 0 && log.backwards == 0,
        "progress: %d calls, %d ends of step, %d out of [0, 1], %d going back", log.calls, log.ends, log.out_of_range,
        log.backwards);
  for (int s = 0; s < STEPS; ++s)
    test_cloud_free(&clouds[s]);
}

static int cancel_at_once(double fraction, void *user_data)
{
  (void)fraction;
  ++*(int *)user_data;
  return 1;
}

static void test_errors(void)
{
  const double points[] = {0, 0, 0, 1, 1, 1};
  const int64_t labels[] = {1, 2};
  const scipar_cloud cloud = {points, labels, 2, NULL}, no_labels = {points, NULL, 2, NULL};
  scipar_tracking_result r;
  struct {
    double gate;
    int max_gap;
    int metric;
    const char *words;
  } bad[] = {{-1.0, 2, 0, "max link distance"}, {NAN, 2, 0, "max link distance"}, {INFINITY, 2, 0, "max link distance"},
             {0.0, -1, 0, "max gap"}, {0.0, 2, 7, "metric"}};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; ++i) {
    scipar_tracking_options o = options_with(bad[i].gate, bad[i].max_gap, 1, 1);
    o.metric = (scipar_metric)bad[i].metric;
    scipar_tracker *t = scipar_tracker_create(&o);
    CHECK(scipar_tracker_status(t) == SCIPAR_ERROR_INVALID_ARGUMENT && strstr(scipar_tracker_message(t), bad[i].words),
          "bad option %zu refused: %s", i, scipar_tracker_message(t));
    CHECK(scipar_tracker_add_step(t, &cloud, 0.0) == SCIPAR_ERROR_INVALID_ARGUMENT, "a failed tracker takes no step");
    CHECK(scipar_tracker_finish(t, &r) == SCIPAR_ERROR_INVALID_ARGUMENT && strstr(r.message, bad[i].words) &&
            r.num_steps == 0 && r.cluster_ids == NULL,
          "finish reports the failure: %s", r.message);
    scipar_tracking_result_free(&r);
    scipar_tracker_free(t);
  }
  scipar_tracking_options o = options_with(0.0, 2, 1, 1);
  scipar_tracker *t = scipar_tracker_create(&o);
  CHECK(scipar_tracker_add_step(t, &cloud, 1.0) == SCIPAR_OK, "first step");
  CHECK(scipar_tracker_add_step(t, &cloud, 1.0) == SCIPAR_ERROR_INVALID_ARGUMENT && strstr(scipar_tracker_message(t), "step 1") &&
          strstr(scipar_tracker_message(t), "time"),
        "a time not after the previous one is refused: %s", scipar_tracker_message(t));
  CHECK(scipar_tracker_add_step(t, &cloud, 2.0) == SCIPAR_ERROR_INVALID_ARGUMENT, "the tracker stays failed");
  scipar_tracker_free(t);
  t = scipar_tracker_create(&o);
  CHECK(scipar_tracker_add_step(t, &cloud, NAN) == SCIPAR_ERROR_INVALID_ARGUMENT && strstr(scipar_tracker_message(t), "time"),
        "a NaN time is refused: %s", scipar_tracker_message(t));
  scipar_tracker_free(t);
  t = scipar_tracker_create(&o);
  CHECK(scipar_tracker_add_step(t, &no_labels, 0.0) == SCIPAR_ERROR_INVALID_ARGUMENT &&
          strstr(scipar_tracker_message(t), "step 0") && strstr(scipar_tracker_message(t), "labels"),
        "a cloud without labels is refused: %s", scipar_tracker_message(t));
  scipar_tracker_free(t);
  t = scipar_tracker_create(&o);
  CHECK(scipar_tracker_add_step(t, NULL, 0.0) == SCIPAR_ERROR_INVALID_ARGUMENT && strstr(scipar_tracker_message(t), "step 0"),
        "a missing cloud is refused: %s", scipar_tracker_message(t));
  scipar_tracker_free(t);
  /* Cancellation from the progress callback. */
  int calls = 0;
  o.progress = cancel_at_once;
  o.progress_user_data = &calls;
  t = scipar_tracker_create(&o);
  CHECK(scipar_tracker_add_step(t, &cloud, 0.0) == SCIPAR_OK, "the first step, with nothing to link, is not cancelled");
  const scipar_status status = scipar_tracker_add_step(t, &cloud, 1.0);
  CHECK(status == SCIPAR_ERROR_CANCELLED && calls > 0 && strstr(scipar_tracker_message(t), "cancel"),
        "the progress callback cancels a step: %s", scipar_tracker_message(t));
  scipar_tracker_free(t);
  /* A tracker with no step gives an empty result. */
  o.progress = NULL;
  t = scipar_tracker_create(&o);
  CHECK(scipar_tracker_finish(t, &r) == SCIPAR_OK && r.num_steps == 0 && r.num_tracks == 0 && r.step_offsets[0] == 0,
        "no step: an empty result");
  CHECK(scipar_tracker_add_step(t, &cloud, 0.0) == SCIPAR_ERROR_INVALID_ARGUMENT, "no step after finish");
  scipar_tracking_result_free(&r);
  scipar_tracker_free(t);
  CHECK(!strcmp(scipar_event_kind_name(SCIPAR_EVENT_MERGE), "merge") && scipar_event_kind_name((scipar_event_kind)9) == NULL,
        "event kind names");
}

int main(void)
{
  test_renumbered_ids();
  test_births_deaths_gaps();
  test_split();
  test_merge();
  test_larger_part_continues();
  test_neighbours();
  test_threads();
  test_empty_step();
  test_step_values();
  test_progress();
  test_errors();
  return check_report("test_tracking");
}
