#include "verify.h"

#include "check.h"
#include "oracle.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Values within this relative distance of the best are near-ties: the core and the oracle may
 * round them differently, so either choice is accepted, as long as its value is right. */
static const double NEAR_TIE = 1e-9;
static const double VALUE_TOLERANCE = 1e-12;

static int close_to(double a, double b, double tolerance)
{
  return fabs(a - b) <= tolerance * fmax(1.0, fmax(fabs(a), fabs(b)));
}

/* Checks one side's nearest choices. matrix holds the oracle values, source-major; `transposed`
 * says this side is the target. */
static void verify_side(const scipar_side *side, const oracle_clusters *mine, const oracle_clusters *other,
                        const double *matrix, int transposed, double max_distance, const char *context,
                        const char *name)
{
  CHECK(side->num_clusters == mine->k, "%s %s: %zu clusters, oracle %zu", context, name, side->num_clusters, mine->k);
  if (side->num_clusters != mine->k)
    return;
  for (size_t i = 0; i < mine->k; ++i) {
    CHECK(side->cluster_ids[i] == mine->c[i].id, "%s %s cluster %zu id", context, name, i);
    CHECK(side->cluster_sizes[i] == (int64_t)mine->c[i].n, "%s %s cluster %zu size", context, name, i);
    double best = INFINITY;
    size_t best_j = 0;
    for (size_t j = 0; j < other->k; ++j) {
      const double v = transposed ? matrix[j * mine->k + i] : matrix[i * other->k + j];
      if (v < best) {
        best = v;
        best_j = j;
      }
    }
    const int64_t got = side->nearest[i];
    const int limited = max_distance > 0;
    const int must_pair = other->k > 0 && (!limited || best < max_distance * (1.0 - NEAR_TIE));
    const int must_not_pair = other->k == 0 || (limited && best > max_distance * (1.0 + NEAR_TIE));
    if (must_pair)
      CHECK(got >= 0, "%s %s cluster %zu: unpaired, oracle %zu at %.17g", context, name, i, best_j, best);
    if (must_not_pair)
      CHECK(got == -1, "%s %s cluster %zu: paired with %lld, oracle unpaired", context, name, i, (long long)got);
    if (got < 0) {
      CHECK(isnan(side->nearest_distance[i]), "%s %s cluster %zu: distance of an unpaired cluster", context, name, i);
      continue;
    }
    if ((size_t)got >= other->k) {
      CHECK(0, "%s %s cluster %zu: nearest %lld out of range", context, name, i, (long long)got);
      continue;
    }
    const double got_value = transposed ? matrix[(size_t)got * mine->k + i] : matrix[i * other->k + (size_t)got];
    CHECK(close_to(side->nearest_distance[i], got_value, VALUE_TOLERANCE), "%s %s cluster %zu: distance %.17g, oracle %.17g",
          context, name, i, side->nearest_distance[i], got_value);
    /* The choice must be the oracle's, up to near-ties that the two may round differently. */
    CHECK((size_t)got == best_j || close_to(got_value, best, NEAR_TIE), "%s %s cluster %zu: chose %lld (%.17g), oracle %zu (%.17g)",
          context, name, i, (long long)got, got_value, best_j, best);
  }
}

static void verify_pairs_table(const scipar_result *r, const char *context)
{
  const scipar_side *src = &r->source, *tgt = &r->target;
  size_t expected = 0;
  for (size_t s = 0; s < src->num_clusters; ++s)
    expected += src->nearest[s] >= 0;
  for (size_t t = 0; t < tgt->num_clusters; ++t)
    if (tgt->nearest[t] >= 0 && src->nearest[tgt->nearest[t]] != (int64_t)t)
      ++expected;
  CHECK(r->num_pairs == expected, "%s: %zu pairs, expected %zu", context, r->num_pairs, expected);
  for (size_t p = 0; p < r->num_pairs; ++p) {
    const scipar_pair *row = &r->pairs[p];
    if (p > 0)
      CHECK(row[-1].source < row->source || (row[-1].source == row->source && row[-1].target < row->target),
            "%s: pairs not sorted at row %zu", context, p);
    const int s2t = src->nearest[row->source] == row->target;
    const int t2s = tgt->nearest[row->target] == row->source;
    CHECK(row->source_to_target == s2t && row->target_to_source == t2s && row->mutual == (s2t && t2s),
          "%s: flags of row %zu", context, p);
    CHECK(s2t || t2s, "%s: row %zu is nobody's nearest", context, p);
    const double d = s2t ? src->nearest_distance[row->source] : tgt->nearest_distance[row->target];
    CHECK(row->distance == d, "%s: distance of row %zu", context, p);
    if (s2t && t2s)
      CHECK(src->nearest_distance[row->source] == tgt->nearest_distance[row->target],
            "%s: a mutual pair has two different values", context);
  }
  for (size_t s = 0; s < src->num_clusters; ++s) {
    const int64_t row = src->pair_index[s];
    CHECK((row < 0) == (src->nearest[s] < 0), "%s: pair index of source %zu", context, s);
    if (row >= 0)
      CHECK(r->pairs[row].source == (int64_t)s && r->pairs[row].target == src->nearest[s],
            "%s: pair index of source %zu points at the wrong row", context, s);
    CHECK(src->mutual[s] == (src->nearest[s] >= 0 && tgt->nearest[src->nearest[s]] == (int64_t)s),
          "%s: mutual flag of source %zu", context, s);
  }
  for (size_t t = 0; t < tgt->num_clusters; ++t) {
    const int64_t row = tgt->pair_index[t];
    CHECK((row < 0) == (tgt->nearest[t] < 0), "%s: pair index of target %zu", context, t);
    if (row >= 0)
      CHECK(r->pairs[row].target == (int64_t)t && r->pairs[row].source == tgt->nearest[t],
            "%s: pair index of target %zu points at the wrong row", context, t);
  }
}

static void verify_points(const scipar_cloud *cloud, const scipar_side *side, const oracle_clusters *oracle,
                          const char *context)
{
  size_t excluded = 0, skipped = 0;
  for (size_t i = 0; i < cloud->num_points; ++i) {
    const double *p = cloud->points + 3 * i;
    const int skip = cloud->skip && cloud->skip[i];
    const int finite = isfinite(p[0]) && isfinite(p[1]) && isfinite(p[2]);
    skipped += skip;
    excluded += !skip && !finite;
    const int64_t c = side->point_cluster[i];
    if (skip || !finite)
      CHECK(c == -1, "%s: %s point %zu in cluster %lld", context, skip ? "skipped" : "non-finite", i, (long long)c);
    else
      CHECK(c >= 0 && (size_t)c < side->num_clusters && side->cluster_ids[c] == cloud->labels[i],
            "%s: point %zu in the wrong cluster", context, i);
  }
  CHECK(side->num_excluded_points == excluded, "%s: %zu excluded points, expected %zu", context,
        side->num_excluded_points, excluded);
  CHECK(side->num_skipped_points == skipped, "%s: %zu skipped points, expected %zu", context,
        side->num_skipped_points, skipped);
  for (size_t k = 0; k < side->num_clusters && k < oracle->k; ++k) {
    CHECK(side->cluster_offsets[k + 1] - side->cluster_offsets[k] == side->cluster_sizes[k],
          "%s: offsets of cluster %zu", context, k);
    double sum[3] = {0, 0, 0};
    for (int64_t at = side->cluster_offsets[k]; at < side->cluster_offsets[k + 1]; ++at) {
      const int64_t i = side->cluster_point_ids[at];
      CHECK(side->point_cluster[i] == (int64_t)k, "%s: cell of cluster %zu holds point %lld of another", context,
            k, (long long)i);
      if (at > side->cluster_offsets[k])
        CHECK(side->cluster_point_ids[at - 1] < i, "%s: cluster %zu points out of input order", context, k);
    }
    for (size_t i = 0; i < oracle->c[k].n; ++i)
      for (int d = 0; d < 3; ++d)
        sum[d] += oracle->c[k].xyz[3 * i + d];
    for (int d = 0; d < 3; ++d)
      CHECK(close_to(side->centroids[3 * k + d], sum[d] / (double)oracle->c[k].n, 1e-12),
            "%s: centroid of cluster %zu", context, k);
  }
}

void verify_result(const scipar_cloud *source, const scipar_cloud *target, const scipar_options *options,
                   const scipar_result *result, const char *context)
{
  oracle_clusters src = oracle_group(source);
  oracle_clusters tgt = oracle_group(target);
  double *matrix = oracle_matrix(&src, &tgt, options->metric, options->squared);
  verify_side(&result->source, &src, &tgt, matrix, 0, options->max_pair_distance, context, "source");
  verify_side(&result->target, &tgt, &src, matrix, 1, options->max_pair_distance, context, "target");
  if (result->source.num_clusters == src.k && result->target.num_clusters == tgt.k) {
    verify_pairs_table(result, context);
    verify_points(source, &result->source, &src, context);
    verify_points(target, &result->target, &tgt, context);
  }
  free(matrix);
  oracle_free(&src);
  oracle_free(&tgt);
}

static int same_side(const scipar_side *a, const scipar_side *b, size_t points)
{
  const size_t k = a->num_clusters;
  return a->num_clusters == b->num_clusters && !memcmp(a->cluster_ids, b->cluster_ids, k * 8) &&
         !memcmp(a->nearest, b->nearest, k * 8) && !memcmp(a->nearest_distance, b->nearest_distance, k * 8) &&
         !memcmp(a->mutual, b->mutual, k) && !memcmp(a->pair_index, b->pair_index, k * 8) &&
         !memcmp(a->centroids, b->centroids, 3 * k * 8) && !memcmp(a->point_cluster, b->point_cluster, points * 8);
}

int results_identical(const scipar_result *a, const scipar_result *b, size_t source_points, size_t target_points)
{
  if (!same_side(&a->source, &b->source, source_points) || !same_side(&a->target, &b->target, target_points) ||
      a->num_pairs != b->num_pairs)
    return 0;
  for (size_t p = 0; p < a->num_pairs; ++p) {
    const scipar_pair *x = &a->pairs[p], *y = &b->pairs[p];
    if (x->source != y->source || x->target != y->target || memcmp(&x->distance, &y->distance, 8) ||
        x->source_to_target != y->source_to_target || x->target_to_source != y->target_to_source ||
        x->mutual != y->mutual)
      return 0;
  }
  return 1;
}
