#include "SciparComposite.h"

#include "vtkAppendFilter.h"
#include "vtkCompositeDataIterator.h"
#include "vtkCompositeDataSet.h"
#include "vtkNew.h"
#include "vtkPointData.h"
#include "vtkPointSet.h"
#include "vtkUnstructuredGrid.h"

#include <set>

namespace
{
std::set<std::string> PointArrayNames(vtkPointSet* points)
{
  std::set<std::string> names;
  for (int a = 0; a < points->GetPointData()->GetNumberOfArrays(); ++a)
  {
    const char* name = points->GetPointData()->GetArrayName(a);
    names.insert(name ? name : "");
  }
  return names;
}
}

vtkSmartPointer<vtkPointSet> scipar::MergeBlocks(
  vtkCompositeDataSet* input, const std::string& inputName, std::string& dropped, std::string& error)
{
  vtkNew<vtkAppendFilter> append; // appends the points even of blocks without cells
  append->MergePointsOff();
  std::set<std::string> names;
  vtkSmartPointer<vtkCompositeDataIterator> block;
  block.TakeReference(input->NewIterator());
  for (block->InitTraversal(); !block->IsDoneWithTraversal(); block->GoToNextItem())
  {
    vtkDataObject* data = block->GetCurrentDataObject();
    auto* points = vtkPointSet::SafeDownCast(data);
    if (!points)
    {
      error = inputName + " input: block " + std::to_string(block->GetCurrentFlatIndex()) + " of the " +
        input->GetClassName() + " is a " + data->GetClassName() +
        ", not a point set (polydata, unstructured grid, ...)";
      return nullptr;
    }
    if (points->GetNumberOfPoints() > 0)
    {
      append->AddInputData(points);
      const std::set<std::string> own = PointArrayNames(points);
      names.insert(own.begin(), own.end());
    }
  }
  vtkSmartPointer<vtkPointSet> merged = vtkSmartPointer<vtkUnstructuredGrid>::New();
  if (append->GetNumberOfInputConnections(0) > 0)
  {
    append->Update();
    merged->ShallowCopy(append->GetOutput());
  }
  const std::set<std::string> kept = PointArrayNames(merged);
  dropped.clear();
  for (const std::string& name : names)
  {
    if (!kept.count(name))
    {
      dropped += (dropped.empty() ? "" : ", ") + name;
    }
  }
  return merged;
}
