/* The live view's head guide (photo_guide.h). */
#include "ui/screens/photo_guide.h"

#include <math.h>

/* An ellipse outline of the given thickness, inwards. */
static void draw_ellipse(SDL_Renderer *rd, int cx, int cy, int rx, int ry, int thick)
{
    for (int t = 0; t < thick; t++) {
        int ax = rx - t, ay = ry - t;
        int n = 180;
        SDL_Point pts[181];
        for (int i = 0; i <= n; i++) {
            double a = 2 * M_PI * i / n;
            pts[i].x = cx + (int)lround(ax * cos(a));
            pts[i].y = cy + (int)lround(ay * sin(a));
        }
        SDL_RenderDrawLines(rd, pts, n + 1);
    }
}

void photo_guide_head(SDL_Rect v, const icao_guide *g, int *cx, int *cy, int *rx, int *ry)
{
    /* mirrored as the view is: the frame's x runs right to left */
    *cx = v.x + (int)lround(v.w * (1 - g->cx));
    *cy = v.y + (int)lround(v.h * (g->crown + g->chin) / 2);
    *rx = (int)lround(v.w * g->half_width);
    *ry = (int)lround(v.h * (g->chin - g->crown) / 2);
}

void photo_guide_draw(ui *u, SDL_Rect v, const icao_guide *g, bool child, bool pass)
{
    SDL_Renderer *rd = u->renderer;
    int cx, cy, rx, ry;
    photo_guide_head(v, g, &cx, &cy, &rx, &ry);
    if (pass)
        SDL_SetRenderDrawColor(rd, 40, 200, 90, 255);
    else if (child)
        SDL_SetRenderDrawColor(rd, 255, 200, 40, 255);
    else
        SDL_SetRenderDrawColor(rd, 255, 255, 255, 255);
    /* the outline lies inside the head's edge, so a head filling the guide fills its outside */
    int thick = ui_px(u, child ? 10 : 6);
    draw_ellipse(rd, cx, cy, rx, ry, thick);
    /* shoulders: two arcs from the neck down to the edge of the view */
    int neck_y = cy + ry, bottom = v.y + v.h - 1;
    for (int t = 0; t < thick; t++) {
        SDL_Point l[2] = {{cx - rx / 2 - t, neck_y},
                          {cx - rx / 2 - t, neck_y + (bottom - neck_y) / 3}};
        SDL_Point r[2] = {{cx + rx / 2 + t, neck_y},
                          {cx + rx / 2 + t, neck_y + (bottom - neck_y) / 3}};
        SDL_RenderDrawLines(rd, l, 2);
        SDL_RenderDrawLines(rd, r, 2);
        SDL_RenderDrawLine(rd, cx - rx / 2 - t, neck_y + (bottom - neck_y) / 3, v.x + v.w / 10,
                           bottom - t);
        SDL_RenderDrawLine(rd, cx + rx / 2 + t, neck_y + (bottom - neck_y) / 3,
                           v.x + v.w - v.w / 10, bottom - t);
    }
}
