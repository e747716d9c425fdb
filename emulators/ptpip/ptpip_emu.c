#define _GNU_SOURCE
#include "emulators/ptpip/ptpip_emu.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/biomem.h"
#include "imaging/picio.h"

/* PTP/IP packet types (CIPA DC-005) */
enum {
    PKT_INIT_COMMAND_REQUEST = 1,
    PKT_INIT_COMMAND_ACK = 2,
    PKT_INIT_EVENT_REQUEST = 3,
    PKT_INIT_EVENT_ACK = 4,
    PKT_INIT_FAIL = 5,
    PKT_CMD_REQUEST = 6,
    PKT_CMD_RESPONSE = 7,
    PKT_EVENT = 8,
    PKT_START_DATA = 9,
    PKT_DATA = 10,
    PKT_END_DATA = 12,
};

/* PTP operation, response, event, property and type codes used here */
enum {
    OP_GET_DEVICE_INFO = 0x1001,
    OP_OPEN_SESSION = 0x1002,
    OP_CLOSE_SESSION = 0x1003,
    OP_GET_STORAGE_IDS = 0x1004,
    OP_GET_STORAGE_INFO = 0x1005,
    OP_GET_OBJECT_HANDLES = 0x1007,
    OP_GET_OBJECT_INFO = 0x1008,
    OP_GET_OBJECT = 0x1009,
    OP_DELETE_OBJECT = 0x100B,
    OP_INITIATE_CAPTURE = 0x100E,
    OP_GET_DEVICE_PROP_DESC = 0x1014,
    OP_GET_DEVICE_PROP_VALUE = 0x1015,
    OP_SET_DEVICE_PROP_VALUE = 0x1016,
    OP_NIKON_DEVICE_READY = 0x90C8,
    OP_NIKON_START_LIVE_VIEW = 0x9201,
    OP_NIKON_END_LIVE_VIEW = 0x9202,
    OP_NIKON_GET_LIVE_VIEW_IMG = 0x9203,
    RC_OK = 0x2001,
    RC_GENERAL_ERROR = 0x2002,
    RC_OPERATION_NOT_SUPPORTED = 0x2005,
    RC_INVALID_OBJECT_HANDLE = 0x2009,
    RC_DEVICE_PROP_NOT_SUPPORTED = 0x200A,
    RC_INVALID_DEVICE_PROP_VALUE = 0x201C,
    RC_DEVICE_BUSY = 0x2019,
    EV_OBJECT_ADDED = 0x4002,
    EV_CAPTURE_COMPLETE = 0x400D,
    PROP_IMAGE_SIZE = 0x5003,
    PROP_COMPRESSION = 0x5004,
    PROP_NIKON_LIVE_VIEW_STATUS = 0xD1A2,
    TYPE_UINT8 = 0x0002,
    TYPE_STRING = 0xFFFF,
    FORMAT_JPEG = 0x3801,
    VENDOR_NIKON = 0x0000000A,
    STORAGE_ID = 0x00010001,
};

static const uint16_t operations[] = {
    OP_GET_DEVICE_INFO,         OP_OPEN_SESSION,
    OP_CLOSE_SESSION,           OP_GET_STORAGE_IDS,
    OP_GET_STORAGE_INFO,        OP_GET_OBJECT_HANDLES,
    OP_GET_OBJECT_INFO,         OP_GET_OBJECT,
    OP_DELETE_OBJECT,           OP_INITIATE_CAPTURE,
    OP_GET_DEVICE_PROP_DESC,    OP_GET_DEVICE_PROP_VALUE,
    OP_SET_DEVICE_PROP_VALUE,   OP_NIKON_DEVICE_READY,
    OP_NIKON_START_LIVE_VIEW,   OP_NIKON_END_LIVE_VIEW,
    OP_NIKON_GET_LIVE_VIEW_IMG,
};
static const uint16_t events[] = {EV_OBJECT_ADDED, EV_CAPTURE_COMPLETE};
static const uint16_t properties[] = {PROP_IMAGE_SIZE, PROP_COMPRESSION,
                                      PROP_NIKON_LIVE_VIEW_STATUS};
static const uint8_t qualities[] = {0, 1, 2}; /* JPEG basic, normal, fine */

#define SLOW_FRAME_MS 400
#define MAX_OBJECTS   8
#define MAX_PACKET    (1u << 20) /* commands are small; a bigger packet is a broken host */
#define IO_TIMEOUT_MS 5000
/* Nikon's live-view data starts with a header before the JPEG; libgphoto2 skips to FF D8. */
#define LIVE_HEADER 384

typedef struct object {
    uint32_t handle;
    uint8_t *data; /* biomem */
    size_t size;
    int width, height;
} object;

struct ptpip_emu {
    pthread_t thread;
    pthread_mutex_t lock; /* guards the fields marked (locked) */
    int cmd_listen, evt_listen;
    int wake[2]; /* a byte here wakes the thread to look at stop/plugged */
    int port, event_port;
    ptpip_emu_options opt;
    char serial[32];
    pic *portrait; /* the portrait on its padded canvas (see view_window) */
    int portrait_w, portrait_h;
    /* the canvas shrunk once to the live view's scale (NULL when no shrinking is needed):
     * shrinking the whole canvas for every frame would cap live view well below 15 frames/s */
    pic *live_canvas;
    double live_k;                           /* live_canvas pixels per canvas pixel */
    bool stop;                               /* (locked) */
    bool plugged;                            /* (locked) */
    int fault_times[PTPIP_EMU_FAULT_COUNT_]; /* (locked) */
    ptpip_emu_stats stats;                   /* (locked) */
    /* connection state: the thread's own */
    int cmd_fd, evt_fd;
    bool live_on;
    uint32_t next_handle;
    object objects[MAX_OBJECTS];
    int n_objects;
    int frame_no;
    char image_size[32]; /* (locked) mirrored into stats */
    uint8_t quality;
    /* The last full-size capture, made once per size and copied for every capture after it:
     * making a 6000x4000 JPEG takes seconds under the sanitizers. The thread's own. */
    uint8_t *capture_jpeg;
    size_t capture_len;
    int capture_w, capture_h;
};

static const char *const fault_names[PTPIP_EMU_FAULT_COUNT_] = {
    "none", "busy", "no-capture-event", "drop", "corrupt-jpeg", "slow-frames",
};

const char *ptpip_emu_fault_name(ptpip_emu_fault fault)
{
    return (int)fault >= 0 && fault < PTPIP_EMU_FAULT_COUNT_ ? fault_names[fault] : "unknown";
}

int ptpip_emu_fault_from_name(const char *name)
{
    for (int i = 0; i < PTPIP_EMU_FAULT_COUNT_; i++)
        if (strcmp(name, fault_names[i]) == 0)
            return i;
    return -1;
}

ptpip_emu_options ptpip_emu_options_default(void)
{
    ptpip_emu_options o = {0, 0, 1024, 680, 6000, 4000, NULL};
    return o;
}

/* --- little-endian packing into a growable buffer --- */

typedef struct buf {
    uint8_t *p;
    size_t len, cap;
    bool failed;
} buf;

static void put(buf *b, const void *data, size_t n)
{
    if (b->failed || n == 0)
        return;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        while (cap < b->len + n)
            cap *= 2;
        uint8_t *np = realloc(b->p, cap);
        if (np == NULL) {
            b->failed = true;
            return;
        }
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->len, data, n);
    b->len += n;
}

static void put8(buf *b, uint8_t v)
{
    put(b, &v, 1);
}

static void put16(buf *b, uint16_t v)
{
    uint8_t x[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    put(b, x, 2);
}

static void put32(buf *b, uint32_t v)
{
    uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    put(b, x, 4);
}

static void put64(buf *b, uint64_t v)
{
    put32(b, (uint32_t)v);
    put32(b, (uint32_t)(v >> 32));
}

/* PTP string: character count including the terminating zero, then UCS-2LE. */
static void put_str(buf *b, const char *s)
{
    size_t n = strlen(s);
    if (n == 0) {
        put8(b, 0);
        return;
    }
    put8(b, (uint8_t)(n + 1));
    for (size_t i = 0; i <= n; i++)
        put16(b, (uint8_t)s[i]);
}

static void put_array16(buf *b, const uint16_t *v, size_t n)
{
    put32(b, (uint32_t)n);
    for (size_t i = 0; i < n; i++)
        put16(b, v[i]);
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

/* --- socket I/O with timeouts: a stuck host must not stop the emulator --- */

static int wait_fd(int fd, short what, int timeout_ms)
{
    struct pollfd p = {fd, what, 0};
    int r;
    do
        r = poll(&p, 1, timeout_ms);
    while (r < 0 && errno == EINTR);
    return r;
}

static int read_full(int fd, void *dst, size_t n)
{
    uint8_t *d = dst;
    while (n > 0) {
        if (wait_fd(fd, POLLIN, IO_TIMEOUT_MS) <= 0)
            return -1;
        ssize_t r = read(fd, d, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        d += r;
        n -= (size_t)r;
    }
    return 0;
}

static int write_full(int fd, const void *src, size_t n)
{
    const uint8_t *s = src;
    while (n > 0) {
        if (wait_fd(fd, POLLOUT, IO_TIMEOUT_MS) <= 0)
            return -1;
        ssize_t r = send(fd, s, n, MSG_NOSIGNAL);
        if (r < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (r <= 0)
            return -1;
        s += r;
        n -= (size_t)r;
    }
    return 0;
}

/* Reads one packet; *payload is malloc'ed (transfer full). */
static int read_packet(int fd, uint32_t *type, uint8_t **payload, uint32_t *len)
{
    uint8_t h[8];
    if (read_full(fd, h, 8) != 0)
        return -1;
    uint32_t total = get32(h);
    if (total < 8 || total > MAX_PACKET)
        return -1;
    *type = get32(h + 4);
    *len = total - 8;
    *payload = malloc(*len ? *len : 1);
    if (*payload == NULL)
        return -1;
    if (*len && read_full(fd, *payload, *len) != 0) {
        free(*payload);
        return -1;
    }
    return 0;
}

static int send_packet(int fd, uint32_t type, const void *payload, size_t len)
{
    buf b = {0};
    put32(&b, (uint32_t)(len + 8));
    put32(&b, type);
    put(&b, payload, len);
    int r = b.failed ? -1 : write_full(fd, b.p, b.len);
    free(b.p);
    return r;
}

static int send_response(ptpip_emu *e, uint16_t code, uint32_t tid, const uint32_t *params, int n)
{
    buf b = {0};
    put16(&b, code);
    put32(&b, tid);
    for (int i = 0; i < n; i++)
        put32(&b, params[i]);
    int r = b.failed ? -1 : send_packet(e->cmd_fd, PKT_CMD_RESPONSE, b.p, b.len);
    free(b.p);
    return r;
}

/* Sends a data phase: StartData, Data packets, EndData. With `cut_at` < size the connection is
 * left after that many bytes (the dropped-connection fault). */
static int send_data(ptpip_emu *e, uint32_t tid, const uint8_t *data, size_t size, size_t cut_at)
{
    buf b = {0};
    put32(&b, tid);
    put64(&b, size);
    int r = b.failed ? -1 : send_packet(e->cmd_fd, PKT_START_DATA, b.p, b.len);
    free(b.p);
    const size_t chunk = 256 * 1024;
    size_t off = 0;
    while (r == 0) {
        if (off >= cut_at && cut_at < size)
            return -1;
        size_t n = size - off > chunk ? chunk : size - off;
        bool last = off + n == size;
        buf d = {0};
        put32(&d, tid);
        put(&d, data + off, n);
        r = d.failed ? -1 : send_packet(e->cmd_fd, last ? PKT_END_DATA : PKT_DATA, d.p, d.len);
        free(d.p);
        off += n;
        if (last)
            break;
    }
    return r;
}

static int send_event(ptpip_emu *e, uint16_t code, uint32_t tid, uint32_t param)
{
    buf b = {0};
    put16(&b, code);
    put32(&b, tid);
    put32(&b, param);
    int r = b.failed ? -1 : send_packet(e->evt_fd, PKT_EVENT, b.p, b.len);
    free(b.p);
    return r;
}

/* --- pictures --- */

/* Takes one use of a fault; true when it is on. */
static bool take_fault(ptpip_emu *e, ptpip_emu_fault f)
{
    pthread_mutex_lock(&e->lock);
    bool on = e->fault_times[f] != 0;
    if (e->fault_times[f] > 0)
        e->fault_times[f]--;
    pthread_mutex_unlock(&e->lock);
    return on;
}

static bool fault_on(ptpip_emu *e, ptpip_emu_fault f)
{
    pthread_mutex_lock(&e->lock);
    bool on = e->fault_times[f] != 0;
    pthread_mutex_unlock(&e->lock);
    return on;
}

/* The camera's 3:2 frame holds the whole portrait with this much room (a fraction of the
 * frame), and moves by up to JITTER_X / JITTER_Y of its width / height between frames; the
 * canvas is padded so that the moving frame never leaves it. */
#define FRAME_ROOM 0.02
#define JITTER_X   0.02
#define JITTER_Y   0.015

/* The part of the canvas the camera sees: the 3:2 frame around the whole portrait (so that a
 * head anywhere in the portrait is wholly in the picture), moved a little with each frame. */
static void view_window(const ptpip_emu *e, int frame, double *x0, double *y0, double *ww)
{
    const double cw = e->portrait->width, ch = e->portrait->height;
    double h = fmax(e->portrait_h, e->portrait_w / 1.5) * (1 + FRAME_ROOM), w = 1.5 * h;
    double cx = cw / 2 + JITTER_X * w * sin(frame * 0.21);
    double cy = ch / 2 + JITTER_Y * h * sin(frame * 0.13 + 1.0);
    *x0 = fmin(fmax(cx - w / 2, 0), cw - w);
    *y0 = fmin(fmax(cy - h / 2, 0), ch - h);
    *ww = w;
}

static int cmp_u8(const void *a, const void *b)
{
    return (int)*(const uint8_t *)a - (int)*(const uint8_t *)b;
}

/* The portrait in the middle of a canvas the size of the moving frame's reach, padded with the
 * median colour of the portrait's top row (a portrait's background; a flag or a lamp at one
 * end of the row does not change it). */
static bk_err make_canvas(ptpip_emu *e, const pic *portrait)
{
    const int pw = portrait->width, ph = portrait->height;
    double h = fmax(ph, pw / 1.5) * (1 + FRAME_ROOM), w = 1.5 * h;
    int cw = (int)ceil(w * (1 + 2 * JITTER_X)) + 2, ch = (int)ceil(h * (1 + 2 * JITTER_Y)) + 2;
    int left = (cw - pw) / 2, top = (ch - ph) / 2;
    pic *c = NULL;
    bk_err err = pic_new(cw, ch, 3, &c);
    if (err != BK_OK)
        return err;
    uint8_t *row = malloc((size_t)pw);
    if (row == NULL) {
        pic_free(c);
        return BK_ERR_NOMEM;
    }
    uint8_t bg[3];
    for (int k = 0; k < 3; k++) {
        for (int x = 0; x < pw; x++)
            row[x] = portrait->px[(size_t)x * 3 + (size_t)k];
        qsort(row, (size_t)pw, 1, cmp_u8);
        bg[k] = row[pw / 2];
    }
    free(row);
    for (size_t i = 0; i < (size_t)cw * (size_t)ch; i++)
        memcpy(c->px + i * 3, bg, 3);
    for (int y = 0; y < ph; y++)
        memcpy(c->px + ((size_t)(y + top) * (size_t)cw + (size_t)left) * 3,
               portrait->px + (size_t)y * (size_t)pw * 3, (size_t)pw * 3);
    e->portrait = c;
    e->portrait_w = pw;
    e->portrait_h = ph;
    return BK_OK;
}

static int make_jpeg(ptpip_emu *e, int frame, int width, int height, int quality, uint8_t **data,
                     size_t *size)
{
    double x0, y0, w;
    view_window(e, frame, &x0, &y0, &w);
    const pic *from = e->portrait;
    if (e->live_canvas != NULL && width == e->opt.live_width) {
        from = e->live_canvas;
        x0 *= e->live_k;
        y0 *= e->live_k;
        w *= e->live_k;
    }
    double step = w / width;
    pic *p = NULL;
    if (pic_warp(from, x0 + (step - 1) / 2, y0 + (step - 1) / 2, 0, step, width, height, &p) !=
        BK_OK)
        return -1;
    bk_err err = picio_encode_jpeg(p, quality, data, size);
    pic_free(p);
    return err == BK_OK ? 0 : -1;
}

/* --- operations --- */

static int reply_device_info(ptpip_emu *e, uint32_t tid)
{
    buf b = {0};
    put16(&b, 100);          /* standard version 1.00 */
    put32(&b, VENDOR_NIKON); /* makes libgphoto2 take the Nikon live-view path */
    put16(&b, 100);
    put_str(&b, "");
    put16(&b, 0);
    put_array16(&b, operations, sizeof(operations) / sizeof(operations[0]));
    put_array16(&b, events, sizeof(events) / sizeof(events[0]));
    put_array16(&b, properties, sizeof(properties) / sizeof(properties[0]));
    uint16_t jpeg = FORMAT_JPEG;
    put_array16(&b, &jpeg, 1);
    put_array16(&b, &jpeg, 1);
    put_str(&b, "Nikon Corporation");
    put_str(&b, "biokiosk emulated camera");
    put_str(&b, "1.0");
    put_str(&b, e->serial);
    int r = b.failed ? -1 : send_data(e, tid, b.p, b.len, SIZE_MAX);
    free(b.p);
    return r == 0 ? send_response(e, RC_OK, tid, NULL, 0) : -1;
}

static void size_choices(const ptpip_emu *e, char big[32], char small[32])
{
    snprintf(big, 32, "%dx%d", e->opt.capture_width, e->opt.capture_height);
    snprintf(small, 32, "%dx%d", e->opt.capture_width / 2, e->opt.capture_height / 2);
}

static int reply_prop_desc(ptpip_emu *e, uint32_t tid, uint16_t code, bool value_only)
{
    buf b = {0};
    char big[32], small[32], cur[32];
    size_choices(e, big, small);
    pthread_mutex_lock(&e->lock);
    memcpy(cur, e->image_size, sizeof(cur));
    pthread_mutex_unlock(&e->lock);
    if (code == PROP_IMAGE_SIZE) {
        if (value_only) {
            put_str(&b, cur);
        } else {
            put16(&b, code);
            put16(&b, TYPE_STRING);
            put8(&b, 1);
            put_str(&b, big);
            put_str(&b, cur);
            put8(&b, 2); /* enumeration */
            put16(&b, 2);
            put_str(&b, big);
            put_str(&b, small);
        }
    } else if (code == PROP_COMPRESSION) {
        if (value_only) {
            put8(&b, e->quality);
        } else {
            put16(&b, code);
            put16(&b, TYPE_UINT8);
            put8(&b, 1);
            put8(&b, 2);
            put8(&b, e->quality);
            put8(&b, 2);
            put16(&b, sizeof(qualities));
            for (size_t i = 0; i < sizeof(qualities); i++)
                put8(&b, qualities[i]);
        }
    } else if (code == PROP_NIKON_LIVE_VIEW_STATUS) {
        if (value_only) {
            put8(&b, e->live_on);
        } else {
            put16(&b, code);
            put16(&b, TYPE_UINT8);
            put8(&b, 0);
            put8(&b, 0);
            put8(&b, e->live_on);
            put8(&b, 0);
        }
    } else {
        free(b.p);
        return send_response(e, RC_DEVICE_PROP_NOT_SUPPORTED, tid, NULL, 0);
    }
    int r = b.failed ? -1 : send_data(e, tid, b.p, b.len, SIZE_MAX);
    free(b.p);
    return r == 0 ? send_response(e, RC_OK, tid, NULL, 0) : -1;
}

/* Reads the host's data phase of SetDevicePropValue. */
static int read_host_data(ptpip_emu *e, uint8_t **data, uint32_t *size)
{
    uint32_t type, len;
    uint8_t *p;
    if (read_packet(e->cmd_fd, &type, &p, &len) != 0)
        return -1;
    if (type != PKT_START_DATA || len < 12) {
        free(p);
        return -1;
    }
    uint32_t total = get32(p + 4);
    free(p);
    if (total > MAX_PACKET)
        return -1;
    uint8_t *out = malloc(total ? total : 1);
    uint32_t got = 0;
    if (out == NULL)
        return -1;
    for (;;) {
        if (read_packet(e->cmd_fd, &type, &p, &len) != 0 || len < 4 ||
            (type != PKT_DATA && type != PKT_END_DATA) || len - 4 > total - got) {
            free(out);
            if (len >= 4)
                free(p);
            return -1;
        }
        memcpy(out + got, p + 4, len - 4);
        got += len - 4;
        free(p);
        if (type == PKT_END_DATA)
            break;
    }
    *data = out;
    *size = got;
    return 0;
}

static int set_prop(ptpip_emu *e, uint32_t tid, uint16_t code)
{
    uint8_t *d = NULL;
    uint32_t n = 0;
    if (read_host_data(e, &d, &n) != 0)
        return -1;
    uint16_t rc = RC_INVALID_DEVICE_PROP_VALUE;
    if (code == PROP_COMPRESSION && n == 1 && d[0] <= 2) {
        pthread_mutex_lock(&e->lock);
        e->quality = d[0];
        e->stats.quality = d[0];
        pthread_mutex_unlock(&e->lock);
        rc = RC_OK;
    } else if (code == PROP_IMAGE_SIZE && n >= 1 && n == 1u + 2u * d[0] && d[0] < 32) {
        char s[32] = {0}, big[32], small[32];
        for (int i = 0; i + 1 < d[0]; i++)
            s[i] = (char)d[1 + 2 * i];
        size_choices(e, big, small);
        if (strcmp(s, big) == 0 || strcmp(s, small) == 0) {
            pthread_mutex_lock(&e->lock);
            memcpy(e->image_size, s, sizeof(s));
            memcpy(e->stats.image_size, s, sizeof(s));
            pthread_mutex_unlock(&e->lock);
            rc = RC_OK;
        }
    } else if (code != PROP_COMPRESSION && code != PROP_IMAGE_SIZE) {
        rc = RC_DEVICE_PROP_NOT_SUPPORTED;
    }
    free(d);
    return send_response(e, rc, tid, NULL, 0);
}

static object *find_object(ptpip_emu *e, uint32_t handle)
{
    for (int i = 0; i < e->n_objects; i++)
        if (e->objects[i].handle == handle)
            return &e->objects[i];
    return NULL;
}

static void drop_object(ptpip_emu *e, object *o)
{
    biomem_free(o->data);
    *o = e->objects[--e->n_objects];
}

static int capture(ptpip_emu *e, uint32_t tid)
{
    if (take_fault(e, PTPIP_EMU_FAULT_BUSY))
        return send_response(e, RC_DEVICE_BUSY, tid, NULL, 0);
    if (e->n_objects == MAX_OBJECTS)
        drop_object(e, &e->objects[0]);
    int w, h;
    pthread_mutex_lock(&e->lock);
    if (sscanf(e->image_size, "%dx%d", &w, &h) != 2)
        w = e->opt.capture_width, h = e->opt.capture_height;
    pthread_mutex_unlock(&e->lock);
    /* Like a real camera: InitiateCapture is answered at once, and the picture is announced by
     * an event when it is made. Making it here can take longer than the host waits for a
     * response (under the sanitizers), but not longer than it waits for the capture event. */
    if (send_response(e, RC_OK, tid, NULL, 0) != 0)
        return -1;
    if (e->capture_jpeg == NULL || e->capture_w != w || e->capture_h != h) {
        biomem_free(e->capture_jpeg);
        e->capture_jpeg = NULL;
        if (make_jpeg(e, e->frame_no, w, h, 92, &e->capture_jpeg, &e->capture_len) != 0)
            return 0; /* no picture: the host's capture times out */
        e->capture_w = w;
        e->capture_h = h;
    }
    object o = {e->next_handle++, biomem_alloc(e->capture_len), e->capture_len, w, h};
    if (o.data == NULL)
        return 0;
    memcpy(o.data, e->capture_jpeg, o.size);
    if (take_fault(e, PTPIP_EMU_FAULT_CORRUPT_JPEG))
        o.size = o.size * 55 / 100; /* cut off: no end-of-image marker, rows missing */
    e->objects[e->n_objects++] = o;
    pthread_mutex_lock(&e->lock);
    e->stats.captures++;
    pthread_mutex_unlock(&e->lock);
    if (take_fault(e, PTPIP_EMU_FAULT_NO_CAPTURE_EVENT))
        return 0;
    if (send_event(e, EV_OBJECT_ADDED, tid, o.handle) != 0)
        return -1;
    return send_event(e, EV_CAPTURE_COMPLETE, tid, tid);
}

static int reply_object_info(ptpip_emu *e, uint32_t tid, const object *o)
{
    buf b = {0};
    char name[32];
    snprintf(name, sizeof(name), "DSC_%04u.JPG", (unsigned)(o->handle % 10000));
    put32(&b, STORAGE_ID);
    put16(&b, FORMAT_JPEG);
    put16(&b, 0);
    put32(&b, (uint32_t)o->size);
    put16(&b, 0);
    put32(&b, 0);
    put32(&b, 0);
    put32(&b, 0);
    put32(&b, (uint32_t)o->width);
    put32(&b, (uint32_t)o->height);
    put32(&b, 24);
    put32(&b, 0);
    put16(&b, 0);
    put32(&b, 0);
    put32(&b, 0);
    put_str(&b, name);
    put_str(&b, "20260101T120000");
    put_str(&b, "20260101T120000");
    put_str(&b, "");
    int r = b.failed ? -1 : send_data(e, tid, b.p, b.len, SIZE_MAX);
    free(b.p);
    return r == 0 ? send_response(e, RC_OK, tid, NULL, 0) : -1;
}

static int live_frame(ptpip_emu *e, uint32_t tid)
{
    if (fault_on(e, PTPIP_EMU_FAULT_SLOW_FRAMES)) {
        take_fault(e, PTPIP_EMU_FAULT_SLOW_FRAMES);
        struct timespec ts = {0, SLOW_FRAME_MS * 1000000L};
        nanosleep(&ts, NULL);
    }
    uint8_t *jpeg = NULL;
    size_t size = 0;
    if (make_jpeg(e, ++e->frame_no, e->opt.live_width, e->opt.live_height, 80, &jpeg, &size) != 0)
        return send_response(e, RC_GENERAL_ERROR, tid, NULL, 0);
    uint8_t *all = biomem_alloc(LIVE_HEADER + size);
    if (all == NULL) {
        biomem_free(jpeg);
        return send_response(e, RC_GENERAL_ERROR, tid, NULL, 0);
    }
    memcpy(all + LIVE_HEADER, jpeg, size);
    biomem_free(jpeg);
    int r = send_data(e, tid, all, LIVE_HEADER + size, SIZE_MAX);
    biomem_free(all);
    if (r != 0)
        return -1;
    pthread_mutex_lock(&e->lock);
    e->stats.frames++;
    pthread_mutex_unlock(&e->lock);
    return send_response(e, RC_OK, tid, NULL, 0);
}

/* PTPIP_EMU_TRACE=1 prints every connection and operation on stderr, for debugging hosts. */
static void trace(const char *fmt, ...)
{
    static int on = -1;
    if (on < 0)
        on = getenv("PTPIP_EMU_TRACE") != NULL;
    if (!on)
        return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "ptpip-emu: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* Handles one command; -1 when the connection must be closed. */
static int handle_command(ptpip_emu *e, const uint8_t *p, uint32_t len)
{
    if (len < 10)
        return -1;
    uint16_t code = get16(p + 4);
    uint32_t tid = get32(p + 6);
    uint32_t param[5] = {0};
    int np = (int)((len - 10) / 4);
    for (int i = 0; i < np && i < 5; i++)
        param[i] = get32(p + 10 + 4 * i);
    trace("op 0x%04x tid %u param 0x%x", code, tid, param[0]);
    switch (code) {
    case OP_GET_DEVICE_INFO:
        return reply_device_info(e, tid);
    case OP_OPEN_SESSION:
    case OP_CLOSE_SESSION:
    case OP_NIKON_DEVICE_READY:
        return send_response(e, RC_OK, tid, NULL, 0);
    case OP_GET_STORAGE_IDS: {
        buf b = {0};
        put32(&b, 1);
        put32(&b, STORAGE_ID);
        int r = b.failed ? -1 : send_data(e, tid, b.p, b.len, SIZE_MAX);
        free(b.p);
        return r == 0 ? send_response(e, RC_OK, tid, NULL, 0) : -1;
    }
    case OP_GET_STORAGE_INFO: {
        buf b = {0};
        put16(&b, 4); /* removable RAM (a card) */
        put16(&b, 2); /* generic hierarchical */
        put16(&b, 0); /* read-write */
        put64(&b, 32ull << 30);
        put64(&b, 30ull << 30);
        put32(&b, 2000);
        put_str(&b, "SD");
        put_str(&b, "NIKON");
        int r = b.failed ? -1 : send_data(e, tid, b.p, b.len, SIZE_MAX);
        free(b.p);
        return r == 0 ? send_response(e, RC_OK, tid, NULL, 0) : -1;
    }
    case OP_GET_OBJECT_HANDLES: {
        buf b = {0};
        put32(&b, (uint32_t)e->n_objects);
        for (int i = 0; i < e->n_objects; i++)
            put32(&b, e->objects[i].handle);
        int r = b.failed ? -1 : send_data(e, tid, b.p, b.len, SIZE_MAX);
        free(b.p);
        return r == 0 ? send_response(e, RC_OK, tid, NULL, 0) : -1;
    }
    case OP_GET_OBJECT_INFO: {
        object *o = find_object(e, param[0]);
        if (o == NULL)
            return send_response(e, RC_INVALID_OBJECT_HANDLE, tid, NULL, 0);
        return reply_object_info(e, tid, o);
    }
    case OP_GET_OBJECT: {
        object *o = find_object(e, param[0]);
        if (o == NULL)
            return send_response(e, RC_INVALID_OBJECT_HANDLE, tid, NULL, 0);
        size_t cut = SIZE_MAX;
        if (take_fault(e, PTPIP_EMU_FAULT_DROP))
            cut = o->size / 2;
        if (send_data(e, tid, o->data, o->size, cut) != 0)
            return -1;
        return send_response(e, RC_OK, tid, NULL, 0);
    }
    case OP_DELETE_OBJECT: {
        object *o = find_object(e, param[0]);
        if (o == NULL)
            return send_response(e, RC_INVALID_OBJECT_HANDLE, tid, NULL, 0);
        drop_object(e, o);
        return send_response(e, RC_OK, tid, NULL, 0);
    }
    case OP_INITIATE_CAPTURE:
        return capture(e, tid);
    case OP_GET_DEVICE_PROP_DESC:
        return reply_prop_desc(e, tid, (uint16_t)param[0], false);
    case OP_GET_DEVICE_PROP_VALUE:
        return reply_prop_desc(e, tid, (uint16_t)param[0], true);
    case OP_SET_DEVICE_PROP_VALUE:
        return set_prop(e, tid, (uint16_t)param[0]);
    case OP_NIKON_START_LIVE_VIEW:
        e->live_on = true;
        pthread_mutex_lock(&e->lock);
        e->stats.live_on = true;
        pthread_mutex_unlock(&e->lock);
        return send_response(e, RC_OK, tid, NULL, 0);
    case OP_NIKON_END_LIVE_VIEW:
        e->live_on = false;
        pthread_mutex_lock(&e->lock);
        e->stats.live_on = false;
        pthread_mutex_unlock(&e->lock);
        return send_response(e, RC_OK, tid, NULL, 0);
    case OP_NIKON_GET_LIVE_VIEW_IMG:
        return live_frame(e, tid);
    default:
        return send_response(e, RC_OPERATION_NOT_SUPPORTED, tid, NULL, 0);
    }
}

/* --- connections --- */

static void close_connection(ptpip_emu *e)
{
    if (e->cmd_fd >= 0)
        trace("connection closed");
    if (e->cmd_fd >= 0)
        close(e->cmd_fd);
    if (e->evt_fd >= 0)
        close(e->evt_fd);
    e->cmd_fd = e->evt_fd = -1;
    e->live_on = false;
}

static int accept_on(int listen_fd)
{
    int fd;
    do
        fd = accept(listen_fd, NULL, NULL);
    while (fd < 0 && errno == EINTR);
    if (fd >= 0) {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    }
    return fd;
}

/* A second host is answered with InitFail (reason "busy"), as a camera that already has a host
 * does; while unplugged the connection is just closed, as if nothing were there. */
static void refuse(ptpip_emu *e, bool unplugged)
{
    int fd = accept_on(e->cmd_listen);
    if (fd < 0)
        return;
    trace("connection refused (%s)", unplugged ? "unplugged" : "another host");
    uint8_t reason[4] = {1, 0, 0, 0};
    if (!unplugged)
        (void)send_packet(fd, PKT_INIT_FAIL, reason, sizeof(reason));
    close(fd);
    pthread_mutex_lock(&e->lock);
    e->stats.refused++;
    pthread_mutex_unlock(&e->lock);
}

static int handshake(ptpip_emu *e, int cmd_fd)
{
    uint32_t type, len;
    uint8_t *p = NULL;
    if (read_packet(cmd_fd, &type, &p, &len) != 0)
        return -1;
    free(p);
    if (type != PKT_INIT_COMMAND_REQUEST)
        return -1;
    buf b = {0};
    put32(&b, 1); /* connection number */
    for (int i = 0; i < 16; i++)
        put8(&b, (uint8_t)(0xB1 + i));
    const char *name = "biokiosk-cam";
    for (const char *c = name; *c; c++)
        put16(&b, (uint8_t)*c);
    put16(&b, 0);
    put16(&b, 0); /* minor */
    put16(&b, 1); /* major */
    int r = b.failed ? -1 : send_packet(cmd_fd, PKT_INIT_COMMAND_ACK, b.p, b.len);
    free(b.p);
    if (r != 0)
        return -1;
    if (wait_fd(e->evt_listen, POLLIN, IO_TIMEOUT_MS) <= 0)
        return -1;
    int evt_fd = accept_on(e->evt_listen);
    if (evt_fd < 0)
        return -1;
    if (read_packet(evt_fd, &type, &p, &len) != 0) {
        close(evt_fd);
        return -1;
    }
    free(p);
    if (type != PKT_INIT_EVENT_REQUEST || send_packet(evt_fd, PKT_INIT_EVENT_ACK, NULL, 0) != 0) {
        close(evt_fd);
        return -1;
    }
    e->cmd_fd = cmd_fd;
    e->evt_fd = evt_fd;
    trace("connection open");
    pthread_mutex_lock(&e->lock);
    e->stats.connections++;
    pthread_mutex_unlock(&e->lock);
    return 0;
}

static void drain_wake(ptpip_emu *e)
{
    char tmp[64];
    while (read(e->wake[0], tmp, sizeof(tmp)) > 0) {
    }
}

static void *run(void *arg)
{
    ptpip_emu *e = arg;
    for (;;) {
        pthread_mutex_lock(&e->lock);
        bool stop = e->stop, plugged = e->plugged;
        pthread_mutex_unlock(&e->lock);
        if (stop)
            break;
        if (!plugged && e->cmd_fd >= 0)
            close_connection(e);
        struct pollfd p[4] = {
            {e->wake[0], POLLIN, 0},
            {e->cmd_listen, POLLIN, 0},
            {e->cmd_fd, POLLIN, 0},
            {e->evt_fd, POLLIN, 0},
        };
        int n = e->cmd_fd >= 0 ? 4 : 2;
        int r = poll(p, (nfds_t)n, 1000);
        if (r < 0 && errno != EINTR)
            break;
        if (r <= 0)
            continue;
        if (p[0].revents)
            drain_wake(e);
        if (n == 4 && e->evt_fd >= 0 && (p[3].revents & (POLLIN | POLLHUP | POLLERR))) {
            /* hosts send nothing on the event channel; anything readable is its end */
            char tmp[256];
            if (read(e->evt_fd, tmp, sizeof(tmp)) <= 0)
                close_connection(e);
        }
        if (n == 4 && e->cmd_fd >= 0 && (p[2].revents & (POLLIN | POLLHUP | POLLERR))) {
            uint32_t type, len;
            uint8_t *pl = NULL;
            if (read_packet(e->cmd_fd, &type, &pl, &len) != 0) {
                close_connection(e);
                continue;
            }
            int ok = type == PKT_CMD_REQUEST ? handle_command(e, pl, len) : 0;
            free(pl);
            if (ok != 0)
                close_connection(e);
        }
        /* after the connection's own traffic, so a host that just left is not counted as a
         * second host when it comes back at once */
        if (p[1].revents & POLLIN) {
            if (e->cmd_fd >= 0 || !plugged) {
                refuse(e, !plugged);
            } else {
                int fd = accept_on(e->cmd_listen);
                if (fd >= 0 && handshake(e, fd) != 0)
                    close(fd);
            }
        }
    }
    close_connection(e);
    return NULL;
}

static int listen_on(int port, int *bound)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t alen = sizeof(a);
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(fd, 4) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &alen) != 0) {
        close(fd);
        return -1;
    }
    *bound = ntohs(a.sin_port);
    return fd;
}

bk_err ptpip_emu_new(const pic *portrait, const ptpip_emu_options *options, ptpip_emu **out)
{
    if (portrait == NULL || portrait->channels != 3 || options == NULL ||
        options->live_width < 16 || options->live_height < 16 || options->capture_width < 16 ||
        options->capture_height < 16)
        return BK_ERR_INVALID;
    ptpip_emu *e = calloc(1, sizeof(*e));
    if (e == NULL)
        return BK_ERR_NOMEM;
    e->opt = *options;
    e->cmd_fd = e->evt_fd = e->cmd_listen = e->evt_listen = -1;
    e->wake[0] = e->wake[1] = -1;
    e->plugged = true;
    e->next_handle = 0x10001;
    e->quality = 1; /* JPEG normal, and the smaller size: the driver is to pick the best */
    snprintf(e->image_size, sizeof(e->image_size), "%dx%d", options->capture_width / 2,
             options->capture_height / 2);
    memcpy(e->stats.image_size, e->image_size, sizeof(e->image_size));
    e->stats.quality = e->quality;
    pthread_mutex_init(&e->lock, NULL);
    snprintf(e->serial, sizeof(e->serial), "%s",
             options->serial ? options->serial : PTPIP_EMU_SERIAL);
    bk_err err = make_canvas(e, portrait);
    if (err != BK_OK)
        goto fail;
    double x0, y0, w;
    view_window(e, 0, &x0, &y0, &w);
    if (w > options->live_width * 1.2) {
        e->live_k = options->live_width / w;
        err = pic_resize(e->portrait, (int)lround(e->portrait->width * e->live_k),
                         (int)lround(e->portrait->height * e->live_k), &e->live_canvas);
        if (err != BK_OK)
            goto fail;
    }
    err = BK_ERR_IO;
    if (pipe2(e->wake, O_CLOEXEC | O_NONBLOCK) != 0)
        goto fail;
    e->cmd_listen = listen_on(options->port, &e->port);
    if (e->cmd_listen < 0)
        goto fail;
    e->evt_listen = listen_on(options->event_port, &e->event_port);
    if (e->evt_listen < 0)
        goto fail;
    if (pthread_create(&e->thread, NULL, run, e) != 0)
        goto fail;
    *out = e;
    return BK_OK;
fail:
    if (e->cmd_listen >= 0)
        close(e->cmd_listen);
    if (e->evt_listen >= 0)
        close(e->evt_listen);
    if (e->wake[0] >= 0) {
        close(e->wake[0]);
        close(e->wake[1]);
    }
    pic_free(e->portrait);
    pic_free(e->live_canvas);
    pthread_mutex_destroy(&e->lock);
    free(e);
    return err;
}

static void wake(ptpip_emu *e)
{
    char c = 1;
    (void)!write(e->wake[1], &c, 1);
}

void ptpip_emu_free(ptpip_emu *e)
{
    if (e == NULL)
        return;
    pthread_mutex_lock(&e->lock);
    e->stop = true;
    pthread_mutex_unlock(&e->lock);
    wake(e);
    pthread_join(e->thread, NULL);
    close(e->cmd_listen);
    close(e->evt_listen);
    close(e->wake[0]);
    close(e->wake[1]);
    while (e->n_objects > 0)
        drop_object(e, &e->objects[0]);
    pic_free(e->portrait);
    pic_free(e->live_canvas);
    biomem_free(e->capture_jpeg);
    pthread_mutex_destroy(&e->lock);
    free(e);
}

int ptpip_emu_port(const ptpip_emu *e)
{
    return e->port;
}

int ptpip_emu_event_port(const ptpip_emu *e)
{
    return e->event_port;
}

void ptpip_emu_set_fault(ptpip_emu *e, ptpip_emu_fault fault, int times)
{
    if ((int)fault < 0 || fault >= PTPIP_EMU_FAULT_COUNT_)
        return;
    pthread_mutex_lock(&e->lock);
    if (fault == PTPIP_EMU_FAULT_NONE)
        memset(e->fault_times, 0, sizeof(e->fault_times));
    else
        e->fault_times[fault] = times;
    pthread_mutex_unlock(&e->lock);
}

void ptpip_emu_set_plugged(ptpip_emu *e, bool plugged)
{
    pthread_mutex_lock(&e->lock);
    e->plugged = plugged;
    pthread_mutex_unlock(&e->lock);
    wake(e);
}

void ptpip_emu_get_stats(ptpip_emu *e, ptpip_emu_stats *out)
{
    pthread_mutex_lock(&e->lock);
    *out = e->stats;
    pthread_mutex_unlock(&e->lock);
}
