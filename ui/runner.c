#include "ui/runner.h"

#include <string.h>

#include <glib.h>

struct runner {
    ui *u;
    runner_hooks hooks;
    screen *stack[RUNNER_MAX_DEPTH];
    int depth;
    bool dirty;
    bool quit;
    int pressed_id; /* target under the finger at press, -1 */
};

runner *runner_new(ui *u, const runner_hooks *hooks)
{
    runner *r = g_new0(runner, 1);
    r->u = u;
    r->hooks = *hooks;
    r->dirty = true;
    r->pressed_id = -1;
    return r;
}

void runner_free(runner *r)
{
    if (r == NULL)
        return;
    while (r->depth > 0)
        runner_pop(r);
    g_free(r);
}

screen *runner_push(runner *r, const screen_class *cls)
{
    if (r->depth >= RUNNER_MAX_DEPTH)
        return NULL;
    screen *s = g_new0(screen, 1);
    s->cls = cls;
    s->priv = cls->priv_size ? g_malloc0(cls->priv_size) : NULL;
    s->host = r->hooks.host;
    s->owner = r;
    r->stack[r->depth++] = s;
    if (cls->enter)
        cls->enter(s);
    r->dirty = true;
    return s;
}

void runner_pop(runner *r)
{
    if (r->depth == 0)
        return;
    screen *s = r->stack[--r->depth];
    r->stack[r->depth] = NULL;
    if (s->cls->exit)
        s->cls->exit(s);
    if (s->priv) {
        /* Screens may hold personal text (names, typed codes): wipe before freeing. */
        memset(s->priv, 0, s->cls->priv_size);
        g_free(s->priv);
    }
    g_free(s);
    r->dirty = true;
    r->pressed_id = -1;
}

screen *runner_replace_all(runner *r, const screen_class *cls)
{
    while (r->depth > 0)
        runner_pop(r);
    return runner_push(r, cls);
}

void runner_remove(runner *r, const screen_class *cls)
{
    for (int i = r->depth - 1; i >= 0; i--) {
        if (r->stack[i]->cls == cls) {
            while (r->depth > i)
                runner_pop(r);
            return;
        }
    }
}

screen *runner_top(const runner *r)
{
    return r->depth ? r->stack[r->depth - 1] : NULL;
}

screen *runner_bottom(const runner *r)
{
    return r->depth ? r->stack[0] : NULL;
}

screen *runner_find(const runner *r, const screen_class *cls)
{
    for (int i = r->depth - 1; i >= 0; i--)
        if (r->stack[i]->cls == cls)
            return r->stack[i];
    return NULL;
}

int runner_depth(const runner *r)
{
    return r->depth;
}

void runner_invalidate(runner *r)
{
    r->dirty = true;
}

ui *runner_ui(const runner *r)
{
    return r->u;
}

static bool consumes(const screen_class *cls, uint32_t type)
{
    if (cls->events == NULL)
        return false;
    for (const uint32_t *t = cls->events; *t; t++)
        if (*t == type)
            return true;
    return false;
}

static void tap(runner *r, int id)
{
    if (id < 0)
        return;
    if (id >= RUNNER_HOST_HIT) {
        if (r->hooks.action)
            r->hooks.action(r->hooks.host, id);
    } else {
        screen *top = runner_top(r);
        if (top && top->cls->action)
            top->cls->action(top, id);
    }
    r->dirty = true;
}

static void draw(runner *r)
{
    ui *u = r->u;
    ui_begin(u);
    for (int i = 0; i < r->depth; i++) {
        /* Only the top screen takes taps: forget the targets of the screens below it. */
        if (i == r->depth - 1) {
            u->n_hits = 0;
            u->top_texts = u->n_texts; /* the texts below do not count for ui_check_fit */
        }
        r->stack[i]->cls->draw(r->stack[i], u);
    }
    if (r->hooks.draw)
        r->hooks.draw(r->hooks.host, u);
    ui_end(u);
    r->dirty = false;
}

void runner_dispatch(runner *r, const SDL_Event *ev)
{
    /* A tap lands on what is on screen now: draw first when something changed. */
    if (r->dirty && (ev->type == SDL_MOUSEBUTTONDOWN || ev->type == SDL_MOUSEBUTTONUP))
        draw(r);
    if (r->hooks.filter && r->hooks.filter(r->hooks.host, ev)) {
        r->dirty = true;
        return;
    }
    switch (ev->type) {
    case SDL_WINDOWEVENT:
        if (ev->window.event == SDL_WINDOWEVENT_EXPOSED ||
            ev->window.event == SDL_WINDOWEVENT_SIZE_CHANGED)
            r->dirty = true;
        return;
    case SDL_MOUSEBUTTONDOWN:
        if (ev->button.button == SDL_BUTTON_LEFT)
            r->pressed_id = ui_hit_at(r->u, ev->button.x, ev->button.y);
        return;
    case SDL_MOUSEBUTTONUP:
        if (ev->button.button == SDL_BUTTON_LEFT) {
            int id = ui_hit_at(r->u, ev->button.x, ev->button.y);
            /* A tap counts when finger went down and up on the same target. */
            if (id >= 0 && id == r->pressed_id)
                tap(r, id);
            r->pressed_id = -1;
        }
        return;
    default:
        break;
    }
    screen *top = runner_top(r);
    if (top == NULL)
        return;
    if (ev->type >= SDL_USEREVENT) {
        /* A device result goes to the topmost screen that consumes its type. */
        for (int i = r->depth - 1; i >= 0; i--) {
            screen *s = r->stack[i];
            if (consumes(s->cls, ev->type) && s->cls->input) {
                s->cls->input(s, ev);
                r->dirty = true;
                return;
            }
        }
        return;
    }
    if (top->cls->input && top->cls->input(top, ev))
        r->dirty = true;
}

/* Runs the timers; returns ms until the next one, or -1. */
static int64_t tick(runner *r)
{
    int64_t now = r->hooks.now(r->hooks.host);
    int64_t next = -1;
    if (r->hooks.tick) {
        int64_t t = r->hooks.tick(r->hooks.host, now);
        if (t >= 0)
            next = t;
    }
    screen *top = runner_top(r);
    if (top && top->cls->update) {
        int64_t t = top->cls->update(top, now);
        if (t >= 0 && (next < 0 || t < next))
            next = t;
    }
    return next;
}

void runner_pump(runner *r)
{
    SDL_Event ev;
    while (!r->quit && SDL_PollEvent(&ev))
        runner_dispatch(r, &ev);
    tick(r);
    if (r->dirty && !r->quit)
        draw(r);
}

void runner_wait(runner *r, int max_wait_ms)
{
    int64_t next = tick(r);
    if (r->dirty)
        draw(r);
    int timeout = max_wait_ms;
    if (next >= 0 && next < timeout)
        timeout = (int)next;
    SDL_Event ev;
    if (SDL_WaitEventTimeout(&ev, timeout < 1 ? 1 : timeout))
        runner_dispatch(r, &ev);
    runner_pump(r);
}

void runner_run(runner *r)
{
    while (!r->quit)
        runner_wait(r, 60 * 1000);
}

void runner_quit(runner *r)
{
    r->quit = true;
}

bool runner_quitting(const runner *r)
{
    return r->quit;
}
