/* Spoken instructions (app/capture/speech.c, ui/spoken.c) through the real espeak-ng and SDL's
 * audio: every text the kiosk may say, in every language, synthesises to real sound (not empty,
 * not silent); the speech handle says one instruction at a time, does not repeat itself within
 * repeat_ms and plays through an SDL audio device (the dummy driver here). */
#include <math.h>
#include <string.h>

#include <SDL.h>
#include <glib.h>

#include "capture/speech.h"
#include "ui/i18n.h"
#include "ui/spoken.h"

static void load_catalogues(void)
{
    const char *dir = g_getenv("KIOSK_LOCALE_DIR");
    const char *missing = NULL;
    g_assert_nonnull(dir);
    g_assert_cmpint(i18n_load(dir, i18n_languages, i18n_n_languages, &missing), ==, BK_OK);
}

/* Root mean square of the samples, and the share of the time above a whisper. */
static double rms(const int16_t *s, size_t n, double *voiced)
{
    double sum = 0;
    size_t loud = 0;
    for (size_t i = 0; i < n; i++) {
        sum += (double)s[i] * s[i];
        loud += abs(s[i]) > 500;
    }
    *voiced = n ? (double)loud / (double)n : 0;
    return n ? sqrt(sum / (double)n) : 0;
}

static void test_every_text_every_language(void)
{
    load_catalogues();
    g_assert_cmpuint(spoken_count(), >, 10);
    for (size_t l = 0; l < i18n_n_languages; l++) {
        const char *lang = i18n_languages[l];
        for (size_t i = 0; i < spoken_count(); i++) {
            const char *msgid = spoken_text(i);
            const char *text = i18n_text_in(lang, msgid);
            /* every spoken text is translated (English is the source) */
            if (strcmp(lang, "en") != 0 && strcmp(text, msgid) == 0)
                g_error("%s: not translated: %s", lang, msgid);
            int16_t *pcm = NULL;
            size_t n = 0;
            int rate = 0;
            bk_err err = speech_synth(NULL, lang, text, 100, 0, &pcm, &n, &rate);
            if (err != BK_OK)
                g_error("%s: no speech for \"%s\": %s", lang, text, bk_err_str(err));
            double voiced = 0, level = rms(pcm, n, &voiced);
            double seconds = rate ? (double)n / rate : 0;
            g_test_message("%s %5.2f s rms %6.0f voiced %.2f: %s", lang, seconds, level, voiced,
                           text);
            if (seconds < 0.3 || level < 300 || voiced < 0.2)
                g_error("%s: \"%s\" is empty or silent (%.2f s, rms %.0f, voiced %.2f)", lang, text,
                        seconds, level, voiced);
            g_free(pcm);
        }
    }
    i18n_unload();
}

static void test_no_voice(void)
{
    int16_t *pcm = NULL;
    size_t n = 0;
    int rate = 0;
    g_assert_cmpint(speech_synth(NULL, "xx-nonexistent", "hello", 100, 0, &pcm, &n, &rate), ==,
                    BK_ERR_NOT_FOUND);
    g_assert_null(pcm);
}

static void wait_said(speech *sp, uint64_t said)
{
    speech_stats st;
    for (int i = 0; i < 1000; i++) {
        speech_get_stats(sp, &st);
        if (st.said + st.failed >= said)
            return;
        g_usleep(10000);
    }
    g_error("the speech worker said nothing within 10 s");
}

static void test_handle_through_sdl_audio(void)
{
    g_setenv("SDL_AUDIODRIVER", "dummy", TRUE);
    g_assert_cmpint(SDL_InitSubSystem(SDL_INIT_AUDIO), ==, 0);
    speech *sp = NULL;
    speech_settings set = {.enabled = true, .volume = 80, .repeat_ms = 60000, .audio = true};
    g_assert_cmpint(speech_new(&set, &sp, NULL), ==, BK_OK);
    speech_say(sp, "nl", "Kijk in de camera");
    wait_said(sp, 1);
    speech_stats st;
    speech_get_stats(sp, &st);
    g_assert_cmpuint(st.said, ==, 1);
    g_assert_cmpuint(st.failed, ==, 0);
    g_assert_cmpuint(st.played, ==, 1); /* queued to the dummy device */
    /* the same instruction again within repeat_ms is not said again */
    speech_say(sp, "nl", "Kijk in de camera");
    speech_get_stats(sp, &st);
    g_assert_cmpuint(st.dropped, ==, 1);
    /* another one is */
    speech_say(sp, "nl", "Kom wat dichterbij");
    wait_said(sp, 2);
    speech_get_stats(sp, &st);
    g_assert_cmpuint(st.said, ==, 2);
    /* after a stop (the screen changed) the first one may be said again */
    speech_stop(sp);
    speech_say(sp, "nl", "Kijk in de camera");
    wait_said(sp, 3);
    /* the history holds what was let through, in order: not the repeat */
    g_auto(GStrv) said = speech_history(sp);
    g_assert_cmpuint(g_strv_length(said), ==, 3);
    g_assert_cmpstr(said[0], ==, "Kijk in de camera");
    g_assert_cmpstr(said[1], ==, "Kom wat dichterbij");
    g_assert_cmpstr(said[2], ==, "Kijk in de camera");
    speech_free(sp);

    /* switched off: says nothing */
    set.enabled = false;
    g_assert_cmpint(speech_new(&set, &sp, NULL), ==, BK_OK);
    speech_say(sp, "en", "Look into the camera");
    speech_get_stats(sp, &st);
    g_assert_cmpuint(st.said, ==, 0);
    g_assert_cmpuint(st.dropped, ==, 1);
    speech_free(sp);
    SDL_QuitSubSystem(SDL_INIT_AUDIO);
}

static void test_prompts(void)
{
    g_assert_nonnull(spoken_prompt("capture-photo"));
    g_assert_nonnull(spoken_prompt("welcome"));
    g_assert_null(spoken_prompt("staff-menu")); /* staff screens say nothing */
    /* every prompt is one of the spoken texts (so the synthesis test covers it) */
    const char *names[] = {
        "welcome",           "code",   "documents", "capture-photo", "capture-finger",
        "capture-signature", "review", "done"};
    for (size_t n = 0; n < G_N_ELEMENTS(names); n++) {
        const char *msgid = spoken_prompt(names[n]);
        g_assert_nonnull(msgid);
        gboolean listed = FALSE;
        for (size_t i = 0; i < spoken_count(); i++)
            listed |= strcmp(spoken_text(i), msgid) == 0;
        g_assert_true(listed);
    }
    /* the signature step's prompt with the USB pad open, chosen by the screen, is listed too */
    gboolean pad = FALSE;
    for (size_t i = 0; i < spoken_count(); i++)
        pad |=
            strcmp(spoken_text(i), "Sign on the signature pad with the pen, above the line.") == 0;
    g_assert_true(pad);
}

/* A live instruction is said only once it has held SPOKEN_HOLD_MS, and once while it holds; one
 * that flickers is never said. */
static void test_hold(void)
{
    spoken_hold h = {0};
    int64_t wake = 0;
    const char *a = "Come a little closer", *b = "Move back a little";
    g_assert_null(spoken_hold_feed(&h, a, 1000, &wake));
    g_assert_cmpint(wake, ==, SPOKEN_HOLD_MS);
    g_assert_null(spoken_hold_feed(&h, b, 1300, &wake)); /* flickers: starts again */
    g_assert_null(spoken_hold_feed(&h, a, 1600, &wake));
    g_assert_null(spoken_hold_feed(&h, a, 1600 + SPOKEN_HOLD_MS - 1, &wake));
    g_assert_cmpint(wake, ==, 1);
    g_assert_cmpstr(spoken_hold_feed(&h, a, 1600 + SPOKEN_HOLD_MS, &wake), ==, a);
    g_assert_null(spoken_hold_feed(&h, a, 9000, &wake)); /* said once while it holds */
    g_assert_cmpint(wake, ==, -1);
    g_assert_null(spoken_hold_feed(&h, NULL, 9100, &wake)); /* none showing */
    g_assert_null(spoken_hold_feed(&h, a, 9200, &wake));
    g_assert_cmpstr(spoken_hold_feed(&h, a, 9200 + SPOKEN_HOLD_MS, &wake), ==, a);
    /* every live instruction is a spoken text; the prompts are not instructions */
    g_assert_true(spoken_is_instruction("Close your mouth, please"));
    g_assert_true(spoken_is_instruction("Lower your chin a little"));
    g_assert_false(spoken_is_instruction("Look into the camera"));
    g_assert_false(spoken_is_instruction(NULL));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/speech/every-text-every-language", test_every_text_every_language);
    g_test_add_func("/speech/no-voice", test_no_voice);
    g_test_add_func("/speech/handle-sdl-audio", test_handle_through_sdl_audio);
    g_test_add_func("/speech/prompts", test_prompts);
    g_test_add_func("/speech/hold", test_hold);
    return g_test_run();
}
