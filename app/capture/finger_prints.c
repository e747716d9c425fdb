/* The prints of the fingerprint service (finger-priv.h): the features of each delivered image
 * under an id, which of them the step keeps per finger, and the uniqueness check of a new print
 * against the kept prints of the other fingers. Under the service's lock: the screen keeps and
 * forgets prints, and the step's end wipes them, at once on its own thread (so a `memory` count
 * right after sees them gone), while the service's thread adds and compares. */
#include "capture/finger-priv.h"

#include "imaging/fingermatch.h"

void finger_prints_add(finger_service *fs, fingerfeat *feat, finger_event *ev)
{
    ev->check = (fingerplan_check){FINGERPLAN_UNIQUE, 0, 0};
    if (feat == NULL)
        return; /* the analysis failed: quality 0, nothing to compare */
    ev->analysed = true;
    ev->quality = feat->quality;
    ev->minutiae = feat->n_minutiae;
    g_mutex_lock(&fs->lock);
    const fingerfeat *kept[FINGERPLAN_FINGERS] = {0};
    for (int f = 1; f < FINGERPLAN_FINGERS; f++)
        if (f != ev->finger && fs->kept[f] != 0)
            kept[f] = g_hash_table_lookup(fs->prints, GUINT_TO_POINTER(fs->kept[f]));
    if (ev->finger > 0 &&
        fingermatch_check(feat, ev->finger, kept, NULL, fs->match_threshold, &ev->check) != BK_OK)
        ev->check = (fingerplan_check){FINGERPLAN_UNIQUE, 0, 0};
    if (++fs->next_print == 0)
        fs->next_print = 1;
    ev->print = fs->next_print;
    g_hash_table_replace(fs->prints, GUINT_TO_POINTER(ev->print), feat);
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
