#include "vtkEuclideanClusters.h"

#include "SciparInput.h"
#include "scipar/clustering.h"

#include "vtkDoubleArray.h"
#include "vtkFieldData.h"
#include "vtkIdTypeArray.h"
#include "vtkInformation.h"
#include "vtkInformationVector.h"
#include "vtkIntArray.h"
#include "vtkMultiProcessController.h"
#include "vtkNew.h"
#include "vtkObjectFactory.h"
#include "vtkPointData.h"
#include "vtkPointSet.h"
#include "vtkTypeInt64Array.h"

#include <string>
#include <vector>

vtkStandardNewMacro(vtkEuclideanClusters);

namespace
{
const char* const ClusterIdName = "ClusterId";

int ForwardProgress(double fraction, void* self)
{
  auto* filter = static_cast<vtkEuclideanClusters*>(self);
  filter->UpdateProgress(fraction);
  return filter->GetAbortExecute() ? 1 : 0;
}

struct ClusteringResult : scipar_clustering_result
{
  ClusteringResult() : scipar_clustering_result{} {}
  ~ClusteringResult() { scipar_clustering_result_free(this); }
  ClusteringResult(const ClusteringResult&) = delete;
  ClusteringResult& operator=(const ClusteringResult&) = delete;
};

// The core's per-point ids become the ClusterId array without a copy: VTK frees them with free().
vtkSmartPointer<vtkTypeInt64Array> TakeClusterIds(ClusteringResult& result)
{
  auto ids = vtkSmartPointer<vtkTypeInt64Array>::New();
  ids->SetName(ClusterIdName);
  ids->SetArray(reinterpret_cast<vtkTypeInt64*>(result.cluster_ids), static_cast<vtkIdType>(result.num_points),
    0, vtkTypeInt64Array::VTK_DATA_ARRAY_FREE);
  result.cluster_ids = nullptr;
  return ids;
}

template <typename ArrayT, typename ValueT>
void AddFieldValue(vtkFieldData* fields, const char* name, ValueT value)
{
  vtkNew<ArrayT> array;
  array->SetName(name);
  array->InsertNextValue(value);
  fields->AddArray(array);
}

void AddRunInformation(const ClusteringResult& result, vtkPointSet* output)
{
  vtkFieldData* fields = output->GetFieldData();
  vtkNew<vtkIdTypeArray> sizes;
  sizes->SetName("ClusterSize");
  sizes->SetNumberOfValues(static_cast<vtkIdType>(result.num_clusters));
  for (size_t k = 0; k < result.num_clusters; ++k)
  {
    sizes->SetValue(static_cast<vtkIdType>(k), result.cluster_sizes[k]);
  }
  fields->AddArray(sizes);
  AddFieldValue<vtkIdTypeArray>(fields, "NoisePoints",
    static_cast<vtkIdType>(result.num_noise_points + result.num_excluded_points));
  AddFieldValue<vtkIntArray>(fields, "NumberOfThreads", result.num_threads);
  AddFieldValue<vtkDoubleArray>(fields, "WallTimeSeconds", result.wall_seconds);
  AddFieldValue<vtkDoubleArray>(fields, "CPUTimeSeconds", result.cpu_seconds);
}

// The output's point arrays: the input's, an input ClusterId renamed ClusterId_input, and the ids.
void AttachClusterIds(vtkPointSet* output, vtkTypeInt64Array* ids)
{
  vtkPointData* points = output->GetPointData();
  if (vtkAbstractArray* old = points->GetAbstractArray(ClusterIdName))
  {
    vtkSmartPointer<vtkAbstractArray> renamed = vtk::TakeSmartPointer(old->NewInstance());
    if (auto* data = vtkDataArray::SafeDownCast(renamed))
    {
      data->ShallowCopy(vtkDataArray::SafeDownCast(old));
    }
    else
    {
      renamed->DeepCopy(old);
    }
    renamed->SetName((std::string(ClusterIdName) + "_input").c_str());
    points->RemoveArray(ClusterIdName);
    points->AddArray(renamed);
  }
  points->AddArray(ids);
  points->SetActiveScalars(ClusterIdName);
}

void WarnAboutResult(vtkAlgorithm* self, const ClusteringResult& result, double radius)
{
  if (result.num_excluded_points > 0)
  {
    vtkWarningWithObjectMacro(self, << result.num_excluded_points
                                    << " points with a NaN or infinite coordinate were left out (ClusterId -1)");
  }
  if (result.num_clusters == 0 && result.num_points > 0)
  {
    vtkWarningWithObjectMacro(self, << "No cluster found among " << result.num_points
                                    << " points with Radius " << radius
                                    << ": every point has ClusterId -1. Try a larger Radius, a "
                                       "smaller Min Neighbors or Min Cluster Size, or a larger Max "
                                       "Cluster Size.");
  }
}
}

int vtkEuclideanClusters::RequestData(vtkInformation*, vtkInformationVector** inputs, vtkInformationVector* outputs)
{
  vtkPointSet* input = vtkPointSet::GetData(inputs[0], 0);
  vtkPointSet* output = vtkPointSet::GetData(outputs, 0);
  vtkMultiProcessController* controller = vtkMultiProcessController::GetGlobalController();
  if (controller && controller->GetNumberOfProcesses() > 1)
  {
    vtkErrorMacro(<< "Euclidean Clusters runs on one process only: in a parallel run its clusters "
                     "would be cut where the data is split between processes. Cluster in a serial "
                     "pvpython or GUI session and save the result.");
    return 0;
  }

  scipar_clustering_options options;
  scipar_clustering_options_init(&options);
  options.radius = this->Radius;
  options.min_neighbors = this->MinNeighbors;
  options.min_cluster_size = this->MinClusterSize;
  options.max_cluster_size = this->MaxClusterSize;
  options.num_threads = this->NumberOfThreads;
  options.progress = ForwardProgress;
  options.progress_user_data = this;

  std::vector<double> copy;
  const double* xyz = scipar::PointCoordinates(input, copy);
  ClusteringResult result;
  const scipar_status status = scipar_euclidean_clusters(
    xyz, static_cast<size_t>(input->GetNumberOfPoints()), nullptr, &options, &result);
  if (status != SCIPAR_OK)
  {
    vtkErrorMacro(<< "Euclidean clustering failed: " << result.message);
    return 0;
  }
  WarnAboutResult(this, result, this->Radius);
  output->ShallowCopy(input);
  AttachClusterIds(output, TakeClusterIds(result));
  AddRunInformation(result, output);
  return 1;
}

void vtkEuclideanClusters::PrintSelf(ostream& os, vtkIndent indent)
{
  this->Superclass::PrintSelf(os, indent);
  os << indent << "Radius: " << this->Radius << "\n";
  os << indent << "MinNeighbors: " << this->MinNeighbors << "\n";
  os << indent << "MinClusterSize: " << this->MinClusterSize << "\n";
  os << indent << "MaxClusterSize: " << this->MaxClusterSize << "\n";
  os << indent << "NumberOfThreads: " << this->NumberOfThreads << "\n";
}
