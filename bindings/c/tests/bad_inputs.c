/* The bad-input matrix: NULL in every pointer parameter, invalid UTF-8, NUL bytes inside ids,
 * zero-length and undersized buffers, lengths no array can have, u64 extremes, unknown status
 * numbers, and the last-error rules. Every call must return its typed status, change nothing
 * when it fails, and never crash (the sanitizers and valgrind watch the rest). */
#define _POSIX_C_SOURCE 200809L

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#ifndef TAEL_EXPECTED_VERSION
#error "compile with -DTAEL_EXPECTED_VERSION='\"x.y.z\"' (the crate version)"
#endif

#define LIT(s) (s), (sizeof(s) - 1) /* a string literal as (pointer, length) */

static const uint64_t U64_SENTINEL = 0x5EA5EA5EA5EA5EA5u;
static const size_t SIZE_SENTINEL = 0x5EA5u;
static TaelEvent not_events[1]; /* an array the library never made, so a write to the pointer shows */

/* Invalid UTF-8: a lone continuation-less byte, an overlong '/', a UTF-16 surrogate, a
 * truncated sequence. */
static const char *const BAD_UTF8[] = {"\xff", "\xc0\xaf", "\xed\xa0\x80", "node-\xe2\x82"};
#define N_BAD_UTF8 (sizeof BAD_UTF8 / sizeof BAD_UTF8[0])

static const char *VIEW = "{\"groups\":{\"g\":{\"members\":["
                          "{\"id\":\"b\",\"live\":true,\"epoch\":\"4\"},"
                          "{\"id\":\"a\",\"live\":false,\"epoch\":\"7\"}]}}}";

static void statuses(void) {
    static const struct {
        TaelStatus status;
        const char *name;
        int verdict;
    } table[] = {
        {TAEL_STATUS_OK, "OK", 0},
        {TAEL_STATUS_CURRENT, "CURRENT", 1},
        {TAEL_STATUS_ADVANCED, "ADVANCED", 1},
        {TAEL_STATUS_STALE_EPOCH, "STALE_EPOCH", 1},
        {TAEL_STATUS_TOO_FAR_AHEAD, "TOO_FAR_AHEAD", 1},
        {TAEL_STATUS_CONFLICT, "CONFLICT", 1},
        {TAEL_STATUS_NO_LEADER, "NO_LEADER", 0},
        {TAEL_STATUS_EPOCH_OVERFLOW, "EPOCH_OVERFLOW", 0},
        {TAEL_STATUS_INVALID_ID, "INVALID_ID", 0},
        {TAEL_STATUS_INVALID_UTF8, "INVALID_UTF8", 0},
        {TAEL_STATUS_INVALID_EPOCH, "INVALID_EPOCH", 0},
        {TAEL_STATUS_INVALID_VIEW, "INVALID_VIEW", 0},
        {TAEL_STATUS_INVALID_POLICY, "INVALID_POLICY", 0},
        {TAEL_STATUS_INVALID_SNAPSHOT, "INVALID_SNAPSHOT", 0},
        {TAEL_STATUS_UNKNOWN_GROUP, "UNKNOWN_GROUP", 0},
        {TAEL_STATUS_UNKNOWN_STREAM, "UNKNOWN_STREAM", 0},
        {TAEL_STATUS_STREAM_EXISTS, "STREAM_EXISTS", 0},
        {TAEL_STATUS_NULL_POINTER, "NULL_POINTER", 0},
        {TAEL_STATUS_BUFFER_TOO_SMALL, "BUFFER_TOO_SMALL", 0},
        {TAEL_STATUS_INVALID_ARGUMENT, "INVALID_ARGUMENT", 0},
        {TAEL_STATUS_INTERNAL, "INTERNAL", 0},
        {TAEL_STATUS_STORAGE, "STORAGE", 0},
        {TAEL_STATUS_INVALID_HISTORY, "INVALID_HISTORY", 0},
        {TAEL_STATUS_CLOSED, "CLOSED", 1},
        {TAEL_STATUS_UNDEFINED_EPOCH, "UNDEFINED_EPOCH", 0},
    };
    const size_t n = sizeof table / sizeof table[0];
    for (size_t i = 0; i < n; i++) {
        /* In order, 0 = OK, dense. */
        CHECK(table[i].status == (TaelStatus)i);
        CHECK(strcmp(tael_status_name(table[i].status), table[i].name) == 0);
        CHECK(tael_status_is_verdict(table[i].status) == (table[i].verdict != 0));
    }
    const TaelStatus unknown[] = {(TaelStatus)n, (TaelStatus)n + 1, 100, 0x7fffffffu, UINT32_MAX,
                                  (TaelStatus)-1};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        CHECK(strcmp(tael_status_name(unknown[i]), "UNKNOWN") == 0);
        CHECK(!tael_status_is_verdict(unknown[i]));
    }
    CHECK(tael_abi_version() == TAEL_ABI_VERSION);
    CHECK(strcmp(tael_version(), TAEL_EXPECTED_VERSION) == 0);
    CHECK(TAEL_MAX_ID_BYTES == 255 && TAEL_ID_FIELD_BYTES == TAEL_MAX_ID_BYTES + 1);
}

static void last_error_rules(void) {
    char buf[64];
    size_t n = 0;
    uint64_t highest = 0;
    /* A failure sets it, naming the status; a success clears it. */
    CHECK_STATUS(tael_fencer_highest(NULL, &highest), TAEL_STATUS_NULL_POINTER);
    CHECK(last_error_is(TAEL_STATUS_NULL_POINTER));
    const char *message = last_error(&n);
    CHECK(strstr(message, "fencer") != NULL); /* it says which parameter */
    /* Functions that cannot fail leave it alone. */
    CHECK(strcmp(tael_status_name(TAEL_STATUS_OK), "OK") == 0);
    CHECK(tael_abi_version() == TAEL_ABI_VERSION);
    CHECK(tael_version() != NULL);
    tael_fencer_free(NULL);
    tael_holder_fencer_free(NULL);
    tael_registry_free(NULL);
    tael_epoch_history_free(NULL);
    tael_string_free(NULL);
    CHECK(last_error_is(TAEL_STATUS_NULL_POINTER));

    /* snprintf rules: the full length always, at most cap-1 bytes, always a NUL when cap > 0. */
    memset(buf, 'x', sizeof buf);
    CHECK(tael_last_error_message(NULL, 0) == n);
    CHECK(tael_last_error_message(NULL, sizeof buf) == n); /* NULL buffer: nothing written */
    CHECK(tael_last_error_message(buf, 0) == n && buf[0] == 'x');
    CHECK(tael_last_error_message(buf, 1) == n && buf[0] == '\0' && buf[1] == 'x');
    CHECK(tael_last_error_message(buf, 5) == n && strlen(buf) == 4 &&
          strncmp(buf, message, 4) == 0 && buf[5] == 'x');
    CHECK(n + 1 <= sizeof buf);
    memset(buf, 'x', sizeof buf);
    CHECK(tael_last_error_message(buf, n + 1) == n && strcmp(buf, message) == 0);

    /* A success clears it. */
    TaelFencer *f = tael_fencer_new(0);
    CHECK(f != NULL);
    CHECK(tael_last_error_message(NULL, 0) == 0);
    CHECK(tael_last_error_message(buf, sizeof buf) == 0 && buf[0] == '\0');
    /* A rejecting verdict is a success too. */
    TaelVerdict v;
    CHECK_STATUS(tael_fencer_check(f, 5, &v), TAEL_STATUS_ADVANCED);
    CHECK_STATUS(tael_fencer_check(NULL, 5, &v), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_fencer_check(f, 4, &v), TAEL_STATUS_STALE_EPOCH);
    CHECK(tael_last_error_message(NULL, 0) == 0);
    tael_fencer_free(f);
}

static void nulls_elect(void) {
    const char *ids[] = {"b", "a"};
    const size_t lens[] = {1, 1};
    size_t index = SIZE_SENTINEL;
    CHECK_STATUS(tael_elect_leader(NULL, 2, &index), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_elect_leader(ids, 2, NULL), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_elect_leader(NULL, 0, NULL), TAEL_STATUS_NULL_POINTER);
    const char *with_null[] = {"a", NULL};
    CHECK_STATUS(tael_elect_leader(with_null, 2, &index), TAEL_STATUS_NULL_POINTER);
    CHECK(strstr(last_error(NULL), "ids[1]") != NULL);
    CHECK(index == SIZE_SENTINEL); /* nothing written on failure */
    /* (NULL, 0) is the empty list: no leader. */
    CHECK_STATUS(tael_elect_leader(NULL, 0, &index), TAEL_STATUS_NO_LEADER);
    CHECK(last_error_is(TAEL_STATUS_NO_LEADER) && index == SIZE_SENTINEL);
    CHECK_STATUS(tael_elect_leader(ids, 0, &index), TAEL_STATUS_NO_LEADER);
    CHECK_STATUS(tael_elect_leader(ids, 2, &index), TAEL_STATUS_OK);
    CHECK(index == 1);

    index = SIZE_SENTINEL;
    CHECK_STATUS(tael_elect_leader_n(NULL, lens, 2, &index), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_elect_leader_n(ids, NULL, 2, &index), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_elect_leader_n(ids, lens, 2, NULL), TAEL_STATUS_NULL_POINTER);
    const size_t one[] = {1, 1};
    CHECK_STATUS(tael_elect_leader_n(with_null, one, 2, &index), TAEL_STATUS_NULL_POINTER);
    const size_t empty_second[] = {1, 0};
    CHECK_STATUS(tael_elect_leader_n(with_null, empty_second, 2, &index), TAEL_STATUS_INVALID_ID);
    CHECK(index == SIZE_SENTINEL);
    CHECK_STATUS(tael_elect_leader_n(NULL, NULL, 0, &index), TAEL_STATUS_NO_LEADER);
    CHECK_STATUS(tael_elect_leader_n(ids, lens, 2, &index), TAEL_STATUS_OK);
    CHECK(index == 1);

    /* Lengths no array can have are refused before anything is read. */
    CHECK_STATUS(tael_elect_leader(ids, SIZE_MAX, &index), TAEL_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(tael_elect_leader_n(ids, lens, SIZE_MAX / 2, &index), TAEL_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(tael_id_validate("a", SIZE_MAX), TAEL_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(tael_id_validate("a", (size_t)PTRDIFF_MAX + 1), TAEL_STATUS_INVALID_ARGUMENT);
    CHECK(last_error_is(TAEL_STATUS_INVALID_ARGUMENT));

    CHECK_STATUS(tael_id_validate(NULL, 1), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_id_validate(NULL, 0), TAEL_STATUS_INVALID_ID); /* the empty id */
    uint64_t value = U64_SENTINEL;
    CHECK_STATUS(tael_u64_parse(NULL, 1, &value), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_u64_parse(LIT("1"), NULL), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_u64_parse(NULL, 0, &value), TAEL_STATUS_INVALID_EPOCH);
    CHECK(value == U64_SENTINEL);
    CHECK_STATUS(tael_rendezvous_score(NULL, 1, LIT("a"), &value), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_rendezvous_score(LIT("g"), NULL, 1, &value), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_rendezvous_score(LIT("g"), LIT("a"), NULL), TAEL_STATUS_NULL_POINTER);
    CHECK(value == U64_SENTINEL);
    /* FNV-1a 64 of one 0x00 byte (empty group and id), the core's reference value. */
    CHECK_STATUS(tael_rendezvous_score(NULL, 0, NULL, 0, &value), TAEL_STATUS_OK);
    CHECK(value == 0xaf63bd4c8601b7dfu);
}

static void nulls_fencer(void) {
    TaelFencer *f = tael_fencer_new(10);
    bool accepted = true, has_cap = true;
    uint64_t value = U64_SENTINEL;
    TaelVerdict v;
    if (!CHECK(f != NULL)) return;
    CHECK_STATUS(tael_fencer_check_and_advance(NULL, 11, &accepted), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_fencer_check_and_advance(f, 11, NULL), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_fencer_check(NULL, 11, &v), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_fencer_check(f, 11, NULL), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_fencer_promote(NULL, &value), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_fencer_promote(f, NULL), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_fencer_highest(NULL, &value), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_fencer_highest(f, NULL), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_fencer_jump_cap(NULL, &has_cap, &value), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_fencer_jump_cap(f, NULL, &value), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_fencer_jump_cap(f, &has_cap, NULL), TAEL_STATUS_NULL_POINTER);
    TaelCounters c;
    memset(&c, 0x5A, sizeof c);
    const TaelCounters untouched = c;
    CHECK_STATUS(tael_fencer_refuses_epoch_zero(NULL, &accepted), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_fencer_refuses_epoch_zero(f, NULL), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_fencer_counters(NULL, &c), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_fencer_counters(f, NULL), TAEL_STATUS_NULL_POINTER);
    CHECK(strstr(last_error(NULL), "out_counters") != NULL);
    CHECK(accepted && has_cap && value == U64_SENTINEL && memcmp(&c, &untouched, sizeof c) == 0);
    /* None of the failed calls moved the gate (a NULL out-pointer is caught first). */
    CHECK_STATUS(tael_fencer_highest(f, &value), TAEL_STATUS_OK);
    CHECK(value == 10);
    CHECK_STATUS(tael_fencer_jump_cap(f, &has_cap, &value), TAEL_STATUS_OK);
    CHECK(!has_cap && value == 0);
    /* A gate made without options neither refuses epoch 0 nor counts. */
    CHECK_STATUS(tael_fencer_refuses_epoch_zero(f, &accepted), TAEL_STATUS_OK);
    CHECK(!accepted);
    CHECK_STATUS(tael_fencer_counters(f, &c), TAEL_STATUS_OK);
    CHECK(!c.counting && c.current == 0 && c.advanced == 0 && c.stale_epoch == 0 &&
          c.too_far_ahead == 0 && c.conflict == 0 && c.closed == 0);
    tael_fencer_free(f);
    /* NULL options are the defaults; so are all-zero options. */
    const TaelGateOptions zeros = {0};
    TaelFencer *defaults[2] = {tael_fencer_new_with_options(10, NULL),
                               tael_fencer_new_with_options(10, &zeros)};
    for (size_t i = 0; i < 2; i++) {
        if (!CHECK(defaults[i] != NULL)) continue;
        accepted = true;
        CHECK_STATUS(tael_fencer_check(defaults[i], 0, &v), TAEL_STATUS_STALE_EPOCH);
        CHECK_STATUS(tael_fencer_jump_cap(defaults[i], &has_cap, &value), TAEL_STATUS_OK);
        CHECK_STATUS(tael_fencer_refuses_epoch_zero(defaults[i], &accepted), TAEL_STATUS_OK);
        CHECK(!has_cap && !accepted);
        CHECK_STATUS(tael_fencer_counters(defaults[i], &c), TAEL_STATUS_OK);
        CHECK(!c.counting);
        tael_fencer_free(defaults[i]);
    }
}

static void nulls_holder(void) {
    TaelHolderFencer *h = tael_holder_fencer_new(3);
    TaelVerdict v;
    TaelHolderState st;
    uint64_t value = U64_SENTINEL;
    bool has_cap = true;
    if (!CHECK(h != NULL)) return;
    CHECK_STATUS(tael_holder_fencer_check(NULL, 4, LIT("a"), &v), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_holder_fencer_check(h, 4, NULL, 1, &v), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_holder_fencer_check(h, 4, LIT("a"), NULL), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_holder_fencer_check(h, 4, NULL, 0, &v), TAEL_STATUS_INVALID_ID);
    CHECK_STATUS(tael_holder_fencer_promote(NULL, LIT("a"), &value), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_holder_fencer_promote(h, NULL, 1, &value), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_holder_fencer_promote(h, LIT("a"), NULL), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_holder_fencer_highest(NULL, &value), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_holder_fencer_highest(h, NULL), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_holder_fencer_state(NULL, &st), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_holder_fencer_state(h, NULL), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_holder_fencer_jump_cap(NULL, &has_cap, &value), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_holder_fencer_jump_cap(h, NULL, &value), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_holder_fencer_jump_cap(h, &has_cap, NULL), TAEL_STATUS_NULL_POINTER);
    bool flag = true;
    TaelCounters c;
    memset(&c, 0x5A, sizeof c);
    const TaelCounters untouched = c;
    memset(&v, 0x5A, sizeof v);
    const TaelVerdict unwritten = v;
    CHECK_STATUS(tael_holder_fencer_close(NULL, 4, LIT("a"), &v), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_holder_fencer_close(h, 4, NULL, 1, &v), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_holder_fencer_close(h, 4, LIT("a"), NULL), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_holder_fencer_close(h, 4, NULL, 0, &v), TAEL_STATUS_INVALID_ID);
    CHECK_STATUS(tael_holder_fencer_adopt(NULL, 4, LIT("a"), &v), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_holder_fencer_adopt(h, 4, NULL, 1, &v), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_holder_fencer_adopt(h, 4, LIT("a"), NULL), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_holder_fencer_adopt(h, 4, NULL, 0, &v), TAEL_STATUS_INVALID_ID);
    CHECK_STATUS(tael_holder_fencer_adopt(h, 4, "a", SIZE_MAX, &v), TAEL_STATUS_INVALID_ARGUMENT);
    CHECK(memcmp(&v, &unwritten, sizeof v) == 0);
    CHECK_STATUS(tael_holder_fencer_closed(NULL, &flag), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_holder_fencer_closed(h, NULL), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_holder_fencer_refuses_epoch_zero(NULL, &flag), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_holder_fencer_refuses_epoch_zero(h, NULL), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_holder_fencer_counters(NULL, &c), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_holder_fencer_counters(h, NULL), TAEL_STATUS_NULL_POINTER);
    CHECK(flag && memcmp(&c, &untouched, sizeof c) == 0);
    CHECK(value == U64_SENTINEL && has_cap);
    CHECK_STATUS(tael_holder_fencer_state(h, &st), TAEL_STATUS_OK);
    CHECK(st.highest == 3 && !st.has_holder && st.holder[0] == '\0');
    CHECK_STATUS(tael_holder_fencer_closed(h, &flag), TAEL_STATUS_OK);
    CHECK(!flag);
    tael_holder_fencer_free(h);

    /* The options constructor: (NULL, 0) is no holder, ("", 0) an empty one, (NULL, 1) NULL. */
    TaelHolderFencer *made = NULL;
    TaelHolderFencer *kept = (TaelHolderFencer *)&made; /* any non-NULL value */
    CHECK_STATUS(tael_holder_fencer_new_with_options(3, NULL, 1, NULL, &kept), TAEL_STATUS_NULL_POINTER);
    CHECK(strstr(last_error(NULL), "holder") != NULL);
    CHECK_STATUS(tael_holder_fencer_new_with_options(3, "", 0, NULL, &kept), TAEL_STATUS_INVALID_ID);
    CHECK_STATUS(tael_holder_fencer_new_with_options(3, LIT("a"), NULL, NULL), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_holder_fencer_new_with_options(3, "a", SIZE_MAX, NULL, &kept),
                 TAEL_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(tael_holder_fencer_new_with_options(3, LIT("a\0"), NULL, &kept), TAEL_STATUS_INVALID_ID);
    CHECK(kept == (TaelHolderFencer *)&made); /* written only on success */
    if (CHECK_STATUS(tael_holder_fencer_new_with_options(3, NULL, 0, NULL, &made), TAEL_STATUS_OK)) {
        CHECK_STATUS(tael_holder_fencer_state(made, &st), TAEL_STATUS_OK);
        CHECK(st.highest == 3 && !st.has_holder);
        tael_holder_fencer_free(made);
    }
    made = NULL;
    if (CHECK_STATUS(tael_holder_fencer_new_with_options(3, LIT("a"), NULL, &made), TAEL_STATUS_OK)) {
        CHECK_STATUS(tael_holder_fencer_state(made, &st), TAEL_STATUS_OK);
        CHECK(st.highest == 3 && st.has_holder && strcmp(st.holder, "a") == 0);
        tael_holder_fencer_free(made);
    }
}

static void nulls_registry(void) {
    TaelRegistry *r = tael_registry_new();
    TaelVerdict v;
    uint64_t value = U64_SENTINEL;
    size_t len = SIZE_SENTINEL;
    bool has_cap = true;
    char buf[64];
    char *owned = buf; /* not NULL, so the reset to NULL shows */
    if (!CHECK(r != NULL)) return;
    CHECK_STATUS(tael_registry_add(NULL, LIT("s"), 5), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_registry_add(r, NULL, 1, 5), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_registry_add(r, NULL, 0, 5), TAEL_STATUS_INVALID_ID);
    CHECK_STATUS(tael_registry_add(r, LIT("s"), 5), TAEL_STATUS_OK);
    CHECK_STATUS(tael_registry_check(NULL, LIT("s"), 6, &v), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_registry_check(r, NULL, 1, 6, &v), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_registry_check(r, LIT("s"), 6, NULL), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_registry_promote(NULL, LIT("s"), &value), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_registry_promote(r, NULL, 1, &value), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_registry_promote(r, LIT("s"), NULL), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_registry_highest(NULL, LIT("s"), &value), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_registry_highest(r, NULL, 1, &value), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_registry_highest(r, LIT("s"), NULL), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_registry_remove(NULL, LIT("s"), &value), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_registry_remove(r, NULL, 1, &value), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_registry_remove(r, LIT("s"), NULL), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_registry_len(NULL, &len), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_registry_len(r, NULL), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_registry_jump_cap(NULL, &has_cap, &value), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_registry_jump_cap(r, NULL, &value), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_registry_jump_cap(r, &has_cap, NULL), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_registry_snapshot(NULL, buf, sizeof buf, &len), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_registry_snapshot(r, NULL, sizeof buf, &len), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_registry_snapshot(r, buf, sizeof buf, NULL), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_registry_snapshot_alloc(NULL, &owned), TAEL_STATUS_NULL_POINTER);
    CHECK(owned == NULL); /* _alloc functions set *out_json to NULL on failure */
    CHECK_STATUS(tael_registry_snapshot_alloc(r, NULL), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_registry_restore(NULL, "{\"streams\":{}}"), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_registry_restore(r, NULL), TAEL_STATUS_NULL_POINTER);
    CHECK(value == U64_SENTINEL && len == SIZE_SENTINEL && has_cap);
    /* Nothing changed: one stream, still at 5. */
    CHECK_STATUS(tael_registry_len(r, &len), TAEL_STATUS_OK);
    CHECK(len == 1);
    CHECK_STATUS(tael_registry_highest(r, LIT("s"), &value), TAEL_STATUS_OK);
    CHECK(value == 5);
    /* Lookups leave the id rules to the core: an empty or NUL-holding name is just unknown. */
    CHECK_STATUS(tael_registry_highest(r, NULL, 0, &value), TAEL_STATUS_UNKNOWN_STREAM);
    CHECK_STATUS(tael_registry_highest(r, LIT("s\0"), &value), TAEL_STATUS_UNKNOWN_STREAM);
    bool flag = true;
    TaelCounters c;
    memset(&c, 0x5A, sizeof c);
    const TaelCounters untouched = c;
    CHECK_STATUS(tael_registry_refuses_epoch_zero(NULL, &flag), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_registry_refuses_epoch_zero(r, NULL), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_registry_counters(NULL, &c), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_registry_counters(r, NULL), TAEL_STATUS_NULL_POINTER);
    CHECK(flag && memcmp(&c, &untouched, sizeof c) == 0);
    CHECK_STATUS(tael_registry_refuses_epoch_zero(r, &flag), TAEL_STATUS_OK);
    CHECK(!flag);
    CHECK_STATUS(tael_registry_counters(r, &c), TAEL_STATUS_OK);
    CHECK(!c.counting && c.current == 0 && c.closed == 0);
    tael_registry_free(r);
    r = tael_registry_new_with_options(NULL);
    if (!CHECK(r != NULL)) return;
    CHECK_STATUS(tael_registry_jump_cap(r, &has_cap, &value), TAEL_STATUS_OK);
    CHECK(!has_cap);
    tael_registry_free(r);
}

static void nulls_views(void) {
    char buf[512];
    size_t len = SIZE_SENTINEL;
    uint64_t epoch = U64_SENTINEL;
    char *owned = buf;
    CHECK_STATUS(tael_elect_leaders(NULL, "{}", buf, sizeof buf, &len), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_elect_leaders(VIEW, NULL, buf, sizeof buf, &len), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_elect_leaders(VIEW, "{}", NULL, sizeof buf, &len), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_elect_leaders(VIEW, "{}", buf, sizeof buf, NULL), TAEL_STATUS_NULL_POINTER);
    CHECK(len == SIZE_SENTINEL);
    CHECK_STATUS(tael_elect_leaders_alloc(NULL, "{}", &owned), TAEL_STATUS_NULL_POINTER);
    CHECK(owned == NULL);
    owned = buf;
    CHECK_STATUS(tael_elect_leaders_alloc(VIEW, NULL, &owned), TAEL_STATUS_NULL_POINTER);
    CHECK(owned == NULL);
    CHECK_STATUS(tael_elect_leaders_alloc(VIEW, "{}", NULL), TAEL_STATUS_NULL_POINTER);
    owned = buf;
    CHECK_STATUS(tael_elect_leaders_alloc("{\"groups\":", "{}", &owned), TAEL_STATUS_INVALID_VIEW);
    CHECK(owned == NULL);
    owned = buf;
    CHECK_STATUS(tael_elect_leaders_alloc(VIEW, "{\"sticky\":true}", &owned), TAEL_STATUS_INVALID_POLICY);
    CHECK(owned == NULL);
    CHECK(strstr(last_error(NULL), "sticky") != NULL); /* the message says what was wrong */
    CHECK_STATUS(tael_elect_leaders_alloc(VIEW, "{}", &owned), TAEL_STATUS_OK);
    CHECK(owned != NULL && owned != buf && strstr(owned, "\"leader\":\"b\"") != NULL);
    tael_string_free(owned);

    CHECK_STATUS(tael_next_epoch(NULL, LIT("g"), &epoch), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_next_epoch(VIEW, NULL, 1, &epoch), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_next_epoch(VIEW, LIT("g"), NULL), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_next_epoch(VIEW, NULL, 0, &epoch), TAEL_STATUS_UNKNOWN_GROUP);
    CHECK(epoch == U64_SENTINEL);
    CHECK_STATUS(tael_next_epoch(VIEW, LIT("g"), &epoch), TAEL_STATUS_OK);
    CHECK(epoch == 8);

    /* Transitions: NULL anywhere; (NULL, 0) written as the events on every failure. */
    TaelEvent *events = not_events;
    size_t n = SIZE_SENTINEL;
    len = SIZE_SENTINEL;
    CHECK_STATUS(tael_transitions_json(NULL, "[]", buf, sizeof buf, &len), TAEL_STATUS_NULL_POINTER);
    CHECK(strstr(last_error(NULL), "previous_json") != NULL);
    CHECK_STATUS(tael_transitions_json("[]", NULL, buf, sizeof buf, &len), TAEL_STATUS_NULL_POINTER);
    CHECK(strstr(last_error(NULL), "next_json") != NULL);
    CHECK_STATUS(tael_transitions_json("[]", "[]", NULL, sizeof buf, &len), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_transitions_json("[]", "[]", buf, sizeof buf, NULL), TAEL_STATUS_NULL_POINTER);
    CHECK(len == SIZE_SENTINEL);
    owned = buf;
    CHECK_STATUS(tael_transitions_json_alloc(NULL, "[]", &owned), TAEL_STATUS_NULL_POINTER);
    CHECK(owned == NULL);
    owned = buf;
    CHECK_STATUS(tael_transitions_json_alloc("[]", NULL, &owned), TAEL_STATUS_NULL_POINTER);
    CHECK(owned == NULL);
    CHECK_STATUS(tael_transitions_json_alloc("[]", "[]", NULL), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_transitions(NULL, "[]", &events, &n), TAEL_STATUS_NULL_POINTER);
    CHECK(events == NULL && n == 0);
    events = not_events;
    n = SIZE_SENTINEL;
    CHECK_STATUS(tael_transitions("[]", NULL, &events, &n), TAEL_STATUS_NULL_POINTER);
    CHECK(events == NULL && n == 0);
    n = SIZE_SENTINEL;
    CHECK_STATUS(tael_transitions("[]", "[]", NULL, &n), TAEL_STATUS_NULL_POINTER);
    CHECK(n == SIZE_SENTINEL); /* a NULL out-pointer is caught before the other is written */
    events = not_events;
    CHECK_STATUS(tael_transitions("[]", "[]", &events, NULL), TAEL_STATUS_NULL_POINTER);
    CHECK(events == not_events);
    /* Lists that are not decisions, and one naming a group twice. */
    const char *not_decisions[] = {"", "{}", "[1]", "[[\"g\"]]", "[] []", "[{\"group\":\"\"}]", "null"};
    for (size_t i = 0; i < sizeof not_decisions / sizeof not_decisions[0]; i++) {
        events = not_events;
        n = SIZE_SENTINEL;
        CHECK_STATUS(tael_transitions(not_decisions[i], "[]", &events, &n), TAEL_STATUS_INVALID_ARGUMENT);
        CHECK(events == NULL && n == 0 && strstr(last_error(NULL), "previous") != NULL);
        CHECK_STATUS(tael_transitions("[]", not_decisions[i], &events, &n), TAEL_STATUS_INVALID_ARGUMENT);
        CHECK(strstr(last_error(NULL), "next") != NULL);
    }
    char *decisions = NULL;
    if (CHECK_STATUS(tael_elect_leaders_alloc(VIEW, "{}", &decisions), TAEL_STATUS_OK)) {
        size_t k = strlen(decisions);
        char *twice = malloc(2 * k + 2);
        if (CHECK(twice != NULL)) {
            /* [d] and [d] joined as [d,d] */
            snprintf(twice, 2 * k + 2, "%.*s,%s", (int)(k - 1), decisions, decisions + 1);
            CHECK_STATUS(tael_transitions(decisions, twice, &events, &n), TAEL_STATUS_INVALID_ARGUMENT);
            CHECK(strstr(last_error(NULL), "twice") != NULL);
            CHECK_STATUS(tael_transitions(decisions, decisions, &events, &n), TAEL_STATUS_OK);
            CHECK(events == NULL && n == 0); /* no change: no array */
            tael_events_free(events, n);
            free(twice);
        }
        tael_string_free(decisions);
    }
    tael_events_free(NULL, 0);
    tael_events_free(NULL, 5); /* NULL is a no-op, whatever the length */
}

/* tael_established over verdicts the holder gates wrote: gates 0 and 1 admit (5, "a"); gate 2
 * admitted (5, "b") first, so it answers CONFLICT. */
static void established(void) {
    TaelHolderFencer *gates[3] = {tael_holder_fencer_new(0), tael_holder_fencer_new(0),
                                  tael_holder_fencer_new(0)};
    TaelVerdict v[3], scratch;
    bool out = false;
    for (size_t g = 0; g < 3; g++) {
        if (!CHECK(gates[g] != NULL)) return;
    }
    CHECK_STATUS(tael_holder_fencer_check(gates[2], 5, LIT("b"), &scratch), TAEL_STATUS_ADVANCED);
    CHECK_STATUS(tael_holder_fencer_check(gates[0], 5, LIT("a"), &v[0]), TAEL_STATUS_ADVANCED);
    CHECK_STATUS(tael_holder_fencer_check(gates[1], 5, LIT("a"), &v[1]), TAEL_STATUS_ADVANCED);
    CHECK_STATUS(tael_holder_fencer_check(gates[2], 5, LIT("a"), &v[2]), TAEL_STATUS_CONFLICT);
    for (size_t g = 0; g < 3; g++) tael_holder_fencer_free(gates[g]);
    TaelVerdict kept[3] = {v[0], v[1], v[2]};

    /* Two votes of three; not of four; one vote is not a majority of two. */
    CHECK_STATUS(tael_established(5, v, 3, 3, &out), TAEL_STATUS_OK);
    CHECK(out && tael_last_error_message(NULL, 0) == 0);
    CHECK_STATUS(tael_established(5, v, 3, 4, &out), TAEL_STATUS_OK);
    CHECK(!out);
    CHECK_STATUS(tael_established(5, v, 1, 1, &out), TAEL_STATUS_OK);
    CHECK(out);
    CHECK_STATUS(tael_established(5, v, 1, 2, &out), TAEL_STATUS_OK);
    CHECK(!out);
    CHECK_STATUS(tael_established(6, v, 3, 1, &out), TAEL_STATUS_OK); /* votes at 5 are not at 6 */
    CHECK(!out);
    CHECK_STATUS(tael_established(5, v, 3, UINT64_MAX, &out), TAEL_STATUS_OK);
    CHECK(!out);
    /* (NULL, 0) is no verdict: no vote, not even of a configured size of 0 (0 > 0 is false). */
    out = true;
    CHECK_STATUS(tael_established(5, NULL, 0, 0, &out), TAEL_STATUS_OK);
    CHECK(!out);

    /* Refusals write nothing: the answer would be false, and `out` stays true. */
    out = true;
    CHECK_STATUS(tael_established(5, v, 3, 3, NULL), TAEL_STATUS_NULL_POINTER);
    CHECK(strstr(last_error(NULL), "out_established") != NULL);
    CHECK_STATUS(tael_established(5, NULL, 1, 9, &out), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_established(5, NULL, 3, 9, &out), TAEL_STATUS_NULL_POINTER);
    CHECK(strstr(last_error(NULL), "verdicts") != NULL);
    CHECK_STATUS(tael_established(5, v, SIZE_MAX, 9, &out), TAEL_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(tael_established(5, v, SIZE_MAX / sizeof v[0] + 1, 9, &out),
                 TAEL_STATUS_INVALID_ARGUMENT);
    /* A code that is not a verdict's: unknown, or a call's status. */
    const TaelStatus not_verdicts[] = {99, 25, UINT32_MAX, TAEL_STATUS_OK, TAEL_STATUS_NO_LEADER,
                                       TAEL_STATUS_NULL_POINTER, TAEL_STATUS_UNDEFINED_EPOCH};
    for (size_t i = 0; i < sizeof not_verdicts / sizeof not_verdicts[0]; i++) {
        v[1].code = not_verdicts[i];
        CHECK_STATUS(tael_established(5, v, 3, 9, &out), TAEL_STATUS_INVALID_ARGUMENT);
        CHECK(strstr(last_error(NULL), "verdicts[1].code") != NULL);
    }
    v[1] = kept[1];
    /* `accepted` must agree with the code. */
    v[2].accepted = true;
    CHECK_STATUS(tael_established(5, v, 3, 9, &out), TAEL_STATUS_INVALID_ARGUMENT);
    CHECK(strstr(last_error(NULL), "verdicts[2].accepted") != NULL);
    v[2] = kept[2];
    v[0].accepted = false;
    CHECK_STATUS(tael_established(5, v, 3, 9, &out), TAEL_STATUS_INVALID_ARGUMENT);
    v[0] = kept[0];
    /* A CONFLICT's holder must be an id: not empty, not cut off by the field's end, UTF-8. */
    v[2].holder[0] = '\0';
    CHECK_STATUS(tael_established(5, v, 3, 9, &out), TAEL_STATUS_INVALID_ID);
    CHECK(strstr(last_error(NULL), "verdicts[2].holder") != NULL);
    memset(v[2].holder, 'h', sizeof v[2].holder);
    CHECK_STATUS(tael_established(5, v, 3, 9, &out), TAEL_STATUS_INVALID_ID);
    v[2].holder[TAEL_MAX_ID_BYTES] = '\0'; /* the longest id, NUL last */
    CHECK_STATUS(tael_established(5, v, 3, 9, &out), TAEL_STATUS_OK);
    CHECK(!out);
    out = true;
    for (size_t i = 0; i < N_BAD_UTF8; i++) {
        memset(v[2].holder, 0, sizeof v[2].holder);
        memcpy(v[2].holder, BAD_UTF8[i], strlen(BAD_UTF8[i]));
        CHECK_STATUS(tael_established(5, v, 3, 9, &out), TAEL_STATUS_INVALID_UTF8);
    }
    CHECK(out);
    v[2] = kept[2];
    /* Fields the code does not have are not read (an ADVANCED has no cap, holder or highest of
     * its own: its highest is its epoch). */
    v[0].cap = v[1].highest = U64_SENTINEL;
    memset(v[0].holder, 0xff, sizeof v[0].holder);
    CHECK_STATUS(tael_established(5, v, 3, 3, &out), TAEL_STATUS_OK);
    CHECK(out);
    CHECK(v[2].code == TAEL_STATUS_CONFLICT && v[2].highest == 5 && strcmp(v[2].holder, "b") == 0);
}

/* The JSON form of `h` (malloc'd by the library; "" when it cannot be read). */
static char *history_text(const TaelEpochHistory *h) {
    char *json = NULL;
    if (tael_epoch_history_to_json_alloc(h, &json) != TAEL_STATUS_OK) return NULL;
    return json;
}

/* Whether `h` still reads `want` (its JSON form). */
static int history_is(const TaelEpochHistory *h, const char *want) {
    char *json = history_text(h);
    int same = json != NULL && strcmp(json, want) == 0;
    if (!same) fprintf(stderr, "  history: %s, expected %s\n", json ? json : "(unreadable)", want);
    tael_string_free(json);
    return same;
}

static void nulls_history(void) {
    const TaelEpochEntry entries[] = {{1, 0, LIT("node-a")}, {3, 5, NULL, 0}};
    const char *const json = "{\"entries\":[{\"epoch\":\"1\",\"start_offset\":\"0\","
                             "\"holder\":\"node-a\"},{\"epoch\":\"3\",\"start_offset\":\"5\"}]}";
    TaelEpochHistory *h = NULL;
    TaelEpochHistory *untouched = (TaelEpochHistory *)&h; /* any non-NULL value */
    TaelEpochEntryCopy e;
    TaelTruncation t = {7, true};
    uint64_t epoch = U64_SENTINEL, end = U64_SENTINEL, offset = U64_SENTINEL;
    size_t len = SIZE_SENTINEL;
    bool changed = true;
    char buf[256];
    char *owned = buf; /* not NULL, so the reset to NULL shows */

    CHECK_STATUS(tael_epoch_history_new(entries, 2, NULL), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_epoch_history_new(NULL, 2, &untouched), TAEL_STATUS_NULL_POINTER);
    const TaelEpochEntry null_holder[] = {{1, 0, NULL, 3}};
    CHECK_STATUS(tael_epoch_history_new(null_holder, 1, &untouched), TAEL_STATUS_NULL_POINTER);
    CHECK(strstr(last_error(NULL), "entries[0].holder") != NULL);
    CHECK_STATUS(tael_epoch_history_new(entries, SIZE_MAX, &untouched), TAEL_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(tael_epoch_history_from_json(NULL, &untouched), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_epoch_history_from_json(json, NULL), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_epoch_history_open(NULL, 3, true, &untouched), TAEL_STATUS_NULL_POINTER);
    CHECK(untouched == (TaelEpochHistory *)&h); /* written only on success */
    /* (NULL, 0) is the empty history. */
    CHECK_STATUS(tael_epoch_history_new(NULL, 0, &h), TAEL_STATUS_OK);
    CHECK(h != NULL && history_is(h, "{\"entries\":[]}"));
    tael_epoch_history_free(h);
    h = NULL;
    if (!CHECK_STATUS(tael_epoch_history_new(entries, 2, &h), TAEL_STATUS_OK)) return;
    CHECK(history_is(h, json));

    CHECK_STATUS(tael_epoch_history_assign(NULL, 4, 9, LIT("b"), &changed), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_epoch_history_assign(h, 4, 9, LIT("b"), NULL), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_epoch_history_assign(h, 4, 9, NULL, 1, &changed), TAEL_STATUS_NULL_POINTER);
    CHECK(strstr(last_error(NULL), "holder") != NULL);
    CHECK_STATUS(tael_epoch_history_assign(h, 4, 9, "b", SIZE_MAX, &changed),
                 TAEL_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(tael_epoch_history_truncate_from_end(NULL, 0, &changed), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_epoch_history_truncate_from_end(h, 0, NULL), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_epoch_history_truncate_from_start(NULL, 9, &changed), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_epoch_history_truncate_from_start(h, 9, NULL), TAEL_STATUS_NULL_POINTER);
    CHECK(changed); /* no failed call wrote it */
    CHECK_STATUS(tael_epoch_history_end_offset_for(NULL, 1, 9, &epoch, &end), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_epoch_history_end_offset_for(h, 1, 9, NULL, &end), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_epoch_history_end_offset_for(h, 1, 9, &epoch, NULL), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_epoch_history_latest_epoch(NULL, &epoch), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_epoch_history_latest_epoch(h, NULL), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_epoch_history_len(NULL, &len), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_epoch_history_len(h, NULL), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_epoch_history_entry(NULL, 0, &e), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_epoch_history_entry(h, 0, NULL), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_epoch_history_to_json(NULL, buf, sizeof buf, &len), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_epoch_history_to_json(h, NULL, sizeof buf, &len), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_epoch_history_to_json(h, buf, sizeof buf, NULL), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_epoch_history_to_json_alloc(NULL, &owned), TAEL_STATUS_NULL_POINTER);
    CHECK(owned == NULL);
    CHECK_STATUS(tael_epoch_history_to_json_alloc(h, NULL), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_divergence_point(NULL, 9, h, 9, &offset), TAEL_STATUS_NULL_POINTER);
    CHECK(strstr(last_error(NULL), "leader") != NULL);
    CHECK_STATUS(tael_divergence_point(h, 9, NULL, 9, &offset), TAEL_STATUS_NULL_POINTER);
    CHECK(strstr(last_error(NULL), "follower") != NULL);
    CHECK_STATUS(tael_divergence_point(h, 9, h, 9, NULL), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_follower_step(NULL, 9, false, 0, 0, &t), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_follower_step(h, 9, false, 0, 0, NULL), TAEL_STATUS_NULL_POINTER);
    CHECK(epoch == U64_SENTINEL && end == U64_SENTINEL && offset == U64_SENTINEL &&
          len == SIZE_SENTINEL && t.offset == 7 && t.done);
    CHECK(history_is(h, json)); /* none of it changed the history */

    /* No answer is a status that writes nothing; the answers that exist are written. */
    CHECK_STATUS(tael_epoch_history_end_offset_for(h, 4, 9, &epoch, &end), TAEL_STATUS_UNDEFINED_EPOCH);
    CHECK(last_error_is(TAEL_STATUS_UNDEFINED_EPOCH) && strstr(last_error(NULL), "above") != NULL);
    CHECK(epoch == U64_SENTINEL && end == U64_SENTINEL);
    CHECK_STATUS(tael_epoch_history_end_offset_for(h, 3, 4, &epoch, &end), TAEL_STATUS_INVALID_HISTORY);
    CHECK_STATUS(tael_epoch_history_end_offset_for(h, 2, 9, &epoch, &end), TAEL_STATUS_OK);
    CHECK(epoch == 1 && end == 5 && tael_last_error_message(NULL, 0) == 0);
    CHECK_STATUS(tael_epoch_history_entry(h, 2, &e), TAEL_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(tael_epoch_history_entry(h, SIZE_MAX, &e), TAEL_STATUS_INVALID_ARGUMENT);
    memset(&e, 0x5A, sizeof e);
    CHECK_STATUS(tael_epoch_history_entry(h, 1, &e), TAEL_STATUS_OK);
    CHECK(e.epoch == 3 && e.start_offset == 5 && !e.has_holder && e.holder[0] == '\0');
    CHECK_STATUS(tael_epoch_history_entry(h, 0, &e), TAEL_STATUS_OK);
    CHECK(e.epoch == 1 && e.start_offset == 0 && e.has_holder && strcmp(e.holder, "node-a") == 0);
    CHECK_STATUS(tael_follower_step(h, 4, true, 1, 9, &t), TAEL_STATUS_INVALID_HISTORY);
    CHECK(t.offset == 7 && t.done);
    CHECK_STATUS(tael_follower_step(h, 9, false, 123, 456, &t), TAEL_STATUS_OK);
    CHECK(t.offset == 5 && !t.done); /* no answer: drop the latest reign, ask again */

    /* Refused assigns change nothing: NUL inside, empty, too long, control character. */
    char longer[TAEL_MAX_ID_BYTES + 1];
    memset(longer, 'x', sizeof longer);
    CHECK_STATUS(tael_epoch_history_assign(h, 4, 9, LIT("node\0b"), &changed), TAEL_STATUS_INVALID_ID);
    CHECK_STATUS(tael_epoch_history_assign(h, 4, 9, NULL, 0, &changed), TAEL_STATUS_OK);
    CHECK(changed && history_is(h, "{\"entries\":[{\"epoch\":\"1\",\"start_offset\":\"0\","
                                   "\"holder\":\"node-a\"},{\"epoch\":\"3\",\"start_offset\":\"5\"},"
                                   "{\"epoch\":\"4\",\"start_offset\":\"9\"}]}"));
    CHECK_STATUS(tael_epoch_history_truncate_from_end(h, 9, &changed), TAEL_STATUS_OK);
    CHECK(changed && history_is(h, json));
    CHECK_STATUS(tael_epoch_history_assign(h, 4, 9, "", 0, &changed), TAEL_STATUS_INVALID_ID);
    CHECK_STATUS(tael_epoch_history_assign(h, 4, 9, longer, sizeof longer, &changed),
                 TAEL_STATUS_INVALID_ID);
    CHECK_STATUS(tael_epoch_history_assign(h, 4, 9, longer, TAEL_MAX_ID_BYTES, &changed),
                 TAEL_STATUS_OK);
    CHECK_STATUS(tael_epoch_history_entry(h, 2, &e), TAEL_STATUS_OK);
    CHECK(e.has_holder && strlen(e.holder) == TAEL_MAX_ID_BYTES);
    CHECK_STATUS(tael_epoch_history_truncate_from_end(h, 9, &changed), TAEL_STATUS_OK);
    CHECK_STATUS(tael_epoch_history_assign(h, 4, 9, LIT("a\x07"), &changed), TAEL_STATUS_INVALID_ID);
    for (size_t i = 0; i < N_BAD_UTF8; i++) {
        const char *bad = BAD_UTF8[i];
        const TaelEpochEntry with_bad[] = {{1, 0, NULL, 0}, {2, 4, bad, strlen(bad)}};
        TaelEpochHistory *made = NULL;
        CHECK_STATUS(tael_epoch_history_assign(h, 4, 9, bad, strlen(bad), &changed),
                     TAEL_STATUS_INVALID_UTF8);
        CHECK_STATUS(tael_epoch_history_new(with_bad, 2, &made), TAEL_STATUS_INVALID_UTF8);
        CHECK(made == NULL && strstr(last_error(NULL), "entries[1].holder") != NULL);
        char doc[128];
        snprintf(doc, sizeof doc, "{\"entries\":[{\"epoch\":\"1\",\"start_offset\":\"0\","
                                  "\"holder\":\"%s\"}]}", bad);
        CHECK_STATUS(tael_epoch_history_from_json(doc, &made), TAEL_STATUS_INVALID_UTF8);
        CHECK(made == NULL);
    }
    const TaelEpochEntry with_nul[] = {{1, 0, LIT("a\0b")}};
    CHECK_STATUS(tael_epoch_history_new(with_nul, 1, &untouched), TAEL_STATUS_INVALID_ID);
    CHECK(untouched == (TaelEpochHistory *)&h);
    CHECK(history_is(h, json));
    tael_epoch_history_free(h);
}

static void invalid_utf8(void) {
    TaelHolderFencer *h = tael_holder_fencer_new(0);
    TaelRegistry *r = tael_registry_new();
    TaelVerdict v;
    TaelHolderState st;
    uint64_t value = U64_SENTINEL;
    size_t index = SIZE_SENTINEL, len = 0;
    char json[128];
    char *owned = NULL;
    if (!CHECK(h != NULL && r != NULL)) return;
    CHECK_STATUS(tael_registry_add(r, LIT("s"), 1), TAEL_STATUS_OK);
    for (size_t i = 0; i < N_BAD_UTF8; i++) {
        const char *bad = BAD_UTF8[i];
        size_t n = strlen(bad);
        const char *ids[] = {"node-a", bad};
        const size_t lens[] = {6, n};
        CHECK_STATUS(tael_elect_leader(ids, 2, &index), TAEL_STATUS_INVALID_UTF8);
        CHECK(strstr(last_error(NULL), "ids[1]") != NULL);
        CHECK_STATUS(tael_elect_leader_n(ids, lens, 2, &index), TAEL_STATUS_INVALID_UTF8);
        CHECK_STATUS(tael_id_validate(bad, n), TAEL_STATUS_INVALID_UTF8);
        CHECK_STATUS(tael_u64_parse(bad, n, &value), TAEL_STATUS_INVALID_UTF8);
        CHECK_STATUS(tael_holder_fencer_check(h, 1, bad, n, &v), TAEL_STATUS_INVALID_UTF8);
        CHECK_STATUS(tael_holder_fencer_promote(h, bad, n, &value), TAEL_STATUS_INVALID_UTF8);
        CHECK_STATUS(tael_holder_fencer_close(h, 1, bad, n, &v), TAEL_STATUS_INVALID_UTF8);
        CHECK_STATUS(tael_holder_fencer_adopt(h, 1, bad, n, &v), TAEL_STATUS_INVALID_UTF8);
        CHECK_STATUS(tael_registry_add(r, bad, n, 0), TAEL_STATUS_INVALID_UTF8);
        CHECK_STATUS(tael_registry_check(r, bad, n, 1, &v), TAEL_STATUS_INVALID_UTF8);
        CHECK_STATUS(tael_registry_promote(r, bad, n, &value), TAEL_STATUS_INVALID_UTF8);
        CHECK_STATUS(tael_registry_highest(r, bad, n, &value), TAEL_STATUS_INVALID_UTF8);
        CHECK_STATUS(tael_registry_remove(r, bad, n, &value), TAEL_STATUS_INVALID_UTF8);
        CHECK_STATUS(tael_next_epoch(VIEW, bad, n, &value), TAEL_STATUS_INVALID_UTF8);
        CHECK_STATUS(tael_rendezvous_score(bad, n, LIT("a"), &value), TAEL_STATUS_INVALID_UTF8);
        CHECK_STATUS(tael_rendezvous_score(LIT("g"), bad, n, &value), TAEL_STATUS_INVALID_UTF8);
        /* Bad bytes inside a JSON string of each document. */
        snprintf(json, sizeof json, "{\"groups\":{\"%s\":{\"members\":[]}}}", bad);
        CHECK_STATUS(tael_elect_leaders(json, "{}", NULL, 0, &len), TAEL_STATUS_INVALID_UTF8);
        CHECK_STATUS(tael_elect_leaders_alloc(json, "{}", &owned), TAEL_STATUS_INVALID_UTF8);
        CHECK_STATUS(tael_next_epoch(json, LIT("g"), &value), TAEL_STATUS_INVALID_UTF8);
        snprintf(json, sizeof json, "{\"%s\":true}", bad);
        CHECK_STATUS(tael_elect_leaders(VIEW, json, NULL, 0, &len), TAEL_STATUS_INVALID_UTF8);
        snprintf(json, sizeof json, "{\"streams\":{\"%s\":\"9\"}}", bad);
        CHECK_STATUS(tael_registry_restore(r, json), TAEL_STATUS_INVALID_UTF8);
        snprintf(json, sizeof json, "[{\"group\":\"%s\"}]", bad);
        CHECK_STATUS(tael_transitions_json(json, "[]", NULL, 0, &len), TAEL_STATUS_INVALID_UTF8);
        CHECK_STATUS(tael_transitions_json_alloc("[]", json, &owned), TAEL_STATUS_INVALID_UTF8);
        CHECK(last_error_is(TAEL_STATUS_INVALID_UTF8));
    }
    CHECK(value == U64_SENTINEL && index == SIZE_SENTINEL && owned == NULL);
    /* NUL bytes inside ids are seen (the id is not cut short) and refused. */
    const char *nul_ids[] = {"node\0a", "node-b"};
    const size_t nul_lens[] = {6, 6};
    CHECK_STATUS(tael_elect_leader_n(nul_ids, nul_lens, 2, &index), TAEL_STATUS_INVALID_ID);
    CHECK_STATUS(tael_id_validate(LIT("a\0")), TAEL_STATUS_INVALID_ID);
    CHECK_STATUS(tael_holder_fencer_check(h, 1, LIT("a\0"), &v), TAEL_STATUS_INVALID_ID);
    CHECK_STATUS(tael_holder_fencer_promote(h, LIT("\0"), &value), TAEL_STATUS_INVALID_ID);
    CHECK_STATUS(tael_holder_fencer_close(h, 1, LIT("a\0"), &v), TAEL_STATUS_INVALID_ID);
    CHECK_STATUS(tael_holder_fencer_adopt(h, 1, LIT("\0a"), &v), TAEL_STATUS_INVALID_ID);
    CHECK_STATUS(tael_registry_add(r, LIT("s\0t"), 0), TAEL_STATUS_INVALID_ID);
    CHECK_STATUS(tael_u64_parse(LIT("1\0"), &value), TAEL_STATUS_INVALID_EPOCH);
    /* None of it changed anything. */
    CHECK_STATUS(tael_holder_fencer_state(h, &st), TAEL_STATUS_OK);
    CHECK(st.highest == 0 && !st.has_holder);
    CHECK_STATUS(tael_registry_len(r, &len), TAEL_STATUS_OK);
    CHECK(len == 1);
    CHECK_STATUS(tael_registry_highest(r, LIT("s"), &value), TAEL_STATUS_OK);
    CHECK(value == 1);
    tael_holder_fencer_free(h);
    tael_registry_free(r);
}

static void id_lengths(void) {
    char longest[TAEL_MAX_ID_BYTES + 2];
    memset(longest, 'x', sizeof longest);
    longest[TAEL_MAX_ID_BYTES] = '\0';
    CHECK_STATUS(tael_id_validate(longest, TAEL_MAX_ID_BYTES), TAEL_STATUS_OK);
    CHECK_STATUS(tael_id_validate(longest, TAEL_MAX_ID_BYTES + 1), TAEL_STATUS_INVALID_ID);
    CHECK_STATUS(tael_id_validate(LIT("a\x7f")), TAEL_STATUS_INVALID_ID);
    CHECK_STATUS(tael_id_validate(LIT("a\xc2\x85")), TAEL_STATUS_INVALID_ID); /* U+0085 is Cc */
    CHECK_STATUS(tael_id_validate(LIT("\xc3\xa9")), TAEL_STATUS_OK);
    /* The verdict's holder field carries the longest holder whole, NUL-terminated. */
    TaelHolderFencer *h = tael_holder_fencer_new(0);
    TaelVerdict v;
    TaelHolderState st;
    uint64_t epoch = 0;
    if (!CHECK(h != NULL)) return;
    CHECK_STATUS(tael_holder_fencer_promote(h, longest, TAEL_MAX_ID_BYTES, &epoch), TAEL_STATUS_OK);
    CHECK(epoch == 1);
    memset(&v, 0x5A, sizeof v);
    CHECK_STATUS(tael_holder_fencer_check(h, 1, LIT("other"), &v), TAEL_STATUS_CONFLICT);
    CHECK(v.code == TAEL_STATUS_CONFLICT && !v.accepted && v.epoch == 1 && v.highest == 1);
    CHECK(strlen(v.holder) == TAEL_MAX_ID_BYTES && memcmp(v.holder, longest, TAEL_MAX_ID_BYTES) == 0);
    CHECK(v.from == 0 && v.cap == 0);
    CHECK_STATUS(tael_holder_fencer_state(h, &st), TAEL_STATUS_OK);
    CHECK(st.has_holder && strcmp(st.holder, longest) == 0);
    /* So does CLOSED, with the holder that closed the reign. */
    CHECK_STATUS(tael_holder_fencer_close(h, 1, longest, TAEL_MAX_ID_BYTES, &v), TAEL_STATUS_CLOSED);
    memset(&v, 0x5A, sizeof v);
    CHECK_STATUS(tael_holder_fencer_check(h, 1, LIT("other"), &v), TAEL_STATUS_CLOSED);
    CHECK(v.code == TAEL_STATUS_CLOSED && !v.accepted && v.epoch == 1 && v.highest == 1);
    CHECK(strlen(v.holder) == TAEL_MAX_ID_BYTES && memcmp(v.holder, longest, TAEL_MAX_ID_BYTES) == 0);
    CHECK(v.from == 0 && v.cap == 0);
    /* One byte too long is refused before the gate is looked at. */
    longest[TAEL_MAX_ID_BYTES] = 'x';
    CHECK_STATUS(tael_holder_fencer_close(h, 2, longest, TAEL_MAX_ID_BYTES + 1, &v), TAEL_STATUS_INVALID_ID);
    CHECK_STATUS(tael_holder_fencer_adopt(h, 2, longest, TAEL_MAX_ID_BYTES + 1, &v), TAEL_STATUS_INVALID_ID);
    CHECK_STATUS(tael_holder_fencer_state(h, &st), TAEL_STATUS_OK);
    CHECK(st.highest == 1);
    tael_holder_fencer_free(h);
}

/* A text answer into buffers of every interesting size. */
static void buffers_of(const char *what, TaelStatus (*answer)(const void *, char *, size_t, size_t *),
                       const void *arg) {
    char buf[1024];
    size_t need = SIZE_SENTINEL, len = SIZE_SENTINEL;
    printf("  buffers: %s\n", what);
    CHECK_STATUS(answer(arg, NULL, 0, &need), TAEL_STATUS_BUFFER_TOO_SMALL);
    CHECK(last_error_is(TAEL_STATUS_BUFFER_TOO_SMALL));
    if (!CHECK(need > 2 && need + 2 <= sizeof buf)) return;
    const size_t caps[] = {0, 1, 2, need - 1, need};
    for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
        memset(buf, '#', sizeof buf);
        len = SIZE_SENTINEL;
        CHECK_STATUS(answer(arg, buf, caps[i], &len), TAEL_STATUS_BUFFER_TOO_SMALL);
        CHECK(len == need);
        /* Nothing was written but the length. */
        CHECK(buf[0] == '#' && buf[need - 1] == '#' && buf[need] == '#');
    }
    memset(buf, '#', sizeof buf);
    CHECK_STATUS(answer(arg, buf, need + 1, &len), TAEL_STATUS_OK);
    CHECK(len == need && strlen(buf) == need && buf[need + 1] == '#');
    CHECK(tael_last_error_message(NULL, 0) == 0);
    memset(buf, '#', sizeof buf);
    CHECK_STATUS(answer(arg, buf, sizeof buf, &len), TAEL_STATUS_OK);
    CHECK(len == need && buf[need] == '\0' && buf[need + 1] == '#');
}

static TaelStatus decide_answer(const void *view, char *buf, size_t cap, size_t *len) {
    return tael_elect_leaders((const char *)view, "{\"priority\":true}", buf, cap, len);
}

static TaelStatus snapshot_answer(const void *registry, char *buf, size_t cap, size_t *len) {
    return tael_registry_snapshot((const TaelRegistry *)registry, buf, cap, len);
}

static TaelStatus history_answer(const void *history, char *buf, size_t cap, size_t *len) {
    return tael_epoch_history_to_json((const TaelEpochHistory *)history, buf, cap, len);
}

/* The events from VIEW's decisions to no decision at all: "lost". */
static TaelStatus transitions_answer(const void *decisions, char *buf, size_t cap, size_t *len) {
    return tael_transitions_json((const char *)decisions, "[]", buf, cap, len);
}

static void buffers(void) {
    buffers_of("decisions", decide_answer, VIEW);
    char *decisions = NULL;
    if (CHECK_STATUS(tael_elect_leaders_alloc(VIEW, "{}", &decisions), TAEL_STATUS_OK)) {
        buffers_of("events", transitions_answer, decisions);
        tael_string_free(decisions);
    }
    const TaelEpochEntry entries[] = {{UINT64_MAX - 1, 0, LIT("node-a")}, {UINT64_MAX, UINT64_MAX, NULL, 0}};
    TaelEpochHistory *h = NULL;
    if (CHECK_STATUS(tael_epoch_history_new(entries, 2, &h), TAEL_STATUS_OK)) {
        buffers_of("history", history_answer, h);
        tael_epoch_history_free(h);
    }
    TaelRegistry *r = tael_registry_new();
    if (!CHECK(r != NULL)) return;
    CHECK_STATUS(tael_registry_add(r, LIT("wal-0"), UINT64_MAX), TAEL_STATUS_OK);
    buffers_of("snapshot", snapshot_answer, r);
    tael_registry_free(r);
}

static void u64_extremes(void) {
    TaelVerdict v;
    uint64_t value = 0;
    bool accepted = true, has_cap = false;

    TaelFencer *top = tael_fencer_new(UINT64_MAX);
    CHECK_STATUS(tael_fencer_promote(top, &value), TAEL_STATUS_EPOCH_OVERFLOW);
    CHECK(last_error_is(TAEL_STATUS_EPOCH_OVERFLOW));
    CHECK_STATUS(tael_fencer_highest(top, &value), TAEL_STATUS_OK);
    CHECK(value == UINT64_MAX);
    CHECK_STATUS(tael_fencer_check(top, UINT64_MAX, &v), TAEL_STATUS_CURRENT);
    CHECK_STATUS(tael_fencer_check(top, 0, &v), TAEL_STATUS_STALE_EPOCH);
    CHECK(v.epoch == 0 && v.highest == UINT64_MAX);
    tael_fencer_free(top);

    TaelFencer *almost = tael_fencer_new(UINT64_MAX - 1);
    CHECK_STATUS(tael_fencer_promote(almost, &value), TAEL_STATUS_OK);
    CHECK(value == UINT64_MAX);
    CHECK_STATUS(tael_fencer_promote(almost, &value), TAEL_STATUS_EPOCH_OVERFLOW);
    CHECK(value == UINT64_MAX);
    tael_fencer_free(almost);

    TaelFencer *fresh = tael_fencer_new(0);
    CHECK_STATUS(tael_fencer_check(fresh, UINT64_MAX, &v), TAEL_STATUS_ADVANCED);
    CHECK(v.from == 0 && v.epoch == UINT64_MAX && v.highest == UINT64_MAX && v.accepted);
    CHECK_STATUS(tael_fencer_check_and_advance(fresh, UINT64_MAX - 1, &accepted), TAEL_STATUS_OK);
    CHECK(!accepted);
    tael_fencer_free(fresh);

    /* The widest cap admits the widest jump (the test is strictly "more than the cap"). */
    TaelFencer *wide = tael_fencer_new_with_jump_cap(0, UINT64_MAX);
    CHECK_STATUS(tael_fencer_jump_cap(wide, &has_cap, &value), TAEL_STATUS_OK);
    CHECK(has_cap && value == UINT64_MAX);
    CHECK_STATUS(tael_fencer_check(wide, UINT64_MAX, &v), TAEL_STATUS_ADVANCED);
    tael_fencer_free(wide);

    TaelFencer *zero = tael_fencer_new_with_jump_cap(7, 0);
    CHECK_STATUS(tael_fencer_check(zero, 8, &v), TAEL_STATUS_TOO_FAR_AHEAD);
    CHECK(v.cap == 0 && v.highest == 7 && !v.accepted);
    CHECK_STATUS(tael_fencer_check(zero, UINT64_MAX, &v), TAEL_STATUS_TOO_FAR_AHEAD);
    CHECK_STATUS(tael_fencer_check(zero, 7, &v), TAEL_STATUS_CURRENT);
    CHECK_STATUS(tael_fencer_promote(zero, &value), TAEL_STATUS_OK); /* the cap does not apply */
    CHECK(value == 8);
    tael_fencer_free(zero);

    TaelHolderFencer *h = tael_holder_fencer_new_with_jump_cap(UINT64_MAX, 1);
    TaelHolderState st;
    CHECK_STATUS(tael_holder_fencer_jump_cap(h, &has_cap, &value), TAEL_STATUS_OK);
    CHECK(has_cap && value == 1);
    CHECK_STATUS(tael_holder_fencer_check(h, UINT64_MAX, LIT("a"), &v), TAEL_STATUS_CURRENT);
    CHECK_STATUS(tael_holder_fencer_promote(h, LIT("b"), &value), TAEL_STATUS_EPOCH_OVERFLOW);
    CHECK_STATUS(tael_holder_fencer_state(h, &st), TAEL_STATUS_OK);
    CHECK(st.highest == UINT64_MAX && st.has_holder && strcmp(st.holder, "a") == 0);
    CHECK_STATUS(tael_holder_fencer_adopt(h, UINT64_MAX, LIT("b"), &v), TAEL_STATUS_CURRENT);
    CHECK_STATUS(tael_holder_fencer_close(h, UINT64_MAX, LIT("b"), &v), TAEL_STATUS_CLOSED);
    CHECK(v.epoch == UINT64_MAX && v.highest == UINT64_MAX && strcmp(v.holder, "b") == 0);
    CHECK_STATUS(tael_holder_fencer_close(h, 0, LIT("b"), &v), TAEL_STATUS_STALE_EPOCH);
    CHECK_STATUS(tael_holder_fencer_adopt(h, 0, LIT("b"), &v), TAEL_STATUS_STALE_EPOCH);
    tael_holder_fencer_free(h);
    /* Adopting ignores the cap: from 0 to the top in one step. Closing does not. */
    h = tael_holder_fencer_new_with_jump_cap(0, 0);
    CHECK_STATUS(tael_holder_fencer_close(h, UINT64_MAX, LIT("a"), &v), TAEL_STATUS_TOO_FAR_AHEAD);
    CHECK(v.cap == 0 && v.highest == 0);
    CHECK_STATUS(tael_holder_fencer_adopt(h, UINT64_MAX, LIT("a"), &v), TAEL_STATUS_ADVANCED);
    CHECK(v.from == 0 && v.highest == UINT64_MAX);
    tael_holder_fencer_free(h);

    TaelRegistry *r = tael_registry_new_with_jump_cap(UINT64_MAX);
    CHECK_STATUS(tael_registry_jump_cap(r, &has_cap, &value), TAEL_STATUS_OK);
    CHECK(has_cap && value == UINT64_MAX);
    CHECK_STATUS(tael_registry_add(r, LIT("s"), UINT64_MAX), TAEL_STATUS_OK);
    CHECK_STATUS(tael_registry_promote(r, LIT("s"), &value), TAEL_STATUS_EPOCH_OVERFLOW);
    CHECK_STATUS(tael_registry_remove(r, LIT("s"), &value), TAEL_STATUS_OK);
    CHECK(value == UINT64_MAX);
    CHECK_STATUS(tael_registry_remove(r, LIT("s"), &value), TAEL_STATUS_UNKNOWN_STREAM);
    tael_registry_free(r);

    /* Histories at the top of u64: no sum, no overflow. */
    const TaelEpochEntry top_entries[] = {{0, 0, NULL, 0}, {UINT64_MAX, UINT64_MAX, NULL, 0}};
    TaelEpochHistory *hist = NULL;
    uint64_t end = 0;
    TaelTruncation t;
    if (CHECK_STATUS(tael_epoch_history_new(top_entries, 2, &hist), TAEL_STATUS_OK)) {
        CHECK_STATUS(tael_epoch_history_end_offset_for(hist, UINT64_MAX, UINT64_MAX, &value, &end),
                     TAEL_STATUS_OK);
        CHECK(value == UINT64_MAX && end == UINT64_MAX);
        CHECK_STATUS(tael_epoch_history_end_offset_for(hist, UINT64_MAX - 1, UINT64_MAX, &value, &end),
                     TAEL_STATUS_OK);
        CHECK(value == 0 && end == UINT64_MAX);
        CHECK_STATUS(tael_epoch_history_end_offset_for(hist, 0, UINT64_MAX - 1, &value, &end),
                     TAEL_STATUS_INVALID_HISTORY);
        CHECK_STATUS(tael_divergence_point(hist, UINT64_MAX, hist, UINT64_MAX, &value), TAEL_STATUS_OK);
        CHECK(value == UINT64_MAX);
        CHECK_STATUS(tael_follower_step(hist, UINT64_MAX, true, UINT64_MAX, UINT64_MAX, &t),
                     TAEL_STATUS_OK);
        CHECK(t.offset == UINT64_MAX && t.done);
        CHECK_STATUS(tael_epoch_history_truncate_from_start(hist, UINT64_MAX, &accepted), TAEL_STATUS_OK);
        CHECK(accepted);
        CHECK_STATUS(tael_epoch_history_latest_epoch(hist, &value), TAEL_STATUS_OK);
        CHECK(value == UINT64_MAX);
        CHECK_STATUS(tael_epoch_history_truncate_from_end(hist, 0, &accepted), TAEL_STATUS_OK);
        CHECK_STATUS(tael_epoch_history_truncate_from_end(hist, UINT64_MAX, &accepted), TAEL_STATUS_OK);
        CHECK(!accepted);
        value = 7;
        CHECK_STATUS(tael_epoch_history_latest_epoch(hist, &value), TAEL_STATUS_UNDEFINED_EPOCH);
        CHECK(value == 7);
        tael_epoch_history_free(hist);
    }

    CHECK_STATUS(tael_u64_parse(LIT("18446744073709551615"), &value), TAEL_STATUS_OK);
    CHECK(value == UINT64_MAX);
    CHECK_STATUS(tael_u64_parse(LIT("0"), &value), TAEL_STATUS_OK);
    CHECK(value == 0);
    const char *bad[] = {"18446744073709551616", "99999999999999999999999", "", "01", "-1", "+1",
                         " 1", "1 ", "1.0", "1e3", "0x10"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        value = U64_SENTINEL;
        CHECK_STATUS(tael_u64_parse(bad[i], strlen(bad[i]), &value), TAEL_STATUS_INVALID_EPOCH);
        CHECK(value == U64_SENTINEL);
    }
    const char *top_view = "{\"groups\":{\"g\":{\"members\":[{\"id\":\"a\",\"live\":true,"
                           "\"epoch\":18446744073709551615}]}}}";
    CHECK_STATUS(tael_next_epoch(top_view, LIT("g"), &value), TAEL_STATUS_EPOCH_OVERFLOW);
    const char *past_view = "{\"groups\":{\"g\":{\"members\":[{\"id\":\"a\",\"live\":true,"
                            "\"epoch\":18446744073709551616}]}}}";
    CHECK_STATUS(tael_next_epoch(past_view, LIT("g"), &value), TAEL_STATUS_INVALID_VIEW);
}

/* ---- The bad-input matrix of SEMANTICS.md §13: tests/bad_inputs.json, shared by every front ----
 *
 * Every row whose "c" expectation is a status is run through the C API and must return exactly
 * that status, set the last error to it, and change nothing; rows C cannot express carry their
 * reason in the data file and are counted. */

/* An argument as C passes it: bytes with their length and a NUL after them, or NULL. */
typedef struct {
    char *bytes;
    size_t len;
    int null;
} Arg;

static void arg_free(Arg *a) {
    free(a->bytes);
    a->bytes = NULL;
}

static int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

/* Appends the bytes of one value form to `a`; 0 when C cannot express it. */
static int append(Arg *a, const json_t *v) {
    const char *add = NULL;
    size_t n = 0, times = 1;
    char *decoded = NULL;
    if (json_is_string(v)) {
        add = json_string_value(v);
        n = json_string_length(v);
    } else if (json_is_string(json_object_get(v, "hex"))) {
        const json_t *h = json_object_get(v, "hex");
        const char *digits = json_string_value(h);
        n = json_string_length(h) / 2;
        decoded = malloc(n + 1);
        if (decoded == NULL) return 0;
        for (size_t i = 0; i < n; i++) {
            int hi = hex_value(digits[2 * i]), lo = hex_value(digits[2 * i + 1]);
            if (hi < 0 || lo < 0) {
                free(decoded);
                return 0;
            }
            decoded[i] = (char)(hi * 16 + lo);
        }
        add = decoded;
    } else if (json_is_string(json_object_get(v, "repeat"))) {
        const json_t *r = json_object_get(v, "repeat");
        add = json_string_value(r);
        n = json_string_length(r);
        times = (size_t)json_integer_value(json_object_get(v, "times"));
    } else if (json_is_array(json_object_get(v, "concat"))) {
        const json_t *part;
        size_t i;
        json_array_foreach(json_object_get(v, "concat"), i, part) {
            if (!append(a, part)) return 0;
        }
        return 1;
    } else {
        return 0; /* utf16, int, float, or a value of another type: not C's */
    }
    char *grown = realloc(a->bytes, a->len + n * times + 1);
    if (grown == NULL) {
        free(decoded);
        return 0;
    }
    a->bytes = grown;
    for (size_t t = 0; t < times; t++) {
        memcpy(a->bytes + a->len, add, n);
        a->len += n;
    }
    a->bytes[a->len] = '\0';
    free(decoded);
    return 1;
}

/* A text argument; {"value": null} is a NULL pointer (with a length of 1 where a length goes). */
static int arg_of(const json_t *v, Arg *out) {
    out->bytes = NULL;
    out->len = 0;
    out->null = 0;
    const json_t *raw = json_is_object(v) ? json_object_get(v, "value") : NULL;
    if (raw != NULL) {
        if (!json_is_null(raw)) return 0;
        out->null = 1;
        out->len = 1;
        return 1;
    }
    out->bytes = calloc(1, 1);
    return out->bytes != NULL && append(out, v);
}

static const char *ptr_of(const Arg *a) { return a->null ? NULL : a->bytes; }

/* A u64 argument: decimal text, read with the library's parser; 0 when C cannot express it. */
static int u64_arg(const json_t *step, const char *key, uint64_t fallback, uint64_t *out) {
    const json_t *v = json_object_get(step, key);
    if (v == NULL) {
        *out = fallback;
        return 1;
    }
    return json_is_string(v) &&
           tael_u64_parse(json_string_value(v), json_string_length(v), out) == TAEL_STATUS_OK;
}

/* Whether `step` sets `key` to {"value": null}: pass NULL there. */
static int is_null(const json_t *step, const char *key) {
    const json_t *v = json_object_get(step, key);
    return v != NULL && json_is_null(json_object_get(v, "value"));
}

/* A creating step's options: `cap` when the step has one, and `refuse_zero` (a bool); 0 when
 * C cannot express them. */
static int options_arg(const json_t *step, uint64_t cap, TaelGateOptions *o) {
    const json_t *zero = json_object_get(step, "refuse_zero");
    memset(o, 0, sizeof *o);
    o->has_jump_cap = json_object_get(step, "cap") != NULL;
    o->jump_cap = cap;
    o->refuse_zero = json_is_true(zero);
    return zero == NULL || json_is_boolean(zero);
}

#define NOT_C ((TaelStatus)UINT32_MAX) /* the step holds something C cannot express */

typedef struct {
    TaelFencer *gate;
    TaelHolderFencer *holder;
    TaelRegistry *registry;
    TaelEpochHistory *history; /* NULL until a step makes one */
} Handles;

/* Everything a refused call must leave as it was, written out as text. */
static char *summary(const Handles *h) {
    uint64_t highest = 0;
    TaelHolderState st;
    bool closed = false;
    char *snapshot = NULL, *history = NULL;
    memset(&st, 0, sizeof st);
    if (tael_fencer_highest(h->gate, &highest) != TAEL_STATUS_OK ||
        tael_holder_fencer_state(h->holder, &st) != TAEL_STATUS_OK ||
        tael_holder_fencer_closed(h->holder, &closed) != TAEL_STATUS_OK ||
        tael_registry_snapshot_alloc(h->registry, &snapshot) != TAEL_STATUS_OK ||
        (h->history != NULL &&
         tael_epoch_history_to_json_alloc(h->history, &history) != TAEL_STATUS_OK)) {
        tael_string_free(snapshot);
        return NULL;
    }
    const char *history_text = history != NULL ? history : "(no history)";
    size_t n = strlen(snapshot) + strlen(history_text) + TAEL_ID_FIELD_BYTES + 64;
    char *out = malloc(n);
    if (out != NULL) {
        snprintf(out, n, "%llu %llu %d %s %d %s %s", (unsigned long long)highest,
                 (unsigned long long)st.highest, (int)st.has_holder, st.holder, (int)closed,
                 snapshot, history_text);
    }
    tael_string_free(snapshot);
    tael_string_free(history);
    return out;
}

/* A step's entries ([[epoch, start] or [epoch, start, holder]]) as C passes them; each
 * holder's bytes in `holders`. 0 when C cannot express them. */
static int entries_arg(const json_t *list, TaelEpochEntry **entries, Arg **holders, size_t *len) {
    *len = json_array_size(list);
    *entries = calloc(*len + 1, sizeof **entries);
    *holders = calloc(*len + 1, sizeof **holders);
    if (!json_is_array(list) || *entries == NULL || *holders == NULL) return 0;
    for (size_t i = 0; i < *len; i++) {
        const json_t *e = json_array_get(list, i);
        TaelEpochEntry *entry = &(*entries)[i];
        if (json_array_size(e) < 2 || json_array_size(e) > 3) return 0;
        const json_t *epoch = json_array_get(e, 0), *start = json_array_get(e, 1);
        if (!json_is_string(epoch) || !json_is_string(start) ||
            tael_u64_parse(json_string_value(epoch), json_string_length(epoch), &entry->epoch) !=
                TAEL_STATUS_OK ||
            tael_u64_parse(json_string_value(start), json_string_length(start),
                           &entry->start_offset) != TAEL_STATUS_OK)
            return 0;
        if (json_array_size(e) == 3) {
            if (!arg_of(json_array_get(e, 2), &(*holders)[i])) return 0;
            entry->holder = ptr_of(&(*holders)[i]);
            entry->holder_len = (*holders)[i].len;
        }
    }
    return 1;
}

static void entries_free(TaelEpochEntry *entries, Arg *holders, size_t len) {
    for (size_t i = 0; holders != NULL && i < len; i++) arg_free(&holders[i]);
    free(entries);
    free(holders);
}

/* A history from the step's `key`: its entries, or {"value": null} for a NULL handle (*out
 * stays NULL). The status of the making, or NOT_C. */
static TaelStatus history_arg(const json_t *step, const char *key, TaelEpochHistory **out) {
    TaelEpochEntry *entries = NULL;
    Arg *holders = NULL;
    size_t len = 0;
    TaelStatus status = NOT_C;
    *out = NULL;
    if (is_null(step, key)) return TAEL_STATUS_OK;
    if (entries_arg(json_object_get(step, key), &entries, &holders, &len)) {
        status = tael_epoch_history_new(len > 0 ? entries : NULL, len, out);
        if (status != TAEL_STATUS_OK && *out != NULL) status = TAEL_STATUS_INTERNAL;
    }
    entries_free(entries, holders, len);
    return status;
}

/* The steps on epoch histories (and the pure functions over them); NOT_C for what C cannot
 * express. "handle" and "out" set to {"value": null} pass NULL there. */
static TaelStatus run_history_step(Handles *h, const json_t *step, const char *op) {
    const TaelEpochHistory *handle = is_null(step, "handle") ? NULL : h->history;
    int null_out = is_null(step, "out");
    uint64_t epoch = 0, start = 0, offset = 0, log_end = 0, other_end = 0, e = 0, end = 0;
    bool changed = false;
    TaelStatus status = NOT_C;
    Arg a = {NULL, 0, 0};
    if (!u64_arg(step, "epoch", 0, &epoch) || !u64_arg(step, "start_offset", 0, &start) ||
        !u64_arg(step, "offset", 0, &offset) || !u64_arg(step, "log_end", 0, &log_end))
        return NOT_C;
    if (strcmp(op, "history") == 0) {
        /* A refused history leaves the case's history as it was (or absent). */
        TaelEpochHistory *made = NULL;
        TaelEpochHistory **out = null_out ? NULL : &made;
        const json_t *json = json_object_get(step, "json");
        if (json != NULL && arg_of(json, &a)) {
            status = tael_epoch_history_from_json(ptr_of(&a), out);
        } else if (json == NULL) {
            TaelEpochEntry *entries = NULL;
            Arg *holders = NULL;
            size_t len = 0;
            if (json_object_get(step, "entries") == NULL) {
                status = tael_epoch_history_new(NULL, 0, out);
            } else if (entries_arg(json_object_get(step, "entries"), &entries, &holders, &len)) {
                status = tael_epoch_history_new(len > 0 ? entries : NULL, len, out);
            }
            entries_free(entries, holders, len);
        }
        if (status == TAEL_STATUS_OK) {
            tael_epoch_history_free(h->history);
            h->history = made;
        } else if (made != NULL) {
            tael_epoch_history_free(made);
            status = TAEL_STATUS_INTERNAL; /* a handle written on failure */
        }
    } else if (strcmp(op, "history_assign") == 0) {
        const json_t *holder = json_object_get(step, "holder");
        if (holder == NULL || arg_of(holder, &a)) {
            status = tael_epoch_history_assign(handle, epoch, start, holder ? ptr_of(&a) : NULL,
                                               a.len, null_out ? NULL : &changed);
        }
    } else if (strcmp(op, "history_truncate_from_end") == 0) {
        status = tael_epoch_history_truncate_from_end(handle, offset, null_out ? NULL : &changed);
    } else if (strcmp(op, "history_truncate_from_start") == 0) {
        status = tael_epoch_history_truncate_from_start(handle, offset, null_out ? NULL : &changed);
    } else if (strcmp(op, "history_end_offset_for") == 0) {
        status = tael_epoch_history_end_offset_for(handle, epoch, log_end, null_out ? NULL : &e,
                                                   null_out ? NULL : &end);
    } else if (strcmp(op, "history_latest_epoch") == 0) {
        status = tael_epoch_history_latest_epoch(handle, null_out ? NULL : &e);
    } else if (strcmp(op, "divergence_point") == 0) {
        TaelEpochHistory *leader = NULL, *follower = NULL;
        if (u64_arg(step, "leader_log_end", 0, &log_end) &&
            u64_arg(step, "follower_log_end", 0, &other_end)) {
            status = history_arg(step, "leader", &leader);
            if (status == TAEL_STATUS_OK) status = history_arg(step, "follower", &follower);
            if (status == TAEL_STATUS_OK) {
                status = tael_divergence_point(leader, log_end, follower, other_end,
                                               null_out ? NULL : &offset);
            }
        }
        tael_epoch_history_free(leader);
        tael_epoch_history_free(follower);
    } else if (strcmp(op, "follower_step") == 0) {
        TaelEpochHistory *follower = NULL;
        const json_t *answer = json_object_get(step, "answer");
        int has_answer = answer != NULL && !json_is_null(answer);
        TaelTruncation t;
        /* An answer is [epoch, end] of decimal text, or null. */
        int ok = u64_arg(step, "follower_log_end", 0, &log_end) &&
                 (!has_answer ||
                  (json_is_array(answer) && json_array_size(answer) == 2 &&
                   json_is_string(json_array_get(answer, 0)) &&
                   json_is_string(json_array_get(answer, 1)) &&
                   tael_u64_parse(json_string_value(json_array_get(answer, 0)),
                                  json_string_length(json_array_get(answer, 0)), &e) ==
                       TAEL_STATUS_OK &&
                   tael_u64_parse(json_string_value(json_array_get(answer, 1)),
                                  json_string_length(json_array_get(answer, 1)), &end) ==
                       TAEL_STATUS_OK));
        if (ok) {
            status = history_arg(step, "follower", &follower);
            if (status == TAEL_STATUS_OK) {
                status = tael_follower_step(follower, log_end, has_answer, e, end,
                                            null_out ? NULL : &t);
            }
        }
        tael_epoch_history_free(follower);
    }
    arg_free(&a);
    return status;
}

/* The verdicts of an `established` step as C passes them: {"value": null} is NULL with a length
 * of 1; a list holds verdicts as the corpus writes them ({"code", "accepted", "epoch",
 * "highest", and "from", "cap" or "holder"}). 0 when C cannot express them. */
static int verdicts_arg(const json_t *list, TaelVerdict **out, size_t *len) {
    const json_t *raw = json_is_object(list) ? json_object_get(list, "value") : NULL;
    *out = NULL;
    *len = 0;
    if (raw != NULL && json_is_null(raw)) {
        *len = 1;
        return 1;
    }
    if (json_is_array(raw)) list = raw; /* a list given as {"value": [...]} is that list */
    if (!json_is_array(list)) return 0;
    *len = json_array_size(list);
    *out = calloc(*len + 1, sizeof **out);
    if (*out == NULL) return 0;
    const json_t *v;
    size_t i;
    json_array_foreach(list, i, v) {
        TaelVerdict *t = &(*out)[i];
        const json_t *code = json_object_get(v, "code"), *accepted = json_object_get(v, "accepted");
        const json_t *holder = json_object_get(v, "holder");
        uint32_t n = 0;
        while (n < 64 && json_is_string(code) &&
               strcmp(tael_status_name((TaelStatus)n), json_string_value(code)) != 0)
            n++;
        if (!json_is_string(code) || n == 64 || !json_is_boolean(accepted) ||
            !u64_arg(v, "epoch", 0, &t->epoch) || !u64_arg(v, "highest", 0, &t->highest) ||
            !u64_arg(v, "from", 0, &t->from) || !u64_arg(v, "cap", 0, &t->cap) ||
            (holder != NULL && (!json_is_string(holder) ||
                                json_string_length(holder) >= sizeof t->holder)))
            return 0;
        t->code = (TaelStatus)n;
        t->accepted = json_is_true(accepted);
        if (holder != NULL) memcpy(t->holder, json_string_value(holder), json_string_length(holder));
    }
    return 1;
}

/* Runs one step; returns its status, or NOT_C. */
static TaelStatus run_step(Handles *h, const json_t *step) {
    const char *op = json_string_value(json_object_get(step, "op"));
    TaelVerdict v;
    uint64_t epoch = 0, highest = 0, cap = 0, floor = 0, value = 0;
    bool flag = false;
    size_t index = 0;
    TaelStatus status = NOT_C;
    Arg a = {NULL, 0, 0}, b = {NULL, 0, 0};
    if (op == NULL) return NOT_C;
    if (strcmp(op, "elect") == 0) {
        const json_t *ids = json_object_get(step, "ids");
        size_t n = json_is_array(ids) ? json_array_size(ids) : 1;
        Arg *args = calloc(n, sizeof *args);
        const char **ptrs = calloc(n, sizeof *ptrs);
        size_t *lens = calloc(n, sizeof *lens);
        int ok = args != NULL && ptrs != NULL && lens != NULL;
        for (size_t i = 0; ok && json_is_array(ids) && i < n; i++) {
            ok = arg_of(json_array_get(ids, i), &args[i]);
            ptrs[i] = ptr_of(&args[i]);
            lens[i] = args[i].len;
        }
        const json_t *length = json_object_get(step, "length");
        size_t count = n;
        if (length != NULL) {
            ok = ok && json_is_string(length) && strcmp(json_string_value(length), "SIZE_MAX") == 0;
            count = SIZE_MAX; /* refused before anything past the first element is read */
        }
        if (ok && !json_is_array(ids)) {
            ok = is_null(step, "ids");
            lens[0] = 1;
        }
        if (ok) {
            status = tael_elect_leader_n(json_is_array(ids) ? ptrs : NULL, lens, count, &index);
        }
        for (size_t i = 0; args != NULL && i < n; i++) arg_free(&args[i]);
        free(args);
        free(ptrs);
        free(lens);
    } else if (strcmp(op, "validate_id") == 0) {
        if (arg_of(json_object_get(step, "id"), &a)) status = tael_id_validate(ptr_of(&a), a.len);
    } else if (strcmp(op, "parse_u64") == 0) {
        if (arg_of(json_object_get(step, "text"), &a)) {
            status = tael_u64_parse(ptr_of(&a), a.len, &value);
        }
    } else if (strcmp(op, "gate") == 0) {
        TaelGateOptions o;
        if (u64_arg(step, "highest", 0, &highest) && u64_arg(step, "cap", 0, &cap) &&
            options_arg(step, cap, &o)) {
            tael_fencer_free(h->gate);
            h->gate = tael_fencer_new_with_options(highest, &o);
            status = h->gate != NULL ? TAEL_STATUS_OK : TAEL_STATUS_INTERNAL;
        }
    } else if (strcmp(op, "registry") == 0) {
        TaelGateOptions o;
        if (u64_arg(step, "cap", 0, &cap) && options_arg(step, cap, &o)) {
            tael_registry_free(h->registry);
            h->registry = tael_registry_new_with_options(&o);
            status = h->registry != NULL ? TAEL_STATUS_OK : TAEL_STATUS_INTERNAL;
        }
    } else if (strcmp(op, "check") == 0) {
        if (u64_arg(step, "epoch", 0, &epoch)) {
            status = tael_fencer_check(is_null(step, "handle") ? NULL : h->gate, epoch,
                                       is_null(step, "out") ? NULL : &v);
        }
    } else if (strcmp(op, "promote") == 0) {
        status = tael_fencer_promote(h->gate, &value);
    } else if (strcmp(op, "promote_to_at_least") == 0) {
        if (u64_arg(step, "floor", 0, &floor)) {
            status = tael_fencer_promote_to_at_least(h->gate, floor, &value);
        }
    } else if (strcmp(op, "holder_gate") == 0) {
        TaelGateOptions o;
        int has_holder = json_object_get(step, "holder") != NULL;
        if (u64_arg(step, "highest", 0, &highest) && u64_arg(step, "cap", 0, &cap) &&
            options_arg(step, cap, &o) && (!has_holder || arg_of(json_object_get(step, "holder"), &a))) {
            /* A refused resume leaves the case's holder gate as it was. No holder is (NULL, 0). */
            TaelHolderFencer *made = NULL;
            status = tael_holder_fencer_new_with_options(highest, has_holder ? ptr_of(&a) : NULL,
                                                         a.len, &o, &made);
            if (status == TAEL_STATUS_OK) {
                tael_holder_fencer_free(h->holder);
                h->holder = made;
            } else if (made != NULL) {
                status = TAEL_STATUS_INTERNAL; /* a handle written on failure */
            }
        }
    } else if (strcmp(op, "holder_check") == 0) {
        if (u64_arg(step, "epoch", 0, &epoch) && arg_of(json_object_get(step, "holder"), &a)) {
            status = tael_holder_fencer_check(h->holder, epoch, ptr_of(&a), a.len, &v);
        }
    } else if (strcmp(op, "holder_check_and_advance") == 0) {
        if (u64_arg(step, "epoch", 0, &epoch) && arg_of(json_object_get(step, "holder"), &a)) {
            status = tael_holder_fencer_check_and_advance(h->holder, epoch, ptr_of(&a), a.len, &flag);
        }
    } else if (strcmp(op, "holder_close") == 0 || strcmp(op, "holder_adopt") == 0) {
        if (u64_arg(step, "epoch", 0, &epoch) && arg_of(json_object_get(step, "holder"), &a)) {
            TaelHolderFencer *g = is_null(step, "handle") ? NULL : h->holder;
            TaelVerdict *out = is_null(step, "out") ? NULL : &v;
            status = strcmp(op, "holder_close") == 0
                         ? tael_holder_fencer_close(g, epoch, ptr_of(&a), a.len, out)
                         : tael_holder_fencer_adopt(g, epoch, ptr_of(&a), a.len, out);
        }
    } else if (strcmp(op, "holder_promote") == 0) {
        if (arg_of(json_object_get(step, "holder"), &a)) {
            status = tael_holder_fencer_promote(h->holder, ptr_of(&a), a.len, &value);
        }
    } else if (strcmp(op, "holder_promote_to_at_least") == 0) {
        if (u64_arg(step, "floor", 0, &floor) && arg_of(json_object_get(step, "holder"), &a)) {
            status = tael_holder_fencer_promote_to_at_least(h->holder, floor, ptr_of(&a), a.len,
                                                            &value);
        }
    } else if (strncmp(op, "registry_", 9) == 0 && strcmp(op, "registry_restore") != 0) {
        if (arg_of(json_object_get(step, "stream"), &a) && u64_arg(step, "highest", 0, &highest) &&
            u64_arg(step, "epoch", 0, &epoch) && u64_arg(step, "floor", 0, &floor)) {
            const char *s = ptr_of(&a);
            TaelRegistry *r = h->registry;
            if (strcmp(op, "registry_add") == 0) {
                status = tael_registry_add(r, s, a.len, highest);
            } else if (strcmp(op, "registry_check") == 0) {
                status = tael_registry_check(r, s, a.len, epoch, &v);
            } else if (strcmp(op, "registry_check_and_advance") == 0) {
                status = tael_registry_check_and_advance(r, s, a.len, epoch, &flag);
            } else if (strcmp(op, "registry_promote") == 0) {
                status = tael_registry_promote(r, s, a.len, &value);
            } else if (strcmp(op, "registry_promote_to_at_least") == 0) {
                status = tael_registry_promote_to_at_least(r, s, a.len, floor, &value);
            } else if (strcmp(op, "registry_remove") == 0) {
                status = tael_registry_remove(r, s, a.len, &value);
            } else if (strcmp(op, "registry_contains") == 0) {
                status = tael_registry_contains(r, s, a.len, &flag);
            }
        }
    } else if (strcmp(op, "registry_restore") == 0) {
        if (arg_of(json_object_get(step, "snapshot"), &a)) {
            status = tael_registry_restore(h->registry, ptr_of(&a));
        }
    } else if (strcmp(op, "decide") == 0) {
        const json_t *policy = json_object_get(step, "policy");
        const json_t *buffer = json_object_get(step, "buffer");
        size_t n = buffer != NULL ? (size_t)json_integer_value(buffer) : 65536;
        char *buf = malloc(n);
        size_t len = 0;
        if (buf != NULL && arg_of(json_object_get(step, "view"), &a) &&
            (policy == NULL ? (b.bytes = strdup("{}")) != NULL : arg_of(policy, &b))) {
            status = tael_elect_leaders(ptr_of(&a), ptr_of(&b), buf, n, &len);
        }
        free(buf);
    } else if (strcmp(op, "transitions") == 0) {
        /* Decisions JSON text in, every form: the JSON into a buffer, allocated, and the typed
         * events; all three must agree (and a refusal writes (NULL, 0) as the events). */
        if (arg_of(json_object_get(step, "previous"), &a) &&
            arg_of(json_object_get(step, "next"), &b)) {
            char buf[512];
            char *owned = buf;
            TaelEvent *events = not_events;
            size_t len = 0, n = SIZE_SENTINEL;
            TaelStatus in_buffer = tael_transitions_json(ptr_of(&a), ptr_of(&b), buf, sizeof buf, &len);
            TaelStatus allocated = tael_transitions_json_alloc(ptr_of(&a), ptr_of(&b), &owned);
            status = tael_transitions(ptr_of(&a), ptr_of(&b), &events, &n);
            if (in_buffer != status || allocated != status ||
                (status != TAEL_STATUS_OK && (owned != NULL || events != NULL || n != 0)))
                status = TAEL_STATUS_INTERNAL; /* the forms disagree */
            if (owned != buf) tael_string_free(owned);
            if (events != not_events) tael_events_free(events, n);
        }
    } else if (strcmp(op, "normalize_view") == 0) {
        char *owned = NULL;
        if (arg_of(json_object_get(step, "view"), &a)) {
            status = tael_normalize_view_alloc(ptr_of(&a), &owned);
            tael_string_free(owned);
        }
    } else if (strcmp(op, "next_epoch") == 0) {
        if (arg_of(json_object_get(step, "view"), &a) &&
            arg_of(json_object_get(step, "group"), &b)) {
            status = tael_next_epoch(ptr_of(&a), ptr_of(&b), b.len, &value);
        }
    } else if (strcmp(op, "established") == 0) {
        uint64_t configured = 0;
        TaelVerdict *verdicts = NULL;
        size_t len = 0;
        if (u64_arg(step, "epoch", 0, &epoch) && u64_arg(step, "configured", 0, &configured) &&
            verdicts_arg(json_object_get(step, "verdicts"), &verdicts, &len)) {
            status = tael_established(epoch, verdicts, len, configured,
                                      is_null(step, "out") ? NULL : &flag);
        }
        free(verdicts);
    } else if (strncmp(op, "history", 7) == 0 || strcmp(op, "divergence_point") == 0 ||
               strcmp(op, "follower_step") == 0) {
        status = run_history_step(h, step, op);
    }
    arg_free(&a);
    arg_free(&b);
    return status;
}

static TaelStatus status_named(const char *name) {
    for (uint32_t i = 0; i < 64; i++) {
        if (strcmp(tael_status_name((TaelStatus)i), name) == 0) return (TaelStatus)i;
    }
    return NOT_C;
}

static void matrix(const char *vectors_dir) {
    char path[4096];
    json_error_t err;
    snprintf(path, sizeof path, "%s/../bad_inputs.json", vectors_dir);
    json_t *data = json_load_file(path, JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES, &err);
    if (!CHECK(data != NULL)) {
        fprintf(stderr, "%s: %s (line %d)\n", path, err.text, err.line);
        return;
    }
    size_t i, ran = 0, not_expressible = 0;
    const json_t *row;
    json_array_foreach(json_object_get(data, "rows"), i, row) {
        const char *name = json_string_value(json_object_get(row, "name"));
        const json_t *want = json_object_get(json_object_get(row, "expect"), "c");
        if (!json_is_string(want)) {
            CHECK(json_is_string(json_object_get(want, "na"))); /* n/a carries its reason */
            not_expressible++;
            continue;
        }
        TaelStatus expected = status_named(json_string_value(want));
        Handles h = {tael_fencer_new(0), tael_holder_fencer_new(0), tael_registry_new(), NULL};
        const json_t *step;
        size_t j;
        int setup_ok = 1;
        json_array_foreach(json_object_get(row, "setup"), j, step) {
            TaelStatus s = run_step(&h, step);
            setup_ok = setup_ok && (s == TAEL_STATUS_OK || tael_status_is_verdict(s));
        }
        char *before = summary(&h);
        TaelStatus got = run_step(&h, json_object_get(row, "call"));
        int named = last_error_is(expected);
        char *after = summary(&h);
        int ok = CHECK(setup_ok && expected != NOT_C && got != NOT_C);
        ok = check_status_at(got, expected, __FILE__, __LINE__, name) && ok;
        ok = CHECK(named) && ok; /* the last error names the status */
        /* Nothing changed. */
        ok = CHECK(before != NULL && after != NULL && strcmp(before, after) == 0) && ok;
        if (!ok) fprintf(stderr, "  in bad-input row %s\n", name);
        free(before);
        free(after);
        tael_fencer_free(h.gate);
        tael_holder_fencer_free(h.holder);
        tael_registry_free(h.registry);
        tael_epoch_history_free(h.history);
        ran++;
    }
    CHECK(ran >= 25);
    printf("bad-input matrix (tests/bad_inputs.json): %zu rows run, %zu not expressible in C\n",
           ran, not_expressible);
    json_decref(data);
}

void bad_inputs_run(const char *vectors_dir) {
    unsigned long before = tests_failed;
    matrix(vectors_dir);
    statuses();
    last_error_rules();
    nulls_elect();
    nulls_fencer();
    nulls_holder();
    nulls_registry();
    nulls_views();
    nulls_history();
    established();
    invalid_utf8();
    id_lengths();
    buffers();
    u64_extremes();
    printf("bad inputs: %s\n", tests_failed == before ? "all as expected" : "FAILURES above");
}
