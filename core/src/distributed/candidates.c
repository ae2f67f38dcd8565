/* Candidates step. First round: every piece of a cluster owned elsewhere goes to its owner
 * (gather.c), and each owned cluster whose nearest may lie in another rank's region is sent there as
 * a query: when that region's lower bound does not exceed an upper bound of the nearest's value, from
 * the other cloud's clusters this rank holds points of, then from the regions' representatives.
 * Second round: each rank answers the queries with the owned clusters that may be their nearest,
 * whole, once per asking rank. */
#include "distributed/box_index.h"
#include "distributed/distributed.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static double limit_of(const scipar_options *options)
{
  return options->max_pair_distance > 0 ? options->max_pair_distance : INFINITY;
}

/* The clusters of a cloud this rank holds points of (all, or the owned ones), by their global boxes. */
static scipar_status index_clusters(const cloud_state *c, int owned_only, const scipar_options *options,
                                    box_index *index)
{
  const size_t n = owned_only ? c->num_owned : c->local.num_clusters;
  if (box_index_allocate(index, n, options) != SCIPAR_OK)
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  for (size_t i = 0; i < n; ++i) {
    const cluster_summary *m = &c->summary[owned_only ? (size_t)c->owned[i] : i];
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
  if (box_index_allocate(index, n, s->options) != SCIPAR_OK)
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  n = 0;
  for (int r = 0; r < size; ++r) {
    const double *region = s->regions + (size_t)r * REGION_WORDS + (size_t)cloud * REGION_WORDS / 2;
    if (r == s->comm->rank || !(region[0] <= region[3]))
      continue;
    const double centre[3] = {(region[0] + region[3]) / 2, (region[1] + region[4]) / 2, (region[2] + region[5]) / 2};
    /* The representative is known by its box alone: its shape stays NaN, so only the box bound holds. */
    cluster_summary rep = {r, 0, r, {0}, {0}, {0}, NAN, NAN, NAN, NAN};
    memcpy(rep.box_min, region + 6, sizeof rep.box_min);
    memcpy(rep.box_max, region + 9, sizeof rep.box_max);
    box_index_set(index, n++, r, region, region + 3, centre, INFINITY, &rep);
  }
  return box_index_finish(index);
}

/* Queries for the owned clusters of one cloud. The bound a query carries comes from the other
 * cloud's clusters this rank holds, then from the regions met in order; every rank whose region's
 * lower bound does not exceed it gets the query. */
static scipar_status send_queries(const rank_state *s, int cloud, outbox *out)
{
  const cloud_state *c = &s->clouds[cloud];
  box_index known, regions;
  memset(&known, 0, sizeof known);
  scipar_status status = index_regions(s, 1 - cloud, &regions);
  if (status == SCIPAR_OK && regions.set.num_clusters > 0) /* else nobody can be asked */
    status = index_clusters(&s->clouds[1 - cloud], 0, s->options, &known);
  for (size_t i = 0; i < c->num_owned && status == SCIPAR_OK && regions.set.num_clusters > 0; ++i) {
    const cluster_summary *m = &c->summary[c->owned[i]];
    double bound = limit_of(s->options);
    /* Most clusters lie inside this rank's region, far from any other: quick bounds settle them. */
    const double nearest_region = box_index_first_lower(&regions, m);
    if (nearest_region > bound)
      continue;
    bound = fmin(bound, box_index_quick_upper(&known, m));
    if (nearest_region > bound)
      continue;
    const int64_t *items;
    size_t count;
    if (!box_index_search(&known, m, &bound, &items, &count) || !box_index_search(&regions, m, &bound, &items, &count)) {
      status = SCIPAR_ERROR_OUT_OF_MEMORY;
      break;
    }
    for (size_t q = 0; q < count; ++q) {
      query_record *r = outbox_append(out, (int)regions.set.ids[items[q]], sizeof *r);
      if (!r) {
        status = SCIPAR_ERROR_OUT_OF_MEMORY;
        break;
      }
      *r = (query_record){record_tag(RECORD_QUERY, cloud), *m, bound};
    }
  }
  box_index_free(&known);
  box_index_free(&regions);
  return status;
}

static int ascending(const void *pa, const void *pb)
{
  const int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;
  return (a > b) - (a < b);
}

/* Second round, on the answering side: for each querying rank, the owned clusters of either cloud
 * that may be the nearest of one of its queries, each once, whole. */
static scipar_status send_copies(rank_state *s, const inbox *asked, outbox *out)
{
  if (asked->num == 0)
    return SCIPAR_OK;
  box_index owned[2];
  int64_t *stamp[2] = {NULL, NULL}, *marked[2] = {NULL, NULL};
  size_t num_marked[2] = {0, 0};
  scipar_status status = index_clusters(&s->clouds[0], 1, s->options, &owned[0]);
  if (status == SCIPAR_OK)
    status = index_clusters(&s->clouds[1], 1, s->options, &owned[1]);
  else
    memset(&owned[1], 0, sizeof owned[1]);
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
      /* The previous querying rank's copies, by id. */
      for (int cloud = 0; cloud < 2 && current >= 0 && status == SCIPAR_OK; ++cloud) {
        const cloud_state *c = &s->clouds[cloud];
        qsort(marked[cloud], num_marked[cloud], sizeof *marked[cloud], ascending);
        for (size_t i = 0; i < num_marked[cloud]; ++i) {
          const size_t j = (size_t)marked[cloud][i];
          const cluster_summary *m = &c->summary[c->owned[j]];
          const size_t bytes = cluster_set_packed_bytes(m->count);
          copy_record *r = outbox_append(out, current, sizeof *r + bytes);
          if (!r) {
            status = SCIPAR_ERROR_OUT_OF_MEMORY;
            break;
          }
          *r = (copy_record){record_tag(RECORD_COPY, cloud), *m, (int64_t)(bytes / sizeof(int64_t))};
          cluster_set_pack(&c->owned_set, j, r + 1);
        }
        num_marked[cloud] = 0;
      }
      if (!w)
        break;
      current = source;
    }
    if (record_kind(w[0]) != RECORD_QUERY)
      continue;
    const query_record *q = (const query_record *)w;
    const int answering = 1 - record_cloud(q->tag);
    double bound = q->bound;
    const int64_t *items;
    size_t count;
    if (!box_index_search(&owned[answering], &q->summary, &bound, &items, &count)) {
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
    box_index_free(&owned[cloud]);
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
  scipar_status status = SCIPAR_OK;
  for (int cloud = 0; cloud < 2 && s->status == SCIPAR_OK && status == SCIPAR_OK; ++cloud)
    if ((status = gather_send(s, cloud, &out)) == SCIPAR_OK)
      status = send_queries(s, cloud, &out);
  if (status != SCIPAR_OK)
    rank_fail(s, status);
  rank_exchange(s, &out, &s->gathered);
  for (int cloud = 0; cloud < 2 && s->status == SCIPAR_OK; ++cloud)
    if ((status = gather_read(s, cloud)) != SCIPAR_OK || (status = gather_assemble(s, cloud)) != SCIPAR_OK)
      rank_fail(s, status);
  if (s->status == SCIPAR_OK && (status = send_copies(s, &s->gathered, &out)) != SCIPAR_OK)
    rank_fail(s, status);
  rank_exchange(s, &out, &s->copied);
  if (s->status == SCIPAR_OK && (status = read_copies(s)) != SCIPAR_OK)
    rank_fail(s, status);
}
