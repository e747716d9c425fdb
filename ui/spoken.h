/* What the kiosk says aloud (app/capture/speech.h): the key prompt of each applicant screen and
 * the photo step's live instructions, as msgids of the catalogues. One table, so the speech test
 * can synthesise every text in every language.
 */
#ifndef BIOKIOSK_UI_SPOKEN_H
#define BIOKIOSK_UI_SPOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct speech; /* app/capture/speech.h */
struct screen; /* ui/runner.h */

/* The prompt said when the screen `name` (a screen class's stable name) comes up, as a msgid;
 * NULL for screens that say nothing. A screen class with a prompt function says what that
 * chooses instead (one of spoken_text's). */
const char *spoken_prompt(const char *screen_name);

/* Every msgid the kiosk may say: row i of spoken_count() (NULL past the end). */
const char *spoken_text(size_t i);
size_t spoken_count(void);

/* True when msgid is one of the photo step's live instructions (a person instruction of the
 * photo checks, app/imaging). */
bool spoken_is_instruction(const char *msgid);

/* Says msgid, translated, in the current language (ui/i18n.h). sp NULL: nothing. */
void spoken_say(struct speech *sp, const char *msgid);

/* The screen on top changed (or the language): what was being said stops, and an applicant
 * screen says its key prompt (its class's prompt function, else spoken_prompt). sp NULL:
 * nothing. */
void spoken_screen_changed(struct speech *sp, const struct screen *top);

/* A live instruction is said only once it has held for SPOKEN_HOLD_MS, so that one that
 * flickers between frames is not said at all. Zero-initialise. */
#define SPOKEN_HOLD_MS 700
typedef struct spoken_hold {
    char text[160]; /* the instruction showing (a msgid), "" for none */
    int64_t since;  /* since when (the screen's clock, ms) */
    bool said;      /* said already while it holds */
} spoken_hold;

/* Feeds the instruction showing at now_ms (msgid or NULL for none). Returns the msgid to say
 * now (it held SPOKEN_HOLD_MS and was not said yet), else NULL; *wake_ms is how long until it
 * should be fed again (-1: no need). */
const char *spoken_hold_feed(spoken_hold *h, const char *msgid, int64_t now_ms, int64_t *wake_ms);

#endif
