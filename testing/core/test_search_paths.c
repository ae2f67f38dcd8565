/* Each way the search can find a cluster's nearest agrees with the brute-force oracle and gives
 * bit-identical results for 1, 2 and 3 threads, and is really taken (the search's counters say so):
 * one-point clusters through the global point index (ties included: duplicated points), or best-first
 * when they are too few among small clusters to pay for the index, entangled
 * clusters through neighbourhood queries, the same with the neighbourhood search giving up at once
 * (back to the best-first search), and one huge cluster against many small ones (the side with more
 * clusters searches first and the other side reuses its values). Every metric, squared or not, with
 * and without a distance limit. And a search from a bound found elsewhere (SEARCH_BOUND, as a process
 * searches the clusters other processes sent after its own): the target split in two sets by id, the
 * second searched from the first's values, gives the whole target's answers, ties to the smaller id
 * across the sets included. */
#include "check.h"
#include "random_cloud.h"
#include "verify.h"

#include "search/search.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void run(const test_cloud *source, const test_cloud *target, const char *name)
{
  const scipar_cloud src = as_scipar(source), tgt = as_scipar(target);
  for (int m = 0; m < 8; ++m) {
    for (int limited = 0; limited < 2; ++limited) {
      scipar_options options;
      scipar_options_init(&options);
      options.metric = (scipar_metric)(m / 2);
      options.squared = m % 2;
      if (limited) { /* the median of the unlimited values: some clusters stay unpaired */
        scipar_result r;
        CHECK(scipar_match(&src, &tgt, &options, &r) == SCIPAR_OK, "%s: runs", name);
        double lo = INFINITY, hi = 0.0;
        for (size_t c = 0; c < r.source.num_clusters; ++c)
          if (r.source.nearest[c] >= 0) {
            lo = fmin(lo, r.source.nearest_distance[c]);
            hi = fmax(hi, r.source.nearest_distance[c]);
          }
        scipar_result_free(&r);
        options.max_pair_distance = 0.5 * (lo + hi);
      }
      char context[160];
      snprintf(context, sizeof context, "%s metric %d squared %d limit %g", name, m / 2, m % 2,
               options.max_pair_distance);
      scipar_result results[3];
      for (int t = 0; t < 3; ++t) {
        options.num_threads = t + 1;
        CHECK(scipar_match(&src, &tgt, &options, &results[t]) == SCIPAR_OK, "%s: runs", context);
      }
      verify_result(&src, &tgt, &options, &results[0], context);
      for (int t = 1; t < 3; ++t)
        CHECK(results_identical(&results[0], &results[t], src.num_points, tgt.num_points), "%s: %d threads differ",
              context, t + 1);
      for (int t = 0; t < 3; ++t)
        scipar_result_free(&results[t]);
    }
  }
}

/* The points of `cloud` whose label is odd (`odd`) or even, as a cloud of their own. */
static test_cloud labels_of_parity(const test_cloud *cloud, int odd)
{
  test_cloud part = {malloc(3 * cloud->n * sizeof(double) + 1), malloc(cloud->n * sizeof(int64_t) + 1), 0};
  for (size_t i = 0; i < cloud->n; ++i)
    if ((int)(cloud->labels[i] & 1) == odd) {
      memcpy(part.points + 3 * part.n, cloud->points + 3 * i, 3 * sizeof(double));
      part.labels[part.n++] = cloud->labels[i];
    }
  return part;
}

static void search_set(const cluster_set *from, const cluster_set *to, const scipar_options *options, int64_t *nearest,
                       double *distance)
{
  progress_state progress = {NULL, NULL, 0, 0, 0};
  CHECK(nearest_clusters_of(from, NULL, from->num_clusters, to, NULL, 1, options, NULL, NULL, 2, &progress, nearest,
                            distance) == SCIPAR_OK,
        "search runs");
}

/* Every source cluster's nearest in the whole target, against: the search over the target's even ids,
 * then over its odd ids from the first's value (SEARCH_BOUND), the better kept (ties to the smaller
 * id); and a bound just below the nearest's value, which leaves nothing to find. */
static void run_bounded(const test_cloud *source, const test_cloud *target, const char *name)
{
  const test_cloud even = labels_of_parity(target, 0), odd = labels_of_parity(target, 1);
  const scipar_cloud clouds[4] = {as_scipar(source), as_scipar(target), as_scipar(&even), as_scipar(&odd)};
  cluster_set sets[4];
  for (int i = 0; i < 4; ++i)
    CHECK(cluster_set_build(&clouds[i], NULL, 1, 1, 0, &sets[i]) == SCIPAR_OK, "%s: grouped", name);
  const size_t k = sets[0].num_clusters;
  int64_t *nearest[4];
  double *distance[4];
  for (int i = 0; i < 4; ++i) {
    nearest[i] = malloc((k + 1) * sizeof(int64_t));
    distance[i] = malloc((k + 1) * sizeof(double));
  }
  for (int m = 0; m < 8; ++m) {
    scipar_options options;
    scipar_options_init(&options);
    options.metric = (scipar_metric)(m / 2);
    options.squared = m % 2;
    for (size_t c = 0; c < k; ++c)
      nearest[0][c] = nearest[1][c] = -1;
    search_set(&sets[0], &sets[1], &options, nearest[0], distance[0]); /* the whole target */
    search_set(&sets[0], &sets[2], &options, nearest[1], distance[1]); /* its even ids */
    for (size_t c = 0; c < k; ++c) {
      nearest[2][c] = nearest[1][c] >= 0 ? SEARCH_BOUND : -1;
      distance[2][c] = distance[1][c];
      nearest[3][c] = nearest[0][c] >= 0 ? SEARCH_BOUND : -1;
      distance[3][c] = nextafter(distance[0][c], -INFINITY);
    }
    search_set(&sets[0], &sets[3], &options, nearest[2], distance[2]); /* odd ids, from the even's value */
    search_set(&sets[0], &sets[1], &options, nearest[3], distance[3]); /* whole, just below its nearest */
    for (size_t c = 0; c < k; ++c) {
      const int64_t e = nearest[1][c], o = nearest[2][c];
      CHECK(o < 0 || e < 0 || distance[2][c] <= distance[1][c], "%s metric %d: cluster %zu found %.17g above its bound %.17g",
            name, m, c, distance[2][c], distance[1][c]);
      int64_t id = e >= 0 ? sets[2].ids[e] : 0;
      double value = distance[1][c];
      if (o >= 0 && (e < 0 || distance[2][c] < value || sets[3].ids[o] < id)) {
        id = sets[3].ids[o];
        value = distance[2][c];
      }
      const int64_t w = nearest[0][c];
      CHECK((w >= 0) == (e >= 0 || o >= 0) && (w < 0 || (sets[1].ids[w] == id && distance[0][c] == value)),
            "%s metric %d: cluster %zu: split search gives %lld at %.17g, whole %lld at %.17g", name, m, c,
            (long long)id, value, (long long)(w >= 0 ? sets[1].ids[w] : -1), w >= 0 ? distance[0][c] : NAN);
      CHECK(nearest[3][c] == -1, "%s metric %d: cluster %zu found %lld below its nearest's value", name, m, c,
            (long long)nearest[3][c]);
    }
  }
  for (int i = 0; i < 4; ++i) {
    cluster_set_free(&sets[i]);
    free(nearest[i]);
    free(distance[i]);
  }
  free(even.points);
  free(even.labels);
  free(odd.points);
  free(odd.labels);
}

/* n points uniform in a cube of side `side`, each its own cluster; every fifth point duplicated (same
 * coordinates, another cluster) so that exact ties occur. */
static test_cloud singletons(rng *r, size_t n, double side)
{
  test_cloud c = {malloc(3 * n * sizeof(double)), malloc(n * sizeof(int64_t)), n};
  for (size_t i = 0; i < n; ++i) {
    for (int d = 0; d < 3; ++d)
      c.points[3 * i + d] = i % 5 == 4 ? c.points[3 * (i - 1) + d] : side * rng_uniform(r);
    c.labels[i] = (int64_t)(3 * i + 7);
  }
  return c;
}

/* The notebook's gen_clusters at small scale: means on an integer grid, sigmas 1 or 2, so that
 * clusters overlap heavily; the next frame moves each cluster by 0.1 to 0.5. */
static void entangled(rng *r, size_t k, size_t max_size, test_cloud *a, test_cloud *b)
{
  size_t n = 0, *sizes = malloc(k * sizeof *sizes);
  for (size_t c = 0; c < k; ++c)
    n += sizes[c] = 1 + rng_below(r, max_size);
  *a = (test_cloud){malloc(3 * n * sizeof(double)), malloc(n * sizeof(int64_t)), n};
  *b = (test_cloud){malloc(3 * n * sizeof(double)), malloc(n * sizeof(int64_t)), n};
  size_t at = 0;
  for (size_t c = 0; c < k; ++c) {
    double mean[3], sigma[3], move[3], length = 0.0;
    for (int d = 0; d < 3; ++d) {
      mean[d] = 1.0 + (double)rng_below(r, 3);
      sigma[d] = 1.0 + (double)rng_below(r, 2);
      move[d] = rng_normal(r);
      length += move[d] * move[d];
    }
    const double shift = (0.1 + 0.4 * rng_uniform(r)) / sqrt(length);
    for (size_t i = 0; i < sizes[c]; ++i, ++at) {
      for (int d = 0; d < 3; ++d) {
        a->points[3 * at + d] = mean[d] + sigma[d] * rng_normal(r);
        b->points[3 * at + d] = a->points[3 * at + d] + shift * move[d] + 0.01 * rng_normal(r);
      }
      a->labels[at] = (int64_t)c;
      b->labels[at] = (int64_t)(3 * c + 1);
    }
  }
  free(sizes);
}

int main(void)
{
  rng r = {31337};

  search_counters_reset();
  test_cloud s1 = singletons(&r, 300, 10.0), t1 = singletons(&r, 250, 10.0);
  run(&s1, &t1, "singletons");
  run_bounded(&s1, &t1, "singletons, bounded");
  CHECK(search_counters_get().by_point > 0 && search_counters_get().best_first == 0,
        "singletons go through the point index (%lld by point, %lld best-first)",
        (long long)search_counters_get().by_point, (long long)search_counters_get().best_first);

  search_counters_reset();
  const cloud_spec tiny = {150, 3, 10.0, 0.5, LABELS_SPARSE};
  test_cloud s2 = random_cloud(&r, &tiny), t2 = moved_cloud(&r, &s2, 0.3);
  run(&s2, &t2, "tiny clusters");
  CHECK(search_counters_get().by_point > 0 && search_counters_get().best_first > 0,
        "one-point clusters by the index, the others best-first");

  /* Clusters of 1-9 points: too few one-point clusters to pay for the point index, so all go
   * best-first. */
  search_counters_reset();
  const cloud_spec small = {150, 9, 10.0, 0.5, LABELS_SPARSE};
  test_cloud s6 = random_cloud(&r, &small), t6 = moved_cloud(&r, &s6, 0.3);
  run(&s6, &t6, "small clusters, few of one point");
  run_bounded(&s6, &t6, "small clusters, bounded");
  CHECK(search_counters_get().by_point == 0 && search_counters_get().best_first > 0,
        "few one-point clusters: no point index (%lld by point, %lld best-first)",
        (long long)search_counters_get().by_point, (long long)search_counters_get().best_first);

  search_counters_reset();
  test_cloud s3, t3;
  entangled(&r, 80, 30, &s3, &t3);
  run(&s3, &t3, "entangled");
  run_bounded(&s3, &t3, "entangled, bounded");
  CHECK(search_counters_get().by_neighbourhood > 0, "entangled clusters go to neighbourhood searches (%lld)",
        (long long)search_counters_get().by_neighbourhood);

  /* Two unrelated entangled clouds, deferred after one value: the neighbourhood search, not the
   * best-first one, finds most answers. */
  search_counters_reset();
  search_set_defer_after(1);
  test_cloud s5, t5, u5, v5;
  entangled(&r, 70, 30, &s5, &u5);
  entangled(&r, 70, 30, &v5, &t5);
  run(&s5, &t5, "unrelated entangled");
  CHECK(search_counters_get().by_neighbourhood > 0, "unrelated entangled clusters go to neighbourhood searches");
  search_set_defer_after(4);

  search_counters_reset();
  search_set_neighbourhood_budget(0.0);
  run(&s3, &t3, "entangled, no budget");
  CHECK(search_counters_get().neighbourhood_budget > 0 && search_counters_get().by_neighbourhood == 0,
        "with no budget, neighbourhood searches give up and the best-first search finishes (%lld)",
        (long long)search_counters_get().neighbourhood_budget);
  search_set_neighbourhood_budget(1.0);

  /* One cluster of every source point against the target's many small clusters. */
  const cloud_spec many = {80, 12, 30.0, 0.5, LABELS_SEQUENTIAL};
  test_cloud t4 = random_cloud(&r, &many), s4 = moved_cloud(&r, &t4, 0.2);
  for (size_t i = 0; i < s4.n; ++i)
    s4.labels[i] = 5;
  run(&s4, &t4, "one huge cluster against many");
  run(&t4, &s4, "many against one huge cluster");

  test_cloud *all[] = {&s1, &t1, &s2, &t2, &s3, &t3, &s4, &t4, &s5, &t5, &u5, &v5, &s6, &t6};
  for (size_t i = 0; i < sizeof all / sizeof *all; ++i)
    test_cloud_free(all[i]);
  return check_report("test_search_paths");
}
