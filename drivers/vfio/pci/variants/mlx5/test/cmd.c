// SPDX-License-Identifier: GPL-2.0
/* The test build compiles the variant's own cmd.c (MLX5VF_TEST). */
#include "../cmd.c"
