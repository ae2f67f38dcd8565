// The sources' output (Gaussian Clusters, Next Frame, Moving Clusters): a generated cloud as VTK
// data. Every array is allocated through SciparArrays.h, so running out of memory throws
// std::bad_alloc, which each source turns into its "out of memory" error, instead of VTK's abort.
#ifndef SciparGenerated_h
#define SciparGenerated_h

#include "SciparArrays.h"

#include "scipar/generate.h"

#include "vtkDoubleArray.h"
#include "vtkSmartPointer.h"

#include <cstddef>
#include <cstdint>

class vtkDataSetAttributes;
class vtkPolyData;

namespace scipar
{
/// A 3-component double array named `name` holding `count` x y z triples.
vtkSmartPointer<vtkDoubleArray> Vector3Array(const char* name, const double* values, size_t count);

/// The cloud's points, one vertex cell per point, and its labels as ClusterId (active scalars).
void SetGeneratedCloud(const scipar_generated& cloud, vtkPolyData* output);

/// Every array of `in` but the one named `skip`, at the `count` tuples `index` lists, added to `out`
/// with the same names, types, components and attribute roles (the kept points' input arrays).
void GatherArrays(vtkDataSetAttributes* in, const int64_t* index, size_t count, const char* skip,
  vtkDataSetAttributes* out);
}

#endif
