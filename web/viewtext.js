// Reads a view's JSON text for display and for careful text edits, without ever turning a
// number into a JavaScript number: u64 values written as JSON integers above 2^53 would be
// rounded by JSON.parse. Numbers are kept as the literal text, and every value remembers where it
// sits in the text so a single token (a member's `live`) can be replaced in place.
//
// The core decides; this module only reads what the core already accepted (the page calls
// `electLeaders` first), so it is a plain JSON reader, not a validator of SEMANTICS.md §7.

/** A JSON value with its position: {kind, start, end} plus fields per kind. */
export function scanJson(text) {
  let pos = 0;

  const fail = (what) => {
    throw new SyntaxError(`${what} at offset ${pos}`);
  };
  const skipSpace = () => {
    while (pos < text.length) {
      const c = text.charCodeAt(pos);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) pos++;
      else break;
    }
  };
  const literal = (word, kind, value) => {
    if (!text.startsWith(word, pos)) fail(`expected ${word}`);
    const start = pos;
    pos += word.length;
    return { kind, value, start, end: pos };
  };

  const string = () => {
    const start = pos;
    pos++; // opening quote
    let out = "";
    let run = pos;
    for (;;) {
      if (pos >= text.length) fail("unterminated string");
      const c = text.charCodeAt(pos);
      if (c === 0x22) break;
      if (c === 0x5c) {
        out += text.slice(run, pos);
        const e = text[pos + 1];
        const simple = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
        if (e in simple) {
          out += simple[e];
          pos += 2;
        } else if (e === "u") {
          const hex = text.slice(pos + 2, pos + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail("bad \\u escape");
          out += String.fromCharCode(parseInt(hex, 16));
          pos += 6;
        } else {
          fail("bad escape");
        }
        run = pos;
      } else {
        pos++;
      }
    }
    out += text.slice(run, pos);
    pos++; // closing quote
    return { kind: "string", value: out, start, end: pos };
  };

  const number = () => {
    const start = pos;
    const m = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
    m.lastIndex = pos;
    if (!m.exec(text)) fail("bad number");
    pos = m.lastIndex;
    return { kind: "number", raw: text.slice(start, pos), start, end: pos };
  };

  const value = () => {
    skipSpace();
    const c = text[pos];
    if (c === "{") return object();
    if (c === "[") return array();
    if (c === '"') return string();
    if (c === "t") return literal("true", "boolean", true);
    if (c === "f") return literal("false", "boolean", false);
    if (c === "n") return literal("null", "null", null);
    return number();
  };

  const object = () => {
    const start = pos;
    pos++;
    const entries = [];
    skipSpace();
    if (text[pos] === "}") {
      pos++;
      return { kind: "object", entries, start, end: pos };
    }
    for (;;) {
      skipSpace();
      if (text[pos] !== '"') fail("expected a field name");
      const key = string().value;
      skipSpace();
      if (text[pos] !== ":") fail("expected :");
      pos++;
      entries.push({ key, value: value() });
      skipSpace();
      if (text[pos] === ",") {
        pos++;
        continue;
      }
      if (text[pos] === "}") {
        pos++;
        return { kind: "object", entries, start, end: pos };
      }
      fail("expected , or }");
    }
  };

  const array = () => {
    const start = pos;
    pos++;
    const items = [];
    skipSpace();
    if (text[pos] === "]") {
      pos++;
      return { kind: "array", items, start, end: pos };
    }
    for (;;) {
      items.push(value());
      skipSpace();
      if (text[pos] === ",") {
        pos++;
        continue;
      }
      if (text[pos] === "]") {
        pos++;
        return { kind: "array", items, start, end: pos };
      }
      fail("expected , or ]");
    }
  };

  const root = value();
  skipSpace();
  if (pos !== text.length) fail("trailing text");
  return root;
}

/** The value of field `key` of an object node, or undefined. */
export function field(node, key) {
  if (!node || node.kind !== "object") return undefined;
  // The core refuses repeated fields, so the first is the only one.
  const entry = node.entries.find((e) => e.key === key);
  return entry ? entry.value : undefined;
}

/**
 * A u64 field exactly as the text writes it: a canonical decimal string's content or an
 * integer literal's digits. `{text, given}`; absent or null gives the default "0".
 */
export function u64Of(node) {
  if (!node || node.kind === "null") return { text: "0", given: false };
  if (node.kind === "string") return { text: node.value, given: true };
  if (node.kind === "number") return { text: node.raw, given: true };
  return { text: "?", given: true };
}

/**
 * The groups of a view, in the order the text lists them, each with its listed entries:
 * {name, incumbent, configured, members: [{id, live, liveNode, generation, priority, eligible,
 * epoch}]}.
 */
export function readGroups(text) {
  const root = scanJson(text);
  const groups = field(root, "groups");
  if (!groups || groups.kind !== "object") return [];
  return groups.entries.map(({ key, value: g }) => {
    const members = field(g, "members");
    const incumbent = field(g, "incumbent");
    const configured = field(g, "configured");
    return {
      name: key,
      incumbent: incumbent && incumbent.kind === "string" ? incumbent.value : null,
      configured: configured && configured.kind !== "null" ? u64Of(configured).text : null,
      members: (members && members.kind === "array" ? members.items : []).map((m) => {
        const live = field(m, "live");
        const eligible = field(m, "eligible");
        const id = field(m, "id");
        return {
          id: id && id.kind === "string" ? id.value : "",
          live: Boolean(live && live.value === true),
          liveNode: live,
          generation: u64Of(field(m, "generation")),
          priority: u64Of(field(m, "priority")),
          eligible: !(eligible && eligible.value === false),
          epoch: u64Of(field(m, "epoch")),
        };
      }),
    };
  });
}

/**
 * The view text with `live` set to `live` on every entry of node `id`, in every group. Only the
 * `true`/`false` tokens change: every other byte of the text, u64 literals included, is kept.
 * Returns {text, changed} (how many entries changed).
 */
export function setLive(text, id, live) {
  const edits = [];
  for (const group of readGroups(text)) {
    for (const m of group.members) {
      if (m.id === id && m.liveNode && m.liveNode.kind === "boolean" && m.liveNode.value !== live) {
        edits.push(m.liveNode);
      }
    }
  }
  edits.sort((a, b) => a.start - b.start);
  const pieces = [];
  let at = 0;
  for (const node of edits) {
    pieces.push(text.slice(at, node.start), String(live));
    at = node.end;
  }
  pieces.push(text.slice(at));
  return { text: pieces.join(""), changed: edits.length };
}
