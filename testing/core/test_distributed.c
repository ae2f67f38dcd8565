/* scipar_match_distributed under MPI (run it with mpiexec -n 1, 2, 3): for random clouds split over
 * the ranks in several ways (round robin, so that every cluster is split; contiguous blocks; all on
 * one rank, so that the others are empty; random), every rank's result must equal the serial
 * scipar_match on the whole clouds: same clusters, same pairs up to near-ties, same distances to
 * rounding, and this rank's points in the right clusters. */
#include "check.h"
#include "oracle.h"
#include "random_cloud.h"
#include "scipar_mpi.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef enum split { SPLIT_ROUND_ROBIN, SPLIT_BLOCKS, SPLIT_ONE_RANK, SPLIT_RANDOM, SPLIT_COUNT } split;

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

/* This rank's piece of a cloud, and the global index of each of its points. */
static test_cloud piece_of(const test_cloud *all, split how, int rank, int size, uint64_t salt, size_t **global)
{
  test_cloud piece = {malloc(3 * all->n * sizeof(double) + 1), malloc(all->n * sizeof(int64_t) + 1), 0};
  *global = malloc(all->n * sizeof **global + 1);
  for (size_t i = 0; i < all->n; ++i) {
    if (owner_of(i, all->n, how, size, salt) != rank)
      continue;
    memcpy(piece.points + 3 * piece.n, all->points + 3 * i, 3 * sizeof(double));
    piece.labels[piece.n] = all->labels[i];
    (*global)[piece.n++] = i;
  }
  return piece;
}

static int close_to(double a, double b, double tolerance)
{
  return fabs(a - b) <= tolerance * fmax(1.0, fmax(fabs(a), fabs(b)));
}

static void compare_side(const scipar_side *got, const scipar_side *want, const oracle_clusters *mine,
                         const oracle_clusters *other, int is_source, const scipar_options *options, const char *what)
{
  CHECK(got->num_clusters == want->num_clusters, "%s: %zu clusters, serial %zu", what, got->num_clusters,
        want->num_clusters);
  if (got->num_clusters != want->num_clusters)
    return;
  for (size_t c = 0; c < got->num_clusters; ++c) {
    CHECK(got->cluster_ids[c] == want->cluster_ids[c] && got->cluster_sizes[c] == want->cluster_sizes[c],
          "%s: cluster %zu id or size", what, c);
    for (int d = 0; d < 3; ++d)
      CHECK(close_to(got->centroids[3 * c + d], want->centroids[3 * c + d], 1e-12), "%s: centroid %zu", what, c);
    if (got->nearest[c] == want->nearest[c]) {
      if (got->nearest[c] >= 0)
        CHECK(close_to(got->nearest_distance[c], want->nearest_distance[c], 1e-12), "%s: cluster %zu distance %.17g, serial %.17g",
              what, c, got->nearest_distance[c], want->nearest_distance[c]);
      continue;
    }
    /* A different choice is right only when the two candidates' values tie to rounding. */
    CHECK(got->nearest[c] >= 0 && want->nearest[c] >= 0, "%s: cluster %zu paired in one run only", what, c);
    if (got->nearest[c] < 0 || want->nearest[c] < 0)
      continue;
    const oracle_cluster *self = &mine->c[c];
    const oracle_cluster *a = &other->c[got->nearest[c]], *b = &other->c[want->nearest[c]];
    const double va = is_source ? oracle_chamfer(self, a, options->metric, options->squared)
                                : oracle_chamfer(a, self, options->metric, options->squared);
    const double vb = is_source ? oracle_chamfer(self, b, options->metric, options->squared)
                                : oracle_chamfer(b, self, options->metric, options->squared);
    CHECK(close_to(va, vb, 1e-9), "%s: cluster %zu chose %lld (%.17g), serial %lld (%.17g)", what, c,
          (long long)got->nearest[c], va, (long long)want->nearest[c], vb);
  }
}

/* This rank's points must sit in the clusters of their labels, grouped as the offsets say. */
static void check_local_points(const scipar_side *side, const test_cloud *piece, const char *what)
{
  size_t grouped = 0;
  for (size_t c = 0; c < side->num_clusters; ++c)
    for (int64_t at = side->cluster_offsets[c]; at < side->cluster_offsets[c + 1]; ++at, ++grouped) {
      const int64_t i = side->cluster_point_ids[at];
      CHECK(i >= 0 && (size_t)i < piece->n && side->point_cluster[i] == (int64_t)c &&
              side->cluster_ids[c] == piece->labels[i],
            "%s: local point %lld grouped under cluster %zu", what, (long long)i, c);
    }
  CHECK(grouped == piece->n - side->num_excluded_points, "%s: %zu local points grouped of %zu", what, grouped,
        piece->n);
}

int main(int argc, char **argv)
{
  MPI_Init(&argc, &argv);
  scipar_mpi_storage storage;
  const scipar_comm comm = scipar_mpi_comm(MPI_COMM_WORLD, &storage);
  rng r = {424242};
  const cloud_spec specs[] = {
    {30, 60, 20.0, 1.0, LABELS_SPARSE},
    {6, 900, 10.0, 1.5, LABELS_SEQUENTIAL}, /* large clusters: k-d trees on every rank */
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
          size_t *src_global, *tgt_global;
          test_cloud src_piece = piece_of(&source, (split)how, comm.rank, comm.size, salt, &src_global);
          test_cloud tgt_piece = piece_of(&target, (split)((how + 1) % SPLIT_COUNT), comm.rank, comm.size, ~salt, &tgt_global);
          const scipar_cloud ps = as_scipar(&src_piece), pt = as_scipar(&tgt_piece);
          scipar_result distributed;
          char what[160];
          snprintf(what, sizeof what, "rank %d/%d spec %zu case %d metric %d split %d", comm.rank, comm.size, s, c,
                   metric, how);
          const scipar_status status = scipar_match_distributed(&ps, &pt, &options, &comm, &distributed);
          CHECK(status == SCIPAR_OK, "%s: %s", what, distributed.message);
          if (status == SCIPAR_OK) {
            compare_side(&distributed.source, &serial.source, &osrc, &otgt, 1, &options, what);
            compare_side(&distributed.target, &serial.target, &otgt, &osrc, 0, &options, what);
            CHECK(distributed.num_pairs == serial.num_pairs, "%s: %zu pairs, serial %zu", what, distributed.num_pairs,
                  serial.num_pairs);
            check_local_points(&distributed.source, &src_piece, what);
            check_local_points(&distributed.target, &tgt_piece, what);
          }
          scipar_result_free(&distributed);
          test_cloud_free(&src_piece);
          test_cloud_free(&tgt_piece);
          free(src_global);
          free(tgt_global);
        }
        scipar_result_free(&serial);
      }
      oracle_free(&osrc);
      oracle_free(&otgt);
      test_cloud_free(&source);
      test_cloud_free(&target);
    }
  }
  /* Every rank's verdict counts. */
  int failed = checks_failed;
  MPI_Allreduce(MPI_IN_PLACE, &failed, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  if (comm.rank == 0)
    checks_failed = failed;
  const int code = comm.rank == 0 ? check_report("test_distributed") : (failed ? 1 : 0);
  MPI_Finalize();
  return code;
}
