/* The uniqueness check of a new print against the kept prints and those on file
 * (fingermatch.h: fingermatch_check, fingermatch_check_prepared), on fingermatch's comparison. */
#include "imaging/fingermatch.h"

#include <stddef.h>

/* Whether a comparison with p can say nothing: too few minutiae for any score to reach the
 * threshold. */
static int too_few(const fingermatch_print *p)
{
    return fingermatch_print_features(p)->n_minutiae < FINGERFEAT_MIN_MINUTIAE;
}

bk_err fingermatch_check_prepared(const fingermatch_print *print, int finger,
                                  const fingermatch_print *const kept[FINGERPLAN_FINGERS],
                                  const fingermatch_print *const on_file[FINGERPLAN_FINGERS],
                                  int threshold, fingerplan_check *out)
{
    if (print == NULL || finger < 1 || finger > 10 || out == NULL)
        return BK_ERR_INVALID;
    fingerplan_check c = {FINGERPLAN_UNIQUE, FINGERPLAN_NONE, 0};
    int unsure = FINGERPLAN_NONE, unsure_score = 0; /* a comparison too poor for a verdict */
    for (int f = 1; f <= 10 && kept != NULL; f++) {
        if (f == finger || kept[f] == NULL)
            continue;
        fingermatch_result r;
        bk_err err = fingermatch_compare_prepared(print, kept[f], &r);
        if (err != BK_OK)
            return err;
        if (r.score >= threshold && r.score > c.score)
            c = (fingerplan_check){FINGERPLAN_SAME_FINGER, f, r.score};
        else if (unsure == FINGERPLAN_NONE && (too_few(print) || too_few(kept[f]))) {
            unsure = f;
            unsure_score = r.score;
        }
    }
    int own = 0; /* the score against this finger's own print on file */
    if (c.result == FINGERPLAN_UNIQUE && on_file != NULL && on_file[finger] != NULL) {
        fingermatch_result r;
        bk_err err = fingermatch_compare_prepared(print, on_file[finger], &r);
        if (err != BK_OK)
            return err;
        own = r.score;
    }
    if (c.result == FINGERPLAN_UNIQUE && on_file != NULL) {
        /* the other hand's fingers: 6..10 for a right finger, 1..5 for a left one; a print that
         * matches its own finger on file better is not swapped */
        int first = finger <= 5 ? 6 : 1;
        for (int f = first; f < first + 5; f++) {
            if (on_file[f] == NULL)
                continue;
            fingermatch_result r;
            bk_err err = fingermatch_compare_prepared(print, on_file[f], &r);
            if (err != BK_OK)
                return err;
            if (r.score >= threshold && r.score > c.score && r.score > own)
                c = (fingerplan_check){FINGERPLAN_HANDS_SWAPPED, f, r.score};
        }
    }
    if (c.result == FINGERPLAN_UNIQUE && unsure != FINGERPLAN_NONE)
        c = (fingerplan_check){FINGERPLAN_UNVERIFIED, unsure, unsure_score};
    *out = c;
    return BK_OK;
}

/* Prepares each print of `from` (NULL entries stay NULL) into to[]. */
static bk_err prepare_all(const fingerfeat *const from[FINGERPLAN_FINGERS],
                          fingermatch_print *to[FINGERPLAN_FINGERS])
{
    for (int f = 0; f < FINGERPLAN_FINGERS; f++) {
        to[f] = NULL;
        bk_err err = from != NULL && from[f] != NULL ? fingermatch_prepare(from[f], &to[f]) : BK_OK;
        if (err != BK_OK)
            return err;
    }
    return BK_OK;
}

bk_err fingermatch_check(const fingerfeat *print, int finger,
                         const fingerfeat *const kept[FINGERPLAN_FINGERS],
                         const fingerfeat *const on_file[FINGERPLAN_FINGERS], int threshold,
                         fingerplan_check *out)
{
    if (print == NULL || finger < 1 || finger > 10 || out == NULL)
        return BK_ERR_INVALID;
    fingermatch_print *p = NULL, *k[FINGERPLAN_FINGERS] = {0}, *o[FINGERPLAN_FINGERS] = {0};
    bk_err err = fingermatch_prepare(print, &p);
    if (err == BK_OK)
        err = prepare_all(kept, k);
    if (err == BK_OK)
        err = prepare_all(on_file, o);
    if (err == BK_OK)
        err = fingermatch_check_prepared(
            p, finger, kept ? (const fingermatch_print *const *)k : NULL,
            on_file ? (const fingermatch_print *const *)o : NULL, threshold, out);
    for (int f = 0; f < FINGERPLAN_FINGERS; f++) {
        fingermatch_print_free(k[f]);
        fingermatch_print_free(o[f]);
    }
    fingermatch_print_free(p);
    return err;
}
