// Readable words for the reason names of the decision JSON (SEMANTICS.md §8). The names are the
// core's (decisionReasons(), exclusionReasons()); web/tests/words.test.mjs checks that every one
// has its words here, and the page shows the bare name for any it lacks.

export const DECISION_WORDS = {
  only_candidate: "the only candidate",
  incumbent: "the sticky incumbent",
  priority: "highest priority",
  rendezvous: "highest rendezvous score",
  smallest_id: "smallest id",
  no_members: "no members listed",
  no_live_members: "no member is live",
  no_eligible_members: "no live member is eligible",
  no_quorum: "no quorum: live members are not a strict majority",
  no_fresh_members: "no fresh members: every candidate's log is behind",
  no_staying_members: "no staying members: every live member is leaving",
  handover: "handed over: the leaving leader's chosen successor",
};

export const EXCLUSION_WORDS = {
  duplicate: "duplicate entry: a newer (or earlier equal) generation counts",
  dead: "dead",
  ineligible: "not eligible",
  no_quorum: "no quorum in the group",
  outranked_by_incumbent: "outranked by the incumbent",
  outranked_by_priority: "outranked by a higher priority",
  outranked_by_rendezvous: "outranked by a higher rendezvous score",
  outranked_by_smaller_id: "outranked by a smaller id",
  behind: "log behind the freshest live member's",
  leaving: "leaving (a clean shutdown): may not lead",
  outranked_by_handover: "outranked by the successor the group hands over to",
};

// The policy toggles' names in words, for the line that says which policy decides (the core's
// order; `max_lag`, the policy's one number, is said with freshness).
export const TOGGLE_WORDS = {
  eligibility: "eligibility",
  quorum_guard: "quorum guard",
  sticky_incumbent: "sticky incumbent",
  priority: "priority",
  rendezvous: "rendezvous",
  freshness: "freshness",
};
