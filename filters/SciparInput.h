// Turns a VTK point set and its cluster-id array into the flat arrays the scipar core reads.
#ifndef SciparInput_h
#define SciparInput_h

#include "scipar/scipar.h"

#include "vtkDataArray.h"
#include "vtkSmartPointer.h"

#include <string>
#include <vector>

class vtkPointSet;

namespace scipar
{
/// One cloud in core layout. Points are borrowed from the VTK array when it already holds
/// interleaved doubles, and copied otherwise. Labels is a contiguous array of 64-bit signed cluster
/// ids, one per point: the input's own array when it is one (never modified), a converted copy
/// otherwise; null for an empty piece without the array.
struct CloudInput
{
  std::vector<double> PointCopy;
  vtkSmartPointer<vtkDataArray> Labels;
  /// One flag per point, non-zero for a point that takes no part (a ghost point, ...); empty when
  /// none is skipped. Cloud.skip points to it when it is not empty.
  std::vector<unsigned char> Skip;
  scipar_cloud Cloud{ nullptr, nullptr, 0, nullptr };
};

/// The coordinates of `points` as interleaved doubles: the VTK array itself when it holds them already,
/// else a copy made into `copy`. Null for no points.
const double* PointCoordinates(vtkPointSet* points, std::vector<double>& copy);

/// Flags the points of `cloud` whose cluster id is `label` to take no part (points of no cluster,
/// such as Euclidean Clusters' -1), in addition to any flagged already. Returns how many it flagged.
size_t SkipLabel(CloudInput& cloud, int64_t label);

/// Fills `cloud` from `points` and its point-data array `arrayName`. On bad input returns false with
/// `error` naming `inputName`, the array and the problem.
bool ReadCloud(vtkPointSet* points, const std::string& arrayName, const std::string& inputName,
  CloudInput& cloud, std::string& error);
}

#endif
