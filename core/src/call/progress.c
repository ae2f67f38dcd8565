#include "call/progress.h"

#include <omp.h>

void progress_item_done(progress_state *state)
{
  size_t done;
#pragma omp atomic capture
  done = ++state->done;
  /* The callback runs only on the thread that called scipar_match, as GUI toolkits require. */
  if (state->fn && omp_get_thread_num() == 0 && state->total > 0) {
    if (state->fn((double)done / (double)state->total, state->user_data)) {
#pragma omp atomic write
      state->cancelled = 1;
    }
  }
}

int progress_cancelled(progress_state *state)
{
  int cancelled;
#pragma omp atomic read
  cancelled = state->cancelled;
  return cancelled;
}
