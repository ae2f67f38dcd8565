/* scipar_pair_values: a side's per-cluster results spread over points (or cells) for display. */
#include "scipar/scipar.h"

#include <math.h>
#include <omp.h>

void scipar_pair_values(const scipar_side *side, const scipar_side *other, const int64_t *cluster_of,
                        size_t count, int num_threads, int64_t *pair_id, double *pair_distance,
                        unsigned char *mutual, int64_t *pair_index)
{
  const long long n = (long long)count;
  /* Static schedule: item i is written by the thread that first touches its page, and every item
   * costs the same. */
#pragma omp parallel for num_threads(num_threads > 0 ? num_threads : omp_get_max_threads()) schedule(static)
  for (long long i = 0; i < n; ++i) {
    const int64_t c = cluster_of[i];
    const int64_t nearest = c >= 0 ? side->nearest[c] : -1;
    if (pair_id)
      pair_id[i] = nearest >= 0 ? other->cluster_ids[nearest] : -1;
    if (pair_distance)
      pair_distance[i] = nearest >= 0 ? side->nearest_distance[c] : NAN;
    if (mutual)
      mutual[i] = c >= 0 ? side->mutual[c] : 0;
    if (pair_index)
      pair_index[i] = c >= 0 ? side->pair_index[c] : -1;
  }
}
