#include "cluster_set.h"

#include "radix_sort.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int point_is_finite(const double *p)
{
  return isfinite(p[0]) && isfinite(p[1]) && isfinite(p[2]);
}

/* Index of label in ids[0..n), which holds it. */
static int64_t find_label(const int64_t *ids, size_t n, int64_t label)
{
  size_t lo = 0;
  size_t hi = n;
  while (hi - lo > 1) {
    size_t mid = lo + (hi - lo) / 2;
    if (ids[mid] <= label)
      lo = mid;
    else
      hi = mid;
  }
  return (int64_t)lo;
}

/* Sorted distinct labels of the finite points; sets *num_clusters. NULL on allocation failure. */
static int64_t *distinct_labels(const scipar_cloud *cloud, size_t num_finite, size_t *num_clusters)
{
  int64_t *keys = malloc((num_finite ? num_finite : 1) * sizeof *keys);
  int64_t *scratch = malloc((num_finite ? num_finite : 1) * sizeof *scratch);
  if (!keys || !scratch) {
    free(keys);
    free(scratch);
    return NULL;
  }
  size_t m = 0;
  for (size_t i = 0; i < cloud->num_points; ++i)
    if (point_is_finite(cloud->points + 3 * i))
      keys[m++] = cloud->labels[i];
  radix_sort_int64(keys, scratch, m);
  free(scratch);
  size_t k = 0;
  for (size_t i = 0; i < m; ++i)
    if (k == 0 || keys[i] != keys[k - 1])
      keys[k++] = keys[i];
  *num_clusters = k;
  int64_t *shrunk = realloc(keys, (k ? k : 1) * sizeof *keys);
  return shrunk ? shrunk : keys;
}

static void compute_bounds_and_centroids(cluster_set *set)
{
  const long long k = (long long)set->num_clusters;
#pragma omp parallel for schedule(static)
  for (long long c = 0; c < k; ++c) {
    const double *coord[3] = {set->x, set->y, set->z};
    for (int d = 0; d < 3; ++d) {
      double lo = INFINITY, hi = -INFINITY, sum = 0.0;
      for (int64_t i = set->offsets[c]; i < set->offsets[c + 1]; ++i) {
        double v = coord[d][i];
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
        sum += v;
      }
      set->box_min[3 * c + d] = lo;
      set->box_max[3 * c + d] = hi;
      set->centroids[3 * c + d] = sum / (double)cluster_set_size(set, (size_t)c);
    }
  }
}

scipar_status cluster_set_build(const scipar_cloud *cloud, cluster_set *set)
{
  memset(set, 0, sizeof *set);
  const size_t n = cloud->num_points;
  size_t num_finite = 0;
  for (size_t i = 0; i < n; ++i)
    num_finite += (size_t)point_is_finite(cloud->points + 3 * i);
  set->num_excluded = n - num_finite;

  set->ids = distinct_labels(cloud, num_finite, &set->num_clusters);
  const size_t k = set->num_clusters;
  const size_t m = num_finite ? num_finite : 1;
  set->offsets = calloc(k + 1, sizeof *set->offsets);
  set->x = malloc(m * sizeof *set->x);
  set->y = malloc(m * sizeof *set->y);
  set->z = malloc(m * sizeof *set->z);
  set->box_min = malloc((3 * k + 1) * sizeof *set->box_min);
  set->box_max = malloc((3 * k + 1) * sizeof *set->box_max);
  set->centroids = malloc((3 * k + 1) * sizeof *set->centroids);
  set->point_ids = malloc(m * sizeof *set->point_ids);
  set->point_cluster = malloc((n ? n : 1) * sizeof *set->point_cluster);
  if (!set->ids || !set->point_ids || !set->offsets || !set->x || !set->y || !set->z || !set->box_min || !set->box_max ||
      !set->centroids || !set->point_cluster) {
    cluster_set_free(set);
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  }

  const long long nn = (long long)n;
#pragma omp parallel for schedule(static)
  for (long long i = 0; i < nn; ++i)
    set->point_cluster[i] =
      point_is_finite(cloud->points + 3 * i) ? find_label(set->ids, k, cloud->labels[i]) : -1;

  /* Counting sort of the points by cluster; stable, so input order is kept inside a cluster. */
  for (size_t i = 0; i < n; ++i)
    if (set->point_cluster[i] >= 0)
      ++set->offsets[set->point_cluster[i] + 1];
  for (size_t c = 0; c < k; ++c)
    set->offsets[c + 1] += set->offsets[c];
  int64_t *next = malloc((k ? k : 1) * sizeof *next);
  if (!next) {
    cluster_set_free(set);
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  }
  memcpy(next, set->offsets, k * sizeof *next);
  for (size_t i = 0; i < n; ++i) {
    int64_t c = set->point_cluster[i];
    if (c < 0)
      continue;
    int64_t at = next[c]++;
    set->point_ids[at] = (int64_t)i;
    set->x[at] = cloud->points[3 * i];
    set->y[at] = cloud->points[3 * i + 1];
    set->z[at] = cloud->points[3 * i + 2];
  }
  free(next);
  compute_bounds_and_centroids(set);
  return SCIPAR_OK;
}

void cluster_set_free(cluster_set *set)
{
  free(set->ids);
  free(set->offsets);
  free(set->x);
  free(set->y);
  free(set->z);
  free(set->box_min);
  free(set->box_max);
  free(set->centroids);
  free(set->point_ids);
  free(set->point_cluster);
  memset(set, 0, sizeof *set);
}
