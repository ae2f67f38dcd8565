/*
 * scipar synthetic clouds: Gaussian clusters, a "next frame" of a cloud with a known answer, and a
 * time series of moving clusters with known tracks and events (scipar_moving_clusters_step).
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
#include "scipar/tracking.h"

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
  int64_t *true_labels; /* next frame: [num_points] the input id of each point (the right answer);
                           moving clusters: the true track of each point (TrueTrackId) */
  int64_t *input_index; /* next frame: [num_points] index of each point in the input cloud */

  size_t num_clusters;
  int64_t *cluster_labels;     /* generate: 0 .. k-1; next frame: the distinct input ids, ascending;
                                  moving clusters: the step's ids, ascending */
  int64_t *cluster_new_labels; /* next frame: the id each input id was renumbered to */
  int64_t *cluster_sizes;      /* points of each cluster in this cloud (next frame: 0 when all were
                                  dropped) */
  double *cluster_centers;     /* generate: [3 * k] the centre drawn for each cluster; moving clusters:
                                  where its shape is centred (before occlusion) */
  double *cluster_sigmas;      /* generate: [3 * k] the per-axis standard deviation drawn */
  double *cluster_shifts;      /* next frame: [3 * k] the displacement of each cluster */
  int64_t *cluster_tracks;     /* moving clusters: [k] the true track of each cluster */

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

/* ---- moving clusters: a time series with known tracks ---- */

typedef enum scipar_moving_scene {
  SCIPAR_SCENE_RANDOM = 0,    /* clusters of random anisotropic shapes moving at their own constant
                                 velocities, with births, deaths, gaps, splits and merges */
  SCIPAR_SCENE_CLOSE_PASS = 1 /* pairs of clusters of different shapes (a rod and a blob) crossing each
                                 other head on, their centroids passing within half a step's motion: a
                                 centroid tracker swaps them, the shapes tell them apart. No events */
} scipar_moving_scene;

/* Parameters of the moving-clusters series. Probabilities are per cluster and step. */
typedef struct scipar_moving_params {
  scipar_moving_scene scene;       /* default SCIPAR_SCENE_RANDOM */
  int64_t step_count;              /* steps 0 .. step_count - 1; >= 1. Default 20 */
  double time_step;                /* step s is at time s * time_step; > 0. Default 1 */
  int64_t cluster_count;           /* clusters at step 0 (close pass: pairs of clusters); >= 0. Default 20 */
  int64_t min_cluster_size;        /* each cluster has a size uniform in [min, max]; >= 1. Default 30 */
  int64_t max_cluster_size;        /* default 80 */
  uint64_t seed;                   /* default 1 */
  double box_min, box_max;         /* step 0's centres are uniform in [box_min, box_max]^3 (close pass: the
                                      crossings on a grid from box_min, 40 apart). Default 0, 100 */
  double sigma_min, sigma_max;     /* per-axis spread of a shape, uniform, then turned at random: shapes
                                      are anisotropic. 0 < min <= max. Default 0.5, 2.5 */
  double speed_min, speed_max;     /* distance per unit of time, uniform in a random direction;
                                      0 <= min <= max. Default 0.5, 2 */
  double occlusion_probability;    /* a cluster is partly hidden at a step; default 0.1 */
  double occlusion_fraction;       /* the share hidden then: the points farthest along a random direction;
                                      in [0, 1). Default 0.3 */
  double birth_rate;               /* new clusters per step on average, placed away from the others;
                                      >= 0. Default 0.5 */
  double death_probability;        /* default 0.01 */
  double gap_probability;          /* a cluster goes missing for 1 .. max_gap steps (its motion goes on);
                                      default 0.02 */
  int64_t max_gap;                 /* >= 1; default 2 */
  double split_probability;        /* a cluster divides: a part of 25-45% of its points moves off along
                                      its longest axis, a new track; the rest continues. Default 0.01 */
  double merge_probability;        /* a cluster starts drifting into its nearest neighbour, reaching it
                                      in 3-5 steps; the larger continues, the other ends merged. Default 0.01 */
} scipar_moving_params;

/* What is true of a whole series: every track and every event, as scipar_tracker_finish reports
 * them (tracks numbered in the order they start, by step then by their id at that step; events
 * sorted by step, track, kind), so that a tracker's output can be compared with it. */
typedef struct scipar_moving_truth {
  size_t num_steps;
  double *times;              /* [num_steps] */
  size_t num_tracks;
  int64_t *track_start_steps; /* [num_tracks] */
  int64_t *track_end_steps;
  int64_t *track_parents;     /* the track it split from, -1 */
  int64_t *track_merged_into; /* the track that absorbed it, -1 */
  size_t num_events;
  scipar_tracking_event *events;
  char message[256];          /* what went wrong, when the status is not SCIPAR_OK */
} scipar_moving_truth;

void scipar_moving_params_init(scipar_moving_params *params);

/* Step `step` of the series: points, labels (the step's cluster ids: a random permutation of
 * 0 .. k-1 over its k clusters, drawn anew at every step), true_labels (each point's true track,
 * TrueTrackId), and per cluster (ids ascending) cluster_labels, cluster_tracks, cluster_sizes and
 * cluster_centers. The same parameters give the same step on every call, whatever other steps were
 * made. Errors: SCIPAR_ERROR_INVALID_ARGUMENT (a parameter out of range, a step outside
 * 0 .. step_count - 1; the message names it), SCIPAR_ERROR_OUT_OF_MEMORY. */
scipar_status scipar_moving_clusters_step(const scipar_moving_params *params, int64_t step,
                                          scipar_generated *result);

/* The truth of the whole series (tracks and events) for these parameters. Release it with
 * scipar_moving_truth_free; on failure it holds only a message. */
scipar_status scipar_moving_clusters_truth(const scipar_moving_params *params, scipar_moving_truth *truth);

void scipar_moving_truth_free(scipar_moving_truth *truth);

#ifdef __cplusplus
}
#endif

#endif /* SCIPAR_GENERATE_H */
