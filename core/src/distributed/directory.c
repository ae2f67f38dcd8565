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
  int64_t next; /* the next claim of the same cluster, -1 after the last */
} claim;

/* The claims of one cluster (cloud and id), chained from its first in the table. */
static int same_cluster(const claim *a, const claim *b)
{
  return a->record->tag == b->record->tag && a->record->id == b->record->id;
}

/* Fibonacci hashing of the cloud and id: the high bits, unrelated to directory_of's choice of this
 * rank (whose low bits the ids it receives share). */
static size_t slot_of(const claim_record *r, int bits)
{
  const uint64_t key = (uint64_t)r->id ^ ((uint64_t)r->tag << 40);
  return (size_t)((key * UINT64_C(0x9E3779B97F4A7C15)) >> (64 - bits));
}

/* For each cluster claimed by several ranks, its owner to each of them: the claims grouped by cluster
 * in a hash table (linear in the claims; a sort was a third of the step). */
static scipar_status answer_claims(const inbox *in, outbox *out)
{
  size_t n = 0;
  int source;
  record_cursor cursor = record_cursor_start(in);
  for (const int64_t *w; (w = record_next(&cursor, &source));)
    ++n;
  int bits = 1;
  while (((size_t)1 << bits) < 2 * n)
    ++bits;
  const size_t mask = ((size_t)1 << bits) - 1;
  claim *claims = malloc((n ? n : 1) * sizeof *claims);
  int64_t *first = malloc((mask + 1) * sizeof *first), *last = malloc((mask + 1) * sizeof *last);
  if (!claims || !first || !last) {
    free(claims);
    free(first);
    free(last);
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  }
  for (size_t h = 0; h <= mask; ++h)
    first[h] = -1;
  n = 0;
  cursor = record_cursor_start(in);
  for (const int64_t *w; (w = record_next(&cursor, &source)); ++n) {
    claims[n] = (claim){(const claim_record *)w, source, -1};
    size_t h = slot_of(claims[n].record, bits);
    while (first[h] >= 0 && !same_cluster(&claims[first[h]], &claims[n]))
      h = (h + 1) & mask;
    if (first[h] < 0)
      first[h] = (int64_t)n;
    else
      claims[last[h]].next = (int64_t)n;
    last[h] = (int64_t)n;
  }
  scipar_status status = SCIPAR_OK;
  for (size_t h = 0; h <= mask && status == SCIPAR_OK; ++h) {
    if (first[h] < 0 || claims[first[h]].next < 0)
      continue; /* no cluster, or one held by a single rank */
    /* Claims are chained in inbox order, by ascending source: a tie stays with the lower rank. */
    int64_t largest = 0;
    int owner = claims[first[h]].source;
    for (int64_t i = first[h]; i >= 0; i = claims[i].next)
      if (claims[i].record->count > largest) {
        largest = claims[i].record->count;
        owner = claims[i].source;
      }
    const claim_record *r = claims[first[h]].record;
    for (int64_t i = first[h]; i >= 0; i = claims[i].next) {
      owner_record *o = outbox_append(out, claims[i].source, sizeof *o);
      if (!o) {
        status = SCIPAR_ERROR_OUT_OF_MEMORY;
        break;
      }
      *o = (owner_record){record_tag(RECORD_OWNER, record_cloud(r->tag)), r->id, owner};
    }
  }
  free(claims);
  free(first);
  free(last);
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
