/* A scipar_comm over an MPI communicator, for scipar_match_distributed. */
#ifndef SCIPAR_MPI_H
#define SCIPAR_MPI_H

#include "scipar/distributed.h"

#include <mpi.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The MPI communicator is borrowed: it must outlive the scipar_comm. `storage` keeps it. */
typedef struct scipar_mpi_storage {
  MPI_Comm comm;
} scipar_mpi_storage;

scipar_comm scipar_mpi_comm(MPI_Comm comm, scipar_mpi_storage *storage);

#ifdef __cplusplus
}
#endif

#endif
