#include "vtkEuclideanClusters.h"

#include "SciparArrays.h"
#include "SciparInput.h"
#include "SciparMatch.h"
#include "SciparRootGather.h"
#include "scipar/clustering.h"

#include "vtkDoubleArray.h"
#include "vtkFieldData.h"
#include "vtkIdTypeArray.h"
#include "vtkInformation.h"
#include "vtkInformationVector.h"
#include "vtkIntArray.h"
#include "vtkNew.h"
#include "vtkObjectFactory.h"
#include "vtkPointData.h"
#include "vtkPointSet.h"
#include "vtkTypeInt64Array.h"

#include <algorithm>
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

template <typename ArrayT, typename ValueT>
void AddFieldValue(vtkFieldData* fields, const char* name, ValueT value)
{
  vtkNew<ArrayT> array;
  array->SetName(name);
  array->InsertNextValue(value);
  fields->AddArray(array);
}

// What the field data reports of a run; under MPI process 0's run, copied to every process.
struct RunInformation
{
  std::vector<int64_t> Sizes;  // points per cluster
  std::vector<int64_t> Counts; // noise points, threads
  std::vector<double> Times;   // wall and CPU seconds
};

RunInformation RunInformationOf(const ClusteringResult& result)
{
  RunInformation run;
  run.Sizes.assign(result.cluster_sizes, result.cluster_sizes + result.num_clusters);
  run.Counts = { static_cast<int64_t>(result.num_noise_points + result.num_excluded_points), result.num_threads };
  run.Times = { result.wall_seconds, result.cpu_seconds };
  return run;
}

void AddRunInformation(const RunInformation& run, vtkPointSet* output)
{
  vtkFieldData* fields = output->GetFieldData();
  vtkNew<vtkIdTypeArray> sizes;
  sizes->SetName("ClusterSize");
  sizes->SetNumberOfValues(static_cast<vtkIdType>(run.Sizes.size()));
  std::copy(run.Sizes.begin(), run.Sizes.end(), sizes->GetPointer(0));
  fields->AddArray(sizes);
  AddFieldValue<vtkIdTypeArray>(fields, "NoisePoints", static_cast<vtkIdType>(run.Counts[0]));
  AddFieldValue<vtkIntArray>(fields, "NumberOfThreads", static_cast<int>(run.Counts[1]));
  AddFieldValue<vtkDoubleArray>(fields, "WallTimeSeconds", run.Times[0]);
  AddFieldValue<vtkDoubleArray>(fields, "CPUTimeSeconds", run.Times[1]);
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

  scipar_clustering_options options;
  scipar_clustering_options_init(&options);
  options.radius = this->Radius;
  options.min_neighbors = this->MinNeighbors;
  options.min_cluster_size = this->MinClusterSize;
  options.max_cluster_size = this->MaxClusterSize;
  options.num_threads = this->NumberOfThreads;
  options.progress = ForwardProgress;
  options.progress_user_data = this;

  // Under MPI process 0 clusters the whole cloud (clusters cross the pieces' borders) and sends each
  // process the ids of its points.
  std::vector<double> copy;
  const auto n = static_cast<size_t>(input->GetNumberOfPoints());
  const scipar_cloud piece{ scipar::PointCoordinates(input, copy), nullptr, n, nullptr };
  scipar::GatheredCloud whole;
  scipar::GatherOnRoot(piece, whole);
  ClusteringResult result;
  std::string failure;
  if (scipar::IsRootProcess() &&
    scipar_euclidean_clusters(whole.Cloud.points, whole.Cloud.num_points, nullptr, &options, &result) != SCIPAR_OK)
  {
    failure = std::string("Euclidean clustering failed: ") + result.message;
  }
  failure = scipar::JoinTexts(failure);
  if (!failure.empty())
  {
    vtkErrorMacro(<< failure);
    return 0;
  }
  RunInformation run;
  if (scipar::IsRootProcess())
  {
    WarnAboutResult(this, result, this->Radius);
    run = RunInformationOf(result);
  }
  output->ShallowCopy(input);
  auto ids = scipar::NewArray<vtkTypeInt64Array>(ClusterIdName, static_cast<vtkIdType>(n));
  scipar::ScatterFromRoot(whole, result.cluster_ids, reinterpret_cast<int64_t*>(ids->GetPointer(0)), n);
  AttachClusterIds(output, ids);
  scipar::BroadcastFromRoot(run.Sizes);
  scipar::BroadcastFromRoot(run.Counts);
  scipar::BroadcastFromRoot(run.Times);
  AddRunInformation(run, output);
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
