/**
 * @class vtkMovingClustersSource
 * @brief A time series of clusters moving, appearing, vanishing, splitting and merging, with its truth.
 *
 * Each time step is a point cloud of clusters of random anisotropic shapes moving at their own
 * velocities, partly hidden now and then, with births, deaths, gaps, splits and merges; cluster ids
 * are renumbered at random at every step (ParaView: source "Moving Clusters"). Made by the scipar core
 * (scipar_moving_clusters_step, docs/tracking.md); this class only converts data.
 *
 * Output port 0: vtkPolyData of the step at the requested time, one vertex cell per point, point
 * arrays ClusterId (int64, active scalars) and TrueTrackId (the track each point truly belongs to,
 * numbered as Cluster Tracking numbers its tracks). The output reports StepCount time steps,
 * 0, TimeStep, 2 TimeStep, ...
 * Output port 1: vtkTable of the true events of the whole series, with the columns of Cluster
 * Tracking's Events output (Step, Time, Kind, TrackId, OtherTrackId).
 *
 * The same parameters give the same series on every run. In a parallel run the series is piece 0.
 */
#ifndef vtkMovingClustersSource_h
#define vtkMovingClustersSource_h

#include "SciparFiltersModule.h"
#include "vtkPolyDataAlgorithm.h"

class SCIPARFILTERS_EXPORT vtkMovingClustersSource : public vtkPolyDataAlgorithm
{
public:
  static vtkMovingClustersSource* New();
  vtkTypeMacro(vtkMovingClustersSource, vtkPolyDataAlgorithm);
  void PrintSelf(ostream& os, vtkIndent indent) override;

  /// Bad values (negative counts, min > max, NaN) give an error naming the parameter when it runs.
  ///@{
  /// 0: random scene (default); 1: close passes (pairs of a rod and a blob crossing head on).
  vtkSetMacro(Scene, int);
  vtkGetMacro(Scene, int);
  /// Number of time steps, default 20; step s is at time s x TimeStep (default 1).
  vtkSetMacro(StepCount, int);
  vtkGetMacro(StepCount, int);
  vtkSetMacro(TimeStep, double);
  vtkGetMacro(TimeStep, double);
  /// Clusters at the first step (close passes: pairs), default 20.
  vtkSetMacro(ClusterCount, int);
  vtkGetMacro(ClusterCount, int);
  /// Each cluster's number of points is uniform in this range, default (30, 80).
  vtkSetVector2Macro(ClusterSizeRange, int);
  vtkGetVector2Macro(ClusterSizeRange, int);
  vtkSetMacro(Seed, int);
  vtkGetMacro(Seed, int);
  /// The first step's centres are uniform in [min, max]^3, default (0, 100).
  vtkSetVector2Macro(BoxRange, double);
  vtkGetVector2Macro(BoxRange, double);
  /// Per-axis spread of a shape, default (0.5, 2.5).
  vtkSetVector2Macro(SigmaRange, double);
  vtkGetVector2Macro(SigmaRange, double);
  /// Distance per unit of time, default (0.5, 2).
  vtkSetVector2Macro(SpeedRange, double);
  vtkGetVector2Macro(SpeedRange, double);
  /// Probabilities per cluster and step, and the births per step on average.
  vtkSetMacro(OcclusionProbability, double);
  vtkGetMacro(OcclusionProbability, double);
  vtkSetMacro(OcclusionFraction, double);
  vtkGetMacro(OcclusionFraction, double);
  vtkSetMacro(BirthRate, double);
  vtkGetMacro(BirthRate, double);
  vtkSetMacro(DeathProbability, double);
  vtkGetMacro(DeathProbability, double);
  vtkSetMacro(GapProbability, double);
  vtkGetMacro(GapProbability, double);
  vtkSetMacro(MaxGap, int);
  vtkGetMacro(MaxGap, int);
  vtkSetMacro(SplitProbability, double);
  vtkGetMacro(SplitProbability, double);
  vtkSetMacro(MergeProbability, double);
  vtkGetMacro(MergeProbability, double);
  ///@}

protected:
  vtkMovingClustersSource();
  ~vtkMovingClustersSource() override = default;

  int FillOutputPortInformation(int port, vtkInformation* info) override;
  int RequestInformation(vtkInformation*, vtkInformationVector**, vtkInformationVector*) override;
  int RequestData(vtkInformation*, vtkInformationVector**, vtkInformationVector*) override;

  int Scene = 0;
  int StepCount = 20;
  double TimeStep = 1.0;
  int ClusterCount = 20;
  int ClusterSizeRange[2] = { 30, 80 };
  int Seed = 1;
  double BoxRange[2] = { 0.0, 100.0 };
  double SigmaRange[2] = { 0.5, 2.5 };
  double SpeedRange[2] = { 0.5, 2.0 };
  double OcclusionProbability = 0.1;
  double OcclusionFraction = 0.3;
  double BirthRate = 0.5;
  double DeathProbability = 0.01;
  double GapProbability = 0.02;
  int MaxGap = 2;
  double SplitProbability = 0.01;
  double MergeProbability = 0.01;

private:
  vtkMovingClustersSource(const vtkMovingClustersSource&) = delete;
  void operator=(const vtkMovingClustersSource&) = delete;
};

#endif
