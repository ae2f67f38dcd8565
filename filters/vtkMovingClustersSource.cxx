#include "vtkMovingClustersSource.h"

#include "SciparArrays.h"
#include "SciparGenerated.h"

#include "scipar/generate.h"

#include "vtkDoubleArray.h"
#include "vtkInformation.h"
#include "vtkInformationVector.h"
#include "vtkNew.h"
#include "vtkObjectFactory.h"
#include "vtkPointData.h"
#include "vtkPolyData.h"
#include "vtkStreamingDemandDrivenPipeline.h"
#include "vtkStringArray.h"
#include "vtkTable.h"
#include "vtkTypeInt64Array.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <new>
#include <vector>

vtkStandardNewMacro(vtkMovingClustersSource);

namespace
{
using scipar::NewArray;

struct GeneratedDeleter
{
  void operator()(scipar_generated* cloud) const
  {
    scipar_generated_free(cloud);
    delete cloud;
  }
};

struct TruthDeleter
{
  void operator()(scipar_moving_truth* truth) const
  {
    scipar_moving_truth_free(truth);
    delete truth;
  }
};

// Points, one vertex cell per point, ClusterId (active scalars) and TrueTrackId.
void SetCloud(const scipar_generated& cloud, vtkPolyData* output)
{
  scipar::SetGeneratedCloud(cloud, output);
  output->GetPointData()->AddArray(scipar::Int64Array("TrueTrackId", cloud.true_labels, cloud.num_points));
}

void SetEvents(const scipar_moving_truth& truth, vtkTable* output)
{
  const auto rows = static_cast<vtkIdType>(truth.num_events);
  auto step = NewArray<vtkTypeInt64Array>("Step", rows);
  auto time = NewArray<vtkDoubleArray>("Time", rows);
  vtkNew<vtkStringArray> kind;
  kind->SetName("Kind");
  kind->SetNumberOfValues(rows);
  auto track = NewArray<vtkTypeInt64Array>("TrackId", rows);
  auto other = NewArray<vtkTypeInt64Array>("OtherTrackId", rows);
  for (vtkIdType r = 0; r < rows; ++r)
  {
    const scipar_tracking_event& event = truth.events[r];
    step->SetValue(r, event.step);
    time->SetValue(r, truth.times[event.step]);
    kind->SetValue(r, scipar_event_kind_name(event.kind));
    track->SetValue(r, event.track);
    other->SetValue(r, event.other_track);
  }
  output->AddColumn(step);
  output->AddColumn(time);
  output->AddColumn(kind);
  output->AddColumn(track);
  output->AddColumn(other);
}
}

vtkMovingClustersSource::vtkMovingClustersSource()
{
  this->SetNumberOfInputPorts(0);
  this->SetNumberOfOutputPorts(2);
}

int vtkMovingClustersSource::FillOutputPortInformation(int port, vtkInformation* info)
{
  info->Set(vtkDataObject::DATA_TYPE_NAME(), port == 0 ? "vtkPolyData" : "vtkTable");
  return 1;
}

int vtkMovingClustersSource::RequestInformation(vtkInformation*, vtkInformationVector**, vtkInformationVector* outputs)
{
  // Bad values are reported by RequestData; the times are only announced when they make sense.
  for (int port = 0; port < 2; ++port)
  {
    vtkInformation* outInfo = outputs->GetInformationObject(port);
    if (this->StepCount < 1 || this->StepCount > 1000000 || !(this->TimeStep > 0) || !std::isfinite(this->TimeStep))
    {
      outInfo->Remove(vtkStreamingDemandDrivenPipeline::TIME_STEPS());
      outInfo->Remove(vtkStreamingDemandDrivenPipeline::TIME_RANGE());
      continue;
    }
    std::vector<double> times(static_cast<size_t>(this->StepCount));
    for (size_t s = 0; s < times.size(); ++s)
    {
      times[s] = static_cast<double>(s) * this->TimeStep;
    }
    outInfo->Set(vtkStreamingDemandDrivenPipeline::TIME_STEPS(), times.data(), static_cast<int>(times.size()));
    const double range[2] = { times.front(), times.back() };
    outInfo->Set(vtkStreamingDemandDrivenPipeline::TIME_RANGE(), range, 2);
  }
  return 1;
}

int vtkMovingClustersSource::RequestData(vtkInformation*, vtkInformationVector**, vtkInformationVector* outputs)
{
  vtkInformation* outInfo = outputs->GetInformationObject(0);
  const int piece = outInfo->Has(vtkStreamingDemandDrivenPipeline::UPDATE_PIECE_NUMBER())
    ? outInfo->Get(vtkStreamingDemandDrivenPipeline::UPDATE_PIECE_NUMBER())
    : 0;
  if (piece > 0)
  {
    return 1; // the series is piece 0; other processes get empty pieces
  }
  scipar_moving_params params;
  scipar_moving_params_init(&params);
  params.scene = static_cast<scipar_moving_scene>(this->Scene);
  params.step_count = this->StepCount;
  params.time_step = this->TimeStep;
  params.cluster_count = this->ClusterCount;
  params.min_cluster_size = this->ClusterSizeRange[0];
  params.max_cluster_size = this->ClusterSizeRange[1];
  params.seed = static_cast<uint64_t>(static_cast<int64_t>(this->Seed));
  params.box_min = this->BoxRange[0];
  params.box_max = this->BoxRange[1];
  params.sigma_min = this->SigmaRange[0];
  params.sigma_max = this->SigmaRange[1];
  params.speed_min = this->SpeedRange[0];
  params.speed_max = this->SpeedRange[1];
  params.occlusion_probability = this->OcclusionProbability;
  params.occlusion_fraction = this->OcclusionFraction;
  params.birth_rate = this->BirthRate;
  params.death_probability = this->DeathProbability;
  params.gap_probability = this->GapProbability;
  params.max_gap = this->MaxGap;
  params.split_probability = this->SplitProbability;
  params.merge_probability = this->MergeProbability;
  if (this->Scene != SCIPAR_SCENE_RANDOM && this->Scene != SCIPAR_SCENE_CLOSE_PASS)
  {
    vtkErrorMacro(<< "Moving Clusters: Scene " << this->Scene << " is not 0 (random) or 1 (close passes)");
    return 0;
  }

  // The step at the requested time: the last one at or before it.
  int64_t step = 0;
  if (outInfo->Has(vtkStreamingDemandDrivenPipeline::UPDATE_TIME_STEP()) && this->TimeStep > 0)
  {
    const double t = outInfo->Get(vtkStreamingDemandDrivenPipeline::UPDATE_TIME_STEP());
    const double index = std::floor(t / this->TimeStep + 1e-9);
    step = std::isfinite(index) ? static_cast<int64_t>(std::min(std::max(index, 0.0), this->StepCount - 1.0)) : 0;
  }
  try
  {
    std::unique_ptr<scipar_generated, GeneratedDeleter> cloud(new scipar_generated{});
    if (scipar_moving_clusters_step(&params, step, cloud.get()) != SCIPAR_OK)
    {
      vtkErrorMacro(<< "Moving Clusters: " << cloud->message);
      return 0;
    }
    std::unique_ptr<scipar_moving_truth, TruthDeleter> truth(new scipar_moving_truth{});
    if (scipar_moving_clusters_truth(&params, truth.get()) != SCIPAR_OK)
    {
      vtkErrorMacro(<< "Moving Clusters: " << truth->message);
      return 0;
    }
    vtkPolyData* output = vtkPolyData::GetData(outputs, 0);
    SetCloud(*cloud, output);
    SetEvents(*truth, vtkTable::GetData(outputs, 1));
    const double time = static_cast<double>(step) * this->TimeStep;
    output->GetInformation()->Set(vtkDataObject::DATA_TIME_STEP(), time);
    vtkTable::GetData(outputs, 1)->GetInformation()->Set(vtkDataObject::DATA_TIME_STEP(), time);
  }
  catch (const std::bad_alloc&)
  {
    vtkErrorMacro(<< "Moving Clusters ran out of memory");
    vtkPolyData::GetData(outputs, 0)->Initialize();
    vtkTable::GetData(outputs, 1)->Initialize();
    return 0;
  }
  return 1;
}

void vtkMovingClustersSource::PrintSelf(ostream& os, vtkIndent indent)
{
  this->Superclass::PrintSelf(os, indent);
  os << indent << "Scene: " << this->Scene << "\n";
  os << indent << "StepCount: " << this->StepCount << "\n";
  os << indent << "TimeStep: " << this->TimeStep << "\n";
  os << indent << "ClusterCount: " << this->ClusterCount << "\n";
  os << indent << "ClusterSizeRange: " << this->ClusterSizeRange[0] << " " << this->ClusterSizeRange[1] << "\n";
  os << indent << "Seed: " << this->Seed << "\n";
  os << indent << "BoxRange: " << this->BoxRange[0] << " " << this->BoxRange[1] << "\n";
  os << indent << "SigmaRange: " << this->SigmaRange[0] << " " << this->SigmaRange[1] << "\n";
  os << indent << "SpeedRange: " << this->SpeedRange[0] << " " << this->SpeedRange[1] << "\n";
  os << indent << "OcclusionProbability: " << this->OcclusionProbability << "\n";
  os << indent << "OcclusionFraction: " << this->OcclusionFraction << "\n";
  os << indent << "BirthRate: " << this->BirthRate << "\n";
  os << indent << "DeathProbability: " << this->DeathProbability << "\n";
  os << indent << "GapProbability: " << this->GapProbability << "\n";
  os << indent << "MaxGap: " << this->MaxGap << "\n";
  os << indent << "SplitProbability: " << this->SplitProbability << "\n";
  os << indent << "MergeProbability: " << this->MergeProbability << "\n";
}
