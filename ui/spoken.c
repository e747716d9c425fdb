/* The texts the kiosk says aloud (spoken.h). */
#include "ui/spoken.h"

#include <string.h>

#include "ui/i18n.h"

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
};

/* The photo step's live instructions (app/imaging/icao.c says them in English): the person
 * looks into the camera, not at the screen, so these are said as well as shown. */
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
        if (strcmp(prompts[i].screen, screen_name) == 0)
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
