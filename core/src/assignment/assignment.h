/*
 * Stage: assignment. Takes a sparse linear-assignment problem: rows and columns, a cost for leaving
 * each row and each column without a link, and a list of allowed links (row, column, cost) — the
 * pairs within a gate; no dense matrix ever. Gives the set of links of least total cost, each row
 * linked to at most one column and each column to at most one row:
 *
 *   total = sum of the chosen links' costs + sum of the costs of the rows and columns left unlinked.
 *
 * How: leaving column j unlinked costs col_cost[j] whatever happens, so a link (i, j) changes the
 * total by link_cost - col_cost[j]; row i gets a private "no link" column at row_cost[i]. Every row
 * is then placed exactly once, on a real column (each taken at most once) or on its own "no link"
 * column: a rectangular assignment problem, equivalent to the square one of size rows + columns that
 * TrackMate builds (Jaqaman et al. 2008) but without its block of zero-cost "no link" pairs. The
 * allowed links split it into connected components (a link joins a row and a column), solved
 * independently and in parallel: in tracking they are small. Each component is solved exactly by
 * shortest augmenting paths with dual potentials (Jonker and Volgenant's augmentation: Dijkstra over
 * reduced costs on the sparse graph), component.c says why the result is optimal.
 *
 * Exactness: optimal when the costs' sums are exact in double precision (integers, for example);
 * otherwise optimal up to the rounding of those sums (a reduced cost rounded below zero is taken as
 * zero).
 *
 * Ties, documented and deterministic: the result depends only on the problem, not on the order of
 * the links given nor on the number of threads. Inside a component, first each row (ascending) takes
 * its option of least cost link_cost - col_cost[j] or row_cost if it is still free (the smallest
 * column among equals, "no link" after every real column); then each row still free (ascending)
 * grows a shortest-path tree, settling columns in order of (distance, column index, "no link"
 * columns last and in descending row order), and stops at the first free column settled: on a tie
 * between leaving one of two rows unlinked, the row of larger index stays unlinked.
 */
#ifndef SCIPAR_ASSIGNMENT_H
#define SCIPAR_ASSIGNMENT_H

#include "scipar/scipar.h"

#include <stddef.h>
#include <stdint.h>

typedef struct assignment_problem {
  size_t num_rows, num_cols;
  const double *row_cost; /* [num_rows] cost of leaving each row unlinked; finite */
  const double *col_cost; /* [num_cols] cost of leaving each column unlinked; finite */
  size_t num_links;
  const int64_t *link_row; /* [num_links] in [0, num_rows) */
  const int64_t *link_col; /* [num_links] in [0, num_cols) */
  const double *link_cost; /* [num_links] finite; a (row, column) pair at most once */
} assignment_problem;

/* Solves the problem with num_threads threads (components in parallel). Fills row_to_col[num_rows]
 * (the linked column, -1 if none) and col_to_row[num_cols] (the linked row, -1), and *total (may be
 * NULL) with the total cost. Returns SCIPAR_OK, SCIPAR_ERROR_INVALID_ARGUMENT (a link out of range, a
 * pair given twice, a NaN or infinite cost: message says which) or SCIPAR_ERROR_OUT_OF_MEMORY.
 * message (may be NULL) receives message_size bytes at most. */
scipar_status assignment_solve(const assignment_problem *problem, int num_threads, int64_t *row_to_col,
                               int64_t *col_to_row, double *total, char *message, size_t message_size);

#endif
