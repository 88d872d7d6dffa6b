// SPDX-License-Identifier: GPL-2.0
/* The test build compiles the variant's own main.c (MLX5VF_TEST). */
#include "../main.c"
