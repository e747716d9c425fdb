/* Pictograms rendered from SVG with librsvg (pictogram.h). */
#include "ui/pictogram.h"

#include <string.h>

#include <cairo.h>
#include <glib.h>
#include <librsvg/rsvg.h>

#ifndef BIOKIOSK_PICTOGRAM_DIR
#define BIOKIOSK_PICTOGRAM_DIR "/usr/share/biokiosk/pictograms"
#endif

#define MAX_TEXTURES 24

static const char *const names[] = {PICTOGRAM_PHOTO, PICTOGRAM_HAND, PICTOGRAM_SIGN};
#define N_NAMES (sizeof names / sizeof names[0])

typedef struct cached {
    char key[96]; /* name|highlight|w|h */
    SDL_Texture *tex;
    uint64_t used;
} cached;

struct pictograms {
    GBytes *svg[N_NAMES];
    double width[N_NAMES], height[N_NAMES]; /* intrinsic size, for the aspect */
    cached cache[MAX_TEXTURES];
    uint64_t tick;
};

static int name_index(const char *name)
{
    for (size_t i = 0; name && i < N_NAMES; i++)
        if (strcmp(names[i], name) == 0)
            return (int)i;
    return -1;
}

bk_err pictograms_load(const char *dir, pictograms **out, char **message)
{
    if (out == NULL)
        return BK_ERR_INVALID;
    if (dir == NULL || *dir == '\0')
        dir = BIOKIOSK_PICTOGRAM_DIR;
    pictograms *p = g_new0(pictograms, 1);
    for (size_t i = 0; i < N_NAMES; i++) {
        g_autofree char *file = g_strconcat(names[i], ".svg", NULL);
        g_autofree char *path = g_build_filename(dir, file, NULL);
        char *data = NULL;
        gsize len = 0;
        GError *err = NULL;
        RsvgHandle *h = NULL;
        if (g_file_get_contents(path, &data, &len, &err))
            h = rsvg_handle_new_from_data((const guint8 *)data, len, &err);
        if (h == NULL) {
            if (message)
                *message = g_strdup_printf("pictogram %s: %s", path, err ? err->message : "?");
            g_clear_error(&err);
            g_free(data);
            pictograms_free(p);
            return BK_ERR_NOT_FOUND;
        }
        if (!rsvg_handle_get_intrinsic_size_in_pixels(h, &p->width[i], &p->height[i]) ||
            p->width[i] <= 0 || p->height[i] <= 0)
            p->width[i] = p->height[i] = 1;
        g_object_unref(h);
        p->svg[i] = g_bytes_new_take(data, len);
    }
    *out = p;
    return BK_OK;
}

void pictograms_free(pictograms *p)
{
    if (p == NULL)
        return;
    for (size_t i = 0; i < N_NAMES; i++)
        if (p->svg[i])
            g_bytes_unref(p->svg[i]);
    for (size_t i = 0; i < MAX_TEXTURES; i++)
        if (p->cache[i].tex)
            SDL_DestroyTexture(p->cache[i].tex);
    g_free(p);
}

/* Renders the SVG at w x h into a texture (straight alpha, as SDL blends). */
static SDL_Texture *render(ui *u, GBytes *svg, const char *highlight, int w, int h)
{
    gsize len = 0;
    const guint8 *data = g_bytes_get_data(svg, &len);
    RsvgHandle *handle = rsvg_handle_new_from_data(data, len, NULL);
    if (handle == NULL)
        return NULL;
    if (highlight && *highlight) {
        g_autofree char *css = g_strdup_printf("#%s { fill: #%02x%02x%02x !important; }", highlight,
                                               PICTOGRAM_HIGHLIGHT_RGB);
        rsvg_handle_set_stylesheet(handle, (const guint8 *)css, strlen(css), NULL);
    }
    cairo_surface_t *surf = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h);
    cairo_t *cr = cairo_create(surf);
    RsvgRectangle vp = {0, 0, w, h};
    gboolean ok = rsvg_handle_render_document(handle, cr, &vp, NULL);
    cairo_destroy(cr);
    g_object_unref(handle);
    SDL_Texture *tex = NULL;
    if (ok && cairo_surface_status(surf) == CAIRO_STATUS_SUCCESS) {
        cairo_surface_flush(surf);
        int stride = cairo_image_surface_get_stride(surf);
        uint8_t *px = cairo_image_surface_get_data(surf);
        /* cairo's alpha is premultiplied; SDL's blending wants it straight */
        for (int y = 0; y < h; y++) {
            uint32_t *row = (uint32_t *)(void *)(px + (size_t)y * (size_t)stride);
            for (int x = 0; x < w; x++) {
                uint32_t v = row[x], a = v >> 24;
                if (a == 0 || a == 255)
                    continue;
                uint32_t r = ((v >> 16) & 0xff) * 255 / a, g = ((v >> 8) & 0xff) * 255 / a,
                         b = (v & 0xff) * 255 / a;
                row[x] = a << 24 | MIN(r, 255u) << 16 | MIN(g, 255u) << 8 | MIN(b, 255u);
            }
        }
        tex = SDL_CreateTexture(u->renderer, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_STATIC, w,
                                h);
        if (tex) {
            SDL_UpdateTexture(tex, NULL, px, stride);
            SDL_SetTextureBlendMode(tex, SDL_BLENDMODE_BLEND);
        }
    }
    cairo_surface_destroy(surf);
    return tex;
}

static SDL_Texture *texture_for(ui *u, pictograms *p, int idx, const char *highlight, int w, int h)
{
    char key[96];
    snprintf(key, sizeof key, "%s|%s|%d|%d", names[idx], highlight ? highlight : "", w, h);
    cached *slot = &p->cache[0];
    for (size_t i = 0; i < MAX_TEXTURES; i++) {
        if (p->cache[i].tex && strcmp(p->cache[i].key, key) == 0) {
            p->cache[i].used = ++p->tick;
            return p->cache[i].tex;
        }
        if (p->cache[i].used < slot->used)
            slot = &p->cache[i];
    }
    SDL_Texture *tex = render(u, p->svg[idx], highlight, w, h);
    if (tex == NULL)
        return NULL;
    if (slot->tex)
        SDL_DestroyTexture(slot->tex);
    g_strlcpy(slot->key, key, sizeof slot->key);
    slot->tex = tex;
    slot->used = ++p->tick;
    return tex;
}

bool pictogram_draw(ui *u, pictograms *p, const char *name, const char *highlight, bool mirror,
                    SDL_Rect r)
{
    int idx = name_index(name);
    if (u == NULL || p == NULL || idx < 0 || r.w <= 0 || r.h <= 0)
        return false;
    double iw = p->width[idx], ih = p->height[idx];
    /* aspect kept, centred in r */
    double scale = MIN(r.w / iw, r.h / ih);
    int w = MAX(1, (int)(iw * scale)), h = MAX(1, (int)(ih * scale));
    SDL_Texture *tex = texture_for(u, p, idx, highlight, w, h);
    if (tex == NULL)
        return false;
    SDL_Rect dst = {r.x + (r.w - w) / 2, r.y + (r.h - h) / 2, w, h};
    return SDL_RenderCopyEx(u->renderer, tex, NULL, &dst, 0, NULL,
                            mirror ? SDL_FLIP_HORIZONTAL : SDL_FLIP_NONE) == 0;
}
