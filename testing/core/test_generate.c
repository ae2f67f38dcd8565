/* The synthetic cloud generator (scipar/generate.h): determinism, counts and ranges, Gaussian
 * statistics, next-frame properties (one-to-one renumbering, bounded motion, drop fraction), bad
 * parameters refused with a message, and a matching of a cloud against its next frame. */
#include "check.h"
#include "scipar/generate.h"
#include "scipar/scipar.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int same_cloud(const scipar_generated *a, const scipar_generated *b)
{
  return a->num_points == b->num_points && a->num_clusters == b->num_clusters &&
         !memcmp(a->points, b->points, 3 * a->num_points * sizeof(double)) &&
         !memcmp(a->labels, b->labels, a->num_points * sizeof(int64_t));
}

static void test_determinism(void)
{
  scipar_gaussian_params params;
  scipar_gaussian_params_init(&params);
  params.seed = 12345;
  scipar_generated a, b, c;
  CHECK(scipar_generate_gaussian_clusters(&params, &a) == SCIPAR_OK, "generate: %s", a.message);
  CHECK(scipar_generate_gaussian_clusters(&params, &b) == SCIPAR_OK, "generate again: %s", b.message);
  CHECK(same_cloud(&a, &b), "the same seed gives the same cloud, bit for bit");
  params.seed = 12346;
  CHECK(scipar_generate_gaussian_clusters(&params, &c) == SCIPAR_OK, "another seed: %s", c.message);
  CHECK(!same_cloud(&a, &c), "another seed gives another cloud");

  /* A value fixed once: the stream (splitmix64 + Box-Muller) and the order of draws are a contract. */
  scipar_gaussian_params_init(&params);
  scipar_generated d;
  CHECK(scipar_generate_gaussian_clusters(&params, &d) == SCIPAR_OK, "defaults: %s", d.message);
  CHECK(d.num_clusters == 20, "20 clusters by default, got %zu", d.num_clusters);
  /* Recorded from this implementation; a change here changes every user's "seed 1" cloud. */
  CHECK(d.num_points == 354, "default cloud: 354 points, got %zu", d.num_points);
  CHECK(fabs(d.points[0] - 29.678449734256024) < 1e-12 && fabs(d.points[1] - 36.284340910876367) < 1e-12 &&
          fabs(d.points[2] - 15.395111750100199) < 1e-12,
        "default cloud: first point (%.17g, %.17g, %.17g)", d.points[0], d.points[1], d.points[2]);

  scipar_next_frame_params move;
  scipar_next_frame_params_init(&move);
  scipar_cloud input = {a.points, a.labels, a.num_points};
  scipar_generated n1, n2;
  CHECK(scipar_next_frame(&input, &move, &n1) == SCIPAR_OK, "next frame: %s", n1.message);
  CHECK(scipar_next_frame(&input, &move, &n2) == SCIPAR_OK, "next frame again: %s", n2.message);
  CHECK(same_cloud(&n1, &n2) &&
          !memcmp(n1.true_labels, n2.true_labels, n1.num_points * sizeof(int64_t)),
        "the same seed gives the same next frame");
  scipar_generated_free(&a);
  scipar_generated_free(&b);
  scipar_generated_free(&c);
  scipar_generated_free(&d);
  scipar_generated_free(&n1);
  scipar_generated_free(&n2);
}

static void test_counts_and_ranges(void)
{
  scipar_gaussian_params params;
  scipar_gaussian_params_init(&params);
  params.cluster_count = 400;
  params.max_cluster_size = 7;
  params.box_min = -5.0;
  params.box_max = 15.0;
  params.sigma_min = 0.5;
  params.sigma_max = 1.5;
  params.seed = 99;
  scipar_generated g;
  CHECK(scipar_generate_gaussian_clusters(&params, &g) == SCIPAR_OK, "generate: %s", g.message);
  CHECK(g.num_clusters == 400, "cluster count");
  CHECK(g.true_labels == NULL && g.input_index == NULL && g.cluster_shifts == NULL,
        "no next-frame arrays");
  size_t total = 0, seen_size[8] = {0};
  int sizes_ok = 1, centres_ok = 1, sigmas_ok = 1, labels_ok = 1;
  for (size_t c = 0; c < g.num_clusters; ++c) {
    const int64_t size = g.cluster_sizes[c];
    sizes_ok &= size >= 1 && size <= 7;
    if (size >= 1 && size <= 7)
      ++seen_size[size];
    total += (size_t)size;
    labels_ok &= g.cluster_labels[c] == (int64_t)c;
    for (int axis = 0; axis < 3; ++axis) {
      const double centre = g.cluster_centers[3 * c + axis], sigma = g.cluster_sigmas[3 * c + axis];
      centres_ok &= centre >= -5.0 && centre <= 15.0;
      sigmas_ok &= sigma >= 0.5 && sigma <= 1.5;
    }
  }
  CHECK(sizes_ok, "every cluster size in [1, 7]");
  int every_size = 1;
  for (int s = 1; s <= 7; ++s)
    every_size &= seen_size[s] > 20; /* 400 / 7 = 57 expected each */
  CHECK(every_size, "every size from 1 to 7 occurs (the range is inclusive)");
  CHECK(total == g.num_points, "sizes add up to the point count (%zu vs %zu)", total, g.num_points);
  CHECK(centres_ok, "centres in the box");
  CHECK(sigmas_ok, "sigmas in the sigma range");
  CHECK(labels_ok, "cluster labels are 0..k-1");
  /* Points are stored cluster by cluster with their label. */
  size_t p = 0;
  int order_ok = 1;
  for (size_t c = 0; c < g.num_clusters; ++c)
    for (int64_t i = 0; i < g.cluster_sizes[c]; ++i, ++p)
      order_ok &= g.labels[p] == (int64_t)c;
  CHECK(order_ok, "points grouped by cluster, labelled 0..k-1");
  scipar_generated_free(&g);

  /* Zero clusters is an empty cloud, not an error; sigma 0 puts every point on its centre. */
  params.cluster_count = 0;
  CHECK(scipar_generate_gaussian_clusters(&params, &g) == SCIPAR_OK && g.num_points == 0 &&
          g.num_clusters == 0,
        "zero clusters: empty cloud");
  scipar_generated_free(&g);
  params.cluster_count = 3;
  params.sigma_min = params.sigma_max = 0.0;
  params.box_min = params.box_max = 2.5;
  CHECK(scipar_generate_gaussian_clusters(&params, &g) == SCIPAR_OK, "sigma 0: %s", g.message);
  int on_centre = 1;
  for (size_t i = 0; i < 3 * g.num_points; ++i)
    on_centre &= g.points[i] == 2.5;
  CHECK(on_centre, "sigma 0 and a one-point box: every point at (2.5, 2.5, 2.5)");
  scipar_generated_free(&g);
}

static void test_gaussian_statistics(void)
{
  /* A few big clusters: per-axis sample mean and standard deviation close to the drawn ones. */
  scipar_gaussian_params params;
  scipar_gaussian_params_init(&params);
  params.cluster_count = 6;
  params.max_cluster_size = 40000;
  params.sigma_min = 0.5;
  params.sigma_max = 4.0;
  params.seed = 7;
  scipar_generated g;
  CHECK(scipar_generate_gaussian_clusters(&params, &g) == SCIPAR_OK, "generate: %s", g.message);
  size_t start = 0;
  double pooled_z2 = 0.0;
  size_t pooled = 0;
  for (size_t c = 0; c < g.num_clusters; ++c) {
    const size_t size = (size_t)g.cluster_sizes[c];
    for (size_t axis = 0; axis < 3 && size >= 1000; ++axis) {
      double sum = 0.0, sum2 = 0.0;
      for (size_t i = start; i < start + size; ++i)
        sum += g.points[3 * i + axis];
      const double mean = sum / (double)size;
      for (size_t i = start; i < start + size; ++i) {
        const double d = g.points[3 * i + axis] - mean;
        sum2 += d * d;
        const double z = (g.points[3 * i + axis] - g.cluster_centers[3 * c + axis]) /
                         g.cluster_sigmas[3 * c + axis];
        pooled_z2 += z * z;
      }
      pooled += size;
      const double sd = sqrt(sum2 / (double)(size - 1));
      const double sigma = g.cluster_sigmas[3 * c + axis];
      /* The standard error of the mean is sigma / sqrt(size) <= 1/30 sigma; of the sd, about
       * sigma / sqrt(2 size). Six standard errors is a bound a correct generator never fails. */
      CHECK(fabs(mean - g.cluster_centers[3 * c + axis]) < 6.0 * sigma / sqrt((double)size),
            "cluster %zu axis %zu: mean %g, centre %g", c, axis, mean, g.cluster_centers[3 * c + axis]);
      CHECK(fabs(sd / sigma - 1.0) < 6.0 / sqrt(2.0 * (double)size),
            "cluster %zu axis %zu: sample sd %g, sigma %g", c, axis, sd, sigma);
    }
    start += size;
  }
  CHECK(pooled > 10000, "enough points for statistics (%zu)", pooled);
  /* Standardised values: variance 1, and about 95.45% within two sigmas. */
  CHECK(fabs(pooled_z2 / (double)pooled - 1.0) < 0.02, "pooled variance of z: %g",
        pooled_z2 / (double)pooled);
  size_t within = 0;
  start = 0;
  for (size_t c = 0; c < g.num_clusters; ++c) {
    for (size_t i = start; i < start + (size_t)g.cluster_sizes[c]; ++i)
      within += fabs(g.points[3 * i] - g.cluster_centers[3 * c]) < 2.0 * g.cluster_sigmas[3 * c];
    start += (size_t)g.cluster_sizes[c];
  }
  CHECK(fabs((double)within / (double)g.num_points - 0.9545) < 0.01, "fraction within 2 sigma: %g",
        (double)within / (double)g.num_points);
  scipar_generated_free(&g);
}

static int compare_int64(const void *a, const void *b)
{
  const int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

static void test_next_frame(void)
{
  /* Sparse, negative, unsorted input ids. */
  scipar_gaussian_params params;
  scipar_gaussian_params_init(&params);
  params.cluster_count = 300;
  params.max_cluster_size = 30;
  params.seed = 3;
  scipar_generated g;
  CHECK(scipar_generate_gaussian_clusters(&params, &g) == SCIPAR_OK, "generate: %s", g.message);
  for (size_t i = 0; i < g.num_points; ++i)
    g.labels[i] = g.labels[i] * 37 - 5000; /* -5000, -4963, ... up to 6063 */

  scipar_next_frame_params move;
  scipar_next_frame_params_init(&move);
  move.shift = 2.5;
  move.jitter = 0.25;
  move.drop_fraction = 0.3;
  move.seed = 11;
  const scipar_cloud input = {g.points, g.labels, g.num_points};
  scipar_generated f;
  CHECK(scipar_next_frame(&input, &move, &f) == SCIPAR_OK, "next frame: %s", f.message);
  CHECK(f.num_clusters == 300, "one entry per distinct input id (%zu)", f.num_clusters);
  CHECK(f.cluster_centers == NULL && f.cluster_sigmas == NULL, "no generator arrays");

  /* Drop fraction: exactly round(0.3 n) points dropped. */
  const size_t expected_drop = (size_t)floor(0.3 * (double)g.num_points + 0.5);
  CHECK(f.num_points == g.num_points - expected_drop, "kept %zu of %zu, expected %zu dropped",
        f.num_points, g.num_points, expected_drop);

  /* Cluster table: input ids ascending; new ids a permutation of offset + 0..k-1 with the automatic
   * offset 10000 (smallest power of ten above 6063); no new id equals an input id. */
  int ascending = 1, disjoint = 1;
  for (size_t c = 1; c < f.num_clusters; ++c)
    ascending &= f.cluster_labels[c - 1] < f.cluster_labels[c];
  CHECK(ascending, "cluster labels ascending");
  int64_t *sorted = malloc(f.num_clusters * sizeof *sorted);
  memcpy(sorted, f.cluster_new_labels, f.num_clusters * sizeof *sorted);
  qsort(sorted, f.num_clusters, sizeof *sorted, compare_int64);
  int permutation = 1, identity = 1;
  for (size_t c = 0; c < f.num_clusters; ++c) {
    permutation &= sorted[c] == 10000 + (int64_t)c;
    identity &= f.cluster_new_labels[c] == 10000 + (int64_t)c;
    disjoint &= f.cluster_new_labels[c] > 6063;
  }
  free(sorted);
  CHECK(permutation, "new ids are a permutation of 10000..10299");
  CHECK(!identity, "the permutation is not the identity");
  CHECK(disjoint, "new ids differ from every input id");

  /* Per point: true label is the input's; the new label is the renumbered one, consistently; the
   * motion is the cluster's shift plus at most jitter; kept points in input order. */
  int truth_ok = 1, relabel_ok = 1, moved_ok = 1, order_ok = 1, shift_ok = 1;
  double largest_jitter = 0.0;
  int64_t *counted = calloc(f.num_clusters, sizeof *counted);
  for (size_t i = 0; i < f.num_points; ++i) {
    const size_t from = (size_t)f.input_index[i];
    order_ok &= i == 0 || f.input_index[i] > f.input_index[i - 1];
    truth_ok &= f.true_labels[i] == g.labels[from];
    size_t c = 0;
    while (f.cluster_labels[c] != f.true_labels[i])
      ++c;
    relabel_ok &= f.labels[i] == f.cluster_new_labels[c];
    ++counted[c];
    double moved2 = 0.0, jitter2 = 0.0;
    for (size_t axis = 0; axis < 3; ++axis) {
      const double d = f.points[3 * i + axis] - g.points[3 * from + axis];
      const double j = d - f.cluster_shifts[3 * c + axis];
      moved2 += d * d;
      jitter2 += j * j;
    }
    moved_ok &= sqrt(moved2) <= move.shift + move.jitter + 1e-12;
    largest_jitter = fmax(largest_jitter, sqrt(jitter2));
  }
  int sizes_ok = 1;
  for (size_t c = 0; c < f.num_clusters; ++c) {
    const double *s = f.cluster_shifts + 3 * c;
    shift_ok &= sqrt(s[0] * s[0] + s[1] * s[1] + s[2] * s[2]) <= move.shift + 1e-12;
    sizes_ok &= counted[c] == f.cluster_sizes[c];
  }
  free(counted);
  CHECK(order_ok, "kept points in input order");
  CHECK(truth_ok, "true_labels hold the input id of each point");
  CHECK(relabel_ok, "each input id maps to one new id (cluster_new_labels), for every point");
  CHECK(shift_ok, "every cluster shift at most Shift long");
  CHECK(moved_ok, "every kept point moved by at most Shift + Jitter");
  CHECK(largest_jitter <= move.jitter + 1e-12 && largest_jitter > 0.5 * move.jitter,
        "jitter within its radius, and not zero (largest %g)", largest_jitter);
  CHECK(sizes_ok, "cluster sizes count the kept points");

  /* Drop fraction in a big cloud, and the extremes. */
  scipar_generated_free(&f);
  move.drop_fraction = 0.0;
  CHECK(scipar_next_frame(&input, &move, &f) == SCIPAR_OK && f.num_points == g.num_points,
        "drop 0 keeps every point");
  scipar_generated_free(&f);
  move.drop_fraction = 1.0;
  CHECK(scipar_next_frame(&input, &move, &f) == SCIPAR_OK && f.num_points == 0 &&
          f.num_clusters == 300,
        "drop 1 keeps none, and still reports the renumbering");
  scipar_generated_free(&f);

  /* Shift 0 and jitter 0: the points are the kept input points exactly; an explicit id offset. */
  move.drop_fraction = 0.5;
  move.shift = 0.0;
  move.jitter = 0.0;
  move.id_offset = 0;
  CHECK(scipar_next_frame(&input, &move, &f) == SCIPAR_OK, "no motion: %s", f.message);
  int same = 1, in_range = 1;
  for (size_t i = 0; i < f.num_points; ++i) {
    same &= !memcmp(f.points + 3 * i, g.points + 3 * f.input_index[i], 3 * sizeof(double));
    in_range &= f.labels[i] >= 0 && f.labels[i] < 300;
  }
  CHECK(same, "shift 0, jitter 0: points unchanged");
  CHECK(in_range, "id offset 0: new ids in 0..299");
  scipar_generated_free(&f);

  /* An empty cloud gives an empty next frame. */
  const scipar_cloud empty = {NULL, NULL, 0};
  CHECK(scipar_next_frame(&empty, &move, &f) == SCIPAR_OK && f.num_points == 0 && f.num_clusters == 0,
        "empty input: empty output");
  scipar_generated_free(&f);
  scipar_generated_free(&g);
}

/* The purpose of it all: matching a cloud against its next frame finds the true pairs. */
static void test_matching_finds_truth(void)
{
  scipar_gaussian_params params;
  scipar_gaussian_params_init(&params);
  params.cluster_count = 40;
  params.box_max = 200.0;
  params.seed = 21;
  scipar_generated g, f;
  CHECK(scipar_generate_gaussian_clusters(&params, &g) == SCIPAR_OK, "generate: %s", g.message);
  scipar_next_frame_params move;
  scipar_next_frame_params_init(&move);
  move.drop_fraction = 0.0;
  const scipar_cloud source = {g.points, g.labels, g.num_points};
  CHECK(scipar_next_frame(&source, &move, &f) == SCIPAR_OK, "next frame: %s", f.message);
  const scipar_cloud target = {f.points, f.labels, f.num_points};
  scipar_result r;
  CHECK(scipar_match(&source, &target, NULL, &r) == SCIPAR_OK, "match: %s", r.message);
  int right = 0;
  for (size_t c = 0; c < r.source.num_clusters; ++c) {
    const int64_t nearest = r.source.nearest[c];
    right += nearest >= 0 && r.target.cluster_ids[nearest] == f.cluster_new_labels[c];
  }
  CHECK(right == 40, "well separated clusters, small motion: all 40 matched right (%d)", right);
  scipar_result_free(&r);
  scipar_generated_free(&f);
  scipar_generated_free(&g);
}

static int refused(scipar_status status, const scipar_generated *result, const char *word)
{
  return status == SCIPAR_ERROR_INVALID_ARGUMENT && strstr(result->message, word) != NULL &&
         result->points == NULL && result->num_points == 0;
}

static void test_bad_parameters(void)
{
  scipar_gaussian_params p;
  scipar_generated g;
  scipar_status s;
#define EXPECT_REFUSED(setup, word)                                                                \
  do {                                                                                             \
    scipar_gaussian_params_init(&p);                                                               \
    setup;                                                                                         \
    s = scipar_generate_gaussian_clusters(&p, &g);                                                 \
    CHECK(refused(s, &g, word), "%s: status %d, message '%s'", #setup, (int)s, g.message);          \
    scipar_generated_free(&g);                                                                     \
  } while (0)
  EXPECT_REFUSED(p.cluster_count = -1, "cluster count");
  EXPECT_REFUSED(p.max_cluster_size = 0, "max cluster size");
  EXPECT_REFUSED(p.max_cluster_size = -3, "max cluster size");
  EXPECT_REFUSED((p.box_min = 5, p.box_max = 1), "box range");
  EXPECT_REFUSED(p.box_min = NAN, "box range");
  EXPECT_REFUSED(p.box_max = INFINITY, "box range");
  EXPECT_REFUSED((p.sigma_min = 3, p.sigma_max = 2), "sigma range");
  EXPECT_REFUSED(p.sigma_max = NAN, "sigma range");
  EXPECT_REFUSED((p.sigma_min = -1, p.sigma_max = 2), "negative");
  EXPECT_REFUSED((p.cluster_count = INT64_MAX / 2, p.max_cluster_size = 4), "too many");
#undef EXPECT_REFUSED
  CHECK(scipar_generate_gaussian_clusters(NULL, &g) == SCIPAR_ERROR_INVALID_ARGUMENT, "NULL params");
  scipar_generated_free(&g);
  scipar_generated_free(&g); /* twice is harmless */

  const double points[] = {0, 0, 0, 1, 1, 1};
  const int64_t labels[] = {4, 9};
  const scipar_cloud input = {points, labels, 2};
  scipar_next_frame_params m;
#define EXPECT_REFUSED(setup, word)                                                                \
  do {                                                                                             \
    scipar_next_frame_params_init(&m);                                                             \
    setup;                                                                                         \
    s = scipar_next_frame(&input, &m, &g);                                                         \
    CHECK(refused(s, &g, word), "%s: status %d, message '%s'", #setup, (int)s, g.message);          \
    scipar_generated_free(&g);                                                                     \
  } while (0)
  EXPECT_REFUSED(m.shift = -1, "shift");
  EXPECT_REFUSED(m.shift = NAN, "shift");
  EXPECT_REFUSED(m.jitter = -0.5, "jitter");
  EXPECT_REFUSED(m.jitter = INFINITY, "jitter");
  EXPECT_REFUSED(m.drop_fraction = 1.5, "drop fraction");
  EXPECT_REFUSED(m.drop_fraction = -0.1, "drop fraction");
  EXPECT_REFUSED(m.drop_fraction = NAN, "drop fraction");
  EXPECT_REFUSED(m.id_offset = INT64_MAX, "overflow");
#undef EXPECT_REFUSED
  const scipar_cloud broken = {NULL, labels, 2};
  scipar_next_frame_params_init(&m);
  s = scipar_next_frame(&broken, &m, &g);
  CHECK(refused(s, &g, "no point or label array"), "NULL points refused: '%s'", g.message);
  const int64_t huge[] = {INT64_MAX - 1, 0};
  const scipar_cloud big_ids = {points, huge, 2};
  s = scipar_next_frame(&big_ids, &m, &g);
  CHECK(refused(s, &g, "automatic id offset"), "no automatic offset above INT64_MAX - 1: '%s'",
        g.message);
  scipar_generated_free(&g);
}

int main(void)
{
  test_determinism();
  test_counts_and_ranges();
  test_gaussian_statistics();
  test_next_frame();
  test_matching_finds_truth();
  test_bad_parameters();
  return check_report("test_generate");
}
