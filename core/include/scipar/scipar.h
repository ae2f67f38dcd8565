/*
 * scipar core: match clusters between two 3D point clouds by Chamfer distance.
 *
 * Plain C11 + OpenMP, no VTK. Two clouds in (points and an int64 cluster label per point), the
 * nearest cluster of every cluster in the other cloud out, both ways, with the table of pairs.
 *
 * Results are bit-identical for every thread count.
 */
#ifndef SCIPAR_H
#define SCIPAR_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* How the two directed distances d(A->B) and d(B->A) combine into one value.
 * d(A->B) is the mean over a in A of the distance from a to its nearest point of B. */
typedef enum scipar_metric {
  SCIPAR_METRIC_MAX = 0,      /* max(d(A->B), d(B->A)): the original definition, the default */
  SCIPAR_METRIC_SUM = 1,      /* d(A->B) + d(B->A) */
  SCIPAR_METRIC_MEAN = 2,     /* (d(A->B) + d(B->A)) / 2 */
  SCIPAR_METRIC_HAUSDORFF = 3 /* max over both directions of the largest (not mean) NN distance */
} scipar_metric;

typedef enum scipar_status {
  SCIPAR_OK = 0,
  SCIPAR_ERROR_INVALID_ARGUMENT = 1,
  SCIPAR_ERROR_OUT_OF_MEMORY = 2,
  SCIPAR_ERROR_CANCELLED = 3
} scipar_status;

/* One cloud, as the caller holds it; never modified. */
typedef struct scipar_cloud {
  const double *points;      /* 3 * num_points coordinates, x y z interleaved */
  const int64_t *labels;     /* num_points cluster labels: any values, in any order */
  size_t num_points;
  const unsigned char *skip; /* optional, num_points flags: a point with a non-zero flag takes no part
                                (a ghost copy of another process's point, a point of no cluster);
                                NULL: every point takes part */
} scipar_cloud;

/* Called now and then from the calling thread with the fraction of work done, in [0, 1].
 * A non-zero return cancels the computation (scipar_match then returns SCIPAR_ERROR_CANCELLED). */
typedef int (*scipar_progress_fn)(double fraction, void *user_data);

typedef struct scipar_options {
  scipar_metric metric;       /* default SCIPAR_METRIC_MAX */
  int squared;                /* non-zero: squared Euclidean distances; default 0 */
  double max_pair_distance;   /* clusters farther than this stay unpaired; <= 0: no limit (default) */
  int num_threads;            /* <= 0: all cores (default); at most scipar_max_threads() are used */
  scipar_progress_fn progress;
  void *progress_user_data;
} scipar_options;

/* Per-cluster and per-point results for one cloud. Cluster k is the k-th smallest label. */
typedef struct scipar_side {
  size_t num_clusters;
  int64_t *cluster_ids;       /* [num_clusters] labels, ascending */
  int64_t *cluster_sizes;     /* [num_clusters] points counted in distances */
  double *centroids;          /* [3 * num_clusters] mean of the cluster's points */
  int64_t *nearest;           /* [num_clusters] cluster index in the other cloud, -1 if unpaired */
  double *nearest_distance;   /* [num_clusters] Chamfer value to it, NaN if unpaired */
  unsigned char *mutual;      /* [num_clusters] 1 when the nearest's nearest is this cluster */
  int64_t *pair_index;        /* [num_clusters] row of result->pairs holding this cluster's pair, -1 */
  int64_t *cluster_offsets;   /* [num_clusters + 1] cluster k's points are cluster_point_ids[offsets[k] ..
                                 offsets[k + 1]), a cell's connectivity as VTK wants it */
  int64_t *cluster_point_ids; /* input point indices grouped by cluster, input order inside a cluster */
  int64_t *point_cluster;     /* [num_points] cluster index of each input point, -1 if excluded or skipped */
  size_t num_excluded_points; /* points with a NaN or infinite coordinate, left out of distances */
  size_t num_skipped_points;  /* points the caller's skip flags left out (their point_cluster is -1) */
} scipar_side;

/* One row of the pairs table: a pair nearest in at least one direction. */
typedef struct scipar_pair {
  int64_t source;                  /* cluster index in the source cloud */
  int64_t target;                  /* cluster index in the target cloud */
  double distance;                 /* Chamfer value of the pair */
  unsigned char source_to_target;  /* target is the source's nearest */
  unsigned char target_to_source;  /* source is the target's nearest */
  unsigned char mutual;            /* both */
} scipar_pair;

typedef struct scipar_result {
  scipar_side source;
  scipar_side target;
  size_t num_pairs;
  scipar_pair *pairs;   /* sorted by (source id, target id) */
  int64_t first_pair;   /* row of pairs[0] in the whole table (pair_index counts rows of it): 0 for
                           scipar_match; a distributed result holds a share of the table (distributed.h) */
  int num_threads;      /* threads that ran the computation (at most the number asked) */
  double wall_seconds;  /* elapsed time of the computation */
  double cpu_seconds;   /* CPU time of the process over it: cpu / wall is the parallel speed-up */
  char message[256];    /* what went wrong, when the status is not SCIPAR_OK */
} scipar_result;

void scipar_options_init(scipar_options *options);

/* The most threads a call uses: four per processor available to the process. A larger
 * options.num_threads is clamped to it (more threads than that only add overhead, and a huge count
 * would exhaust memory creating them). OpenMP may still give fewer (OMP_THREAD_LIMIT, OMP_DYNAMIC, a
 * call from inside a parallel region): results never depend on how many threads ran, and
 * scipar_result.num_threads says how many did. */
int scipar_max_threads(void);

/* Matches the clusters of source and target. On success fills *result, to be released with
 * scipar_result_free. On failure *result holds only a message and needs no release (freeing is harmless). */
scipar_status scipar_match(const scipar_cloud *source, const scipar_cloud *target,
                           const scipar_options *options, scipar_result *result);

void scipar_result_free(scipar_result *result);

/* A side's per-cluster results spread over items (points or cells) whose cluster index in the side is
 * cluster_of[i] (-1: none, as side->point_cluster holds for an unusable point): the id of the nearest
 * cluster of the other cloud (-1 if none), the Chamfer value to it (NaN if none), whether the pair is
 * mutual (0 or 1), the pair's row in the pairs table (-1 if none). Any output may be NULL. Runs on
 * num_threads threads (<= 0: all cores). */
void scipar_pair_values(const scipar_side *side, const scipar_side *other, const int64_t *cluster_of,
                        size_t count, int num_threads, int64_t *pair_id, double *pair_distance,
                        unsigned char *mutual, int64_t *pair_index);

/* The Chamfer value between two point sets (3 * n interleaved coordinates each). Both sets must be
 * non-empty and finite. Evaluates every point pair: meant for checks and small sets. */
double scipar_chamfer(const double *a, size_t num_a, const double *b, size_t num_b,
                      scipar_metric metric, int squared);

/* "Max", "Sum", "Mean" or "Hausdorff"; NULL for an unknown metric. */
const char *scipar_metric_name(scipar_metric metric);
const char *scipar_status_string(scipar_status status);

#ifdef __cplusplus
}
#endif

#endif /* SCIPAR_H */
