/* "code": the appointment code, from the on-screen keyboard, a keyboard or a barcode scanner
 * (which types the code and Enter). Only the code's symbols are accepted; the forgiving reading
 * (O as 0, I and L as 1) happens as the symbols come in. */
#include "ui/screens/screens.h"

#include <string.h>

#include "core/apptcode.h"

typedef struct priv {
    char typed[APPTCODE_LEN + 1];
} priv;

static void add(priv *p, char c)
{
    c = (char)g_ascii_toupper(c);
    if (c == 'O')
        c = '0';
    else if (c == 'I' || c == 'L')
        c = '1';
    if (strchr(KEYBOARD_SYMBOLS, c) == NULL || c == '\0')
        return;
    size_t n = strlen(p->typed);
    if (n < APPTCODE_LEN)
        p->typed[n] = c, p->typed[n + 1] = '\0';
}

static void del(priv *p)
{
    size_t n = strlen(p->typed);
    if (n > 0)
        p->typed[n - 1] = '\0';
}

static void submit(screen *scr)
{
    priv *p = scr->priv;
    char code[APPTCODE_LEN + 1];
    g_strlcpy(code, p->typed, sizeof code);
    session_submit_code(SCREEN_SESSION(scr), code);
}

static void draw(screen *scr, ui *u)
{
    session *s = SCREEN_SESSION(scr);
    priv *p = scr->priv;
    SDL_Rect r = session_draw_frame(s, u, _("Type your appointment code"), true);
    int y = r.y;
    y += ui_text(u,
                 _("You find the code in your confirmation e-mail. You may also hold its "
                   "barcode under the scanner."),
                 (SDL_Rect){r.x, y, r.w, r.h}, UI_FONT_BODY, UI_COLOR_TEXT, UI_ALIGN_START);
    y += ui_px(u, 16);
    /* The code as it will be shown on paper: XXXX-XXXX-X, with blanks still to type. */
    char shown[16];
    size_t j = 0, n = strlen(p->typed);
    for (size_t i = 0; i < APPTCODE_LEN; i++) {
        if (i == 4 || i == 8)
            shown[j++] = '-';
        shown[j++] = i < n ? p->typed[i] : '_';
    }
    shown[j] = '\0';
    int boxh = ui_px(u, 110);
    SDL_Rect box = {r.x, y, r.w, boxh};
    ui_fill_round(u, box, ui_px(u, 12), UI_COLOR_PANEL);
    ui_frame(u, box, ui_px(u, 3), UI_COLOR_BORDER);
    int th;
    ui_text_size(u, shown, UI_FONT_HUGE, NULL, &th);
    ui_text(u, shown, (SDL_Rect){r.x, y + (boxh - th) / 2, r.w, th}, UI_FONT_HUGE, UI_COLOR_TEXT,
            UI_ALIGN_CENTER);
    y += boxh + ui_px(u, 24);
    int back_h = u->target + ui_px(u, 20);
    SDL_Rect kb = {r.x, y, r.w, r.y + r.h - y - back_h - ui_px(u, 20)};
    keyboard_draw(u, kb, _("Delete"), _("OK"));
    screens_side_button(u, r, _("Back"), SCREEN_ID_BACK);
}

static void action(screen *scr, int id)
{
    session *s = SCREEN_SESSION(scr);
    priv *p = scr->priv;
    if (session_language_action(s, id))
        return;
    char c = keyboard_symbol(id);
    if (c)
        add(p, c);
    else if (id == KEYBOARD_ID_DELETE)
        del(p);
    else if (id == KEYBOARD_ID_ENTER)
        submit(scr);
    else if (id == SCREEN_ID_BACK)
        session_home(s);
}

static bool input(screen *scr, const SDL_Event *ev)
{
    priv *p = scr->priv;
    if (ev->type == SDL_TEXTINPUT) {
        for (const char *t = ev->text.text; *t; t++)
            add(p, *t);
        return true;
    }
    if (ev->type == SDL_KEYDOWN) {
        switch (ev->key.keysym.sym) {
        case SDLK_BACKSPACE:
            del(p);
            return true;
        case SDLK_RETURN:
        case SDLK_KP_ENTER:
            submit(scr);
            return true;
        default:
            return false;
        }
    }
    return false;
}

static void enter(screen *scr)
{
    (void)scr;
    SDL_StartTextInput();
}

static void leave(screen *scr)
{
    (void)scr;
    SDL_StopTextInput();
}

const screen_class screen_code = {
    .name = "code",
    .applicant = true,
    .priv_size = sizeof(priv),
    .enter = enter,
    .exit = leave,
    .input = input,
    .action = action,
    .draw = draw,
};
