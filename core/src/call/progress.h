/* Progress reporting and cancellation shared by the threads of one scipar_match call. */
#ifndef SCIPAR_PROGRESS_H
#define SCIPAR_PROGRESS_H

#include "scipar/scipar.h"

typedef struct progress_state {
  scipar_progress_fn fn;
  void *user_data;
  size_t total; /* work items in the whole call */
  size_t done;
  int cancelled;
} progress_state;

/* Counts one finished item. On the calling thread (OpenMP thread 0) it also reports the fraction done
 * and records a cancellation request. */
void progress_item_done(progress_state *state);

int progress_cancelled(progress_state *state);

#endif
