/**
 * @class vtkGaussianClustersSource
 * @brief Synthetic clustered point clouds: Gaussian clusters, or the next frame of a given cloud.
 *
 * With nothing connected to its (optional) input, it generates ClusterCount clusters, labelled
 * 0 .. ClusterCount-1, each of a random size in [1, MaxClusterSize], of points normally distributed
 * around a centre uniform in the cube [BoxRange[0], BoxRange[1]]^3 with a per-axis standard
 * deviation uniform in [SigmaRange[0], SigmaRange[1]] (ParaView: source "Gaussian Clusters").
 *
 * With a point set connected, it makes the input's next frame (ParaView: filter "Next Frame"):
 * every cluster (points sharing a value of ClusterArrayName) moves by a random vector of length at
 * most Shift, every point jitters within Jitter, a fraction DropFraction of the points is dropped, and
 * the ids are renumbered through a random permutation (from IdOffset, or from the next power of ten
 * above the input ids when IdOffset is negative). The output keeps the input's point arrays for the
 * kept points and adds TrueClusterId (the input id: the right answer for a matching) and InputPointId.
 *
 * Output: vtkPolyData, one vertex cell per point, point array ClusterId (int64, the active scalars);
 * field data describes the clusters: ClusterCenter, ClusterSigma and ClusterSize when generating;
 * InputClusterId, NewClusterId, ClusterShift and ClusterSize (kept points) for a next frame.
 *
 * The same Seed gives the same cloud on every run. The computation lives in the scipar core
 * (scipar/generate.h); this class only converts data. It runs on one process: in a parallel run the
 * generated cloud is produced as piece 0, and a next frame is made of each process's piece on its own.
 */
#ifndef vtkGaussianClustersSource_h
#define vtkGaussianClustersSource_h

#include "SciparFiltersModule.h"
#include "vtkPolyDataAlgorithm.h"

#include <string>

class SCIPARFILTERS_EXPORT vtkGaussianClustersSource : public vtkPolyDataAlgorithm
{
public:
  static vtkGaussianClustersSource* New();
  vtkTypeMacro(vtkGaussianClustersSource, vtkPolyDataAlgorithm);
  void PrintSelf(ostream& os, vtkIndent indent) override;

  ///@{
  /// Generation. Bad values (negative counts, min > max, NaN) give an error naming the parameter.
  /// Number of clusters, default 20.
  vtkSetMacro(ClusterCount, int);
  vtkGetMacro(ClusterCount, int);
  /// Largest cluster size; each cluster has a uniformly random size in [1, MaxClusterSize]. Default 35.
  vtkSetMacro(MaxClusterSize, int);
  vtkGetMacro(MaxClusterSize, int);
  /// Cluster centres are uniform in [BoxRange[0], BoxRange[1]]^3. Default (0, 40).
  vtkSetVector2Macro(BoxRange, double);
  vtkGetVector2Macro(BoxRange, double);
  /// Per-axis standard deviations are uniform in [SigmaRange[0], SigmaRange[1]]. Default (1, 2).
  vtkSetVector2Macro(SigmaRange, double);
  vtkGetVector2Macro(SigmaRange, double);
  ///@}

  ///@{
  /// Seed of the random numbers, for both modes. Default 1.
  vtkSetMacro(Seed, int);
  vtkGetMacro(Seed, int);
  ///@}

  ///@{
  /// Next frame (when an input is connected). Largest displacement of a cluster, default 1.
  vtkSetMacro(Shift, double);
  vtkGetMacro(Shift, double);
  /// Radius of the random displacement of each point, default 0.1.
  vtkSetMacro(Jitter, double);
  vtkGetMacro(Jitter, double);
  /// Fraction of the points dropped, in [0, 1], default 0.1.
  vtkSetMacro(DropFraction, double);
  vtkGetMacro(DropFraction, double);
  /// First new id; negative (default -1): the smallest power of ten above every input id.
  vtkSetMacro(IdOffset, vtkTypeInt64);
  vtkGetMacro(IdOffset, vtkTypeInt64);
  /// The input's point-data array of cluster ids. Default "ClusterId".
  vtkSetStdStringFromCharMacro(ClusterArrayName);
  vtkGetCharFromStdStringMacro(ClusterArrayName);
  /// ParaView's five-argument array selection; only the name is used (always point data).
  void SetClusterArray(int, int, int, int, const char* name) { this->SetClusterArrayName(name); }
  ///@}

protected:
  vtkGaussianClustersSource();
  ~vtkGaussianClustersSource() override = default;

  int FillInputPortInformation(int port, vtkInformation* info) override;
  int RequestData(vtkInformation*, vtkInformationVector**, vtkInformationVector*) override;

  int Generate(vtkPolyData* output);
  int NextFrame(vtkDataObject* input, vtkPolyData* output);

  int ClusterCount = 20;
  int MaxClusterSize = 35;
  double BoxRange[2] = { 0.0, 40.0 };
  double SigmaRange[2] = { 1.0, 2.0 };
  int Seed = 1;
  double Shift = 1.0;
  double Jitter = 0.1;
  double DropFraction = 0.1;
  vtkTypeInt64 IdOffset = -1;
  std::string ClusterArrayName = "ClusterId";

private:
  vtkGaussianClustersSource(const vtkGaussianClustersSource&) = delete;
  void operator=(const vtkGaussianClustersSource&) = delete;
};

#endif
