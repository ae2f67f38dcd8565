/* Every pair within a gate (core/src/search/nearby_pairs) against brute force: random clouds and their
 * moved next frames, every cluster pair evaluated by the oracle (Chamfer and one-sided values), every
 * metric, squared or not, with and without the least two values kept, on all clusters or a subset;
 * identical lists on 1, 2 and 3 threads; cancellation. */
#include "check.h"
#include "oracle.h"
#include "random_cloud.h"

#include "grouping/grouping.h"
#include "search/nearby_pairs.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Brute-force one-sided value from a towards b, in the metric's units. */
static double oracle_one_sided(const oracle_cluster *a, const oracle_cluster *b, scipar_metric metric, int squared)
{
  double total = 0.0, largest = 0.0;
  for (size_t i = 0; i < a->n; ++i) {
    double nearest = INFINITY;
    for (size_t j = 0; j < b->n; ++j) {
      double d2 = 0.0;
      for (int d = 0; d < 3; ++d) {
        const double diff = a->xyz[3 * i + d] - b->xyz[3 * j + d];
        d2 += diff * diff;
      }
      nearest = fmin(nearest, d2);
    }
    const double d = squared ? nearest : sqrt(nearest);
    total += d;
    largest = fmax(largest, d);
  }
  if (metric == SCIPAR_METRIC_HAUSDORFF)
    return largest;
  return (metric == SCIPAR_METRIC_SUM ? 2.0 : 1.0) * total / (double)a->n;
}

static int close_to(double a, double b) { return fabs(a - b) <= 1e-9 * (1.0 + fabs(b)); }

static int lists_identical(const pair_list *a, const pair_list *b, size_t queried, int keep_best)
{
  return a->count == b->count && !memcmp(a->offsets, b->offsets, (queried + 1) * sizeof(int64_t)) &&
         !memcmp(a->to, b->to, a->count * sizeof(int64_t)) && !memcmp(a->value, b->value, a->count * sizeof(double)) &&
         (!keep_best || !memcmp(a->best, b->best, queried * (size_t)keep_best * sizeof(double)));
}

/* Checks one query's list against the oracle's values[from][to] (kt columns). */
static void check_list(const pair_query *q, const pair_list *list, const double *values, size_t kt, const char *context)
{
  for (size_t k = 0; k < q->subset_count; ++k) {
    const int64_t from = q->subset ? q->subset[k] : (int64_t)k;
    const double *row = values + (size_t)from * kt;
    double least[2] = {INFINITY, INFINITY};
    for (size_t t = 0; t < kt; ++t) {
      if (row[t] < least[0])
        least[1] = least[0], least[0] = row[t];
      else if (row[t] < least[1])
        least[1] = row[t];
    }
    double limit = q->gate;
    if (q->keep_best) {
      const double kth = least[q->keep_best - 1];
      for (int b = 0; b < q->keep_best; ++b)
        CHECK(close_to(list->best[k * (size_t)q->keep_best + (size_t)b], least[b]) ||
                (isinf(least[b]) && isinf(list->best[k * (size_t)q->keep_best + (size_t)b])),
              "%s: cluster %lld's best value %d is %.17g, brute force %.17g", context, (long long)from, b,
              list->best[k * (size_t)q->keep_best + (size_t)b], least[b]);
      limit = kth > limit ? kth : limit;
    }
    /* Every pair the oracle puts clearly within the limit is listed, with its value; every listed
     * pair is within it (pairs within rounding of the limit may go either way). */
    int64_t at = list->offsets[k];
    for (size_t t = 0; t < kt; ++t) {
      const int listed = at < list->offsets[k + 1] && list->to[at] == (int64_t)t;
      if (listed) {
        CHECK(close_to(list->value[at], row[t]), "%s: pair (%lld, %zu) value %.17g, brute force %.17g", context,
              (long long)from, t, list->value[at], row[t]);
        CHECK(row[t] <= limit * (1 + 1e-9) + 1e-12, "%s: pair (%lld, %zu) of value %.17g listed above the limit %.17g",
              context, (long long)from, t, row[t], limit);
        ++at;
      } else {
        CHECK(!(row[t] < limit * (1 - 1e-9)), "%s: pair (%lld, %zu) of value %.17g missing under the limit %.17g",
              context, (long long)from, t, row[t], limit);
      }
    }
    CHECK(at == list->offsets[k + 1], "%s: cluster %lld's pairs are sorted by target, each once", context, (long long)from);
  }
}

static void run_case(rng *r, scipar_metric metric, int squared, int case_index)
{
  /* Some clusters large enough (>= 256 points) to be searched through their k-d trees. */
  const cloud_spec spec = case_index % 3 == 0 ? (cloud_spec){8, 400, 30.0, 2.0, LABELS_SPARSE}
                                              : (cloud_spec){40, 30, 30.0, 2.0, LABELS_SPARSE};
  test_cloud a = random_cloud(r, &spec);
  test_cloud b = moved_cloud(r, &a, 2.0);
  const scipar_cloud ca = as_scipar(&a), cb = as_scipar(&b);
  cluster_set from, to;
  cluster_hierarchy h;
  CHECK(cluster_set_build(&ca, NULL, 1, 1, 0, &from) == SCIPAR_OK && cluster_set_build(&cb, NULL, 2, 1, 0, &to) == SCIPAR_OK &&
          cluster_hierarchy_build(&to, 2, &h) == SCIPAR_OK,
        "case %d: grouping", case_index);
  oracle_clusters oa = oracle_group(&ca), ob = oracle_group(&cb);
  const size_t ka = oa.k, kb = ob.k;
  double *chamfer = oracle_matrix(&oa, &ob, metric, squared);
  double *one_sided = malloc((ka * kb + 1) * sizeof *one_sided);
  for (size_t i = 0; i < ka; ++i)
    for (size_t j = 0; j < kb; ++j)
      one_sided[i * kb + j] = oracle_one_sided(&oa.c[i], &ob.c[j], metric, squared);
  /* A gate around the 5th percentile of all values: a few candidates per cluster. */
  double *sorted = malloc((ka * kb + 1) * sizeof *sorted);
  memcpy(sorted, chamfer, ka * kb * sizeof *sorted);
  for (size_t i = 1; i < ka * kb; ++i)
    for (size_t j = i; j > 0 && sorted[j] < sorted[j - 1]; --j) {
      const double t = sorted[j];
      sorted[j] = sorted[j - 1];
      sorted[j - 1] = t;
    }
  const double gate = ka * kb ? sorted[ka * kb / 20] : 1.0;
  int64_t *subset = malloc((ka + 1) * sizeof *subset);
  size_t subset_count = 0;
  for (size_t i = ka; i-- > 0;)
    if (rng_below(r, 2))
      subset[subset_count++] = (int64_t)i;
  for (int measure = 0; measure < 2; ++measure)
    for (int keep_best = 0; keep_best <= 2; ++keep_best)
      for (int use_subset = 0; use_subset < 2; ++use_subset) {
        char context[160];
        snprintf(context, sizeof context, "case %d (%s%s, %s, keep %d%s)", case_index, scipar_metric_name(metric),
                 squared ? " squared" : "", measure ? "one-sided" : "Chamfer", keep_best, use_subset ? ", subset" : "");
        const pair_query q = {&from, use_subset ? subset : NULL, use_subset ? subset_count : ka, &to, &h, metric,
                              squared, (pair_measure)measure, keep_best == 2 ? 0.0 : gate, keep_best};
        pair_list lists[3];
        for (int threads = 1; threads <= 3; ++threads) {
          progress_state progress = {NULL, NULL, q.subset_count, 0, 0};
          CHECK(nearby_pairs(&q, threads, &progress, &lists[threads - 1]) == SCIPAR_OK, "%s: runs", context);
        }
        check_list(&q, &lists[0], measure ? one_sided : chamfer, kb, context);
        CHECK(lists_identical(&lists[0], &lists[1], q.subset_count, keep_best) &&
                lists_identical(&lists[0], &lists[2], q.subset_count, keep_best),
              "%s: identical on 1, 2 and 3 threads", context);
        for (int t = 0; t < 3; ++t)
          pair_list_free(&lists[t]);
      }
  free(sorted), free(subset), free(chamfer), free(one_sided);
  oracle_free(&oa), oracle_free(&ob);
  cluster_hierarchy_free(&h), cluster_set_free(&from), cluster_set_free(&to);
  test_cloud_free(&a), test_cloud_free(&b);
}

static int cancel_at_once(double fraction, void *user_data)
{
  (void)fraction, (void)user_data;
  return 1;
}

static void test_cancel(void)
{
  rng r = {5};
  const cloud_spec spec = {200, 20, 30.0, 2.0, LABELS_SEQUENTIAL};
  test_cloud a = random_cloud(&r, &spec);
  const scipar_cloud ca = as_scipar(&a);
  cluster_set set;
  cluster_hierarchy h;
  cluster_set_build(&ca, NULL, 1, 1, 0, &set);
  cluster_hierarchy_build(&set, 2, &h);
  const pair_query q = {&set, NULL, set.num_clusters, &set, &h, SCIPAR_METRIC_MAX, 0, PAIR_CHAMFER, 5.0, 0};
  progress_state progress = {cancel_at_once, NULL, set.num_clusters, 0, 0};
  pair_list list;
  CHECK(nearby_pairs(&q, 1, &progress, &list) == SCIPAR_ERROR_CANCELLED, "the progress callback cancels");
  CHECK(list.count == 0 && list.offsets == NULL, "a cancelled query leaves an empty list");
  pair_list_free(&list);
  cluster_hierarchy_free(&h), cluster_set_free(&set), test_cloud_free(&a);
}

int main(void)
{
  rng r = {77};
  int case_index = 0;
  for (int metric = 0; metric < 4; ++metric)
    for (int squared = 0; squared < 2; ++squared)
      for (int repeat = 0; repeat < 2; ++repeat)
        run_case(&r, (scipar_metric)metric, squared, case_index++);
  test_cancel();
  return check_report("test_nearby_pairs");
}
