/* Links between consecutive steps: the gate, the candidate pairs within it, the global assignment. */
#include "tracking/tracking.h"

#include "assignment/assignment.h"
#include "distance/distance.h"
#include "search/nearby_pairs.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

scipar_status step_links_init(step_links *links, size_t num_prev, size_t num_cur)
{
  memset(links, 0, sizeof *links);
  links->num_prev = num_prev;
  links->num_cur = num_cur;
  links->prev_next = malloc((num_prev + 1) * sizeof *links->prev_next);
  links->prev_merged_into = malloc((num_prev + 1) * sizeof *links->prev_merged_into);
  links->cur_prev = malloc((num_cur + 1) * sizeof *links->cur_prev);
  links->cur_lost = malloc((num_cur + 1) * sizeof *links->cur_lost);
  links->cur_parent = malloc((num_cur + 1) * sizeof *links->cur_parent);
  links->cur_distance = malloc((num_cur + 1) * sizeof *links->cur_distance);
  if (!links->prev_next || !links->prev_merged_into || !links->cur_prev || !links->cur_lost || !links->cur_parent ||
      !links->cur_distance) {
    step_links_free(links);
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  }
  for (size_t p = 0; p < num_prev; ++p)
    links->prev_next[p] = links->prev_merged_into[p] = -1;
  for (size_t c = 0; c < num_cur; ++c) {
    links->cur_prev[c] = links->cur_lost[c] = links->cur_parent[c] = -1;
    links->cur_distance[c] = NAN;
  }
  return SCIPAR_OK;
}

void step_links_free(step_links *links)
{
  free(links->prev_next), free(links->prev_merged_into), free(links->cur_prev), free(links->cur_lost);
  free(links->cur_parent), free(links->cur_distance);
  memset(links, 0, sizeof *links);
}

double link_distance(const step_context *s, int64_t p, int64_t c)
{
  double value = NAN;
  chamfer_bounded(cluster_set_view(s->prev, (size_t)p), cluster_set_view(s->cur, (size_t)c), s->options->metric,
                  s->options->squared, INFINITY, &value);
  return value;
}

/* Appends the pairs of list position k whose value is within the gate. */
static void append_within(const pair_list *list, size_t k, int64_t row, double gate, int64_t *link_row,
                          int64_t *link_col, double *link_cost, size_t *count)
{
  for (int64_t i = list->offsets[k]; i < list->offsets[k + 1]; ++i)
    if (list->value[i] <= gate) {
      link_row[*count] = row;
      link_col[*count] = list->to[i];
      link_cost[(*count)++] = list->value[i];
    }
}

/* The cluster of least value among position k's pairs (ties: the smaller index), -1 if none. */
static int64_t least_of(const pair_list *list, size_t k)
{
  int64_t least = -1;
  for (int64_t i = list->offsets[k]; i < list->offsets[k + 1]; ++i) /* targets ascending */
    if (least < 0 || list->value[i] < list->value[least])
      least = i;
  return least < 0 ? -1 : list->to[least];
}

/* The gates are measured on at most GATE_SAMPLE clusters of P, every stride-th by index (that is, by
 * id: ids say nothing of where a cluster is): two medians over 256 values are as good a guide as over
 * all, and finding each P cluster's second least value costs a full evaluation per cluster. */
enum { GATE_SAMPLE = 256 };

/* The gates from the sample's two least values (`sampled`, keep_best 2 over sample[0 .. ns)); mutual
 * nearest needs the nearest of each C cluster some sample member is nearest to, one more pass. */
static scipar_status gates_from_sample(const step_context *s, const pair_list *sampled, size_t ns,
                                       const int64_t *sample, step_gates fallback, step_gates *gates)
{
  const scipar_tracking_options *o = s->options;
  const size_t nc = s->cur->num_clusters;
  int64_t *position = malloc((nc + 1) * sizeof *position), *wanted = malloc((ns + 1) * sizeof *wanted);
  double *n1 = malloc((ns + 1) * sizeof *n1), *n2 = malloc((ns + 1) * sizeof *n2);
  unsigned char *mutual = malloc(ns + 1);
  scipar_status status = position && wanted && n1 && n2 && mutual ? SCIPAR_OK : SCIPAR_ERROR_OUT_OF_MEMORY;
  pair_list reverse;
  memset(&reverse, 0, sizeof reverse);
  size_t num_wanted = 0;
  if (status == SCIPAR_OK) {
    for (size_t c = 0; c < nc; ++c)
      position[c] = -1;
    for (size_t k = 0; k < ns; ++k) {
      const int64_t c = least_of(sampled, k);
      if (c >= 0 && position[c] < 0)
        position[c] = 0;
    }
    for (size_t c = 0; c < nc; ++c)
      if (position[c] >= 0) {
        position[c] = (int64_t)num_wanted;
        wanted[num_wanted++] = (int64_t)c;
      }
    const pair_query back = {s->cur, wanted, num_wanted, s->prev, s->prev_hierarchy, o->metric, o->squared,
                             PAIR_CHAMFER, 0.0, 1};
    status = nearby_pairs(&back, s->num_threads, s->progress, &reverse);
  }
  int chosen = -1;
  if (status == SCIPAR_OK) {
    for (size_t k = 0; k < ns; ++k) {
      n1[k] = sampled->best[2 * k];
      n2[k] = sampled->best[2 * k + 1];
      const int64_t c = least_of(sampled, k);
      mutual[k] = c >= 0 && least_of(&reverse, (size_t)position[c]) == sample[k];
    }
    chosen = gates_from_nearest(n1, n2, mutual, ns, gates);
    if (chosen == 0)
      *gates = fallback;
    status = chosen < 0 ? SCIPAR_ERROR_OUT_OF_MEMORY : SCIPAR_OK;
  }
  free(position), free(wanted), free(n1), free(n2), free(mutual);
  pair_list_free(&reverse);
  return status;
}

scipar_status frame_candidates(const step_context *s, step_gates fallback, step_gates *gates, int64_t **link_row,
                               int64_t **link_col, double **link_cost, size_t *num_links)
{
  const scipar_tracking_options *o = s->options;
  const size_t np = s->prev->num_clusters;
  *link_row = *link_col = NULL;
  *link_cost = NULL;
  *num_links = 0;
  gates->link = gates->cover = o->max_link_distance;
  /* With the gate chosen from the data, a first pass over the sample finds its members' two least
   * values (and every pair up to the second, evaluated on the way), which choose the gate; a member
   * whose second value is above the gate has all its pairs within the gate already. Every other P
   * cluster then gets its pairs within the gate, as with a gate given. */
  const int automatic = o->max_link_distance == 0.0;
  const size_t stride = np > GATE_SAMPLE ? (np + GATE_SAMPLE - 1) / GATE_SAMPLE : 1;
  const size_t ns = automatic ? (np + stride - 1) / stride : 0;
  int64_t *sample = malloc((ns + 1) * sizeof *sample), *rest = malloc((np + 1) * sizeof *rest);
  int64_t *from_sample = malloc((np + 1) * sizeof *from_sample); /* position in the sample's list, -1 */
  pair_list sampled, others;
  memset(&sampled, 0, sizeof sampled);
  memset(&others, 0, sizeof others);
  scipar_status status = sample && rest && from_sample ? SCIPAR_OK : SCIPAR_ERROR_OUT_OF_MEMORY;
  if (status == SCIPAR_OK && automatic) {
    for (size_t k = 0; k < ns; ++k)
      sample[k] = (int64_t)(k * stride);
    const pair_query first = {s->prev, sample, ns, s->cur, s->cur_hierarchy, o->metric, o->squared, PAIR_CHAMFER,
                              0.0, 2};
    status = nearby_pairs(&first, s->num_threads, s->progress, &sampled);
    if (status == SCIPAR_OK)
      status = gates_from_sample(s, &sampled, ns, sample, fallback, gates);
  }
  size_t num_rest = 0;
  if (status == SCIPAR_OK) {
    for (size_t p = 0; p < np; ++p)
      from_sample[p] = -1;
    for (size_t k = 0; k < ns; ++k)
      if (!(sampled.best[2 * k + 1] < gates->link))
        from_sample[sample[k]] = (int64_t)k;
    for (size_t p = 0; p < np; ++p)
      if (from_sample[p] < 0)
        rest[num_rest++] = (int64_t)p;
    const pair_query within = {s->prev, rest, num_rest, s->cur, s->cur_hierarchy, o->metric, o->squared,
                               PAIR_CHAMFER, gates->link, 0};
    if (num_rest > 0)
      status = nearby_pairs(&within, s->num_threads, s->progress, &others);
  }
  const size_t most = sampled.count + others.count;
  if (status == SCIPAR_OK) {
    *link_row = malloc((most + 1) * sizeof **link_row);
    *link_col = malloc((most + 1) * sizeof **link_col);
    *link_cost = malloc((most + 1) * sizeof **link_cost);
    if (!*link_row || !*link_col || !*link_cost)
      status = SCIPAR_ERROR_OUT_OF_MEMORY;
  }
  if (status == SCIPAR_OK) {
    size_t next_rest = 0;
    for (size_t p = 0; p < np; ++p) {
      if (from_sample[p] >= 0)
        append_within(&sampled, (size_t)from_sample[p], (int64_t)p, gates->link, *link_row, *link_col, *link_cost,
                      num_links);
      else
        append_within(&others, next_rest++, (int64_t)p, gates->link, *link_row, *link_col, *link_cost, num_links);
    }
  } else {
    free(*link_row), free(*link_col), free(*link_cost);
    *link_row = *link_col = NULL;
    *link_cost = NULL;
  }
  free(sample), free(rest), free(from_sample);
  pair_list_free(&sampled);
  pair_list_free(&others);
  return status;
}

scipar_status link_step(const step_context *s, const scipar_tracker *tracker, double time, step_links *links,
                        char *message, size_t message_size)
{
  const size_t np = s->prev->num_clusters, nc = s->cur->num_clusters;
  const size_t nl = s->options->max_gap > 0 ? tracker->num_lost : 0;
  int64_t *link_row, *link_col;
  double *link_cost;
  size_t num_links;
  scipar_status status =
    frame_candidates(s, tracker->last_gates, &links->gates, &link_row, &link_col, &link_cost, &num_links);
  if (status != SCIPAR_OK)
    return status;
  /* The lost tracks are rows np .. np + nl - 1. */
  pair_list lost;
  memset(&lost, 0, sizeof lost);
  if (nl > 0 && nc > 0)
    status = lost_candidates(s, tracker, time, links->gates.link, &lost);
  if (status == SCIPAR_OK && lost.count > 0) {
    int64_t *rows = realloc(link_row, (num_links + lost.count + 1) * sizeof *rows);
    link_row = rows ? rows : link_row;
    int64_t *cols = realloc(link_col, (num_links + lost.count + 1) * sizeof *cols);
    link_col = cols ? cols : link_col;
    double *costs = realloc(link_cost, (num_links + lost.count + 1) * sizeof *costs);
    link_cost = costs ? costs : link_cost;
    if (!rows || !cols || !costs)
      status = SCIPAR_ERROR_OUT_OF_MEMORY;
    for (size_t l = 0; status == SCIPAR_OK && l < nl; ++l)
      for (int64_t i = lost.offsets[l]; i < lost.offsets[l + 1]; ++i) {
        link_row[num_links] = (int64_t)(np + l);
        link_col[num_links] = lost.to[i];
        link_cost[num_links++] = lost.value[i];
      }
  }
  pair_list_free(&lost);
  /* Leaving a cluster unlinked costs the gate, on either side: any link within the gate costs less
   * than leaving both its ends unlinked (2 x gate), so links are made whenever the gate allows and
   * the assignment only arbitrates between competing ones (as TrackMate's alternative cost does). */
  const size_t rows = np + nl, most = rows > nc ? rows : nc;
  double *no_link = malloc((most + 1) * sizeof *no_link);
  int64_t *row_to_col = malloc((rows + 1) * sizeof *row_to_col);
  if (status == SCIPAR_OK && (!no_link || !row_to_col))
    status = SCIPAR_ERROR_OUT_OF_MEMORY;
  if (status == SCIPAR_OK) {
    for (size_t i = 0; i < most; ++i)
      no_link[i] = links->gates.link;
    const assignment_problem problem = {rows, nc, no_link, no_link, num_links, link_row, link_col, link_cost};
    status = assignment_solve(&problem, s->num_threads, row_to_col, links->cur_prev, NULL, message, message_size);
  }
  if (status == SCIPAR_OK) {
    for (size_t l = 0; l < num_links; ++l)
      if (row_to_col[link_row[l]] == link_col[l])
        links->cur_distance[link_col[l]] = link_cost[l];
    memcpy(links->prev_next, row_to_col, np * sizeof *row_to_col);
    for (size_t c = 0; c < nc; ++c)
      if (links->cur_prev[c] >= (int64_t)np) {
        const int64_t l = links->cur_prev[c] - (int64_t)np;
        links->cur_prev[c] = -1;
        links->cur_lost[c] = l;
        status = status == SCIPAR_OK ? gap_link_distance(s, &tracker->lost[l], (int64_t)c, &links->cur_distance[c])
                                     : status;
      }
  }
  free(no_link), free(row_to_col), free(link_row), free(link_col), free(link_cost);
  return status;
}
