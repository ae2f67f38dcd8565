// Runs the core on the clouds of this process: scipar_match, or scipar_match_distributed when
// ParaView runs in parallel (pvbatch or pvserver under MPI with several processes).
#ifndef SciparMatch_h
#define SciparMatch_h

#include "scipar/scipar.h"

#include <string>

namespace scipar
{
/// Whether every process that takes part in the match says ok (true when running alone). Under MPI
/// a process that cannot go on must not leave the others waiting in a collective.
bool AllProcessesAgree(bool ok);

/// Whether any process that takes part in the match says yes (`yes` itself when running alone).
bool AnyProcess(bool yes);

/// Whether the match runs over several processes (pvbatch or pvserver under MPI).
bool RunsInParallel();

/// scipar_mark_shared_points over the processes of the match (SCIPAR_OK and nothing to do alone).
scipar_status MarkSharedPoints(const double* points, const int64_t* keys, size_t numPoints, unsigned char* shared);

/// The texts of every process of the match joined in rank order (`mine` itself when running
/// alone). Collective under MPI.
std::string JoinTexts(const std::string& mine);

/// The rows of the whole pairs table (the result's own when running alone). Collective under MPI.
int64_t TotalPairs(const scipar_result& result);

/// Under MPI the result holds this process's clusters and its share of the pairs table
/// (scipar/distributed.h).
scipar_status MatchClouds(const scipar_cloud& source, const scipar_cloud& target, const scipar_options& options,
  scipar_result& result);
}

#endif
