/* Solve step, local: each cloud's owned clusters (from the local grouping or, split ones, merged) and
 * the copies received, trees included, are merged into one set by id over the local grouping's
 * buffers (a cluster owned and whole there moves inside them, never copied); then the nearest cluster
 * of every owned cluster, sources first, as scipar_match does. */
#include "distributed/distributed.h"
#include "search/search.h"

#include <stdlib.h>
#include <string.h>

/* The local grouping's points and trees are not needed past this step (answers and results read its
 * ids, offsets, centroids and point ids only): the solve set takes them over. */
static scipar_status assemble(const rank_state *s, cloud_state *c)
{
  const size_t k = c->num_owned + c->num_copies;
  int64_t *source = malloc((k + 1) * sizeof *source); /* owned index i as i, copy j as -j - 1 */
  int64_t *kept = malloc((k + 1) * sizeof *kept);     /* the local cluster, when owned and whole there */
  int64_t *size = malloc((k + 1) * sizeof *size);
  c->solve_summary = malloc((k + 1) * sizeof *c->solve_summary);
  c->solve_owned = malloc((c->num_owned + 1) * sizeof *c->solve_owned);
  c->best = malloc((c->num_owned + 1) * sizeof *c->best);
  scipar_status status = SCIPAR_ERROR_OUT_OF_MEMORY;
  if (source && kept && size && c->solve_summary && c->solve_owned && c->best) {
    for (size_t i = 0, j = 0, e = 0; e < k; ++e) {
      /* Owned clusters and copies are both by id, and never share one. */
      if (j == c->num_copies || (i < c->num_owned && c->summary[i].id < c->copies[j].summary->id)) {
        c->solve_owned[i] = (int64_t)e;
        source[e] = (int64_t)i;
        kept[e] = c->owned_merged[i] < 0 ? c->owned[i] : -1;
        c->solve_summary[e] = &c->summary[i++];
      } else {
        source[e] = -(int64_t)j - 1;
        kept[e] = -1;
        c->solve_summary[e] = c->copies[j++].summary;
      }
      size[e] = c->solve_summary[e]->count;
    }
    status = cluster_set_take_over(&c->solve, &c->local, k, kept, size);
  }
  if (status == SCIPAR_OK) {
    cluster_set *set = &c->solve;
    const long long kk = (long long)k;
#pragma omp parallel for num_threads(s->num_threads) schedule(dynamic, 64)
    for (long long e = 0; e < kk; ++e) {
      const cluster_summary *m = c->solve_summary[e];
      set->ids[e] = m->id;
      memcpy(set->box_min + 3 * e, m->box_min, sizeof m->box_min);
      memcpy(set->box_max + 3 * e, m->box_max, sizeof m->box_max);
      memcpy(set->centroids + 3 * e, m->centroid, sizeof m->centroid);
      set->centroid_error[e] = m->centroid_error;
      if (kept[e] >= 0)
        continue;
      if (source[e] >= 0)
        cluster_set_copy(set, (size_t)e, &c->merged, (size_t)c->owned_merged[source[e]]);
      else
        cluster_set_unpack(set, (size_t)e, c->copies[-source[e] - 1].packed);
    }
    cluster_set_free(&c->merged);
  }
  free(source);
  free(kept);
  free(size);
  return status;
}

/* The nearest of each owned cluster of `from` in `to`'s set; nearest[] holds the seeds on entry
 * (indexed by `from`'s solve set). `known` and `log` as in nearest_clusters_of. */
static scipar_status search(const rank_state *s, cloud_state *from, const cloud_state *to, int from_is_source,
                            const known_values *known, evaluated_pairs *log, int64_t *nearest, double *distance,
                            progress_state *progress)
{
  const scipar_status status =
    nearest_clusters_of(&from->solve, from->solve_owned, from->num_owned, &to->solve, from_is_source, s->options,
                        known, log, s->num_threads, progress, nearest, distance);
  for (size_t i = 0; i < from->num_owned && status == SCIPAR_OK; ++i) {
    const int64_t a = from->solve_owned[i], b = nearest[a];
    from->best[i].paired = b >= 0;
    if (b >= 0) {
      from->best[i].distance = distance[a];
      from->best[i].partner = to->solve_summary[b];
    }
  }
  return status;
}

/* A seed of solve-set cluster c: candidate `other` (of the other cloud's solve set) at exact value
 * `value`, kept when it beats the seed there, ties to the smaller index (ids ascend). */
static void offer_seed(int64_t c, int64_t other, double value, int64_t *nearest, double *distance)
{
  if (nearest[c] < 0 || value < distance[c] || (value == distance[c] && other < nearest[c])) {
    nearest[c] = other;
    distance[c] = value;
  }
}

/* Seeds of one cloud's owned clusters from the exact values the candidates step found. */
static void seed_from_candidates(const cloud_state *c, const cloud_state *other, int64_t *nearest, double *distance)
{
  for (size_t i = 0; i < c->num_owned; ++i)
    if (c->seed[i] >= 0)
      offer_seed(c->solve_owned[i], other->solve_owned[c->seed[i]], c->seed_distance[i], nearest, distance);
}

/* As scipar_match: the cloud with more (owned) clusters searches first, and every value it computes
 * completely is known to the other's search, which does not compute it again; a cluster of the first
 * that chose a cluster owned here also seeds that one's search. Values are bit-identical whichever
 * side computes them (always in source, target order), so the order changes no result. */
static scipar_status search_both_ways(rank_state *s, progress_state *progress)
{
  cloud_state *src = &s->clouds[CLOUD_SOURCE], *tgt = &s->clouds[CLOUD_TARGET];
  const int source_first = src->num_owned >= tgt->num_owned;
  cloud_state *first = source_first ? src : tgt, *second = source_first ? tgt : src;
  const size_t k1 = first->solve.num_clusters, k2 = second->solve.num_clusters;
  int64_t *nearest = malloc((k1 + k2 + 1) * sizeof *nearest);
  double *distance = malloc((k1 + k2 + 1) * sizeof *distance);
  evaluated_pairs computed;
  memset(&computed, 0, sizeof computed);
  known_values known;
  memset(&known, 0, sizeof known);
  scipar_status status = SCIPAR_ERROR_OUT_OF_MEMORY;
  if (nearest && distance) {
    for (size_t i = 0; i < k1 + k2; ++i)
      nearest[i] = -1;
    seed_from_candidates(first, second, nearest, distance);
    seed_from_candidates(second, first, nearest + k1, distance + k1);
    status = search(s, first, second, source_first, NULL, &computed, nearest, distance, progress);
  }
  if (status == SCIPAR_OK)
    status = known_values_build(&computed, k2, &known);
  evaluated_pairs_free(&computed);
  if (status == SCIPAR_OK) {
    for (size_t i = 0; i < first->num_owned; ++i) {
      const int64_t a = first->solve_owned[i], b = nearest[a];
      if (b >= 0 && second->solve_summary[b]->owner == s->comm->rank)
        offer_seed(b, a, distance[a], nearest + k1, distance + k1);
    }
    status = search(s, second, first, !source_first, &known, NULL, nearest + k1, distance + k1, progress);
  }
  known_values_free(&known);
  free(nearest);
  free(distance);
  return status;
}

void solve_step(rank_state *s, progress_state *progress)
{
  if (s->status != SCIPAR_OK)
    return;
  progress->total = s->clouds[CLOUD_SOURCE].num_owned + s->clouds[CLOUD_TARGET].num_owned;
  scipar_status status = assemble(s, &s->clouds[CLOUD_SOURCE]);
  if (status == SCIPAR_OK)
    status = assemble(s, &s->clouds[CLOUD_TARGET]);
  if (status == SCIPAR_OK)
    status = search_both_ways(s, progress);
  if (status != SCIPAR_OK)
    rank_fail(s, status);
}
