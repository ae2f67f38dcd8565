/* A scipar_comm over an MPI communicator, for scipar_match_distributed, with counters of what it
 * moves. */
#ifndef SCIPAR_MPI_H
#define SCIPAR_MPI_H

#include "scipar/distributed.h"

#include <mpi.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What this rank moved through the scipar_comm, for measuring how traffic grows with ranks. Payload
 * bytes and messages count only what goes to or comes from other ranks; a collective's payload is
 * counted as if sent to each other rank directly. */
enum { SCIPAR_MPI_EXCHANGES = 8 };
typedef struct scipar_mpi_stats {
  uint64_t bytes_sent, bytes_received;
  uint64_t messages_sent, messages_received; /* point-to-point messages */
  uint64_t collectives; /* MPI collective calls entered: each is a round every rank takes part in */
  /* Bytes received by each sparse exchange, in order (the last slot takes any beyond): for
   * scipar_match_distributed, directory, its answers, pieces and queries, copies, choices, answers. */
  uint64_t exchange_bytes_received[SCIPAR_MPI_EXCHANGES];
} scipar_mpi_stats;

typedef struct scipar_mpi_storage {
  MPI_Comm comm;          /* a duplicate of the caller's, so that no other message can mix with ours */
  scipar_mpi_stats stats;
  unsigned exchanges;     /* so far: consecutive exchanges use different tags */
} scipar_mpi_storage;

/* Collective over comm: a scipar_comm over a duplicate of it, kept in `storage` until
 * scipar_mpi_comm_free (collective too). Sparse exchanges are synchronous sends, a probe loop and a
 * non-blocking barrier (Hoefler et al.'s NBX), so that a rank's cost grows with the ranks it talks to,
 * not with the number of ranks; the loop yields the processor while it waits, so that ranks
 * oversubscribing cores do not starve each other. */
scipar_comm scipar_mpi_comm(MPI_Comm comm, scipar_mpi_storage *storage);
void scipar_mpi_comm_free(scipar_mpi_storage *storage);

#ifdef __cplusplus
}
#endif

#endif
