/* This rank's scipar_result: each side lists its local clusters with their answers and, as
 * references, the clusters those answers and this rank's rows name; the rows are this rank's share
 * of the pairs table. */
#include "distributed/distributed.h"
#include "call/scale.h"
#include "pairing/pairing.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct entry {
  int64_t id;
  int64_t count;
  double centroid[3];
  int64_t local; /* index among this rank's clusters, -1 for a reference */
} entry;

static int by_id(const void *pa, const void *pb)
{
  const entry *a = pa, *b = pb;
  return (a->id > b->id) - (a->id < b->id);
}

static entry entry_of(int64_t id, int64_t count, const double *centroid, int64_t local)
{
  entry e = {id, count, {centroid[0], centroid[1], centroid[2]}, local};
  return e;
}

/* The clusters one side lists, by id, each once. */
static entry *side_entries(const rank_state *s, int cloud, size_t *count)
{
  const cloud_state *c = &s->clouds[cloud], *other = &s->clouds[1 - cloud];
  const size_t local = c->local.num_clusters;
  const size_t most = local + other->local.num_clusters + (cloud == CLOUD_SOURCE ? s->num_rows : 0);
  entry *entries = malloc((most + 1) * sizeof *entries);
  entry *merged = malloc((most + 1) * sizeof *merged);
  if (!entries || !merged) {
    free(entries);
    free(merged);
    return NULL;
  }
  size_t n = 0;
  for (size_t i = 0; i < local; ++i)
    entries[n++] = entry_of(c->local.ids[i], c->answers[i].count, c->answers[i].centroid, (int64_t)i);
  /* A cluster named that has points here is listed already: only the others are references (the few
   * near the region's boundaries, owned elsewhere), so only they are sorted. */
  for (size_t j = 0; j < other->local.num_clusters; ++j) {
    const answer_record *a = &other->answers[j];
    if (a->paired && local_index(c, a->nearest) < 0)
      entries[n++] = entry_of(a->nearest, a->partner_count, a->partner_centroid, -1);
  }
  if (cloud == CLOUD_SOURCE)
    for (size_t r = 0; r < s->num_rows; ++r)
      if (local_index(c, s->rows[r].source) < 0)
        entries[n++] = entry_of(s->rows[r].source, s->rows[r].source_count, s->rows[r].source_centroid, -1);
  /* The local clusters are by id already: the references are sorted, then merged in; each id is kept
   * once. */
  qsort(entries + local, n - local, sizeof *entries, by_id);
  size_t kept = 0;
  for (size_t i = 0, j = local; i < local || j < n;) {
    const entry *next = j == n || (i < local && entries[i].id <= entries[j].id) ? &entries[i++] : &entries[j++];
    if (kept == 0 || merged[kept - 1].id != next->id)
      merged[kept++] = *next;
  }
  free(entries);
  *count = kept;
  return merged;
}

static int64_t index_of(const scipar_side *side, int64_t id)
{
  size_t lo = 0, hi = side->num_clusters;
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (side->cluster_ids[mid] < id)
      lo = mid + 1;
    else
      hi = mid;
  }
  return (int64_t)lo;
}

/* The per-cluster arrays but nearest, and this rank's points moved in from the local grouping. */
static scipar_status fill_side(cloud_state *c, const entry *entries, size_t k, scipar_side *side)
{
  if (side_allocate_clusters(side, k) != SCIPAR_OK)
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  /* entry_of_local[-1] is -1: a point in no cluster stays in none, without a branch per point. */
  int64_t *const slots = malloc((c->local.num_clusters + 1) * sizeof *slots);
  if (!slots)
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  slots[0] = -1;
  int64_t *const entry_of_local = slots + 1;
  side->cluster_offsets[0] = 0;
  for (size_t e = 0; e < k; ++e) {
    side->cluster_ids[e] = entries[e].id;
    side->cluster_sizes[e] = entries[e].count;
    memcpy(side->centroids + 3 * e, entries[e].centroid, sizeof entries[e].centroid);
    const int64_t i = entries[e].local;
    side->cluster_offsets[e + 1] = side->cluster_offsets[e] + (i >= 0 ? cluster_set_size(&c->local, (size_t)i) : 0);
    if (i >= 0)
      entry_of_local[i] = (int64_t)e;
  }
  /* Local clusters keep their order among the entries, so the local grouping's point order is the
   * side's: only the cluster indices change. */
  side->cluster_point_ids = c->local.point_ids;
  side->point_cluster = c->local.point_cluster;
  c->local.point_ids = NULL;
  c->local.point_cluster = NULL;
  side->num_excluded_points = c->local.num_excluded;
  side->num_skipped_points = c->local.num_skipped;
  const size_t n = (size_t)side->cluster_offsets[k] + side->num_excluded_points + side->num_skipped_points;
  int64_t *const point_cluster = side->point_cluster;
  for (size_t p = 0; p < n; ++p)
    point_cluster[p] = entry_of_local[point_cluster[p]];
  free(slots);
  return SCIPAR_OK;
}

static void fill_answers(const cloud_state *c, const entry *entries, scipar_side *side, const scipar_side *other)
{
  for (size_t e = 0; e < side->num_clusters; ++e) {
    const int64_t i = entries[e].local;
    const answer_record *a = i >= 0 ? &c->answers[i] : NULL;
    const int paired = a && a->paired;
    side->nearest[e] = paired ? index_of(other, a->nearest) : -1;
    side->nearest_distance[e] = paired ? a->distance : NAN;
    side->mutual[e] = paired && a->mutual;
    side->pair_index[e] = paired ? a->pair_index : -1;
  }
}

static scipar_status fill_pairs(const rank_state *s, scipar_result *result)
{
  result->pairs = malloc((s->num_rows + 1) * sizeof *result->pairs);
  if (!result->pairs)
    return SCIPAR_ERROR_OUT_OF_MEMORY;
  for (size_t r = 0; r < s->num_rows; ++r) {
    const pair_row *row = &s->rows[r];
    result->pairs[r] = (scipar_pair){index_of(&result->source, row->source), index_of(&result->target, row->target),
                                     row->distance, row->source_to_target, row->target_to_source,
                                     (unsigned char)(row->source_to_target && row->target_to_source)};
  }
  result->num_pairs = s->num_rows;
  result->first_pair = s->first_row;
  if (s->exponent != 0)
    for (size_t r = 0; r < s->num_rows; ++r)
      result->pairs[r].distance =
        times_power_of_two(result->pairs[r].distance, s->options->squared ? -2 * s->exponent : -s->exponent);
  return SCIPAR_OK;
}

scipar_status result_build(rank_state *s, scipar_result *result)
{
  size_t k[2];
  entry *entries[2] = {side_entries(s, CLOUD_SOURCE, &k[0]), side_entries(s, CLOUD_TARGET, &k[1])};
  scipar_side *sides[2] = {&result->source, &result->target};
  scipar_status status = entries[0] && entries[1] ? SCIPAR_OK : SCIPAR_ERROR_OUT_OF_MEMORY;
  for (int cloud = 0; cloud < 2 && status == SCIPAR_OK; ++cloud)
    status = fill_side(&s->clouds[cloud], entries[cloud], k[cloud], sides[cloud]);
  if (status == SCIPAR_OK) {
    for (int cloud = 0; cloud < 2; ++cloud) {
      fill_answers(&s->clouds[cloud], entries[cloud], sides[cloud], sides[1 - cloud]);
      side_unscale(sides[cloud], s->exponent, s->options->squared);
    }
    status = fill_pairs(s, result);
  }
  free(entries[0]);
  free(entries[1]);
  return status;
}
