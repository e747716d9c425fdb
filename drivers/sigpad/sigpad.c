#include "drivers/sigpad/sigpad.h"

#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <libusb.h>

#include "core/biomem.h"

enum {
    QUEUE_MAX = 1 << 16,    /* events kept for an owner that does not drain */
    HANDLE_EVENTS_MS = 100, /* how often the worker looks at the stop flag */
    REPLUG_POLL_MS = 100,
    CONTROL_TIMEOUT_MS = 2000,
    SERIAL_TIMEOUT_MS = 1000, /* per request: a pad that does not answer is "unknown" */
    HID_CLASS = 3,
    HID_DESCRIPTOR = 0x21,
    HID_REPORT_DESCRIPTOR = 0x22,
};

/* A device opened and claimed, with its layout. */
typedef struct link {
    libusb_device_handle *handle;
    int iface;
    bool detached; /* the kernel driver was detached by us: re-attach on release */
    uint8_t ep_in;
    int packet;
    sigreport_layout layout;
} link;

struct sigpad {
    libusb_context *ctx;
    link link;
    sigpad_info info;
    uint8_t bus_hint;

    GThread *worker;
    gint stop; /* atomic: the owner asked the worker to end */
    struct libusb_transfer *transfer;
    bool in_flight;    /* worker thread only */
    bool lost;         /* worker thread only: reading failed; the pad is opened afresh */
    bool vanished;     /* worker thread only: ... because it was pulled out, not a stall */
    uint8_t *buffer;   /* biomem: reports are pen data */
    size_t buffer_len; /* a replugged pad must not need more */
    gint64 t0;

    GMutex lock; /* guards what follows */
    GCond cond;
    sigpad_event *queue; /* biomem ring */
    size_t head;
    size_t count;
    size_t cap;
    sigpad_stats stats;
};

static bk_err usb_err(int r)
{
    switch (r) {
    case LIBUSB_SUCCESS:
        return BK_OK;
    case LIBUSB_ERROR_ACCESS:
        return BK_ERR_PERMISSION;
    case LIBUSB_ERROR_NO_DEVICE:
    case LIBUSB_ERROR_NOT_FOUND:
        return BK_ERR_NO_DEVICE;
    case LIBUSB_ERROR_BUSY:
        return BK_ERR_BUSY;
    case LIBUSB_ERROR_TIMEOUT:
        return BK_ERR_TIMEOUT;
    case LIBUSB_ERROR_NO_MEM:
        return BK_ERR_NOMEM;
    case LIBUSB_ERROR_NOT_SUPPORTED:
        return BK_ERR_UNSUPPORTED;
    case LIBUSB_ERROR_PIPE:
    case LIBUSB_ERROR_OVERFLOW:
        return BK_ERR_DEVICE;
    default:
        return BK_ERR_IO;
    }
}

/* A control transfer with an IN data stage, sent as an asynchronous transfer whose endpoint
 * carries the direction bit (0x80). The kernel sets that bit itself for IN requests, so this
 * changes nothing on real hardware; umockdev's usbfs replay needs it to return the data. The
 * buffer is zeroed so that nothing uninitialised reaches the device path. */
typedef struct control_wait {
    int done;
} control_wait;

static void LIBUSB_CALL control_done(struct libusb_transfer *t)
{
    ((control_wait *)t->user_data)->done = 1;
}

static bk_err control_in(libusb_context *ctx, libusb_device_handle *h, uint8_t request_type,
                         uint8_t request, uint16_t value, uint16_t index, uint8_t *data,
                         uint16_t len, size_t *got, unsigned timeout_ms)
{
    bk_err err = BK_ERR_NOMEM;
    uint8_t *buf = g_malloc0(LIBUSB_CONTROL_SETUP_SIZE + len);
    struct libusb_transfer *t = libusb_alloc_transfer(0);
    control_wait w = {0};
    if (t == NULL)
        goto out;
    libusb_fill_control_setup(buf, request_type, request, value, index, len);
    libusb_fill_control_transfer(t, h, buf, control_done, &w, timeout_ms);
    t->endpoint = LIBUSB_ENDPOINT_IN;
    int r = libusb_submit_transfer(t);
    if (r != 0) {
        err = usb_err(r);
        goto out;
    }
    while (!w.done) {
        r = libusb_handle_events_completed(ctx, &w.done);
        if (r != 0 && r != LIBUSB_ERROR_INTERRUPTED) {
            libusb_cancel_transfer(t);
            while (!w.done)
                libusb_handle_events_completed(ctx, &w.done);
        }
    }
    switch (t->status) {
    case LIBUSB_TRANSFER_COMPLETED: {
        /* usbfs counts the data stage only; a replay may count the setup packet as well */
        size_t n = (size_t)t->actual_length;
        if (n > len)
            n = len;
        memcpy(data, libusb_control_transfer_get_data(t), n);
        *got = n;
        err = BK_OK;
        break;
    }
    case LIBUSB_TRANSFER_NO_DEVICE:
        err = BK_ERR_NO_DEVICE;
        break;
    case LIBUSB_TRANSFER_TIMED_OUT:
        err = BK_ERR_TIMEOUT;
        break;
    default:
        err = BK_ERR_DEVICE;
        break;
    }
out:
    libusb_free_transfer(t);
    g_free(buf);
    return err;
}

/* The HID interface of a configuration with an interrupt IN endpoint, and the length of its
 * report descriptor from the HID class descriptor. */
static bool find_hid(const struct libusb_config_descriptor *cfg, int *iface, uint8_t *ep,
                     int *packet, uint16_t *rdesc_len, bool *boot)
{
    for (int i = 0; i < cfg->bNumInterfaces; i++) {
        if (cfg->interface[i].num_altsetting < 1)
            continue;
        const struct libusb_interface_descriptor *d = &cfg->interface[i].altsetting[0];
        if (d->bInterfaceClass != HID_CLASS)
            continue;
        for (int e = 0; e < d->bNumEndpoints; e++) {
            const struct libusb_endpoint_descriptor *epd = &d->endpoint[e];
            if ((epd->bEndpointAddress & LIBUSB_ENDPOINT_IN) &&
                (epd->bmAttributes & 3) == LIBUSB_TRANSFER_TYPE_INTERRUPT) {
                *iface = d->bInterfaceNumber;
                *ep = epd->bEndpointAddress;
                *packet = epd->wMaxPacketSize;
                *rdesc_len = 0;
                /* The HID descriptor follows the interface descriptor: 9 bytes, the report
                 * descriptor's type and length at offsets 6 and 7. */
                const uint8_t *x = d->extra;
                for (int k = 0; x != NULL && k + 9 <= d->extra_length; k += x[k] ? x[k] : 1) {
                    if (x[k + 1] == HID_DESCRIPTOR && x[k] >= 9 &&
                        x[k + 6] == HID_REPORT_DESCRIPTOR) {
                        *rdesc_len = (uint16_t)(x[k + 7] | (x[k + 8] << 8));
                        break;
                    }
                }
                /* boot keyboards and mice are never pads; leave them to the kernel */
                *boot = d->bInterfaceSubClass == 1 &&
                        (d->bInterfaceProtocol == 1 || d->bInterfaceProtocol == 2);
                return true;
            }
        }
    }
    return false;
}

static void release(link *l)
{
    if (l->handle == NULL)
        return;
    libusb_release_interface(l->handle, l->iface);
    if (l->detached)
        libusb_attach_kernel_driver(l->handle, l->iface);
    libusb_close(l->handle);
    l->handle = NULL;
    l->detached = false;
}

static const char sysfs_root[] = "/sys/bus/usb/devices";

/* The name of a device's directory in sysfs_root ("1-5"), found by its bus and device numbers
 * (transfer full), or NULL. */
static char *sysfs_device(libusb_device *dev)
{
    GDir *dir = g_dir_open(sysfs_root, 0, NULL);
    if (dir == NULL)
        return NULL;
    char *name = NULL;
    const char *e;
    while (name == NULL && (e = g_dir_read_name(dir)) != NULL) {
        if (strchr(e, ':') != NULL)
            continue; /* an interface, not a device */
        char *bus_path = g_strdup_printf("%s/%s/busnum", sysfs_root, e);
        char *dev_path = g_strdup_printf("%s/%s/devnum", sysfs_root, e);
        char *bus = NULL, *num = NULL;
        if (g_file_get_contents(bus_path, &bus, NULL, NULL) &&
            g_file_get_contents(dev_path, &num, NULL, NULL) &&
            g_ascii_strtoull(bus, NULL, 10) == libusb_get_bus_number(dev) &&
            g_ascii_strtoull(num, NULL, 10) == libusb_get_device_address(dev))
            name = g_strdup(e);
        g_free(bus);
        g_free(num);
        g_free(bus_path);
        g_free(dev_path);
    }
    g_dir_close(dir);
    return name;
}

/* Keeps printable ASCII of a serial number (others become '?'), without surrounding blanks;
 * "unknown" when nothing is left. */
static void put_serial(const uint16_t *chars, size_t n, char *out, size_t size)
{
    char text[SIGPAD_SERIAL_MAX];
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < sizeof text; i++)
        text[k++] = chars[i] >= 0x20 && chars[i] < 0x7F ? (char)chars[i] : '?';
    text[k] = '\0';
    g_strstrip(text);
    snprintf(out, size, "%s", text[0] ? text : "unknown");
}

/* The serial number the kernel read when the device was plugged in (sysfs attribute "serial"):
 * for a device this driver does not open. */
static void sysfs_serial(libusb_device *dev, char *out, size_t size)
{
    snprintf(out, size, "unknown");
    char *name = sysfs_device(dev);
    if (name == NULL)
        return;
    char *path = g_strdup_printf("%s/%s/serial", sysfs_root, name);
    char *text = NULL;
    gsize n = 0;
    if (g_file_get_contents(path, &text, &n, NULL)) {
        uint16_t chars[SIGPAD_SERIAL_MAX];
        size_t k = 0;
        for (gsize i = 0; i < n && text[i] != '\n' && k < G_N_ELEMENTS(chars); i++)
            chars[k++] = (uint8_t)text[i];
        put_serial(chars, k, out, size);
    }
    g_free(text);
    g_free(path);
    g_free(name);
}

/* The serial number string of an opened device (string descriptor `index` in the device's first
 * language). A device without one, or one that stalls or does not answer within the timeout,
 * gives "unknown": the serial names the pad in the record, it is never a reason not to use it. */
static void usb_serial(libusb_context *ctx, libusb_device_handle *h, uint8_t index, char *out,
                       size_t size)
{
    snprintf(out, size, "unknown");
    if (index == 0)
        return;
    uint8_t langs[4];
    size_t got = 0;
    if (control_in(ctx, h, 0x80, LIBUSB_REQUEST_GET_DESCRIPTOR, LIBUSB_DT_STRING << 8, 0, langs,
                   sizeof langs, &got, SERIAL_TIMEOUT_MS) != BK_OK ||
        got < 4 || langs[0] < 4 || langs[1] != LIBUSB_DT_STRING)
        return;
    uint16_t lang = (uint16_t)(langs[2] | langs[3] << 8);
    uint8_t desc[255];
    if (control_in(ctx, h, 0x80, LIBUSB_REQUEST_GET_DESCRIPTOR,
                   (uint16_t)(LIBUSB_DT_STRING << 8 | index), lang, desc, sizeof desc, &got,
                   SERIAL_TIMEOUT_MS) != BK_OK)
        return;
    size_t n = MIN(got, (size_t)desc[0]);
    if (n < 2 || desc[1] != LIBUSB_DT_STRING)
        return;
    uint16_t chars[(sizeof desc - 2) / 2];
    size_t k = 0;
    for (size_t i = 2; i + 1 < n; i += 2)
        chars[k++] = (uint16_t)(desc[i] | desc[i + 1] << 8);
    put_serial(chars, k, out, size);
}

/* The kernel's copy of an interface's report descriptor, present while a HID driver holds the
 * interface: /sys/bus/usb/devices/<device>:<config>.<interface>/<hid device>/report_descriptor.
 * Reading it needs neither opening the device nor taking it from its driver, so ordinary HID
 * devices (the touch screen, a scanner) are looked at without disturbing them. */
static bool sysfs_rdesc(libusb_device *dev, int config, int iface, uint8_t **out, size_t *len)
{
    char *name = sysfs_device(dev);
    if (name == NULL)
        return false;
    char *if_path = g_strdup_printf("%s/%s:%d.%d", sysfs_root, name, config, iface);
    g_free(name);
    bool found = false;
    const char *e;
    GDir *dir = g_dir_open(if_path, 0, NULL);
    while (dir != NULL && !found && (e = g_dir_read_name(dir)) != NULL) {
        char *path = g_build_filename(if_path, e, "report_descriptor", NULL);
        char *data = NULL;
        gsize n = 0;
        if (g_file_get_contents(path, &data, &n, NULL) && n > 0 && n <= 4096) {
            *out = (uint8_t *)data;
            *len = n;
            found = true;
        } else {
            g_free(data);
        }
        g_free(path);
    }
    if (dir != NULL)
        g_dir_close(dir);
    g_free(if_path);
    return found;
}

/* What a report descriptor makes of a device: BK_OK with f->verdict and, when usable, l->layout;
 * BK_ERR_NOT_FOUND for an ordinary HID device of a vendor that makes no pads. */
static bk_err judge_descriptor(const uint8_t *rdesc, size_t len, const sigtable_pad *row, link *l,
                               sigpad_found *f)
{
    hidparse_layout *desc = g_malloc(sizeof *desc);
    bk_err err = hidparse_parse(rdesc, len, desc);
    if (err == BK_OK)
        err = sigreport_from_hid(desc, &l->layout);
    g_free(desc);
    if (err == BK_OK && l->layout.report_len > (size_t)l->packet) {
        f->verdict = SIGPAD_UNSUPPORTED;
        snprintf(f->reason, sizeof f->reason, "pen report longer than the endpoint's packet");
    } else if (err == BK_ERR_UNSUPPORTED) {
        f->verdict = SIGPAD_UNSUPPORTED;
        snprintf(f->reason, sizeof f->reason, "digitizer without a physical size");
    } else if (err != BK_OK && row != NULL) {
        /* a signature-pad vendor, but nothing this kiosk can read: say so, never guess */
        f->verdict = SIGPAD_UNSUPPORTED;
        snprintf(f->reason, sizeof f->reason, "layout unknown and no digitizer descriptor");
    } else if (err != BK_OK) {
        return BK_ERR_NOT_FOUND;
    }
    return BK_OK;
}

/* Opens the device and takes the interface, from its kernel driver only when one is active. */
static bk_err take(libusb_device *dev, link *l)
{
    int r = libusb_open(dev, &l->handle);
    if (r != 0) {
        l->handle = NULL;
        return usb_err(r);
    }
    if (libusb_kernel_driver_active(l->handle, l->iface) == 1) {
        r = libusb_detach_kernel_driver(l->handle, l->iface);
        if (r != 0) {
            libusb_close(l->handle);
            l->handle = NULL;
            return usb_err(r);
        }
        l->detached = true;
    }
    r = libusb_claim_interface(l->handle, l->iface);
    if (r != 0) {
        if (l->detached)
            libusb_attach_kernel_driver(l->handle, l->iface);
        libusb_close(l->handle);
        l->handle = NULL;
        l->detached = false;
        return usb_err(r);
    }
    return BK_OK;
}

/* Decides what one device is. With `keep`, a usable pad is left opened and claimed in *out;
 * everything else is released. BK_ERR_NOT_FOUND: not a pad (and not reported). */
static bk_err probe(libusb_context *ctx, libusb_device *dev, bool keep, link *out,
                    sigpad_found *found)
{
    struct libusb_device_descriptor dd;
    if (libusb_get_device_descriptor(dev, &dd) != 0)
        return BK_ERR_NOT_FOUND;
    const sigtable_pad *row = sigtable_lookup(dd.idVendor, dd.idProduct);

    struct libusb_config_descriptor *cfg = NULL;
    if (libusb_get_active_config_descriptor(dev, &cfg) != 0 &&
        libusb_get_config_descriptor(dev, 0, &cfg) != 0)
        return BK_ERR_NOT_FOUND;
    link l = {0};
    uint16_t rdesc_len = 0;
    bool boot = false;
    bool has_hid = find_hid(cfg, &l.iface, &l.ep_in, &l.packet, &rdesc_len, &boot);
    int config = cfg->bConfigurationValue;
    libusb_free_config_descriptor(cfg);
    if (row == NULL && (!has_hid || boot))
        return BK_ERR_NOT_FOUND;

    sigpad_found f = {0};
    f.vendor = dd.idVendor;
    f.product = dd.idProduct;
    f.bus = libusb_get_bus_number(dev);
    f.address = libusb_get_device_address(dev);
    snprintf(f.model, sizeof f.model, "%s", row ? row->model : "HID pen");
    snprintf(f.serial, sizeof f.serial, "unknown");
    if (!has_hid) {
        f.verdict = SIGPAD_UNSUPPORTED;
        snprintf(f.reason, sizeof f.reason, "no HID interface with an interrupt IN endpoint");
        sysfs_serial(dev, f.serial, sizeof f.serial);
        *found = f;
        return BK_OK;
    }

    bk_err err;
    bool stu = row != NULL && row->layout == SIGTABLE_LAYOUT_STU;
    uint8_t *rdesc = NULL;
    size_t rdesc_got = 0;
    if (!stu && sysfs_rdesc(dev, config, l.iface, &rdesc, &rdesc_got)) {
        err = judge_descriptor(rdesc, rdesc_got, row, &l, &f);
        g_free(rdesc);
        if (err == BK_OK && keep && f.verdict == SIGPAD_USABLE)
            err = take(dev, &l);
    } else if ((err = take(dev, &l)) == BK_OK && stu) {
        uint8_t cap[SIGREPORT_STU_CAPABILITY_LEN];
        size_t got = 0;
        err =
            control_in(ctx, l.handle, 0xA1, 0x01, (uint16_t)(0x0300 | SIGREPORT_STU_CAPABILITY_ID),
                       (uint16_t)l.iface, cap, sizeof cap, &got, CONTROL_TIMEOUT_MS);
        if (err == BK_OK && sigreport_from_stu_capability(cap, got, &l.layout) != BK_OK) {
            f.verdict = SIGPAD_UNSUPPORTED;
            snprintf(f.reason, sizeof f.reason, "capability report not understood");
        }
        if (err == BK_OK && l.layout.report_len > (size_t)l.packet) {
            f.verdict = SIGPAD_UNSUPPORTED;
            snprintf(f.reason, sizeof f.reason, "pen report longer than the endpoint's packet");
        }
    } else if (err == BK_OK) {
        rdesc = g_malloc0(rdesc_len ? rdesc_len : 1);
        err = rdesc_len == 0 ? BK_ERR_CORRUPT
                             : control_in(ctx, l.handle, 0x81, LIBUSB_REQUEST_GET_DESCRIPTOR,
                                          HID_REPORT_DESCRIPTOR << 8, (uint16_t)l.iface, rdesc,
                                          rdesc_len, &rdesc_got, CONTROL_TIMEOUT_MS);
        if (err == BK_OK)
            err = judge_descriptor(rdesc, rdesc_got, row, &l, &f);
        else if (row == NULL)
            err = BK_ERR_NOT_FOUND; /* an ordinary HID device that would not say */
        g_free(rdesc);
    }
    /* The serial from the device itself when it is open, else the kernel's copy. */
    if (err == BK_OK && l.handle != NULL)
        usb_serial(ctx, l.handle, dd.iSerialNumber, f.serial, sizeof f.serial);
    else if (err == BK_OK)
        sysfs_serial(dev, f.serial, sizeof f.serial);
    if (err != BK_OK || !keep || f.verdict != SIGPAD_USABLE)
        release(&l);
    else
        *out = l;
    if (err == BK_OK)
        *found = f;
    return err;
}

/* Finds a pad: the first usable one, or with `want` the one with those ids. A pad that was
 * pulled out can linger in libusb's list until the hot-plug event is processed; *stale (a
 * reference, or NULL) names it so that it is skipped, and is dropped once it has left. */
static bk_err find_pad(libusb_context *ctx, const sigpad_found *want, libusb_device **stale,
                       link *out, sigpad_found *found)
{
    libusb_device **list = NULL;
    ssize_t n = libusb_get_device_list(ctx, &list);
    if (n < 0)
        return usb_err((int)n);
    if (stale != NULL && *stale != NULL) {
        bool listed = false;
        for (ssize_t i = 0; i < n; i++)
            listed = listed || list[i] == *stale;
        if (!listed) {
            libusb_unref_device(*stale);
            *stale = NULL;
        }
    }
    bk_err result = BK_ERR_NO_DEVICE;
    for (ssize_t i = 0; i < n; i++) {
        struct libusb_device_descriptor dd;
        if (stale != NULL && list[i] == *stale)
            continue;
        if (want != NULL && (libusb_get_device_descriptor(list[i], &dd) != 0 ||
                             dd.idVendor != want->vendor || dd.idProduct != want->product))
            continue;
        sigpad_found f;
        bk_err err = probe(ctx, list[i], true, out, &f);
        if (err == BK_OK && f.verdict == SIGPAD_USABLE) {
            *found = f;
            result = BK_OK;
            break;
        }
        if (err == BK_OK) {
            g_log_structured(G_LOG_DOMAIN, G_LOG_LEVEL_WARNING, "MESSAGE",
                             "signature pad %04x:%04x (%s) not supported: %s", f.vendor, f.product,
                             f.model, f.reason);
            if (result == BK_ERR_NO_DEVICE)
                result = BK_ERR_UNSUPPORTED;
        } else if (err != BK_ERR_NOT_FOUND && result == BK_ERR_NO_DEVICE) {
            result = err;
        }
    }
    libusb_free_device_list(list, 1);
    return result;
}

bk_err sigpad_scan(sigpad_found *found, size_t max, size_t *n)
{
    libusb_context *ctx = NULL;
    if (libusb_init(&ctx) != 0)
        return BK_ERR_UNAVAILABLE;
    libusb_device **list = NULL;
    ssize_t count = libusb_get_device_list(ctx, &list);
    if (count < 0) {
        libusb_exit(ctx);
        return usb_err((int)count);
    }
    size_t k = 0;
    for (ssize_t i = 0; i < count && k < max; i++) {
        link l;
        sigpad_found f;
        if (probe(ctx, list[i], false, &l, &f) == BK_OK)
            found[k++] = f;
    }
    libusb_free_device_list(list, 1);
    libusb_exit(ctx);
    *n = k;
    return BK_OK;
}

static void push(sigpad *pad, const sigpad_event *e)
{
    g_mutex_lock(&pad->lock);
    if (pad->count == pad->cap && pad->cap < QUEUE_MAX) {
        size_t cap = pad->cap ? pad->cap * 2 : 1024;
        sigpad_event *q = biomem_calloc(cap, sizeof *q);
        if (q != NULL) {
            for (size_t i = 0; i < pad->count; i++)
                q[i] = pad->queue[(pad->head + i) % pad->cap];
            biomem_free(pad->queue);
            pad->queue = q;
            pad->head = 0;
            pad->cap = cap;
        }
    }
    if (pad->count == pad->cap) {
        pad->stats.overflow++;
    } else {
        pad->queue[(pad->head + pad->count) % pad->cap] = *e;
        pad->count++;
        g_cond_signal(&pad->cond);
    }
    g_mutex_unlock(&pad->lock);
}

static uint32_t now_ms(const sigpad *pad)
{
    return (uint32_t)((g_get_monotonic_time() - pad->t0) / 1000);
}

static void count(sigpad *pad, uint64_t *counter)
{
    g_mutex_lock(&pad->lock);
    (*counter)++;
    g_mutex_unlock(&pad->lock);
}

static void LIBUSB_CALL report_done(struct libusb_transfer *t)
{
    sigpad *pad = t->user_data;
    pad->in_flight = false;
    if (t->status == LIBUSB_TRANSFER_COMPLETED) {
        sigreport_sample s;
        bk_err err = sigreport_decode(&pad->link.layout, t->buffer, (size_t)t->actual_length, &s);
        g_mutex_lock(&pad->lock);
        pad->stats.reports++;
        if (err == BK_OK)
            pad->stats.points++;
        else if (err == BK_ERR_NOT_FOUND)
            pad->stats.other++;
        else if (err == BK_ERR_CORRUPT)
            pad->stats.out_of_range++;
        else
            pad->stats.malformed++;
        g_mutex_unlock(&pad->lock);
        if (err == BK_OK) {
            sigpad_event e = {.type = SIGPAD_EVENT_PEN,
                              .sample = s,
                              .t_ms = now_ms(pad),
                              .mono_us = g_get_monotonic_time()};
            push(pad, &e);
        }
        biomem_wipe(t->buffer, (size_t)t->length);
    } else if (t->status == LIBUSB_TRANSFER_NO_DEVICE || t->status == LIBUSB_TRANSFER_ERROR ||
               t->status == LIBUSB_TRANSFER_STALL) {
        pad->lost = true;
        pad->vanished = t->status == LIBUSB_TRANSFER_NO_DEVICE;
        return;
    } else if (t->status == LIBUSB_TRANSFER_CANCELLED) {
        return;
    }
    if (g_atomic_int_get(&pad->stop))
        return;
    if (libusb_submit_transfer(t) == 0)
        pad->in_flight = true;
    else
        pad->lost = true;
}

static bool start_reading(sigpad *pad)
{
    libusb_fill_interrupt_transfer(pad->transfer, pad->link.handle, pad->link.ep_in, pad->buffer,
                                   pad->link.packet, report_done, pad, 0);
    pad->lost = false;
    if (libusb_submit_transfer(pad->transfer) != 0)
        return false;
    pad->in_flight = true;
    return true;
}

static gpointer worker(gpointer data)
{
    sigpad *pad = data;
    struct timeval tv = {0, HANDLE_EVENTS_MS * 1000};
    if (!start_reading(pad))
        pad->lost = true;
    while (!g_atomic_int_get(&pad->stop)) {
        if (!pad->lost) {
            libusb_handle_events_timeout_completed(pad->ctx, &tv, NULL);
            continue;
        }
        /* The pad vanished: let go of it, tell the owner, and wait for it to come back. */
        while (pad->in_flight)
            libusb_handle_events_timeout_completed(pad->ctx, &tv, NULL);
        /* A pulled-out pad's old entry is skipped until libusb drops it; a pad that only
         * stalled is opened again as it is. */
        libusb_device *stale = NULL;
        if (pad->link.handle != NULL && pad->vanished)
            stale = libusb_ref_device(libusb_get_device(pad->link.handle));
        pad->vanished = false;
        release(&pad->link);
        count(pad, &pad->stats.unplugs);
        g_log_structured(G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE, "MESSAGE",
                         "signature pad %04x:%04x unplugged", pad->info.vendor, pad->info.product);
        sigpad_event e = {.type = SIGPAD_EVENT_UNPLUGGED, .t_ms = now_ms(pad)};
        push(pad, &e);
        sigpad_found want = {.vendor = pad->info.vendor, .product = pad->info.product};
        while (!g_atomic_int_get(&pad->stop)) {
            sigpad_found f;
            link l;
            if (find_pad(pad->ctx, &want, &stale, &l, &f) == BK_OK) {
                if (l.packet > 0 && (size_t)l.packet <= pad->buffer_len) {
                    /* Same ids, same layout: taken. Another pad of the model is named in the
                     * log; the record keeps the serial of the pad the step began with. */
                    if (strcmp(f.serial, pad->info.serial) != 0)
                        g_log_structured(G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE, "MESSAGE",
                                         "signature pad %04x:%04x back with serial %s (was %s)",
                                         pad->info.vendor, pad->info.product, f.serial,
                                         pad->info.serial);
                    pad->link = l;
                    break;
                }
                release(&l);
            }
            g_usleep(REPLUG_POLL_MS * 1000);
        }
        if (stale != NULL)
            libusb_unref_device(stale);
        if (g_atomic_int_get(&pad->stop))
            break;
        count(pad, &pad->stats.replugs);
        g_log_structured(G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE, "MESSAGE",
                         "signature pad %04x:%04x back", pad->info.vendor, pad->info.product);
        e = (sigpad_event){.type = SIGPAD_EVENT_ATTACHED, .t_ms = now_ms(pad)};
        push(pad, &e);
        if (!start_reading(pad))
            pad->lost = true;
    }
    /* Stop: cancel the one transfer and wait for its callback before anything is freed. */
    if (pad->in_flight)
        libusb_cancel_transfer(pad->transfer);
    for (int i = 0; pad->in_flight && i < 50; i++)
        libusb_handle_events_timeout_completed(pad->ctx, &tv, NULL);
    return NULL;
}

bk_err sigpad_open(sigpad **out)
{
    sigpad *pad = g_new0(sigpad, 1);
    g_mutex_init(&pad->lock);
    g_cond_init(&pad->cond);
    bk_err err = BK_ERR_UNAVAILABLE;
    if (libusb_init(&pad->ctx) != 0) {
        pad->ctx = NULL;
        goto fail;
    }
    sigpad_found f;
    err = find_pad(pad->ctx, NULL, NULL, &pad->link, &f);
    if (err != BK_OK)
        goto fail;
    err = BK_ERR_NOMEM;
    pad->transfer = libusb_alloc_transfer(0);
    pad->buffer_len = (size_t)(pad->link.packet > 0 ? pad->link.packet : 64);
    pad->buffer = biomem_alloc(pad->buffer_len);
    if (pad->transfer == NULL || pad->buffer == NULL)
        goto fail;

    sigpad_info *info = &pad->info;
    info->vendor = f.vendor;
    info->product = f.product;
    snprintf(info->model, sizeof info->model, "%s", f.model);
    snprintf(info->serial, sizeof info->serial, "%s", f.serial);
    info->layout =
        pad->link.layout.kind == SIGREPORT_STU ? SIGTABLE_LAYOUT_STU : SIGTABLE_LAYOUT_HID;
    info->width_mm = pad->link.layout.width_mm;
    info->height_mm = pad->link.layout.height_mm;
    info->counts_per_mm = sigreport_counts_per_mm(&pad->link.layout);
    info->pressure_levels = pad->link.layout.pressure_levels;
    g_log_structured(G_LOG_DOMAIN, G_LOG_LEVEL_INFO, "MESSAGE",
                     "signature pad %04x:%04x %s serial %s, %.1f x %.1f mm, layout %s",
                     info->vendor, info->product, info->model, info->serial, info->width_mm,
                     info->height_mm, sigtable_layout_name(info->layout));

    pad->t0 = g_get_monotonic_time();
    sigpad_event e = {.type = SIGPAD_EVENT_ATTACHED};
    push(pad, &e);
    pad->worker = g_thread_new("sigpad", worker, pad);
    *out = pad;
    return BK_OK;

fail:
    sigpad_free(pad);
    return err;
}

bool sigpad_next_event(sigpad *pad, sigpad_event *event, int timeout_ms)
{
    g_mutex_lock(&pad->lock);
    if (pad->count == 0 && timeout_ms != 0) {
        gint64 end = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
        while (pad->count == 0) {
            if (timeout_ms < 0)
                g_cond_wait(&pad->cond, &pad->lock);
            else if (!g_cond_wait_until(&pad->cond, &pad->lock, end))
                break;
        }
    }
    bool got = pad->count > 0;
    if (got) {
        *event = pad->queue[pad->head];
        biomem_wipe(&pad->queue[pad->head], sizeof *event);
        pad->head = (pad->head + 1) % pad->cap;
        pad->count--;
    }
    g_mutex_unlock(&pad->lock);
    return got;
}

void sigpad_get_info(const sigpad *pad, sigpad_info *info)
{
    *info = pad->info;
}

void sigpad_get_stats(sigpad *pad, sigpad_stats *stats)
{
    g_mutex_lock(&pad->lock);
    *stats = pad->stats;
    g_mutex_unlock(&pad->lock);
}

void sigpad_free(sigpad *pad)
{
    if (pad == NULL)
        return;
    if (pad->worker != NULL) {
        g_atomic_int_set(&pad->stop, 1);
        g_thread_join(pad->worker);
    }
    release(&pad->link);
    if (pad->transfer != NULL && !pad->in_flight)
        libusb_free_transfer(pad->transfer);
    if (pad->ctx != NULL)
        libusb_exit(pad->ctx);
    biomem_free(pad->buffer);
    biomem_free(pad->queue);
    g_mutex_clear(&pad->lock);
    g_cond_clear(&pad->cond);
    g_free(pad);
}
