#!/usr/bin/env bash
# The tael-coord command as built from its crate tarball: takes the binary that `cargo package`
# just built to verify target/package/tael-coord-cli-<version>.crate (cargo unpacks the tarball
# to target/package/tael-coord-cli-<version>/, builds it there, and links the binary to
# target/debug/tael-coord; its debug info names that directory, which this checks), copies it to
# a temporary directory outside the repository and runs `tael-coord dashboard` from an empty
# directory there. Then fetches over HTTP: `/` (which must land on the live view), the page's
# modules, the browser entry with the glue and its snippets, and the `.wasm`, checking status,
# content type and that the `.wasm` is web/pkg/tael_coord_bg.wasm byte for byte; and
# `/api/view` until the three nodes are live; stops the dashboard with Ctrl-C. Prints each
# check; ends with `N passed, 0 failed`.
#
# scripts/packages runs it right after `bash cli/assets.sh` and `cargo package`.
# TAEL_PACKAGE_TEST_KEEP=1 keeps the temporary directory.
set -euo pipefail

cli="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$cli/.." && pwd)"
cd "$root"
version="$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)"
target="${CARGO_TARGET_DIR:-$root/target}"
unpacked="$target/package/tael-coord-cli-$version"

tmp="$(mktemp -d)"
dashboard_pid=""
cleanup() {
  if [ -n "$dashboard_pid" ] && kill -0 "$dashboard_pid" 2>/dev/null; then
    kill -INT "$dashboard_pid" 2>/dev/null || true
    wait "$dashboard_pid" 2>/dev/null || true
  fi
  if [ "${TAEL_PACKAGE_TEST_KEEP:-}" = 1 ]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
mkdir -p "$tmp/bin" "$tmp/run"
cp "$target/debug/tael-coord" "$tmp/bin/" 2>/dev/null || true

printf '\n-- package: tael-coord dashboard from the tael-coord-cli %s tarball\n' "$version"
passed=0
fail() {
  printf 'package test: FAILED: %s\n' "$*" >&2
  printf '%d passed, 1 failed\n' "$passed"
  exit 1
}
ok() {
  passed=$((passed + 1))
  printf '   ok: %s\n' "$*"
}
tarball="$target/package/tael-coord-cli-$version.crate"
[ -f "$tarball" ] || fail "no $tarball: run \`bash cli/assets.sh\` and \`cargo package\` first"
tar -xzf "$tarball" -C "$tmp" "tael-coord-cli-$version/assets/pkg/tael_coord_bg.wasm" \
  || fail "$tarball carries no assets/pkg/tael_coord_bg.wasm"
cmp -s "$tmp/tael-coord-cli-$version/assets/pkg/tael_coord_bg.wasm" web/pkg/tael_coord_bg.wasm \
  || fail "the .wasm in $tarball is not web/pkg's"
ok "${tarball#"$root"/} carries the page: $(tar -tzf "$tarball" | grep -c "^tael-coord-cli-$version/assets/") files under assets/, the .wasm equal to web/pkg's"
[ -x "$tmp/bin/tael-coord" ] && grep -qaF "$unpacked" "$tmp/bin/tael-coord" \
  || fail "$target/debug/tael-coord is not the binary cargo package built in $unpacked (run cargo package right before)"
ok "the binary is cargo package's build of ${unpacked#"$root"/} (copied to $tmp/bin)"

cd "$tmp/run"
"$tmp/bin/tael-coord" dashboard --port 0 --duration-s 300 \
  --gossip-interval-ms 50 --initial-interval-ms 50 </dev/null >"$tmp/dashboard.log" 2>&1 &
dashboard_pid=$!
url=""
for _ in $(seq 300); do
  url="$(sed -n 's|^dashboard: \(http://127\.0\.0\.1:[0-9]*\)/ .*|\1|p' "$tmp/dashboard.log")"
  [ -n "$url" ] && break
  kill -0 "$dashboard_pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$url" ]; then
  cat "$tmp/dashboard.log" >&2
  fail "the dashboard printed no address"
fi
ok "tael-coord dashboard, run from $tmp/run, serves $url"

python3 - "$url" "$root/web/pkg/tael_coord_bg.wasm" "$tmp/passed" "$passed" <<'EOF'
import json, posixpath, re, sys, time, urllib.request

base, wasm_file, count_file = sys.argv[1], sys.argv[2], sys.argv[3]
passed = int(sys.argv[4])

def get(path):
    with urllib.request.urlopen(base + path, timeout=10) as r:
        return r.status, r.headers.get("Content-Type", ""), r.geturl(), r.read()

def check(what, cond):
    global passed
    if not cond:
        print(f"package test: FAILED: {what}", file=sys.stderr)
        print(f"{passed} passed, 1 failed")
        sys.exit(1)
    passed += 1
    print(f"   ok: {what}")

status, ctype, final, body = get("/")
check(f"GET / -> {final[len(base):]}: {status} {ctype}",
      status == 200 and final == base + "/?poll=/api/view" and ctype.startswith("text/html"))
check("the page loads app.js as a module", b'<script type="module" src="app.js">' in body)
for path, want in [("/app.js", "text/javascript"), ("/viewtext.js", "text/javascript"),
                   ("/words.js", "text/javascript"), ("/style.css", "text/css"),
                   ("/pkg/tael_coord.js", "text/javascript")]:
    status, ctype, _, body = get(path)
    check(f"GET {path}: {status} {ctype}, {len(body)} bytes",
          status == 200 and ctype.startswith(want) and body)
# The modules the browser entry imports, and theirs in turn (the glue, its snippets).
pending, seen = ["tael_coord.js"], []
while pending:
    module = pending.pop()
    seen.append(module)
    status, ctype, _, body = get("/pkg/" + module)
    if module != "tael_coord.js":
        check(f"GET /pkg/{module}: {status} {ctype}", status == 200 and ctype.startswith("text/javascript"))
    for imported in re.findall(rb"""from ["']\./([^"']+)["']""", body):
        path = posixpath.join(posixpath.dirname(module), imported.decode())
        if path not in seen and path not in pending:
            pending.append(path)
snippets = [m for m in seen if m.startswith("snippets/")]
check(f"the browser entry imports the glue, which imports {len(snippets)} snippet module(s)",
      "tael_coord_bindgen.js" in seen and snippets)
status, ctype, _, body = get("/pkg/tael_coord_bg.wasm")
with open(wasm_file, "rb") as f:
    built = f.read()
check(f"GET /pkg/tael_coord_bg.wasm: {status} {ctype}, {len(body)} bytes, equal to web/pkg's",
      status == 200 and ctype == "application/wasm" and body == built)

deadline, live = time.time() + 30, []
while time.time() < deadline:
    status, ctype, _, body = get("/api/view")
    members = json.loads(body).get("groups", {}).get("wal-0", {}).get("members", [])
    live = sorted({m["id"] for m in members if m.get("live")})
    if status == 200 and ctype.startswith("application/json") and len(live) == 3:
        break
    time.sleep(0.2)
check(f"GET /api/view: the live cluster, members {', '.join(live)} live", len(live) == 3)
with open(count_file, "w") as f:
    f.write(str(passed))
EOF

passed="$(cat "$tmp/passed")"
kill -INT "$dashboard_pid"
status=0
wait "$dashboard_pid" || status=$?
dashboard_pid=""
if [ "$status" != 0 ]; then
  cat "$tmp/dashboard.log" >&2
  fail "the dashboard exited with $status on Ctrl-C"
fi
ok "the dashboard stopped on Ctrl-C (exit 0)"
printf '%d passed, 0 failed\n' "$passed"
