#include "scipar_mpi.h"

#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

enum { TAG_BASE = 0x5c1 };

typedef struct received {
  int source;
  int bytes;
  unsigned char *data;
} received;

static int by_source(const void *pa, const void *pb)
{
  const received *a = pa, *b = pb;
  return (a->source > b->source) - (a->source < b->source);
}

/* The worst status over all ranks: one collective round. */
static int agree(scipar_mpi_storage *storage, int status)
{
  MPI_Allreduce(MPI_IN_PLACE, &status, 1, MPI_INT, MPI_MAX, storage->comm);
  ++storage->stats.collectives;
  return status;
}

static int worse(int a, int b) { return a > b ? a : b; }

static int mpi_exchange(void *user_data, int status, size_t num_sends, const int *dest, const size_t *send_bytes,
                        const void *send, size_t *num_recvs, int **sources, size_t **recv_bytes, void **recv)
{
  scipar_mpi_storage *storage = user_data;
  MPI_Comm comm = storage->comm;
  int rank;
  MPI_Comm_rank(comm, &rank);
  const unsigned step = storage->exchanges < SCIPAR_MPI_EXCHANGES ? storage->exchanges : SCIPAR_MPI_EXCHANGES - 1;
  const int tag = TAG_BASE + (int)(storage->exchanges++ % 2);
  *num_recvs = 0;
  *sources = NULL;
  *recv_bytes = NULL;
  *recv = NULL;
  int failure = 0;
  for (size_t i = 0; i < num_sends; ++i)
    if (send_bytes[i] > (size_t)INT_MAX) /* MPI counts are ints */
      failure = SCIPAR_ERROR_INVALID_ARGUMENT;
  MPI_Request *requests = malloc((num_sends ? num_sends : 1) * sizeof *requests);
  if (!requests)
    failure = SCIPAR_ERROR_OUT_OF_MEMORY;
  if (status != 0 || failure != 0)
    num_sends = 0;

  received *got = NULL, own = {rank, -1, NULL}; /* own.bytes >= 0: a message to this rank itself */
  size_t num_got = 0, capacity = 0;
  size_t num_requests = 0, at = 0;
  for (size_t i = 0; i < num_sends; ++i) {
    const unsigned char *data = (const unsigned char *)send + at;
    at += send_bytes[i];
    if (dest[i] == rank) {
      own = (received){rank, (int)send_bytes[i], (unsigned char *)data};
      continue;
    }
    MPI_Issend(data, (int)send_bytes[i], MPI_BYTE, dest[i], tag, comm, &requests[num_requests++]);
    storage->stats.bytes_sent += send_bytes[i];
    ++storage->stats.messages_sent;
  }
  /* Receive until every rank's sends are matched: a rank enters the barrier once its own synchronous
   * sends completed (were received), so when the barrier completes nothing is left in flight. */
  MPI_Request barrier = MPI_REQUEST_NULL;
  int done = 0;
  while (!done) {
    int arrived;
    MPI_Message message;
    MPI_Status probe;
    MPI_Improbe(MPI_ANY_SOURCE, tag, comm, &arrived, &message, &probe);
    if (arrived) {
      int bytes;
      MPI_Get_count(&probe, MPI_BYTE, &bytes);
      if (num_got == capacity) {
        const size_t more = capacity ? 2 * capacity : 16;
        received *grown = realloc(got, more * sizeof *grown);
        if (grown) {
          got = grown;
          capacity = more;
        }
      }
      unsigned char *data = num_got < capacity ? malloc(bytes ? (size_t)bytes : 1) : NULL;
      if (data) {
        MPI_Mrecv(data, bytes, MPI_BYTE, &message, MPI_STATUS_IGNORE);
        got[num_got++] = (received){probe.MPI_SOURCE, bytes, data};
        storage->stats.bytes_received += (uint64_t)bytes;
        storage->stats.exchange_bytes_received[step] += (uint64_t)bytes;
        ++storage->stats.messages_received;
      } else {
        /* No room: the message is taken and dropped (a truncated receive, whose error the duplicate
         * communicator returns instead of aborting), and every rank learns of the failure below. */
        char sink;
        MPI_Mrecv(&sink, 0, MPI_BYTE, &message, MPI_STATUS_IGNORE);
        failure = SCIPAR_ERROR_OUT_OF_MEMORY;
      }
      continue;
    }
    if (barrier == MPI_REQUEST_NULL) {
      int sent;
      MPI_Testall((int)num_requests, requests, &sent, MPI_STATUSES_IGNORE);
      if (sent) {
        MPI_Ibarrier(comm, &barrier);
        ++storage->stats.collectives;
      }
    } else {
      MPI_Test(&barrier, &done, MPI_STATUS_IGNORE);
    }
    if (!done)
      sched_yield(); /* other ranks may share this core */
  }
  free(requests);

  /* Everything this rank needs to return is allocated before the one agreement. */
  if (own.bytes >= 0) {
    received *grown = realloc(got, (num_got + 1) * sizeof *grown);
    if (grown) {
      got = grown;
      got[num_got++] = own;
    } else {
      failure = SCIPAR_ERROR_OUT_OF_MEMORY;
    }
  }
  size_t total = 0;
  for (size_t i = 0; i < num_got; ++i)
    total += (size_t)got[i].bytes;
  unsigned char *joined = malloc(total ? total : 1);
  *sources = malloc((num_got ? num_got : 1) * sizeof **sources);
  *recv_bytes = malloc((num_got ? num_got : 1) * sizeof **recv_bytes);
  if (!joined || !*sources || !*recv_bytes)
    failure = SCIPAR_ERROR_OUT_OF_MEMORY;
  const int agreed = agree(storage, worse(status, failure));
  if (agreed == 0) {
    if (num_got > 1)
      qsort(got, num_got, sizeof *got, by_source);
    size_t offset = 0;
    for (size_t i = 0; i < num_got; ++i) {
      memcpy(joined + offset, got[i].data, (size_t)got[i].bytes);
      offset += (size_t)got[i].bytes;
      (*sources)[i] = got[i].source;
      (*recv_bytes)[i] = (size_t)got[i].bytes;
    }
    *num_recvs = num_got;
    *recv = joined;
  } else {
    free(joined);
    free(*sources);
    free(*recv_bytes);
    *sources = NULL;
    *recv_bytes = NULL;
  }
  for (size_t i = 0; i < num_got; ++i)
    if (got[i].source != rank)
      free(got[i].data);
  free(got);
  return agreed;
}

static int mpi_allgather(void *user_data, int status, const void *send, size_t bytes, void **recv)
{
  scipar_mpi_storage *storage = user_data;
  int size;
  MPI_Comm_size(storage->comm, &size);
  *recv = NULL;
  unsigned char *all = NULL;
  if (bytes > (size_t)INT_MAX / (size_t)size)
    status = worse(status, SCIPAR_ERROR_INVALID_ARGUMENT);
  else if (!(all = malloc(bytes * (size_t)size + 1)))
    status = worse(status, SCIPAR_ERROR_OUT_OF_MEMORY);
  const int agreed = agree(storage, status);
  if (agreed != 0) {
    free(all);
    return agreed;
  }
  MPI_Allgather(send, (int)bytes, MPI_BYTE, all, (int)bytes, MPI_BYTE, storage->comm);
  ++storage->stats.collectives;
  storage->stats.bytes_sent += (uint64_t)bytes * (uint64_t)(size - 1);
  storage->stats.bytes_received += (uint64_t)bytes * (uint64_t)(size - 1);
  *recv = all;
  return 0;
}

static int mpi_allreduce_max(void *user_data, int status, double *values, size_t count)
{
  scipar_mpi_storage *storage = user_data;
  enum { MOST = 15 };
  if (count > MOST) /* every rank passes the same count, so every rank refuses alike */
    return SCIPAR_ERROR_INVALID_ARGUMENT;
  /* The status travels as one more value, so that one round does both. */
  double buffer[MOST + 1];
  memcpy(buffer, values, count * sizeof *values);
  buffer[count] = (double)status;
  MPI_Allreduce(MPI_IN_PLACE, buffer, (int)count + 1, MPI_DOUBLE, MPI_MAX, storage->comm);
  ++storage->stats.collectives;
  storage->stats.bytes_sent += (count + 1) * sizeof *buffer;
  storage->stats.bytes_received += (count + 1) * sizeof *buffer;
  const int agreed = (int)buffer[count];
  if (agreed == 0)
    memcpy(values, buffer, count * sizeof *values);
  return agreed;
}

static void mpi_exscan_sum(void *user_data, int64_t *values, size_t count)
{
  scipar_mpi_storage *storage = user_data;
  int rank;
  MPI_Comm_rank(storage->comm, &rank);
  MPI_Exscan(MPI_IN_PLACE, values, (int)count, MPI_INT64_T, MPI_SUM, storage->comm);
  ++storage->stats.collectives;
  storage->stats.bytes_sent += count * sizeof *values;
  storage->stats.bytes_received += rank > 0 ? count * sizeof *values : 0;
  if (rank == 0) /* MPI leaves rank 0's values undefined */
    for (size_t i = 0; i < count; ++i)
      values[i] = 0;
}

scipar_comm scipar_mpi_comm(MPI_Comm comm, scipar_mpi_storage *storage)
{
  memset(storage, 0, sizeof *storage);
  MPI_Comm_dup(comm, &storage->comm);
  MPI_Comm_set_errhandler(storage->comm, MPI_ERRORS_RETURN);
  storage->stats.collectives = 1;
  scipar_comm result = {0, 1, storage, mpi_exchange, mpi_allgather, mpi_allreduce_max, mpi_exscan_sum};
  MPI_Comm_rank(storage->comm, &result.rank);
  MPI_Comm_size(storage->comm, &result.size);
  return result;
}

void scipar_mpi_comm_free(scipar_mpi_storage *storage)
{
  if (storage->comm != MPI_COMM_NULL)
    MPI_Comm_free(&storage->comm);
  storage->comm = MPI_COMM_NULL;
}
