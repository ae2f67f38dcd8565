#include "vtkClusterTracking.h"

#include "SciparGhosts.h"
#include "SciparInput.h"
#include "SciparMatch.h"
#include "SciparRootGather.h"
#include "SciparTrackingOutput.h"

#include "scipar/tracking.h"

#include "vtkDemandDrivenPipeline.h"
#include "vtkInformation.h"
#include "vtkInformationVector.h"
#include "vtkObjectFactory.h"
#include "vtkPointSet.h"
#include "vtkPolyData.h"
#include "vtkStreamingDemandDrivenPipeline.h"
#include "vtkTable.h"
#include "vtkUnstructuredGrid.h"

#include <algorithm>
#include <cmath>
#include <new>

vtkStandardNewMacro(vtkClusterTracking);

namespace
{
void FreeResult(scipar_tracking_result* result)
{
  scipar_tracking_result_free(result);
  delete result;
}

// A view of process 0's result on another process: its arrays belong to TrackedClusters.
void KeepView(scipar_tracking_result*) {}
}

int vtkClusterTracking::ReportProgress(double fraction, void* self)
{
  // The tracker reports the fraction of one step's work: the bar moves over the whole series.
  auto* filter = static_cast<vtkClusterTracking*>(self);
  const auto steps = static_cast<double>(filter->Times.size());
  filter->UpdateProgress((static_cast<double>(filter->NextStep) + fraction) / steps);
  return filter->GetAbortExecute() ? 1 : 0;
}

vtkClusterTracking::vtkClusterTracking()
  : Result(nullptr, FreeResult)
{
  this->SetNumberOfInputPorts(1);
  this->SetNumberOfOutputPorts(3);
}

vtkClusterTracking::~vtkClusterTracking()
{
  this->Reset();
}

void vtkClusterTracking::Reset()
{
  scipar_tracker_free(this->Tracker);
  this->Tracker = nullptr;
  this->Tracking = false;
  this->Result.reset();
  this->Shared.reset();
  this->NextStep = 0;
}

int vtkClusterTracking::FillInputPortInformation(int, vtkInformation* info)
{
  // Any data object is let through so that RequestData can name what is wrong with an input that is
  // not a point set, instead of the pipeline's generic error.
  info->Set(vtkAlgorithm::INPUT_REQUIRED_DATA_TYPE(), "vtkDataObject");
  return 1;
}

int vtkClusterTracking::FillOutputPortInformation(int port, vtkInformation* info)
{
  const char* const types[3] = { "vtkUnstructuredGrid", "vtkPolyData", "vtkTable" };
  info->Set(vtkDataObject::DATA_TYPE_NAME(), types[port]);
  return 1;
}

vtkTypeBool vtkClusterTracking::ProcessRequest(
  vtkInformation* request, vtkInformationVector** inputs, vtkInformationVector* outputs)
{
  if (request->Has(vtkDemandDrivenPipeline::REQUEST_INFORMATION()))
  {
    return this->RequestInformation(inputs, outputs);
  }
  if (request->Has(vtkStreamingDemandDrivenPipeline::REQUEST_UPDATE_EXTENT()))
  {
    return this->RequestUpdateExtent(request, inputs, outputs);
  }
  if (request->Has(vtkDemandDrivenPipeline::REQUEST_DATA()))
  {
    return this->RequestData(request, inputs, outputs);
  }
  return this->Superclass::ProcessRequest(request, inputs, outputs);
}

int vtkClusterTracking::RequestInformation(vtkInformationVector** inputs, vtkInformationVector* outputs)
{
  // The pipeline asks again only when the input or a property changed: the tracks are out of date.
  this->Reset();
  vtkInformation* inInfo = inputs[0]->GetInformationObject(0);
  this->InputTimes.clear();
  if (inInfo && inInfo->Has(vtkStreamingDemandDrivenPipeline::TIME_STEPS()))
  {
    const double* times = inInfo->Get(vtkStreamingDemandDrivenPipeline::TIME_STEPS());
    this->InputTimes.assign(times, times + inInfo->Length(vtkStreamingDemandDrivenPipeline::TIME_STEPS()));
  }
  // The steps tracked; bad FirstStep / LastStep values are reported when the filter runs.
  const int count = this->InputTimes.empty() ? 1 : static_cast<int>(this->InputTimes.size());
  const int last = this->LastStep < 0 ? count - 1 : this->LastStep;
  const bool valid = this->FirstStep >= 0 && this->FirstStep <= last && last < count;
  this->First = valid ? this->FirstStep : 0;
  this->Times.clear();
  if (this->InputTimes.empty())
  {
    this->Times.push_back(0.0);
  }
  else
  {
    this->Times.assign(this->InputTimes.begin() + this->First,
      this->InputTimes.begin() + (valid ? last + 1 : count));
  }
  for (int port = 0; port < this->GetNumberOfOutputPorts(); ++port)
  {
    vtkInformation* outInfo = outputs->GetInformationObject(port);
    if (this->InputTimes.empty())
    {
      outInfo->Remove(vtkStreamingDemandDrivenPipeline::TIME_STEPS());
      outInfo->Remove(vtkStreamingDemandDrivenPipeline::TIME_RANGE());
      continue;
    }
    outInfo->Set(vtkStreamingDemandDrivenPipeline::TIME_STEPS(), this->Times.data(),
      static_cast<int>(this->Times.size()));
    const double range[2] = { this->Times.front(), this->Times.back() };
    outInfo->Set(vtkStreamingDemandDrivenPipeline::TIME_RANGE(), range, 2);
  }
  return 1;
}

size_t vtkClusterTracking::RequestedStep(vtkInformation* request, vtkInformationVector* outputs, double& time) const
{
  int port = request->Has(vtkExecutive::FROM_OUTPUT_PORT()) ? request->Get(vtkExecutive::FROM_OUTPUT_PORT()) : 0;
  port = std::max(port, 0);
  vtkInformation* outInfo = outputs->GetInformationObject(port);
  time = this->Times.front();
  if (!outInfo->Has(vtkStreamingDemandDrivenPipeline::UPDATE_TIME_STEP()))
  {
    return 0;
  }
  time = outInfo->Get(vtkStreamingDemandDrivenPipeline::UPDATE_TIME_STEP());
  const auto after = std::upper_bound(this->Times.begin(), this->Times.end(), time);
  return after == this->Times.begin() ? 0 : static_cast<size_t>(after - this->Times.begin()) - 1;
}

int vtkClusterTracking::RequestUpdateExtent(
  vtkInformation* request, vtkInformationVector** inputs, vtkInformationVector* outputs)
{
  vtkInformation* inInfo = inputs[0]->GetInformationObject(0);
  if (!inInfo)
  {
    return 1;
  }
  if (this->InputTimes.empty())
  {
    inInfo->Remove(vtkStreamingDemandDrivenPipeline::UPDATE_TIME_STEP());
    return 1;
  }
  // While tracking, the steps one after the other; then the step asked for.
  double time;
  const size_t step = this->Result ? this->RequestedStep(request, outputs, time) : this->NextStep;
  inInfo->Set(vtkStreamingDemandDrivenPipeline::UPDATE_TIME_STEP(), this->Times[std::min(step, this->Times.size() - 1)]);
  return 1;
}

int vtkClusterTracking::RequestData(
  vtkInformation* request, vtkInformationVector** inputs, vtkInformationVector* outputs)
{
  if (!this->Tracking)
  {
    // A cancel stops the tracking it happens in, not every later execution (assigned, not set: no
    // Modified). Inside the loop over the steps it stays, to stop the loop.
    this->AbortExecute = 0;
  }
  int done = 0;
  try
  {
    done = this->Execute(request, inputs, outputs);
  }
  catch (const std::bad_alloc&)
  {
    vtkErrorMacro(<< "Cluster tracking ran out of memory");
    done = 0;
  }
  if (!done)
  {
    request->Remove(vtkStreamingDemandDrivenPipeline::CONTINUE_EXECUTING());
    this->Reset();
    for (int port = 0; port < this->GetNumberOfOutputPorts(); ++port)
    {
      vtkDataObject::GetData(outputs, port)->Initialize();
    }
  }
  return done;
}

int vtkClusterTracking::Execute(
  vtkInformation* request, vtkInformationVector** inputs, vtkInformationVector* outputs)
{
  double time;
  const size_t requested = this->RequestedStep(request, outputs, time);
  if (!this->Result)
  {
    // One pass of the loop over the steps: this pass's input is tracked step NextStep.
    if (!this->Tracking && !this->StartTracking())
    {
      return 0;
    }
    if (!this->TrackStep(inputs))
    {
      return 0;
    }
    if (++this->NextStep < this->Times.size())
    {
      request->Set(vtkStreamingDemandDrivenPipeline::CONTINUE_EXECUTING(), 1);
      return 1;
    }
    if (!this->FinishTracking())
    {
      return 0;
    }
    if (requested != this->Times.size() - 1)
    {
      // One more pass reads the step asked for (RequestUpdateExtent asks for it now).
      request->Set(vtkStreamingDemandDrivenPipeline::CONTINUE_EXECUTING(), 1);
      return 1;
    }
  }
  request->Remove(vtkStreamingDemandDrivenPipeline::CONTINUE_EXECUTING());
  return this->Annotate(inputs, outputs, requested, time) ? 1 : 0;
}

bool vtkClusterTracking::CheckProperties()
{
  if (this->Metric < SCIPAR_METRIC_MAX || this->Metric > SCIPAR_METRIC_HAUSDORFF)
  {
    vtkErrorMacro(<< "Metric " << this->Metric << ": not one of 0 (Max), 1 (Sum), 2 (Mean), 3 (Hausdorff)");
    return false;
  }
  if (!(std::isfinite(this->MaxLinkDistance) && this->MaxLinkDistance >= 0))
  {
    vtkErrorMacro(<< "MaxLinkDistance " << this->MaxLinkDistance
                  << ": must be a finite distance >= 0 (0: chosen from the data)");
    return false;
  }
  if (this->MaxGap < 0)
  {
    vtkErrorMacro(<< "MaxGap " << this->MaxGap << ": must be 0 or more steps");
    return false;
  }
  const int count = this->InputTimes.empty() ? 1 : static_cast<int>(this->InputTimes.size());
  const int last = this->LastStep < 0 ? count - 1 : this->LastStep;
  if (this->FirstStep < 0 || this->FirstStep >= count)
  {
    vtkErrorMacro(<< "FirstStep " << this->FirstStep << ": the input has steps 0 to " << count - 1);
    return false;
  }
  if (last >= count || last < this->FirstStep)
  {
    vtkErrorMacro(<< "LastStep " << this->LastStep << ": must be -1 (the last) or a step from FirstStep ("
                  << this->FirstStep << ") to " << count - 1);
    return false;
  }
  return true;
}

bool vtkClusterTracking::StartTracking()
{
  // The properties are the same on every process: each reports a bad one and stops.
  if (!this->CheckProperties())
  {
    return false;
  }
  this->NextStep = 0;
  this->Tracking = true;
  if (!scipar::IsRootProcess())
  {
    if (!scipar::AllProcessesAgree(true))
    {
      vtkErrorMacro(<< "Cluster tracking could not start on process 0 (see its error)");
      return false;
    }
    return true;
  }
  if (this->NumberOfThreads > scipar_max_threads())
  {
    vtkWarningMacro(<< "NumberOfThreads " << this->NumberOfThreads << " is more than this machine allows ("
                    << scipar_max_threads() << ", 4 per processor): " << scipar_max_threads()
                    << " threads are used");
  }
  scipar_tracking_options options;
  scipar_tracking_options_init(&options);
  options.metric = static_cast<scipar_metric>(this->Metric);
  options.squared = this->SquaredDistances ? 1 : 0;
  options.max_link_distance = this->MaxLinkDistance;
  options.max_gap = this->MaxGap;
  options.detect_splits_and_merges = this->DetectSplitsAndMerges ? 1 : 0;
  options.num_threads = this->NumberOfThreads;
  options.progress = ReportProgress;
  options.progress_user_data = this;
  this->Tracker = scipar_tracker_create(&options);
  if (!scipar::AllProcessesAgree(this->Tracker && scipar_tracker_status(this->Tracker) == SCIPAR_OK))
  {
    if (!this->Tracker)
    {
      throw std::bad_alloc();
    }
    vtkErrorMacro(<< "Cluster tracking: " << scipar_tracker_message(this->Tracker));
    return false;
  }
  return true;
}

bool vtkClusterTracking::ReadInput(vtkInformationVector** inputs, vtkPointSet*& points, scipar::CloudInput& cloud)
{
  const bool read = this->ReadPiece(inputs, points, cloud);
  if (!scipar::AllProcessesAgree(read))
  {
    if (read)
    {
      vtkErrorMacro(<< "Another process could not read its piece of the input (see its error)");
    }
    return false;
  }
  std::string error;
  if (!scipar::SkipGhostPoints(points, cloud, error))
  {
    vtkErrorMacro(<< "Input: " << error);
    return false;
  }
  return true;
}

bool vtkClusterTracking::ReadPiece(vtkInformationVector** inputs, vtkPointSet*& points, scipar::CloudInput& cloud)
{
  vtkDataObject* input = vtkDataObject::GetData(inputs[0], 0);
  points = vtkPointSet::SafeDownCast(input);
  if (!points)
  {
    if (!input)
    {
      vtkErrorMacro(<< "Input is missing: connect a time series of point sets to it");
    }
    else if (input->IsA("vtkCompositeDataSet"))
    {
      vtkErrorMacro(<< "Input is a " << input->GetClassName()
                    << ": composite datasets are not supported; merge its blocks into one point set "
                       "first (Merge Blocks)");
    }
    else
    {
      vtkErrorMacro(<< "Input is a " << input->GetClassName() << ", not a point set (polydata, unstructured grid, ...)");
    }
    return false;
  }
  if (!this->ArrayIsPointData)
  {
    vtkErrorMacro(<< "Input cluster array '" << this->ClusterArrayName
                  << "' is not selected as point data: cluster ids must be a point-data array");
    return false;
  }
  std::string error;
  if (!scipar::ReadCloud(points, this->ClusterArrayName, "Input", cloud, error) ||
    !scipar::CheckGhostArray(points, "Input", error))
  {
    vtkErrorMacro(<< error);
    return false;
  }
  if (this->SkipNoise)
  {
    scipar::SkipLabel(cloud, this->NoiseClusterId);
  }
  ++this->NumberOfStepsRead;
  return true;
}

bool vtkClusterTracking::TrackStep(vtkInformationVector** inputs)
{
  vtkPointSet* points = nullptr;
  scipar::CloudInput cloud;
  if (!this->ReadInput(inputs, points, cloud))
  {
    vtkErrorMacro(<< "(at input step " << this->First + static_cast<int>(this->NextStep) << ")");
    return false;
  }
  // Under MPI process 0 tracks the whole step; the others wait for its word.
  scipar::GatheredCloud step;
  scipar::GatherOnRoot(cloud.Cloud, step);
  std::string failure;
  if (this->Tracker)
  {
    // A cancel between two steps stops the loop too.
    const scipar_status status = ReportProgress(0.0, this)
      ? SCIPAR_ERROR_CANCELLED
      : scipar_tracker_add_step(this->Tracker, &step.Cloud, this->Times[this->NextStep]);
    if (status == SCIPAR_ERROR_CANCELLED)
    {
      failure = "Cluster tracking was cancelled at input step " + std::to_string(this->First + this->NextStep);
    }
    else if (status != SCIPAR_OK)
    {
      failure = "Cluster tracking failed at input step " + std::to_string(this->First + this->NextStep) + ": " +
        scipar_tracker_message(this->Tracker);
    }
  }
  failure = scipar::JoinTexts(failure);
  if (!failure.empty())
  {
    vtkErrorMacro(<< failure);
    return false;
  }
  return true;
}

bool vtkClusterTracking::FinishTracking()
{
  this->Tracking = false;
  std::string failure;
  if (this->Tracker)
  {
    this->Result.reset(new scipar_tracking_result{});
    const scipar_status status = scipar_tracker_finish(this->Tracker, this->Result.get());
    scipar_tracker_free(this->Tracker);
    this->Tracker = nullptr;
    if (status != SCIPAR_OK)
    {
      failure = std::string("Cluster tracking failed: ") + this->Result->message;
    }
  }
  failure = scipar::JoinTexts(failure);
  if (!failure.empty())
  {
    vtkErrorMacro(<< failure);
    return false;
  }
  if (scipar::RunsInParallel())
  {
    this->Shared.reset(new scipar::TrackedClusters);
    scipar::BroadcastTrackedClusters(this->Result.get(), *this->Shared);
    if (this->Result)
    {
      this->Shared.reset(); // process 0 keeps its own result
    }
    else
    {
      this->Result = decltype(this->Result)(&this->Shared->View, KeepView);
    }
  }
  ++this->NumberOfTrackings;
  return true;
}

bool vtkClusterTracking::Annotate(vtkInformationVector** inputs, vtkInformationVector* outputs, size_t step, double time)
{
  vtkPointSet* points = nullptr;
  scipar::CloudInput cloud;
  if (!this->ReadInput(inputs, points, cloud))
  {
    return false;
  }
  const auto n = static_cast<size_t>(points->GetNumberOfPoints());
  std::vector<int64_t> trackId(n), clusterIndex(n);
  std::vector<double> linkDistance(n);
  char message[256] = "";
  const bool annotated = scipar_tracking_step_values(this->Result.get(), step, &cloud.Cloud, this->NumberOfThreads,
                           trackId.data(), linkDistance.data(), clusterIndex.data(), message, sizeof(message)) == SCIPAR_OK;
  if (!annotated)
  {
    vtkErrorMacro(<< "Input step " << this->First + static_cast<int>(step)
                  << " is not the one tracked (did the input change without telling the pipeline?): " << message);
  }
  // Under MPI every process drops the result together, to track again together.
  if (!scipar::AllProcessesAgree(annotated))
  {
    if (annotated)
    {
      vtkErrorMacro(<< "Another process's piece of input step " << this->First + static_cast<int>(step)
                    << " is not the one tracked (see its error)");
    }
    return false;
  }
  scipar::BuildTrackedClusters(points, *this->Result, step, trackId.data(), linkDistance.data(),
    clusterIndex.data(), vtkUnstructuredGrid::GetData(outputs, 0));
  scipar::BuildTracks(*this->Result, this->First, vtkPolyData::GetData(outputs, 1));
  scipar::BuildEvents(*this->Result, this->First, vtkTable::GetData(outputs, 2));
  if (!this->InputTimes.empty())
  {
    for (int port = 0; port < this->GetNumberOfOutputPorts(); ++port)
    {
      vtkDataObject::GetData(outputs, port)->GetInformation()->Set(vtkDataObject::DATA_TIME_STEP(), time);
    }
  }
  return true;
}

void vtkClusterTracking::PrintSelf(ostream& os, vtkIndent indent)
{
  this->Superclass::PrintSelf(os, indent);
  os << indent << "ClusterArrayName: " << this->ClusterArrayName << "\n";
  os << indent << "Metric: " << this->Metric << "\n";
  os << indent << "SquaredDistances: " << this->SquaredDistances << "\n";
  os << indent << "MaxLinkDistance: " << this->MaxLinkDistance << "\n";
  os << indent << "MaxGap: " << this->MaxGap << "\n";
  os << indent << "DetectSplitsAndMerges: " << this->DetectSplitsAndMerges << "\n";
  os << indent << "FirstStep: " << this->FirstStep << "\n";
  os << indent << "LastStep: " << this->LastStep << "\n";
  os << indent << "SkipNoise: " << this->SkipNoise << "\n";
  os << indent << "NoiseClusterId: " << this->NoiseClusterId << "\n";
  os << indent << "NumberOfThreads: " << this->NumberOfThreads << "\n";
  os << indent << "NumberOfTrackings: " << this->NumberOfTrackings << "\n";
}
