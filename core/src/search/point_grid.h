/* A uniform grid over every point of a cluster set, each point labelled with its cluster: the radius
 * queries of the neighbourhood search (neighbourhood.c). Its cells are about as wide as the radii
 * asked, so a query scans a few rows of contiguous points with no branches to mispredict; on heavily
 * overlapping clusters this is several times cheaper than descending a k-d tree per query point. */
#ifndef SCIPAR_POINT_GRID_H
#define SCIPAR_POINT_GRID_H

#include "distance/kernels.h"
#include "grouping/grouping.h"

typedef struct point_grid {
  int64_t n;
  double *x, *y, *z; /* the set's points, cell by cell (x fastest, then y, then z) */
  int64_t *cluster;  /* [n] each point's cluster index */
  int64_t *cell_start; /* [cells + 1] */
  int64_t dims[3];
  double origin[3], inverse_width;
} point_grid;

/* A grid whose cells are `width` wide, or wider when that would make more than about two cells per
 * point. */
scipar_status point_grid_build(const cluster_set *set, double width, int num_threads, point_grid *grid);
void point_grid_free(point_grid *grid);

static inline grid_view point_grid_view(const point_grid *grid)
{
  return (grid_view){grid->x,       grid->y,       grid->z,       grid->cell_start,
                     {grid->dims[0], grid->dims[1], grid->dims[2]}, {grid->origin[0], grid->origin[1], grid->origin[2]},
                     grid->inverse_width};
}

#endif
