/* One connected component of a sparse assignment problem, solved exactly by shortest augmenting
 * paths (see assignment.h for the graph and the tie rule). */
#ifndef SCIPAR_ASSIGNMENT_COMPONENT_H
#define SCIPAR_ASSIGNMENT_COMPONENT_H

#include <stddef.h>
#include <stdint.h>

/* A component in local indices: rows 0..num_rows-1 and columns 0..num_cols-1, each ascending with
 * the problem's own indices; links by row (row_start, link_col ascending inside a row, link_cost). */
typedef struct component {
  int64_t num_rows, num_cols;
  const double *row_cost, *col_cost;
  const int64_t *row_start; /* [num_rows + 1] */
  const int64_t *link_col;
  const double *link_cost;
} component;

typedef struct heap_entry {
  double distance;
  int64_t column;
} heap_entry;

/* Scratch memory one thread reuses from component to component; zero-initialise it, release it
 * with component_workspace_free. */
typedef struct component_workspace {
  size_t rows, cols, edges, heap_capacity; /* current capacities */
  int64_t *start, *target;            /* the graph of rows and columns, by row */
  double *cost;
  double *row_potential, *col_potential, *distance;
  int64_t *row_match, *col_match, *reached_from, *settled, *touched;
  unsigned char *state; /* per column: 0 unseen, 1 in the heap, 2 settled */
  heap_entry *heap;
} component_workspace;

/* Solves the component: row_to_col[num_rows] gets each row's local column, or -1 when the row stays
 * unlinked. Returns 0 when out of memory. */
int component_solve(const component *c, component_workspace *w, int64_t *row_to_col);

void component_workspace_free(component_workspace *w);

#endif
