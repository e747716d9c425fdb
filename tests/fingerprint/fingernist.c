#include "fingernist.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void find(char *out, size_t size, const char *dir, const char *rel)
{
    out[0] = '\0';
    if (dir == NULL)
        return;
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    if (access(path, X_OK) == 0)
        snprintf(out, size, "%s", path);
}

bool nist_open(nist_tools *t, const char *tools_dir)
{
    memset(t, 0, sizeof *t);
    find(t->nfiq2, sizeof t->nfiq2, tools_dir, "nfiq2/bin/nfiq2-score");
    find(t->nfiq1, sizeof t->nfiq1, tools_dir, "nbis/bin/nfiq");
    find(t->mindtct, sizeof t->mindtct, tools_dir, "nbis/bin/mindtct");
    find(t->bozorth3, sizeof t->bozorth3, tools_dir, "nbis/bin/bozorth3");
    /* NFIQ 2 also needs its OpenCV runtime: a run on nothing tells */
    if (t->nfiq2[0] != '\0') {
        char cmd[1200];
        snprintf(cmd, sizeof cmd, "'%s' >/dev/null 2>&1", t->nfiq2);
        int rc = system(cmd);
        if (rc == -1 || WEXITSTATUS(rc) == 127) {
            printf("NIST NFIQ 2: present but does not start (OpenCV runtime missing?)\n");
            t->nfiq2[0] = '\0';
        }
    }
    printf("NIST tools: NFIQ 2 %s, NFIQ 1 %s, mindtct %s, bozorth3 %s\n",
           t->nfiq2[0] ? "found" : "ABSENT (not measured)",
           t->nfiq1[0] ? "found" : "ABSENT (not measured)",
           t->mindtct[0] ? "found" : "ABSENT (not measured)",
           t->bozorth3[0] ? "found" : "ABSENT (not measured)");
    const char *tmp = getenv("TMPDIR");
    snprintf(t->scratch, sizeof t->scratch, "%s/bench-finger-XXXXXX", tmp ? tmp : "/tmp");
    return mkdtemp(t->scratch) != NULL;
}

void nist_close(nist_tools *t)
{
    DIR *d = opendir(t->scratch);
    if (d == NULL)
        return;
    struct dirent *e;
    char path[600];
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", t->scratch, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(t->scratch);
}

const char *nist_write(nist_tools *t, const fingerimg *img, const char *name)
{
    static char path[600];
    snprintf(path, sizeof path, "%s/%s.png", t->scratch, name);
    return fingerimg_save_png(img, path) == BK_OK ? path : NULL;
}

/* The first line of a command's output in buf; false when it did not run. */
static bool run(const char *cmd, char *buf, size_t size)
{
    FILE *p = popen(cmd, "r");
    if (p == NULL)
        return false;
    buf[0] = '\0';
    if (fgets(buf, (int)size, p) == NULL)
        buf[0] = '\0';
    char rest[256];
    while (fgets(rest, sizeof rest, p) != NULL)
        ;
    pclose(p);
    return true;
}

int nist_nfiq2(const nist_tools *t, const char *path)
{
    if (t->nfiq2[0] == '\0')
        return NIST_ABSENT;
    char cmd[2048], out[256];
    snprintf(cmd, sizeof cmd, "'%s' --fit -q '%s' 2>/dev/null", t->nfiq2, path);
    int v;
    if (!run(cmd, out, sizeof out) || sscanf(out, "score %d", &v) != 1)
        return NIST_ERROR;
    return v;
}

int nist_nfiq1(const nist_tools *t, const char *path)
{
    if (t->nfiq1[0] == '\0')
        return NIST_ABSENT;
    char cmd[2048], out[256];
    snprintf(cmd, sizeof cmd, "'%s' '%s' 2>/dev/null", t->nfiq1, path);
    int v;
    if (!run(cmd, out, sizeof out) || sscanf(out, "%d", &v) != 1 || v < 1 || v > 5)
        return NIST_ERROR;
    return v;
}

static double children_cpu_ms(void)
{
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
           (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

int nist_mindtct(const nist_tools *t, const char *path, const char *name, nist_xyt *out,
                 double *cpu_ms)
{
    if (t->mindtct[0] == '\0')
        return NIST_ABSENT;
    char cmd[2048], root[600];
    snprintf(root, sizeof root, "%s/%s", t->scratch, name);
    snprintf(cmd, sizeof cmd, "'%s' '%s' '%s' >/dev/null 2>&1", t->mindtct, path, root);
    double t0 = children_cpu_ms();
    int rc = system(cmd);
    *cpu_ms = children_cpu_ms() - t0;
    if (rc != 0)
        return NIST_ERROR;
    /* the files other than .xyt are not needed: keep the scratch directory small */
    static const char *const extra[] = {"brw", "dm", "hcm", "lcm", "lfm", "min", "qm"};
    for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++) {
        char p[700];
        snprintf(p, sizeof p, "%s.%s", root, extra[i]);
        unlink(p);
    }
    char xyt[700];
    snprintf(xyt, sizeof xyt, "%s.xyt", root);
    FILE *f = fopen(xyt, "r");
    if (f == NULL)
        return NIST_ERROR;
    out->n = 0;
    int x, y, th, q;
    while (out->n < 512 && fscanf(f, "%d %d %d %d", &x, &y, &th, &q) == 4) {
        out->x[out->n] = x;
        out->y[out->n] = y;
        out->t[out->n] = th;
        out->n++;
    }
    fclose(f);
    return out->n;
}

int nist_bozorth3(const nist_tools *t, const char *a, const char *b)
{
    if (t->bozorth3[0] == '\0')
        return NIST_ABSENT;
    char cmd[3000], out[256];
    snprintf(cmd, sizeof cmd, "'%s' '%s/%s.xyt' '%s/%s.xyt' 2>/dev/null", t->bozorth3, t->scratch,
             a, t->scratch, b);
    int v;
    if (!run(cmd, out, sizeof out) || sscanf(out, "%d", &v) != 1)
        return NIST_ERROR;
    return v;
}

/* Ranks with ties averaged. */
static void ranks(const double *v, int n, double *r)
{
    for (int i = 0; i < n; i++) {
        int less = 0, equal = 0;
        for (int j = 0; j < n; j++) {
            less += v[j] < v[i];
            equal += v[j] == v[i];
        }
        r[i] = less + (equal + 1) / 2.0;
    }
}

double nist_spearman(const double *a, const double *b, int n)
{
    if (n < 3)
        return NAN;
    double *ra = malloc(sizeof(double) * (size_t)n), *rb = malloc(sizeof(double) * (size_t)n);
    if (ra == NULL || rb == NULL) {
        free(ra);
        free(rb);
        return NAN;
    }
    ranks(a, n, ra);
    ranks(b, n, rb);
    double ma = 0, mb = 0, sab = 0, saa = 0, sbb = 0;
    for (int i = 0; i < n; i++) {
        ma += ra[i] / n;
        mb += rb[i] / n;
    }
    for (int i = 0; i < n; i++) {
        sab += (ra[i] - ma) * (rb[i] - mb);
        saa += (ra[i] - ma) * (ra[i] - ma);
        sbb += (rb[i] - mb) * (rb[i] - mb);
    }
    free(ra);
    free(rb);
    return saa > 0 && sbb > 0 ? sab / sqrt(saa * sbb) : NAN;
}

void nist_halves(const int *nfiq2, const char *const *names, int n, int *half)
{
    /* position of each print in the order (NFIQ 2, name) */
    for (int i = 0; i < n; i++) {
        int pos = 0;
        for (int j = 0; j < n; j++)
            pos += nfiq2[j] < nfiq2[i] || (nfiq2[j] == nfiq2[i] && strcmp(names[j], names[i]) < 0);
        half[i] = pos % 2;
    }
}

bool nist_nfiq1_sized(const fingerimg *img)
{
    return img != NULL && img->width >= NIST_NFIQ1_MIN_SIDE && img->height >= NIST_NFIQ1_MIN_SIDE;
}

bool nist_nfiq1_followed(int level, int original)
{
    return original <= 0 || level > original - 3;
}
