/* Issue 17, staff sign-in: a typed PIN does not stay in memory. The visit controller takes the
 * caller's PIN buffer (the pad's) and wipes all of it before it returns, for a right PIN, a wrong
 * one, a PIN that must be changed, the new PIN (set or refused) and a sign-in the kiosk makes
 * wait; the request that carried the PIN to the worker is wiped before it is freed (seen through
 * visit_watch_freed, which hands over the request's bytes between the wipe and the free). The PIN
 * pad (ui/screens/staff_pin.c, in a session on a headless ui) keeps no typed PIN in its buffers
 * once it handed it on, the new PIN's first typing included. The old PIN the controller keeps
 * while it waits for a new one is gone from the whole process's writable memory once the new PIN
 * is set or the change given up.
 *
 * Removing the sodium_memzero of the caller's buffer in app/visit/visit_staff.c, of the request
 * in visit_job_free (app/visit/visit_worker.c) or the pad's wipe fails these checks. The
 * controller runs here in this process with the real SQLite store and Argon2; no records. */
#define _GNU_SOURCE /* memmem */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <sodium.h>

#include "store/staff.h"
#include "store/store-backend.h"
#include "store/store.h"
#include "uisession.h"
#include "uitest.h"
#include "visit/visit.h"

#define RIGHT_PIN "123456"
#define SHORT_PIN "2468" /* an account made before 6 digits were required */

/* What visit_watch_freed saw (it may run on the worker's thread: atomics). */
typedef struct freed_count {
    gint requests;  /* requests freed */
    gint not_wiped; /* ... of which a byte was not zero */
} freed_count;

typedef struct fixture {
    char *dir;
    store *st;
    visit *v;
    int64_t wall;
    freed_count freed;
    visit_settings vs;
    char *limit_file;
} fixture;

static void saw_freed(const void *bytes, size_t size, void *data)
{
    freed_count *c = data;
    const unsigned char *b = bytes;
    size_t i = 0;
    while (i < size && b[i] == 0)
        i++;
    if (i < size)
        g_atomic_int_inc(&c->not_wiped);
    g_atomic_int_inc(&c->requests);
}

static void fixture_set_up(fixture *fx, gconstpointer data)
{
    int kiosk_failures = GPOINTER_TO_INT(data);
    fx->dir = g_dir_make_tmp("biokiosk-pinwipe-XXXXXX", NULL);
    g_assert_nonnull(fx->dir);
    g_autofree char *db = g_build_filename(fx->dir, "a.db", NULL);
    g_autofree char *uri = g_strconcat("sqlite:", db, NULL);
    g_assert_cmpint(store_open(uri, &fx->st, NULL), ==, BK_OK);
    g_assert_cmpint(staff_add(fx->st, "jdevries", "J. de Vries", STAFF_ROLE_DESK, RIGHT_PIN), ==,
                    BK_OK);
    char legacy[crypto_pwhash_STRBYTES];
    g_assert_cmpint(crypto_pwhash_str(legacy, SHORT_PIN, strlen(SHORT_PIN),
                                      crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                      crypto_pwhash_MEMLIMIT_INTERACTIVE),
                    ==, 0);
    staff_account old = {.id = "old", .name = "Old PIN", .role = STAFF_ROLE_DESK};
    g_assert_cmpint(fx->st->backend->staff_insert(fx->st, &old, legacy), ==, BK_OK);
    fx->wall = uisession_wall();
    fx->limit_file = g_build_filename(fx->dir, "staff-limit", NULL);
    fx->vs = uisession_visit_settings("DEN-HAAG-07", 600);
    fx->vs.kiosk_pin_failures = kiosk_failures;
    fx->vs.limit_file = fx->limit_file;
    fx->v = visit_new(&fx->vs, fx->st, NULL);
    g_assert_nonnull(fx->v);
    visit_watch_freed(fx->v, saw_freed, &fx->freed);
}

static void fixture_tear_down(fixture *fx, gconstpointer data)
{
    (void)data;
    visit_free(fx->v);
    store_free(fx->st);
    remove_tree(fx->dir);
    g_free(fx->dir);
    g_free(fx->limit_file);
}

/* The kiosk stopped and started again (a power cut): a new controller on the same store and
 * the same limit file. */
/* The kiosk off: the controller's worker has written the count it was given (it writes the
 * limit file, not the main thread). */
static void stop(fixture *fx)
{
    visit_free(fx->v);
    fx->v = NULL;
}

static void start(fixture *fx)
{
    fx->v = visit_new(&fx->vs, fx->st, NULL);
    g_assert_nonnull(fx->v);
    visit_watch_freed(fx->v, saw_freed, &fx->freed);
}

static void restart(fixture *fx)
{
    stop(fx);
    start(fx);
}

/* A PIN pad's buffer: the typed PIN, and after its end what a longer PIN typed before left. */
static void type_pin(char *buf, size_t size, const char *pin)
{
    memset(buf, '9', size);
    g_assert_cmpuint(strlen(pin), <, size);
    memcpy(buf, pin, strlen(pin) + 1);
}

static void assert_wiped(const char *buf, size_t size)
{
    for (size_t i = 0; i < size; i++)
        if (buf[i] != 0)
            g_error("byte %zu of the PIN buffer (%zu bytes) is not wiped", i, size);
}

/* Whether any writable memory of this process (heap, stacks, data: every rw mapping of
 * /proc/self/maps, read through /proc/self/mem so that a mapping another thread drops meanwhile
 * is only skipped) holds the string s with its end (the controller keeps PINs as C strings).
 * Mappings over SCAN_MAX are left out: AddressSanitizer reserves terabytes (its shadow, its
 * allocator's heap), which cannot be read in a test's time; the callers check first that the
 * scan sees a PIN they know is kept (scan_sees), and skip when it does not. */
#define SCAN_MAX (1UL << 30)
static bool memory_holds(const char *s)
{
    size_t n = strlen(s) + 1;
    const size_t chunk = 1 << 20;
    /* the reading buffer is a mapping of its own, left out of the search */
    unsigned char *buf =
        mmap(NULL, chunk + n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    g_assert_true(buf != MAP_FAILED);
    int mem = open("/proc/self/mem", O_RDONLY | O_CLOEXEC);
    g_assert_cmpint(mem, >=, 0);
    FILE *maps = fopen("/proc/self/maps", "re");
    g_assert_nonnull(maps);
    bool found = false;
    char line[512];
    int regions = 0;
    while (!found && fgets(line, sizeof line, maps)) {
        unsigned long start, end;
        char perms[5];
        if (sscanf(line, "%lx-%lx %4s", &start, &end, perms) != 3 || perms[0] != 'r' ||
            perms[1] != 'w' || start == (unsigned long)(uintptr_t)buf || end - start > SCAN_MAX)
            continue;
        regions++;
        for (unsigned long at = start; !found && at < end; at += chunk) {
            size_t want = end - at < chunk + n ? end - at : chunk + n; /* n over: a PIN across */
            ssize_t got = pread(mem, buf, want, (off_t)at);
            if (got <= 0)
                break;
            found = memmem(buf, (size_t)got, s, n) != NULL;
        }
    }
    fclose(maps);
    close(mem);
    munmap(buf, chunk + n);
    g_assert_cmpint(regions, >, 0);
    return found;
}

/* Waits (no time limit but the test's) for the controller's next answer: a staff verdict. */
static visit_verdict answer(fixture *fx)
{
    visit_event ev;
    while (!visit_next_event(fx->v, 0, fx->wall, &ev))
        g_usleep(2000);
    g_assert_cmpint(ev.type, ==, VISIT_EVENT_STAFF);
    return ev.verdict;
}

/* A sign-in with `pin` typed: the buffer is wiped when the call returns and still after the
 * answer, the request was freed wiped; returns the verdict. */
static visit_verdict sign_in(fixture *fx, const char *id, const char *pin)
{
    char buf[STAFF_PIN_MAX + 1];
    type_pin(buf, sizeof buf, pin);
    int freed = g_atomic_int_get(&fx->freed.requests);
    g_assert_true(visit_staff_sign_in(fx->v, id, buf, sizeof buf, fx->wall));
    assert_wiped(buf, sizeof buf);
    visit_verdict verdict = answer(fx);
    assert_wiped(buf, sizeof buf);
    g_assert_cmpint(g_atomic_int_get(&fx->freed.requests), >, freed);
    g_assert_cmpint(g_atomic_int_get(&fx->freed.not_wiped), ==, 0);
    return verdict;
}

static void test_right_pin(fixture *fx, gconstpointer data)
{
    (void)data;
    g_assert_cmpint(sign_in(fx, "jdevries", RIGHT_PIN), ==, VISIT_VERDICT_OK);
    g_assert_true(visit_staff_active(fx->v));
}

static void test_wrong_pin(fixture *fx, gconstpointer data)
{
    (void)data;
    g_assert_cmpint(sign_in(fx, "jdevries", "654321"), ==, VISIT_VERDICT_WRONG_PIN);
    g_assert_cmpint(sign_in(fx, "nobody", RIGHT_PIN), ==, VISIT_VERDICT_UNKNOWN);
    g_assert_false(visit_staff_active(fx->v));
}

/* The kiosk's limit (2 wrong PINs here): the third sign-in is not checked at all, and its PIN is
 * wiped all the same. */
static void test_kiosk_waits(fixture *fx, gconstpointer data)
{
    (void)data;
    g_assert_cmpint(sign_in(fx, "jdevries", "111111"), ==, VISIT_VERDICT_WRONG_PIN);
    g_assert_cmpint(sign_in(fx, "jdevries", "222222"), ==, VISIT_VERDICT_WRONG_PIN);
    g_assert_cmpint(sign_in(fx, "jdevries", RIGHT_PIN), ==, VISIT_VERDICT_KIOSK_WAIT);
    g_assert_false(visit_staff_active(fx->v));
}

/* The kiosk's count of wrong PINs and its wait survive a restart: a power cut gives no fresh
 * tries. Before the count was kept in a file, the restarted kiosk checked the right PIN at once
 * and let the next wrong one through without a wait. */
static void test_kiosk_limit_kept(fixture *fx, gconstpointer data)
{
    (void)data;
    g_assert_cmpint(sign_in(fx, "jdevries", "111111"), ==, VISIT_VERDICT_WRONG_PIN);
    /* on disk before the answer came back: a power cut right after "Wrong staff id or PIN"
     * gives no fresh try */
    g_autofree char *count = NULL;
    g_assert_true(g_file_get_contents(fx->limit_file, &count, NULL, NULL));
    g_assert_cmpstr(count, ==, "1 0\n");
    restart(fx); /* 1 of 2 */
    g_assert_cmpint(sign_in(fx, "jdevries", "222222"), ==, VISIT_VERDICT_WRONG_PIN);
    restart(fx); /* 2 of 2: waits 1 s */
    g_assert_cmpint(sign_in(fx, "jdevries", RIGHT_PIN), ==, VISIT_VERDICT_KIOSK_WAIT);
    fx->wall += 5;
    g_assert_cmpint(sign_in(fx, "jdevries", "333333"), ==, VISIT_VERDICT_WRONG_PIN);
    restart(fx); /* 3: waits 2 s */
    g_assert_cmpint(sign_in(fx, "jdevries", RIGHT_PIN), ==, VISIT_VERDICT_KIOSK_WAIT);
    g_assert_false(visit_staff_active(fx->v));
    fx->wall += 5;
    g_assert_cmpint(sign_in(fx, "jdevries", RIGHT_PIN), ==, VISIT_VERDICT_OK);
    restart(fx); /* the right PIN reset the count, for the next start too */
    g_assert_cmpint(sign_in(fx, "jdevries", "444444"), ==, VISIT_VERDICT_WRONG_PIN);
    g_assert_cmpint(sign_in(fx, "jdevries", RIGHT_PIN), ==, VISIT_VERDICT_OK);

    /* a file that makes no sense counts as the limit reached: the next wrong PIN waits */
    stop(fx);
    g_assert_true(g_file_set_contents(fx->limit_file, "many\n", -1, NULL));
    start(fx);
    g_assert_cmpint(sign_in(fx, "jdevries", "555555"), ==, VISIT_VERDICT_WRONG_PIN);
    g_assert_cmpint(sign_in(fx, "jdevries", RIGHT_PIN), ==, VISIT_VERDICT_KIOSK_WAIT);
    /* a wait far beyond the cap (the clock set back) lasts at most the cap, 15 minutes */
    g_autofree char *far = g_strdup_printf("2 %" G_GINT64_FORMAT "\n", fx->wall + 86400);
    stop(fx);
    g_assert_true(g_file_set_contents(fx->limit_file, far, -1, NULL));
    start(fx);
    g_assert_cmpint(sign_in(fx, "jdevries", RIGHT_PIN), ==, VISIT_VERDICT_KIOSK_WAIT);
    fx->wall += 15 * 60 + 1;
    g_assert_cmpint(sign_in(fx, "jdevries", RIGHT_PIN), ==, VISIT_VERDICT_OK);

    /* a pipe or a link in its place is not waited on or followed (the start would hang on a
     * pipe, read without end from /dev/zero): counted as the limit reached, with a warning */
    GLogLevelFlags fatal = g_log_set_always_fatal(G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
    for (int kind = 0; kind < 2; kind++) {
        stop(fx);
        g_assert_cmpint(g_unlink(fx->limit_file), ==, 0);
        if (kind == 0)
            g_assert_cmpint(mkfifo(fx->limit_file, 0600), ==, 0);
        else
            g_assert_cmpint(symlink("/dev/zero", fx->limit_file), ==, 0);
        start(fx);
        g_assert_cmpint(sign_in(fx, "jdevries", "666666"), ==, VISIT_VERDICT_WRONG_PIN);
        g_assert_cmpint(sign_in(fx, "jdevries", RIGHT_PIN), ==, VISIT_VERDICT_KIOSK_WAIT);
        fx->wall += 15 * 60 + 1;
        g_assert_cmpint(sign_in(fx, "jdevries", RIGHT_PIN), ==, VISIT_VERDICT_OK);
    }
    g_log_set_always_fatal(fatal);
}

/* The count cannot be written (its folder gone): the worker warns, and the count still holds
 * in memory for as long as the kiosk runs. */
static void test_kiosk_limit_unsaved(fixture *fx, gconstpointer data)
{
    (void)data;
    g_autofree char *lost = g_build_filename(fx->dir, "gone", "staff-limit", NULL);
    fx->vs.limit_file = lost;
    restart(fx);
    GLogLevelFlags fatal = g_log_set_always_fatal(G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
    g_assert_cmpint(sign_in(fx, "jdevries", "111111"), ==, VISIT_VERDICT_WRONG_PIN);
    g_assert_cmpint(sign_in(fx, "jdevries", "222222"), ==, VISIT_VERDICT_WRONG_PIN);
    g_assert_cmpint(sign_in(fx, "jdevries", RIGHT_PIN), ==, VISIT_VERDICT_KIOSK_WAIT);
    stop(fx);
    g_log_set_always_fatal(fatal);
    g_assert_false(g_file_test(lost, G_FILE_TEST_EXISTS));
    fx->vs.limit_file = fx->limit_file;
    start(fx);
}

/* A new PIN, refused (too short) and then set: each typed buffer is wiped. */
/* Whether the memory scan finds pin, which the controller keeps now; says so when it does not
 * (the heap in a mapping the scan leaves out, as under AddressSanitizer). */
static bool scan_sees(const char *pin)
{
    if (memory_holds(pin))
        return true;
    g_test_message("the memory scan does not reach the heap here (AddressSanitizer's reserved "
                   "mappings): the check of the kept PIN is left to the normal build");
    return false;
}

static void test_new_pin(fixture *fx, gconstpointer data)
{
    (void)data;
    g_assert_cmpint(sign_in(fx, "old", SHORT_PIN), ==, VISIT_VERDICT_NEW_PIN);
    bool scan = scan_sees(SHORT_PIN); /* kept until the new PIN is set */
    char buf[STAFF_PIN_MAX + 1];
    const char *typed[] = {"13579", "864213"};
    const visit_verdict expected[] = {VISIT_VERDICT_PIN_REFUSED, VISIT_VERDICT_PIN_CHANGED};
    for (size_t i = 0; i < G_N_ELEMENTS(typed); i++) {
        type_pin(buf, sizeof buf, typed[i]);
        int freed = g_atomic_int_get(&fx->freed.requests);
        g_assert_true(visit_staff_new_pin(fx->v, buf, sizeof buf, fx->wall));
        assert_wiped(buf, sizeof buf);
        g_assert_cmpint(answer(fx), ==, expected[i]);
        assert_wiped(buf, sizeof buf);
        g_assert_cmpint(g_atomic_int_get(&fx->freed.requests), >, freed);
        g_assert_cmpint(g_atomic_int_get(&fx->freed.not_wiped), ==, 0);
    }
    g_assert_true(visit_staff_active(fx->v));
    /* the old PIN, kept by the controller until the new one was set, is gone from memory */
    if (scan) {
        g_assert_false(memory_holds(SHORT_PIN));
        g_assert_false(memory_holds("864213"));
    }
    visit_staff_sign_out(fx->v);
    g_assert_cmpint(sign_in(fx, "old", "864213"), ==, VISIT_VERDICT_OK);
}

/* A PIN change given up (the pad closed before the new PIN): the old PIN the controller kept for
 * it is wiped. The check sees it while it is kept, so it can fail. */
static void test_new_pin_given_up(fixture *fx, gconstpointer data)
{
    (void)data;
    g_assert_cmpint(sign_in(fx, "old", SHORT_PIN), ==, VISIT_VERDICT_NEW_PIN);
    if (!scan_sees(SHORT_PIN)) {
        g_test_skip("the memory scan does not reach the heap here (AddressSanitizer)");
        return;
    }
    visit_staff_forget_pin(fx->v);
    g_assert_false(memory_holds(SHORT_PIN));
    g_assert_false(visit_staff_active(fx->v));
}

/* Refused at once (another answer is awaited): wiped too, and no request is made. */
static void test_refused(fixture *fx, gconstpointer data)
{
    (void)data;
    char first[STAFF_PIN_MAX + 1], second[STAFF_PIN_MAX + 1];
    type_pin(first, sizeof first, RIGHT_PIN);
    type_pin(second, sizeof second, RIGHT_PIN);
    g_assert_true(visit_staff_sign_in(fx->v, "jdevries", first, sizeof first, fx->wall));
    g_assert_true(visit_blocking(fx->v));
    g_assert_false(visit_staff_sign_in(fx->v, "jdevries", second, sizeof second, fx->wall));
    assert_wiped(first, sizeof first);
    assert_wiped(second, sizeof second);
    g_assert_cmpint(answer(fx), ==, VISIT_VERDICT_OK);
    g_assert_false(visit_pending(fx->v));
    g_assert_cmpint(g_atomic_int_get(&fx->freed.requests), ==, 1);
    g_assert_cmpint(g_atomic_int_get(&fx->freed.not_wiped), ==, 0);
}

/* ---- the pad ---- */

static void type_text(session *s, const char *text)
{
    SDL_Event ev = {.type = SDL_TEXTINPUT};
    g_strlcpy(ev.text.text, text, sizeof ev.text.text);
    runner_dispatch(session_runner(s), &ev);
}

static void press_return(session *s)
{
    SDL_Event ev = {.type = SDL_KEYDOWN};
    ev.key.keysym.sym = SDLK_RETURN;
    runner_dispatch(session_runner(s), &ev);
}

/* The pad is on top; its private data (all its buffers) holds pin or not. */
static bool pad_holds(session *s, const char *pin)
{
    screen *scr = runner_top(session_runner(s));
    g_assert_cmpstr(scr->cls->name, ==, "staff-pin");
    return memmem(scr->priv, scr->cls->priv_size, pin, strlen(pin)) != NULL;
}

/* Lets the session take the controller's answers. */
static void settle(session *s)
{
    while (session_busy(s))
        runner_wait(session_runner(s), 100);
    runner_pump(session_runner(s));
}

/* id and pin typed on the pad (the pad opened): the pad holds the PIN until Enter, then not. */
static void pad_sign_in(session *s, const char *id, const char *pin)
{
    session_staff_open(s);
    type_text(s, id);
    press_return(s);
    type_text(s, pin);
    g_assert_true(pad_holds(s, pin)); /* the check can see it */
    press_return(s);
    g_assert_false(pad_holds(s, pin));
    settle(s);
}

static void test_pad(fixture *fx, gconstpointer data)
{
    (void)data;
    char *font = ui_find_font("Noto Sans");
    if (font == NULL) {
        g_test_skip("the Noto Sans fonts (fonts-noto-core) are not installed");
        return;
    }
    g_free(font);
    ui *u = uisession_ui();
    session_settings set = uisession_settings("DEN-HAAG-07", 600, 600, fx->wall);
    session *s = session_new(&set, fx->v, u);

    /* a wrong PIN: the pad stays, without it */
    pad_sign_in(s, "jdevries", "654321");
    g_assert_false(session_staff_active(s));
    g_assert_false(pad_holds(s, "654321"));
    runner_pop(session_runner(s));

    /* a PIN too short: the new one typed twice; the first typing is kept until the second */
    pad_sign_in(s, "old", SHORT_PIN);
    g_assert_true(session_staff_new_pin_asked(s));
    type_text(s, "864213");
    press_return(s);
    g_assert_true(pad_holds(s, "864213"));
    type_text(s, "864213");
    press_return(s);
    g_assert_false(pad_holds(s, "864213"));
    settle(s);
    g_assert_true(session_staff_active(s));
    session_staff_sign_out(s);

    /* the right PIN */
    pad_sign_in(s, "jdevries", RIGHT_PIN);
    g_assert_true(session_staff_active(s));
    g_assert_cmpint(g_atomic_int_get(&fx->freed.not_wiped), ==, 0);

    session_free(s);
    ui_free(u);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_assert_cmpint(sodium_init(), >=, 0);
    g_test_add("/visit-pin-wipe/right-pin", fixture, NULL, fixture_set_up, test_right_pin,
               fixture_tear_down);
    g_test_add("/visit-pin-wipe/wrong-pin", fixture, NULL, fixture_set_up, test_wrong_pin,
               fixture_tear_down);
    g_test_add("/visit-pin-wipe/kiosk-waits", fixture, GINT_TO_POINTER(2), fixture_set_up,
               test_kiosk_waits, fixture_tear_down);
    g_test_add("/visit-pin-wipe/kiosk-limit-kept", fixture, GINT_TO_POINTER(2), fixture_set_up,
               test_kiosk_limit_kept, fixture_tear_down);
    g_test_add("/visit-pin-wipe/kiosk-limit-unsaved", fixture, GINT_TO_POINTER(2), fixture_set_up,
               test_kiosk_limit_unsaved, fixture_tear_down);
    g_test_add("/visit-pin-wipe/new-pin", fixture, NULL, fixture_set_up, test_new_pin,
               fixture_tear_down);
    g_test_add("/visit-pin-wipe/new-pin-given-up", fixture, NULL, fixture_set_up,
               test_new_pin_given_up, fixture_tear_down);
    g_test_add("/visit-pin-wipe/refused", fixture, NULL, fixture_set_up, test_refused,
               fixture_tear_down);
    g_test_add("/visit-pin-wipe/pad", fixture, NULL, fixture_set_up, test_pad, fixture_tear_down);
    return g_test_run();
}
