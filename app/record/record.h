/* The applicant's record: what one session produced, as one signed and sealed ANSI/NIST-ITL
 * transaction in the outbox.
 *
 * The kiosk fills a record_session at the end of a session and calls record_commit; the
 * `biokiosk record build` command does the same from files. record_commit checks everything
 * the kiosk would refuse (record_check), encodes (record_encode), signs and seals (seal.h) and
 * commits the file to the outbox (outbox.h). Only when it returns BK_OK is the record durable.
 *
 * The transaction (ANSI/NIST-ITL 1-2011, version 0500: it uses nothing of the 2013 and 2015
 * updates; traditional encoding):
 *   Type-1   1.002 "0500", 1.004 TOT "BKENROL", 1.005 date, 1.007 DAI and 1.008 ORI = desk,
 *            1.009 TCN, 1.011/1.012 19.69 ppmm when prints are present (else 00.00),
 *            1.013 DOM "NL-BIOKIOSK" US "1", 1.014 GMT, 1.015 DCS "3" US "UTF-8" when any text
 *            is not ASCII.
 *   Type-2   IDC 0, our user-defined fields:
 *            2.100 layout version "1"       2.101 V-number
 *            2.102 surname                  2.103 given names
 *            2.104 birth date YYYYMMDD      2.105 category (rules_category_str)
 *            2.106 appointment code         2.107 desk
 *            2.108 kiosk id                 2.109 staff id
 *            2.110 session start, 2.111 session end (YYYYMMDDhhmmssZ)
 *            2.120 plan: per item (photo, fingerprints, signature) a subfield
 *                  item US action US reason
 *            2.121 exceptions: per exception item US finger position (0 = none) US
 *                  P(ermanent)/T(emporary) US reason
 *            2.122 attempts: item US position US quality US threshold US A(ccepted)/R(ejected)
 *                  US veto (N none, A staff accepted, R staff rejected) US time
 *            2.123 devices: kind US model US serial
 *            2.124 pen timing: per stroke a subfield of t_ms items, one per point of Type-8
 *   Type-10  the face: 10.003 "FACE", 10.004 SRC desk, 10.005 PHD, 10.006/10.007 size,
 *            10.008 SLC 0, 10.009/10.010 1:1, 10.011 CGA "JPEGB", 10.012 CSP "SYCC",
 *            10.013 SAP 13 (ISO/IEC 19794-5 full frontal), 10.020 POS "F", 10.999 the JPEG.
 *   Type-14  one per flat print: 14.003 IMP 0 (plain live-scan), 14.004 SRC, 14.005 FCD,
 *            14.006/14.007 size, 14.008 SLC 1 (ppi), 14.009/14.010 resolution, 14.011 CGA
 *            "PNG", 14.012 BPX 8, 14.013 FGP position, 14.018 AMP per finger exception
 *            position US XX (reason "amputated") or UP (unable to print: any other reason,
 *            permanent or not), at most 4,
 *            14.024 FQM position US score US algorithm vendor (hex) US product code only when
 *            the finger gives a registered algorithm (vendor not 0, product 1-65535; the
 *            kiosk's own score has none, so the kiosk leaves FQM out), 14.999 the PNG.
 *   Type-8   the signature as vectored pen data (SIG 0 subject, SRT 2 vectored, ISR 0,
 *            HLL/VLL 0): 5 bytes per point, x and y big-endian in units of 0.0254 mm, X to the
 *            right from the pad's left edge and Y upwards from the bottom as the standard
 *            measures them (the pad's top edge at Y = 65535, so y down from the top is
 *            65535 - Y), then pressure 1-254 (scaled from 0..1); after each stroke one pen-up
 *            point (pressure 0) at the stroke's last position; last, one end-of-vectors point
 *            (pressure 255) at the same position. Times are in 2.124.
 *   Type-8   the same signature as an image (SIG 0, SRT 0 scanned without compression, ISR 0
 *            = 19.69 px/mm, HLL/VLL the size): rendered from the same points by sigrender
 *            (app/imaging/sigrender.h, the kiosk's renderer) black on white, 8-bit grey, one
 *            byte per pixel from the top left row by row, cropped to the ink and fitted into
 *            the configured box. ISR 0 means the pixels are printed at 500 ppi (a 600 x 200 box
 *            is 30.5 x 10.2 mm); how many pixels one mm of writing became is in 2.125.
 *   Type-2   2.112 the name as booked, unchanged, when it is not of the form "Surname, Given
 *            names" (2.102 then holds all of it; see record_split_name); 2.125 the signature
 *            image: pixels per mm of writing US box width US box height; 2.126 the audit log's
 *            head when the record was written: entry number US hash (audit.h), so the back
 *            office can tell a log that was cut short.
 * Items the plan marks reuse, by-post or none are absent; 2.120 says why.
 */
#ifndef BIOKIOSK_RECORD_H
#define BIOKIOSK_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record/an2k.h"
#include "core/bk_err.h"
#include "core/rules.h"
#include "imaging/sigrender.h"

#define RECORD_MAX_FINGERS 10
#define RECORD_FACE_WIDTH  1244
#define RECORD_FACE_HEIGHT 1600
#define RECORD_FINGER_PPI  500
/* The signature image's default box, as the kiosk's [signature] image_width/image_height. */
#define RECORD_SIGNATURE_BOX_WIDTH  600
#define RECORD_SIGNATURE_BOX_HEIGHT 200

typedef struct record_finger {
    unsigned position;  /* 1..10 (ISO/IEC 19794-4 numbering) */
    const uint8_t *png; /* 8-bit grey PNG (transfer none) */
    size_t png_len;
    int quality;        /* 0..100, higher is better */
    unsigned algorithm; /* quality algorithm vendor id (14.024 QAV) */
    unsigned product;   /* quality algorithm product code */
} record_finger;

typedef struct record_point {
    double x_mm, y_mm; /* from the pad's top left */
    double pressure;   /* 0..1 */
    double t_ms;       /* from the first point */
} record_point;

typedef struct record_stroke {
    const record_point *points; /* transfer none */
    size_t n_points;
} record_stroke;

typedef struct record_exception {
    const char *item;  /* "photo", "fingerprints", "signature", "finger" */
    unsigned position; /* finger position for "finger", else 0 */
    bool permanent;
    const char *reason;
} record_exception;

typedef struct record_attempt {
    const char *item; /* "photo", "finger", "signature" */
    unsigned position;
    int quality;
    int threshold;
    bool accepted;
    char veto;        /* 'N' none, 'A' staff accepted a failing one, 'R' staff rejected */
    const char *time; /* YYYYMMDDhhmmssZ */
} record_attempt;

typedef struct record_device {
    const char *kind; /* "camera", "fingerprint", "sigpad" */
    const char *model;
    const char *serial;
} record_device;

/* Everything a session hands to the record. All pointers are borrowed (transfer none). */
typedef struct record_session {
    const char *v_number; /* 10 digits */
    const char *surname;
    const char *given_names;
    const char *birth_date; /* YYYY-MM-DD */
    rules_category category;
    const char *appointment_code;
    const char *desk;
    const char *kiosk_id;
    const char *staff_id;
    const char *started; /* YYYYMMDDhhmmssZ */
    const char *ended;   /* YYYYMMDDhhmmssZ */

    rules_action photo, fingerprints, signature;
    const char *photo_reason, *fingerprints_reason, *signature_reason;

    const uint8_t *face_jpeg; /* NULL when no photo is taken */
    size_t face_len;

    record_finger fingers[RECORD_MAX_FINGERS];
    size_t n_fingers;

    const record_stroke *strokes; /* the signature; NULL when none */
    size_t n_strokes;
    /* The signature image's box in pixels (0: RECORD_SIGNATURE_BOX_WIDTH x _HEIGHT, else
     * 16..4000 each: the kiosk's [signature] image_width/image_height) and the pen's resolution
     * in points per mm, which caps the scale (<= 0: unknown, the renderer's default). */
    int signature_box_width, signature_box_height;
    double signature_px_per_mm;

    /* The whole name as booked when it could not be split (2.112); NULL or "" otherwise. */
    const char *name_unsplit;

    const record_exception *exceptions;
    size_t n_exceptions;
    const record_attempt *attempts;
    size_t n_attempts;
    const record_device *devices;
    size_t n_devices;

    /* The application date (YYYY-MM-DD), on which the rules take ages; NULL: the session's
     * start date. */
    const char *applied;
    /* The kiosk's [signature] min_points: fewer pen points is a trivial signature (sigink.h);
     * 0: SIGINK_RULE_DEFAULT. */
    unsigned signature_min_points;
    /* The audit log's last entry when the record is made (audit_head; 2.126); 0/NULL: none. */
    unsigned long audit_seq;
    const char *audit_hash;
} record_session;

/* Checks a session as the kiosk would: identity fields present and well formed, text without
 * control characters, the birth date not after the session, each item present exactly when the
 * plan says capture (a missing finger needs a "finger" exception; missing fingerprints or
 * signature under capture need an exception for the item), the plan agreeing with the rules
 * (rules.h) for the person's age and category on the application date: an item the rules say
 * none (or by-post) for is not captured, and one they say capture for whatever is on file is
 * planned capture unless an exception for the item says why; a signature of fewer pen points
 * than the trivial-signature rule allows (sigink.h) only with a signature exception; the face a
 * baseline JPEG of RECORD_FACE_WIDTH x RECORD_FACE_HEIGHT, each print an 8-bit grey PNG of at least
 * 16 x 20 mm at 500 ppi and at most 5000 px a side, distinct positions 1-10, pen points within the
 * pad and pressure 0..1. BK_ERR_INVALID with `why`. */
bk_err record_check(const record_session *s, char *why, size_t why_size);

/* Builds the transaction (after record_check) with transaction control number `tcn`.
 * *out is the encoded file (transfer full, biomem_free). */
bk_err record_encode(const record_session *s, const char *tcn, uint8_t **out, size_t *out_len,
                     char *why, size_t why_size);

typedef struct record_committed {
    char tcn[64]; /* transaction control number = file name without suffix */
    char *path;   /* the committed file (g_free) */
    size_t size;  /* bytes on disk */
} record_committed;

/* Checks, encodes, signs, seals and commits a session to outbox_dir. On BK_OK *out is filled
 * (free with record_committed_clear); on failure nothing is left in the outbox, and the caller
 * keeps the session to retry (BK_ERR_NO_SPACE, BK_ERR_PERMISSION, BK_ERR_IO). */
bk_err record_commit(const record_session *s, const uint8_t kiosk_sk[64],
                     const uint8_t office_pk[32], const char *outbox_dir, record_committed *out,
                     char *why, size_t why_size);
void record_committed_clear(record_committed *c);

/* Splits a name as booked of the form "Surname, Given names" at its first comma into *surname
 * and *given (both trimmed, non-empty; transfer full, g_free). BK_ERR_NOT_FOUND when the name
 * is not of that form (no comma, or an empty side): the caller then puts the whole name in the
 * surname and sets name_unsplit. */
bk_err record_split_name(const char *name, char **surname, char **given);

/* The signature image exactly as record_encode puts it into the record: the session's strokes
 * rendered by sigrender into its box. BK_ERR_NOT_FOUND without strokes; *out (free with
 * sigrender_image_clear) written only on success. */
bk_err record_signature_image(const record_session *s, sigrender_image *out);

/* Image headers: the size of a baseline/progressive JPEG from its SOF marker, and of a PNG from
 * IHDR with its bit depth and colour type. BK_ERR_INVALID when the header is not there. */
bk_err record_jpeg_size(const uint8_t *data, size_t len, unsigned *width, unsigned *height);
bk_err record_png_header(const uint8_t *data, size_t len, unsigned *width, unsigned *height,
                         unsigned *depth, unsigned *colour);

/* Where the Type-8 vectors' origin (the signature's bottom left corner, ANSI/NIST-ITL 8.008)
 * lies on the pad, in 0.0254 mm: x from the pad's left edge, y down from its top edge. The kiosk
 * writes it to Type-2 2.127 (x, y). */
typedef struct record_pen_origin {
    long x, y;
} record_pen_origin;

/* Decodes Type-8 vectored data (the bytes after the 12-byte header) into strokes: x, y in mm
 * on the pad (y down from its top edge) when origin (2.127) is given, else with the
 * signature's top left at 0, 0 (its leftmost point at x 0, its topmost at y 0); BK_ERR_INVALID
 * when the origin would put a point off the pad (it does not belong to these vectors);
 * pressure 0..1; pen-up points end strokes, an end-of-vectors
 * point (255) ends the list (a point of its own only at a new position). *points (biomem) holds
 * all points, *ends the index one past each stroke's last point (g_free). */
bk_err record_pen_decode(const uint8_t *data, size_t len, const record_pen_origin *origin,
                         record_point **points, size_t *n_points, size_t **ends, size_t *n_strokes);

#endif
