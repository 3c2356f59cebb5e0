#!/usr/bin/env python3
"""Long-lived streaming pocketsphinx decoder for firstring (one process serves many utterances).

Loads libpocketsphinx (Debian's 0.8 "5prealpha") through ctypes, so no compiler is needed, and
feeds it an utterance while it is being spoken, reporting the partial hypothesis as it changes.

  argv: model dir, dictionary, JSGF grammar, sample rate, partial interval (ms)
  stdin, binary records: type (1 byte) | length (uint32 LE) | payload
    type 1 = start an utterance (payload empty)
    type 2 = audio (payload: s16le mono at the sample rate)
    type 3 = end the utterance: report the final hypothesis
    type 4 = abort the utterance (no report)
  stdout, one line per event (UTF-8):
    "ready"           the decoder is loaded
    "start"           an utterance started (lines before it belong to the previous one)
    "partial <samples> <text>"  the hypothesis so far changed (checked once per partial interval of
                      audio); <samples>: audio of the utterance decoded so far
    "final <text>"    the utterance's final hypothesis (possibly empty)
    "error <message>" a record could not be handled; the process goes on
"""
import ctypes
import struct
import sys

model, dictionary, grammar, rate, interval_ms = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])

sphinxbase = ctypes.CDLL("libsphinxbase.so.3", mode=ctypes.RTLD_GLOBAL)
ps = ctypes.CDLL("libpocketsphinx.so.3")
ps.ps_args.restype = ctypes.c_void_p
sphinxbase.cmd_ln_init.restype = ctypes.c_void_p
ps.ps_init.restype = ctypes.c_void_p
ps.ps_init.argtypes = [ctypes.c_void_p]
ps.ps_start_utt.argtypes = [ctypes.c_void_p]
ps.ps_end_utt.argtypes = [ctypes.c_void_p]
ps.ps_process_raw.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int]
ps.ps_get_hyp.restype = ctypes.c_char_p
ps.ps_get_hyp.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_int32)]

args = [
    b"-hmm", model.encode(),
    b"-dict", dictionary.encode(),
    b"-jsgf", grammar.encode(),
    b"-samprate", str(rate).encode(),
    b"-wip", b"1e-3",
    b"-logfn", b"/dev/null",
]
config = sphinxbase.cmd_ln_init(None, ctypes.c_void_p(ps.ps_args()), 1, *[ctypes.c_char_p(a) for a in args], None)
if not config:
    sys.stdout.write("error bad decoder configuration\n")
    sys.exit(2)
decoder = ps.ps_init(config)
if not decoder:
    sys.stdout.write("error the decoder did not load\n")
    sys.exit(2)

out = sys.stdout
inp = sys.stdin.buffer
score = ctypes.c_int32(0)
interval_samples = rate * interval_ms // 1000
MAX_RECORD = 1 << 20


def hypothesis():
    h = ps.ps_get_hyp(decoder, ctypes.byref(score))
    return h.decode("utf-8", "replace").strip() if h else ""


def read_exact(n):
    buf = b""
    while len(buf) < n:
        chunk = inp.read(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


out.write("ready\n")
out.flush()
in_utt = False
decoded = 0
since_partial = 0
last_partial = ""
while True:
    header = read_exact(5)
    if header is None:
        break
    kind, length = struct.unpack("<BI", header)
    if length > MAX_RECORD:
        out.write("error oversized record\n")
        out.flush()
        break
    payload = read_exact(length) if length else b""
    if payload is None:
        break
    if kind == 1:
        if in_utt:
            ps.ps_end_utt(decoder)
        ps.ps_start_utt(decoder)
        in_utt, decoded, since_partial, last_partial = True, 0, 0, ""
        out.write("start\n")
        out.flush()
    elif kind == 2 and in_utt:
        samples = len(payload) // 2
        buf = ctypes.create_string_buffer(payload, len(payload))
        ps.ps_process_raw(decoder, buf, samples, 0, 0)
        decoded += samples
        since_partial += samples
        if since_partial >= interval_samples:
            since_partial = 0
            h = hypothesis()
            if h and h != last_partial:
                last_partial = h
                out.write("partial %d %s\n" % (decoded, h))
                out.flush()
    elif kind == 3 and in_utt:
        ps.ps_end_utt(decoder)
        in_utt = False
        out.write("final " + hypothesis() + "\n")
        out.flush()
    elif kind == 4 and in_utt:
        ps.ps_end_utt(decoder)
        in_utt = False
    elif kind not in (1, 2, 3, 4):
        out.write("error unknown record type %d\n" % kind)
        out.flush()
