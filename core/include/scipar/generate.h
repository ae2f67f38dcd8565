/*
 * scipar synthetic clouds: Gaussian clusters, and a "next frame" of a cloud with a known answer.
 *
 * Plain C11, no VTK, no global state. Deterministic: the same parameters (seed included) give the
 * same cloud on every run, thread count and machine with the same C library (the generator is its
 * own splitmix64 stream with Box-Muller normals; rand() is never used).
 *
 *   scipar_gaussian_params params;
 *   scipar_gaussian_params_init(&params);          // 20 clusters of 1..35 points in [0, 40]^3
 *   params.seed = 7;
 *   scipar_generated cloud;
 *   if (scipar_generate_gaussian_clusters(&params, &cloud) != SCIPAR_OK)
 *     fprintf(stderr, "%s\n", cloud.message);
 *   ...cloud.points, cloud.labels, cloud.num_points...
 *
 *   scipar_cloud input = {cloud.points, cloud.labels, cloud.num_points};
 *   scipar_next_frame_params move;
 *   scipar_next_frame_params_init(&move);
 *   scipar_generated next;
 *   scipar_next_frame(&input, &move, &next);       // next.true_labels[i]: the input id of point i
 *   scipar_generated_free(&next);
 *   scipar_generated_free(&cloud);
 *
 * Every array of a scipar_generated is allocated by the library and released by
 * scipar_generated_free. On failure the result holds only a message and no arrays (freeing it is
 * harmless).
 */
#ifndef SCIPAR_GENERATE_H
#define SCIPAR_GENERATE_H

#include <stddef.h>
#include <stdint.h>

#include "scipar/scipar.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Parameters of scipar_generate_gaussian_clusters, after the seed notebook's gen_clusters. */
typedef struct scipar_gaussian_params {
  int64_t cluster_count;    /* clusters, labelled 0 .. cluster_count - 1; >= 0. Default 20 */
  int64_t max_cluster_size; /* each cluster has a uniformly random size in [1, max_cluster_size]; >= 1.
                               Default 35 */
  uint64_t seed;            /* default 1 */
  double box_min, box_max;  /* each centre is uniform in [box_min, box_max]^3. Default 0, 40 */
  double sigma_min, sigma_max; /* per-axis standard deviation uniform in [sigma_min, sigma_max],
                                  0 <= sigma_min <= sigma_max. Default 1, 2 */
} scipar_gaussian_params;

/* Parameters of scipar_next_frame. */
typedef struct scipar_next_frame_params {
  double shift;         /* each cluster moves by a random vector of length uniform in [0, shift]; >= 0.
                           Default 1 */
  double jitter;        /* then each point moves by a random vector uniform in the ball of this
                           radius; >= 0. Default 0.1 */
  double drop_fraction; /* this fraction of the points (rounded to the nearest count) is dropped,
                           chosen uniformly at random; in [0, 1]. Default 0.1 */
  uint64_t seed;        /* default 2 */
  int64_t id_offset;    /* the new ids are id_offset + a random permutation of 0 .. k-1 over the k
                           distinct input ids. Negative (the default, -1): automatic, the smallest
                           power of ten (at least 10) above every input id, so that no new id equals
                           an old one */
} scipar_next_frame_params;

/* A generated cloud and what is known about it. Cluster arrays have num_clusters entries; the ones a
 * function does not produce are NULL. */
typedef struct scipar_generated {
  size_t num_points;
  double *points;       /* [3 * num_points] x y z interleaved */
  int64_t *labels;      /* [num_points] cluster id of each point */
  int64_t *true_labels; /* next frame: [num_points] the input id of each point (the right answer) */
  int64_t *input_index; /* next frame: [num_points] index of each point in the input cloud */

  size_t num_clusters;
  int64_t *cluster_labels;     /* generate: 0 .. k-1; next frame: the distinct input ids, ascending */
  int64_t *cluster_new_labels; /* next frame: the id each input id was renumbered to */
  int64_t *cluster_sizes;      /* points of each cluster in this cloud (next frame: 0 when all were
                                  dropped) */
  double *cluster_centers;     /* generate: [3 * k] the centre drawn for each cluster */
  double *cluster_sigmas;      /* generate: [3 * k] the per-axis standard deviation drawn */
  double *cluster_shifts;      /* next frame: [3 * k] the displacement of each cluster */

  char message[256]; /* what went wrong, when the status is not SCIPAR_OK */
} scipar_generated;

void scipar_gaussian_params_init(scipar_gaussian_params *params);
void scipar_next_frame_params_init(scipar_next_frame_params *params);

/* Draws params->cluster_count clusters. Cluster k (label k) has a size uniform in
 * [1, max_cluster_size], a centre uniform in the box and a standard deviation per axis uniform in
 * [sigma_min, sigma_max]; its points are normal around the centre. Points are stored cluster by
 * cluster. Errors: SCIPAR_ERROR_INVALID_ARGUMENT (negative or zero counts, NaN or infinite bounds,
 * min > max, negative sigma; the message names the parameter), SCIPAR_ERROR_OUT_OF_MEMORY. */
scipar_status scipar_generate_gaussian_clusters(const scipar_gaussian_params *params,
                                                scipar_generated *result);

/* The next frame of `input` (not modified): every cluster (points sharing a label) moves by its own
 * random vector, every point jitters, a fraction of points is dropped, and the labels are renumbered
 * through a random one-to-one map. Kept points stay in input order; result->true_labels and
 * result->input_index say where each came from. Points with NaN coordinates stay NaN.
 * Errors: SCIPAR_ERROR_INVALID_ARGUMENT (NULL arrays, negative or NaN shift or jitter, a drop
 * fraction outside [0, 1], ids that would overflow), SCIPAR_ERROR_OUT_OF_MEMORY. */
scipar_status scipar_next_frame(const scipar_cloud *input, const scipar_next_frame_params *params,
                                scipar_generated *result);

/* Releases every array of *result and leaves it empty; safe on a failed or already freed result. */
void scipar_generated_free(scipar_generated *result);

#ifdef __cplusplus
}
#endif

#endif /* SCIPAR_GENERATE_H */
