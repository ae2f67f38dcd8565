/* scipar_match_distributed under MPI (run it with mpiexec -n 1, 2, 3, 8): for random clouds split over
 * the ranks in several ways (round robin, so that every cluster is split; contiguous blocks; all on
 * one rank, so that the others are empty; random; random with ghost copies of other ranks' points,
 * flagged to be skipped), the ranks' results together must equal the serial scipar_match on the
 * whole clouds: every cluster answered where its points are, with the same nearest cluster up to
 * near-ties, the same distance to rounding, consistent mutual flags; the ranks' pairs rows in rank
 * order the whole table, each cluster's pair_index pointing at its row; each rank listing only its
 * own clusters and the ones they refer to. And when clusters stay whole on their ranks, a rank's
 * traffic does not grow with the number of clusters of the other ranks. */
#include "check.h"
#include "oracle.h"
#include "random_cloud.h"
#include "scipar_mpi.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef enum split { SPLIT_ROUND_ROBIN, SPLIT_BLOCKS, SPLIT_ONE_RANK, SPLIT_RANDOM, SPLIT_GHOSTS, SPLIT_COUNT } split;

static int owner_of(size_t i, size_t n, split how, int size, uint64_t salt)
{
  switch (how) {
  case SPLIT_ROUND_ROBIN: return (int)(i % (size_t)size);
  case SPLIT_BLOCKS: return (int)(i * (size_t)size / n);
  case SPLIT_ONE_RANK: return size - 1;
  default: {
    rng r = {i ^ salt};
    return (int)rng_below(&r, (size_t)size);
  }
  }
}

/* A rank's piece of a cloud: its points, and with SPLIT_GHOSTS also copies of about a third of the
 * other ranks' points, flagged in skip (the caller frees it). */
typedef struct piece {
  test_cloud cloud;
  unsigned char *skip;
} piece;

static piece piece_of(const test_cloud *all, split how, int rank, int size, uint64_t salt)
{
  piece p = {{malloc(3 * all->n * sizeof(double) + 1), malloc(all->n * sizeof(int64_t) + 1), 0}, calloc(all->n + 1, 1)};
  for (size_t i = 0; i < all->n; ++i) {
    const int mine = owner_of(i, all->n, how, size, salt) == rank;
    rng r = {i ^ ~salt};
    const int ghost = how == SPLIT_GHOSTS && !mine && rng_below(&r, 3) == 0;
    if (!mine && !ghost)
      continue;
    memcpy(p.cloud.points + 3 * p.cloud.n, all->points + 3 * i, 3 * sizeof(double));
    p.cloud.labels[p.cloud.n] = all->labels[i];
    p.skip[p.cloud.n++] = (unsigned char)ghost;
  }
  return p;
}

static void piece_free(piece *p)
{
  test_cloud_free(&p->cloud);
  free(p->skip);
}

static int close_to(double a, double b, double tolerance)
{
  return fabs(a - b) <= tolerance * fmax(1.0, fmax(fabs(a), fabs(b)));
}

/* Index of id in a side, or -1. */
static int64_t find_id(const scipar_side *side, int64_t id)
{
  size_t lo = 0, hi = side->num_clusters;
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (side->cluster_ids[mid] < id)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < side->num_clusters && side->cluster_ids[lo] == id ? (int64_t)lo : -1;
}

static int holds_usable_point(const piece *p, int64_t id)
{
  for (size_t i = 0; i < p->cloud.n; ++i)
    if (p->cloud.labels[i] == id && !p->skip[i])
      return 1;
  return 0;
}

/* One rank's side: the clusters with usable points here (with results), the others references;
 * every entry a cluster of the serial result with its global size and centroid; its points grouped
 * under the right clusters, ghosts skipped. */
static void check_side_shape(const scipar_side *got, const scipar_side *want, const piece *p, const char *what)
{
  size_t local = 0, expected_local = 0;
  for (size_t c = 0; c < want->num_clusters; ++c)
    expected_local += (size_t)holds_usable_point(p, want->cluster_ids[c]);
  for (size_t c = 0; c < got->num_clusters; ++c) {
    CHECK(c == 0 || got->cluster_ids[c - 1] < got->cluster_ids[c], "%s: entries ascend", what);
    const int64_t w = find_id(want, got->cluster_ids[c]);
    CHECK(w >= 0, "%s: entry %lld is no cluster of the whole cloud", what, (long long)got->cluster_ids[c]);
    if (w < 0)
      continue;
    CHECK(got->cluster_sizes[c] == want->cluster_sizes[w], "%s: cluster %lld size %lld, serial %lld", what,
          (long long)got->cluster_ids[c], (long long)got->cluster_sizes[c], (long long)want->cluster_sizes[w]);
    for (int d = 0; d < 3; ++d)
      CHECK(close_to(got->centroids[3 * c + d], want->centroids[3 * w + d], 1e-12), "%s: centroid %zu", what, c);
    const int is_local = got->cluster_offsets[c + 1] > got->cluster_offsets[c];
    local += (size_t)is_local;
    CHECK(is_local == holds_usable_point(p, got->cluster_ids[c]), "%s: cluster %lld local %d", what,
          (long long)got->cluster_ids[c], is_local);
    if (!is_local)
      CHECK(got->nearest[c] == -1 && isnan(got->nearest_distance[c]) && got->mutual[c] == 0 && got->pair_index[c] == -1,
            "%s: reference %lld carries no result", what, (long long)got->cluster_ids[c]);
  }
  CHECK(local == expected_local, "%s: %zu local clusters listed, %zu expected", what, local, expected_local);
  size_t grouped = 0, skipped = 0;
  for (size_t i = 0; i < p->cloud.n; ++i)
    skipped += p->skip[i];
  for (size_t c = 0; c < got->num_clusters; ++c)
    for (int64_t at = got->cluster_offsets[c]; at < got->cluster_offsets[c + 1]; ++at, ++grouped) {
      const int64_t i = got->cluster_point_ids[at];
      CHECK(i >= 0 && (size_t)i < p->cloud.n && !p->skip[i] && got->point_cluster[i] == (int64_t)c &&
              got->cluster_ids[c] == p->cloud.labels[i],
            "%s: local point %lld grouped under cluster %zu", what, (long long)i, c);
    }
  for (size_t i = 0; i < p->cloud.n; ++i)
    if (p->skip[i])
      CHECK(got->point_cluster[i] == -1, "%s: ghost point %zu is in no cluster", what, i);
  CHECK(got->num_skipped_points == skipped, "%s: %zu skipped, %zu ghosts", what, got->num_skipped_points, skipped);
  CHECK(grouped == p->cloud.n - skipped - got->num_excluded_points, "%s: %zu local points grouped of %zu", what,
        grouped, p->cloud.n);
}

/* A reference must be named by a local cluster's nearest or by one of this rank's rows. */
static void check_references(const scipar_result *r, const char *what)
{
  const scipar_side *sides[2] = {&r->source, &r->target};
  for (int s = 0; s < 2; ++s) {
    const scipar_side *side = sides[s], *other = sides[1 - s];
    for (size_t c = 0; c < side->num_clusters; ++c) {
      if (side->cluster_offsets[c + 1] > side->cluster_offsets[c])
        continue;
      int named = 0;
      for (size_t o = 0; o < other->num_clusters && !named; ++o)
        named = other->cluster_offsets[o + 1] > other->cluster_offsets[o] && other->nearest[o] == (int64_t)c;
      for (size_t p = 0; p < r->num_pairs && !named; ++p)
        named = (s == 0 ? r->pairs[p].source : r->pairs[p].target) == (int64_t)c;
      CHECK(named, "%s: reference %lld named by nothing here", what, (long long)side->cluster_ids[c]);
    }
  }
}

/* What every rank says of its local clusters, and its rows, gathered on every rank. */
typedef struct said {
  int64_t side, id, paired, nearest, mutual, pair_index; /* ids take any value: paired says if nearest is one */
  double distance;
} said;

typedef struct row {
  int64_t source, target, flags; /* 1: source to target, 2: target to source, 4: mutual */
  double distance;
} row;

static void *gather_all(const void *mine, size_t bytes, size_t *total_bytes, int64_t *first_of_mine, size_t unit)
{
  int size, rank;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  int *counts = malloc((size_t)size * sizeof *counts), *displs = malloc((size_t)size * sizeof *displs);
  const int count = (int)bytes;
  MPI_Allgather(&count, 1, MPI_INT, counts, 1, MPI_INT, MPI_COMM_WORLD);
  size_t total = 0;
  for (int r = 0; r < size; ++r) {
    displs[r] = (int)total;
    if (r == rank && first_of_mine)
      *first_of_mine = (int64_t)(total / unit);
    total += (size_t)counts[r];
  }
  void *all = malloc(total + 1);
  MPI_Allgatherv(mine, count, MPI_BYTE, all, counts, displs, MPI_BYTE, MPI_COMM_WORLD);
  free(counts);
  free(displs);
  *total_bytes = total;
  return all;
}

static int said_by_side_id(const void *pa, const void *pb)
{
  const said *a = pa, *b = pb;
  if (a->side != b->side)
    return a->side < b->side ? -1 : 1;
  return (a->id > b->id) - (a->id < b->id);
}

static int row_by_ids(const void *pa, const void *pb)
{
  const row *a = pa, *b = pb;
  if (a->source != b->source)
    return a->source < b->source ? -1 : 1;
  return (a->target > b->target) - (a->target < b->target);
}

/* The answer of (side, id) among the gathered ones, or NULL. */
static const said *answer_of(const said *all, size_t n, int64_t side, int64_t id)
{
  const said key = {side, id, 0, 0, 0, 0, 0.0};
  return bsearch(&key, all, n, sizeof *all, said_by_side_id);
}

/* The ranks' answers and rows together: each cluster answered the same wherever it is local, as the
 * serial run (up to near-ties, checked on the oracle's values), the rows the table those answers
 * make, in rank order, and pair_index and mutual consistent with it. */
static void check_together(const scipar_result *got, const scipar_result *serial, const oracle_clusters *osrc,
                           const oracle_clusters *otgt, const scipar_options *options, const char *what)
{
  const scipar_side *sides[2] = {&got->source, &got->target};
  size_t n = 0;
  said *mine = malloc((got->source.num_clusters + got->target.num_clusters + 1) * sizeof *mine);
  for (int s = 0; s < 2; ++s)
    for (size_t c = 0; c < sides[s]->num_clusters; ++c)
      if (sides[s]->cluster_offsets[c + 1] > sides[s]->cluster_offsets[c]) {
        const int64_t near = sides[s]->nearest[c];
        mine[n++] = (said){s, sides[s]->cluster_ids[c], near >= 0, near >= 0 ? sides[1 - s]->cluster_ids[near] : 0,
                           sides[s]->mutual[c], sides[s]->pair_index[c], sides[s]->nearest_distance[c]};
      }
  row *my_rows = malloc((got->num_pairs + 1) * sizeof *my_rows);
  for (size_t p = 0; p < got->num_pairs; ++p) {
    const scipar_pair *q = &got->pairs[p];
    my_rows[p] = (row){got->source.cluster_ids[q->source], got->target.cluster_ids[q->target],
                       q->source_to_target | q->target_to_source << 1 | q->mutual << 2, q->distance};
  }
  size_t bytes;
  int64_t first = 0;
  said *all = gather_all(mine, n * sizeof *mine, &bytes, NULL, sizeof *mine);
  size_t num_all = bytes / sizeof *all;
  row *table = gather_all(my_rows, got->num_pairs * sizeof *my_rows, &bytes, &first, sizeof *my_rows);
  const size_t rows = bytes / sizeof *table;
  CHECK(got->first_pair == first, "%s: first_pair %lld, %lld rows on the ranks before", what,
        (long long)got->first_pair, (long long)first);
  /* One answer per cluster: the same wherever the cluster is local. */
  qsort(all, num_all, sizeof *all, said_by_side_id);
  size_t kept = 0;
  for (size_t i = 0; i < num_all; ++i) {
    if (kept > 0 && said_by_side_id(&all[kept - 1], &all[i]) == 0) {
      const said *a = &all[kept - 1], *b = &all[i];
      CHECK(a->paired == b->paired && a->nearest == b->nearest && a->mutual == b->mutual && a->pair_index == b->pair_index &&
              (a->distance == b->distance || (isnan(a->distance) && isnan(b->distance))),
            "%s: ranks answer differently for cluster %lld", what, (long long)a->id);
      continue;
    }
    all[kept++] = all[i];
  }
  num_all = kept;
  const scipar_side *want[2] = {&serial->source, &serial->target};
  const oracle_clusters *oracles[2] = {osrc, otgt};
  int same_choices = 1;
  for (int s = 0; s < 2; ++s)
    for (size_t c = 0; c < want[s]->num_clusters; ++c) {
      const said *a = answer_of(all, num_all, s, want[s]->cluster_ids[c]);
      CHECK(a != NULL, "%s: side %d cluster %lld answered on no rank", what, s, (long long)want[s]->cluster_ids[c]);
      if (!a)
        continue;
      const int64_t w = want[s]->nearest[c];
      const int64_t want_id = w >= 0 ? want[1 - s]->cluster_ids[w] : 0;
      if (a->paired == (w >= 0) && a->nearest == want_id) {
        if (w >= 0)
          CHECK(close_to(a->distance, want[s]->nearest_distance[c], 1e-12), "%s: side %d cluster %zu distance %.17g, serial %.17g",
                what, s, c, a->distance, want[s]->nearest_distance[c]);
        continue;
      }
      same_choices = 0;
      /* A different choice is right only when the two candidates' values tie to rounding. */
      CHECK(a->paired && w >= 0, "%s: side %d cluster %zu paired in one run only", what, s, c);
      if (!a->paired || w < 0)
        continue;
      const int64_t g = find_id(want[1 - s], a->nearest);
      const oracle_cluster *self = &oracles[s]->c[c], *x = &oracles[1 - s]->c[g], *y = &oracles[1 - s]->c[w];
      const double vx = s == 0 ? oracle_chamfer(self, x, options->metric, options->squared)
                               : oracle_chamfer(x, self, options->metric, options->squared);
      const double vy = s == 0 ? oracle_chamfer(self, y, options->metric, options->squared)
                               : oracle_chamfer(y, self, options->metric, options->squared);
      CHECK(close_to(vx, vy, 1e-9), "%s: side %d cluster %zu chose %lld (%.17g), serial %lld (%.17g)", what, s, c,
            (long long)a->nearest, vx, (long long)want_id, vy);
    }
  CHECK(num_all == want[0]->num_clusters + want[1]->num_clusters, "%s: %zu clusters answered, %zu in all", what,
        num_all, want[0]->num_clusters + want[1]->num_clusters);
  /* The table the answers make: (a, nearest of a) and (nearest of b, b), merged when both. */
  row *expected = malloc((num_all + 1) * sizeof *expected);
  size_t m = 0;
  for (size_t i = 0; i < num_all; ++i) {
    const said *a = &all[i];
    if (!a->paired)
      continue;
    const said *back = answer_of(all, num_all, 1 - a->side, a->nearest);
    const int mutual = back && back->paired && back->nearest == a->id;
    CHECK(a->mutual == mutual, "%s: side %lld cluster %lld mutual %lld", what, (long long)a->side, (long long)a->id,
          (long long)a->mutual);
    if (mutual && a->side == 1)
      continue; /* its row is the source's */
    expected[m++] = a->side == 0 ? (row){a->id, a->nearest, 1 | (mutual ? 6 : 0), a->distance}
                                 : (row){a->nearest, a->id, 2, a->distance};
    CHECK(a->pair_index >= 0 && (size_t)a->pair_index < rows &&
            table[a->pair_index].source == (a->side == 0 ? a->id : a->nearest) &&
            table[a->pair_index].target == (a->side == 0 ? a->nearest : a->id),
          "%s: side %lld cluster %lld pair_index %lld", what, (long long)a->side, (long long)a->id,
          (long long)a->pair_index);
    if (back && mutual)
      CHECK(back->pair_index == a->pair_index, "%s: a mutual pair shares its row", what);
  }
  CHECK(rows == m, "%s: %zu rows over the ranks, the answers make %zu", what, rows, m);
  if (same_choices)
    CHECK(rows == serial->num_pairs, "%s: %zu rows, serial %zu", what, rows, serial->num_pairs);
  qsort(expected, m, sizeof *expected, row_by_ids);
  row *sorted = malloc((rows + 1) * sizeof *sorted);
  memcpy(sorted, table, rows * sizeof *sorted);
  qsort(sorted, rows, sizeof *sorted, row_by_ids);
  for (size_t i = 0; i < rows && i < m; ++i)
    CHECK(sorted[i].source == expected[i].source && sorted[i].target == expected[i].target &&
            sorted[i].flags == expected[i].flags && close_to(sorted[i].distance, expected[i].distance, 1e-12),
          "%s: row %zu (%lld, %lld) flags %lld, expected (%lld, %lld) flags %lld", what, i,
          (long long)sorted[i].source, (long long)sorted[i].target, (long long)sorted[i].flags,
          (long long)expected[i].source, (long long)expected[i].target, (long long)expected[i].flags);
  /* Each rank's rows are sorted. */
  for (size_t p = 1; p < got->num_pairs; ++p)
    CHECK(row_by_ids(&my_rows[p - 1], &my_rows[p]) < 0, "%s: this rank's rows are sorted", what);
  free(sorted);
  free(expected);
  free(mine);
  free(my_rows);
  free(all);
  free(table);
}

static void run_cases(const scipar_comm *comm)
{
  rng r = {424242};
  const cloud_spec specs[] = {
    {30, 60, 20.0, 1.0, LABELS_SPARSE},
    {6, 900, 10.0, 1.5, LABELS_SEQUENTIAL}, /* large clusters: k-d trees on every rank */
    {5, 2500, 6.0, 1.5, LABELS_SPARSE},     /* clusters of 1,024 points or more: seeded, and searched */
    {5, 2500, 40.0, 0.5, LABELS_SPARSE},    /* among the owned clusters after the copies; apart, they
                                               have no seed (no candidate's lower bound is 0) */
  };
  for (size_t s = 0; s < sizeof specs / sizeof *specs; ++s) {
    for (int c = 0; c < 4; ++c) {
      /* Every rank draws the same clouds. */
      test_cloud source = random_cloud(&r, &specs[s]);
      test_cloud target = c % 2 ? random_cloud(&r, &specs[s]) : moved_cloud(&r, &source, 0.4);
      const uint64_t salt = rng_next(&r);
      const scipar_cloud whole_src = as_scipar(&source), whole_tgt = as_scipar(&target);
      oracle_clusters osrc = oracle_group(&whole_src), otgt = oracle_group(&whole_tgt);
      for (int metric = 0; metric < 4; ++metric) {
        scipar_options options;
        scipar_options_init(&options);
        options.metric = (scipar_metric)metric;
        options.squared = c == 3;
        options.max_pair_distance = c == 2 ? 1.5 : 0.0;
        scipar_result serial;
        CHECK(scipar_match(&whole_src, &whole_tgt, &options, &serial) == SCIPAR_OK, "serial run");
        for (int how = 0; how < SPLIT_COUNT; ++how) {
          piece src_piece = piece_of(&source, (split)how, comm->rank, comm->size, salt);
          piece tgt_piece = piece_of(&target, how == SPLIT_GHOSTS ? SPLIT_GHOSTS : (split)((how + 1) % (SPLIT_RANDOM + 1)),
                                     comm->rank, comm->size, ~salt);
          const scipar_cloud ps = {src_piece.cloud.points, src_piece.cloud.labels, src_piece.cloud.n, src_piece.skip};
          const scipar_cloud pt = {tgt_piece.cloud.points, tgt_piece.cloud.labels, tgt_piece.cloud.n, tgt_piece.skip};
          scipar_result distributed;
          char what[160];
          snprintf(what, sizeof what, "rank %d/%d spec %zu case %d metric %d split %d", comm->rank, comm->size, s, c,
                   metric, how);
          const scipar_status status = scipar_match_distributed(&ps, &pt, &options, comm, &distributed);
          CHECK(status == SCIPAR_OK, "%s: %s", what, distributed.message);
          int ok = status == SCIPAR_OK;
          MPI_Allreduce(MPI_IN_PLACE, &ok, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
          if (ok) {
            check_side_shape(&distributed.source, &serial.source, &src_piece, what);
            check_side_shape(&distributed.target, &serial.target, &tgt_piece, what);
            check_references(&distributed, what);
            check_together(&distributed, &serial, &osrc, &otgt, &options, what);
          }
          scipar_result_free(&distributed);
          piece_free(&src_piece);
          piece_free(&tgt_piece);
        }
        scipar_result_free(&serial);
      }
      oracle_free(&osrc);
      oracle_free(&otgt);
      test_cloud_free(&source);
      test_cloud_free(&target);
    }
  }
}

/* Clusters in a row along x, each rank holding a slab of them whole: a rank's traffic is its own
 * clusters' claims to their directories (24 bytes a cluster and cloud), the regions (96 bytes a
 * rank) and its neighbours' boundary clusters, however many ranks there are; gathering every
 * cluster's summary and answer would grow with them, and so would sending each cluster's summary to
 * its directory and back (256 bytes a cluster and cloud). */
static void check_traffic(MPI_Comm world)
{
  enum { PER_RANK = 100, POINTS = 4 };
  scipar_mpi_storage storage;
  const scipar_comm comm = scipar_mpi_comm(world, &storage);
  test_cloud clouds[2];
  rng r = {77};
  for (int t = 0; t < 2; ++t) {
    clouds[t] = (test_cloud){malloc(3 * PER_RANK * POINTS * sizeof(double)), malloc(PER_RANK * POINTS * sizeof(int64_t)),
                             PER_RANK * POINTS};
    for (size_t c = 0; c < PER_RANK; ++c)
      for (size_t i = 0; i < POINTS; ++i) {
        const size_t at = c * POINTS + i;
        const double x = 10.0 * (double)(comm.rank * PER_RANK + (int)c);
        const double p[3] = {x + 0.1 * rng_normal(&r) + 0.05 * t, 0.1 * rng_normal(&r), 0.1 * rng_normal(&r)};
        memcpy(clouds[t].points + 3 * at, p, sizeof p);
        clouds[t].labels[at] = (int64_t)(comm.rank * PER_RANK) + (int64_t)c;
      }
  }
  scipar_result result;
  const scipar_cloud s = as_scipar(&clouds[0]), t = as_scipar(&clouds[1]);
  CHECK(scipar_match_distributed(&s, &t, NULL, &comm, &result) == SCIPAR_OK, "slabs: %s", result.message);
  const uint64_t most = 150 * PER_RANK;
  CHECK(storage.stats.bytes_received <= most, "rank %d of %d received %llu bytes for %d clusters of its own (at most %llu)",
        comm.rank, comm.size, (unsigned long long)storage.stats.bytes_received, PER_RANK, (unsigned long long)most);
  CHECK(result.source.num_clusters <= PER_RANK + 2 && result.target.num_clusters <= PER_RANK + 2,
        "rank %d lists %zu + %zu clusters for %d of its own", comm.rank, result.source.num_clusters,
        result.target.num_clusters, PER_RANK);
  scipar_result_free(&result);
  test_cloud_free(&clouds[0]);
  test_cloud_free(&clouds[1]);
  scipar_mpi_comm_free(&storage);
}

static int cancel(double fraction, void *user_data)
{
  (void)fraction;
  (void)user_data;
  return 1;
}

/* A rank that cannot go on (bad input, or its progress callback cancels) stops every rank instead of
 * leaving them waiting: each returns an error, the others' saying another process failed. */
/* Exact ties across ranks: a cluster whose nearest owned cluster ties, to the bit, with one owned
 * by the next rank takes the smaller id, as one process does (ranks 0 and 1 hold one-point clusters
 * half a unit either side of x = 10; the other ranks hold nothing). */
static void check_ties(const scipar_comm *comm)
{
  typedef struct placed {
    int side, rank;
    int64_t id;
    double x, y;
  } placed;
  const placed all[] = {
    {0, 0, 100, 9.5, 0.0},  {1, 0, 7, 9.0, 0.0},   {1, 1, 3, 10.0, 0.0},   /* the other rank's id is smaller */
    {0, 0, 101, 9.5, 50.0}, {1, 0, 2, 9.0, 50.0},  {1, 1, 9, 10.0, 50.0},  /* this rank's id is smaller */
    {1, 1, 11, 10.5, 90.0}, {0, 1, 12, 11.0, 90.0}, {0, 0, 5, 10.0, 90.0}, /* the same for a target */
  };
  enum { N = sizeof all / sizeof *all };
  double points[2][2][3 * N];
  int64_t labels[2][2][N];
  size_t count[2][2] = {{0, 0}, {0, 0}};
  for (size_t i = 0; i < N; ++i)
    for (int whole = 0; whole < 2; ++whole)
      if (whole || all[i].rank == comm->rank) {
        size_t *n = &count[whole][all[i].side];
        double *p = &points[whole][all[i].side][3 * *n];
        p[0] = all[i].x, p[1] = all[i].y, p[2] = 0.0;
        labels[whole][all[i].side][(*n)++] = all[i].id;
      }
  scipar_cloud clouds[2][2];
  for (int whole = 0; whole < 2; ++whole)
    for (int side = 0; side < 2; ++side)
      clouds[whole][side] = (scipar_cloud){points[whole][side], labels[whole][side], count[whole][side], NULL};
  scipar_result serial, got;
  CHECK(scipar_match(&clouds[1][0], &clouds[1][1], NULL, &serial) == SCIPAR_OK, "ties: serial run");
  CHECK(scipar_match_distributed(&clouds[0][0], &clouds[0][1], NULL, comm, &got) == SCIPAR_OK, "ties: %s", got.message);
  const scipar_side *want[2] = {&serial.source, &serial.target}, *sides[2] = {&got.source, &got.target};
  for (int s = 0; s < 2; ++s)
    for (size_t c = 0; c < sides[s]->num_clusters; ++c) {
      if (sides[s]->cluster_offsets[c + 1] == sides[s]->cluster_offsets[c])
        continue; /* a reference, not held here */
      const int64_t w = find_id(want[s], sides[s]->cluster_ids[c]), near = sides[s]->nearest[c];
      const int64_t want_near = want[s]->nearest[w];
      CHECK(near >= 0 && want_near >= 0 &&
              sides[1 - s]->cluster_ids[near] == want[1 - s]->cluster_ids[want_near] &&
              sides[s]->nearest_distance[c] == want[s]->nearest_distance[w],
            "ties, rank %d: side %d cluster %lld chose %lld, one process %lld", comm->rank, s,
            (long long)sides[s]->cluster_ids[c], (long long)(near >= 0 ? sides[1 - s]->cluster_ids[near] : -1),
            (long long)(want_near >= 0 ? want[1 - s]->cluster_ids[want_near] : -1));
    }
  scipar_result_free(&serial);
  scipar_result_free(&got);
}

static void check_failures(const scipar_comm *comm)
{
  rng r = {5};
  const cloud_spec spec = {20, 30, 10.0, 1.0, LABELS_SEQUENTIAL};
  test_cloud source = random_cloud(&r, &spec);
  test_cloud target = moved_cloud(&r, &source, 0.3);
  piece ps = piece_of(&source, SPLIT_ROUND_ROBIN, comm->rank, comm->size, 0);
  piece pt = piece_of(&target, SPLIT_ROUND_ROBIN, comm->rank, comm->size, 0);
  const int last = comm->rank == comm->size - 1;
  scipar_cloud s = {ps.cloud.points, ps.cloud.labels, ps.cloud.n, NULL};
  const scipar_cloud t = {pt.cloud.points, pt.cloud.labels, pt.cloud.n, NULL};
  if (last)
    s.points = NULL, s.num_points = 5; /* points without coordinates */
  scipar_result result;
  scipar_status status = scipar_match_distributed(&s, &t, NULL, comm, &result);
  CHECK(status == SCIPAR_ERROR_INVALID_ARGUMENT, "rank %d: bad input on the last rank gives status %d", comm->rank,
        (int)status);
  CHECK(strstr(result.message, last ? "source cloud has points but no coordinates" : "another process"),
        "rank %d: %s", comm->rank, result.message);
  scipar_result_free(&result);
  s = (scipar_cloud){ps.cloud.points, ps.cloud.labels, ps.cloud.n, NULL};
  scipar_options options;
  scipar_options_init(&options);
  if (comm->rank == 0)
    options.progress = cancel;
  status = scipar_match_distributed(&s, &t, &options, comm, &result);
  CHECK(status == SCIPAR_ERROR_CANCELLED && strstr(result.message, comm->rank == 0 ? "callback" : "another process"),
        "rank %d: cancelled on rank 0 gives status %d: %s", comm->rank, (int)status, result.message);
  scipar_result_free(&result);
  piece_free(&ps);
  piece_free(&pt);
  test_cloud_free(&source);
  test_cloud_free(&target);
}

int main(int argc, char **argv)
{
  MPI_Init(&argc, &argv);
  scipar_mpi_storage storage;
  const scipar_comm comm = scipar_mpi_comm(MPI_COMM_WORLD, &storage);
  run_cases(&comm);
  if (comm.size > 1)
    check_ties(&comm);
  check_failures(&comm);
  scipar_mpi_comm_free(&storage);
  check_traffic(MPI_COMM_WORLD);
  /* Every rank's verdict counts. */
  int failed = checks_failed;
  MPI_Allreduce(MPI_IN_PLACE, &failed, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  if (comm.rank == 0)
    checks_failed = failed;
  const int code = comm.rank == 0 ? check_report("test_distributed") : (failed ? 1 : 0);
  MPI_Finalize();
  return code;
}
