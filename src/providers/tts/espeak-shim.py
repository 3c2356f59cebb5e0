#!/usr/bin/env python3
"""Long-lived espeak-ng synthesizer for firstring (one process serves many sentences).

Loads libespeak-ng through ctypes, so no compiler is needed. Protocol:
  stdin, one JSON object per line:
    {"op": "speak", "id": 7, "text": "...", "voice": "en-us+f2", "rate": 165}
    {"op": "cancel", "id": 7}
  stdout, binary records: type (1 byte) | id (uint32 LE) | length (uint32 LE) | payload
    type 1 = PCM chunk (s16le mono at the rate announced in the ready record)
    type 2 = end of utterance (payload empty)
    type 3 = error (payload: UTF-8 message)
    type 4 = ready (id 0, payload: uint32 LE sample rate)
"""
import ctypes
import ctypes.util
import json
import struct
import sys
import threading

AUDIO_OUTPUT_SYNCHRONOUS = 2
ESPEAK_RATE = 1
POS_CHARACTER = 1
ESPEAK_CHARS_UTF8 = 1

out = sys.stdout.buffer
out_lock = threading.Lock()


def emit(kind, ident, payload=b""):
    with out_lock:
        out.write(struct.pack("<BII", kind, ident, len(payload)))
        out.write(payload)
        out.flush()


name = ctypes.util.find_library("espeak-ng") or "libespeak-ng.so.1"
lib = ctypes.CDLL(name)
SYNTH_CB = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)
lib.espeak_Initialize.restype = ctypes.c_int
lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
lib.espeak_SetSynthCallback.argtypes = [SYNTH_CB]
lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
lib.espeak_Synth.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
                             ctypes.c_uint, ctypes.c_uint, ctypes.POINTER(ctypes.c_uint), ctypes.c_void_p]

rate = lib.espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 100, None, 0)
if rate <= 0:
    emit(3, 0, b"espeak_Initialize failed")
    sys.exit(1)

current = {"id": 0}
cancelled = set()
cancel_lock = threading.Lock()


def on_audio(wav, numsamples, events):
    ident = current["id"]
    with cancel_lock:
        if ident in cancelled:
            return 1  # tells espeak-ng to stop this utterance
    if numsamples > 0 and wav:
        emit(1, ident, ctypes.string_at(wav, numsamples * 2))
    return 0


callback = SYNTH_CB(on_audio)
lib.espeak_SetSynthCallback(callback)

jobs = []
jobs_cv = threading.Condition()


def reader():
    for line in sys.stdin:
        try:
            msg = json.loads(line)
        except ValueError:
            emit(3, 0, b"bad request line")
            continue
        if msg.get("op") == "cancel":
            with cancel_lock:
                cancelled.add(int(msg.get("id", 0)))
            continue
        with jobs_cv:
            jobs.append(msg)
            jobs_cv.notify()
    with jobs_cv:
        jobs.append(None)
        jobs_cv.notify()


threading.Thread(target=reader, daemon=True).start()
emit(4, 0, struct.pack("<I", rate))

while True:
    with jobs_cv:
        while not jobs:
            jobs_cv.wait()
        job = jobs.pop(0)
    if job is None:
        break
    ident = int(job.get("id", 0))
    current["id"] = ident
    with cancel_lock:
        skip = ident in cancelled
    if not skip:
        try:
            voice = str(job.get("voice", "en")).encode()
            if lib.espeak_SetVoiceByName(voice) != 0:
                raise RuntimeError("unknown voice " + voice.decode())
            lib.espeak_SetParameter(ESPEAK_RATE, int(job.get("rate", 165)), 0)
            text = str(job.get("text", "")).encode("utf-8") + b"\0"
            lib.espeak_Synth(text, len(text), 0, POS_CHARACTER, 0, ESPEAK_CHARS_UTF8, None, None)
        except Exception as exc:  # report and keep serving
            emit(3, ident, str(exc).encode("utf-8", "replace"))
    with cancel_lock:
        cancelled.discard(ident)
    emit(2, ident)
