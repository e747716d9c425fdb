/* The spoken instructions' scripted-mode command (test hooks, hooks.h):
 *   expect-said "TEXT" [TIMES]: the kiosk's speech handle (app/capture/speech.h) accepted TEXT
 *     to be said (in the language showing: the translated text), at least once, or exactly
 *     TIMES times (0: never), among the last SPEECH_HISTORY texts. The history is what speech_say
 *     let through: repeats within [speech] repeat_seconds and texts said while speech is off are
 *     not in it.
 */
#include <stdlib.h>
#include <string.h>

#include "capture/speech.h"
#include "testhooks/hooks.h"
#include "ui/script.h"

static bk_err cmd_expect_said(script *sc, int argc, char **argv, const char *rest)
{
    (void)rest;
    speech *sp = session_get_settings(script_session(sc))->speech;
    if (sp == NULL)
        return script_fail(sc, "expect-said: the kiosk has no speech handle ([speech] enabled?)");
    long want = -1;
    if (argc > 2) {
        char *end = NULL;
        want = strtol(argv[2], &end, 10);
        if (end == argv[2] || *end != '\0' || want < 0)
            return script_fail(sc, "expect-said: TIMES must be a number, not '%s'", argv[2]);
    }
    g_auto(GStrv) said = speech_history(sp);
    long times = 0;
    for (size_t i = 0; said[i]; i++)
        times += strcmp(said[i], argv[1]) == 0;
    if ((want < 0 && times > 0) || times == want)
        return BK_OK;
    g_autofree char *all = g_strjoinv("\" | \"", said);
    return script_fail(sc, "expect-said: \"%s\" said %ld times, expected %s%ld; said: \"%s\"",
                       argv[1], times, want < 0 ? "at least " : "", want < 0 ? 1 : want, all);
}

void speech_hooks_register(const testhooks_context *ctx)
{
    (void)ctx;
    script_register("expect-said", 1, 2, cmd_expect_said, "expect-said \"TEXT\" [TIMES]");
}
