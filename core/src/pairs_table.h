/* The pairs table of a result, built from the nearest cluster of every cluster, both ways. */
#ifndef SCIPAR_PAIRS_TABLE_H
#define SCIPAR_PAIRS_TABLE_H

#include "scipar/scipar.h"

/* Reads source/target nearest and nearest_distance; fills result->pairs (one row per distinct pair
 * nearest in at least one direction, sorted by source then target), and each side's mutual and
 * pair_index. */
scipar_status pairs_table_build(scipar_result *result);

#endif
