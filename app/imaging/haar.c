#include "imaging/haar.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct hrect {
    int x, y, w, h;
    float weight;
} hrect;

typedef struct hfeature {
    hrect r[3];
    int n;
} hfeature;

typedef struct hnode {
    int feature;
    float threshold;
    int left, right; /* > 0: next node; <= 0: leaf number -value */
} hnode;

typedef struct hweak {
    int first_node, n_nodes;
    int first_leaf, n_leaves;
} hweak;

typedef struct hstage {
    float threshold;
    int first_weak, n_weak;
} hstage;

/* Growable arrays of the parsed cascade. */
#define VEC(T)                                                                                     \
    struct {                                                                                       \
        T *v;                                                                                      \
        int n, cap;                                                                                \
    }

struct haar {
    int width, height;
    VEC(hstage) stages;
    VEC(hweak) weaks;
    VEC(hnode) nodes;
    VEC(float) leaves;
    VEC(hfeature) features;
};

static int vec_grow(void **v, int *cap, int n, size_t elem)
{
    if (n < *cap)
        return 0;
    int ncap = *cap ? *cap * 2 : 64;
    void *nv = realloc(*v, (size_t)ncap * elem);
    if (nv == NULL)
        return -1;
    *v = nv;
    *cap = ncap;
    return 0;
}

#define VEC_PUSH(vec, val, fail)                                                                   \
    do {                                                                                           \
        if (vec_grow((void **)&(vec).v, &(vec).cap, (vec).n, sizeof(*(vec).v)) != 0)               \
            goto fail;                                                                             \
        (vec).v[(vec).n++] = (val);                                                                \
    } while (0)

void haar_free(haar *h)
{
    if (h == NULL)
        return;
    free(h->stages.v);
    free(h->weaks.v);
    free(h->nodes.v);
    free(h->leaves.v);
    free(h->features.v);
    free(h);
}

void haar_window(const haar *h, int *width, int *height)
{
    *width = h->width;
    *height = h->height;
}

/* --- XML: only what cascade files use. Tags, text, comments, <?...?>; no attributes needed. -- */

#define MAX_DEPTH 16
#define NAME_LEN  32

typedef struct xml_state {
    char path[MAX_DEPTH][NAME_LEN];
    int depth;
} xml_state;

/* Is the innermost part of the path equal to the given names (outermost first)? */
static int path_ends(const xml_state *s, int n, const char *const *names)
{
    if (s->depth < n)
        return 0;
    for (int i = 0; i < n; i++)
        if (strcmp(s->path[s->depth - n + i], names[i]) != 0)
            return 0;
    return 1;
}

#define ENDS(s, ...)                                                                               \
    path_ends(s, (int)(sizeof((const char *[]){__VA_ARGS__}) / sizeof(const char *)),              \
              (const char *[]){__VA_ARGS__})

static int parse_numbers(const char *text, size_t len, double *out, int max)
{
    char buf[512];
    if (len >= sizeof(buf))
        return -1;
    memcpy(buf, text, len);
    buf[len] = 0;
    int n = 0;
    char *p = buf;
    for (;;) {
        while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
            p++;
        if (*p == 0)
            break;
        if (n == max)
            return -1;
        char *end;
        errno = 0;
        double v = strtod(p, &end);
        if (end == p || errno != 0 || !isfinite(v))
            return -1;
        out[n++] = v;
        p = end;
    }
    return n;
}

/* Numbers in a cascade are small: node links, feature numbers and rectangles are whole and
 * well within int, weights and thresholds well within float. Anything else is a broken file
 * (and converting it would be undefined). */
static int whole(double v)
{
    return v == floor(v) && fabs(v) <= 1e6;
}

static int all_fit(const double *v, int n)
{
    for (int i = 0; i < n; i++)
        if (!(fabs(v[i]) <= 1e30))
            return 0;
    return 1;
}

static int blank(const char *t, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (t[i] != ' ' && t[i] != '\n' && t[i] != '\r' && t[i] != '\t')
            return 0;
    return 1;
}

/* Handles one run of text inside the current path. Returns a bk_err. */
static bk_err on_text(haar *h, const xml_state *s, const char *t, size_t len, int *kind_ok)
{
    double num[64];
    if (ENDS(s, "cascade", "stageType")) {
        if (!(len >= 5 && memcmp(t, "BOOST", 5) == 0))
            return BK_ERR_UNSUPPORTED;
        kind_ok[0] = 1;
    } else if (ENDS(s, "cascade", "featureType")) {
        if (!(len >= 4 && memcmp(t, "HAAR", 4) == 0))
            return BK_ERR_UNSUPPORTED;
        kind_ok[1] = 1;
    } else if (ENDS(s, "cascade", "height") || ENDS(s, "cascade", "width")) {
        if (parse_numbers(t, len, num, 1) != 1 || num[0] < 4 || num[0] > 256)
            return BK_ERR_CORRUPT;
        if (strcmp(s->path[s->depth - 1], "height") == 0)
            h->height = (int)num[0];
        else
            h->width = (int)num[0];
    } else if (ENDS(s, "stages", "_", "stageThreshold")) {
        if (h->stages.n == 0 || parse_numbers(t, len, num, 1) != 1 || !all_fit(num, 1))
            return BK_ERR_CORRUPT;
        h->stages.v[h->stages.n - 1].threshold = (float)num[0];
    } else if (ENDS(s, "weakClassifiers", "_", "internalNodes")) {
        int n = parse_numbers(t, len, num, 64);
        if (h->weaks.n == 0 || n <= 0 || n % 4 != 0 || !all_fit(num, n))
            return BK_ERR_CORRUPT;
        for (int i = 0; i < n; i += 4)
            if (!whole(num[i]) || !whole(num[i + 1]) || !whole(num[i + 2]))
                return BK_ERR_CORRUPT;
        hweak *w = &h->weaks.v[h->weaks.n - 1];
        w->first_node = h->nodes.n;
        w->n_nodes = n / 4;
        for (int i = 0; i < n; i += 4) {
            hnode node = {(int)num[i + 2], (float)num[i + 3], (int)num[i], (int)num[i + 1]};
            VEC_PUSH(h->nodes, node, nomem);
        }
    } else if (ENDS(s, "weakClassifiers", "_", "leafValues")) {
        int n = parse_numbers(t, len, num, 64);
        if (h->weaks.n == 0 || n <= 0 || !all_fit(num, n))
            return BK_ERR_CORRUPT;
        hweak *w = &h->weaks.v[h->weaks.n - 1];
        w->first_leaf = h->leaves.n;
        w->n_leaves = n;
        for (int i = 0; i < n; i++)
            VEC_PUSH(h->leaves, (float)num[i], nomem);
    } else if (ENDS(s, "features", "_", "rects", "_")) {
        if (h->features.n == 0 || parse_numbers(t, len, num, 5) != 5 || !all_fit(num, 5) ||
            !whole(num[0]) || !whole(num[1]) || !whole(num[2]) || !whole(num[3]))
            return BK_ERR_CORRUPT;
        hfeature *f = &h->features.v[h->features.n - 1];
        if (f->n == 3)
            return BK_ERR_CORRUPT;
        hrect r = {(int)num[0], (int)num[1], (int)num[2], (int)num[3], (float)num[4]};
        f->r[f->n++] = r;
    } else if (ENDS(s, "features", "_", "tilted")) {
        if (parse_numbers(t, len, num, 1) != 1)
            return BK_ERR_CORRUPT;
        if (num[0] != 0)
            return BK_ERR_UNSUPPORTED;
    }
    return BK_OK;
nomem:
    return BK_ERR_NOMEM;
}

/* Called when a tag opens, after it was pushed on the path. */
static bk_err on_open(haar *h, const xml_state *s)
{
    if (ENDS(s, "cascade", "stages", "_")) {
        hstage st = {0, h->weaks.n, 0};
        VEC_PUSH(h->stages, st, nomem);
    } else if (ENDS(s, "stages", "_", "weakClassifiers", "_")) {
        if (h->stages.n == 0)
            return BK_ERR_CORRUPT;
        hweak w = {0, 0, 0, 0};
        VEC_PUSH(h->weaks, w, nomem);
        h->stages.v[h->stages.n - 1].n_weak++;
    } else if (ENDS(s, "cascade", "features", "_")) {
        hfeature f;
        memset(&f, 0, sizeof(f));
        VEC_PUSH(h->features, f, nomem);
    }
    return BK_OK;
nomem:
    return BK_ERR_NOMEM;
}

/* Every reference must land inside the arrays, so evaluation needs no checks. */
static bk_err validate(const haar *h)
{
    if (h->width == 0 || h->height == 0 || h->stages.n == 0)
        return BK_ERR_CORRUPT;
    for (int i = 0; i < h->features.n; i++) {
        const hfeature *f = &h->features.v[i];
        if (f->n < 2)
            return BK_ERR_CORRUPT;
        for (int k = 0; k < f->n; k++) {
            const hrect *r = &f->r[k];
            if (r->x < 0 || r->y < 0 || r->w <= 0 || r->h <= 0 || r->x + r->w > h->width ||
                r->y + r->h > h->height)
                return BK_ERR_CORRUPT;
        }
    }
    for (int i = 0; i < h->weaks.n; i++) {
        const hweak *w = &h->weaks.v[i];
        if (w->n_nodes == 0 || w->n_leaves == 0)
            return BK_ERR_CORRUPT;
        for (int k = 0; k < w->n_nodes; k++) {
            const hnode *nd = &h->nodes.v[w->first_node + k];
            if (nd->feature < 0 || nd->feature >= h->features.n)
                return BK_ERR_CORRUPT;
            int kids[2] = {nd->left, nd->right};
            for (int c = 0; c < 2; c++) {
                /* a child node must come later, so a walk always ends */
                if (kids[c] > 0 && (kids[c] <= k || kids[c] >= w->n_nodes))
                    return BK_ERR_CORRUPT;
                if (kids[c] <= 0 && -kids[c] >= w->n_leaves)
                    return BK_ERR_CORRUPT;
            }
        }
    }
    return BK_OK;
}

bk_err haar_parse(const char *xml, size_t size, haar **out)
{
    haar *h = calloc(1, sizeof(*h));
    if (h == NULL)
        return BK_ERR_NOMEM;
    xml_state s;
    memset(&s, 0, sizeof(s));
    int kind_ok[2] = {0, 0};
    int in_cascade = 0;
    bk_err err = BK_OK;
    size_t i = 0;
    while (i < size && err == BK_OK) {
        if (xml[i] != '<') {
            size_t j = i;
            while (j < size && xml[j] != '<')
                j++;
            if (s.depth > 0 && !blank(xml + i, j - i))
                err = on_text(h, &s, xml + i, j - i, kind_ok);
            i = j;
            continue;
        }
        if (size - i >= 4 && memcmp(xml + i, "<!--", 4) == 0) {
            const char *end = NULL;
            for (size_t j = i + 4; j + 3 <= size; j++)
                if (memcmp(xml + j, "-->", 3) == 0) {
                    end = xml + j + 3;
                    break;
                }
            if (end == NULL) {
                err = BK_ERR_CORRUPT;
                break;
            }
            i = (size_t)(end - xml);
            continue;
        }
        size_t j = i + 1;
        while (j < size && xml[j] != '>')
            j++;
        if (j >= size) {
            err = BK_ERR_CORRUPT;
            break;
        }
        const char *tag = xml + i + 1;
        size_t tag_len = j - i - 1;
        i = j + 1;
        if (tag_len == 0 || tag[0] == '?' || tag[0] == '!')
            continue;
        int closing = tag[0] == '/';
        int self_closing = tag[tag_len - 1] == '/';
        if (closing) {
            tag++;
            tag_len--;
        }
        size_t name_len = 0;
        while (name_len < tag_len && tag[name_len] != ' ' && tag[name_len] != '/' &&
               tag[name_len] != '\n' && tag[name_len] != '\t')
            name_len++;
        if (name_len == 0 || name_len >= NAME_LEN) {
            err = BK_ERR_CORRUPT;
            break;
        }
        if (closing) {
            if (s.depth == 0 || strlen(s.path[s.depth - 1]) != name_len ||
                memcmp(s.path[s.depth - 1], tag, name_len) != 0) {
                err = BK_ERR_CORRUPT;
                break;
            }
            s.depth--;
            continue;
        }
        if (s.depth == MAX_DEPTH) {
            err = BK_ERR_CORRUPT;
            break;
        }
        memcpy(s.path[s.depth], tag, name_len);
        s.path[s.depth][name_len] = 0;
        s.depth++;
        if (strcmp(s.path[s.depth - 1], "cascade") == 0)
            in_cascade = 1;
        err = on_open(h, &s);
        if (self_closing)
            s.depth--;
    }
    if (err == BK_OK && (!in_cascade || s.depth != 0))
        err = BK_ERR_CORRUPT;
    if (err == BK_OK && (!kind_ok[0] || !kind_ok[1]))
        err = in_cascade ? BK_ERR_UNSUPPORTED : BK_ERR_CORRUPT;
    if (err == BK_OK)
        err = validate(h);
    if (err != BK_OK) {
        haar_free(h);
        return err;
    }
    *out = h;
    return BK_OK;
}

bk_err haar_load(const char *path, haar **out)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return errno == ENOENT ? BK_ERR_NOT_FOUND : BK_ERR_IO;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    bk_err err = BK_OK;
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 1 << 20;
            if (cap > (64u << 20)) {
                err = BK_ERR_NO_SPACE;
                break;
            }
            char *nb = realloc(buf, cap);
            if (nb == NULL) {
                err = BK_ERR_NOMEM;
                break;
            }
            buf = nb;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) {
            if (ferror(f))
                err = BK_ERR_IO;
            break;
        }
    }
    fclose(f);
    if (err == BK_OK)
        err = haar_parse(buf, len, out);
    free(buf);
    return err;
}

/* --- evaluation --- */

/* Integral images of one pyramid level, (w+1) x (h+1). */
typedef struct integral {
    int w, h, stride;
    uint32_t *sum;
    double *sq;
} integral;

static void integral_fill(integral *ii, const pic *g)
{
    ii->w = g->width;
    ii->h = g->height;
    ii->stride = g->width + 1;
    memset(ii->sum, 0, sizeof(*ii->sum) * (size_t)ii->stride);
    memset(ii->sq, 0, sizeof(*ii->sq) * (size_t)ii->stride);
    for (int y = 0; y < g->height; y++) {
        uint32_t rs = 0;
        double rq = 0;
        uint32_t *srow = ii->sum + (size_t)(y + 1) * (size_t)ii->stride;
        double *qrow = ii->sq + (size_t)(y + 1) * (size_t)ii->stride;
        const uint32_t *sprev = srow - ii->stride;
        const double *qprev = qrow - ii->stride;
        srow[0] = 0;
        qrow[0] = 0;
        const uint8_t *row = g->px + (size_t)y * (size_t)g->width;
        for (int x = 0; x < g->width; x++) {
            rs += row[x];
            rq += (double)row[x] * row[x];
            srow[x + 1] = sprev[x + 1] + rs;
            qrow[x + 1] = qprev[x + 1] + rq;
        }
    }
}

static inline uint32_t rsum(const integral *ii, int x, int y, int w, int h)
{
    const uint32_t *s = ii->sum;
    size_t st = (size_t)ii->stride;
    return s[(size_t)(y + h) * st + (size_t)(x + w)] - s[(size_t)y * st + (size_t)(x + w)] -
           s[(size_t)(y + h) * st + (size_t)x] + s[(size_t)y * st + (size_t)x];
}

static inline double rsq(const integral *ii, int x, int y, int w, int h)
{
    const double *s = ii->sq;
    size_t st = (size_t)ii->stride;
    return s[(size_t)(y + h) * st + (size_t)(x + w)] - s[(size_t)y * st + (size_t)(x + w)] -
           s[(size_t)(y + h) * st + (size_t)x] + s[(size_t)y * st + (size_t)x];
}

/* A feature's rectangles as offsets into one level's integral image, so that a window's sum
 * is four loads from the window's corner: computed once per pyramid level. */
typedef struct orect {
    int a, b, c, d; /* top-left, top-right, bottom-left, bottom-right */
    float weight;
} orect;

typedef struct ofeature {
    orect r[3];
    int n;
} ofeature;

static void offsets_fill(const haar *h, const integral *ii, ofeature *of)
{
    for (int i = 0; i < h->features.n; i++) {
        const hfeature *f = &h->features.v[i];
        of[i].n = f->n;
        for (int k = 0; k < f->n; k++) {
            const hrect *r = &f->r[k];
            of[i].r[k].a = r->y * ii->stride + r->x;
            of[i].r[k].b = r->y * ii->stride + r->x + r->w;
            of[i].r[k].c = (r->y + r->h) * ii->stride + r->x;
            of[i].r[k].d = (r->y + r->h) * ii->stride + r->x + r->w;
            of[i].r[k].weight = r->weight;
        }
    }
}

/* One over the contrast of the window at (x, y), by which its feature sums are normalised (one
 * pixel border left out, as the cascades were trained), so that lighting does not change the
 * answer. */
static double window_inv_contrast(const haar *h, const integral *ii, int x, int y)
{
    int nw = h->width - 2, nh = h->height - 2;
    double area = (double)nw * nh;
    double s = rsum(ii, x + 1, y + 1, nw, nh);
    double q = rsq(ii, x + 1, y + 1, nw, nh);
    double nf = area * q - s * s;
    nf = nf > 0 ? sqrt(nf) : 1.0;
    return 1.0 / nf;
}

/* Runs the cascade on the window at (x, y); 1 when every stage accepts it. */
static int window_passes(const haar *h, const integral *ii, const ofeature *of, int x, int y)
{
    double inv = window_inv_contrast(h, ii, x, y);
    const uint32_t *base = ii->sum + (size_t)y * (size_t)ii->stride + (size_t)x;
    for (int si = 0; si < h->stages.n; si++) {
        const hstage *st = &h->stages.v[si];
        double acc = 0;
        for (int wi = st->first_weak; wi < st->first_weak + st->n_weak; wi++) {
            const hweak *wk = &h->weaks.v[wi];
            int idx = 0;
            do {
                const hnode *nd = &h->nodes.v[wk->first_node + idx];
                const ofeature *f = &of[nd->feature];
                double v = 0;
                for (int k = 0; k < f->n; k++) {
                    const orect *r = &f->r[k];
                    v += r->weight * (double)(base[r->d] - base[r->b] - base[r->c] + base[r->a]);
                }
                idx = v * inv < nd->threshold ? nd->left : nd->right;
            } while (idx > 0);
            acc += h->leaves.v[wk->first_leaf - idx];
        }
        if (acc < st->threshold)
            return 0;
    }
    return 1;
}

/* A weak classifier that is a stump (one node, two leaves: every weak of OpenCV's frontal face
 * and eye cascades), laid out for one level's integral image: the feature's offsets, its
 * threshold and both leaves in one record, the records in the order they are evaluated, so a
 * window reads them front to back instead of through weak -> node -> feature -> leaf. */
typedef struct fstump {
    orect r[3];
    int n;
    float threshold;
    float leaf[2]; /* below the threshold, at or above it */
} fstump;

/* Whether every weak of `h` is a stump whose both children are leaves. */
static bool all_stumps(const haar *h)
{
    for (int i = 0; i < h->weaks.n; i++) {
        const hweak *wk = &h->weaks.v[i];
        if (wk->n_nodes != 1)
            return false;
        const hnode *nd = &h->nodes.v[wk->first_node];
        if (nd->left > 0 || nd->right > 0)
            return false;
    }
    return true;
}

static void stumps_fill(const haar *h, const ofeature *of, fstump *fs)
{
    for (int i = 0; i < h->weaks.n; i++) {
        const hweak *wk = &h->weaks.v[i];
        const hnode *nd = &h->nodes.v[wk->first_node];
        const ofeature *f = &of[nd->feature];
        fstump *s = &fs[i];
        memcpy(s->r, f->r, sizeof(s->r));
        s->n = f->n;
        s->threshold = nd->threshold;
        s->leaf[0] = h->leaves.v[wk->first_leaf - nd->left];
        s->leaf[1] = h->leaves.v[wk->first_leaf - nd->right];
    }
}

/* window_passes for a cascade of stumps: the same sums in the same order, so the same answer. */
static int window_passes_stumps(const haar *h, const integral *ii, const fstump *fs, int x, int y)
{
    double inv = window_inv_contrast(h, ii, x, y);
    const uint32_t *base = ii->sum + (size_t)y * (size_t)ii->stride + (size_t)x;
    for (int si = 0; si < h->stages.n; si++) {
        const hstage *st = &h->stages.v[si];
        const fstump *w = fs + st->first_weak, *end = w + st->n_weak;
        double acc = 0;
        for (; w < end; w++) {
            double v = 0;
            for (int k = 0; k < w->n; k++) {
                const orect *r = &w->r[k];
                v += r->weight * (double)(base[r->d] - base[r->b] - base[r->c] + base[r->a]);
            }
            acc += w->leaf[!(v * inv < w->threshold)];
        }
        if (acc < st->threshold)
            return 0;
    }
    return 1;
}

typedef struct box {
    double x, y, w, h;
} box;

static int similar(const box *a, const box *b)
{
    double d = 0.2 * (fmin(a->w, b->w) + fmin(a->h, b->h)) * 0.5;
    return fabs(a->x - b->x) <= d && fabs(a->y - b->y) <= d &&
           fabs(a->x + a->w - b->x - b->w) <= d && fabs(a->y + a->h - b->y - b->h) <= d;
}

static int find_root(int *parent, int i)
{
    while (parent[i] != i) {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    return i;
}

static int hit_larger_first(const void *a, const void *b)
{
    const haar_hit *x = a, *y = b;
    return (x->w < y->w) - (x->w > y->w);
}

/* Merges overlapping raw windows into hits: clusters of similar windows are averaged; a
 * cluster with fewer than min_neighbours windows is noise; a small hit inside a bigger, better
 * supported one is dropped. */
static bk_err group(const box *raw, int n, int min_neighbours, haar_hit **hits, size_t *n_hits)
{
    *hits = NULL;
    *n_hits = 0;
    if (n == 0)
        return BK_OK;
    int *parent = malloc(sizeof(int) * (size_t)n);
    haar_hit *acc = calloc((size_t)n, sizeof(haar_hit));
    if (parent == NULL || acc == NULL) {
        free(parent);
        free(acc);
        return BK_ERR_NOMEM;
    }
    for (int i = 0; i < n; i++)
        parent[i] = i;
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            if (similar(&raw[i], &raw[j])) {
                int a = find_root(parent, i), b = find_root(parent, j);
                if (a != b)
                    parent[b] = a;
            }
    for (int i = 0; i < n; i++) {
        haar_hit *c = &acc[find_root(parent, i)];
        c->x += raw[i].x;
        c->y += raw[i].y;
        c->w += raw[i].w;
        c->h += raw[i].h;
        c->neighbours++;
    }
    int m = 0;
    for (int i = 0; i < n; i++) {
        if (acc[i].neighbours < (min_neighbours > 0 ? min_neighbours : 1))
            continue;
        double k = 1.0 / acc[i].neighbours;
        haar_hit c = {acc[i].x * k, acc[i].y * k, acc[i].w * k, acc[i].h * k, acc[i].neighbours};
        acc[m++] = c;
    }
    /* drop hits nested in a stronger one */
    int kept = 0;
    for (int i = 0; i < m; i++) {
        int nested = 0;
        for (int j = 0; j < m && !nested; j++) {
            if (i == j)
                continue;
            double dx = acc[j].w * 0.2, dy = acc[j].h * 0.2;
            if (acc[i].x >= acc[j].x - dx && acc[i].y >= acc[j].y - dy &&
                acc[i].x + acc[i].w <= acc[j].x + acc[j].w + dx &&
                acc[i].y + acc[i].h <= acc[j].y + acc[j].h + dy && acc[j].w > acc[i].w &&
                (acc[j].neighbours > (acc[i].neighbours > 3 ? acc[i].neighbours : 3) ||
                 acc[i].neighbours < 3))
                nested = 1;
        }
        if (!nested)
            acc[kept++] = acc[i];
    }
    free(parent);
    if (kept == 0) {
        free(acc);
        return BK_OK;
    }
    qsort(acc, (size_t)kept, sizeof(*acc), hit_larger_first);
    *hits = acc;
    *n_hits = (size_t)kept;
    return BK_OK;
}

bk_err haar_detect(const haar *h, const pic *grey, const haar_params *params, haar_hit **hits,
                   size_t *n)
{
    if (h == NULL || grey == NULL || grey->channels != 1 || params == NULL ||
        !(params->scale_step > 1.0) || (int64_t)grey->width * grey->height > 16000000)
        return BK_ERR_INVALID;
    integral ii;
    size_t cells = (size_t)(grey->width + 1) * (size_t)(grey->height + 1);
    ii.sum = malloc(sizeof(*ii.sum) * cells);
    ii.sq = malloc(sizeof(*ii.sq) * cells);
    box *raw = NULL;
    int n_raw = 0, cap_raw = 0;
    bk_err err = BK_OK;
    ofeature *of = malloc(sizeof(*of) * (size_t)(h->features.n ? h->features.n : 1));
    /* the stumps' records, rebuilt per level; NULL: the general evaluation */
    const bool stumps = all_stumps(h);
    fstump *fs = stumps ? malloc(sizeof(*fs) * (size_t)(h->weaks.n ? h->weaks.n : 1)) : NULL;
    if (ii.sum == NULL || ii.sq == NULL || of == NULL || (stumps && fs == NULL)) {
        err = BK_ERR_NOMEM;
        goto out;
    }
    int min_size = params->min_size > h->width ? params->min_size : h->width;
    for (double f = (double)min_size / h->width;; f *= params->scale_step) {
        int ww = (int)lround(h->width * f);
        if (params->max_size > 0 && ww > params->max_size)
            break;
        int sw = (int)(grey->width / f), sh = (int)(grey->height / f);
        if (sw < h->width || sh < h->height)
            break;
        pic *level = NULL;
        if (sw == grey->width && sh == grey->height) {
            integral_fill(&ii, grey);
        } else {
            err = pic_resize(grey, sw, sh, &level);
            if (err != BK_OK)
                goto out;
            integral_fill(&ii, level);
            pic_free(level);
        }
        offsets_fill(h, &ii, of);
        if (fs != NULL)
            stumps_fill(h, of, fs);
        /* coarse steps at fine scales, as OpenCV does: neighbouring windows overlap anyway */
        int step = params->step > 0 ? params->step : f > 2.0 ? 1 : 2;
        for (int y = 0; y + h->height <= sh; y += step)
            for (int x = 0; x + h->width <= sw; x += step) {
                if (fs != NULL ? !window_passes_stumps(h, &ii, fs, x, y)
                               : !window_passes(h, &ii, of, x, y))
                    continue;
                if (vec_grow((void **)&raw, &cap_raw, n_raw, sizeof(*raw)) != 0) {
                    err = BK_ERR_NOMEM;
                    goto out;
                }
                double kx = (double)grey->width / sw, ky = (double)grey->height / sh;
                box b = {x * kx, y * ky, h->width * kx, h->height * ky};
                raw[n_raw++] = b;
            }
    }
    err = group(raw, n_raw, params->min_neighbours, hits, n);
out:
    free(ii.sum);
    free(ii.sq);
    free(of);
    free(fs);
    free(raw);
    return err;
}
