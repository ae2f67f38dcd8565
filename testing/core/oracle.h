/* A brute-force reference for the core's results, written independently of it: interleaved
 * coordinates, every point pair evaluated, clusters found by sorting, no early exit, no index. */
#ifndef SCIPAR_TEST_ORACLE_H
#define SCIPAR_TEST_ORACLE_H

#include "scipar/scipar.h"

typedef struct oracle_cluster {
  int64_t id;
  size_t n;
  double *xyz; /* 3 * n, interleaved, input order */
} oracle_cluster;

typedef struct oracle_clusters {
  size_t k;
  oracle_cluster *c; /* ascending id */
} oracle_clusters;

/* Clusters of the finite, not skipped points of a cloud. */
oracle_clusters oracle_group(const scipar_cloud *cloud);
void oracle_free(oracle_clusters *set);

double oracle_chamfer(const oracle_cluster *a, const oracle_cluster *b, scipar_metric metric, int squared);

/* values[s * kt + t]: Chamfer of source cluster s and target cluster t. Caller frees. */
double *oracle_matrix(const oracle_clusters *src, const oracle_clusters *tgt, scipar_metric metric, int squared);

#endif
