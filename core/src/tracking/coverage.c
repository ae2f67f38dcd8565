/* Splits and merges, from one-sided coverage: after the assignment and gap closing, a cluster left
 * unlinked on one side is explained by a cluster on the other side that it lies near.
 *
 * "a lies near b" when the one-sided value of a towards b (how far a's points lie from b, in the
 * metric's units: chamfer_one_sided_bounded) is within the step's cover threshold (gate.c: the gate
 * when MaxLinkDistance is given), whatever else b holds. A part of a
 * cluster that divided lies near the cluster it came from; a cluster that was absorbed lies near the
 * one that absorbed it. Each side's Chamfer value can be far above the gate while its one-sided
 * value is small: that is why the assignment alone leaves these unlinked.
 *
 * Splits. Every new cluster c that nothing continues and that lies near some cluster of the previous
 * step is a fragment of the one it lies nearest (ties: the smaller index). For each previous cluster
 * p with fragments (in index order), its parts are its fragments and the cluster it is linked to, if
 * any. If p is linked or has two or more fragments, it split: the part with the most points continues
 * p's track (ties: the linked part, then the smaller index), every other part starts a new track whose
 * parent is p's. If p is unlinked with one fragment, the fragment is what remains of p (the rest
 * hidden or gone): it continues p's track.
 *
 * Merges. Every previous cluster p still unlinked that lies near some new cluster is absorbed by the
 * one it lies nearest. For each new cluster c absorbing (in index order): if c continues a previous
 * cluster p0 that is not a split's parent, the participants are p0 and the absorbed ones, and the one
 * with the most points continues into c (ties: p0, then the smaller index), the others merge into it;
 * if c already belongs to a track otherwise (a gap closed, a split's part, p0 a split's parent), the
 * absorbed ones merge into that track; if c is unlinked, the largest absorbed one continues into it
 * and any other merges into it (with one, it simply continues: c is it grown, hidden parts come back).
 *
 * Link distances of links made or moved here are the full Chamfer values, which may exceed the gate. */
#include "tracking/tracking.h"

#include "search/nearby_pairs.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* For each queried cluster, the cluster of `to` it lies nearest within the threshold (-1 if none). */
static scipar_status nearest_cover(const step_context *s, const cluster_set *from, const int64_t *subset, size_t count,
                                   const cluster_set *to, const cluster_hierarchy *to_hierarchy, double gate,
                                   int64_t *nearest)
{
  const pair_query q = {from, subset, count, to, to_hierarchy, s->options->metric, s->options->squared,
                        PAIR_ONE_SIDED, gate, 0};
  pair_list pairs;
  const scipar_status status = nearby_pairs(&q, s->num_threads, s->progress, &pairs);
  if (status != SCIPAR_OK)
    return status;
  for (size_t k = 0; k < count; ++k) {
    nearest[k] = -1;
    double least = INFINITY;
    for (int64_t i = pairs.offsets[k]; i < pairs.offsets[k + 1]; ++i) /* targets ascending: ties to the smaller */
      if (pairs.value[i] < least) {
        least = pairs.value[i];
        nearest[k] = pairs.to[i];
      }
  }
  pair_list_free(&pairs);
  return SCIPAR_OK;
}

static int64_t size_of(const cluster_set *set, int64_t k) { return cluster_set_size(set, (size_t)k); }

/* Links p -> c with its full Chamfer value, undoing whatever c or p had. */
static void link(const step_context *s, step_links *links, int64_t p, int64_t c)
{
  links->prev_next[p] = c;
  links->prev_merged_into[p] = -1;
  links->cur_prev[c] = p;
  links->cur_parent[c] = -1;
  links->cur_distance[c] = link_distance(s, p, c);
}

static void make_part(step_links *links, int64_t c, int64_t parent)
{
  links->cur_prev[c] = -1;
  links->cur_parent[c] = parent;
  links->cur_distance[c] = NAN;
}

/* The orphans[first .. last) are the fragments of p (ascending). */
static void split(const step_context *s, step_links *links, int64_t p, const int64_t *fragments, size_t count)
{
  const int64_t linked = links->prev_next[p];
  if (linked < 0 && count == 1) {
    link(s, links, p, fragments[0]);
    return;
  }
  int64_t keep = linked;
  for (size_t i = 0; i < count; ++i)
    if (keep < 0 || size_of(s->cur, fragments[i]) > size_of(s->cur, keep))
      keep = fragments[i];
  if (keep != linked) {
    if (linked >= 0)
      make_part(links, linked, p);
    link(s, links, p, keep);
  }
  for (size_t i = 0; i < count; ++i)
    if (fragments[i] != keep)
      make_part(links, fragments[i], p);
}

static void merge(const step_context *s, step_links *links, int64_t c, const int64_t *absorbed, size_t count,
                  const unsigned char *is_parent)
{
  const int64_t p0 = links->cur_prev[c];
  const int has_track = p0 >= 0 || links->cur_lost[c] >= 0 || links->cur_parent[c] >= 0;
  if (has_track && !(p0 >= 0 && !is_parent[p0])) {
    for (size_t i = 0; i < count; ++i)
      links->prev_merged_into[absorbed[i]] = c;
    return;
  }
  int64_t keep = p0;
  for (size_t i = 0; i < count; ++i)
    if (keep < 0 || size_of(s->prev, absorbed[i]) > size_of(s->prev, keep))
      keep = absorbed[i];
  if (keep != p0) {
    if (p0 >= 0) {
      links->prev_next[p0] = -1;
      links->prev_merged_into[p0] = c;
    }
    link(s, links, keep, c);
  }
  for (size_t i = 0; i < count; ++i)
    if (absorbed[i] != keep)
      links->prev_merged_into[absorbed[i]] = c;
}

/* Sorts positions 0..count-1 by key (stable, keys small integers): order[] gets the positions. */
static void group_by(const int64_t *key, size_t count, size_t num_keys, int64_t *start, int64_t *order)
{
  memset(start, 0, (num_keys + 1) * sizeof *start);
  for (size_t i = 0; i < count; ++i)
    if (key[i] >= 0)
      ++start[key[i] + 1];
  for (size_t k = 0; k < num_keys; ++k)
    start[k + 1] += start[k];
  for (size_t i = 0; i < count; ++i)
    if (key[i] >= 0)
      order[start[key[i]]++] = (int64_t)i;
  memmove(start + 1, start, num_keys * sizeof *start);
  start[0] = 0;
}

scipar_status find_splits_and_merges(const step_context *s, step_links *links)
{
  const size_t np = links->num_prev, nc = links->num_cur;
  const size_t most = (np > nc ? np : nc) + 1;
  int64_t *subset = malloc(most * sizeof *subset), *nearest = malloc(most * sizeof *nearest);
  int64_t *start = malloc((most + 1) * sizeof *start), *order = malloc(most * sizeof *order);
  int64_t *members = malloc(most * sizeof *members);
  unsigned char *is_parent = calloc(np + 1, 1);
  scipar_status status = SCIPAR_OK;
  if (!subset || !nearest || !start || !order || !members || !is_parent)
    status = SCIPAR_ERROR_OUT_OF_MEMORY;

  /* Splits: new clusters nothing continues, against every previous cluster. */
  size_t count = 0;
  for (size_t c = 0; status == SCIPAR_OK && c < nc; ++c)
    if (links->cur_prev[c] < 0 && links->cur_lost[c] < 0)
      subset[count++] = (int64_t)c;
  if (status == SCIPAR_OK && count > 0 && np > 0)
    status = nearest_cover(s, s->cur, subset, count, s->prev, s->prev_hierarchy, links->gates.cover, nearest);
  if (status == SCIPAR_OK && count > 0 && np > 0) {
    group_by(nearest, count, np, start, order);
    for (size_t p = 0; p < np; ++p) {
      const size_t n = (size_t)(start[p + 1] - start[p]);
      if (n == 0)
        continue;
      for (size_t i = 0; i < n; ++i)
        members[i] = subset[order[start[p] + (int64_t)i]];
      is_parent[p] = links->prev_next[p] >= 0 || n >= 2;
      split(s, links, (int64_t)p, members, n);
    }
  }

  /* Merges: previous clusters still unlinked, against every new cluster. */
  count = 0;
  for (size_t p = 0; status == SCIPAR_OK && p < np; ++p)
    if (links->prev_next[p] < 0 && !is_parent[p])
      subset[count++] = (int64_t)p;
  if (status == SCIPAR_OK && count > 0 && nc > 0)
    status = nearest_cover(s, s->prev, subset, count, s->cur, s->cur_hierarchy, links->gates.cover, nearest);
  if (status == SCIPAR_OK && count > 0 && nc > 0) {
    group_by(nearest, count, nc, start, order);
    for (size_t c = 0; c < nc; ++c) {
      const size_t n = (size_t)(start[c + 1] - start[c]);
      for (size_t i = 0; i < n; ++i)
        members[i] = subset[order[start[c] + (int64_t)i]];
      if (n > 0)
        merge(s, links, (int64_t)c, members, n, is_parent);
    }
  }
  free(subset), free(nearest), free(start), free(order), free(members), free(is_parent);
  return status;
}
