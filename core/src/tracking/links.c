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

/* The gate from the data: each P cluster's two least values come with the first pass (`first`);
 * mutual nearest needs each C cluster's nearest too, one more pass. */
static scipar_status gates_from_data(const step_context *s, const pair_list *first, step_gates fallback,
                                     step_gates *gates)
{
  const scipar_tracking_options *o = s->options;
  const size_t np = s->prev->num_clusters, nc = s->cur->num_clusters;
  const pair_query back = {s->cur, NULL, nc, s->prev, s->prev_hierarchy, o->metric, o->squared, PAIR_CHAMFER, 0.0, 1};
  pair_list reverse;
  scipar_status status = nearby_pairs(&back, s->num_threads, s->progress, &reverse);
  if (status != SCIPAR_OK)
    return status;
  double *n1 = malloc((np + 1) * sizeof *n1), *n2 = malloc((np + 1) * sizeof *n2);
  unsigned char *mutual = malloc(np + 1);
  int chosen = -1;
  if (n1 && n2 && mutual) {
    for (size_t p = 0; p < np; ++p) {
      n1[p] = first->best[2 * p];
      n2[p] = first->best[2 * p + 1];
      const int64_t c = least_of(first, p);
      mutual[p] = c >= 0 && least_of(&reverse, (size_t)c) == (int64_t)p;
    }
    chosen = gates_from_nearest(n1, n2, mutual, np, gates);
  }
  free(n1), free(n2), free(mutual);
  pair_list_free(&reverse);
  if (chosen < 0)
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  if (chosen == 0)
    *gates = fallback;
  return SCIPAR_OK;
}

scipar_status frame_candidates(const step_context *s, step_gates fallback, step_gates *gates, int64_t **link_row,
                               int64_t **link_col, double **link_cost, size_t *num_links)
{
  const scipar_tracking_options *o = s->options;
  const size_t np = s->prev->num_clusters;
  *link_row = *link_col = NULL;
  *link_cost = NULL;
  *num_links = 0;
  pair_query q = {s->prev, NULL, np, s->cur, s->cur_hierarchy, o->metric, o->squared, PAIR_CHAMFER,
                  o->max_link_distance, 0};
  /* With a gate given, one pass. Chosen from the data, a first pass finds each P cluster's two least
   * values (and every pair up to the second, evaluated on the way), which choose the gate; only P
   * clusters whose second value is under the gate need a second pass for the rest of their pairs. */
  const int automatic = o->max_link_distance == 0.0;
  if (automatic) {
    q.gate = 0.0;
    q.keep_best = 2;
  }
  pair_list first, second;
  memset(&second, 0, sizeof second);
  scipar_status status = nearby_pairs(&q, s->num_threads, s->progress, &first);
  if (status != SCIPAR_OK)
    return status;
  gates->link = gates->cover = o->max_link_distance;
  int64_t *again = NULL;
  size_t num_again = 0;
  const double *gate = &gates->link;
  if (automatic) {
    status = gates_from_data(s, &first, fallback, gates);
    again = status == SCIPAR_OK ? malloc((np + 1) * sizeof *again) : NULL;
    if (!again) {
      pair_list_free(&first);
      return status == SCIPAR_OK ? SCIPAR_ERROR_OUT_OF_MEMORY : status;
    }
    for (size_t p = 0; p < np; ++p)
      if (first.best[2 * p + 1] < *gate)
        again[num_again++] = (int64_t)p;
    if (num_again > 0) {
      const pair_query rest = {s->prev, again, num_again, s->cur, s->cur_hierarchy, o->metric, o->squared,
                               PAIR_CHAMFER, *gate, 0};
      status = nearby_pairs(&rest, s->num_threads, s->progress, &second);
    }
  }
  const size_t most = first.count + second.count;
  if (status == SCIPAR_OK) {
    *link_row = malloc((most + 1) * sizeof **link_row);
    *link_col = malloc((most + 1) * sizeof **link_col);
    *link_cost = malloc((most + 1) * sizeof **link_cost);
    if (!*link_row || !*link_col || !*link_cost)
      status = SCIPAR_ERROR_OUT_OF_MEMORY;
  }
  if (status == SCIPAR_OK) {
    size_t next_again = 0;
    for (size_t p = 0; p < np; ++p) {
      if (next_again < num_again && again[next_again] == (int64_t)p)
        append_within(&second, next_again++, (int64_t)p, *gate, *link_row, *link_col, *link_cost, num_links);
      else
        append_within(&first, p, (int64_t)p, *gate, *link_row, *link_col, *link_cost, num_links);
    }
  } else {
    free(*link_row), free(*link_col), free(*link_cost);
    *link_row = *link_col = NULL;
    *link_cost = NULL;
  }
  free(again);
  pair_list_free(&first);
  pair_list_free(&second);
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
