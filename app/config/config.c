#include "config/config.h"

#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

typedef enum kind {
    KIND_STRING, /* any text on one line */
    KIND_NAME,   /* A-Z, 0-9 and '-': desk and kiosk names */
    KIND_INT,
    KIND_DOUBLE,
    KIND_BOOL,   /* true/false, yes/no, on/off, 1/0 */
    KIND_CHOICE, /* one of `choices` */
    KIND_LIST,   /* comma-separated words, each one of `choices` (or any word when NULL) */
} kind;

typedef struct key_row {
    const char *key; /* "section.name" */
    kind kind;
    const char *def;     /* NULL: required, no default */
    double min, max;     /* for KIND_INT and KIND_DOUBLE */
    const char *choices; /* "a|b|c" for KIND_CHOICE and KIND_LIST */
    const char *doc;
} key_row;

/* Every setting of the program. Keep each area's keys together, in the order of the example. */
static const key_row table[] = {
    {"kiosk.desk", KIND_NAME, NULL, 0, 0, NULL,
     "The desk this kiosk stands at, as in the appointments (DEN-HAAG, AMSTERDAM, ZWOLLE, ...)."},
    {"kiosk.id", KIND_NAME, NULL, 0, 0, NULL,
     "This kiosk's name, unique among the kiosks sharing a store (DEN-HAAG-03)."},
    {"kiosk.languages", KIND_LIST, "nl,en,ar,tr,uk,es,fr", 0, 0, "nl|en|ar|tr|uk|es|fr",
     "Languages offered on the welcome screen, in this order."},
    {"kiosk.default_language", KIND_CHOICE, "nl", 0, 0, "nl|en|ar|tr|uk|es|fr",
     "Language of the welcome screen."},
    {"kiosk.fullscreen", KIND_BOOL, "true", 0, 0, NULL,
     "Full screen (the kiosk); false opens a window (like --windowed)."},
    {"kiosk.font", KIND_STRING, "", 0, 0, NULL,
     "Font file for Latin and Cyrillic text; empty: fontconfig's \"Noto Sans\"."},
    {"kiosk.font_arabic", KIND_STRING, "", 0, 0, NULL,
     "Font file for Arabic text; empty: fontconfig's \"Noto Sans Arabic\"."},
    {"kiosk.locale_dir", KIND_STRING, "", 0, 0, NULL,
     "Directory of the translations (LANG/LC_MESSAGES/biokiosk.mo); empty: the installed one."},

    {"store.uri", KIND_STRING, "sqlite:/var/lib/biokiosk/appointments.db", 0, 0, NULL,
     "Appointment store: sqlite:PATH (one kiosk) or postgresql://... (several kiosks)."},

    {"arrival.early_minutes", KIND_INT, "30", 0, 24 * 60, NULL,
     "How many minutes before the start of an appointment a code is accepted."},
    {"arrival.late_minutes", KIND_INT, "15", 0, 24 * 60, NULL,
     "How many minutes after the start of an appointment a code is still accepted."},

    {"session.idle_seconds", KIND_INT, "60", 5, 3600, NULL,
     "Seconds without input on an applicant screen before \"Are you still there?\"."},
    {"session.idle_countdown_seconds", KIND_INT, "20", 5, 600, NULL,
     "Seconds of that question's countdown; then the session is wiped and the appointment "
     "released."},
    {"session.after_desk", KIND_CHOICE, "collect", 0, 0, "collect|courier",
     "What happens after the desk: the document is collected here, or delivered by courier."},
    {"session.working_days", KIND_INT, "25", 1, 90, NULL,
     "About how many working days until the document is ready."},

    {"staff.max_pin_failures", KIND_INT, "5", 1, 100, NULL,
     "Wrong PINs in a row that lock a staff account."},
    {"staff.lockout_minutes", KIND_INT, "5", 1, 24 * 60, NULL,
     "How long a locked staff account stays locked."},
    {"staff.pin_pad_timeout_seconds", KIND_INT, "30", 5, 600, NULL,
     "The staff PIN pad closes itself after this many seconds without input."},

    {"screen.width_mm", KIND_DOUBLE, "527", 50, 3000, NULL,
     "Visible width of the screen in millimetres (touch targets are sized from it)."},
    {"screen.height_mm", KIND_DOUBLE, "296", 50, 3000, NULL,
     "Visible height of the screen in millimetres."},

    /* -- photo */
    {"photo.enabled", KIND_BOOL, "false", 0, 0, NULL,
     "true on a kiosk with a camera: the photo step is taken here; false: the step shows "
     "\"not available on this kiosk\" and staff skips it."},
    {"photo.attempts", KIND_INT, "3", 1, 8, NULL,
     "Photos a person may take before the desk officer chooses the best (or rejects them)."},
    {"photo.cascades", KIND_STRING, "", 0, 0, NULL,
     "Directory of the Haar face models; empty: /usr/share/opencv4/haarcascades (opencv-data)."},
    {"photo.eye_distance_min", KIND_DOUBLE, "300", 0, 2000, NULL,
     "Eye centres at least this many pixels apart in the 1244x1600 photo, without upscaling."},
    {"photo.roll_max_deg", KIND_DOUBLE, "8", 0, 45, NULL,
     "Head tilt (roll) allowed either way, degrees."},
    {"photo.head_width_min", KIND_DOUBLE, "0.5", 0, 1, NULL,
     "Head width / photo width, smallest (estimated from the face box)."},
    {"photo.head_width_max", KIND_DOUBLE, "0.75", 0, 1, NULL, "Head width / photo width, largest."},
    {"photo.head_height_min", KIND_DOUBLE, "0.6", 0, 1, NULL,
     "Head height / photo height, smallest (estimated from the face box)."},
    {"photo.head_height_max", KIND_DOUBLE, "0.9", 0, 1, NULL,
     "Head height / photo height, largest."},
    {"photo.eye_line_min", KIND_DOUBLE, "0.3", 0, 1, NULL,
     "Eye line from the top / photo height, smallest."},
    {"photo.eye_line_max", KIND_DOUBLE, "0.5", 0, 1, NULL,
     "Eye line from the top / photo height, largest."},
    {"photo.centre_min", KIND_DOUBLE, "0.45", 0, 1, NULL,
     "Horizontal centre of the face / photo width, smallest."},
    {"photo.centre_max", KIND_DOUBLE, "0.55", 0, 1, NULL,
     "Horizontal centre of the face / photo width, largest."},
    {"photo.face_luma_min", KIND_DOUBLE, "35", 0, 255, NULL,
     "Mean brightness of the face (0-255) below which the photo is under-exposed."},
    {"photo.face_luma_max", KIND_DOUBLE, "235", 0, 255, NULL,
     "Mean brightness of the face above which the photo is over-exposed."},
    {"photo.clipped_max", KIND_DOUBLE, "0.05", 0, 1, NULL,
     "Largest share of face pixels at 250 or brighter (over-exposure)."},
    {"photo.sharpness_min", KIND_DOUBLE, "2.0", 0, 100, NULL,
     "Smallest edge strength of the face (the kiosk's measure; blurred photos score about 1)."},
    {"photo.background_spread_max", KIND_DOUBLE, "14", 0, 255, NULL,
     "Largest spread (robust standard deviation) of the background's brightness: plain "
     "background."},
    {"photo.background_luma_min", KIND_DOUBLE, "161", 0, 255, NULL,
     "Background brightness, lowest (#A1A1A1 = 161)."},
    {"photo.background_luma_max", KIND_DOUBLE, "225", 0, 255, NULL,
     "Background brightness, highest (#E1E1E1 = 225)."},
    {"photo.background_tint_max", KIND_DOUBLE, "12", 0, 255, NULL,
     "Largest difference between the background's red, green and blue: grey background."},
    {"photo.colour_cast_max", KIND_DOUBLE, "30", 0, 255, NULL,
     "Largest chroma of the photo's mean colour (0-255 scale): colour cast."},
    {"photo.child_roll_max_deg", KIND_DOUBLE, "12", 0, 45, NULL,
     "For a child under 10 (wider, as the standard allows): roll_max_deg"},
    {"photo.child_head_width_min", KIND_DOUBLE, "0.45", 0, 1, NULL,
     "For a child under 10 (wider, as the standard allows): head_width_min"},
    {"photo.child_head_width_max", KIND_DOUBLE, "0.8", 0, 1, NULL,
     "For a child under 10 (wider, as the standard allows): head_width_max"},
    {"photo.child_head_height_min", KIND_DOUBLE, "0.5", 0, 1, NULL,
     "For a child under 10 (wider, as the standard allows): head_height_min"},
    {"photo.child_head_height_max", KIND_DOUBLE, "0.9", 0, 1, NULL,
     "For a child under 10 (wider, as the standard allows): head_height_max"},
    {"photo.child_eye_line_min", KIND_DOUBLE, "0.25", 0, 1, NULL,
     "For a child under 10 (wider, as the standard allows): eye_line_min"},
    {"photo.child_eye_line_max", KIND_DOUBLE, "0.55", 0, 1, NULL,
     "For a child under 10 (wider, as the standard allows): eye_line_max"},
    {"photo.child_centre_min", KIND_DOUBLE, "0.42", 0, 1, NULL,
     "For a child under 10 (wider, as the standard allows): centre_min"},
    {"photo.child_centre_max", KIND_DOUBLE, "0.58", 0, 1, NULL,
     "For a child under 10 (wider, as the standard allows): centre_max"},
    {"camera.model", KIND_STRING, "", 0, 0, NULL,
     "libgphoto2 camera model (\"PTP/IP Camera\", \"Nikon DSC D5600\"); empty: the first camera "
     "found on USB."},
    {"camera.port", KIND_STRING, "", 0, 0, NULL,
     "libgphoto2 port of that model (\"ptpip:127.0.0.1:15740:15741\", \"usb:\"); with "
     "camera.model."},
    {"camera.emulator_control", KIND_STRING, "", 0, 0, NULL,
     "Emulation only (demo, scripted mode): the named pipe the ptpip-camera emulator reads its "
     "commands from; the script's camera-fault/unplug/plug write to it. Empty: a real camera."},
    /* -- fingerprints */
    {"fingerprint.enabled", KIND_BOOL, "false", 0, 0, NULL,
     "true on a kiosk with a fingerprint reader: the fingerprint step is taken here; false: the "
     "step shows \"not available on this kiosk\" and staff skips it."},
    {"fingerprint.driver", KIND_STRING, "", 0, 0, NULL,
     "libfprint driver id of the reader (vfs5011, virtual_image); empty: the first reader that "
     "can capture images."},
    {"fingerprint.fallback_order", KIND_LIST, "thumb,middle,ring", 0, 0, "thumb|middle|ring",
     "Fingers tried after a missing or failing index finger, per hand (each of thumb, middle, "
     "ring once; never the little finger)."},
    {"fingerprint.threshold_index", KIND_INT, "30", 0, 100, NULL,
     "Quality (the kiosk's own 0-100 score, not NFIQ 2) an index finger must reach."},
    {"fingerprint.threshold_thumb", KIND_INT, "30", 0, 100, NULL, "Quality a thumb must reach."},
    {"fingerprint.threshold_middle", KIND_INT, "20", 0, 100, NULL,
     "Quality a middle finger must reach."},
    {"fingerprint.threshold_ring", KIND_INT, "10", 0, 100, NULL,
     "Quality a ring finger must reach."},
    {"fingerprint.attempts", KIND_INT, "3", 1, 10, NULL,
     "Attempts per finger; when none reaches the threshold the best is kept."},
    {"fingerprint.match_threshold", KIND_INT, "30", 1, 100, NULL,
     "Comparison score at or above which two prints count as the same finger (uniqueness check)."},
    {"fingerprint.virtual_socket", KIND_STRING, "", 0, 0, NULL,
     "Emulation only (demo, scripted mode): socket of libfprint's virtual image device; the "
     "kiosk sets FP_VIRTUAL_IMAGE to it and feeds the fingers itself. Empty: real readers."},
    {"fingerprint.assume_ppi", KIND_INT, "500", 500, 1500, NULL,
     "The reader's resolution in pixels per inch when libfprint reports none (libfprint 1.94's "
     "drivers report none): prints are shrunk from it to 500 ppi for the record. Never below "
     "500: images are never enlarged (a reader below 500 ppi does not meet the standard)."},
    /* -- signature */
    {"signature.source", KIND_CHOICE, "auto", 0, 0, "auto|pad|touch",
     "Where the person signs: a USB signature pad when one is attached, else the touch screen "
     "(auto), only the pad, or only the touch screen."},
    {"signature.min_points", KIND_INT, "20", 1, 10000, NULL,
     "A signature with fewer pen points than this is refused as trivial."},
    {"signature.min_box_share", KIND_DOUBLE, "0.02", 0, 1, NULL,
     "A signature whose ink covers less than this share of the signing area is refused."},
    {"signature.image_width", KIND_INT, "600", 50, 4000, NULL,
     "Width in pixels of the box the signature image for the record is fitted into."},
    {"signature.image_height", KIND_INT, "200", 20, 4000, NULL,
     "Height in pixels of the box the signature image for the record is fitted into."},
    /* -- record */
    {"record.outbox", KIND_STRING, "/var/lib/biokiosk/outbox", 0, 0, NULL,
     "Directory of the sealed records waiting for transfer (one file per person)."},
    {"record.kiosk_key", KIND_STRING, "/etc/biokiosk/kiosk.key", 0, 0, NULL,
     "This kiosk's signing key (biokiosk keys kiosk-init); the kiosk does not start without it."},
    {"record.backoffice_key", KIND_STRING, "/etc/biokiosk/backoffice.pub", 0, 0, NULL,
     "The back office's public key the records are sealed to (backoffice.pub)."},
    {"record.audit_hash_key", KIND_STRING, "/etc/biokiosk/audit-hash.key", 0, 0, NULL,
     "The key of the V-number hashes in the audit log (audit-hash.key from kiosk-init)."},
    {"record.retention_days", KIND_INT, "14", 1, 3650, NULL,
     "Records older than this many days are deleted from the outbox (at start; logged)."},
    {"audit.log", KIND_STRING, "/var/lib/biokiosk/audit.log", 0, 0, NULL,
     "The append-only audit log (biokiosk audit verify)."},
    /* -- technicians */
    {"selftest.min_free_mb", KIND_INT, "2048", 1, 10 * 1024 * 1024, NULL,
     "Free disk space (MB) the outbox's file system must have for `biokiosk selftest` to pass."},
    {"selftest.min_width", KIND_INT, "1280", 320, 7680, NULL,
     "Smallest screen width in pixels `biokiosk selftest` accepts (the layout needs 1280x800)."},
    {"selftest.min_height", KIND_INT, "800", 240, 4320, NULL,
     "Smallest screen height in pixels `biokiosk selftest` accepts."},
    {"selftest.require_ntp", KIND_BOOL, "true", 0, 0, NULL,
     "A clock that the system reports as not synchronised by NTP fails the self-test; false: it "
     "is only reported (a kiosk without a time server)."},

    {"devices.reconnect_seconds", KIND_INT, "120", 5, 3600, NULL,
     "How long a screen waits for an unplugged device before staff may skip or abort."},
};

#define TABLE_SIZE G_N_ELEMENTS(table)

struct config {
    char *values[TABLE_SIZE]; /* NULL: unset and no default */
    bool set[TABLE_SIZE];
};

static int find_row(const char *key)
{
    for (size_t i = 0; i < TABLE_SIZE; i++)
        if (strcmp(table[i].key, key) == 0)
            return (int)i;
    return -1;
}

static int row_or_abort(const char *key)
{
    int i = find_row(key);
    if (i < 0)
        g_error("config: the program asked for an unknown key '%s'", key);
    return i;
}

config *config_new(void)
{
    config *cfg = g_new0(config, 1);
    for (size_t i = 0; i < TABLE_SIZE; i++)
        cfg->values[i] = g_strdup(table[i].def);
    return cfg;
}

void config_free(config *cfg)
{
    if (cfg == NULL)
        return;
    for (size_t i = 0; i < TABLE_SIZE; i++)
        g_free(cfg->values[i]);
    g_free(cfg);
}

static bool in_choices(const char *choices, const char *word)
{
    if (choices == NULL)
        return word[0] != '\0';
    g_auto(GStrv) options = g_strsplit(choices, "|", -1);
    return g_strv_contains((const char *const *)options, word);
}

static char *choices_text(const char *choices)
{
    g_auto(GStrv) options = g_strsplit(choices, "|", -1);
    return g_strjoinv(", ", options);
}

/* Checks a value against its row. Returns NULL when fine, else a message (transfer full). */
static char *check_value(const key_row *row, const char *value)
{
    char *end = NULL;
    switch (row->kind) {
    case KIND_STRING:
        return NULL;
    case KIND_NAME:
        if (value[0] == '\0')
            return g_strdup("must not be empty");
        for (const char *p = value; *p; p++)
            if (!(g_ascii_isupper(*p) || g_ascii_isdigit(*p) || *p == '-'))
                return g_strdup_printf("'%s' may hold only capitals, digits and '-'", value);
        if (strlen(value) > 40)
            return g_strdup("longer than 40 characters");
        return NULL;
    case KIND_INT: {
        errno = 0;
        long v = strtol(value, &end, 10);
        if (value[0] == '\0' || *end != '\0' || errno != 0)
            return g_strdup_printf("'%s' is not a whole number", value);
        if (v < row->min || v > row->max)
            return g_strdup_printf("%ld is outside %.0f to %.0f", v, row->min, row->max);
        return NULL;
    }
    case KIND_DOUBLE: {
        errno = 0;
        double v = strtod(value, &end);
        if (value[0] == '\0' || *end != '\0' || errno != 0 || !isfinite(v))
            return g_strdup_printf("'%s' is not a number", value);
        if (v < row->min || v > row->max)
            return g_strdup_printf("%g is outside %g to %g", v, row->min, row->max);
        return NULL;
    }
    case KIND_BOOL:
        if (in_choices("true|false|yes|no|on|off|1|0", value))
            return NULL;
        return g_strdup_printf("'%s' is not true or false", value);
    case KIND_CHOICE:
        if (in_choices(row->choices, value))
            return NULL;
        {
            g_autofree char *list = choices_text(row->choices);
            return g_strdup_printf("'%s' is not one of %s", value, list);
        }
    case KIND_LIST: {
        g_auto(GStrv) words = g_strsplit(value, ",", -1);
        if (words[0] == NULL)
            return g_strdup("must not be empty");
        for (char **w = words; *w; w++) {
            g_strstrip(*w);
            if (!in_choices(row->choices, *w)) {
                if (row->choices == NULL)
                    return g_strdup("has an empty item");
                g_autofree char *list = choices_text(row->choices);
                return g_strdup_printf("'%s' is not one of %s", *w, list);
            }
        }
        return NULL;
    }
    }
    return g_strdup("unknown kind of setting");
}

static char *where(const char *name, int line, const char *key)
{
    const char *dot = strchr(key, '.');
    g_autofree char *section = g_strndup(key, (gsize)(dot - key));
    if (line > 0)
        return g_strdup_printf("%s:%d: [%s] %s", name, line, section, dot + 1);
    return g_strdup_printf("%s: [%s] %s", name, section, dot + 1);
}

static bk_err set_checked(config *cfg, int i, const char *value, const char *name, int line,
                          char **message)
{
    g_autofree char *problem = check_value(&table[i], value);
    if (problem != NULL) {
        if (message) {
            g_autofree char *w = where(name, line, table[i].key);
            *message = g_strdup_printf("%s: %s", w, problem);
        }
        return BK_ERR_INVALID;
    }
    g_free(cfg->values[i]);
    cfg->values[i] = g_strdup(value);
    cfg->set[i] = true;
    return BK_OK;
}

bk_err config_set(config *cfg, const char *key, const char *value, char **message)
{
    int i = find_row(key);
    if (i < 0) {
        if (message)
            *message = g_strdup_printf("unknown setting '%s'", key);
        return BK_ERR_NOT_FOUND;
    }
    return set_checked(cfg, i, value, "setting", 0, message);
}

bk_err config_check_required(const config *cfg, char **message)
{
    for (size_t i = 0; i < TABLE_SIZE; i++) {
        if (cfg->values[i] == NULL) {
            if (message) {
                g_autofree char *w = where("configuration", 0, table[i].key);
                *message = g_strdup_printf("%s: required, but not set", w);
            }
            return BK_ERR_INVALID;
        }
    }
    return BK_OK;
}

static bk_err fail(char **message, const char *name, int line, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);

static bk_err fail(char **message, const char *name, int line, const char *fmt, ...)
{
    if (message) {
        va_list ap;
        va_start(ap, fmt);
        g_autofree char *text = g_strdup_vprintf(fmt, ap);
        va_end(ap);
        *message = g_strdup_printf("%s:%d: %s", name, line, text);
    }
    return BK_ERR_INVALID;
}

bk_err config_load_text(const char *text, const char *name, config **out, char **message)
{
    if (!g_utf8_validate(text, -1, NULL)) {
        if (message)
            *message = g_strdup_printf("%s: not UTF-8 text", name);
        return BK_ERR_INVALID;
    }
    config *cfg = config_new();
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    g_autofree char *section = NULL;
    bk_err err = BK_OK;
    for (int n = 0; lines[n] != NULL && err == BK_OK; n++) {
        int line = n + 1;
        char *s = g_strstrip(lines[n]);
        if (s[0] == '\0' || s[0] == '#' || s[0] == ';')
            continue;
        if (s[0] == '[') {
            size_t len = strlen(s);
            if (s[len - 1] != ']' || len < 3) {
                err = fail(message, name, line, "'%s' is not a [section] line", s);
                break;
            }
            g_free(section);
            section = g_strndup(s + 1, len - 2);
            g_strstrip(section);
            g_autofree char *prefix = g_strconcat(section, ".", NULL);
            bool known = false;
            for (size_t i = 0; i < TABLE_SIZE && !known; i++)
                known = g_str_has_prefix(table[i].key, prefix);
            if (!known)
                err = fail(message, name, line, "unknown section [%s]", section);
            continue;
        }
        char *eq = strchr(s, '=');
        if (eq == NULL) {
            err = fail(message, name, line, "'%s' is not 'key = value'", s);
            break;
        }
        if (section == NULL) {
            err = fail(message, name, line, "'%s' comes before any [section]", s);
            break;
        }
        *eq = '\0';
        char *key = g_strstrip(s);
        char *value = g_strstrip(eq + 1);
        g_autofree char *full = g_strconcat(section, ".", key, NULL);
        int i = find_row(full);
        if (i < 0) {
            err = fail(message, name, line, "unknown setting [%s] %s", section, key);
        } else if (cfg->set[i]) {
            err = fail(message, name, line, "[%s] %s is set twice", section, key);
        } else {
            err = set_checked(cfg, i, value, name, line, message);
        }
    }
    if (err == BK_OK) {
        g_autofree char *missing = NULL;
        if (config_check_required(cfg, &missing) != BK_OK) {
            const char *rest = strstr(missing, ": [");
            if (message)
                *message = g_strdup_printf("%s%s", name, rest ? rest : missing);
            err = BK_ERR_INVALID;
        }
    }
    if (err != BK_OK) {
        config_free(cfg);
        return err;
    }
    *out = cfg;
    return BK_OK;
}

bk_err config_load(const char *path, config **out, char **message)
{
    g_autofree char *text = NULL;
    GError *error = NULL;
    if (!g_file_get_contents(path, &text, NULL, &error)) {
        if (message)
            *message =
                g_strdup_printf("%s: cannot read the configuration: %s", path, error->message);
        g_error_free(error);
        return BK_ERR_IO;
    }
    return config_load_text(text, path, out, message);
}

const char *config_get_string(const config *cfg, const char *key)
{
    const char *v = cfg->values[row_or_abort(key)];
    return v ? v : "";
}

long config_get_int(const config *cfg, const char *key)
{
    int i = row_or_abort(key);
    g_assert(table[i].kind == KIND_INT);
    return cfg->values[i] ? strtol(cfg->values[i], NULL, 10) : 0;
}

double config_get_double(const config *cfg, const char *key)
{
    int i = row_or_abort(key);
    g_assert(table[i].kind == KIND_DOUBLE || table[i].kind == KIND_INT);
    return cfg->values[i] ? g_ascii_strtod(cfg->values[i], NULL) : 0.0;
}

bool config_get_bool(const config *cfg, const char *key)
{
    int i = row_or_abort(key);
    g_assert(table[i].kind == KIND_BOOL);
    const char *v = cfg->values[i];
    return v && in_choices("true|yes|on|1", v);
}

bool config_is_set(const config *cfg, const char *key)
{
    return cfg->set[row_or_abort(key)];
}

void config_write_example(FILE *out)
{
    fprintf(out,
            "# biokiosk configuration (%s)\n"
            "# Every setting with its default; a line starting with '#' is a comment.\n"
            "# Settings marked 'required' have no default and must be given.\n",
            CONFIG_DEFAULT_PATH);
    const char *last_section = "";
    size_t last_len = 0;
    for (size_t i = 0; i < TABLE_SIZE; i++) {
        const char *key = table[i].key;
        const char *dot = strchr(key, '.');
        size_t len = (size_t)(dot - key);
        if (len != last_len || strncmp(key, last_section, len) != 0) {
            fprintf(out, "\n[%.*s]\n", (int)len, key);
            last_section = key;
            last_len = len;
        }
        fprintf(out, "\n# %s\n", table[i].doc);
        if (table[i].kind == KIND_CHOICE || table[i].kind == KIND_LIST) {
            g_autofree char *list = choices_text(table[i].choices);
            fprintf(out, "# %s: %s\n", table[i].kind == KIND_LIST ? "items" : "one of", list);
        }
        if (table[i].def == NULL)
            fprintf(out, "# required\n%s = \n", dot + 1);
        else
            fprintf(out, "#%s = %s\n", dot + 1, table[i].def);
    }
}
