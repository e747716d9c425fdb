/* Spoken instructions with espeak-ng and SDL audio (speech.h). */
#include "capture/speech.h"

#include <string.h>

#include <SDL.h>
#include <espeak-ng/espeak_ng.h>
#include <glib.h>

#define DEFAULT_RATE_WPM  150
#define DEFAULT_REPEAT_MS 4000

/* espeak-ng is one global synthesiser: every call into it holds this lock. It is initialised
 * once for the process and never terminated: espeak-ng cannot be initialised again after
 * espeak_ng_Terminate (it hangs), and its memory stays reachable from its own globals. */
static GMutex engine_lock;
static bool engine_ready, engine_failed;
static int engine_rate;

struct speech {
    speech_settings set;
    char *data;
    SDL_AudioDeviceID dev; /* 0: no playback */
    GThread *worker;
    GMutex lock;
    GCond cond;
    bool quit;
    char *pending_lang, *pending_text; /* the one instruction waiting for the worker */
    char *last_text;                   /* the last text accepted, and when (monotonic us) */
    gint64 last_time;
    GPtrArray *history; /* the texts accepted, oldest first (speech_history) */
    speech_stats stats;
};

typedef struct pcm {
    GArray *samples;
} pcm;

static int on_samples(short *wav, int n, espeak_EVENT *events)
{
    pcm *out = events ? events->user_data : NULL;
    if (out && wav && n > 0)
        g_array_append_vals(out->samples, wav, (guint)n);
    return 0; /* go on */
}

/* Initialises espeak-ng the first time (with the data folder of that call). Holds engine_lock. */
static bk_err engine_up(const char *data)
{
    if (engine_ready)
        return BK_OK;
    if (engine_failed)
        return BK_ERR_NOT_FOUND;
    espeak_ng_InitializePath(data);
    if (espeak_ng_Initialize(NULL) != ENS_OK ||
        espeak_ng_InitializeOutput(ENOUTPUT_MODE_SYNCHRONOUS, 0, NULL) != ENS_OK) {
        engine_failed = true;
        return BK_ERR_NOT_FOUND;
    }
    espeak_SetSynthCallback(on_samples);
    engine_rate = espeak_ng_GetSampleRate();
    engine_ready = true;
    return BK_OK;
}

/* Holds engine_lock, engine up. */
static bk_err engine_synth(const char *lang, const char *text, int volume, int rate_wpm,
                           GArray *samples)
{
    espeak_VOICE want = {0};
    want.languages = lang;
    if (espeak_ng_SetVoiceByName(lang) != ENS_OK && espeak_SetVoiceByProperties(&want) != EE_OK)
        return BK_ERR_NOT_FOUND;
    espeak_SetParameter(espeakRATE, rate_wpm > 0 ? rate_wpm : DEFAULT_RATE_WPM, 0);
    espeak_SetParameter(espeakVOLUME, CLAMP(volume, 0, 200), 0);
    pcm out = {samples};
    size_t len = strlen(text) + 1;
    if (espeak_ng_Synthesize(text, len, 0, POS_CHARACTER, 0, espeakCHARS_UTF8, NULL, &out) !=
            ENS_OK ||
        espeak_ng_Synchronize() != ENS_OK)
        return BK_ERR_IO;
    return BK_OK;
}

bk_err speech_synth(const char *data, const char *lang, const char *text, int volume, int rate_wpm,
                    int16_t **samples, size_t *n, int *rate)
{
    if (lang == NULL || text == NULL || samples == NULL || n == NULL || rate == NULL)
        return BK_ERR_INVALID;
    g_mutex_lock(&engine_lock);
    bk_err err = engine_up(data);
    GArray *buf = g_array_new(FALSE, FALSE, sizeof(int16_t));
    if (err == BK_OK) {
        err = engine_synth(lang, text, volume, rate_wpm, buf);
        *rate = engine_rate;
    }
    g_mutex_unlock(&engine_lock);
    if (err != BK_OK) {
        g_array_free(buf, TRUE);
        return err;
    }
    *n = buf->len;
    *samples = (int16_t *)(void *)g_array_free(buf, FALSE);
    return BK_OK;
}

static void play(speech *sp, const GArray *samples)
{
    if (sp->dev == 0 || samples->len == 0)
        return;
    /* the newest instruction is the one that is true now: cut off the one before */
    SDL_ClearQueuedAudio(sp->dev);
    if (SDL_QueueAudio(sp->dev, samples->data, samples->len * (Uint32)sizeof(int16_t)) == 0) {
        g_mutex_lock(&sp->lock);
        sp->stats.played++;
        g_mutex_unlock(&sp->lock);
    }
}

static gpointer worker_main(gpointer data)
{
    speech *sp = data;
    g_mutex_lock(&sp->lock);
    for (;;) {
        while (!sp->quit && sp->pending_text == NULL)
            g_cond_wait(&sp->cond, &sp->lock);
        if (sp->quit)
            break;
        char *lang = sp->pending_lang, *text = sp->pending_text;
        sp->pending_lang = sp->pending_text = NULL;
        g_mutex_unlock(&sp->lock);

        GArray *samples = g_array_new(FALSE, FALSE, sizeof(int16_t));
        g_mutex_lock(&engine_lock);
        bk_err err = engine_synth(lang, text, sp->set.volume, sp->set.rate_wpm, samples);
        g_mutex_unlock(&engine_lock);
        if (err == BK_OK)
            play(sp, samples);
        else
            g_warning("speech: no voice or synthesis failed for language %s", lang);
        g_array_free(samples, TRUE);
        g_free(lang);
        g_free(text);

        g_mutex_lock(&sp->lock);
        if (err == BK_OK)
            sp->stats.said++;
        else
            sp->stats.failed++;
    }
    g_mutex_unlock(&sp->lock);
    return NULL;
}

static SDL_AudioDeviceID open_audio(int rate)
{
    if (!SDL_WasInit(SDL_INIT_AUDIO))
        return 0;
    SDL_AudioSpec want, have;
    SDL_zero(want);
    want.freq = rate;
    want.format = AUDIO_S16SYS;
    want.channels = 1;
    want.samples = 1024;
    SDL_AudioDeviceID dev = SDL_OpenAudioDevice(NULL, 0, &want, &have, 0);
    if (dev == 0) {
        g_message("speech: no audio device (%s): instructions are not spoken", SDL_GetError());
        return 0;
    }
    SDL_PauseAudioDevice(dev, 0);
    return dev;
}

bk_err speech_new(const speech_settings *settings, speech **out, char **message)
{
    if (settings == NULL || out == NULL)
        return BK_ERR_INVALID;
    speech *sp = g_new0(speech, 1);
    sp->set = *settings;
    sp->data = g_strdup(settings->data);
    sp->set.data = sp->data;
    if (sp->set.repeat_ms <= 0)
        sp->set.repeat_ms = DEFAULT_REPEAT_MS;
    sp->set.volume = CLAMP(sp->set.volume, 0, 100);
    g_mutex_init(&sp->lock);
    g_cond_init(&sp->cond);
    sp->history = g_ptr_array_new_with_free_func(g_free);
    if (sp->set.enabled) {
        g_mutex_lock(&engine_lock);
        bk_err err = engine_up(sp->data);
        int rate = engine_rate;
        g_mutex_unlock(&engine_lock);
        if (err != BK_OK) {
            if (message)
                *message = g_strdup_printf("espeak-ng cannot load its data%s%s",
                                           sp->data ? " from " : "", sp->data ? sp->data : "");
            g_mutex_clear(&sp->lock);
            g_cond_clear(&sp->cond);
            g_ptr_array_unref(sp->history);
            g_free(sp->data);
            g_free(sp);
            return BK_ERR_NOT_FOUND;
        }
        if (settings->audio)
            sp->dev = open_audio(rate);
        sp->worker = g_thread_new("speech", worker_main, sp);
    }
    *out = sp;
    return BK_OK;
}

void speech_free(speech *sp)
{
    if (sp == NULL)
        return;
    if (sp->worker) {
        g_mutex_lock(&sp->lock);
        sp->quit = true;
        g_cond_signal(&sp->cond);
        g_mutex_unlock(&sp->lock);
        g_thread_join(sp->worker);
    }
    if (sp->dev)
        SDL_CloseAudioDevice(sp->dev);
    g_free(sp->pending_lang);
    g_free(sp->pending_text);
    g_free(sp->last_text);
    g_ptr_array_unref(sp->history);
    g_free(sp->data);
    g_mutex_clear(&sp->lock);
    g_cond_clear(&sp->cond);
    g_free(sp);
}

void speech_say(speech *sp, const char *lang, const char *text)
{
    if (sp == NULL || lang == NULL || text == NULL || *text == '\0')
        return;
    gint64 now = g_get_monotonic_time();
    g_mutex_lock(&sp->lock);
    if (!sp->set.enabled || sp->worker == NULL ||
        (g_strcmp0(sp->last_text, text) == 0 &&
         now - sp->last_time < (gint64)sp->set.repeat_ms * 1000)) {
        sp->stats.dropped++;
        g_mutex_unlock(&sp->lock);
        return;
    }
    if (sp->pending_text) /* replaced before it was said */
        sp->stats.dropped++;
    g_free(sp->pending_lang);
    g_free(sp->pending_text);
    sp->pending_lang = g_strdup(lang);
    sp->pending_text = g_strdup(text);
    g_free(sp->last_text);
    sp->last_text = g_strdup(text);
    sp->last_time = now;
    if (sp->history->len >= SPEECH_HISTORY)
        g_ptr_array_remove_index(sp->history, 0);
    g_ptr_array_add(sp->history, g_strdup(text));
    g_cond_signal(&sp->cond);
    g_mutex_unlock(&sp->lock);
}

void speech_stop(speech *sp)
{
    if (sp == NULL)
        return;
    g_mutex_lock(&sp->lock);
    g_clear_pointer(&sp->pending_lang, g_free);
    g_clear_pointer(&sp->pending_text, g_free);
    g_clear_pointer(&sp->last_text, g_free);
    g_mutex_unlock(&sp->lock);
    if (sp->dev)
        SDL_ClearQueuedAudio(sp->dev);
}

void speech_get_stats(speech *sp, speech_stats *out)
{
    if (sp == NULL || out == NULL)
        return;
    g_mutex_lock(&sp->lock);
    *out = sp->stats;
    g_mutex_unlock(&sp->lock);
}

char **speech_history(speech *sp)
{
    GPtrArray *out = g_ptr_array_new();
    if (sp) {
        g_mutex_lock(&sp->lock);
        for (guint i = 0; i < sp->history->len; i++)
            g_ptr_array_add(out, g_strdup(g_ptr_array_index(sp->history, i)));
        g_mutex_unlock(&sp->lock);
    }
    g_ptr_array_add(out, NULL);
    return (char **)g_ptr_array_free(out, FALSE);
}
