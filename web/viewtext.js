// Reading and editing a view without a JSON reader of the page's own: the core reads the text
// and writes it back canonically (normalizeView), with every u64 as a decimal string, so
// JSON.parse of that text rounds nothing.

/**
 * The view as the core reads it: its groups by name, each with its listed entries
 * {name, incumbent, handover_to, configured, members: [{id, live, generation, priority,
 * eligible, epoch, log_epoch, log_end, leaving, claims_epoch (only when the member claims)}]}
 * (u64 values as decimal strings), and the view's own policy (what its cluster decides with)
 * or null. The groups are looked up by name, not listed: JSON.parse puts integer-like keys
 * before the others, so the core's order of groups is the order of its decisions, not this.
 */
export function readView(normalizeView, text) {
  return readCanonical(normalizeView(text));
}

/** readView's answer from the core's canonical text of the view (normalizeView's answer). */
export function readCanonical(canonical) {
  return readParsed(JSON.parse(canonical));
}

/**
 * readView's answer from the parsed canonical text `raw` (kept as `raw`, for setLiveRead).
 */
function readParsed(raw) {
  const { groups, policy } = raw;
  const byName = new Map();
  for (const [name, g] of Object.entries(groups)) {
    byName.set(name, {
      name,
      incumbent: g.incumbent ?? null,
      handover_to: g.handover_to ?? null,
      configured: g.configured ?? null,
      members: g.members,
    });
  }
  return { groups: byName, policy: policy ?? null, raw };
}

/**
 * The view already read (readView's answer `read`) with `live` set to `live` on every entry of
 * node `id`, in every group, without reading its text again: the groups that list `id` are
 * copied with the entries changed, the others shared. Returns {write, changed, read, touched}:
 * `write(compactAbove)` writes the canonical text (indented, or compact when it would be longer
 * than `compactAbove` characters: nobody reads such a text in a box), `changed` counts the
 * entries changed, `read` is readView's answer for the new view, `touched` names the groups that
 * changed.
 */
export function setLiveRead(read, id, live) {
  const groups = {};
  const touched = [];
  let changed = 0;
  for (const [name, g] of Object.entries(read.raw.groups)) {
    let members = g.members;
    for (let i = 0; i < members.length; i++) {
      const m = members[i];
      if (m.id === id && m.live !== live) {
        if (members === g.members) members = members.slice();
        members[i] = { ...m, live };
        changed++;
      }
    }
    if (members === g.members) {
      groups[name] = g;
    } else {
      groups[name] = { ...g, members };
      touched.push(name);
    }
  }
  const view = { ...read.raw, groups };
  const write = (compactAbove = Infinity) => {
    const text = JSON.stringify(view);
    return text.length <= compactAbove ? JSON.stringify(view, null, 2) : text;
  };
  return { write, changed, read: readParsed(view), touched };
}
