// Turns a VTK point set and its cluster-id array into the flat arrays the scipar core reads.
#ifndef SciparInput_h
#define SciparInput_h

#include "scipar/scipar.h"

#include <cstdint>
#include <string>
#include <vector>

class vtkPointSet;

namespace scipar
{
/// One cloud in core layout. Points are borrowed from the VTK array when it already holds
/// interleaved doubles, and copied otherwise.
struct CloudInput
{
  std::vector<double> PointCopy;
  std::vector<int64_t> Labels;
  scipar_cloud Cloud{ nullptr, nullptr, 0 };
};

/// Fills `cloud` from `points` and its point-data array `arrayName`. On bad input returns false with
/// `error` naming `inputName`, the array and the problem.
bool ReadCloud(vtkPointSet* points, const std::string& arrayName, const std::string& inputName,
  CloudInput& cloud, std::string& error);
}

#endif
