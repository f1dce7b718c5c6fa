// Bad inputs get a typed error with the core's status name; the UTF-16 trap is decided as Rust does.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";

const tael = createRequire(import.meta.url)("../pkg-node/tael_coord.js");

function throwsCode(f, code, type = Error) {
  assert.throws(f, (e) => {
    assert.ok(e instanceof type, `expected a ${type.name}, got ${e && e.constructor && e.constructor.name}`);
    assert.equal(e.code, code);
    assert.ok(e.message.length > 0);
    return true;
  });
}

test("JavaScript's own < disagrees with the package on the UTF-16 trap", () => {
  const ids = ["\u{1F600}", "\uFF61"];
  const jsMin = ids.reduce((a, b) => (b < a ? b : a));
  assert.equal(jsMin, "\u{1F600}", "UTF-16 code units put U+1F600 (0xD83D...) first");
  assert.equal(tael.electLeader(ids), "\uFF61", "UTF-8 bytes put U+FF61 (0xEF...) first, as Rust does");
  const [d] = tael.electLeaders(JSON.stringify({ groups: { g: { members: ids.map((id) => ({ id, live: true })) } } }));
  assert.equal(d.leader, "\uFF61");
});

test("epochs come out as bigint", () => {
  const f = new tael.EpochFencer(2n ** 64n - 2n);
  assert.equal(typeof f.highest, "bigint");
  assert.equal(f.promote(), 2n ** 64n - 1n);
  const v = f.check(5);
  assert.equal(v.code, "STALE_EPOCH");
  assert.equal(v.highest, 2n ** 64n - 1n);
  throwsCode(() => f.promote(), "EPOCH_OVERFLOW");
});

test("numbers are accepted only as safe non-negative integers", () => {
  const f = new tael.EpochFencer();
  assert.equal(f.checkAndAdvance(Number.MAX_SAFE_INTEGER), true);
  assert.equal(f.highest, 9007199254740991n);
  for (const bad of [-1, 1.5, Number.MAX_SAFE_INTEGER + 1, 2 ** 64, NaN, Infinity, -Infinity]) {
    throwsCode(() => f.checkAndAdvance(bad), "INVALID_EPOCH", RangeError);
  }
  assert.equal(f.highest, 9007199254740991n, "refused inputs do not move the gate");
});

test("bigints out of u64 range are refused, never wrapped", () => {
  const f = new tael.EpochFencer();
  throwsCode(() => f.check(-1n), "INVALID_EPOCH", RangeError);
  throwsCode(() => f.check(2n ** 64n), "INVALID_EPOCH", RangeError);
  throwsCode(() => new tael.EpochFencer(-1n), "INVALID_EPOCH", RangeError);
  throwsCode(() => new tael.EpochFencer(0, 2n ** 64n), "INVALID_EPOCH", RangeError);
  assert.equal(f.highest, 0n);
});

test("values of the wrong type are TypeErrors", () => {
  const f = new tael.EpochFencer();
  for (const bad of ["5", null, true, {}, [], Symbol("x")]) {
    throwsCode(() => f.check(bad), "INVALID_ARGUMENT", TypeError);
  }
  throwsCode(() => new tael.EpochFencer("7"), "INVALID_ARGUMENT", TypeError);
  throwsCode(() => tael.electLeader("node-a"), "INVALID_ARGUMENT", TypeError);
  throwsCode(() => tael.electLeader(undefined), "INVALID_ARGUMENT", TypeError);
  throwsCode(() => tael.electLeader(["a", 1]), "INVALID_ARGUMENT", TypeError);
  throwsCode(() => tael.electLeader(["a", null]), "INVALID_ARGUMENT", TypeError);
  throwsCode(() => tael.electLeaders({ groups: {} }), "INVALID_ARGUMENT", TypeError);
  throwsCode(() => tael.electLeaders('{"groups":{}}', 5), "INVALID_ARGUMENT", TypeError);
  throwsCode(() => tael.electLeaders('{"groups":{}}', [true]), "INVALID_ARGUMENT", TypeError);
  throwsCode(() => new tael.HolderFencer().check(1, 7), "INVALID_ARGUMENT", TypeError);
  throwsCode(() => new tael.FenceRegistry().add(7), "INVALID_ARGUMENT", TypeError);
  throwsCode(() => new tael.FenceRegistry().restore({ streams: {} }), "INVALID_ARGUMENT", TypeError);
});

test("ids: lone surrogates, control characters, empty and over-long ids", () => {
  throwsCode(() => tael.electLeader(["a", "\uD800"]), "INVALID_UTF8");
  throwsCode(() => tael.electLeader(["\uDFFFb"]), "INVALID_UTF8");
  throwsCode(() => tael.electLeader(["a", ""]), "INVALID_ID");
  throwsCode(() => tael.electLeader(["a\u0000b", "c"]), "INVALID_ID");
  throwsCode(() => tael.electLeader(["a\u0000", "\u0000b"]), "INVALID_ID");
  throwsCode(() => tael.electLeader(["x".repeat(256)]), "INVALID_ID");
  assert.equal(tael.electLeader(["x".repeat(255)]), "x".repeat(255));
  assert.equal(tael.electLeader([]), undefined);
  throwsCode(() => new tael.HolderFencer().check(1, "\uD800"), "INVALID_UTF8");
  throwsCode(() => new tael.HolderFencer().check(1, ""), "INVALID_ID");
});

test("malformed views, policies and snapshots", () => {
  throwsCode(() => tael.electLeaders("{"), "INVALID_VIEW");
  throwsCode(() => tael.electLeaders('{"groups":{"g":{"members":[{"id":"a","live":true,"epoch":1.5}]}}}'), "INVALID_VIEW");
  throwsCode(() => tael.electLeaders('{"groups":{}}', { sticky: true }), "INVALID_POLICY");
  throwsCode(() => tael.electLeaders('{"groups":{}}', { priority: 1 }), "INVALID_POLICY");
  throwsCode(() => tael.electLeaders('{"groups":{}}', "{"), "INVALID_POLICY");
  throwsCode(() => new tael.FenceRegistry().restore('{"streams":{"s":"01"}}'), "INVALID_SNAPSHOT");
  throwsCode(() => tael.nextEpoch('{"groups":{}}', "g"), "UNKNOWN_GROUP");
});

test("a view's u64 written as a JSON number above 2^53 is exact", () => {
  const text = '{"groups":{"g":{"members":[{"id":"a","live":true,"epoch":9007199254740993}]}}}';
  assert.equal(tael.nextEpoch(text, "g"), 9007199254740994n);
  const rounded = BigInt(JSON.parse(text).groups.g.members[0].epoch);
  assert.notEqual(rounded, 9007199254740993n, "JSON.parse would have rounded it");
});

test("normalizeView writes the core's reading back with every u64 as a decimal string", () => {
  const text = '{"groups":{"g":{"members":[{"id":"a","live":true,"generation":9007199254740993,"epoch":18446744073709551615}]}}}';
  const view = JSON.parse(tael.normalizeView(text));
  assert.deepEqual(view.groups.g.members[0], {
    id: "a", live: true, generation: "9007199254740993", priority: "0", eligible: true, epoch: "18446744073709551615",
  });
  assert.equal(tael.normalizeView(tael.normalizeView(text)), tael.normalizeView(text), "a fixed point");
  throwsCode(() => tael.normalizeView('{"groups":{"g":{"members":[{"id":"a","live":1}]}}}'), "INVALID_VIEW");
  throwsCode(() => tael.normalizeView({ groups: {} }), "INVALID_ARGUMENT", TypeError);
});
