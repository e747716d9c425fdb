/* The signature points file: the vector record of a signature, and the input of
 * `biokiosk signature render`.
 *
 *   {"device": {"kind": "stu", "model": "Wacom STU-540", "width_mm": 96, "height_mm": 60,
 *               "counts_per_mm": 100},
 *    "strokes": [[{"x_mm": 1.5, "y_mm": 2.25, "pressure": 0.4, "t_ms": 0}, ...], ...]}
 *
 * "device" says where the points come from ("kind": "hid", "stu" or "touch"); every member is
 * optional, and "serial" and "pressure_max" (pressures are divided by it; default 1) may also be
 * there, as `biokiosk record --signature` reads them. pressure (0..1) defaults to 0.5, t_ms to 0.
 * Coordinates are millimetres of the writing area from its top left corner. Any other member is
 * refused: a misspelt "pressure" would otherwise be read silently as 0.5.
 */
#ifndef BIOKIOSK_SIGFILE_H
#define BIOKIOSK_SIGFILE_H

#include "core/bk_err.h"
#include "core/sigink.h"

typedef struct sigfile_device {
    char kind[16];        /* "hid", "stu", "touch", or empty */
    char model[48];       /* empty when unknown */
    double width_mm;      /* 0 when unknown */
    double height_mm;     /* 0 when unknown */
    double counts_per_mm; /* the input's resolution; 0 when unknown */
    char serial[64];      /* the pad's serial number; empty when unknown */
} sigfile_device;

/* Reads a points file into a new ink (transfer full) and its device. Written only on success.
 * BK_ERR_IO: the file cannot be read; BK_ERR_INVALID: not JSON, not this form, an unknown
 * member, a value of the wrong type, a device larger than 1000 mm, a negative coordinate, one
 * beyond the device's width or height (1 mm of slack) or, where the file gives no size, beyond
 * 500 mm, pressure outside 0..1, or no point at all. *why (transfer full, may be NULL) then says
 * what, in one line without personal data and without the file's name (the caller names it). */
bk_err sigfile_read(const char *path, sigink **ink, sigfile_device *device, char **why);

/* Writes the ink and its device as a points file (replacing it atomically, mode 0600: pen
 * points are personal data). BK_ERR_IO. */
bk_err sigfile_write(const char *path, const sigink *ink, const sigfile_device *device);

#endif
