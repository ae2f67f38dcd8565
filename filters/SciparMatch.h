// Runs the core on the clouds of this process: scipar_match, or scipar_match_distributed when
// ParaView runs in parallel (pvbatch or pvserver under MPI with several processes).
#ifndef SciparMatch_h
#define SciparMatch_h

#include "scipar/scipar.h"

namespace scipar
{
struct MatchRun
{
  scipar_status Status = SCIPAR_OK;
  bool Distributed = false; // the result's clusters are global, its points this process's own
  int Rank = 0;             // of this process among the ones that matched
};

/// Whether every process that takes part in the match says ok (true when running alone). Under MPI
/// a process that cannot go on must not leave the others waiting in a collective.
bool AllProcessesAgree(bool ok);

MatchRun MatchClouds(const scipar_cloud& source, const scipar_cloud& target, const scipar_options& options,
  scipar_result& result);
}

#endif
