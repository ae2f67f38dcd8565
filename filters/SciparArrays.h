// VTK arrays whose allocation can fail cleanly.
//
// VTK's own allocation (SetNumberOfTuples, Allocate, Resize, vtkPoints::SetNumberOfPoints,
// vtkCellArray::AllocateExact) calls abort() when memory runs out in this ParaView build: Debian
// compiles VTK without NDEBUG, and vtkGenericDataArray then aborts instead of throwing. Arrays made
// here take memory from malloc and hand it to VTK, which frees it; a failure throws std::bad_alloc,
// which the filter and scipar-match turn into an "out of memory" error.
#ifndef SciparArrays_h
#define SciparArrays_h

#include "vtkDoubleArray.h"
#include "vtkSmartPointer.h"
#include "vtkType.h"
#include "vtkTypeInt64Array.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>

namespace scipar
{
/// A new array named `name` (may be null) of `tuples` tuples of `components` values, uninitialised.
/// Throws std::bad_alloc when the memory cannot be had or the size cannot be addressed.
template <typename ArrayT>
vtkSmartPointer<ArrayT> NewArray(const char* name, vtkIdType tuples, int components = 1)
{
  using ValueT = typename ArrayT::ValueType;
  if (tuples < 0 || components < 1 ||
    static_cast<uint64_t>(tuples) > SIZE_MAX / sizeof(ValueT) / static_cast<uint64_t>(components))
  {
    throw std::bad_alloc();
  }
  const size_t values = static_cast<size_t>(tuples) * static_cast<size_t>(components);
  void* memory = std::malloc(values > 0 ? values * sizeof(ValueT) : 1);
  if (!memory)
  {
    throw std::bad_alloc();
  }
  auto array = vtkSmartPointer<ArrayT>::New();
  array->SetName(name);
  array->SetNumberOfComponents(components);
  array->SetArray(static_cast<ValueT*>(memory), static_cast<vtkIdType>(values), 0, ArrayT::VTK_DATA_ARRAY_FREE);
  return array;
}
/// A new array named `name` holding a copy of `tuples` tuples of `components` values at `values`.
/// Throws std::bad_alloc as NewArray does.
template <typename ArrayT, typename T>
vtkSmartPointer<ArrayT> CopiedArray(const char* name, const T* values, size_t tuples, int components = 1)
{
  if (tuples > static_cast<uint64_t>(VTK_ID_MAX))
  {
    throw std::bad_alloc();
  }
  auto array = NewArray<ArrayT>(name, static_cast<vtkIdType>(tuples), components);
  std::copy(values, values + tuples * static_cast<size_t>(components), array->GetPointer(0));
  return array;
}

inline vtkSmartPointer<vtkTypeInt64Array> Int64Array(const char* name, const int64_t* values, size_t count)
{
  return CopiedArray<vtkTypeInt64Array>(name, values, count);
}

inline vtkSmartPointer<vtkDoubleArray> DoubleArray(const char* name, const double* values, size_t count)
{
  return CopiedArray<vtkDoubleArray>(name, values, count);
}
}

#endif
