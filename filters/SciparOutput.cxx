#include "SciparOutput.h"

#include "SciparArrays.h"

#include "vtkCellArray.h"
#include "vtkCellData.h"
#include "vtkDataSetAttributes.h"
#include "vtkDoubleArray.h"
#include "vtkFieldData.h"
#include "vtkIntArray.h"
#include "vtkNew.h"
#include "vtkPointData.h"
#include "vtkPointSet.h"
#include "vtkPolyData.h"
#include "vtkSmartPointer.h"
#include "vtkPoints.h"
#include "vtkStringArray.h"
#include "vtkTable.h"
#include "vtkTypeInt64Array.h"
#include "vtkUnsignedCharArray.h"
#include "vtkUnstructuredGrid.h"

#include <algorithm>
#include <string>
#include <vector>

namespace
{
using scipar::Int64Array;
using scipar::NewArray;

// The core writes int64_t; vtkTypeInt64Array holds the same 64-bit signed integers.
int64_t* Int64Values(vtkTypeInt64Array* array)
{
  static_assert(sizeof(vtkTypeInt64) == sizeof(int64_t), "vtkTypeInt64 is 64 bits");
  return reinterpret_cast<int64_t*>(array->GetPointer(0));
}

// Adds clusterIds (renamed ClusterId, sharing its values) and PairId, PairDistance, Mutual and
// PairIndex for `count` items (points or cells) where item i belongs to the side's cluster
// clusterOf[i] (-1: none). The core fills them on numThreads threads.
void AddPairArrays(vtkDataSetAttributes* attributes, vtkDataArray* clusterIds, const int64_t* clusterOf,
  vtkIdType count, const scipar_side& side, const scipar_side& other, int numThreads)
{
  vtkSmartPointer<vtkDataArray> clusterId = vtk::TakeSmartPointer(clusterIds->NewInstance());
  clusterId->ShallowCopy(clusterIds);
  clusterId->SetName("ClusterId");
  auto pairId = NewArray<vtkTypeInt64Array>("PairId", count);
  auto pairDistance = NewArray<vtkDoubleArray>("PairDistance", count);
  auto mutual = NewArray<vtkUnsignedCharArray>("Mutual", count);
  auto pairIndex = NewArray<vtkTypeInt64Array>("PairIndex", count);
  scipar_pair_values(&side, &other, clusterOf, static_cast<size_t>(count), numThreads,
    Int64Values(pairId), pairDistance->GetPointer(0), mutual->GetPointer(0), Int64Values(pairIndex));
  attributes->AddArray(clusterId);
  attributes->AddArray(pairId);
  attributes->AddArray(pairDistance);
  attributes->AddArray(mutual);
  attributes->AddArray(pairIndex);
}

vtkSmartPointer<vtkDoubleArray> Vector3Array(const char* name, vtkIdType count)
{
  return NewArray<vtkDoubleArray>(name, count, 3);
}
}

namespace
{
// Input point arrays named like an output array would be replaced by it: they reach the output under
// "<name>_input" instead. The input's own ClusterId array, when it is the cluster array, is replaced by
// the same ids as int64. The renamed array is a new array object, so the input's is not touched.
void KeepCollidingInputArrays(vtkPointData* pointData, const std::string& clusterArrayName)
{
  for (const char* name : { "ClusterId", "PairId", "PairDistance", "Mutual", "PairIndex" })
  {
    vtkAbstractArray* collision = pointData->GetAbstractArray(name);
    if (!collision || (clusterArrayName == name))
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

void scipar::BuildClusterGrid(vtkPointSet* input, const std::string& clusterArrayName,
  vtkDataArray* labels, const scipar_side& side, const scipar_side& other, int numThreads,
  vtkUnstructuredGrid* output)
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
  KeepCollidingInputArrays(output->GetPointData(), clusterArrayName);

  // One cell per cluster with points here: in a distributed run, the side lists every cluster of
  // every process, and a cluster without local points has an empty range.
  const size_t k = side.num_clusters;
  std::vector<int64_t> present;
  std::vector<int64_t> offsets(1, 0);
  for (size_t c = 0; c < k; ++c)
  {
    if (side.cluster_offsets[c + 1] > side.cluster_offsets[c])
    {
      present.push_back(static_cast<int64_t>(c));
      offsets.push_back(side.cluster_offsets[c + 1]);
    }
  }
  const auto numCells = static_cast<vtkIdType>(present.size());
  vtkNew<vtkCellArray> cells;
  cells->SetData(Int64Array("Offsets", offsets.data(), offsets.size()),
    Int64Array("Connectivity", side.cluster_point_ids, static_cast<size_t>(side.cluster_offsets[k])));
  auto types = NewArray<vtkUnsignedCharArray>(nullptr, numCells);
  std::fill_n(types->GetPointer(0), numCells, static_cast<unsigned char>(VTK_POLY_VERTEX));
  output->SetCells(types, cells);

  vtkNew<vtkTypeInt64Array> noLabels; // an empty piece may come without its cluster array
  AddPairArrays(output->GetPointData(), labels ? labels : noLabels.GetPointer(), side.point_cluster,
    numPoints, side, other, numThreads);
  auto cellIds = NewArray<vtkTypeInt64Array>("ClusterId", numCells);
  for (vtkIdType cell = 0; cell < numCells; ++cell)
  {
    cellIds->SetValue(cell, side.cluster_ids[present[cell]]);
  }
  AddPairArrays(output->GetCellData(), cellIds, present.data(), numCells, side, other, numThreads);
  auto centroids = Vector3Array("Centroid", numCells);
  for (vtkIdType cell = 0; cell < numCells; ++cell)
  {
    centroids->SetTuple(cell, side.centroids + 3 * present[cell]);
  }
  output->GetCellData()->AddArray(centroids);
  // ParaView colours a new display by the active scalars: PairIndex gives matched clusters one colour.
  output->GetPointData()->SetActiveScalars("PairIndex");
  output->GetCellData()->SetActiveScalars("PairIndex");
}

void scipar::BuildPairsTable(const scipar_result& result, vtkTable* output)
{
  const auto rows = static_cast<vtkIdType>(result.num_pairs);
  auto sourceId = NewArray<vtkTypeInt64Array>("SourceId", rows);
  auto targetId = NewArray<vtkTypeInt64Array>("TargetId", rows);
  auto distance = NewArray<vtkDoubleArray>("Distance", rows);
  auto sourceToTarget = NewArray<vtkUnsignedCharArray>("SourceToTarget", rows);
  auto targetToSource = NewArray<vtkUnsignedCharArray>("TargetToSource", rows);
  auto mutual = NewArray<vtkUnsignedCharArray>("Mutual", rows);
  auto sourcePoints = NewArray<vtkTypeInt64Array>("SourcePoints", rows);
  auto targetPoints = NewArray<vtkTypeInt64Array>("TargetPoints", rows);
  auto sourceCentroid = Vector3Array("SourceCentroid", rows);
  auto targetCentroid = Vector3Array("TargetCentroid", rows);
  for (vtkIdType r = 0; r < rows; ++r)
  {
    const scipar_pair& pair = result.pairs[r];
    sourceId->SetValue(r, result.source.cluster_ids[pair.source]);
    targetId->SetValue(r, result.target.cluster_ids[pair.target]);
    distance->SetValue(r, pair.distance);
    sourceToTarget->SetValue(r, pair.source_to_target);
    targetToSource->SetValue(r, pair.target_to_source);
    mutual->SetValue(r, pair.mutual);
    sourcePoints->SetValue(r, result.source.cluster_sizes[pair.source]);
    targetPoints->SetValue(r, result.target.cluster_sizes[pair.target]);
    sourceCentroid->SetTuple(r, result.source.centroids + 3 * pair.source);
    targetCentroid->SetTuple(r, result.target.centroids + 3 * pair.target);
  }
  output->AddColumn(sourceId);
  output->AddColumn(targetId);
  output->AddColumn(distance);
  output->AddColumn(sourceToTarget);
  output->AddColumn(targetToSource);
  output->AddColumn(mutual);
  output->AddColumn(sourcePoints);
  output->AddColumn(targetPoints);
  output->AddColumn(sourceCentroid);
  output->AddColumn(targetCentroid);
}

void scipar::BuildPairLinks(const scipar_result& result, vtkPolyData* output)
{
  const auto rows = static_cast<vtkIdType>(result.num_pairs);
  vtkNew<vtkPoints> ends;
  ends->SetData(Vector3Array("Points", 2 * rows));
  auto lineOffsets = NewArray<vtkTypeInt64Array>("Offsets", rows + 1);
  auto lineEnds = NewArray<vtkTypeInt64Array>("Connectivity", 2 * rows);
  lineOffsets->SetValue(0, 0);
  auto distance = NewArray<vtkDoubleArray>("Distance", rows);
  auto mutual = NewArray<vtkUnsignedCharArray>("Mutual", rows);
  auto pairIndex = NewArray<vtkTypeInt64Array>("PairIndex", rows);
  auto sourceId = NewArray<vtkTypeInt64Array>("SourceId", rows);
  auto targetId = NewArray<vtkTypeInt64Array>("TargetId", rows);
  for (vtkIdType r = 0; r < rows; ++r)
  {
    const scipar_pair& pair = result.pairs[r];
    ends->SetPoint(2 * r, result.source.centroids + 3 * pair.source);
    ends->SetPoint(2 * r + 1, result.target.centroids + 3 * pair.target);
    lineEnds->SetValue(2 * r, 2 * r);
    lineEnds->SetValue(2 * r + 1, 2 * r + 1);
    lineOffsets->SetValue(r + 1, 2 * r + 2);
    distance->SetValue(r, pair.distance);
    mutual->SetValue(r, pair.mutual);
    pairIndex->SetValue(r, result.first_pair + r);
    sourceId->SetValue(r, result.source.cluster_ids[pair.source]);
    targetId->SetValue(r, result.target.cluster_ids[pair.target]);
  }
  vtkNew<vtkCellArray> lines;
  lines->SetData(lineOffsets, lineEnds);
  output->SetPoints(ends);
  output->SetLines(lines);
  vtkCellData* cells = output->GetCellData();
  cells->AddArray(distance);
  cells->AddArray(mutual);
  cells->AddArray(pairIndex);
  cells->AddArray(sourceId);
  cells->AddArray(targetId);
  // No active scalars: ParaView then draws the links in one colour (the GUI makes it black and
  // thick), not in each pair's colour, in which they vanish among the pair's points.
}

void scipar::AddRunInformation(
  const scipar_result& result, const scipar_options& options, vtkDataObject* output)
{
  vtkFieldData* fields = output->GetFieldData();
  vtkNew<vtkStringArray> metric;
  metric->SetName("ChamferMetric");
  metric->InsertNextValue(scipar_metric_name(options.metric));
  fields->AddArray(metric);

  auto squared = NewArray<vtkIntArray>("SquaredDistances", 1);
  squared->SetValue(0, options.squared ? 1 : 0);
  fields->AddArray(squared);
  auto threads = NewArray<vtkIntArray>("NumberOfThreads", 1);
  threads->SetValue(0, result.num_threads);
  fields->AddArray(threads);
  auto wall = NewArray<vtkDoubleArray>("WallTimeSeconds", 1);
  wall->SetValue(0, result.wall_seconds);
  fields->AddArray(wall);
  auto cpu = NewArray<vtkDoubleArray>("CPUTimeSeconds", 1);
  cpu->SetValue(0, result.cpu_seconds);
  fields->AddArray(cpu);
}
