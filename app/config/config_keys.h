/* Every setting of the program, one row each: the table the compiler checks.
 *
 * This file is an X-macro list without an include guard: define CONFIG_KEY before including it.
 *   CONFIG_KEY(ID, "section.name", KIND, default, min, max, choices, doc)
 * ID becomes the enumerator CONFIG_ID of config_key (config.h), so a key the table does not
 * hold is a compile error where it is read. KIND is one of config_kind without its prefix;
 * default NULL means required; min and max bound INT and DOUBLE; choices ("a|b|c") are for
 * CHOICE and LIST. Keep each area's keys together, in the order of the example file.
 */
/* -- kiosk */
CONFIG_KEY(
    KIOSK_DESK, "kiosk.desk", NAME, NULL, 0, 0, NULL,
    "The desk this kiosk stands at, as in the appointments (DEN-HAAG, AMSTERDAM, ZWOLLE, ...).")
CONFIG_KEY(KIOSK_ID, "kiosk.id", NAME, NULL, 0, 0, NULL,
           "This kiosk's name, unique among the kiosks sharing a store (DEN-HAAG-03).")
CONFIG_KEY(KIOSK_LANGUAGES, "kiosk.languages", LIST, "nl,en,ar,tr,uk,es,fr", 0, 0,
           "nl|en|ar|tr|uk|es|fr", "Languages offered on the welcome screen, in this order.")
CONFIG_KEY(KIOSK_DEFAULT_LANGUAGE, "kiosk.default_language", CHOICE, "nl", 0, 0,
           "nl|en|ar|tr|uk|es|fr", "Language of the welcome screen.")
CONFIG_KEY(KIOSK_FULLSCREEN, "kiosk.fullscreen", BOOL, "true", 0, 0, NULL,
           "Full screen (the kiosk); false opens a window (like --windowed).")
CONFIG_KEY(KIOSK_FONT, "kiosk.font", STRING, "", 0, 0, NULL,
           "Font file for Latin and Cyrillic text; empty: fontconfig's \"Noto Sans\".")
CONFIG_KEY(KIOSK_FONT_ARABIC, "kiosk.font_arabic", STRING, "", 0, 0, NULL,
           "Font file for Arabic text; empty: fontconfig's \"Noto Sans Arabic\".")
CONFIG_KEY(
    KIOSK_LOCALE_DIR, "kiosk.locale_dir", STRING, "", 0, 0, NULL,
    "Directory of the translations (LANG/LC_MESSAGES/biokiosk.mo); empty: the installed one.")
CONFIG_KEY(KIOSK_PICTOGRAMS, "kiosk.pictograms", STRING, "", 0, 0, NULL,
           "Folder of the capture steps' pictograms (photo-sit.svg, hand-right.svg, sign-box.svg); "
           "empty: the installed one. Missing pictograms are logged and not drawn.")

/* -- speech */
CONFIG_KEY(SPEECH_ENABLED, "speech.enabled", BOOL, "true", 0, 0, NULL,
           "Say the key prompt of each applicant screen and the photo step's live instructions "
           "aloud, in the applicant's language (espeak-ng; no audio device: nothing is heard).")
CONFIG_KEY(SPEECH_VOLUME, "speech.volume", INT, "80", 0, 100, NULL,
           "Loudness of the spoken instructions, 0 to 100.")
CONFIG_KEY(SPEECH_REPEAT_SECONDS, "speech.repeat_seconds", INT, "4", 1, 600, NULL,
           "The same instruction is not said again within this many seconds.")

/* -- store */
CONFIG_KEY(STORE_URI, "store.uri", STRING, "sqlite:/var/lib/biokiosk/appointments.db", 0, 0, NULL,
           "Appointment store: sqlite:PATH (one kiosk) or postgresql://... (several kiosks).")
CONFIG_KEY(STORE_KEEP_DAYS, "store.keep_days", INT, "7", 0, 3650, NULL,
           "Days after an appointment's day when the persons (names, V-numbers, birth dates) of "
           "completed, no-show and cancelled appointments are deleted from the store (at the "
           "kiosk's start, and by `biokiosk appointment purge`).")

/* -- arrival */
CONFIG_KEY(ARRIVAL_EARLY_MINUTES, "arrival.early_minutes", INT, "30", 0, 24 * 60, NULL,
           "How many minutes before the start of an appointment a code is accepted.")
CONFIG_KEY(ARRIVAL_LATE_MINUTES, "arrival.late_minutes", INT, "15", 0, 24 * 60, NULL,
           "How many minutes after the start of an appointment a code is still accepted.")

/* -- session */
CONFIG_KEY(SESSION_IDLE_SECONDS, "session.idle_seconds", INT, "60", 5, 3600, NULL,
           "Seconds without input on an applicant screen before \"Are you still there?\".")
CONFIG_KEY(SESSION_IDLE_COUNTDOWN_SECONDS, "session.idle_countdown_seconds", INT, "20", 5, 600,
           NULL,
           "Seconds of that question's countdown; then the session is wiped and the appointment "
           "released.")
CONFIG_KEY(SESSION_AFTER_DESK, "session.after_desk", CHOICE, "collect", 0, 0, "collect|courier",
           "What happens after the desk: the document is collected here, or delivered by courier.")
CONFIG_KEY(SESSION_WORKING_DAYS, "session.working_days", INT, "25", 1, 90, NULL,
           "About how many working days until the document is ready.")

/* -- staff */
CONFIG_KEY(STAFF_MAX_PIN_FAILURES, "staff.max_pin_failures", INT, "5", 1, 100, NULL,
           "Wrong PINs in a row that lock a staff account.")
CONFIG_KEY(STAFF_LOCKOUT_MINUTES, "staff.lockout_minutes", INT, "5", 1, 24 * 60, NULL,
           "How long a locked staff account stays locked.")
CONFIG_KEY(STAFF_PIN_PAD_TIMEOUT_SECONDS, "staff.pin_pad_timeout_seconds", INT, "30", 5, 600, NULL,
           "The staff PIN pad closes itself after this many seconds without input.")
CONFIG_KEY(STAFF_KIOSK_PIN_FAILURES, "staff.kiosk_pin_failures", INT, "10", 3, 1000, NULL,
           "Wrong PINs in a row on this kiosk, over all accounts, after which every sign-in waits "
           "longer (1 s, doubling).")

/* -- screen */
CONFIG_KEY(SCREEN_WIDTH_MM, "screen.width_mm", DOUBLE, "527", 50, 3000, NULL,
           "Visible width of the screen in millimetres (touch targets are sized from it).")
CONFIG_KEY(SCREEN_HEIGHT_MM, "screen.height_mm", DOUBLE, "296", 50, 3000, NULL,
           "Visible height of the screen in millimetres.")

/* -- photo */
CONFIG_KEY(PHOTO_ENABLED, "photo.enabled", BOOL, "false", 0, 0, NULL,
           "true on a kiosk with a camera: the photo step is taken here; false: the step shows "
           "\"not available on this kiosk\" and staff skips it.")
CONFIG_KEY(PHOTO_ATTEMPTS, "photo.attempts", INT, "3", 1, 8, NULL,
           "Photos a person may take before the desk officer chooses the best (or rejects them).")
CONFIG_KEY(
    PHOTO_CASCADES, "photo.cascades", STRING, "", 0, 0, NULL,
    "Directory of the Haar face models; empty: /usr/share/opencv4/haarcascades (opencv-data).")
CONFIG_KEY(PHOTO_EYE_DISTANCE_MIN, "photo.eye_distance_min", DOUBLE, "300", 0, 2000, NULL,
           "Eye centres at least this many pixels apart in the 1244x1600 photo, without upscaling.")
CONFIG_KEY(PHOTO_ROLL_MAX_DEG, "photo.roll_max_deg", DOUBLE, "8", 0, 45, NULL,
           "Head tilt (roll) allowed either way, degrees.")
CONFIG_KEY(PHOTO_HEAD_WIDTH_MIN, "photo.head_width_min", DOUBLE, "0.5", 0, 1, NULL,
           "Head width / photo width, smallest (the jaw's width at the ears, from the landmarks).")
CONFIG_KEY(PHOTO_HEAD_WIDTH_MAX, "photo.head_width_max", DOUBLE, "0.75", 0, 1, NULL,
           "Head width / photo width, largest.")
CONFIG_KEY(PHOTO_HEAD_HEIGHT_MIN, "photo.head_height_min", DOUBLE, "0.6", 0, 1, NULL,
           "Head height / photo height, smallest (measured chin to the estimated crown).")
CONFIG_KEY(PHOTO_HEAD_HEIGHT_MAX, "photo.head_height_max", DOUBLE, "0.9", 0, 1, NULL,
           "Head height / photo height, largest.")
CONFIG_KEY(PHOTO_EYE_LINE_MIN, "photo.eye_line_min", DOUBLE, "0.3", 0, 1, NULL,
           "Eye line from the top / photo height, smallest.")
CONFIG_KEY(PHOTO_EYE_LINE_MAX, "photo.eye_line_max", DOUBLE, "0.5", 0, 1, NULL,
           "Eye line from the top / photo height, largest.")
CONFIG_KEY(PHOTO_CENTRE_MIN, "photo.centre_min", DOUBLE, "0.45", 0, 1, NULL,
           "Horizontal centre of the face / photo width, smallest.")
CONFIG_KEY(PHOTO_CENTRE_MAX, "photo.centre_max", DOUBLE, "0.55", 0, 1, NULL,
           "Horizontal centre of the face / photo width, largest.")
CONFIG_KEY(PHOTO_FACE_LUMA_MIN, "photo.face_luma_min", DOUBLE, "35", 0, 255, NULL,
           "Mean brightness of the face (0-255) below which the photo is under-exposed.")
CONFIG_KEY(PHOTO_FACE_LUMA_MAX, "photo.face_luma_max", DOUBLE, "235", 0, 255, NULL,
           "Mean brightness of the face above which the photo is over-exposed.")
CONFIG_KEY(PHOTO_CLIPPED_MAX, "photo.clipped_max", DOUBLE, "0.05", 0, 1, NULL,
           "Largest share of face pixels at 250 or brighter (over-exposure).")
CONFIG_KEY(
    PHOTO_SHARPNESS_MIN, "photo.sharpness_min", DOUBLE, "2.0", 0, 100, NULL,
    "Smallest edge strength of the face (the kiosk's measure; blurred photos score about 1).")
CONFIG_KEY(PHOTO_BACKGROUND_SPREAD_MAX, "photo.background_spread_max", DOUBLE, "14", 0, 255, NULL,
           "Largest spread (robust standard deviation) of the background's brightness: plain "
           "background.")
CONFIG_KEY(PHOTO_BACKGROUND_LUMA_MIN, "photo.background_luma_min", DOUBLE, "161", 0, 255, NULL,
           "Background brightness, lowest (#A1A1A1 = 161).")
CONFIG_KEY(PHOTO_BACKGROUND_LUMA_MAX, "photo.background_luma_max", DOUBLE, "225", 0, 255, NULL,
           "Background brightness, highest (#E1E1E1 = 225).")
CONFIG_KEY(PHOTO_BACKGROUND_TINT_MAX, "photo.background_tint_max", DOUBLE, "12", 0, 255, NULL,
           "Largest difference between the background's red, green and blue: grey background.")
CONFIG_KEY(PHOTO_COLOUR_CAST_MAX, "photo.colour_cast_max", DOUBLE, "30", 0, 255, NULL,
           "Largest chroma of the photo's mean colour (0-255 scale): colour cast.")
CONFIG_KEY(PHOTO_LANDMARK_MODEL, "photo.landmark_model", STRING, "", 0, 0, NULL,
           "dlib 68-point face landmark model; empty: "
           "/usr/share/dlib/shape_predictor_68_face_landmarks.dat (libdlib-data). Check its "
           "licence for your use (README).")
CONFIG_KEY(PHOTO_MOUTH_OPEN_MAX, "photo.mouth_open_max", DOUBLE, "0.016", 0, 1, NULL,
           "Mouth closed: largest inner-lip gap, as a fraction of the eye-to-chin distance.")
CONFIG_KEY(
    PHOTO_EYES_OPEN_MIN, "photo.eyes_open_min", DOUBLE, "0.025", 0, 1, NULL,
    "Eyes open: smallest lid gap of the less open eye, fraction of the eye-to-chin distance.")
CONFIG_KEY(PHOTO_YAW_MAX_DEG, "photo.yaw_max_deg", DOUBLE, "6.5", 0, 90, NULL,
           "Head turned left or right (yaw) allowed either way, degrees.")
CONFIG_KEY(PHOTO_PITCH_MAX_DEG, "photo.pitch_max_deg", DOUBLE, "14", 0, 90, NULL,
           "Head tilted up or down (pitch) allowed either way, degrees (docs/photo.md: why not 5).")
CONFIG_KEY(PHOTO_ILLUMINATION_MIN, "photo.illumination_min", DOUBLE, "0.7", 0, 1, NULL,
           "Light on the face: the darker half's mean brightness over the brighter half's.")
CONFIG_KEY(PHOTO_CHILD_ROLL_MAX_DEG, "photo.child_roll_max_deg", DOUBLE, "12", 0, 45, NULL,
           "For a child under 10 (wider, as the standard allows): roll_max_deg")
CONFIG_KEY(PHOTO_CHILD_HEAD_WIDTH_MIN, "photo.child_head_width_min", DOUBLE, "0.45", 0, 1, NULL,
           "For a child under 10 (wider, as the standard allows): head_width_min")
CONFIG_KEY(PHOTO_CHILD_HEAD_WIDTH_MAX, "photo.child_head_width_max", DOUBLE, "0.8", 0, 1, NULL,
           "For a child under 10 (wider, as the standard allows): head_width_max")
CONFIG_KEY(PHOTO_CHILD_HEAD_HEIGHT_MIN, "photo.child_head_height_min", DOUBLE, "0.5", 0, 1, NULL,
           "For a child under 10 (wider, as the standard allows): head_height_min")
CONFIG_KEY(PHOTO_CHILD_HEAD_HEIGHT_MAX, "photo.child_head_height_max", DOUBLE, "0.9", 0, 1, NULL,
           "For a child under 10 (wider, as the standard allows): head_height_max")
CONFIG_KEY(PHOTO_CHILD_EYE_LINE_MIN, "photo.child_eye_line_min", DOUBLE, "0.25", 0, 1, NULL,
           "For a child under 10 (wider, as the standard allows): eye_line_min")
CONFIG_KEY(PHOTO_CHILD_EYE_LINE_MAX, "photo.child_eye_line_max", DOUBLE, "0.55", 0, 1, NULL,
           "For a child under 10 (wider, as the standard allows): eye_line_max")
CONFIG_KEY(PHOTO_CHILD_CENTRE_MIN, "photo.child_centre_min", DOUBLE, "0.42", 0, 1, NULL,
           "For a child under 10 (wider, as the standard allows): centre_min")
CONFIG_KEY(PHOTO_CHILD_CENTRE_MAX, "photo.child_centre_max", DOUBLE, "0.58", 0, 1, NULL,
           "For a child under 10 (wider, as the standard allows): centre_max")
CONFIG_KEY(PHOTO_CHILD_MOUTH_OPEN_MAX, "photo.child_mouth_open_max", DOUBLE, "0.025", 0, 1, NULL,
           "For a child under 10 (wider, as the standard allows): mouth_open_max")
CONFIG_KEY(PHOTO_CHILD_YAW_MAX_DEG, "photo.child_yaw_max_deg", DOUBLE, "9", 0, 90, NULL,
           "For a child under 10 (wider, as the standard allows): yaw_max_deg")
CONFIG_KEY(PHOTO_CHILD_PITCH_MAX_DEG, "photo.child_pitch_max_deg", DOUBLE, "18", 0, 90, NULL,
           "For a child under 10 (wider, as the standard allows): pitch_max_deg")

/* -- camera */
CONFIG_KEY(
    CAMERA_MODEL, "camera.model", STRING, "", 0, 0, NULL,
    "libgphoto2 camera model (\"PTP/IP Camera\", \"Nikon DSC D5600\"); empty: the first camera "
    "found on USB.")
CONFIG_KEY(CAMERA_PORT, "camera.port", STRING, "", 0, 0, NULL,
           "libgphoto2 port of that model (\"ptpip:127.0.0.1:15740:15741\", \"usb:\"); with "
           "camera.model.")
CONFIG_KEY(
    CAMERA_EMULATOR_CONTROL, "camera.emulator_control", STRING, "", 0, 0, NULL,
    "Emulation only (demo, scripted mode): the named pipe the ptpip-camera emulator reads its "
    "commands from; the script's camera-fault/unplug/plug write to it. Empty: a real camera.")

/* -- fingerprint */
CONFIG_KEY(
    FINGERPRINT_ENABLED, "fingerprint.enabled", BOOL, "false", 0, 0, NULL,
    "true on a kiosk with a fingerprint reader: the fingerprint step is taken here; false: the "
    "step shows \"not available on this kiosk\" and staff skips it.")
CONFIG_KEY(
    FINGERPRINT_DRIVER, "fingerprint.driver", STRING, "", 0, 0, NULL,
    "libfprint driver id of the reader (vfs5011, virtual_image); empty: the first reader that "
    "can capture images.")
CONFIG_KEY(
    FINGERPRINT_FALLBACK_ORDER, "fingerprint.fallback_order", LIST, "thumb,middle,ring", 0, 0,
    "thumb|middle|ring",
    "Fingers tried after a missing or failing index finger, per hand (each of thumb, middle, "
    "ring once; never the little finger).")
CONFIG_KEY(FINGERPRINT_THRESHOLD_INDEX, "fingerprint.threshold_index", INT, "30", 0, 100, NULL,
           "Quality (the kiosk's own 0-100 score, not NFIQ 2) an index finger must reach.")
CONFIG_KEY(FINGERPRINT_THRESHOLD_THUMB, "fingerprint.threshold_thumb", INT, "30", 0, 100, NULL,
           "Quality a thumb must reach.")
CONFIG_KEY(FINGERPRINT_THRESHOLD_MIDDLE, "fingerprint.threshold_middle", INT, "25", 0, 100, NULL,
           "Quality a middle finger must reach.")
CONFIG_KEY(FINGERPRINT_THRESHOLD_RING, "fingerprint.threshold_ring", INT, "25", 0, 100, NULL,
           "Quality a ring finger must reach.")
CONFIG_KEY(FINGERPRINT_ATTEMPTS, "fingerprint.attempts", INT, "3", 1, 10, NULL,
           "Attempts per finger; when none reaches the threshold the best is kept.")
CONFIG_KEY(
    FINGERPRINT_MATCH_THRESHOLD, "fingerprint.match_threshold", INT, "35", 1, 100, NULL,
    "Comparison score at or above which two prints count as the same finger (uniqueness check).")
CONFIG_KEY(FINGERPRINT_LFP_MATCH_THRESHOLD, "fingerprint.lfp_match_threshold", INT, "43", 1, 100,
           NULL,
           "The same on libfprint's minutiae of the kiosk's captures; a match by either counts.")
CONFIG_KEY(FINGERPRINT_VIRTUAL_SOCKET, "fingerprint.virtual_socket", STRING, "", 0, 0, NULL,
           "Emulation only (demo, scripted mode): socket of libfprint's virtual image device; the "
           "kiosk sets FP_VIRTUAL_IMAGE to it and feeds the fingers itself. Empty: real readers.")
CONFIG_KEY(
    FINGERPRINT_ASSUME_PPI, "fingerprint.assume_ppi", INT, "500", 500, 1500, NULL,
    "The reader's resolution in pixels per inch when libfprint reports none (libfprint 1.94's "
    "drivers report none): prints are shrunk from it to 500 ppi for the record. Never below "
    "500: images are never enlarged (a reader below 500 ppi does not meet the standard).")

/* -- signature */
CONFIG_KEY(
    SIGNATURE_SOURCE, "signature.source", CHOICE, "auto", 0, 0, "auto|pad|touch",
    "Where the person signs: a USB signature pad when one is attached, else the touch screen "
    "(auto), only the pad, or only the touch screen.")
CONFIG_KEY(SIGNATURE_MIN_POINTS, "signature.min_points", INT, "20", 1, 10000, NULL,
           "A signature with fewer pen points than this is refused as trivial.")
CONFIG_KEY(SIGNATURE_MIN_BOX_SHARE, "signature.min_box_share", DOUBLE, "0.02", 0, 1, NULL,
           "A signature whose ink covers less than this share of the signing area is refused.")
CONFIG_KEY(SIGNATURE_IMAGE_WIDTH, "signature.image_width", INT, "600", 50, 4000, NULL,
           "Width in pixels of the box the signature image for the record is fitted into.")
CONFIG_KEY(SIGNATURE_IMAGE_HEIGHT, "signature.image_height", INT, "200", 20, 4000, NULL,
           "Height in pixels of the box the signature image for the record is fitted into.")

/* -- record */
CONFIG_KEY(RECORD_OUTBOX, "record.outbox", STRING, "/var/lib/biokiosk/outbox", 0, 0, NULL,
           "Directory of the sealed records waiting for transfer (one file per person).")
CONFIG_KEY(
    RECORD_KIOSK_KEY, "record.kiosk_key", STRING, "/etc/biokiosk/kiosk.key", 0, 0, NULL,
    "This kiosk's signing key (biokiosk keys kiosk-init); the kiosk does not start without it.")
CONFIG_KEY(RECORD_BACKOFFICE_KEY, "record.backoffice_key", STRING, "/etc/biokiosk/backoffice.pub",
           0, 0, NULL, "The back office's public key the records are sealed to (backoffice.pub).")
CONFIG_KEY(RECORD_AUDIT_HASH_KEY, "record.audit_hash_key", STRING, "/etc/biokiosk/audit-hash.key",
           0, 0, NULL,
           "The key of the V-number hashes in the audit log (audit-hash.key from kiosk-init).")
CONFIG_KEY(RECORD_RETENTION_DAYS, "record.retention_days", INT, "14", 1, 3650, NULL,
           "Delivered records are deleted this many days after their receipt (at start, only when "
           "the clock check passes; logged). A record not delivered is never deleted.")

/* -- audit */
CONFIG_KEY(AUDIT_LOG, "audit.log", STRING, "/var/lib/biokiosk/audit.log", 0, 0, NULL,
           "The append-only audit log (biokiosk audit verify).")

/* -- delivery */
CONFIG_KEY(DELIVERY_URL, "delivery.url", STRING, "", 0, 0, NULL,
           "The receiver's address (https://HOST:PORT); empty: records wait in the outbox for "
           "`biokiosk outbox export` or `deliver`.")
CONFIG_KEY(DELIVERY_CA, "delivery.ca", STRING, "/etc/biokiosk/receiver-ca.pem", 0, 0, NULL,
           "The receiver's TLS certificate, or the CA that issued it: the only one trusted.")
CONFIG_KEY(DELIVERY_RECEIVER_KEY, "delivery.receiver_key", STRING, "/etc/biokiosk/receiver.pub", 0,
           0, NULL, "The receiver's public key (receiver.pub) that every receipt must verify with.")
CONFIG_KEY(DELIVERY_INTERVAL_SECONDS, "delivery.interval_seconds", INT, "300", 5, 86400, NULL,
           "How often the kiosk tries again while records wait (it also tries after every record; "
           "an unreachable receiver doubles the wait, up to an hour).")
CONFIG_KEY(DELIVERY_ALERT_HOURS, "delivery.alert_hours", INT, "24", 1, 24 * 30, NULL,
           "A record waiting longer than this shows on the staff strip and fails the self-test's "
           "outbox.delivery check.")

/* -- selftest */
CONFIG_KEY(
    SELFTEST_MIN_FREE_MB, "selftest.min_free_mb", INT, "2048", 1, 10 * 1024 * 1024, NULL,
    "Free disk space (MB) the outbox's file system must have for `biokiosk selftest` to pass.")
CONFIG_KEY(
    SELFTEST_MIN_WIDTH, "selftest.min_width", INT, "1280", 320, 7680, NULL,
    "Smallest screen width in pixels `biokiosk selftest` accepts (the layout needs 1280x800).")
CONFIG_KEY(SELFTEST_MIN_HEIGHT, "selftest.min_height", INT, "800", 240, 4320, NULL,
           "Smallest screen height in pixels `biokiosk selftest` accepts.")
CONFIG_KEY(
    SELFTEST_REQUIRE_NTP, "selftest.require_ntp", BOOL, "true", 0, 0, NULL,
    "A clock that the system reports as not synchronised by NTP fails the self-test; false: it "
    "is only reported (a kiosk without a time server).")

/* -- devices */
CONFIG_KEY(DEVICES_RECONNECT_SECONDS, "devices.reconnect_seconds", INT, "120", 5, 3600, NULL,
           "How long a screen waits for an unplugged device before staff may skip or abort.")
