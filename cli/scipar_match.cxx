// scipar-match: the Chamfer Cluster Matching filter from the command line.
//
// Reads two clouds (.vtp, .vtu or .csv), runs vtkChamferClusterMatching (the same filter as the
// ParaView plugin, so the same results), and writes its four outputs. No computation happens here:
// this file parses options, reads, and writes.
#include "CsvCloud.h"
#include "Isolated.h"
#include "OutputFiles.h"

#include "vtkChamferClusterMatching.h"

#include "vtkAbstractArray.h"
#include "vtkDataArray.h"
#include "vtkLogger.h"
#include "vtkNew.h"
#include "vtkObjectFactory.h"
#include "vtkOutputWindow.h"
#include "vtkPointData.h"
#include "vtkPointSet.h"
#include "vtkPolyData.h"
#include "vtkSmartPointer.h"
#include "vtkTable.h"
#include "vtkTypeInt64Array.h"
#include "vtkUnstructuredGrid.h"
#include "vtkVersionMacros.h"
#include "vtkXMLPolyDataReader.h"
#include "vtkXMLPolyDataWriter.h"
#include "vtkXMLReader.h"
#include "vtkXMLUnstructuredGridReader.h"
#include "vtkXMLUnstructuredGridWriter.h"
#include "vtkXMLWriter.h"

#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#ifndef SCIPAR_VERSION
#define SCIPAR_VERSION "unknown"
#endif

namespace fs = std::filesystem;

// VTK before 9.3 (ParaView 5.11) cannot read XML files in the appended data mode, VTK's default, when
// the system's expat defers reparsing (expat 2.6 and later, and Debian bookworm's security updates
// of 2.5): VTK issue 19258, fixed in VTK 9.3 (ParaView 5.12 and later), which reads every mode.
#if VTK_VERSION_NUMBER < VTK_VERSION_CHECK(9, 3, 0)
#define SCIPAR_APPENDED_MODE_HELP                                                                      \
  " Prefer files written in Binary or Ascii data mode:\n"                                              \
  "        with a recent expat, this build's VTK (ParaView 5.11) fails to read the (default)\n"        \
  "        appended mode back."
#define SCIPAR_APPENDED_MODE_HINT                                                                      \
  " (a file written in VTK's default appended data mode does not read back with ParaView 5.11's "      \
  "VTK and a recent expat: write it again in Binary or Ascii mode)"
#else
#define SCIPAR_APPENDED_MODE_HELP ""
#define SCIPAR_APPENDED_MODE_HINT ""
#endif

namespace
{
const char* const Program = "scipar-match";

const char* const Help = R"(scipar-match: match the clusters of two point clouds by Chamfer distance.

Usage:
  scipar-match SOURCE TARGET -o OUTDIR [options]
  scipar-match --help | --version

SOURCE and TARGET are two point clouds (two time steps, two scans, ...), each split into clusters
by an integral cluster id per point. Every cluster of SOURCE is paired with its nearest cluster of
TARGET, and every cluster of TARGET with its nearest cluster of SOURCE; a pair chosen both ways is
"mutual". It is the Chamfer Cluster Matching filter of the scipar ParaView plugin, with the same
results.

Input files (chosen by extension, any case):
  .vtp  VTK XML polydata          with a point-data array of cluster ids
  .vtu  VTK XML unstructured grid with a point-data array of cluster ids
        Ids may be integers of any type, or floating-point numbers holding whole numbers; any
        values (sparse, negative, unsorted).)" SCIPAR_APPENDED_MODE_HELP R"(
        VTK's XML reader crashes on some damaged files: each file is read first in a child
        process, so that such a file is an error naming it (this reads VTK files twice).
  .csv  a header row naming the columns, then one point per row, separated by commas. The
        coordinates are the columns x, y, z (any case), or Points:0, Points:1, Points:2 as
        ParaView writes them; the cluster ids are the column named by --source-array or
        --target-array (integers; 3.0 is accepted as 3). Coordinates must be finite decimal
        numbers (not hexadecimal). Other columns are ignored. Fields may be in double quotes;
        blank lines are skipped. Every row needs as many fields as the header; a line may not
        exceed 1 MiB nor hold a NUL byte.

What is computed:
  For a source cluster A and a target cluster B, d(A->B) is the mean, over the points a of A, of
  the distance from a to its nearest point of B (the directed Chamfer distance); d(B->A) the same
  the other way. --metric chooses how the two combine into the pair's value:
    Max        max(d(A->B), d(B->A))          the default (the original notebook's definition)
    Sum        d(A->B) + d(B->A)
    Mean       (d(A->B) + d(B->A)) / 2
    Hausdorff  the largest nearest-point distance over both directions: a maximum, not a mean,
               so a single outlying point decides it
  Each cluster is paired with the cluster of least value in the other cloud; ties go to the
  smaller id. Results are exact (as if every pair of points were compared) and the same for
  every thread count. Points with a NaN or infinite coordinate are left out (with a warning).

Options:
  -o, --output OUTDIR    the output directory (required); created if missing, its source.vtu,
                         target.vtu, pairs.csv and links.vtp are replaced (refused when one of
                         them is SOURCE or TARGET, under any name or link)
  --source-array NAME    point array (or CSV column) of cluster ids in SOURCE (default ClusterId)
  --target-array NAME    point array (or CSV column) of cluster ids in TARGET (default ClusterId)
  --metric NAME          Max, Sum, Mean or Hausdorff, any case (default Max)
  --squared              use squared Euclidean distances between points: far points weigh more,
                         and --max-distance is a squared distance too
  --threads N            OpenMP threads, 0 = all cores (default 0); at most 4 per processor:
                         a larger N is clamped to that, with a warning
  --max-distance D       a cluster whose nearest cluster has a value above D stays unpaired
                         (PairId -1); 0 = no limit (default 0). Also makes matching faster.
  --noise-id N           the cluster id meaning "no cluster" (default -1, as the plugin's
                         Euclidean Clusters writes): its points are left out, with PairId -1
  --keep-noise           match the points of the noise id as a cluster like any other
  -h, --help             this text
  --version              the scipar version
  Options may come before or after SOURCE and TARGET, as "--opt value" or "--opt=value".

Outputs, in OUTDIR (VTK XML files in inline Binary mode, which ParaView 5.11 reads back):
  source.vtu  the source points with all their input point arrays, one poly-vertex cell per
              cluster, and on points and cells: ClusterId (the input id), PairId (the id of the
              matched cluster in the target, -1 if none), PairDistance (its value, NaN if none),
              Mutual (1 or 0), PairIndex (row of pairs.csv, -1 if none); on cells: Centroid.
              Colour source and target by PairIndex: mutual partners share a colour.
  target.vtu  the same for the target points
  pairs.csv   one row per pair that is nearest in at least one direction, sorted by SourceId
              then TargetId. Columns: SourceId, TargetId, Distance (the Chamfer value),
              SourceToTarget (1: the target is the source's nearest), TargetToSource, Mutual,
              SourcePoints, TargetPoints (cluster sizes), SourceCentroid:0..2, TargetCentroid:0..2.
              Numbers are written in full precision.
  links.vtp   one line per row of pairs.csv, from the source cluster's centroid to the target
              cluster's; cell data Distance, Mutual, PairIndex, SourceId, TargetId
  The four files are written to temporary files in OUTDIR and renamed into place once all are
  written: a failed run (a full disk, a file size limit, no memory) leaves the previous outputs
  as they were and no partial file. An output that is a symbolic link is replaced, not written
  through. A summary goes to the standard output; errors and warnings to the standard error.

Exit status:
  0  success
  1  unreadable or invalid input (missing file, unknown extension, missing column or array,
     non-integral ids, ...), an output that cannot be written, or not enough memory; the message
     names the problem
  2  a bad command line (unknown option, missing or bad option value, an output that would
     replace an input)

Examples:
  scipar-match data/seed_left.vtp data/seed_left_next.vtp -o out
  scipar-match before.csv after.csv -o out --source-array label --target-array label \
      --metric Hausdorff --threads 2 --max-distance 5
)";

// Collects VTK's error and warning messages instead of printing them with VTK's decoration.
class MessageCollector : public vtkOutputWindow
{
public:
  static MessageCollector* New();
  vtkTypeMacro(MessageCollector, vtkOutputWindow);

  void DisplayText(const char*) override {}
  void DisplayErrorText(const char* text) override
  {
    // The executive's "Algorithm ... returned failure for request: vtkInformation ..." dump follows
    // the algorithm's own message: it is kept apart, never shown.
    const bool dump = text && std::strstr(text, "returned failure for request");
    (dump ? this->PipelineFailures : this->Errors).push_back(Clean(text));
  }
  void DisplayWarningText(const char* text) override { this->Warnings.push_back(Clean(text)); }
  void DisplayGenericWarningText(const char* text) override { this->Warnings.push_back(Clean(text)); }
  void DisplayDebugText(const char*) override {}

  bool Failed() const { return !this->Errors.empty() || !this->PipelineFailures.empty(); }
  void Clear()
  {
    this->Errors.clear();
    this->PipelineFailures.clear();
    this->Warnings.clear();
  }

  std::vector<std::string> Errors;
  std::vector<std::string> PipelineFailures;
  std::vector<std::string> Warnings;

private:
  // "ERROR: In file.cxx, line 12\nvtkSomething (0x1234): the message\n\n" -> "the message".
  static std::string Clean(const char* text)
  {
    std::string message = text ? text : "";
    if (message.compare(0, 3, "ERR") == 0 || message.compare(0, 4, "Warn") == 0 ||
      message.compare(0, 7, "Generic") == 0)
    {
      const size_t newline = message.find('\n');
      message = newline == std::string::npos ? message : message.substr(newline + 1);
    }
    const size_t object = message.find("): ");
    if (object != std::string::npos && message.compare(0, 3, "vtk") == 0)
    {
      message = message.substr(object + 3);
    }
    while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
    {
      message.pop_back();
    }
    return message;
  }
};
vtkStandardNewMacro(MessageCollector);

struct Options
{
  std::string Source, Target, Output;
  std::string SourceArray = "ClusterId", TargetArray = "ClusterId";
  int Metric = vtkChamferClusterMatching::MAX;
  bool Squared = false;
  int Threads = 0;
  double MaxDistance = 0.0;
  bool SkipNoise = true;
  long long NoiseId = -1;
};

// A failure with a message and an exit status.
struct Failure
{
  int Status;
  std::string Message;
};

[[noreturn]] void Usage(const std::string& message)
{
  throw Failure{ 2, message + "\nTry '" + std::string(Program) + " --help' for more information." };
}

[[noreturn]] void Fail(const std::string& message)
{
  throw Failure{ 1, message };
}

std::string Lower(std::string text)
{
  for (char& c : text)
  {
    if (c >= 'A' && c <= 'Z')
    {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return text;
}

// A count above the most threads a computation uses is clamped to it, with a warning.
int ParseThreads(const std::string& text)
{
  const bool digits = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
  if (!digits)
  {
    Usage("--threads: '" + text + "' is not a whole number of threads (0 = all cores)");
  }
  const int maximum = vtkChamferClusterMatching::GetMaximumNumberOfThreads();
  errno = 0;
  const unsigned long long value = std::strtoull(text.c_str(), nullptr, 10);
  if (errno == ERANGE || value > static_cast<unsigned long long>(maximum))
  {
    std::cerr << Program << ": warning: --threads " << text << " is more than this machine allows (" << maximum
              << ", 4 per processor): using " << maximum << "\n";
    return maximum;
  }
  return static_cast<int>(value);
}

double ParseDistance(const std::string& text)
{
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !std::isfinite(value) || value < 0.0)
  {
    Usage("--max-distance: '" + text + "' is not a finite number >= 0 (0 means no limit)");
  }
  return value;
}

long long ParseNoiseId(const std::string& text)
{
  char* end = nullptr;
  errno = 0;
  const long long value = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno == ERANGE)
  {
    Usage("--noise-id: '" + text + "' is not a whole number that fits in 64 bits");
  }
  return value;
}

int ParseMetric(const std::string& text)
{
  const char* const names[4] = { "max", "sum", "mean", "hausdorff" };
  for (int m = 0; m < 4; ++m)
  {
    if (Lower(text) == names[m])
    {
      return m;
    }
  }
  Usage("--metric: unknown metric '" + text + "'; choose Max, Sum, Mean or Hausdorff");
}

// Returns true when the program should go on (false after --help or --version).
bool ParseCommandLine(int argc, char* argv[], Options& options)
{
  std::vector<std::string> positional;
  bool optionsEnded = false;
  bool haveOutput = false;
  for (int i = 1; i < argc; ++i)
  {
    std::string arg = argv[i];
    if (optionsEnded || arg.empty() || arg[0] != '-' || arg == "-")
    {
      positional.push_back(arg);
      continue;
    }
    if (arg == "--")
    {
      optionsEnded = true;
      continue;
    }
    if (arg == "-h" || arg == "--help")
    {
      std::cout << Help;
      return false;
    }
    if (arg == "--version")
    {
      std::cout << Program << " (scipar) " << SCIPAR_VERSION << "\n";
      return false;
    }
    if (arg == "--squared")
    {
      options.Squared = true;
      continue;
    }
    if (arg == "--keep-noise")
    {
      options.SkipNoise = false;
      continue;
    }
    // Options with a value: "--name value" or "--name=value".
    std::string name = arg, value;
    bool inlineValue = false;
    const size_t equals = arg.find('=');
    if (arg.compare(0, 2, "--") == 0 && equals != std::string::npos)
    {
      name = arg.substr(0, equals);
      value = arg.substr(equals + 1);
      inlineValue = true;
    }
    const char* const valued[] = { "-o", "--output", "--source-array", "--target-array", "--metric",
      "--threads", "--max-distance", "--noise-id" };
    bool known = false;
    for (const char* candidate : valued)
    {
      known = known || name == candidate;
    }
    if (!known)
    {
      Usage("unknown option '" + arg + "'");
    }
    if (!inlineValue)
    {
      if (i + 1 >= argc)
      {
        Usage("option " + name + " needs a value");
      }
      value = argv[++i];
    }
    if (name == "-o" || name == "--output")
    {
      if (value.empty())
      {
        Usage("option " + name + " needs a directory name");
      }
      options.Output = value;
      haveOutput = true;
    }
    else if (name == "--source-array" || name == "--target-array")
    {
      if (value.empty())
      {
        Usage("option " + name + " needs an array name");
      }
      (name == "--source-array" ? options.SourceArray : options.TargetArray) = value;
    }
    else if (name == "--metric")
    {
      options.Metric = ParseMetric(value);
    }
    else if (name == "--threads")
    {
      options.Threads = ParseThreads(value);
    }
    else if (name == "--noise-id")
    {
      options.NoiseId = ParseNoiseId(value);
    }
    else
    {
      options.MaxDistance = ParseDistance(value);
    }
  }
  if (positional.size() != 2)
  {
    Usage(positional.size() < 2 ? "give two input files, SOURCE and TARGET"
                                : "too many arguments: '" + positional[2] + "' (give SOURCE and TARGET only)");
  }
  if (!haveOutput)
  {
    Usage("give an output directory with -o OUTDIR");
  }
  options.Source = positional[0];
  options.Target = positional[1];
  return true;
}

std::string FirstError(MessageCollector* messages)
{
  return !messages->Errors.empty() ? messages->Errors.front()
    : messages->PipelineFailures.empty() ? std::string("unknown error")
                                         : std::string("VTK's pipeline failed without saying why");
}

std::string ArrayNames(vtkPointData* data)
{
  std::string names;
  for (int a = 0; a < data->GetNumberOfArrays(); ++a)
  {
    const char* name = data->GetArrayName(a);
    names += (names.empty() ? "" : ", ") + std::string(name ? name : "(unnamed)");
  }
  return names.empty() ? "none" : names;
}

// Whether a VTK XML file stores its arrays in the appended data mode: its header (the arrays'
// descriptions come before any data) says format="appended".
bool UsesAppendedData(const std::string& path)
{
  std::ifstream file(path, std::ios::binary);
  std::string head(1 << 16, '\0');
  file.read(&head[0], static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(file.gcount()));
  return head.find("format=\"appended\"") != std::string::npos;
}

// Reads a VTK XML file (.vtp or .vtu) into `cloud`; empty on success, else VTK's first error.
std::string ReadXmlFile(const std::string& path, const std::string& extension, MessageCollector* messages,
  vtkSmartPointer<vtkPointSet>& cloud)
{
  vtkSmartPointer<vtkXMLReader> reader;
  if (extension == ".vtp")
  {
    reader = vtkSmartPointer<vtkXMLPolyDataReader>::New();
  }
  else
  {
    reader = vtkSmartPointer<vtkXMLUnstructuredGridReader>::New();
  }
  messages->Clear();
  reader->SetFileName(path.c_str());
  reader->Update();
  cloud = vtkPointSet::SafeDownCast(reader->GetOutputDataObject(0));
  return messages->Failed() || !cloud ? FirstError(messages) : std::string();
}

// Reads one cloud, and checks that it has the cluster array (a clear message beats the filter's).
vtkSmartPointer<vtkPointSet> ReadCloud(
  const std::string& path, const std::string& arrayName, const char* role, MessageCollector* messages)
{
  std::error_code status;
  if (!fs::exists(path, status))
  {
    Fail(path + ": no such file (the " + std::string(role) + " cloud)");
  }
  if (fs::is_directory(path, status))
  {
    Fail(path + ": is a directory, not a file (the " + std::string(role) + " cloud)");
  }
  std::ifstream probe(path);
  if (!probe)
  {
    Fail(path + ": cannot open the file for reading");
  }
  const std::string extension = Lower(fs::path(path).extension().string());
  const std::string option = std::string("--") + role + "-array";
  vtkSmartPointer<vtkPointSet> cloud;
  if (extension == ".csv")
  {
    auto polydata = vtkSmartPointer<vtkPolyData>::New();
    std::string error;
    if (!scipar_cli::ReadCsvCloud(path, arrayName, polydata, error))
    {
      if (error.find("no column named") != std::string::npos)
      {
        error += "; choose the column with " + option;
      }
      Fail(error);
    }
    return polydata;
  }
  if (extension != ".vtp" && extension != ".vtu")
  {
    Fail(path + ": unknown file type '" + (extension.empty() ? std::string("(no extension)") : extension) +
      "'; give a .vtp, .vtu or .csv file");
  }
  const std::string what = path + ": cannot read it as VTK XML " +
    (extension == ".vtp" ? "polydata" : "unstructured grid") + ": ";
  const std::string appendedHint = UsesAppendedData(path) ? SCIPAR_APPENDED_MODE_HINT : "";
  // VTK's XML reader crashes on some damaged files: it reads the file once in a child process, and
  // only a file read there without harm is read here.
  std::string error;
  if (!scipar_cli::RunIsolated([&]() { return ReadXmlFile(path, extension, messages, cloud); }, error))
  {
    Fail(what +
      (error.compare(0, 7, "crashed") == 0
          ? "VTK's XML reader " + error + " on this file: it is damaged, or not a VTK XML file"
          : error) +
      appendedHint);
  }
  error = ReadXmlFile(path, extension, messages, cloud);
  if (!error.empty())
  {
    Fail(what + error + appendedHint);
  }
  if (cloud->GetNumberOfPoints() == 0)
  {
    Fail(path + ": the file holds no points");
  }
  vtkPointData* data = cloud->GetPointData();
  vtkAbstractArray* array = data->GetAbstractArray(arrayName.c_str());
  if (!array)
  {
    Fail(path + ": no point-data array named '" + arrayName + "' for the cluster ids (its point arrays: " +
      ArrayNames(data) + "); choose one with " + option);
  }
  if (!vtkDataArray::SafeDownCast(array))
  {
    Fail(path + ": point array '" + arrayName + "' is not numeric; cluster ids must be integers");
  }
  if (array->GetNumberOfComponents() != 1)
  {
    Fail(path + ": point array '" + arrayName + "' has " + std::to_string(array->GetNumberOfComponents()) +
      " components; cluster ids need exactly one");
  }
  return cloud;
}

std::string Number(double value)
{
  if (std::isnan(value))
  {
    return "nan";
  }
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", value);
  return text;
}

std::string Milliseconds(double seconds)
{
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", seconds * 1e3);
  return text;
}

// The pairs table as CSV: ParaView's column names (components as Name:0, Name:1, ...), full precision.
// Written to `temporary`; errors name `path`, the file it becomes.
void WritePairsCsv(vtkTable* table, const std::string& temporary, const fs::path& path)
{
  std::ofstream out(temporary);
  if (!out)
  {
    Fail(path.string() + ": cannot open for writing: " + scipar_cli::LastWriteError());
  }
  std::vector<vtkDataArray*> columns;
  std::string header;
  for (vtkIdType c = 0; c < table->GetNumberOfColumns(); ++c)
  {
    auto* column = vtkDataArray::SafeDownCast(table->GetColumn(c));
    if (!column)
    {
      continue;
    }
    columns.push_back(column);
    const int components = column->GetNumberOfComponents();
    for (int k = 0; k < components; ++k)
    {
      std::string name = column->GetName();
      if (components > 1)
      {
        name += ":" + std::to_string(k);
      }
      header += (header.empty() ? "" : ",") + ("\"" + name + "\"");
    }
  }
  out << header << "\n";
  for (vtkIdType r = 0; r < table->GetNumberOfRows(); ++r)
  {
    std::string row;
    for (vtkDataArray* column : columns)
    {
      auto* int64s = vtkTypeInt64Array::SafeDownCast(column);
      for (int k = 0; k < column->GetNumberOfComponents(); ++k)
      {
        std::string field;
        if (int64s)
        {
          field = std::to_string(int64s->GetTypedComponent(r, k));
        }
        else if (column->GetDataType() != VTK_FLOAT && column->GetDataType() != VTK_DOUBLE)
        {
          field = std::to_string(static_cast<long long>(column->GetComponent(r, k)));
        }
        else
        {
          field = Number(column->GetComponent(r, k));
        }
        row += (row.empty() ? "" : ",") + field;
      }
    }
    out << row << "\n";
  }
  errno = 0;
  out.close();
  if (!out)
  {
    Fail(path.string() + ": cannot write: " + scipar_cli::LastWriteError());
  }
}

// Writes `data` to `temporary` in inline binary mode (appended data does not read back with some
// ParaView 5.11 builds); errors name `path`, the file it becomes. VTK's writer runs in a child
// process: it crashes when a write fails (a file size limit) and aborts when memory runs out; the
// reason is then found from the file and the system's limits.
template <typename WriterT>
void WriteXml(vtkDataObject* data, const std::string& temporary, const fs::path& path, MessageCollector* messages)
{
  std::string error;
  const bool written = scipar_cli::RunIsolated(
    [&]() -> std::string {
      vtkNew<WriterT> writer;
      writer->SetInputData(data);
      writer->SetDataModeToBinary();
      writer->SetFileName(temporary.c_str());
      messages->Clear();
      errno = 0;
      if (writer->Write() == 1 && !messages->Failed())
      {
        return std::string();
      }
      return errno ? scipar_cli::LastWriteError() : FirstError(messages);
    },
    error);
  if (!written)
  {
    const std::string reason = scipar_cli::WriteFailureReason(temporary);
    Fail(path.string() + ": cannot write: " +
      (!reason.empty() ? reason : (error.compare(0, 7, "crashed") == 0 ? "VTK's XML writer " : "") + error));
  }
}

int Run(const Options& options, MessageCollector* messages)
{
  const fs::path out(options.Output);
  const std::vector<fs::path> outputs = { out / "source.vtu", out / "target.vtu", out / "pairs.csv",
    out / "links.vtp" };
  const std::string conflict = scipar_cli::OutputReplacingInput(
    outputs, { { "source", options.Source }, { "target", options.Target } });
  if (!conflict.empty())
  {
    Usage(conflict);
  }
  vtkSmartPointer<vtkPointSet> source = ReadCloud(options.Source, options.SourceArray, "source", messages);
  vtkSmartPointer<vtkPointSet> target = ReadCloud(options.Target, options.TargetArray, "target", messages);

  std::error_code status;
  if (fs::exists(out, status) && !fs::is_directory(out, status))
  {
    Fail(options.Output + ": exists and is not a directory (-o wants a directory)");
  }
  fs::create_directories(out, status);
  if (status)
  {
    Fail(options.Output + ": cannot create the output directory: " + status.message());
  }

  vtkNew<vtkChamferClusterMatching> matching;
  matching->SetInputDataObject(0, source);
  matching->SetInputDataObject(1, target);
  matching->SetSourceClusterArrayName(options.SourceArray.c_str());
  matching->SetTargetClusterArrayName(options.TargetArray.c_str());
  matching->SetMetric(options.Metric);
  matching->SetSquaredDistances(options.Squared);
  matching->SetMaxPairDistance(options.MaxDistance);
  matching->SetNumberOfThreads(options.Threads);
  matching->SetSkipNoise(options.SkipNoise);
  matching->SetNoiseClusterId(static_cast<vtkIdType>(options.NoiseId));
  messages->Clear();
  matching->Update();
  for (const std::string& warning : messages->Warnings)
  {
    std::cerr << Program << ": warning: " << warning << "\n";
  }
  if (messages->Failed())
  {
    // The filter's messages say "Source ..." or "Target ...": add the file names.
    Fail(FirstError(messages) + " (source " + options.Source + ", target " + options.Target + ")");
  }

  auto* sourceGrid = vtkUnstructuredGrid::SafeDownCast(matching->GetOutputDataObject(0));
  auto* targetGrid = vtkUnstructuredGrid::SafeDownCast(matching->GetOutputDataObject(1));
  auto* pairs = vtkTable::SafeDownCast(matching->GetOutputDataObject(2));
  auto* links = vtkPolyData::SafeDownCast(matching->GetOutputDataObject(3));
  scipar_cli::AtomicOutputs files;
  WriteXml<vtkXMLUnstructuredGridWriter>(sourceGrid, files.Add(outputs[0]), outputs[0], messages);
  WriteXml<vtkXMLUnstructuredGridWriter>(targetGrid, files.Add(outputs[1]), outputs[1], messages);
  WritePairsCsv(pairs, files.Add(outputs[2]), outputs[2]);
  WriteXml<vtkXMLPolyDataWriter>(links, files.Add(outputs[3]), outputs[3], messages);
  files.Commit();

  long long mutual = 0;
  if (auto* column = vtkDataArray::SafeDownCast(pairs->GetColumnByName("Mutual")))
  {
    for (vtkIdType r = 0; r < column->GetNumberOfTuples(); ++r)
    {
      mutual += column->GetComponent(r, 0) != 0.0;
    }
  }
  auto field = [&](const char* name) {
    vtkDataArray* array = pairs->GetFieldData()->GetArray(name);
    return array ? array->GetComponent(0, 0) : 0.0;
  };
  const char* const metricNames[4] = { "Max", "Sum", "Mean", "Hausdorff" };
  std::cout << "source: " << options.Source << ", " << sourceGrid->GetNumberOfPoints() << " points in "
            << sourceGrid->GetNumberOfCells() << " clusters\n"
            << "target: " << options.Target << ", " << targetGrid->GetNumberOfPoints() << " points in "
            << targetGrid->GetNumberOfCells() << " clusters\n"
            << "pairs: " << pairs->GetNumberOfRows() << " (" << mutual << " mutual), metric "
            << metricNames[options.Metric] << (options.Squared ? " (squared distances)" : "") << ", "
            << static_cast<int>(field("NumberOfThreads")) << " threads, "
            << Milliseconds(field("WallTimeSeconds")) << " ms\n"
            << "wrote " << (out / "source.vtu").string() << ", " << (out / "target.vtu").string() << ", "
            << (out / "pairs.csv").string() << ", " << (out / "links.vtp").string() << "\n";
  return 0;
}

// What went to the standard output must have reached it (a full disk, a closed pipe).
int CheckStandardOutput(int status)
{
  errno = 0;
  if (!std::cout.flush())
  {
    std::cerr << Program << ": error: cannot write to the standard output: " << scipar_cli::LastWriteError()
              << "\n";
    return status == 0 ? 1 : status;
  }
  return status;
}

int Main(int argc, char* argv[])
{
  try
  {
    // VTK's messages go to the collector only, not also to vtkLogger's decorated standard error.
    vtkLogger::SetStderrVerbosity(vtkLogger::VERBOSITY_OFF);
    vtkNew<MessageCollector> messages;
    vtkOutputWindow::SetInstance(messages);
    Options options;
    if (!ParseCommandLine(argc, argv, options))
    {
      return 0;
    }
    return Run(options, messages);
  }
  catch (const Failure& failure)
  {
    std::cerr << Program << ": error: " << failure.Message << "\n";
    return failure.Status;
  }
  catch (const std::bad_alloc&)
  {
    std::cerr << Program << ": error: out of memory: the clouds need more memory than this process may use\n";
    return 1;
  }
  catch (const std::exception& exception)
  {
    std::cerr << Program << ": error: " << exception.what() << "\n";
    return 1;
  }
}
}

int main(int argc, char* argv[])
{
  // A file size limit (ulimit -f) makes writes fail with an error to report, instead of a signal
  // that ends the process mid-file.
  std::signal(SIGXFSZ, SIG_IGN);
  return CheckStandardOutput(Main(argc, argv));
}
