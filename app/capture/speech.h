/* Spoken instructions: the kiosk says the photo step's live instructions (the applicant looks
 * into the camera, not at the screen) and the key prompts of the other steps, in the applicant's
 * language, with espeak-ng through SDL audio.
 *
 * A speech handle owns one worker thread: espeak-ng keeps global state and synthesis takes tens
 * of milliseconds, so neither runs on the main thread. speech_say() only hands the text over.
 * Never more than one instruction at a time: a new one replaces what is still waiting and cuts
 * off what is still playing (the newest instruction is the one that is true now). The same text
 * is not said again within `repeat_ms` (live instructions repeat every frame).
 *
 * Without an audio device (SDL's dummy driver in CI, or none at all) the kiosk still works: the
 * speech is synthesised and dropped, and speech_stats() says so.
 */
#ifndef BIOKIOSK_CAPTURE_SPEECH_H
#define BIOKIOSK_CAPTURE_SPEECH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/bk_err.h"

typedef struct speech_settings {
    bool enabled;     /* false: speech_new gives a handle that says nothing */
    int volume;       /* 0..100 (espeak-ng's volume; 100 is its default loudness) */
    int rate_wpm;     /* words per minute; 0 = 150, a calm pace for instructions */
    int repeat_ms;    /* the same text is not said again within this time; 0 = 4000 */
    const char *data; /* espeak-ng's data folder; NULL = the library's default */
    bool audio;       /* open an SDL audio device for playback (SDL_INIT_AUDIO must be up) */
} speech_settings;

typedef struct speech speech;

/* Starts the worker and initialises espeak-ng. BK_ERR_NOT_FOUND (with *message, transfer full,
 * g_free) when espeak-ng's data cannot be loaded; an audio device that cannot be opened is no
 * error (playback is then skipped). One handle at a time (espeak-ng is one synthesiser for the
 * process). */
bk_err speech_new(const speech_settings *settings, speech **out, char **message);

/* Stops the worker (what is playing is cut off) and frees. NULL does nothing. */
void speech_free(speech *sp);

/* Says text (UTF-8, already translated) in language `lang` ("nl", "en", "ar", ...): copied, queued
 * for the worker, never blocks. Dropped when disabled, when the same text was said less than
 * repeat_ms ago, or when text is empty. */
void speech_say(speech *sp, const char *lang, const char *text);

/* Cuts off what plays and drops what waits (the screen changed). */
void speech_stop(speech *sp);

typedef struct speech_stats {
    uint64_t said;    /* texts synthesised */
    uint64_t played;  /* of which queued to the audio device */
    uint64_t dropped; /* not said: repeats, replaced while waiting, disabled */
    uint64_t failed;  /* synthesis failed (no voice, error) */
} speech_stats;
void speech_get_stats(speech *sp, speech_stats *out);

/* The texts speech_say accepted (to be said: not dropped as a repeat or while disabled), oldest
 * first, at most the last SPEECH_HISTORY (transfer full, g_strfreev). For the test hooks
 * (expect-said) and logs; the texts are the kiosk's own prompts, never an applicant's data. */
#define SPEECH_HISTORY 64
char **speech_history(speech *sp);

/* Synthesises text in lang synchronously into 16-bit mono samples (transfer full, g_free) at
 * *rate Hz. For the worker and for tests; must not run while a speech handle's worker runs on
 * another thread (espeak-ng is one global synthesiser): call it only before speech_new, after
 * speech_free, or through a handle's worker. BK_ERR_NOT_FOUND for a language without a voice,
 * BK_ERR_IO when synthesis fails. */
bk_err speech_synth(const char *data, const char *lang, const char *text, int volume, int rate_wpm,
                    int16_t **samples, size_t *n, int *rate);

#endif
