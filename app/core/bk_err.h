/* The project-wide error codes.
 *
 * Every module returns one of these; real results travel through out-parameters. Library errors
 * (libgphoto2, libfprint, libusb, SQLite, libpq, libsodium) are translated into these at the
 * boundary of the module that calls the library, so callers never see a library's own codes.
 */
#ifndef BIOKIOSK_BK_ERR_H
#define BIOKIOSK_BK_ERR_H

typedef enum bk_err {
    BK_OK = 0,
    BK_ERR_INVALID,     /* input does not have the required form or range */
    BK_ERR_NOMEM,       /* an allocation failed */
    BK_ERR_IO,          /* a file or socket operation failed */
    BK_ERR_NOT_FOUND,   /* the thing asked for does not exist */
    BK_ERR_EXISTS,      /* the thing to create exists already */
    BK_ERR_CONFLICT,    /* the change would overwrite a state that must not change */
    BK_ERR_BUSY,        /* the device or resource is in use; try again later */
    BK_ERR_TIMEOUT,     /* no answer within the allowed time */
    BK_ERR_NO_DEVICE,   /* the device is absent or was removed */
    BK_ERR_DEVICE,      /* the device answered with an error */
    BK_ERR_UNAVAILABLE, /* a service (store, network peer) cannot be reached */
    BK_ERR_CORRUPT,     /* data read back fails its own consistency checks */
    BK_ERR_CRYPTO,      /* a signature or seal does not verify, or a key is wrong */
    BK_ERR_NO_SPACE,    /* the disk is full or a size limit was reached */
    BK_ERR_PERMISSION,  /* the operating system refused access */
    BK_ERR_UNSUPPORTED, /* a valid request that this build or device cannot serve */
    BK_ERR_CANCELLED,   /* the operation was stopped on request */
    BK_ERR_INTERNAL,    /* a broken invariant: a bug */
    BK_ERR_COUNT_
} bk_err;

/* A short, stable English name for logs and JSON ("invalid input", "device busy", ...).
 * Never NULL; unknown values give "unknown error". */
const char *bk_err_str(bk_err err);

/* The one translation of an errno value (from open, write, fsync, rename, mkdir, ...) into a
 * bk_err: missing file or folder (ENOENT, ENOTDIR) BK_ERR_NOT_FOUND, EEXIST BK_ERR_EXISTS,
 * refused access or a read-only file system BK_ERR_PERMISSION, a full disk or quota
 * BK_ERR_NO_SPACE, ENOMEM BK_ERR_NOMEM, EBUSY BK_ERR_BUSY, ETIMEDOUT BK_ERR_TIMEOUT, ENODEV and
 * ENXIO BK_ERR_NO_DEVICE; anything else BK_ERR_IO. Pass errno itself, read right after the call
 * that failed (a later call may change it). */
bk_err bk_err_from_errno(int errnum);

#endif
