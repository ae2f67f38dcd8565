#include "OutputFiles.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace
{
[[noreturn]] void Throw(const std::string& what, int error)
{
  throw std::runtime_error(what + ": " + std::strerror(error));
}

// Writes what the file holds to the disk (the data before a rename, so that a crash right after
// leaves the old file or the new one, never an empty one).
void SyncToDisk(const std::string& path, int flags)
{
  const int fd = ::open(path.c_str(), flags);
  if (fd < 0 || ::fsync(fd) != 0)
  {
    const int error = errno;
    if (fd >= 0)
    {
      ::close(fd);
    }
    Throw(path + ": cannot write it to the disk", error);
  }
  ::close(fd);
}
}

std::string scipar_cli::OutputReplacingInput(
  const std::vector<fs::path>& outputs, const std::vector<std::pair<std::string, std::string>>& inputs)
{
  for (const fs::path& output : outputs)
  {
    for (const auto& [role, input] : inputs)
    {
      std::error_code error;
      if (fs::equivalent(output, input, error) && !error)
      {
        return output.string() + " would replace the " + role + " input " + input +
          " (the same file); choose another output directory with -o";
      }
    }
  }
  return std::string();
}

scipar_cli::AtomicOutputs::~AtomicOutputs()
{
  for (const auto& pending : this->Pending)
  {
    std::remove(pending.first.c_str());
  }
}

std::string scipar_cli::AtomicOutputs::Add(const fs::path& final)
{
  const fs::path directory = final.has_parent_path() ? final.parent_path() : fs::path(".");
  std::string name = (directory / ("." + final.filename().string() + ".tmp-XXXXXX")).string();
  const int fd = ::mkstemp(&name[0]);
  if (fd < 0)
  {
    Throw(final.string() + ": cannot create a temporary file beside it", errno);
  }
  this->Pending.emplace_back(name, final);
  // mkstemp makes the file private (0600): give it what a new file would get.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  const bool permitted = ::fchmod(fd, 0666 & ~mask) == 0;
  const int error = errno;
  ::close(fd);
  if (!permitted)
  {
    Throw(final.string() + ": cannot set the permissions of its temporary file", error);
  }
  return name;
}

void scipar_cli::AtomicOutputs::Commit()
{
  for (const auto& pending : this->Pending)
  {
    SyncToDisk(pending.first, O_RDONLY);
  }
  std::vector<std::string> directories;
  while (!this->Pending.empty())
  {
    const std::pair<std::string, fs::path> pending = this->Pending.front();
    if (std::rename(pending.first.c_str(), pending.second.c_str()) != 0)
    {
      Throw(pending.second.string() + ": cannot replace it with the new file", errno);
    }
    this->Pending.erase(this->Pending.begin());
    const fs::path directory = pending.second.has_parent_path() ? pending.second.parent_path() : fs::path(".");
    if (std::find(directories.begin(), directories.end(), directory.string()) == directories.end())
    {
      directories.push_back(directory.string());
    }
  }
  for (const std::string& directory : directories)
  {
    SyncToDisk(directory, O_RDONLY | O_DIRECTORY); // the renames themselves
  }
}

std::string scipar_cli::LastWriteError()
{
  return errno ? std::strerror(errno) : "unknown error";
}

std::string scipar_cli::WriteFailureReason(const std::string& path)
{
  struct stat file;
  if (::stat(path.c_str(), &file) != 0)
  {
    return std::string();
  }
  struct rlimit limit;
  // A write that would cross the limit fails whole: the file stops within one buffer of it.
  const rlim_t buffer = 1 << 16;
  if (::getrlimit(RLIMIT_FSIZE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY &&
    static_cast<rlim_t>(file.st_size) + buffer >= limit.rlim_cur)
  {
    return std::string(std::strerror(EFBIG)) + ": the file size limit (ulimit -f) is " +
      std::to_string(limit.rlim_cur) + " bytes";
  }
  struct statvfs device;
  const fs::path directory = fs::path(path).has_parent_path() ? fs::path(path).parent_path() : fs::path(".");
  if (::statvfs(directory.c_str(), &device) == 0 && (device.f_bavail == 0 || device.f_favail == 0))
  {
    return std::strerror(ENOSPC);
  }
  return std::string();
}
