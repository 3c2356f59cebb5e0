#!/usr/bin/env bash
# One-step, idempotent set-up on Debian 12 + Node 20: Debian packages, npm ci,
# the native audio core, and the Silero VAD model. Quick when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(espeak-ng pocketsphinx pocketsphinx-en-us sox chromium sip-tester postgresql libopus-dev)

log() { printf '[setup] %s\n' "$*"; }

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" -eq 0 ]; then
    log "installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    log "installing Debian packages with sudo: ${missing[*]}"
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    log "missing Debian packages; run as root:"
    log "  apt-get update && apt-get install -y ${missing[*]}"
    log "continuing with what can be done without them"
  fi
fi

# npm ci only when the lockfile changed since the last successful install.
stamp=node_modules/.firstring-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  log "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi

# Native core: rebuild when any source is newer than the addon.
addon=build/Release/firstring_native.node
if [ ! -f "$addon" ] || [ -n "$(find native binding.gyp -newer "$addon" -type f 2>/dev/null | head -n1)" ]; then
  log "building native core"
  npx --no-install node-gyp rebuild --release -j 2 >/dev/null
fi

mkdir -p models data
model_src=node_modules/@ricky0123/vad-web/dist/silero_vad_v5.onnx
if [ ! -f models/silero_vad_v5.onnx ] || ! cmp -s "$model_src" models/silero_vad_v5.onnx; then
  log "copying Silero VAD v5 model into models/"
  cp "$model_src" models/silero_vad_v5.onnx
fi
# The 16 kHz batched Silero graph (scripts/silero-16k.ts), rebuilt when its source or the script changes.
if [ ! -f models/silero_vad_v5_16k.onnx ] || [ models/silero_vad_v5.onnx -nt models/silero_vad_v5_16k.onnx ] || [ scripts/silero-16k.ts -nt models/silero_vad_v5_16k.onnx ]; then
  log "building models/silero_vad_v5_16k.onnx"
  node --import tsx scripts/silero-16k.ts
fi
log "ready"
