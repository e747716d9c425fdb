/* The prints of the fingerprint service (finger-priv.h): the features of each delivered image
 * under an id, which of them the step keeps per finger, and the uniqueness check of a new print
 * against the kept prints of the other fingers. Under the service's lock: the screen keeps and
 * forgets prints, and the step's end wipes them, at once on its own thread (so a `memory` count
 * right after sees them gone), while the service's thread adds and compares. */
#include "capture/finger-priv.h"

#include <string.h>

#include "core/biomem.h"
#include "imaging/fingermatch.h"

void finger_print_free(gpointer p)
{
    finger_print *print = p;
    if (print == NULL)
        return;
    fingermatch_print_free(print->ours_match);
    fingermatch_print_free(print->lfp_match);
    fingerfeat_free(print->ours);
    fingerfeat_free(print->lfp);
    g_free(print);
}

static bool matched(const fingerplan_check *c)
{
    return c->result == FINGERPLAN_SAME_FINGER || c->result == FINGERPLAN_HANDS_SWAPPED;
}

/* fingermatch_check() of one source: on the prepared prints when every one is (each print is
 * described once, when it is added), else on the features. */
static bk_err check_source(const fingerfeat *print, const fingermatch_print *print_m, int finger,
                           const fingerfeat *const kept[FINGERPLAN_FINGERS],
                           const fingermatch_print *const kept_m[FINGERPLAN_FINGERS], int threshold,
                           fingerplan_check *out)
{
    bool prepared = print_m != NULL;
    for (int f = 1; f < FINGERPLAN_FINGERS; f++)
        prepared = prepared && (kept[f] == NULL || kept_m[f] != NULL);
    if (prepared)
        return fingermatch_check_prepared(print_m, finger, kept_m, NULL, threshold, out);
    return fingermatch_check(print, finger, kept, NULL, threshold, out);
}

/* The check on both sources (finger-priv.h): a match by either is the same finger. A print ours
 * found unique stays unique when libfprint's found too few to compare (a blurred print); what
 * ours could not verify (too few of ours), libfprint's verify only when they were compared with
 * every kept print ours were. */
static fingerplan_check check_both(finger_service *fs, const finger_print *print, int finger)
{
    const fingerfeat *ours[FINGERPLAN_FINGERS] = {0}, *lfp[FINGERPLAN_FINGERS] = {0};
    const fingermatch_print *ours_m[FINGERPLAN_FINGERS] = {0}, *lfp_m[FINGERPLAN_FINGERS] = {0};
    bool every = print->lfp != NULL;
    for (int f = 1; f < FINGERPLAN_FINGERS; f++) {
        const finger_print *k = f != finger && fs->kept[f] != 0
                                    ? g_hash_table_lookup(fs->prints, GUINT_TO_POINTER(fs->kept[f]))
                                    : NULL;
        ours[f] = k ? k->ours : NULL;
        lfp[f] = k ? k->lfp : NULL;
        ours_m[f] = k ? k->ours_match : NULL;
        lfp_m[f] = k ? k->lfp_match : NULL;
        every = every && (k == NULL || k->lfp != NULL);
    }
    fingerplan_check a = {FINGERPLAN_UNIQUE, 0, 0}, b = {FINGERPLAN_UNIQUE, 0, 0};
    /* ours first: when they match, libfprint's are not compared (the decision is made) */
    if (check_source(print->ours, print->ours_match, finger, ours, ours_m, fs->match_threshold,
                     &a) != BK_OK)
        a = (fingerplan_check){FINGERPLAN_UNIQUE, 0, 0};
    if (matched(&a) || print->lfp == NULL)
        return a;
    if (check_source(print->lfp, print->lfp_match, finger, lfp, lfp_m, fs->lfp_threshold, &b) !=
        BK_OK)
        return a;
    if (matched(&b))
        return b;
    /* checked is checked: ours found it unique, or libfprint's did against every kept print */
    bool lfp_verified = every && b.result == FINGERPLAN_UNIQUE;
    fingerplan_check out = a.result == FINGERPLAN_UNVERIFIED && lfp_verified ? b : a;
    out.score = MAX(a.score, b.score);
    return out;
}

void finger_prints_add(finger_service *fs, fingerfeat *ours, fingerfeat *lfp, finger_event *ev)
{
    ev->check = (fingerplan_check){FINGERPLAN_UNIQUE, 0, 0};
    if (ours == NULL) {
        fingerfeat_free(lfp);
        return; /* the analysis failed: quality 0, nothing to compare */
    }
    finger_print *print = g_new0(finger_print, 1);
    print->ours = ours;
    print->lfp = lfp;
    /* outside the lock: a failure only leaves the print to be compared from its features */
    if (fingermatch_prepare(ours, &print->ours_match) != BK_OK)
        print->ours_match = NULL;
    if (lfp != NULL && fingermatch_prepare(lfp, &print->lfp_match) != BK_OK)
        print->lfp_match = NULL;
    ev->analysed = true;
    ev->quality = ours->quality;
    ev->minutiae = ours->n_minutiae;
    g_mutex_lock(&fs->lock);
    if (ev->finger > 0)
        ev->check = check_both(fs, print, ev->finger);
    if (++fs->next_print == 0)
        fs->next_print = 1;
    ev->print = fs->next_print;
    g_hash_table_replace(fs->prints, GUINT_TO_POINTER(ev->print), print);
    g_mutex_unlock(&fs->lock);
}

void finger_prints_forget(finger_service *fs, unsigned print)
{
    g_mutex_lock(&fs->lock);
    g_hash_table_remove(fs->prints, GUINT_TO_POINTER(print));
    for (int f = 1; f < FINGERPLAN_FINGERS; f++)
        if (fs->kept[f] == print)
            fs->kept[f] = 0;
    g_mutex_unlock(&fs->lock);
}

void finger_prints_keep(finger_service *fs, int finger, unsigned print)
{
    g_mutex_lock(&fs->lock);
    if (finger > 0 && finger < FINGERPLAN_FINGERS)
        fs->kept[finger] = print;
    g_mutex_unlock(&fs->lock);
}

void finger_prints_clear(finger_service *fs)
{
    g_mutex_lock(&fs->lock);
    g_hash_table_remove_all(fs->prints);
    for (int f = 1; f < FINGERPLAN_FINGERS; f++)
        fs->kept[f] = 0;
    g_mutex_unlock(&fs->lock);
}

bk_err finger_service_print_minutiae(finger_service *fs, unsigned print, bool libfprint,
                                     fingerfeat_minutia **out, int *n)
{
    bk_err err = BK_ERR_NOT_FOUND;
    *out = NULL;
    *n = 0;
    g_mutex_lock(&fs->lock);
    const finger_print *p = g_hash_table_lookup(fs->prints, GUINT_TO_POINTER(print));
    const fingerfeat *feat = p == NULL ? NULL : libfprint ? p->lfp : p->ours;
    if (feat != NULL) {
        err = BK_OK;
        if (feat->n_minutiae > 0) {
            *out = biomem_calloc((size_t)feat->n_minutiae, sizeof **out);
            if (*out == NULL)
                err = BK_ERR_NOMEM;
            else
                memcpy(*out, feat->minutiae, sizeof **out * (size_t)feat->n_minutiae);
        }
        *n = *out ? feat->n_minutiae : 0;
    }
    g_mutex_unlock(&fs->lock);
    return err;
}
