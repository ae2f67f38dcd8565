/* scipar_match: the serial pipeline, grouping -> search both ways -> pairing, inside one call. */
#include "grouping/grouping.h"
#include "search/search.h"
#include "pairing/pairing.h"
#include "call/progress.h"
#include "call/call.h"
#include "call/scale.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Moves into the side the per-point arrays the search does not need, and copies the per-cluster ones
 * it does. */
static scipar_status side_init(scipar_side *side, cluster_set *set)
{
  const size_t k = set->num_clusters;
  if (side_allocate_clusters(side, k) != SCIPAR_OK)
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  side->num_excluded_points = set->num_excluded;
  side->num_skipped_points = set->num_skipped;
  side->point_cluster = set->point_cluster;
  side->cluster_point_ids = set->point_ids;
  set->point_ids = NULL;
  set->point_cluster = NULL;
  memcpy(side->cluster_ids, set->ids, k * sizeof *side->cluster_ids);
  memcpy(side->cluster_offsets, set->offsets, (k + 1) * sizeof *side->cluster_offsets);
  memcpy(side->centroids, set->centroids, 3 * k * sizeof *side->centroids);
  for (size_t c = 0; c < k; ++c)
    side->cluster_sizes[c] = cluster_set_size(set, c);
  return SCIPAR_OK;
}

/* options' limit is in the sets' (scaled) units; the result comes out in the caller's. */
/* The side with more clusters searches first: every value it computes completely is known to the
 * other side's search, which then does not compute it again (one huge cluster against many small
 * ones: each small one's only candidate is the huge one, and the huge one's search finds every value
 * known). The order changes no result: values are bit-identical whichever side computes them.
 * options' limit is in the sets' (scaled) units; the result comes out in the caller's. */
static scipar_status match_sets(cluster_set *src, cluster_set *tgt, const scipar_options *options,
                                int scale_exponent, int num_threads, scipar_result *result)
{
  scipar_status status;
  if ((status = side_init(&result->source, src)) != SCIPAR_OK ||
      (status = side_init(&result->target, tgt)) != SCIPAR_OK)
    return status;
  progress_state progress = {options->progress, options->progress_user_data,
                             src->num_clusters + tgt->num_clusters, 0, 0};
  const int source_first = src->num_clusters >= tgt->num_clusters;
  cluster_set *first = source_first ? src : tgt, *second = source_first ? tgt : src;
  scipar_side *first_side = source_first ? &result->source : &result->target;
  scipar_side *second_side = source_first ? &result->target : &result->source;
  for (size_t c = 0; c < first->num_clusters; ++c)
    first_side->nearest[c] = -1; /* no seeds */
  for (size_t c = 0; c < second->num_clusters; ++c)
    second_side->nearest[c] = -1;
  evaluated_pairs computed;
  memset(&computed, 0, sizeof computed);
  known_values known;
  memset(&known, 0, sizeof known);
  status = nearest_clusters_of(first, NULL, first->num_clusters, second, NULL, source_first, options, NULL, &computed,
                               num_threads, &progress, first_side->nearest, first_side->nearest_distance);
  if (status == SCIPAR_OK)
    status = known_values_build(&computed, second->num_clusters, &known);
  evaluated_pairs_free(&computed);
  if (status == SCIPAR_OK)
    status = nearest_clusters_of(second, NULL, second->num_clusters, first, NULL, !source_first, options, &known, NULL,
                                 num_threads, &progress, second_side->nearest, second_side->nearest_distance);
  known_values_free(&known);
  if (status != SCIPAR_OK)
    return status;
  side_unscale(&result->source, scale_exponent, options->squared);
  side_unscale(&result->target, scale_exponent, options->squared);
  return pairs_table_build(result);
}

scipar_status scipar_match(const scipar_cloud *source, const scipar_cloud *target,
                           const scipar_options *options, scipar_result *result)
{
  scipar_status status = check_arguments(source, target, options, result);
  if (status != SCIPAR_OK)
    return status;
  scipar_options defaults;
  options = options_or_defaults(options, &defaults);

  const call_clock clock = call_clock_start();
  const int num_threads = choose_threads(options, source->num_points + target->num_points);

  const cloud_survey source_survey = cloud_survey_run(source, num_threads);
  const cloud_survey target_survey = cloud_survey_run(target, num_threads);
  const int exponent = scale_exponent(fmax(source_survey.largest, target_survey.largest));
  scipar_options scaled;
  const scipar_options *scaled_options = options_in_scaled_units(options, exponent, &scaled);
  cluster_set src, tgt;
  status = cluster_set_build(source, &source_survey, num_threads, 1, exponent, &src);
  if (status == SCIPAR_OK) {
    status = cluster_set_build(target, &target_survey, num_threads, 1, exponent, &tgt);
    if (status == SCIPAR_OK) {
      status = match_sets(&src, &tgt, scaled_options, exponent, num_threads, result);
      cluster_set_free(&tgt);
    }
    cluster_set_free(&src);
  }
  if (status != SCIPAR_OK) {
    scipar_result_free(result);
    if (status == SCIPAR_ERROR_CANCELLED)
      return result_fail(result, status, "cancelled by the progress callback");
    return result_fail(result, status, "out of memory while matching %zu source and %zu target points",
                source->num_points, target->num_points);
  }
  call_clock_stop(clock, num_threads, result);
  return SCIPAR_OK;
}
