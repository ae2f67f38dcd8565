#include "SciparMatch.h"

#include "scipar/distributed.h"
#include "scipar_mpi.h"

#include "vtkMPI.h"
#include "vtkMPICommunicator.h"
#include "vtkMultiProcessController.h"

#include <vector>

namespace
{
// The MPI communicator of a parallel run, or nullptr when this process runs alone.
vtkMPICommunicator* ParallelCommunicator()
{
  vtkMultiProcessController* controller = vtkMultiProcessController::GetGlobalController();
  auto* communicator =
    controller ? vtkMPICommunicator::SafeDownCast(controller->GetCommunicator()) : nullptr;
  return communicator && controller->GetNumberOfProcesses() > 1 && communicator->GetMPIComm()
    ? communicator
    : nullptr;
}
}

bool scipar::AllProcessesAgree(bool ok)
{
  vtkMPICommunicator* communicator = ParallelCommunicator();
  if (!communicator)
  {
    return ok;
  }
  int mine = ok ? 1 : 0, all = 0;
  communicator->AllReduce(&mine, &all, 1, vtkCommunicator::MIN_OP);
  return all == 1;
}

bool scipar::AnyProcess(bool yes)
{
  return !AllProcessesAgree(!yes);
}

bool scipar::RunsInParallel()
{
  return ParallelCommunicator() != nullptr;
}

std::string scipar::JoinTexts(const std::string& mine)
{
  vtkMPICommunicator* communicator = ParallelCommunicator();
  if (!communicator)
  {
    return mine;
  }
  const int processes = communicator->GetNumberOfProcesses();
  const vtkIdType length = static_cast<vtkIdType>(mine.size());
  std::vector<vtkIdType> lengths(processes), offsets(processes);
  communicator->AllGather(&length, lengths.data(), 1);
  vtkIdType total = 0;
  for (int p = 0; p < processes; ++p)
  {
    offsets[p] = total;
    total += lengths[p];
  }
  std::string all(static_cast<size_t>(total), '\0');
  communicator->AllGatherV(mine.data(), &all[0], length, lengths.data(), offsets.data());
  return all;
}

int64_t scipar::TotalPairs(const scipar_result& result)
{
  // A process's rows follow the lower processes' (first_pair): the last rows end the table.
  const int64_t mine = result.first_pair + static_cast<int64_t>(result.num_pairs);
  vtkMPICommunicator* communicator = ParallelCommunicator();
  if (!communicator)
  {
    return mine;
  }
  int64_t all = 0;
  communicator->AllReduce(&mine, &all, 1, vtkCommunicator::MAX_OP);
  return all;
}

scipar_status scipar::MarkSharedPoints(
  const double* points, const int64_t* keys, size_t numPoints, unsigned char* shared)
{
  vtkMPICommunicator* communicator = ParallelCommunicator();
  if (!communicator)
  {
    return SCIPAR_OK;
  }
  scipar_mpi_storage storage;
  const scipar_comm comm = scipar_mpi_comm(*communicator->GetMPIComm()->GetHandle(), &storage);
  const scipar_status status = scipar_mark_shared_points(points, keys, numPoints, &comm, shared);
  scipar_mpi_comm_free(&storage);
  return status;
}

scipar_status scipar::MatchClouds(const scipar_cloud& source, const scipar_cloud& target,
  const scipar_options& options, scipar_result& result)
{
  vtkMPICommunicator* communicator = ParallelCommunicator();
  if (!communicator)
  {
    return scipar_match(&source, &target, &options, &result);
  }
  scipar_mpi_storage storage;
  const scipar_comm comm = scipar_mpi_comm(*communicator->GetMPIComm()->GetHandle(), &storage);
  const scipar_status status = scipar_match_distributed(&source, &target, &options, &comm, &result);
  scipar_mpi_comm_free(&storage);
  return status;
}
