/* The visit's progress line (widgets.h): the steps by name, done ones ticked, the current one
 * ringed, on one line; when the names do not fit, only the current step keeps its name. */
#include "ui/widgets/widgets.h"

/* A tick of two thick strokes inside the marker m. */
static void draw_tick(ui *u, SDL_Rect m)
{
    ui_set_color(u, UI_COLOR_ON_PRIMARY);
    int t = m.w / 8 > 1 ? m.w / 8 : 1;
    for (int k = -t / 2; k <= t / 2; k++) {
        SDL_RenderDrawLine(u->renderer, m.x + m.w / 4, m.y + m.h / 2 + k, m.x + m.w * 5 / 12,
                           m.y + m.h * 7 / 10 + k);
        SDL_RenderDrawLine(u->renderer, m.x + m.w * 5 / 12, m.y + m.h * 7 / 10 + k,
                           m.x + m.w * 3 / 4, m.y + m.h * 3 / 10 + k);
    }
}

static void draw_marker(ui *u, SDL_Rect m, progress_state st)
{
    switch (st) {
    case PROGRESS_DONE:
        ui_fill_round(u, m, m.w / 2, UI_COLOR_PRIMARY);
        draw_tick(u, m);
        return;
    case PROGRESS_CURRENT: {
        ui_fill_round(u, m, m.w / 2, UI_COLOR_PRIMARY);
        int ring = m.w / 4;
        SDL_Rect in = {m.x + ring, m.y + ring, m.w - 2 * ring, m.h - 2 * ring};
        ui_fill_round(u, in, in.w / 2, UI_COLOR_BG);
        return;
    }
    case PROGRESS_TODO:
        break;
    }
    ui_fill_round(u, m, m.w / 2, UI_COLOR_BORDER);
    int ring = m.w / 6;
    SDL_Rect in = {m.x + ring, m.y + ring, m.w - 2 * ring, m.h - 2 * ring};
    ui_fill_round(u, in, in.w / 2, UI_COLOR_BG);
}

/* The width of the line; labels of steps that are not current left out when `short_form`. */
static int line_width(ui *u, const progress_step *steps, size_t n, const char *who, bool short_form,
                      int d, int gap)
{
    int w = 0;
    for (size_t i = 0; i < n; i++) {
        if (steps[i].person_first && who != NULL && *who) {
            int tw = 0;
            ui_text_size(u, who, UI_FONT_SMALL, &tw, NULL);
            w += tw + gap / 2;
        }
        w += d + gap;
        if (!short_form || steps[i].state == PROGRESS_CURRENT) {
            int tw = 0;
            ui_text_size(u, steps[i].label, UI_FONT_SMALL, &tw, NULL);
            w += tw + gap / 2;
        }
    }
    return w;
}

/* Draws text of width tw at the running x (mirrored), advancing x. */
static void put_text(ui *u, SDL_Rect r, int *x, int y, int h, const char *text, ui_color c, int gap)
{
    int tw = 0, th = 0;
    ui_text_size(u, text, UI_FONT_SMALL, &tw, &th);
    SDL_Rect tr = {*x, y + (h - th) / 2, tw + 1, th};
    if (u->rtl)
        tr.x = r.x + r.w - (*x - r.x) - tr.w;
    ui_text(u, text, tr, UI_FONT_SMALL, c, UI_ALIGN_START);
    *x += tw + gap;
}

int progress_draw(ui *u, SDL_Rect r, const progress_step *steps, size_t n, const char *who)
{
    if (n == 0)
        return 0;
    int d = ui_px(u, 24);
    int gap = ui_px(u, 20);
    int h = ui_line_height(u, UI_FONT_SMALL, steps[0].label);
    if (h < d)
        h = d;
    bool short_form = line_width(u, steps, n, who, false, d, gap) > r.w;
    int x = r.x;
    for (size_t i = 0; i < n; i++) {
        if (steps[i].person_first && who != NULL && *who)
            put_text(u, r, &x, r.y, h, who, UI_COLOR_TEXT, gap / 2);
        SDL_Rect m = {x, r.y + (h - d) / 2, d, d};
        if (u->rtl)
            m.x = r.x + r.w - (x - r.x) - d;
        draw_marker(u, m, steps[i].state);
        x += d + gap / 3;
        if (!short_form || steps[i].state == PROGRESS_CURRENT)
            put_text(u, r, &x, r.y, h, steps[i].label,
                     steps[i].state == PROGRESS_CURRENT ? UI_COLOR_PRIMARY : UI_COLOR_TEXT, gap);
        else
            x += gap - gap / 3;
    }
    return h;
}
