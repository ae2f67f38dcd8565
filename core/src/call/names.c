/* The options' defaults and the names of metrics and statuses. */
#include "scipar/scipar.h"

#include <string.h>

void scipar_options_init(scipar_options *options)
{
  memset(options, 0, sizeof *options);
  options->metric = SCIPAR_METRIC_MAX;
}

const char *scipar_metric_name(scipar_metric metric)
{
  switch (metric) {
  case SCIPAR_METRIC_MAX: return "Max";
  case SCIPAR_METRIC_SUM: return "Sum";
  case SCIPAR_METRIC_MEAN: return "Mean";
  case SCIPAR_METRIC_HAUSDORFF: return "Hausdorff";
  }
  return NULL;
}

const char *scipar_status_string(scipar_status status)
{
  switch (status) {
  case SCIPAR_OK: return "success";
  case SCIPAR_ERROR_INVALID_ARGUMENT: return "invalid argument";
  case SCIPAR_ERROR_OUT_OF_MEMORY: return "out of memory";
  case SCIPAR_ERROR_CANCELLED: return "cancelled";
  }
  return "unknown status";
}
