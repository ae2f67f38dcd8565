#include "check.h"

int checks_passed;
int checks_failed;
