/* Allocation and release of the arrays of a scipar_result. */
#include "pairing/pairing.h"

#include <stdlib.h>
#include <string.h>

scipar_status side_allocate_clusters(scipar_side *side, size_t k)
{
  const size_t m = k ? k : 1;
  side->num_clusters = k;
  side->cluster_ids = malloc(m * sizeof *side->cluster_ids);
  side->cluster_sizes = malloc(m * sizeof *side->cluster_sizes);
  side->cluster_offsets = malloc((k + 1) * sizeof *side->cluster_offsets);
  side->centroids = malloc(3 * m * sizeof *side->centroids);
  side->nearest = malloc(m * sizeof *side->nearest);
  side->nearest_distance = malloc(m * sizeof *side->nearest_distance);
  side->mutual = malloc(m * sizeof *side->mutual);
  side->pair_index = malloc(m * sizeof *side->pair_index);
  const int ok = side->cluster_ids && side->cluster_sizes && side->cluster_offsets && side->centroids &&
                 side->nearest && side->nearest_distance && side->mutual && side->pair_index;
  return ok ? SCIPAR_OK : SCIPAR_ERROR_OUT_OF_MEMORY;
}

void side_free(scipar_side *side)
{
  free(side->cluster_ids);
  free(side->cluster_sizes);
  free(side->centroids);
  free(side->nearest);
  free(side->nearest_distance);
  free(side->mutual);
  free(side->pair_index);
  free(side->cluster_offsets);
  free(side->cluster_point_ids);
  free(side->point_cluster);
  memset(side, 0, sizeof *side);
}

void scipar_result_free(scipar_result *result)
{
  if (!result)
    return;
  side_free(&result->source);
  side_free(&result->target);
  free(result->pairs);
  result->pairs = NULL;
  result->num_pairs = 0;
}
