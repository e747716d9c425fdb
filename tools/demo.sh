#!/usr/bin/env bash
# The demo: installs what is missing, builds, and starts the kiosk on emulated hardware with the
# embedded SQLite store.
#
#   bash tools/demo.sh                 the kiosk in a window (needs a desktop: X11 or Wayland)
#   bash tools/demo.sh --walkthrough   no display needed: plays a visit offscreen and writes
#                                      screenshots of every screen to build/demo/screens
#
# Emulated hardware: a PTP/IP camera on 127.0.0.1 opened by libgphoto2 (serving a portrait from
# Debian's python3-skimage package, or the image in BIOKIOSK_DEMO_PORTRAIT), libfprint's virtual
# image reader fed with synthetic fingerprints, and the touch screen (or mouse) for signatures.
# Everything the demo makes stays in build/demo.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=window
[ "${1:-}" = "--walkthrough" ] && mode=walkthrough
if [ "$mode" = window ] && [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
    echo "demo: no display (DISPLAY, WAYLAND_DISPLAY): playing a visit offscreen (--walkthrough)"
    mode=walkthrough
fi

bash tools/install-deps.sh
if [ -f build/build.ninja ]; then meson setup --reconfigure build >/dev/null; else meson setup build; fi
meson compile -C build

top=$PWD
bk=$top/build/app/biokiosk
demo=$top/build/demo
desk=DEN-HAAG
store="sqlite:$demo/appointments.db"
mkdir -p "$demo"

# Keys: the kiosk's signing key, and a back-office pair (on a real desk the back office keeps its
# secret key; the kiosk only gets backoffice.pub and cannot open its own outbox).
mkdir -p "$demo/keys" "$demo/backoffice"
[ -f "$demo/keys/kiosk.key" ] || "$bk" keys kiosk-init --dir "$demo/keys" >/dev/null
[ -f "$demo/backoffice/backoffice.key" ] || "$bk" keys backoffice-init --dir "$demo/backoffice" >/dev/null

# The demo starts from a fresh store each time: its appointments are made around the time it
# starts (the first a few minutes from now, every one open for check-in now), so a code works
# whenever the demo is started.
rm -f "$demo"/appointments.db*
"$bk" appointment demo-set --desk "$desk" --now >"$demo/appointments.json"
read -r today first < <(python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["appointments"][0]["start"]; print(s[:10], s[11:16])' "$demo/appointments.json")
"$bk" appointment demo-set --desk "$desk" --date "$today" --first "$first" --every 3 --list \
    >"$demo/appointments.txt"
# The import also reports the appointments on which nobody has anything to give at the desk.
"$bk" appointment import "$demo/appointments.json" --store "$store" >"$demo/import.json"
# A staff account for the PIN pad (F12 or a long press on the top-left corner).
if ! "$bk" staff list --store "$store" | grep -q '"demo"'; then
    printf '246810\n' | "$bk" staff add demo --name "Demo officer" --role desk+technician --store "$store" >/dev/null
fi

# The camera emulator, controlled through a named pipe.
portrait=${BIOKIOSK_DEMO_PORTRAIT:-}
if [ -z "$portrait" ]; then
    portrait=$(bash tools/fetch-portrait.sh "$top/build/portrait" 2>/dev/null) || portrait=
fi
photo_enabled=false
camera_lines=""
cleanup() {
    [ -n "${cam_pid:-}" ] && kill "$cam_pid" 2>/dev/null
    [ -n "${feeder_pid:-}" ] && kill "$feeder_pid" 2>/dev/null
    [ -n "${receiver_pid:-}" ] && kill "$receiver_pid" 2>/dev/null
    true
}
trap cleanup EXIT
if [ -n "$portrait" ] && [ -f "$portrait" ]; then
    rm -f "$demo/camera.ctl" "$demo/camera.out"
    mkfifo "$demo/camera.ctl"
    "$top/build/emulators/ptpip/ptpip-camera" "$portrait" \
        <>"$demo/camera.ctl" >"$demo/camera.out" 2>"$demo/camera.log" &
    cam_pid=$!
    for _ in $(seq 50); do grep -q '^ptpip-camera: ' "$demo/camera.out" 2>/dev/null && break; sleep 0.1; done
    read -r _ port event_port <"$demo/camera.out"
    photo_enabled=true
    camera_lines="model = PTP/IP Camera
port = ptpip:127.0.0.1:$port:$event_port
emulator_control = $demo/camera.ctl"
else
    echo "demo: no portrait for the emulated camera (set BIOKIOSK_DEMO_PORTRAIT=IMAGE): the photo step is off"
fi

# The fingerprint reader is libfprint's virtual image device on $demo/finger.sock; its fingers
# come from the feeder process, which the kiosk tells when the reader asks for one (in a window;
# the walkthrough places its own with the script's "finger" commands).
if [ "$mode" = window ]; then
    rm -f "$demo/finger.out"
    "$top/build/emulators/finger/biokiosk-finger-feeder" "$demo/finger.sock" \
        >"$demo/finger.out" 2>"$demo/finger.log" &
    feeder_pid=$!
    for _ in $(seq 50); do grep -q '^finger-feeder: ready' "$demo/finger.out" 2>/dev/null && break; sleep 0.1; done
fi

# The back office's receiver on 127.0.0.1 (HTTPS with a certificate made here, which the kiosk
# pins): the kiosk delivers each record after its commit and keeps the signed receipt.
mkdir -p "$demo/receiver/kiosks" "$demo/received"
[ -f "$demo/receiver/receiver.key" ] || "$bk" keys receiver-init --dir "$demo/receiver" >/dev/null
cp "$demo/keys/kiosk.pub" "$demo/receiver/kiosks/$desk-DEMO.pub"
if [ ! -f "$demo/receiver/tls.pem" ]; then
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 365 \
        -keyout "$demo/receiver/tls.key" -out "$demo/receiver/tls.pem" -subj /CN=127.0.0.1 \
        -addext subjectAltName=IP:127.0.0.1 2>/dev/null
fi
rm -f "$demo/receiver.out"
"$bk" receiver --listen 127.0.0.1:0 --kiosks "$demo/receiver/kiosks" \
    --key "$demo/receiver/receiver.key" --store "dir:$demo/received" \
    --tls-cert "$demo/receiver/tls.pem" --tls-key "$demo/receiver/tls.key" \
    >"$demo/receiver.out" 2>"$demo/receiver.log" &
receiver_pid=$!
for _ in $(seq 50); do grep -q listening "$demo/receiver.out" 2>/dev/null && break; sleep 0.1; done
receiver_url=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["listening"])' "$demo/receiver.out")

cat >"$demo/biokiosk.conf" <<CONF
# Written by tools/demo.sh: the demo kiosk on emulated hardware.
[kiosk]
desk = $desk
id = $desk-DEMO
fullscreen = false
locale_dir = $top/build/assets/po

[store]
uri = $store

[photo]
enabled = $photo_enabled

[camera]
$camera_lines

[fingerprint]
enabled = true
virtual_socket = $demo/finger.sock

[signature]
source = touch

[record]
outbox = $demo/outbox
kiosk_key = $demo/keys/kiosk.key
backoffice_key = $demo/backoffice/backoffice.pub
audit_hash_key = $demo/keys/audit-hash.key

[audit]
log = $demo/audit.log

[delivery]
url = $receiver_url
ca = $demo/receiver/tls.pem
receiver_key = $demo/receiver/receiver.pub
interval_seconds = 10
CONF
mkdir -p "$demo/outbox"
"$bk" config check --config "$demo/biokiosk.conf" >/dev/null

echo
echo "Appointments today ($today, the desk's local time) at $desk; type a code on the kiosk:"
sed 's/^/  /' "$demo/appointments.txt"
echo "Nobody has anything to give on these (the import's report, $demo/import.json; the back"
echo "office can free their slots; the kiosk says so for the person):"
python3 -c '
import json, sys
for a in json.load(open(sys.argv[1]))["unnecessary"]:
    print("  %s  %s  %d person(s)" % (a["code"], a["start"][11:16], a["persons"]))' "$demo/import.json"
echo
echo "Staff: F12 (or hold the top-left corner for 2 s), account demo, PIN 246810."
echo "Records go to $demo/outbox; open one with:"
echo "  $bk record open FILE --secret $demo/backoffice/backoffice.key --kiosk-key $demo/keys/kiosk.pub"
echo "The back office's receiver listens on $receiver_url; each record is delivered there and"
echo "moves to $demo/outbox/delivered with its signed receipt."

# After the kiosk: anything still waiting is delivered once more, then the records and receipts.
show_delivery() {
    "$bk" outbox deliver "$demo/outbox" --to "$receiver_url" --ca "$demo/receiver/tls.pem" \
        --receiver-key "$demo/receiver/receiver.pub" >/dev/null 2>"$demo/deliver.log" || true
    echo "Records on this kiosk, with the receiver's receipts ($bk outbox list $demo/outbox):"
    "$bk" outbox list "$demo/outbox" | python3 -c '
import json, sys
for r in json.load(sys.stdin)["records"]:
    print("  %s: %s" % (r["name"], r["state"]))
    if "receipt" in r:
        print("    receipt: " + json.dumps(r["receipt"]))'
    echo "What the receiver holds ($bk receiver list --store dir:$demo/received):"
    "$bk" receiver list --store "dir:$demo/received" | sed 's/^/  /'
}

if [ "$mode" = walkthrough ]; then
    line=$(grep 'nothing on file' "$demo/appointments.txt" | head -n 1)
    code=${line%% *}
    name=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print([a for a in d["appointments"] if a["code"].replace("-","")==sys.argv[2].replace("-","")][0]["persons"][0]["name"])' "$demo/appointments.json" "$code")
    rm -rf "$demo/screens"
    mkdir -p "$demo/screens"
    cat >"$demo/walkthrough.txt" <<SCRIPT
# A visit: an adult with nothing on file gives a photo, two fingerprints and a signature.
expect-screen welcome
screenshot 01-welcome
language en
tap "Start"
expect-screen code
type $code
screenshot 02-code
key Return
expect-screen appointment
screenshot 03-appointment
tap "Continue"
expect-screen documents
screenshot 04-documents
staff demo 246810
expect-screen staff-menu
tap "Close this menu"
tap "$name"
screenshot 05-documents-confirmed
tap "Continue"
expect-screen person
screenshot 06-person
tap "Start"
SCRIPT
    if [ "$photo_enabled" = true ]; then
        cat >>"$demo/walkthrough.txt" <<SCRIPT
expect-screen capture-photo
camera-wait ready 30
camera-wait frame 30
camera-wait models 120
camera-wait analysis 30
screenshot 07-photo-live-view
camera-mark
tap "Take the photo"
wait 3000
camera-wait result 90
screenshot 08-photo-result
tap "Take it again"
camera-wait frame 30
camera-mark
tap "Take the photo"
wait 3000
camera-wait result 90
tap "Take it again"
camera-wait frame 30
camera-mark
tap "Take the photo"
wait 3000
camera-wait result 90
# after three photos the desk officer chooses the one to keep
screenshot 09-photo-officer
tap "Mouth"
screenshot 09-photo-officer-mouth
tap "Whole photo"
tap "Previous photo"
tap "Previous photo"
tap "Keep photo 1"
SCRIPT
    fi
    cat >>"$demo/walkthrough.txt" <<SCRIPT
expect-screen capture-finger
screenshot 10-fingerprints
tap "Start the fingerprints"
finger synthetic:11
screenshot 11-fingerprint-taken
tap "Continue"
finger synthetic:12
tap "Continue"
screenshot 12-fingerprints-kept
tap "Accept the fingerprints"
expect-screen capture-signature
stroke 60,180 84,237 108,268 132,257 156,210 180,149 204,102 228,92 252,124 276,181 300,239 324,268 348,256 372,208 396,148 420,101 444,92 468,125 492,183 516,240 540,269 564,256 588,207 612,146 636,101 660,93 684,126 708,184 732,241 756,269 780,255 804,205 828,145 852,100 876,93 900,127 924,186 948,242 972,269 996,254
screenshot 13-signature
tap "Accept"
expect-screen review
screenshot 14-review
tap "Finish"
expect-screen done
screenshot 15-done
SCRIPT
    now=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print([a for a in d["appointments"] if a["code"].replace("-","")==sys.argv[2].replace("-","")][0]["start"])' "$demo/appointments.json" "$code")
    if "$bk" --config "$demo/biokiosk.conf" --now "$now" --script "$demo/walkthrough.txt" \
        --screenshots "$demo/screens"; then
        echo "Screenshots of the visit: $demo/screens"
        show_delivery
    else
        echo "The walkthrough stopped; screenshots so far: $demo/screens" >&2
        exit 1
    fi
else
    echo "Starting the kiosk in a window (Ctrl+C here ends it)."
    "$bk" --windowed --config "$demo/biokiosk.conf" || true
    show_delivery
fi
