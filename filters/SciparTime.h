// What Chamfer Cluster Matching tells of its inputs' times. ParaView asks every input of a filter
// for the same time, so two inputs taken from one time series (a reader and a Temporal Shift Scale
// of it) hold the same step: the filter warns when both inputs hold the same points, and reports
// each input's time with its outputs. Following clusters through the steps of one series is Cluster
// Tracking's job.
#ifndef SciparTime_h
#define SciparTime_h

class vtkDataObject;
class vtkInformation;
class vtkInformationVector;
class vtkPointSet;

namespace scipar
{
/// Gives every output the time steps of both inputs (their sorted union) and the range covering
/// both inputs' ranges, or no time at all when neither input has any.
void UnionTimeSteps(vtkInformationVector** inputs, vtkInformationVector* outputs);

/// Gives `output` the time it was asked for as its own, and the field arrays SourceTime and
/// TargetTime holding the step each input shows at that time (each only when that input has a
/// time): a series of steps 0, 1, 2 shows step 1 at time 1.5.
void AddInputTimes(vtkInformationVector** inputs, vtkInformation* outputInfo, vtkDataObject* output);

/// Whether both clouds hold the same points (the same array, or equal coordinates in the same
/// order).
bool SamePoints(vtkPointSet* source, vtkPointSet* target);
}

#endif
