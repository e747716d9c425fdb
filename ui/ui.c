#include "ui/ui.h"

#include <math.h>
#include <string.h>

#ifdef BIOKIOSK_HAVE_FONTCONFIG
#include <fontconfig/fontconfig.h>
#endif
#include <glib.h>

#include "imaging/picio.h"
#include "ui/i18n.h"

static const int font_px[UI_FONT_COUNT_] = {UI_SMALL_PX, UI_BODY_PX, UI_TITLE_PX, UI_HUGE_PX};

/* A calm palette: near-black on off-white, deep blue buttons. */
static const SDL_Color palette_calm[UI_COLOR_COUNT_] = {
    [UI_COLOR_BG] = {0xF7, 0xF5, 0xF0, 0xFF},
    [UI_COLOR_TEXT] = {0x1B, 0x1B, 0x1F, 0xFF},
    [UI_COLOR_PANEL] = {0xFF, 0xFF, 0xFF, 0xFF},
    [UI_COLOR_PRIMARY] = {0x15, 0x3C, 0x7A, 0xFF},
    [UI_COLOR_ON_PRIMARY] = {0xFF, 0xFF, 0xFF, 0xFF},
    [UI_COLOR_SECONDARY] = {0xDD, 0xE4, 0xEE, 0xFF},
    [UI_COLOR_ON_SECONDARY] = {0x10, 0x23, 0x45, 0xFF},
    [UI_COLOR_STAFF] = {0x3A, 0x1F, 0x4F, 0xFF},
    [UI_COLOR_ON_STAFF] = {0xFF, 0xFF, 0xFF, 0xFF},
    [UI_COLOR_ALERT] = {0x8A, 0x12, 0x12, 0xFF},
    [UI_COLOR_ON_ALERT] = {0xFF, 0xFF, 0xFF, 0xFF},
    [UI_COLOR_BORDER] = {0x5A, 0x5F, 0x6B, 0xFF},
};

/* High contrast (asked for on the welcome screen): white and yellow on black, black on yellow
 * and on white buttons. Every pair is far above 7:1. */
static const SDL_Color palette_high[UI_COLOR_COUNT_] = {
    [UI_COLOR_BG] = {0x00, 0x00, 0x00, 0xFF},
    [UI_COLOR_TEXT] = {0xFF, 0xFF, 0xFF, 0xFF},
    [UI_COLOR_PANEL] = {0x14, 0x14, 0x14, 0xFF},
    [UI_COLOR_PRIMARY] = {0xFF, 0xE0, 0x00, 0xFF},
    [UI_COLOR_ON_PRIMARY] = {0x00, 0x00, 0x00, 0xFF},
    [UI_COLOR_SECONDARY] = {0xFF, 0xFF, 0xFF, 0xFF},
    [UI_COLOR_ON_SECONDARY] = {0x00, 0x00, 0x00, 0xFF},
    [UI_COLOR_STAFF] = {0x2A, 0x10, 0x3F, 0xFF},
    [UI_COLOR_ON_STAFF] = {0xFF, 0xFF, 0xFF, 0xFF},
    [UI_COLOR_ALERT] = {0xFF, 0xB4, 0xA0, 0xFF},
    [UI_COLOR_ON_ALERT] = {0x00, 0x00, 0x00, 0xFF},
    [UI_COLOR_BORDER] = {0xFF, 0xFF, 0xFF, 0xFF},
};

/* The palette in use: the kiosk has one window (ui_set_large switches it). */
static const SDL_Color *palette = palette_calm;

const ui_color ui_color_pairs[][2] = {
    {UI_COLOR_TEXT, UI_COLOR_BG},
    {UI_COLOR_TEXT, UI_COLOR_PANEL},
    {UI_COLOR_ON_PRIMARY, UI_COLOR_PRIMARY},
    {UI_COLOR_ON_SECONDARY, UI_COLOR_SECONDARY},
    {UI_COLOR_ON_STAFF, UI_COLOR_STAFF},
    {UI_COLOR_ON_ALERT, UI_COLOR_ALERT},
    {UI_COLOR_PRIMARY, UI_COLOR_BG},
    {UI_COLOR_ALERT, UI_COLOR_BG},
    {UI_COLOR_ALERT, UI_COLOR_PANEL},
    {UI_COLOR_PRIMARY, UI_COLOR_PANEL},
};
const size_t ui_n_color_pairs = G_N_ELEMENTS(ui_color_pairs);

SDL_Color ui_rgb(ui_color c)
{
    return palette[c];
}

SDL_Color ui_rgb_in(bool large, ui_color c)
{
    return large ? palette_high[c] : palette_calm[c];
}

static double channel(int v)
{
    double c = v / 255.0;
    return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

static double luminance(SDL_Color c)
{
    return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
}

double ui_contrast(SDL_Color a, SDL_Color b)
{
    double la = luminance(a), lb = luminance(b);
    return la > lb ? (la + 0.05) / (lb + 0.05) : (lb + 0.05) / (la + 0.05);
}

#ifdef BIOKIOSK_HAVE_FONTCONFIG
char *ui_find_font(const char *family)
{
    if (!FcInit())
        return NULL;
    char *result = NULL;
    FcPattern *pat = FcNameParse((const FcChar8 *)family);
    if (pat == NULL) {
        FcFini();
        return NULL;
    }
    FcConfigSubstitute(NULL, pat, FcMatchPattern);
    FcDefaultSubstitute(pat);
    FcResult res = FcResultNoMatch;
    FcPattern *match = FcFontMatch(NULL, pat, &res);
    if (match != NULL) {
        FcChar8 *file = NULL, *fam = NULL;
        /* fontconfig always answers with something; only the asked family will do. */
        if (FcPatternGetString(match, FC_FAMILY, 0, &fam) == FcResultMatch &&
            g_ascii_strcasecmp((const char *)fam, family) == 0 &&
            FcPatternGetString(match, FC_FILE, 0, &file) == FcResultMatch)
            result = g_strdup((const char *)file);
        FcPatternDestroy(match);
    }
    FcPatternDestroy(pat);
    /* The kiosk asks twice at start; keeping fontconfig's caches for the rest of the day would
     * only hold memory. */
    FcFini();
    return result;
}
#else
/* Built without fontconfig: where Debian's fonts-noto-core puts the two families. */
char *ui_find_font(const char *family)
{
    static const char *const known[][2] = {
        {"Noto Sans", "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"},
        {"Noto Sans Arabic", "/usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(known); i++)
        if (g_ascii_strcasecmp(known[i][0], family) == 0 &&
            g_file_test(known[i][1], G_FILE_TEST_IS_REGULAR))
            return g_strdup(known[i][1]);
    return NULL;
}
#endif

int ui_px(const ui *u, double at1080)
{
    return (int)lround(at1080 * u->unit);
}

static bk_err open_fonts(ui *u, char **message)
{
    for (int set = 0; set < 2; set++) {
        for (int i = 0; i < UI_FONT_COUNT_; i++) {
            /* Large text: body and titles about 1.3 times; the largest size less (it already
             * is large), the small size less (it labels crowded buttons). */
            double scale = set == 0                                  ? 1.0
                           : i == UI_FONT_HUGE || i == UI_FONT_SMALL ? UI_LARGE_OTHER
                                                                     : UI_LARGE_SCALE;
            int px = ui_px(u, font_px[i] * scale);
            if (px < 12)
                px = 12;
            TTF_Font *f = TTF_OpenFont(u->font_path, px);
            TTF_Font *fa = TTF_OpenFont(u->font_arabic_path, px);
            u->font_sets[set][i] = f;
            u->font_sets_arabic[set][i] = fa;
            if (f == NULL || fa == NULL) {
                *message = g_strdup_printf("cannot open the fonts: %s", TTF_GetError());
                return BK_ERR_IO;
            }
            TTF_SetFontHinting(f, TTF_HINTING_LIGHT);
            TTF_SetFontHinting(fa, TTF_HINTING_LIGHT);
            TTF_SetFontDirection(fa, TTF_DIRECTION_RTL);
            TTF_SetFontScriptName(fa, "Arab");
        }
    }
    ui_set_large(u, false);
    return BK_OK;
}

void ui_set_large(ui *u, bool large)
{
    u->large = large;
    for (int i = 0; i < UI_FONT_COUNT_; i++) {
        u->fonts[i] = u->font_sets[large][i];
        u->fonts_arabic[i] = u->font_sets_arabic[large][i];
    }
    palette = large ? palette_high : palette_calm;
}

bk_err ui_new(const ui_options *opt, ui **out, char **message)
{
    ui *u = g_new0(ui, 1);
    bk_err err = BK_OK;
    char *msg = NULL;
    u->headless = opt->headless;
    u->font_path = (opt->font && opt->font[0]) ? g_strdup(opt->font) : ui_find_font("Noto Sans");
    u->font_arabic_path = (opt->font_arabic && opt->font_arabic[0])
                              ? g_strdup(opt->font_arabic)
                              : ui_find_font("Noto Sans Arabic");
    if (u->font_path == NULL || u->font_arabic_path == NULL) {
        msg = g_strdup_printf("font '%s' not found (install fonts-noto-core, or set "
                              "[kiosk] font / font_arabic)",
                              u->font_path == NULL ? "Noto Sans" : "Noto Sans Arabic");
        err = BK_ERR_NOT_FOUND;
        goto out;
    }
    if (opt->headless) {
        SDL_SetHint(SDL_HINT_VIDEODRIVER, "offscreen");
        /* Without a screen, the frame lives in memory: no OpenGL behind the window surface. */
        SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
    }
    /* No way out for the applicant: keep the keyboard, and no Alt-Tab while grabbed. */
    SDL_SetHint(SDL_HINT_GRAB_KEYBOARD, "1");
    SDL_SetHint(SDL_HINT_ALLOW_ALT_TAB_WHILE_GRABBED, "0");
    SDL_SetHint(SDL_HINT_VIDEO_MINIMIZE_ON_FOCUS_LOSS, "0");
    SDL_SetHint(SDL_HINT_MOUSE_TOUCH_EVENTS, "0");
    /* The program handles SIGTERM and SIGINT itself (app/kiosk.c). */
    SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
    if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_EVENTS) != 0) {
        msg = g_strdup_printf("cannot start SDL video: %s", SDL_GetError());
        err = BK_ERR_UNAVAILABLE;
        goto out;
    }
    if (TTF_Init() != 0) {
        msg = g_strdup_printf("cannot start SDL_ttf: %s", TTF_GetError());
        err = BK_ERR_UNAVAILABLE;
        goto out;
    }
    int w = opt->width, h = opt->height;
    if (w <= 0 || h <= 0) {
        SDL_DisplayMode mode;
        if (!opt->headless && SDL_GetDesktopDisplayMode(0, &mode) == 0) {
            w = mode.w;
            h = mode.h;
        } else {
            w = 1920;
            h = 1080;
        }
        if (!opt->fullscreen && !opt->headless) {
            w = w * 3 / 4;
            h = h * 3 / 4;
        }
    }
    Uint32 flags = SDL_WINDOW_SHOWN;
    if (opt->fullscreen && !opt->headless)
        flags |= SDL_WINDOW_FULLSCREEN_DESKTOP;
    u->window =
        SDL_CreateWindow("biokiosk", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, w, h, flags);
    if (u->window == NULL) {
        msg = g_strdup_printf("cannot open the window: %s", SDL_GetError());
        err = BK_ERR_UNAVAILABLE;
        goto out;
    }
    Uint32 rflags = opt->headless ? SDL_RENDERER_SOFTWARE : SDL_RENDERER_ACCELERATED;
    u->renderer = SDL_CreateRenderer(u->window, -1, rflags);
    if (u->renderer == NULL && !opt->headless)
        u->renderer = SDL_CreateRenderer(u->window, -1, SDL_RENDERER_SOFTWARE);
    if (u->renderer == NULL) {
        msg = g_strdup_printf("cannot create a renderer: %s", SDL_GetError());
        err = BK_ERR_UNAVAILABLE;
        goto out;
    }
    SDL_GetRendererOutputSize(u->renderer, &u->w, &u->h);
    u->unit = MIN(u->h / 1080.0, u->w / 1280.0);
    u->px_per_mm = MIN(u->w / opt->width_mm, u->h / opt->height_mm);
    u->target = (int)ceil(UI_TARGET_MM * u->px_per_mm);
    err = open_fonts(u, &msg);
    if (err != BK_OK)
        goto out;
    SDL_SetRenderDrawBlendMode(u->renderer, SDL_BLENDMODE_BLEND);
    if (!opt->headless) {
        SDL_SetWindowKeyboardGrab(u->window, SDL_TRUE);
        SDL_RaiseWindow(u->window);
    }
out:
    if (err != BK_OK) {
        if (message)
            *message = msg;
        else
            g_free(msg);
        ui_free(u);
        return err;
    }
    *out = u;
    return BK_OK;
}

void ui_free(ui *u)
{
    if (u == NULL)
        return;
    for (int set = 0; set < 2; set++) {
        for (int i = 0; i < UI_FONT_COUNT_; i++) {
            if (u->font_sets[set][i])
                TTF_CloseFont(u->font_sets[set][i]);
            if (u->font_sets_arabic[set][i])
                TTF_CloseFont(u->font_sets_arabic[set][i]);
        }
    }
    palette = palette_calm;
    if (u->renderer)
        SDL_DestroyRenderer(u->renderer);
    if (u->window)
        SDL_DestroyWindow(u->window);
    if (TTF_WasInit())
        TTF_Quit();
    if (SDL_WasInit(SDL_INIT_VIDEO))
        SDL_Quit();
    g_free(u->font_path);
    g_free(u->font_arabic_path);
    g_free(u);
}

void ui_begin(ui *u)
{
    u->n_hits = 0;
    u->n_texts = 0;
    u->top_texts = 0;
    u->rtl = i18n_is_rtl(i18n_language());
    ui_set_color(u, UI_COLOR_BG);
    SDL_RenderClear(u->renderer);
}

void ui_end(ui *u)
{
    SDL_RenderPresent(u->renderer);
    u->frames++;
}

void ui_set_color(ui *u, ui_color c)
{
    SDL_SetRenderDrawColor(u->renderer, palette[c].r, palette[c].g, palette[c].b, palette[c].a);
}

void ui_fill(ui *u, SDL_Rect r, ui_color c)
{
    ui_set_color(u, c);
    SDL_RenderFillRect(u->renderer, &r);
}

void ui_fill_round(ui *u, SDL_Rect r, int radius, ui_color c)
{
    if (radius * 2 > r.h)
        radius = r.h / 2;
    if (radius * 2 > r.w)
        radius = r.w / 2;
    ui_set_color(u, c);
    SDL_Rect mid = {r.x, r.y + radius, r.w, r.h - 2 * radius};
    SDL_RenderFillRect(u->renderer, &mid);
    for (int dy = 0; dy < radius; dy++) {
        double y = radius - dy - 0.5;
        int inset = radius - (int)lround(sqrt((double)radius * radius - y * y));
        SDL_RenderDrawLine(u->renderer, r.x + inset, r.y + dy, r.x + r.w - 1 - inset, r.y + dy);
        SDL_RenderDrawLine(u->renderer, r.x + inset, r.y + r.h - 1 - dy, r.x + r.w - 1 - inset,
                           r.y + r.h - 1 - dy);
    }
}

void ui_frame(ui *u, SDL_Rect r, int thickness, ui_color c)
{
    ui_fill(u, (SDL_Rect){r.x, r.y, r.w, thickness}, c);
    ui_fill(u, (SDL_Rect){r.x, r.y + r.h - thickness, r.w, thickness}, c);
    ui_fill(u, (SDL_Rect){r.x, r.y, thickness, r.h}, c);
    ui_fill(u, (SDL_Rect){r.x + r.w - thickness, r.y, thickness, r.h}, c);
}

static bool is_arabic(gunichar c)
{
    return (c >= 0x0600 && c <= 0x06FF) || (c >= 0x0750 && c <= 0x077F) ||
           (c >= 0x08A0 && c <= 0x08FF) || (c >= 0xFB50 && c <= 0xFDFF) ||
           (c >= 0xFE70 && c <= 0xFEFF);
}

static bool has_arabic(const char *text)
{
    for (const char *p = text; *p; p = g_utf8_next_char(p))
        if (is_arabic(g_utf8_get_char(p)))
            return true;
    return false;
}

TTF_Font *ui_font_for(ui *u, ui_font_size size, const char *text)
{
    return has_arabic(text) ? u->fonts_arabic[size] : u->fonts[size];
}

/* A run of text in one direction: Arabic (shaped right to left through the Arabic font) or
 * everything else (digits, Latin, Cyrillic; left to right through the main font). */
typedef struct run {
    const char *start;
    size_t len;
    bool arabic;
    int w;
} run;

#define MAX_RUNS 48

/* Splits a line into directional runs, a small part of the Unicode bidi algorithm that is
 * enough for the kiosk's texts: strong letters decide; digits and Latin are left to right;
 * spaces and punctuation belong to the Arabic run unless they sit between two left-to-right
 * characters (so "12, 13" or "ABCD-EFGH-J" stay one run). Text without Arabic is one run. */
static size_t split_runs(const char *text, run *runs)
{
    size_t n = 0;
    if (!has_arabic(text)) {
        runs[0] = (run){text, strlen(text), false, 0};
        return 1;
    }
    const char *p = text;
    while (*p && n < MAX_RUNS) {
        gunichar c = g_utf8_get_char(p);
        bool ltr = g_unichar_isalnum(c) && !is_arabic(c);
        const char *q = p;
        if (ltr) {
            /* Extend over LTR characters and neutrals followed by more LTR. */
            const char *last = g_utf8_next_char(p);
            q = last;
            while (*q) {
                gunichar d = g_utf8_get_char(q);
                if (is_arabic(d))
                    break;
                q = g_utf8_next_char(q);
                if (g_unichar_isalnum(d))
                    last = q;
            }
            q = last;
        } else {
            while (*q) {
                gunichar d = g_utf8_get_char(q);
                if (g_unichar_isalnum(d) && !is_arabic(d))
                    break;
                q = g_utf8_next_char(q);
            }
        }
        runs[n++] = (run){p, (size_t)(q - p), !ltr, 0};
        p = q;
    }
    return n;
}

static TTF_Font *run_font(ui *u, ui_font_size size, const run *r)
{
    return r->arabic ? u->fonts_arabic[size] : u->fonts[size];
}

static int line_width(ui *u, ui_font_size size, const char *line, run *runs, size_t *n_runs)
{
    run local[MAX_RUNS];
    run *rs = runs ? runs : local;
    size_t n = split_runs(line, rs);
    int total = 0;
    for (size_t i = 0; i < n; i++) {
        char *piece = g_strndup(rs[i].start, rs[i].len);
        int w = 0;
        TTF_SizeUTF8(run_font(u, size, &rs[i]), piece, &w, NULL);
        g_free(piece);
        rs[i].w = w;
        total += w;
    }
    if (n_runs)
        *n_runs = n;
    return total;
}

void ui_text_size(ui *u, const char *text, ui_font_size size, int *w, int *h)
{
    int tw = text[0] ? line_width(u, size, text, NULL, NULL) : 0;
    int th = MAX(TTF_FontHeight(u->fonts[size]),
                 has_arabic(text) ? TTF_FontHeight(u->fonts_arabic[size]) : 0);
    if (w)
        *w = tw;
    if (h)
        *h = th;
}

static void record_text(ui *u, const char *text, SDL_Rect r)
{
    if (u->n_texts >= UI_MAX_TEXTS)
        return;
    ui_text_rec *t = &u->texts[u->n_texts++];
    t->rect = r;
    g_strlcpy(t->text, text, sizeof t->text);
}

static void draw_piece(ui *u, TTF_Font *font, const char *piece, int x, int baseline, ui_color fg)
{
    SDL_Surface *s = TTF_RenderUTF8_Blended(font, piece, palette[fg]);
    if (s == NULL)
        return;
    SDL_Texture *t = SDL_CreateTextureFromSurface(u->renderer, s);
    if (t != NULL) {
        /* Runs of two fonts share one baseline. */
        SDL_Rect dst = {x, baseline - TTF_FontAscent(font), s->w, s->h};
        SDL_RenderCopy(u->renderer, t, NULL, &dst);
        SDL_DestroyTexture(t);
    }
    SDL_FreeSurface(s);
}

/* Widens *drawn by a line's box. */
static void cover(SDL_Rect *drawn, int x, int y, int w, int h)
{
    if (drawn->w == 0 && drawn->h == 0) {
        *drawn = (SDL_Rect){x, y, w, h};
        return;
    }
    int x1 = MAX(drawn->x + drawn->w, x + w), y1 = MAX(drawn->y + drawn->h, y + h);
    drawn->x = MIN(drawn->x, x);
    drawn->y = MIN(drawn->y, y);
    drawn->w = x1 - drawn->x;
    drawn->h = y1 - drawn->y;
}

static void draw_line(ui *u, ui_font_size size, const char *line, SDL_Rect r, int y, ui_color fg,
                      ui_align align, SDL_Rect *drawn)
{
    if (line[0] == '\0')
        return;
    run runs[MAX_RUNS];
    size_t n = 0;
    int w = line_width(u, size, line, runs, &n);
    ui_align a = align;
    if (u->rtl && a != UI_ALIGN_CENTER)
        a = a == UI_ALIGN_START ? UI_ALIGN_END : UI_ALIGN_START;
    int x;
    if (a == UI_ALIGN_CENTER)
        x = r.x + (r.w - w) / 2;
    else if (a == UI_ALIGN_END)
        x = r.x + r.w - w;
    else
        x = r.x;
    int font_h = TTF_FontHeight(u->fonts[size]);
    if (has_arabic(line))
        font_h = MAX(font_h, TTF_FontHeight(u->fonts_arabic[size]));
    cover(drawn, x, y, w, font_h);
    bool rtl_line = has_arabic(line);
    int ascent = TTF_FontAscent(u->fonts[size]);
    if (rtl_line)
        ascent = MAX(ascent, TTF_FontAscent(u->fonts_arabic[size]));
    int baseline = y + ascent;
    /* In a line with Arabic the runs go from right to left. */
    int right = x + w;
    for (size_t i = 0; i < n; i++) {
        char *piece = g_strndup(runs[i].start, runs[i].len);
        TTF_Font *font = run_font(u, size, &runs[i]);
        int px = rtl_line ? right - runs[i].w : x;
        draw_piece(u, font, piece, px, baseline, fg);
        g_free(piece);
        if (rtl_line)
            right -= runs[i].w;
        else
            x += runs[i].w;
    }
}

int ui_text(ui *u, const char *text, SDL_Rect r, ui_font_size size, ui_color fg, ui_align align)
{
    if (text == NULL || text[0] == '\0')
        return 0;
    size_t rec = u->n_texts;
    record_text(u, text, r);
    SDL_Rect drawn = {r.x, r.y, 0, 0};
    int line_h = TTF_FontLineSkip(u->fonts[size]);
    if (has_arabic(text))
        line_h = MAX(line_h, TTF_FontLineSkip(u->fonts_arabic[size]));
    int y = r.y;
    /* Explicit line breaks first, then words. */
    g_auto(GStrv) paragraphs = g_strsplit(text, "\n", -1);
    for (char **para = paragraphs; *para; para++) {
        g_auto(GStrv) words = g_strsplit(*para, " ", -1);
        GString *line = g_string_new(NULL);
        for (char **w = words; *w; w++) {
            GString *trial = g_string_new(line->str);
            if (trial->len > 0)
                g_string_append_c(trial, ' ');
            g_string_append(trial, *w);
            int tw = line_width(u, size, trial->str, NULL, NULL);
            if (tw > r.w && line->len > 0) {
                draw_line(u, size, line->str, r, y, fg, align, &drawn);
                y += line_h;
                g_string_assign(line, *w);
                g_string_free(trial, TRUE);
            } else {
                g_string_free(line, TRUE);
                line = trial;
            }
        }
        draw_line(u, size, line->str, r, y, fg, align, &drawn);
        y += line_h;
        g_string_free(line, TRUE);
    }
    if (rec < u->n_texts)
        u->texts[rec].drawn = drawn;
    return y - r.y;
}

gunichar ui_missing_glyph(ui *u, const char *text)
{
    run runs[MAX_RUNS];
    size_t n = split_runs(text, runs);
    for (size_t i = 0; i < n; i++) {
        TTF_Font *font = run_font(u, UI_FONT_BODY, &runs[i]);
        const char *end = runs[i].start + runs[i].len;
        for (const char *p = runs[i].start; p < end; p = g_utf8_next_char(p)) {
            gunichar c = g_utf8_get_char(p);
            if (c == '\n')
                continue;
            if (!TTF_GlyphIsProvided32(font, c))
                return c;
        }
    }
    return 0;
}

int ui_line_height(ui *u, ui_font_size size, const char *text)
{
    int h = TTF_FontLineSkip(u->fonts[size]);
    if (text && has_arabic(text))
        h = MAX(h, TTF_FontLineSkip(u->fonts_arabic[size]));
    return h;
}

void ui_add_hit(ui *u, SDL_Rect r, int id, const char *label)
{
    if (u->n_hits >= UI_MAX_HITS)
        return;
    ui_hit *h = &u->hits[u->n_hits++];
    h->rect = r;
    h->id = id;
    g_strlcpy(h->label, label ? label : "", sizeof h->label);
}

int ui_hit_at(const ui *u, int x, int y)
{
    SDL_Point p = {x, y};
    /* Last drawn is on top (overlays come after the screen below them). */
    for (size_t i = u->n_hits; i-- > 0;)
        if (SDL_PointInRect(&p, &u->hits[i].rect))
            return u->hits[i].id;
    return -1;
}

const ui_hit *ui_hit_by_label(const ui *u, const char *label)
{
    for (size_t i = u->n_hits; i-- > 0;)
        if (strcmp(u->hits[i].label, label) == 0)
            return &u->hits[i];
    for (size_t i = u->n_hits; i-- > 0;)
        if (g_utf8_collate(u->hits[i].label, label) == 0 ||
            g_ascii_strcasecmp(u->hits[i].label, label) == 0)
            return &u->hits[i];
    return NULL;
}

bool ui_shows_text(const ui *u, const char *needle)
{
    for (size_t i = 0; i < u->n_texts; i++)
        if (strstr(u->texts[i].text, needle) != NULL)
            return true;
    return false;
}

static bool inside(SDL_Rect in, SDL_Rect out)
{
    return in.x >= out.x && in.y >= out.y && in.x + in.w <= out.x + out.w &&
           in.y + in.h <= out.y + out.h;
}

char *ui_check_fit(const ui *u)
{
    const SDL_Rect window = {0, 0, u->w, u->h};
    for (size_t i = 0; i < u->n_texts; i++) {
        const ui_text_rec *t = &u->texts[i];
        SDL_Rect d = t->drawn;
        if (d.w == 0 && d.h == 0)
            continue;
        /* A font's height has room under the letters (deep in the Arabic font): the last
         * line's lowest quarter may touch what is below. */
        int line = TTF_FontHeight(u->fonts_arabic[UI_FONT_SMALL]);
        SDL_Rect core = {d.x, d.y, d.w, d.h - MIN(d.h, line) / 4};
        if (!inside(core, window))
            return g_strdup_printf("\"%s\" at %d,%d %dx%d leaves the %dx%d window", t->text, d.x,
                                   d.y, d.w, d.h, u->w, u->h);
        if (d.w > t->rect.w + 1)
            return g_strdup_printf("\"%s\" is %d pixels wide in a box of %d", t->text, d.w,
                                   t->rect.w);
        /* Text that is not a target's label must not run into a target. */
        for (size_t j = 0; i >= u->top_texts && j < u->n_hits; j++) {
            SDL_Rect hr = u->hits[j].rect;
            if (inside(d, hr) || inside(t->rect, hr) || strcmp(t->text, u->hits[j].label) == 0)
                continue;
            if (SDL_HasIntersection(&core, &hr))
                return g_strdup_printf("\"%s\" at %d,%d %dx%d runs into the button \"%s\" at "
                                       "%d,%d %dx%d",
                                       t->text, d.x, d.y, d.w, d.h, u->hits[j].label, hr.x, hr.y,
                                       hr.w, hr.h);
        }
    }
    return NULL;
}

char *ui_texts_joined(const ui *u)
{
    GString *s = g_string_new(NULL);
    for (size_t i = 0; i < u->n_texts; i++) {
        if (i > 0)
            g_string_append(s, " | ");
        g_string_append(s, u->texts[i].text);
    }
    return g_string_free(s, FALSE);
}

SDL_Rect ui_mirror(const ui *u, SDL_Rect r)
{
    if (u->rtl)
        r.x = u->w - r.x - r.w;
    return r;
}

bk_err ui_screenshot(ui *u, const char *path)
{
    int w = u->w, h = u->h;
    pic shot = {w, h, 3, g_malloc((gsize)w * (gsize)h * 3)};
    bk_err err = BK_ERR_UNSUPPORTED;
    if (SDL_RenderReadPixels(u->renderer, NULL, SDL_PIXELFORMAT_RGB24, shot.px, w * 3) == 0)
        err = picio_write_png(&shot, 0, path); /* the screen may show a person: 0600 */
    g_free(shot.px);
    return err;
}
