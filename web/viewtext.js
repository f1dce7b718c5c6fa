// Reading and editing a view without a JSON reader of the page's own: the core reads the text
// and writes it back canonically (normalizeView), with every u64 as a decimal string, so
// JSON.parse of that text rounds nothing.

/**
 * The groups of a view, in the core's order, each with its listed entries:
 * {name, incumbent, configured, members: [{id, live, generation, priority, eligible, epoch}]};
 * u64 values are decimal strings.
 */
export function readGroups(normalizeView, text) {
  const { groups } = JSON.parse(normalizeView(text));
  return Object.entries(groups).map(([name, g]) => ({
    name,
    incumbent: g.incumbent ?? null,
    configured: g.configured ?? null,
    members: g.members,
  }));
}

/**
 * The view with `live` set to `live` on every entry of node `id`, in every group, as the core's
 * canonical text. Returns {text, changed} (how many entries changed).
 */
export function setLive(normalizeView, text, id, live) {
  const view = JSON.parse(normalizeView(text));
  let changed = 0;
  for (const group of Object.values(view.groups)) {
    for (const m of group.members) {
      if (m.id === id && m.live !== live) {
        m.live = live;
        changed++;
      }
    }
  }
  return { text: JSON.stringify(view, null, 2), changed };
}
