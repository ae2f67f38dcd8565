#include "grouping/grouping.h"

#include "call/scale.h"
#include "distance/kdtree.h"
#include "grouping/radix_sort.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

static int point_is_finite(const double *p)
{
  return isfinite(p[0]) && isfinite(p[1]) && isfinite(p[2]);
}

static int point_is_skipped(const scipar_cloud *cloud, size_t i) { return cloud->skip && cloud->skip[i]; }

/* A point takes part in the distances when it is finite and the caller did not skip it. */
static int point_is_used(const scipar_cloud *cloud, size_t i)
{
  return !point_is_skipped(cloud, i) && point_is_finite(cloud->points + 3 * i);
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

/* Sorted distinct labels of the used points, by marking a table when they span no more values than
 * there are points (the usual 0..k-1 and its offsets: linear, parallel, no sort); NULL when they
 * spread wider or memory is short. The survey gives their range. */
static int64_t *distinct_dense_labels(const scipar_cloud *cloud, const cloud_survey *survey, int num_threads,
                                      size_t *num_clusters)
{
  const long long n = (long long)cloud->num_points;
  const int64_t lo = survey->label_lo, hi = survey->label_hi;
  if (hi < lo || (uint64_t)hi - (uint64_t)lo >= cloud->num_points)
    return NULL;
  const size_t span = (size_t)((uint64_t)hi - (uint64_t)lo) + 1;
  unsigned char *present = calloc(span, 1);
  if (!present)
    return NULL;
  /* A label is written once, when first seen: writing it at every point would bounce the table's
   * cache lines between threads (two threads were slower than one). */
#pragma omp parallel for num_threads(num_threads)
  for (long long i = 0; i < n; ++i) {
    if (!point_is_used(cloud, (size_t)i))
      continue;
    unsigned char *slot = present + ((uint64_t)cloud->labels[i] - (uint64_t)lo);
    unsigned char seen;
#pragma omp atomic read
    seen = *slot;
    if (!seen) {
#pragma omp atomic write
      *slot = 1;
    }
  }
  size_t k = 0;
  for (size_t v = 0; v < span; ++v)
    k += present[v];
  int64_t *ids = malloc((k ? k : 1) * sizeof *ids);
  if (ids) {
    k = 0;
    for (size_t v = 0; v < span; ++v)
      if (present[v])
        ids[k++] = (int64_t)((uint64_t)lo + v);
    *num_clusters = k;
  }
  free(present);
  return ids;
}

/* Sorted distinct labels of the used points; sets *num_clusters. NULL on allocation failure. */
static int64_t *distinct_labels(const scipar_cloud *cloud, const cloud_survey *survey, int num_threads,
                                size_t *num_clusters)
{
  const size_t num_used = survey->num_used;
  int64_t *dense = distinct_dense_labels(cloud, survey, num_threads, num_clusters);
  if (dense)
    return dense;
  int64_t *keys = malloc((num_used ? num_used : 1) * sizeof *keys);
  int64_t *scratch = malloc((num_used ? num_used : 1) * sizeof *scratch);
  if (!keys || !scratch) {
    free(keys);
    free(scratch);
    return NULL;
  }
  size_t m = 0;
  for (size_t i = 0; i < cloud->num_points; ++i)
    if (point_is_used(cloud, i))
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

int32_t *cluster_set_id_table(const cluster_set *set, uint64_t max_span)
{
  const size_t k = set->num_clusters;
  if (k == 0 || k >= INT32_MAX)
    return NULL;
  const uint64_t width = (uint64_t)set->ids[k - 1] - (uint64_t)set->ids[0]; /* the span less one */
  if (width >= max_span)
    return NULL;
  int32_t *table = malloc((width + 1) * sizeof *table);
  if (!table)
    return NULL;
  for (uint64_t v = 0; v <= width; ++v)
    table[v] = -1;
  for (size_t c = 0; c < k; ++c)
    table[(uint64_t)set->ids[c] - (uint64_t)set->ids[0]] = (int32_t)c;
  return table;
}

static int64_t cluster_of_point(const scipar_cloud *cloud, const cluster_set *set, const int32_t *table, size_t i)
{
  if (!point_is_used(cloud, i))
    return -1;
  if (table)
    return table[(uint64_t)cloud->labels[i] - (uint64_t)set->ids[0]];
  return find_label(set->ids, set->num_clusters, cloud->labels[i]);
}

static void bounds_and_centroid(cluster_set *set, size_t c);

/* point_cluster, then a counting sort of the used points by cluster into x, y, z and point_ids, then
 * each cluster's box and centroid, in one parallel region (on a busy machine each region costs
 * milliseconds of waiting for the team). The input is cut into slices, one per thread of the team
 * OpenMP actually gives (it may give fewer than asked); each thread assigns and counts its slice, then
 * writes it behind the slices before it. Stable, so the result is the same for any thread count, with
 * input order kept inside a cluster. */
static scipar_status group_points(const scipar_cloud *cloud, cluster_set *set, int num_threads, int scale_exponent)
{
  /* 2^scale_exponent as two normal factors (call/scale.h): exact products. */
  const double f1 = times_power_of_two(1.0, scale_exponent / 2);
  const double f2 = times_power_of_two(1.0, scale_exponent - scale_exponent / 2);
  const size_t k = set->num_clusters;
  const size_t n = cloud->num_points;
  /* A count per slice and cluster: no more slices than keep that table within twice the points. */
  const size_t most_slices = 2 * n / (k ? k : 1);
  if (most_slices < (size_t)num_threads)
    num_threads = most_slices > 1 ? (int)most_slices : 1;
  int64_t *next = calloc((size_t)num_threads * k + 1, sizeof *next);
  /* Labels to clusters by a table when they span no more values than there are points (the usual
   * 0..k-1 and its offsets), else by a binary search. */
  int32_t *table = cluster_set_id_table(set, cloud->num_points);
  if (!next) {
    free(table);
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  }
  const long long kk = (long long)k;
#pragma omp parallel num_threads(num_threads)
  {
    const size_t slices = (size_t)omp_get_num_threads();
    const size_t t = (size_t)omp_get_thread_num();
    const size_t begin = n * t / slices, end = n * (t + 1) / slices;
    int64_t *mine = next + t * k;
    for (size_t i = begin; i < end; ++i) {
      const int64_t c = cluster_of_point(cloud, set, table, i);
      set->point_cluster[i] = c;
      if (c >= 0)
        ++mine[c];
    }
#pragma omp barrier
#pragma omp single
    {
      int64_t at = 0;
      for (size_t c = 0; c < k; ++c) {
        set->offsets[c] = at;
        for (size_t s = 0; s < slices; ++s) {
          const int64_t count = next[s * k + c];
          next[s * k + c] = at;
          at += count;
        }
      }
      set->offsets[k] = at;
    }
    for (size_t i = begin; i < end; ++i) {
      const int64_t c = set->point_cluster[i];
      if (c < 0)
        continue;
      const int64_t to = mine[c]++;
      set->point_ids[to] = (int64_t)i;
      const double *p = cloud->points + 3 * i;
      if (scale_exponent == 0) {
        set->x[to] = p[0];
        set->y[to] = p[1];
        set->z[to] = p[2];
      } else {
        set->x[to] = p[0] * f1 * f2;
        set->y[to] = p[1] * f1 * f2;
        set->z[to] = p[2] * f1 * f2;
      }
    }
#pragma omp barrier
#pragma omp for schedule(static)
    for (long long c = 0; c < kk; ++c)
      bounds_and_centroid(set, (size_t)c);
  }
  free(next);
  free(table);
  return SCIPAR_OK;
}

double centroid_error_bound(int64_t n, const double box_min[3], const double box_max[3])
{
  /* A sum of n terms of magnitude at most m is off by at most (n - 1) u n m (u = 2^-53), the mean by
   * (n - 1) u m + u m per axis; n 2^-51 m covers the three axes (sqrt(3) < 2) with room to spare. */
  double m = 0.0;
  for (int d = 0; d < 3; ++d)
    m = fmax(m, fmax(fabs(box_min[d]), fabs(box_max[d])));
  return (double)n * 0x1p-51 * m;
}

static void bounds_and_centroid(cluster_set *set, size_t c)
{
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
    set->centroids[3 * c + d] = sum / (double)cluster_set_size(set, c);
  }
  set->centroid_error[c] = centroid_error_bound(cluster_set_size(set, c), set->box_min + 3 * c, set->box_max + 3 * c);
}

/* Room for a k-d tree for every cluster large enough to need one (none at all when with_trees is 0;
 * only those flagged in wanted when it is not NULL). */
static scipar_status allocate_trees(cluster_set *set, int with_trees, const unsigned char *wanted)
{
  const size_t k = set->num_clusters;
  set->tree_offsets = malloc((k + 1) * sizeof *set->tree_offsets);
  if (!set->tree_offsets)
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  set->tree_offsets[0] = 0;
  for (size_t c = 0; c < k; ++c)
    set->tree_offsets[c + 1] =
      set->tree_offsets[c] + (with_trees && (!wanted || wanted[c]) && cluster_set_size(set, c) >= KDTREE_MIN_POINTS
                                ? (int64_t)kdtree_num_nodes(cluster_set_size(set, c), KDTREE_LEAF_SIZE)
                                : 0);
  const size_t nodes = (size_t)set->tree_offsets[k];
  /* Room for the trees of the spare points too, as many nodes per point as a tree has at most. */
  const size_t spare = set->point_room > (size_t)set->offsets[k] ? set->point_room - (size_t)set->offsets[k] : 0;
  set->node_room = nodes + (spare ? (size_t)kdtree_num_nodes((int64_t)spare, KDTREE_LEAF_SIZE) : 0);
  set->split_value = malloc((set->node_room ? set->node_room : 1) * sizeof *set->split_value);
  set->split_dim = malloc(set->node_room ? set->node_room : 1);
  if (!set->split_value || !set->split_dim)
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  return SCIPAR_OK;
}

static scipar_status build_trees(cluster_set *set, int num_threads, int with_trees, const unsigned char *wanted)
{
  if (allocate_trees(set, with_trees, wanted) != SCIPAR_OK)
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  const long long kk = (long long)set->num_clusters;
  if (set->tree_offsets[kk] == 0)
    return SCIPAR_OK; /* no cluster needs a tree: no parallel region either */
  int built = 1;
#pragma omp parallel for num_threads(num_threads) schedule(dynamic, 1) reduction(&& : built)
  for (long long c = 0; c < kk; ++c) {
    if (set->tree_offsets[c + 1] == set->tree_offsets[c])
      continue;
    const int64_t begin = set->offsets[c];
    built = kdtree_build(set->x + begin, set->y + begin, set->z + begin, cluster_set_size(set, (size_t)c),
                         KDTREE_LEAF_SIZE, set->split_value + set->tree_offsets[c], set->split_dim + set->tree_offsets[c]) &&
            built;
  }
  return built ? SCIPAR_OK : SCIPAR_ERROR_OUT_OF_MEMORY;
}

cloud_survey cloud_survey_run(const scipar_cloud *cloud, int num_threads)
{
  size_t num_used = 0, num_skipped = 0;
  double largest = 0.0;
  int64_t lo = INT64_MAX, hi = INT64_MIN;
  const long long n = (long long)cloud->num_points;
#pragma omp parallel for num_threads(num_threads) reduction(+ : num_used, num_skipped) reduction(max : largest, hi) \
  reduction(min : lo)
  for (long long i = 0; i < n; ++i) {
    const int used = point_is_used(cloud, (size_t)i);
    num_used += (size_t)used;
    num_skipped += (size_t)point_is_skipped(cloud, (size_t)i);
    if (used) {
      for (int d = 0; d < 3; ++d) {
        const double m = fabs(cloud->points[3 * i + d]);
        largest = m > largest ? m : largest;
      }
      lo = cloud->labels[i] < lo ? cloud->labels[i] : lo;
      hi = cloud->labels[i] > hi ? cloud->labels[i] : hi;
    }
  }
  return (cloud_survey){num_used, num_skipped, largest, lo, hi};
}

scipar_status cluster_set_build(const scipar_cloud *cloud, const cloud_survey *survey, int num_threads,
                                int with_trees, int scale_exponent, cluster_set *set)
{
  return cluster_set_build_with_room(cloud, survey, num_threads, with_trees, scale_exponent, 0, set);
}

scipar_status cluster_set_build_with_room(const scipar_cloud *cloud, const cloud_survey *survey, int num_threads,
                                          int with_trees, int scale_exponent, size_t spare_points, cluster_set *set)
{
  memset(set, 0, sizeof *set);
  const size_t n = cloud->num_points;
  const cloud_survey own = survey ? *survey : cloud_survey_run(cloud, num_threads);
  const size_t num_used = own.num_used;
  set->num_skipped = own.num_skipped;
  set->num_excluded = n - own.num_used - own.num_skipped;

  set->ids = distinct_labels(cloud, &own, num_threads, &set->num_clusters);
  const size_t k = set->num_clusters;
  const size_t m = num_used ? num_used : 1;
  set->point_room = num_used + spare_points;
  const size_t room = set->point_room ? set->point_room : 1;
  set->offsets = malloc((k + 1) * sizeof *set->offsets);
  set->x = malloc(room * sizeof *set->x);
  set->y = malloc(room * sizeof *set->y);
  set->z = malloc(room * sizeof *set->z);
  set->box_min = malloc((3 * k + 1) * sizeof *set->box_min);
  set->box_max = malloc((3 * k + 1) * sizeof *set->box_max);
  set->centroids = malloc((3 * k + 1) * sizeof *set->centroids);
  set->centroid_error = malloc((k + 1) * sizeof *set->centroid_error);
  set->point_ids = malloc(m * sizeof *set->point_ids);
  set->point_cluster = malloc((n ? n : 1) * sizeof *set->point_cluster);
  scipar_status status = SCIPAR_ERROR_OUT_OF_MEMORY;
  if (set->ids && set->offsets && set->x && set->y && set->z && set->box_min && set->box_max && set->centroids &&
      set->centroid_error &&
      set->point_ids && set->point_cluster && (status = group_points(cloud, set, num_threads, scale_exponent)) == SCIPAR_OK)
    status = build_trees(set, num_threads, with_trees, NULL);
  if (status != SCIPAR_OK)
    cluster_set_free(set);
  return status;
}

scipar_status cluster_set_allocate(cluster_set *set, size_t num_clusters, size_t num_points)
{
  memset(set, 0, sizeof *set);
  const size_t k = num_clusters, m = num_points ? num_points : 1;
  set->num_clusters = k;
  set->ids = malloc((k + 1) * sizeof *set->ids);
  set->offsets = malloc((k + 1) * sizeof *set->offsets);
  set->x = malloc(m * sizeof *set->x);
  set->y = malloc(m * sizeof *set->y);
  set->z = malloc(m * sizeof *set->z);
  set->box_min = malloc((3 * k + 1) * sizeof *set->box_min);
  set->box_max = malloc((3 * k + 1) * sizeof *set->box_max);
  set->centroids = malloc((3 * k + 1) * sizeof *set->centroids);
  set->centroid_error = malloc((k + 1) * sizeof *set->centroid_error);
  if (set->ids && set->offsets && set->x && set->y && set->z && set->box_min && set->box_max && set->centroids &&
      set->centroid_error)
    return SCIPAR_OK;
  cluster_set_free(set);
  return SCIPAR_ERROR_OUT_OF_MEMORY;
}

scipar_status cluster_set_allocate_trees(cluster_set *set)
{
  const scipar_status status = allocate_trees(set, 1, NULL);
  if (status != SCIPAR_OK)
    cluster_set_free(set);
  return status;
}

scipar_status cluster_set_build_trees(cluster_set *set, int num_threads)
{
  const scipar_status status = build_trees(set, num_threads, 1, NULL);
  if (status != SCIPAR_OK)
    cluster_set_free(set);
  return status;
}

scipar_status cluster_set_build_some_trees(cluster_set *set, const unsigned char *wanted, int num_threads)
{
  free(set->tree_offsets);
  free(set->split_value);
  free(set->split_dim);
  set->tree_offsets = NULL;
  set->split_value = NULL;
  set->split_dim = NULL;
  const scipar_status status = build_trees(set, num_threads, 1, wanted);
  if (status != SCIPAR_OK)
    cluster_set_free(set);
  return status;
}

int64_t cluster_set_find(const cluster_set *set, int64_t id) { return find_label(set->ids, set->num_clusters, id); }

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
  free(set->centroid_error);
  free(set->point_ids);
  free(set->point_cluster);
  free(set->tree_offsets);
  free(set->split_value);
  free(set->split_dim);
  memset(set, 0, sizeof *set);
}
