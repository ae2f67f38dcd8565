// Turns a scipar tracking result into the Cluster Tracking filter's VTK outputs.
#ifndef SciparTrackingOutput_h
#define SciparTrackingOutput_h

#include "scipar/tracking.h"

#include <cstdint>
#include <string>

class vtkDataArray;
class vtkPointSet;
class vtkPolyData;
class vtkTable;
class vtkUnstructuredGrid;

namespace scipar
{
/// `output` gets the points and every point array of `input` (tracked step `step` of `result`), one
/// poly-vertex cell per cluster with points, and on points and cells TrackId and LinkDistance, on
/// cells ClusterId (the cluster's id in the input). `trackId`, `linkDistance` and `clusterIndex` are
/// the per-point values scipar_tracking_step_values gave. An input point array named TrackId or
/// LinkDistance is kept as "<name>_input".
void BuildTrackedClusters(vtkPointSet* input, const scipar_tracking_result& result, size_t step,
  const int64_t* trackId, const double* linkDistance, const int64_t* clusterIndex, vtkUnstructuredGrid* output);

/// One polyline per track through its clusters' centroids in time order: point data Time, Step,
/// ClusterId, PointCount; cell data TrackId, StartStep, EndStep, ParentTrackId, MergedIntoTrackId,
/// PathLength, MeanSpeed. Steps are the input's step indices: the result's step plus `firstStep`.
void BuildTracks(const scipar_tracking_result& result, int64_t firstStep, vtkPolyData* output);

/// One row per event: Step (input step index, as above), Time, Kind (birth, death, split, merge,
/// gap), TrackId, OtherTrackId.
void BuildEvents(const scipar_tracking_result& result, int64_t firstStep, vtkTable* output);
}

#endif
