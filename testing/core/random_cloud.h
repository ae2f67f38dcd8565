/* Reproducible random clouds for the core tests. */
#ifndef SCIPAR_TEST_RANDOM_CLOUD_H
#define SCIPAR_TEST_RANDOM_CLOUD_H

#include "scipar/scipar.h"

typedef struct rng {
  uint64_t state;
} rng;

uint64_t rng_next(rng *r);
double rng_uniform(rng *r); /* [0, 1) */
double rng_normal(rng *r);
size_t rng_below(rng *r, size_t n); /* [0, n) */

typedef enum label_style {
  LABELS_SEQUENTIAL, /* 0, 1, 2, ... */
  LABELS_SPARSE,     /* random 64-bit values, negative ones included */
  LABELS_EXTREMES    /* INT64_MIN, INT64_MAX and their neighbours among small negative ones */
} label_style;

typedef struct cloud_spec {
  size_t max_clusters;
  size_t max_cluster_size;
  double box;       /* cluster centres uniform in [0, box)^3 */
  double max_sigma; /* per-axis spread uniform in (0.05, max_sigma] */
  label_style labels;
} cloud_spec;

typedef struct test_cloud {
  double *points;
  int64_t *labels;
  size_t n;
} test_cloud;

/* Gaussian clusters with shuffled point order. */
test_cloud random_cloud(rng *r, const cloud_spec *spec);

/* The next frame of a cloud: every cluster shifted by a small random vector, points jittered, a
 * share of points dropped, labels remapped through a random permutation. */
test_cloud moved_cloud(rng *r, const test_cloud *cloud, double shift);

void test_cloud_free(test_cloud *cloud);

static inline scipar_cloud as_scipar(const test_cloud *cloud)
{
  return (scipar_cloud){cloud->points, cloud->labels, cloud->n};
}

#endif
