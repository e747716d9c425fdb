/* The runner: owns a stack of screens and alone switches between them.
 *
 * Each screen is a class of callbacks (enter/exit/input/action/update/draw) and private data the
 * runner allocates. The bottom screen is the stage of the session (welcome, code, ...); screens
 * pushed above it are modal overlays (the staff PIN pad, "Are you still there?"). Only the top
 * screen receives input and taps.
 *
 * The loop draws only when something changed (runner_invalidate) and otherwise sleeps in
 * SDL_WaitEventTimeout until the next event or the next moment a screen or the host asked to
 * be woken, so an idle kiosk uses next to no CPU.
 */
#ifndef BIOKIOSK_RUNNER_H
#define BIOKIOSK_RUNNER_H

#include <stdbool.h>
#include <stdint.h>

#include <SDL.h>

#include "ui/ui.h"

#define RUNNER_MAX_DEPTH 8
/* Hit ids from here on belong to the host (drawn by hooks.draw over every screen). */
#define RUNNER_HOST_HIT 9000

typedef struct runner runner;
typedef struct screen screen;

typedef struct screen_class {
    const char *name; /* stable name, for expect-screen and logs */
    bool applicant;   /* an applicant screen: idle timer and language switch apply */
    size_t priv_size; /* private data, zeroed on push, freed on pop */
    /* Called once when pushed (optional). */
    void (*enter)(screen *s);
    /* Called once when popped or replaced (optional). */
    void (*exit)(screen *s);
    /* A raw event: keys, text input, device events of the types in `events`. Returns true when
     * consumed (optional). */
    bool (*input)(screen *s, const SDL_Event *ev);
    /* A target of this screen was tapped (optional). */
    void (*action)(screen *s, int id);
    /* Time passed; returns milliseconds until it wants to be called again, -1 for never
     * (optional). */
    int64_t (*update)(screen *s, int64_t now_ms);
    /* Draws the whole screen (required). */
    void (*draw)(screen *s, ui *u);
    /* SDL user event types this screen consumes (device results), 0-terminated; may be NULL. */
    const uint32_t *events;
    /* The key prompt to say aloud now (a msgid of ui/spoken.c's list), for a screen whose
     * prompt depends on its state; NULL: nothing yet (optional: without it, ui/spoken.c's
     * prompt for the screen's name). */
    const char *(*prompt)(const screen *s);
} screen_class;

struct screen {
    const screen_class *cls;
    void *priv;    /* cls->priv_size bytes, owned by the runner */
    void *host;    /* the host's context (the session) */
    runner *owner; /* the runner it is on */
};

/* What the host (the session) adds around the screens. Every pointer is optional. */
typedef struct runner_hooks {
    void *host;
    /* Sees every event before the screens; returns true when it consumed it. */
    bool (*filter)(void *host, const SDL_Event *ev);
    /* Host timers; returns ms until it wants to be called again, or -1. */
    int64_t (*tick)(void *host, int64_t now_ms);
    /* Draws over every screen (the staff bar); its hits use ids from RUNNER_HOST_HIT. */
    void (*draw)(void *host, ui *u);
    /* A host target was tapped. */
    void (*action)(void *host, int id);
    /* The monotonic clock in ms (required). */
    int64_t (*now)(void *host);
} runner_hooks;

/* transfer full: runner_free. */
runner *runner_new(ui *u, const runner_hooks *hooks);
/* Pops every screen (calling exit) and frees. NULL does nothing. */
void runner_free(runner *r);

/* Pushes a screen (enter is called). Returns it (transfer none), NULL when the stack is full. */
screen *runner_push(runner *r, const screen_class *cls);
/* Pops the top screen (exit is called). */
void runner_pop(runner *r);
/* Pops every screen and pushes cls as the only one. */
screen *runner_replace_all(runner *r, const screen_class *cls);
/* Pops screens down to and including the first of class cls from the top, if any. */
void runner_remove(runner *r, const screen_class *cls);

screen *runner_top(const runner *r);
screen *runner_bottom(const runner *r);
/* The screen of class cls on the stack, or NULL. */
screen *runner_find(const runner *r, const screen_class *cls);
int runner_depth(const runner *r);

/* Something changed: the next pass draws. */
void runner_invalidate(runner *r);
ui *runner_ui(const runner *r);

/* Handles one event as input (through hooks.filter, the top screen, and taps). */
void runner_dispatch(runner *r, const SDL_Event *ev);
/* Handles every queued event, runs the timers, draws when needed; never waits. */
void runner_pump(runner *r);
/* Waits for events or timers, up to max_wait_ms, then pumps. */
void runner_wait(runner *r, int max_wait_ms);
/* Runs until runner_quit. */
void runner_run(runner *r);
void runner_quit(runner *r);
bool runner_quitting(const runner *r);

#endif
