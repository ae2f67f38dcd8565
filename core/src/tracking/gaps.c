/* Gap closing: a track missing from the last steps (at most max_gap of them) continues into a new
 * cluster that nothing else continues, when its last cluster, moved on by the track's velocity to the
 * new step's time, lies within the gate of it. The same assignment as between consecutive steps
 * arbitrates (rows: the lost tracks, columns: the unlinked clusters, "no link" at the gate), as
 * TrackMate's gap closing does after its frame-to-frame linking. The link distance recorded is the
 * Chamfer value to the last cluster as it was seen, not moved. */
#include "tracking/tracking.h"

#include "assignment/assignment.h"
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

scipar_status close_gaps(const step_context *s, const scipar_tracker *tracker, double time, step_links *links,
                         char *message, size_t message_size)
{
  const size_t nc = s->cur->num_clusters;
  /* The new clusters nothing continues, as the assignment's columns. */
  int64_t *column_of = malloc((nc + 1) * sizeof *column_of), *orphans = malloc((nc + 1) * sizeof *orphans);
  if (!column_of || !orphans) {
    free(column_of), free(orphans);
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  }
  size_t num_orphans = 0;
  for (size_t c = 0; c < nc; ++c) {
    column_of[c] = links->cur_prev[c] < 0 ? (int64_t)num_orphans : -1;
    if (links->cur_prev[c] < 0)
      orphans[num_orphans++] = (int64_t)c;
  }
  if (num_orphans == 0) {
    free(column_of), free(orphans);
    return SCIPAR_OK;
  }
  cluster_set lost_set;
  scipar_status status = moved_lost_clusters(tracker, time, s->num_threads, &lost_set);
  if (status != SCIPAR_OK) {
    free(column_of), free(orphans);
    return status;
  }
  const size_t nl = lost_set.num_clusters; /* == tracker->num_lost: every lost cluster has points */
  const pair_query q = {&lost_set, NULL, nl, s->cur, s->cur_hierarchy, s->options->metric, s->options->squared,
                        PAIR_CHAMFER, links->gate, 0};
  pair_list pairs;
  status = nearby_pairs(&q, s->num_threads, s->progress, &pairs);
  int64_t *link_row = NULL, *link_col = NULL, *row_to_col = NULL, *col_to_row = NULL;
  double *link_cost = NULL, *no_link = NULL;
  size_t num_links = 0;
  if (status == SCIPAR_OK) {
    const size_t most = nl > num_orphans ? nl : num_orphans;
    link_row = malloc((pairs.count + 1) * sizeof *link_row);
    link_col = malloc((pairs.count + 1) * sizeof *link_col);
    link_cost = malloc((pairs.count + 1) * sizeof *link_cost);
    no_link = malloc((most + 1) * sizeof *no_link);
    row_to_col = malloc((nl + 1) * sizeof *row_to_col);
    col_to_row = malloc((num_orphans + 1) * sizeof *col_to_row);
    if (!link_row || !link_col || !link_cost || !no_link || !row_to_col || !col_to_row)
      status = SCIPAR_ERROR_OUT_OF_MEMORY;
    else
      for (size_t i = 0; i < most; ++i)
        no_link[i] = links->gate;
  }
  if (status == SCIPAR_OK) {
    for (size_t l = 0; l < nl; ++l)
      for (int64_t i = pairs.offsets[l]; i < pairs.offsets[l + 1]; ++i)
        if (column_of[pairs.to[i]] >= 0) {
          link_row[num_links] = (int64_t)l;
          link_col[num_links] = column_of[pairs.to[i]];
          link_cost[num_links++] = pairs.value[i];
        }
    const assignment_problem problem = {nl, num_orphans, no_link, no_link, num_links, link_row, link_col, link_cost};
    status = assignment_solve(&problem, s->num_threads, row_to_col, col_to_row, NULL, message, message_size);
  }
  for (size_t l = 0; status == SCIPAR_OK && l < nl; ++l) {
    if (row_to_col[l] < 0)
      continue;
    const int64_t c = orphans[row_to_col[l]];
    links->cur_lost[c] = (int64_t)l;
    status = unmoved_distance(s, &tracker->lost[l], c, &links->cur_distance[c]);
  }
  pair_list_free(&pairs);
  cluster_set_free(&lost_set);
  free(column_of), free(orphans), free(link_row), free(link_col), free(link_cost), free(no_link);
  free(row_to_col), free(col_to_row);
  return status;
}
