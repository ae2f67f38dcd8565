#include "pairing/pairing.h"

#include <stdlib.h>

static int by_source_then_target(const void *pa, const void *pb)
{
  const scipar_pair *a = pa, *b = pb;
  if (a->source != b->source)
    return a->source < b->source ? -1 : 1;
  return (a->target > b->target) - (a->target < b->target);
}

scipar_status pairs_table_build(scipar_result *result)
{
  scipar_side *src = &result->source;
  scipar_side *tgt = &result->target;
  const size_t capacity = src->num_clusters + tgt->num_clusters;
  scipar_pair *pairs = malloc((capacity ? capacity : 1) * sizeof *pairs);
  size_t *start = calloc(src->num_clusters + 1, sizeof *start);
  if (!pairs || !start) {
    free(pairs);
    free(start);
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  }
  /* Rows sorted by (source, target) with a counting sort on the source: each source's own row first,
   * then the rows of the targets that chose it, targets ascending (they are visited in order). A
   * source's own row may come after a target row with a smaller target: fixed below. */
  for (size_t s = 0; s < src->num_clusters; ++s)
    start[s + 1] += src->nearest[s] >= 0;
  for (size_t t = 0; t < tgt->num_clusters; ++t)
    if (tgt->nearest[t] >= 0)
      ++start[tgt->nearest[t] + 1];
  for (size_t s = 0; s < src->num_clusters; ++s)
    start[s + 1] += start[s];
  const size_t n = start[src->num_clusters];
  for (size_t s = 0; s < src->num_clusters; ++s)
    if (src->nearest[s] >= 0)
      pairs[start[s]++] = (scipar_pair){(int64_t)s, src->nearest[s], src->nearest_distance[s], 1, 0, 0};
  for (size_t t = 0; t < tgt->num_clusters; ++t)
    if (tgt->nearest[t] >= 0)
      pairs[start[tgt->nearest[t]]++] = (scipar_pair){tgt->nearest[t], (int64_t)t, tgt->nearest_distance[t], 0, 1, 0};
  free(start);
  /* Within a source, the first row is its own choice and the rest ascend: insert the first in place. */
  for (size_t i = 0; i < n;) {
    size_t j = i + 1;
    while (j < n && pairs[j].source == pairs[i].source)
      ++j;
    if (pairs[i].source_to_target)
      for (size_t at = i; at + 1 < j && by_source_then_target(&pairs[at], &pairs[at + 1]) > 0; ++at) {
        const scipar_pair swap = pairs[at];
        pairs[at] = pairs[at + 1];
        pairs[at + 1] = swap;
      }
    i = j;
  }

  /* A pair nearest both ways appears twice, once from each side: merge it into one mutual row. */
  size_t rows = 0;
  for (size_t i = 0; i < n; ++i) {
    if (rows > 0 && pairs[rows - 1].source == pairs[i].source && pairs[rows - 1].target == pairs[i].target) {
      pairs[rows - 1].source_to_target |= pairs[i].source_to_target;
      pairs[rows - 1].target_to_source |= pairs[i].target_to_source;
      pairs[rows - 1].mutual = 1;
    } else {
      pairs[rows++] = pairs[i];
    }
  }
  result->pairs = pairs;
  result->num_pairs = rows;

  for (size_t s = 0; s < src->num_clusters; ++s)
    src->pair_index[s] = -1;
  for (size_t t = 0; t < tgt->num_clusters; ++t)
    tgt->pair_index[t] = -1;
  for (size_t r = 0; r < rows; ++r) {
    if (pairs[r].source_to_target)
      src->pair_index[pairs[r].source] = (int64_t)r;
    if (pairs[r].target_to_source)
      tgt->pair_index[pairs[r].target] = (int64_t)r;
  }
  for (size_t s = 0; s < src->num_clusters; ++s) {
    const int64_t t = src->nearest[s];
    src->mutual[s] = t >= 0 && tgt->nearest[t] == (int64_t)s;
  }
  for (size_t t = 0; t < tgt->num_clusters; ++t) {
    const int64_t s = tgt->nearest[t];
    tgt->mutual[t] = s >= 0 && src->nearest[s] == (int64_t)t;
  }
  return SCIPAR_OK;
}
