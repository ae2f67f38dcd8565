#include "SciparPairLabels.h"

#include "vtkDataObject.h"
#include "vtkFieldData.h"
#include "vtkNew.h"
#include "vtkStringArray.h"

std::string scipar::PairLabels(const scipar_result& result)
{
  std::string labels;
  for (size_t row = 0; row < result.num_pairs; ++row)
  {
    const scipar_pair& pair = result.pairs[row];
    labels += std::to_string(result.source.cluster_ids[pair.source]) + " -> " +
      std::to_string(result.target.cluster_ids[pair.target]) + "\n";
  }
  return labels;
}

void scipar::AddPairLabels(const std::string& labels, vtkDataObject* output)
{
  vtkNew<vtkStringArray> array;
  array->SetName("PairLabels");
  array->InsertNextValue(labels);
  output->GetFieldData()->AddArray(array);
}
