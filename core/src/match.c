/* scipar_match: validation, grouping, nearest clusters both ways, the pairs table, timing. */
#include "cluster_set.h"
#include "nearest_clusters.h"
#include "pairs_table.h"
#include "progress.h"

#include <math.h>
#include <omp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void scipar_options_init(scipar_options *options)
{
  memset(options, 0, sizeof *options);
  options->metric = SCIPAR_METRIC_MAX;
}

const char *scipar_metric_name(scipar_metric metric)
{
  switch (metric) {
  case SCIPAR_METRIC_MAX: return "Max";
  case SCIPAR_METRIC_SUM: return "Sum";
  case SCIPAR_METRIC_MEAN: return "Mean";
  case SCIPAR_METRIC_HAUSDORFF: return "Hausdorff";
  }
  return NULL;
}

const char *scipar_status_string(scipar_status status)
{
  switch (status) {
  case SCIPAR_OK: return "success";
  case SCIPAR_ERROR_INVALID_ARGUMENT: return "invalid argument";
  case SCIPAR_ERROR_OUT_OF_MEMORY: return "out of memory";
  case SCIPAR_ERROR_CANCELLED: return "cancelled";
  }
  return "unknown status";
}

static double seconds(clockid_t clock)
{
  struct timespec t;
  clock_gettime(clock, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static scipar_status fail(scipar_result *result, scipar_status status, const char *format, ...)
{
  va_list args;
  va_start(args, format);
  vsnprintf(result->message, sizeof result->message, format, args);
  va_end(args);
  return status;
}

static const char *cloud_problem(const scipar_cloud *cloud)
{
  if (!cloud)
    return "is missing (NULL)";
  if (cloud->num_points > 0 && !cloud->points)
    return "has points but no coordinates (NULL)";
  if (cloud->num_points > 0 && !cloud->labels)
    return "has points but no cluster labels (NULL)";
  if (cloud->num_points > SIZE_MAX / (3 * sizeof(double)))
    return "has more points than memory can address";
  return NULL;
}

/* Moves into the side the arrays the search does not need (ids, point ids, point clusters), copies
 * the ones it does, and allocates the rest. */
static scipar_status side_init(scipar_side *side, cluster_set *set)
{
  const size_t k = set->num_clusters;
  const size_t m = k ? k : 1;
  side->num_clusters = k;
  side->num_excluded_points = set->num_excluded;
  side->cluster_ids = set->ids;
  side->point_cluster = set->point_cluster;
  side->cluster_point_ids = set->point_ids;
  set->ids = NULL;
  set->point_ids = NULL;
  set->point_cluster = NULL;
  side->cluster_sizes = malloc(m * sizeof *side->cluster_sizes);
  side->cluster_offsets = malloc((k + 1) * sizeof *side->cluster_offsets);
  side->centroids = malloc(3 * m * sizeof *side->centroids);
  side->nearest = malloc(m * sizeof *side->nearest);
  side->nearest_distance = malloc(m * sizeof *side->nearest_distance);
  side->mutual = malloc(m * sizeof *side->mutual);
  side->pair_index = malloc(m * sizeof *side->pair_index);
  if (!side->cluster_sizes || !side->cluster_offsets || !side->centroids || !side->nearest || !side->nearest_distance || !side->mutual ||
      !side->pair_index)
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  /* The set keeps its offsets and centroids for the search; the side gets copies. */
  memcpy(side->cluster_offsets, set->offsets, (k + 1) * sizeof *side->cluster_offsets);
  memcpy(side->centroids, set->centroids, 3 * k * sizeof *side->centroids);
  for (size_t c = 0; c < k; ++c)
    side->cluster_sizes[c] = cluster_set_size(set, c);
  return SCIPAR_OK;
}

static void side_free(scipar_side *side)
{
  free(side->cluster_ids);
  free(side->cluster_sizes);
  free(side->centroids);
  free(side->nearest);
  free(side->nearest_distance);
  free(side->mutual);
  free(side->pair_index);
  free(side->cluster_offsets);
  free(side->cluster_point_ids);
  free(side->point_cluster);
  memset(side, 0, sizeof *side);
}

void scipar_result_free(scipar_result *result)
{
  if (!result)
    return;
  side_free(&result->source);
  side_free(&result->target);
  free(result->pairs);
  result->pairs = NULL;
  result->num_pairs = 0;
}

static scipar_status match_sets(cluster_set *src, cluster_set *tgt, const scipar_options *options,
                                int num_threads, scipar_result *result)
{
  scipar_status status;
  if ((status = side_init(&result->source, src)) != SCIPAR_OK ||
      (status = side_init(&result->target, tgt)) != SCIPAR_OK)
    return status;
  cluster_hierarchy src_hierarchy, tgt_hierarchy;
  if ((status = cluster_hierarchy_build(src, &src_hierarchy)) != SCIPAR_OK)
    return status;
  if ((status = cluster_hierarchy_build(tgt, &tgt_hierarchy)) != SCIPAR_OK) {
    cluster_hierarchy_free(&src_hierarchy);
    return status;
  }
  progress_state progress = {options->progress, options->progress_user_data,
                             src->num_clusters + tgt->num_clusters, 0, 0};
  scipar_side *s = &result->source, *t = &result->target;
  for (size_t c = 0; c < s->num_clusters; ++c)
    s->nearest[c] = -1; /* no seeds for the first pass */
  status = nearest_clusters(src, tgt, &tgt_hierarchy, 1, options, num_threads, &progress, s->nearest,
                            s->nearest_distance);
  if (status == SCIPAR_OK) {
    /* Every pair a source chose is a known candidate of the target it chose. */
    seeds_from_other_side(s->nearest, s->nearest_distance, s->num_clusters, t->num_clusters, t->nearest,
                          t->nearest_distance);
    status = nearest_clusters(tgt, src, &src_hierarchy, 0, options, num_threads, &progress, t->nearest,
                              t->nearest_distance);
  }
  cluster_hierarchy_free(&src_hierarchy);
  cluster_hierarchy_free(&tgt_hierarchy);
  return status == SCIPAR_OK ? pairs_table_build(result) : status;
}

scipar_status scipar_match(const scipar_cloud *source, const scipar_cloud *target,
                           const scipar_options *options, scipar_result *result)
{
  if (!result)
    return SCIPAR_ERROR_INVALID_ARGUMENT;
  memset(result, 0, sizeof *result);
  const char *problem;
  if ((problem = cloud_problem(source)))
    return fail(result, SCIPAR_ERROR_INVALID_ARGUMENT, "source cloud %s", problem);
  if ((problem = cloud_problem(target)))
    return fail(result, SCIPAR_ERROR_INVALID_ARGUMENT, "target cloud %s", problem);
  scipar_options defaults;
  if (!options) {
    scipar_options_init(&defaults);
    options = &defaults;
  }
  if (!scipar_metric_name(options->metric))
    return fail(result, SCIPAR_ERROR_INVALID_ARGUMENT, "unknown metric %d", (int)options->metric);
  if (isnan(options->max_pair_distance))
    return fail(result, SCIPAR_ERROR_INVALID_ARGUMENT, "maximum pair distance is NaN");

  const double wall_start = seconds(CLOCK_MONOTONIC);
  const double cpu_start = seconds(CLOCK_PROCESS_CPUTIME_ID);
  const int num_threads = options->num_threads > 0 ? options->num_threads : omp_get_max_threads();

  cluster_set src, tgt;
  scipar_status status = cluster_set_build(source, num_threads, &src);
  if (status == SCIPAR_OK) {
    status = cluster_set_build(target, num_threads, &tgt);
    if (status == SCIPAR_OK) {
      status = match_sets(&src, &tgt, options, num_threads, result);
      cluster_set_free(&tgt);
    }
    cluster_set_free(&src);
  }
  if (status != SCIPAR_OK) {
    scipar_result_free(result);
    if (status == SCIPAR_ERROR_CANCELLED)
      return fail(result, status, "cancelled by the progress callback");
    return fail(result, status, "out of memory while matching %zu source and %zu target points",
                source->num_points, target->num_points);
  }
  result->num_threads = num_threads;
  result->wall_seconds = seconds(CLOCK_MONOTONIC) - wall_start;
  result->cpu_seconds = seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu_start;
  return SCIPAR_OK;
}
