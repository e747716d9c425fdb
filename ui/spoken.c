/* The texts the kiosk says aloud (spoken.h). */
#include "ui/spoken.h"

#include <string.h>

#include <glib.h>

#include "capture/speech.h"
#include "ui/i18n.h"
#include "ui/runner.h"

typedef struct prompt {
    const char *screen;
    const char *msgid;
} prompt;

/* The key prompt of each applicant screen: what the person must do now. */
static const prompt prompts[] = {
    {"welcome", N_("You need the appointment code from your confirmation e-mail.")},
    {"code", N_("Type your appointment code")},
    {"documents", N_("A desk officer checks your documents now. Please wait.")},
    {"capture-photo", N_("Look into the camera")},
    {"capture-finger", N_("Place this finger flat on the reader:")},
    {"capture-signature", N_("Sign in the box with your finger, above the line.")},
    {"review", N_("Check what was taken")},
    {"done", N_("Thank you. You are done.")},
    /* chosen by the screen (screen_class.prompt): the signature step with the USB pad open */
    {NULL, N_("Sign on the signature pad with the pen, above the line.")},
};

/* The photo step's live instructions (app/imaging/icao.c and the landmark checks say them in
 * English): the person looks into the camera, not at the screen, so these are said as well as
 * shown. The one list: every person instruction the photo checks can give (the photo screen
 * translates the one showing; "Look into the camera" is the screen's prompt above). */
static const char *const instructions[] = {
    N_("Only one person in the picture, please"),
    N_("Move so that your whole head is in the picture"),
    N_("Come a little closer"),
    N_("Keep your head straight"),
    N_("Move back a little"),
    N_("Sit up a little"),
    N_("Lower your head a little"),
    N_("Move a little to your left"),
    N_("Move a little to your right"),
    N_("Hold still, please"),
    N_("Close your mouth, please"),
    N_("Open your eyes, please"),
    N_("Turn your head a little to your left"),
    N_("Turn your head a little to your right"),
    N_("Lift your chin a little"),
    N_("Lower your chin a little"),
};

const char *spoken_prompt(const char *screen_name)
{
    for (size_t i = 0; screen_name && i < sizeof prompts / sizeof prompts[0]; i++)
        if (prompts[i].screen && strcmp(prompts[i].screen, screen_name) == 0)
            return prompts[i].msgid;
    return NULL;
}

size_t spoken_count(void)
{
    return sizeof prompts / sizeof prompts[0] + sizeof instructions / sizeof instructions[0];
}

const char *spoken_text(size_t i)
{
    size_t np = sizeof prompts / sizeof prompts[0];
    if (i < np)
        return prompts[i].msgid;
    i -= np;
    return i < sizeof instructions / sizeof instructions[0] ? instructions[i] : NULL;
}

bool spoken_is_instruction(const char *msgid)
{
    for (size_t i = 0; msgid && i < sizeof instructions / sizeof instructions[0]; i++)
        if (strcmp(instructions[i], msgid) == 0)
            return true;
    return false;
}

void spoken_say(struct speech *sp, const char *msgid)
{
    if (sp && msgid)
        speech_say(sp, i18n_language(), _(msgid));
}

void spoken_screen_changed(struct speech *sp, const struct screen *top)
{
    if (sp == NULL)
        return;
    speech_stop(sp);
    if (top && top->cls->applicant)
        spoken_say(sp, top->cls->prompt ? top->cls->prompt(top) : spoken_prompt(top->cls->name));
}

const char *spoken_hold_feed(spoken_hold *h, const char *msgid, int64_t now_ms, int64_t *wake_ms)
{
    *wake_ms = -1;
    if (msgid == NULL || *msgid == '\0') {
        h->text[0] = '\0';
        return NULL;
    }
    if (strcmp(h->text, msgid) != 0) {
        g_strlcpy(h->text, msgid, sizeof h->text);
        h->since = now_ms;
        h->said = false;
    }
    if (h->said)
        return NULL;
    if (now_ms - h->since < SPOKEN_HOLD_MS) {
        *wake_ms = SPOKEN_HOLD_MS - (now_ms - h->since);
        return NULL;
    }
    h->said = true;
    return msgid;
}
