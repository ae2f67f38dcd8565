/* Solve steps, local. First the owned clusters of each cloud (from the local grouping or, split ones,
 * merged) become one set with their trees over the local grouping's buffers (a cluster owned and
 * whole there moves inside them, never copied), and each small one finds its nearest among the other
 * cloud's owned clusters, sources first, as scipar_match does: an exact value, which bounds what a
 * cluster owned elsewhere must reach (candidates.c). A large one starts from a seed instead (the
 * owned cluster its shape says is likeliest, at its exact value). Then each owned cluster that asked
 * other ranks searches the copies they sent from its best so far, and the large ones search the owned
 * clusters last, from the best of all: for them a poor bound costs full evaluations of many points,
 * and the nearest is often a copy when a cluster and its next frame are split differently. */
#include "distributed/bounds.h"
#include "distributed/box_index.h"
#include "distributed/distributed.h"
#include "distance/distance.h"
#include "search/search.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Clusters of at least this many points are seeded and search the owned clusters after the copies:
 * for them a first candidate that is not the nearest costs a full evaluation of many points, against
 * one pass over their points for the shapes that pick a better one. */
enum { LARGE_POINTS = 1024 };

static int is_large(const cloud_state *c, size_t i) { return c->summary[i].count >= LARGE_POINTS; }

void owned_shape(cloud_state *c, size_t i)
{
  cluster_summary *m = &c->summary[i];
  if (isnan(m->core)) {
    const cluster_view v = cluster_set_view(&c->solve, i);
    shape_of(v.x, v.y, v.z, v.n, m->centroid, &m->spread, &m->radius, &m->core);
  }
}

scipar_status owned_index(const cloud_state *c, const scipar_options *options, box_index *index)
{
  return box_index_borrow(index, &c->solve, &c->hierarchy, c->summary, options);
}

/* The local grouping's points and trees are not needed past this step (answers and results read its
 * ids, offsets, centroids and point ids only): the owned set takes them over. Its hierarchy of boxes
 * too. */
static scipar_status assemble(const rank_state *s, cloud_state *c)
{
  const size_t k = c->num_owned;
  int64_t *kept = malloc((k + 1) * sizeof *kept); /* the local cluster, when owned and whole there */
  int64_t *size = malloc((k + 1) * sizeof *size);
  c->best = malloc((k + 1) * sizeof *c->best);
  c->owned_best = malloc((k + 1) * sizeof *c->owned_best);
  scipar_status status = SCIPAR_ERROR_OUT_OF_MEMORY;
  if (kept && size && c->best && c->owned_best) {
    for (size_t i = 0; i < k; ++i) {
      c->best[i].paired = 0;
      c->owned_best[i] = -1;
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

/* Seeds of the large owned clusters of `c` among `other`'s (nearest[i] -1 for the others): of the
 * candidates whose lower bound is 0 (each centroid inside the other's box, as a cluster and its next
 * frame), the one of least upper bound from the shapes (bounds.h). */
static scipar_status choose_large_seeds(const rank_state *s, cloud_state *c, cloud_state *other, int64_t *nearest)
{
  size_t large = 0;
  for (size_t i = 0; i < c->num_owned; ++i) {
    nearest[i] = -1;
    large += is_large(c, i);
  }
  if (large == 0 || other->num_owned == 0)
    return SCIPAR_OK;
  box_index index;
  if (owned_index(other, s->options, &index) != SCIPAR_OK) {
    box_index_free(&index);
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  }
  scipar_status status = SCIPAR_OK;
  for (size_t i = 0; i < c->num_owned && status == SCIPAR_OK; ++i) {
    if (!is_large(c, i))
      continue;
    owned_shape(c, i);
    double bound = INFINITY, least = INFINITY;
    const int64_t *items;
    size_t count;
    if (!box_index_search(&index, &c->summary[i], &bound, &items, &count)) {
      status = SCIPAR_ERROR_OUT_OF_MEMORY;
      break;
    }
    for (size_t j = 0; j < count; ++j) {
      if (box_index_lower(&index, &c->summary[i], items[j]) != 0.0)
        continue;
      if (is_large(other, (size_t)items[j]))
        owned_shape(other, (size_t)items[j]);
      const double upper =
        summary_upper_bound(s->options->metric, s->options->squared, &c->summary[i], &other->summary[items[j]]);
      if (upper < least || (upper == least && items[j] < nearest[i])) {
        least = upper;
        nearest[i] = items[j];
      }
    }
  }
  box_index_free(&index);
  return status;
}

/* The seeds' exact values, in parallel (the costly part); a pair the other cloud's seeds hold too
 * (other_seed, may be NULL) takes its value from there. */
static void seed_values(const rank_state *s, const cloud_state *c, const cloud_state *other, int c_is_source,
                        int64_t *nearest, double *distance, const int64_t *other_seed,
                        const double *other_seed_distance)
{
  const long long k = (long long)c->num_owned;
#pragma omp parallel for num_threads(s->num_threads) schedule(dynamic, 1)
  for (long long i = 0; i < k; ++i) {
    if (nearest[i] < 0)
      continue;
    if (other_seed && other_seed[nearest[i]] == i) {
      distance[i] = other_seed_distance[nearest[i]];
      continue;
    }
    const cluster_view self = cluster_set_view(&c->solve, (size_t)i);
    const cluster_view candidate = cluster_set_view(&other->solve, (size_t)nearest[i]);
    const scipar_options *o = s->options;
    if (c_is_source)
      chamfer_bounded(self, candidate, o->metric, o->squared, INFINITY, &distance[i]);
    else
      chamfer_bounded(candidate, self, o->metric, o->squared, INFINITY, &distance[i]);
  }
  const double limit = pair_limit(s->options);
  for (size_t i = 0; i < c->num_owned; ++i)
    if (nearest[i] >= 0 && !(distance[i] <= limit))
      nearest[i] = -1; /* beyond the limit: no pair, no seed */
}

/* The clusters of `c` of one size (large or not), ascending; returns how many. */
static size_t of_size(const cloud_state *c, int large, int64_t *subset)
{
  size_t n = 0;
  for (size_t i = 0; i < c->num_owned; ++i)
    if (is_large(c, i) == large)
      subset[n++] = (int64_t)i;
  return n;
}

/* A value for owned cluster i: kept when better than its best so far (ties to the smaller id).
 * `owned` is the other cloud's owned index of the partner, -1 for a copy. */
static void offer(cloud_state *c, size_t i, double value, const cluster_summary *partner, int64_t owned)
{
  owned_answer *best = &c->best[i];
  if (!best->paired || value < best->distance || (value == best->distance && partner->id < best->partner->id)) {
    *best = (owned_answer){1, value, partner};
    c->owned_best[i] = owned;
  }
}

/* The nearest among `to`'s owned clusters of the clusters of `from` of one size, each from its best
 * so far: an owned one as a seed, a copy as a bound (SEARCH_BOUND). `known` and `log` as in
 * nearest_clusters_of; `other_choice` (may be NULL), the other cloud's choices of this size, adds
 * seeds: a pair's value is the same both ways. */
static scipar_status search_owned(const rank_state *s, cloud_state *from, const cloud_state *to, int from_is_source,
                                  int large, const known_values *known, evaluated_pairs *log,
                                  const cloud_state *other_choice, progress_state *progress)
{
  const size_t k = from->num_owned;
  int64_t *subset = malloc((k + 1) * sizeof *subset), *nearest = malloc((k + 1) * sizeof *nearest);
  double *distance = malloc((k + 1) * sizeof *distance);
  scipar_status status = SCIPAR_ERROR_OUT_OF_MEMORY;
  if (subset && nearest && distance) {
    if (other_choice)
      for (size_t o = 0; o < other_choice->num_owned; ++o) {
        const int64_t b = other_choice->owned_best[o];
        if (b >= 0 && is_large(from, (size_t)b) == large)
          offer(from, (size_t)b, other_choice->best[o].distance, &other_choice->summary[o], (int64_t)o);
      }
    const size_t n = of_size(from, large, subset);
    for (size_t q = 0; q < n; ++q) {
      const int64_t i = subset[q];
      const owned_answer *best = &from->best[i];
      nearest[i] = !best->paired ? -1 : from->owned_best[i] >= 0 ? from->owned_best[i] : SEARCH_BOUND;
      distance[i] = best->paired ? best->distance : 0.0;
    }
    status = nearest_clusters_of(&from->solve, subset, n, &to->solve, &to->hierarchy, from_is_source, s->options,
                                 known, log, s->num_threads, progress, nearest, distance);
    for (size_t q = 0; q < n && status == SCIPAR_OK; ++q) {
      const int64_t i = subset[q], b = nearest[i];
      if (b >= 0)
        offer(from, (size_t)i, distance[i], &to->summary[b], b);
    }
  }
  free(subset);
  free(nearest);
  free(distance);
  return status;
}

/* As scipar_match, for the clusters of one size: the cloud with more (owned) clusters searches first,
 * and every value it computes completely is known to the other's search, which does not compute it
 * again; a cluster of the first that chose one of the second also seeds that one's search. Values are
 * bit-identical whichever side computes them (always in source, target order), so the order changes
 * no result. */
static scipar_status search_both_ways(rank_state *s, int large, progress_state *progress)
{
  cloud_state *src = &s->clouds[CLOUD_SOURCE], *tgt = &s->clouds[CLOUD_TARGET];
  const int source_first = src->num_owned >= tgt->num_owned;
  cloud_state *first = source_first ? src : tgt, *second = source_first ? tgt : src;
  evaluated_pairs computed;
  memset(&computed, 0, sizeof computed);
  known_values known;
  memset(&known, 0, sizeof known);
  scipar_status status =
    search_owned(s, first, second, source_first, large, NULL, &computed, NULL, progress);
  if (status == SCIPAR_OK)
    status = known_values_build(&computed, second->num_owned, &known);
  evaluated_pairs_free(&computed);
  if (status == SCIPAR_OK)
    status = search_owned(s, second, first, !source_first, large, &known, NULL, first, progress);
  known_values_free(&known);
  return status;
}

/* The large clusters' seeds, both clouds: a pair both hold is evaluated once. */
static scipar_status seed_large_clusters(rank_state *s)
{
  cloud_state *src = &s->clouds[CLOUD_SOURCE], *tgt = &s->clouds[CLOUD_TARGET];
  int64_t *seed[2] = {malloc((src->num_owned + 1) * sizeof(int64_t)), malloc((tgt->num_owned + 1) * sizeof(int64_t))};
  double *value[2] = {malloc((src->num_owned + 1) * sizeof(double)), malloc((tgt->num_owned + 1) * sizeof(double))};
  scipar_status status = SCIPAR_ERROR_OUT_OF_MEMORY;
  if (seed[0] && seed[1] && value[0] && value[1] && (status = choose_large_seeds(s, src, tgt, seed[0])) == SCIPAR_OK &&
      (status = choose_large_seeds(s, tgt, src, seed[1])) == SCIPAR_OK) {
    seed_values(s, src, tgt, 1, seed[0], value[0], NULL, NULL);
    seed_values(s, tgt, src, 0, seed[1], value[1], seed[0], value[0]);
    for (int cloud = 0; cloud < 2; ++cloud) {
      cloud_state *c = &s->clouds[cloud], *other = &s->clouds[1 - cloud];
      for (size_t i = 0; i < c->num_owned; ++i)
        if (seed[cloud][i] >= 0)
          offer(c, i, value[cloud][i], &other->summary[seed[cloud][i]], seed[cloud][i]);
    }
  }
  for (int cloud = 0; cloud < 2; ++cloud) {
    free(seed[cloud]);
    free(value[cloud]);
  }
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
    status = seed_large_clusters(s);
  if (status == SCIPAR_OK)
    status = search_both_ways(s, 0, progress);
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
 * its best so far: a copy replaces it when it is nearer, or as near with a smaller id. */
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
    if (b >= 0)
      offer(from, (size_t)i, distance[i], to->copies[b].summary, -1);
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
  if (status == SCIPAR_OK && progress_cancelled(&quiet))
    status = SCIPAR_ERROR_CANCELLED;
  if (status == SCIPAR_OK)
    status = search_both_ways(s, 1, progress);
  if (status != SCIPAR_OK)
    rank_fail(s, status);
}
