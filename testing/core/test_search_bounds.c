/* The search's lower bounds never exceed the exact Chamfer value (brute-force oracle), and the
 * best-first enumeration over the hierarchy, whose node bounds cover their clusters, returns every
 * cluster whose value does not exceed the stop value: on overlapping clouds, separated ones, and
 * clouds 1,000 units apart, every metric, squared or not. A hand-made case checks the convexity
 * bound itself, where boxes overlap and the box gap says nothing; the hierarchy over 70,000 clusters
 * (built by a team of tasks) is the same for any number of threads. */
#include "check.h"
#include "oracle.h"
#include "random_cloud.h"

#include "grouping/grouping.h"
#include "search/candidate_search.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_convexity_bound(void)
{
  /* A = {(0,0,0)}, B = {(-1,0,0), (10,0,0)}: A's point is inside B's box, so the boxes' gap is 0; B's
   * centroid (4.5,0,0) is 4.5 from A's box, and d(B->A) = (1 + 10) / 2 = 5.5 >= 4.5. */
  const double a[] = {0, 0, 0}, b[] = {-1, 0, 0, 10, 0, 0};
  const int64_t la[] = {1}, lb[] = {2, 2};
  const scipar_cloud ca = {a, la, 1, NULL}, cb = {b, lb, 2, NULL};
  cluster_set sa, sb;
  CHECK(cluster_set_build(&ca, NULL, 1, 1, 0, &sa) == SCIPAR_OK && cluster_set_build(&cb, NULL, 1, 1, 0, &sb) == SCIPAR_OK,
        "sets build");
  const double bound = cluster_lower_bound(SCIPAR_METRIC_MAX, 0, &sa, 0, &sb, 0);
  CHECK(bound > 4.5 * (1 - 1e-8) && bound <= 4.5, "Max bound %.17g, expected 4.5 (the centroid's distance)", bound);
  const double sum = cluster_lower_bound(SCIPAR_METRIC_SUM, 0, &sa, 0, &sb, 0);
  /* d(A->B) >= distance from (0,0,0) to B's box = 0: the Sum bound is 0 + 4.5. */
  CHECK(sum > 4.5 * (1 - 1e-8) && sum <= 4.5, "Sum bound %.17g, expected 4.5", sum);
  const double squared = cluster_lower_bound(SCIPAR_METRIC_MAX, 1, &sa, 0, &sb, 0);
  CHECK(squared > 20.25 * (1 - 1e-8) && squared <= 20.25, "squared Max bound %.17g, expected 20.25", squared);
  cluster_set_free(&sa);
  cluster_set_free(&sb);
}

static int by_value(const void *a, const void *b)
{
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void check_pair_of_clouds(const scipar_cloud *src, const scipar_cloud *tgt, const char *name)
{
  cluster_set s, t;
  CHECK(cluster_set_build(src, NULL, 2, 1, 0, &s) == SCIPAR_OK && cluster_set_build(tgt, NULL, 2, 1, 0, &t) == SCIPAR_OK,
        "%s: sets build", name);
  cluster_hierarchy h;
  CHECK(cluster_hierarchy_build(&t, 2, &h) == SCIPAR_OK, "%s: hierarchy builds", name);
  oracle_clusters os = oracle_group(src), ot = oracle_group(tgt);
  unsigned char *returned = calloc(t.num_clusters + 1, 1);
  double *sorted = malloc((t.num_clusters + 1) * sizeof *sorted);
  for (int m = 0; m < 8; ++m) {
    const scipar_metric metric = (scipar_metric)(m / 2);
    const int squared = m % 2;
    double *values = oracle_matrix(&os, &ot, metric, squared);
    candidate_search search = candidate_search_make(&h, metric, squared, 0);
    for (size_t i = 0; i < s.num_clusters; ++i) {
      for (size_t j = 0; j < t.num_clusters; ++j) {
        const double v = values[i * t.num_clusters + j];
        const double bound = cluster_lower_bound(metric, squared, &s, i, &t, j);
        CHECK(bound <= v * (1 + 1e-12), "%s metric %d squared %d: bound %.17g above the value %.17g of (%zu, %zu)", name,
              m / 2, squared, bound, v, i, j);
        sorted[j] = v;
      }
      /* A stop value that keeps a few candidates: the third smallest value of this cluster. */
      qsort(sorted, t.num_clusters, sizeof *sorted, by_value);
      const double sorted_stop = sorted[t.num_clusters < 3 ? t.num_clusters - 1 : 2];
      for (size_t j = 0; j < t.num_clusters; ++j)
        returned[j] = 0;
      CHECK(candidate_search_begin(&search, &s, i), "%s: search begins", name);
      int64_t c;
      int failed = 0;
      while (candidate_search_next(&search, sorted_stop, &c, &failed))
        returned[c] = 1;
      for (size_t j = 0; j < t.num_clusters; ++j)
        if (values[i * t.num_clusters + j] <= sorted_stop)
          CHECK(returned[j], "%s metric %d squared %d: cluster %zu (value %.17g <= stop %.17g) not enumerated for %zu",
                name, m / 2, squared, j, values[i * t.num_clusters + j], sorted_stop, i);
    }
    candidate_search_free(&search);
    free(values);
  }
  free(returned);
  free(sorted);
  oracle_free(&os);
  oracle_free(&ot);
  cluster_hierarchy_free(&h);
  cluster_set_free(&s);
  cluster_set_free(&t);
}

/* Whether the nodes under `node` (heap-numbered) are the same in a and b: slots below leaves are
 * never written. */
static int same_nodes(const cluster_hierarchy *a, const cluster_hierarchy *b, size_t node)
{
  const hierarchy_node *x = a->node + node, *y = b->node + node;
  if (memcmp(x, y, sizeof *x))
    return 0;
  if (x->end - x->begin <= CLUSTER_LEAF_SIZE)
    return !memcmp(a->cluster + x->begin, b->cluster + x->begin, (size_t)(x->end - x->begin) * sizeof *a->cluster);
  return same_nodes(a, b, 2 * node + 1) && same_nodes(a, b, 2 * node + 2);
}

/* Over enough clusters the hierarchy is built by a team of tasks: it must be the same for any team. */
static void test_hierarchy_same_for_any_team(rng *r)
{
  const size_t n = 70000;
  double *points = malloc(3 * n * sizeof *points);
  int64_t *labels = malloc(n * sizeof *labels);
  for (size_t i = 0; i < n; ++i) {
    for (int d = 0; d < 3; ++d)
      points[3 * i + d] = 100.0 * rng_uniform(r);
    labels[i] = (int64_t)i;
  }
  const scipar_cloud cloud = {points, labels, n, NULL};
  cluster_set set;
  CHECK(cluster_set_build(&cloud, NULL, 2, 1, 0, &set) == SCIPAR_OK, "70,000 clusters group");
  cluster_hierarchy one, three;
  CHECK(cluster_hierarchy_build(&set, 1, &one) == SCIPAR_OK && cluster_hierarchy_build(&set, 3, &three) == SCIPAR_OK,
        "hierarchies build");
  CHECK(three.num_nodes == one.num_nodes && !memcmp(one.order, three.order, n * sizeof *one.order) &&
          same_nodes(&one, &three, 0),
        "the hierarchy over 70,000 clusters is the same for 1 and 3 threads");
  cluster_hierarchy_free(&one);
  cluster_hierarchy_free(&three);
  cluster_set_free(&set);
  free(points);
  free(labels);
}

int main(void)
{
  test_convexity_bound();
  rng r = {4242};
  test_hierarchy_same_for_any_team(&r);
  const cloud_spec specs[] = {
    {30, 60, 3.0, 2.0, LABELS_SEQUENTIAL},  /* heavily overlapping */
    {40, 40, 40.0, 0.5, LABELS_SPARSE},     /* separated */
    {12, 400, 20.0, 1.5, LABELS_SEQUENTIAL} /* large clusters with trees */
  };
  for (size_t sp = 0; sp < sizeof specs / sizeof *specs; ++sp) {
    for (int c = 0; c < 3; ++c) {
      test_cloud source = random_cloud(&r, &specs[sp]);
      test_cloud target = moved_cloud(&r, &source, 0.3);
      if (c == 2) /* 1,000 units away: every value large and nearly equal */
        for (size_t i = 0; i < target.n; ++i)
          target.points[3 * i] += 1000.0;
      char name[64];
      snprintf(name, sizeof name, "spec %zu case %d", sp, c);
      const scipar_cloud src = as_scipar(&source), tgt = as_scipar(&target);
      check_pair_of_clouds(&src, &tgt, name);
      test_cloud_free(&source);
      test_cloud_free(&target);
    }
  }
  return check_report("test_search_bounds");
}
