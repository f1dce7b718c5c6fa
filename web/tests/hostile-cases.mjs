// Hostile inputs to the WebAssembly package, run in Node (bindings/wasm/tests/hostile.test.mjs)
// and in Chromium (web/tests/hostile.test.mjs) against the same module code. Each case calls
// the package with values whose reading runs code of the caller's (getters that call back in,
// throw, change their value or grow the module's memory; Proxies; sparse arrays; subclasses;
// arrays that change length mid-call), checks the answer, and checks that the module still
// answers correctly afterwards. Plain ES module, no Node or DOM imports.

class Failure extends Error {}

function check(ok, message) {
  if (!ok) throw new Failure(message);
}

function same(got, want, what) {
  check(Object.is(got, want), `${what}: expected ${String(want)}, got ${String(got)}`);
}

/** Runs `f`, expecting it to throw; returns what it threw. */
function thrown(f, what) {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Failure(`${what}: expected an exception`);
}

/** An array whose element `index` is a getter running `get` (every other element a value). */
function withGetter(values, index, get) {
  const ids = values.slice();
  Object.defineProperty(ids, index, { get, enumerable: true, configurable: true });
  return ids;
}

/** The module answers plain calls as before (run after every case). */
function stillWorks(tael) {
  same(tael.electLeader(["node-b", "node-a", "node-c"]), "node-a", "electLeader after the case");
  same(tael.electLeaderIndex(["node-b", "node-a"]), 1, "electLeaderIndex after the case");
  same(tael.electLeader(["\u{1F600}", "\uFF61"]), "\uFF61", "the UTF-16 path after the case");
  const [d] = tael.electLeaders('{"groups":{"g":{"members":[{"id":"b","live":true},{"id":"a","live":true}]}}}');
  same(d.leader, "a", "electLeaders after the case");
  same(new tael.EpochFencer(3n).check(2n).code, "STALE_EPOCH", "a gate after the case");
}

/** The cases, for the package `tael` whose WebAssembly memory is `memory`. */
export function hostileCases(tael, memory) {
  const cases = {
    "a getter that calls electLeader again (re-entrantly)": () => {
      let inner;
      const ids = withGetter(["node-b", "?"], 1, () => {
        inner = tael.electLeader(["y", "x", "z"]);
        return "node-a";
      });
      same(tael.electLeader(ids), "node-a", "the outer call");
      same(inner, "x", "the inner call");
      same(tael.electLeaderIndex(ids), 1, "the outer index");
    },

    "a getter that calls electLeader with ids that need a larger buffer": () => {
      const long = Array.from({ length: 300 }, (_, i) => `member-${String(i).padStart(4, "0")}-${"x".repeat(40)}`);
      let inner;
      const ids = withGetter(["node-b", "?", "node-c"], 1, () => {
        inner = tael.electLeader(long.slice().reverse());
        return "node-a";
      });
      same(tael.electLeader(ids), "node-a", "the outer call");
      same(inner, long[0], "the inner call");
    },

    "a getter that grows the module's memory": () => {
      const big = Array.from({ length: 40_000 }, (_, i) => `n${i}`.padEnd(60, "-"));
      let before, after;
      const ids = withGetter(["node-b", "?"], 1, () => {
        before = memory.buffer.byteLength;
        same(tael.electLeader(big), big.slice().sort()[0], "the inner call over 2.4 million code units");
        after = memory.buffer.byteLength;
        return "node-a";
      });
      same(tael.electLeader(ids), "node-a", "the outer call");
      check(after > before, `the inner call grew the memory (${before} -> ${after} bytes)`);
    },

    "a getter that throws: its exception passes through": () => {
      const boom = new Error("boom from a getter");
      const ids = withGetter(["node-b", "?"], 1, () => {
        throw boom;
      });
      same(thrown(() => tael.electLeader(ids), "electLeader"), boom, "the getter's own exception");
      same(thrown(() => tael.electLeaderIndex(ids), "electLeaderIndex"), boom, "the getter's own exception");
    },

    "a getter whose value changes is read once: the answer is the value read": () => {
      let reads = 0;
      const ids = withGetter(["node-b", "?"], 1, () => (reads++ === 0 ? "node-a" : "zzz"));
      same(tael.electLeader(ids), "node-a", "the leader of the values read");
      same(reads, 1, "reads of the element");
    },

    "a Proxy: the length and each element are read once, in index order": () => {
      const reads = [];
      const ids = new Proxy(["node-c", "node-a", "node-b"], {
        get(target, key, receiver) {
          reads.push(String(key));
          return Reflect.get(target, key, receiver);
        },
      });
      same(tael.electLeader(ids), "node-a", "the leader");
      same(reads.join(","), "length,0,1,2", "the reads");
      reads.length = 0;
      same(tael.electLeaderIndex(ids), 1, "the index");
      same(reads.join(","), "length,0,1,2", "the reads of electLeaderIndex");
    },

    "a Proxy whose trap throws: its exception passes through": () => {
      const boom = new RangeError("no such element");
      const ids = new Proxy(["node-a"], {
        get(target, key) {
          if (key === "0") throw boom;
          return Reflect.get(target, key);
        },
      });
      same(thrown(() => tael.electLeader(ids), "electLeader"), boom, "the trap's own exception");
    },

    "a sparse array: the hole is not a string": () => {
      // eslint-disable-next-line no-sparse-arrays
      const ids = ["node-b", , "node-a"];
      const e = thrown(() => tael.electLeader(ids), "electLeader");
      same(e.code, "INVALID_ARGUMENT", "the code");
      check(e instanceof TypeError, "a TypeError");
      check(/ids\[1\]/.test(e.message), `the message names ids[1]: ${e.message}`);
    },

    "an array subclass is an array": () => {
      class Ids extends Array {}
      const ids = Ids.from(["node-b", "node-a"]);
      same(tael.electLeader(ids), "node-a", "the leader");
    },

    "an array that grows during the call: only the elements of its length at the start": () => {
      const ids = withGetter(["node-c", "?", "node-b"], 1, () => {
        ids.push("aaa");
        return "node-d";
      });
      same(tael.electLeader(ids), "node-b", "the leader of the three read");
      same(ids.length, 4, "the array did grow");
    },

    "an array that shrinks during the call: the elements gone are not strings": () => {
      const ids = withGetter(["node-c", "?", "node-b"], 1, () => {
        ids.length = 1;
        return "node-d";
      });
      const e = thrown(() => tael.electLeader(ids), "electLeader");
      same(e.code, "INVALID_ARGUMENT", "the code");
    },

    "an invalid id after a getter: the first bad value in order decides": () => {
      const ids = withGetter(["node-b", "?", ""], 1, () => "bad\u0007id");
      const e = thrown(() => tael.electLeader(ids), "electLeader");
      same(e.code, "INVALID_ID", "the code");
      check(/ids\[1\]/.test(e.message), `the message names ids[1]: ${e.message}`);
    },

    "a policy whose getter calls electLeaders again": () => {
      const view = '{"groups":{"g":{"members":[{"id":"b","live":true,"priority":"1"},{"id":"a","live":true}]}}}';
      let inner;
      const policy = {
        get priority() {
          inner = tael.electLeaders(view)[0].leader;
          return true;
        },
      };
      same(tael.electLeaders(view, policy)[0].leader, "b", "the outer decision, by priority");
      same(inner, "a", "the inner decision, by the smallest id");
    },

    "a policy whose getter throws: its exception passes through": () => {
      const boom = new Error("policy getter");
      const policy = {
        get sticky_incumbent() {
          throw boom;
        },
      };
      same(thrown(() => tael.electLeaders('{"groups":{}}', policy), "electLeaders"), boom, "the getter's own exception");
    },

    "a policy that is no JSON object: toJSON giving nothing, a revoked Proxy": () => {
      const e = thrown(() => tael.electLeaders('{"groups":{}}', { toJSON() {} }), "electLeaders");
      same(e.code, "INVALID_ARGUMENT", "the code for a toJSON that gives nothing");
      const { proxy, revoke } = Proxy.revocable({}, {});
      revoke();
      const r = thrown(() => tael.electLeaders('{"groups":{}}', proxy), "electLeaders");
      check(r instanceof TypeError && r.code === undefined, `JavaScript's own TypeError, got ${r}`);
    },

    "a Proxy whose length is not a length": () => {
      for (const length of ["zz", -1, 1.5, 2 ** 53]) {
        const ids = new Proxy(["node-b"], { get: (t, k) => (k === "length" ? length : t[k]) });
        const e = thrown(() => tael.electLeader(ids), `a length of ${String(length)}`);
        same(e.code, "INVALID_ARGUMENT", `the code for a length of ${String(length)}`);
      }
      const { proxy, revoke } = Proxy.revocable([], {});
      revoke();
      check(thrown(() => tael.electLeader(proxy), "a revoked Proxy") instanceof TypeError, "JavaScript's own TypeError");
    },

    "an id longer than any id: INVALID_ID, in order, without copying it": () => {
      const huge = "x".repeat(1 << 24);
      const e = thrown(() => tael.electLeader(["node-a", huge, ""]), "electLeader");
      same(e.code, "INVALID_ID", "the code");
      check(/ids\[1\]/.test(e.message), `the message names ids[1]: ${e.message}`);
    },

    "more ids than one election holds: INVALID_ARGUMENT, never a wrong answer": () => {
      // 2^20 + 1 ids of 255 units: past the 2^28 units one election takes.
      const ids = new Array(2 ** 20 + 1).fill("a".repeat(255));
      const e = thrown(() => tael.electLeader(ids), "electLeader");
      same(e.code, "INVALID_ARGUMENT", "the code");
    },

    "not an array at all": () => {
      for (const bad of ["node-a", 7, null, undefined, { length: 1, 0: "a" }]) {
        const e = thrown(() => tael.electLeader(bad), `electLeader(${String(bad)})`);
        same(e.code, "INVALID_ARGUMENT", `the code for ${String(bad)}`);
      }
    },
  };
  return Object.entries(cases).map(([name, run]) => ({
    name,
    run: () => {
      run();
      stillWorks(tael);
    },
  }));
}
