/* A uniform grid of cells at least as wide as the neighbour radius, stored sparsely: the usable
 * points sorted by cell, and the sorted keys of the non-empty cells. */
#include "clustering/clustering.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Fewer than 2^21 cells per axis: a cell's three coordinates pack into one 63-bit key. */
enum { AXIS_BITS = 21 };
#define AXIS_CELLS (UINT64_C(1) << AXIS_BITS)

typedef struct keyed_point {
  uint64_t key;
  int64_t id;
} keyed_point;

/* Sorts by key, stably (input order inside a cell), 8 bits a pass; passes over a byte every key
 * shares are skipped. */
static void sort_by_key(keyed_point *items, keyed_point *scratch, size_t n)
{
  keyed_point *from = items, *to = scratch;
  for (unsigned shift = 0; shift < 64; shift += 8) {
    size_t count[256] = {0};
    for (size_t i = 0; i < n; ++i)
      ++count[(from[i].key >> shift) & 0xFF];
    if (count[(from[0].key >> shift) & 0xFF] == n)
      continue;
    size_t start = 0;
    for (int b = 0; b < 256; ++b) {
      const size_t c = count[b];
      count[b] = start;
      start += c;
    }
    for (size_t i = 0; i < n; ++i)
      to[count[(from[i].key >> shift) & 0xFF]++] = from[i];
    keyed_point *swap = from;
    from = to;
    to = swap;
  }
  if (from != items)
    memcpy(items, from, n * sizeof *items);
}

/* The cell width. Two points within the radius must never land two cells apart along an axis, though
 * (x - low) / width is rounded: the width exceeds the radius by more than that rounding can move a
 * point (a few units in the last place of the largest coordinate). It is also wide enough for fewer
 * than AXIS_CELLS cells per axis. */
static double cell_width(double radius, const double low[3], const double high[3])
{
  double max_abs = 0.0, extent = 0.0;
  for (int a = 0; a < 3; ++a) {
    max_abs = fmax(max_abs, fmax(fabs(low[a]), fabs(high[a])));
    extent = fmax(extent, high[a] - low[a]);
  }
  double width = radius * (1.0 + 1e-9) + 16.0 * DBL_EPSILON * max_abs;
  const double coarsest = extent / (double)(AXIS_CELLS - 2);
  return width > coarsest ? width : coarsest;
}

/* Fibonacci hashing: the key's bits mixed into the table's index range. */
static uint64_t slot_of(uint64_t key, uint64_t mask) { return (key * UINT64_C(0x9E3779B97F4A7C15)) >> 32 & mask; }

/* A hash table of the cells by key, at most half full: a neighbour cell is found in O(1), where a
 * binary search over the keys took most of the clustering's time. */
static int fill_slots(cell_grid *grid)
{
  uint64_t size = 2;
  while (size < 2 * (uint64_t)grid->num_cells)
    size *= 2;
  grid->slot_mask = size - 1;
  grid->slots = malloc(size * sizeof *grid->slots);
  if (!grid->slots)
    return 0;
  for (uint64_t s = 0; s < size; ++s)
    grid->slots[s] = -1;
  for (size_t c = 0; c < grid->num_cells; ++c) {
    uint64_t s = slot_of(grid->cell_keys[c], grid->slot_mask);
    while (grid->slots[s] >= 0)
      s = (s + 1) & grid->slot_mask;
    grid->slots[s] = (int64_t)c;
  }
  return 1;
}

static uint64_t pack(const uint64_t cell[3]) { return cell[0] | cell[1] << AXIS_BITS | cell[2] << (2 * AXIS_BITS); }

scipar_status cell_grid_build(const double *points, const unsigned char *usable, size_t num_points,
                              size_t num_usable, double radius, int num_threads, cell_grid *grid)
{
  memset(grid, 0, sizeof *grid);
  if (num_usable == 0)
    return SCIPAR_OK;
  double low[3] = {INFINITY, INFINITY, INFINITY}, high[3] = {-INFINITY, -INFINITY, -INFINITY};
  for (size_t i = 0; i < num_points; ++i) {
    if (!usable[i])
      continue;
    for (int a = 0; a < 3; ++a) {
      low[a] = fmin(low[a], points[3 * i + a]);
      high[a] = fmax(high[a], points[3 * i + a]);
    }
  }
  for (int a = 0; a < 3; ++a)
    if (!isfinite(high[a] - low[a]))
      return SCIPAR_ERROR_INVALID_ARGUMENT;
  const double width = cell_width(radius, low, high);

  keyed_point *items = malloc(num_usable * sizeof *items);
  keyed_point *scratch = malloc(num_usable * sizeof *scratch);
  grid->point_ids = malloc(num_usable * sizeof *grid->point_ids);
  grid->xyz = malloc(3 * num_usable * sizeof *grid->xyz);
  if (!items || !scratch || !grid->point_ids || !grid->xyz) {
    free(items);
    free(scratch);
    cell_grid_free(grid);
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  }
  size_t n = 0;
  for (size_t i = 0; i < num_points; ++i) {
    if (!usable[i])
      continue;
    uint64_t cell[3];
    for (int a = 0; a < 3; ++a)
      cell[a] = (uint64_t)floor((points[3 * i + a] - low[a]) / width);
    items[n++] = (keyed_point){pack(cell), (int64_t)i};
  }
  sort_by_key(items, scratch, n);
  free(scratch);

  size_t cells = 0;
  for (size_t p = 0; p < n; ++p)
    cells += p == 0 || items[p].key != items[p - 1].key;
  grid->num_points = n;
  grid->num_cells = cells;
  grid->cell_start = malloc((cells + 1) * sizeof *grid->cell_start);
  grid->cell_keys = malloc(cells * sizeof *grid->cell_keys);
  if (!grid->cell_start || !grid->cell_keys) {
    free(items);
    cell_grid_free(grid);
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  }
  size_t c = 0;
  for (size_t p = 0; p < n; ++p) {
    if (p == 0 || items[p].key != items[p - 1].key) {
      grid->cell_start[c] = (int64_t)p;
      grid->cell_keys[c++] = items[p].key;
    }
  }
  grid->cell_start[cells] = (int64_t)n;
  if (!fill_slots(grid)) {
    free(items);
    cell_grid_free(grid);
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  }
#pragma omp parallel for num_threads(num_threads) schedule(static)
  for (size_t p = 0; p < n; ++p) {
    const int64_t id = items[p].id;
    grid->point_ids[p] = id;
    memcpy(&grid->xyz[3 * p], &points[3 * id], 3 * sizeof *points);
  }
  free(items);
  return SCIPAR_OK;
}

void cell_grid_free(cell_grid *grid)
{
  free(grid->point_ids);
  free(grid->xyz);
  free(grid->cell_start);
  free(grid->cell_keys);
  free(grid->slots);
  memset(grid, 0, sizeof *grid);
}

static int64_t find_cell(const cell_grid *grid, uint64_t key)
{
  for (uint64_t s = slot_of(key, grid->slot_mask);; s = (s + 1) & grid->slot_mask) {
    const int64_t c = grid->slots[s];
    if (c < 0 || grid->cell_keys[c] == key)
      return c;
  }
}

int cell_grid_neighbors(const cell_grid *grid, size_t c, int64_t neighbors[CELL_NEIGHBORHOOD])
{
  const uint64_t key = grid->cell_keys[c], mask = AXIS_CELLS - 1;
  const uint64_t center[3] = {key & mask, (key >> AXIS_BITS) & mask, key >> (2 * AXIS_BITS)};
  int count = 0;
  for (int dz = -1; dz <= 1; ++dz)
    for (int dy = -1; dy <= 1; ++dy)
      for (int dx = -1; dx <= 1; ++dx) {
        const int delta[3] = {dx, dy, dz};
        uint64_t cell[3];
        int inside = 1;
        for (int a = 0; a < 3; ++a) {
          cell[a] = center[a] + (uint64_t)(int64_t)delta[a]; /* wraps below 0: caught next line */
          inside &= cell[a] < AXIS_CELLS;
        }
        const int64_t found = inside ? find_cell(grid, pack(cell)) : -1;
        if (found >= 0)
          neighbors[count++] = found;
      }
  return count;
}
