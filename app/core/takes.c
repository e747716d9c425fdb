#include "core/takes.h"

#include <string.h>

#include "core/biomem.h"

typedef struct person_takes {
    uint8_t *face;
    size_t face_len;
    takes_finger fingers[TAKES_MAX_FINGERS];
    size_t n_fingers;
    takes_point *points; /* biomem */
    size_t n_points;
    size_t *ends; /* biomem: stroke ends are biometric too (they shape the signature) */
    size_t n_strokes;
    takes_attempt attempts[TAKES_MAX_LOG];
    size_t n_attempts;
    takes_exception exceptions[TAKES_MAX_LOG];
    size_t n_exceptions;
} person_takes;

struct takes {
    size_t n_persons;
    person_takes persons[TAKES_MAX_PERSONS];
    takes_device devices[TAKES_MAX_DEVICES];
    size_t n_devices;
};

static void copy_text(char *dst, size_t size, const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (n >= size)
        n = size - 1;
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

static uint8_t *dup_bytes(const uint8_t *data, size_t len)
{
    uint8_t *copy = biomem_alloc(len);
    if (copy != NULL)
        memcpy(copy, data, len);
    return copy;
}

takes *takes_new(size_t n_persons)
{
    if (n_persons == 0 || n_persons > TAKES_MAX_PERSONS)
        return NULL;
    /* biomem: the log names fingers and reasons; wiping it on free costs nothing */
    takes *t = biomem_alloc(sizeof *t);
    if (t != NULL)
        t->n_persons = n_persons;
    return t;
}

static void clear_signature(person_takes *p)
{
    biomem_free(p->points);
    biomem_free(p->ends);
    p->points = NULL;
    p->ends = NULL;
    p->n_points = p->n_strokes = 0;
}

static void clear_fingers(person_takes *p)
{
    for (size_t i = 0; i < p->n_fingers; i++)
        biomem_free(p->fingers[i].png);
    memset(p->fingers, 0, sizeof p->fingers);
    p->n_fingers = 0;
}

static void clear_face(person_takes *p)
{
    biomem_free(p->face);
    p->face = NULL;
    p->face_len = 0;
}

void takes_free(takes *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->n_persons; i++) {
        clear_face(&t->persons[i]);
        clear_fingers(&t->persons[i]);
        clear_signature(&t->persons[i]);
    }
    biomem_free(t);
}

size_t takes_person_count(const takes *t)
{
    return t ? t->n_persons : 0;
}

static person_takes *person_of(takes *t, size_t person)
{
    return t != NULL && person < t->n_persons ? &t->persons[person] : NULL;
}

static const person_takes *cperson_of(const takes *t, size_t person)
{
    return t != NULL && person < t->n_persons ? &t->persons[person] : NULL;
}

bk_err takes_set_face(takes *t, size_t person, const uint8_t *jpeg, size_t len)
{
    person_takes *p = person_of(t, person);
    if (p == NULL || jpeg == NULL || len == 0)
        return BK_ERR_INVALID;
    uint8_t *copy = dup_bytes(jpeg, len);
    if (copy == NULL)
        return BK_ERR_NOMEM;
    clear_face(p);
    p->face = copy;
    p->face_len = len;
    return BK_OK;
}

const uint8_t *takes_face(const takes *t, size_t person, size_t *len)
{
    const person_takes *p = cperson_of(t, person);
    if (len)
        *len = p ? p->face_len : 0;
    return p ? p->face : NULL;
}

bk_err takes_set_finger(takes *t, size_t person, unsigned position, const uint8_t *png, size_t len,
                        int quality)
{
    person_takes *p = person_of(t, person);
    if (p == NULL || position < 1 || position > 10 || png == NULL || len == 0 || quality < 0 ||
        quality > 100)
        return BK_ERR_INVALID;
    takes_finger *slot = NULL;
    for (size_t i = 0; i < p->n_fingers; i++)
        if (p->fingers[i].position == position)
            slot = &p->fingers[i];
    if (slot == NULL && p->n_fingers == TAKES_MAX_FINGERS)
        return BK_ERR_NO_SPACE;
    uint8_t *copy = dup_bytes(png, len);
    if (copy == NULL)
        return BK_ERR_NOMEM;
    if (slot == NULL)
        slot = &p->fingers[p->n_fingers++];
    else
        biomem_free(slot->png);
    slot->position = position;
    slot->png = copy;
    slot->png_len = len;
    slot->quality = quality;
    return BK_OK;
}

size_t takes_finger_count(const takes *t, size_t person)
{
    const person_takes *p = cperson_of(t, person);
    return p ? p->n_fingers : 0;
}

const takes_finger *takes_finger_get(const takes *t, size_t person, size_t i)
{
    const person_takes *p = cperson_of(t, person);
    return p && i < p->n_fingers ? &p->fingers[i] : NULL;
}

bk_err takes_set_signature(takes *t, size_t person, const takes_point *points, size_t n_points,
                           const size_t *stroke_ends, size_t n_strokes)
{
    person_takes *p = person_of(t, person);
    if (p == NULL || points == NULL || n_points == 0 || stroke_ends == NULL || n_strokes == 0 ||
        stroke_ends[n_strokes - 1] != n_points)
        return BK_ERR_INVALID;
    for (size_t i = 0; i < n_strokes; i++)
        if (stroke_ends[i] == 0 || (i > 0 && stroke_ends[i] <= stroke_ends[i - 1]))
            return BK_ERR_INVALID;
    takes_point *pts = biomem_calloc(n_points, sizeof *pts);
    size_t *ends = biomem_calloc(n_strokes, sizeof *ends);
    if (pts == NULL || ends == NULL) {
        biomem_free(pts);
        biomem_free(ends);
        return BK_ERR_NOMEM;
    }
    memcpy(pts, points, n_points * sizeof *pts);
    memcpy(ends, stroke_ends, n_strokes * sizeof *ends);
    clear_signature(p);
    p->points = pts;
    p->n_points = n_points;
    p->ends = ends;
    p->n_strokes = n_strokes;
    return BK_OK;
}

size_t takes_signature(const takes *t, size_t person, const takes_point **points,
                       const size_t **stroke_ends, size_t *n_strokes)
{
    const person_takes *p = cperson_of(t, person);
    if (points)
        *points = p ? p->points : NULL;
    if (stroke_ends)
        *stroke_ends = p ? p->ends : NULL;
    if (n_strokes)
        *n_strokes = p ? p->n_strokes : 0;
    return p ? p->n_points : 0;
}

void takes_clear_item(takes *t, size_t person, takes_item item)
{
    person_takes *p = person_of(t, person);
    if (p == NULL)
        return;
    if (item == TAKES_ITEM_PHOTO)
        clear_face(p);
    else if (item == TAKES_ITEM_FINGERPRINTS)
        clear_fingers(p);
    else if (item == TAKES_ITEM_SIGNATURE)
        clear_signature(p);
    size_t kept = 0;
    for (size_t i = 0; i < p->n_attempts; i++)
        if (p->attempts[i].item != item)
            p->attempts[kept++] = p->attempts[i];
    p->n_attempts = kept;
    kept = 0;
    for (size_t i = 0; i < p->n_exceptions; i++)
        if (p->exceptions[i].item != item)
            p->exceptions[kept++] = p->exceptions[i];
    p->n_exceptions = kept;
}

bk_err takes_add_attempt(takes *t, size_t person, const takes_attempt *attempt)
{
    person_takes *p = person_of(t, person);
    if (p == NULL || attempt == NULL || (unsigned)attempt->item >= TAKES_ITEM_COUNT_)
        return BK_ERR_INVALID;
    if (p->n_attempts == TAKES_MAX_LOG)
        return BK_ERR_NO_SPACE;
    p->attempts[p->n_attempts++] = *attempt;
    return BK_OK;
}

bk_err takes_add_exception(takes *t, size_t person, takes_item item, unsigned position,
                           bool permanent, const char *reason)
{
    person_takes *p = person_of(t, person);
    if (p == NULL || (unsigned)item >= TAKES_ITEM_COUNT_ || position > 10 || reason == NULL ||
        reason[0] == '\0')
        return BK_ERR_INVALID;
    if (p->n_exceptions == TAKES_MAX_LOG)
        return BK_ERR_NO_SPACE;
    takes_exception *e = &p->exceptions[p->n_exceptions++];
    e->item = item;
    e->position = position;
    e->permanent = permanent;
    copy_text(e->reason, sizeof e->reason, reason);
    return BK_OK;
}

size_t takes_attempt_count(const takes *t, size_t person)
{
    const person_takes *p = cperson_of(t, person);
    return p ? p->n_attempts : 0;
}

const takes_attempt *takes_attempt_get(const takes *t, size_t person, size_t i)
{
    const person_takes *p = cperson_of(t, person);
    return p && i < p->n_attempts ? &p->attempts[i] : NULL;
}

size_t takes_exception_count(const takes *t, size_t person)
{
    const person_takes *p = cperson_of(t, person);
    return p ? p->n_exceptions : 0;
}

const takes_exception *takes_exception_get(const takes *t, size_t person, size_t i)
{
    const person_takes *p = cperson_of(t, person);
    return p && i < p->n_exceptions ? &p->exceptions[i] : NULL;
}

bk_err takes_set_device(takes *t, const char *kind, const char *model, const char *serial)
{
    if (t == NULL || kind == NULL || kind[0] == '\0')
        return BK_ERR_INVALID;
    takes_device *d = NULL;
    for (size_t i = 0; i < t->n_devices; i++)
        if (strcmp(t->devices[i].kind, kind) == 0)
            d = &t->devices[i];
    if (d == NULL) {
        if (t->n_devices == TAKES_MAX_DEVICES)
            return BK_ERR_NO_SPACE;
        d = &t->devices[t->n_devices++];
    }
    copy_text(d->kind, sizeof d->kind, kind);
    copy_text(d->model, sizeof d->model, model);
    copy_text(d->serial, sizeof d->serial, serial);
    return BK_OK;
}

size_t takes_device_count(const takes *t)
{
    return t ? t->n_devices : 0;
}

const takes_device *takes_device_get(const takes *t, size_t i)
{
    return t && i < t->n_devices ? &t->devices[i] : NULL;
}

const char *takes_item_str(takes_item item)
{
    static const char *const names[TAKES_ITEM_COUNT_] = {"photo", "fingerprints", "signature"};
    return (unsigned)item < TAKES_ITEM_COUNT_ ? names[item] : "unknown";
}
