// Under MPI, what the filters that need whole clouds (Cluster Tracking, Euclidean Clusters) move
// between processes: each process's piece to process 0, which runs the core on the whole cloud, and
// back to every process what it needs to annotate its own points.
#ifndef SciparRootGather_h
#define SciparRootGather_h

#include "scipar/scipar.h"
#include "scipar/tracking.h"

#include "vtkType.h"

#include <cstdint>
#include <vector>

namespace scipar
{
/// Whether this process runs the core on whole clouds: process 0 under MPI, or the process alone.
bool IsRootProcess();

/// Every process's piece of a cloud, on process 0 in rank order (process 0's points first); nothing
/// on the others. Labels (when the pieces have them) and skip flags travel with the points.
struct GatheredCloud
{
  std::vector<double> Points;
  std::vector<int64_t> Labels;
  std::vector<unsigned char> Skip;
  std::vector<vtkIdType> Counts; // points of each process's piece, on process 0
  scipar_cloud Cloud{ nullptr, nullptr, 0, nullptr };
};

/// Gathers `piece` into `whole` on process 0 (alone, `whole` is a view of `piece`). Collective:
/// every process calls it. Throws std::bad_alloc when process 0 cannot hold the whole cloud (before
/// any process sends it).
void GatherOnRoot(const scipar_cloud& piece, GatheredCloud& whole);

/// The values process 0 holds for the gathered points (`all`, ignored elsewhere) back to the
/// processes the points came from: `mine` gets one per point of this process's piece. Collective.
void ScatterFromRoot(const GatheredCloud& whole, const int64_t* all, int64_t* mine, size_t count);

/// Process 0's `values` (ignored elsewhere, resized) on every process. Collective.
void BroadcastFromRoot(std::vector<int64_t>& values);
void BroadcastFromRoot(std::vector<double>& values);

/// What every process needs of a tracking result to annotate its points, step by step (the steps'
/// times, gates and clusters: ids, tracks, link distances), copied from process 0's result. Its
/// View is a scipar_tracking_result over these arrays, without tracks or events: those are process
/// 0's outputs alone.
struct TrackedClusters
{
  std::vector<double> Times;
  std::vector<double> Gates;
  std::vector<int64_t> Offsets;
  std::vector<int64_t> Ids;
  std::vector<int64_t> Tracks;
  std::vector<double> LinkDistances;
  std::vector<int64_t> TrackOffsets{ 0 };
  scipar_tracking_result View{};
};

/// Copies process 0's `result` (ignored elsewhere) into `clusters` on every other process.
/// Collective.
void BroadcastTrackedClusters(const scipar_tracking_result* result, TrackedClusters& clusters);
}

#endif
