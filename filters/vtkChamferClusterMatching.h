/**
 * @class vtkChamferClusterMatching
 * @brief Pairs every cluster of one point cloud with its nearest cluster, by Chamfer distance, in another.
 *
 * Inputs: port 0 (Source) and port 1 (Target), any vtkPointSet, each with a point-data array of
 * integral cluster ids, named by SourceClusterArrayName and TargetClusterArrayName ("ClusterId" by
 * default).
 *
 * Outputs:
 * - port 0 (Source) and port 1 (Target): vtkUnstructuredGrid with the input points, one
 *   VTK_POLY_VERTEX cell per cluster, every input point array, and on points and cells ClusterId,
 *   PairId (the matched cluster's id in the other cloud, -1 if none), PairDistance (NaN if none),
 *   Mutual (1 when both clusters chose each other) and PairIndex (row of the pairs table, -1 if none).
 * - port 2 (Pairs): vtkTable, one row per pair nearest in at least one direction.
 * - port 3 (Pair Links): vtkPolyData, one line per pair between the two clusters' centroids.
 *
 * The computation lives in the scipar core (C, OpenMP); this class only converts data.
 */
#ifndef vtkChamferClusterMatching_h
#define vtkChamferClusterMatching_h

#include "SciparFiltersModule.h"
#include "vtkAlgorithm.h"
#include "vtkSmartPointer.h" // for the merged blocks of composite inputs
#include "vtkDataObject.h" // for FIELD_ASSOCIATION_POINTS

#include <string>

class vtkPointSet;
namespace scipar
{
struct CloudInput;
}

class SCIPARFILTERS_EXPORT vtkChamferClusterMatching : public vtkAlgorithm
{
public:
  static vtkChamferClusterMatching* New();
  vtkTypeMacro(vtkChamferClusterMatching, vtkAlgorithm);
  void PrintSelf(ostream& os, vtkIndent indent) override;

  enum Metrics
  {
    MAX = 0,
    SUM = 1,
    MEAN = 2,
    HAUSDORFF = 3
  };

  ///@{
  /// How d(A->B) and d(B->A) combine: MAX (default), SUM, MEAN, or HAUSDORFF. Any other value is
  /// kept as set, and refused with an error when the filter runs (not clamped to a valid one).
  vtkSetMacro(Metric, int);
  vtkGetMacro(Metric, int);
  ///@}

  ///@{
  /// Use squared Euclidean distances. Off by default.
  vtkSetMacro(SquaredDistances, bool);
  vtkGetMacro(SquaredDistances, bool);
  vtkBooleanMacro(SquaredDistances, bool);
  ///@}

  ///@{
  /// Clusters whose nearest cluster is farther than this stay unpaired. 0 (default): no limit.
  vtkSetClampMacro(MaxPairDistance, double, 0.0, VTK_DOUBLE_MAX);
  vtkGetMacro(MaxPairDistance, double);
  ///@}

  ///@{
  /// Points whose cluster id is NoiseClusterId belong to no cluster (Euclidean Clusters gives -1 to
  /// isolated points and dropped clusters): with SkipNoise on (default) they take no part in the
  /// matching and get PairId -1. Off: NoiseClusterId is a cluster like any other. Default id -1.
  vtkSetMacro(SkipNoise, bool);
  vtkGetMacro(SkipNoise, bool);
  vtkBooleanMacro(SkipNoise, bool);
  vtkSetMacro(NoiseClusterId, vtkIdType);
  vtkGetMacro(NoiseClusterId, vtkIdType);
  ///@}

  ///@{
  /// Threads for the computation. 0 (default): all cores. More than GetMaximumNumberOfThreads()
  /// are not used: the computation runs on that many, with a warning.
  vtkSetClampMacro(NumberOfThreads, int, 0, VTK_INT_MAX);
  vtkGetMacro(NumberOfThreads, int);
  ///@}

  /// The most threads a computation uses: four per processor available to this process. Larger
  /// requests would only add overhead, and huge ones exhaust memory creating threads.
  static int GetMaximumNumberOfThreads();

  ///@{
  /// Name of each input's point-data array of cluster ids. Default: "ClusterId".
  vtkSetStdStringFromCharMacro(SourceClusterArrayName);
  vtkGetCharFromStdStringMacro(SourceClusterArrayName);
  vtkSetStdStringFromCharMacro(TargetClusterArrayName);
  vtkGetCharFromStdStringMacro(TargetClusterArrayName);
  ///@}

  ///@{
  /// The five-argument form of ParaView's array selection widget (index, port, connection, field
  /// association, name). Cluster ids are point data: another association makes the filter refuse
  /// to run, rather than silently read a point array of that name. The arrays
  /// are deliberately not stored with SetInputArrayToProcess: ParaView 5.11's post-filter executive
  /// numbers array selections across all input ports, and two selections on two ports crash it.
  void SetSourceClusterArray(int, int, int, int association, const char* name)
  {
    this->SetSourceClusterArrayName(name);
    this->SetSourceArrayIsPointData(association == vtkDataObject::FIELD_ASSOCIATION_POINTS);
  }
  void SetTargetClusterArray(int, int, int, int association, const char* name)
  {
    this->SetTargetClusterArrayName(name);
    this->SetTargetArrayIsPointData(association == vtkDataObject::FIELD_ASSOCIATION_POINTS);
  }
  ///@}

  /// Connects the source cloud (port 0).
  void SetSourceConnection(vtkAlgorithmOutput* output) { this->SetInputConnection(0, output); }
  /// Connects the target cloud (port 1).
  void SetTargetConnection(vtkAlgorithmOutput* output) { this->SetInputConnection(1, output); }

  vtkTypeBool ProcessRequest(
    vtkInformation* request, vtkInformationVector** inputs, vtkInformationVector* outputs) override;

protected:
  vtkChamferClusterMatching();
  ~vtkChamferClusterMatching() override = default;

  int FillInputPortInformation(int port, vtkInformation* info) override;
  int FillOutputPortInformation(int port, vtkInformation* info) override;
  int RequestData(vtkInformation* request, vtkInformationVector** inputs, vtkInformationVector* outputs);

  /// RequestData's work; RequestData turns an allocation failure into an error and empty outputs.
  int Match(vtkInformationVector** inputs, vtkInformationVector* outputs);
  /// Whether the properties hold valid values; false, with an error naming the property, otherwise.
  bool CheckProperties();
  /// Reads input `port` into `read`; false, with an error naming the problem, when it cannot. A
  /// composite input's blocks are merged into `merged`, which `cloud` then points to.
  bool ReadInput(int port, vtkInformationVector** inputs, vtkPointSet*& cloud,
    vtkSmartPointer<vtkPointSet>& merged, scipar::CloudInput& read);
  /// Ghost points (vtkGhostType, or shared by the pieces of a mesh split over processes) take no
  /// part. Collective under MPI; false, with an error, when the processes could not agree on them.
  bool SkipGhostPoints(vtkPointSet* clouds[2], scipar::CloudInput read[2]);

  vtkSetMacro(SourceArrayIsPointData, bool);
  vtkSetMacro(TargetArrayIsPointData, bool);

  std::string SourceClusterArrayName = "ClusterId";
  std::string TargetClusterArrayName = "ClusterId";
  bool SourceArrayIsPointData = true;
  bool TargetArrayIsPointData = true;
  int Metric = MAX;
  bool SquaredDistances = false;
  double MaxPairDistance = 0.0;
  int NumberOfThreads = 0;
  bool SkipNoise = true;
  vtkIdType NoiseClusterId = -1;

private:
  vtkChamferClusterMatching(const vtkChamferClusterMatching&) = delete;
  void operator=(const vtkChamferClusterMatching&) = delete;
};

#endif
