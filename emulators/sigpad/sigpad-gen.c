/* sigpad-gen: writes an emulated USB signature pad for umockdev.
 *
 *   sigpad-gen --layout hid|stu|plain|mouse --strokes FILE --out PREFIX [faults...]
 *
 * Output: PREFIX.umockdev (the device: sysfs attributes, udev properties and the USB
 * descriptors) and PREFIX.ioctl (the usbfs dialogue: the control transfer that reads the HID
 * report descriptor or the STU capability report, then one interrupt IN report per pen sample).
 * `umockdev-run --device PREFIX.umockdev --ioctl /dev/bus/usb/001/005=PREFIX.ioctl -- PROGRAM`
 * then shows PROGRAM a pad through libusb's real Linux backend.
 *
 * The strokes file has one stroke per line, points "x,y,p" in millimetres of the writing area
 * and pressure 0..1, separated by spaces; '#' starts a comment. Each point becomes one report
 * with the tip down; each stroke ends with one report with the tip up.
 *
 * Layouts: "hid" is a generic HID pen (report 2; 100 x 60 mm at 0.01 mm; pressure 0..1023),
 * "stu" is Wacom-STU-like (vendor 0x056A product 0x00A8; report 0x01; 96 x 60 mm from the
 * capability report 0x09; pressure 0..1023), "plain" is a signotec-id device (0x2133) whose
 * descriptor holds no digitizer, "mouse" an ordinary HID mouse (not a boot device) that a pad
 * scan must pass over.
 *
 * --stall-after N makes the transfer after the Nth report fail with EPIPE (a stalled endpoint
 * of a pad that is still attached).
 *
 * Serial number: --serial TEXT (default "SP-0005417") gives the device descriptor an
 * iSerialNumber (string 3), the dialogue the string descriptors 0 (languages: 0x0409) and 3
 * asked for with GET_DESCRIPTOR right after the layout's request, and the sysfs attribute
 * "serial" that the kernel would show. --no-serial: iSerialNumber 0, no string, no attribute;
 * --serial-fail: the device names string 3 but the request for it stalls (the attribute stays).
 *
 * --sysfs-hid describes the pad as the kernel shows it while its HID driver holds it: the
 * interface and HID devices below the USB device, with the report descriptor as the HID
 * device's sysfs attribute "report_descriptor"; the dialogue then holds no GET_DESCRIPTOR, so
 * a program that asks the device instead of reading sysfs fails.
 *
 * Faults, each counted in reports of pen data: --malformed N (after every Nth report, one pen
 * report two bytes too long), --short N (one cut to 3 bytes), --out-of-range N (one with X
 * beyond its logical maximum), --unplug-after N (after the Nth report the device vanishes:
 * the transfer fails with ENODEV and PREFIX.ioctl ends; the rest of the strokes go to
 * PREFIX-replug.umockdev and PREFIX-replug.ioctl, the same pad plugged in again as device 6 of
 * bus 1, for a test that removes the first device from its testbed and adds the second).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

enum { LAYOUT_HID, LAYOUT_STU, LAYOUT_PLAIN, LAYOUT_MOUSE };
enum { EP_IN = 0x81, EP_PACKET = 16, IFACE = 0, SERIAL_INDEX = 3, LANG_EN_US = 0x0409 };

typedef struct point {
    double x, y, p;
} point;

typedef struct gen {
    int layout;
    GByteArray *rdesc;   /* HID report descriptor */
    GString *ioctl;      /* the script being written */
    GString *replug;     /* once unplugged: the first device's script; ioctl is the second's */
    int malformed_every; /* 0: never */
    int short_every;
    int range_every;
    int unplug_after;
    int reports;   /* pen reports written so far */
    int sysfs_hid; /* the report descriptor is in sysfs, not asked for */
    int stall_after;
    const char *serial; /* NULL: none */
    int serial_fail;    /* the string request stalls */
} gen;

static const guint8 hid_rdesc[] = {
    0x05, 0x0D,       /* Usage Page (Digitizer) */
    0x09, 0x02,       /* Usage (Pen) */
    0xA1, 0x01,       /* Collection (Application) */
    0x85, 0x02,       /*   Report ID (2) */
    0x09, 0x20,       /*   Usage (Stylus) */
    0xA1, 0x00,       /*   Collection (Physical) */
    0x09, 0x42,       /*     Usage (Tip Switch) */
    0x09, 0x32,       /*     Usage (In Range) */
    0x15, 0x00,       /*     Logical Minimum (0) */
    0x25, 0x01,       /*     Logical Maximum (1) */
    0x75, 0x01,       /*     Report Size (1) */
    0x95, 0x02,       /*     Report Count (2) */
    0x81, 0x02,       /*     Input (Data, Variable, Absolute) */
    0x95, 0x06,       /*     Report Count (6) */
    0x81, 0x03,       /*     Input (Constant): padding */
    0x05, 0x01,       /*     Usage Page (Generic Desktop) */
    0x09, 0x30,       /*     Usage (X) */
    0x26, 0x10, 0x27, /*     Logical Maximum (10000) */
    0x46, 0xE8, 0x03, /*     Physical Maximum (1000) */
    0x65, 0x11,       /*     Unit (centimetre) */
    0x55, 0x0E,       /*     Unit Exponent (-2) */
    0x75, 0x10,       /*     Report Size (16) */
    0x95, 0x01,       /*     Report Count (1) */
    0x81, 0x02,       /*     Input (Data, Variable, Absolute) */
    0x09, 0x31,       /*     Usage (Y) */
    0x26, 0x70, 0x17, /*     Logical Maximum (6000) */
    0x46, 0x58, 0x02, /*     Physical Maximum (600) */
    0x81, 0x02,       /*     Input (Data, Variable, Absolute) */
    0x05, 0x0D,       /*     Usage Page (Digitizer) */
    0x09, 0x30,       /*     Usage (Tip Pressure) */
    0x26, 0xFF, 0x03, /*     Logical Maximum (1023) */
    0x45, 0x00,       /*     Physical Maximum (0): none */
    0x65, 0x00,       /*     Unit (none) */
    0x55, 0x00,       /*     Unit Exponent (0) */
    0x81, 0x02,       /*     Input (Data, Variable, Absolute) */
    0xC0,             /*   End Collection */
    0xC0,             /* End Collection */
};

/* Vendor-defined reports: what an STU or a pad of unknown layout describes. */
static const guint8 vendor_rdesc[] = {
    0x06, 0x00, 0xFF, /* Usage Page (Vendor 0xFF00) */
    0x09, 0x01,       /* Usage (1) */
    0xA1, 0x01,       /* Collection (Application) */
    0x85, 0x01,       /*   Report ID (1) */
    0x09, 0x01,       /*   Usage (1) */
    0x15, 0x00,       /*   Logical Minimum (0) */
    0x26, 0xFF, 0x00, /*   Logical Maximum (255) */
    0x75, 0x08,       /*   Report Size (8) */
    0x95, 0x06,       /*   Report Count (6) */
    0x81, 0x02,       /*   Input (Data, Variable, Absolute) */
    0x85, 0x09,       /*   Report ID (9) */
    0x09, 0x09,       /*   Usage (9) */
    0x95, 0x10,       /*   Report Count (16) */
    0xB1, 0x02,       /*   Feature (Data, Variable, Absolute) */
    0xC0,             /* End Collection */
};

/* A mouse that is not a boot device: a HID descriptor without a digitizer, from a vendor
 * that makes no pads. */
static const guint8 mouse_rdesc[] = {
    0x05, 0x01, /* Usage Page (Generic Desktop) */
    0x09, 0x02, /* Usage (Mouse) */
    0xA1, 0x01, /* Collection (Application) */
    0x05, 0x09, /*   Usage Page (Button) */
    0x19, 0x01, /*   Usage Minimum (1) */
    0x29, 0x03, /*   Usage Maximum (3) */
    0x15, 0x00, /*   Logical Minimum (0) */
    0x25, 0x01, /*   Logical Maximum (1) */
    0x75, 0x01, /*   Report Size (1) */
    0x95, 0x08, /*   Report Count (8) */
    0x81, 0x02, /*   Input (Data, Variable, Absolute) */
    0x05, 0x01, /*   Usage Page (Generic Desktop) */
    0x09, 0x30, /*   Usage (X) */
    0x09, 0x31, /*   Usage (Y) */
    0x15, 0x81, /*   Logical Minimum (-127) */
    0x25, 0x7F, /*   Logical Maximum (127) */
    0x75, 0x08, /*   Report Size (8) */
    0x95, 0x02, /*   Report Count (2) */
    0x81, 0x06, /*   Input (Data, Variable, Relative) */
    0xC0,       /* End Collection */
};

/* Wacom-STU-like capability report 0x09: 9600 x 6000 counts, pressure 1023, 800 x 480 screen,
 * 200 reports/s, 2540 counts per inch (0.01 mm). */
static const guint8 stu_capability[17] = {0x09, 0x25, 0x80, 0x17, 0x70, 0x03, 0xFF, 0x03, 0x20,
                                          0x01, 0xE0, 0xC8, 0x09, 0xEC, 0x00, 0x00, 0x00};

static void hex(GString *s, const guint8 *data, size_t len)
{
    for (size_t i = 0; i < len; i++)
        g_string_append_printf(s, "%02X", data[i]);
}

/* One completed interrupt IN transfer. status 0 or a negative errno. */
static void reap_in(gen *g, int status, const guint8 *data, size_t len)
{
    g_string_append_printf(g->ioctl, "USBDEVFS_REAPURBNDELAY 0 1 %d %d 0 %d %zu 0 ", EP_IN, status,
                           EP_PACKET, len);
    hex(g->ioctl, data, len);
    g_string_append_c(g->ioctl, '\n');
}

/* One control transfer with an IN data stage: GET_DESCRIPTOR of type 3 (string) `index` in
 * language `lang`, asking for `want` bytes. The answer `data` (NULL: the request stalls). */
static void string_request(gen *g, guint8 index, guint16 lang, guint16 want, const guint8 *data,
                           size_t len)
{
    const guint8 setup[8] = {0x80,         0x06,
                             index,        0x03,
                             (guint8)lang, (guint8)(lang >> 8),
                             (guint8)want, (guint8)(want >> 8)};
    g_string_append_printf(g->ioctl, "USBDEVFS_REAPURBNDELAY 0 2 128 %d 0 %u %zu 0 ",
                           data ? 0 : -32, 8u + want, data ? 8 + len : 0);
    hex(g->ioctl, setup, 8);
    if (data)
        hex(g->ioctl, data, len);
    g_string_append_c(g->ioctl, '\n');
}

/* The serial number as the device gives it: the language list, then string 3 in UTF-16LE. */
static void serial_dialogue(gen *g)
{
    if (g->serial == NULL)
        return;
    const guint8 langs[4] = {4, 0x03, (guint8)LANG_EN_US, (guint8)(LANG_EN_US >> 8)};
    string_request(g, 0, 0, sizeof langs, langs, sizeof langs);
    guint8 desc[255];
    size_t n = MIN(strlen(g->serial), (sizeof desc - 2) / 2);
    desc[0] = (guint8)(2 + 2 * n);
    desc[1] = 0x03;
    for (size_t i = 0; i < n; i++) {
        desc[2 + 2 * i] = (guint8)g->serial[i];
        desc[3 + 2 * i] = 0;
    }
    string_request(g, SERIAL_INDEX, LANG_EN_US, sizeof desc, g->serial_fail ? NULL : desc, desc[0]);
}

/* The control transfer that gives the layout (none when the descriptor is in sysfs). */
static void layout_dialogue(gen *g)
{
    guint8 setup[8];
    const guint8 *data;
    size_t len;
    if (g->layout == LAYOUT_STU) {
        /* GET_REPORT, feature report 0x09 */
        guint8 s[8] = {0xA1, 0x01, 0x09, 0x03, IFACE, 0x00, sizeof stu_capability, 0x00};
        memcpy(setup, s, 8);
        data = stu_capability;
        len = sizeof stu_capability;
    } else if (g->sysfs_hid) {
        return;
    } else {
        /* GET_DESCRIPTOR, HID report descriptor */
        guint8 s[8] = {0x81,
                       0x06,
                       0x00,
                       0x22,
                       IFACE,
                       0x00,
                       (guint8)g->rdesc->len,
                       (guint8)(g->rdesc->len >> 8)};
        memcpy(setup, s, 8);
        data = g->rdesc->data;
        len = g->rdesc->len;
    }
    g_string_append_printf(g->ioctl, "USBDEVFS_REAPURBNDELAY 0 2 128 0 0 %zu %zu 0 ", 8 + len,
                           8 + len);
    hex(g->ioctl, setup, 8);
    hex(g->ioctl, data, len);
    g_string_append_c(g->ioctl, '\n');
}

/* What the pad says when opened: the capabilities of usbfs, then the control transfer that
 * gives the layout, then its serial number. The control transfers are written with endpoint 0x80
 * (the direction of the data stage), as the kernel reports it; the data follows the 8-byte setup
 * packet. */
static void open_dialogue(gen *g)
{
    g_string_append(g->ioctl, "USBDEVFS_GET_CAPABILITIES 0 7D000000\n");
    layout_dialogue(g);
    serial_dialogue(g);
}

static long quantize(double v, double span_mm, long max)
{
    return lround(v / span_mm * (double)max);
}

/* Encodes one pen sample as this layout's report; returns its length. */
static size_t encode(const gen *g, const point *pt, gboolean tip, gboolean beyond, guint8 *r)
{
    long p = lround(CLAMP(pt->p, 0.0, 1.0) * 1023.0);
    if (g->layout == LAYOUT_STU) {
        long x = beyond ? 9600 + 500 : quantize(pt->x, 96.0, 9600);
        long y = quantize(pt->y, 60.0, 6000);
        r[0] = 0x01;
        r[1] = (guint8)(0x80 | (tip ? 0x10 : 0) | ((p >> 8) & 0x0F));
        r[2] = (guint8)(p & 0xFF);
        r[3] = (guint8)(x >> 8);
        r[4] = (guint8)x;
        r[5] = (guint8)(y >> 8);
        r[6] = (guint8)y;
        return 7;
    }
    long x = beyond ? 10000 + 500 : quantize(pt->x, 100.0, 10000);
    long y = quantize(pt->y, 60.0, 6000);
    r[0] = 0x02;
    r[1] = (guint8)((tip ? 1 : 0) | 2);
    r[2] = (guint8)x;
    r[3] = (guint8)(x >> 8);
    r[4] = (guint8)y;
    r[5] = (guint8)(y >> 8);
    r[6] = (guint8)p;
    r[7] = (guint8)(p >> 8);
    return 8;
}

static void pen_report(gen *g, const point *pt, gboolean tip)
{
    guint8 r[EP_PACKET] = {0};
    size_t len = encode(g, pt, tip, FALSE, r);
    reap_in(g, 0, r, len);
    g->reports++;
    int n = g->reports;
    if (g->malformed_every && n % g->malformed_every == 0)
        reap_in(g, 0, r, len + 2); /* trailing bytes: not this layout */
    if (g->short_every && n % g->short_every == 0)
        reap_in(g, 0, r, 3);
    if (g->range_every && n % g->range_every == 0) {
        guint8 bad[EP_PACKET] = {0};
        reap_in(g, 0, bad, encode(g, pt, tip, TRUE, bad));
    }
    if (g->stall_after && n == g->stall_after)
        reap_in(g, -32, NULL, 0); /* -EPIPE: the endpoint stalled; the pad is still there */
    if (g->unplug_after && n == g->unplug_after) {
        reap_in(g, -19, NULL, 0); /* -ENODEV: the pad was pulled out */
        /* Everything after goes to the device that is plugged in again. */
        g->replug = g->ioctl;
        g->ioctl = g_string_new("@DEV /dev/bus/usb/001/006\n");
        open_dialogue(g);
    }
}

static gboolean read_strokes(gen *g, const char *path, GError **error)
{
    g_autofree char *text = NULL;
    if (!g_file_get_contents(path, &text, NULL, error))
        return FALSE;
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    for (char **line = lines; *line; line++) {
        char *hash = strchr(*line, '#');
        if (hash)
            *hash = '\0';
        g_auto(GStrv) pts = g_strsplit_set(g_strstrip(*line), " \t", -1);
        point last = {0};
        gboolean any = FALSE;
        for (char **p = pts; *p; p++) {
            if (**p == '\0')
                continue;
            point pt;
            if (sscanf(*p, "%lf,%lf,%lf", &pt.x, &pt.y, &pt.p) != 3) {
                g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: bad point '%s'", path,
                            *p);
                return FALSE;
            }
            pen_report(g, &pt, TRUE);
            last = pt;
            any = TRUE;
        }
        if (any) {
            last.p = 0.0;
            pen_report(g, &last, FALSE);
        }
    }
    return TRUE;
}

static GByteArray *usb_descriptors(guint16 vendor, guint16 product, size_t rdesc_len,
                                   guint8 serial_index)
{
    const guint8 device[18] = {0x12,
                               0x01,
                               0x00,
                               0x02,
                               0x00,
                               0x00,
                               0x00,
                               0x40,
                               (guint8)vendor,
                               (guint8)(vendor >> 8),
                               (guint8)product,
                               (guint8)(product >> 8),
                               0x00,
                               0x01,
                               0x00,
                               0x00,
                               serial_index,
                               0x01};
    const guint8 config[9] = {0x09, 0x02, 34, 0x00, 0x01, 0x01, 0x00, 0x80, 0x32};
    const guint8 iface[9] = {0x09, 0x04, IFACE, 0x00, 0x01, 0x03, 0x00, 0x00, 0x00};
    const guint8 hid[9] = {
        0x09, 0x21, 0x11, 0x01, 0x00, 0x01, 0x22, (guint8)rdesc_len, (guint8)(rdesc_len >> 8)};
    const guint8 ep[7] = {0x07, 0x05, EP_IN, 0x03, EP_PACKET, 0x00, 0x01};
    GByteArray *b = g_byte_array_new();
    g_byte_array_append(b, device, sizeof device);
    g_byte_array_append(b, config, sizeof config);
    g_byte_array_append(b, iface, sizeof iface);
    g_byte_array_append(b, hid, sizeof hid);
    g_byte_array_append(b, ep, sizeof ep);
    return b;
}

/* The description of device `devnum` on bus 1 (port 1-devnum). */
static char *device_description(guint16 vendor, guint16 product, const GByteArray *desc, int devnum,
                                const char *serial)
{
    GString *s = g_string_new(NULL);
    GString *h = g_string_new(NULL);
    hex(h, desc->data, desc->len);
    g_string_append_printf(s, "P: /devices/pci0000:00/0000:00:14.0/usb1/1-%d\n", devnum);
    g_string_append_printf(s, "N: bus/usb/001/%03d=%s\n", devnum, h->str);
    g_string_append_printf(s,
                           "E: DEVNAME=/dev/bus/usb/001/%03d\n"
                           "E: DEVTYPE=usb_device\n"
                           "E: DRIVER=usb\n"
                           "E: SUBSYSTEM=usb\n"
                           "E: BUSNUM=001\n"
                           "E: DEVNUM=%03d\n"
                           "E: MAJOR=189\n"
                           "E: MINOR=%d\n",
                           devnum, devnum, devnum - 1);
    g_string_append_printf(s, "E: PRODUCT=%x/%x/100\n", vendor, product);
    g_string_append_printf(s, "E: ID_VENDOR_ID=%04x\nE: ID_MODEL_ID=%04x\n", vendor, product);
    g_string_append(s, "A: authorized=1\\n\n"
                       "A: bConfigurationValue=1\\n\n"
                       "A: bDeviceClass=00\\n\n"
                       "A: bNumConfigurations=1\\n\n"
                       "A: bNumInterfaces= 1\\n\n"
                       "A: busnum=1\\n\n"
                       "A: speed=12\\n\n");
    g_string_append_printf(s, "A: devnum=%d\\n\n", devnum);
    if (serial != NULL)
        g_string_append_printf(s, "E: ID_SERIAL_SHORT=%s\nA: serial=%s\\n\n", serial, serial);
    g_string_append_printf(s, "A: idVendor=%04x\\n\nA: idProduct=%04x\\n\n", vendor, product);
    g_string_append_printf(s, "H: descriptors=%s\n", h->str);
    g_string_free(h, TRUE);
    return g_string_free(s, FALSE);
}

/* The interface and HID devices the kernel adds while usbhid holds the interface. */
static void append_sysfs_hid(GString *s, int devnum, guint16 vendor, guint16 product,
                             const GByteArray *rdesc)
{
    const char *dev = "/devices/pci0000:00/0000:00:14.0/usb1";
    g_string_append_printf(s,
                           "\nP: %s/1-%d/1-%d:1.%d\n"
                           "E: DEVTYPE=usb_interface\n"
                           "E: DRIVER=usbhid\n"
                           "E: SUBSYSTEM=usb\n"
                           "A: bInterfaceClass=03\\n\n"
                           "A: bInterfaceNumber=%02d\\n\n",
                           dev, devnum, devnum, IFACE, IFACE);
    g_string_append_printf(s,
                           "\nP: %s/1-%d/1-%d:1.%d/0003:%04X:%04X.0001\n"
                           "E: DRIVER=hid-generic\n"
                           "E: SUBSYSTEM=hid\n"
                           "H: report_descriptor=",
                           dev, devnum, devnum, IFACE, vendor, product);
    hex(s, rdesc->data, rdesc->len);
    g_string_append_c(s, '\n');
}

/* Writes the pad's files; returns the exit status. */
static int generate(gen *g, const char *layout, const char *strokes, const char *out)
{
    guint16 vendor, product;
    if (strcmp(layout, "hid") == 0) {
        g->layout = LAYOUT_HID;
        vendor = 0x1209; /* the pid.codes vendor id for test devices */
        product = 0x5a01;
        g_byte_array_append(g->rdesc, hid_rdesc, sizeof hid_rdesc);
    } else if (strcmp(layout, "stu") == 0) {
        g->layout = LAYOUT_STU;
        vendor = 0x056A;
        product = 0x00A8;
        g_byte_array_append(g->rdesc, vendor_rdesc, sizeof vendor_rdesc);
    } else if (strcmp(layout, "mouse") == 0) {
        g->layout = LAYOUT_MOUSE;
        vendor = 0x1209;
        product = 0x5a02;
        g_byte_array_append(g->rdesc, mouse_rdesc, sizeof mouse_rdesc);
    } else if (strcmp(layout, "plain") == 0) {
        g->layout = LAYOUT_PLAIN;
        vendor = 0x2133;
        product = 0x0001;
        g_byte_array_append(g->rdesc, vendor_rdesc, sizeof vendor_rdesc);
    } else {
        fprintf(stderr, "sigpad-gen: unknown layout '%s'\n", layout);
        return 2;
    }

    GError *error = NULL;
    open_dialogue(g);
    if (g->layout != LAYOUT_PLAIN && g->layout != LAYOUT_MOUSE &&
        !read_strokes(g, strokes, &error)) {
        fprintf(stderr, "sigpad-gen: %s\n", error->message);
        g_error_free(error);
        return 2;
    }

    g_autoptr(GByteArray) desc =
        usb_descriptors(vendor, product, g->rdesc->len, g->serial ? SERIAL_INDEX : 0);
    GString *first = g->replug ? g->replug : g->ioctl;
    char *description = device_description(vendor, product, desc, 5, g->serial);
    if (g->sysfs_hid) {
        GString *d = g_string_new(description);
        g_free(description);
        append_sysfs_hid(d, 5, vendor, product, g->rdesc);
        description = g_string_free(d, FALSE);
    }
    g_autofree char *dev_path = g_strconcat(out, ".umockdev", NULL);
    g_autofree char *ioctl_path = g_strconcat(out, ".ioctl", NULL);
    g_autofree char *description2 = device_description(vendor, product, desc, 6, g->serial);
    g_autofree char *dev_path2 = g_strconcat(out, "-replug.umockdev", NULL);
    g_autofree char *ioctl_path2 = g_strconcat(out, "-replug.ioctl", NULL);
    gboolean written = g_file_set_contents(dev_path, description, -1, &error);
    g_free(description);
    if (!written || !g_file_set_contents(ioctl_path, first->str, (gssize)first->len, &error) ||
        (g->replug != NULL &&
         (!g_file_set_contents(dev_path2, description2, -1, &error) ||
          !g_file_set_contents(ioctl_path2, g->ioctl->str, (gssize)g->ioctl->len, &error)))) {
        fprintf(stderr, "sigpad-gen: %s\n", error->message);
        g_error_free(error);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    g_autofree char *layout = NULL, *strokes = NULL, *out = NULL, *serial = NULL;
    gen g = {0};
    int no_serial = 0;
    GOptionEntry entries[] = {
        {"layout", 'l', 0, G_OPTION_ARG_STRING, &layout, "hid (default), stu, plain or mouse",
         "LAYOUT"},
        {"strokes", 's', 0, G_OPTION_ARG_FILENAME, &strokes, "pen strokes file", "FILE"},
        {"out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "output prefix", "PREFIX"},
        {"malformed", 0, 0, G_OPTION_ARG_INT, &g.malformed_every, "too long report every N", "N"},
        {"short", 0, 0, G_OPTION_ARG_INT, &g.short_every, "short report every N", "N"},
        {"out-of-range", 0, 0, G_OPTION_ARG_INT, &g.range_every, "X beyond range every N", "N"},
        {"unplug-after", 0, 0, G_OPTION_ARG_INT, &g.unplug_after, "vanish after N reports", "N"},
        {"stall-after", 0, 0, G_OPTION_ARG_INT, &g.stall_after, "stall after N reports", "N"},
        {"sysfs-hid", 0, 0, G_OPTION_ARG_NONE, &g.sysfs_hid, "descriptor in sysfs, as if bound",
         NULL},
        {"serial", 0, 0, G_OPTION_ARG_STRING, &serial, "serial number (default SP-0005417)",
         "TEXT"},
        {"no-serial", 0, 0, G_OPTION_ARG_NONE, &no_serial, "no serial number", NULL},
        {"serial-fail", 0, 0, G_OPTION_ARG_NONE, &g.serial_fail, "the serial request stalls", NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL}};
    GOptionContext *ctx = g_option_context_new("- write an emulated signature pad for umockdev");
    g_option_context_add_main_entries(ctx, entries, NULL);
    GError *error = NULL;
    gboolean ok = g_option_context_parse(ctx, &argc, &argv, &error);
    g_option_context_free(ctx);
    if (layout == NULL)
        layout = g_strdup("hid");
    if (!ok || out == NULL ||
        (strokes == NULL && strcmp(layout, "plain") != 0 && strcmp(layout, "mouse") != 0)) {
        fprintf(stderr, "sigpad-gen: %s\n",
                error ? error->message : "--out and --strokes are required");
        g_clear_error(&error);
        return 2;
    }
    g.serial = no_serial ? NULL : serial ? serial : "SP-0005417";
    for (const char *c = g.serial; c && *c; c++)
        if (*c < 0x21 || *c > 0x7E) {
            fprintf(stderr, "sigpad-gen: --serial takes printable ASCII without blanks\n");
            return 2;
        }
    g.rdesc = g_byte_array_new();
    g.ioctl = g_string_new("@DEV /dev/bus/usb/001/005\n");
    int status = generate(&g, layout, strokes, out);
    g_byte_array_unref(g.rdesc);
    g_string_free(g.ioctl, TRUE);
    if (g.replug != NULL)
        g_string_free(g.replug, TRUE);
    return status;
}
