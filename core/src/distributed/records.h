/* The records ranks send each other, in the order the steps send them. Each is a whole number of
 * 8-byte words starting with its tag (kind and cloud, mail.h); some are followed by points, as x[n]
 * then y[n] then z[n]. */
#ifndef SCIPAR_DISTRIBUTED_RECORDS_H
#define SCIPAR_DISTRIBUTED_RECORDS_H

#include "distributed/mail.h"

#include <stdint.h>

/* What the owner of a cluster knows of it once the cluster is whole there: size, box, centroid, how
 * its points spread around the centroid (for bounds.h) and the owner's rank. It travels with queries
 * and copies. */
typedef struct cluster_summary {
  int64_t id;
  int64_t count;
  int64_t owner;
  double box_min[3], box_max[3];
  double centroid[3];
  double centroid_error; /* how far the centroid may be from the exact mean, by rounding */
  double spread; /* root mean square distance of the points to the centroid */
  double radius; /* at least the largest distance of a point to the centroid */
  double core;   /* at least the distance from the centroid to the nearest point; the three NaN until
                    measured (for queries and the clusters they meet, candidates.c, and
                    for the large clusters' seeds, solve.c) */
} cluster_summary;

enum record_kinds {
  RECORD_CLAIM = 1, /* a rank holds points of a cluster: to the cluster's directory */
  RECORD_OWNER,     /* the cluster is split: which rank owns it, from the directory to each holder */
  RECORD_PIECE,     /* a piece's points, to the owner; followed by the points */
  RECORD_QUERY,     /* an owned cluster's summary, to ranks whose clusters may be its nearest */
  RECORD_COPY,      /* an owned cluster answering a query; followed by it, tree included */
  RECORD_CHOSEN,    /* a source's nearest, to the owner of that target; followed by holders */
  RECORD_ANSWER     /* a cluster's final result, to every rank holding its points */
};

typedef struct claim_record {
  int64_t tag;
  int64_t id;
  int64_t count;
} claim_record;

typedef struct owner_record {
  int64_t tag;
  int64_t id;
  int64_t owner;
} owner_record;

typedef struct piece_record {
  int64_t tag;
  int64_t id;
  int64_t count; /* points that follow */
} piece_record;

typedef struct query_record {
  int64_t tag; /* cloud: the querying cluster's */
  cluster_summary summary;
  double bound; /* a Chamfer value that some cluster of the other cloud is known not to exceed */
} query_record;

typedef struct copy_record {
  int64_t tag;
  cluster_summary summary;
  int64_t words; /* that follow: the cluster with its tree, packed by the grouping stage */
} copy_record;

typedef struct chosen_record {
  int64_t tag;
  int64_t id;       /* the source cluster */
  int64_t nearest;  /* its nearest target */
  double distance;
  int64_t count;    /* the source's size and centroid, for the pairs table */
  double centroid[3];
  int64_t num_holders; /* ranks holding the source's points, that many int64 follow */
} chosen_record;

typedef struct answer_record {
  int64_t tag;
  int64_t id;
  int64_t count;   /* the cluster's size and centroid, over every rank */
  double centroid[3];
  int64_t paired;  /* 0: no nearest (ids may take any value, -1 too) */
  int64_t nearest; /* id in the other cloud */
  double distance;
  int64_t mutual;
  int64_t pair_index;
  int64_t partner_count; /* the nearest's size and centroid, for the reference to it */
  double partner_centroid[3];
} answer_record;

#define RECORD_WORDS(type) (sizeof(type) / sizeof(int64_t))

/* Words of the record starting at w, its points or holders included. */
static inline size_t record_words(const int64_t *w)
{
  switch (w[0] / 2) {
  case RECORD_CLAIM: return RECORD_WORDS(claim_record);
  case RECORD_OWNER: return RECORD_WORDS(owner_record);
  case RECORD_PIECE: return RECORD_WORDS(piece_record) + 3 * (size_t)((const piece_record *)w)->count;
  case RECORD_QUERY: return RECORD_WORDS(query_record);
  case RECORD_COPY: return RECORD_WORDS(copy_record) + (size_t)((const copy_record *)w)->words;
  case RECORD_CHOSEN: return RECORD_WORDS(chosen_record) + (size_t)((const chosen_record *)w)->num_holders;
  case RECORD_ANSWER: return RECORD_WORDS(answer_record);
  default: return 0;
  }
}

/* Walks the records of an inbox in order (by source rank, then as sent). */
typedef struct record_cursor {
  const inbox *in;
  size_t next_message;
  size_t at, end; /* words read in the inbox's data, and the end of the current message */
  int source;     /* of the current message */
} record_cursor;

static inline record_cursor record_cursor_start(const inbox *in) { return (record_cursor){in, 0, 0, 0, -1}; }

/* The next record and the rank it came from, or NULL after the last one. */
static inline const int64_t *record_next(record_cursor *c, int *source)
{
  for (;;) {
    while (c->at == c->end) {
      if (c->next_message >= c->in->num)
        return NULL;
      c->source = c->in->sources[c->next_message];
      c->end = c->at + c->in->bytes[c->next_message++] / sizeof(int64_t);
    }
    const int64_t *w = (const int64_t *)(const void *)c->in->data + c->at;
    const size_t words = record_words(w);
    if (words == 0 || c->at + words > c->end) { /* malformed: the rest of the message is skipped */
      c->at = c->end;
      continue;
    }
    c->at += words;
    *source = c->source;
    return w;
  }
}

#endif
