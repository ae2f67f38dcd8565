// Under MPI, what a filter that needs whole clouds (Cluster Tracking) moves between processes: each
// process's piece of a step to process 0, which runs the core on the whole step, and back to every
// process the per-cluster results it needs to annotate its own points.
#ifndef SciparRootGather_h
#define SciparRootGather_h

#include "scipar/scipar.h"
#include "scipar/tracking.h"

#include <cstdint>
#include <vector>

namespace scipar
{
/// Whether this process runs the core on whole clouds: process 0 under MPI, or the process alone.
bool IsRootProcess();

/// Every process's piece of a cloud, on process 0 in rank order (process 0's points first); nothing
/// on the others. Skip flags travel with the points.
struct GatheredCloud
{
  std::vector<double> Points;
  std::vector<int64_t> Labels;
  std::vector<unsigned char> Skip;
  scipar_cloud Cloud{ nullptr, nullptr, 0, nullptr };
};

/// Gathers `piece` into `whole` on process 0. Collective: every process calls it. Throws
/// std::bad_alloc when process 0 cannot hold the whole cloud (before any process sends it).
void GatherOnRoot(const scipar_cloud& piece, GatheredCloud& whole);

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
