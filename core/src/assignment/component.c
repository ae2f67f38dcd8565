/* One component by successive shortest augmenting paths.
 *
 * The problem is rewritten with rows only paying: leaving column j unlinked costs col_cost[j]
 * whatever happens, so linking row i to column j changes the total by link_cost - col_cost[j], and
 * leaving row i unlinked costs row_cost[i]. Row i gets a private "no link" column (index
 * num_cols + num_rows - 1 - i) at that cost: every row is then placed exactly once, on a real column (each taken at
 * most once) or on its own "no link" column, a rectangular assignment problem. Linear-programming
 * duality certifies the result: with row potentials u (free) and column potentials v <= 0, every
 * reduced cost c - u - v >= 0, every chosen edge at 0 and every column left free at v = 0, the
 * placement is optimal. Potentials start at v = 0, u = each row's least cost; each free row is then
 * placed by Dijkstra over reduced costs, which keeps all three conditions (a free column, where
 * every path ends, never changes potential).
 *
 * Unlike the square form of assignment.h's comment (which it solves), no "no link" row per column
 * and no zero-cost block exist here: in that block every zero-cost edge ties, and a search would
 * wander over the whole component (measured: 5 minutes instead of a fraction of a second on
 * 100,000 rows with 5 links each). */
#include "assignment/component.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Grows *p to hold count elements of size bytes (contents need not be kept). */
static int reserve(void **p, size_t count, size_t size)
{
  void *grown = realloc(*p, (count ? count : 1) * size);
  if (!grown)
    return 0;
  *p = grown;
  return 1;
}

static int workspace_reserve(component_workspace *w, size_t rows, size_t cols, size_t edges)
{
  if (rows > w->rows) {
    if (!reserve((void **)&w->start, rows + 1, sizeof *w->start) ||
        !reserve((void **)&w->row_potential, rows, sizeof(double)) ||
        !reserve((void **)&w->row_match, rows, sizeof(int64_t)))
      return 0;
    w->rows = rows;
  }
  if (cols > w->cols) {
    if (!reserve((void **)&w->col_potential, cols, sizeof(double)) ||
        !reserve((void **)&w->distance, cols, sizeof(double)) ||
        !reserve((void **)&w->col_match, cols, sizeof(int64_t)) ||
        !reserve((void **)&w->reached_from, cols, sizeof(int64_t)) ||
        !reserve((void **)&w->settled, cols, sizeof(int64_t)) ||
        !reserve((void **)&w->touched, cols, sizeof(int64_t)) || !reserve((void **)&w->state, cols, 1))
      return 0;
    w->cols = cols;
  }
  if (edges > w->edges) {
    if (!reserve((void **)&w->target, edges, sizeof(int64_t)) || !reserve((void **)&w->cost, edges, sizeof(double)))
      return 0;
    w->edges = edges;
  }
  return 1;
}

void component_workspace_free(component_workspace *w)
{
  free(w->start), free(w->target), free(w->cost);
  free(w->row_potential), free(w->col_potential), free(w->distance);
  free(w->row_match), free(w->col_match), free(w->reached_from), free(w->settled), free(w->touched);
  free(w->state), free(w->heap);
  memset(w, 0, sizeof *w);
}

/* Row i: its links (columns ascending) at link_cost - col_cost, then its "no link" column. The "no
 * link" columns are numbered in descending row order: among paths of equal cost, the first column
 * settled ends the search, so a tie leaves the row of larger index unlinked. */
static void build_graph(const component *c, component_workspace *w)
{
  int64_t at = 0;
  for (int64_t i = 0; i < c->num_rows; ++i) {
    w->start[i] = at;
    for (int64_t l = c->row_start[i]; l < c->row_start[i + 1]; ++l, ++at) {
      w->target[at] = c->link_col[l];
      w->cost[at] = c->link_cost[l] - c->col_cost[c->link_col[l]];
    }
    w->target[at] = c->num_cols + (c->num_rows - 1 - i);
    w->cost[at++] = c->row_cost[i];
  }
  w->start[c->num_rows] = at;
}

static int heap_before(heap_entry a, heap_entry b)
{
  return a.distance < b.distance || (a.distance == b.distance && a.column < b.column);
}

static int heap_push(component_workspace *w, size_t *size, heap_entry e)
{
  if (*size == w->heap_capacity) {
    const size_t capacity = w->heap_capacity ? 2 * w->heap_capacity : 64;
    heap_entry *grown = realloc(w->heap, capacity * sizeof *grown);
    if (!grown)
      return 0;
    w->heap = grown;
    w->heap_capacity = capacity;
  }
  size_t i = (*size)++;
  while (i > 0 && heap_before(e, w->heap[(i - 1) / 2])) {
    w->heap[i] = w->heap[(i - 1) / 2];
    i = (i - 1) / 2;
  }
  w->heap[i] = e;
  return 1;
}

static heap_entry heap_pop(component_workspace *w, size_t *size)
{
  const heap_entry top = w->heap[0];
  const heap_entry last = w->heap[--*size];
  size_t i = 0;
  for (;;) {
    size_t child = 2 * i + 1;
    if (child >= *size)
      break;
    if (child + 1 < *size && heap_before(w->heap[child + 1], w->heap[child]))
      ++child;
    if (!heap_before(w->heap[child], last))
      break;
    w->heap[i] = w->heap[child];
    i = child;
  }
  if (*size > 0)
    w->heap[i] = last;
  return top;
}

/* Reduced cost of an edge; a value rounded below zero counts as zero. */
static double reduced(const component_workspace *w, int64_t row, int64_t e)
{
  const double r = w->cost[e] - w->row_potential[row] - w->col_potential[w->target[e]];
  return r > 0.0 ? r : 0.0;
}

/* Offers every column of `row`, reached at distance `base`, to the search. */
static int relax_row(component_workspace *w, int64_t row, double base, size_t *heap_size, int64_t *num_touched)
{
  for (int64_t e = w->start[row]; e < w->start[row + 1]; ++e) {
    const int64_t j = w->target[e];
    if (w->state[j] == 2)
      continue;
    const double d = base + reduced(w, row, e);
    if (w->state[j] == 0) {
      w->state[j] = 1;
      w->touched[(*num_touched)++] = j;
    } else if (!(d < w->distance[j])) {
      continue;
    }
    w->distance[j] = d;
    w->reached_from[j] = row;
    if (!heap_push(w, heap_size, (heap_entry){d, j}))
      return 0;
  }
  return 1;
}

/* Places free row s by a shortest augmenting path over reduced costs (Dijkstra, columns settled in
 * order of (distance, index), ending at the first free column settled), then updates the potentials
 * so that reduced costs stay >= 0 and the matched edges at 0. Returns 0 when out of memory (or, which
 * cannot happen as s's own "no link" column is free, when no path exists). */
static int augment(component_workspace *w, int64_t s)
{
  size_t heap_size = 0;
  int64_t num_touched = 0, num_settled = 0, end = -1;
  double total = 0.0;
  int ok = relax_row(w, s, 0.0, &heap_size, &num_touched);
  while (ok && heap_size > 0) {
    const heap_entry e = heap_pop(w, &heap_size);
    const int64_t j = e.column;
    if (w->state[j] == 2 || e.distance > w->distance[j])
      continue; /* a stale entry */
    w->state[j] = 2;
    if (w->col_match[j] < 0) {
      end = j;
      total = e.distance;
      break;
    }
    w->settled[num_settled++] = j;
    ok = relax_row(w, w->col_match[j], e.distance, &heap_size, &num_touched);
  }
  if (ok && end >= 0) {
    /* A settled column j (distance d <= total) loses total - d, the row matched to it gains as much
     * (its edge stays at 0), and s gains total. */
    w->row_potential[s] += total;
    for (int64_t k = 0; k < num_settled; ++k) {
      const int64_t j = w->settled[k];
      const double delta = total - w->distance[j];
      w->col_potential[j] -= delta;
      w->row_potential[w->col_match[j]] += delta;
    }
    for (int64_t j = end;;) {
      const int64_t i = w->reached_from[j];
      const int64_t next = w->row_match[i];
      w->row_match[i] = j;
      w->col_match[j] = i;
      if (i == s)
        break;
      j = next;
    }
  }
  for (int64_t k = 0; k < num_touched; ++k)
    w->state[w->touched[k]] = 0;
  return ok && end >= 0;
}

int component_solve(const component *c, component_workspace *w, int64_t *row_to_col)
{
  const int64_t nr = c->num_rows, nc = c->num_cols, cols = nc + nr;
  if (!workspace_reserve(w, (size_t)nr, (size_t)cols, (size_t)(c->row_start[nr] + nr)))
    return 0;
  build_graph(c, w);
  for (int64_t j = 0; j < cols; ++j) {
    w->col_potential[j] = 0.0;
    w->col_match[j] = -1;
    w->state[j] = 0;
  }
  /* Each row's potential is its least cost; it takes that column (the first among equals) if free. */
  for (int64_t i = 0; i < nr; ++i) {
    int64_t best = -1;
    double least = INFINITY;
    for (int64_t e = w->start[i]; e < w->start[i + 1]; ++e)
      if (w->cost[e] < least) {
        least = w->cost[e];
        best = w->target[e];
      }
    w->row_potential[i] = least;
    w->row_match[i] = -1;
    if (w->col_match[best] < 0) {
      w->col_match[best] = i;
      w->row_match[i] = best;
    }
  }
  for (int64_t i = 0; i < nr; ++i)
    if (w->row_match[i] < 0 && !augment(w, i))
      return 0;
  for (int64_t i = 0; i < nr; ++i)
    row_to_col[i] = w->row_match[i] < nc ? w->row_match[i] : -1;
  return 1;
}
