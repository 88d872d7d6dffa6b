// SPDX-License-Identifier: GPL-2.0
/* The test build compiles the variant's own mig_load.c (MLX5VF_TEST). */
#include "../mig_load.c"
