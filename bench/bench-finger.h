/* Shared by the two files of the fingerprint benchmark: bench-finger.c (quality, minutiae,
 * libfprint's minutiae against NIST's tools) and bench-finger-pairs.c (the comparison). */
#ifndef BIOKIOSK_BENCH_FINGER_H
#define BIOKIOSK_BENCH_FINGER_H

#include "fingernist.h"
#include "imaging/fingerfeat.h"
#include "imaging/fingerimg.h"

#define MAX_ITEMS 400

typedef enum group { CAPTURE, CARD, DEGRADED, NONPRINT } group;

typedef struct item {
    char name[96];
    group g;
    int parent; /* the capture a copy was made from, -1 */
    int big;    /* a capture of at least 256 x 256, or a copy of one */
    fingerimg *img;
    fingerfeat *feat;
    fingerfeat *lfeat; /* ours with libfprint's minutiae and fingerlfp's directions (NULL: none) */
    double ms;         /* ours, median */
    int nfiq2, nfiq1, mt_n, near10;
    double mt_ms;
    nist_xyt xyt;
} item;

/* The benchmark's prints and settings (bench-finger.c). */
typedef struct bench_finger {
    item it[MAX_ITEMS];
    int n;
    int runs;
    int shortmode;
    nist_tools nist;
    int index_threshold;
} bench_finger;

extern bench_finger B;

/* CPU time of the process in ms. */
double bench_cpu_ms(void);

/* Median of v[0..n) (sorts v); NAN for n = 0. */
double bench_median(double *v, int n);

/* libfprint's minutiae of img with fingerlfp's directions in *feat (transfer full), the CPU time
 * of the detection in *ms; -1 when libfprint found none (bench-finger.c). */
int bench_lfp_analyse(const fingerimg *img, fingerfeat **feat, double *ms);

/* The comparison part: genuine and impostor pairs of the first ncap captures (and their copies
 * made here) and of the card's prints, ours, on libfprint's minutiae and bozorth3's, both orders,
 * times, and thresholds chosen on one half of the fingers and checked on the other
 * (bench-finger-pairs.c). */
void bench_pairs(int ncap);

#endif
