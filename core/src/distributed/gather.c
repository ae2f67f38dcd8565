/* Gather step: every piece of a cluster owned elsewhere goes to its owner, so that each cluster is
 * whole on one rank. Only split clusters move: with a spatial partition, those on region boundaries.
 * A split cluster's points are its pieces in rank order, this rank's own among them (an order that
 * depends on the split, not on timing); the owner summarises them and builds the cluster's tree,
 * which reorders them. A cluster in one piece stays where the local grouping put it, with the tree
 * and the very box and centroid scipar_match computes. Copies of a cluster are sent as they are
 * then, tree included, so that a pair's value comes out the same on every rank. */
#include "distributed/distributed.h"

#include <math.h>

#include <stdlib.h>
#include <string.h>

static scipar_status send_pieces(const rank_state *s, int cloud, outbox *out)
{
  const cloud_state *c = &s->clouds[cloud];
  for (size_t i = 0; i < c->local.num_clusters; ++i) {
    if (c->owner[i] == s->comm->rank)
      continue;
    const size_t n = (size_t)cluster_set_size(&c->local, i);
    piece_record *r = outbox_append(out, (int)c->owner[i], sizeof *r + 3 * n * sizeof(double));
    if (!r)
      return SCIPAR_ERROR_OUT_OF_MEMORY;
    *r = (piece_record){record_tag(RECORD_PIECE, cloud), c->local.ids[i], (int64_t)n};
    double *points = (double *)(r + 1);
    const int64_t begin = c->local.offsets[i];
    memcpy(points, c->local.x + begin, n * sizeof *points);
    memcpy(points + n, c->local.y + begin, n * sizeof *points);
    memcpy(points + 2 * n, c->local.z + begin, n * sizeof *points);
  }
  return SCIPAR_OK;
}

static int piece_by_id_then_source(const void *pa, const void *pb)
{
  const owned_piece *a = pa, *b = pb;
  if (a->id != b->id)
    return a->id < b->id ? -1 : 1;
  return (a->source > b->source) - (a->source < b->source);
}

/* Indexes the pieces received for the owned clusters of one cloud. */
static scipar_status read_pieces(rank_state *s, int cloud)
{
  cloud_state *c = &s->clouds[cloud];
  size_t n = 0;
  int source;
  record_cursor cursor = record_cursor_start(&s->gathered);
  for (const int64_t *w; (w = record_next(&cursor, &source));)
    n += record_kind(w[0]) == RECORD_PIECE && record_cloud(w[0]) == cloud;
  c->pieces = malloc((n ? n : 1) * sizeof *c->pieces);
  c->piece_begin = malloc((c->num_owned + 1) * sizeof *c->piece_begin);
  if (!c->pieces || !c->piece_begin)
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  n = 0;
  cursor = record_cursor_start(&s->gathered);
  for (const int64_t *w; (w = record_next(&cursor, &source));) {
    if (record_kind(w[0]) != RECORD_PIECE || record_cloud(w[0]) != cloud)
      continue;
    const piece_record *r = (const piece_record *)w;
    const double *points = (const double *)(r + 1);
    c->pieces[n++] = (owned_piece){r->id, r->count, source, points, points + r->count, points + 2 * r->count};
  }
  c->num_pieces = n;
  qsort(c->pieces, n, sizeof *c->pieces, piece_by_id_then_source);
  size_t at = 0;
  for (size_t i = 0; i < c->num_owned; ++i) {
    c->piece_begin[i] = (int64_t)at;
    while (at < n && c->pieces[at].id == c->local.ids[c->owned[i]])
      ++at;
  }
  c->piece_begin[c->num_owned] = (int64_t)at;
  return SCIPAR_OK;
}

/* Writes owned cluster i's points, its pieces in rank order (this rank's own among them), to x, y, z. */
static void owned_points(const cloud_state *c, int rank, size_t i, double *x, double *y, double *z)
{
  const size_t local = (size_t)c->owned[i];
  const int64_t begin = c->local.offsets[local], own = cluster_set_size(&c->local, local);
  size_t at = 0;
  int mine_written = 0;
  for (int64_t p = c->piece_begin[i]; p <= c->piece_begin[i + 1]; ++p) {
    const owned_piece *piece = p < c->piece_begin[i + 1] ? &c->pieces[p] : NULL;
    if (!mine_written && (!piece || piece->source > rank)) {
      memcpy(x + at, c->local.x + begin, (size_t)own * sizeof *x);
      memcpy(y + at, c->local.y + begin, (size_t)own * sizeof *y);
      memcpy(z + at, c->local.z + begin, (size_t)own * sizeof *z);
      at += (size_t)own;
      mine_written = 1;
    }
    if (!piece)
      break;
    memcpy(x + at, piece->x, (size_t)piece->count * sizeof *x);
    memcpy(y + at, piece->y, (size_t)piece->count * sizeof *y);
    memcpy(z + at, piece->z, (size_t)piece->count * sizeof *z);
    at += (size_t)piece->count;
  }
}

/* Size, box and centroid of owned cluster i, whose points start at x, y, z; its shape is measured by
 * the candidates step, and only when its bounds matter there. */
static void summarise(const cloud_state *c, int rank, size_t i, const double *x, const double *y, const double *z,
                      cluster_summary *m)
{
  const size_t local = (size_t)c->owned[i];
  const int split = c->piece_begin[i + 1] > c->piece_begin[i];
  m->id = c->local.ids[local];
  m->owner = rank;
  m->count = cluster_set_size(&c->local, local);
  for (int64_t p = c->piece_begin[i]; p < c->piece_begin[i + 1]; ++p)
    m->count += c->pieces[p].count;
  const double *coordinate[3] = {x, y, z};
  for (int d = 0; d < 3; ++d) {
    if (!split) { /* the grouping's own, summed in input order as scipar_match does */
      m->box_min[d] = c->local.box_min[3 * local + d];
      m->box_max[d] = c->local.box_max[3 * local + d];
      m->centroid[d] = c->local.centroids[3 * local + d];
      continue;
    }
    double lo = INFINITY, hi = -INFINITY, sum = 0.0;
    for (int64_t p = 0; p < m->count; ++p) {
      const double v = coordinate[d][p];
      lo = v < lo ? v : lo;
      hi = v > hi ? v : hi;
      sum += v;
    }
    m->box_min[d] = lo;
    m->box_max[d] = hi;
    m->centroid[d] = sum / (double)m->count;
  }
  m->centroid_error = centroid_error_bound(m->count, m->box_min, m->box_max);
  m->spread = m->radius = m->core = NAN;
}

/* The owned clusters of one cloud summarised; the split ones whole in `merged`, with their trees
 * (the others stay in the local grouping, trees built there). */
static scipar_status assemble(rank_state *s, int cloud)
{
  cloud_state *c = &s->clouds[cloud];
  cluster_set *set = &c->merged;
  const size_t k = c->num_owned;
  c->summary = malloc((k + 1) * sizeof *c->summary);
  c->owned_merged = malloc((k + 1) * sizeof *c->owned_merged);
  if (!c->summary || !c->owned_merged)
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  /* The trees of the clusters that stay where the local grouping put them: not those whose pieces go
   * to another owner, nor the split ones, whose trees are built once they are whole. */
  unsigned char *in_place = calloc(c->local.num_clusters + 1, 1);
  if (!in_place)
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  for (size_t i = 0; i < k; ++i)
    in_place[c->owned[i]] = c->piece_begin[i + 1] == c->piece_begin[i];
  const scipar_status built = cluster_set_build_some_trees(&c->local, in_place, s->num_threads);
  free(in_place);
  if (built != SCIPAR_OK)
    return built;
  size_t num_split = 0, points = 0;
  for (size_t i = 0; i < k; ++i) {
    c->owned_merged[i] = -1;
    if (c->piece_begin[i + 1] == c->piece_begin[i])
      continue;
    c->owned_merged[i] = (int64_t)num_split++;
    points += (size_t)cluster_set_size(&c->local, (size_t)c->owned[i]);
    for (int64_t p = c->piece_begin[i]; p < c->piece_begin[i + 1]; ++p)
      points += (size_t)c->pieces[p].count;
  }
  if (cluster_set_allocate(set, num_split, points) != SCIPAR_OK)
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  set->offsets[0] = 0;
  for (size_t i = 0; i < k; ++i) {
    const int64_t j = c->owned_merged[i];
    if (j < 0)
      continue;
    int64_t n = cluster_set_size(&c->local, (size_t)c->owned[i]);
    for (int64_t p = c->piece_begin[i]; p < c->piece_begin[i + 1]; ++p)
      n += c->pieces[p].count;
    set->offsets[j + 1] = set->offsets[j] + n;
  }
  const long long kk = (long long)k;
#pragma omp parallel for num_threads(s->num_threads) schedule(dynamic, 64)
  for (long long i = 0; i < kk; ++i) {
    cluster_summary *m = &c->summary[i];
    const int64_t j = c->owned_merged[i];
    if (j < 0) {
      const size_t local = (size_t)c->owned[i];
      const int64_t at = c->local.offsets[local];
      summarise(c, s->comm->rank, (size_t)i, c->local.x + at, c->local.y + at, c->local.z + at, m);
      continue;
    }
    const int64_t at = set->offsets[j];
    owned_points(c, s->comm->rank, (size_t)i, set->x + at, set->y + at, set->z + at);
    summarise(c, s->comm->rank, (size_t)i, set->x + at, set->y + at, set->z + at, m);
    set->ids[j] = m->id;
    memcpy(set->box_min + 3 * j, m->box_min, sizeof m->box_min);
    memcpy(set->box_max + 3 * j, m->box_max, sizeof m->box_max);
    memcpy(set->centroids + 3 * j, m->centroid, sizeof m->centroid);
    set->centroid_error[j] = m->centroid_error;
  }
  return cluster_set_build_trees(set, s->num_threads);
}

void gather_step(rank_state *s)
{
  outbox out = {0};
  scipar_status status = SCIPAR_OK;
  for (int cloud = 0; cloud < 2 && s->status == SCIPAR_OK && status == SCIPAR_OK; ++cloud)
    status = send_pieces(s, cloud, &out);
  if (status != SCIPAR_OK)
    rank_fail(s, status);
  rank_exchange(s, &out, &s->gathered);
  for (int cloud = 0; cloud < 2 && s->status == SCIPAR_OK; ++cloud)
    if ((status = read_pieces(s, cloud)) != SCIPAR_OK || (status = assemble(s, cloud)) != SCIPAR_OK)
      rank_fail(s, status);
}

size_t owned_holders(const cloud_state *c, int rank, size_t i, int64_t *holders)
{
  size_t n = 0;
  int mine_written = 0;
  for (int64_t p = c->piece_begin[i]; p < c->piece_begin[i + 1]; ++p) {
    if (!mine_written && c->pieces[p].source > rank) {
      holders[n++] = rank;
      mine_written = 1;
    }
    holders[n++] = c->pieces[p].source;
  }
  if (!mine_written)
    holders[n++] = rank;
  return n;
}
