#include "Isolated.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <exception>
#include <iostream>
#include <new>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace
{
// In the child: sends `message` to the parent and ends, without running exit handlers or flushing
// the buffers it shares with the parent.
[[noreturn]] void Finish(int fd, const std::string& message)
{
  size_t sent = 0;
  while (sent < message.size())
  {
    const ssize_t n = ::write(fd, message.data() + sent, message.size() - sent);
    if (n < 0 && errno == EINTR)
    {
      continue;
    }
    if (n <= 0)
    {
      break;
    }
    sent += static_cast<size_t>(n);
  }
  ::_exit(message.empty() ? 0 : 1);
}

// A crash under an address-space limit (ulimit -v) is most likely VTK running out of memory
// without checking: say so.
std::string MemoryHint()
{
  struct rlimit limit;
  if (::getrlimit(RLIMIT_AS, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY)
  {
    return std::string();
  }
  return ", probably out of memory: the address space is limited to " +
    std::to_string(limit.rlim_cur >> 20) + " MB (ulimit -v)";
}

std::string HowItEnded(int status)
{
  if (WIFSIGNALED(status))
  {
    const int signal = WTERMSIG(status);
    const std::string name = ::strsignal(signal);
    if (signal == SIGABRT)
    {
      return "aborted (" + name + "), as VTK does when it runs out of memory";
    }
    if (signal == SIGKILL)
    {
      return "was killed (" + name + "), as the system does when it runs out of memory";
    }
    return "crashed (" + name + ")" + MemoryHint();
  }
  return "ended with status " + std::to_string(WEXITSTATUS(status)) + " and no message";
}
}

bool scipar_cli::RunIsolated(const std::function<std::string()>& work, std::string& error)
{
  int channel[2];
  if (::pipe(channel) != 0)
  {
    error = std::string("cannot start a child process: ") + std::strerror(errno);
    return false;
  }
  std::cout.flush(); // nothing buffered twice
  std::cerr.flush();
  const pid_t child = ::fork();
  if (child < 0)
  {
    error = std::string("cannot start a child process: ") + std::strerror(errno);
    ::close(channel[0]);
    ::close(channel[1]);
    return false;
  }
  if (child == 0)
  {
    ::close(channel[0]);
    // The parent reports how the child ended: a crash handler of a library loaded with VTK (the
    // MPI runtime's UCX prints a backtrace on SIGSEGV) would only add noise before that report.
    for (const int fatal : { SIGSEGV, SIGBUS, SIGFPE, SIGILL })
    {
      std::signal(fatal, SIG_DFL);
    }
    std::string message;
    try
    {
      message = work();
    }
    catch (const std::bad_alloc&)
    {
      message = "out of memory";
    }
    catch (const std::exception& exception)
    {
      message = exception.what();
    }
    catch (...)
    {
      message = "unknown error";
    }
    Finish(channel[1], message);
  }
  ::close(channel[1]);
  std::string message;
  char buffer[4096];
  for (;;)
  {
    const ssize_t n = ::read(channel[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR)
    {
      continue;
    }
    if (n <= 0)
    {
      break;
    }
    message.append(buffer, static_cast<size_t>(n));
  }
  ::close(channel[0]);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR)
  {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
  {
    return true;
  }
  error = !message.empty() ? message : HowItEnded(status);
  return false;
}
