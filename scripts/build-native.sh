#!/usr/bin/env bash
# Rebuilds the native core (re-runs gyp configure so new native/src/*.cc files are picked up).
# Serialized with a lock so concurrent builds in one tree do not collide.
set -euo pipefail
cd "$(dirname "$0")/.."
exec flock /tmp/firstring-native-build.lock sh -c 'npx --no-install node-gyp configure --release >/dev/null && npx --no-install node-gyp build --release -j 2'
