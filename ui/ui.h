/* The kiosk's window, renderer, metrics, colours and text.
 *
 * Layout works in real pixels derived from two numbers: `unit`, the window height over 1080
 * (text and spacing scale with it, so the layout fits 1280x800 up to 3840x2160), and `px_per_mm`
 * from the configured physical screen size (touch targets are at least UI_TARGET_MM). Everything
 * drawn in a frame is also recorded (texts with their rectangles, tappable targets with their
 * labels), so the scripted mode can tap a button by its label and check what is on screen.
 */
#ifndef BIOKIOSK_UI_H
#define BIOKIOSK_UI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <SDL.h>
#include <SDL_ttf.h>

#include "core/bk_err.h"

#define UI_TARGET_MM   15.0 /* smallest touch target, in millimetres */
#define UI_BODY_PX     32   /* body text at 1080 lines (at least 28) */
#define UI_SMALL_PX    28
#define UI_TITLE_PX    56
#define UI_HUGE_PX     72
#define UI_LARGE_SCALE 1.3  /* body and titles in large text */
#define UI_LARGE_OTHER 1.15 /* the small and the largest size in large text */
#define UI_MAX_HITS    160
#define UI_MAX_TEXTS   256

typedef enum ui_font_size {
    UI_FONT_SMALL,
    UI_FONT_BODY,
    UI_FONT_TITLE,
    UI_FONT_HUGE,
    UI_FONT_COUNT_
} ui_font_size;

typedef enum ui_align {
    UI_ALIGN_START, /* left, or right in a right-to-left language */
    UI_ALIGN_CENTER,
    UI_ALIGN_END,
} ui_align;

/* The palette. Every text/background pair used is at least 7:1 (ui_contrast checks it). */
typedef enum ui_color {
    UI_COLOR_BG,      /* page background */
    UI_COLOR_TEXT,    /* body text */
    UI_COLOR_PANEL,   /* cards */
    UI_COLOR_PRIMARY, /* main buttons */
    UI_COLOR_ON_PRIMARY,
    UI_COLOR_SECONDARY, /* other buttons */
    UI_COLOR_ON_SECONDARY,
    UI_COLOR_STAFF, /* the staff bar and staff buttons */
    UI_COLOR_ON_STAFF,
    UI_COLOR_ALERT, /* refusals */
    UI_COLOR_ON_ALERT,
    UI_COLOR_BORDER,
    UI_COLOR_COUNT_
} ui_color;

/* The text/background pairs that the screens use. */
extern const ui_color ui_color_pairs[][2];
extern const size_t ui_n_color_pairs;

typedef struct ui_options {
    int width, height; /* window size; 0: the display's size */
    bool fullscreen;
    bool headless; /* offscreen driver, software renderer */
    double width_mm, height_mm;
    const char *font;        /* a font file, or NULL/"" for fontconfig's "Noto Sans" */
    const char *font_arabic; /* a font file, or NULL/"" for fontconfig's "Noto Sans Arabic" */
} ui_options;

/* A tappable target recorded while drawing. */
typedef struct ui_hit {
    SDL_Rect rect;
    int id;
    char label[96];
} ui_hit;

typedef struct ui_text_rec {
    SDL_Rect rect;
    SDL_Rect drawn; /* what the lines really covered */
    char text[160];
} ui_text_rec;

typedef struct ui {
    SDL_Window *window;
    SDL_Renderer *renderer;
    int w, h;
    double unit;      /* h / 1080, limited by the width for narrow screens */
    double px_per_mm; /* from the configured screen size */
    int target;       /* smallest touch target in pixels */
    bool rtl;         /* the current language is right to left */
    bool headless;
    TTF_Font *fonts[UI_FONT_COUNT_]; /* the set in use: ui_set_large */
    TTF_Font *fonts_arabic[UI_FONT_COUNT_];
    TTF_Font *font_sets[2][UI_FONT_COUNT_]; /* [0] normal, [1] large text */
    TTF_Font *font_sets_arabic[2][UI_FONT_COUNT_];
    bool large; /* larger text and high contrast */
    char *font_path, *font_arabic_path;
    ui_hit hits[UI_MAX_HITS];
    size_t n_hits;
    ui_text_rec texts[UI_MAX_TEXTS];
    size_t n_texts;
    size_t top_texts; /* the first text of the top screen (the ones below are covered) */
    uint64_t frames;  /* frames drawn, for tests of "draw only on change" */
} ui;

/* Opens the window and fonts. On failure *message names what is missing (transfer full,
 * g_free). *out transfer full: ui_free. */
bk_err ui_new(const ui_options *opt, ui **out, char **message);
void ui_free(ui *u);

/* Finds a font file through fontconfig: the best match for family (e.g. "Noto Sans") whose
 * family really is that one. NULL when there is none (transfer full, g_free). */
char *ui_find_font(const char *family);

/* Pixels for a layout length given at 1080 lines. */
int ui_px(const ui *u, double at1080);

/* Starts a frame: clears, forgets the recorded hits and texts. */
void ui_begin(ui *u);
/* Shows the frame. */
void ui_end(ui *u);

/* Larger text (UI_LARGE_SCALE) and the high-contrast palette, or back to normal. Layout
 * lengths (ui_px) stay; only fonts and colours change. */
void ui_set_large(ui *u, bool large);

void ui_set_color(ui *u, ui_color c);
/* A colour of the palette in use; ui_rgb_in: of the normal (false) or high-contrast palette. */
SDL_Color ui_rgb(ui_color c);
SDL_Color ui_rgb_in(bool large, ui_color c);
void ui_fill(ui *u, SDL_Rect r, ui_color c);
void ui_fill_round(ui *u, SDL_Rect r, int radius, ui_color c);
void ui_frame(ui *u, SDL_Rect r, int thickness, ui_color c);

/* The font that draws `text` best in the current language (Arabic text through the Arabic font,
 * shaped right to left; everything else through the Latin/Cyrillic font). Transfer none. */
TTF_Font *ui_font_for(ui *u, ui_font_size size, const char *text);

/* Draws text wrapped into the width of r (lines break at spaces), aligned; returns the height
 * used. Records the text for the scripted mode. An empty string draws nothing. */
int ui_text(ui *u, const char *text, SDL_Rect r, ui_font_size size, ui_color fg, ui_align align);
/* The first character of text that its font (chosen as ui_text chooses it, run by run) cannot
 * draw, or 0 when every one can. */
uint32_t ui_missing_glyph(ui *u, const char *text);
/* The height of one line of `text` (fonts of two scripts differ). */
int ui_line_height(ui *u, ui_font_size size, const char *text);
/* The size of one line of text. */
void ui_text_size(ui *u, const char *text, ui_font_size size, int *w, int *h);

/* Records a tappable target. Returns its index. */
void ui_add_hit(ui *u, SDL_Rect r, int id, const char *label);
/* The id of the target at (x, y), or -1. */
int ui_hit_at(const ui *u, int x, int y);
/* A target by its visible label (exact, then case-insensitive). NULL when none. */
const ui_hit *ui_hit_by_label(const ui *u, const char *label);
/* True when the frame showed text containing `needle`. */
bool ui_shows_text(const ui *u, const char *needle);
/* Whether every text of the frame fits: inside the window, no line wider than its box, and no
 * text running into a target it is not the label of. NULL when it does, or what does not fit
 * (transfer full, g_free). */
char *ui_check_fit(const ui *u);
/* Every text of the frame joined by " | " (transfer full, g_free), for error messages. */
char *ui_texts_joined(const ui *u);

/* A rectangle mirrored in a right-to-left language (x measured from the other side). */
SDL_Rect ui_mirror(const ui *u, SDL_Rect r);

/* WCAG contrast ratio of two colours (1..21). */
double ui_contrast(SDL_Color a, SDL_Color b);

/* Writes the last frame as a PNG. */
bk_err ui_screenshot(ui *u, const char *path);

#endif
