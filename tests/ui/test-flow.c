/* The session flow (app/core/flow.c) alone: stages, steps, documents, progress, idle timer. */
#include <string.h>

#include <glib.h>

#include "core/flow.h"

static caldate d(const char *text)
{
    caldate out = {0};
    g_assert_cmpint(caldate_parse(text, &out), ==, BK_OK);
    return out;
}

static flow_person_in person(const char *name, const char *birth)
{
    flow_person_in p = {.name = name};
    p.rules.birth = d(birth);
    p.rules.applied = d("2026-11-02");
    p.rules.on = d("2026-11-23");
    p.rules.category = RULES_CATEGORY_THIRD_COUNTRY;
    return p;
}

static void test_family(void)
{
    flow *f = flow_new(60000, 20000);
    g_assert_cmpint(flow_get_stage(f), ==, FLOW_STAGE_WELCOME);
    flow_start_code(f, 10);
    g_assert_cmpint(flow_get_stage(f), ==, FLOW_STAGE_CODE);
    flow_person_in in[3] = {person("Parent", "1990-05-07"), person("Baby", "2026-07-26"),
                            person("Child", "2018-10-14")};
    g_assert_cmpint(flow_accept(f, "ABCDEFGHJ", in, 3, 20, NULL), ==, BK_OK);
    g_assert_cmpint(flow_get_stage(f), ==, FLOW_STAGE_APPOINTMENT);
    g_assert_cmpint(flow_get_refusal(f), ==, FLOW_REFUSAL_NONE);
    g_assert_cmpuint(flow_person_count(f), ==, 3);
    /* Parent: all three; baby: nothing at the desk; child of 8: photo and fingerprints. */
    g_assert_cmpuint(flow_get_person(f, 0)->n_steps, ==, 3);
    g_assert_cmpuint(flow_get_person(f, 1)->n_steps, ==, 0);
    g_assert_false(flow_get_person(f, 1)->plan.desk);
    g_assert_cmpuint(flow_get_person(f, 2)->n_steps, ==, 2);
    g_assert_cmpint(flow_get_person(f, 2)->steps[1].item, ==, FLOW_ITEM_FINGERPRINTS);

    flow_to_documents(f, 30);
    g_assert_cmpint(flow_get_stage(f), ==, FLOW_STAGE_DOCUMENTS);
    g_assert_true(flow_needs_parent(f));
    g_assert_cmpint(flow_begin_persons(f, 40), ==, BK_ERR_CONFLICT);
    for (size_t i = 0; i < 3; i++)
        g_assert_cmpint(flow_confirm_documents(f, i, true), ==, BK_OK);
    g_assert_cmpint(flow_confirm_documents(f, 3, true), ==, BK_ERR_INVALID);
    g_assert_false(flow_documents_complete(f));
    flow_confirm_parent(f, true);
    g_assert_true(flow_documents_complete(f));
    g_assert_cmpint(flow_begin_persons(f, 50), ==, BK_OK);
    g_assert_cmpint(flow_get_stage(f), ==, FLOW_STAGE_PERSON);

    size_t total, ended, after;
    flow_progress(f, &total, &ended, &after);
    g_assert_cmpuint(total, ==, 3);
    g_assert_cmpuint(ended, ==, 0);
    g_assert_cmpuint(after, ==, 2);

    flow_next(f, 60);
    g_assert_cmpint(flow_get_stage(f), ==, FLOW_STAGE_CAPTURE);
    g_assert_cmpint(flow_get_step(f)->item, ==, FLOW_ITEM_PHOTO);
    g_assert_cmpint(flow_step_done(f, 70), ==, BK_OK);
    g_assert_cmpint(flow_step_skip(f, "", 80), ==, BK_ERR_INVALID);
    g_assert_cmpint(flow_step_skip(f, "Device fault", 80), ==, BK_OK);
    g_assert_cmpint(flow_get_step(f)->item, ==, FLOW_ITEM_SIGNATURE);
    /* Restart the current step: it stays current and pending. */
    g_assert_cmpint(flow_step_restart(f, 0, FLOW_ITEM_SIGNATURE, 85), ==, BK_OK);
    g_assert_cmpint(flow_get_step(f)->item, ==, FLOW_ITEM_SIGNATURE);
    g_assert_cmpint(flow_step_exception(f, "Temporarily impossible (injury)", 90), ==, BK_OK);
    /* The baby: shown, with nothing to capture. */
    g_assert_cmpint(flow_get_stage(f), ==, FLOW_STAGE_PERSON);
    g_assert_cmpuint(flow_current_person(f), ==, 1);
    flow_next(f, 100);
    g_assert_cmpint(flow_get_stage(f), ==, FLOW_STAGE_PERSON);
    g_assert_cmpuint(flow_current_person(f), ==, 2);
    flow_next(f, 110);
    g_assert_cmpint(flow_step_done(f, 120), ==, BK_OK);
    g_assert_cmpint(flow_step_done(f, 130), ==, BK_OK);
    g_assert_cmpint(flow_get_stage(f), ==, FLOW_STAGE_REVIEW);
    const flow_person *p0 = flow_get_person(f, 0);
    g_assert_cmpint(p0->steps[0].state, ==, FLOW_STEP_DONE);
    g_assert_cmpint(p0->steps[1].state, ==, FLOW_STEP_SKIPPED);
    g_assert_cmpstr(p0->steps[1].reason, ==, "Device fault");
    g_assert_cmpint(p0->steps[2].state, ==, FLOW_STEP_EXCEPTION);

    /* Staff redoes the child's fingerprints from the review, then back to the review. */
    g_assert_cmpint(flow_step_restart(f, 2, FLOW_ITEM_SIGNATURE, 140), ==, BK_ERR_NOT_FOUND);
    g_assert_cmpint(flow_step_restart(f, 2, FLOW_ITEM_FINGERPRINTS, 140), ==, BK_OK);
    g_assert_cmpint(flow_get_stage(f), ==, FLOW_STAGE_CAPTURE);
    g_assert_cmpint(flow_step_done(f, 150), ==, BK_OK);
    g_assert_cmpint(flow_get_stage(f), ==, FLOW_STAGE_REVIEW);
    flow_finish(f, 160);
    g_assert_cmpint(flow_get_stage(f), ==, FLOW_STAGE_DONE);

    /* The wipe leaves nothing of the session. */
    flow_reset(f, 170);
    g_assert_cmpint(flow_get_stage(f), ==, FLOW_STAGE_WELCOME);
    g_assert_cmpuint(flow_person_count(f), ==, 0);
    g_assert_cmpstr(flow_get_code(f), ==, "");
    g_assert_null(flow_get_person(f, 0));
    flow_free(f);
    flow_free(NULL);
}

static void test_refusal(void)
{
    flow *f = flow_new(60000, 20000);
    flow_start_code(f, 0);
    flow_refuse(f, "ABCDEFGHJ", FLOW_REFUSAL_TOO_EARLY, 5);
    g_assert_cmpint(flow_get_stage(f), ==, FLOW_STAGE_APPOINTMENT);
    g_assert_cmpint(flow_get_refusal(f), ==, FLOW_REFUSAL_TOO_EARLY);
    g_assert_true(flow_refusal_overridable(FLOW_REFUSAL_TOO_EARLY));
    g_assert_true(flow_refusal_overridable(FLOW_REFUSAL_TOO_LATE));
    g_assert_false(flow_refusal_overridable(FLOW_REFUSAL_WRONG_DESK));
    g_assert_false(flow_refusal_overridable(FLOW_REFUSAL_CANCELLED));
    /* A refused code cannot move on to the documents. */
    flow_to_documents(f, 6);
    g_assert_cmpint(flow_get_stage(f), ==, FLOW_STAGE_APPOINTMENT);
    g_assert_cmpstr(flow_refusal_str(FLOW_REFUSAL_ALREADY_USED), ==, "already-used");
    g_assert_cmpstr(flow_stage_str(FLOW_STAGE_DOCUMENTS), ==, "documents");
    /* Bad input is refused without changing the flow. */
    flow_person_in bad = person("X", "2030-01-01");
    const char *problem = NULL;
    g_assert_cmpint(flow_accept(f, "C", &bad, 1, 7, &problem), ==, BK_ERR_INVALID);
    g_assert_nonnull(problem);
    g_assert_cmpint(flow_accept(f, "C", &bad, 0, 7, NULL), ==, BK_ERR_INVALID);
    g_assert_cmpint(flow_get_refusal(f), ==, FLOW_REFUSAL_TOO_EARLY);
    flow_free(f);
}

static void test_idle(void)
{
    flow *f = flow_new(60000, 20000);
    /* The welcome screen never times out. */
    g_assert_cmpint(flow_idle(f, 1000000), ==, FLOW_IDLE_ACTIVE);
    g_assert_cmpint(flow_idle_next_ms(f, 0), ==, -1);
    flow_start_code(f, 1000);
    g_assert_cmpint(flow_idle(f, 60999), ==, FLOW_IDLE_ACTIVE);
    g_assert_cmpint(flow_idle_next_ms(f, 1000), ==, 60000);
    g_assert_cmpint(flow_idle(f, 61000), ==, FLOW_IDLE_ASKING);
    g_assert_cmpint(flow_idle_countdown(f, 61000), ==, 20);
    g_assert_cmpint(flow_idle_countdown(f, 61001), ==, 20);
    g_assert_cmpint(flow_idle_countdown(f, 80500), ==, 1);
    g_assert_cmpint(flow_idle_next_ms(f, 61200), ==, 800);
    flow_touch(f, 70000);
    g_assert_cmpint(flow_idle(f, 71000), ==, FLOW_IDLE_ACTIVE);
    g_assert_cmpint(flow_idle(f, 150000), ==, FLOW_IDLE_EXPIRED);
    g_assert_cmpint(flow_idle_countdown(f, 150000), ==, 0);
    flow_free(f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/flow/family", test_family);
    g_test_add_func("/flow/refusal", test_refusal);
    g_test_add_func("/flow/idle", test_idle);
    return g_test_run();
}
