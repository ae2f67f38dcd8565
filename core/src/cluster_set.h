/* One cloud's points grouped by cluster label, in the layout the distance loops want. */
#ifndef SCIPAR_CLUSTER_SET_H
#define SCIPAR_CLUSTER_SET_H

#include "scipar/scipar.h"

typedef struct cluster_set {
  size_t num_clusters;
  int64_t *ids;           /* [num_clusters] distinct labels of points with finite coordinates, ascending */
  int64_t *offsets;       /* [num_clusters + 1] cluster k owns x,y,z[offsets[k] .. offsets[k+1]) */
  double *x, *y, *z;      /* finite points grouped by cluster, input order kept inside a cluster */
  double *box_min;        /* [3 * num_clusters] axis-aligned bounding box of each cluster */
  double *box_max;
  double *centroids;      /* [3 * num_clusters] */
  int64_t *point_ids;     /* [offsets[num_clusters]] input index of each grouped point */
  int64_t *point_cluster; /* [num_points] cluster of each input point, -1 if not finite */
  size_t num_excluded;    /* input points with a NaN or infinite coordinate */
} cluster_set;

/* Groups cloud's points. Returns SCIPAR_OK or SCIPAR_ERROR_OUT_OF_MEMORY; on failure *set is empty. */
scipar_status cluster_set_build(const scipar_cloud *cloud, cluster_set *set);
void cluster_set_free(cluster_set *set);

static inline int64_t cluster_set_size(const cluster_set *set, size_t k)
{
  return set->offsets[k + 1] - set->offsets[k];
}

#endif
