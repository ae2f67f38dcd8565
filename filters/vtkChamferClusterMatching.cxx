#include "vtkChamferClusterMatching.h"

#include "SciparComposite.h"
#include "SciparGhosts.h"
#include "SciparInput.h"
#include "SciparLabelledPairs.h"
#include "SciparMatch.h"
#include "SciparOutput.h"
#include "SciparPairLabels.h"
#include "SciparTime.h"

#include "vtkCompositeDataSet.h"
#include "vtkDemandDrivenPipeline.h"
#include "vtkInformation.h"
#include "vtkInformationVector.h"
#include "vtkObjectFactory.h"
#include "vtkPointSet.h"
#include "vtkPolyData.h"
#include "vtkTable.h"
#include "vtkUnstructuredGrid.h"

#include <memory>
#include <new>

vtkStandardNewMacro(vtkChamferClusterMatching);

namespace
{
const char* const PortNames[2] = { "Source", "Target" };

int ForwardProgress(double fraction, void* self)
{
  auto* filter = static_cast<vtkChamferClusterMatching*>(self);
  filter->UpdateProgress(fraction);
  return filter->GetAbortExecute() ? 1 : 0;
}

// Points and inputs that take no part in the distances are worth a warning, not an error.
void WarnAboutUnusablePoints(vtkAlgorithm* self, const scipar_result& result)
{
  const scipar_side* sides[2] = { &result.source, &result.target };
  for (int port = 0; port < 2; ++port)
  {
    if (sides[port]->num_excluded_points > 0)
    {
      vtkWarningWithObjectMacro(self, << PortNames[port] << " input: " << sides[port]->num_excluded_points
                      << " points with a NaN or infinite coordinate were left out of the distances "
                         "(their PairId is -1)");
    }
    // Under MPI a process may hold no point of a cloud that others hold: only none holding any counts.
    if (scipar::AllProcessesAgree(sides[port]->num_clusters == 0))
    {
      vtkWarningWithObjectMacro(self, << PortNames[port] << " input has no usable points: every cluster of the "
                      << PortNames[1 - port] << " stays unpaired");
    }
  }
}

// A thread count above the maximum is clamped by the core: say so, with the number used.
void WarnAboutThreadCount(vtkAlgorithm* self, int requested)
{
  const int maximum = vtkChamferClusterMatching::GetMaximumNumberOfThreads();
  if (requested > maximum)
  {
    vtkWarningWithObjectMacro(self, << "NumberOfThreads " << requested << " is more than this machine allows ("
                                    << maximum << ", 4 per processor): " << maximum << " threads are used");
  }
}

struct ResultDeleter
{
  void operator()(scipar_result* result) const
  {
    scipar_result_free(result);
    delete result;
  }
};
}

vtkChamferClusterMatching::vtkChamferClusterMatching()
{
  this->SetNumberOfInputPorts(2);
  this->SetNumberOfOutputPorts(4);
}

int vtkChamferClusterMatching::FillInputPortInformation(int, vtkInformation* info)
{
  // Any data object is let through: composite datasets of point sets are matched as the cloud their
  // blocks make, and RequestData names what is wrong with other inputs (an image, a block that is
  // not a point set) instead of the pipeline's generic error.
  info->Set(vtkAlgorithm::INPUT_REQUIRED_DATA_TYPE(), "vtkDataObject");
  return 1;
}

int vtkChamferClusterMatching::FillOutputPortInformation(int port, vtkInformation* info)
{
  const char* const types[4] = { "vtkUnstructuredGrid", "vtkUnstructuredGrid", "vtkTable",
    "vtkPolyData" };
  info->Set(vtkDataObject::DATA_TYPE_NAME(), types[port]);
  return 1;
}

vtkTypeBool vtkChamferClusterMatching::ProcessRequest(
  vtkInformation* request, vtkInformationVector** inputs, vtkInformationVector* outputs)
{
  if (request->Has(vtkDemandDrivenPipeline::REQUEST_DATA()))
  {
    return this->RequestData(request, inputs, outputs);
  }
  if (request->Has(vtkDemandDrivenPipeline::REQUEST_INFORMATION()))
  {
    // The pipeline would give the outputs the Source's time steps only.
    scipar::UnionTimeSteps(inputs, outputs);
    return 1;
  }
  return this->Superclass::ProcessRequest(request, inputs, outputs);
}

int vtkChamferClusterMatching::RequestData(
  vtkInformation*, vtkInformationVector** inputs, vtkInformationVector* outputs)
{
  // A cancel stops the execution it happens in, not every later one (assigned, not set: no Modified).
  this->AbortExecute = 0;
  try
  {
    return this->Match(inputs, outputs);
  }
  catch (const std::bad_alloc&)
  {
    vtkErrorMacro(<< "Chamfer cluster matching ran out of memory");
    for (int port = 0; port < this->GetNumberOfOutputPorts(); ++port)
    {
      vtkDataObject::GetData(outputs, port)->Initialize();
    }
    return 0;
  }
}

bool vtkChamferClusterMatching::CheckProperties()
{
  if (this->Metric < MAX || this->Metric > HAUSDORFF)
  {
    vtkErrorMacro(<< "Metric " << this->Metric << ": not one of 0 (Max), 1 (Sum), 2 (Mean), 3 (Hausdorff)");
    return false;
  }
  return true;
}

bool vtkChamferClusterMatching::ReadInput(int port, vtkInformationVector** inputs, vtkPointSet*& cloud,
  vtkSmartPointer<vtkPointSet>& merged, scipar::CloudInput& read)
{
  vtkDataObject* input = vtkDataObject::GetData(inputs[port], 0);
  cloud = vtkPointSet::SafeDownCast(input);
  if (auto* composite = vtkCompositeDataSet::SafeDownCast(input))
  {
    std::string dropped, error;
    merged = scipar::MergeBlocks(composite, PortNames[port], dropped, error);
    if (!merged)
    {
      vtkErrorMacro(<< error);
      return false;
    }
    if (!dropped.empty())
    {
      vtkWarningMacro(<< PortNames[port] << " input: point arrays that only some blocks of the "
                      << input->GetClassName() << " have are left out: " << dropped);
    }
    cloud = merged;
  }
  if (!cloud)
  {
    if (!input)
    {
      vtkErrorMacro(<< PortNames[port] << " input is missing: connect a point set to it");
    }
    else
    {
      vtkErrorMacro(<< PortNames[port] << " input is a " << input->GetClassName()
                    << ", not a point set (polydata, unstructured grid, ...)");
    }
    return false;
  }
  std::string error;
  const std::string& arrayName =
    port == 0 ? this->SourceClusterArrayName : this->TargetClusterArrayName;
  if (!(port == 0 ? this->SourceArrayIsPointData : this->TargetArrayIsPointData))
  {
    vtkErrorMacro(<< PortNames[port] << " cluster array '" << arrayName
                  << "' is not selected as point data: cluster ids must be a point-data array");
    return false;
  }
  if (!scipar::ReadCloud(cloud, arrayName, PortNames[port], read, error) ||
    !scipar::CheckGhostArray(cloud, PortNames[port], error))
  {
    vtkErrorMacro(<< error);
    return false;
  }
  if (this->SkipNoise)
  {
    scipar::SkipLabel(read, this->NoiseClusterId);
  }
  return true;
}

bool vtkChamferClusterMatching::SkipGhostPoints(vtkPointSet* clouds[2], scipar::CloudInput read[2])
{
  for (int port = 0; port < 2; ++port)
  {
    std::string error;
    if (!scipar::SkipGhostPoints(clouds[port], read[port], error))
    {
      vtkErrorMacro(<< PortNames[port] << " input: " << error);
      return false;
    }
  }
  return true;
}

int vtkChamferClusterMatching::Match(vtkInformationVector** inputs, vtkInformationVector* outputs)
{
  vtkUnstructuredGrid* grids[2] = { vtkUnstructuredGrid::GetData(outputs, 0),
    vtkUnstructuredGrid::GetData(outputs, 1) };
  vtkTable* pairs = vtkTable::GetData(outputs, 2);
  vtkPolyData* links = vtkPolyData::GetData(outputs, 3);

  vtkPointSet* clouds[2] = { nullptr, nullptr };
  vtkSmartPointer<vtkPointSet> merged[2]; // the clouds of composite inputs
  scipar::CloudInput read[2];
  bool ok = this->CheckProperties();
  for (int port = 0; port < 2 && ok; ++port)
  {
    ok = this->ReadInput(port, inputs, clouds[port], merged[port], read[port]);
  }
  if (!scipar::AllProcessesAgree(ok))
  {
    if (ok)
    {
      vtkErrorMacro(<< "Another process could not read its part of the inputs (see its error)");
    }
    return 0;
  }
  if (!this->SkipGhostPoints(clouds, read))
  {
    return 0;
  }
  if (scipar::SamePoints(clouds[0], clouds[1]))
  {
    vtkWarningMacro(<< "Source and Target hold the same points: every cluster is matched with itself. "
                       "ParaView asks both inputs for the same time, so a time series and a Temporal "
                       "Shift Scale of it give the same step; to follow clusters through the steps "
                       "of one series, use Cluster Tracking");
  }

  scipar_options options;
  scipar_options_init(&options);
  options.metric = static_cast<scipar_metric>(this->Metric);
  options.squared = this->SquaredDistances ? 1 : 0;
  options.max_pair_distance = this->MaxPairDistance;
  options.num_threads = this->NumberOfThreads;
  WarnAboutThreadCount(this, this->NumberOfThreads);
  options.progress = ForwardProgress;
  options.progress_user_data = this;

  std::unique_ptr<scipar_result, ResultDeleter> result(new scipar_result{});
  if (scipar::MatchClouds(read[0].Cloud, read[1].Cloud, options, *result) != SCIPAR_OK)
  {
    vtkErrorMacro(<< "Chamfer cluster matching failed: " << result->message);
    return 0;
  }
  WarnAboutUnusablePoints(this, *result);

  scipar::BuildClusterGrid(clouds[0], this->SourceClusterArrayName, read[0].Labels, result->source,
    result->target, result->num_threads, grids[0]);
  scipar::BuildClusterGrid(clouds[1], this->TargetClusterArrayName, read[1].Labels, result->target,
    result->source, result->num_threads, grids[1]);
  // Under MPI each process holds its share of the table (its rows follow the lower ranks'): ParaView
  // appends the pieces of all processes in rank order, which gives the whole table, each pair once.
  scipar::BuildPairsTable(*result, pairs);
  scipar::BuildPairLinks(*result, links);
  // Every output names all the pairs, whichever process's piece ParaView takes its field data from,
  // while there are few enough for the GUI to name them (MaxLabelledPairs): past it the labels would
  // cost a line per row, under MPI gathered on every process.
  const bool labelled = scipar::TotalPairs(*result) <= scipar::MaxLabelledPairs;
  const std::string labels = labelled ? scipar::JoinTexts(scipar::PairLabels(*result)) : std::string();
  vtkDataObject* const all[4] = { grids[0], grids[1], pairs, links };
  for (int port = 0; port < 4; ++port)
  {
    scipar::AddRunInformation(*result, options, all[port]);
    if (labelled)
    {
      scipar::AddPairLabels(labels, all[port]);
    }
    scipar::AddInputTimes(inputs, outputs->GetInformationObject(port), all[port]);
  }
  return 1;
}

int vtkChamferClusterMatching::GetMaximumNumberOfThreads()
{
  return scipar_max_threads();
}

void vtkChamferClusterMatching::PrintSelf(ostream& os, vtkIndent indent)
{
  this->Superclass::PrintSelf(os, indent);
  os << indent << "SourceClusterArrayName: " << this->SourceClusterArrayName << "\n";
  os << indent << "TargetClusterArrayName: " << this->TargetClusterArrayName << "\n";
  const bool known = this->Metric >= MAX && this->Metric <= HAUSDORFF;
  os << indent << "Metric: " << this->Metric << " ("
     << (known ? scipar_metric_name(static_cast<scipar_metric>(this->Metric)) : "not a metric") << ")\n";
  os << indent << "SquaredDistances: " << this->SquaredDistances << "\n";
  os << indent << "MaxPairDistance: " << this->MaxPairDistance << "\n";
  os << indent << "NumberOfThreads: " << this->NumberOfThreads << "\n";
  os << indent << "SkipNoise: " << this->SkipNoise << "\n";
  os << indent << "NoiseClusterId: " << this->NoiseClusterId << "\n";
}
