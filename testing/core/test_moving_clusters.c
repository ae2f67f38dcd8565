/* The moving-clusters generator (scipar/generate.h) and the tracker on its series: the generator's own
 * promises (determinism step by step, ids renumbered at random, every point's true track, the events
 * visible in the steps, anisotropic shapes, occlusion, close passes), then the tracker against the
 * ground truth: the share of true links it keeps and every true event found, on random scenes and on
 * the close-pass scene, where a centroid tracker (the assignment on centroid distances with a gate, as
 * TrackMate and trackpy link) swaps clusters that the shapes tell apart. */
#include "check.h"
#include "scipar/generate.h"
#include "scipar/tracking.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A generated series kept whole, for the checks. */
typedef struct series {
  scipar_moving_params params;
  scipar_moving_truth truth;
  scipar_generated *steps;
} series;

static int make_series(const scipar_moving_params *params, series *s)
{
  s->params = *params;
  if (scipar_moving_clusters_truth(params, &s->truth) != SCIPAR_OK)
    return 0;
  s->steps = calloc(s->truth.num_steps, sizeof *s->steps);
  for (size_t step = 0; step < s->truth.num_steps; ++step)
    if (scipar_moving_clusters_step(params, (int64_t)step, &s->steps[step]) != SCIPAR_OK)
      return 0;
  return 1;
}

static void free_series(series *s)
{
  for (size_t step = 0; s->steps && step < s->truth.num_steps; ++step)
    scipar_generated_free(&s->steps[step]);
  free(s->steps);
  scipar_moving_truth_free(&s->truth);
}

/* The cluster id of true track t at step, -1 if not visible. */
static int64_t id_of_track(const scipar_generated *g, int64_t t)
{
  for (size_t k = 0; k < g->num_clusters; ++k)
    if (g->cluster_tracks[k] == t)
      return g->cluster_labels[k];
  return -1;
}

static void test_generator(void)
{
  scipar_moving_params params;
  scipar_moving_params_init(&params);
  params.step_count = 25;
  params.cluster_count = 25;
  params.seed = 3;
  params.split_probability = 0.02;
  params.merge_probability = 0.05;
  series s;
  CHECK(make_series(&params, &s), "random scene generated: %s", s.truth.message);
  /* A step made alone is the same as made in sequence. */
  scipar_generated again;
  CHECK(scipar_moving_clusters_step(&params, 7, &again) == SCIPAR_OK && again.num_points == s.steps[7].num_points &&
          !memcmp(again.points, s.steps[7].points, 3 * again.num_points * sizeof(double)) &&
          !memcmp(again.labels, s.steps[7].labels, again.num_points * sizeof(int64_t)),
        "step 7 made alone is bit for bit the same");
  scipar_generated_free(&again);
  size_t counts[5] = {0};
  for (size_t e = 0; e < s.truth.num_events; ++e)
    ++counts[s.truth.events[e].kind];
  CHECK(counts[SCIPAR_EVENT_BIRTH] > 0 && counts[SCIPAR_EVENT_DEATH] > 0 && counts[SCIPAR_EVENT_SPLIT] > 0 &&
          counts[SCIPAR_EVENT_MERGE] > 0 && counts[SCIPAR_EVENT_GAP] > 0,
        "every kind of event happens (births %zu, deaths %zu, splits %zu, merges %zu, gaps %zu)", counts[0], counts[1],
        counts[2], counts[3], counts[4]);
  int ids_ok = 1, points_ok = 1, renumbered = 0, anisotropic = 0;
  for (size_t step = 0; step < s.truth.num_steps; ++step) {
    const scipar_generated *g = &s.steps[step];
    for (size_t k = 0; k < g->num_clusters; ++k)
      ids_ok &= g->cluster_labels[k] == (int64_t)k;
    for (size_t i = 0; i < g->num_points; ++i) {
      const int64_t id = g->labels[i];
      points_ok &= id >= 0 && (size_t)id < g->num_clusters && g->true_labels[i] == g->cluster_tracks[id];
    }
    if (step > 0)
      for (size_t k = 0; k < g->num_clusters; ++k)
        renumbered += id_of_track(&s.steps[step - 1], g->cluster_tracks[k]) != (int64_t)k;
  }
  CHECK(ids_ok && points_ok, "ids 0..k-1 at every step, each point's true track is its cluster's");
  CHECK(renumbered > 0, "ids are renumbered from step to step (%d clusters changed id)", renumbered);
  /* Shapes: the spread along the principal axes of a large cluster differs. */
  const scipar_generated *g0 = &s.steps[0];
  for (size_t k = 0; k < g0->num_clusters && !anisotropic; ++k) {
    double mean[3] = {0}, cov[6] = {0};
    size_t n = 0;
    for (size_t i = 0; i < g0->num_points; ++i)
      if (g0->labels[i] == (int64_t)k) {
        for (int d = 0; d < 3; ++d)
          mean[d] += g0->points[3 * i + d];
        ++n;
      }
    for (int d = 0; d < 3; ++d)
      mean[d] /= (double)n;
    for (size_t i = 0; i < g0->num_points; ++i)
      if (g0->labels[i] == (int64_t)k) {
        const double *q = g0->points + 3 * i;
        cov[0] += (q[0] - mean[0]) * (q[0] - mean[0]), cov[1] += (q[1] - mean[1]) * (q[1] - mean[1]);
        cov[2] += (q[2] - mean[2]) * (q[2] - mean[2]);
      }
    anisotropic = fmax(cov[0], fmax(cov[1], cov[2])) > 4.0 * fmin(cov[0], fmin(cov[1], cov[2]));
  }
  CHECK(anisotropic, "some cluster is far longer than wide");
  /* Events are visible in the steps: a track is seen exactly from its start to its end, but for gaps;
   * a gap's steps miss it; a split's child appears at the split; a merged track is gone at the merge. */
  int seen_ok = 1, events_ok = 1;
  for (size_t t = 0; t < s.truth.num_tracks; ++t)
    for (size_t step = 0; step < s.truth.num_steps; ++step) {
      const int visible = id_of_track(&s.steps[step], (int64_t)t) >= 0;
      const int alive = (int64_t)step >= s.truth.track_start_steps[t] && (int64_t)step <= s.truth.track_end_steps[t];
      seen_ok &= !visible || alive;
    }
  for (size_t e = 0; e < s.truth.num_events; ++e) {
    const scipar_tracking_event *ev = &s.truth.events[e];
    const scipar_generated *at = &s.steps[ev->step], *before = &s.steps[ev->step - 1];
    switch (ev->kind) {
    case SCIPAR_EVENT_BIRTH:
    case SCIPAR_EVENT_SPLIT:
      events_ok &= id_of_track(at, ev->track) >= 0 && s.truth.track_start_steps[ev->track] == ev->step;
      if (ev->kind == SCIPAR_EVENT_SPLIT)
        events_ok &= s.truth.track_parents[ev->track] == ev->other_track && id_of_track(before, ev->other_track) >= 0;
      break;
    case SCIPAR_EVENT_DEATH:
    case SCIPAR_EVENT_MERGE:
      events_ok &= id_of_track(at, ev->track) < 0 && id_of_track(before, ev->track) >= 0 &&
                   s.truth.track_end_steps[ev->track] == ev->step - 1;
      if (ev->kind == SCIPAR_EVENT_MERGE)
        events_ok &= s.truth.track_merged_into[ev->track] == ev->other_track && id_of_track(at, ev->other_track) >= 0;
      break;
    case SCIPAR_EVENT_GAP:
      events_ok &= id_of_track(at, ev->track) >= 0 && id_of_track(before, ev->track) < 0;
      break;
    }
  }
  CHECK(seen_ok && events_ok, "tracks and events agree with what the steps show");
  free_series(&s);

  /* Bad parameters are refused, by name. */
  scipar_generated g;
  params.sigma_min = 0.0;
  CHECK(scipar_moving_clusters_step(&params, 0, &g) == SCIPAR_ERROR_INVALID_ARGUMENT && strstr(g.message, "sigma"),
        "a zero sigma is refused: %s", g.message);
  scipar_moving_params_init(&params);
  CHECK(scipar_moving_clusters_step(&params, 20, &g) == SCIPAR_ERROR_INVALID_ARGUMENT && strstr(g.message, "step 20"),
        "a step past the end is refused: %s", g.message);
  params.death_probability = 0.9, params.gap_probability = 0.2;
  scipar_moving_truth truth;
  CHECK(scipar_moving_clusters_truth(&params, &truth) == SCIPAR_ERROR_INVALID_ARGUMENT && strstr(truth.message, "add up"),
        "probabilities over 1 are refused: %s", truth.message);
  scipar_moving_truth_free(&truth);
}

/* ---- tracking against the truth ---- */

typedef struct score {
  size_t links, kept;   /* true links (consecutive appearances of a true track), and those kept */
  size_t tracks, whole; /* true tracks, and those whose every link is kept */
  size_t events, found; /* true events, and those the tracker reported */
  size_t extra;         /* tracker events that are not true ones */
} score;

/* tracks[step][id]: the tracker's track of each cluster, from a result. */
static int64_t tracker_track(const scipar_tracking_result *r, size_t step, int64_t id)
{
  for (int64_t row = r->step_offsets[step]; row < r->step_offsets[step + 1]; ++row)
    if (r->cluster_ids[row] == id)
      return r->cluster_tracks[row];
  return -1;
}

/* The tracker's track of true track t at step (-1 if not visible there). */
static int64_t mapped(const series *s, const scipar_tracking_result *r, size_t step, int64_t t)
{
  const int64_t id = id_of_track(&s->steps[step], t);
  return id < 0 ? -1 : tracker_track(r, step, id);
}

static int reported(const scipar_tracking_result *r, const scipar_tracking_event *e)
{
  for (size_t i = 0; i < r->num_events; ++i)
    if (r->events[i].step == e->step && r->events[i].kind == e->kind && r->events[i].track == e->track &&
        r->events[i].other_track == e->other_track)
      return 1;
  return 0;
}

static score compare(const series *s, const scipar_tracking_result *r)
{
  score sc = {0, 0, 0, 0, 0, 0, 0};
  for (size_t t = 0; t < s->truth.num_tracks; ++t) {
    int64_t last = -1;
    const size_t kept_before = sc.kept, links_before = sc.links;
    for (size_t step = 0; step < s->truth.num_steps; ++step) {
      const int64_t now = mapped(s, r, step, (int64_t)t);
      if (now < 0 && id_of_track(&s->steps[step], (int64_t)t) < 0)
        continue;
      if (last != -1) {
        ++sc.links;
        sc.kept += now == last && now >= 0;
      }
      last = now >= 0 ? now : -2;
    }
    ++sc.tracks;
    sc.whole += sc.kept - kept_before == sc.links - links_before;
  }
  /* Each true event, in the tracker's track numbers. */
  scipar_tracking_event *expected = malloc((s->truth.num_events + 1) * sizeof *expected);
  for (size_t e = 0; e < s->truth.num_events; ++e) {
    scipar_tracking_event ev = s->truth.events[e];
    const size_t at = (size_t)ev.step;
    const int ends = ev.kind == SCIPAR_EVENT_DEATH || ev.kind == SCIPAR_EVENT_MERGE;
    ev.track = mapped(s, r, ends ? at - 1 : at, ev.track);
    if (ev.other_track >= 0)
      ev.other_track = mapped(s, r, ev.kind == SCIPAR_EVENT_SPLIT ? at - 1 : at, ev.other_track);
    expected[e] = ev;
    ++sc.events;
    sc.found += reported(r, &ev);
    if (getenv("SCIPAR_DEBUG") && !reported(r, &ev))
      printf("  missing %s at %lld: true %lld (other %lld) -> tracker %lld (%lld)\n", scipar_event_kind_name(ev.kind),
             (long long)ev.step, (long long)s->truth.events[e].track, (long long)s->truth.events[e].other_track,
             (long long)ev.track, (long long)ev.other_track);
  }
  for (size_t i = 0; i < r->num_events; ++i) {
    int known = 0;
    for (size_t e = 0; e < s->truth.num_events && !known; ++e)
      known = r->events[i].step == expected[e].step && r->events[i].kind == expected[e].kind &&
              r->events[i].track == expected[e].track && r->events[i].other_track == expected[e].other_track;
    sc.extra += !known;
    if (getenv("SCIPAR_DEBUG") && !known)
      printf("  extra %s at %lld: tracker %lld (%lld)\n", scipar_event_kind_name(r->events[i].kind),
             (long long)r->events[i].step, (long long)r->events[i].track, (long long)r->events[i].other_track);
  }
  free(expected);
  return sc;
}

static scipar_status track_series(const series *s, int threads, scipar_tracking_result *r)
{
  scipar_tracking_options o;
  scipar_tracking_options_init(&o);
  o.num_threads = threads;
  scipar_tracker *t = scipar_tracker_create(&o);
  for (size_t step = 0; step < s->truth.num_steps; ++step) {
    const scipar_generated *g = &s->steps[step];
    const scipar_cloud c = {g->points, g->labels, g->num_points, NULL};
    scipar_tracker_add_step(t, &c, s->truth.times[step]);
  }
  const scipar_status status = scipar_tracker_finish(t, r);
  scipar_tracker_free(t);
  return status;
}

/* The centroid baseline: each step's centroids linked to the previous step's by the assignment of
 * least total centroid distance within a gate, "no link" at the gate (TrackMate's LAP linking, with
 * neither gap closing nor splits and merges). Fills a result-like table of tracks per cluster. */
static void centroid_tracking(const series *s, double gate, scipar_tracking_result *r)
{
  memset(r, 0, sizeof *r);
  const size_t steps = s->truth.num_steps;
  size_t total = 0;
  for (size_t step = 0; step < steps; ++step)
    total += s->steps[step].num_clusters;
  r->num_steps = steps;
  r->step_offsets = calloc(steps + 1, sizeof(int64_t));
  r->cluster_ids = malloc((total + 1) * sizeof(int64_t));
  r->cluster_tracks = malloc((total + 1) * sizeof(int64_t));
  int64_t next_track = 0;
  for (size_t step = 0; step < steps; ++step) {
    const scipar_generated *g = &s->steps[step];
    const int64_t first = r->step_offsets[step];
    r->step_offsets[step + 1] = first + (int64_t)g->num_clusters;
    double *centroid = calloc(3 * g->num_clusters + 1, sizeof *centroid);
    for (size_t i = 0; i < g->num_points; ++i)
      for (int d = 0; d < 3; ++d)
        centroid[3 * g->labels[i] + d] += g->points[3 * i + d] / (double)g->cluster_sizes[g->labels[i]];
    for (size_t k = 0; k < g->num_clusters; ++k) {
      r->cluster_ids[first + (int64_t)k] = (int64_t)k;
      r->cluster_tracks[first + (int64_t)k] = -1;
    }
    if (step > 0) {
      const scipar_generated *p = &s->steps[step - 1];
      const int64_t prev_first = r->step_offsets[step - 1];
      double *pc = calloc(3 * p->num_clusters + 1, sizeof *pc);
      for (size_t i = 0; i < p->num_points; ++i)
        for (int d = 0; d < 3; ++d)
          pc[3 * p->labels[i] + d] += p->points[3 * i + d] / (double)p->cluster_sizes[p->labels[i]];
      /* The square problem TrackMate builds: links within the gate, "no link" at the gate for each
       * row and column, zero between "no link" entries; solved dense by Kuhn-Munkres (written here,
       * independently of the core's sparse solver). */
      const size_t n = p->num_clusters, m = g->num_clusters, N = n + m;
      double *cost = malloc(N * N * sizeof *cost);
      for (size_t i = 0; i < N; ++i)
        for (size_t j = 0; j < N; ++j) {
          double c = INFINITY;
          if (i < n && j < m) {
            double d2 = 0.0;
            for (int d = 0; d < 3; ++d)
              d2 += (pc[3 * i + d] - centroid[3 * j + d]) * (pc[3 * i + d] - centroid[3 * j + d]);
            c = sqrt(d2) <= gate ? sqrt(d2) : INFINITY;
          } else if (i < n && j == m + i) {
            c = gate;
          } else if (i >= n && j == i - n) {
            c = gate;
          } else if (i >= n && j >= m) {
            c = 0.0;
          }
          cost[i * N + j] = c;
        }
      /* Kuhn-Munkres (Jonker-Volgenant style, dense, O(N^3)); infinite costs never chosen. */
      double *u = calloc(N + 1, sizeof *u), *v = calloc(N + 1, sizeof *v), *minv = malloc((N + 1) * sizeof *minv);
      size_t *way = calloc(N + 1, sizeof *way), *match = calloc(N + 1, sizeof *match);
      char *used = malloc(N + 1);
      for (size_t i = 1; i <= N; ++i) {
        match[0] = i;
        size_t j0 = 0;
        for (size_t j = 0; j <= N; ++j)
          minv[j] = INFINITY, used[j] = 0;
        do {
          used[j0] = 1;
          const size_t i0 = match[j0];
          double delta = INFINITY;
          size_t j1 = 0;
          for (size_t j = 1; j <= N; ++j)
            if (!used[j]) {
              const double cur = cost[(i0 - 1) * N + (j - 1)] - u[i0] - v[j];
              if (cur < minv[j])
                minv[j] = cur, way[j] = j0;
              if (minv[j] < delta)
                delta = minv[j], j1 = j;
            }
          for (size_t j = 0; j <= N; ++j)
            if (used[j])
              u[match[j]] += delta, v[j] -= delta;
            else
              minv[j] -= delta;
          j0 = j1;
        } while (match[j0] != 0);
        do {
          const size_t j1 = way[j0];
          match[j0] = match[j1];
          j0 = j1;
        } while (j0);
      }
      for (size_t j = 1; j <= m; ++j)
        if (match[j] >= 1 && match[j] <= n)
          r->cluster_tracks[first + (int64_t)(j - 1)] = r->cluster_tracks[prev_first + (int64_t)(match[j] - 1)];
      free(u), free(v), free(minv), free(way), free(match), free(used), free(cost), free(pc);
    }
    for (size_t k = 0; k < g->num_clusters; ++k)
      if (r->cluster_tracks[first + (int64_t)k] < 0)
        r->cluster_tracks[first + (int64_t)k] = next_track++;
    free(centroid);
  }
  r->num_clusters = total;
  r->num_tracks = (size_t)next_track;
}

static void test_tracking_scene(const char *name, const scipar_moving_params *params, double min_kept,
                                int expect_baseline_worse)
{
  series s;
  CHECK(make_series(params, &s), "%s: generated: %s", name, s.truth.message);
  scipar_tracking_result r1, r2;
  CHECK(track_series(&s, 1, &r1) == SCIPAR_OK && track_series(&s, 2, &r2) == SCIPAR_OK, "%s: tracked: %s", name,
        r1.message);
  const score sc = compare(&s, &r1);
  CHECK(r1.num_tracks == r2.num_tracks && !memcmp(r1.cluster_tracks, r2.cluster_tracks, r1.num_clusters * sizeof(int64_t)),
        "%s: the same tracks on 1 and 2 threads", name);
  /* The baseline's gate: the true largest motion per step, so that no true link is beyond it. */
  scipar_tracking_result centroid;
  centroid_tracking(&s, 2.0 * params->speed_max * params->time_step + 1.0, &centroid);
  const score base = compare(&s, &centroid);
  const double kept = (double)sc.kept / (double)sc.links, base_kept = (double)base.kept / (double)base.links;
  const double whole = (double)sc.whole / (double)sc.tracks, base_whole = (double)base.whole / (double)base.tracks;
  printf("%s: %zu steps, %zu true tracks, %zu true links. Chamfer tracker: %.2f%% of the links kept, %.1f%% of the "
         "tracks followed whole, %zu tracks made; events %zu of %zu found, %zu not true. Centroid baseline: %.2f%% "
         "of the links, %.1f%% of the tracks\n",
         name, s.truth.num_steps, s.truth.num_tracks, sc.links, 100.0 * kept, 100.0 * whole, r1.num_tracks, sc.found,
         sc.events, sc.extra, 100.0 * base_kept, 100.0 * base_whole);
  CHECK(kept >= min_kept, "%s: %.2f%% of the true links kept, at least %.0f%% wanted", name, 100.0 * kept,
        100.0 * min_kept);
  CHECK(sc.found == sc.events, "%s: every true event found (%zu of %zu)", name, sc.found, sc.events);
  CHECK(sc.extra <= sc.events / 20, "%s: few events that are not true (%zu)", name, sc.extra);
  CHECK(kept >= base_kept, "%s: never below the centroid baseline (%.2f%% < %.2f%%)", name, 100.0 * kept,
        100.0 * base_kept);
  if (expect_baseline_worse)
    CHECK(base_kept < kept && base_whole < 0.75 * whole,
          "%s: the centroid baseline keeps fewer links (%.2f%%) and follows far fewer tracks whole (%.1f%%)", name,
          100.0 * base_kept, 100.0 * base_whole);
  scipar_tracking_result_free(&r1);
  scipar_tracking_result_free(&r2);
  free(centroid.step_offsets), free(centroid.cluster_ids), free(centroid.cluster_tracks);
  free_series(&s);
}

int main(void)
{
  test_generator();
  scipar_moving_params params;
  scipar_moving_params_init(&params);
  params.step_count = 30;
  params.cluster_count = 30;
  params.split_probability = 0.015;
  params.merge_probability = 0.04;
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    params.seed = seed;
    char name[64];
    snprintf(name, sizeof name, "random scene %llu", (unsigned long long)seed);
    test_tracking_scene(name, &params, 0.99, 0);
  }
  /* Denser and faster: 80 clusters in the same box, up to 3 per step, a fifth of them partly hidden. */
  params.cluster_count = 80;
  params.speed_max = 3.0;
  params.occlusion_probability = 0.2;
  params.seed = 12;
  test_tracking_scene("dense scene", &params, 0.99, 0);
  /* Many clusters: the gate is measured on a sample of each step's clusters. */
  scipar_moving_params_init(&params);
  params.step_count = 8;
  params.cluster_count = 700;
  params.min_cluster_size = 10;
  params.max_cluster_size = 25;
  params.box_max = 250.0;
  params.seed = 13;
  test_tracking_scene("700 clusters", &params, 0.99, 0);
  scipar_moving_params_init(&params);
  params.scene = SCIPAR_SCENE_CLOSE_PASS;
  params.cluster_count = 20;
  params.seed = 5;
  test_tracking_scene("close pass", &params, 0.99, 1);
  return check_report("test_moving_clusters");
}
