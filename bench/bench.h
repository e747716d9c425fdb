/* Shared by the benchmarks: the short mode that the test suite runs (suite `bench`), so that no
 * benchmark rots unseen. With BIOKIOSK_BENCH_SHORT=1 in the environment a benchmark does one
 * iteration on small inputs and still prints every figure it prints in full (the figures then
 * mean nothing; the test checks that the benchmark builds, runs and ends with exit 0).
 */
#ifndef BIOKIOSK_BENCH_H
#define BIOKIOSK_BENCH_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static inline bool bench_short(void)
{
    const char *v = getenv("BIOKIOSK_BENCH_SHORT");
    return v && *v && strcmp(v, "0") != 0;
}

/* full when running in full, short in the short mode. */
static inline long bench_n(long full, long short_)
{
    return bench_short() ? short_ : full;
}

#endif
