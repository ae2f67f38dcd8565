/**
 * @class vtkClusterTracking
 * @brief Follows the clusters of a time-varying point set through time, by Chamfer distance.
 *
 * Input: a point set with time steps (a .pvd, a file series, any temporal source) and a point-data
 * array of integral cluster ids (ClusterArrayName, "ClusterId" by default). Ids are arbitrary at every
 * step: clusters are linked by their shapes. The scipar core (scipar/tracking.h, docs/tracking.md)
 * links consecutive steps by a global one-to-one assignment within a gate, closes gaps of up to
 * MaxGap steps and records splits and merges.
 *
 * The first update reads every tracked step once, in time order (the pipeline's CONTINUE_EXECUTING
 * loop over the input's time steps), holding at most two steps' points, and keeps the result. Later
 * requests for another time only read that step and annotate it. A change of the input or of a
 * property tracks again.
 *
 * Outputs:
 * - port 0 (Clusters): vtkUnstructuredGrid, the tracked step at the requested time: every input
 *   point and point array, one poly-vertex cell per cluster, on points and cells TrackId (int64) and
 *   LinkDistance (NaN at a track's start), on cells ClusterId. Reports the tracked steps' times.
 * - port 1 (Tracks): vtkPolyData, one polyline per track through its clusters' centroids.
 * - port 2 (Events): vtkTable, one row per birth, death, split, merge or gap.
 *
 * In a parallel run (MPI) each step's pieces are gathered on process 0, which tracks; every process
 * then annotates its own points (Clusters), and Tracks and Events are process 0's (empty elsewhere).
 * The computation lives in the scipar core; this class only converts and moves data.
 */
#ifndef vtkClusterTracking_h
#define vtkClusterTracking_h

#include "SciparFiltersModule.h"
#include "vtkAlgorithm.h"
#include "vtkDataObject.h" // for FIELD_ASSOCIATION_POINTS

#include <memory>
#include <string>
#include <vector>

class vtkPointSet;
struct scipar_tracker;
struct scipar_tracking_result;
namespace scipar
{
struct CloudInput;
struct TrackedClusters;
}

class SCIPARFILTERS_EXPORT vtkClusterTracking : public vtkAlgorithm
{
public:
  static vtkClusterTracking* New();
  vtkTypeMacro(vtkClusterTracking, vtkAlgorithm);
  void PrintSelf(ostream& os, vtkIndent indent) override;

  ///@{
  /// The Chamfer value linking clusters, as in Chamfer Cluster Matching: 0 Max (default), 1 Sum,
  /// 2 Mean, 3 Hausdorff. Another value is refused with an error when the filter runs.
  vtkSetMacro(Metric, int);
  vtkGetMacro(Metric, int);
  ///@}

  ///@{
  /// Squared Euclidean distances. Off by default.
  vtkSetMacro(SquaredDistances, bool);
  vtkGetMacro(SquaredDistances, bool);
  vtkBooleanMacro(SquaredDistances, bool);
  ///@}

  ///@{
  /// The gate: clusters whose Chamfer value exceeds it are never linked. 0 (default): chosen from
  /// the data at every step (docs/tracking.md). Negative or NaN values are refused when it runs.
  vtkSetMacro(MaxLinkDistance, double);
  vtkGetMacro(MaxLinkDistance, double);
  ///@}

  ///@{
  /// A track missing for up to this many steps is continued when it reappears. Default 2; 0: never.
  vtkSetMacro(MaxGap, int);
  vtkGetMacro(MaxGap, int);
  ///@}

  ///@{
  /// Record splits and merges (on by default).
  vtkSetMacro(DetectSplitsAndMerges, bool);
  vtkGetMacro(DetectSplitsAndMerges, bool);
  vtkBooleanMacro(DetectSplitsAndMerges, bool);
  ///@}

  ///@{
  /// The input's steps tracked: FirstStep .. LastStep (indices into its time steps). Defaults 0 and
  /// -1; a negative LastStep means the input's last step.
  vtkSetMacro(FirstStep, int);
  vtkGetMacro(FirstStep, int);
  vtkSetMacro(LastStep, int);
  vtkGetMacro(LastStep, int);
  ///@}

  ///@{
  /// Points whose cluster id is NoiseClusterId (default -1) belong to no cluster: with SkipNoise on
  /// (default) they take no part and get TrackId -1.
  vtkSetMacro(SkipNoise, bool);
  vtkGetMacro(SkipNoise, bool);
  vtkBooleanMacro(SkipNoise, bool);
  vtkSetMacro(NoiseClusterId, vtkIdType);
  vtkGetMacro(NoiseClusterId, vtkIdType);
  ///@}

  ///@{
  /// Threads: 0 (default) all cores. Results are identical for every count.
  vtkSetClampMacro(NumberOfThreads, int, 0, VTK_INT_MAX);
  vtkGetMacro(NumberOfThreads, int);
  ///@}

  ///@{
  /// The input's point-data array of cluster ids. Default "ClusterId". ParaView's five-argument
  /// array selection: another association than point data is refused when the filter runs.
  vtkSetStdStringFromCharMacro(ClusterArrayName);
  vtkGetCharFromStdStringMacro(ClusterArrayName);
  void SetClusterArray(int, int, int, int association, const char* name)
  {
    this->SetClusterArrayName(name);
    this->SetArrayIsPointData(association == vtkDataObject::FIELD_ASSOCIATION_POINTS);
  }
  ///@}

  /// How many times the whole series was tracked (for tests: a time request after the first update
  /// must not track again).
  vtkGetMacro(NumberOfTrackings, int);
  /// How many input steps were read (tracking and annotating) since the filter was made.
  vtkGetMacro(NumberOfStepsRead, int);

  vtkTypeBool ProcessRequest(
    vtkInformation* request, vtkInformationVector** inputs, vtkInformationVector* outputs) override;

protected:
  vtkClusterTracking();
  ~vtkClusterTracking() override;

  int FillInputPortInformation(int port, vtkInformation* info) override;
  int FillOutputPortInformation(int port, vtkInformation* info) override;
  int RequestInformation(vtkInformationVector** inputs, vtkInformationVector* outputs);
  int RequestUpdateExtent(vtkInformation* request, vtkInformationVector** inputs, vtkInformationVector* outputs);
  int RequestData(vtkInformation* request, vtkInformationVector** inputs, vtkInformationVector* outputs);

  /// RequestData's work; RequestData turns an allocation failure into an error and empty outputs.
  int Execute(vtkInformation* request, vtkInformationVector** inputs, vtkInformationVector* outputs);
  /// Starts a tracking (checks the properties, creates the tracker); false, with an error, if it cannot.
  bool StartTracking();
  /// Feeds the input, the step being read, to the tracker (under MPI: every process's piece, gathered
  /// on process 0); false, with an error, on failure.
  bool TrackStep(vtkInformationVector** inputs);
  /// Ends the loop: the tracker's result (under MPI, on processes other than 0, what they need of it
  /// to annotate their points); false, with an error, on failure.
  bool FinishTracking();
  /// Annotates the input as the tracked step `step`; false, with an error, on failure.
  bool Annotate(vtkInformationVector** inputs, vtkInformationVector* outputs, size_t step, double time);
  /// Reads the input into `cloud`, ghost points skipped; false, with an error naming the problem.
  /// Collective under MPI (every process reads its piece, and fails if any process does).
  bool ReadInput(vtkInformationVector** inputs, vtkPointSet*& points, scipar::CloudInput& cloud);
  /// ReadInput's part on this process alone.
  bool ReadPiece(vtkInformationVector** inputs, vtkPointSet*& points, scipar::CloudInput& cloud);
  /// The tracker's progress callback (self: this filter).
  static int ReportProgress(double fraction, void* self);
  /// Drops the tracker and the result (the next update tracks again).
  void Reset();
  /// The tracked step shown at the time asked of the output the request comes from: the last one at
  /// or before it (the first step when before them all, or when no time is asked).
  size_t RequestedStep(vtkInformation* request, vtkInformationVector* outputs, double& time) const;
  /// Whether the properties hold valid values; false, with an error naming the property, otherwise.
  bool CheckProperties();

  vtkSetMacro(ArrayIsPointData, bool);

  std::string ClusterArrayName = "ClusterId";
  bool ArrayIsPointData = true;
  int Metric = 0;
  bool SquaredDistances = false;
  double MaxLinkDistance = 0.0;
  int MaxGap = 2;
  bool DetectSplitsAndMerges = true;
  int FirstStep = 0;
  int LastStep = -1;
  bool SkipNoise = true;
  vtkIdType NoiseClusterId = -1;
  int NumberOfThreads = 0;

  int NumberOfTrackings = 0;
  int NumberOfStepsRead = 0;

private:
  vtkClusterTracking(const vtkClusterTracking&) = delete;
  void operator=(const vtkClusterTracking&) = delete;

  std::vector<double> InputTimes; // the input's TIME_STEPS (empty: not temporal)
  std::vector<double> Times;      // the tracked steps' times
  int First = 0;                  // the input step index of tracked step 0
  bool Tracking = false;          // the loop over the steps is under way
  scipar_tracker* Tracker = nullptr; // on process 0 only under MPI
  size_t NextStep = 0;            // tracked step the loop reads next
  // The tracking's result: under MPI, on processes other than 0, a view of Shared (no tracks or
  // events), which process 0 copied to them.
  std::unique_ptr<scipar_tracking_result, void (*)(scipar_tracking_result*)> Result;
  std::unique_ptr<scipar::TrackedClusters> Shared;
};

#endif
