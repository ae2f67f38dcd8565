#include "search/point_grid.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* At most this many cells per point (plus a few): the grid's memory stays linear in the points. */
enum { CELLS_PER_POINT = 2, EXTRA_CELLS = 64 };

/* Cells along each axis for cells `width` wide over the extent; 0 when their product exceeds
 * max_cells. */
static int64_t cells_for(const double extent[3], double width, int64_t max_cells, int64_t dims[3])
{
  double total = 1.0;
  for (int d = 0; d < 3; ++d) {
    const double along = floor(extent[d] / width) + 1.0;
    total *= along;
    if (!(total <= (double)max_cells))
      return 0;
    dims[d] = (int64_t)along;
  }
  return (int64_t)total;
}

scipar_status point_grid_build(const cluster_set *set, double width, int num_threads, point_grid *grid)
{
  memset(grid, 0, sizeof *grid);
  const int64_t n = set->offsets[set->num_clusters];
  double lo[3] = {INFINITY, INFINITY, INFINITY}, hi[3] = {-INFINITY, -INFINITY, -INFINITY};
  const double *coordinate[3] = {set->x, set->y, set->z};
  for (int d = 0; d < 3; ++d)
    for (int64_t i = 0; i < n; ++i) {
      lo[d] = coordinate[d][i] < lo[d] ? coordinate[d][i] : lo[d];
      hi[d] = coordinate[d][i] > hi[d] ? coordinate[d][i] : hi[d];
    }
  const double extent[3] = {n ? hi[0] - lo[0] : 0.0, n ? hi[1] - lo[1] : 0.0, n ? hi[2] - lo[2] : 0.0};
  const int64_t max_cells = CELLS_PER_POINT * n + EXTRA_CELLS;
  if (!(width > 0.0) || !isfinite(width))
    width = fmax(extent[0], fmax(extent[1], extent[2])) + 1.0;
  int64_t cells = 0;
  for (int tries = 0; !cells && tries < 4096 && isfinite(width); ++tries)
    if (!(cells = cells_for(extent, width, max_cells, grid->dims)))
      width *= 1.25;
  for (int d = 0; d < 3; ++d)
    grid->origin[d] = n ? lo[d] : 0.0;
  grid->inverse_width = cells ? 1.0 / width : 0.0;
  if (!cells) { /* an extent beyond any width (overflowed): one cell */
    grid->dims[0] = grid->dims[1] = grid->dims[2] = 1;
    cells = 1;
  }
  grid->n = n;
  const size_t m = n ? (size_t)n : 1;
  grid->x = malloc(m * sizeof *grid->x);
  grid->y = malloc(m * sizeof *grid->y);
  grid->z = malloc(m * sizeof *grid->z);
  grid->cluster = malloc(m * sizeof *grid->cluster);
  grid->cell_start = calloc((size_t)cells + 1, sizeof *grid->cell_start);
  int64_t *cell = malloc(m * sizeof *cell);
  if (!grid->x || !grid->y || !grid->z || !grid->cluster || !grid->cell_start || !cell) {
    free(cell);
    point_grid_free(grid);
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  }
  const long long k = (long long)set->num_clusters;
  const grid_view g = point_grid_view(grid);
#pragma omp parallel for num_threads(num_threads) schedule(static)
  for (long long c = 0; c < k; ++c)
    for (int64_t i = set->offsets[c]; i < set->offsets[c + 1]; ++i) {
      const int64_t cx = grid_cell_along(set->x[i], g.origin[0], g.inverse_width, g.dims[0]);
      const int64_t cy = grid_cell_along(set->y[i], g.origin[1], g.inverse_width, g.dims[1]);
      const int64_t cz = grid_cell_along(set->z[i], g.origin[2], g.inverse_width, g.dims[2]);
      cell[i] = (cz * g.dims[1] + cy) * g.dims[0] + cx;
    }
  /* A counting sort by cell, stable: points keep their set order within a cell. */
  for (int64_t i = 0; i < n; ++i)
    ++grid->cell_start[cell[i] + 1];
  for (int64_t c = 0; c < cells; ++c)
    grid->cell_start[c + 1] += grid->cell_start[c];
  int64_t c = 0;
  for (int64_t i = 0; i < n; ++i) {
    while (i >= set->offsets[c + 1])
      ++c;
    const int64_t at = grid->cell_start[cell[i]]++;
    grid->x[at] = set->x[i];
    grid->y[at] = set->y[i];
    grid->z[at] = set->z[i];
    grid->cluster[at] = c;
  }
  /* Each start moved to its cell's end, the next cell's start: shift back. */
  memmove(grid->cell_start + 1, grid->cell_start, (size_t)cells * sizeof *grid->cell_start);
  grid->cell_start[0] = 0;
  free(cell);
  return SCIPAR_OK;
}

void point_grid_free(point_grid *grid)
{
  free(grid->x);
  free(grid->y);
  free(grid->z);
  free(grid->cluster);
  free(grid->cell_start);
  memset(grid, 0, sizeof *grid);
}
