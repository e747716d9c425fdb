/* Comparing two fingerprints by their minutiae, for the uniqueness check (is the second finger
 * the same as the first?). Pure computation, no GLib.
 *
 * The two minutiae sets are aligned by voting over rotations (up to 45 degrees either way) and
 * translations; for the best alignments the minutiae that pair up one to one (position and
 * direction close) are counted, against the minutiae of each print that fall inside the other
 * print's area after alignment (the smaller of the two counts, at least 25), so a partial
 * overlap is not punished twice. Fewer than 10 pairs scale the score down in proportion.
 *
 * The result does not depend on the order of the two prints: each pair is compared in one order
 * of its own (the print with fewer minutiae against the other, ties by content), and the
 * alignment is given back inverted when the prints were given the other way round. A print of
 * more than 150 minutiae is compared on the 150 nearest the centre of its minutiae (bozorth3
 * keeps 150 too). Minutiae must have finite positions and directions (BK_ERR_INVALID otherwise).
 */
#ifndef BIOKIOSK_FINGERMATCH_H
#define BIOKIOSK_FINGERMATCH_H

#include "core/bk_err.h"
#include "imaging/fingerfeat.h"
#include "core/fingerplan.h"

/* Default decision threshold on the score: at or above it two prints are taken to be the same
 * finger. 35: chosen when it was the lowest at which no two different shared captures matched;
 * since session 9 the highest score of two different fingers in bench-finger is 26, and at 35
 * fewer same-finger pairs are missed than by bozorth3 at its usual 40 (docs/fingerprints.md). */
#define FINGERMATCH_DEFAULT_THRESHOLD 35

typedef struct fingermatch_result {
    int score;    /* 0..100: 100 * paired / the smaller overlap count */
    int paired;   /* minutiae paired one to one */
    float angle;  /* rotation of b against a, radians */
    float dx, dy; /* translation of b against a after rotation, pixels */
} fingermatch_result;

/* Compares a and b (transfer none) into *out. BK_ERR_INVALID for NULL arguments or a minutia
 * that is not finite, BK_ERR_NOMEM.
 * Prints with fewer than 4 minutiae score 0. Prepares both prints for this one comparison: a
 * print compared with several others is better prepared once (fingermatch_prepare()). */
bk_err fingermatch_compare(const fingerfeat *a, const fingerfeat *b, fingermatch_result *out);

/* A print prepared for comparing: what depends on one print alone (each minutia's neighbourhood,
 * their index, the minutiae sorted by y) is built once, and fingermatch_compare_prepared() only
 * does the work that needs both prints. It points to the features it was made from (transfer
 * none: they must outlive it and stay unchanged). Its memory is biometric (core/biomem.h): wiped
 * when freed. */
typedef struct fingermatch_print fingermatch_print;

/* Prepares f into *out (transfer full: fingermatch_print_free). BK_ERR_INVALID for NULL
 * arguments or a minutia whose position or direction is not finite, BK_ERR_NOMEM. */
bk_err fingermatch_prepare(const fingerfeat *f, fingermatch_print **out);

/* Wipes and frees. NULL does nothing. */
void fingermatch_print_free(fingermatch_print *p);

/* The features p was prepared from (transfer none); NULL for NULL. */
const fingerfeat *fingermatch_print_features(const fingermatch_print *p);

/* fingermatch_compare() on prepared prints: the same result as on their features. */
bk_err fingermatch_compare_prepared(const fingermatch_print *a, const fingermatch_print *b,
                                    fingermatch_result *out);

/* The uniqueness check of a new print of `finger` (TR-03121 4.6.2), for fingerplan_attempt():
 * SAME_FINGER when it matches the print kept for another finger (kept[f], NULL when none);
 * HANDS_SWAPPED when it matches a print on file (on_file[f], NULL when none) of a finger of the
 * other hand better than the print on file of `finger` itself; UNVERIFIED (other = that finger)
 * when nothing matched but the new print or a kept print compared with it has fewer than
 * FINGERFEAT_MIN_MINUTIAE minutiae (no score could reach the threshold); otherwise UNIQUE. Without
 * prints on file a swap of two different fingers cannot be seen: only the same finger twice. Both
 * arrays are indexed by finger position (1..10) and may be NULL as a whole. A match is a score at
 * or above `threshold`. BK_ERR_INVALID, BK_ERR_NOMEM. */
bk_err fingermatch_check(const fingerfeat *print, int finger,
                         const fingerfeat *const kept[FINGERPLAN_FINGERS],
                         const fingerfeat *const on_file[FINGERPLAN_FINGERS], int threshold,
                         fingerplan_check *out);

/* fingermatch_check() on prepared prints (the kiosk keeps each print prepared, so each print is
 * described once, not once per comparison): the same result as on their features. */
bk_err fingermatch_check_prepared(const fingermatch_print *print, int finger,
                                  const fingermatch_print *const kept[FINGERPLAN_FINGERS],
                                  const fingermatch_print *const on_file[FINGERPLAN_FINGERS],
                                  int threshold, fingerplan_check *out);

#endif
