/* The order in which a search visits its clusters: larger clusters first, so that threads finish
 * together, and near ones one after the other, so that consecutive searches walk the same parts of the
 * other side's hierarchy while they are in cache. */
#ifndef SCIPAR_QUERY_ORDER_H
#define SCIPAR_QUERY_ORDER_H

#include "grouping/grouping.h"

/* The clusters of subset[0 .. count) of set (every cluster when subset is NULL) in that order (near
 * ones together only when `in_space` is set; else by size class, then index); NULL when out of memory.
 * The order depends only on the set, the subset and in_space. */
int64_t *query_order(const cluster_set *set, const int64_t *subset, size_t count, int in_space);

#endif
