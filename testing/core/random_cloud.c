#include "random_cloud.h"

#include <math.h>
#include <stdlib.h>

uint64_t rng_next(rng *r)
{
  /* splitmix64 */
  uint64_t z = (r->state += UINT64_C(0x9E3779B97F4A7C15));
  z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
  return z ^ (z >> 31);
}

double rng_uniform(rng *r) { return (double)(rng_next(r) >> 11) * 0x1.0p-53; }

double rng_normal(rng *r)
{
  const double u = 1.0 - rng_uniform(r);
  return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * rng_uniform(r));
}

size_t rng_below(rng *r, size_t n) { return n ? (size_t)(rng_next(r) % n) : 0; }

static int64_t make_label(rng *r, label_style style, size_t k)
{
  switch (style) {
  case LABELS_SPARSE: return (int64_t)rng_next(r);
  case LABELS_EXTREMES: {
    const int64_t extremes[6] = {INT64_MIN, INT64_MIN + 1, INT64_MAX, INT64_MAX - 1, -1, 0};
    return k < 6 ? extremes[k] : -(int64_t)k * 7;
  }
  default: return (int64_t)k;
  }
}

static void shuffle(rng *r, test_cloud *cloud)
{
  for (size_t i = cloud->n; i > 1; --i) {
    const size_t j = rng_below(r, i);
    for (int d = 0; d < 3; ++d) {
      const double t = cloud->points[3 * (i - 1) + d];
      cloud->points[3 * (i - 1) + d] = cloud->points[3 * j + d];
      cloud->points[3 * j + d] = t;
    }
    const int64_t t = cloud->labels[i - 1];
    cloud->labels[i - 1] = cloud->labels[j];
    cloud->labels[j] = t;
  }
}

test_cloud random_cloud(rng *r, const cloud_spec *spec)
{
  const size_t k = 1 + rng_below(r, spec->max_clusters);
  size_t *sizes = malloc(k * sizeof *sizes);
  size_t n = 0;
  for (size_t c = 0; c < k; ++c)
    n += sizes[c] = 1 + rng_below(r, spec->max_cluster_size);
  test_cloud cloud = {malloc(3 * n * sizeof(double)), malloc(n * sizeof(int64_t)), n};
  size_t at = 0;
  for (size_t c = 0; c < k; ++c) {
    const int64_t label = make_label(r, spec->labels, c);
    double centre[3], sigma[3];
    for (int d = 0; d < 3; ++d) {
      centre[d] = spec->box * rng_uniform(r);
      sigma[d] = 0.05 + (spec->max_sigma - 0.05) * rng_uniform(r);
    }
    for (size_t i = 0; i < sizes[c]; ++i, ++at) {
      for (int d = 0; d < 3; ++d)
        cloud.points[3 * at + d] = centre[d] + sigma[d] * rng_normal(r);
      cloud.labels[at] = label;
    }
  }
  free(sizes);
  shuffle(r, &cloud);
  return cloud;
}

test_cloud moved_cloud(rng *r, const test_cloud *cloud, double shift)
{
  test_cloud next = {malloc(3 * cloud->n * sizeof(double) + 1), malloc(cloud->n * sizeof(int64_t) + 1), 0};
  const uint64_t salt = rng_next(r);
  for (size_t i = 0; i < cloud->n; ++i) {
    if (rng_uniform(r) < 0.1)
      continue; /* dropped */
    /* The same label always moves by the same vector: derive it from the label. */
    rng per_label = {(uint64_t)cloud->labels[i] ^ salt};
    for (int d = 0; d < 3; ++d)
      next.points[3 * next.n + d] =
        cloud->points[3 * i + d] + shift * (2.0 * rng_uniform(&per_label) - 1.0) + 0.01 * shift * rng_normal(r);
    next.labels[next.n] = (int64_t)((uint64_t)cloud->labels[i] * UINT64_C(0x9E3779B97F4A7C15) + salt);
    ++next.n;
  }
  return next;
}

void test_cloud_free(test_cloud *cloud)
{
  free(cloud->points);
  free(cloud->labels);
  cloud->points = NULL;
  cloud->labels = NULL;
  cloud->n = 0;
}
