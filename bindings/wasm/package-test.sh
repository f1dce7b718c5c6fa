#!/usr/bin/env bash
# The npm package tael-coord-wasm as its users get it: `npm pack` of bindings/wasm/pkg/ and an
# install of the tarball into a fresh project in a temporary directory (removed at the end); then
#   (a) Node `import` and (b) Node `require` of the package by name, each running a slice of the
#       conformance corpus (elections, gates, decisions) and electing a leader;
#   (c) tsc --strict over usage files importing it by name (nodenext ES module and CommonJS,
#       bundler resolution with the DOM library, node10);
#   (d) two esbuild bundles of entries importing it by name (the .wasm copied next to the bundle,
#       and by esbuild's file loader), each loaded in Chromium, electing a leader on the page;
#   (e) <script type="module"> pages importing the unpacked tarball's browser entry by its path and
#       by its name through an import map, in Chromium.
# Prints the tarball's size and ends with `N passed, N failed`. Builds the package when it is
# missing or older than its sources; installs what it needs idempotently (bindings/wasm's pinned
# typescript and esbuild, web/'s pinned playwright-core, Debian's chromium).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$here"

if [ ! -x /usr/bin/chromium ]; then
  sudo=""
  if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null; then sudo="sudo"; fi
  $sudo apt-get update
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
fi
if [ ! -x node_modules/.bin/esbuild ] || ! npm ls --silent >/dev/null 2>&1; then
  npm ci --no-audit --no-fund
fi
(
  cd "$root/web"
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ] \
    || ! npm ls --silent >/dev/null 2>&1; then
    npm ci --no-audit --no-fund
  fi
)
if [ ! -f pkg/package.json ] || [ -n "$(find npm src Cargo.toml "$root/src" "$root/Cargo.toml" "$root/Cargo.lock" \
  -newer pkg/package.json -print -quit)" ]; then
  bash build.sh
fi
export PATH="$here/node_modules/.bin:$PATH"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/tael-coord-npm.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
export TMPDIR="$tmp"   # Chromium's profile too
app="$tmp/app"
site="$tmp/site"
mkdir -p "$app" "$site/esbuild" "$site/esbuild-url"

# The tarball, and what npm put in it.
npm pack --json --pack-destination "$tmp" "$here/pkg" >"$tmp/pack.json"
read -r tgz unpacked files < <(node -e '
  const [p] = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(p.filename, p.unpackedSize, p.files.map((f) => f.path).sort().join(","));' "$tmp/pack.json")
version="$(node -p 'require("./pkg/package.json").version')"
tarball_bytes=$(stat -c %s "$tmp/$tgz")
wasm_bytes=$(stat -c %s pkg/tael_coord_bg.wasm)
wasm_gz=$(gzip -9 -c pkg/tael_coord_bg.wasm | wc -c)

# A fresh project that installs the tarball (it has no dependencies: nothing to fetch).
printf '{ "name": "tael-coord-package-test", "version": "0.0.0", "private": true }\n' >"$app/package.json"
cp package-test/*.mjs package-test/*.cjs package-test/*.ts package-test/*.mts package-test/*.cts package-test/show.js "$app/"
(cd "$app" && npm install --offline --no-audit --no-fund --loglevel=error "$tmp/$tgz" >/dev/null)
tar -xzf "$tmp/$tgz" -C "$site"
cp package-test/show.js package-test/module.html package-test/importmap.html package-test/esbuild.html "$site/"
cp package-test/esbuild-url.html "$site/esbuild-url/index.html"

passed=0
failed=0
check() {
  local name="$1"
  shift
  if out="$("$@" 2>&1)"; then
    passed=$((passed + 1))
    printf 'ok    %s\n' "$name"
  else
    failed=$((failed + 1))
    printf 'FAIL  %s\n' "$name"
  fi
  [ -z "$out" ] || printf '%s\n' "$out" | sed 's/^/      /'
}

expected="LICENSE,README.md,node.cjs,node.d.cts,node.d.mts,node.mjs,package.json,$(cd pkg && ls snippets/*/*.js | sort | paste -sd,),tael_coord.d.ts,tael_coord.js,tael_coord_bg.wasm,tael_coord_bindgen.js"
[ -f pkg/LICENSE ] || expected="${expected#LICENSE,}"
check "the tarball holds the package's files and no others" test "$files" = "$expected"
crate_version="$(cargo metadata --no-deps --format-version 1 --manifest-path Cargo.toml |
  node -e 'const m = JSON.parse(require("fs").readFileSync(0, "utf8"));
    console.log(m.packages.find((p) => p.name === "tael-coord-wasm").version)')"
check "package.json: fields, the crate's version, the order of conditions" node "$app/manifest.cjs" "$crate_version"
check "(a) Node import by name: corpus slice, leader" node "$app/esm.mjs" "$root/tests/vectors" "$version"
check "(b) Node require by name: corpus slice, leader" node "$app/cjs.cjs" "$root/tests/vectors" "$version"
tsc_flags=(--strict --noEmit --target es2022)
check "(c) tsc --strict, nodenext (.mts and .cts)" tsc "${tsc_flags[@]}" --lib es2022,esnext.disposable \
  --module nodenext "$app/usage.mts" "$app/usage.cts"
check "(c) tsc --strict, bundler resolution with the DOM" tsc "${tsc_flags[@]}" --lib es2022,esnext.disposable,dom \
  --module esnext --moduleResolution bundler "$app/usage-bundler.ts"
check "(c) tsc --strict, node10 resolution" tsc "${tsc_flags[@]}" --lib es2022,esnext.disposable \
  --module commonjs --moduleResolution node10 "$app/usage-node10.ts"
# esbuild's default platform is the browser: it must pick the `browser` entry (no `node:` import
# in the bundle) and say nothing (no warning).
bundles() {
  local said
  said="$(cd "$app" &&
    esbuild bundle-entry.mjs --bundle --format=esm --log-level=warning --outfile="$site/esbuild/app.js" 2>&1 &&
    cp node_modules/tael-coord-wasm/tael_coord_bg.wasm "$site/esbuild/" &&
    esbuild bundle-entry-url.mjs --bundle --format=esm --log-level=warning --loader:.wasm=file \
      --entry-names=app --outdir="$site/esbuild-url" 2>&1)" || { echo "$said"; return 1; }
  [ -z "$said" ] || { echo "$said"; return 1; }
  ! grep -l 'node:' "$site/esbuild/app.js" "$site/esbuild-url/app.js"
}
check "(d) esbuild $(esbuild --version): two bundles of the package by name" bundles
check "(d) the esbuild bundles in Chromium" node "$app/browser.mjs" "$site" "$root/web" "$version" \
  esbuild.html esbuild-url/index.html
check "(e) <script type=module> from the unpacked tarball, in Chromium" node "$app/browser.mjs" "$site" "$root/web" \
  "$version" module.html importmap.html

echo "tarball: $tgz, $tarball_bytes bytes (unpacked $unpacked bytes); .wasm $wasm_bytes bytes, $wasm_gz gzipped"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
