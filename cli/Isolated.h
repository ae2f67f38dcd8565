// Runs a piece of work in a child process, so that a crash in it (VTK's XML reader on a damaged
// file, VTK's XML writer when a write fails, VTK aborting when memory runs out) becomes an error
// message instead of the end of scipar-match.
#ifndef scipar_cli_Isolated_h
#define scipar_cli_Isolated_h

#include <functional>
#include <string>

namespace scipar_cli
{
/// Runs `work` in a child process (a fork: it sees this process's memory as it is, and what it
/// changes in memory is lost; files it writes stay) and waits for it. `work` returns an empty string
/// on success, or what went wrong. Returns true when it succeeded; false with `error` holding its
/// message, "out of memory", or how the child ended ("crashed (Segmentation fault)", ...; under an
/// address-space limit, a crash is said to be probably out of memory).
bool RunIsolated(const std::function<std::string()>& work, std::string& error);
}

#endif
