#include "SciparGenerated.h"

#include "vtkAbstractArray.h"
#include "vtkCellArray.h"
#include "vtkDataSetAttributes.h"
#include "vtkIdList.h"
#include "vtkNew.h"
#include "vtkPointData.h"
#include "vtkPoints.h"
#include "vtkPolyData.h"

#include <cstdlib>
#include <cstring>
#include <new>

namespace scipar
{
vtkSmartPointer<vtkDoubleArray> Vector3Array(const char* name, const double* values, size_t count)
{
  return CopiedArray<vtkDoubleArray>(name, values, count, 3);
}

void SetGeneratedCloud(const scipar_generated& cloud, vtkPolyData* output)
{
  const auto n = static_cast<vtkIdType>(cloud.num_points);
  vtkNew<vtkPoints> points;
  points->SetData(Vector3Array(nullptr, cloud.points, cloud.num_points));
  output->SetPoints(points);
  auto offsets = NewArray<vtkTypeInt64Array>(nullptr, n + 1);
  auto connectivity = NewArray<vtkTypeInt64Array>(nullptr, n);
  for (vtkIdType i = 0; i < n; ++i)
  {
    offsets->SetValue(i, i);
    connectivity->SetValue(i, i);
  }
  offsets->SetValue(n, n);
  vtkNew<vtkCellArray> verts;
  verts->SetData(offsets, connectivity);
  output->SetVerts(verts);
  output->GetPointData()->AddArray(Int64Array("ClusterId", cloud.labels, cloud.num_points));
  output->GetPointData()->SetActiveScalars("ClusterId");
}

namespace
{
// `in`'s tuples at `index`. Arrays stored as one contiguous block of tuples (every numeric array
// VTK readers make) are copied into memory from malloc; others (strings, bits, implicit arrays) are
// rare in point clouds and left to VTK's own copy.
vtkSmartPointer<vtkAbstractArray> Gather(vtkAbstractArray* in, const int64_t* index, size_t count)
{
  vtkSmartPointer<vtkAbstractArray> out = vtkSmartPointer<vtkAbstractArray>::Take(in->NewInstance());
  out->SetName(in->GetName());
  out->SetNumberOfComponents(in->GetNumberOfComponents());
  out->CopyComponentNames(in);
  const auto n = static_cast<vtkIdType>(count);
  if (in->GetArrayType() != vtkAbstractArray::AoSDataArrayTemplate)
  {
    vtkNew<vtkIdList> from, to;
    from->SetNumberOfIds(n);
    to->SetNumberOfIds(n);
    for (vtkIdType i = 0; i < n; ++i)
    {
      from->SetId(i, static_cast<vtkIdType>(index[i]));
      to->SetId(i, i);
    }
    out->InsertTuples(to, from, in);
    return out;
  }
  const size_t tuple = static_cast<size_t>(in->GetNumberOfComponents()) * static_cast<size_t>(in->GetDataTypeSize());
  if (tuple > 0 && count > SIZE_MAX / tuple)
  {
    throw std::bad_alloc();
  }
  auto* memory = static_cast<char*>(std::malloc(count * tuple > 0 ? count * tuple : 1));
  if (!memory)
  {
    throw std::bad_alloc();
  }
  const auto* from = static_cast<const char*>(in->GetVoidPointer(0));
  for (size_t i = 0; i < count; ++i)
  {
    std::memcpy(memory + i * tuple, from + static_cast<size_t>(index[i]) * tuple, tuple);
  }
  out->SetVoidArray(memory, n * in->GetNumberOfComponents(), 0, vtkAbstractArray::VTK_DATA_ARRAY_FREE);
  return out;
}
}

void GatherArrays(vtkDataSetAttributes* in, const int64_t* index, size_t count, const char* skip,
  vtkDataSetAttributes* out)
{
  for (int a = 0; a < in->GetNumberOfArrays(); ++a)
  {
    vtkAbstractArray* array = in->GetAbstractArray(a);
    if (array->GetName() && skip && std::strcmp(array->GetName(), skip) == 0)
    {
      continue;
    }
    out->AddArray(Gather(array, index, count));
    const int role = in->IsArrayAnAttribute(a);
    if (role >= 0 && array->GetName())
    {
      out->SetActiveAttribute(array->GetName(), role);
    }
  }
}
}
