/* scipar_euclidean_clusters against a brute-force oracle written here from the definition in
 * scipar/clustering.h (every pair of points compared, groups grown breadth-first): random Gaussian
 * clouds, a lattice whose neighbours sit exactly at the radius, duplicates, non-finite and skipped
 * points, every option, several thread counts (the ids must be identical), the points shuffled (each
 * point's id must not change: ties go by coordinates, not by input order), argument errors and
 * cancellation. */
#include "check.h"
#include "random_cloud.h"
#include "scipar/clustering.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- the oracle ---- */

static int oracle_usable(const double *p, const unsigned char *skip, size_t i)
{
  return !(skip && skip[i]) && isfinite(p[3 * i]) && isfinite(p[3 * i + 1]) && isfinite(p[3 * i + 2]);
}

static double oracle_d2(const double *p, size_t i, size_t j)
{
  double s = 0;
  for (int a = 0; a < 3; ++a) {
    const double d = p[3 * i + a] - p[3 * j + a];
    s += d * d;
  }
  return s;
}

/* Whether point i comes before point j: by x, then y, then z. */
static int oracle_before(const double *p, size_t i, size_t j)
{
  for (int a = 0; a < 3; ++a)
    if (p[3 * i + a] != p[3 * j + a])
      return p[3 * i + a] < p[3 * j + a];
  return 0;
}

typedef struct oracle_cluster {
  int64_t size, label;
  double first[3]; /* the cluster's point that comes first */
} oracle_cluster;

static int oracle_order(const void *a, const void *b)
{
  const oracle_cluster *x = a, *y = b;
  if (x->size != y->size)
    return x->size > y->size ? -1 : 1;
  for (int d = 0; d < 3; ++d)
    if (x->first[d] != y->first[d])
      return x->first[d] < y->first[d] ? -1 : 1;
  return 0;
}

/* ids[i]: the cluster of point i as the definition says, -1 for none. Returns the cluster count. */
static size_t oracle_clusters(const double *p, size_t n, const unsigned char *skip,
                              const scipar_clustering_options *o, int64_t *ids)
{
  const double r2 = o->radius * o->radius;
  unsigned char *core = calloc(n + 1, 1);
  int64_t *group = malloc((n + 1) * sizeof *group), *queue = malloc((n + 1) * sizeof *queue);
  for (size_t i = 0; i < n; ++i) {
    group[i] = -1;
    if (!oracle_usable(p, skip, i))
      continue;
    int64_t neighbours = 0;
    for (size_t j = 0; j < n; ++j)
      neighbours += j != i && oracle_usable(p, skip, j) && oracle_d2(p, i, j) <= r2;
    core[i] = neighbours >= o->min_neighbors;
  }
  int64_t groups = 0;
  for (size_t s = 0; s < n; ++s) { /* breadth-first over core points */
    if (!core[s] || group[s] >= 0)
      continue;
    size_t head = 0, tail = 0;
    queue[tail++] = (int64_t)s;
    group[s] = groups;
    while (head < tail) {
      const size_t i = (size_t)queue[head++];
      for (size_t j = 0; j < n; ++j)
        if (core[j] && group[j] < 0 && oracle_d2(p, i, j) <= r2) {
          group[j] = groups;
          queue[tail++] = (int64_t)j;
        }
    }
    ++groups;
  }
  for (size_t i = 0; i < n; ++i) { /* every other usable point: its nearest core neighbour's group */
    if (core[i] || !oracle_usable(p, skip, i))
      continue;
    double best = INFINITY;
    size_t nearest = 0;
    for (size_t j = 0; j < n; ++j) /* a tie goes to the core point that comes first */
      if (core[j] && oracle_d2(p, i, j) <= r2 &&
          (oracle_d2(p, i, j) < best || (oracle_d2(p, i, j) == best && oracle_before(p, j, nearest)))) {
        best = oracle_d2(p, i, j);
        nearest = j;
        group[i] = group[j];
      }
  }
  oracle_cluster *clusters = calloc((size_t)groups + 1, sizeof *clusters);
  int64_t *first = malloc(((size_t)groups + 1) * sizeof *first);
  for (int64_t g = 0; g < groups; ++g) {
    clusters[g] = (oracle_cluster){0, g, {0, 0, 0}};
    first[g] = -1;
  }
  for (size_t i = 0; i < n; ++i)
    if (group[i] >= 0) {
      ++clusters[group[i]].size;
      if (first[group[i]] < 0 || oracle_before(p, i, (size_t)first[group[i]]))
        first[group[i]] = (int64_t)i;
    }
  for (int64_t g = 0; g < groups; ++g)
    memcpy(clusters[g].first, &p[3 * first[g]], sizeof clusters[g].first);
  free(first);
  qsort(clusters, (size_t)groups, sizeof *clusters, oracle_order);
  int64_t *renumber = malloc(((size_t)groups + 1) * sizeof *renumber);
  size_t kept = 0;
  for (int64_t k = 0; k < groups; ++k) {
    const int64_t size = clusters[k].size;
    const int ok = size >= o->min_cluster_size && (o->max_cluster_size <= 0 || size <= o->max_cluster_size);
    renumber[clusters[k].label] = ok ? (int64_t)kept++ : -1;
  }
  for (size_t i = 0; i < n; ++i)
    ids[i] = group[i] >= 0 ? renumber[group[i]] : -1;
  free(core);
  free(group);
  free(queue);
  free(clusters);
  free(renumber);
  return kept;
}

/* ---- comparisons ---- */

static int compare_with_oracle(const double *p, size_t n, const unsigned char *skip,
                               scipar_clustering_options o, const char *what)
{
  int64_t *expected = malloc((n + 1) * sizeof *expected);
  const size_t clusters = oracle_clusters(p, n, skip, &o, expected);
  int64_t *first_run = NULL;
  int ok = 1;
  const int thread_counts[] = {1, 2, 3, 7};
  for (size_t t = 0; t < sizeof thread_counts / sizeof *thread_counts; ++t) {
    o.num_threads = thread_counts[t];
    scipar_clustering_result r;
    const scipar_status status = scipar_euclidean_clusters(p, n, skip, &o, &r);
    CHECK(status == SCIPAR_OK, "%s: status %d: %s", what, (int)status, r.message);
    if (status != SCIPAR_OK)
      return 0;
    CHECK(r.num_clusters == clusters, "%s, %d threads: %zu clusters, oracle %zu", what, thread_counts[t],
          r.num_clusters, clusters);
    size_t wrong = 0, noise = 0;
    for (size_t i = 0; i < n; ++i) {
      wrong += r.cluster_ids[i] != expected[i];
      noise += expected[i] < 0;
    }
    CHECK(wrong == 0, "%s, %d threads: %zu of %zu ids differ from the oracle's", what, thread_counts[t], wrong, n);
    ok &= wrong == 0 && r.num_clusters == clusters;
    size_t sized = 0;
    for (size_t k = 0; k < r.num_clusters; ++k) {
      sized += (size_t)r.cluster_sizes[k];
      CHECK(k == 0 || r.cluster_sizes[k] <= r.cluster_sizes[k - 1], "%s: sizes not decreasing", what);
    }
    CHECK(sized + r.num_noise_points + r.num_excluded_points + r.num_skipped_points == n,
          "%s: %zu in clusters + %zu noise + %zu excluded + %zu skipped != %zu points", what, sized,
          r.num_noise_points, r.num_excluded_points, r.num_skipped_points, n);
    CHECK(noise == r.num_noise_points + r.num_excluded_points + r.num_skipped_points, "%s: noise count", what);
    if (!first_run) {
      first_run = malloc((n + 1) * sizeof *first_run);
      memcpy(first_run, r.cluster_ids, n * sizeof *first_run);
    } else {
      CHECK(!memcmp(first_run, r.cluster_ids, n * sizeof *first_run), "%s: ids differ between thread counts", what);
    }
    scipar_clustering_result_free(&r);
  }
  free(first_run);
  free(expected);
  return ok;
}

static scipar_clustering_options options_of(double radius, int64_t min_neighbors, int64_t min_size, int64_t max_size)
{
  scipar_clustering_options o;
  scipar_clustering_options_init(&o);
  o.radius = radius;
  o.min_neighbors = min_neighbors;
  o.min_cluster_size = min_size;
  o.max_cluster_size = max_size;
  return o;
}

static void test_random_clouds(void)
{
  rng r = {20260105};
  for (int round = 0; round < 40; ++round) {
    const cloud_spec spec = {1 + rng_below(&r, 30), 1 + rng_below(&r, 60), 10 + 40 * rng_uniform(&r),
                             0.2 + 2 * rng_uniform(&r), LABELS_SEQUENTIAL};
    test_cloud cloud = random_cloud(&r, &spec);
    const double radius = 0.1 + 1.5 * rng_uniform(&r);
    const int64_t min_neighbors = (int64_t)rng_below(&r, 6);
    const int64_t min_size = (int64_t)rng_below(&r, 8);
    const int64_t max_size = rng_below(&r, 3) ? 0 : 5 + (int64_t)rng_below(&r, 60);
    char what[160];
    snprintf(what, sizeof what, "round %d: %zu points, radius %.3f, min neighbours %lld, sizes %lld..%lld", round,
             cloud.n, radius, (long long)min_neighbors, (long long)min_size, (long long)max_size);
    compare_with_oracle(cloud.points, cloud.n, NULL, options_of(radius, min_neighbors, min_size, max_size), what);
    test_cloud_free(&cloud);
  }
}

/* Integer lattices: neighbours at exactly the radius must count (<=), and cells of the grid must not
 * cut them apart, whatever the offset of the coordinates. */
static void test_lattice_at_exact_radius(void)
{
  enum { SIDE = 7 };
  double points[3 * SIDE * SIDE * SIDE];
  const double offsets[] = {0.0, -3.0, 1e6, 0.5};
  for (size_t k = 0; k < sizeof offsets / sizeof *offsets; ++k) {
    size_t n = 0;
    for (int x = 0; x < SIDE; ++x)
      for (int y = 0; y < SIDE; ++y)
        for (int z = 0; z < SIDE; ++z) {
          /* two separate blocks: x < 3 and x >= 4 are 2 apart along x */
          const double gap = x >= 4 ? 1.0 : 0.0;
          points[n++] = offsets[k] + x + gap;
          points[n++] = offsets[k] + y;
          points[n++] = offsets[k] + z;
        }
    n /= 3;
    scipar_clustering_options o = options_of(1.0, 0, 1, 0);
    scipar_clustering_result r;
    CHECK(scipar_euclidean_clusters(points, n, NULL, &o, &r) == SCIPAR_OK, "lattice: %s", r.message);
    CHECK(r.num_clusters == 2 && r.cluster_sizes[0] == 4 * SIDE * SIDE && r.cluster_sizes[1] == 3 * SIDE * SIDE,
          "offset %g: radius 1 on a unit lattice joins each block: %zu clusters", offsets[k], r.num_clusters);
    scipar_clustering_result_free(&r);
    compare_with_oracle(points, n, NULL, options_of(1.0, 6, 1, 0), "lattice, 6 neighbours (inner points are core)");
    compare_with_oracle(points, n, NULL, options_of(0.999, 0, 1, 0), "lattice, radius just below the spacing");
  }
}

/* Duplicates, NaN and infinite coordinates, skip flags, single points, an empty cloud. */
static void test_special_points(void)
{
  const double nan = NAN, inf = INFINITY;
  const double points[] = {0, 0, 0, 0, 0, 0, 0.5, 0, 0, nan, 0, 0, 0, inf, 0, 10, 10, 10, 10.2, 10, 10,
                           10.4, 10, 10, 50, 50, 50, 0.25, 0, 0};
  const size_t n = sizeof points / sizeof *points / 3;
  const unsigned char skip[] = {0, 0, 0, 0, 0, 0, 0, 1, 0, 1};
  compare_with_oracle(points, n, NULL, options_of(0.3, 0, 1, 0), "special points");
  compare_with_oracle(points, n, skip, options_of(0.3, 0, 1, 0), "special points, skipped");
  compare_with_oracle(points, n, NULL, options_of(0.3, 1, 2, 0), "special points, core needs a neighbour");
  compare_with_oracle(points, n, skip, options_of(0.6, 2, 1, 3), "special points, sizes 1..3");

  scipar_clustering_options o = options_of(0.3, 0, 1, 0);
  scipar_clustering_result r;
  CHECK(scipar_euclidean_clusters(points, n, skip, &o, &r) == SCIPAR_OK, "%s", r.message);
  CHECK(r.num_excluded_points == 2 && r.num_skipped_points == 2, "excluded %zu, skipped %zu",
        r.num_excluded_points, r.num_skipped_points);
  CHECK(r.cluster_ids[3] == -1 && r.cluster_ids[4] == -1 && r.cluster_ids[7] == -1, "unusable points get -1");
  CHECK(r.cluster_ids[0] == r.cluster_ids[1] && r.cluster_ids[0] >= 0, "duplicate points share a cluster");
  scipar_clustering_result_free(&r);

  CHECK(scipar_euclidean_clusters(NULL, 0, NULL, &o, &r) == SCIPAR_OK && r.num_clusters == 0, "empty cloud");
  scipar_clustering_result_free(&r);
}

static int cancel_at_once(double fraction, void *calls)
{
  (void)fraction;
  ++*(int *)calls;
  return 1;
}

static void test_errors_and_cancel(void)
{
  const double points[] = {0, 0, 0, 1, 0, 0};
  scipar_clustering_options o = options_of(0.0, 0, 1, 0);
  scipar_clustering_result r;
  CHECK(scipar_euclidean_clusters(points, 2, NULL, &o, &r) == SCIPAR_ERROR_INVALID_ARGUMENT &&
            strstr(r.message, "radius"), "radius 0 refused: %s", r.message);
  o.radius = NAN;
  CHECK(scipar_euclidean_clusters(points, 2, NULL, &o, &r) == SCIPAR_ERROR_INVALID_ARGUMENT, "NaN radius refused");
  o.radius = 1;
  CHECK(scipar_euclidean_clusters(NULL, 2, NULL, &o, &r) == SCIPAR_ERROR_INVALID_ARGUMENT, "NULL points refused");
  CHECK(scipar_euclidean_clusters(points, 2, NULL, NULL, &r) == SCIPAR_ERROR_INVALID_ARGUMENT, "NULL options refused");
  const double huge[] = {-1e308, 0, 0, 1e308, 0, 0};
  CHECK(scipar_euclidean_clusters(huge, 2, NULL, &o, &r) == SCIPAR_ERROR_INVALID_ARGUMENT &&
            strstr(r.message, "span"), "an unrepresentable span is refused: %s", r.message);
  scipar_clustering_result_free(&r);

  rng g = {7};
  const cloud_spec spec = {20, 200, 30, 1, LABELS_SEQUENTIAL};
  test_cloud cloud = random_cloud(&g, &spec);
  int calls = 0;
  o.progress = cancel_at_once;
  o.progress_user_data = &calls;
  CHECK(scipar_euclidean_clusters(cloud.points, cloud.n, NULL, &o, &r) == SCIPAR_ERROR_CANCELLED && calls > 0,
        "a progress callback that returns non-zero cancels (%d calls): %s", calls, r.message);
  CHECK(r.cluster_ids == NULL, "a cancelled call holds no result");
  test_cloud_free(&cloud);
}

/* The same points in another order get the same ids, point for point: on a lattice (border points
 * equidistant from core points of two clusters, clusters of equal sizes) and random clouds. */
static void test_point_order(void)
{
  rng r = {20261125};
  enum { SIDE = 6 };
  double lattice[3 * 2 * SIDE * SIDE * SIDE];
  size_t n = 0;
  for (int block = 0; block < 2; ++block) /* two equal blocks, 2 apart along x */
    for (int x = 0; x < SIDE; ++x)
      for (int y = 0; y < SIDE; ++y)
        for (int z = 0; z < SIDE; ++z) {
          lattice[n++] = x + block * (SIDE + 1);
          lattice[n++] = y;
          lattice[n++] = z;
        }
  n /= 3;
  /* Blocks 2 apart stay apart below radius 2; the unit lattice's neighbours at 1, 1.41 and 1.73. */
  const scipar_clustering_options options[] = {options_of(1.0, 0, 1, 0), options_of(1.5, 10, 1, 0),
                                               options_of(1.8, 20, 1, 0), options_of(0.6, 0, 1, 0),
                                               options_of(0.6, 3, 1, 0), options_of(0.9, 6, 2, 0)};
  int several = 0; /* rounds with several clusters */
  for (int round = 0; round < 12; ++round) {
    test_cloud cloud = {NULL, NULL, 0};
    const double *points = lattice;
    size_t count = n;
    if (round >= 6) {
      const cloud_spec spec = {12, 80, 12.0, 0.5, LABELS_SEQUENTIAL};
      cloud = random_cloud(&r, &spec);
      points = cloud.points;
      count = cloud.n;
    }
    size_t *order = malloc(count * sizeof *order);
    double *shuffled = malloc(3 * count * sizeof *shuffled + 1);
    for (size_t i = 0; i < count; ++i)
      order[i] = i;
    for (size_t i = count; i > 1; --i) {
      const size_t j = rng_below(&r, (uint64_t)i), t = order[i - 1];
      order[i - 1] = order[j];
      order[j] = t;
    }
    for (size_t i = 0; i < count; ++i)
      memcpy(&shuffled[3 * i], &points[3 * order[i]], 3 * sizeof *points);
    scipar_clustering_options o = options[round < 6 ? round % 3 : 3 + round % 3];
    scipar_clustering_result a, b;
    CHECK(scipar_euclidean_clusters(points, count, NULL, &o, &a) == SCIPAR_OK, "%s", a.message);
    CHECK(scipar_euclidean_clusters(shuffled, count, NULL, &o, &b) == SCIPAR_OK, "%s", b.message);
    size_t moved = 0;
    for (size_t i = 0; i < count; ++i)
      moved += b.cluster_ids[i] != a.cluster_ids[order[i]];
    CHECK(moved == 0, "round %d (%zu points, %zu clusters): %zu points changed id in another order", round, count,
          a.num_clusters, moved);
    several += a.num_clusters > 1;
    scipar_clustering_result_free(&a);
    scipar_clustering_result_free(&b);
    free(order);
    free(shuffled);
    test_cloud_free(&cloud);
  }
  CHECK(several >= 9, "only %d of 12 orders tested with several clusters", several);
}

int main(void)
{
  test_random_clouds();
  test_lattice_at_exact_radius();
  test_point_order();
  test_special_points();
  test_errors_and_cancel();
  return check_report("test_clustering");
}
