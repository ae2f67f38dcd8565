/* Directory step: each piece summary goes to the rank its cluster's hashed id names; that rank merges
 * the pieces of the clusters it keeps (about k / P of them) into global summaries and owners, and
 * answers every holder. Nobody sees the clusters it holds no point of. */
#include "distributed/bounds.h"
#include "distributed/distributed.h"

#include <math.h>

#include <stdlib.h>
#include <string.h>

static int directory_of(int64_t id, int size)
{
  uint64_t z = (uint64_t)id + UINT64_C(0x9E3779B97F4A7C15); /* splitmix64's finaliser spreads any ids */
  z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
  return (int)((z ^ (z >> 31)) % (uint64_t)size);
}

typedef struct received_piece {
  const piece_summary_record *record;
  int source;
} received_piece;

static scipar_status send_piece_summaries(rank_state *s, outbox *out)
{
  for (int cloud = 0; cloud < 2; ++cloud) {
    const cluster_set *local = &s->clouds[cloud].local;
    const size_t k = local->num_clusters;
    double *shape = malloc((6 * k + 1) * sizeof *shape); /* spread, radius, core, then the sums */
    if (!shape)
      return SCIPAR_ERROR_OUT_OF_MEMORY;
    const long long kk = (long long)k;
#pragma omp parallel for num_threads(s->num_threads) schedule(dynamic, 64)
    for (long long c = 0; c < kk; ++c) {
      const int64_t begin = local->offsets[c], n = cluster_set_size(local, (size_t)c);
      const double *coordinate[3] = {local->x + begin, local->y + begin, local->z + begin};
      shape_of(coordinate[0], coordinate[1], coordinate[2], n, local->centroids + 3 * c, &shape[6 * c],
               &shape[6 * c + 1], &shape[6 * c + 2]);
      /* Summed in the grouping's order: one piece's sum over its count is its centroid, bit for bit. */
      for (int d = 0; d < 3; ++d) {
        double sum = 0.0;
        for (int64_t i = 0; i < n; ++i)
          sum += coordinate[d][i];
        shape[6 * c + 3 + d] = sum;
      }
    }
    for (size_t c = 0; c < k; ++c) {
      piece_summary_record *r = outbox_append(out, directory_of(local->ids[c], s->comm->size), sizeof *r);
      if (!r)
        break;
      r->tag = record_tag(RECORD_PIECE_SUMMARY, cloud);
      r->id = local->ids[c];
      r->count = cluster_set_size(local, c);
      memcpy(r->box_min, local->box_min + 3 * c, sizeof r->box_min);
      memcpy(r->box_max, local->box_max + 3 * c, sizeof r->box_max);
      memcpy(r->sum, shape + 6 * c + 3, sizeof r->sum);
      r->spread = shape[6 * c];
      r->radius = shape[6 * c + 1];
      r->core = shape[6 * c + 2];
    }
    free(shape);
  }
  return SCIPAR_OK; /* an append that failed is the outbox's to report */
}

static double distance(const double *a, const double *b)
{
  return sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) + (a[2] - b[2]) * (a[2] - b[2]));
}

/* The spread, radius and core of a cluster from its pieces': the mean square distance to the
 * centroid moves exactly with it (parallel axes), the other two by at most the centroids' distance. */
static void merge_shape(const received_piece *pieces, size_t count, cluster_summary *m)
{
  if (count == 1) {
    m->spread = pieces[0].record->spread;
    m->radius = pieces[0].record->radius;
    m->core = pieces[0].record->core;
    return;
  }
  double square = 0.0;
  m->radius = 0.0;
  m->core = INFINITY;
  for (size_t i = 0; i < count; ++i) {
    const piece_summary_record *p = pieces[i].record;
    const double centroid[3] = {p->sum[0] / (double)p->count, p->sum[1] / (double)p->count,
                                p->sum[2] / (double)p->count};
    const double apart = distance(centroid, m->centroid);
    square += (double)p->count * (p->spread * p->spread + apart * apart);
    m->radius = fmax(m->radius, p->radius + apart);
    m->core = fmin(m->core, p->core + apart);
  }
  m->spread = sqrt(square / (double)m->count);
}

static int by_id_then_source(const void *pa, const void *pb)
{
  const received_piece *a = pa, *b = pb;
  if (a->record->id != b->record->id)
    return a->record->id < b->record->id ? -1 : 1;
  return (a->source > b->source) - (a->source < b->source);
}

/* The clusters of one cloud this rank is the directory of, merged from their pieces, by id. */
static cluster_summary *merge_pieces(const inbox *in, int cloud, size_t *count)
{
  size_t n = 0;
  int source;
  record_cursor cursor = record_cursor_start(in);
  for (const int64_t *w; (w = record_next(&cursor, &source));)
    n += record_cloud(w[0]) == cloud;
  received_piece *pieces = malloc((n ? n : 1) * sizeof *pieces);
  cluster_summary *merged = malloc((n ? n : 1) * sizeof *merged);
  if (!pieces || !merged) {
    free(pieces);
    free(merged);
    return NULL;
  }
  n = 0;
  cursor = record_cursor_start(in);
  for (const int64_t *w; (w = record_next(&cursor, &source));)
    if (record_cloud(w[0]) == cloud)
      pieces[n++] = (received_piece){(const piece_summary_record *)w, source};
  qsort(pieces, n, sizeof *pieces, by_id_then_source);
  size_t k = 0;
  for (size_t i = 0, end; i < n; i = end) {
    cluster_summary *m = &merged[k++];
    m->id = pieces[i].record->id;
    m->count = 0;
    int64_t largest = 0;
    double sum[3] = {0, 0, 0};
    for (end = i; end < n && pieces[end].record->id == m->id; ++end) {
      const piece_summary_record *p = pieces[end].record;
      if (p->count > largest) { /* sources ascend: a tie stays with the lower rank */
        largest = p->count;
        m->owner = pieces[end].source;
      }
      m->count += p->count;
      for (int d = 0; d < 3; ++d) {
        m->box_min[d] = end == i || p->box_min[d] < m->box_min[d] ? p->box_min[d] : m->box_min[d];
        m->box_max[d] = end == i || p->box_max[d] > m->box_max[d] ? p->box_max[d] : m->box_max[d];
        sum[d] += p->sum[d];
      }
    }
    /* The coordinates summed piece by piece: a cluster in one piece gets exactly the centroid
     * scipar_match computes, and any other is off by no more than centroid_error_bound allows. */
    for (int d = 0; d < 3; ++d)
      m->centroid[d] = sum[d] / (double)m->count;
    m->centroid_error = centroid_error_bound(m->count, m->box_min, m->box_max);
    merge_shape(pieces + i, end - i, m);
  }
  free(pieces);
  *count = k;
  return merged;
}

static int summary_by_id(const void *key, const void *element)
{
  const int64_t id = *(const int64_t *)key, other = ((const cluster_summary *)element)->id;
  return (id > other) - (id < other);
}

/* Every piece received gets its cluster's summary back, in the order it came. */
static scipar_status answer_holders(const inbox *in, outbox *out)
{
  size_t count[2] = {0, 0};
  cluster_summary *merged[2] = {merge_pieces(in, 0, &count[0]), merge_pieces(in, 1, &count[1])};
  scipar_status status = merged[0] && merged[1] ? SCIPAR_OK : SCIPAR_ERROR_OUT_OF_MEMORY;
  int source;
  record_cursor cursor = record_cursor_start(in);
  for (const int64_t *w; status == SCIPAR_OK && (w = record_next(&cursor, &source));) {
    const int cloud = record_cloud(w[0]);
    const cluster_summary *m =
      bsearch(&((const piece_summary_record *)w)->id, merged[cloud], count[cloud], sizeof *merged[cloud], summary_by_id);
    summary_record *r = outbox_append(out, source, sizeof *r);
    if (!r)
      status = SCIPAR_ERROR_OUT_OF_MEMORY;
    else
      *r = (summary_record){record_tag(RECORD_SUMMARY, cloud), *m};
  }
  free(merged[0]);
  free(merged[1]);
  return status;
}

static scipar_status read_summaries(rank_state *s, const inbox *in)
{
  for (int cloud = 0; cloud < 2; ++cloud) {
    cloud_state *c = &s->clouds[cloud];
    c->summary = malloc((c->local.num_clusters + 1) * sizeof *c->summary);
    c->owned = malloc((c->local.num_clusters + 1) * sizeof *c->owned);
    if (!c->summary || !c->owned)
      return SCIPAR_ERROR_OUT_OF_MEMORY;
  }
  int source;
  record_cursor cursor = record_cursor_start(in);
  for (const int64_t *w; (w = record_next(&cursor, &source));) {
    const summary_record *r = (const summary_record *)w;
    cloud_state *c = &s->clouds[record_cloud(r->tag)];
    c->summary[local_index(c, r->summary.id)] = r->summary;
  }
  for (int cloud = 0; cloud < 2; ++cloud) {
    cloud_state *c = &s->clouds[cloud];
    c->num_owned = 0;
    for (size_t i = 0; i < c->local.num_clusters; ++i)
      if (c->summary[i].owner == s->comm->rank)
        c->owned[c->num_owned++] = (int64_t)i;
  }
  return SCIPAR_OK;
}

void directory_step(rank_state *s)
{
  outbox out = {0};
  inbox in = {0};
  scipar_status status;
  if (s->status == SCIPAR_OK && (status = send_piece_summaries(s, &out)) != SCIPAR_OK)
    rank_fail(s, status);
  rank_exchange(s, &out, &in);
  if (s->status == SCIPAR_OK && (status = answer_holders(&in, &out)) != SCIPAR_OK)
    rank_fail(s, status);
  inbox_free(&in);
  rank_exchange(s, &out, &in);
  if (s->status == SCIPAR_OK && (status = read_summaries(s, &in)) != SCIPAR_OK)
    rank_fail(s, status);
  inbox_free(&in);
}
