#include "SciparTrackingOutput.h"

#include "SciparArrays.h"

#include "vtkCellArray.h"
#include "vtkCellData.h"
#include "vtkDoubleArray.h"
#include "vtkFieldData.h"
#include "vtkNew.h"
#include "vtkPointData.h"
#include "vtkPointSet.h"
#include "vtkPoints.h"
#include "vtkPolyData.h"
#include "vtkStringArray.h"
#include "vtkTable.h"
#include "vtkTypeInt64Array.h"
#include "vtkUnsignedCharArray.h"
#include "vtkUnstructuredGrid.h"

#include <algorithm>
#include <vector>

namespace
{
using scipar::DoubleArray;
using scipar::Int64Array;
using scipar::NewArray;

// An input point array named like an output array would be replaced by it: it reaches the output as
// "<name>_input" instead (a new array object sharing the values: the input's is not touched).
void KeepCollidingInputArrays(vtkPointData* pointData)
{
  for (const char* name : { "TrackId", "LinkDistance" })
  {
    vtkAbstractArray* collision = pointData->GetAbstractArray(name);
    if (!collision)
    {
      continue;
    }
    vtkSmartPointer<vtkAbstractArray> kept = vtk::TakeSmartPointer(collision->NewInstance());
    if (auto* data = vtkDataArray::SafeDownCast(kept))
    {
      data->ShallowCopy(vtkDataArray::SafeDownCast(collision));
    }
    else
    {
      kept->DeepCopy(collision);
    }
    kept->SetName((std::string(name) + "_input").c_str());
    pointData->RemoveArray(name);
    pointData->AddArray(kept);
  }
}
}

void scipar::BuildTrackedClusters(vtkPointSet* input, const scipar_tracking_result& result, size_t step,
  const int64_t* trackId, const double* linkDistance, const int64_t* clusterIndex, vtkUnstructuredGrid* output)
{
  const vtkIdType numPoints = input->GetNumberOfPoints();
  if (input->GetPoints())
  {
    output->SetPoints(input->GetPoints()); // shared, never modified
  }
  else
  {
    vtkNew<vtkPoints> none;
    output->SetPoints(none);
  }
  output->GetPointData()->PassData(input->GetPointData());
  KeepCollidingInputArrays(output->GetPointData());

  const int64_t first = result.step_offsets[step];
  const auto k = static_cast<size_t>(result.step_offsets[step + 1] - first);
  std::vector<int64_t> offsets(k + 1);
  auto pointIds = NewArray<vtkTypeInt64Array>("Connectivity", numPoints);
  scipar_tracking_step_cells(&result, step, clusterIndex, static_cast<size_t>(numPoints), offsets.data(),
    reinterpret_cast<int64_t*>(pointIds->GetPointer(0)));
  // One cell per cluster with points here (a cluster whose points are all NaN has none).
  std::vector<int64_t> present;
  std::vector<int64_t> cellOffsets(1, 0);
  for (size_t c = 0; c < k; ++c)
  {
    if (offsets[c + 1] > offsets[c])
    {
      present.push_back(first + static_cast<int64_t>(c));
      cellOffsets.push_back(offsets[c + 1]);
    }
  }
  const auto numCells = static_cast<vtkIdType>(present.size());
  pointIds->SetNumberOfTuples(offsets[k]);
  vtkNew<vtkCellArray> cells;
  cells->SetData(Int64Array("Offsets", cellOffsets.data(), cellOffsets.size()), pointIds);
  auto types = NewArray<vtkUnsignedCharArray>(nullptr, numCells);
  std::fill_n(types->GetPointer(0), numCells, static_cast<unsigned char>(VTK_POLY_VERTEX));
  output->SetCells(types, cells);

  vtkPointData* points = output->GetPointData();
  points->AddArray(Int64Array("TrackId", trackId, static_cast<size_t>(numPoints)));
  points->AddArray(DoubleArray("LinkDistance", linkDistance, static_cast<size_t>(numPoints)));
  // ParaView colours a new display by the active scalars: a track keeps its colour through time.
  points->SetActiveScalars("TrackId");
  // The gate the links into this step had to be within (MaxLinkDistance, or chosen from the data).
  output->GetFieldData()->AddArray(DoubleArray("LinkGate", result.step_gates + step, 1));

  auto cellTrack = NewArray<vtkTypeInt64Array>("TrackId", numCells);
  auto cellLink = NewArray<vtkDoubleArray>("LinkDistance", numCells);
  auto cellCluster = NewArray<vtkTypeInt64Array>("ClusterId", numCells);
  for (vtkIdType cell = 0; cell < numCells; ++cell)
  {
    const int64_t row = present[cell];
    cellTrack->SetValue(cell, result.cluster_tracks[row]);
    cellLink->SetValue(cell, result.cluster_link_distances[row]);
    cellCluster->SetValue(cell, result.cluster_ids[row]);
  }
  output->GetCellData()->AddArray(cellTrack);
  output->GetCellData()->AddArray(cellLink);
  output->GetCellData()->AddArray(cellCluster);
  output->GetCellData()->SetActiveScalars("TrackId");
}

void scipar::BuildTracks(const scipar_tracking_result& result, int64_t firstStep, vtkPolyData* output)
{
  const auto numTracks = static_cast<vtkIdType>(result.num_tracks);
  const vtkIdType numPoints = result.track_offsets[result.num_tracks];
  // Step of every cluster row, to label the polylines' points.
  std::vector<int64_t> rowStep(result.num_clusters);
  for (size_t s = 0; s < result.num_steps; ++s)
  {
    std::fill(rowStep.begin() + result.step_offsets[s], rowStep.begin() + result.step_offsets[s + 1],
      static_cast<int64_t>(s));
  }

  auto xyz = NewArray<vtkDoubleArray>("Points", numPoints, 3);
  auto time = NewArray<vtkDoubleArray>("Time", numPoints);
  auto step = NewArray<vtkTypeInt64Array>("Step", numPoints);
  auto clusterId = NewArray<vtkTypeInt64Array>("ClusterId", numPoints);
  auto pointCount = NewArray<vtkTypeInt64Array>("PointCount", numPoints);
  auto connectivity = NewArray<vtkTypeInt64Array>("Connectivity", numPoints);
  for (vtkIdType i = 0; i < numPoints; ++i)
  {
    const int64_t row = result.track_clusters[i];
    xyz->SetTypedTuple(i, result.cluster_centroids + 3 * row);
    time->SetValue(i, result.step_times[rowStep[row]]);
    step->SetValue(i, firstStep + rowStep[row]);
    clusterId->SetValue(i, result.cluster_ids[row]);
    pointCount->SetValue(i, result.cluster_sizes[row]);
    connectivity->SetValue(i, i);
  }
  vtkNew<vtkPoints> points;
  points->SetData(xyz);
  vtkNew<vtkCellArray> lines;
  lines->SetData(Int64Array("Offsets", result.track_offsets, result.num_tracks + 1), connectivity);
  output->SetPoints(points);
  output->SetLines(lines);
  vtkPointData* pointData = output->GetPointData();
  pointData->AddArray(time);
  pointData->AddArray(step);
  pointData->AddArray(clusterId);
  pointData->AddArray(pointCount);

  auto trackId = NewArray<vtkTypeInt64Array>("TrackId", numTracks);
  auto startStep = NewArray<vtkTypeInt64Array>("StartStep", numTracks);
  auto endStep = NewArray<vtkTypeInt64Array>("EndStep", numTracks);
  for (vtkIdType t = 0; t < numTracks; ++t)
  {
    trackId->SetValue(t, t);
    startStep->SetValue(t, firstStep + result.track_start_steps[t]);
    endStep->SetValue(t, firstStep + result.track_end_steps[t]);
  }
  vtkCellData* cellData = output->GetCellData();
  cellData->AddArray(trackId);
  cellData->AddArray(startStep);
  cellData->AddArray(endStep);
  cellData->AddArray(Int64Array("ParentTrackId", result.track_parents, result.num_tracks));
  cellData->AddArray(Int64Array("MergedIntoTrackId", result.track_merged_into, result.num_tracks));
  cellData->AddArray(DoubleArray("PathLength", result.track_path_lengths, result.num_tracks));
  cellData->AddArray(DoubleArray("MeanSpeed", result.track_mean_speeds, result.num_tracks));
  cellData->SetActiveScalars("TrackId");
}

void scipar::BuildEvents(const scipar_tracking_result& result, int64_t firstStep, vtkTable* output)
{
  const auto rows = static_cast<vtkIdType>(result.num_events);
  auto step = NewArray<vtkTypeInt64Array>("Step", rows);
  auto time = NewArray<vtkDoubleArray>("Time", rows);
  vtkNew<vtkStringArray> kind;
  kind->SetName("Kind");
  kind->SetNumberOfValues(rows);
  auto trackId = NewArray<vtkTypeInt64Array>("TrackId", rows);
  auto otherTrackId = NewArray<vtkTypeInt64Array>("OtherTrackId", rows);
  for (vtkIdType r = 0; r < rows; ++r)
  {
    const scipar_tracking_event& event = result.events[r];
    step->SetValue(r, firstStep + event.step);
    time->SetValue(r, result.step_times[event.step]);
    kind->SetValue(r, scipar_event_kind_name(event.kind));
    trackId->SetValue(r, event.track);
    otherTrackId->SetValue(r, event.other_track);
  }
  output->AddColumn(step);
  output->AddColumn(time);
  output->AddColumn(kind);
  output->AddColumn(trackId);
  output->AddColumn(otherTrackId);
}
