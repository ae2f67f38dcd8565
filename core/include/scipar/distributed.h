/*
 * scipar distributed: the same matching when each process holds only a piece of each cloud, and a
 * cluster's points may be spread over several processes.
 *
 * The core does not depend on MPI: it communicates through the collective operations below, which
 * scipar_mpi.h implements over an MPI communicator.
 */
#ifndef SCIPAR_DISTRIBUTED_H
#define SCIPAR_DISTRIBUTED_H

#include "scipar/scipar.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Every operation is collective: all ranks call it, in the same order. Those that take a `status`
 * also agree on failure: each rank passes its own state (0 when it can go on, else a scipar_status),
 * and the operation returns the same value on every rank, the largest status passed (at least
 * SCIPAR_ERROR_OUT_OF_MEMORY when the operation itself could not allocate, and
 * SCIPAR_ERROR_INVALID_ARGUMENT when a message is too large for it). 0 means every rank went on and
 * the outputs are set; otherwise they are NULL and empty. */
typedef struct scipar_comm {
  int rank;
  int size;
  void *user_data;
  /* Sparse exchange: this rank sends num_sends messages, message i of send_bytes[i] bytes to rank
   * dest[i] (distinct ranks, in any order, this one allowed), laid one after another in send. On
   * return *recv holds the messages this rank received one after another, by ascending source rank:
   * *num_recvs of them, message i from rank (*sources)[i] with (*recv_bytes)[i] bytes. The three
   * arrays are malloc'ed; the caller frees them. */
  int (*exchange)(void *user_data, int status, size_t num_sends, const int *dest, const size_t *send_bytes,
                  const void *send, size_t *num_recvs, int **sources, size_t **recv_bytes, void **recv);
  /* Every rank contributes `bytes` bytes (the same number on every rank); on return *recv
   * (malloc'ed, freed by the caller) holds every rank's bytes in rank order. */
  int (*allgather)(void *user_data, int status, const void *send, size_t bytes, void **recv);
  /* values[i] becomes the largest values[i] over the ranks (a few values: at most 15). */
  int (*allreduce_max)(void *user_data, int status, double *values, size_t count);
  /* Exclusive prefix sum, which cannot fail: values[i] becomes the sum of values[i] over the ranks
   * below this one (0 on rank 0). */
  void (*exscan_sum)(void *user_data, int64_t *values, size_t count);
} scipar_comm;

/*
 * Collective: every rank calls it with its own pieces of the two clouds (points flagged by a cloud's
 * skip flags take no part, as in scipar_match). The pairs and distances are those of scipar_match on
 * the whole clouds, to rounding (a cluster's points may be summed in another order).
 *
 * Each rank's result describes what that rank needs, never every cluster:
 * - each side lists, by ascending id, the clusters with points on this rank, with their global id,
 *   size (points of all ranks), centroid, nearest cluster, distance, mutual flag and pair_index, and
 *   this rank's points grouped under them (cluster_offsets, cluster_point_ids, point_cluster, the
 *   excluded and skipped counts are this rank's own);
 * - and, as references, the clusters that those clusters' nearest and this rank's pairs rows name:
 *   a reference has no point here (an empty range), its global id, size and centroid, and no result
 *   of its own (nearest -1, distance NaN, mutual 0, pair_index -1);
 * - pairs holds this rank's share of the pairs table, the rows whose target cluster it owns, sorted
 *   by (source id, target id). The table in rank order (rank 0's rows first) is the whole table, each
 *   pair once, and pair_index and first_pair count rows in it.
 *
 * How: each cluster's piece summaries go to a directory rank chosen by hashing its id; each cluster
 * is gathered on the rank that holds most of it (its owner); each owner asks the ranks whose owned
 * clusters come near, by bounding boxes, for the clusters that can be the nearest of its own and
 * solves them; the answers go to the ranks that hold the clusters' points. docs/distributed.md says
 * what each rank holds and sends.
 */
scipar_status scipar_match_distributed(const scipar_cloud *source, const scipar_cloud *target,
                                       const scipar_options *options, const scipar_comm *comm,
                                       scipar_result *result);

/*
 * Collective: marks the points of this rank's piece that a lower rank also holds, so that points
 * shared by the pieces of a split mesh (the points of the faces along each cut) take part once, on
 * the lowest rank holding them: sets shared[i] to 1 for such a point i, leaves the other flags as
 * they are (pass them on as scipar_cloud.skip). Two points are the same when their keys are equal
 * (keys: num_points global point ids, or NULL) or, without keys, when their coordinates are equal
 * bit for bit (-0.0 equals 0.0); two distinct points at exactly the same position on two ranks are
 * then taken as one. Non-finite points are never shared. Each rank sends each higher rank only its
 * points inside that rank's bounding box (for a spatial split, a thin slab along each cut), so a
 * point's copies must have the same position even when keys are given.
 * Returns SCIPAR_OK on every rank, or an error on every rank (SCIPAR_ERROR_OUT_OF_MEMORY on a rank
 * that ran out of memory) with no flag changed.
 */
scipar_status scipar_mark_shared_points(const double *points, const int64_t *keys, size_t num_points,
                                        const scipar_comm *comm, unsigned char *shared);

#ifdef __cplusplus
}
#endif

#endif /* SCIPAR_DISTRIBUTED_H */
