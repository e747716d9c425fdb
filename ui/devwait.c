/* Audit and staff choice for a capture device that went away (devwait.h). */
#include "ui/devwait.h"

#include <glib.h>

#include "ui/i18n.h"
#include "ui/widgets/widgets.h"

void devwait_init(devwait *w, const char *kind)
{
    *w = (devwait){.kind = kind};
}

void devwait_update(devwait *w, session *s, bool present, const char *why)
{
    if (present == !w->away)
        return;
    char detail[160];
    if (!present) {
        w->away = true;
        w->overdue_logged = false;
        w->since_ms = session_now_ms(s);
        g_snprintf(detail, sizeof detail, "kind=%s reason=%s", w->kind, why ? why : "gone");
        session_audit(s, "device.unplugged", detail);
        return;
    }
    int64_t away = session_now_ms(s) - w->since_ms;
    w->away = false;
    g_snprintf(detail, sizeof detail, "kind=%s away_s=%lld", w->kind,
               (long long)((away < 0 ? 0 : away) / 1000));
    session_audit(s, "device.plugged", detail);
}

bool devwait_away(const devwait *w)
{
    return w->away;
}

int64_t devwait_away_ms(const devwait *w, const session *s)
{
    if (!w->away)
        return 0;
    int64_t d = session_now_ms(s) - w->since_ms;
    return d < 0 ? 0 : d;
}

bool devwait_overdue(devwait *w, session *s)
{
    int limit = session_get_settings(s)->reconnect_seconds;
    if (limit <= 0)
        limit = 120;
    if (!w->away || devwait_away_ms(w, s) < (int64_t)limit * 1000)
        return false;
    if (!w->overdue_logged) {
        w->overdue_logged = true;
        char detail[96];
        g_snprintf(detail, sizeof detail, "kind=%s after_s=%d", w->kind, limit);
        session_audit(s, "device.overdue", detail);
    }
    return true;
}

static const char *device_name(const char *kind)
{
    if (g_strcmp0(kind, "camera") == 0)
        return _("The camera");
    if (g_strcmp0(kind, "fingerprint-reader") == 0)
        return _("The fingerprint reader");
    if (g_strcmp0(kind, "signature-pad") == 0)
        return _("The signature pad");
    return _("The device");
}

int devwait_draw(devwait *w, session *s, ui *u, SDL_Rect r)
{
    /* The applicant waits for the device (and for staff), not the other way round: while it is
     * away the idle timer does not run, so "Are you still there?" cannot end the visit and wipe
     * what was taken. Staff decide after reconnect_seconds. */
    if (w->away)
        session_touch(s);
    if (!devwait_overdue(w, s))
        return 0;
    int pad = ui_px(u, 16);
    int bh = u->target;
    char line[320];
    g_snprintf(line, sizeof line,
               _("%s has not come back for %d seconds. Staff: skip this step or end the visit."),
               device_name(w->kind), (int)(devwait_away_ms(w, s) / 1000));
    int th = ui_line_height(u, UI_FONT_BODY, line) * 2 + pad;
    int h = th + bh + 3 * pad;
    SDL_Rect strip = {r.x, r.y + r.h - h, r.w, h};
    ui_fill(u, strip, UI_COLOR_STAFF);
    ui_text(u, line, (SDL_Rect){strip.x + pad, strip.y + pad, strip.w - 2 * pad, th}, UI_FONT_BODY,
            UI_COLOR_ON_STAFF, UI_ALIGN_START);
    SDL_Rect b = {strip.x + pad, strip.y + strip.h - pad - bh, (strip.w - 3 * pad) / 2, bh};
    if (!session_staff_active(s)) {
        button_draw(u, b, _("Staff"), DEVWAIT_ID_STAFF, BUTTON_STAFF);
    } else {
        button_draw(u, b, _("Skip this step"), DEVWAIT_ID_SKIP, BUTTON_STAFF);
        b.x += b.w + pad;
        button_draw(u, b, _("End the visit"), DEVWAIT_ID_ABORT, BUTTON_ALERT);
    }
    return h;
}

bool devwait_action(devwait *w, session *s, int id)
{
    char detail[96];
    switch (id) {
    case DEVWAIT_ID_STAFF:
        session_staff_open(s);
        return true;
    case DEVWAIT_ID_SKIP:
        if (!session_staff_desk(s))
            return true;
        g_snprintf(detail, sizeof detail, "kind=%s choice=skip", w->kind);
        session_audit(s, "device.gave-up", detail);
        w->away = false; /* the step ends; a later screen starts its own wait */
        session_staff_with_reason(s, SESSION_STAFF_SKIP, VISIT_REASON_DEVICE_UNAVAILABLE);
        return true;
    case DEVWAIT_ID_ABORT:
        if (!session_staff_desk(s))
            return true;
        g_snprintf(detail, sizeof detail, "kind=%s choice=abort", w->kind);
        session_audit(s, "device.gave-up", detail);
        w->away = false;
        session_staff_abort(s);
        return true;
    default:
        return false;
    }
}
