#!/usr/bin/env bash
# Copies the dashboard page and its WASM build from web/ into cli/assets/, which the crate
# tarball carries (cargo package takes no file from outside cli/): build.rs embeds the page from
# there when web/ is not beside the crate. Needs web/pkg/ (`bash bindings/wasm/build.sh`).
# scripts/packages runs it before `cargo package`; in the repository the build reads web/ itself.
set -euo pipefail
cli="$(cd "$(dirname "$0")" && pwd)"
web="$(cd "$cli/../web" && pwd)"
for built in tael_coord.js tael_coord_bindgen.js tael_coord_bg.wasm; do
  if [ ! -f "$web/pkg/$built" ]; then
    echo "cli/assets.sh: web/pkg/$built is missing; run \`bash bindings/wasm/build.sh\` first" >&2
    exit 1
  fi
done
rm -rf "$cli/assets"
mkdir -p "$cli/assets/pkg"
# build.rs's rule: the top-level html, css and js; from pkg/ the browser entry, the glue under
# it, its .wasm and its snippets (not the Node entries, types or package.json).
cp "$web"/*.html "$web"/*.css "$web"/*.js "$cli/assets/"
cp "$web/pkg/tael_coord.js" "$web/pkg/tael_coord_bindgen.js" "$web/pkg/tael_coord_bg.wasm" "$cli/assets/pkg/"
if [ -d "$web/pkg/snippets" ]; then cp -R "$web/pkg/snippets" "$cli/assets/pkg/"; fi
echo "cli/assets: $(find "$cli/assets" -type f | wc -l) files, $(du -sk "$cli/assets" | cut -f1) KiB"
