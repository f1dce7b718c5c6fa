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
  const h = new tael.EpochHistory([[1n, 0n], [3n, 8n, "node-a"]]);
  same(tael.divergencePoint(h, 12n, [[1, 0], [2, 5]], 9), 5n, "divergencePoint after the case");
  same(tael.followerStep([[1, 0], [2, 5]], 9, h.endOffsetFor(2n, 12n)).offset, 5n, "followerStep after the case");
  same(JSON.stringify(h.entries, (k, v) => (typeof v === "bigint" ? `${v}` : v)), '[["1","0"],["3","8","node-a"]]', "a history after the case");
  h.free();
  const { votes, free } = reign(tael);
  same(tael.established(5n, votes, 3n), true, "established after the case");
  same(tael.established(5n, votes.slice(0, 1), 3n), false, "one vote of three after the case");
  free();
  const gate = new tael.HolderFencer(undefined, undefined, { refuseZero: true, counters: true });
  same(gate.check(2n, "a").code, "ADVANCED", "a counting gate after the case");
  same(gate.close(2n, "a").code, "CLOSED", "a close after the case");
  same(`${gate.counters().ADVANCED}/${gate.refusesEpochZero}`, "1/true", "its counters after the case");
  gate.free();
  const [before, after] = [1, 2].map((epoch) => decisions(tael, { g: [{ id: "a", epoch: String(epoch) }] }));
  same(tael.transitions(before, after)[0].previous_epoch, "1", "transitions after the case");
}

/** The decisions of a view `{group: [member, ...]}`, every member live. */
function decisions(tael, groups) {
  const view = { groups: {} };
  for (const [g, members] of Object.entries(groups)) view.groups[g] = { members: members.map((m) => ({ live: true, ...m })) };
  return tael.electLeaders(JSON.stringify(view), undefined);
}

/**
 * A reign's votes: three holder gates admit `a` at epoch 5 (ADVANCED each), and `b`'s claim at
 * the first gate is refused (CONFLICT). `release(x)` frees one of them now, `free()` the rest.
 */
function reign(tael) {
  const gates = [new tael.HolderFencer(), new tael.HolderFencer(), new tael.HolderFencer()];
  const votes = gates.map((g) => g.check(5n, "a"));
  const refusal = gates[0].check(5n, "b");
  const live = new Set([...gates, ...votes, refusal]);
  const release = (x) => {
    if (live.delete(x)) x.free();
  };
  return { votes, refusal, release, free: () => [...live].forEach(release) };
}

/** Every property read of `target` through a Proxy, in order, into `reads`. */
function recorded(target, reads, name) {
  return new Proxy(target, {
    get(t, key, receiver) {
      reads.push(`${name}.${String(key)}`);
      return Reflect.get(t, key, receiver);
    },
  });
}

const bigints = (value) => JSON.stringify(value, (k, v) => (typeof v === "bigint" ? `${v}n` : v));

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

    "history entries: a Proxy and its entries are read once each, in order": () => {
      const reads = [];
      const entries = recorded([recorded([1n, 0n], reads, "e0"), recorded([2n, 5n, "node-b"], reads, "e1")], reads, "entries");
      const h = new tael.EpochHistory(entries);
      same(bigints(h.entries), '[["1n","0n"],["2n","5n","node-b"]]', "the entries");
      same(reads.join(","), "entries.length,entries.0,e0.length,e0.0,e0.1,entries.1,e1.length,e1.0,e1.1,e1.2", "the reads");
      reads.length = 0;
      same(tael.divergencePoint(entries, 9n, [[1, 0]], 9n), 5n, "divergencePoint over the same Proxy");
      same(reads.join(","), "entries.length,entries.0,e0.length,e0.0,e0.1,entries.1,e1.length,e1.0,e1.1,e1.2", "the reads of divergencePoint");
      h.free();
    },

    "a history entry whose getter changes its value is read once: the history is of the values read": () => {
      let reads = 0;
      const entry = withGetter([2n, "?"], 1, () => (reads++ === 0 ? 5n : 0n));
      const h = new tael.EpochHistory([[1n, 0n], entry]);
      same(bigints(h.entries), '[["1n","0n"],["2n","5n"]]', "the entries read");
      same(reads, 1, "reads of the start");
      h.free();
    },

    "an entry getter that calls the package again (re-entrantly), with histories": () => {
      let inner, innerStep;
      const other = new tael.EpochHistory([[1n, 0n], [2n, 4n]]);
      const entries = withGetter([[1n, 0n], "?"], 1, () => {
        inner = tael.divergencePoint(other, 10n, [[1n, 0n], [3n, 6n]], 10n);
        innerStep = tael.followerStep(other, 10n, [2n, 7n]);
        other.assign(5n, 8n);
        return [4n, 6n];
      });
      same(tael.divergencePoint(entries, 10n, [[1n, 0n], [4n, 6n]], 8n), 8n, "the outer call");
      same(inner, 4n, "the inner divergence point");
      same(innerStep.offset, 7n, "the inner step");
      same(bigints(other.entries), '[["1n","0n"],["2n","4n"],["5n","8n"]]', "the history the getter changed");
      other.free();
    },

    "a getter that frees or changes the leader's history during the follower's read: the leader as read": () => {
      const leader = new tael.EpochHistory([[1n, 0n], [2n, 5n]]);
      const follower = withGetter([[1n, 0n], "?"], 1, () => {
        leader.assign(9n, 1n);
        leader.free();
        return [2n, 5n];
      });
      same(tael.divergencePoint(leader, 10n, follower, 10n), 10n, "the leader was read (copied) first");
      const e = thrown(() => leader.entries, "a freed history");
      check(e instanceof Error, "an Error");
    },

    "a getter of entries that throws: its exception passes through, nothing is built": () => {
      const boom = new Error("entry getter");
      const entries = withGetter([[1n, 0n], "?"], 1, () => {
        throw boom;
      });
      same(thrown(() => new tael.EpochHistory(entries), "new EpochHistory"), boom, "the getter's own exception");
      same(thrown(() => tael.divergencePoint([], 0, entries, 0), "divergencePoint"), boom, "through divergencePoint");
      const inner = new Proxy([1n, 0n], {
        get(t, key) {
          if (key === "1") throw boom;
          return Reflect.get(t, key);
        },
      });
      same(thrown(() => tael.followerStep([[1n, 0n]], 5n, inner), "followerStep"), boom, "an answer's trap");
    },

    "sparse entries and entries that are no arrays: INVALID_ARGUMENT naming the entry": () => {
      // eslint-disable-next-line no-sparse-arrays
      const e = thrown(() => new tael.EpochHistory([[1n, 0n], , [3n, 9n]]), "a hole");
      same(e.code, "INVALID_ARGUMENT", "the code");
      check(e instanceof TypeError, "a TypeError");
      check(/entries\[1\]/.test(e.message), `the message names entries[1]: ${e.message}`);
      // eslint-disable-next-line no-sparse-arrays
      const hole = thrown(() => new tael.EpochHistory([[1n, , 0n]]), "a hole in an entry");
      same(hole.code, "INVALID_ARGUMENT", "a hole is no u64");
      for (const bad of [{ 0: 1n, 1: 0n, length: 2 }, "10", new BigUint64Array([1n, 0n])]) {
        same(thrown(() => new tael.EpochHistory([bad]), "an entry that is no array").code, "INVALID_ARGUMENT", "the code");
      }
    },

    "a sparse array of 2^32-1 entries: refused at its first hole, without reading the rest": () => {
      const entries = [];
      entries.length = 2 ** 32 - 1;
      let reads = 0;
      Object.defineProperty(entries, 0, {
        get() {
          reads++;
          return undefined;
        },
      });
      const e = thrown(() => tael.divergencePoint(entries, 0n, [], 0n), "divergencePoint");
      same(e.code, "INVALID_ARGUMENT", "the code");
      same(reads, 1, "reads");
    },

    "entries or an entry whose length is not a length, without reading elements": () => {
      for (const length of ["zz", -1, 1.5, 2 ** 32, 2 ** 53]) {
        const entries = new Proxy([[1n, 0n]], { get: (t, k) => (k === "length" ? length : t[k]) });
        same(thrown(() => new tael.EpochHistory(entries), `entries of length ${String(length)}`).code, "INVALID_ARGUMENT", "the code");
        let elements = 0;
        const entry = new Proxy([1n, 0n], {
          get: (t, k) => {
            if (k === "length") return length;
            elements++;
            return t[k];
          },
        });
        same(thrown(() => new tael.EpochHistory([entry]), `an entry of length ${String(length)}`).code, "INVALID_ARGUMENT", "the code");
        same(thrown(() => tael.followerStep([], 0n, entry), `an answer of length ${String(length)}`).code, "INVALID_ARGUMENT", "the code");
        same(elements, 0, "elements read");
      }
      const { proxy, revoke } = Proxy.revocable([], {});
      revoke();
      check(thrown(() => new tael.EpochHistory(proxy), "a revoked Proxy") instanceof TypeError, "JavaScript's own TypeError");
      check(thrown(() => tael.followerStep([], 0n, proxy), "a revoked Proxy") instanceof TypeError, "JavaScript's own TypeError");
    },

    "an answer is read once: its length, then each element": () => {
      const reads = [];
      const answer = recorded([2n, 7n], reads, "answer");
      const step = tael.followerStep([[1n, 0n], [2n, 5n]], 9n, answer);
      same(`${step.offset}/${step.done}`, "7/true", "the step");
      same(reads.join(","), "answer.length,answer.0,answer.1", "the reads");
    },

    "objects posing as histories lend nothing: INVALID_ARGUMENT, never a forged history": () => {
      const posers = [
        {},
        { __taelLend() {} },
        { __taelLend: 7 },
        new tael.EpochFencer(),
        () => [[1n, 0n]],
      ];
      for (const poser of posers) {
        const e = thrown(() => tael.divergencePoint(poser, 0n, [], 0n), "divergencePoint");
        same(e.code, "INVALID_ARGUMENT", `the code for ${String(poser)}`);
        check(e instanceof TypeError, "a TypeError");
      }
      // One that lends a genuine history is read as that history, and nothing else.
      const real = new tael.EpochHistory([[1n, 0n], [2n, 5n]]);
      const lender = { __taelLend: () => real.__taelLend() };
      same(tael.divergencePoint(lender, 10n, [[1n, 0n], [2n, 5n]], 10n), 10n, "a genuine history's copy");
      // A leftover lent copy is never read as the next input's.
      real.__taelLend();
      same(thrown(() => tael.divergencePoint({ __taelLend() {} }, 10n, [], 0n), "no lend").code, "INVALID_ARGUMENT", "nothing lent");
      const boom = new Error("lend getter");
      const throwing = {
        get __taelLend() {
          throw boom;
        },
      };
      same(thrown(() => tael.followerStep(throwing, 0n, undefined), "followerStep"), boom, "the getter's own exception");
      real.free();
    },

    "a freed history, or an object with only its prototype, as an input: an Error, and the module still works": () => {
      // wasm-bindgen's own Error, as for any method of a freed object (it holds no pointer).
      const h = new tael.EpochHistory([[1n, 0n]]);
      h.free();
      check(thrown(() => tael.divergencePoint(h, 1n, [[1n, 0n]], 1n), "divergencePoint") instanceof Error, "an Error");
      check(thrown(() => new tael.EpochHistory(h), "new EpochHistory") instanceof Error, "an Error");
      const hollow = Object.create(tael.EpochHistory.prototype);
      check(thrown(() => tael.followerStep(hollow, 0n, null), "followerStep") instanceof Error, "an Error");
    },

    "a history method called re-entrantly from an entry getter of the same history's copy": () => {
      const h = new tael.EpochHistory([[1n, 0n]]);
      const entries = withGetter([[1n, 0n], "?"], 1, () => {
        h.assign(2n, 4n, "node-b");
        same(h.truncateFromEnd(4n), true, "the inner truncation");
        return [h.latestEpoch + 1n, 7n];
      });
      const copy = new tael.EpochHistory(entries);
      same(bigints(copy.entries), '[["1n","0n"],["2n","7n"]]', "the copy");
      same(bigints(h.entries), '[["1n","0n"]]', "the history the getter changed");
      copy.free();
      h.free();
    },

    "a policy whose max_lag is a bigint getter: read once; an unsafe number is refused": () => {
      const view = '{"groups":{"g":{"members":[{"id":"a","live":true,"log_epoch":"1","log_end":"5"},{"id":"b","live":true,"log_epoch":"1","log_end":"8"}]}}}';
      let reads = 0;
      const policy = {
        freshness: true,
        get max_lag() {
          reads++;
          return reads === 1 ? 3n : 0n;
        },
      };
      same(tael.electLeaders(view, policy)[0].leader, "a", "the lag read: 3");
      same(reads, 1, "reads of max_lag");
      const e = thrown(() => tael.electLeaders(view, { freshness: true, max_lag: 2 ** 60 }), "an unsafe number");
      same(e.code, "INVALID_POLICY", "the code");
      const proxied = new Proxy({ freshness: true, max_lag: 2n }, {});
      same(tael.electLeaders(view, proxied)[0].leader, "b", "a Proxy policy with a bigint lag");
    },

    "established over a Proxy: the length and each element are read once, in index order": () => {
      const { votes, refusal, free } = reign(tael);
      const reads = [];
      const verdicts = recorded([votes[0], refusal, votes[1]], reads, "verdicts");
      same(tael.established(5n, verdicts, 3n), true, "two votes of three");
      same(reads.join(","), "verdicts.length,verdicts.0,verdicts.1,verdicts.2", "the reads");
      reads.length = 0;
      same(tael.established(5n, verdicts, 4n), false, "two votes of four");
      same(reads.join(","), "verdicts.length,verdicts.0,verdicts.1,verdicts.2", "the reads again");
      free();
    },

    "established over a Proxy whose trap throws, or whose length is not a length": () => {
      const { votes, free } = reign(tael);
      const boom = new RangeError("no such verdict");
      const throwing = new Proxy(votes, {
        get(target, key) {
          if (key === "1") throw boom;
          return Reflect.get(target, key);
        },
      });
      same(thrown(() => tael.established(5n, throwing, 3n), "established"), boom, "the trap's own exception");
      for (const length of ["zz", -1, 1.5, 2 ** 32, 2 ** 53]) {
        let elements = 0;
        const odd = new Proxy(votes, {
          get(t, k) {
            if (k === "length") return length;
            elements++;
            return t[k];
          },
        });
        const e = thrown(() => tael.established(5n, odd, 3n), `a length of ${String(length)}`);
        same(e.code, "INVALID_ARGUMENT", `the code for a length of ${String(length)}`);
        check(e instanceof TypeError, "a TypeError");
        same(elements, 0, "elements read");
      }
      const { proxy, revoke } = Proxy.revocable([], {});
      revoke();
      check(thrown(() => tael.established(5n, proxy, 3n), "a revoked Proxy") instanceof TypeError, "JavaScript's own TypeError");
      free();
    },

    "a verdict getter whose value changes is read once: the votes are the verdicts read": () => {
      const { votes, refusal, free } = reign(tael);
      let reads = 0;
      const verdicts = withGetter([votes[0], "?"], 1, () => (reads++ === 0 ? votes[1] : refusal));
      same(tael.established(5n, verdicts, 3n), true, "two votes read");
      same(reads, 1, "reads of the element");
      free();
    },

    "a verdict getter that throws: its exception passes through": () => {
      const { votes, free } = reign(tael);
      const boom = new Error("verdict getter");
      const verdicts = withGetter([votes[0], "?"], 1, () => {
        throw boom;
      });
      same(thrown(() => tael.established(5n, verdicts, 3n), "established"), boom, "the getter's own exception");
      free();
    },

    "a verdict getter that calls established again (re-entrantly) and frees what was read": () => {
      const { votes, refusal, release, free } = reign(tael);
      let inner;
      const verdicts = withGetter([votes[0], "?", votes[2]], 1, () => {
        inner = tael.established(5n, [refusal, votes[1], votes[2]], 3n);
        // The first verdict was lent (copied) already: freeing it changes nothing read.
        release(votes[0]);
        return votes[1];
      });
      same(tael.established(5n, verdicts, 3n), true, "the outer call: three votes");
      same(inner, true, "the inner call: two votes of three");
      check(thrown(() => votes[0].code, "a freed verdict") instanceof Error, "the first verdict is gone");
      free();
    },

    "a verdict array that grows or shrinks during the call: the length read at the start": () => {
      const { votes, refusal, free } = reign(tael);
      const growing = withGetter([refusal, "?"], 1, () => {
        growing.push(votes[1], votes[2]);
        return votes[0];
      });
      same(tael.established(5n, growing, 3n), false, "one vote of the two elements read");
      same(growing.length, 4, "the array did grow");
      const shrinking = withGetter([votes[0], "?", votes[2]], 1, () => {
        shrinking.length = 1;
        return votes[1];
      });
      const e = thrown(() => tael.established(5n, shrinking, 3n), "established");
      same(e.code, "INVALID_ARGUMENT", "an element gone is no verdict");
      check(/verdicts\[2\]/.test(e.message), `the message names verdicts[2]: ${e.message}`);
      free();
    },

    "objects posing as verdicts lend nothing: INVALID_ARGUMENT, never a forged vote": () => {
      const { votes, free } = reign(tael);
      const history = new tael.EpochHistory([[5n, 0n, "a"]]);
      const posers = [
        {},
        { __taelLend() {} },
        { __taelLend: 7 },
        { code: "ADVANCED", accepted: true, epoch: 5n, highest: 5n },
        votes[0].toJSON(),
        new tael.HolderFencer(),
        history,
        () => votes[0],
        // A lend that calls established (re-entrantly) and lends nothing itself.
        { __taelLend: () => same(tael.established(5n, votes, 3n), true, "the inner call") },
      ];
      for (const poser of posers) {
        const e = thrown(() => tael.established(5n, [votes[0], votes[1], poser], 3n), `established with ${String(poser)}`);
        same(e.code, "INVALID_ARGUMENT", `the code for ${String(poser)}`);
        check(e instanceof TypeError, "a TypeError");
        check(/verdicts\[2\]/.test(e.message), `the message names verdicts[2]: ${e.message}`);
      }
      // One that lends a genuine verdict is read as that verdict, and nothing else.
      const lender = { __taelLend: () => votes[2].__taelLend() };
      same(tael.established(5n, [lender, votes[1]], 3n), true, "a genuine verdict's copy");
      // A leftover lent copy is never read as the next element's.
      votes[0].__taelLend();
      same(thrown(() => tael.established(5n, [{ __taelLend() {} }], 1n), "no lend").code, "INVALID_ARGUMENT", "nothing lent");
      const boom = new Error("lend getter");
      const throwing = {
        get __taelLend() {
          throw boom;
        },
      };
      same(thrown(() => tael.established(5n, [votes[0], throwing], 3n), "established"), boom, "the getter's own exception");
      history.free();
      free();
    },

    "a sparse array of 2^32-1 verdicts: refused at its first hole, without reading the rest": () => {
      const { votes, free } = reign(tael);
      const verdicts = [votes[0]];
      verdicts.length = 2 ** 32 - 1;
      let reads = 0;
      Object.defineProperty(verdicts, 1, {
        get() {
          reads++;
          return undefined;
        },
      });
      const e = thrown(() => tael.established(5n, verdicts, 3n), "established");
      same(e.code, "INVALID_ARGUMENT", "the code");
      check(/verdicts\[1\]/.test(e.message), `the message names verdicts[1]: ${e.message}`);
      same(reads, 1, "reads");
      free();
    },

    "gate options: a Proxy's keys, then each option once, in order": () => {
      const reads = [];
      const options = new Proxy(
        { refuseZero: true, counters: true },
        {
          ownKeys(t) {
            reads.push("ownKeys");
            return Reflect.ownKeys(t);
          },
          get(t, key, receiver) {
            reads.push(String(key));
            return Reflect.get(t, key, receiver);
          },
        },
      );
      for (const make of [
        () => new tael.EpochFencer(undefined, undefined, options),
        () => new tael.HolderFencer(undefined, undefined, options),
        () => tael.HolderFencer.withHolder(1n, "a", undefined, options),
        () => new tael.FenceRegistry(undefined, options),
      ]) {
        reads.length = 0;
        const gate = make();
        same(reads.join(","), "ownKeys,refuseZero,counters", "the reads");
        same(gate.refusesEpochZero, true, "refuseZero read");
        check(gate.counters() !== undefined, "counters read");
        gate.free();
      }
    },

    "gate options whose getter changes its value are read once: the gate is of the value read": () => {
      let reads = 0;
      const options = {
        get refuseZero() {
          return reads++ === 0;
        },
      };
      const gate = new tael.EpochFencer(undefined, undefined, options);
      same(reads, 1, "reads of refuseZero");
      same(gate.refusesEpochZero, true, "the value read");
      same(thrown(() => gate.check(0n), "check(0)").code, "INVALID_EPOCH", "epoch 0 refused");
      gate.free();
    },

    "a gate options getter that makes gates and checks records (re-entrantly)": () => {
      let inner;
      const options = {
        get counters() {
          const g = new tael.HolderFencer(undefined, undefined, { counters: true });
          g.check(4n, "b");
          inner = `${g.counters().ADVANCED}`;
          g.free();
          return true;
        },
      };
      const gate = new tael.HolderFencer(1n, undefined, options);
      same(inner, "1", "the inner gate counted");
      same(gate.check(1n, "a").code, "CURRENT", "the outer gate");
      same(gate.counters().CURRENT, 1n, "the outer gate counts from 0");
      gate.free();
    },

    "a gate options getter or Proxy trap that throws: its exception passes through, no gate is made": () => {
      const boom = new Error("options getter");
      const options = {
        get counters() {
          throw boom;
        },
      };
      same(thrown(() => new tael.EpochFencer(1n, undefined, options), "EpochFencer"), boom, "the getter's own exception");
      same(thrown(() => new tael.FenceRegistry(undefined, options), "FenceRegistry"), boom, "the getter's own exception");
      const keys = new Proxy({}, {
        ownKeys() {
          throw boom;
        },
      });
      same(thrown(() => new tael.HolderFencer(undefined, undefined, keys), "HolderFencer"), boom, "the trap's own exception");
      const { proxy, revoke } = Proxy.revocable({}, {});
      revoke();
      check(thrown(() => new tael.EpochFencer(undefined, undefined, proxy), "a revoked Proxy") instanceof TypeError, "JavaScript's own TypeError");
      const e = thrown(() => new tael.EpochFencer(undefined, undefined, { refuseZero: true, refuse_zero: true }), "a misspelt option");
      same(e.code, "INVALID_ARGUMENT", "the code");
      check(e instanceof TypeError, "a TypeError");
    },

    "transitions over Proxies: the array's length and elements once, in order, then each field once": () => {
      const [before, after] = ["1", "2"].map((epoch) => decisions(tael, { g: [{ id: "a", epoch }], h: [{ id: "b" }] }));
      const reads = [];
      const previous = recorded(before.map((d, i) => recorded(d, reads, `d${i}`)), reads, "previous");
      const events = tael.transitions(previous, after);
      same(events.map((e) => `${e.event} ${e.group}`).join(), "changed g", "the events");
      const arrayReads = reads.filter((r) => r.startsWith("previous."));
      same(arrayReads.join(","), "previous.length,previous.0,previous.1", "the array's reads");
      check(reads.indexOf("previous.1") < reads.findIndex((r) => r.startsWith("d0.")), "every element is read before any field");
      const fields = reads.filter((r) => /^d\d\./.test(r) && !r.endsWith(".toJSON"));
      same(new Set(fields).size, fields.length, `each field read once: ${fields.join(",")}`);
      same(fields.filter((r) => r.startsWith("d0.")).length, Object.keys(before[0]).length, "every field of d0 read");
    },

    "a decision getter whose value changes is read once: the events are of the values read": () => {
      const [before, after] = ["1", "2"].map((epoch) => decisions(tael, { g: [{ id: "a", epoch }] }));
      let reads = 0;
      const d = { ...before[0] };
      Object.defineProperty(d, "leader_epoch", { enumerable: true, get: () => (reads++ === 0 ? "2" : "1") });
      same(tael.transitions([d], after).length, 0, "the epoch read: 2, as next's");
      same(reads, 1, "reads of leader_epoch");
      let elementReads = 0;
      const list = withGetter([before[0]], 0, () => (elementReads++ === 0 ? after[0] : before[0]));
      same(tael.transitions(list, after).length, 0, "the element read: next's own decision");
      same(elementReads, 1, "reads of the element");
    },

    "a decision getter that calls transitions and electLeaders again (re-entrantly)": () => {
      const [before, after] = ["1", "2"].map((epoch) => decisions(tael, { g: [{ id: "a", epoch }] }));
      let inner;
      const d = { ...before[0] };
      Object.defineProperty(d, "leader", {
        enumerable: true,
        get: () => {
          const again = decisions(tael, { g: [{ id: "b" }] });
          inner = tael.transitions(after, again).map((e) => `${e.event} ${e.previous}->${e.leader}`).join();
          return "a";
        },
      });
      same(tael.transitions([d], after).map((e) => e.event).join(), "changed", "the outer call");
      same(inner, "changed a->b", "the inner call");
    },

    "a decision getter or Proxy trap that throws: its exception passes through": () => {
      const [d] = decisions(tael, { g: [{ id: "a" }] });
      const boom = new Error("decision getter");
      const getter = { ...d };
      Object.defineProperty(getter, "reason", {
        enumerable: true,
        get() {
          throw boom;
        },
      });
      same(thrown(() => tael.transitions([d], [getter]), "a field getter"), boom, "the getter's own exception");
      const element = withGetter([d], 0, () => {
        throw boom;
      });
      same(thrown(() => tael.transitions(element, []), "an element getter"), boom, "the getter's own exception");
      const trap = new Proxy([d], {
        get(t, key) {
          if (key === "length") throw boom;
          return Reflect.get(t, key);
        },
      });
      same(thrown(() => tael.transitions([], trap), "a length trap"), boom, "the trap's own exception");
      const toJSON = { toJSON() { throw boom; } };
      same(thrown(() => tael.transitions([toJSON], []), "a toJSON"), boom, "toJSON's own exception");
    },

    "decision arrays that grow or shrink during the call: the length read at the start": () => {
      const [before, after] = ["1", "2"].map((epoch) => decisions(tael, { g: [{ id: "a", epoch }] }));
      const [h] = decisions(tael, { h: [{ id: "b" }] });
      const growing = withGetter([before[0]], 0, () => {
        growing.push(h);
        return before[0];
      });
      same(tael.transitions(growing, after).map((e) => e.group).join(), "g", "only the element of the length read");
      same(growing.length, 2, "the array did grow");
      const shrinking = withGetter([before[0], h], 0, () => {
        shrinking.length = 1;
        return before[0];
      });
      const e = thrown(() => tael.transitions(shrinking, after), "transitions");
      same(e.code, "INVALID_ARGUMENT", "an element gone is no decision");
      check(/previous\[1\]/.test(e.message), `the message names previous[1]: ${e.message}`);
    },

    "a sparse array of 2^32-1 decisions: refused at its first hole, without reading the rest": () => {
      const [d] = decisions(tael, { g: [{ id: "a" }] });
      const list = [d];
      list.length = 2 ** 32 - 1;
      let reads = 0;
      Object.defineProperty(list, 1, {
        get() {
          reads++;
          return undefined;
        },
      });
      const e = thrown(() => tael.transitions([], list), "transitions");
      same(e.code, "INVALID_ARGUMENT", "the code");
      check(/next\[1\]/.test(e.message), `the message names next[1]: ${e.message}`);
      same(reads, 1, "reads");
      // Inside a decision, an array too long to write is JavaScript's own RangeError, read not at all.
      const excluded = [];
      excluded.length = 2 ** 32 - 1;
      const r = thrown(() => tael.transitions([{ ...d, excluded }], []), "a huge excluded");
      check(r instanceof RangeError && r.code === undefined, `JavaScript's own RangeError, got ${r}`);
      // A hole in a shorter one stops at the hole.
      const holey = [];
      holey.length = 1000;
      same(thrown(() => tael.transitions([{ ...d, excluded: holey }], []), "a hole").code, "INVALID_ARGUMENT", "a hole is no object");
    },

    "decision arrays whose length is not a length, without reading elements": () => {
      const [d] = decisions(tael, { g: [{ id: "a" }] });
      for (const length of ["zz", -1, 1.5, 2 ** 32, 2 ** 53]) {
        let elements = 0;
        const odd = new Proxy([d], {
          get(t, k) {
            if (k === "length") return length;
            elements++;
            return t[k];
          },
        });
        const e = thrown(() => tael.transitions(odd, []), `a length of ${String(length)}`);
        same(e.code, "INVALID_ARGUMENT", `the code for a length of ${String(length)}`);
        check(e instanceof TypeError, "a TypeError");
        same(elements, 0, "elements read");
      }
      const { proxy, revoke } = Proxy.revocable([], {});
      revoke();
      check(thrown(() => tael.transitions(proxy, []), "a revoked Proxy") instanceof TypeError, "JavaScript's own TypeError");
    },

    "objects posing as decisions: INVALID_ARGUMENT, never an event of a forged decision": () => {
      const [d] = decisions(tael, { g: [{ id: "a" }] });
      const gate = new tael.EpochFencer();
      const verdict = gate.check(1n);
      const history = new tael.EpochHistory();
      const posers = [gate, verdict, history, new Date(0), /g/, new Map([["group", "g"]]), Object.create(d)];
      for (const poser of posers) {
        const e = thrown(() => tael.transitions([poser], []), `transitions with ${String(poser)}`);
        same(e.code, "INVALID_ARGUMENT", `the code for ${String(poser)}`);
        check(e instanceof TypeError, "a TypeError");
      }
      same(tael.transitions([new Proxy(d, {})], []).map((e) => e.event).join(), "lost", "a Proxy of a decision is that decision");
      verdict.free();
      gate.free();
      history.free();
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
