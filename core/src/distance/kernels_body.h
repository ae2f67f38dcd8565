/*
 * The distance loops. Included once by each kernels_<variant>.c, which compiles it for one
 * instruction set and names the table at the end: KERNELS_TABLE. Everything here is static.
 *
 * A minimum is exact whatever the order of its comparisons, but it must not depend on an identity
 * element either (a compiler's min-reduction may start from +inf or from DBL_MAX): every minimum here
 * starts from a value it was given or from a real distance. Sums follow the canonical lane order of
 * kernels.h.
 */
#include "distance/kernels.h"

#include <float.h>
#include <math.h>

#ifndef KERNELS_TABLE
#error "define KERNELS_TABLE before including kernels_body.h"
#endif

#define LANES SIMD_LANES

static inline double squared_distance(double px, double py, double pz, double qx, double qy, double qz)
{
  const double dx = px - qx, dy = py - qy, dz = pz - qz;
  return dx * dx + dy * dy + dz * dz;
}

/* min(best, smallest squared distance from q to points [lo, hi)). */
static double scan_min(const double *x, const double *y, const double *z, int64_t lo, int64_t hi, double qx, double qy,
                       double qz, double best)
{
  double m[LANES];
  for (int l = 0; l < LANES; ++l)
    m[l] = best;
  int64_t j = lo;
  for (; j + LANES <= hi; j += LANES) {
#pragma omp simd
    for (int l = 0; l < LANES; ++l) {
      const double d = squared_distance(qx, qy, qz, x[j + l], y[j + l], z[j + l]);
      m[l] = d < m[l] ? d : m[l];
    }
  }
  for (; j < hi; ++j) {
    const double d = squared_distance(qx, qy, qz, x[j], y[j], z[j]);
    m[0] = d < m[0] ? d : m[0];
  }
  double least = m[0];
  for (int l = 1; l < LANES; ++l)
    least = m[l] < least ? m[l] : least;
  return least;
}

/* The first point of [lo, hi) at squared distance d from q (which one of them is). */
static int64_t scan_find(const double *x, const double *y, const double *z, int64_t lo, int64_t hi, double qx,
                         double qy, double qz, double d)
{
  for (int64_t j = lo; j < hi; ++j)
    if (squared_distance(qx, qy, qz, x[j], y[j], z[j]) == d)
      return j;
  return lo;
}

typedef struct tree_search {
  const double *c[3];
  kdtree_view tree;
  double q[3];
  double off[3]; /* per axis, the offset from q to the current cell (Arya and Mount) */
  double best;
  int64_t leaf_lo, leaf_hi; /* the leaf that last lowered best; -1 when none did */
} tree_search;

/* The far side's bound is rounded; searching it when it is within a relative 1e-12 of the best keeps
 * the result the exact brute-force minimum. */
static const double FAR_SIDE_SLACK = 1.0 + 1e-12;

static void search_node(tree_search *s, size_t node, int64_t lo, int64_t hi, double cell_distance)
{
  if (hi - lo <= s->tree.leaf_size) {
    const double m = scan_min(s->c[0], s->c[1], s->c[2], lo, hi, s->q[0], s->q[1], s->q[2], s->best);
    if (m < s->best) {
      s->best = m;
      s->leaf_lo = lo;
      s->leaf_hi = hi;
    }
    return;
  }
  const int dim = s->tree.split_dim[node];
  const int64_t mid = lo + (hi - lo) / 2;
  const double diff = s->q[dim] - s->tree.split_value[node];
  const int near_is_left = diff <= 0.0;
  if (near_is_left)
    search_node(s, 2 * node + 1, lo, mid, cell_distance);
  else
    search_node(s, 2 * node + 2, mid, hi, cell_distance);
  const double old = s->off[dim];
  const double far_distance = cell_distance - old * old + diff * diff;
  if (far_distance < s->best * FAR_SIDE_SLACK) {
    s->off[dim] = diff;
    if (near_is_left)
      search_node(s, 2 * node + 2, mid, hi, far_distance);
    else
      search_node(s, 2 * node + 1, lo, mid, far_distance);
    s->off[dim] = old;
  }
}

/* Squared distance from q to its nearest point of b, and the point's index. `hint` is a point of b
 * (or -1): its exact distance starts the search as a bound, which prunes most of the tree when it
 * is near (queries in tree order are near their predecessor's nearest point). */
static double nearest_point(cluster_view b, double qx, double qy, double qz, int64_t hint, int64_t *index)
{
  if (!b.tree.split_value) {
    const double m = scan_min(b.x, b.y, b.z, 0, b.n, qx, qy, qz, squared_distance(qx, qy, qz, b.x[0], b.y[0], b.z[0]));
    *index = scan_find(b.x, b.y, b.z, 0, b.n, qx, qy, qz, m);
    return m;
  }
  tree_search s = {{b.x, b.y, b.z}, b.tree, {qx, qy, qz}, {0.0, 0.0, 0.0}, INFINITY, -1, -1};
  if (hint >= 0)
    s.best = squared_distance(qx, qy, qz, b.x[hint], b.y[hint], b.z[hint]);
  search_node(&s, 0, 0, b.n, 0.0);
  *index = s.leaf_lo < 0 ? hint : scan_find(b.x, b.y, b.z, s.leaf_lo, s.leaf_hi, qx, qy, qz, s.best);
  return s.best;
}

static double nearest_entry(cluster_view b, const double p[3], int64_t *index)
{
  return nearest_point(b, p[0], p[1], p[2], -1, index);
}

/* Squared nearest distances of the LANES points a[i .. i + LANES) in b, brute force: the points of b
 * stream past LANES queries held in registers. The first point of b starts every minimum. */
static void nearest_block_scan(cluster_view a, int64_t i, cluster_view b, double out[LANES])
{
  const double *qx = a.x + i, *qy = a.y + i, *qz = a.z + i;
  double m[LANES];
  {
    const double bx = b.x[0], by = b.y[0], bz = b.z[0];
#pragma omp simd
    for (int l = 0; l < LANES; ++l)
      m[l] = squared_distance(qx[l], qy[l], qz[l], bx, by, bz);
  }
  for (int64_t j = 1; j < b.n; ++j) {
    const double bx = b.x[j], by = b.y[j], bz = b.z[j];
#pragma omp simd
    for (int l = 0; l < LANES; ++l) {
      const double d = squared_distance(qx[l], qy[l], qz[l], bx, by, bz);
      m[l] = d < m[l] ? d : m[l];
    }
  }
  for (int l = 0; l < LANES; ++l)
    out[l] = m[l];
}

enum { CHECK_BLOCKS = 2 };

/* ((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7)): the canonical sum of the lanes. */
static double lanes_sum(const double lane[LANES])
{
  double v[LANES];
  for (int l = 0; l < LANES; ++l)
    v[l] = lane[l];
  for (int width = LANES / 2; width >= 1; width /= 2)
    for (int l = 0; l < width; ++l)
      v[l] = v[2 * l] + v[2 * l + 1];
  return v[0];
}

static double lanes_max(const double lane[LANES])
{
  double m = lane[0];
  for (int l = 1; l < LANES; ++l)
    m = lane[l] > m ? lane[l] : m;
  return m;
}

/* d(a->b). Terms go to lanes in the canonical order whichever path computes them (a block of LANES
 * brute-force minima, or tree queries one point at a time). Partial sums of non-negative terms only
 * grow, in floating point too (rounding is monotonic), so an early exit never drops a value that
 * would not exceed stop. */
static int directed(const directed_query *q, double *value)
{
  const cluster_view a = q->a, b = q->b;
  const int use_tree = b.tree.split_value != NULL;
  const int can_stop = q->stop < INFINITY;
  double lane[LANES];
  for (int l = 0; l < LANES; ++l)
    lane[l] = 0.0;
  int64_t hint = -1;
  int64_t i = 0;
  for (; i < a.n; i += LANES) {
    const int count = a.n - i < LANES ? (int)(a.n - i) : LANES;
    double t[LANES];
    if (count == LANES && !use_tree) {
      nearest_block_scan(a, i, b, t);
    } else {
      for (int l = 0; l < count; ++l)
        t[l] = nearest_point(b, a.x[i + l], a.y[i + l], a.z[i + l], hint, &hint);
      for (int l = count; l < LANES; ++l)
        t[l] = 0.0; /* lanes past the end: square-rooted, never added */
    }
    if (!q->squared) {
#pragma omp simd
      for (int l = 0; l < LANES; ++l)
        t[l] = sqrt(t[l]);
    }
    /* The partial value is checked every CHECK_BLOCKS blocks (and never without a stop value): often
     * enough to exit early, rarely enough that summing the lanes does not show. */
    const int check = can_stop && (i / LANES) % CHECK_BLOCKS == CHECK_BLOCKS - 1;
    if (q->hausdorff) {
      for (int l = 0; l < count; ++l)
        lane[l] = t[l] > lane[l] ? t[l] : lane[l];
      if (check && lanes_max(lane) > q->stop)
        return 0;
    } else {
      for (int l = 0; l < count; ++l)
        lane[l] += t[l];
      if (check && (q->base + lanes_sum(lane) / (double)a.n) * q->scale > q->stop)
        return 0;
    }
  }
  *value = q->hausdorff ? lanes_max(lane) : lanes_sum(lane) / (double)a.n;
  return 1;
}

/* Squared distance from p to a node's box (0 inside). */
static inline double box_distance2(const double *box, const double p[3])
{
  double sum = 0.0;
  for (int d = 0; d < 3; ++d) {
    const double below = box[d] - p[d], above = p[d] - box[3 + d];
    const double gap = below > 0.0 ? below : (above > 0.0 ? above : 0.0);
    sum += gap * gap;
  }
  return sum;
}

/* Leaves hold at most this many points (boxed_tree_view.leaf_size). */
enum { MAX_LEAF = 64 };

/* A node to visit: heap number, point range, and the squared distance from the query to its box.
 * Depth-first on an explicit stack: each level of the tree leaves at most one node waiting. */
typedef struct pending {
  size_t node;
  int64_t lo, hi;
  double distance2;
} pending;

enum { STACK_DEPTH = 128 };

/* Points of a node's box are at least box_distance2 away: a node is entered only while that is
 * within the radius (with the far-side slack, for rounding: points at exactly the radius are met).
 * Of two children the nearer is entered first; one out of reach is not pushed at all. */
#define BOXED_TREE_WALK(b, p, radius2, LEAF_BODY)                                                                     \
  do {                                                                                                              \
    pending stack[STACK_DEPTH];                                                                                     \
    int top = 0;                                                                                                    \
    stack[top++] = (pending){0, 0, (b).n, box_distance2((b).box, p)};                                               \
    while (top > 0) {                                                                                               \
      const pending e = stack[--top];                                                                               \
      if (e.distance2 > (radius2)*FAR_SIDE_SLACK)                                                                   \
        continue;                                                                                                   \
      if (e.hi - e.lo <= (b).leaf_size) {                                                                           \
        const int64_t lo = e.lo, n = e.hi - e.lo;                                                                   \
        double d2[MAX_LEAF];                                                                                        \
        const double *x = (b).x + lo, *y = (b).y + lo, *z = (b).z + lo;                                            \
        _Pragma("omp simd") for (int64_t j = 0; j < n; ++j) d2[j] =                                                 \
          squared_distance(p[0], p[1], p[2], x[j], y[j], z[j]);                                                     \
        LEAF_BODY                                                                                                   \
        continue;                                                                                                   \
      }                                                                                                             \
      const int64_t mid = e.lo + (e.hi - e.lo) / 2;                                                                 \
      const pending near_child = {2 * e.node + 1, e.lo, mid, box_distance2((b).box + 6 * (2 * e.node + 1), p)};     \
      const pending far_child = {2 * e.node + 2, mid, e.hi, box_distance2((b).box + 6 * (2 * e.node + 2), p)};      \
      const int swap = far_child.distance2 < near_child.distance2;                                                  \
      const pending first = swap ? far_child : near_child, second = swap ? near_child : far_child;                  \
      if (second.distance2 <= (radius2)*FAR_SIDE_SLACK)                                                             \
        stack[top++] = second;                                                                                      \
      stack[top++] = first;                                                                                         \
    }                                                                                                               \
  } while (0)

/* A leaf's points within the radius are visited nearest first (the first usually narrows the radius
 * past the others); each visited one is marked with a negative distance. */
static void visit_entry(boxed_tree_view b, const double p[3], double radius2, point_visitor visit, void *context)
{
  BOXED_TREE_WALK(b, p, radius2, {
    for (;;) {
      int64_t nearest = -1;
      for (int64_t j = 0; j < n; ++j)
        if (d2[j] >= 0.0 && d2[j] <= radius2 && (nearest < 0 || d2[j] < d2[nearest]))
          nearest = j;
      if (nearest < 0)
        break;
      radius2 = visit(context, lo + nearest, d2[nearest]);
      d2[nearest] = -1.0;
    }
  });
}

static int64_t gather_entry(boxed_tree_view b, const double p[3], double radius2, int64_t *hit, double *hit_squared,
                            int64_t max_hits, int64_t *budget)
{
  int64_t hits = 0, remaining = *budget;
  BOXED_TREE_WALK(b, p, radius2, {
    remaining -= n;
    if (remaining < 0 || hits + n > max_hits) {
      *budget = -1;
      return -1;
    }
    /* Written unconditionally, counted only when within the radius: no branch to mispredict. */
    for (int64_t j = 0; j < n; ++j) {
      hit[hits] = lo + j;
      hit_squared[hits] = d2[j];
      hits += d2[j] <= radius2;
    }
  });
  *budget = remaining;
  return hits;
}

/* Points scanned at a time by a grid gather. */
enum { GRID_CHUNK = 64 };

/* The cells a grid gather scans along axis d: those of every coordinate within r of p[d]. r is
 * widened so that the rounded p[d] - r and p[d] + r stay outside [p[d] - true radius, p[d] + true
 * radius]: a point met by the exact test d2 <= radius2 then lies in a cell between the two ends
 * (grid_cell_along is monotone in the coordinate). */
static inline void grid_range(const grid_view *g, int d, double p, double r, int64_t *lo, int64_t *hi)
{
  const double widened = r + 4.0 * DBL_EPSILON * fabs(p) + DBL_MIN;
  *lo = grid_cell_along(p - widened, g->origin[d], g->inverse_width, g->dims[d]);
  *hi = grid_cell_along(p + widened, g->origin[d], g->inverse_width, g->dims[d]);
}

static int64_t gather_grid_entry(grid_view g, const double p[3], double radius2, int64_t *hit, double *hit_squared,
                                 int64_t max_hits, int64_t *budget)
{
  /* Squares and their sum round by a few parts in 1e16 (d2 may be below the true squared distance):
   * the relative 1e-8 covers that. */
  const double r = sqrt(radius2) * (1.0 + 1e-8);
  int64_t lo[3], hi[3];
  for (int d = 0; d < 3; ++d)
    grid_range(&g, d, p[d], r, &lo[d], &hi[d]);
  int64_t hits = 0, remaining = *budget;
  for (int64_t cz = lo[2]; cz <= hi[2]; ++cz)
    for (int64_t cy = lo[1]; cy <= hi[1]; ++cy) {
      const int64_t row = (cz * g.dims[1] + cy) * g.dims[0];
      const int64_t begin = g.cell_start[row + lo[0]], end = g.cell_start[row + hi[0] + 1];
      remaining -= end - begin;
      if (remaining < 0) {
        *budget = -1;
        return -1;
      }
      for (int64_t at = begin; at < end; at += GRID_CHUNK) {
        const int64_t n = end - at < GRID_CHUNK ? end - at : GRID_CHUNK;
        if (hits + n > max_hits) {
          *budget = -1;
          return -1;
        }
        double d2[GRID_CHUNK];
        const double *x = g.x + at, *y = g.y + at, *z = g.z + at;
#pragma omp simd
        for (int64_t j = 0; j < n; ++j)
          d2[j] = squared_distance(p[0], p[1], p[2], x[j], y[j], z[j]);
        /* Written unconditionally, counted only when within the radius: no branch to mispredict. */
        for (int64_t j = 0; j < n; ++j) {
          hit[hits] = at + j;
          hit_squared[hits] = d2[j];
          hits += d2[j] <= radius2;
        }
      }
    }
  *budget = remaining;
  return hits;
}

const simd_kernels KERNELS_TABLE = {KERNELS_NAME, directed, nearest_entry, visit_entry, gather_entry, gather_grid_entry};
