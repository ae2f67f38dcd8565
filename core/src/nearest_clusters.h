/* For every cluster of one cloud, the cluster of least Chamfer value in the other cloud. */
#ifndef SCIPAR_NEAREST_CLUSTERS_H
#define SCIPAR_NEAREST_CLUSTERS_H

#include "cluster_set.h"
#include "progress.h"

/* Fills nearest[k] (cluster index in `to`, -1 when none lies within max_pair_distance) and
 * distance[k] (NaN when none) for every cluster k of `from`. from_is_source tells which side is the
 * source, so that every pair is evaluated in the same argument order from both sides. Ties go to the
 * smaller cluster id. Returns SCIPAR_ERROR_CANCELLED when the progress callback asked to stop. */
scipar_status nearest_clusters(const cluster_set *from, const cluster_set *to, int from_is_source,
                               const scipar_options *options, int num_threads,
                               progress_state *progress, int64_t *nearest, double *distance);

#endif
