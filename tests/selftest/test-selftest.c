/* `biokiosk selftest --json` against the emulated devices: the PTP/IP camera (libgphoto2),
 * libfprint's virtual image reader, a USB pad and a touch screen under umockdev-run, SDL's
 * offscreen screen, a SQLite store with today's appointments, keys and an audit log made by the
 * biokiosk command itself. All pass; then each device missing in turn: that check fails, the
 * others pass, exit 1. Every output is validated against docs/selftest.schema.json. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "emulators/finger/fingerfeed.h"
#include "emulators/finger/fingersynth.h"
#include "imaging/pic.h"
#include "emulators/ptpip/ptpip_emu.h"

typedef struct env {
    char *dir;
    char *bin;
    char *umockdev_run;
    char *pad_prefix;
    char *touch;
    char *schema;
    char *locale_dir;
    char *store_uri;      /* the store the self-test is pointed at */
    const char *kiosk_id; /* [kiosk] id of the configuration written; NULL: DEN-HAAG-03 */
    const char *photo;    /* [photo] lines of the configuration written; NULL: none */
    gboolean bare;        /* the self-test alone, not under umockdev-run (no touch screen) */
} env;

static env E;

/* Runs argv with envp; returns the exit status, stdout in *out (may be NULL). */
static int run(char **argv, char **envp, char **out)
{
    g_autofree char *err = NULL;
    int status = 0;
    GError *error = NULL;
    gboolean ok =
        g_spawn_sync(E.dir, argv, envp, G_SPAWN_DEFAULT, NULL, NULL, out, &err, &status, &error);
    g_assert_no_error(error);
    g_assert_true(ok);
    if (err && err[0] && (g_test_verbose() || !WIFEXITED(status) || WEXITSTATUS(status) > 1))
        g_printerr("%s: %s", argv[0], err);
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    g_printerr("%s", err ? err : "");
    g_error("%s ended by a signal", argv[0]);
    return -1;
}

static void run_ok(const char *cmdline)
{
    g_autofree char *line = g_strdup_printf("%s %s", E.bin, cmdline);
    g_auto(GStrv) argv = NULL;
    g_assert_true(g_shell_parse_argv(line, NULL, &argv, NULL));
    char *out = NULL;
    int st = run(argv, NULL, &out);
    g_free(out);
    g_assert_cmpint(st, ==, 0);
}

/* ---- a small JSON Schema validator: the keywords docs/selftest.schema.json uses ---- */

static const char *node_type(JsonNode *n)
{
    if (JSON_NODE_HOLDS_NULL(n))
        return "null";
    if (JSON_NODE_HOLDS_OBJECT(n))
        return "object";
    if (JSON_NODE_HOLDS_ARRAY(n))
        return "array";
    GType t = json_node_get_value_type(n);
    if (t == G_TYPE_BOOLEAN)
        return "boolean";
    if (t == G_TYPE_STRING)
        return "string";
    if (t == G_TYPE_INT64)
        return "integer";
    return "number";
}

static gboolean type_matches(const char *want, JsonNode *n)
{
    const char *have = node_type(n);
    return strcmp(want, have) == 0 || (strcmp(want, "number") == 0 && strcmp(have, "integer") == 0);
}

static void validate(JsonObject *schema, JsonNode *n, const char *path)
{
    if (json_object_has_member(schema, "type")) {
        JsonNode *t = json_object_get_member(schema, "type");
        gboolean ok = FALSE;
        if (JSON_NODE_HOLDS_ARRAY(t)) {
            JsonArray *a = json_node_get_array(t);
            for (guint i = 0; i < json_array_get_length(a); i++)
                ok = ok || type_matches(json_array_get_string_element(a, i), n);
        } else {
            ok = type_matches(json_node_get_string(t), n);
        }
        if (!ok)
            g_error("%s: type %s does not match the schema", path, node_type(n));
    }
    if (json_object_has_member(schema, "enum")) {
        JsonArray *a = json_object_get_array_member(schema, "enum");
        gboolean found = FALSE;
        for (guint i = 0; i < json_array_get_length(a); i++)
            found = found || json_node_equal(json_array_get_element(a, i), n);
        if (!found)
            g_error("%s: value not in the schema's enum", path);
    }
    if (JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING) {
        const char *s = json_node_get_string(n);
        if (json_object_has_member(schema, "minLength") &&
            g_utf8_strlen(s, -1) < json_object_get_int_member(schema, "minLength"))
            g_error("%s: shorter than minLength", path);
        if (json_object_has_member(schema, "pattern") &&
            !g_regex_match_simple(json_object_get_string_member(schema, "pattern"), s, 0, 0))
            g_error("%s: '%s' does not match the pattern", path, s);
    }
    if (JSON_NODE_HOLDS_VALUE(n) && json_object_has_member(schema, "minimum") &&
        (json_node_get_value_type(n) == G_TYPE_INT64 ||
         json_node_get_value_type(n) == G_TYPE_DOUBLE) &&
        json_node_get_double(n) < json_object_get_double_member(schema, "minimum"))
        g_error("%s: below the minimum", path);
    if (JSON_NODE_HOLDS_OBJECT(n)) {
        JsonObject *o = json_node_get_object(n);
        JsonObject *props = json_object_has_member(schema, "properties")
                                ? json_object_get_object_member(schema, "properties")
                                : NULL;
        if (json_object_has_member(schema, "required")) {
            JsonArray *req = json_object_get_array_member(schema, "required");
            for (guint i = 0; i < json_array_get_length(req); i++)
                if (!json_object_has_member(o, json_array_get_string_element(req, i)))
                    g_error("%s: required member '%s' is missing", path,
                            json_array_get_string_element(req, i));
        }
        gboolean closed = json_object_has_member(schema, "additionalProperties") &&
                          !json_object_get_boolean_member(schema, "additionalProperties");
        GList *members = json_object_get_members(o);
        for (GList *m = members; m; m = m->next) {
            g_autofree char *sub = g_strdup_printf("%s.%s", path, (char *)m->data);
            if (props && json_object_has_member(props, m->data))
                validate(json_object_get_object_member(props, m->data),
                         json_object_get_member(o, m->data), sub);
            else if (closed)
                g_error("%s: member not in the schema", sub);
        }
        g_list_free(members);
    }
    if (JSON_NODE_HOLDS_ARRAY(n)) {
        JsonArray *a = json_node_get_array(n);
        if (json_object_has_member(schema, "minItems") &&
            json_array_get_length(a) < (guint)json_object_get_int_member(schema, "minItems"))
            g_error("%s: fewer items than minItems", path);
        if (json_object_has_member(schema, "items"))
            for (guint i = 0; i < json_array_get_length(a); i++) {
                g_autofree char *sub = g_strdup_printf("%s[%u]", path, i);
                validate(json_object_get_object_member(schema, "items"),
                         json_array_get_element(a, i), sub);
            }
    }
}

/* Parses the output, validates it and checks what the schema cannot say. Transfer full. */
static JsonParser *check_output(const char *out, int status)
{
    g_assert_true(status == 0 || status == 1);
    g_assert_nonnull(out);
    g_assert_cmpint(out[0], ==, '{');
    JsonParser *sp = json_parser_new();
    GError *error = NULL;
    json_parser_load_from_file(sp, E.schema, &error);
    g_assert_no_error(error);
    JsonParser *p = json_parser_new();
    json_parser_load_from_data(p, out, -1, &error);
    g_assert_no_error(error);
    validate(json_node_get_object(json_parser_get_root(sp)), json_parser_get_root(p), "$");
    g_object_unref(sp);

    JsonObject *o = json_node_get_object(json_parser_get_root(p));
    JsonArray *checks = json_object_get_array_member(o, "checks");
    gint64 counts[3] = {0, 0, 0};
    for (guint i = 0; i < json_array_get_length(checks); i++) {
        JsonObject *c = json_array_get_object_element(checks, i);
        const char *st = json_object_get_string_member(c, "status");
        int k = strcmp(st, "pass") == 0 ? 0 : strcmp(st, "fail") == 0 ? 1 : 2;
        counts[k]++;
        if (k == 1)
            g_assert_false(json_object_get_null_member(c, "action"));
        if (k == 0)
            g_assert_true(json_object_get_null_member(c, "action"));
        g_assert_cmpint(json_object_get_null_member(c, "number"), ==,
                        json_object_get_null_member(c, "unit"));
    }
    g_assert_cmpint(counts[0], ==, json_object_get_int_member(o, "passed"));
    g_assert_cmpint(counts[1], ==, json_object_get_int_member(o, "failed"));
    g_assert_cmpint(counts[2], ==, json_object_get_int_member(o, "skipped"));
    g_assert_cmpstr(json_object_get_string_member(o, "result"), ==, counts[1] ? "fail" : "pass");
    g_assert_cmpint(status, ==, counts[1] ? 1 : 0);
    return p;
}

static JsonObject *find_check(JsonParser *p, const char *name)
{
    JsonArray *checks =
        json_object_get_array_member(json_node_get_object(json_parser_get_root(p)), "checks");
    for (guint i = 0; i < json_array_get_length(checks); i++) {
        JsonObject *c = json_array_get_object_element(checks, i);
        if (strcmp(json_object_get_string_member(c, "name"), name) == 0)
            return c;
    }
    g_error("no check %s", name);
    return NULL;
}

static const char *status_of(JsonParser *p, const char *name)
{
    return json_object_get_string_member(find_check(p, name), "status");
}

/* ---- the emulated kiosk ---- */

static pic *portrait(void)
{
    pic *p = NULL;
    g_assert_cmpint(pic_new(600, 800, 3, &p), ==, 0);
    for (int y = 0; y < 800; y++)
        for (int x = 0; x < 600; x++) {
            double dx = (x - 300) / 150.0, dy = (y - 330) / 200.0;
            uint8_t v = dx * dx + dy * dy < 1 ? (uint8_t)(110 + (x * 3 + y) % 50) : 205;
            uint8_t *q = p->px + ((size_t)y * 600 + (size_t)x) * 3;
            q[0] = v;
            q[1] = (uint8_t)(v - 8);
            q[2] = (uint8_t)(v - 16);
        }
    return p;
}

typedef struct devices {
    gboolean camera, reader, pad;
} devices;

typedef struct invocation {
    ptpip_emu *emu;
    char **envp;
    GPtrArray *argv;
    char *conf, *pad_dev, *pad_ioctl;
} invocation;

/* Starts the emulated camera (when wanted), writes the configuration and builds the command:
 * umockdev-run with the touch screen (and pad), then biokiosk selftest --json. */
static void invocation_init(invocation *inv, devices d, gboolean interactive)
{
    memset(inv, 0, sizeof(*inv));
    char port[96] = "ptpip:127.0.0.1:1:2"; /* nothing listens there */
    if (d.camera) {
        pic *p = portrait();
        ptpip_emu_options o = ptpip_emu_options_default();
        /* a small full-size photo: encoding 6000x4000 in the emulator under ASan at -O0 can
         * outlast libgphoto2's PTP/IP read timeout on a busy machine */
        o.capture_width = 1500;
        o.capture_height = 1000;
        g_assert_cmpint(ptpip_emu_new(p, &o, &inv->emu), ==, 0);
        pic_free(p);
        g_snprintf(port, sizeof(port), "ptpip:127.0.0.1:%d:%d", ptpip_emu_port(inv->emu),
                   ptpip_emu_event_port(inv->emu));
    }
    inv->conf = g_build_filename(E.dir, "biokiosk.conf", NULL);
    g_autofree char *text = g_strdup_printf(
        "[kiosk]\ndesk = DEN-HAAG\nid = %s\nlocale_dir = %s\n"
        "[store]\nuri = %s\n"
        "[camera]\nmodel = PTP/IP Camera\nport = %s\n"
        "[record]\noutbox = %s/outbox\nkiosk_key = %s/keys/kiosk.key\n"
        "backoffice_key = %s/keys/backoffice.pub\naudit_hash_key = %s/keys/audit-hash.key\n"
        "[audit]\nlog = %s/audit.log\n"
        "[selftest]\nmin_free_mb = 1\nmin_width = 1024\nmin_height = 768\nrequire_ntp = false\n"
        "%s",
        E.kiosk_id ? E.kiosk_id : "DEN-HAAG-03", E.locale_dir, E.store_uri, port, E.dir, E.dir,
        E.dir, E.dir, E.dir, E.photo ? E.photo : "");
    g_assert_true(g_file_set_contents(inv->conf, text, -1, NULL));

    char **envp = g_get_environ();
    envp = g_environ_setenv(envp, "SDL_VIDEODRIVER", "offscreen", TRUE);
    envp = g_environ_setenv(envp, "HOME", E.dir, TRUE); /* libgphoto2 keeps settings there */
    g_autofree char *sock = g_build_filename(E.dir, "virtual-image.socket", NULL);
    if (d.reader)
        envp = g_environ_setenv(envp, "FP_VIRTUAL_IMAGE", sock, TRUE);
    else
        envp = g_environ_unsetenv(envp, "FP_VIRTUAL_IMAGE");
    /* umockdev's preload library comes before ASan's in the list */
    const char *asan = g_environ_getenv(envp, "ASAN_OPTIONS");
    g_autofree char *asan2 =
        g_strdup_printf("%s%sverify_asan_link_order=0", asan ? asan : "", asan ? ":" : "");
    inv->envp = g_environ_setenv(envp, "ASAN_OPTIONS", asan2, TRUE);

    inv->pad_dev = g_strconcat(E.pad_prefix, ".umockdev", NULL);
    inv->pad_ioctl = g_strconcat("/dev/bus/usb/001/005=", E.pad_prefix, ".ioctl", NULL);
    GPtrArray *argv = g_ptr_array_new();
    if (!E.bare) {
        g_ptr_array_add(argv, E.umockdev_run);
        g_ptr_array_add(argv, "--device");
        g_ptr_array_add(argv, E.touch);
        if (d.pad) {
            g_ptr_array_add(argv, "--device");
            g_ptr_array_add(argv, inv->pad_dev);
            g_ptr_array_add(argv, "--ioctl");
            g_ptr_array_add(argv, inv->pad_ioctl);
        }
        g_ptr_array_add(argv, "--");
    }
    g_ptr_array_add(argv, E.bin);
    g_ptr_array_add(argv, "selftest");
    g_ptr_array_add(argv, "--json");
    if (interactive)
        g_ptr_array_add(argv, "--interactive");
    g_ptr_array_add(argv, "--config");
    g_ptr_array_add(argv, inv->conf);
    g_ptr_array_add(argv, NULL);
    inv->argv = argv;
}

static void invocation_clear(invocation *inv)
{
    g_ptr_array_free(inv->argv, TRUE);
    g_strfreev(inv->envp);
    ptpip_emu_free(inv->emu);
    g_free(inv->conf);
    g_free(inv->pad_dev);
    g_free(inv->pad_ioctl);
}

/* Runs the self-test with the given devices present; returns the parsed, validated output. */
static JsonParser *selftest(devices d, int *status_out)
{
    invocation inv;
    invocation_init(&inv, d, FALSE);
    char *out = NULL;
    int st = run((char **)inv.argv->pdata, inv.envp, &out);
    invocation_clear(&inv);
    if (g_test_verbose())
        g_printerr("%s", out);
    JsonParser *p = check_output(out, st);
    g_free(out);
    *status_out = st;
    return p;
}

static const char *const device_checks[] = {"camera.found", "fingerprint.found", "sigpad.found"};

/* Every check that is not about the missing device passes (or is skipped where it should). */
static void expect_rest_pass(JsonParser *p, const char *missing)
{
    static const char *const always_skip[] = {"camera.capture", "fingerprint.capture",
                                              "sigpad.draw", "clock.ntp"};
    JsonArray *checks =
        json_object_get_array_member(json_node_get_object(json_parser_get_root(p)), "checks");
    g_autofree char *group = missing ? g_strndup(missing, strchr(missing, '.') - missing) : NULL;
    for (guint i = 0; i < json_array_get_length(checks); i++) {
        JsonObject *c = json_array_get_object_element(checks, i);
        const char *name = json_object_get_string_member(c, "name");
        const char *st = json_object_get_string_member(c, "status");
        if (missing && strcmp(name, missing) == 0) {
            g_assert_cmpstr(st, ==, "fail");
            continue;
        }
        if (group && g_str_has_prefix(name, group) && name[strlen(group)] == '.') {
            g_assert_cmpstr(st, ==, "skip"); /* depends on the missing device */
            continue;
        }
        gboolean skip = FALSE;
        for (size_t k = 0; k < G_N_ELEMENTS(always_skip); k++)
            skip = skip || strcmp(name, always_skip[k]) == 0;
        if (skip && strcmp(name, "clock.ntp") == 0)
            g_assert_cmpstr(st, !=, "fail");
        else if (skip)
            g_assert_cmpstr(st, ==, "skip");
        else if (strcmp(st, "pass") != 0)
            g_error("%s: %s (%s)", name, st, json_object_get_string_member(c, "value"));
    }
}

static void test_all_pass(void)
{
    int st = 0;
    JsonParser *p = selftest((devices){TRUE, TRUE, TRUE}, &st);
    g_assert_cmpint(st, ==, 0);
    expect_rest_pass(p, NULL);
    /* the measured values are the emulators' */
    g_assert_nonnull(strstr(json_object_get_string_member(find_check(p, "camera.found"), "value"),
                            "PTP/IP Camera"));
    /* the serial number the emulated camera gives over PTP */
    g_assert_nonnull(strstr(json_object_get_string_member(find_check(p, "camera.found"), "value"),
                            "serial " PTPIP_EMU_SERIAL));
    g_assert_cmpfloat(json_object_get_double_member(find_check(p, "camera.live_view"), "number"), >,
                      0.0);
    g_assert_cmpfloat(
        json_object_get_double_member(find_check(p, "camera.frames_decode"), "number"), ==, 1.0);
    g_assert_nonnull(
        strstr(json_object_get_string_member(find_check(p, "fingerprint.found"), "value"),
               "virtual_image"));
    g_assert_nonnull(strstr(json_object_get_string_member(find_check(p, "sigpad.found"), "value"),
                            "layout hid"));
    g_assert_cmpfloat(json_object_get_double_member(find_check(p, "store.today"), "number"), ==,
                      7.0);
    g_assert_cmpfloat(json_object_get_double_member(find_check(p, "audit.verify"), "number"), ==,
                      2.0);
    g_assert_cmpfloat(json_object_get_double_member(find_check(p, "display.touch"), "number"), ==,
                      1.0);
    g_object_unref(p);
}

static void test_missing(gconstpointer data)
{
    int which = GPOINTER_TO_INT(data);
    devices d = {which != 0, which != 1, which != 2};
    int st = 0;
    JsonParser *p = selftest(d, &st);
    g_assert_cmpint(st, ==, 1);
    g_assert_cmpstr(status_of(p, device_checks[which]), ==, "fail");
    expect_rest_pass(p, device_checks[which]);
    g_object_unref(p);
}

/* The face models load at the photo service's start (about a second; far longer on a busy
 * machine); the face search waits for them, so camera.face_detection must not give up while
 * they load. The landmark model is a named pipe here: the service's worker blocks opening it
 * until the test opens it for writing, HOLD_S after the self-test began, beyond the face
 * search's own 20 s; the model then does not load (dlib cannot read a pipe): the Haar search
 * runs, finds the face, and the check fails naming the model that did not load (without it the
 * mouth, eyes, pose and light go unchecked). Before the deadline counted from the load, this
 * failed "no answer from the face detector within 20 s"; before the model's load was reported,
 * it passed. The self-test runs bare, with the camera only: umockdev-run's
 * preload library holds its lock through the blocked open of the pipe, which would stop the
 * camera's own calls (an artefact of the emulation, not of the kiosk). */
#define HOLD_S 30

typedef struct model_pipe {
    const char *path;
    gint done;     /* the self-test ended */
    gint released; /* the pipe was opened for writing */
} model_pipe;

static gpointer release_model(gpointer data)
{
    model_pipe *m = data;
    gint64 at = g_get_monotonic_time() + HOLD_S * G_USEC_PER_SEC;
    while (!g_atomic_int_get(&m->done) && g_get_monotonic_time() < at)
        g_usleep(100 * 1000);
    while (!g_atomic_int_get(&m->done)) {
        int fd = open(m->path, O_WRONLY | O_NONBLOCK | O_CLOEXEC); /* ENXIO: no reader yet */
        if (fd >= 0) {
            close(fd);
            g_atomic_int_set(&m->released, 1);
            break;
        }
        g_assert_cmpint(errno, ==, ENXIO);
        g_usleep(100 * 1000);
    }
    return NULL;
}

static void test_models_slow(void)
{
    g_autofree char *fifo = g_build_filename(E.dir, "landmarks.dat", NULL);
    g_assert_cmpint(mkfifo(fifo, 0600), ==, 0);
    g_autofree char *photo = g_strdup_printf("[photo]\nlandmark_model = %s\n", fifo);
    E.photo = photo;
    model_pipe m = {.path = fifo};
    GThread *t = g_thread_new("release-model", release_model, &m);
    gint64 t0 = g_get_monotonic_time();
    int st = 0;
    E.bare = TRUE;
    JsonParser *p = selftest((devices){TRUE, FALSE, FALSE}, &st);
    g_atomic_int_set(&m.done, 1);
    g_thread_join(t);
    E.photo = NULL;
    E.bare = FALSE;
    g_unlink(fifo);
    /* the model was held for the whole wait: opened by the service, released by the test */
    g_assert_true(g_atomic_int_get(&m.released));
    g_assert_cmpint(g_get_monotonic_time() - t0, >=, HOLD_S * G_USEC_PER_SEC);
    static const char *const camera[] = {"camera.found", "camera.live_view",
                                         "camera.frames_decode"};
    for (size_t i = 0; i < G_N_ELEMENTS(camera); i++)
        g_assert_cmpstr(status_of(p, camera[i]), ==, "pass");
    JsonObject *faces = find_check(p, "camera.face_detection");
    g_assert_cmpstr(json_object_get_string_member(faces, "status"), ==, "fail");
    const char *value = json_object_get_string_member(faces, "value");
    g_assert_nonnull(strstr(value, " found in ")); /* the test's portrait is no face */
    g_assert_nonnull(strstr(value, "the face landmark model did not load ("));
    g_assert_nonnull(strstr(value, "landmarks.dat"));
    g_assert_nonnull(strstr(json_object_get_string_member(faces, "action"), "libdlib-data"));
    g_assert_cmpint(st, ==, 1); /* no reader, pad nor touch screen here */
    g_object_unref(p);
}

/* A tag changed on an entry a checkpoint signs: the chain and the signatures still hold, so only
 * the tag check (keyed from the kiosk's secret key) finds it. Without a readable audit-hash key
 * the kiosk cannot start: that check fails by itself, and the log still verifies. */
static void test_audit_tags(void)
{
    g_autofree char *log = g_build_filename(E.dir, "audit.log", NULL);
    g_autofree char *text = NULL;
    g_assert_true(g_file_get_contents(log, &text, NULL, NULL));
    g_autofree char *changed = g_strdup(text);
    g_assert_true(changed[0] == 'E');
    char *end = strchr(changed, '\n');
    g_assert_nonnull(end);
    end[-1] = end[-1] == '0' ? '1' : '0'; /* the last digit of entry 1's tag */
    g_assert_true(g_file_set_contents(log, changed, -1, NULL));
    int st = 0;
    JsonParser *p = selftest((devices){TRUE, TRUE, TRUE}, &st);
    g_assert_cmpint(st, ==, 1);
    expect_rest_pass(p, "audit.verify");
    g_assert_nonnull(
        strstr(json_object_get_string_member(find_check(p, "audit.verify"), "value"), "tag"));
    g_object_unref(p);

    g_autofree char *key = g_build_filename(E.dir, "keys", "audit-hash.key", NULL);
    g_autofree char *aside = g_strconcat(key, ".aside", NULL);
    g_assert_true(g_file_set_contents(log, text, -1, NULL));
    g_assert_cmpint(g_rename(key, aside), ==, 0);
    p = selftest((devices){TRUE, TRUE, TRUE}, &st);
    g_assert_cmpint(g_rename(aside, key), ==, 0);
    g_assert_cmpint(st, ==, 1);
    g_assert_cmpstr(status_of(p, "keys.audit_hash"), ==, "fail");
    g_assert_cmpstr(status_of(p, "keys.kiosk"), ==, "pass");
    g_assert_cmpstr(status_of(p, "audit.verify"), ==, "pass");
    g_assert_nonnull(strstr(json_object_get_string_member(find_check(p, "audit.verify"), "value"),
                            "tags checked"));
    g_object_unref(p);
}

/* A damaged audit log fails its check (and only that one). */
static void test_audit_changed(void)
{
    g_autofree char *log = g_build_filename(E.dir, "audit.log", NULL);
    g_autofree char *text = NULL;
    g_assert_true(g_file_get_contents(log, &text, NULL, NULL));
    g_autofree char *changed = g_strdup(text);
    char *at = strstr(changed, "selftest.one");
    g_assert_nonnull(at);
    at[strlen("selftest.")] = 'X';
    g_assert_true(g_file_set_contents(log, changed, -1, NULL));
    int st = 0;
    JsonParser *p = selftest((devices){TRUE, TRUE, TRUE}, &st);
    g_assert_cmpint(st, ==, 1);
    expect_rest_pass(p, "audit.verify");
    g_object_unref(p);
    g_assert_true(g_file_set_contents(log, text, -1, NULL));
}

static gboolean stderr_says(const char *path, const char *text)
{
    g_autofree char *err = NULL;
    return g_file_get_contents(path, &err, NULL, NULL) && strstr(err, text) != NULL;
}

static void child_exited(GObject *source, GAsyncResult *res, gpointer data)
{
    g_subprocess_wait_finish(G_SUBPROCESS(source), res, NULL);
    *(gboolean *)data = TRUE;
}

/* --interactive against the emulators: the camera takes and downloads a photo, the test places
 * a synthetic finger on the virtual reader when the self-test asks for one (its prompt on
 * stderr), and the emulated pad plays its strokes. */
static void test_interactive(void)
{
    invocation inv;
    invocation_init(&inv, (devices){TRUE, TRUE, TRUE}, TRUE);
    g_autofree char *err_path = g_build_filename(E.dir, "interactive.err", NULL);
    g_autofree char *out_path = g_build_filename(E.dir, "interactive.out", NULL);
    GSubprocessLauncher *l = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_NONE);
    g_subprocess_launcher_set_environ(l, inv.envp);
    g_subprocess_launcher_set_stderr_file_path(l, err_path);
    g_subprocess_launcher_set_stdout_file_path(l, out_path);
    GError *error = NULL;
    GSubprocess *child =
        g_subprocess_launcher_spawnv(l, (const char *const *)inv.argv->pdata, &error);
    g_assert_no_error(error);
    gboolean done = FALSE;
    g_subprocess_wait_async(child, NULL, child_exited, &done);

    fingerimg *print = NULL;
    g_assert_cmpint(fingersynth_make(7, FINGERSYNTH_WHORL, 256, 320, &print), ==, 0);
    g_autofree char *sock = g_build_filename(E.dir, "virtual-image.socket", NULL);
    fingerfeed *feed = NULL;
    gint64 asked = 0, deadline = g_get_monotonic_time() + 120 * G_USEC_PER_SEC;
    int sent = 0;
    while (!done && g_get_monotonic_time() < deadline) {
        g_main_context_iteration(NULL, FALSE);
        g_usleep(20000);
        if (asked == 0) {
            if (stderr_says(err_path, "place a finger"))
                asked = g_get_monotonic_time();
        } else if (sent < 2 && g_get_monotonic_time() > asked + 100000 + sent * 5000000 &&
                   !stderr_says(err_path, "Signature pad:")) {
            /* the prompt comes when the reader waits for the finger ("finger needed"); a
             * second image only if the first was lost */
            if (feed == NULL)
                feed = fingerfeed_new(sock);
            g_assert_cmpint(fingerfeed_queue_image(feed, print), ==, 0);
            fingerfeed_finger_needed(feed);
            sent++;
        }
    }
    g_assert_true(done);
    int st = g_subprocess_get_exit_status(child);
    g_autofree char *out = NULL;
    g_assert_true(g_file_get_contents(out_path, &out, NULL, NULL));
    if (g_test_verbose())
        g_printerr("%s", out);
    JsonParser *p = check_output(out, st);
    g_assert_cmpint(st, ==, 0);
    g_assert_cmpstr(status_of(p, "camera.capture"), ==, "pass");
    g_assert_nonnull(strstr(json_object_get_string_member(find_check(p, "camera.capture"), "value"),
                            "1500x1000"));
    g_assert_cmpstr(status_of(p, "fingerprint.capture"), ==, "pass");
    g_assert_cmpfloat(json_object_get_double_member(find_check(p, "fingerprint.capture"), "number"),
                      >, 0.0);
    g_assert_cmpstr(status_of(p, "sigpad.draw"), ==, "pass");
    g_assert_cmpfloat(json_object_get_double_member(find_check(p, "sigpad.draw"), "number"), >,
                      20.0);
    g_assert_true(json_object_get_boolean_member(json_node_get_object(json_parser_get_root(p)),
                                                 "interactive"));
    g_object_unref(p);
    fingerfeed_free(feed);
    fingerimg_free(print);
    g_object_unref(child);
    g_object_unref(l);
    invocation_clear(&inv);
}

/* Bad usage: exit 2, one line on stderr, no stdout. (A configuration that does not load is a
 * failed check since issue 17: test_no_config.) */
static void test_usage(void)
{
    const char *cases[][4] = {
        {E.bin, "selftest", "--bogus", NULL},
        {E.bin, "selftest", "extra", NULL},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        char *argv[] = {(char *)cases[i][0], (char *)cases[i][1], (char *)cases[i][2],
                        (char *)cases[i][3], NULL};
        g_autofree char *out = NULL, *err = NULL;
        int status = 0;
        g_assert_true(g_spawn_sync(E.dir, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                                   &status, NULL));
        g_assert_true(WIFEXITED(status));
        g_assert_cmpint(WEXITSTATUS(status), ==, 2);
        g_assert_cmpstr(out, ==, "");
        g_assert_true(g_str_has_prefix(err, "biokiosk selftest: "));
        g_assert_nonnull(strchr(err, '\n'));
        g_assert_cmpint(strchr(err, '\n')[1], ==, 0);
    }
}

/* Runs `biokiosk selftest ARGS... --config conf` without devices; status and stdout. */
static int run_config(const char *conf, gboolean json, char **out)
{
    char **envp = g_get_environ();
    envp = g_environ_setenv(envp, "SDL_VIDEODRIVER", "offscreen", TRUE);
    envp = g_environ_setenv(envp, "HOME", E.dir, TRUE);
    envp = g_environ_unsetenv(envp, "FP_VIRTUAL_IMAGE");
    const char *argv[] = {E.bin, "selftest", "--config", conf, json ? "--json" : NULL, NULL};
    int st = run((char **)argv, envp, out);
    g_strfreev(envp);
    return st;
}

/* A fresh kiosk without a readable configuration (no file, or one that does not load): a failed
 * config.load check with what to do, in the JSON and in the text, the checks that need no
 * configuration made with the defaults, the others skipped; exit 1. */
static void test_no_config(void)
{
    g_autofree char *bad = g_build_filename(E.dir, "bad.conf", NULL);
    g_assert_true(g_file_set_contents(bad, "[kiosk]\ndesk = DEN-HAAG\n", -1, NULL));
    g_autofree char *none = g_build_filename(E.dir, "no-such.conf", NULL);
    const char *confs[] = {bad, none};
    for (size_t i = 0; i < G_N_ELEMENTS(confs); i++) {
        g_autofree char *out = NULL;
        int st = run_config(confs[i], TRUE, &out);
        g_assert_cmpint(st, ==, 1);
        JsonParser *p = check_output(out, st);
        JsonObject *c = find_check(p, "config.load");
        g_assert_cmpstr(json_object_get_string_member(c, "status"), ==, "fail");
        g_assert_nonnull(strstr(json_object_get_string_member(c, "value"), confs[i]));
        g_assert_nonnull(strstr(json_object_get_string_member(c, "action"), "config example"));
        g_assert_cmpstr(status_of(p, "store.reachable"), ==, "skip");
        g_assert_cmpstr(status_of(p, "record.trial"), ==, "skip");
        g_assert_cmpstr(status_of(p, "clock.plausible"), ==, "pass");
        g_assert_cmpstr(
            json_object_get_string_member(json_node_get_object(json_parser_get_root(p)), "kiosk"),
            ==, "unknown");
        g_object_unref(p);
        g_autofree char *text = NULL;
        g_assert_cmpint(run_config(confs[i], FALSE, &text), ==, 1);
        g_assert_nonnull(strstr(text, "FAIL  config.load"));
        g_assert_nonnull(strstr(text, "what to do: Write the configuration"));
    }
}

/* A kiosk id that makes a transaction control number the record refuses (40 characters, the
 * configuration's old limit): the kiosk cannot write records, and the self-test says so before
 * the first applicant, by refusing the id (config.load) or by the trial record (record.trial). */
static void test_record_trial(void)
{
    E.kiosk_id = "ROTTERDAM-ZUID-02-ROTTERDAM-ZUID-02-ABCD";
    g_assert_cmpint(strlen(E.kiosk_id), ==, 40);
    int st = 0;
    JsonParser *p = selftest((devices){TRUE, TRUE, TRUE}, &st);
    E.kiosk_id = NULL;
    g_assert_cmpint(st, ==, 1);
    if (strcmp(status_of(p, "config.load"), "fail") == 0) {
        g_assert_cmpstr(status_of(p, "record.trial"), ==, "skip");
    } else {
        JsonObject *c = find_check(p, "record.trial");
        g_assert_cmpstr(json_object_get_string_member(c, "status"), ==, "fail");
        g_assert_nonnull(strstr(json_object_get_string_member(c, "value"), "refused"));
        expect_rest_pass(p, "record.trial");
    }
    g_object_unref(p);
    /* the kiosk's own id writes records: the trial passes and names its transaction */
    p = selftest((devices){TRUE, TRUE, TRUE}, &st);
    JsonObject *c = find_check(p, "record.trial");
    g_assert_cmpstr(json_object_get_string_member(c, "status"), ==, "pass");
    g_assert_nonnull(strstr(json_object_get_string_member(c, "value"), "DEN-HAAG-03-"));
    g_assert_cmpfloat(json_object_get_double_member(c, "number"), >, 0.0);
    g_object_unref(p);
}

static void prepare(void)
{
    g_autofree char *keys = g_build_filename(E.dir, "keys", NULL);
    g_autofree char *outbox = g_build_filename(E.dir, "outbox", NULL);
    g_assert_cmpint(g_mkdir(outbox, 0700), ==, 0);
    g_assert_cmpint(g_mkdir(keys, 0700), ==, 0);
    g_autofree char *a = g_strdup_printf("keys kiosk-init --dir %s", keys);
    run_ok(a);
    g_autofree char *b = g_strdup_printf("keys backoffice-init --dir %s", keys);
    run_ok(b);
    for (int i = 0; i < 2; i++) {
        g_autofree char *c = g_strdup_printf(
            "audit append %s/audit.log --kiosk-key %s/kiosk.key --hash-key %s/audit-hash.key "
            "--event selftest.%s",
            E.dir, keys, keys, i == 0 ? "one" : "two");
        run_ok(c);
    }
    /* today's appointments at the desk: the demo set (8, one of them cancelled) */
    GDateTime *now = g_date_time_new_now_local();
    g_autofree char *day = g_date_time_format(now, "%Y-%m-%d");
    g_date_time_unref(now);
    g_autofree char *line =
        g_strdup_printf("%s appointment demo-set --desk DEN-HAAG --date %s", E.bin, day);
    g_auto(GStrv) argv = NULL;
    g_assert_true(g_shell_parse_argv(line, NULL, &argv, NULL));
    g_autofree char *json = NULL;
    g_assert_cmpint(run(argv, NULL, &json), ==, 0);
    g_autofree char *file = g_build_filename(E.dir, "today.json", NULL);
    g_assert_true(g_file_set_contents(file, json, -1, NULL));
    g_autofree char *imp = g_strdup_printf("appointment import %s --store %s", file, E.store_uri);
    run_ok(imp);
}

static void remove_tree(const char *path)
{
    GDir *d = g_dir_open(path, 0, NULL);
    if (d != NULL) {
        const char *name;
        while ((name = g_dir_read_name(d)) != NULL) {
            g_autofree char *sub = g_build_filename(path, name, NULL);
            remove_tree(sub);
        }
        g_dir_close(d);
        g_rmdir(path);
    } else {
        g_unlink(path);
    }
}

/* The same with a PostgreSQL store (run through tests/store/with-postgresql.sh). */
static void test_postgresql(void)
{
    int st = 0;
    JsonParser *p = selftest((devices){TRUE, TRUE, TRUE}, &st);
    g_assert_cmpint(st, ==, 0);
    expect_rest_pass(p, NULL);
    g_assert_nonnull(strstr(
        json_object_get_string_member(find_check(p, "store.reachable"), "value"), "postgresql"));
    g_assert_cmpfloat(json_object_get_double_member(find_check(p, "store.today"), "number"), ==,
                      7.0);
    g_object_unref(p);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    const char *run_prog = g_getenv("UMOCKDEV_RUN");
    if (run_prog == NULL || run_prog[0] == 0) {
        printf("SKIP: umockdev-run is not installed (package umockdev)\n");
        return 77;
    }
    E.umockdev_run = g_strdup(run_prog);
    E.bin = g_strdup(g_getenv("BIOKIOSK_BIN"));
    E.pad_prefix = g_strdup(g_getenv("SELFTEST_PAD"));
    E.touch = g_strdup(g_getenv("SELFTEST_TOUCH"));
    E.schema = g_strdup(g_getenv("SELFTEST_SCHEMA"));
    E.locale_dir = g_strdup(g_getenv("KIOSK_LOCALE_DIR"));
    g_assert_nonnull(E.bin);
    E.dir = g_dir_make_tmp("biokiosk-selftest-XXXXXX", NULL);
    g_assert_nonnull(E.dir);
    const char *pghost = g_getenv("BIOKIOSK_TEST_PGHOST");
    if (pghost != NULL) {
        g_autofree char *h = g_uri_escape_string(pghost, NULL, FALSE);
        const char *user = g_getenv("BIOKIOSK_TEST_PGUSER");
        g_autofree char *u = g_uri_escape_string(user ? user : "postgres", NULL, FALSE);
        E.store_uri = g_strdup_printf("postgresql:///postgres?host=%s&user=%s", h, u);
    } else {
        E.store_uri = g_strdup_printf("sqlite:%s/appointments.db", E.dir);
    }
    prepare();
    g_test_add_func("/selftest/all-pass", test_all_pass);
    g_test_add_data_func("/selftest/no-camera", GINT_TO_POINTER(0), test_missing);
    g_test_add_data_func("/selftest/no-reader", GINT_TO_POINTER(1), test_missing);
    g_test_add_data_func("/selftest/no-pad", GINT_TO_POINTER(2), test_missing);
    g_test_add_func("/selftest/audit-log-changed", test_audit_changed);
    g_test_add_func("/selftest/audit-tags", test_audit_tags);
    g_test_add_func("/selftest/models-slow", test_models_slow);
    g_test_add_func("/selftest/interactive", test_interactive);
    g_test_add_func("/selftest/usage", test_usage);
    g_test_add_func("/selftest/no-config", test_no_config);
    g_test_add_func("/selftest/record-trial", test_record_trial);
    if (pghost != NULL)
        g_test_add_func("/selftest/postgresql", test_postgresql);
    int r = g_test_run();
    remove_tree(E.dir);
    g_free(E.dir);
    g_free(E.bin);
    g_free(E.umockdev_run);
    g_free(E.pad_prefix);
    g_free(E.touch);
    g_free(E.schema);
    g_free(E.locale_dir);
    g_free(E.store_uri);
    return r;
}
