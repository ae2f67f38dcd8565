/*
 * scipar distributed: the same matching when each process holds only a piece of each cloud, and a
 * cluster's points may be spread over several processes.
 *
 * The core does not depend on MPI: it communicates through the two collective operations below,
 * which scipar_mpi.h implements over an MPI communicator.
 */
#ifndef SCIPAR_DISTRIBUTED_H
#define SCIPAR_DISTRIBUTED_H

#include "scipar/scipar.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct scipar_comm {
  int rank;
  int size;
  void *user_data;
  /* Collective. Every rank contributes send_bytes bytes; on return *recv (allocated with malloc, the
   * caller frees it) holds every rank's bytes in rank order, recv_bytes[r] of them from rank r.
   * Returns 0 on success. */
  int (*allgather)(void *user_data, const void *send, size_t send_bytes, void **recv, size_t *recv_bytes);
  /* Collective. send holds send_bytes[r] bytes for each rank r, in rank order; on return *recv
   * (malloc'ed, freed by the caller) holds what each rank sent to this one, in rank order,
   * recv_bytes[r] from rank r. Returns 0 on success. */
  int (*alltoall)(void *user_data, const void *send, const size_t *send_bytes, void **recv, size_t *recv_bytes);
} scipar_comm;

/*
 * Collective: every rank calls it with its own pieces of the two clouds. The result describes the
 * global clusters (every cluster of every rank, by ascending id, with global sizes and centroids),
 * identical on every rank, including the pairs table; the per-point arrays (point_cluster,
 * cluster_offsets, cluster_point_ids, num_excluded_points) describe this rank's own points, and a
 * cluster with no point here has an empty range.
 *
 * Summaries (count, box, coordinate sum) of every cluster piece are exchanged first; each cluster is
 * then gathered on the rank that holds most of it, and only the clusters that can be the nearest of
 * one of a rank's clusters (by box bounds) are copied to it. Pairs and distances equal those of
 * scipar_match on the whole clouds, to rounding: a cluster's points may be summed in another order.
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
