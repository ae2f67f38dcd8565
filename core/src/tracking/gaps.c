/* Gap closing: a track missing from the last steps (at most max_gap of them) continues into a new
 * cluster when its last cluster, moved on by the track's velocity to the new step's time, lies within
 * the gate of it. The lost tracks are extra rows of the assignment that links consecutive steps
 * (links.c), at their moved Chamfer values: they compete with the previous step's clusters for the
 * new ones, so a cluster that reappears where its motion takes it is not given to a neighbour that
 * vanishes at the same step (TrackMate closes gaps in a second assignment, after frame-to-frame
 * linking has already handed such a cluster to the neighbour). The link distance recorded is the
 * Chamfer value to the last cluster as it was seen, not moved. */
#include "tracking/tracking.h"

#include "distance/distance.h"
#include "search/nearby_pairs.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The lost tracks' last clusters moved to `time`, as one cloud (label: index in tracker->lost). */
static scipar_status moved_lost_clusters(const scipar_tracker *t, double time, int num_threads, cluster_set *set)
{
  size_t n = 0;
  for (size_t l = 0; l < t->num_lost; ++l)
    n += (size_t)t->lost[l].num_points;
  double *points = malloc((3 * n + 1) * sizeof *points);
  int64_t *labels = malloc((n + 1) * sizeof *labels);
  scipar_status status = SCIPAR_ERROR_OUT_OF_MEMORY;
  if (points && labels) {
    size_t at = 0;
    for (size_t l = 0; l < t->num_lost; ++l) {
      const lost_track *lost = &t->lost[l];
      const double elapsed = time - t->times[lost->last_step];
      for (int64_t i = 0; i < lost->num_points; ++i, ++at) {
        for (int d = 0; d < 3; ++d)
          points[3 * at + (size_t)d] = lost->xyz[3 * i + d] + lost->velocity[d] * elapsed;
        labels[at] = (int64_t)l;
      }
    }
    const scipar_cloud cloud = {points, labels, n, NULL};
    status = cluster_set_build(&cloud, NULL, num_threads, 1, 0, set);
  }
  free(points), free(labels);
  return status;
}

/* The Chamfer value of a lost track's last cluster as seen and cluster c of the new step. */
static scipar_status unmoved_distance(const step_context *s, const lost_track *lost, int64_t c, double *value)
{
  int64_t *labels = calloc((size_t)lost->num_points + 1, sizeof *labels);
  if (!labels)
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  const scipar_cloud cloud = {lost->xyz, labels, (size_t)lost->num_points, NULL};
  cluster_set one;
  const scipar_status status = cluster_set_build(&cloud, NULL, 1, 1, 0, &one);
  free(labels);
  if (status != SCIPAR_OK)
    return status;
  chamfer_bounded(cluster_set_view(&one, 0), cluster_set_view(s->cur, (size_t)c), s->options->metric,
                  s->options->squared, INFINITY, value);
  cluster_set_free(&one);
  return SCIPAR_OK;
}

scipar_status lost_candidates(const step_context *s, const scipar_tracker *tracker, double time, double gate,
                             pair_list *pairs)
{
  memset(pairs, 0, sizeof *pairs);
  cluster_set lost_set;
  scipar_status status = moved_lost_clusters(tracker, time, s->num_threads, &lost_set);
  if (status != SCIPAR_OK)
    return status;
  /* Every lost cluster has points: lost_set's clusters are tracker->lost's, in order. */
  const pair_query q = {&lost_set, NULL, lost_set.num_clusters, s->cur, s->cur_hierarchy, s->options->metric,
                        s->options->squared, PAIR_CHAMFER, gate, 0};
  status = nearby_pairs(&q, s->num_threads, s->progress, pairs);
  cluster_set_free(&lost_set);
  return status;
}

scipar_status gap_link_distance(const step_context *s, const lost_track *lost, int64_t c, double *value)
{
  return unmoved_distance(s, lost, c, value);
}
