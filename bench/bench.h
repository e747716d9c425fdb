/* Shared by the benchmarks: the short mode that the test suite runs (suite `bench`), so that no
 * benchmark rots unseen. With BIOKIOSK_BENCH_SHORT=1 in the environment a benchmark does one
 * iteration on small inputs and still prints every figure it prints in full (the figures then
 * mean nothing; the test checks that the benchmark builds, runs and ends with exit 0).
 */
#ifndef BIOKIOSK_BENCH_H
#define BIOKIOSK_BENCH_H

#include <dirent.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* CPU time of the whole process (every thread), in milliseconds. */
static inline double bench_process_cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static inline int bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of v[0..n) (sorted in place); NAN when n is 0. */
static inline double bench_median_sorting(double *v, int n)
{
    if (n <= 0)
        return NAN;
    qsort(v, (size_t)n, sizeof *v, bench_cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static inline int bench_cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of dir's PNG files that start with prefix, slaps left out, sorted, at most max, into
 * names (each to free()); how many. 0 when dir cannot be read. */
static inline int bench_png_names(const char *dir, const char *prefix, char **names, int max)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return 0;
    int nn = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && nn < max) {
        size_t len = strlen(e->d_name);
        if (len > 4 && strcmp(e->d_name + len - 4, ".png") == 0 &&
            strncmp(e->d_name, prefix, strlen(prefix)) == 0 && strstr(e->d_name, "slap") == NULL)
            names[nn++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, (size_t)nn, sizeof *names, bench_cmp_name);
    return nn;
}

#endif
