/* The capture plan alone: finger order, fallbacks, attempts, thresholds, vetoes, exceptions. */
#include <glib.h>
#include <string.h>

#include "core/fingerplan.h"

static fingerplan *plan_new(void)
{
    fingerplan *p = NULL;
    g_assert_cmpint(fingerplan_new(NULL, &p), ==, BK_OK);
    return p;
}

static fingerplan_outcome attempt(fingerplan *p, int quality)
{
    fingerplan_outcome o;
    g_assert_cmpint(fingerplan_attempt(p, quality, NULL, &o, NULL), ==, BK_OK);
    return o;
}

static void test_defaults(void)
{
    fingerplan *p = plan_new();
    g_assert_cmpint(fingerplan_threshold(p, FINGERPLAN_RIGHT_INDEX), ==, 30);
    g_assert_cmpint(fingerplan_threshold(p, FINGERPLAN_LEFT_THUMB), ==, 30);
    g_assert_cmpint(fingerplan_threshold(p, FINGERPLAN_RIGHT_MIDDLE), ==, 25);
    g_assert_cmpint(fingerplan_threshold(p, FINGERPLAN_LEFT_RING), ==, 25);
    g_assert_cmpint(fingerplan_threshold(p, FINGERPLAN_LEFT_LITTLE), ==, 25);
    g_assert_cmpint(fingerplan_current(p), ==, FINGERPLAN_RIGHT_INDEX);
    g_assert_cmpint(attempt(p, 30), ==, FINGERPLAN_KEPT);
    g_assert_cmpint(fingerplan_current(p), ==, FINGERPLAN_LEFT_INDEX);
    g_assert_cmpint(attempt(p, 90), ==, FINGERPLAN_KEPT);
    g_assert_cmpint(fingerplan_current(p), ==, FINGERPLAN_NONE);
    fingerplan_outcome o;
    g_assert_cmpint(fingerplan_attempt(p, 50, NULL, &o, NULL), ==, BK_ERR_CONFLICT);
    fingerplan_free(p);
    fingerplan_free(NULL);
}

static void test_fallback_order(void)
{
    /* default TR order: thumb, middle, ring; never the little finger */
    fingerplan *p = plan_new();
    fingerplan_mark_missing(p, FINGERPLAN_LEFT_INDEX, FINGERPLAN_REASON_AMPUTATED, true);
    fingerplan_mark_missing(p, FINGERPLAN_LEFT_THUMB, FINGERPLAN_REASON_INJURED, false);
    g_assert_cmpint(fingerplan_current(p), ==, FINGERPLAN_RIGHT_INDEX);
    attempt(p, 80);
    g_assert_cmpint(fingerplan_current(p), ==, FINGERPLAN_LEFT_MIDDLE);
    fingerplan_mark_missing(p, FINGERPLAN_LEFT_MIDDLE, FINGERPLAN_REASON_BANDAGED, false);
    g_assert_cmpint(fingerplan_current(p), ==, FINGERPLAN_LEFT_RING);
    fingerplan_mark_missing(p, FINGERPLAN_LEFT_RING, FINGERPLAN_REASON_OTHER, true);
    g_assert_cmpint(fingerplan_current(p), ==, FINGERPLAN_NONE);
    g_assert_cmpint(fingerplan_hand_finger(p, 1), ==, FINGERPLAN_NONE);
    g_assert_cmpint(fingerplan_hand_finger(p, 0), ==, FINGERPLAN_RIGHT_INDEX);
    g_assert_cmpint(fingerplan_restart(p, FINGERPLAN_LEFT_LITTLE), ==, BK_ERR_INVALID);
    fingerplan_free(p);

    /* the RvIG order as a setting */
    fingerplan_settings s;
    fingerplan_default_settings(&s);
    g_assert_cmpint(fingerplan_parse_order("middle,ring,thumb", &s), ==, BK_OK);
    g_assert_cmpint(fingerplan_new(&s, &p), ==, BK_OK);
    fingerplan_mark_missing(p, FINGERPLAN_RIGHT_INDEX, FINGERPLAN_REASON_AMPUTATED, true);
    g_assert_cmpint(fingerplan_current(p), ==, FINGERPLAN_LEFT_INDEX);
    attempt(p, 80);
    g_assert_cmpint(fingerplan_current(p), ==, FINGERPLAN_RIGHT_MIDDLE);
    fingerplan_free(p);

    const char *bad[] = {"",
                         "thumb",
                         "thumb,middle",
                         "thumb,middle,little",
                         "thumb,thumb,ring",
                         "thumb,middle,ring,",
                         "index,middle,ring",
                         "thumb,middle,ring,thumb"};
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
        g_assert_cmpint(fingerplan_parse_order(bad[i], &s), ==, BK_ERR_INVALID);
    g_assert_cmpint(s.order[0], ==, FINGERPLAN_MIDDLE);
}

static void test_attempts(void)
{
    fingerplan *p = plan_new();
    g_assert_cmpint(attempt(p, 12), ==, FINGERPLAN_AGAIN);
    g_assert_cmpint(attempt(p, 25), ==, FINGERPLAN_AGAIN);
    g_assert_cmpint(attempt(p, 18), ==, FINGERPLAN_BEST_KEPT);
    g_assert_cmpint(fingerplan_kept(p, FINGERPLAN_RIGHT_INDEX), ==, 2);
    g_assert_cmpint(fingerplan_attempt_quality(p, FINGERPLAN_RIGHT_INDEX, 2), ==, 25);
    /* the officer rejects the best: the next best is kept, no attempts are left */
    g_assert_cmpint(fingerplan_veto(p, FINGERPLAN_RIGHT_INDEX, 2, false), ==, BK_OK);
    g_assert_cmpint(fingerplan_kept(p, FINGERPLAN_RIGHT_INDEX), ==, 3);
    /* rejecting all three leaves the finger open but without attempts: restart needed */
    fingerplan_veto(p, FINGERPLAN_RIGHT_INDEX, 1, false);
    fingerplan_veto(p, FINGERPLAN_RIGHT_INDEX, 3, false);
    g_assert_cmpint(fingerplan_kept(p, FINGERPLAN_RIGHT_INDEX), ==, 0);
    g_assert_cmpint(fingerplan_current(p), ==, FINGERPLAN_RIGHT_INDEX);
    fingerplan_outcome o;
    g_assert_cmpint(fingerplan_attempt(p, 50, NULL, &o, NULL), ==, BK_ERR_CONFLICT);
    g_assert_cmpint(fingerplan_restart(p, FINGERPLAN_RIGHT_INDEX), ==, BK_OK);
    g_assert_cmpint(attempt(p, 50), ==, FINGERPLAN_KEPT);
    g_assert_cmpint(fingerplan_veto(p, FINGERPLAN_RIGHT_INDEX, 9, true), ==, BK_ERR_NOT_FOUND);
    g_assert_cmpint(fingerplan_attempt(p, 101, NULL, &o, NULL), ==, BK_ERR_INVALID);
    fingerplan_free(p);
}

static void test_uniqueness(void)
{
    fingerplan *p = plan_new();
    attempt(p, 70);
    fingerplan_check same = {FINGERPLAN_SAME_FINGER, FINGERPLAN_RIGHT_INDEX, 64};
    fingerplan_outcome o;
    int id = 0;
    /* not unique attempts do not count against the three */
    for (int i = 0; i < 4; i++) {
        g_assert_cmpint(fingerplan_attempt(p, 70, &same, &o, &id), ==, BK_OK);
        g_assert_cmpint(o, ==, FINGERPLAN_NOT_UNIQUE);
    }
    g_assert_cmpint(fingerplan_veto(p, FINGERPLAN_LEFT_INDEX, 1, true), ==, BK_ERR_CONFLICT);
    g_assert_cmpint(fingerplan_current(p), ==, FINGERPLAN_LEFT_INDEX);
    g_assert_cmpint(attempt(p, 5), ==, FINGERPLAN_AGAIN);
    g_assert_cmpint(attempt(p, 5), ==, FINGERPLAN_AGAIN);
    g_assert_cmpint(attempt(p, 6), ==, FINGERPLAN_BEST_KEPT);
    g_assert_cmpint(fingerplan_kept(p, FINGERPLAN_LEFT_INDEX), ==, 8);
    fingerplan_free(p);
}

/* A finger that fails once the capture has started: every attempt rejected is a dead end for
 * attempts (no attempts left, none kept), and marking the finger unusable then moves the hand on
 * to its next finger in the fallback order. */
static void test_fails_during_capture(void)
{
    fingerplan *p = plan_new();
    g_assert_cmpint(fingerplan_attempts_left(p, FINGERPLAN_RIGHT_INDEX), ==, 3);
    attempt(p, 12);
    g_assert_cmpint(fingerplan_attempts_left(p, FINGERPLAN_RIGHT_INDEX), ==, 2);
    attempt(p, 14);
    g_assert_cmpint(attempt(p, 16), ==, FINGERPLAN_BEST_KEPT);
    for (int n = 3; n >= 1; n--)
        g_assert_cmpint(fingerplan_veto(p, FINGERPLAN_RIGHT_INDEX, n, false), ==, BK_OK);
    g_assert_cmpint(fingerplan_kept(p, FINGERPLAN_RIGHT_INDEX), ==, 0);
    g_assert_cmpint(fingerplan_attempts_left(p, FINGERPLAN_RIGHT_INDEX), ==, 0);
    fingerplan_outcome o;
    g_assert_cmpint(fingerplan_attempt(p, 50, NULL, &o, NULL), ==, BK_ERR_CONFLICT);
    /* the officer: this finger cannot be used (injured, temporary) */
    g_assert_cmpint(
        fingerplan_mark_missing(p, FINGERPLAN_RIGHT_INDEX, FINGERPLAN_REASON_INJURED, false), ==,
        BK_OK);
    g_assert_cmpint(fingerplan_current(p), ==, FINGERPLAN_LEFT_INDEX);
    attempt(p, 60);
    g_assert_cmpint(fingerplan_current(p), ==, FINGERPLAN_RIGHT_THUMB);
    /* a kept print that the officer then finds unusable: the hand moves on too */
    attempt(p, 70);
    g_assert_cmpint(fingerplan_hand_finger(p, 0), ==, FINGERPLAN_RIGHT_THUMB);
    g_assert_cmpint(
        fingerplan_mark_missing(p, FINGERPLAN_RIGHT_THUMB, FINGERPLAN_REASON_OTHER, true), ==,
        BK_OK);
    g_assert_cmpint(fingerplan_hand_finger(p, 0), ==, FINGERPLAN_NONE);
    g_assert_cmpint(fingerplan_current(p), ==, FINGERPLAN_RIGHT_MIDDLE);
    g_assert_cmpint(fingerplan_attempts_left(p, 0), ==, 0);
    /* an unverifiable uniqueness check is kept like a unique one and logged as such */
    fingerplan_check unsure = {FINGERPLAN_UNVERIFIED, FINGERPLAN_LEFT_INDEX, 0};
    g_assert_cmpint(fingerplan_attempt(p, 25, &unsure, &o, NULL), ==, BK_OK);
    g_assert_cmpint(o, ==, FINGERPLAN_KEPT);
    g_assert_cmpint(fingerplan_hand_finger(p, 0), ==, FINGERPLAN_RIGHT_MIDDLE);
    char line[160];
    fingerplan_log_format(fingerplan_log_get(p, fingerplan_log_count(p) - 1), line, sizeof line);
    g_assert_cmpstr(line, ==,
                    "attempt finger=right-middle n=1 quality=25 threshold=25 kept "
                    "unverified-with=left-index score=0");
    fingerplan_log_format(fingerplan_log_get(p, 6), line, sizeof line);
    g_assert_cmpstr(line, ==, "missing finger=right-index reason=injured temporary");
    fingerplan_free(p);
}

static void test_exception_and_log(void)
{
    fingerplan *p = plan_new();
    fingerplan_mark_missing(p, FINGERPLAN_RIGHT_INDEX, FINGERPLAN_REASON_AMPUTATED, true);
    fingerplan_check swapped = {FINGERPLAN_HANDS_SWAPPED, FINGERPLAN_RIGHT_INDEX, 55};
    fingerplan_outcome o;
    g_assert_cmpint(fingerplan_attempt(p, 40, &swapped, &o, NULL), ==, BK_OK);
    g_assert_cmpint(fingerplan_exception(p, FINGERPLAN_REASON_OTHER, true), ==, BK_OK);
    g_assert_true(fingerplan_has_exception(p));
    g_assert_cmpint(fingerplan_current(p), ==, FINGERPLAN_NONE);
    const char *want[] = {
        "missing finger=right-index reason=amputated permanent",
        "attempt finger=left-index n=1 quality=40 threshold=30 not-unique "
        "swapped-with=right-index score=55",
        "exception no-fingerprints reason=other permanent",
    };
    g_assert_cmpuint(fingerplan_log_count(p), ==, G_N_ELEMENTS(want));
    for (size_t i = 0; i < G_N_ELEMENTS(want); i++) {
        char line[160];
        size_t n = fingerplan_log_format(fingerplan_log_get(p, i), line, sizeof line);
        g_assert_cmpstr(line, ==, want[i]);
        g_assert_cmpuint(n, ==, strlen(want[i]));
    }
    g_assert_null(fingerplan_log_get(p, 3));
    g_assert_cmpint(fingerplan_mark_missing(p, 11, FINGERPLAN_REASON_OTHER, true), ==,
                    BK_ERR_INVALID);
    fingerplan_free(p);

    fingerplan_settings s;
    fingerplan_default_settings(&s);
    s.threshold[FINGERPLAN_MIDDLE] = 101;
    g_assert_cmpint(fingerplan_new(&s, &p), ==, BK_ERR_INVALID);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/fingerplan/defaults", test_defaults);
    g_test_add_func("/fingerplan/fallback-order", test_fallback_order);
    g_test_add_func("/fingerplan/attempts", test_attempts);
    g_test_add_func("/fingerplan/uniqueness", test_uniqueness);
    g_test_add_func("/fingerplan/fails-during-capture", test_fails_during_capture);
    g_test_add_func("/fingerplan/exception-and-log", test_exception_and_log);
    return g_test_run();
}
