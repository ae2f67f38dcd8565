#include "SciparInput.h"

#include "SciparArrays.h"

#include "vtkArrayDispatch.h"
#include "vtkDataArray.h"
#include "vtkDataArrayRange.h"
#include "vtkDoubleArray.h"
#include "vtkNew.h"
#include "vtkPointData.h"
#include "vtkPointSet.h"
#include "vtkPoints.h"
#include "vtkTypeInt64Array.h"

#include <cmath>
#include <limits>
#include <sstream>
#include <type_traits>

namespace
{
// Converts cluster ids of any numeric type to int64. Floating-point ids are accepted when every value
// is an integer that int64 can hold, since many readers (CSV, some simulation codes) store ids as floats.
struct LabelConverter
{
  vtkTypeInt64Array* Labels = nullptr;
  std::string Problem;

  template <typename ArrayT>
  void operator()(ArrayT* array)
  {
    using ValueT = vtk::GetAPIType<ArrayT>;
    const auto values = vtk::DataArrayValueRange<1>(array);
    vtkTypeInt64* labels = Labels->GetPointer(0); // as many values as the array
    vtkIdType i = 0;
    for (const ValueT value : values)
    {
      if (!this->Convert(value, labels[i]))
      {
        std::ostringstream text;
        text << "value " << +value << " at point " << i << " is not an integer that fits in 64 bits";
        this->Problem = text.str();
        return;
      }
      ++i;
    }
  }

  template <typename ValueT>
  static bool Convert(ValueT value, vtkTypeInt64& label)
  {
    if constexpr (std::is_floating_point<ValueT>::value)
    {
      // 2^63 is exactly representable; every double in [-2^63, 2^63) converts without overflow.
      const double limit = 9223372036854775808.0;
      const double v = static_cast<double>(value);
      if (!std::isfinite(v) || std::floor(v) != v || v < -limit || v >= limit)
      {
        return false;
      }
    }
    else if constexpr (std::is_unsigned<ValueT>::value && sizeof(ValueT) >= sizeof(int64_t))
    {
      if (value > static_cast<ValueT>(std::numeric_limits<int64_t>::max()))
      {
        return false;
      }
    }
    label = static_cast<vtkTypeInt64>(value);
    return true;
  }
};

// Whether the array's values are already what the core reads: contiguous 64-bit signed integers.
bool IsContiguousInt64(vtkDataArray* array)
{
  switch (array->GetDataType())
  {
    case VTK_LONG:
    case VTK_LONG_LONG:
    case VTK_ID_TYPE:
      return array->GetDataTypeSize() == 8 && array->HasStandardMemoryLayout();
    default:
      return false;
  }
}

struct PointCopier
{
  std::vector<double>* Copy = nullptr;

  template <typename ArrayT>
  void operator()(ArrayT* array)
  {
    const auto tuples = vtk::DataArrayTupleRange<3>(array);
    Copy->resize(3 * static_cast<size_t>(tuples.size()));
    size_t i = 0;
    for (const auto tuple : tuples)
    {
      for (const auto component : tuple)
      {
        (*Copy)[i++] = static_cast<double>(component);
      }
    }
  }
};

// The names of the point-data arrays, for an error about a missing one.
std::string PointArrayNames(vtkPointData* data)
{
  std::string names;
  for (int a = 0; a < data->GetNumberOfArrays(); ++a)
  {
    const char* name = data->GetArrayName(a);
    names += (names.empty() ? "" : ", ") + std::string(name ? name : "(unnamed)");
  }
  return names.empty() ? "none" : names;
}
}

const double* scipar::PointCoordinates(vtkPointSet* points, std::vector<double>& copy)
{
  if (points->GetNumberOfPoints() == 0)
  {
    return nullptr;
  }
  vtkDataArray* coordinates = points->GetPoints()->GetData();
  if (auto* doubles = vtkDoubleArray::SafeDownCast(coordinates))
  {
    return doubles->GetPointer(0);
  }
  PointCopier copier{ &copy };
  if (!vtkArrayDispatch::Dispatch::Execute(coordinates, copier))
  {
    copier(coordinates);
  }
  return copy.data();
}

size_t scipar::SkipLabel(CloudInput& cloud, int64_t label)
{
  const size_t n = cloud.Cloud.num_points;
  size_t flagged = 0;
  for (size_t i = 0; i < n; ++i)
  {
    if (cloud.Cloud.labels[i] == label)
    {
      if (cloud.Skip.empty())
      {
        cloud.Skip.assign(n, 0);
      }
      flagged += cloud.Skip[i] == 0;
      cloud.Skip[i] = 1;
    }
  }
  cloud.Cloud.skip = cloud.Skip.empty() ? nullptr : cloud.Skip.data();
  return flagged;
}

bool scipar::ReadCloud(vtkPointSet* points, const std::string& arrayName, const std::string& inputName,
  CloudInput& cloud, std::string& error)
{
  const vtkIdType numPoints = points->GetNumberOfPoints();
  const std::string where = inputName + " cluster array '" + arrayName + "'";
  if (arrayName.empty())
  {
    error = inputName + " input: no cluster array is selected";
    return false;
  }
  vtkAbstractArray* found = points->GetPointData()->GetAbstractArray(arrayName.c_str());
  vtkDataArray* clusterIds = vtkDataArray::SafeDownCast(found);
  if (!found && numPoints == 0)
  {
    // An empty piece (a process of a parallel run with no points) often carries no arrays at all.
    cloud.Cloud = scipar_cloud{ nullptr, nullptr, 0, nullptr };
    return true;
  }
  if (!clusterIds)
  {
    error = where +
      (found ? " is not numeric"
             : " is not a point-data array of the input (its point arrays: " +
            PointArrayNames(points->GetPointData()) + ")");
    return false;
  }
  if (clusterIds->GetNumberOfComponents() != 1)
  {
    error = where + " has " + std::to_string(clusterIds->GetNumberOfComponents()) +
      " components; cluster ids need exactly one";
    return false;
  }
  if (clusterIds->GetNumberOfTuples() != numPoints)
  {
    error = where + " has " + std::to_string(clusterIds->GetNumberOfTuples()) + " values for " +
      std::to_string(numPoints) + " points: it must be a point-data array";
    return false;
  }

  if (IsContiguousInt64(clusterIds))
  {
    cloud.Labels = clusterIds; // read as it is: the usual case needs no conversion
  }
  else
  {
    auto converted = scipar::NewArray<vtkTypeInt64Array>(nullptr, clusterIds->GetNumberOfTuples());
    LabelConverter labels;
    labels.Labels = converted;
    if (!vtkArrayDispatch::Dispatch::Execute(clusterIds, labels))
    {
      labels(clusterIds);
    }
    if (!labels.Problem.empty())
    {
      error = where + ": " + labels.Problem;
      return false;
    }
    cloud.Labels = converted;
  }

  const double* xyz = scipar::PointCoordinates(points, cloud.PointCopy);
  cloud.Cloud = scipar_cloud{ xyz, static_cast<const int64_t*>(cloud.Labels->GetVoidPointer(0)),
    static_cast<size_t>(numPoints), nullptr };
  return true;
}
