/* The sparse assignment solver (core/src/assignment) against brute force: every partial matching of
 * small random problems enumerated, with gates (absent links), "no link" costs of any sign and many
 * exact ties (small integer costs); the same on thousands of small problems solved together (one
 * component each, in parallel); identical results whatever the order of the links and the thread
 * count; the documented tie rule on hand-made cases; bad problems refused with a message. */
#include "check.h"
#include "random_cloud.h"

#include "assignment/assignment.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_SIDE = 6 };

typedef struct small_problem {
  size_t rows, cols, links;
  double row_cost[MAX_SIDE], col_cost[MAX_SIDE];
  int64_t link_row[MAX_SIDE * MAX_SIDE], link_col[MAX_SIDE * MAX_SIDE];
  double link_cost[MAX_SIDE * MAX_SIDE];
} small_problem;

/* Integer costs in [lo, hi]: sums are exact, and ties are frequent. */
static double integer_cost(rng *r, int lo, int hi) { return (double)(lo + (int)rng_below(r, (size_t)(hi - lo + 1))); }

static small_problem random_small(rng *r, int integers)
{
  small_problem p;
  memset(&p, 0, sizeof p);
  p.rows = rng_below(r, MAX_SIDE + 1);
  p.cols = rng_below(r, MAX_SIDE + 1);
  const double density = rng_uniform(r);
  const int negative = rng_below(r, 4) == 0; /* sometimes costs below zero, links and "no link" alike */
  for (size_t i = 0; i < p.rows; ++i)
    p.row_cost[i] = integers ? integer_cost(r, negative ? -4 : 0, 8) : 10.0 * rng_uniform(r) - (negative ? 3 : 0);
  for (size_t j = 0; j < p.cols; ++j)
    p.col_cost[j] = integers ? integer_cost(r, negative ? -4 : 0, 8) : 10.0 * rng_uniform(r) - (negative ? 3 : 0);
  for (size_t i = 0; i < p.rows; ++i)
    for (size_t j = 0; j < p.cols; ++j)
      if (rng_uniform(r) < density) {
        p.link_row[p.links] = (int64_t)i;
        p.link_col[p.links] = (int64_t)j;
        p.link_cost[p.links] = integers ? integer_cost(r, negative ? -3 : 0, 12) : 15.0 * rng_uniform(r) - (negative ? 3 : 0);
        ++p.links;
      }
  return p;
}

/* Least total over every partial matching using only allowed links, by enumeration. */
static double brute_force(const small_problem *p, size_t row, unsigned used_cols, double so_far)
{
  if (row == p->rows) {
    double total = so_far;
    for (size_t j = 0; j < p->cols; ++j)
      if (!(used_cols & (1u << j)))
        total += p->col_cost[j];
    return total;
  }
  double best = brute_force(p, row + 1, used_cols, so_far + p->row_cost[row]);
  for (size_t l = 0; l < p->links; ++l) {
    const size_t j = (size_t)p->link_col[l];
    if ((size_t)p->link_row[l] == row && !(used_cols & (1u << j))) {
      const double value = brute_force(p, row + 1, used_cols | (1u << j), so_far + p->link_cost[l]);
      best = value < best ? value : best;
    }
  }
  return best;
}

static assignment_problem as_problem(const small_problem *p)
{
  return (assignment_problem){p->rows, p->cols, p->row_cost, p->col_cost, p->links, p->link_row, p->link_col,
                              p->link_cost};
}

/* The total of a solution recomputed from the problem; -INFINITY if the solution is not a valid
 * partial matching over allowed links. */
static double checked_total(const assignment_problem *p, const int64_t *row_to_col, const int64_t *col_to_row)
{
  double total = 0.0;
  for (size_t i = 0; i < p->num_rows; ++i) {
    const int64_t j = row_to_col[i];
    if (j < 0) {
      total += p->row_cost[i];
      continue;
    }
    if (j >= (int64_t)p->num_cols || col_to_row[j] != (int64_t)i)
      return -INFINITY;
    size_t l = 0;
    while (l < p->num_links && !(p->link_row[l] == (int64_t)i && p->link_col[l] == j))
      ++l;
    if (l == p->num_links)
      return -INFINITY; /* not an allowed link */
    total += p->link_cost[l];
  }
  for (size_t j = 0; j < p->num_cols; ++j) {
    if (col_to_row[j] < 0)
      total += p->col_cost[j];
    else if (col_to_row[j] >= (int64_t)p->num_rows || row_to_col[col_to_row[j]] != (int64_t)j)
      return -INFINITY;
  }
  return total;
}

static void test_small_against_brute_force(int integers)
{
  rng r = {integers ? 11u : 12u};
  int64_t row_to_col[MAX_SIDE], col_to_row[MAX_SIDE];
  for (int trial = 0; trial < 4000; ++trial) {
    const small_problem p = random_small(&r, integers);
    const assignment_problem problem = as_problem(&p);
    double total = NAN;
    char message[256] = "";
    const scipar_status status = assignment_solve(&problem, 1, row_to_col, col_to_row, &total, message, sizeof message);
    CHECK(status == SCIPAR_OK, "trial %d solves: %s", trial, message);
    const double expected = brute_force(&p, 0, 0u, 0.0);
    const double found = checked_total(&problem, row_to_col, col_to_row);
    if (integers) {
      CHECK(found == expected, "trial %d (%zu x %zu, %zu links): total %g, brute force %g", trial, p.rows, p.cols,
            p.links, found, expected);
      CHECK(total == found, "trial %d: reported total %g, recomputed %g", trial, total, found);
    } else {
      CHECK(fabs(found - expected) <= 1e-9 * (1.0 + fabs(expected)), "trial %d: total %.17g, brute force %.17g",
            trial, found, expected);
      CHECK(fabs(total - found) <= 1e-9 * (1.0 + fabs(found)), "trial %d: reported %.17g", trial, total);
    }
    if (checks_failed > 20)
      return;
  }
}

/* Thousands of small problems side by side in one: each is its own component, so the optimum is the
 * sum of the brute-force optima. Solved on 1, 2 and 3 threads, and with the links shuffled. */
static void test_many_components(void)
{
  rng r = {21};
  enum { BLOCKS = 3000 };
  size_t rows = 0, cols = 0, links = 0;
  small_problem *blocks = malloc(BLOCKS * sizeof *blocks);
  double expected = 0.0;
  for (int b = 0; b < BLOCKS; ++b) {
    blocks[b] = random_small(&r, 1);
    rows += blocks[b].rows;
    cols += blocks[b].cols;
    links += blocks[b].links;
    expected += brute_force(&blocks[b], 0, 0u, 0.0);
  }
  double *row_cost = malloc((rows + 1) * sizeof *row_cost), *col_cost = malloc((cols + 1) * sizeof *col_cost);
  int64_t *link_row = malloc((links + 1) * sizeof *link_row), *link_col = malloc((links + 1) * sizeof *link_col);
  double *link_cost = malloc((links + 1) * sizeof *link_cost);
  size_t at_row = 0, at_col = 0, at_link = 0;
  for (int b = 0; b < BLOCKS; ++b) {
    const small_problem *p = &blocks[b];
    memcpy(row_cost + at_row, p->row_cost, p->rows * sizeof *row_cost);
    memcpy(col_cost + at_col, p->col_cost, p->cols * sizeof *col_cost);
    for (size_t l = 0; l < p->links; ++l, ++at_link) {
      link_row[at_link] = (int64_t)at_row + p->link_row[l];
      link_col[at_link] = (int64_t)at_col + p->link_col[l];
      link_cost[at_link] = p->link_cost[l];
    }
    at_row += p->rows;
    at_col += p->cols;
  }
  const assignment_problem problem = {rows, cols, row_cost, col_cost, links, link_row, link_col, link_cost};
  int64_t *first_row = malloc((rows + 1) * sizeof(int64_t)), *first_col = malloc((cols + 1) * sizeof(int64_t));
  int64_t *row_to_col = malloc((rows + 1) * sizeof(int64_t)), *col_to_row = malloc((cols + 1) * sizeof(int64_t));
  double total;
  CHECK(assignment_solve(&problem, 1, first_row, first_col, &total, NULL, 0) == SCIPAR_OK, "blocks solve");
  CHECK(total == expected, "blocks: total %g, sum of brute-force optima %g", total, expected);
  for (int threads = 2; threads <= 3; ++threads) {
    CHECK(assignment_solve(&problem, threads, row_to_col, col_to_row, &total, NULL, 0) == SCIPAR_OK,
          "blocks on %d threads", threads);
    CHECK(!memcmp(row_to_col, first_row, rows * sizeof(int64_t)) && !memcmp(col_to_row, first_col, cols * sizeof(int64_t)),
          "the same links on %d threads as on one", threads);
  }
  /* The same problem with its links in another order. */
  for (size_t l = links; l > 1; --l) {
    const size_t k = rng_below(&r, l);
    const int64_t tr = link_row[l - 1], tc = link_col[l - 1];
    const double tw = link_cost[l - 1];
    link_row[l - 1] = link_row[k], link_col[l - 1] = link_col[k], link_cost[l - 1] = link_cost[k];
    link_row[k] = tr, link_col[k] = tc, link_cost[k] = tw;
  }
  CHECK(assignment_solve(&problem, 2, row_to_col, col_to_row, &total, NULL, 0) == SCIPAR_OK, "shuffled links solve");
  CHECK(!memcmp(row_to_col, first_row, rows * sizeof(int64_t)), "the same links whatever their order in the input");
  free(blocks), free(row_cost), free(col_cost), free(link_row), free(link_col), free(link_cost);
  free(first_row), free(first_col), free(row_to_col), free(col_to_row);
}

/* The documented tie rule on cases where it decides. */
static void test_ties(void)
{
  int64_t rc[3], cr[3];
  double total;
  /* 2 x 2, every link costs 1: identity and swap are both optimal; row 0 takes the smaller column. */
  {
    const double row_cost[] = {5, 5}, col_cost[] = {5, 5};
    const int64_t lr[] = {1, 0, 1, 0}, lc[] = {0, 1, 1, 0};
    const double w[] = {1, 1, 1, 1};
    const assignment_problem p = {2, 2, row_cost, col_cost, 4, lr, lc, w};
    CHECK(assignment_solve(&p, 1, rc, cr, &total, NULL, 0) == SCIPAR_OK && total == 2, "2 x 2 ties: total 2");
    CHECK(rc[0] == 0 && rc[1] == 1, "ties: row 0 -> column 0, row 1 -> column 1 (got %lld, %lld)", (long long)rc[0],
          (long long)rc[1]);
  }
  /* A link costing exactly its two "no link" costs: linking and not linking tie; the row's column of
   * least reduced cost is the real one (real columns come before "no link"). */
  {
    const double row_cost[] = {2}, col_cost[] = {3};
    const int64_t lr[] = {0}, lc[] = {0};
    const double w[] = {5};
    const assignment_problem p = {1, 1, row_cost, col_cost, 1, lr, lc, w};
    CHECK(assignment_solve(&p, 1, rc, cr, &total, NULL, 0) == SCIPAR_OK && total == 5, "link or not: total 5");
    CHECK(rc[0] == 0 && cr[0] == 0, "a link tying with no link is made");
  }
  /* One column wanted by two rows at the same cost: the smaller row keeps it. */
  {
    const double row_cost[] = {4, 4}, col_cost[] = {4};
    const int64_t lr[] = {1, 0}, lc[] = {0, 0};
    const double w[] = {1, 1};
    const assignment_problem p = {2, 1, row_cost, col_cost, 2, lr, lc, w};
    CHECK(assignment_solve(&p, 1, rc, cr, &total, NULL, 0) == SCIPAR_OK && total == 5, "shared column: total 5");
    CHECK(rc[0] == 0 && rc[1] == -1 && cr[0] == 0, "row 0 keeps the column");
  }
  /* A chain where the global optimum differs from the greedy one. */
  {
    const double row_cost[] = {10, 10}, col_cost[] = {10, 10};
    const int64_t lr[] = {0, 0, 1}, lc[] = {0, 1, 0};
    const double w[] = {1, 3, 2};
    const assignment_problem p = {2, 2, row_cost, col_cost, 3, lr, lc, w};
    CHECK(assignment_solve(&p, 1, rc, cr, &total, NULL, 0) == SCIPAR_OK && total == 5, "chain: total 5, got %g", total);
    CHECK(rc[0] == 1 && rc[1] == 0, "chain: row 0 gives up its cheapest column");
  }
}

static void test_empty_and_unlinked(void)
{
  int64_t rc[2], cr[3];
  double total = -1;
  const assignment_problem none = {0, 0, NULL, NULL, 0, NULL, NULL, NULL};
  CHECK(assignment_solve(&none, 1, rc, cr, &total, NULL, 0) == SCIPAR_OK && total == 0, "empty problem");
  const double row_cost[] = {1, 2}, col_cost[] = {3, 4, 5};
  const assignment_problem no_links = {2, 3, row_cost, col_cost, 0, NULL, NULL, NULL};
  CHECK(assignment_solve(&no_links, 2, rc, cr, &total, NULL, 0) == SCIPAR_OK && total == 15, "no links: all unlinked");
  CHECK(rc[0] == -1 && rc[1] == -1 && cr[0] == -1 && cr[2] == -1, "no links: -1 everywhere");
}

static void test_bad_problems(void)
{
  int64_t rc[2], cr[2];
  char message[256];
  const double row_cost[] = {1, 1}, col_cost[] = {1, 1};
  {
    const int64_t lr[] = {0, 2}, lc[] = {0, 0};
    const double w[] = {1, 1};
    const assignment_problem p = {2, 2, row_cost, col_cost, 2, lr, lc, w};
    CHECK(assignment_solve(&p, 1, rc, cr, NULL, message, sizeof message) == SCIPAR_ERROR_INVALID_ARGUMENT &&
            strstr(message, "link 1") && strstr(message, "row 2"),
          "a row out of range is named: %s", message);
  }
  {
    const int64_t lr[] = {1, 0, 1}, lc[] = {1, 0, 1};
    const double w[] = {1, 1, 2};
    const assignment_problem p = {2, 2, row_cost, col_cost, 3, lr, lc, w};
    CHECK(assignment_solve(&p, 1, rc, cr, NULL, message, sizeof message) == SCIPAR_ERROR_INVALID_ARGUMENT &&
            strstr(message, "twice") && strstr(message, "(1, 1)"),
          "a pair given twice is named: %s", message);
  }
  {
    const int64_t lr[] = {0}, lc[] = {1};
    const double w[] = {NAN};
    const assignment_problem p = {2, 2, row_cost, col_cost, 1, lr, lc, w};
    CHECK(assignment_solve(&p, 1, rc, cr, NULL, message, sizeof message) == SCIPAR_ERROR_INVALID_ARGUMENT &&
            strstr(message, "link 0") && strstr(message, "nan"),
          "a NaN cost is named: %s", message);
  }
  {
    const double bad_col[] = {1, INFINITY};
    const assignment_problem p = {2, 2, row_cost, bad_col, 0, NULL, NULL, NULL};
    CHECK(assignment_solve(&p, 1, rc, cr, NULL, message, sizeof message) == SCIPAR_ERROR_INVALID_ARGUMENT &&
            strstr(message, "column 1"),
          "an infinite no-link cost is named: %s", message);
  }
}

int main(void)
{
  test_small_against_brute_force(1);
  test_small_against_brute_force(0);
  test_many_components();
  test_ties();
  test_empty_and_unlinked();
  test_bad_problems();
  return check_report("test_assignment");
}
