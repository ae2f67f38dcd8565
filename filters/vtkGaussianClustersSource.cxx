#include "vtkGaussianClustersSource.h"

#include "SciparGenerated.h"
#include "SciparInput.h"

#include "scipar/generate.h"

#include "vtkFieldData.h"
#include "vtkInformation.h"
#include "vtkInformationVector.h"
#include "vtkNew.h"
#include "vtkObjectFactory.h"
#include "vtkPointData.h"
#include "vtkPointSet.h"
#include "vtkPolyData.h"
#include "vtkStreamingDemandDrivenPipeline.h"

#include <cstdint>
#include <memory>
#include <new>
#include <string>

vtkStandardNewMacro(vtkGaussianClustersSource);

namespace
{
struct GeneratedDeleter
{
  void operator()(scipar_generated* cloud) const
  {
    scipar_generated_free(cloud);
    delete cloud;
  }
};
using Generated = std::unique_ptr<scipar_generated, GeneratedDeleter>;
}

vtkGaussianClustersSource::vtkGaussianClustersSource()
{
  this->SetNumberOfInputPorts(1);
  this->SetNumberOfOutputPorts(1);
}

int vtkGaussianClustersSource::FillInputPortInformation(int, vtkInformation* info)
{
  // Optional: nothing connected means "generate". Any data object is let through so that a wrong
  // input gets an error naming the problem rather than the pipeline's generic one.
  info->Set(vtkAlgorithm::INPUT_REQUIRED_DATA_TYPE(), "vtkDataObject");
  info->Set(vtkAlgorithm::INPUT_IS_OPTIONAL(), 1);
  return 1;
}

int vtkGaussianClustersSource::RequestData(
  vtkInformation*, vtkInformationVector** inputs, vtkInformationVector* outputs)
{
  vtkPolyData* output = vtkPolyData::GetData(outputs, 0);
  if (this->GetNumberOfInputConnections(0) > 0)
  {
    return this->NextFrame(vtkDataObject::GetData(inputs[0], 0), output);
  }
  // In a parallel run every process asks for its piece: the whole cloud is piece 0, the other
  // pieces are empty (otherwise each process would hold a copy of the cloud).
  vtkInformation* outInfo = outputs->GetInformationObject(0);
  const int piece = outInfo->Has(vtkStreamingDemandDrivenPipeline::UPDATE_PIECE_NUMBER())
    ? outInfo->Get(vtkStreamingDemandDrivenPipeline::UPDATE_PIECE_NUMBER())
    : 0;
  if (piece > 0)
  {
    return 1;
  }
  return this->Generate(output);
}

int vtkGaussianClustersSource::Generate(vtkPolyData* output)
{
  scipar_gaussian_params params;
  scipar_gaussian_params_init(&params);
  params.cluster_count = this->ClusterCount;
  params.max_cluster_size = this->MaxClusterSize;
  params.seed = static_cast<uint64_t>(static_cast<int64_t>(this->Seed));
  params.box_min = this->BoxRange[0];
  params.box_max = this->BoxRange[1];
  params.sigma_min = this->SigmaRange[0];
  params.sigma_max = this->SigmaRange[1];

  Generated cloud(new scipar_generated{});
  const scipar_status status = scipar_generate_gaussian_clusters(&params, cloud.get());
  if (status != SCIPAR_OK)
  {
    vtkErrorMacro(<< "Gaussian Clusters: " << cloud->message);
    return 0;
  }
  try
  {
    scipar::SetGeneratedCloud(*cloud, output);
    vtkFieldData* fields = output->GetFieldData();
    fields->AddArray(scipar::Vector3Array("ClusterCenter", cloud->cluster_centers, cloud->num_clusters));
    fields->AddArray(scipar::Vector3Array("ClusterSigma", cloud->cluster_sigmas, cloud->num_clusters));
    fields->AddArray(scipar::Int64Array("ClusterSize", cloud->cluster_sizes, cloud->num_clusters));
  }
  catch (const std::bad_alloc&)
  {
    output->Initialize();
    vtkErrorMacro(<< "Gaussian Clusters ran out of memory making its output");
    return 0;
  }
  return 1;
}

int vtkGaussianClustersSource::NextFrame(vtkDataObject* input, vtkPolyData* output)
{
  auto* cloud = vtkPointSet::SafeDownCast(input);
  if (!cloud)
  {
    vtkErrorMacro(<< "Next Frame: the input is a " << (input ? input->GetClassName() : "null object")
                  << ", not a point set (polydata, unstructured grid, ...)"
                  << (input && input->IsA("vtkCompositeDataSet") ? "; merge its blocks first (Merge Blocks)"
                                                                 : ""));
    return 0;
  }
  scipar::CloudInput read;
  std::string error;
  if (!scipar::ReadCloud(cloud, this->ClusterArrayName, "Next Frame input", read, error))
  {
    vtkErrorMacro(<< error);
    return 0;
  }

  scipar_next_frame_params params;
  scipar_next_frame_params_init(&params);
  params.shift = this->Shift;
  params.jitter = this->Jitter;
  params.drop_fraction = this->DropFraction;
  params.seed = static_cast<uint64_t>(static_cast<int64_t>(this->Seed));
  params.id_offset = this->IdOffset;

  Generated next(new scipar_generated{});
  const scipar_status status = scipar_next_frame(&read.Cloud, &params, next.get());
  if (status != SCIPAR_OK)
  {
    vtkErrorMacro(<< "Next Frame: " << next->message);
    return 0;
  }

  // The kept points' input arrays first (all but the cluster ids, which TrueClusterId replaces),
  // then the generated ones on top.
  try
  {
    vtkPointData* out = output->GetPointData();
    scipar::GatherArrays(cloud->GetPointData(), next->input_index, next->num_points,
      this->ClusterArrayName.c_str(), out);
    for (const char* name : { "ClusterId", "TrueClusterId", "InputPointId" })
    {
      out->RemoveArray(name);
    }
    scipar::SetGeneratedCloud(*next, output);
    out->AddArray(scipar::Int64Array("TrueClusterId", next->true_labels, next->num_points));
    out->AddArray(scipar::Int64Array("InputPointId", next->input_index, next->num_points));

    vtkFieldData* fields = output->GetFieldData();
    fields->AddArray(scipar::Int64Array("InputClusterId", next->cluster_labels, next->num_clusters));
    fields->AddArray(scipar::Int64Array("NewClusterId", next->cluster_new_labels, next->num_clusters));
    fields->AddArray(scipar::Vector3Array("ClusterShift", next->cluster_shifts, next->num_clusters));
    fields->AddArray(scipar::Int64Array("ClusterSize", next->cluster_sizes, next->num_clusters));
  }
  catch (const std::bad_alloc&)
  {
    output->Initialize();
    vtkErrorMacro(<< "Next Frame ran out of memory making its output");
    return 0;
  }
  return 1;
}

void vtkGaussianClustersSource::PrintSelf(ostream& os, vtkIndent indent)
{
  this->Superclass::PrintSelf(os, indent);
  os << indent << "ClusterCount: " << this->ClusterCount << "\n";
  os << indent << "MaxClusterSize: " << this->MaxClusterSize << "\n";
  os << indent << "BoxRange: " << this->BoxRange[0] << " " << this->BoxRange[1] << "\n";
  os << indent << "SigmaRange: " << this->SigmaRange[0] << " " << this->SigmaRange[1] << "\n";
  os << indent << "Seed: " << this->Seed << "\n";
  os << indent << "Shift: " << this->Shift << "\n";
  os << indent << "Jitter: " << this->Jitter << "\n";
  os << indent << "DropFraction: " << this->DropFraction << "\n";
  os << indent << "IdOffset: " << this->IdOffset << "\n";
  os << indent << "ClusterArrayName: " << this->ClusterArrayName << "\n";
}
