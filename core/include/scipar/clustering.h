/*
 * scipar clustering: splits one point cloud into clusters by distance, for clouds that carry no
 * cluster ids (sensor frames, particles), before matching them with scipar_match.
 *
 * Two points are neighbours when their Euclidean distance is at most `radius`. A point with at least
 * `min_neighbors` neighbours (itself not counted) is a core point; clusters are the connected groups
 * of core points, neighbour to neighbour. A point that is not a core point joins the cluster of its
 * nearest core neighbour (ties: the one that comes first by x, then y, then z), and with none it
 * is noise. With min_neighbors 0 every point is a core point: plain Euclidean clustering (single
 * linkage, as PCL's and VTK's Euclidean cluster extraction). Clusters of fewer than
 * min_cluster_size or more than max_cluster_size points are dropped: their points are noise too.
 * Noise points get the id -1.
 *
 * The result is exact (every pair of points within the radius is found) and the same for every
 * number of threads and every order of the points: clusters are numbered 0, 1, ... by decreasing
 * size, ties by their first point by x, then y, then z.
 */
#ifndef SCIPAR_CLUSTERING_H
#define SCIPAR_CLUSTERING_H

#include "scipar/scipar.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct scipar_clustering_options {
  double radius;            /* neighbour distance, > 0 (no default: depends on the data's scale) */
  int64_t min_neighbors;    /* neighbours that make a core point; <= 0: every point (default 0) */
  int64_t min_cluster_size; /* smaller clusters are noise (default 1: none) */
  int64_t max_cluster_size; /* larger clusters are noise; <= 0: no limit (default) */
  int num_threads;          /* <= 0: all cores (default); at most scipar_max_threads() are used */
  scipar_progress_fn progress;
  void *progress_user_data;
} scipar_clustering_options;

typedef struct scipar_clustering_result {
  size_t num_points;
  size_t num_clusters;
  int64_t *cluster_ids;       /* [num_points] 0 .. num_clusters - 1 by decreasing size; -1: no cluster */
  int64_t *cluster_sizes;     /* [num_clusters] points of each cluster */
  size_t num_noise_points;    /* usable points in no cluster (too isolated, or in a dropped cluster) */
  size_t num_excluded_points; /* points with a NaN or infinite coordinate (id -1) */
  size_t num_skipped_points;  /* points the caller's skip flags left out (id -1) */
  int num_threads;            /* threads that ran the computation */
  double wall_seconds;
  double cpu_seconds;
  char message[256];          /* what went wrong, when the status is not SCIPAR_OK */
} scipar_clustering_result;

void scipar_clustering_options_init(scipar_clustering_options *options);

/* Clusters points[0 .. 3 * num_points) (x y z interleaved). skip: optional num_points flags, a
 * non-zero flag leaves the point out (id -1, neighbour of none); NULL: none. On success fills
 * *result, to be released with scipar_clustering_result_free; on failure *result holds only a
 * message (freeing it is harmless). */
scipar_status scipar_euclidean_clusters(const double *points, size_t num_points, const unsigned char *skip,
                                        const scipar_clustering_options *options,
                                        scipar_clustering_result *result);

void scipar_clustering_result_free(scipar_clustering_result *result);

#ifdef __cplusplus
}
#endif

#endif /* SCIPAR_CLUSTERING_H */
