/*
 * Stage: pairing. Takes the nearest cluster of every cluster, both ways (what search gives); gives
 * the scipar_result: per-cluster arrays, the pairs table with its mutual flags and each cluster's
 * row in it, and those values spread over points (scipar_pair_values). scipar_match (match.c) runs
 * the serial pipeline grouping -> search -> pairing.
 */
#ifndef SCIPAR_PAIRING_H
#define SCIPAR_PAIRING_H

#include "scipar/scipar.h"

/* Allocates the per-cluster arrays of a side of k clusters (ids, sizes, offsets, centroids, nearest,
 * nearest_distance, mutual, pair_index) and sets num_clusters; the per-point arrays are left to the
 * caller. */
scipar_status side_allocate_clusters(scipar_side *side, size_t k);

void side_free(scipar_side *side);

/* Reads source/target nearest and nearest_distance; fills result->pairs (one row per distinct pair
 * nearest in at least one direction, sorted by source then target), and each side's mutual and
 * pair_index. */
scipar_status pairs_table_build(scipar_result *result);

#endif
