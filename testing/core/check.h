/* A minimal test harness: CHECK counts, prints the failing condition, and check_report prints the
 * closing "name: N passed, N failed" line and gives the exit code. */
#ifndef SCIPAR_TEST_CHECK_H
#define SCIPAR_TEST_CHECK_H

#include <stdio.h>

extern int checks_passed;
extern int checks_failed;

#define CHECK(condition, ...)                                                                      \
  do {                                                                                             \
    if (condition) {                                                                               \
      ++checks_passed;                                                                             \
    } else {                                                                                       \
      ++checks_failed;                                                                             \
      fprintf(stderr, "%s:%d: CHECK(%s) failed: ", __FILE__, __LINE__, #condition);                \
      fprintf(stderr, __VA_ARGS__);                                                                \
      fputc('\n', stderr);                                                                         \
    }                                                                                              \
  } while (0)

static inline int check_report(const char *name)
{
  printf("%s: %d passed, %d failed\n", name, checks_passed, checks_failed);
  return checks_failed ? 1 : 0;
}

#endif
