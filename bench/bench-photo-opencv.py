#!/usr/bin/python3
"""OpenCV's own Haar face detector on the live-view frames of bench-photo, for comparison.

Usage: bench-photo-opencv.py FRAME_DIR CASCADE_XML
Prints the median milliseconds per frame (decode at half size + detectMultiScale with the
parameters bench-photo's live view uses), then a second line with faces found.
Needs python3-opencv (benchmark only; the kiosk does not use OpenCV)."""
import glob
import os
import statistics
import sys
import time

import cv2

cv2.setNumThreads(1)  # our detector runs on one core too
frames = sorted(glob.glob(sys.argv[1] + "/frame*.jpg"))
cascade = cv2.CascadeClassifier(sys.argv[2])
times, found = [], 0
for path in frames:
    data = open(path, "rb").read()
    t0 = time.perf_counter()
    img = cv2.imread(path, cv2.IMREAD_REDUCED_GRAYSCALE_2)
    h, w = img.shape
    k = 400.0 / max(w, h)
    small = cv2.resize(img, (round(w * k), round(h * k)), interpolation=cv2.INTER_AREA)
    faces = cascade.detectMultiScale(small, scaleFactor=1.15, minNeighbors=3,
                                     minSize=(int(min(small.shape) * 0.18),) * 2)
    times.append((time.perf_counter() - t0) * 1000)
    found += len(faces) > 0
try:
    print("%.2f" % statistics.median(times))
    print("faces in %d/%d frames" % (found, len(frames)))
    sys.stdout.flush()
except BrokenPipeError:
    # the reader stopped reading: end quietly (no traceback); what Python still flushes at
    # exit goes nowhere
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(0)
