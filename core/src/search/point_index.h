/* A k-d tree over every point of a cluster set, each point labelled with its cluster: the global
 * nearest-point and radius queries of clusters too small or too entangled for a cluster-by-cluster
 * search (neighbourhood.h). Built only when a search needs it. */
#ifndef SCIPAR_POINT_INDEX_H
#define SCIPAR_POINT_INDEX_H

#include "grouping/grouping.h"

/* Points per leaf: small, since queries look for a few near points. */
enum { POINT_INDEX_LEAF_SIZE = 16 };

typedef struct point_index {
  int64_t n;
  double *x, *y, *z; /* the set's points, in tree order */
  int64_t *cluster;  /* [n] each point's cluster index */
  double *split_value; /* the build's split planes */
  unsigned char *split_dim;
  double *box; /* [6 * nodes]: each node's points' own box, which prunes better than its cell */
} point_index;

scipar_status point_index_build(const cluster_set *set, int num_threads, point_index *index);
void point_index_free(point_index *index);

static inline boxed_tree_view point_index_view(const point_index *index)
{
  return (boxed_tree_view){index->x, index->y, index->z, index->n, index->box, POINT_INDEX_LEAF_SIZE};
}

#endif
