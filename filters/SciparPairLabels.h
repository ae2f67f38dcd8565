// The pairs' names for colour legends, carried by the filter's outputs.
#ifndef SciparPairLabels_h
#define SciparPairLabels_h

#include "scipar/scipar.h"

class vtkDataObject;

namespace scipar
{
/// Adds to `output`'s field data the string array PairLabels with one value: the label of every row
/// of the pairs table, in row order, one per line ("3 -> 107": source cluster id -> target cluster
/// id). One value, not one per row, because ParaView passes a field array's values to its GUI only
/// as the first few strings: packed, the whole list reaches the legend of a display coloured by
/// PairIndex, also in client-server sessions and for files the filter's outputs were saved to.
void AddPairLabels(const scipar_result& result, vtkDataObject* output);
}

#endif
