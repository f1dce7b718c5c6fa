//! Decisions from a view: `elect_leaders_json` and `next_epoch`, with their invariants checked.
//!
//! The first byte holds six policy toggles (bits 0–4, and freshness in bit 5), whether a byte
//! with `max_lag` follows (bit 6: 0xff is 2^64-1, 0xfe 2^64-2, any other byte itself; else 0) and
//! the mode (bit 7): a view written as JSON text by the fuzzer (seeded from the conformance
//! corpus), or a view built from the bytes, over a small alphabet of ids so duplicates, ties and
//! the hashing path (more than 16 entries) come up often.
//!
//! For every decision: each listed entry is the leader or excluded, exactly once, in view order,
//! with its generation; the leader is live (and eligible under the eligibility policy) and is
//! the winning entry of its id, which `leader_index`, `leader_generation` and `leader_epoch` name
//! (null without a leader), followed by its `claimants` (every other live winning entry that
//! claims to lead; the last four fields of its JSON); under freshness, the leader is on the freshest
//! live log epoch within `max_lag` of the freshest end, and a member is excluded as `behind`
//! exactly when it is a live, winning, eligible entry that is not (SEMANTICS.md §8 step 4); the
//! reason agrees with the outcome (`no_fresh_members` only when eligible candidates existed and
//! the freshest position is held by ineligible members alone); decisions
//! come one per group in byte order of the names, read back from their JSON as themselves, and
//! equal what the typed path (`elect_leaders`) decides. `next_epoch` is one past the highest
//! announced epoch, or `EPOCH_OVERFLOW`, or `UNKNOWN_GROUP` for a name the view lacks.

#![no_main]

use arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use tael::{
    decisions_to_json, elect_leaders, elect_leaders_json, elect_leaders_to_json, next_epoch,
    Decision, Exclusion, Group, Member, Policy, Reason, Status, View,
};

const IDS: &[&str] = &[
    "a", "b", "c", "node-1", "node-10", "node-9", "é", "e\u{301}", "Z",
];
const GROUPS: &[&str] = &["g", "wal-0", "wal-1", "\u{1F600}", "\u{FF61}"];

fn small_u64(u: &mut Unstructured<'_>) -> Result<u64> {
    Ok(match u.int_in_range(0..=9u8)? {
        0 => u64::MAX,
        1 => u64::MAX - 1,
        2 => u.arbitrary()?,
        n => u64::from(n - 3),
    })
}

fn member(u: &mut Unstructured<'_>) -> Result<Member> {
    Ok(Member {
        id: (*u.choose(IDS)?).to_owned(),
        live: u.arbitrary()?,
        generation: small_u64(u)?,
        priority: small_u64(u)?,
        eligible: u.arbitrary()?,
        epoch: small_u64(u)?,
        log_epoch: small_u64(u)?,
        log_end: small_u64(u)?,
        leaving: u.ratio(1, 5)?,
        claims_epoch: if u.ratio(1, 4)? {
            Some(small_u64(u)?)
        } else {
            None
        },
    })
}

fn built_view(u: &mut Unstructured<'_>) -> Result<View> {
    let mut view = View::default();
    for _ in 0..u.int_in_range(0..=3u8)? {
        let name = (*u.choose(GROUPS)?).to_owned();
        let mut group = Group::default();
        for _ in 0..u.int_in_range(0..=24u8)? {
            group.members.push(member(u)?);
        }
        if u.arbitrary()? {
            group.incumbent = Some((*u.choose(IDS)?).to_owned());
        }
        if u.ratio(1, 3)? {
            group.handover_to = Some((*u.choose(IDS)?).to_owned());
        }
        if u.arbitrary()? {
            group.configured = Some(small_u64(u)?);
        }
        view.groups.insert(name, group);
    }
    Ok(view)
}

fn policy(bits: u8, max_lag: u64) -> Policy {
    Policy {
        eligibility: bits & 1 != 0,
        quorum_guard: bits & 2 != 0,
        sticky_incumbent: bits & 4 != 0,
        priority: bits & 8 != 0,
        rendezvous: bits & 16 != 0,
        freshness: bits & 32 != 0,
        max_lag,
    }
}

fn max_lag(byte: u8) -> u64 {
    match byte {
        0xff => u64::MAX,
        0xfe => u64::MAX - 1,
        n => u64::from(n),
    }
}

/// The entry of `members` that counts for `id`: the highest generation, then the first listed.
fn winner(members: &[Member], id: &str) -> Option<usize> {
    let mut best: Option<usize> = None;
    for (i, m) in members.iter().enumerate() {
        if m.id == id && best.is_none_or(|b| m.generation > members[b].generation) {
            best = Some(i);
        }
    }
    best
}

fn check_decision(name: &str, group: &Group, policy: &Policy, d: &Decision) {
    let members = &group.members;
    assert_eq!(d.group, name);

    // Freshness (§8 step 4): the freshest position among the live entries that won their id,
    // eligible or not; a member is fresh on its epoch, within `max_lag` of its end.
    let counted = |i: usize, m: &Member| m.live && winner(members, &m.id) == Some(i);
    let freshest = members
        .iter()
        .enumerate()
        .filter(|&(i, m)| counted(i, m))
        .map(|(_, m)| (m.log_epoch, m.log_end))
        .max();
    let fresh = |m: &Member| {
        freshest.is_some_and(|(epoch, end)| {
            m.log_epoch == epoch
                && end
                    .checked_sub(m.log_end)
                    .is_some_and(|lag| lag <= policy.max_lag)
        })
    };
    // A candidate after steps 1–3: live, the winner of its id, staying, eligible under the
    // policy.
    let candidate =
        |i: usize, m: &Member| counted(i, m) && !m.leaving && (!policy.eligibility || m.eligible);

    // Every entry is the leader or excluded, exactly once, in view order.
    let leader_at = d.leader.as_deref().map(|leader| {
        let at = winner(members, leader).expect("the leader is listed");
        let m = &members[at];
        assert!(m.live, "{name}: the leader {leader} is not live");
        assert!(!m.leaving, "{name}: the leader {leader} is leaving");
        assert!(
            !policy.eligibility || m.eligible,
            "{name}: the leader is not eligible"
        );
        assert!(
            !policy.freshness || fresh(m),
            "{name}: the leader {leader} is behind {freshest:?}"
        );
        at
    });
    let listed: Vec<(&str, u64)> = members
        .iter()
        .enumerate()
        .filter(|&(i, _)| Some(i) != leader_at)
        .map(|(_, m)| (m.id.as_str(), m.generation))
        .collect();
    let excluded: Vec<(&str, u64)> = d
        .excluded
        .iter()
        .map(|x| (x.id.as_str(), x.generation))
        .collect();
    assert_eq!(
        excluded, listed,
        "{name}: excluded is not every other entry in order"
    );

    // Which entry leads: its index, generation and epoch, all null without a leader; then the
    // claimants: every live entry that won its id, but the leader's, that claims to lead, in
    // view order. The last four fields of the decision's JSON, in this order.
    let generation = leader_at.map(|at| members[at].generation);
    let epoch = leader_at.map(|at| members[at].epoch);
    assert_eq!(d.leader_index, leader_at, "{name}: leader_index");
    assert_eq!(d.leader_generation, generation, "{name}: leader_generation");
    assert_eq!(d.leader_epoch, epoch, "{name}: leader_epoch");
    let claimants: Vec<String> = members
        .iter()
        .enumerate()
        .filter(|&(i, m)| m.live && Some(i) != leader_at && winner(members, &m.id) == Some(i))
        .filter_map(|(_, m)| {
            let claims = m.claims_epoch?;
            Some(format!(
                r#"{{"id":{},"generation":"{}","claims_epoch":"{claims}"}}"#,
                serde_json::to_string(&m.id).unwrap(),
                m.generation
            ))
        })
        .collect();
    let tail = format!(
        r#","leader_index":{},"leader_generation":{},"leader_epoch":{},"claimants":[{}]}}"#,
        leader_at.map_or("null".to_owned(), |at| at.to_string()),
        generation.map_or("null".to_owned(), |g| format!("\"{g}\"")),
        epoch.map_or("null".to_owned(), |e| format!("\"{e}\"")),
        claimants.join(","),
    );
    let json = d.to_json();
    assert!(
        json.ends_with(&tail),
        "{name}: {json} does not end with {tail}"
    );

    // Each exclusion is true of its entry.
    let others = members
        .iter()
        .enumerate()
        .filter(|&(i, _)| Some(i) != leader_at);
    for ((i, m), x) in others.zip(&d.excluded) {
        match x.reason {
            Exclusion::Duplicate => assert_ne!(winner(members, &m.id), Some(i)),
            Exclusion::Dead => assert!(!m.live && winner(members, &m.id) == Some(i)),
            Exclusion::Ineligible => {
                assert!(policy.eligibility && m.live && !m.leaving && !m.eligible)
            }
            Exclusion::Leaving => assert!(m.live && m.leaving && winner(members, &m.id) == Some(i)),
            Exclusion::OutrankedByHandover => {
                assert!(d.leader.is_some() && d.leader == group.handover_to && candidate(i, m))
            }
            Exclusion::NoQuorum => assert!(policy.quorum_guard && d.leader.is_none()),
            Exclusion::OutrankedByIncumbent => assert!(policy.sticky_incumbent),
            Exclusion::OutrankedByPriority => assert!(policy.priority),
            Exclusion::OutrankedByRendezvous => assert!(policy.rendezvous),
            Exclusion::Behind => assert!(
                policy.freshness && candidate(i, m) && !fresh(m),
                "{name}: {} is not behind {freshest:?}",
                m.id
            ),
            Exclusion::OutrankedBySmallerId => {
                let leader = d
                    .leader
                    .as_deref()
                    .expect("outranked means there is a leader");
                // Ids are distinct among candidates by the time the smallest-id rule runs.
                assert!(
                    leader.as_bytes() < m.id.as_bytes(),
                    "{name}: {leader} vs {}",
                    m.id
                );
            }
        }
    }

    // Under freshness, every candidate that is not fresh is excluded as behind (step 4 comes
    // before the quorum guard and the ranking).
    if policy.freshness {
        let mut excluded = d.excluded.iter();
        for (i, m) in members.iter().enumerate() {
            // The entries but the leader's, in order, as checked above.
            let why = (Some(i) != leader_at).then(|| excluded.next().map(|x| x.reason));
            if candidate(i, m) && !fresh(m) {
                assert_eq!(
                    why.flatten(),
                    Some(Exclusion::Behind),
                    "{name}: {} is behind {freshest:?}",
                    m.id
                );
            }
        }
    }

    // The reason agrees with the outcome. Liveness counts once per id, for its winning entry.
    let any_live = members
        .iter()
        .enumerate()
        .any(|(i, m)| m.live && winner(members, &m.id) == Some(i));
    match d.reason {
        Reason::NoMembers => assert!(members.is_empty() && d.leader.is_none()),
        Reason::NoLiveMembers => assert!(d.leader.is_none() && !any_live),
        Reason::NoEligibleMembers => {
            let candidates = members.iter().enumerate().filter(|&(i, m)| candidate(i, m));
            assert!(d.leader.is_none() && candidates.count() == 0);
        }
        Reason::NoStayingMembers => {
            // Live winners exist, and every one of them is leaving.
            let mut live = members
                .iter()
                .enumerate()
                .filter(|&(i, m)| counted(i, m))
                .peekable();
            assert!(d.leader.is_none() && live.peek().is_some());
            assert!(live.all(|(_, m)| m.leaving), "{name}: a staying member");
        }
        Reason::Handover => assert!(d.leader.is_some() && d.leader == group.handover_to),
        Reason::NoQuorum => assert!(d.leader.is_none()),
        Reason::OnlyCandidate | Reason::SmallestId => assert!(d.leader.is_some()),
        Reason::Incumbent => {
            assert!(policy.sticky_incumbent && d.leader == group.incumbent);
        }
        Reason::Priority => assert!(policy.priority && d.leader.is_some()),
        Reason::Rendezvous => assert!(policy.rendezvous && d.leader.is_some()),
        Reason::NoFreshMembers => {
            // Eligible candidates existed, all behind: so the freshest live position is held
            // by members that cannot lead (ineligible or leaving) alone.
            assert!(policy.freshness && d.leader.is_none());
            let candidates = members.iter().enumerate().filter(|&(i, m)| candidate(i, m));
            assert!(
                candidates.clone().count() > 0,
                "{name}: no eligible candidate"
            );
            assert!(
                candidates.clone().all(|(_, m)| !fresh(m)),
                "{name}: a fresh candidate"
            );
            let mut at_freshest = members
                .iter()
                .enumerate()
                .filter(|&(i, m)| counted(i, m) && Some((m.log_epoch, m.log_end)) == freshest);
            assert!(
                at_freshest.all(|(_, m)| m.leaving || (policy.eligibility && !m.eligible)),
                "{name}: a staying, eligible member is freshest"
            );
        }
    }
    if d.leader.is_none() {
        let staying = members
            .iter()
            .enumerate()
            .any(|(i, m)| counted(i, m) && !m.leaving);
        assert!(!staying || policy.eligibility || policy.quorum_guard || policy.freshness);
    }
}

fn check(view: &View, policy: &Policy, decisions: &[Decision]) {
    // One decision per group, in byte order of the names (a BTreeMap's order).
    let names: Vec<&str> = view.groups.keys().map(String::as_str).collect();
    let decided: Vec<&str> = decisions.iter().map(|d| d.group.as_str()).collect();
    assert_eq!(decided, names);
    for (d, (name, group)) in decisions.iter().zip(&view.groups) {
        check_decision(name, group, policy, d);
    }

    // Decisions read back from their JSON as themselves; the typed path decides the same, and
    // writing them as they are decided gives the same text.
    let json = decisions_to_json(decisions);
    let back: Vec<Decision> = serde_json::from_str(&json).expect("decisions JSON reads back");
    assert_eq!(back, decisions);
    assert_eq!(
        elect_leaders(view, policy).expect("a valid view"),
        decisions
    );
    assert_eq!(
        elect_leaders_to_json(view, policy).expect("a valid view"),
        json,
        "written as decided, the same text"
    );

    for (name, group) in &view.groups {
        let highest = group.members.iter().map(|m| m.epoch).max().unwrap_or(0);
        match (next_epoch(view, name), highest.checked_add(1)) {
            (Ok(next), Some(want)) => assert_eq!(next, want),
            (Err(e), None) => assert_eq!(e.status(), Status::EpochOverflow),
            (got, want) => panic!("next_epoch({name}) = {got:?}, want {want:?}"),
        }
    }
    // A name with a control character can never be a group.
    let unknown = next_epoch(view, "g\u{0}").expect_err("no such group");
    assert_eq!(unknown.status(), Status::UnknownGroup);
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let (max_lag, rest) = match (flags & 0x40 != 0, rest.split_first()) {
        (false, _) => (0, rest),
        (true, Some((&byte, rest))) => (max_lag(byte), rest),
        (true, None) => return,
    };
    let policy = policy(flags, max_lag);
    let policy_json = policy.to_json();
    let view_json = if flags & 0x80 != 0 {
        match built_view(&mut Unstructured::new(rest)) {
            Ok(view) => view.to_json(),
            Err(_) => return,
        }
    } else {
        String::from_utf8_lossy(rest).into_owned()
    };
    match elect_leaders_json(&view_json, &policy_json) {
        Ok(decisions) => {
            let view = View::from_json(&view_json).expect("decided, so it parses");
            check(&view, &policy, &decisions);
            let again = elect_leaders_json(&view_json, &policy_json).expect("deterministic");
            assert_eq!(again, decisions);
        }
        Err(e) => {
            assert!(flags & 0x80 == 0, "a built view was refused: {e}");
            assert_eq!(e.status(), Status::InvalidView, "{e}");
        }
    }
});
