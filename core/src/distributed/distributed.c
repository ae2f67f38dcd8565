/* scipar_match_distributed: summaries first, then each cluster gathered on one owner, then only the
 * candidate clusters copied to the ranks that need them. */
#include "scipar/distributed.h"

#include "search/candidate_search.h"
#include "grouping/grouping.h"
#include "search/search.h"
#include "pairing/pairing.h"
#include "call/progress.h"
#include "call/call.h"
#include "call/scale.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* What a rank knows of its piece of one cluster; the unit of the first exchange. */
typedef struct piece_summary {
  int64_t id;
  int64_t count;
  double box_min[3], box_max[3], sum[3];
} piece_summary;

/* A point on the wire, with the global index of its cluster. */
typedef struct point_record {
  double xyz[3];
  int64_t cluster;
} point_record;

/* The clusters of one cloud over all ranks, the same on every rank. `set` holds only what the
 * candidate search reads (num_clusters, ids, box_min, box_max, centroids). */
typedef struct global_clusters {
  cluster_set set;
  int64_t *counts;
  int *owner; /* the rank holding most of the cluster's points (the lowest such rank) */
} global_clusters;

static void global_clusters_free(global_clusters *g)
{
  cluster_set_free(&g->set);
  free(g->counts);
  free(g->owner);
  memset(g, 0, sizeof *g);
}

static int64_t global_index(const global_clusters *g, int64_t id) { return cluster_set_find(&g->set, id); }

static piece_summary *summarize(const cluster_set *local)
{
  piece_summary *pieces = malloc((local->num_clusters + 1) * sizeof *pieces);
  if (!pieces)
    return NULL;
  for (size_t c = 0; c < local->num_clusters; ++c) {
    piece_summary *p = &pieces[c];
    p->id = local->ids[c];
    p->count = cluster_set_size(local, c);
    const double *coord[3] = {local->x, local->y, local->z};
    for (int d = 0; d < 3; ++d) {
      p->box_min[d] = local->box_min[3 * c + d];
      p->box_max[d] = local->box_max[3 * c + d];
      p->sum[d] = 0.0;
      for (int64_t i = local->offsets[c]; i < local->offsets[c + 1]; ++i)
        p->sum[d] += coord[d][i];
    }
  }
  return pieces;
}

typedef struct ranked_piece {
  const piece_summary *piece;
  int rank;
} ranked_piece;

static int by_id_then_rank(const void *pa, const void *pb)
{
  const ranked_piece *a = pa, *b = pb;
  if (a->piece->id != b->piece->id)
    return a->piece->id < b->piece->id ? -1 : 1;
  return (a->rank > b->rank) - (a->rank < b->rank);
}

/* Merges every rank's pieces (in rank order) into the global clusters. */
static scipar_status merge_pieces(const piece_summary *all, const size_t *bytes, int size, global_clusters *g)
{
  size_t n = 0;
  for (int r = 0; r < size; ++r)
    n += bytes[r] / sizeof *all;
  ranked_piece *ranked = malloc((n + 1) * sizeof *ranked);
  if (!ranked)
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  size_t at = 0;
  for (int r = 0; r < size; ++r)
    for (size_t i = 0; i < bytes[r] / sizeof *all; ++i, ++at)
      ranked[at] = (ranked_piece){&all[at], r};
  qsort(ranked, n, sizeof *ranked, by_id_then_rank);

  size_t k = 0;
  for (size_t i = 0; i < n; ++i)
    k += i == 0 || ranked[i].piece->id != ranked[i - 1].piece->id;
  const size_t m = k ? k : 1;
  g->set.num_clusters = k;
  g->set.ids = malloc(m * sizeof *g->set.ids);
  g->set.box_min = malloc(3 * m * sizeof *g->set.box_min);
  g->set.box_max = malloc(3 * m * sizeof *g->set.box_max);
  g->set.centroids = malloc(3 * m * sizeof *g->set.centroids);
  g->set.centroid_error = malloc(m * sizeof *g->set.centroid_error);
  g->counts = malloc(m * sizeof *g->counts);
  g->owner = malloc(m * sizeof *g->owner);
  if (!g->set.ids || !g->set.box_min || !g->set.box_max || !g->set.centroids || !g->set.centroid_error || !g->counts ||
      !g->owner) {
    free(ranked);
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  }
  int64_t c = -1, largest_piece = 0;
  double sum[3] = {0, 0, 0};
  for (size_t i = 0; i < n; ++i) {
    const piece_summary *p = ranked[i].piece;
    if (c < 0 || p->id != g->set.ids[c]) {
      ++c;
      g->set.ids[c] = p->id;
      g->counts[c] = 0;
      largest_piece = -1;
      for (int d = 0; d < 3; ++d) {
        g->set.box_min[3 * c + d] = INFINITY;
        g->set.box_max[3 * c + d] = -INFINITY;
        sum[d] = 0.0;
      }
    }
    g->counts[c] += p->count;
    if (p->count > largest_piece) { /* pieces come in rank order: ties stay with the lower rank */
      largest_piece = p->count;
      g->owner[c] = ranked[i].rank;
    }
    for (int d = 0; d < 3; ++d) {
      double *lo = &g->set.box_min[3 * c + d], *hi = &g->set.box_max[3 * c + d];
      *lo = p->box_min[d] < *lo ? p->box_min[d] : *lo;
      *hi = p->box_max[d] > *hi ? p->box_max[d] : *hi;
      sum[d] += p->sum[d];
      g->set.centroids[3 * c + d] = sum[d] / (double)g->counts[c];
    }
    g->set.centroid_error[c] = centroid_error_bound(g->counts[c], g->set.box_min + 3 * c, g->set.box_max + 3 * c);
  }
  free(ranked);
  return SCIPAR_OK;
}

/* Exchanges the pieces' summaries of one cloud and merges them. */
static scipar_status exchange_summaries(const scipar_comm *comm, const cluster_set *local, global_clusters *g)
{
  piece_summary *mine = summarize(local);
  size_t *bytes = malloc((size_t)comm->size * sizeof *bytes);
  void *all = NULL;
  scipar_status status = SCIPAR_ERROR_OUT_OF_MEMORY;
  if (mine && bytes) {
    if (comm->allgather(comm->user_data, mine, local->num_clusters * sizeof *mine, &all, bytes) != 0)
      status = SCIPAR_ERROR_INVALID_ARGUMENT;
    else
      status = merge_pieces(all, bytes, comm->size, g);
  }
  free(mine);
  free(bytes);
  free(all);
  return status;
}

/* A flat cloud of records, labels being global cluster indices. */
typedef struct flat_cloud {
  double *points;
  int64_t *labels;
  size_t n;
} flat_cloud;

static void flat_cloud_free(flat_cloud *f)
{
  free(f->points);
  free(f->labels);
  memset(f, 0, sizeof *f);
}

/* Appends records to f. */
static scipar_status flat_cloud_append(flat_cloud *f, const point_record *records, size_t count)
{
  double *points = realloc(f->points, 3 * (f->n + count + 1) * sizeof *points);
  if (points)
    f->points = points;
  int64_t *labels = realloc(f->labels, (f->n + count + 1) * sizeof *labels);
  if (labels)
    f->labels = labels;
  if (!points || !labels)
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  for (size_t i = 0; i < count; ++i) {
    memcpy(f->points + 3 * (f->n + i), records[i].xyz, sizeof records[i].xyz);
    f->labels[f->n + i] = records[i].cluster;
  }
  f->n += count;
  return SCIPAR_OK;
}

/* Sends every local piece to its cluster's owner. On return `owned` holds the points of the clusters
 * this rank owns, pieces in rank order: an order that depends on the split but not on timing. */
static scipar_status gather_owned(const scipar_comm *comm, const cluster_set *local, const global_clusters *g,
                                  flat_cloud *owned)
{
  const size_t size = (size_t)comm->size;
  size_t *send_bytes = calloc(size, sizeof *send_bytes);
  size_t *recv_bytes = calloc(size, sizeof *recv_bytes);
  size_t *start = calloc(size + 1, sizeof *start);
  point_record *send = malloc((local->offsets[local->num_clusters] + 1) * sizeof *send);
  void *recv = NULL;
  scipar_status status = SCIPAR_ERROR_OUT_OF_MEMORY;
  if (!send_bytes || !recv_bytes || !start || !send)
    goto done;
  for (size_t c = 0; c < local->num_clusters; ++c)
    start[g->owner[global_index(g, local->ids[c])] + 1] += (size_t)cluster_set_size(local, c);
  for (size_t r = 0; r < size; ++r)
    start[r + 1] += start[r];
  for (size_t r = 0; r < size; ++r)
    send_bytes[r] = (start[r + 1] - start[r]) * sizeof *send;
  for (size_t c = 0; c < local->num_clusters; ++c) {
    const int64_t gi = global_index(g, local->ids[c]);
    size_t *at = &start[g->owner[gi]];
    for (int64_t i = local->offsets[c]; i < local->offsets[c + 1]; ++i, ++*at)
      send[*at] = (point_record){{local->x[i], local->y[i], local->z[i]}, gi};
  }
  if (comm->alltoall(comm->user_data, send, send_bytes, &recv, recv_bytes) != 0) {
    status = SCIPAR_ERROR_INVALID_ARGUMENT;
    goto done;
  }
  size_t total = 0;
  for (size_t r = 0; r < size; ++r)
    total += recv_bytes[r];
  status = flat_cloud_append(owned, recv, total / sizeof(point_record));
done:
  free(send_bytes);
  free(recv_bytes);
  free(start);
  free(send);
  free(recv);
  return status;
}

/* Marks in needed[] the clusters of `other` that may be the nearest of a cluster of `mine` owned by
 * this rank: those whose lower bound does not exceed the least upper bound (or the distance limit). */
static scipar_status mark_candidates(const global_clusters *mine, const global_clusters *other,
                                     const cluster_hierarchy *other_hierarchy, const scipar_options *options,
                                     int rank, unsigned char *needed)
{
  candidate_search search = candidate_search_make(&other->set, other_hierarchy, options->metric, options->squared, 0);
  const double limit = options->max_pair_distance > 0 ? options->max_pair_distance : INFINITY;
  int64_t *visited = malloc((other->set.num_clusters + 1) * sizeof *visited);
  scipar_status status = visited ? SCIPAR_OK : SCIPAR_ERROR_OUT_OF_MEMORY;
  for (size_t c = 0; c < mine->set.num_clusters && status == SCIPAR_OK; ++c) {
    if (mine->owner[c] != rank)
      continue;
    const double *lo = mine->set.box_min + 3 * c, *hi = mine->set.box_max + 3 * c;
    if (!candidate_search_begin(&search, &mine->set, c)) {
      status = SCIPAR_ERROR_OUT_OF_MEMORY;
      break;
    }
    double least_upper = limit;
    size_t count = 0;
    int64_t t;
    int failed = 0;
    while (candidate_search_next(&search, least_upper, &t, &failed)) {
      visited[count++] = t;
      const double upper = box_upper_bound(options->metric, options->squared, lo, hi, other->set.box_min + 3 * t,
                                           other->set.box_max + 3 * t);
      least_upper = upper < least_upper ? upper : least_upper;
    }
    if (failed)
      status = SCIPAR_ERROR_OUT_OF_MEMORY;
    for (size_t i = 0; i < count; ++i) {
      const int64_t v = visited[i];
      if (cluster_lower_bound(options->metric, options->squared, &mine->set, c, &other->set, (size_t)v) <= least_upper)
        needed[v] = 1;
    }
  }
  candidate_search_free(&search);
  free(visited);
  return status;
}

/* Asks the owners for the needed clusters of one cloud that this rank does not own, and answers the
 * others' requests from `owned_set` (owned points in gathered order). Appends the answers to `copy`. */
static scipar_status fetch_candidates(const scipar_comm *comm, const global_clusters *g, const unsigned char *needed,
                                      const cluster_set *owned_set, flat_cloud *copy)
{
  const size_t size = (size_t)comm->size;
  size_t *bytes = calloc(size, sizeof *bytes), *recv_bytes = calloc(size, sizeof *recv_bytes);
  size_t *start = calloc(size + 1, sizeof *start);
  int64_t *asks = malloc((g->set.num_clusters + 1) * sizeof *asks);
  void *requests = NULL, *answers = NULL;
  point_record *reply = NULL;
  scipar_status status = SCIPAR_ERROR_OUT_OF_MEMORY;
  if (!bytes || !recv_bytes || !start || !asks)
    goto done;
  /* Requests: global indices, grouped by owner (ascending index within an owner). */
  for (size_t c = 0; c < g->set.num_clusters; ++c)
    if (needed[c] && g->owner[c] != comm->rank)
      ++start[g->owner[c] + 1];
  for (size_t r = 0; r < size; ++r)
    start[r + 1] += start[r];
  for (size_t r = 0; r < size; ++r)
    bytes[r] = (start[r + 1] - start[r]) * sizeof *asks;
  for (size_t c = 0; c < g->set.num_clusters; ++c)
    if (needed[c] && g->owner[c] != comm->rank)
      asks[start[g->owner[c]]++] = (int64_t)c;
  if (comm->alltoall(comm->user_data, asks, bytes, &requests, recv_bytes) != 0) {
    status = SCIPAR_ERROR_INVALID_ARGUMENT;
    goto done;
  }
  /* Answers: the points of each asked cluster, in the owner's gathered order. */
  size_t total = 0;
  for (size_t r = 0; r < size; ++r)
    total += recv_bytes[r] / sizeof(int64_t);
  size_t points = 0;
  const int64_t *asked = requests;
  for (size_t i = 0; i < total; ++i)
    points += (size_t)cluster_set_size(owned_set, (size_t)cluster_set_find(owned_set, asked[i]));
  reply = malloc((points + 1) * sizeof *reply);
  if (!reply)
    goto done;
  size_t at = 0, request = 0;
  for (size_t r = 0; r < size; ++r) {
    const size_t first = at;
    for (size_t i = 0; i < recv_bytes[r] / sizeof(int64_t); ++i, ++request) {
      const size_t local = (size_t)cluster_set_find(owned_set, asked[request]);
      for (int64_t p = owned_set->offsets[local]; p < owned_set->offsets[local + 1]; ++p)
        reply[at++] = (point_record){{owned_set->x[p], owned_set->y[p], owned_set->z[p]}, asked[request]};
    }
    bytes[r] = (at - first) * sizeof *reply;
  }
  if (comm->alltoall(comm->user_data, reply, bytes, &answers, recv_bytes) != 0) {
    status = SCIPAR_ERROR_INVALID_ARGUMENT;
    goto done;
  }
  total = 0;
  for (size_t r = 0; r < size; ++r)
    total += recv_bytes[r];
  status = flat_cloud_append(copy, answers, total / sizeof(point_record));
done:
  free(bytes);
  free(recv_bytes);
  free(start);
  free(asks);
  free(requests);
  free(answers);
  free(reply);
  return status;
}

/* One cluster's answer, on the wire. */
typedef struct nearest_record {
  int64_t cluster; /* global index */
  int64_t nearest; /* global index in the other cloud, -1 */
  double distance;
} nearest_record;

/* The nearest clusters of the clusters of `from` owned by this rank, against the copies in `to`,
 * which hold every candidate; as records by global index. seed[g] and seed_distance[g], when given,
 * are a known candidate (global index, -1 for none) of global cluster g and its exact value. */
static scipar_status solve_owned(const cluster_set *from, const cluster_set *to, const global_clusters *g, int rank,
                                 int from_is_source, const int64_t *seed, const double *seed_distance,
                                 const scipar_options *options, int num_threads, progress_state *progress,
                                 nearest_record **records, size_t *count)
{
  const size_t k = from->num_clusters;
  int64_t *subset = calloc(k + 1, sizeof *subset);
  int64_t *nearest = malloc((k + 1) * sizeof *nearest);
  double *distance = malloc((k + 1) * sizeof *distance);
  *records = malloc((k + 1) * sizeof **records);
  scipar_status status = SCIPAR_ERROR_OUT_OF_MEMORY;
  if (subset && nearest && distance && *records) {
    size_t n = 0;
    for (size_t c = 0; c < k; ++c) {
      nearest[c] = -1;
      if (g->owner[from->ids[c]] != rank)
        continue;
      subset[n++] = (int64_t)c;
      /* A seed counts only if this rank holds a copy of it (it is then a candidate). */
      const int64_t known = seed ? seed[from->ids[c]] : -1;
      if (known >= 0 && to->num_clusters > 0) {
        const int64_t at = cluster_set_find(to, known);
        if (to->ids[at] == known) {
          nearest[c] = at;
          distance[c] = seed_distance[from->ids[c]];
        }
      }
    }
    status = nearest_clusters_of(from, subset, n, to, from_is_source, options, NULL, NULL, num_threads, progress,
                                 nearest, distance);
    for (size_t i = 0; i < n; ++i) {
      const int64_t c = subset[i];
      (*records)[i] = (nearest_record){from->ids[c], nearest[c] >= 0 ? to->ids[nearest[c]] : -1, distance[c]};
    }
    *count = n;
  }
  free(subset);
  free(nearest);
  free(distance);
  return status;
}

/* Every rank's records into the global arrays nearest[] and distance[] of one cloud. */
static scipar_status share_results(const scipar_comm *comm, const nearest_record *records, size_t count,
                                   scipar_side *side)
{
  size_t *bytes = malloc((size_t)comm->size * sizeof *bytes);
  void *all = NULL;
  if (!bytes)
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  if (comm->allgather(comm->user_data, records, count * sizeof *records, &all, bytes) != 0) {
    free(bytes);
    return SCIPAR_ERROR_INVALID_ARGUMENT;
  }
  size_t total = 0;
  for (int r = 0; r < comm->size; ++r)
    total += bytes[r] / sizeof *records;
  for (size_t c = 0; c < side->num_clusters; ++c) {
    side->nearest[c] = -1;
    side->nearest_distance[c] = NAN;
  }
  const nearest_record *answers = all;
  for (size_t i = 0; i < total; ++i) {
    side->nearest[answers[i].cluster] = answers[i].nearest;
    side->nearest_distance[answers[i].cluster] = answers[i].nearest >= 0 ? answers[i].distance : NAN;
  }
  free(bytes);
  free(all);
  return SCIPAR_OK;
}

/* The result side of one cloud: the global clusters, and this rank's points grouped by them. */
static scipar_status build_side(const global_clusters *g, cluster_set *local, scipar_side *side)
{
  if (side_allocate_clusters(side, g->set.num_clusters) != SCIPAR_OK)
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  const size_t k = g->set.num_clusters;
  memcpy(side->cluster_ids, g->set.ids, k * sizeof *side->cluster_ids);
  memcpy(side->cluster_sizes, g->counts, k * sizeof *side->cluster_sizes);
  memcpy(side->centroids, g->set.centroids, 3 * k * sizeof *side->centroids);
  /* Local clusters are a subset of the global ones in the same id order, so the local grouping is
   * already the grouping by global cluster: only the offsets and indices change. */
  for (size_t c = 0; c <= k; ++c)
    side->cluster_offsets[c] = 0;
  int64_t *global_of_local = malloc((local->num_clusters + 1) * sizeof *global_of_local);
  if (!global_of_local)
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  for (size_t c = 0; c < local->num_clusters; ++c) {
    global_of_local[c] = global_index(g, local->ids[c]);
    side->cluster_offsets[global_of_local[c] + 1] = cluster_set_size(local, c);
  }
  for (size_t c = 0; c < k; ++c)
    side->cluster_offsets[c + 1] += side->cluster_offsets[c];
  side->point_cluster = local->point_cluster;
  side->cluster_point_ids = local->point_ids;
  local->point_cluster = NULL;
  local->point_ids = NULL;
  side->num_excluded_points = local->num_excluded;
  side->num_skipped_points = local->num_skipped;
  /* point_cluster held local cluster indices (-1 for an unused point, which stays). */
  const size_t n = (size_t)side->cluster_offsets[k] + local->num_excluded + local->num_skipped;
  for (size_t i = 0; i < n; ++i)
    if (side->point_cluster[i] >= 0)
      side->point_cluster[i] = global_of_local[side->point_cluster[i]];
  free(global_of_local);
  return SCIPAR_OK;
}

typedef struct cloud_state {
  cluster_set local;    /* this rank's points, no trees */
  global_clusters global;
  cluster_hierarchy hierarchy; /* over the global boxes */
  flat_cloud copies;    /* owned clusters, then fetched candidates, labelled by global index */
  cluster_set owned;    /* the owned clusters alone, no trees: what fetch requests are answered from */
  cluster_set solve;    /* owned and fetched clusters, with trees */
  unsigned char *needed;
  nearest_record *records;
  size_t num_records;
} cloud_state;

static void cloud_state_free(cloud_state *s)
{
  cluster_set_free(&s->local);
  global_clusters_free(&s->global);
  cluster_hierarchy_free(&s->hierarchy);
  flat_cloud_free(&s->copies);
  cluster_set_free(&s->owned);
  cluster_set_free(&s->solve);
  free(s->needed);
  free(s->records);
  memset(s, 0, sizeof *s);
}

/* Copies hold points already in scaled units. */
static scipar_status as_cluster_set(const flat_cloud *f, int num_threads, int with_trees, cluster_set *set)
{
  const scipar_cloud cloud = {f->points, f->labels, f->n, NULL};
  return cluster_set_build(&cloud, NULL, num_threads, with_trees, 0, set);
}

/* The scale of both clouds over every rank: from the largest coordinate anywhere. */
static scipar_status common_scale(const scipar_comm *comm, const scipar_cloud *source, const scipar_cloud *target,
                                  int num_threads, int *exponent)
{
  const double mine = fmax(cloud_survey_run(source, num_threads).largest, cloud_survey_run(target, num_threads).largest);
  size_t *bytes = malloc((size_t)comm->size * sizeof *bytes);
  void *all = NULL;
  if (!bytes)
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  if (comm->allgather(comm->user_data, &mine, sizeof mine, &all, bytes) != 0) {
    free(bytes);
    return SCIPAR_ERROR_INVALID_ARGUMENT;
  }
  double largest = 0.0;
  for (int r = 0; r < comm->size; ++r)
    largest = fmax(largest, ((const double *)all)[r]);
  *exponent = scale_exponent(largest);
  free(bytes);
  free(all);
  return SCIPAR_OK;
}

/* Summaries, owners and owned points of one cloud. */
static scipar_status prepare_cloud(const scipar_comm *comm, const scipar_cloud *cloud, int num_threads, int exponent,
                                   cloud_state *s)
{
  scipar_status status;
  if ((status = cluster_set_build(cloud, NULL, num_threads, 0, exponent, &s->local)) != SCIPAR_OK ||
      (status = exchange_summaries(comm, &s->local, &s->global)) != SCIPAR_OK ||
      (status = cluster_hierarchy_build(&s->global.set, &s->hierarchy)) != SCIPAR_OK ||
      (status = gather_owned(comm, &s->local, &s->global, &s->copies)) != SCIPAR_OK ||
      (status = as_cluster_set(&s->copies, num_threads, 0, &s->owned)) != SCIPAR_OK)
    return status;
  s->needed = calloc(s->global.set.num_clusters + 1, 1);
  return s->needed ? SCIPAR_OK : SCIPAR_ERROR_OUT_OF_MEMORY;
}

static scipar_status match_distributed(const scipar_cloud *source, const scipar_cloud *target,
                                       const scipar_options *caller_options, const scipar_comm *comm, int num_threads,
                                       cloud_state *src, cloud_state *tgt, scipar_result *result)
{
  scipar_status status;
  int exponent;
  if ((status = common_scale(comm, source, target, num_threads, &exponent)) != SCIPAR_OK)
    return status;
  scipar_options scaled;
  const scipar_options *options = options_in_scaled_units(caller_options, exponent, &scaled);
  if ((status = prepare_cloud(comm, source, num_threads, exponent, src)) != SCIPAR_OK ||
      (status = prepare_cloud(comm, target, num_threads, exponent, tgt)) != SCIPAR_OK ||
      (status = mark_candidates(&src->global, &tgt->global, &tgt->hierarchy, options, comm->rank, tgt->needed)) !=
        SCIPAR_OK ||
      (status = mark_candidates(&tgt->global, &src->global, &src->hierarchy, options, comm->rank, src->needed)) !=
        SCIPAR_OK ||
      (status = fetch_candidates(comm, &src->global, src->needed, &src->owned, &src->copies)) != SCIPAR_OK ||
      (status = fetch_candidates(comm, &tgt->global, tgt->needed, &tgt->owned, &tgt->copies)) != SCIPAR_OK ||
      (status = as_cluster_set(&src->copies, num_threads, 1, &src->solve)) != SCIPAR_OK ||
      (status = as_cluster_set(&tgt->copies, num_threads, 1, &tgt->solve)) != SCIPAR_OK)
    return status;

  progress_state progress = {options->progress, options->progress_user_data,
                             src->owned.num_clusters + tgt->owned.num_clusters, 0, 0};
  if ((status = solve_owned(&src->solve, &tgt->solve, &src->global, comm->rank, 1, NULL, NULL, options, num_threads,
                            &progress, &src->records, &src->num_records)) != SCIPAR_OK ||
      (status = build_side(&src->global, &src->local, &result->source)) != SCIPAR_OK ||
      (status = share_results(comm, src->records, src->num_records, &result->source)) != SCIPAR_OK ||
      (status = build_side(&tgt->global, &tgt->local, &result->target)) != SCIPAR_OK)
    return status;
  /* As in the serial path, the pairs the sources chose seed their targets' search; the values are
   * exact and bit-identical, computed on identical copies. The target side's arrays hold the seeds
   * until share_results overwrites them with the answers. */
  scipar_side *t = &result->target;
  seeds_from_other_side(result->source.nearest, result->source.nearest_distance, result->source.num_clusters,
                        t->num_clusters, t->nearest, t->nearest_distance);
  if ((status = solve_owned(&tgt->solve, &src->solve, &tgt->global, comm->rank, 0, t->nearest, t->nearest_distance,
                            options, num_threads, &progress, &tgt->records, &tgt->num_records)) != SCIPAR_OK ||
      (status = share_results(comm, tgt->records, tgt->num_records, t)) != SCIPAR_OK)
    return status;
  side_unscale(&result->source, exponent, options->squared);
  side_unscale(t, exponent, options->squared);
  return pairs_table_build(result);
}

scipar_status scipar_match_distributed(const scipar_cloud *source, const scipar_cloud *target,
                                       const scipar_options *options, const scipar_comm *comm,
                                       scipar_result *result)
{
  scipar_status status = check_arguments(source, target, options, result);
  if (status != SCIPAR_OK)
    return status;
  if (!comm || comm->size < 1 || comm->rank < 0 || comm->rank >= comm->size || !comm->allgather || !comm->alltoall)
    return result_fail(result, SCIPAR_ERROR_INVALID_ARGUMENT, "communicator is missing or incomplete");
  scipar_options defaults;
  options = options_or_defaults(options, &defaults);
  const call_clock clock = call_clock_start();
  const int num_threads = choose_threads(options, source->num_points + target->num_points);
  cloud_state src, tgt;
  memset(&src, 0, sizeof src);
  memset(&tgt, 0, sizeof tgt);
  status = match_distributed(source, target, options, comm, num_threads, &src, &tgt, result);
  cloud_state_free(&src);
  cloud_state_free(&tgt);
  if (status != SCIPAR_OK) {
    scipar_result_free(result);
    return result_fail(result, status, "distributed matching failed on rank %d of %d: %s", comm->rank, comm->size,
                       status == SCIPAR_ERROR_INVALID_ARGUMENT ? "a collective operation failed"
                                                               : scipar_status_string(status));
  }
  call_clock_stop(clock, num_threads, result);
  return SCIPAR_OK;
}
