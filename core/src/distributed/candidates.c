/* Candidates step, after the owned clusters have found their nearest among each other (solve.c). A
 * cluster B owned elsewhere can be the nearest of a cluster A owned here only if a lower bound of
 * their value (the search stage's, from centroids and boxes) does not exceed the value of A's nearest
 * owned cluster, an exact value; B's owner's region then comes as near. So A asks the ranks whose
 * regions come within that value (most clusters, deep inside this rank's region, ask no one); each
 * rank answers with the owned clusters that may beat it, whole with their trees, once per asking
 * rank. */
#include "distributed/bounds.h"
#include "distributed/box_index.h"
#include "distributed/distributed.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The other ranks' regions of one cloud that are not empty; item ids are ranks. */
static scipar_status index_regions(const rank_state *s, int cloud, box_index *index)
{
  const int size = s->comm->size;
  size_t n = 0;
  for (int r = 0; r < size; ++r) {
    const double *region = s->regions + (size_t)r * REGION_WORDS + (size_t)cloud * REGION_WORDS / 2;
    n += r != s->comm->rank && region[0] <= region[3];
  }
  if (box_index_allocate(index, n, s->options) != SCIPAR_OK)
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  n = 0;
  for (int r = 0; r < size; ++r) {
    const double *region = s->regions + (size_t)r * REGION_WORDS + (size_t)cloud * REGION_WORDS / 2;
    if (r == s->comm->rank || !(region[0] <= region[3]))
      continue;
    const double centre[3] = {(region[0] + region[3]) / 2, (region[1] + region[4]) / 2, (region[2] + region[5]) / 2};
    /* The representative: one of the region's clusters, known by its box alone (its shape stays NaN). */
    cluster_summary *rep = &index->representatives[n];
    *rep = (cluster_summary){r, 0, r, {0}, {0}, {0}, NAN, NAN, NAN, NAN};
    memcpy(rep->box_min, region + 6, sizeof rep->box_min);
    memcpy(rep->box_max, region + 9, sizeof rep->box_max);
    box_index_set(index, n++, r, region, region + 3, centre, INFINITY);
  }
  return box_index_finish(index);
}

/* Queries for the owned clusters of one cloud: each goes, with the value of its nearest owned
 * cluster (or the limit), to every rank whose region's lower bound does not exceed that value. The
 * clusters that asked anyone are listed (`asking`, ascending) for the copies' search. */
static scipar_status send_queries(rank_state *s, int cloud, box_index *regions, outbox *out)
{
  cloud_state *c = &s->clouds[cloud];
  c->asking = malloc((c->num_owned + 1) * sizeof *c->asking);
  if (!c->asking)
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  for (size_t i = 0; i < c->num_owned && regions->set.num_clusters > 0; ++i) {
    cluster_summary *m = &c->summary[i];
    double bound = c->best[i].paired ? c->best[i].distance : pair_limit(s->options);
    if (box_index_first_lower(regions, m) > bound)
      continue; /* most clusters: deep inside this rank's region */
    owned_shape(c, (size_t)i);
    const int64_t *items;
    size_t count;
    if (!box_index_search(regions, m, &bound, &items, &count))
      return SCIPAR_ERROR_OUT_OF_MEMORY;
    for (size_t q = 0; q < count; ++q) {
      query_record *r = outbox_append(out, (int)regions->set.ids[items[q]], sizeof *r);
      if (!r)
        return SCIPAR_ERROR_OUT_OF_MEMORY;
      *r = (query_record){record_tag(RECORD_QUERY, cloud), *m, bound};
    }
    if (count > 0)
      c->asking[c->num_asking++] = (int64_t)i;
  }
  return SCIPAR_OK;
}

/* Every query this rank sends, both clouds. */
static scipar_status ask(rank_state *s, outbox *out)
{
  scipar_status status = SCIPAR_OK;
  for (int cloud = 0; cloud < 2 && status == SCIPAR_OK; ++cloud) {
    box_index regions;
    memset(&regions, 0, sizeof regions);
    status = index_regions(s, 1 - cloud, &regions);
    if (status == SCIPAR_OK)
      status = send_queries(s, cloud, &regions, out);
    box_index_free(&regions);
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
    cluster_set_pack(&c->solve, (size_t)marked[i], r + 1);
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
    if (!box_index_search(&owned[answering], &q->summary, &bound, &items, &count)) {
      status = SCIPAR_ERROR_OUT_OF_MEMORY;
      break;
    }
    /* The boxes' bounds, tightened by the shapes of the query and of the clusters it met: for a
     * cluster and its next frame far tighter, so that fewer clusters go. */
    cloud_state *c = &s->clouds[answering];
    for (size_t i = 0; i < count; ++i) {
      owned_shape(c, (size_t)items[i]);
      bound = fmin(bound, summary_upper_bound(s->options->metric, s->options->squared, &q->summary,
                                              &c->summary[items[i]]));
    }
    for (size_t i = 0; i < count; ++i)
      if (stamp[answering][items[i]] != source && box_index_lower(&owned[answering], &q->summary, items[i]) <= bound) {
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
    status = owned_index(&s->clouds[cloud], s->options, &owned[cloud]);
  if (s->status == SCIPAR_OK && status == SCIPAR_OK)
    status = ask(s, &out);
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
