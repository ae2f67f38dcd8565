/* Candidates step. A cluster B owned elsewhere can be the nearest of a cluster A owned here only if a
 * lower bound of their value (the search stage's, from centroids and boxes) does not exceed a value
 * some cluster is known to reach; B's owner's region then comes as near. So each owned cluster first
 * gets an upper bound of its nearest's value from the clusters owned here: quick ones from summaries
 * (bounds.h: the boxes' first, then, for the clusters these leave near another rank's region, the
 * shapes, measured for them only), and, for a cluster whose bound still reaches another rank's region,
 * the exact value against the owned cluster of least bound (kept as a seed of the search, so never
 * computed twice). A cluster
 * asks the ranks whose regions still come within its bound (most clusters, deep inside this rank's
 * region, ask no one); each rank answers with the owned clusters that may beat the bound, whole with
 * their trees, once per asking rank. */
#include "distributed/bounds.h"
#include "distributed/box_index.h"
#include "distributed/distributed.h"

#include "distance/distance.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static double limit_of(const scipar_options *options)
{
  return options->max_pair_distance > 0 ? options->max_pair_distance : INFINITY;
}

/* The clusters of a cloud owned here, by their boxes. */
static scipar_status index_owned(const cloud_state *c, const scipar_options *options, box_index *index)
{
  if (box_index_allocate(index, c->num_owned, options) != SCIPAR_OK)
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  for (size_t i = 0; i < c->num_owned; ++i) {
    const cluster_summary *m = &c->summary[i];
    box_index_set(index, i, m->id, m->box_min, m->box_max, m->centroid, m->centroid_error, m);
  }
  return box_index_finish(index);
}

/* The other ranks' regions of one cloud that are not empty; item ids are ranks. */
static scipar_status index_regions(const rank_state *s, int cloud, box_index *index)
{
  const int size = s->comm->size;
  size_t n = 0;
  for (int r = 0; r < size; ++r) {
    const double *region = s->regions + (size_t)r * REGION_WORDS + (size_t)cloud * REGION_WORDS / 2;
    n += r != s->comm->rank && region[0] <= region[3];
  }
  if (box_index_allocate(index, n, s->options) != SCIPAR_OK ||
      !(index->representatives = malloc((n ? n : 1) * sizeof *index->representatives)))
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  n = 0;
  for (int r = 0; r < size; ++r) {
    const double *region = s->regions + (size_t)r * REGION_WORDS + (size_t)cloud * REGION_WORDS / 2;
    if (r == s->comm->rank || !(region[0] <= region[3]))
      continue;
    const double centre[3] = {(region[0] + region[3]) / 2, (region[1] + region[4]) / 2, (region[2] + region[5]) / 2};
    /* The representative is known by its box alone: its shape stays NaN, so only the box bound holds. */
    cluster_summary *rep = &index->representatives[n];
    *rep = (cluster_summary){r, 0, r, {0}, {0}, {0}, NAN, NAN, NAN, NAN};
    memcpy(rep->box_min, region + 6, sizeof rep->box_min);
    memcpy(rep->box_max, region + 9, sizeof rep->box_max);
    box_index_set(index, n++, r, region, region + 3, centre, INFINITY, rep);
  }
  return box_index_finish(index);
}

/* For each owned cluster of `cloud`: the lower bound of its value to any cluster in another rank's
 * region (the nearest region's), and a quick upper bound of its nearest's value among the owned
 * clusters from their boxes alone (the shapes are not measured yet); infinity when the region is
 * beyond the limit. A cluster whose region lies beyond that bound never looks past this rank: for it,
 * any bound below the region's will do, and the first found is kept (most clusters, deep inside the
 * region, stop at the first cluster of their leaf). */
static void reach_of(const rank_state *s, int cloud, box_index *regions, const box_index *own,
                     const box_index *other_owned, double *nearest_region, double *quick_upper)
{
  const cloud_state *c = &s->clouds[cloud];
  const double limit = limit_of(s->options);
  /* In the order of the cloud's own hierarchy: clusters one after the other are near each other, and
   * so are the leaves of the other cloud they look into (a quick bound reads its leaf's summaries):
   * the cluster that gave the last bound is tried first, and for most clusters it is enough. */
  int64_t last = -1;
  for (size_t j = 0; j < c->num_owned; ++j) {
    const size_t i = (size_t)own->hierarchy.order[j];
    const cluster_summary *m = &c->summary[i];
    nearest_region[i] = box_index_first_lower(regions, m);
    if (nearest_region[i] == INFINITY || nearest_region[i] > limit) {
      quick_upper[i] = INFINITY;
      continue;
    }
    quick_upper[i] = last >= 0 ? box_index_upper(other_owned, m, last) : INFINITY;
    if (!(quick_upper[i] < nearest_region[i])) {
      int64_t tightest;
      quick_upper[i] = fmin(quick_upper[i], box_index_quick_upper(other_owned, m, nearest_region[i], &tightest));
      last = tightest >= 0 ? tightest : last;
    }
  }
}

/* A cluster that may look past this rank: its region within both the limit and its quick bound. */
static int may_look_out(const rank_state *s, double nearest_region, double quick_upper)
{
  return nearest_region != INFINITY && nearest_region <= limit_of(s->options) && nearest_region <= quick_upper;
}

/* The shapes (spread, radius, core: bounds.h) of the owned clusters that may look past this rank, left
 * NaN by the gather step: only their upper bounds need to be tight, and measuring takes a pass over
 * the points. A cluster whose shape stays NaN is bounded by its box (summary_upper_bound). */
static void measure_shapes(rank_state *s, int cloud, const double *nearest_region, const double *quick_upper)
{
  cloud_state *c = &s->clouds[cloud];
  const long long k = (long long)c->num_owned;
#pragma omp parallel for num_threads(s->num_threads) schedule(dynamic, 16)
  for (long long i = 0; i < k; ++i) {
    if (!may_look_out(s, nearest_region[i], quick_upper[i]))
      continue;
    cluster_summary *m = &c->summary[i];
    const cluster_view v = owned_view(c, (size_t)i);
    shape_of(v.x, v.y, v.z, v.n, m->centroid, &m->spread, &m->radius, &m->core);
  }
}

/* Seeds, for each owned cluster of `cloud` that may look past this rank (its quick bound, now from the
 * shapes, tightened in quick_upper): the exact value against the owned cluster of the other cloud of
 * least bound, when their lower bound is 0 (each centroid inside the other's box, as a cluster and its
 * next frame are): the first candidate the search would evaluate in full anyway. A distant one would
 * cost a full evaluation the search would cut short. */
static scipar_status find_seeds(rank_state *s, int cloud, const box_index *own, box_index *other_owned,
                                const double *nearest_region, double *quick_upper)
{
  cloud_state *c = &s->clouds[cloud];
  const cloud_state *other = &s->clouds[1 - cloud];
  c->seed = malloc((c->num_owned + 1) * sizeof *c->seed);
  c->seed_distance = malloc((c->num_owned + 1) * sizeof *c->seed_distance);
  if (!c->seed || !c->seed_distance)
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  const double limit = limit_of(s->options);
  for (size_t i = 0; i < c->num_owned; ++i)
    c->seed[i] = -1;
  for (size_t j = 0; j < c->num_owned; ++j) { /* in hierarchy order, as reach_of */
    const size_t i = (size_t)own->hierarchy.order[j];
    if (!may_look_out(s, nearest_region[i], quick_upper[i]))
      continue;
    const cluster_summary *m = &c->summary[i];
    int64_t tightest;
    const double quick = box_index_quick_upper(other_owned, m, -INFINITY, &tightest);
    quick_upper[i] = fmin(quick_upper[i], quick);
    if (nearest_region[i] > quick_upper[i])
      continue;
    /* The search, from that bound, looks for a cluster that beats it. */
    double bound = fmin(limit, quick);
    int64_t better;
    const int64_t *items;
    size_t count;
    if (!box_index_search(other_owned, m, &bound, &items, &count, &better))
      return SCIPAR_ERROR_OUT_OF_MEMORY;
    const int64_t seed = better >= 0 ? better : quick < limit ? tightest : -1;
    if (seed >= 0 && box_index_lower(other_owned, m, seed) == 0.0)
      c->seed[i] = seed;
  }
  /* A target takes the seed of a source that seeded itself with it: the same pair, the same value
   * (evaluated source first); ties keep the smaller id (sources ascend). */
  const size_t unknown = (size_t)-1;
  size_t *from_source = malloc((c->num_owned + 1) * sizeof *from_source);
  if (!from_source)
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  for (size_t i = 0; i < c->num_owned; ++i)
    from_source[i] = unknown;
  if (cloud == CLOUD_TARGET)
    for (size_t a = 0; a < other->num_owned; ++a) {
      const int64_t b = other->seed[a];
      if (b < 0)
        continue;
      if (from_source[b] == unknown || other->seed_distance[a] < c->seed_distance[b]) {
        from_source[b] = a;
        c->seed[b] = (int64_t)a;
        c->seed_distance[b] = other->seed_distance[a];
      }
    }
  /* The exact values, in parallel: the costly part, for the clusters near other ranks only. */
  const long long k = (long long)c->num_owned;
#pragma omp parallel for num_threads(s->num_threads) schedule(dynamic, 1)
  for (long long i = 0; i < k; ++i) {
    if (c->seed[i] < 0 || from_source[i] != unknown)
      continue;
    const cluster_view self = owned_view(c, (size_t)i);
    const cluster_view candidate = owned_view(other, (size_t)c->seed[i]);
    double value;
    if (cloud == CLOUD_SOURCE)
      chamfer_bounded(self, candidate, s->options->metric, s->options->squared, INFINITY, &value);
    else
      chamfer_bounded(candidate, self, s->options->metric, s->options->squared, INFINITY, &value);
    c->seed_distance[i] = value;
  }
  for (size_t i = 0; i < c->num_owned; ++i)
    if (c->seed[i] >= 0 && !(c->seed_distance[i] <= limit))
      c->seed[i] = -1; /* beyond the limit: no pair, no seed */
  free(from_source);
  return SCIPAR_OK;
}

/* Queries for the owned clusters of one cloud, to every rank whose region's lower bound does not
 * exceed the cluster's bound. */
static scipar_status send_queries(rank_state *s, int cloud, box_index *regions, const double *nearest_region,
                                  const double *quick_upper, outbox *out)
{
  const cloud_state *c = &s->clouds[cloud];
  for (size_t i = 0; i < c->num_owned && regions->set.num_clusters > 0; ++i) {
    const cluster_summary *m = &c->summary[i];
    double bound = limit_of(s->options);
    if (c->seed[i] >= 0)
      bound = fmin(bound, c->seed_distance[i]);
    if (nearest_region[i] > bound)
      continue;
    bound = fmin(bound, quick_upper[i]);
    if (nearest_region[i] > bound)
      continue;
    const int64_t *items;
    size_t count;
    if (!box_index_search(regions, m, &bound, &items, &count, NULL))
      return SCIPAR_ERROR_OUT_OF_MEMORY;
    for (size_t q = 0; q < count; ++q) {
      query_record *r = outbox_append(out, (int)regions->set.ids[items[q]], sizeof *r);
      if (!r)
        return SCIPAR_ERROR_OUT_OF_MEMORY;
      *r = (query_record){record_tag(RECORD_QUERY, cloud), *m, bound};
    }
  }
  return SCIPAR_OK;
}

/* Every query this rank sends, both clouds: reaches, the shapes that matter, seeds (the sources' first:
 * targets take theirs), then the queries. */
static scipar_status ask(rank_state *s, box_index *owned, outbox *out)
{
  box_index regions[2];
  memset(regions, 0, sizeof regions);
  double *nearest_region[2], *quick_upper[2];
  int ok = 1;
  for (int cloud = 0; cloud < 2; ++cloud) {
    const size_t n = s->clouds[cloud].num_owned + 1;
    nearest_region[cloud] = malloc(n * sizeof *nearest_region[cloud]);
    quick_upper[cloud] = malloc(n * sizeof *quick_upper[cloud]);
    ok = ok && nearest_region[cloud] && quick_upper[cloud] && index_regions(s, 1 - cloud, &regions[cloud]) == SCIPAR_OK;
  }
  scipar_status status = ok ? SCIPAR_OK : SCIPAR_ERROR_OUT_OF_MEMORY;
  for (int cloud = 0; cloud < 2 && status == SCIPAR_OK; ++cloud)
    reach_of(s, cloud, &regions[cloud], &owned[cloud], &owned[1 - cloud], nearest_region[cloud], quick_upper[cloud]);
  for (int cloud = 0; cloud < 2 && status == SCIPAR_OK; ++cloud)
    measure_shapes(s, cloud, nearest_region[cloud], quick_upper[cloud]);
  for (int cloud = 0; cloud < 2 && status == SCIPAR_OK; ++cloud)
    status = find_seeds(s, cloud, &owned[cloud], &owned[1 - cloud], nearest_region[cloud], quick_upper[cloud]);
  for (int cloud = 0; cloud < 2 && status == SCIPAR_OK; ++cloud)
    status = send_queries(s, cloud, &regions[cloud], nearest_region[cloud], quick_upper[cloud], out);
  for (int cloud = 0; cloud < 2; ++cloud) {
    box_index_free(&regions[cloud]);
    free(nearest_region[cloud]);
    free(quick_upper[cloud]);
  }
  return status;
}

static int ascending(const void *pa, const void *pb)
{
  const int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;
  return (a > b) - (a < b);
}

/* Copies of the clusters of `c` marked for one asking rank, by id. */
static scipar_status send_marked(const cloud_state *c, int cloud, int dest, int64_t *marked, size_t count, outbox *out)
{
  qsort(marked, count, sizeof *marked, ascending);
  for (size_t i = 0; i < count; ++i) {
    const cluster_summary *m = &c->summary[marked[i]];
    const size_t bytes = cluster_set_packed_bytes(m->count);
    copy_record *r = outbox_append(out, dest, sizeof *r + bytes);
    if (!r)
      return SCIPAR_ERROR_OUT_OF_MEMORY;
    *r = (copy_record){record_tag(RECORD_COPY, cloud), *m, (int64_t)(bytes / sizeof(int64_t))};
    const cluster_set *set;
    size_t k;
    owned_cluster(c, (size_t)marked[i], &set, &k);
    cluster_set_pack(set, k, r + 1);
  }
  return SCIPAR_OK;
}

/* For each asking rank, the owned clusters of either cloud that may be the nearest of one of its
 * queries, each once, whole. */
static scipar_status send_copies(rank_state *s, box_index *owned, const inbox *asked, outbox *out)
{
  if (asked->num == 0)
    return SCIPAR_OK;
  int64_t *stamp[2] = {NULL, NULL}, *marked[2] = {NULL, NULL};
  size_t num_marked[2] = {0, 0};
  scipar_status status = SCIPAR_OK;
  for (int cloud = 0; cloud < 2 && status == SCIPAR_OK; ++cloud) {
    const size_t n = s->clouds[cloud].num_owned;
    stamp[cloud] = malloc((n + 1) * sizeof *stamp[cloud]);
    marked[cloud] = malloc((n + 1) * sizeof *marked[cloud]);
    if (!stamp[cloud] || !marked[cloud])
      status = SCIPAR_ERROR_OUT_OF_MEMORY;
    else
      for (size_t i = 0; i < n; ++i)
        stamp[cloud][i] = -1;
  }
  int source, current = -1;
  record_cursor cursor = record_cursor_start(asked);
  for (const int64_t *w = NULL; status == SCIPAR_OK;) {
    w = record_next(&cursor, &source);
    if (!w || source != current) {
      for (int cloud = 0; cloud < 2 && current >= 0 && status == SCIPAR_OK; ++cloud) {
        status = send_marked(&s->clouds[cloud], cloud, current, marked[cloud], num_marked[cloud], out);
        num_marked[cloud] = 0;
      }
      if (!w)
        break;
      current = source;
    }
    const query_record *q = (const query_record *)w;
    const int answering = 1 - record_cloud(q->tag);
    double bound = q->bound;
    const int64_t *items;
    size_t count;
    if (!box_index_search(&owned[answering], &q->summary, &bound, &items, &count, NULL)) {
      status = SCIPAR_ERROR_OUT_OF_MEMORY;
      break;
    }
    for (size_t i = 0; i < count; ++i)
      if (stamp[answering][items[i]] != source) {
        stamp[answering][items[i]] = source;
        marked[answering][num_marked[answering]++] = items[i];
      }
  }
  for (int cloud = 0; cloud < 2; ++cloud) {
    free(stamp[cloud]);
    free(marked[cloud]);
  }
  return status;
}

static int copy_by_id(const void *pa, const void *pb)
{
  const cluster_copy *a = pa, *b = pb;
  return (a->summary->id > b->summary->id) - (a->summary->id < b->summary->id);
}

static scipar_status read_copies(rank_state *s)
{
  for (int cloud = 0; cloud < 2; ++cloud) {
    cloud_state *c = &s->clouds[cloud];
    size_t n = 0;
    int source;
    record_cursor cursor = record_cursor_start(&s->copied);
    for (const int64_t *w; (w = record_next(&cursor, &source));)
      n += record_cloud(w[0]) == cloud;
    c->copies = malloc((n ? n : 1) * sizeof *c->copies);
    if (!c->copies)
      return SCIPAR_ERROR_OUT_OF_MEMORY;
    n = 0;
    cursor = record_cursor_start(&s->copied);
    for (const int64_t *w; (w = record_next(&cursor, &source));) {
      if (record_cloud(w[0]) != cloud)
        continue;
      const copy_record *r = (const copy_record *)w;
      c->copies[n++] = (cluster_copy){&r->summary, r + 1};
    }
    c->num_copies = n;
    qsort(c->copies, n, sizeof *c->copies, copy_by_id);
  }
  return SCIPAR_OK;
}

void candidates_step(rank_state *s)
{
  outbox out = {0};
  inbox asked = {0};
  box_index owned[2]; /* the owned clusters of each cloud, for both rounds */
  memset(owned, 0, sizeof owned);
  scipar_status status = SCIPAR_OK;
  for (int cloud = 0; cloud < 2 && s->status == SCIPAR_OK && status == SCIPAR_OK; ++cloud)
    status = index_owned(&s->clouds[cloud], s->options, &owned[cloud]);
  if (s->status == SCIPAR_OK && status == SCIPAR_OK)
    status = ask(s, owned, &out);
  if (status != SCIPAR_OK)
    rank_fail(s, status);
  rank_exchange(s, &out, &asked);
  if (s->status == SCIPAR_OK && (status = send_copies(s, owned, &asked, &out)) != SCIPAR_OK)
    rank_fail(s, status);
  inbox_free(&asked);
  for (int cloud = 0; cloud < 2; ++cloud)
    box_index_free(&owned[cloud]);
  rank_exchange(s, &out, &s->copied);
  if (s->status == SCIPAR_OK && (status = read_copies(s)) != SCIPAR_OK)
    rank_fail(s, status);
}
