#include "ui/widgets/widgets.h"

static void colors(button_style style, ui_color *bg, ui_color *fg)
{
    switch (style) {
    case BUTTON_PRIMARY:
        *bg = UI_COLOR_PRIMARY;
        *fg = UI_COLOR_ON_PRIMARY;
        return;
    case BUTTON_STAFF:
        *bg = UI_COLOR_STAFF;
        *fg = UI_COLOR_ON_STAFF;
        return;
    case BUTTON_ALERT:
        *bg = UI_COLOR_ALERT;
        *fg = UI_COLOR_ON_ALERT;
        return;
    case BUTTON_SECONDARY:
        break;
    }
    *bg = UI_COLOR_SECONDARY;
    *fg = UI_COLOR_ON_SECONDARY;
}

SDL_Rect button_draw(ui *u, SDL_Rect r, const char *label, int id, button_style style)
{
    if (r.h < u->target)
        r.h = u->target;
    if (r.w < u->target)
        r.w = u->target;
    ui_color bg, fg;
    colors(style, &bg, &fg);
    ui_fill_round(u, r, ui_px(u, 14), bg);
    if (style == BUTTON_SECONDARY)
        ui_frame(u, r, ui_px(u, 2) > 0 ? ui_px(u, 2) : 1, UI_COLOR_BORDER);
    int tw = 0, th = 0;
    int pad = ui_px(u, 12);
    /* A label that does not fit on one line (large text, narrow buttons) takes the small size. */
    ui_font_size size = UI_FONT_BODY;
    ui_text_size(u, label, size, &tw, &th);
    if (tw > r.w - 2 * pad)
        size = UI_FONT_SMALL;
    ui_text_size(u, label, size, NULL, &th);
    SDL_Rect tr = {r.x + pad, r.y + (r.h - th) / 2, r.w - 2 * pad, th};
    ui_text(u, label, tr, size, fg, UI_ALIGN_CENTER);
    ui_add_hit(u, r, id, label);
    return r;
}

SDL_Rect checkbox_draw(ui *u, SDL_Rect r, const char *label, bool checked, int id)
{
    if (r.h < u->target)
        r.h = u->target;
    ui_fill_round(u, r, ui_px(u, 10), UI_COLOR_PANEL);
    ui_frame(u, r, ui_px(u, 2) > 0 ? ui_px(u, 2) : 1, UI_COLOR_BORDER);
    int box = u->target * 2 / 3;
    int pad = (r.h - box) / 2;
    SDL_Rect b = ui_mirror(u, (SDL_Rect){r.x + pad, r.y + pad, box, box});
    if (u->rtl)
        b.x = r.x + r.w - pad - box;
    ui_fill(u, b, checked ? UI_COLOR_PRIMARY : UI_COLOR_PANEL);
    ui_frame(u, b, ui_px(u, 3) > 0 ? ui_px(u, 3) : 1, UI_COLOR_PRIMARY);
    if (checked) {
        /* A tick of two thick strokes. */
        ui_set_color(u, UI_COLOR_ON_PRIMARY);
        int t = box / 10 > 1 ? box / 10 : 1;
        for (int d = -t; d <= t; d++) {
            SDL_RenderDrawLine(u->renderer, b.x + box / 5, b.y + box / 2 + d, b.x + box * 2 / 5,
                               b.y + box * 3 / 4 + d);
            SDL_RenderDrawLine(u->renderer, b.x + box * 2 / 5, b.y + box * 3 / 4 + d,
                               b.x + box * 4 / 5, b.y + box / 4 + d);
        }
    }
    int th = 0;
    ui_text_size(u, label, UI_FONT_BODY, NULL, &th);
    SDL_Rect tr = {r.x + box + 2 * pad, r.y + (r.h - th) / 2, r.w - box - 3 * pad, th};
    if (u->rtl)
        tr.x = r.x + pad;
    ui_text(u, label, tr, UI_FONT_BODY, UI_COLOR_TEXT, UI_ALIGN_START);
    ui_add_hit(u, r, id, label);
    return r;
}

SDL_Rect panel_draw(ui *u, int w, int h)
{
    SDL_SetRenderDrawColor(u->renderer, 0, 0, 0, 150);
    SDL_Rect all = {0, 0, u->w, u->h};
    SDL_RenderFillRect(u->renderer, &all);
    if (w > u->w)
        w = u->w;
    if (h > u->h)
        h = u->h;
    SDL_Rect card = {(u->w - w) / 2, (u->h - h) / 2, w, h};
    ui_fill_round(u, card, ui_px(u, 20), UI_COLOR_PANEL);
    int pad = ui_px(u, 40);
    return (SDL_Rect){card.x + pad, card.y + pad, card.w - 2 * pad, card.h - 2 * pad};
}
