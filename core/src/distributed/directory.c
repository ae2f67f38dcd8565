/* Directory step: which clusters are split over several ranks, and which rank owns each (holds most of
 * its points, the lowest such rank). Each rank claims its clusters, with their sizes here, from each
 * cluster's directory, the rank its hashed id names (24 bytes a cluster); the directory answers only
 * for the clusters claimed by more than one rank. A rank hears nothing of a cluster it alone holds:
 * that one is whole here, and owned here. */
#include "distributed/distributed.h"

#include <stdlib.h>
#include <string.h>

static int directory_of(int64_t id, int size)
{
  uint64_t z = (uint64_t)id + UINT64_C(0x9E3779B97F4A7C15); /* splitmix64's finaliser spreads any ids */
  z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
  return (int)((z ^ (z >> 31)) % (uint64_t)size);
}

static void send_claims(const rank_state *s, outbox *out)
{
  for (int cloud = 0; cloud < 2; ++cloud) {
    const cluster_set *local = &s->clouds[cloud].local;
    for (size_t c = 0; c < local->num_clusters; ++c) {
      claim_record *r = outbox_append(out, directory_of(local->ids[c], s->comm->size), sizeof *r);
      if (!r)
        return; /* the outbox reports it */
      *r = (claim_record){record_tag(RECORD_CLAIM, cloud), local->ids[c], cluster_set_size(local, c)};
    }
  }
}

typedef struct claim {
  const claim_record *record;
  int source;
} claim;

static int by_cloud_id_source(const void *pa, const void *pb)
{
  const claim *a = pa, *b = pb;
  if (a->record->tag != b->record->tag)
    return a->record->tag < b->record->tag ? -1 : 1;
  if (a->record->id != b->record->id)
    return a->record->id < b->record->id ? -1 : 1;
  return (a->source > b->source) - (a->source < b->source);
}

/* For each cluster claimed by several ranks, its owner to each of them. */
static scipar_status answer_claims(const inbox *in, outbox *out)
{
  size_t n = 0;
  int source;
  record_cursor cursor = record_cursor_start(in);
  for (const int64_t *w; (w = record_next(&cursor, &source));)
    ++n;
  claim *claims = malloc((n ? n : 1) * sizeof *claims);
  if (!claims)
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  n = 0;
  cursor = record_cursor_start(in);
  for (const int64_t *w; (w = record_next(&cursor, &source));)
    claims[n++] = (claim){(const claim_record *)w, source};
  qsort(claims, n, sizeof *claims, by_cloud_id_source);
  scipar_status status = SCIPAR_OK;
  for (size_t i = 0, end; i < n && status == SCIPAR_OK; i = end) {
    int64_t largest = 0;
    int owner = claims[i].source;
    for (end = i; end < n && claims[end].record->tag == claims[i].record->tag &&
                  claims[end].record->id == claims[i].record->id;
         ++end)
      if (claims[end].record->count > largest) { /* sources ascend: a tie stays with the lower rank */
        largest = claims[end].record->count;
        owner = claims[end].source;
      }
    if (end - i == 1)
      continue;
    for (size_t j = i; j < end; ++j) {
      owner_record *r = outbox_append(out, claims[j].source, sizeof *r);
      if (!r) {
        status = SCIPAR_ERROR_OUT_OF_MEMORY;
        break;
      }
      *r = (owner_record){record_tag(RECORD_OWNER, record_cloud(claims[i].record->tag)), claims[i].record->id, owner};
    }
  }
  free(claims);
  return status;
}

static scipar_status read_owners(rank_state *s, const inbox *in)
{
  for (int cloud = 0; cloud < 2; ++cloud) {
    cloud_state *c = &s->clouds[cloud];
    c->owner = malloc((c->local.num_clusters + 1) * sizeof *c->owner);
    c->owned = malloc((c->local.num_clusters + 1) * sizeof *c->owned);
    if (!c->owner || !c->owned)
      return SCIPAR_ERROR_OUT_OF_MEMORY;
    for (size_t i = 0; i < c->local.num_clusters; ++i)
      c->owner[i] = s->comm->rank;
  }
  int source;
  record_cursor cursor = record_cursor_start(in);
  for (const int64_t *w; (w = record_next(&cursor, &source));) {
    const owner_record *r = (const owner_record *)w;
    cloud_state *c = &s->clouds[record_cloud(r->tag)];
    c->owner[local_index(c, r->id)] = r->owner;
  }
  for (int cloud = 0; cloud < 2; ++cloud) {
    cloud_state *c = &s->clouds[cloud];
    c->num_owned = 0;
    for (size_t i = 0; i < c->local.num_clusters; ++i)
      if (c->owner[i] == s->comm->rank)
        c->owned[c->num_owned++] = (int64_t)i;
  }
  return SCIPAR_OK;
}

void directory_step(rank_state *s)
{
  outbox out = {0};
  inbox in = {0};
  scipar_status status;
  if (s->status == SCIPAR_OK)
    send_claims(s, &out);
  rank_exchange(s, &out, &in);
  if (s->status == SCIPAR_OK && (status = answer_claims(&in, &out)) != SCIPAR_OK)
    rank_fail(s, status);
  inbox_free(&in);
  rank_exchange(s, &out, &in);
  if (s->status == SCIPAR_OK && (status = read_owners(s, &in)) != SCIPAR_OK)
    rank_fail(s, status);
  inbox_free(&in);
}
