#include "oracle.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int compare_ids(const void *a, const void *b)
{
  const int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

/* A point counts when the caller did not skip it and its coordinates are finite. */
static int counts(const scipar_cloud *cloud, size_t i)
{
  const double *p = cloud->points + 3 * i;
  return !(cloud->skip && cloud->skip[i]) && isfinite(p[0]) && isfinite(p[1]) && isfinite(p[2]);
}

oracle_clusters oracle_group(const scipar_cloud *cloud)
{
  oracle_clusters set = {0, NULL};
  int64_t *ids = malloc((cloud->num_points + 1) * sizeof *ids);
  size_t m = 0;
  for (size_t i = 0; i < cloud->num_points; ++i)
    if (counts(cloud, i))
      ids[m++] = cloud->labels[i];
  qsort(ids, m, sizeof *ids, compare_ids);
  set.c = calloc(m + 1, sizeof *set.c);
  for (size_t i = 0; i < m; ++i)
    if (set.k == 0 || set.c[set.k - 1].id != ids[i])
      set.c[set.k++].id = ids[i];
  free(ids);
  for (size_t k = 0; k < set.k; ++k) {
    oracle_cluster *c = &set.c[k];
    c->xyz = malloc(3 * cloud->num_points * sizeof *c->xyz + sizeof(double));
    for (size_t i = 0; i < cloud->num_points; ++i) {
      const double *p = cloud->points + 3 * i;
      if (cloud->labels[i] == c->id && counts(cloud, i)) {
        memcpy(c->xyz + 3 * c->n, p, 3 * sizeof *p);
        ++c->n;
      }
    }
  }
  return set;
}

void oracle_free(oracle_clusters *set)
{
  for (size_t k = 0; k < set->k; ++k)
    free(set->c[k].xyz);
  free(set->c);
  set->c = NULL;
  set->k = 0;
}

/* Mean (or max) over a of the distance to the nearest point of b. */
static double directed(const oracle_cluster *a, const oracle_cluster *b, int squared, int use_max)
{
  double total = 0.0;
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
    total = use_max ? fmax(total, d) : total + d;
  }
  return use_max ? total : total / (double)a->n;
}

double oracle_chamfer(const oracle_cluster *a, const oracle_cluster *b, scipar_metric metric, int squared)
{
  const int use_max = metric == SCIPAR_METRIC_HAUSDORFF;
  const double ab = directed(a, b, squared, use_max);
  const double ba = directed(b, a, squared, use_max);
  switch (metric) {
  case SCIPAR_METRIC_SUM: return ab + ba;
  case SCIPAR_METRIC_MEAN: return 0.5 * (ab + ba);
  default: return fmax(ab, ba);
  }
}

double *oracle_matrix(const oracle_clusters *src, const oracle_clusters *tgt, scipar_metric metric, int squared)
{
  double *values = malloc((src->k * tgt->k + 1) * sizeof *values);
  for (size_t s = 0; s < src->k; ++s)
    for (size_t t = 0; t < tgt->k; ++t)
      values[s * tgt->k + t] = oracle_chamfer(&src->c[s], &tgt->c[t], metric, squared);
  return values;
}
