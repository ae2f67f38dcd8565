/* Gathering: every piece of a cluster owned elsewhere goes to its owner (with the queries, in the
 * candidates step), so that each cluster is whole on one rank. Only split clusters move: with a
 * spatial partition, those on region boundaries. An owned cluster's points are its pieces in rank
 * order, this rank's own among them (an order that depends on the split, not on timing), then
 * reordered by its tree; copies of it are sent as they are then, tree included, so that a pair's
 * value comes out the same on every rank. */
#include "distributed/distributed.h"

#include <stdlib.h>
#include <string.h>

scipar_status gather_send(const rank_state *s, int cloud, outbox *out)
{
  const cloud_state *c = &s->clouds[cloud];
  for (size_t i = 0; i < c->local.num_clusters; ++i) {
    if (c->summary[i].owner == s->comm->rank)
      continue;
    const size_t n = (size_t)cluster_set_size(&c->local, i);
    piece_record *r = outbox_append(out, (int)c->summary[i].owner, sizeof *r + 3 * n * sizeof(double));
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

scipar_status gather_read(rank_state *s, int cloud)
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

scipar_status gather_assemble(rank_state *s, int cloud)
{
  cloud_state *c = &s->clouds[cloud];
  cluster_set *set = &c->owned_set;
  size_t points = 0;
  for (size_t i = 0; i < c->num_owned; ++i)
    points += (size_t)c->summary[c->owned[i]].count;
  if (cluster_set_allocate(set, c->num_owned, points) != SCIPAR_OK)
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  set->offsets[0] = 0;
  for (size_t i = 0; i < c->num_owned; ++i) {
    const cluster_summary *m = &c->summary[c->owned[i]];
    set->ids[i] = m->id;
    set->offsets[i + 1] = set->offsets[i] + m->count;
    memcpy(set->box_min + 3 * i, m->box_min, sizeof m->box_min);
    memcpy(set->box_max + 3 * i, m->box_max, sizeof m->box_max);
    memcpy(set->centroids + 3 * i, m->centroid, sizeof m->centroid);
    set->centroid_error[i] = m->centroid_error;
  }
  const long long k = (long long)c->num_owned;
#pragma omp parallel for num_threads(s->num_threads) schedule(dynamic, 64)
  for (long long i = 0; i < k; ++i) {
    const int64_t at = set->offsets[i];
    owned_points(c, s->comm->rank, (size_t)i, set->x + at, set->y + at, set->z + at);
  }
  return cluster_set_build_trees(set, s->num_threads);
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
