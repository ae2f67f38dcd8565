#include "SciparRootGather.h"

#include "SciparMatch.h"

#include "vtkCommunicator.h"
#include "vtkMultiProcessController.h"

#include <algorithm>
#include <new>

namespace
{
// The controller of a parallel run (as the matching decides it: scipar::RunsInParallel), or nullptr
// when this process runs alone.
vtkMultiProcessController* ParallelController()
{
  return scipar::RunsInParallel() ? vtkMultiProcessController::GetGlobalController() : nullptr;
}

// Sizes a vector for what process 0 receives: every process learns first whether it could, so that
// none is left sending to a process that gave up.
template <typename T>
void ResizeAgreed(vtkMultiProcessController* controller, std::vector<T>& values, size_t count)
{
  int mine = 1;
  try
  {
    values.resize(count);
  }
  catch (const std::bad_alloc&)
  {
    mine = 0;
  }
  int all = 0;
  controller->AllReduce(&mine, &all, 1, vtkCommunicator::MIN_OP);
  if (!all)
  {
    throw std::bad_alloc();
  }
}

template <typename T>
void BroadcastValues(vtkMultiProcessController* controller, std::vector<T>& values)
{
  vtkIdType count = static_cast<vtkIdType>(values.size());
  controller->Broadcast(&count, 1, 0);
  ResizeAgreed(controller, values, static_cast<size_t>(count));
  if (count > 0)
  {
    controller->Broadcast(values.data(), count, 0);
  }
}
}

bool scipar::IsRootProcess()
{
  vtkMultiProcessController* controller = ParallelController();
  return !controller || controller->GetLocalProcessId() == 0;
}

void scipar::GatherOnRoot(const scipar_cloud& piece, GatheredCloud& whole)
{
  vtkMultiProcessController* controller = ParallelController();
  if (!controller)
  {
    whole.Cloud = piece; // alone, the piece is the whole cloud
    return;
  }
  const bool root = controller->GetLocalProcessId() == 0;
  const vtkIdType mine = static_cast<vtkIdType>(piece.num_points);
  std::vector<vtkIdType>& counts = whole.Counts;
  counts.assign(static_cast<size_t>(controller->GetNumberOfProcesses()), 0);
  controller->Gather(&mine, counts.data(), 1, 0);
  size_t total = 0;
  for (const vtkIdType count : counts)
  {
    total += static_cast<size_t>(count);
  }
  // Labels travel when a piece with points has them (an empty piece may come without); flags when
  // any piece has them, a piece without them sending zeros.
  int has[2] = { piece.labels || piece.num_points == 0 ? 1 : 0, piece.skip ? 1 : 0 }, all[2] = { 0, 0 };
  controller->AllReduce(has, all, 1, vtkCommunicator::MIN_OP);
  controller->AllReduce(has + 1, all + 1, 1, vtkCommunicator::MAX_OP);
  const bool labels = all[0] != 0, skips = all[1] != 0; // agreed: `total` is process 0's alone
  ResizeAgreed(controller, whole.Points, root ? 3 * total : 0);
  ResizeAgreed(controller, whole.Labels, root && labels ? total : 0);
  ResizeAgreed(controller, whole.Skip, root && skips ? total : 0);
  std::vector<unsigned char> noSkip(skips && !piece.skip ? piece.num_points : 0, 0);
  const unsigned char* skip = piece.skip ? piece.skip : noSkip.data();
  std::vector<vtkIdType> lengths(counts.size()), offsets(counts.size());
  auto gather = [&](const auto* values, auto& into, vtkIdType perPoint) {
    vtkIdType at = 0;
    for (size_t p = 0; p < counts.size(); ++p)
    {
      lengths[p] = counts[p] * perPoint;
      offsets[p] = at;
      at += lengths[p];
    }
    controller->GatherV(values, into.data(), mine * perPoint, lengths.data(), offsets.data(), 0);
  };
  gather(piece.points, whole.Points, 3);
  if (labels)
  {
    gather(piece.labels, whole.Labels, 1);
  }
  if (skips)
  {
    gather(skip, whole.Skip, 1);
  }
  whole.Cloud.points = whole.Points.data();
  whole.Cloud.labels = labels && root ? whole.Labels.data() : nullptr;
  whole.Cloud.num_points = root ? total : 0;
  whole.Cloud.skip = skips && root ? whole.Skip.data() : nullptr;
}

void scipar::ScatterFromRoot(const GatheredCloud& whole, const int64_t* all, int64_t* mine, size_t count)
{
  vtkMultiProcessController* controller = ParallelController();
  if (!controller)
  {
    std::copy(all, all + count, mine);
    return;
  }
  std::vector<vtkIdType> offsets(whole.Counts.size());
  vtkIdType at = 0;
  for (size_t p = 0; p < whole.Counts.size(); ++p)
  {
    offsets[p] = at;
    at += whole.Counts[p];
  }
  std::vector<vtkIdType> counts = whole.Counts; // ScatterV takes them non-const
  controller->GetCommunicator()->ScatterV(all, mine, counts.data(), offsets.data(), static_cast<vtkIdType>(count), 0);
}

void scipar::BroadcastFromRoot(std::vector<int64_t>& values)
{
  if (vtkMultiProcessController* controller = ParallelController())
  {
    BroadcastValues(controller, values);
  }
}

void scipar::BroadcastFromRoot(std::vector<double>& values)
{
  if (vtkMultiProcessController* controller = ParallelController())
  {
    BroadcastValues(controller, values);
  }
}

void scipar::BroadcastTrackedClusters(const scipar_tracking_result* result, TrackedClusters& clusters)
{
  vtkMultiProcessController* controller = ParallelController();
  if (IsRootProcess() && result)
  {
    const size_t steps = result->num_steps, k = result->num_clusters;
    clusters.Times.assign(result->step_times, result->step_times + steps);
    clusters.Gates.assign(result->step_gates, result->step_gates + steps);
    clusters.Offsets.assign(result->step_offsets, result->step_offsets + steps + 1);
    clusters.Ids.assign(result->cluster_ids, result->cluster_ids + k);
    clusters.Tracks.assign(result->cluster_tracks, result->cluster_tracks + k);
    clusters.LinkDistances.assign(result->cluster_link_distances, result->cluster_link_distances + k);
  }
  if (controller)
  {
    BroadcastValues(controller, clusters.Times);
    BroadcastValues(controller, clusters.Gates);
    BroadcastValues(controller, clusters.Offsets);
    BroadcastValues(controller, clusters.Ids);
    BroadcastValues(controller, clusters.Tracks);
    BroadcastValues(controller, clusters.LinkDistances);
  }
  scipar_tracking_result& view = clusters.View;
  view = scipar_tracking_result{};
  view.num_steps = clusters.Times.size();
  view.step_times = clusters.Times.data();
  view.step_gates = clusters.Gates.data();
  view.step_offsets = clusters.Offsets.data();
  view.num_clusters = clusters.Ids.size();
  view.cluster_ids = clusters.Ids.data();
  view.cluster_tracks = clusters.Tracks.data();
  view.cluster_link_distances = clusters.LinkDistances.data();
  view.track_offsets = clusters.TrackOffsets.data();
}
