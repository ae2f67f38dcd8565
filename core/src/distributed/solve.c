/* Solve steps, local. First the owned clusters of each cloud (from the local grouping or, split ones,
 * merged) become one set with their trees over the local grouping's buffers (a cluster owned and
 * whole there moves inside them, never copied), and each finds its nearest among the other cloud's
 * owned clusters, sources first, as scipar_match does: an exact value, which bounds what a cluster
 * owned elsewhere must reach (candidates.c). Then each owned cluster that asked other ranks searches
 * the copies they sent, from that bound, and keeps the better of the two. */
#include "distributed/distributed.h"
#include "search/search.h"

#include <stdlib.h>
#include <string.h>

/* The local grouping's points and trees are not needed past this step (answers and results read its
 * ids, offsets, centroids and point ids only): the owned set takes them over. Its hierarchy of boxes
 * too. */
static scipar_status assemble(const rank_state *s, cloud_state *c)
{
  const size_t k = c->num_owned;
  int64_t *kept = malloc((k + 1) * sizeof *kept); /* the local cluster, when owned and whole there */
  int64_t *size = malloc((k + 1) * sizeof *size);
  c->best = malloc((k + 1) * sizeof *c->best);
  scipar_status status = SCIPAR_ERROR_OUT_OF_MEMORY;
  if (kept && size && c->best) {
    for (size_t i = 0; i < k; ++i) {
      kept[i] = c->owned_merged[i] < 0 ? c->owned[i] : -1;
      size[i] = c->summary[i].count;
    }
    status = cluster_set_take_over(&c->solve, &c->local, k, kept, size);
  }
  if (status == SCIPAR_OK) {
    cluster_set *set = &c->solve;
    const long long kk = (long long)k;
#pragma omp parallel for num_threads(s->num_threads) schedule(dynamic, 64)
    for (long long i = 0; i < kk; ++i) {
      const cluster_summary *m = &c->summary[i];
      set->ids[i] = m->id;
      memcpy(set->box_min + 3 * i, m->box_min, sizeof m->box_min);
      memcpy(set->box_max + 3 * i, m->box_max, sizeof m->box_max);
      memcpy(set->centroids + 3 * i, m->centroid, sizeof m->centroid);
      set->centroid_error[i] = m->centroid_error;
      if (kept[i] < 0)
        cluster_set_copy(set, (size_t)i, &c->merged, (size_t)c->owned_merged[i]);
    }
    cluster_set_free(&c->merged);
    /* Built once: the other cloud's search and the candidates step (box_index) both visit it. */
    status = cluster_hierarchy_build(set, s->num_threads, &c->hierarchy);
  }
  free(kept);
  free(size);
  return status;
}

/* Each owned cluster of `from`'s nearest among `to`'s; nearest[] holds the seeds on entry. `known` and
 * `log` as in nearest_clusters_of. */
static scipar_status search(const rank_state *s, cloud_state *from, const cloud_state *to, int from_is_source,
                            const known_values *known, evaluated_pairs *log, int64_t *nearest, double *distance,
                            progress_state *progress)
{
  const scipar_status status =
    nearest_clusters_of(&from->solve, NULL, from->num_owned, &to->solve, &to->hierarchy, from_is_source, s->options,
                        known, log, s->num_threads, progress, nearest, distance);
  for (size_t i = 0; i < from->num_owned && status == SCIPAR_OK; ++i) {
    const int64_t b = nearest[i];
    from->best[i].paired = b >= 0;
    if (b >= 0) {
      from->best[i].distance = distance[i];
      from->best[i].partner = &to->summary[b];
    }
  }
  return status;
}

/* As scipar_match: the cloud with more (owned) clusters searches first, and every value it computes
 * completely is known to the other's search, which does not compute it again; a cluster of the first
 * that chose one of the second also seeds that one's search. Values are bit-identical whichever side
 * computes them (always in source, target order), so the order changes no result. */
static scipar_status search_both_ways(rank_state *s, progress_state *progress)
{
  cloud_state *src = &s->clouds[CLOUD_SOURCE], *tgt = &s->clouds[CLOUD_TARGET];
  const int source_first = src->num_owned >= tgt->num_owned;
  cloud_state *first = source_first ? src : tgt, *second = source_first ? tgt : src;
  const size_t k1 = first->num_owned, k2 = second->num_owned;
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
    status = search(s, first, second, source_first, NULL, &computed, nearest, distance, progress);
  }
  if (status == SCIPAR_OK)
    status = known_values_build(&computed, k2, &known);
  evaluated_pairs_free(&computed);
  if (status == SCIPAR_OK) {
    int64_t *seed = nearest + k1;
    double *seed_distance = distance + k1;
    seeds_from_other_side(nearest, distance, k1, k2, seed, seed_distance);
    status = search(s, second, first, !source_first, &known, NULL, seed, seed_distance, progress);
  }
  known_values_free(&known);
  free(nearest);
  free(distance);
  return status;
}

void solve_owned_step(rank_state *s, progress_state *progress)
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

/* The copies of one cloud as a set, with their trees, by id. */
static scipar_status copy_set(const rank_state *s, cloud_state *c)
{
  size_t points = 0;
  for (size_t j = 0; j < c->num_copies; ++j)
    points += (size_t)c->copies[j].summary->count;
  cluster_set *set = &c->copy_set;
  scipar_status status = cluster_set_allocate(set, c->num_copies, points);
  if (status != SCIPAR_OK)
    return status;
  set->offsets[0] = 0;
  for (size_t j = 0; j < c->num_copies; ++j)
    set->offsets[j + 1] = set->offsets[j] + c->copies[j].summary->count;
  if ((status = cluster_set_allocate_trees(set)) != SCIPAR_OK)
    return status;
  const long long k = (long long)c->num_copies;
#pragma omp parallel for num_threads(s->num_threads) schedule(dynamic, 16)
  for (long long j = 0; j < k; ++j) {
    const cluster_summary *m = c->copies[j].summary;
    set->ids[j] = m->id;
    memcpy(set->box_min + 3 * j, m->box_min, sizeof m->box_min);
    memcpy(set->box_max + 3 * j, m->box_max, sizeof m->box_max);
    memcpy(set->centroids + 3 * j, m->centroid, sizeof m->centroid);
    set->centroid_error[j] = m->centroid_error;
    cluster_set_unpack(set, (size_t)j, c->copies[j].packed);
  }
  return SCIPAR_OK;
}

/* The owned clusters of `from` that asked other ranks, against the copies of `to`'s cloud, each from
 * its nearest so far: a copy replaces it when it is nearer, or as near with a smaller id. */
static scipar_status search_copies(const rank_state *s, cloud_state *from, const cloud_state *to, int from_is_source,
                                   progress_state *progress)
{
  if (from->num_asking == 0 || to->num_copies == 0)
    return SCIPAR_OK;
  int64_t *nearest = malloc((from->num_owned + 1) * sizeof *nearest);
  double *distance = malloc((from->num_owned + 1) * sizeof *distance);
  scipar_status status = SCIPAR_ERROR_OUT_OF_MEMORY;
  if (nearest && distance) {
    for (size_t q = 0; q < from->num_asking; ++q) {
      const owned_answer *best = &from->best[from->asking[q]];
      nearest[from->asking[q]] = best->paired ? SEARCH_BOUND : -1;
      distance[from->asking[q]] = best->paired ? best->distance : 0.0;
    }
    status = nearest_clusters_of(&from->solve, from->asking, from->num_asking, &to->copy_set, NULL, from_is_source,
                                 s->options, NULL, NULL, s->num_threads, progress, nearest, distance);
  }
  for (size_t q = 0; q < from->num_asking && status == SCIPAR_OK; ++q) {
    const int64_t i = from->asking[q], b = nearest[i];
    owned_answer *best = &from->best[i];
    if (b < 0)
      continue;
    const cluster_summary *copy = to->copies[b].summary;
    if (!best->paired || distance[i] < best->distance ||
        (distance[i] == best->distance && copy->id < best->partner->id))
      *best = (owned_answer){1, distance[i], copy};
  }
  free(nearest);
  free(distance);
  return status;
}

void solve_copies_step(rank_state *s, progress_state *progress)
{
  if (s->status != SCIPAR_OK)
    return;
  cloud_state *src = &s->clouds[CLOUD_SOURCE], *tgt = &s->clouds[CLOUD_TARGET];
  /* Reported as part of the owned search's work (a few clusters near other ranks), cancellable. */
  progress_state quiet = {NULL, NULL, 0, 0, progress_cancelled(progress)};
  scipar_status status = copy_set(s, src);
  if (status == SCIPAR_OK)
    status = copy_set(s, tgt);
  if (status == SCIPAR_OK)
    status = search_copies(s, src, tgt, 1, &quiet);
  if (status == SCIPAR_OK)
    status = search_copies(s, tgt, src, 0, &quiet);
  if (status != SCIPAR_OK)
    rank_fail(s, status);
}
