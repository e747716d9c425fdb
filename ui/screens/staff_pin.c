/* "staff-pin": staff type or scan their id (a keyboard or a badge scanner; the pad lists no ids),
 * then type their PIN. While the visit controller checks it (Argon2 on its worker) the pad says
 * "Checking...". A PIN shorter than 6 digits signs in only after a new one is chosen (typed twice).
 * Closes itself after the configured time without input (the session's timer). Every PIN buffer
 * is wiped with sodium_memzero. */
#include "ui/screens/screens.h"

#include <string.h>

#include <sodium.h>

#define ID_DIGIT  500 /* + digit */
#define ID_DELETE 510
#define ID_OK     511
#define ID_CANCEL 512

#define PAD_ID_MAX  32 /* characters of a staff id */
#define PAD_PIN_MAX 12 /* digits */

typedef enum pad_mode {
    MODE_ID,   /* typing or scanning the id */
    MODE_PIN,  /* typing the PIN */
    MODE_NEW,  /* a new PIN (the old one is too short) */
    MODE_NEW2, /* the new PIN again */
} pad_mode;

typedef struct priv {
    pad_mode mode;
    char id[PAD_ID_MAX + 1];
    char pin[PAD_PIN_MAX + 1];
    char first[PAD_PIN_MAX + 1]; /* the new PIN's first typing */
    const char *message;         /* the pad's own line ("" for the session's) */
} priv;

static void wipe(priv *p)
{
    sodium_memzero(p->pin, sizeof p->pin);
    sodium_memzero(p->first, sizeof p->first);
}

static void enter(screen *scr)
{
    priv *p = scr->priv;
    p->mode = MODE_ID;
    p->message = "";
}

static void submit(screen *scr)
{
    priv *p = scr->priv;
    session *s = SCREEN_SESSION(scr);
    if (session_staff_checking(s))
        return;
    if (session_staff_new_pin_asked(s) && p->mode != MODE_NEW && p->mode != MODE_NEW2)
        p->mode = MODE_NEW;
    p->message = "";
    switch (p->mode) {
    case MODE_ID:
        if (p->id[0] != '\0')
            p->mode = MODE_PIN;
        return;
    case MODE_PIN:
        if (p->pin[0] == '\0')
            return;
        session_staff_sign_in(s, p->id, p->pin, sizeof p->pin);
        wipe(p);
        return;
    case MODE_NEW:
        g_strlcpy(p->first, p->pin, sizeof p->first);
        sodium_memzero(p->pin, sizeof p->pin);
        p->mode = MODE_NEW2;
        return;
    case MODE_NEW2:
        if (strcmp(p->first, p->pin) != 0) {
            p->message = _("The two PINs differ. Try again.");
            p->mode = MODE_NEW;
        } else {
            session_staff_new_pin(s, p->pin, sizeof p->pin);
            p->mode = MODE_NEW; /* a refusal starts again from the first typing */
        }
        wipe(p);
        return;
    }
}

static const char *prompt(const priv *p, const session *s)
{
    if (session_staff_checking(s))
        return _("Checking...");
    switch (p->mode) {
    case MODE_ID:
        return _("Type or scan your staff id, then press Enter.");
    case MODE_PIN:
        return session_staff_new_pin_asked(s) ? "" : _("Type your PIN.");
    case MODE_NEW:
        return _("Choose a new PIN of 6 to 12 digits.");
    case MODE_NEW2:
        return _("Type the new PIN again.");
    }
    return "";
}

static void draw_keys(ui *u, SDL_Rect r, int y)
{
    /* 1-9, then delete 0 OK, like a phone. */
    static const int order[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, -1, 0, -2};
    int gap = ui_px(u, 10), bh = u->target;
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

static void draw(screen *scr, ui *u)
{
    priv *p = scr->priv;
    session *s = SCREEN_SESSION(scr);
    if (session_staff_new_pin_asked(s) && p->mode == MODE_PIN)
        p->mode = MODE_NEW;
    SDL_Rect r = panel_draw(u, ui_px(u, 1000), u->h - ui_px(u, 80));
    int y = r.y, gap = ui_px(u, 10);
    y += ui_text(u, _("Staff sign-in"), (SDL_Rect){r.x, y, r.w, r.h}, UI_FONT_TITLE, UI_COLOR_TEXT,
                 UI_ALIGN_START);
    y += ui_text(u, prompt(p, s), (SDL_Rect){r.x, y, r.w, r.h}, UI_FONT_BODY, UI_COLOR_TEXT,
                 UI_ALIGN_START);
    /* the field: the id as typed, a PIN as dots */
    char shown[PAD_PIN_MAX * 3 + PAD_ID_MAX + 1] = "";
    if (p->mode == MODE_ID) {
        g_strlcpy(shown, p->id, sizeof shown);
    } else {
        for (size_t i = 0; i < strlen(p->pin); i++)
            g_strlcat(shown, "\u25CF", sizeof shown);
    }
    int th;
    ui_text_size(u, "0", UI_FONT_TITLE, NULL, &th);
    SDL_Rect box = {r.x, y, r.w, th + ui_px(u, 16)};
    ui_fill(u, box, UI_COLOR_BG);
    ui_text(u, shown, (SDL_Rect){r.x, y + ui_px(u, 8), r.w, th}, UI_FONT_TITLE, UI_COLOR_TEXT,
            UI_ALIGN_CENTER);
    y += box.h + gap;
    const char *line = p->message[0] ? p->message : session_staff_pad_text(s);
    y += ui_text(u, line, (SDL_Rect){r.x, y, r.w, r.h}, UI_FONT_BODY, UI_COLOR_ALERT,
                 UI_ALIGN_START);
    if (p->mode != MODE_ID && !session_staff_checking(s))
        draw_keys(u, r, y);
    button_draw(u, (SDL_Rect){r.x, r.y + r.h - u->target, r.w, u->target}, _("Cancel"), ID_CANCEL,
                BUTTON_SECONDARY);
}

static void add_char(priv *p, char c)
{
    if (p->mode == MODE_ID) {
        size_t n = strlen(p->id);
        if (n < PAD_ID_MAX && (g_ascii_isalnum(c) || c == '_' || c == '-')) {
            p->id[n] = c;
            p->id[n + 1] = '\0';
        }
        return;
    }
    size_t n = strlen(p->pin);
    if (n < PAD_PIN_MAX && c >= '0' && c <= '9') {
        p->pin[n] = c;
        p->pin[n + 1] = '\0';
    }
}

static void delete_char(priv *p)
{
    char *buf = p->mode == MODE_ID ? p->id : p->pin;
    size_t n = strlen(buf);
    if (n)
        buf[n - 1] = '\0';
}

static void action(screen *scr, int id)
{
    priv *p = scr->priv;
    if (session_staff_checking(SCREEN_SESSION(scr)) && id != ID_CANCEL)
        return;
    if (id >= ID_DIGIT && id <= ID_DIGIT + 9)
        add_char(p, (char)('0' + id - ID_DIGIT));
    else if (id == ID_DELETE)
        delete_char(p);
    else if (id == ID_OK)
        submit(scr);
    else if (id == ID_CANCEL)
        runner_pop(scr->owner);
}

static bool input(screen *scr, const SDL_Event *ev)
{
    priv *p = scr->priv;
    if (session_staff_checking(SCREEN_SESSION(scr)))
        return ev->type == SDL_TEXTINPUT || ev->type == SDL_KEYDOWN;
    if (ev->type == SDL_TEXTINPUT) {
        for (const char *t = ev->text.text; *t; t++)
            add_char(p, *t);
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
            delete_char(p);
            return true;
        }
    }
    return false;
}

static void leave(screen *scr)
{
    priv *p = scr->priv;
    wipe(p);
    sodium_memzero(p->id, sizeof p->id);
    session_staff_pad_closed(SCREEN_SESSION(scr));
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
