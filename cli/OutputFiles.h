// scipar-match's output files: never one of its inputs, and written atomically.
#ifndef scipar_cli_OutputFiles_h
#define scipar_cli_OutputFiles_h

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace scipar_cli
{
/// Empty when none of `outputs` is the same file as one of `inputs` (role, path); otherwise a
/// message naming both. Same file: same device and inode, so any spelling of a path, a symbolic
/// or a hard link is caught. An output that does not exist yet is no input.
std::string OutputReplacingInput(const std::vector<std::filesystem::path>& outputs,
  const std::vector<std::pair<std::string, std::string>>& inputs);

/// Files written as a set: each is written to a new temporary file in the directory of its final
/// name (Add), and only once all are written are they flushed to disk and renamed over their final
/// names (Commit), so that a failed write leaves neither a partial file nor a mix of old and new
/// files. Temporary files not committed are removed when the object is destroyed. An output that
/// is a symbolic link is replaced by the new file, not written through. Errors throw
/// std::runtime_error with a message naming the file.
class AtomicOutputs
{
public:
  AtomicOutputs() = default;
  AtomicOutputs(const AtomicOutputs&) = delete;
  AtomicOutputs& operator=(const AtomicOutputs&) = delete;
  ~AtomicOutputs();

  /// A new empty temporary file beside `final`, with the permissions a new file gets; its path.
  std::string Add(const std::filesystem::path& final);

  /// Flushes every temporary file to disk and renames it over its final name.
  void Commit();

private:
  std::vector<std::pair<std::string, std::filesystem::path>> Pending; // temporary, final
};

/// Why the last write failed, from errno ("No space left on device", "File too large", ...).
std::string LastWriteError();

/// Why writing the file `path` failed, when the system's limits tell: the file reached the file
/// size limit (ulimit -f), or its device is full. Empty when neither explains it.
std::string WriteFailureReason(const std::string& path);
}

#endif
