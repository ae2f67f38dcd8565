// How many pairs are named: the filter's outputs carry PairLabels, and the GUI gives the pairs named
// colours, while the pairs table has at most this many rows. One limit for both, so that the GUI
// never waits for labels the filter left out.
#ifndef SciparLabelledPairs_h
#define SciparLabelledPairs_h

namespace scipar
{
constexpr long long MaxLabelledPairs = 4096;
}

#endif
