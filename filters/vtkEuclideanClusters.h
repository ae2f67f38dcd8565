/**
 * @class vtkEuclideanClusters
 * @brief Splits a point cloud into clusters by distance, writing a ClusterId point array.
 *
 * Two points are neighbours when at most Radius apart. A point with at least MinNeighbors
 * neighbours is a core point; clusters are the groups of core points connected neighbour to
 * neighbour, and every other point joins the cluster of its nearest core neighbour (MinNeighbors 0:
 * every point is a core point, plain Euclidean clustering). Clusters of fewer than MinClusterSize or
 * more than MaxClusterSize points (0: no limit) are dropped. Points of no cluster (isolated, in a
 * dropped cluster, or with a NaN or infinite coordinate) get ClusterId -1, which Chamfer Cluster
 * Matching leaves out by default.
 *
 * Output: the input (same type, every array), plus the point array ClusterId (int64, 0, 1, ... by
 * decreasing cluster size; the active scalars) and field data ClusterSize (points per cluster),
 * NoisePoints, NumberOfThreads, WallTimeSeconds and CPUTimeSeconds. An input point array already
 * named ClusterId stays as ClusterId_input.
 *
 * The clusters are those of the whole input, as one process finds them: in a parallel run (MPI)
 * every process's piece is gathered on process 0, which clusters, and each process gets the ids of
 * its own points (clusters cross the pieces' borders). The computation lives in the scipar core
 * (scipar/clustering.h); this class only converts and moves data.
 */
#ifndef vtkEuclideanClusters_h
#define vtkEuclideanClusters_h

#include "SciparFiltersModule.h"
#include "vtkPointSetAlgorithm.h"

class SCIPARFILTERS_EXPORT vtkEuclideanClusters : public vtkPointSetAlgorithm
{
public:
  static vtkEuclideanClusters* New();
  vtkTypeMacro(vtkEuclideanClusters, vtkPointSetAlgorithm);
  void PrintSelf(ostream& os, vtkIndent indent) override;

  ///@{
  /// Neighbour distance, > 0. Default 1.
  vtkSetMacro(Radius, double);
  vtkGetMacro(Radius, double);
  ///@}

  ///@{
  /// Neighbours (the point itself not counted) that make a core point. Default 0: every point.
  vtkSetClampMacro(MinNeighbors, vtkIdType, 0, VTK_ID_MAX);
  vtkGetMacro(MinNeighbors, vtkIdType);
  ///@}

  ///@{
  /// Size limits of a cluster; MaxClusterSize 0 means no limit. Defaults 10 and 0.
  vtkSetClampMacro(MinClusterSize, vtkIdType, 1, VTK_ID_MAX);
  vtkGetMacro(MinClusterSize, vtkIdType);
  vtkSetClampMacro(MaxClusterSize, vtkIdType, 0, VTK_ID_MAX);
  vtkGetMacro(MaxClusterSize, vtkIdType);
  ///@}

  ///@{
  /// Threads for the computation. 0 (default): all cores. The result is the same for every count.
  vtkSetClampMacro(NumberOfThreads, int, 0, VTK_INT_MAX);
  vtkGetMacro(NumberOfThreads, int);
  ///@}

protected:
  vtkEuclideanClusters() = default;
  ~vtkEuclideanClusters() override = default;

  int RequestData(vtkInformation* request, vtkInformationVector** inputs, vtkInformationVector* outputs) override;

  double Radius = 1.0;
  vtkIdType MinNeighbors = 0;
  vtkIdType MinClusterSize = 10;
  vtkIdType MaxClusterSize = 0;
  int NumberOfThreads = 0;

private:
  vtkEuclideanClusters(const vtkEuclideanClusters&) = delete;
  void operator=(const vtkEuclideanClusters&) = delete;
};

#endif
