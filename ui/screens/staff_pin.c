/* "staff-pin": staff choose their account (when there are several) and type their PIN. Closes
 * itself after the configured time without input (the session's timer). */
#include "ui/screens/screens.h"

#include <string.h>

#include "store/staff.h"

#define ID_DIGIT   500 /* + digit */
#define ID_DELETE  510
#define ID_OK      511
#define ID_CANCEL  512
#define ID_ACCOUNT 520 /* + account index */

typedef struct priv {
    int account; /* chosen account, -1 none */
    char pin[STAFF_PIN_MAX + 1];
    const char *message;
} priv;

static void enter(screen *scr)
{
    priv *p = scr->priv;
    session *s = SCREEN_SESSION(scr);
    p->account = session_staff_count(s) == 1 ? 0 : -1;
    p->message = "";
}

static void submit(screen *scr)
{
    priv *p = scr->priv;
    session *s = SCREEN_SESSION(scr);
    if (p->account < 0)
        return;
    char pin[STAFF_PIN_MAX + 1];
    g_strlcpy(pin, p->pin, sizeof pin);
    memset(p->pin, 0, sizeof p->pin);
    const char *text = "";
    staff_verdict v =
        session_staff_sign_in(s, session_staff_account_id(s, (size_t)p->account), pin, &text);
    memset(pin, 0, sizeof pin);
    if (v == STAFF_VERDICT_OK) {
        runner *r = scr->owner;
        runner_pop(r); /* this screen is gone after this line */
        runner_push(r, &screen_staff_menu);
        return;
    }
    p->message = text;
}

static void draw(screen *scr, ui *u)
{
    priv *p = scr->priv;
    session *s = SCREEN_SESSION(scr);
    SDL_Rect r = panel_draw(u, ui_px(u, 1000), u->h - ui_px(u, 80));
    int y = r.y;
    y += ui_text(u, _("Staff sign-in"), (SDL_Rect){r.x, y, r.w, r.h}, UI_FONT_TITLE, UI_COLOR_TEXT,
                 UI_ALIGN_START);
    int gap = ui_px(u, 10);
    int bh = u->target;
    if (p->account < 0) {
        y += ui_text(u, _("Choose your name"), (SDL_Rect){r.x, y, r.w, r.h}, UI_FONT_BODY,
                     UI_COLOR_TEXT, UI_ALIGN_START);
        for (size_t i = 0; i < session_staff_count(s) && i < 8; i++) {
            button_draw(u, (SDL_Rect){r.x, y, r.w, bh}, session_staff_account_id(s, i),
                        ID_ACCOUNT + (int)i, BUTTON_SECONDARY);
            y += bh + gap;
        }
        if (session_staff_count(s) == 0)
            y += ui_text(u, _("No staff accounts on this kiosk."), (SDL_Rect){r.x, y, r.w, r.h},
                         UI_FONT_BODY, UI_COLOR_ALERT, UI_ALIGN_START);
    } else {
        char who[96];
        g_snprintf(who, sizeof who, "%s", session_staff_account_name(s, (size_t)p->account));
        y += ui_text(u, who, (SDL_Rect){r.x, y, r.w, r.h}, UI_FONT_BODY, UI_COLOR_TEXT,
                     UI_ALIGN_START);
        char dots[STAFF_PIN_MAX * 3 + 1] = "";
        for (size_t i = 0; i < strlen(p->pin); i++)
            g_strlcat(dots, "\u25CF", sizeof dots);
        int th;
        ui_text_size(u, "0", UI_FONT_TITLE, NULL, &th);
        SDL_Rect box = {r.x, y, r.w, th + ui_px(u, 16)};
        ui_fill(u, box, UI_COLOR_BG);
        ui_text(u, dots, (SDL_Rect){r.x, y + ui_px(u, 8), r.w, th}, UI_FONT_TITLE, UI_COLOR_TEXT,
                UI_ALIGN_CENTER);
        y += box.h + gap;
        y += ui_text(u, p->message, (SDL_Rect){r.x, y, r.w, r.h}, UI_FONT_BODY, UI_COLOR_ALERT,
                     UI_ALIGN_START);
        /* 1-9, then delete 0 OK, like a phone. */
        static const int order[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, -1, 0, -2};
        int kw = (r.w - 2 * gap) / 3;
        for (int i = 0; i < 12; i++) {
            SDL_Rect k = {r.x + (i % 3) * (kw + gap), y + (i / 3) * (bh + gap), kw, bh};
            if (order[i] >= 0) {
                char label[2] = {(char)('0' + order[i]), 0};
                button_draw(u, k, label, ID_DIGIT + order[i], BUTTON_SECONDARY);
            } else if (order[i] == -1) {
                button_draw(u, k, _("Delete"), ID_DELETE, BUTTON_SECONDARY);
            } else {
                button_draw(u, k, _("OK"), ID_OK, BUTTON_STAFF);
            }
        }
    }
    button_draw(u, (SDL_Rect){r.x, r.y + r.h - bh, r.w, bh}, _("Cancel"), ID_CANCEL,
                BUTTON_SECONDARY);
}

static void add_digit(priv *p, char c)
{
    size_t n = strlen(p->pin);
    if (n < STAFF_PIN_MAX && c >= '0' && c <= '9') {
        p->pin[n] = c;
        p->pin[n + 1] = '\0';
    }
}

static void action(screen *scr, int id)
{
    priv *p = scr->priv;
    if (id >= ID_ACCOUNT && id < ID_ACCOUNT + 8) {
        p->account = id - ID_ACCOUNT;
    } else if (id >= ID_DIGIT && id <= ID_DIGIT + 9) {
        add_digit(p, (char)('0' + id - ID_DIGIT));
    } else if (id == ID_DELETE) {
        size_t n = strlen(p->pin);
        if (n)
            p->pin[n - 1] = '\0';
    } else if (id == ID_OK) {
        submit(scr);
    } else if (id == ID_CANCEL) {
        runner_pop(scr->owner);
    }
}

static bool input(screen *scr, const SDL_Event *ev)
{
    priv *p = scr->priv;
    if (ev->type == SDL_TEXTINPUT) {
        for (const char *t = ev->text.text; *t; t++)
            add_digit(p, *t);
        return true;
    }
    if (ev->type == SDL_KEYDOWN) {
        SDL_Keycode k = ev->key.keysym.sym;
        if (k == SDLK_RETURN || k == SDLK_KP_ENTER) {
            submit(scr);
            return true;
        }
        if (k == SDLK_ESCAPE) {
            runner_pop(scr->owner);
            return true;
        }
        if (k == SDLK_BACKSPACE) {
            action(scr, ID_DELETE);
            return true;
        }
    }
    return false;
}

static void leave(screen *scr)
{
    priv *p = scr->priv;
    memset(p->pin, 0, sizeof p->pin);
}

const screen_class screen_staff_pin = {
    .name = "staff-pin",
    .priv_size = sizeof(priv),
    .enter = enter,
    .exit = leave,
    .input = input,
    .action = action,
    .draw = draw,
};
