/* Checks a scipar_result against the brute-force oracle and against its own invariants. */
#ifndef SCIPAR_TEST_VERIFY_H
#define SCIPAR_TEST_VERIFY_H

#include "scipar/scipar.h"

/* Compares every field of result with the oracle for these clouds and options; counts through
 * CHECK. `context` names the case in failure messages. */
void verify_result(const scipar_cloud *source, const scipar_cloud *target, const scipar_options *options,
                   const scipar_result *result, const char *context);

/* 1 when a and b hold bit-identical results. */
int results_identical(const scipar_result *a, const scipar_result *b, size_t source_points,
                      size_t target_points);

#endif
