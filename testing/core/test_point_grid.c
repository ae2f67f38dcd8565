/* The grid of the neighbourhood search (search/point_grid.h) meets every point within the radius and
 * no other, for every SIMD variant this processor runs, against a scan of every point: on random
 * points with cells narrower and wider than the radius, on a lattice whose points lie on cell
 * boundaries at exactly the radius (also shifted by 1e8, where the rounding of p - r matters), with
 * radii equal to one point's own squared distance, and on an extent too wide for the cells asked. */
#include "check.h"

#include "distance/kernels.h"
#include "search/point_grid.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_HITS = 1 << 16 };

static const char *const variants[] = {"portable", "avx2", "avx512"};

static double distance2(const double p[3], double x, double y, double z)
{
  const double dx = p[0] - x, dy = p[1] - y, dz = p[2] - z;
  return dx * dx + dy * dy + dz * dz;
}

/* The grid's hits for p (as points of the set, through their coordinates) against the scan of every
 * point of the set: the same multiset of points. */
static void check_query(const cluster_set *set, const point_grid *grid, const double p[3], double radius2,
                        const char *what)
{
  static int64_t hit[MAX_HITS];
  static double hit_squared[MAX_HITS];
  static unsigned char found[MAX_HITS];
  int64_t budget = INT64_MAX;
  const int64_t hits =
    simd_kernels_get()->gather_grid(point_grid_view(grid), p, radius2, hit, hit_squared, MAX_HITS, &budget);
  const int64_t n = set->offsets[set->num_clusters];
  int64_t expected = 0;
  for (int64_t i = 0; i < n; ++i)
    expected += distance2(p, set->x[i], set->y[i], set->z[i]) <= radius2;
  CHECK(hits == expected, "%s (%s): %lld hits, a scan finds %lld (p %.17g %.17g %.17g, r2 %.17g)", what,
        simd_kernels_get()->name, (long long)hits, (long long)expected, p[0], p[1], p[2], radius2);
  if (hits != expected || hits < 0 || n > MAX_HITS)
    return;
  memset(found, 0, sizeof found);
  int ok = 1;
  for (int64_t h = 0; h < hits; ++h) {
    const int64_t j = hit[h];
    const double d2 = distance2(p, grid->x[j], grid->y[j], grid->z[j]);
    ok &= j >= 0 && j < n && !found[j] && d2 <= radius2 && d2 == hit_squared[h];
    found[j] = 1;
  }
  CHECK(ok, "%s (%s): every hit is a distinct point of the grid within the radius, with its distance",
        what, simd_kernels_get()->name);
}

typedef struct labelled {
  double x, y, z;
  int64_t cluster;
} labelled;

static int by_coordinates(const void *pa, const void *pb)
{
  const labelled *a = pa, *b = pb;
  if (a->x != b->x)
    return a->x < b->x ? -1 : 1;
  if (a->y != b->y)
    return a->y < b->y ? -1 : 1;
  if (a->z != b->z)
    return a->z < b->z ? -1 : 1;
  return (a->cluster > b->cluster) - (a->cluster < b->cluster);
}

/* The grid holds the set's points, each with its own cluster: the same sorted lists. */
static void check_same_points(const cluster_set *set, const point_grid *grid)
{
  const int64_t n = set->offsets[set->num_clusters];
  CHECK(grid->n == n, "the grid has the set's %lld points (%lld)", (long long)n, (long long)grid->n);
  labelled *a = malloc((size_t)n * sizeof *a), *b = malloc((size_t)n * sizeof *b);
  for (int64_t c = 0; c < (int64_t)set->num_clusters; ++c)
    for (int64_t i = set->offsets[c]; i < set->offsets[c + 1]; ++i)
      a[i] = (labelled){set->x[i], set->y[i], set->z[i], c};
  for (int64_t j = 0; j < n; ++j)
    b[j] = (labelled){grid->x[j], grid->y[j], grid->z[j], grid->cluster[j]};
  qsort(a, (size_t)n, sizeof *a, by_coordinates);
  qsort(b, (size_t)n, sizeof *b, by_coordinates);
  CHECK(!memcmp(a, b, (size_t)n * sizeof *a), "the grid's points and clusters are the set's");
  free(a);
  free(b);
}

static cluster_set make_set(const double *points, int64_t n, int64_t clusters)
{
  int64_t *labels = malloc((size_t)n * sizeof *labels);
  for (int64_t i = 0; i < n; ++i)
    labels[i] = i % clusters;
  const scipar_cloud cloud = {points, labels, (size_t)n, NULL};
  cluster_set set;
  CHECK(cluster_set_build(&cloud, NULL, 2, 1, 0, &set) == SCIPAR_OK, "the set builds");
  free(labels);
  return set;
}

static double uniform(unsigned long long *state)
{
  *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
  return (double)(*state >> 11) / 9007199254740992.0;
}

static void random_points(void)
{
  enum { N = 2000 };
  static double points[3 * N];
  unsigned long long state = 5;
  for (int i = 0; i < 3 * N; ++i)
    points[i] = 10.0 * uniform(&state);
  cluster_set set = make_set(points, N, 37);
  const double widths[] = {0.05, 0.5, 3.0, 0.0};
  const double radii[] = {0.0, 0.1, 0.5, 2.0, 50.0};
  for (size_t w = 0; w < sizeof widths / sizeof *widths; ++w) {
    point_grid grid;
    CHECK(point_grid_build(&set, widths[w], 2, &grid) == SCIPAR_OK, "the grid builds");
    check_same_points(&set, &grid);
    for (int q = 0; q < 40; ++q) {
      const double p[3] = {14.0 * uniform(&state) - 2.0, 14.0 * uniform(&state) - 2.0, 14.0 * uniform(&state) - 2.0};
      for (size_t r = 0; r < sizeof radii / sizeof *radii; ++r)
        check_query(&set, &grid, p, radii[r] * radii[r], "random points");
      /* a radius that one point of the set lies at exactly */
      const int64_t j = (int64_t)(uniform(&state) * N);
      check_query(&set, &grid, p, distance2(p, set.x[j], set.y[j], set.z[j]), "radius at a point");
    }
    point_grid_free(&grid);
  }
  cluster_set_free(&set);
}

/* Points at integer coordinates, cells 1 wide from the lattice's corner: every point lies on cell
 * boundaries, and a query at a cell's centre with radius 0.5 meets points at exactly the radius. */
static void lattice(double offset, const char *what)
{
  enum { SIDE = 6, N = SIDE * SIDE * SIDE };
  static double points[3 * N];
  int at = 0;
  for (int i = 0; i < SIDE; ++i)
    for (int j = 0; j < SIDE; ++j)
      for (int k = 0; k < SIDE; ++k) {
        points[at++] = offset + i;
        points[at++] = offset + j;
        points[at++] = offset + k;
      }
  cluster_set set = make_set(points, N, 5);
  point_grid grid;
  CHECK(point_grid_build(&set, 1.0, 1, &grid) == SCIPAR_OK, "the lattice's grid builds");
  check_same_points(&set, &grid);
  const double radii2[] = {0.25, 1.0, 2.0, 3.0, 4.0};
  for (int i = 0; i < SIDE; ++i)
    for (int j = 0; j < SIDE; j += 2)
      for (size_t r = 0; r < sizeof radii2 / sizeof *radii2; ++r) {
        const double on[3] = {offset + i, offset + j, offset + 2}, centre[3] = {offset + i + 0.5, offset + j, offset + 3};
        check_query(&set, &grid, on, radii2[r], what);
        check_query(&set, &grid, centre, radii2[r], what);
      }
  point_grid_free(&grid);
  cluster_set_free(&set);
}

/* Cells asked far narrower than the extent allows: the grid widens them and still meets every point. */
static void wide_extent(void)
{
  const double points[] = {0, 0, 0, 1e12, 0, 0, 0, 1e12, 0, 0, 0, 1e12, 1, 1, 1, 1e12, 1e12, 1e12};
  cluster_set set = make_set(points, 6, 2);
  point_grid grid;
  CHECK(point_grid_build(&set, 1e-6, 1, &grid) == SCIPAR_OK, "a grid over a wide extent builds");
  CHECK(grid.dims[0] * grid.dims[1] * grid.dims[2] <= 2 * 6 + 64, "its cells stay few (%lld)",
        (long long)(grid.dims[0] * grid.dims[1] * grid.dims[2]));
  const double p[3] = {0.5, 0.5, 0.5};
  check_query(&set, &grid, p, 0.75, "wide extent");
  check_query(&set, &grid, p, 1e24, "wide extent");
  point_grid_free(&grid);
  cluster_set_free(&set);
}

int main(void)
{
  for (size_t v = 0; v < sizeof variants / sizeof *variants; ++v) {
    if (!simd_kernels_force(variants[v])) {
      printf("%s: not available here, skipped\n", variants[v]);
      continue;
    }
    random_points();
    lattice(0.0, "lattice");
    lattice(1e8, "lattice at 1e8");
    wide_extent();
  }
  return check_report("test_point_grid");
}
