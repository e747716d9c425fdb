#include <string.h>

#include <glib.h>

#include "core/biomem.h"
#include "core/takes.h"

static void test_items(void)
{
    size_t live = biomem_live_count();
    g_assert_null(takes_new(0));
    g_assert_null(takes_new(TAKES_MAX_PERSONS + 1));
    takes *t = takes_new(2);
    g_assert_nonnull(t);
    g_assert_cmpuint(takes_person_count(t), ==, 2);

    const uint8_t face[] = {0xFF, 0xD8, 1, 2, 3};
    g_assert_cmpint(takes_set_face(t, 0, face, sizeof face), ==, BK_OK);
    g_assert_cmpint(takes_set_face(t, 2, face, sizeof face), ==, BK_ERR_INVALID);
    size_t len = 0;
    const uint8_t *f = takes_face(t, 0, &len);
    g_assert_cmpuint(len, ==, sizeof face);
    g_assert_true(f != face && memcmp(f, face, len) == 0);
    g_assert_null(takes_face(t, 1, &len));

    const uint8_t png[] = {0x89, 'P', 'N', 'G'};
    g_assert_cmpint(takes_set_finger(t, 0, 2, png, sizeof png, 55), ==, BK_OK);
    g_assert_cmpint(takes_set_finger(t, 0, 7, png, sizeof png, 40), ==, BK_OK);
    g_assert_cmpint(takes_set_finger(t, 0, 2, png, sizeof png, 70), ==, BK_OK); /* replaces */
    g_assert_cmpint(takes_set_finger(t, 0, 11, png, sizeof png, 70), ==, BK_ERR_INVALID);
    g_assert_cmpint(takes_set_finger(t, 0, 3, png, sizeof png, 101), ==, BK_ERR_INVALID);
    g_assert_cmpuint(takes_finger_count(t, 0), ==, 2);
    g_assert_cmpint(takes_finger_get(t, 0, 0)->quality, ==, 70);
    g_assert_cmpuint(takes_finger_get(t, 0, 1)->position, ==, 7);
    g_assert_null(takes_finger_get(t, 0, 2));

    takes_point pts[3] = {{1, 2, 0.5, 0}, {2, 3, 0.6, 10}, {5, 5, 0.4, 30}};
    size_t bad_ends[] = {2, 2};
    size_t ends[] = {2, 3};
    g_assert_cmpint(takes_set_signature(t, 1, pts, 3, bad_ends, 2), ==, BK_ERR_INVALID);
    g_assert_cmpint(takes_set_signature(t, 1, pts, 3, ends, 1), ==, BK_ERR_INVALID);
    g_assert_cmpint(takes_set_signature(t, 1, pts, 3, ends, 2), ==, BK_OK);
    const takes_point *got = NULL;
    const size_t *got_ends = NULL;
    size_t n_strokes = 0;
    g_assert_cmpuint(takes_signature(t, 1, &got, &got_ends, &n_strokes), ==, 3);
    g_assert_cmpuint(n_strokes, ==, 2);
    g_assert_cmpfloat(got[2].x_mm, ==, 5);
    g_assert_cmpuint(got_ends[0], ==, 2);

    takes_attempt a = {.item = TAKES_ITEM_FINGERPRINTS,
                       .position = 2,
                       .quality = 20,
                       .threshold = 30,
                       .accepted = false,
                       .veto = 'N',
                       .when = 1700000000};
    g_assert_cmpint(takes_add_attempt(t, 0, &a), ==, BK_OK);
    a.item = TAKES_ITEM_PHOTO;
    a.position = 0;
    g_assert_cmpint(takes_add_attempt(t, 0, &a), ==, BK_OK);
    g_assert_cmpint(takes_add_exception(t, 0, TAKES_ITEM_FINGERPRINTS, 7, true, "amputated"), ==,
                    BK_OK);
    g_assert_cmpint(takes_add_exception(t, 0, TAKES_ITEM_FINGERPRINTS, 7, true, ""), ==,
                    BK_ERR_INVALID);
    g_assert_cmpuint(takes_attempt_count(t, 0), ==, 2);
    g_assert_cmpuint(takes_exception_count(t, 0), ==, 1);
    g_assert_cmpstr(takes_exception_get(t, 0, 0)->reason, ==, "amputated");

    /* a restarted fingerprint step drops the prints and their log, not the photo's */
    takes_clear_item(t, 0, TAKES_ITEM_FINGERPRINTS);
    g_assert_cmpuint(takes_finger_count(t, 0), ==, 0);
    g_assert_cmpuint(takes_attempt_count(t, 0), ==, 1);
    g_assert_cmpint(takes_attempt_get(t, 0, 0)->item, ==, TAKES_ITEM_PHOTO);
    g_assert_cmpuint(takes_exception_count(t, 0), ==, 0);
    g_assert_nonnull(takes_face(t, 0, NULL));

    g_assert_cmpint(takes_set_device(t, "camera", "PTP/IP Camera", "123"), ==, BK_OK);
    g_assert_cmpint(takes_set_device(t, "camera", "Nikon", "456"), ==, BK_OK);
    g_assert_cmpuint(takes_device_count(t), ==, 1);
    g_assert_cmpstr(takes_device_get(t, 0)->model, ==, "Nikon");
    g_assert_cmpstr(takes_item_str(TAKES_ITEM_SIGNATURE), ==, "signature");

    takes_free(t);
    takes_free(NULL);
    /* every biometric buffer was freed (and so wiped) */
    g_assert_cmpuint(biomem_live_count(), ==, live);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/takes/items", test_items);
    return g_test_run();
}
