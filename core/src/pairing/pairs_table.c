#include "pairing/pairing.h"

#include <stdlib.h>

static int by_source_then_target(const void *pa, const void *pb)
{
  const scipar_pair *a = pa, *b = pb;
  if (a->source != b->source)
    return a->source < b->source ? -1 : 1;
  return (a->target > b->target) - (a->target < b->target);
}

/* Row of (source, target) in the sorted table, which holds it. */
static int64_t find_row(const scipar_pair *pairs, size_t n, int64_t source, int64_t target)
{
  const scipar_pair key = {source, target, 0.0, 0, 0, 0};
  const scipar_pair *row = bsearch(&key, pairs, n, sizeof *pairs, by_source_then_target);
  return (int64_t)(row - pairs);
}

scipar_status pairs_table_build(scipar_result *result)
{
  scipar_side *src = &result->source;
  scipar_side *tgt = &result->target;
  const size_t capacity = src->num_clusters + tgt->num_clusters;
  scipar_pair *pairs = malloc((capacity ? capacity : 1) * sizeof *pairs);
  if (!pairs)
    return SCIPAR_ERROR_OUT_OF_MEMORY;

  size_t n = 0;
  for (size_t s = 0; s < src->num_clusters; ++s)
    if (src->nearest[s] >= 0)
      pairs[n++] = (scipar_pair){(int64_t)s, src->nearest[s], src->nearest_distance[s], 1, 0, 0};
  for (size_t t = 0; t < tgt->num_clusters; ++t)
    if (tgt->nearest[t] >= 0)
      pairs[n++] = (scipar_pair){tgt->nearest[t], (int64_t)t, tgt->nearest_distance[t], 0, 1, 0};
  qsort(pairs, n, sizeof *pairs, by_source_then_target);

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

  for (size_t s = 0; s < src->num_clusters; ++s) {
    const int64_t t = src->nearest[s];
    src->mutual[s] = t >= 0 && tgt->nearest[t] == (int64_t)s;
    src->pair_index[s] = t >= 0 ? find_row(pairs, rows, (int64_t)s, t) : -1;
  }
  for (size_t t = 0; t < tgt->num_clusters; ++t) {
    const int64_t s = tgt->nearest[t];
    tgt->mutual[t] = s >= 0 && src->nearest[s] == (int64_t)t;
    tgt->pair_index[t] = s >= 0 ? find_row(pairs, rows, s, (int64_t)t) : -1;
  }
  return SCIPAR_OK;
}
