// Composite inputs (multiblock or partitioned datasets of point sets, as readers of multi-piece
// files and many ParaView filters give) are matched as the one cloud their blocks make together.
#ifndef SciparComposite_h
#define SciparComposite_h

#include "vtkSmartPointer.h"

#include <string>

class vtkCompositeDataSet;
class vtkPointSet;

namespace scipar
{
/// The points of every non-empty block of `input`, in the blocks' order, as one unstructured grid
/// (no cells) with the point arrays that every block has; `dropped` names the point arrays that
/// only some blocks have (left out). Null with `error` set when a block is not a point set.
vtkSmartPointer<vtkPointSet> MergeBlocks(
  vtkCompositeDataSet* input, const std::string& inputName, std::string& dropped, std::string& error);
}

#endif
