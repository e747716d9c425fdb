#include "ui/widgets/widgets.h"

void progress_draw(ui *u, SDL_Rect r, size_t steps_total, size_t steps_ended, bool in_step,
                   const char *line)
{
    int d = ui_px(u, 28);
    int gap = ui_px(u, 18);
    int th = ui_text(u, line, r, UI_FONT_SMALL, UI_COLOR_TEXT, UI_ALIGN_START);
    int y = r.y + th + ui_px(u, 8);
    for (size_t i = 0; i < steps_total; i++) {
        SDL_Rect dot = ui_mirror(u, (SDL_Rect){r.x + (int)i * (d + gap), y, d, d});
        if (u->rtl)
            dot.x = r.x + r.w - (int)(i + 1) * (d + gap) + gap;
        if (i < steps_ended) {
            ui_fill_round(u, dot, d / 2, UI_COLOR_PRIMARY);
        } else {
            ui_fill_round(u, dot, d / 2, UI_COLOR_BORDER);
            int ring = (in_step && i == steps_ended) ? ui_px(u, 4) : ui_px(u, 7);
            SDL_Rect in = {dot.x + ring, dot.y + ring, d - 2 * ring, d - 2 * ring};
            ui_fill_round(u, in, in.w / 2, UI_COLOR_BG);
        }
    }
}
