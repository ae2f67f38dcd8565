// The pairs' names for colour legends, carried by the filter's outputs.
#ifndef SciparPairLabels_h
#define SciparPairLabels_h

#include "scipar/scipar.h"

#include <string>

class vtkDataObject;

namespace scipar
{
/// The label of every row of the result's pairs table, in row order, one per line ("3 -> 107":
/// source cluster id -> target cluster id). Under MPI, this process's share of the rows.
std::string PairLabels(const scipar_result& result);

/// Adds to `output`'s field data the string array PairLabels with one value: `labels`, the labels
/// of the whole table. One value, not one per row, because ParaView passes a field array's values
/// to its GUI only as the first few strings: packed, the whole list reaches the legend of a display
/// coloured by PairIndex, also in client-server sessions and for files the outputs were saved to.
void AddPairLabels(const std::string& labels, vtkDataObject* output);
}

#endif
