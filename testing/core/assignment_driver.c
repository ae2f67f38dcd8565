/* Runs the core's sparse assignment solver on a problem read from standard input, for the SciPy
 * comparison (test_assignment_scipy.py). Input: "rows cols links threads", the rows' no-link costs,
 * the columns' no-link costs, then one "row col cost" per link. Output: the status, the total cost
 * (%.17g), then each row's column (-1: none). */
#include "assignment/assignment.h"

#include <stdio.h>
#include <stdlib.h>

int main(void)
{
  size_t rows, cols, links;
  int threads;
  if (scanf("%zu %zu %zu %d", &rows, &cols, &links, &threads) != 4)
    return 2;
  double *row_cost = malloc((rows + 1) * sizeof *row_cost), *col_cost = malloc((cols + 1) * sizeof *col_cost);
  int64_t *link_row = malloc((links + 1) * sizeof *link_row), *link_col = malloc((links + 1) * sizeof *link_col);
  double *link_cost = malloc((links + 1) * sizeof *link_cost);
  int64_t *row_to_col = malloc((rows + 1) * sizeof *row_to_col), *col_to_row = malloc((cols + 1) * sizeof *col_to_row);
  for (size_t i = 0; i < rows; ++i)
    if (scanf("%lf", &row_cost[i]) != 1)
      return 2;
  for (size_t j = 0; j < cols; ++j)
    if (scanf("%lf", &col_cost[j]) != 1)
      return 2;
  for (size_t l = 0; l < links; ++l) {
    long long r, c;
    if (scanf("%lld %lld %lf", &r, &c, &link_cost[l]) != 3)
      return 2;
    link_row[l] = r;
    link_col[l] = c;
  }
  const assignment_problem problem = {rows, cols, row_cost, col_cost, links, link_row, link_col, link_cost};
  double total = 0.0;
  char message[256];
  const scipar_status status = assignment_solve(&problem, threads, row_to_col, col_to_row, &total, message, sizeof message);
  printf("%d %.17g\n", (int)status, total);
  if (status != SCIPAR_OK)
    printf("%s\n", message);
  else
    for (size_t i = 0; i < rows; ++i)
      printf("%lld\n", (long long)row_to_col[i]);
  free(row_cost), free(col_cost), free(link_row), free(link_col), free(link_cost), free(row_to_col), free(col_to_row);
  return 0;
}
