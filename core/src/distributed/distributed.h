/*
 * Stage: distributed. Takes each rank's pieces of both clouds and a communicator; gives each rank the
 * result of scipar_match for the clusters it holds (scipar/distributed.h says what a rank's result
 * holds). The steps, each one collective round or two, both clouds in every message:
 *
 *   directory.c   each rank claims its clusters from a directory rank chosen by hashing the id; the
 *                 directory names the owner (the rank holding most of the points) of the split ones
 *   gather.c      every piece of a cluster owned elsewhere to its owner, so that each cluster is whole
 *                 on one rank, which summarises it (size, box, centroid) and builds its tree
 *   regions.c     each rank's owned region (one box per cloud), gathered by every rank
 *   solve.c       the owned clusters as one set with their trees; the serial search both ways among
 *                 them gives each its nearest owned cluster, an exact value (a large cluster: a
 *                 seed's, the owned cluster its shape says is likeliest)
 *   candidates.c  each owned cluster whose region's bound to another rank's region does not exceed
 *                 that value is sent there as a query; each rank answers with the owned clusters that
 *                 may beat it, whole, once per asking rank
 *   solve.c       the asking clusters search the copies received from their nearest so far; then the
 *                 large clusters search the owned ones from the best of both
 *   answers.c     each source's choice to its target's owner, which writes the pairs rows and sends
 *                 every cluster's final answer to the ranks holding its points (its own kept in place)
 *   result.c      the scipar_result of this rank: its clusters, the references and its rows
 *
 * Memory and traffic per rank are in proportion to its own points and clusters, the clusters near the
 * boundaries of its region, and the number of ranks (one region each): no rank holds anything of
 * size the number of clusters of the whole clouds.
 */
#ifndef SCIPAR_DISTRIBUTED_STAGE_H
#define SCIPAR_DISTRIBUTED_STAGE_H

#include "call/progress.h"
#include "distributed/mail.h"
#include "distributed/records.h"
#include "grouping/grouping.h"
#include "search/candidate_search.h"

#include <math.h>

/* Another rank's piece of an owned cluster, its points in the inbox that brought it. */
typedef struct owned_piece {
  int64_t id;
  int64_t count;
  int source;
  const double *x, *y, *z;
} owned_piece;

/* A cluster owned elsewhere, received whole with its tree (packed), in the inbox that brought it. */
typedef struct cluster_copy {
  const cluster_summary *summary;
  const void *packed;
} cluster_copy;

/* The nearest cluster of an owned cluster: partner points to its summary (an owned cluster's or a
 * copy's, both alive until the answers are sent). */
typedef struct owned_answer {
  int paired;
  double distance;
  const cluster_summary *partner;
} owned_answer;

typedef struct cloud_state {
  cluster_set local;            /* this rank's points grouped by cluster, no trees */
  int32_t *local_of_id;         /* [local id span] local index of id local.ids[0] + v, or -1; NULL
                                   when the ids spread too wide (local_index then searches) */
  int64_t *owner;               /* [local.num_clusters] the rank owning each local cluster */
  int64_t *owned;               /* local indices of the clusters owned here, ascending */
  size_t num_owned;
  owned_piece *pieces;          /* other ranks' pieces of owned clusters, by id then source rank */
  size_t num_pieces;
  int64_t *piece_begin;         /* [num_owned + 1]: owned cluster i's pieces start at piece_begin[i] */
  cluster_set merged;           /* the owned clusters that were split, whole, with trees */
  int64_t *owned_merged;        /* [num_owned] owned cluster i's index in merged, or -1: it is whole in
                                   local (grouped with its tree, never copied) */
  cluster_summary *summary;     /* [num_owned] of each owned cluster */
  cluster_set solve;            /* the owned clusters, with trees, over local's buffers (local has no
                                   points or trees once it is built) */
  cluster_hierarchy hierarchy;  /* of solve's clusters, for the searches and the candidates step */
  owned_answer *best;           /* [num_owned] nearest of each owned cluster (so far) */
  int64_t *owned_best;          /* [num_owned] its index among the other cloud's owned clusters, or -1
                                   (none, or a copy) */
  int64_t *asking;              /* owned clusters that sent queries, ascending */
  size_t num_asking;
  cluster_copy *copies;         /* clusters owned elsewhere that may be the nearest of owned ones, by id */
  size_t num_copies;
  cluster_set copy_set;         /* the copies, with their trees, by id */
  answer_record *answers;       /* [local.num_clusters] each local cluster's final answer */
} cloud_state;

/* One row of this rank's share of the pairs table, by ids, with what the table shows of both. */
typedef struct pair_row {
  int64_t source, target;
  double distance;
  unsigned char source_to_target, target_to_source;
  int64_t source_count;
  double source_centroid[3];
  int64_t written; /* the row's place in the order the answers step wrote it, before sorting */
} pair_row;

/* Per rank and cloud, the box of the clusters it owns and the box of one of them (any owned cluster
 * bounds the distance to the nearest from above): 12 doubles, empty boxes when it owns none. */
enum { REGION_WORDS = 24 };

typedef struct rank_state {
  const scipar_comm *comm;
  const scipar_options *options; /* the distance limit in scaled units (call/scale.h) */
  scipar_options scaled;         /* their storage when scaled */
  int exponent;                  /* coordinates are computed times 2^exponent, the same on every rank */
  int num_threads;
  cloud_state clouds[2]; /* CLOUD_SOURCE, CLOUD_TARGET */
  double *regions;       /* [size * REGION_WORDS] every rank's owned regions (regions.c) */
  inbox gathered;        /* pieces and queries received (candidates.c) */
  inbox copied;          /* copies received */
  pair_row *rows;        /* this rank's rows, sorted by (source, target) */
  size_t num_rows;
  int64_t first_row;     /* of the whole table */
  scipar_status status;  /* SCIPAR_OK until something fails */
  int failed_here;       /* the failure happened on this rank, not another */
  int stopped;           /* every rank knows of a failure: no more collectives */
} rank_state;

/* A failure on this rank: kept, and passed to every rank at the next collective. */
void rank_fail(rank_state *s, scipar_status status);

/* mail_exchange unless every rank has stopped; records an agreed failure. */
void rank_exchange(rank_state *s, outbox *out, inbox *in);

void directory_step(rank_state *s);
void gather_step(rank_state *s);
void regions_step(rank_state *s);
void solve_owned_step(rank_state *s, progress_state *progress);
void candidates_step(rank_state *s);
void solve_copies_step(rank_state *s, progress_state *progress);
void answers_step(rank_state *s);
scipar_status result_build(rank_state *s, scipar_result *result);

/* The largest value a pair may have (options in scaled units): +infinity without a limit. */
static inline double pair_limit(const scipar_options *options)
{
  return options->max_pair_distance > 0 ? options->max_pair_distance : INFINITY;
}

/* Owned cluster i's spread, radius and core (bounds.h), once: a pass over its points in the owned set. */
void owned_shape(cloud_state *c, size_t i);

/* The owned clusters of a cloud by their boxes (box_index.h): the owned set and its hierarchy. */
struct box_index;
scipar_status owned_index(const cloud_state *c, const scipar_options *options, struct box_index *index);

/* The local index of a cluster this rank holds, or -1. */
int64_t local_index(const cloud_state *c, int64_t id);

/* local_of_id, when the local ids span at most a few times their number (the usual 0..k-1 split over
 * ranks): a table instead of a binary search for the tens of thousands of lookups a call makes. */
void index_local_ids(cloud_state *c);

/* Ranks holding owned cluster i's points (this one included), ascending; returns how many. */
size_t owned_holders(const cloud_state *c, int rank, size_t i, int64_t *holders);

void cloud_state_free(cloud_state *c);

#endif
