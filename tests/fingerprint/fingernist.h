/* The fingerprint tests' and benchmark's bridge to NIST's tools (../shared/tools: NFIQ 2, and
 * NBIS's nfiq, mindtct and bozorth3), run as processes on 8-bit grey PNG files written to a scratch
 * directory. The kiosk never uses these: they are the yardstick. Every function says "absent" (-2)
 * when its tool is not there, so the benchmark still runs and prints what it could not measure. */
#ifndef BIOKIOSK_FINGERNIST_H
#define BIOKIOSK_FINGERNIST_H

#include <stdbool.h>

#include "imaging/fingerimg.h"

#define NIST_ABSENT (-2)
#define NIST_ERROR  (-1)

typedef struct nist_tools {
    char nfiq2[1024];    /* nfiq2-score, "" when absent */
    char nfiq1[1024];    /* nfiq */
    char mindtct[1024];  /* mindtct */
    char bozorth3[1024]; /* bozorth3 */
    char scratch[256];   /* a private scratch directory */
} nist_tools;

typedef struct nist_xyt {
    int n;
    int x[512], y[512], t[512];
} nist_xyt;

/* Finds the tools under tools_dir (may be NULL) and makes the scratch directory; prints which
 * tools were found and which not. false when no scratch directory could be made. */
bool nist_open(nist_tools *t, const char *tools_dir);

/* Removes the scratch directory and its files. */
void nist_close(nist_tools *t);

/* Writes img as scratch/name.png; returns the path in a static buffer, NULL on failure. */
const char *nist_write(nist_tools *t, const fingerimg *img, const char *name);

/* NFIQ 2 score 0..100 of a written file (--fit: centre crop to its size limit), NIST_ERROR when
 * NFIQ 2 refuses the image, NIST_ABSENT. */
int nist_nfiq2(const nist_tools *t, const char *path);

/* NFIQ 1 level 1 (best) .. 5, NIST_ERROR, NIST_ABSENT. */
int nist_nfiq1(const nist_tools *t, const char *path);

/* Runs mindtct on a written file (output root scratch/name), reads its .xyt into *out; *cpu_ms
 * gets the child's CPU time. Returns the minutiae count, NIST_ERROR, NIST_ABSENT. */
int nist_mindtct(const nist_tools *t, const char *path, const char *name, nist_xyt *out,
                 double *cpu_ms);

/* bozorth3's score of scratch/a.xyt against scratch/b.xyt, NIST_ERROR, NIST_ABSENT. */
int nist_bozorth3(const nist_tools *t, const char *a, const char *b);

/* Issue 15's NFIQ 1 target ("no print NFIQ 1 rates 5 is kept at the index threshold; none it
 * rates 1-2 is refused"), as finger-nfiq1 asserts it and bench-finger reports it, on one scope:
 * the shared captures (captures/, not the tenprint card) that are at least NIST_NFIQ1_MIN_SIDE a
 * side as measured (files stating a lower resolution brought to 500 ppi first:
 * fingerkinds_at_500ppi), and the copies degraded from them (fingerkinds_degrade, seeded as
 * fingerkinds.h says). */
#define NIST_NFIQ1_MIN_SIDE 256

/* true for an image of that size. */
bool nist_nfiq1_sized(const fingerimg *img);

/* Whether NFIQ 1's `level` of an image is followed: always for a capture (original 0), not for
 * a copy NFIQ 1 rates three levels or more above its original (`original`: the capture's level,
 * 5 when NFIQ 1 could not rate it): a degraded copy cannot be a better print than its original,
 * so that level is NFIQ 1's own inconsistency (shown, not asserted). */
bool nist_nfiq1_followed(int level, int original);

/* Spearman's rank correlation of a and b (n values each; ties get their mean rank); NAN below 3
 * values or when one side is constant. */
double nist_spearman(const double *a, const double *b, int n);

/* The two halves the quality score's weights are fitted and checked on: the prints ordered by
 * NFIQ 2 score (ties by name), every other one. half[i] = 0: the fitting half, 1: the held-out
 * half (docs/fingerprints.md). */
void nist_halves(const int *nfiq2, const char *const *names, int n, int *half);

#endif
