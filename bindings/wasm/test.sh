#!/usr/bin/env bash
# Builds the npm package (bindings/wasm/pkg/) and runs its tests through its `require` entry: the
# conformance corpus and the bad-input matrix under `node --test`, and the Node entries' .d.ts
# against a typed usage file. (package-test.sh tests the packed tarball as users install it.)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
bash build.sh
export PATH="$here/node_modules/.bin:$PATH"
tsc --strict --noEmit --target es2022 --lib es2022,esnext.disposable \
  --moduleResolution node --module commonjs tests/usage.ts
echo "tsc --strict: the .d.ts matches tests/usage.ts"
node --test tests/
