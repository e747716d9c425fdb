#include "emulators/finger/fingerfeed.h"

#include <errno.h>
#include <glib-unix.h>
#include <glib.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/biomem.h"

/* The virtual image device's commands: two native int32, negative first for a command. */
enum {
    CMD_RETRY = -1,
    CMD_ERROR = -2,
    CMD_FINGER = -4,
    CMD_UNPLUG = -5,
};

typedef struct action {
    int cmd; /* 0 for an image */
    int arg;
    fingerimg *img;
} action;

struct fingerfeed {
    char *path;
    int fd;
    gboolean reconnect; /* the device behind fd was unplugged: connect afresh next time */
    guint watch;
    guint retry;  /* a timeout source that tries the first action again, 0 none */
    int retries;  /* tries of the first action so far */
    uint8_t *out; /* biomem: pending bytes to the device */
    size_t out_len, out_off;
    GQueue actions;
};

fingerfeed *fingerfeed_new(const char *socket_path)
{
    fingerfeed *f = g_new0(fingerfeed, 1);
    f->path = g_strdup(socket_path);
    f->fd = -1;
    g_queue_init(&f->actions);
    return f;
}

static void drop_connection(fingerfeed *f)
{
    if (f->watch != 0)
        g_source_remove(f->watch);
    f->watch = 0;
    if (f->fd >= 0)
        close(f->fd);
    f->fd = -1;
    biomem_free(f->out);
    f->out = NULL;
    f->out_len = f->out_off = 0;
}

static void action_free(gpointer p)
{
    action *a = p;
    fingerimg_free(a->img);
    g_free(a);
}

void fingerfeed_free(fingerfeed *f)
{
    if (f == NULL)
        return;
    if (f->retry != 0)
        g_source_remove(f->retry);
    drop_connection(f);
    g_queue_clear_full(&f->actions, action_free);
    g_free(f->path);
    g_free(f);
}

static gboolean connect_now(fingerfeed *f)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(f->path) >= sizeof addr.sun_path) {
        g_warning("finger feeder: socket path too long");
        return FALSE;
    }
    strcpy(addr.sun_path, f->path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return FALSE;
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        g_message("finger feeder: cannot connect to the virtual device: %s", g_strerror(errno));
        close(fd);
        return FALSE;
    }
    f->fd = fd;
    f->reconnect = FALSE;
    return TRUE;
}

/* Writes what the socket takes now; the rest waits for the socket to drain, so a large image
 * never blocks the loop that also runs the device reading it. */
static gboolean flush(fingerfeed *f)
{
    while (f->out_off < f->out_len) {
        ssize_t n = send(f->fd, f->out + f->out_off, f->out_len - f->out_off, MSG_NOSIGNAL);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return TRUE;
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            g_message("finger feeder: the virtual device closed the connection");
            drop_connection(f);
            return FALSE;
        }
        f->out_off += (size_t)n;
    }
    biomem_free(f->out);
    f->out = NULL;
    f->out_len = f->out_off = 0;
    return FALSE;
}

static gboolean on_writable(gint fd, GIOCondition cond, gpointer data)
{
    fingerfeed *f = data;
    gboolean more = flush(f);
    if (!more)
        f->watch = 0;
    return more ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

/* Connected (again after an unplug) to the device; false when it cannot be reached now. */
static gboolean ensure_connected(fingerfeed *f)
{
    if (f->reconnect)
        drop_connection(f);
    return f->fd >= 0 || connect_now(f);
}

static void send_bytes(fingerfeed *f, const void *a, size_t alen, const void *b, size_t blen)
{
    if (!ensure_connected(f))
        return;
    size_t rest = f->out_len - f->out_off;
    uint8_t *buf = biomem_alloc(rest + alen + blen);
    if (buf == NULL)
        return;
    if (rest > 0)
        memcpy(buf, f->out + f->out_off, rest);
    memcpy(buf + rest, a, alen);
    if (blen > 0)
        memcpy(buf + rest + alen, b, blen);
    biomem_free(f->out);
    f->out = buf;
    f->out_len = rest + alen + blen;
    f->out_off = 0;
    if (f->watch == 0 && flush(f))
        f->watch = g_unix_fd_add(f->fd, G_IO_OUT, on_writable, f);
}

static void send_command(fingerfeed *f, int32_t cmd, int32_t arg)
{
    int32_t hdr[2] = {cmd, arg};
    send_bytes(f, hdr, sizeof hdr, NULL, 0);
}

static void queue(fingerfeed *f, int cmd, int arg, fingerimg *img)
{
    action *a = g_new0(action, 1);
    a->cmd = cmd;
    a->arg = arg;
    a->img = img;
    g_queue_push_tail(&f->actions, a);
}

bk_err fingerfeed_queue_image(fingerfeed *f, const fingerimg *img)
{
    fingerimg *copy = NULL;
    bk_err err = fingerimg_new_from(img->width, img->height, img->pix, &copy);
    if (err != BK_OK)
        return err;
    queue(f, 0, 0, copy);
    return BK_OK;
}

bk_err fingerfeed_queue_file(fingerfeed *f, const char *path)
{
    fingerimg *img = NULL;
    bk_err err = fingerimg_load(path, &img, NULL);
    if (err != BK_OK)
        return err;
    queue(f, 0, 0, img);
    return BK_OK;
}

void fingerfeed_queue_retry(fingerfeed *f, int retry_code)
{
    queue(f, CMD_RETRY, retry_code, NULL);
}

void fingerfeed_queue_error(fingerfeed *f, int error_code)
{
    queue(f, CMD_ERROR, error_code, NULL);
}

void fingerfeed_queue_unplug(fingerfeed *f)
{
    queue(f, CMD_UNPLUG, 0, NULL);
}

#define RETRY_MS    100
#define RETRY_TRIES 50

static gboolean retry_first(gpointer data)
{
    fingerfeed *f = data;
    f->retry = 0;
    fingerfeed_finger_needed(f);
    return G_SOURCE_REMOVE;
}

bool fingerfeed_finger_needed(fingerfeed *f)
{
    if (g_queue_is_empty(&f->actions))
        return false;
    if (!ensure_connected(f)) {
        /* the device's socket is not there or full: the action waits rather than vanish */
        if (f->retry == 0 && ++f->retries <= RETRY_TRIES)
            f->retry = g_timeout_add(RETRY_MS, retry_first, f);
        else if (f->retry == 0)
            g_warning("finger feeder: the virtual device cannot be reached; %u actions wait",
                      g_queue_get_length(&f->actions));
        return true;
    }
    f->retries = 0;
    action *a = g_queue_pop_head(&f->actions);
    if (a->cmd == 0) {
        int32_t hdr[2] = {a->img->width, a->img->height};
        send_bytes(f, hdr, sizeof hdr, a->img->pix, (size_t)a->img->width * a->img->height);
    } else {
        send_command(f, a->cmd, a->arg);
        if (a->cmd == CMD_UNPLUG)
            f->reconnect = TRUE;
    }
    action_free(a);
    return true;
}

void fingerfeed_unplug_now(fingerfeed *f)
{
    send_command(f, CMD_UNPLUG, 0);
    f->reconnect = TRUE;
}

void fingerfeed_finger(fingerfeed *f, bool present)
{
    send_command(f, CMD_FINGER, present ? 1 : 0);
}

size_t fingerfeed_pending(const fingerfeed *f)
{
    return f->actions.length;
}
