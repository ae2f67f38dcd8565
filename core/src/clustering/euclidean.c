/* scipar_euclidean_clusters: core points by neighbour count, clusters as connected groups of core
 * points, every other point to the cluster of its nearest core neighbour, then the size limits and
 * the numbering.
 *
 * Threads work cell by cell. Joining core points uses a union-find without locks in which a root is
 * only ever linked under a smaller root (compare-and-swap), so each group ends with its smallest
 * grid position as root whatever order the threads ran in: the result does not depend on them. */
#include "clustering/clustering.h"
#include "call/call.h"
#include "call/progress.h"
#include "scipar/clustering.h"

#include <math.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Cells handled between two progress reports and cancellation checks. */
enum { CELLS_PER_CHUNK = 256 };

/* With all cores asked for, one thread per this many points: a point costs about 2,000 instructions
 * (a 21,000-point sensor frame clusters in 7 ms on one thread), so below this a second thread gains
 * less than waking it and waiting for it at each pass's barrier costs on a busy machine. */
enum { AUTO_POINTS_PER_THREAD_CLUSTERING = 100000 };

void scipar_clustering_options_init(scipar_clustering_options *options)
{
  memset(options, 0, sizeof *options);
  options->min_cluster_size = 1;
}

void scipar_clustering_result_free(scipar_clustering_result *result)
{
  if (!result)
    return;
  free(result->cluster_ids);
  free(result->cluster_sizes);
  result->cluster_ids = NULL;
  result->cluster_sizes = NULL;
  result->num_clusters = 0;
}

static scipar_status fail(scipar_clustering_result *result, scipar_status status, const char *format, ...)
{
  scipar_clustering_result_free(result);
  va_list args;
  va_start(args, format);
  vsnprintf(result->message, sizeof result->message, format, args);
  va_end(args);
  return status;
}

typedef struct clustering_work {
  const cell_grid *grid;
  double radius2;
  int64_t min_neighbors;
  unsigned char *core;      /* [grid->num_points] by grid position */
  _Atomic int64_t *parent;  /* [grid->num_points] union-find over grid positions */
  int64_t *root;            /* [grid->num_points] root of each point's cluster, -1 for none */
  progress_state *progress;
} clustering_work;

static double distance2(const double *a, const double *b)
{
  const double dx = a[0] - b[0], dy = a[1] - b[1], dz = a[2] - b[2];
  return dx * dx + dy * dy + dz * dz;
}

/* Whether point a comes before point b: by x, then y, then z. Ties decided by coordinates, not by
 * input index, make the ids the same whatever the points' order (under MPI the pieces gathered on
 * process 0 come in another order than one process reads them). */
static int comes_first(const double *a, const double *b)
{
  return a[0] != b[0] ? a[0] < b[0] : a[1] != b[1] ? a[1] < b[1] : a[2] < b[2];
}

static int64_t find_root(_Atomic int64_t *parent, int64_t x)
{
  for (;;) {
    const int64_t up = atomic_load_explicit(&parent[x], memory_order_relaxed);
    if (up == x)
      return x;
    const int64_t upper = atomic_load_explicit(&parent[up], memory_order_relaxed);
    if (upper != up) /* path halving: an ancestor stays an ancestor, so this write is always right */
      atomic_store_explicit(&parent[x], upper, memory_order_relaxed);
    x = upper;
  }
}

static void unite(_Atomic int64_t *parent, int64_t a, int64_t b)
{
  for (;;) {
    a = find_root(parent, a);
    b = find_root(parent, b);
    if (a == b)
      return;
    if (a < b) {
      const int64_t t = a;
      a = b;
      b = t;
    }
    int64_t expected = a; /* link the larger root under the smaller, if it is still a root */
    if (atomic_compare_exchange_strong_explicit(&parent[a], &expected, b, memory_order_relaxed,
                                                memory_order_relaxed))
      return;
  }
}

/* Core flag of every point of cell c: at least min_neighbors other points within the radius. */
static void mark_core(clustering_work *w, size_t c, const int64_t *cells, int num_cells)
{
  const cell_grid *g = w->grid;
  for (int64_t i = g->cell_start[c]; i < g->cell_start[c + 1]; ++i) {
    int64_t count = 0;
    for (int k = 0; k < num_cells && count < w->min_neighbors; ++k)
      for (int64_t j = g->cell_start[cells[k]]; j < g->cell_start[cells[k] + 1] && count < w->min_neighbors; ++j)
        count += j != i && distance2(&g->xyz[3 * i], &g->xyz[3 * j]) <= w->radius2;
    w->core[i] = count >= w->min_neighbors;
  }
}

/* Joins every core point of cell c with its core neighbours of larger position. */
static void join_core(clustering_work *w, size_t c, const int64_t *cells, int num_cells)
{
  const cell_grid *g = w->grid;
  for (int64_t i = g->cell_start[c]; i < g->cell_start[c + 1]; ++i) {
    if (!w->core[i])
      continue;
    for (int k = 0; k < num_cells; ++k)
      for (int64_t j = g->cell_start[cells[k]]; j < g->cell_start[cells[k] + 1]; ++j)
        if (j > i && w->core[j] && distance2(&g->xyz[3 * i], &g->xyz[3 * j]) <= w->radius2)
          unite(w->parent, i, j);
  }
}

/* The root of each point of cell c: its own for a core point; for another point the root of its
 * nearest core neighbour (ties: the one that comes first, comes_first), or -1 with none. */
static void assign_roots(clustering_work *w, size_t c, const int64_t *cells, int num_cells)
{
  const cell_grid *g = w->grid;
  for (int64_t i = g->cell_start[c]; i < g->cell_start[c + 1]; ++i) {
    if (w->core[i]) {
      w->root[i] = find_root(w->parent, i);
      continue;
    }
    int64_t best = -1;
    double best_d2 = w->radius2;
    for (int k = 0; k < num_cells; ++k)
      for (int64_t j = g->cell_start[cells[k]]; j < g->cell_start[cells[k] + 1]; ++j) {
        if (!w->core[j])
          continue;
        const double d2 = distance2(&g->xyz[3 * i], &g->xyz[3 * j]);
        if (d2 < best_d2 || (d2 == best_d2 && (best < 0 || comes_first(&g->xyz[3 * j], &g->xyz[3 * best])))) {
          best = j;
          best_d2 = d2;
        }
      }
    w->root[i] = best >= 0 ? find_root(w->parent, best) : -1;
  }
}

typedef void (*cell_pass)(clustering_work *w, size_t c, const int64_t *cells, int num_cells);

/* Runs pass over every cell on num_threads threads; SCIPAR_ERROR_CANCELLED if asked to stop. */
static scipar_status over_cells(clustering_work *w, cell_pass pass, int num_threads)
{
  const size_t cells = w->grid->num_cells;
  const size_t chunks = (cells + CELLS_PER_CHUNK - 1) / CELLS_PER_CHUNK;
#pragma omp parallel for num_threads(num_threads) schedule(dynamic, 1)
  for (size_t chunk = 0; chunk < chunks; ++chunk) {
    if (progress_cancelled(w->progress))
      continue;
    const size_t end = (chunk + 1) * CELLS_PER_CHUNK < cells ? (chunk + 1) * CELLS_PER_CHUNK : cells;
    for (size_t c = chunk * CELLS_PER_CHUNK; c < end; ++c) {
      int64_t around[CELL_NEIGHBORHOOD];
      pass(w, c, around, cell_grid_neighbors(w->grid, c, around));
    }
    progress_item_done(w->progress);
  }
  return progress_cancelled(w->progress) ? SCIPAR_ERROR_CANCELLED : SCIPAR_OK;
}

typedef struct cluster_rank {
  int64_t size, root;  /* points, root position */
  const double *first; /* the cluster's point that comes first */
} cluster_rank;

static int by_size_then_first(const void *a, const void *b)
{
  const cluster_rank *x = a, *y = b;
  if (x->size != y->size)
    return x->size > y->size ? -1 : 1;
  return comes_first(y->first, x->first) - comes_first(x->first, y->first);
}

/* Sizes the clusters, keeps those within the size limits, numbers them, and writes the ids. */
static scipar_status number_clusters(const clustering_work *w, const scipar_clustering_options *options,
                                     scipar_clustering_result *result)
{
  const cell_grid *g = w->grid;
  const size_t n = g->num_points;
  int64_t *size = calloc(n ? n : 1, sizeof *size);
  int64_t *first = malloc((n ? n : 1) * sizeof *first);
  cluster_rank *ranks = malloc((n ? n : 1) * sizeof *ranks);
  if (!size || !first || !ranks) {
    free(size);
    free(first);
    free(ranks);
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  }
  for (size_t i = 0; i < n; ++i) {
    const int64_t r = w->root[i];
    if (r < 0)
      continue;
    first[r] = size[r] == 0 || comes_first(&g->xyz[3 * i], &g->xyz[3 * first[r]]) ? (int64_t)i : first[r];
    ++size[r];
  }
  size_t kept = 0;
  const int64_t max_size = options->max_cluster_size > 0 ? options->max_cluster_size : INT64_MAX;
  for (size_t r = 0; r < n; ++r)
    if (size[r] > 0 && size[r] >= options->min_cluster_size && size[r] <= max_size)
      ranks[kept++] = (cluster_rank){size[r], (int64_t)r, &g->xyz[3 * first[r]]};
  qsort(ranks, kept, sizeof *ranks, by_size_then_first);

  result->num_clusters = kept;
  result->cluster_sizes = malloc((kept ? kept : 1) * sizeof *result->cluster_sizes);
  if (!result->cluster_sizes) {
    free(size);
    free(first);
    free(ranks);
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  }
  int64_t *id_of_root = first; /* reused: the cluster id of each kept root */
  for (size_t r = 0; r < n; ++r)
    id_of_root[r] = -1;
  for (size_t k = 0; k < kept; ++k) {
    id_of_root[ranks[k].root] = (int64_t)k;
    result->cluster_sizes[k] = ranks[k].size;
  }
  size_t noise = 0;
  for (size_t i = 0; i < n; ++i) {
    const int64_t id = w->root[i] >= 0 ? id_of_root[w->root[i]] : -1;
    result->cluster_ids[g->point_ids[i]] = id;
    noise += id < 0;
  }
  result->num_noise_points = noise;
  free(size);
  free(first);
  free(ranks);
  return SCIPAR_OK;
}

static scipar_status cluster_grid(const cell_grid *grid, const scipar_clustering_options *options,
                                  int num_threads, scipar_clustering_result *result)
{
  const size_t n = grid->num_points;
  clustering_work w = {grid, options->radius * options->radius, options->min_neighbors, NULL, NULL, NULL, NULL};
  w.core = malloc(n ? n : 1);
  w.parent = malloc((n ? n : 1) * sizeof *w.parent);
  w.root = malloc((n ? n : 1) * sizeof *w.root);
  scipar_status status = SCIPAR_ERROR_OUT_OF_MEMORY;
  if (w.core && w.parent && w.root) {
    const size_t chunks = (grid->num_cells + CELLS_PER_CHUNK - 1) / CELLS_PER_CHUNK;
    const int passes = options->min_neighbors > 0 ? 3 : 2;
    progress_state progress = {options->progress, options->progress_user_data, passes * chunks, 0, 0};
    w.progress = &progress;
    for (size_t i = 0; i < n; ++i) {
      atomic_init(&w.parent[i], (int64_t)i);
      w.core[i] = 1;
    }
    status = SCIPAR_OK;
    if (options->min_neighbors > 0)
      status = over_cells(&w, mark_core, num_threads);
    if (status == SCIPAR_OK)
      status = over_cells(&w, join_core, num_threads);
    if (status == SCIPAR_OK)
      status = over_cells(&w, assign_roots, num_threads);
    if (status == SCIPAR_OK)
      status = number_clusters(&w, options, result);
  }
  free(w.core);
  free(w.parent);
  free(w.root);
  return status;
}

/* Which points take part: finite coordinates and no skip flag. */
static size_t mark_usable(const double *points, size_t num_points, const unsigned char *skip,
                          unsigned char *usable, scipar_clustering_result *result)
{
  size_t count = 0;
  for (size_t i = 0; i < num_points; ++i) {
    const int skipped = skip && skip[i];
    const int finite = isfinite(points[3 * i]) && isfinite(points[3 * i + 1]) && isfinite(points[3 * i + 2]);
    usable[i] = !skipped && finite;
    result->num_skipped_points += skipped;
    result->num_excluded_points += !skipped && !finite;
    count += usable[i];
  }
  return count;
}

scipar_status scipar_euclidean_clusters(const double *points, size_t num_points, const unsigned char *skip,
                                        const scipar_clustering_options *options,
                                        scipar_clustering_result *result)
{
  if (!result)
    return SCIPAR_ERROR_INVALID_ARGUMENT;
  memset(result, 0, sizeof *result);
  if (!options)
    return fail(result, SCIPAR_ERROR_INVALID_ARGUMENT, "no options: the radius must be given");
  if (!(options->radius > 0) || !isfinite(options->radius))
    return fail(result, SCIPAR_ERROR_INVALID_ARGUMENT, "radius %g: it must be a positive finite distance",
                options->radius);
  if (num_points > 0 && !points)
    return fail(result, SCIPAR_ERROR_INVALID_ARGUMENT, "the cloud has points but no coordinates (NULL)");
  if (num_points > SIZE_MAX / (3 * sizeof(double)))
    return fail(result, SCIPAR_ERROR_INVALID_ARGUMENT, "the cloud has more points than memory can address");

  const call_clock clock = call_clock_start();
  const int num_threads = choose_threads_for(options->num_threads, num_points, AUTO_POINTS_PER_THREAD_CLUSTERING);
  result->num_points = num_points;
  result->cluster_ids = malloc((num_points ? num_points : 1) * sizeof *result->cluster_ids);
  unsigned char *usable = malloc(num_points ? num_points : 1);
  if (!result->cluster_ids || !usable) {
    free(usable);
    return fail(result, SCIPAR_ERROR_OUT_OF_MEMORY, "out of memory clustering %zu points", num_points);
  }
  for (size_t i = 0; i < num_points; ++i)
    result->cluster_ids[i] = -1;
  const size_t num_usable = mark_usable(points, num_points, skip, usable, result);
  cell_grid grid;
  scipar_status status = cell_grid_build(points, usable, num_points, num_usable, options->radius, num_threads, &grid);
  free(usable);
  if (status == SCIPAR_OK) {
    status = cluster_grid(&grid, options, num_threads, result);
    cell_grid_free(&grid);
  }
  switch (status) {
  case SCIPAR_OK: break;
  case SCIPAR_ERROR_CANCELLED: return fail(result, status, "cancelled by the progress callback");
  case SCIPAR_ERROR_INVALID_ARGUMENT:
    return fail(result, status, "the coordinates span more than a double can hold");
  default: return fail(result, status, "out of memory clustering %zu points", num_points);
  }
  const call_clock elapsed = call_clock_elapsed(clock);
  result->num_threads = num_threads;
  result->wall_seconds = elapsed.wall;
  result->cpu_seconds = elapsed.cpu;
  return SCIPAR_OK;
}
