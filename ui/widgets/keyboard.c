#include "ui/widgets/widgets.h"

#include <string.h>

#define COLUMNS 8

char keyboard_symbol(int id)
{
    int c = id - KEYBOARD_ID_BASE;
    if (c > 0 && c < 128 && strchr(KEYBOARD_SYMBOLS, c) != NULL)
        return (char)c;
    return 0;
}

void keyboard_draw(ui *u, SDL_Rect r, const char *delete_label, const char *enter_label)
{
    const size_t n = strlen(KEYBOARD_SYMBOLS);
    const int rows = (int)((n + COLUMNS - 1) / COLUMNS) + 1;
    int gap = ui_px(u, 10);
    int kw = (r.w - gap * (COLUMNS - 1)) / COLUMNS;
    int kh = (r.h - gap * (rows - 1)) / rows;
    if (kh < u->target)
        kh = u->target;
    /* Codes are written left to right in every language: the keyboard is not mirrored. */
    for (size_t i = 0; i < n; i++) {
        int col = (int)(i % COLUMNS), row = (int)(i / COLUMNS);
        SDL_Rect k = {r.x + col * (kw + gap), r.y + row * (kh + gap), kw, kh};
        char label[2] = {KEYBOARD_SYMBOLS[i], 0};
        button_draw(u, k, label, KEYBOARD_ID_BASE + KEYBOARD_SYMBOLS[i], BUTTON_SECONDARY);
    }
    int y = r.y + (rows - 1) * (kh + gap);
    int half = (r.w - gap) / 2;
    button_draw(u, (SDL_Rect){r.x, y, half, kh}, delete_label, KEYBOARD_ID_DELETE,
                BUTTON_SECONDARY);
    button_draw(u, (SDL_Rect){r.x + half + gap, y, half, kh}, enter_label, KEYBOARD_ID_ENTER,
                BUTTON_PRIMARY);
}
