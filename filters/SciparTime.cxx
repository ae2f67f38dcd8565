#include "SciparTime.h"

#include "vtkDataArray.h"
#include "vtkDataObject.h"
#include "vtkDoubleArray.h"
#include "vtkFieldData.h"
#include "vtkInformation.h"
#include "vtkInformationVector.h"
#include "vtkNew.h"
#include "vtkPointSet.h"
#include "vtkPoints.h"
#include "vtkStreamingDemandDrivenPipeline.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace
{
using Pipeline = vtkStreamingDemandDrivenPipeline;

const char* const TimeArrayNames[2] = { "SourceTime", "TargetTime" };

vtkInformation* InputInformation(vtkInformationVector** inputs, int port)
{
  return inputs[port]->GetNumberOfInformationObjects() > 0 ? inputs[port]->GetInformationObject(0) : nullptr;
}

// The input's step that a time shows: readers stamp their data with the time asked, but show the
// last of their steps at or before it (the first step before them all).
double StepShown(vtkInformation* info, double time)
{
  const int count = info->Has(Pipeline::TIME_STEPS()) ? info->Length(Pipeline::TIME_STEPS()) : 0;
  if (count == 0)
  {
    return time;
  }
  const double* steps = info->Get(Pipeline::TIME_STEPS());
  const double* after = std::upper_bound(steps, steps + count, time);
  return after == steps ? steps[0] : *(after - 1);
}
}

void scipar::UnionTimeSteps(vtkInformationVector** inputs, vtkInformationVector* outputs)
{
  std::vector<double> steps;
  double range[2] = { 0.0, 0.0 };
  bool hasRange = false;
  for (int port = 0; port < 2; ++port)
  {
    vtkInformation* info = InputInformation(inputs, port);
    if (info && info->Has(Pipeline::TIME_STEPS()))
    {
      const double* values = info->Get(Pipeline::TIME_STEPS());
      steps.insert(steps.end(), values, values + info->Length(Pipeline::TIME_STEPS()));
    }
    if (info && info->Has(Pipeline::TIME_RANGE()))
    {
      const double* inputRange = info->Get(Pipeline::TIME_RANGE());
      range[0] = hasRange ? std::min(range[0], inputRange[0]) : inputRange[0];
      range[1] = hasRange ? std::max(range[1], inputRange[1]) : inputRange[1];
      hasRange = true;
    }
  }
  std::sort(steps.begin(), steps.end());
  steps.erase(std::unique(steps.begin(), steps.end()), steps.end());
  for (int port = 0; port < outputs->GetNumberOfInformationObjects(); ++port)
  {
    vtkInformation* info = outputs->GetInformationObject(port);
    info->Remove(Pipeline::TIME_STEPS());
    info->Remove(Pipeline::TIME_RANGE());
    if (!steps.empty())
    {
      info->Set(Pipeline::TIME_STEPS(), steps.data(), static_cast<int>(steps.size()));
    }
    if (hasRange)
    {
      info->Set(Pipeline::TIME_RANGE(), range, 2);
    }
  }
}

void scipar::AddInputTimes(vtkInformationVector** inputs, vtkInformation* outputInfo, vtkDataObject* output)
{
  if (outputInfo->Has(Pipeline::UPDATE_TIME_STEP()))
  {
    output->GetInformation()->Set(vtkDataObject::DATA_TIME_STEP(), outputInfo->Get(Pipeline::UPDATE_TIME_STEP()));
  }
  for (int port = 0; port < 2; ++port)
  {
    vtkInformation* info = InputInformation(inputs, port);
    vtkDataObject* input = info ? info->Get(vtkDataObject::DATA_OBJECT()) : nullptr;
    if (input && input->GetInformation()->Has(vtkDataObject::DATA_TIME_STEP()))
    {
      vtkNew<vtkDoubleArray> time;
      time->SetName(TimeArrayNames[port]);
      time->InsertNextValue(StepShown(info, input->GetInformation()->Get(vtkDataObject::DATA_TIME_STEP())));
      output->GetFieldData()->AddArray(time);
    }
  }
}

bool scipar::SamePoints(vtkPointSet* source, vtkPointSet* target)
{
  vtkPoints* points[2] = { source->GetPoints(), target->GetPoints() };
  if (!points[0] || !points[1] || points[0]->GetNumberOfPoints() == 0 ||
    points[0]->GetNumberOfPoints() != points[1]->GetNumberOfPoints())
  {
    return false;
  }
  vtkDataArray* arrays[2] = { points[0]->GetData(), points[1]->GetData() };
  if (arrays[0] == arrays[1])
  {
    return true;
  }
  if (arrays[0]->GetDataType() != arrays[1]->GetDataType() || !arrays[0]->HasStandardMemoryLayout() ||
    !arrays[1]->HasStandardMemoryLayout())
  {
    return false; // other layouts are not compared: this only feeds a warning
  }
  if (arrays[0]->GetVoidPointer(0) == arrays[1]->GetVoidPointer(0))
  {
    return true;
  }
  const size_t bytes = static_cast<size_t>(arrays[0]->GetNumberOfValues()) * arrays[0]->GetDataTypeSize();
  return std::memcmp(arrays[0]->GetVoidPointer(0), arrays[1]->GetVoidPointer(0), bytes) == 0;
}
