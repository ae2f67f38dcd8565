#include "SciparGhosts.h"

#include "SciparInput.h"
#include "SciparMatch.h"

#include "vtkCellType.h"
#include "vtkDataArrayRange.h"
#include "vtkDataSetAttributes.h"
#include "vtkIdTypeArray.h"
#include "vtkPointData.h"
#include "vtkPointSet.h"
#include "vtkPolyData.h"
#include "vtkUnsignedCharArray.h"
#include "vtkUnstructuredGrid.h"

#include <algorithm>
#include <new>

namespace
{
const unsigned char GhostPoint = vtkDataSetAttributes::DUPLICATEPOINT | vtkDataSetAttributes::HIDDENPOINT;

// Whether `points` has cells joining several points, which the pieces of a mesh split by cells share.
bool JoinsPoints(vtkPointSet* points)
{
  if (auto* poly = vtkPolyData::SafeDownCast(points))
  {
    return poly->GetNumberOfLines() + poly->GetNumberOfPolys() + poly->GetNumberOfStrips() > 0;
  }
  if (auto* grid = vtkUnstructuredGrid::SafeDownCast(points))
  {
    vtkUnsignedCharArray* types = grid->GetCellTypesArray();
    if (!types)
    {
      return false;
    }
    const auto range = vtk::DataArrayValueRange<1>(types);
    return std::any_of(range.begin(), range.end(), [](unsigned char type) {
      return type != VTK_VERTEX && type != VTK_POLY_VERTEX && type != VTK_EMPTY_CELL;
    });
  }
  return points->GetNumberOfCells() > 0 && points->GetMaxCellSize() > 1; // structured grids
}

// Adds the ghost points of `flags` to the cloud's skip flags.
void MarkGhostPoints(vtkUnsignedCharArray* flags, scipar::CloudInput& cloud)
{
  const auto values = vtk::DataArrayValueRange<1>(flags);
  const auto isGhost = [](unsigned char value) { return (value & GhostPoint) != 0; };
  if (std::none_of(values.begin(), values.end(), isGhost))
  {
    return;
  }
  cloud.Skip.resize(static_cast<size_t>(values.size()), 0);
  std::transform(values.begin(), values.end(), cloud.Skip.begin(), cloud.Skip.begin(),
    [&](unsigned char value, unsigned char skip) {
      return static_cast<unsigned char>(skip | (isGhost(value) ? 1 : 0));
    });
  cloud.Cloud.skip = cloud.Skip.data();
}

// The piece's global point ids as the core's keys, when every process's piece has them (an empty
// piece may come without); null otherwise, and points are then matched by position. Collective.
const int64_t* SharedKeys(vtkPointSet* points)
{
  auto* ids = vtkIdTypeArray::SafeDownCast(points->GetPointData()->GetGlobalIds());
  const bool usable = ids && ids->GetNumberOfComponents() == 1 && sizeof(vtkIdType) == sizeof(int64_t) &&
    ids->GetNumberOfTuples() == points->GetNumberOfPoints();
  if (!scipar::AllProcessesAgree(usable || points->GetNumberOfPoints() == 0) || !usable)
  {
    return nullptr;
  }
  return reinterpret_cast<const int64_t*>(ids->GetPointer(0));
}
}

bool scipar::CheckGhostArray(vtkPointSet* points, const std::string& inputName, std::string& error)
{
  const char* name = vtkDataSetAttributes::GhostArrayName();
  vtkAbstractArray* array = points->GetPointData()->GetAbstractArray(name);
  if (!array || (vtkUnsignedCharArray::SafeDownCast(array) && array->GetNumberOfComponents() == 1))
  {
    return true;
  }
  error = inputName + " point array '" + name + "' (ghost point flags) is a " + array->GetClassName() +
    " with " + std::to_string(array->GetNumberOfComponents()) +
    " component(s): VTK reads ghost flags only as one component of unsigned char";
  return false;
}

bool scipar::SkipGhostPoints(vtkPointSet* points, CloudInput& cloud, std::string& error)
{
  vtkUnsignedCharArray* ghosts = points->GetPointData()->GetGhostArray();
  if (ghosts && ghosts->GetNumberOfTuples() == points->GetNumberOfPoints())
  {
    MarkGhostPoints(ghosts, cloud);
  }
  // Every process takes the same branches below: each test is agreed on by all.
  if (!RunsInParallel() || AnyProcess(ghosts != nullptr) || !AnyProcess(JoinsPoints(points)))
  {
    return true;
  }
  const int64_t* keys = SharedKeys(points);
  const size_t n = cloud.Cloud.num_points;
  cloud.Skip.resize(n, 0);
  switch (MarkSharedPoints(cloud.Cloud.points, keys, n, cloud.Skip.data()))
  {
    case SCIPAR_OK:
      cloud.Cloud.skip = n > 0 ? cloud.Skip.data() : nullptr;
      return true;
    case SCIPAR_ERROR_OUT_OF_MEMORY:
      throw std::bad_alloc();
    default:
      error = "the processes could not exchange the points their pieces share";
      return false;
  }
}
