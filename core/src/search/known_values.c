#include "search/search.h"

#include <stdlib.h>
#include <string.h>

void evaluated_pairs_free(evaluated_pairs *pairs)
{
  free(pairs->from);
  free(pairs->to);
  free(pairs->value);
  memset(pairs, 0, sizeof *pairs);
}

typedef struct other_value {
  int64_t other;
  double value;
} other_value;

static int by_other(const void *pa, const void *pb)
{
  const other_value *a = pa, *b = pb;
  return (a->other > b->other) - (a->other < b->other);
}

scipar_status known_values_build(const evaluated_pairs *pairs, size_t num_clusters, known_values *known)
{
  memset(known, 0, sizeof *known);
  known->num_clusters = num_clusters;
  known->offsets = calloc(num_clusters + 1, sizeof *known->offsets);
  other_value *entries = malloc((pairs->count + 1) * sizeof *entries);
  int64_t *fill = malloc((num_clusters + 1) * sizeof *fill);
  known->other = malloc((pairs->count + 1) * sizeof *known->other);
  known->value = malloc((pairs->count + 1) * sizeof *known->value);
  if (!known->offsets || !entries || !fill || !known->other || !known->value) {
    free(entries);
    free(fill);
    known_values_free(known);
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  }
  for (size_t i = 0; i < pairs->count; ++i)
    ++known->offsets[pairs->to[i] + 1];
  for (size_t k = 0; k < num_clusters; ++k)
    known->offsets[k + 1] += known->offsets[k];
  for (size_t k = 0; k < num_clusters; ++k)
    fill[k] = known->offsets[k];
  for (size_t i = 0; i < pairs->count; ++i)
    entries[fill[pairs->to[i]]++] = (other_value){pairs->from[i], pairs->value[i]};
  free(fill);
  /* The log's order depends on the threads' timing; sorted, the table does not. */
  for (size_t k = 0; k < num_clusters; ++k)
    if (known->offsets[k + 1] - known->offsets[k] > 1)
      qsort(entries + known->offsets[k], (size_t)(known->offsets[k + 1] - known->offsets[k]), sizeof *entries,
            by_other);
  for (size_t i = 0; i < pairs->count; ++i) {
    known->other[i] = entries[i].other;
    known->value[i] = entries[i].value;
  }
  free(entries);
  return SCIPAR_OK;
}

void known_values_free(known_values *known)
{
  free(known->offsets);
  free(known->other);
  free(known->value);
  memset(known, 0, sizeof *known);
}
