/*
 * Stage: clustering. Takes one cloud's points (no labels) and a neighbour radius; gives a cluster id
 * per point, -1 for points of no cluster (scipar_euclidean_clusters, include/scipar/clustering.h).
 * Independent of the matching stages: it only uses call/ (threads, timing, progress). A cell_grid
 * (cell_grid.c) finds every pair of points within the radius; euclidean.c joins them into clusters.
 */
#ifndef SCIPAR_CLUSTERING_STAGE_H
#define SCIPAR_CLUSTERING_STAGE_H

#include "scipar/scipar.h"

#include <stddef.h>
#include <stdint.h>

/* The usable points bucketed in cubic cells at least as wide as the radius, so that a point's
 * neighbours all lie in its own cell or the 26 around it. */
typedef struct cell_grid {
  size_t num_points;   /* usable points */
  int64_t *point_ids;  /* [num_points] input indices, grouped by cell, in input order inside a cell */
  double *xyz;         /* [3 * num_points] their coordinates, in the same order */
  size_t num_cells;    /* non-empty cells */
  int64_t *cell_start; /* [num_cells + 1] cell c holds positions cell_start[c] .. cell_start[c + 1] */
  uint64_t *cell_keys; /* [num_cells] each cell's packed coordinates, ascending */
  int64_t *slots;      /* [slot_mask + 1] hash table of the cells by key (open addressing), -1: free */
  uint64_t slot_mask;
} cell_grid;

enum { CELL_NEIGHBORHOOD = 27 };

/* Buckets the points whose usable flag is set (num_usable of them), with num_threads threads.
 * SCIPAR_OK, SCIPAR_ERROR_OUT_OF_MEMORY, or SCIPAR_ERROR_INVALID_ARGUMENT when the coordinates span
 * more than a double can hold (then *grid is empty). */
scipar_status cell_grid_build(const double *points, const unsigned char *usable, size_t num_points,
                              size_t num_usable, double radius, int num_threads, cell_grid *grid);
void cell_grid_free(cell_grid *grid);

/* The non-empty cells among cell c and the 26 around it, written to neighbors; returns how many. */
int cell_grid_neighbors(const cell_grid *grid, size_t c, int64_t neighbors[CELL_NEIGHBORHOOD]);

#endif
