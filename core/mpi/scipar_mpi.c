#include "scipar_mpi.h"

#include <limits.h>
#include <stdlib.h>

/* MPI counts are ints: messages are sent as bytes, so each rank's share must stay below 2 GiB. */
static int fits_int(size_t bytes) { return bytes <= (size_t)INT_MAX; }

static int mpi_allgather(void *user_data, const void *send, size_t send_bytes, void **recv, size_t *recv_bytes)
{
  MPI_Comm comm = ((scipar_mpi_storage *)user_data)->comm;
  int size;
  MPI_Comm_size(comm, &size);
  int *counts = malloc((size_t)size * sizeof *counts), *displs = malloc((size_t)size * sizeof *displs);
  const int mine = (int)send_bytes;
  int ok = counts && displs && fits_int(send_bytes);
  /* Every rank must reach the same collectives: agree on success before moving data. */
  MPI_Allreduce(MPI_IN_PLACE, &ok, 1, MPI_INT, MPI_MIN, comm);
  if (!ok) {
    free(counts);
    free(displs);
    return 1;
  }
  MPI_Allgather(&mine, 1, MPI_INT, counts, 1, MPI_INT, comm);
  size_t total = 0;
  for (int r = 0; r < size; ++r) {
    displs[r] = (int)total;
    total += (size_t)counts[r];
    recv_bytes[r] = (size_t)counts[r];
  }
  *recv = malloc(total ? total : 1);
  int ok_recv = *recv != NULL && fits_int(total);
  MPI_Allreduce(MPI_IN_PLACE, &ok_recv, 1, MPI_INT, MPI_MIN, comm);
  if (ok_recv)
    MPI_Allgatherv(send, mine, MPI_BYTE, *recv, counts, displs, MPI_BYTE, comm);
  free(counts);
  free(displs);
  return ok_recv ? 0 : 1;
}

static int mpi_alltoall(void *user_data, const void *send, const size_t *send_bytes, void **recv, size_t *recv_bytes)
{
  MPI_Comm comm = ((scipar_mpi_storage *)user_data)->comm;
  int size;
  MPI_Comm_size(comm, &size);
  const size_t n = (size_t)size;
  int *counts = malloc(4 * n * sizeof *counts);
  int ok = counts != NULL;
  size_t send_total = 0;
  for (size_t r = 0; ok && r < n; ++r)
    send_total += send_bytes[r];
  ok = ok && fits_int(send_total);
  MPI_Allreduce(MPI_IN_PLACE, &ok, 1, MPI_INT, MPI_MIN, comm);
  if (!ok) {
    free(counts);
    return 1;
  }
  int *sendcounts = counts, *sdispls = counts + n, *recvcounts = counts + 2 * n, *rdispls = counts + 3 * n;
  size_t at = 0;
  for (size_t r = 0; r < n; ++r) {
    sendcounts[r] = (int)send_bytes[r];
    sdispls[r] = (int)at;
    at += send_bytes[r];
  }
  MPI_Alltoall(sendcounts, 1, MPI_INT, recvcounts, 1, MPI_INT, comm);
  size_t total = 0;
  for (size_t r = 0; r < n; ++r) {
    rdispls[r] = (int)total;
    total += (size_t)recvcounts[r];
    recv_bytes[r] = (size_t)recvcounts[r];
  }
  *recv = malloc(total ? total : 1);
  int ok_recv = *recv != NULL && fits_int(total);
  MPI_Allreduce(MPI_IN_PLACE, &ok_recv, 1, MPI_INT, MPI_MIN, comm);
  if (ok_recv)
    MPI_Alltoallv(send, sendcounts, sdispls, MPI_BYTE, *recv, recvcounts, rdispls, MPI_BYTE, comm);
  free(counts);
  return ok_recv ? 0 : 1;
}

scipar_comm scipar_mpi_comm(MPI_Comm comm, scipar_mpi_storage *storage)
{
  storage->comm = comm;
  scipar_comm result = {0, 1, storage, mpi_allgather, mpi_alltoall};
  MPI_Comm_rank(comm, &result.rank);
  MPI_Comm_size(comm, &result.size);
  return result;
}
