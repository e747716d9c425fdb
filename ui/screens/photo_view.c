/* The officer's look at the photos taken: one at a time, large, with zoom (photo_view.h). */
#include "ui/screens/photo_view.h"

#include <math.h>
#include <string.h>

#include "ui/screens/screens.h"

/* The part of the thumb a zoom shows, with dst's shape: around the eyes 1.8 eye distances
 * wide (both eyes, their lids and brows), around the mouth 1.3 (the lips and the chin's top). */
static SDL_Rect zoom_source(const photo_attempt *a, SDL_Rect dst, photo_zoom zoom)
{
    const pic *t = a->thumb;
    SDL_Rect all = {0, 0, t->width, t->height};
    double iod = a->eyes[1][0] - a->eyes[0][0];
    if (zoom == PHOTO_ZOOM_NONE || !a->marked || iod < 4 || dst.w <= 0 || dst.h <= 0)
        return all;
    double cx = (a->eyes[0][0] + a->eyes[1][0]) / 2, cy = (a->eyes[0][1] + a->eyes[1][1]) / 2;
    double w = 1.8 * iod;
    if (zoom == PHOTO_ZOOM_MOUTH) {
        cx = a->mouth[0];
        cy = a->mouth[1];
        w = 1.3 * iod;
    }
    double h = w * dst.h / dst.w;
    if (w > t->width || h > t->height)
        return all;
    /* kept inside the photo: near an edge the window moves rather than shrinks */
    int x = (int)lround(fmin(fmax(cx - w / 2, 0), t->width - w));
    int y = (int)lround(fmin(fmax(cy - h / 2, 0), t->height - h));
    return (SDL_Rect){x, y, (int)lround(w), (int)lround(h)};
}

_Static_assert(ICAO_OUT_WIDTH == 2 * PHOTO_THUMB_W && ICAO_OUT_HEIGHT == 2 * PHOTO_THUMB_H,
               "the thumb is the crop at half size");

void photo_zoom_cache_clear(photo_zoom_cache *c)
{
    pic_free(c->part);
    memset(c, 0, sizeof *c);
}

/* The crop's pixels of src (thumb pixels), from the cache or decoded into it; NULL when they
 * cannot be had (the thumb is enlarged then). */
static const pic *zoom_part(photo_zoom_cache *c, const photo_attempt *a, SDL_Rect src)
{
    if (c->a != a || !SDL_RectEquals(&c->src, &src)) {
        photo_zoom_cache_clear(c);
        c->a = a;
        c->src = src;
        if (photo_attempt_region(a, 2 * src.x, 2 * src.y, 2 * src.w, 2 * src.h, &c->part) != BK_OK)
            c->part = NULL;
    }
    return c->part;
}

void photo_view_pic(ui *u, const photo_attempt *a, SDL_Rect dst, photo_zoom zoom, SDL_Rect *src_out,
                    photo_zoom_cache *cache)
{
    const pic *pc = a ? a->thumb : NULL;
    if (pc == NULL || pc->channels != 3) {
        ui_fill(u, dst, UI_COLOR_PANEL);
        return;
    }
    SDL_Rect src = zoom_source(a, dst, zoom);
    if (src_out)
        *src_out = src;
    /* zoomed: the crop's own pixels, twice the thumb's, so the officer sees the photo's detail */
    const pic *part = src.w < pc->width && cache ? zoom_part(cache, a, src) : NULL;
    SDL_Rect from = src;
    if (part != NULL) {
        pc = part;
        from = (SDL_Rect){0, 0, part->width, part->height};
    }
    SDL_Texture *tx = SDL_CreateTexture(u->renderer, SDL_PIXELFORMAT_RGB24,
                                        SDL_TEXTUREACCESS_STATIC, pc->width, pc->height);
    if (tx == NULL)
        return;
    SDL_UpdateTexture(tx, NULL, pc->px, pc->width * 3);
    SDL_RenderCopy(u->renderer, tx, &from, &dst);
    SDL_DestroyTexture(tx);
}

/* A button as wide as its words need (at least min_w), at (x, y); returns its width. */
static int fit_button(ui *u, int x, int y, int min_w, const char *label, int id, button_style st)
{
    int w = 0, h = 0;
    ui_text_size(u, label, UI_FONT_BODY, &w, &h);
    w = MAX(min_w, w + ui_px(u, 48));
    button_draw(u, ui_mirror(u, (SDL_Rect){x, y, w, u->target}), label, id, st);
    return w;
}

SDL_Rect photo_view_place(SDL_Rect r, int side_h, int gap, SDL_Rect *rest)
{
    /* beside the text: side_h high, never wider than half of r */
    int ph = side_h, pw = ph * PHOTO_THUMB_W / PHOTO_THUMB_H;
    if (pw > r.w / 2) {
        pw = r.w / 2;
        ph = pw * PHOTO_THUMB_H / PHOTO_THUMB_W;
    }
    if (r.h > r.w && ph < r.h / 2) {
        /* upright: above the text, three fifths of the height (as wide as r at most) */
        ph = MIN(r.h * 3 / 5, r.w * PHOTO_THUMB_H / PHOTO_THUMB_W);
        pw = ph * PHOTO_THUMB_W / PHOTO_THUMB_H;
        *rest = (SDL_Rect){r.x, r.y + ph + gap, r.w, r.h - ph - gap};
    } else {
        *rest = (SDL_Rect){r.x + pw + gap, r.y, r.w - pw - gap, r.h};
    }
    return (SDL_Rect){r.x, r.y, pw, ph};
}

SDL_Rect photo_view_draw(ui *u, const photo_view *v, SDL_Rect r)
{
    const photo_attempt *a = v->attempts[v->shown];
    int gap = ui_px(u, 24), small = ui_line_height(u, UI_FONT_SMALL, "Ag");
    /* the photo: as tall as r allows beside the text, never wider than half of it; above the
     * text on an upright screen */
    SDL_Rect rest;
    SDL_Rect pr = ui_mirror(u, photo_view_place(r, r.h, gap, &rest));
    photo_view_pic(u, a, pr, v->zoom, v->src_out, v->zoom_cache);
    r = rest;

    int x = r.x, w = r.w, y = r.y;
    char line[128];
    g_snprintf(line, sizeof line, _("Photo %d of %d"), v->shown + 1, v->n);
    y += ui_text(u, line, ui_mirror(u, (SDL_Rect){x, y, w, r.h}), UI_FONT_TITLE, UI_COLOR_TEXT,
                 UI_ALIGN_START);
    g_snprintf(line, sizeof line, "%d: %s", v->shown + 1,
               a->compliant ? _("meets the rules") : _("does not meet the rules"));
    y += ui_text(u, line, ui_mirror(u, (SDL_Rect){x, y, w, r.h}), UI_FONT_BODY,
                 a->compliant ? UI_COLOR_TEXT : UI_COLOR_ALERT, UI_ALIGN_START);
    /* the officer decides knowing why: every check that failed, by name, two columns */
    int col = w / 2, k = 0;
    for (int c = 0; c < a->n_checks; c++) {
        if (a->checks[c].pass)
            continue;
        SDL_Rect cr = {x + (k % 2) * col, y + (k / 2) * small, col - ui_px(u, 8), small};
        ui_text(u, v->label(a->checks[c].name), ui_mirror(u, cr), UI_FONT_SMALL, UI_COLOR_ALERT,
                UI_ALIGN_START);
        k++;
    }
    y += (k + 1) / 2 * small + gap / 2;
    /* one tap zooms to the eyes or the mouth; another shows the whole photo again */
    int bx = x, bw = ui_px(u, 180);
    if (a->marked) {
        bx += fit_button(u, bx, y, bw, _("Eyes"), PHOTO_VIEW_ID_EYES,
                         v->zoom == PHOTO_ZOOM_EYES ? BUTTON_PRIMARY : BUTTON_SECONDARY) +
              gap / 2;
        bx += fit_button(u, bx, y, bw, _("Mouth"), PHOTO_VIEW_ID_MOUTH,
                         v->zoom == PHOTO_ZOOM_MOUTH ? BUTTON_PRIMARY : BUTTON_SECONDARY) +
              gap / 2;
        fit_button(u, bx, y, bw, _("Whole photo"), PHOTO_VIEW_ID_WHOLE,
                   v->zoom == PHOTO_ZOOM_NONE ? BUTTON_PRIMARY : BUTTON_SECONDARY);
        y += u->target + gap / 2;
    }
    bx = x;
    if (v->shown > 0)
        bx += fit_button(u, bx, y, bw, _("Previous photo"), PHOTO_VIEW_ID_PREV, BUTTON_SECONDARY) +
              gap / 2;
    if (v->shown + 1 < v->n)
        bx += fit_button(u, bx, y, bw, _("Next photo"), PHOTO_VIEW_ID_NEXT, BUTTON_SECONDARY);
    if (bx != x)
        y += u->target + gap / 2;
    /* the officer's choice in one row: keep this photo, or reject them all (below when the row
     * is too narrow for both) */
    bx = x;
    if (v->staff && a->cropped) {
        char label[64];
        g_snprintf(label, sizeof label, _("Keep photo %d"), v->shown + 1);
        bx += fit_button(u, x, y, ui_px(u, 300), label, v->keep_id + v->shown, BUTTON_STAFF) +
              gap / 2;
    }
    if (v->reject) {
        int tw = 0, th = 0;
        ui_text_size(u, v->reject, UI_FONT_BODY, &tw, &th);
        int rw = MIN(w, MAX(ui_px(u, 480), tw + ui_px(u, 64)));
        if (bx != x && bx + rw > x + w) {
            y += u->target + gap / 2;
            bx = x;
        }
        button_draw(u, ui_mirror(u, (SDL_Rect){bx, y, rw, u->target}), v->reject, v->reject_id,
                    BUTTON_SECONDARY);
        bx += rw;
    }
    if (bx != x)
        y += u->target + gap / 2;
    if (v->note)
        ui_text(u, v->note, ui_mirror(u, (SDL_Rect){x, y, w, r.y + r.h - y}), UI_FONT_SMALL,
                UI_COLOR_TEXT, UI_ALIGN_START);
    return pr;
}

/* What no check of icao.c covers (icao_not_checked()), said wherever "meets the rules" is. */
static const char not_checked_text[] =
    N_("Not checked by the kiosk: expression beyond a closed mouth, glasses and reflections, "
       "head covering, gaze — the officer looks.");
/* ... and when the face landmark model did not load (icao_result_not_checked() then names the
 * mouth, eyes, pose and light too): a face was found, but those checks were not made */
static const char not_checked_no_model_text[] =
    N_("Not checked by the kiosk: mouth, eyes, head pose and light on the face (the face "
       "landmark model is not loaded), expression, glasses and reflections, head covering, gaze "
       "— the officer looks.");

const char *photo_view_not_checked(const photo_attempt *a)
{
    bool fitted = !a->marked; /* no face: the failed checks say so */
    for (int i = 0; i < a->n_checks && !fitted; i++)
        fitted = strcmp(a->checks[i].name, "mouth_closed") == 0;
    return fitted ? _(not_checked_text) : _(not_checked_no_model_text);
}
