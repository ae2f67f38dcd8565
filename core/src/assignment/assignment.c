/* assignment_solve: checks the problem, orders the links, splits the problem into connected
 * components and solves them in parallel (component.c). */
#include "assignment/assignment.h"

#include "assignment/component.h"

#include <math.h>
#include <omp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static scipar_status fail(char *message, size_t size, scipar_status status, const char *format, ...)
{
  if (message && size > 0) {
    va_list args;
    va_start(args, format);
    vsnprintf(message, size, format, args);
    va_end(args);
  }
  return status;
}

static scipar_status check_problem(const assignment_problem *p, char *message, size_t size)
{
  for (size_t i = 0; i < p->num_rows; ++i)
    if (!isfinite(p->row_cost[i]))
      return fail(message, size, SCIPAR_ERROR_INVALID_ARGUMENT, "the no-link cost of row %zu is %g: it must be finite",
                  i, p->row_cost[i]);
  for (size_t j = 0; j < p->num_cols; ++j)
    if (!isfinite(p->col_cost[j]))
      return fail(message, size, SCIPAR_ERROR_INVALID_ARGUMENT,
                  "the no-link cost of column %zu is %g: it must be finite", j, p->col_cost[j]);
  for (size_t l = 0; l < p->num_links; ++l) {
    if (p->link_row[l] < 0 || (uint64_t)p->link_row[l] >= p->num_rows)
      return fail(message, size, SCIPAR_ERROR_INVALID_ARGUMENT, "link %zu joins row %lld, outside rows 0..%zu", l,
                  (long long)p->link_row[l], p->num_rows ? p->num_rows - 1 : 0);
    if (p->link_col[l] < 0 || (uint64_t)p->link_col[l] >= p->num_cols)
      return fail(message, size, SCIPAR_ERROR_INVALID_ARGUMENT, "link %zu joins column %lld, outside columns 0..%zu",
                  l, (long long)p->link_col[l], p->num_cols ? p->num_cols - 1 : 0);
    if (!isfinite(p->link_cost[l]))
      return fail(message, size, SCIPAR_ERROR_INVALID_ARGUMENT, "link %zu (row %lld, column %lld) costs %g: it must be finite",
                  l, (long long)p->link_row[l], (long long)p->link_col[l], p->link_cost[l]);
  }
  return SCIPAR_OK;
}

/* The links grouped by row, columns ascending inside a row; all indices global. */
typedef struct link_index {
  int64_t *row_start; /* [num_rows + 1] row i's links are positions row_start[i] .. row_start[i + 1] */
  int64_t *col;       /* the column of each position */
  int64_t *order;     /* the problem's link at each position */
  int64_t *col_links; /* [num_cols] how many links each column has */
} link_index;

static void link_index_free(link_index *x)
{
  free(x->row_start), free(x->col), free(x->order), free(x->col_links);
  memset(x, 0, sizeof *x);
}

/* A link keyed by its column, for sorting one row's links; the link index breaks no tie (a pair given
 * twice is refused), it only names the links in the message. */
typedef struct keyed_link {
  int64_t col, link;
} keyed_link;

static int by_col(const void *pa, const void *pb)
{
  const keyed_link *a = pa, *b = pb;
  if (a->col != b->col)
    return a->col < b->col ? -1 : 1;
  return (a->link > b->link) - (a->link < b->link);
}

static scipar_status build_link_index(const assignment_problem *p, link_index *x, char *message, size_t size)
{
  const size_t n = p->num_rows, m = p->num_cols, e = p->num_links;
  memset(x, 0, sizeof *x);
  x->row_start = calloc(n + 1, sizeof *x->row_start);
  x->col = malloc((e ? e : 1) * sizeof *x->col);
  x->order = malloc((e ? e : 1) * sizeof *x->order);
  x->col_links = calloc(m + 1, sizeof *x->col_links);
  if (!x->row_start || !x->col || !x->order || !x->col_links) {
    link_index_free(x);
    return fail(message, size, SCIPAR_ERROR_OUT_OF_MEMORY, "out of memory for %zu links", e);
  }
  for (size_t l = 0; l < e; ++l) {
    ++x->row_start[p->link_row[l] + 1];
    ++x->col_links[p->link_col[l]];
  }
  for (size_t i = 0; i < n; ++i)
    x->row_start[i + 1] += x->row_start[i];
  for (size_t l = 0; l < e; ++l)
    x->order[x->row_start[p->link_row[l]]++] = (int64_t)l;
  memmove(x->row_start + 1, x->row_start, n * sizeof *x->row_start);
  x->row_start[0] = 0;
  size_t longest = 0;
  for (size_t i = 0; i < n; ++i)
    if ((size_t)(x->row_start[i + 1] - x->row_start[i]) > longest)
      longest = (size_t)(x->row_start[i + 1] - x->row_start[i]);
  keyed_link *keyed = malloc((longest ? longest : 1) * sizeof *keyed);
  if (!keyed) {
    link_index_free(x);
    return fail(message, size, SCIPAR_ERROR_OUT_OF_MEMORY, "out of memory for %zu links", e);
  }
  for (size_t i = 0; i < n; ++i) {
    int64_t *links = x->order + x->row_start[i];
    const size_t count = (size_t)(x->row_start[i + 1] - x->row_start[i]);
    for (size_t k = 0; k < count; ++k)
      keyed[k] = (keyed_link){p->link_col[links[k]], links[k]};
    qsort(keyed, count, sizeof *keyed, by_col);
    for (size_t k = 0; k < count; ++k) {
      links[k] = keyed[k].link;
      x->col[x->row_start[i] + (int64_t)k] = keyed[k].col;
      if (k > 0 && keyed[k].col == keyed[k - 1].col) {
        const scipar_status status = fail(message, size, SCIPAR_ERROR_INVALID_ARGUMENT,
                                          "links %lld and %lld both join (%zu, %lld): a pair may be given once, not twice",
                                          (long long)keyed[k - 1].link, (long long)keyed[k].link, i, (long long)keyed[k].col);
        free(keyed);
        link_index_free(x);
        return status;
      }
    }
  }
  free(keyed);
  return SCIPAR_OK;
}

/* Union-find over rows 0..n-1 and columns n..n+m-1. */
static int64_t find_root(int64_t *parent, int64_t v)
{
  while (parent[v] != v) {
    parent[v] = parent[parent[v]];
    v = parent[v];
  }
  return v;
}

/* The components: rows and columns of component k are rows[row_begin[k] .. row_begin[k+1]) and
 * cols[col_begin[k] ..), ascending; local[v] is a node's index inside its component. */
typedef struct components {
  int64_t count;
  int64_t *row_begin, *rows, *col_begin, *cols, *local, *order; /* order: components largest first */
} components;

static void components_free(components *c)
{
  free(c->row_begin), free(c->rows), free(c->col_begin), free(c->cols), free(c->local), free(c->order);
  memset(c, 0, sizeof *c);
}

typedef struct sized_component {
  int64_t size, index;
} sized_component;

static int larger_first(const void *pa, const void *pb)
{
  const sized_component *a = pa, *b = pb;
  if (a->size != b->size)
    return a->size > b->size ? -1 : 1;
  return (a->index > b->index) - (a->index < b->index);
}

static int find_components(const assignment_problem *p, const link_index *x, components *out)
{
  const int64_t n = (int64_t)p->num_rows, m = (int64_t)p->num_cols;
  memset(out, 0, sizeof *out);
  int64_t *parent = malloc((size_t)(n + m + 1) * sizeof *parent);
  int64_t *label = malloc((size_t)(n + m + 1) * sizeof *label);
  out->local = malloc((size_t)(n + m + 1) * sizeof *out->local);
  if (!parent || !label || !out->local) {
    free(parent), free(label);
    components_free(out);
    return 0;
  }
  for (int64_t v = 0; v < n + m; ++v)
    parent[v] = v, label[v] = -1;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t k = x->row_start[i]; k < x->row_start[i + 1]; ++k) {
      const int64_t a = find_root(parent, i), b = find_root(parent, n + x->col[k]);
      if (a != b)
        parent[a > b ? a : b] = a < b ? a : b;
    }
  /* Components numbered in order of their smallest row; rows and columns without links are in none. */
  int64_t count = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (x->row_start[i + 1] == x->row_start[i])
      continue;
    const int64_t root = find_root(parent, i);
    if (label[root] < 0)
      label[root] = count++;
  }
  out->count = count;
  out->row_begin = calloc((size_t)count + 1, sizeof *out->row_begin);
  out->col_begin = calloc((size_t)count + 1, sizeof *out->col_begin);
  out->rows = malloc((size_t)(n + 1) * sizeof *out->rows);
  out->cols = malloc((size_t)(m + 1) * sizeof *out->cols);
  out->order = malloc((size_t)(count + 1) * sizeof *out->order);
  sized_component *size = calloc((size_t)count + 1, sizeof *size);
  if (!out->row_begin || !out->col_begin || !out->rows || !out->cols || !out->order || !size) {
    free(parent), free(label), free(size);
    components_free(out);
    return 0;
  }
  for (int64_t v = 0; v < n + m; ++v) {
    const int has_links = v < n ? x->row_start[v + 1] > x->row_start[v] : x->col_links[v - n] > 0;
    label[v] = has_links ? label[find_root(parent, v)] : -1;
  }
  for (int64_t v = 0; v < n + m; ++v)
    if (label[v] >= 0)
      ++(v < n ? out->row_begin : out->col_begin)[label[v] + 1];
  for (int64_t k = 0; k < count; ++k) {
    size[k] = (sized_component){out->row_begin[k + 1] + out->col_begin[k + 1], k};
    out->row_begin[k + 1] += out->row_begin[k];
    out->col_begin[k + 1] += out->col_begin[k];
  }
  int64_t *row_fill = parent, *col_fill = parent + count; /* parent is no longer needed */
  memcpy(row_fill, out->row_begin, (size_t)count * sizeof *row_fill);
  for (int64_t i = 0; i < n; ++i)
    if (label[i] >= 0) {
      out->local[i] = row_fill[label[i]] - out->row_begin[label[i]];
      out->rows[row_fill[label[i]]++] = i;
    }
  memcpy(col_fill, out->col_begin, (size_t)count * sizeof *col_fill);
  for (int64_t j = 0; j < m; ++j)
    if (label[n + j] >= 0) {
      out->local[n + j] = col_fill[label[n + j]] - out->col_begin[label[n + j]];
      out->cols[col_fill[label[n + j]]++] = j;
    }
  qsort(size, (size_t)count, sizeof *size, larger_first);
  for (int64_t k = 0; k < count; ++k)
    out->order[k] = size[k].index;
  free(parent), free(label), free(size);
  return 1;
}

/* The component's links in local indices, in the thread's buffers. */
typedef struct local_buffers {
  size_t rows, cols, links;
  int64_t *row_start, *link_col, *solution;
  double *row_cost, *col_cost, *link_cost;
} local_buffers;

static int grow(void **p, size_t bytes)
{
  void *grown = realloc(*p, bytes);
  if (!grown)
    return 0;
  *p = grown;
  return 1;
}

static int local_reserve(local_buffers *b, size_t rows, size_t cols, size_t links)
{
  if (rows > b->rows || !b->row_start) {
    if (!grow((void **)&b->row_start, (rows + 1) * sizeof(int64_t)) ||
        !grow((void **)&b->solution, (rows + 1) * sizeof(int64_t)) ||
        !grow((void **)&b->row_cost, (rows + 1) * sizeof(double)))
      return 0;
    b->rows = rows;
  }
  if (cols > b->cols || !b->col_cost) {
    if (!grow((void **)&b->col_cost, (cols + 1) * sizeof(double)))
      return 0;
    b->cols = cols;
  }
  if (links > b->links || !b->link_col) {
    if (!grow((void **)&b->link_col, (links + 1) * sizeof(int64_t)) ||
        !grow((void **)&b->link_cost, (links + 1) * sizeof(double)))
      return 0;
    b->links = links;
  }
  return 1;
}

static void local_free(local_buffers *b)
{
  free(b->row_start), free(b->link_col), free(b->solution);
  free(b->row_cost), free(b->col_cost), free(b->link_cost);
}

/* Solves component k into row_to_col (global indices). Returns 0 when out of memory. */
static int solve_one(const assignment_problem *p, const link_index *x, const components *cs, int64_t k,
                     local_buffers *b, component_workspace *w, int64_t *row_to_col)
{
  const int64_t n = (int64_t)p->num_rows;
  const int64_t *rows = cs->rows + cs->row_begin[k], *cols = cs->cols + cs->col_begin[k];
  const int64_t nr = cs->row_begin[k + 1] - cs->row_begin[k], nc = cs->col_begin[k + 1] - cs->col_begin[k];
  size_t links = 0;
  for (int64_t i = 0; i < nr; ++i)
    links += (size_t)(x->row_start[rows[i] + 1] - x->row_start[rows[i]]);
  if (!local_reserve(b, (size_t)nr, (size_t)nc, links))
    return 0;
  int64_t at = 0;
  for (int64_t i = 0; i < nr; ++i) {
    b->row_start[i] = at;
    b->row_cost[i] = p->row_cost[rows[i]];
    for (int64_t l = x->row_start[rows[i]]; l < x->row_start[rows[i] + 1]; ++l, ++at) {
      b->link_col[at] = cs->local[n + x->col[l]];
      b->link_cost[at] = p->link_cost[x->order[l]];
    }
  }
  b->row_start[nr] = at;
  for (int64_t j = 0; j < nc; ++j)
    b->col_cost[j] = p->col_cost[cols[j]];
  const component c = {nr, nc, b->row_cost, b->col_cost, b->row_start, b->link_col, b->link_cost};
  if (!component_solve(&c, w, b->solution))
    return 0;
  for (int64_t i = 0; i < nr; ++i)
    row_to_col[rows[i]] = b->solution[i] >= 0 ? cols[b->solution[i]] : -1;
  return 1;
}

/* The cost of the chosen link of row i (its column is in the row's sorted columns). */
static double link_cost_of(const assignment_problem *p, const link_index *x, size_t i, int64_t col)
{
  int64_t lo = x->row_start[i], hi = x->row_start[i + 1];
  while (hi - lo > 1) {
    const int64_t mid = lo + (hi - lo) / 2;
    if (x->col[mid] <= col)
      lo = mid;
    else
      hi = mid;
  }
  return p->link_cost[x->order[lo]];
}

/* Summed in a fixed order (rows, then columns): the total too is the same on any thread count. */
static double total_cost(const assignment_problem *p, const link_index *x, const int64_t *row_to_col,
                         const int64_t *col_to_row)
{
  double sum = 0.0;
  for (size_t i = 0; i < p->num_rows; ++i)
    sum += row_to_col[i] >= 0 ? link_cost_of(p, x, i, row_to_col[i]) : p->row_cost[i];
  for (size_t j = 0; j < p->num_cols; ++j)
    if (col_to_row[j] < 0)
      sum += p->col_cost[j];
  return sum;
}

scipar_status assignment_solve(const assignment_problem *problem, int num_threads, int64_t *row_to_col,
                               int64_t *col_to_row, double *total, char *message, size_t message_size)
{
  if (message && message_size > 0)
    message[0] = '\0';
  scipar_status status = check_problem(problem, message, message_size);
  if (status != SCIPAR_OK)
    return status;
  link_index x;
  if ((status = build_link_index(problem, &x, message, message_size)) != SCIPAR_OK)
    return status;
  components cs;
  if (!find_components(problem, &x, &cs)) {
    link_index_free(&x);
    return fail(message, message_size, SCIPAR_ERROR_OUT_OF_MEMORY, "out of memory for %zu rows and %zu columns",
                problem->num_rows, problem->num_cols);
  }
  for (size_t i = 0; i < problem->num_rows; ++i)
    row_to_col[i] = -1;
  int failed = 0;
  const long long count = (long long)cs.count;
#pragma omp parallel num_threads(num_threads > 0 ? num_threads : 1) if (count > 1)
  {
    local_buffers b;
    component_workspace w;
    memset(&b, 0, sizeof b);
    memset(&w, 0, sizeof w);
#pragma omp for schedule(dynamic, 1)
    for (long long k = 0; k < count; ++k)
      if (!solve_one(problem, &x, &cs, cs.order[k], &b, &w, row_to_col)) {
#pragma omp atomic write
        failed = 1;
      }
    local_free(&b);
    component_workspace_free(&w);
  }
  components_free(&cs);
  if (failed) {
    link_index_free(&x);
    return fail(message, message_size, SCIPAR_ERROR_OUT_OF_MEMORY, "out of memory while solving the assignment");
  }
  for (size_t j = 0; j < problem->num_cols; ++j)
    col_to_row[j] = -1;
  for (size_t i = 0; i < problem->num_rows; ++i)
    if (row_to_col[i] >= 0)
      col_to_row[row_to_col[i]] = (int64_t)i;
  if (total)
    *total = total_cost(problem, &x, row_to_col, col_to_row);
  link_index_free(&x);
  return SCIPAR_OK;
}
