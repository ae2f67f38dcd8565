// Turns a scipar core result into the filter's VTK outputs.
#ifndef SciparOutput_h
#define SciparOutput_h

#include "scipar/scipar.h"

#include <string>

class vtkDataArray;
class vtkDataObject;
class vtkPointSet;
class vtkPolyData;
class vtkTable;
class vtkUnstructuredGrid;

namespace scipar
{
/// `output` gets the points and point arrays of `input`, one poly-vertex cell per cluster of `side`,
/// on points and cells ClusterId, PairId, PairDistance, Mutual and PairIndex, and on cells Centroid.
/// `labels` holds the input's cluster ids (from its array `clusterArrayName`), one per point, and
/// becomes the point ClusterId (values shared, not copied); `other` is the side of the other cloud.
/// Per-point values are filled on `numThreads` threads. An input point array with an output array's
/// name is kept as "<name>_input".
void BuildClusterGrid(vtkPointSet* input, const std::string& clusterArrayName, vtkDataArray* labels,
  const scipar_side& side, const scipar_side& other, int numThreads, vtkUnstructuredGrid* output);

/// One row per pair: SourceId, TargetId, Distance, SourceToTarget, TargetToSource, Mutual,
/// SourcePoints, TargetPoints, SourceCentroid, TargetCentroid.
void BuildPairsTable(const scipar_result& result, vtkTable* output);

/// One line per row of the pairs table, from the source cluster's centroid to the target cluster's,
/// with cell data Distance, Mutual, PairIndex (the row in the whole table), SourceId and TargetId.
void BuildPairLinks(const scipar_result& result, vtkPolyData* output);

/// Field data saying how the result was computed: ChamferMetric, SquaredDistances, NumberOfThreads,
/// WallTimeSeconds and CPUTimeSeconds (their ratio is the parallel speed-up).
void AddRunInformation(const scipar_result& result, const scipar_options& options, vtkDataObject* output);
}

#endif
