/* Runs every case of the conformance corpus (the .json files of tests/vectors, schema in its README.md)
 * through the C API, exactly as tests/conformance.rs runs it through the Rust core: each step's
 * result is built as JSON and compared with its `expect` (json_equal, so parsed JSON is
 * compared as parsed JSON), and the state of the case's gates, registry and epoch history, read
 * back through the C API, with its `state`. Every case runs twice: with its gates, registry and
 * history in memory, and kept in files (tael_*_open*), as the Rust runner does. A case whose
 * `fronts` leaves out "c" is skipped and counted. */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

#define FRONT "c"

/* A text input as C expresses it: bytes with a length (and a NUL after them, for the
 * NUL-terminated entry points). */
typedef struct {
    char *bytes;
    size_t len;
} Text;

/* Where a case's gates, registry and history keep their state. */
typedef enum { KIND_MEMORY, KIND_FILE } Kind;

/* The case's own state: one of each, created by its step; with files, a directory of its own
 * where each one made gets a new file. */
typedef struct {
    Kind kind;
    TaelFencer *gate;
    TaelHolderFencer *holder;
    TaelRegistry *registry;
    TaelEpochHistory *history;
    char dir[256];
    unsigned files;
} State;

static void state_free(State *s) {
    tael_fencer_free(s->gate);
    tael_holder_fencer_free(s->holder);
    tael_registry_free(s->registry);
    tael_epoch_history_free(s->history);
    s->gate = NULL;
    s->holder = NULL;
    s->registry = NULL;
    s->history = NULL;
}

/* The path of a new file of the case into `path`, and its length into `*len`. */
static void new_file(State *s, char *path, size_t cap, size_t *len) {
    int n = snprintf(path, cap, "%s/%u", s->dir, ++s->files);
    *len = n > 0 ? (size_t)n : 0;
}

/* Removes the case's files (their handles freed first) and its directory; 0 if something
 * else was left there. */
static int remove_files(State *s) {
    char path[300];
    const char *suffixes[] = {"", ".lock"};
    for (unsigned f = 1; f <= s->files; f++) {
        for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
            snprintf(path, sizeof path, "%s/%u%s", s->dir, f, suffixes[i]);
            unlink(path);
        }
    }
    return rmdir(s->dir) == 0;
}

/* A result that can never equal an expectation: a fault of the runner or of the library's
 * consistency, with what went wrong. */
static json_t *fault(const char *what) { return json_pack("{s:s}", "runner_fault", what); }

static int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* A text of the corpus: a JSON string (which may hold U+0000) or {"hex": "..."}. Returns 0 when
 * C cannot express it (e.g. {"utf16": [...]}, which only cases for other fronts use). */
static int text_of(const json_t *v, Text *out) {
    out->bytes = NULL;
    out->len = 0;
    if (json_is_string(v)) {
        size_t n = json_string_length(v);
        out->bytes = malloc(n + 1);
        if (out->bytes == NULL) return 0;
        memcpy(out->bytes, json_string_value(v), n);
        out->bytes[n] = '\0';
        out->len = n;
        return 1;
    }
    const json_t *hex = json_is_object(v) ? json_object_get(v, "hex") : NULL;
    if (json_is_string(hex) && json_string_length(hex) % 2 == 0) {
        const char *h = json_string_value(hex);
        size_t n = json_string_length(hex) / 2;
        out->bytes = malloc(n + 1);
        if (out->bytes == NULL) return 0;
        for (size_t i = 0; i < n; i++) {
            int hi = hex_digit(h[2 * i]), lo = hex_digit(h[2 * i + 1]);
            if (hi < 0 || lo < 0) {
                free(out->bytes);
                out->bytes = NULL;
                return 0;
            }
            out->bytes[i] = (char)(hi * 16 + lo);
        }
        out->bytes[n] = '\0';
        out->len = n;
        return 1;
    }
    return 0;
}

static int has_nul(const Text *t) { return memchr(t->bytes, '\0', t->len) != NULL; }

/* A u64 field written as a canonical decimal string, read with the library's own parser. */
static int u64_field(const json_t *step, const char *key, uint64_t fallback, uint64_t *out) {
    const json_t *v = json_object_get(step, key);
    if (v == NULL) {
        *out = fallback;
        return 1;
    }
    if (!json_is_string(v)) return 0;
    return tael_u64_parse(json_string_value(v), json_string_length(v), out) == TAEL_STATUS_OK;
}

static json_t *u64_json(uint64_t v) {
    char buf[24];
    snprintf(buf, sizeof buf, "%" PRIu64, v);
    return json_string(buf);
}

/* The result of a call that failed: its status name. The last error must name it too. */
static json_t *error_json(TaelStatus status) {
    if (!last_error_is(status)) return fault("an error without a matching last-error message");
    return json_pack("{s:s}", "error", tael_status_name(status));
}

/* The result of a call that succeeded (OK or a verdict); the last error must be cleared. */
static json_t *success(json_t *result) {
    size_t n = 0;
    last_error(&n);
    if (n != 0) {
        json_decref(result);
        return fault("a success left a last-error message");
    }
    return result;
}

/* A verdict as the corpus writes it, from the typed check's status and struct. */
static json_t *verdict_json(TaelStatus status, const TaelVerdict *v) {
    if (!tael_status_is_verdict(status)) return error_json(status);
    if (status != v->code) return fault("the status differs from the verdict's code");
    int accepted = status == TAEL_STATUS_CURRENT || status == TAEL_STATUS_ADVANCED;
    if (v->accepted != accepted) return fault("accepted disagrees with the code");
    if ((status != TAEL_STATUS_ADVANCED && v->from != 0) ||
        (status != TAEL_STATUS_TOO_FAR_AHEAD && v->cap != 0) ||
        (status != TAEL_STATUS_CONFLICT && status != TAEL_STATUS_CLOSED && v->holder[0] != '\0'))
        return fault("a field that does not belong to the verdict is set");
    json_t *o = json_pack("{s:s, s:b, s:o, s:o}", "code", tael_status_name(status), "accepted",
                          v->accepted, "epoch", u64_json(v->epoch), "highest", u64_json(v->highest));
    if (status == TAEL_STATUS_ADVANCED) json_object_set_new(o, "from", u64_json(v->from));
    if (status == TAEL_STATUS_TOO_FAR_AHEAD) json_object_set_new(o, "cap", u64_json(v->cap));
    if (status == TAEL_STATUS_CONFLICT || status == TAEL_STATUS_CLOSED)
        json_object_set_new(o, "holder", json_string(v->holder));
    return success(o);
}

/* `{key: *value}` on OK, the error otherwise. (A pointer, so the value is read after the call
 * that writes it: the order arguments are evaluated in is unspecified.) */
static json_t *u64_result(TaelStatus status, const char *key, const uint64_t *value) {
    if (status != TAEL_STATUS_OK) return error_json(status);
    return success(json_pack("{s:o}", key, u64_json(*value)));
}

static json_t *bool_result(TaelStatus status, const char *key, const bool *value) {
    if (status != TAEL_STATUS_OK) return error_json(status);
    return success(json_pack("{s:b}", key, *value));
}

static json_t *ok_result(TaelStatus status) {
    if (status != TAEL_STATUS_OK) return error_json(status);
    return success(json_pack("{s:b}", "ok", 1));
}

/* Parse JSON the library wrote; NULL if it is not JSON. */
static json_t *parse(const char *text) {
    json_error_t e;
    return json_loads(text, JSON_ALLOW_NUL, &e);
}

/* The text of `view`/`view_text` (or `policy`/`policy_text`, default "{}"), malloc'd. */
static char *document(const json_t *step, const char *object_key, const char *text_key,
                      const char *fallback) {
    const json_t *object = json_object_get(step, object_key);
    const json_t *text = json_object_get(step, text_key);
    if (object != NULL && text == NULL) return json_dumps(object, JSON_COMPACT | JSON_ENCODE_ANY);
    if (object == NULL && json_is_string(text)) {
        /* A text with U+0000 inside cannot be a NUL-terminated C string. */
        if (strlen(json_string_value(text)) != json_string_length(text)) return NULL;
        return strdup(json_string_value(text));
    }
    if (object == NULL && text == NULL && fallback != NULL) return strdup(fallback);
    return NULL;
}

static json_t *step_elect(const json_t *step) {
    const json_t *ids = json_object_get(step, "ids");
    size_t n = json_array_size(ids);
    Text *texts = calloc(n + 1, sizeof *texts);
    const char **ptrs = calloc(n + 1, sizeof *ptrs);
    size_t *lens = calloc(n + 1, sizeof *lens);
    json_t *result = NULL;
    int nul_inside = 0;
    if (texts == NULL || ptrs == NULL || lens == NULL) {
        result = fault("out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        if (!text_of(json_array_get(ids, i), &texts[i])) {
            result = fault("C cannot express an id of this case");
            goto done;
        }
        ptrs[i] = texts[i].bytes;
        lens[i] = texts[i].len;
        nul_inside |= has_nul(&texts[i]);
    }
    /* An empty list goes in as (NULL, 0). */
    const char *const *ids_arg = n > 0 ? ptrs : NULL;
    const size_t *lens_arg = n > 0 ? lens : NULL;
    size_t index_c = SIZE_MAX, index_n = SIZE_MAX;
    TaelStatus with_nul = TAEL_STATUS_OK;
    if (!nul_inside) {
        /* Ids without NUL bytes inside are the same in both forms, so both must agree. */
        with_nul = tael_elect_leader(ids_arg, n, &index_c);
    }
    TaelStatus status = tael_elect_leader_n(ids_arg, lens_arg, n, &index_n);
    if (!nul_inside && (with_nul != status || index_c != index_n)) {
        result = fault("tael_elect_leader and tael_elect_leader_n disagree");
    } else if (status == TAEL_STATUS_OK) {
        if (index_n >= n) {
            result = fault("index out of range");
        } else {
            result = success(json_pack("{s:o, s:I}", "leader",
                                       json_stringn(texts[index_n].bytes, texts[index_n].len),
                                       "index", (json_int_t)index_n));
        }
    } else if (status == TAEL_STATUS_NO_LEADER) {
        /* C reports an empty list as NO_LEADER; the corpus writes it as no leader. */
        result = last_error_is(status) ? json_pack("{s:n, s:n}", "leader", "index")
                                       : fault("NO_LEADER without a last error");
    } else {
        result = error_json(status);
    }
done:
    for (size_t i = 0; texts != NULL && i < n; i++) free(texts[i].bytes);
    free(texts);
    free((void *)ptrs);
    free(lens);
    return result;
}

/* A text answer in both forms the C API gives it: into a caller's buffer after a size query,
 * and in a string the library allocates. */
typedef TaelStatus (*BufferForm)(const void *subject, const void *input, char *buf, size_t cap,
                                 size_t *out_len);
typedef TaelStatus (*AllocForm)(const void *subject, const void *input, char **out_json);

/* Both forms must agree (and a failed _alloc call must leave *out_json NULL); the answer is
 * parsed and put under `key`. */
static json_t *text_answer(BufferForm buffer, AllocForm alloc, const void *subject,
                           const void *input, const char *key) {
    static char not_set[] = "not set";
    char *owned = not_set;
    char *buf = NULL;
    json_t *result = NULL;
    TaelStatus owned_status = alloc(subject, input, &owned);
    size_t need = SIZE_MAX;
    TaelStatus status = buffer(subject, input, NULL, 0, &need);
    if (owned_status != TAEL_STATUS_OK) {
        if (owned != NULL) {
            owned = owned == not_set ? NULL : owned;
            result = fault("a failed _alloc call left *out_json set");
        } else if (status != owned_status) {
            result = fault("the buffer and _alloc forms fail differently");
        } else {
            result = error_json(status);
        }
        goto done;
    }
    if (status != TAEL_STATUS_BUFFER_TOO_SMALL || need != strlen(owned) ||
        !last_error_is(TAEL_STATUS_BUFFER_TOO_SMALL)) {
        result = fault("the size query does not report the answer's length");
        goto done;
    }
    buf = malloc(need + 1);
    size_t len = SIZE_MAX;
    if (buf == NULL) {
        result = fault("out of memory");
        goto done;
    }
    status = buffer(subject, input, buf, need + 1, &len);
    if (status != TAEL_STATUS_OK) {
        result = error_json(status);
    } else if (len != need || strlen(buf) != len || strcmp(buf, owned) != 0) {
        result = fault("the buffer and _alloc forms disagree");
    } else {
        json_t *parsed = parse(buf);
        result = parsed ? success(json_pack("{s:o}", key, parsed)) : fault("the answer is not JSON");
    }
done:
    free(buf);
    tael_string_free(owned);
    return result;
}

/* The C API's text answers in the shape text_answer calls. */
static TaelStatus snapshot_buffer(const void *r, const void *in, char *b, size_t c, size_t *n) {
    (void)in;
    return tael_registry_snapshot(r, b, c, n);
}
static TaelStatus snapshot_alloc(const void *r, const void *in, char **out) {
    (void)in;
    return tael_registry_snapshot_alloc(r, out);
}
static TaelStatus decide_buffer(const void *view, const void *policy, char *b, size_t c,
                                size_t *n) {
    return tael_elect_leaders(view, policy, b, c, n);
}
static TaelStatus decide_alloc(const void *view, const void *policy, char **out) {
    return tael_elect_leaders_alloc(view, policy, out);
}
static TaelStatus normalize_buffer(const void *view, const void *in, char *b, size_t c,
                                   size_t *n) {
    (void)in;
    return tael_normalize_view(view, b, c, n);
}
static TaelStatus normalize_alloc(const void *view, const void *in, char **out) {
    (void)in;
    return tael_normalize_view_alloc(view, out);
}

static json_t *snapshot_json(const TaelRegistry *registry) {
    return text_answer(snapshot_buffer, snapshot_alloc, registry, NULL, "snapshot");
}

static json_t *step_decide(const json_t *step) {
    char *view = document(step, "view", "view_text", NULL);
    char *policy = document(step, "policy", "policy_text", "{}");
    json_t *result = view != NULL && policy != NULL
                         ? text_answer(decide_buffer, decide_alloc, view, policy, "decisions")
                         : fault("a decide step needs one view and at most one policy");
    free(view);
    free(policy);
    return result;
}

static json_t *step_normalize_view(const json_t *step) {
    char *view = document(step, "view", "view_text", NULL);
    json_t *result = view != NULL ? text_answer(normalize_buffer, normalize_alloc, view, NULL, "view")
                                  : fault("a normalize_view step needs a view");
    free(view);
    return result;
}

/* A jump cap as the corpus writes it: (pointers, so they are read after the call that writes
 * them; the order arguments are evaluated in is unspecified). */
static json_t *cap_json(TaelStatus status, const bool *has_cap, const uint64_t *cap) {
    if (status != TAEL_STATUS_OK) return NULL;
    return *has_cap ? u64_json(*cap) : json_null();
}

static TaelStatus history_json_buffer(const void *h, const void *in, char *b, size_t c, size_t *n) {
    (void)in;
    return tael_epoch_history_to_json(h, b, c, n);
}
static TaelStatus history_json_alloc(const void *h, const void *in, char **out) {
    (void)in;
    return tael_epoch_history_to_json_alloc(h, out);
}

/* A history's state as the corpus writes it (its JSON form), read entry by entry through
 * tael_epoch_history_len and _entry; its JSON form (both text forms) and its latest epoch must
 * agree with the entries. */
static json_t *history_state(const TaelEpochHistory *h) {
    size_t len = SIZE_MAX;
    uint64_t latest = 0;
    TaelEpochEntryCopy e;
    if (tael_epoch_history_len(h, &len) != TAEL_STATUS_OK) return fault("len failed");
    json_t *entries = json_array();
    for (size_t i = 0; i < len; i++) {
        memset(&e, 0xA5, sizeof e);
        if (tael_epoch_history_entry(h, i, &e) != TAEL_STATUS_OK ||
            (!e.has_holder && e.holder[0] != '\0') || memchr(e.holder, '\0', sizeof e.holder) == NULL) {
            json_decref(entries);
            return fault("an entry cannot be read");
        }
        json_t *o = json_pack("{s:o, s:o}", "epoch", u64_json(e.epoch), "start_offset",
                              u64_json(e.start_offset));
        if (e.has_holder) json_object_set_new(o, "holder", json_string(e.holder));
        json_array_append_new(entries, o);
        latest = e.epoch;
    }
    json_t *state = json_pack("{s:o}", "entries", entries);
    /* Past the end: a typed refusal that writes nothing. */
    memset(&e, 0xA5, sizeof e);
    TaelStatus past = tael_epoch_history_entry(h, len, &e);
    TaelEpochEntryCopy untouched;
    memset(&untouched, 0xA5, sizeof untouched);
    if (past != TAEL_STATUS_INVALID_ARGUMENT || !last_error_is(past) ||
        memcmp(&e, &untouched, sizeof e) != 0) {
        json_decref(state);
        return fault("an index past the end is not INVALID_ARGUMENT, or wrote the entry");
    }
    uint64_t epoch = 0x5EA5u;
    TaelStatus st = tael_epoch_history_latest_epoch(h, &epoch);
    if (len > 0 ? st != TAEL_STATUS_OK || epoch != latest
                : st != TAEL_STATUS_UNDEFINED_EPOCH || epoch != 0x5EA5u || !last_error_is(st)) {
        json_decref(state);
        return fault("the latest epoch disagrees with the entries");
    }
    json_t *text = text_answer(history_json_buffer, history_json_alloc, h, NULL, "history");
    if (!json_equal(json_object_get(text, "history"), state)) {
        json_decref(state);
        state = fault("the JSON form disagrees with the entries");
    }
    json_decref(text);
    return state;
}

/* The case's gates, registry and history as the corpus writes their state, read through the C
 * API; an empty object when the case has none yet. */
static json_t *state_json(const State *s) {
    json_t *out = json_object();
    bool has_cap = false, zero = false, closed = false;
    uint64_t highest = 0, cap = 0;
    if (s->gate != NULL) {
        TaelStatus a = tael_fencer_highest(s->gate, &highest);
        TaelStatus b = tael_fencer_refuses_epoch_zero(s->gate, &zero);
        json_t *jump = cap_json(tael_fencer_jump_cap(s->gate, &has_cap, &cap), &has_cap, &cap);
        json_object_set_new(out, "gate",
                            a == TAEL_STATUS_OK && b == TAEL_STATUS_OK && jump != NULL
                                ? json_pack("{s:o, s:o, s:b}", "highest", u64_json(highest),
                                            "jump_cap", jump, "refuses_zero", zero)
                                : fault("the gate's state cannot be read"));
    }
    if (s->holder != NULL) {
        TaelHolderState st;
        TaelStatus a = tael_holder_fencer_state(s->holder, &st);
        TaelStatus b = tael_holder_fencer_refuses_epoch_zero(s->holder, &zero);
        TaelStatus c = tael_holder_fencer_closed(s->holder, &closed);
        json_t *jump = cap_json(tael_holder_fencer_jump_cap(s->holder, &has_cap, &cap), &has_cap, &cap);
        json_object_set_new(
            out, "holder_gate",
            a == TAEL_STATUS_OK && b == TAEL_STATUS_OK && c == TAEL_STATUS_OK && jump != NULL
                ? json_pack("{s:o, s:o, s:b, s:o, s:b}", "highest", u64_json(st.highest), "holder",
                            st.has_holder ? json_string(st.holder) : json_null(), "closed", closed,
                            "jump_cap", jump, "refuses_zero", zero)
                : fault("the holder gate's state cannot be read"));
    }
    if (s->registry != NULL) {
        json_t *snap = snapshot_json(s->registry);
        json_t *streams = json_object_get(json_object_get(snap, "snapshot"), "streams");
        TaelStatus b = tael_registry_refuses_epoch_zero(s->registry, &zero);
        json_t *jump =
            cap_json(tael_registry_jump_cap(s->registry, &has_cap, &cap), &has_cap, &cap);
        json_object_set_new(out, "registry",
                            streams != NULL && b == TAEL_STATUS_OK && jump != NULL
                                ? json_pack("{s:O, s:o, s:b}", "streams", streams, "jump_cap", jump,
                                            "refuses_zero", zero)
                                : fault("the registry's state cannot be read"));
        json_decref(snap);
    }
    if (s->history != NULL) json_object_set_new(out, "history", history_state(s->history));
    return out;
}

static json_t *step_next_epoch(const json_t *step) {
    char *view = document(step, "view", "view_text", NULL);
    Text group;
    json_t *result;
    if (view == NULL) return fault("a next_epoch step needs a view");
    if (!text_of(json_object_get(step, "group"), &group)) {
        free(view);
        return fault("C cannot express the group of this case");
    }
    uint64_t epoch = 0;
    result = u64_result(tael_next_epoch(view, group.bytes, group.len, &epoch), "epoch", &epoch);
    free(view);
    free(group.bytes);
    return result;
}

/* A step's entries ([[epoch, start] or [epoch, start, holder]]) as C passes them, the holders'
 * bytes malloc'd alongside. */
typedef struct {
    TaelEpochEntry *entries;
    Text *holders;
    size_t len;
} Entries;

static void entries_free(Entries *e) {
    for (size_t i = 0; e->holders != NULL && i < e->len; i++) free(e->holders[i].bytes);
    free(e->entries);
    free(e->holders);
    e->entries = NULL;
    e->holders = NULL;
}

/* 0 when the list is malformed or C cannot express a holder. */
static int entries_of(const json_t *list, Entries *out) {
    out->len = json_array_size(list);
    out->entries = calloc(out->len + 1, sizeof *out->entries);
    out->holders = calloc(out->len + 1, sizeof *out->holders);
    if (!json_is_array(list) || out->entries == NULL || out->holders == NULL) return 0;
    for (size_t i = 0; i < out->len; i++) {
        const json_t *e = json_array_get(list, i);
        const json_t *epoch = json_array_get(e, 0), *start = json_array_get(e, 1);
        TaelEpochEntry *entry = &out->entries[i];
        if (!json_is_string(epoch) || !json_is_string(start) || json_array_size(e) > 3 ||
            tael_u64_parse(json_string_value(epoch), json_string_length(epoch), &entry->epoch) !=
                TAEL_STATUS_OK ||
            tael_u64_parse(json_string_value(start), json_string_length(start),
                           &entry->start_offset) != TAEL_STATUS_OK)
            return 0;
        if (json_array_size(e) == 3) {
            if (!text_of(json_array_get(e, 2), &out->holders[i])) return 0;
            entry->holder = out->holders[i].bytes;
            entry->holder_len = out->holders[i].len;
        }
    }
    return 1;
}

/* A history of a step's entries under `key`: OK with *out set, or the failing status (and
 * *out NULL: a handle is written only on success). */
static TaelStatus history_from(const json_t *step, const char *key, TaelEpochHistory **out) {
    Entries e = {NULL, NULL, 0};
    TaelStatus status = TAEL_STATUS_INTERNAL;
    *out = NULL;
    if (entries_of(json_object_get(step, key), &e))
        status = tael_epoch_history_new(e.len > 0 ? e.entries : NULL, e.len, out);
    entries_free(&e);
    if (status != TAEL_STATUS_OK && *out != NULL) {
        tael_epoch_history_free(*out);
        *out = NULL;
        return TAEL_STATUS_INTERNAL;
    }
    return status;
}

/* `history`: replaces the case's history only when the new one is made. */
static json_t *step_history(State *s, const json_t *step) {
    const json_t *json = json_object_get(step, "json");
    TaelEpochHistory *made = NULL;
    TaelStatus status;
    if (json != NULL && json_object_get(step, "entries") != NULL)
        return fault("a history step has entries or json, not both");
    if (json != NULL) {
        /* A text with U+0000 inside cannot be a NUL-terminated C string. */
        if (!json_is_string(json) || strlen(json_string_value(json)) != json_string_length(json))
            return fault("C cannot express this history text");
        status = tael_epoch_history_from_json(json_string_value(json), &made);
        if (status != TAEL_STATUS_OK && made != NULL) return fault("a handle written on failure");
    } else if (json_object_get(step, "entries") == NULL) {
        status = tael_epoch_history_new(NULL, 0, &made);
    } else {
        status = history_from(step, "entries", &made);
    }
    if (status != TAEL_STATUS_OK) return error_json(status);
    if (tael_last_error_message(NULL, 0) != 0) {
        tael_epoch_history_free(made);
        return fault("a success left a last-error message");
    }
    if (s->kind == KIND_FILE) {
        /* A fresh file's history, built by assigning each entry (which appends it). */
        TaelEpochHistory *kept = NULL;
        char path[300];
        size_t len = 0, n = 0;
        new_file(s, path, sizeof path, &len);
        int same = tael_epoch_history_open(path, len, true, &kept) == TAEL_STATUS_OK &&
                   tael_epoch_history_len(made, &n) == TAEL_STATUS_OK;
        for (size_t i = 0; same && i < n; i++) {
            TaelEpochEntryCopy e;
            bool changed = false;
            same = tael_epoch_history_entry(made, i, &e) == TAEL_STATUS_OK &&
                   tael_epoch_history_assign(kept, e.epoch, e.start_offset,
                                             e.has_holder ? e.holder : NULL,
                                             e.has_holder ? strlen(e.holder) : 0,
                                             &changed) == TAEL_STATUS_OK &&
                   changed;
        }
        char *a = NULL, *b = NULL;
        same = same && tael_epoch_history_to_json_alloc(made, &a) == TAEL_STATUS_OK &&
               tael_epoch_history_to_json_alloc(kept, &b) == TAEL_STATUS_OK && strcmp(a, b) == 0;
        tael_string_free(a);
        tael_string_free(b);
        tael_epoch_history_free(made);
        made = kept;
        if (!same) {
            tael_epoch_history_free(made);
            return fault("the history kept in a file is not the one made in memory");
        }
    }
    tael_epoch_history_free(s->history);
    s->history = made;
    return NULL;
}

static json_t *step_end_offset_for(const State *s, uint64_t epoch, uint64_t log_end) {
    uint64_t e = 0x5EA5u, end = 0x5EA5u;
    TaelStatus status = tael_epoch_history_end_offset_for(s->history, epoch, log_end, &e, &end);
    if (status == TAEL_STATUS_UNDEFINED_EPOCH) {
        /* C's "no answer": an error status, with nothing written. */
        if (e != 0x5EA5u || end != 0x5EA5u) return fault("UNDEFINED_EPOCH wrote an answer");
        return last_error_is(status) ? json_pack("{s:n, s:n}", "epoch", "end_offset")
                                     : fault("UNDEFINED_EPOCH without a last error");
    }
    if (status != TAEL_STATUS_OK) return error_json(status);
    return success(json_pack("{s:o, s:o}", "epoch", u64_json(e), "end_offset", u64_json(end)));
}

static json_t *step_latest_epoch(const State *s) {
    uint64_t e = 0x5EA5u;
    TaelStatus status = tael_epoch_history_latest_epoch(s->history, &e);
    if (status == TAEL_STATUS_UNDEFINED_EPOCH) {
        if (e != 0x5EA5u) return fault("UNDEFINED_EPOCH wrote an epoch");
        return last_error_is(status) ? json_pack("{s:n}", "epoch")
                                     : fault("UNDEFINED_EPOCH without a last error");
    }
    return u64_result(status, "epoch", &e);
}

static json_t *step_divergence_point(const json_t *step) {
    uint64_t leader_end = 0, follower_end = 0, point = 0, swapped = 1;
    TaelEpochHistory *leader = NULL, *follower = NULL;
    json_t *result;
    if (!u64_field(step, "leader_log_end", 0, &leader_end) ||
        !u64_field(step, "follower_log_end", 0, &follower_end))
        return fault("a log end that is not a canonical decimal string");
    TaelStatus status = history_from(step, "leader", &leader);
    if (status == TAEL_STATUS_OK) status = history_from(step, "follower", &follower);
    if (status == TAEL_STATUS_OK) {
        status = tael_divergence_point(leader, leader_end, follower, follower_end, &point);
        /* Symmetric: the same answer (or the same refusal) with the logs swapped. */
        TaelStatus other =
            tael_divergence_point(follower, follower_end, leader, leader_end, &swapped);
        if (other != status || (status == TAEL_STATUS_OK && swapped != point)) {
            tael_epoch_history_free(leader);
            tael_epoch_history_free(follower);
            return fault("the divergence point is not symmetric");
        }
    }
    result = u64_result(status, "offset", &point);
    tael_epoch_history_free(leader);
    tael_epoch_history_free(follower);
    return result;
}

static json_t *step_follower_step(const json_t *step) {
    uint64_t end = 0, answer_epoch = 0, answer_end = 0;
    const json_t *answer = json_object_get(step, "answer");
    TaelEpochHistory *follower = NULL;
    TaelTruncation t;
    memset(&t, 0xA5, sizeof t);
    if (!u64_field(step, "follower_log_end", 0, &end)) return fault("a bad follower_log_end");
    int has_answer = !json_is_null(answer);
    if (has_answer) {
        const json_t *e = json_array_get(answer, 0), *n = json_array_get(answer, 1);
        if (json_array_size(answer) != 2 || !json_is_string(e) || !json_is_string(n) ||
            tael_u64_parse(json_string_value(e), json_string_length(e), &answer_epoch) !=
                TAEL_STATUS_OK ||
            tael_u64_parse(json_string_value(n), json_string_length(n), &answer_end) !=
                TAEL_STATUS_OK)
            return fault("an answer is null or [epoch, end]");
    }
    TaelStatus status = history_from(step, "follower", &follower);
    if (status == TAEL_STATUS_OK)
        status = tael_follower_step(follower, end, has_answer, answer_epoch, answer_end, &t);
    tael_epoch_history_free(follower);
    if (status != TAEL_STATUS_OK) return error_json(status);
    return success(json_pack("{s:o, s:b}", "offset", u64_json(t.offset), "done", t.done));
}

/* One claimant's token in a `votes` step: its epoch and holder, and the latest verdict each gate
 * gave it (`answered[g]` says whether gate g did). */
typedef struct {
    uint64_t epoch;
    Text holder;
    TaelVerdict *latest;
    bool *answered;
} Claim;

/* `votes`: the tokens over fresh holder gates (tael_holder_fencer_check), in order; then, per
 * distinct token in order of first appearance, tael_established over the latest verdict each
 * gate gave it. */
static json_t *step_votes(const json_t *step) {
    const json_t *count = json_object_get(step, "gates"), *tokens = json_object_get(step, "tokens");
    uint64_t configured = 0;
    if (!json_is_integer(count) || json_integer_value(count) < 1 ||
        json_integer_value(count) > 64 || !json_is_array(tokens) ||
        json_object_get(step, "configured") == NULL || !u64_field(step, "configured", 0, &configured))
        return fault("a votes step needs gates (1 to 64), configured and tokens");
    size_t ngates = (size_t)json_integer_value(count), ntokens = json_array_size(tokens);
    size_t nclaims = 0;
    TaelHolderFencer **gates = calloc(ngates, sizeof *gates);
    Claim *claims = calloc(ntokens + 1, sizeof *claims);
    TaelVerdict *given = calloc(ngates, sizeof *given);
    json_t *codes = json_array(), *established = json_array(), *result = NULL;
    if (gates == NULL || claims == NULL || given == NULL) {
        result = fault("out of memory");
        goto done;
    }
    for (size_t g = 0; g < ngates; g++) {
        gates[g] = tael_holder_fencer_new(0);
        if (gates[g] == NULL) {
            result = fault("tael_holder_fencer_new failed");
            goto done;
        }
    }
    const json_t *token;
    size_t i;
    json_array_foreach(tokens, i, token) {
        const json_t *g = json_array_get(token, 0), *e = json_array_get(token, 1);
        uint64_t epoch = 0;
        Text holder = {NULL, 0};
        if (json_array_size(token) != 3 || !json_is_integer(g) || json_integer_value(g) < 0 ||
            (size_t)json_integer_value(g) >= ngates || !json_is_string(e) ||
            tael_u64_parse(json_string_value(e), json_string_length(e), &epoch) != TAEL_STATUS_OK ||
            !text_of(json_array_get(token, 2), &holder)) {
            free(holder.bytes);
            result = fault("a token is [gate index, epoch, holder]");
            goto done;
        }
        size_t gate = (size_t)json_integer_value(g);
        TaelVerdict v;
        memset(&v, 0xA5, sizeof v);
        TaelStatus status = tael_holder_fencer_check(gates[gate], epoch, holder.bytes, holder.len, &v);
        json_t *verdict = verdict_json(status, &v);
        const json_t *code = json_object_get(verdict, "code");
        if (!json_is_string(code)) {
            free(holder.bytes);
            result = verdict; /* an error or a fault: never a corpus answer */
            goto done;
        }
        json_array_append_new(codes, json_string(json_string_value(code)));
        json_decref(verdict);
        Claim *c = claims;
        while (c < claims + nclaims && !(c->epoch == epoch && c->holder.len == holder.len &&
                                         memcmp(c->holder.bytes, holder.bytes, holder.len) == 0))
            c++;
        if (c == claims + nclaims) {
            c->epoch = epoch;
            c->holder = holder;
            c->latest = calloc(ngates, sizeof *c->latest);
            c->answered = calloc(ngates, sizeof *c->answered);
            nclaims++;
            if (c->latest == NULL || c->answered == NULL) {
                result = fault("out of memory");
                goto done;
            }
        } else {
            free(holder.bytes);
        }
        c->latest[gate] = v;
        c->answered[gate] = true;
    }
    for (Claim *c = claims; c < claims + nclaims; c++) {
        size_t n = 0;
        for (size_t g = 0; g < ngates; g++) {
            if (c->answered[g]) given[n++] = c->latest[g];
        }
        bool flag = false;
        /* No verdict goes in as (NULL, 0). */
        TaelStatus status = tael_established(c->epoch, n > 0 ? given : NULL, n, configured, &flag);
        if (status != TAEL_STATUS_OK) {
            result = error_json(status);
            goto done;
        }
        json_array_append_new(established,
                              json_pack("[o, s#, b]", u64_json(c->epoch), c->holder.bytes,
                                        c->holder.len, flag));
    }
    result = success(json_pack("{s:O, s:O}", "verdicts", codes, "established", established));
done:
    for (size_t g = 0; gates != NULL && g < ngates; g++) tael_holder_fencer_free(gates[g]);
    for (size_t k = 0; claims != NULL && k < nclaims; k++) {
        free(claims[k].holder.bytes);
        free(claims[k].latest);
        free(claims[k].answered);
    }
    free(gates);
    free(claims);
    free(given);
    json_decref(codes);
    json_decref(established);
    return result;
}

/* A creating step's options: its cap and its `refuse_zero`; 0 when `refuse_zero` is not a
 * bool. */
static int options_of(const json_t *step, int has_cap, uint64_t cap, TaelGateOptions *o) {
    const json_t *zero = json_object_get(step, "refuse_zero");
    memset(o, 0, sizeof *o);
    o->has_jump_cap = has_cap;
    o->jump_cap = cap;
    o->refuse_zero = json_is_true(zero);
    return zero == NULL || json_is_boolean(zero);
}

/* `gate`: in memory (the older constructors for a step without `refuse_zero`, the options form
 * otherwise), or a fresh file promoted to `highest` (the cap and `refuse_zero` are the
 * handle's, not the file's). */
static json_t *step_gate(State *s, const json_t *step, uint64_t highest, int has_cap,
                         uint64_t cap) {
    TaelGateOptions o;
    TaelFencer *made = NULL;
    if (!options_of(step, has_cap, cap, &o)) return fault("refuse_zero is not a bool");
    if (s->kind == KIND_MEMORY) {
        if (json_object_get(step, "refuse_zero") == NULL)
            made = has_cap ? tael_fencer_new_with_jump_cap(highest, cap) : tael_fencer_new(highest);
        else
            made = tael_fencer_new_with_options(highest, &o);
        if (made == NULL) return fault("tael_fencer_new failed");
    } else {
        char path[300];
        size_t len = 0;
        uint64_t e = 0;
        new_file(s, path, sizeof path, &len);
        if (tael_fencer_open_with_options(path, len, true, &o, &made) != TAEL_STATUS_OK)
            return fault("tael_fencer_open_with_options failed");
        if (highest > 0 && (tael_fencer_promote_to_at_least(made, highest, &e) != TAEL_STATUS_OK ||
                            e != highest)) {
            tael_fencer_free(made);
            return fault("a fresh gate file cannot be promoted to its highest");
        }
    }
    tael_fencer_free(s->gate);
    s->gate = made;
    return NULL;
}

/* Whether two holder gates' states are the same. */
static int same_state(const TaelHolderState *a, const TaelHolderState *b) {
    return a->highest == b->highest && a->has_holder == b->has_holder &&
           strcmp(a->holder, b->holder) == 0;
}

/* A holder gate kept in a file with the state of `made` (which it frees): a plain gate's file
 * at `highest` (version 1), taken over by a holder gate that adopts `holder`'s reign, then
 * reopened with the options (after the adoption, which a gate refusing epoch 0 would refuse
 * at 0). NULL when it cannot be made so. */
static TaelHolderFencer *holder_gate_file(State *s, TaelHolderFencer *made, uint64_t highest,
                                          const Text *holder, const TaelGateOptions *o) {
    TaelHolderState want, got;
    TaelFencer *plain = NULL;
    TaelHolderFencer *kept = NULL;
    TaelVerdict v;
    bool closed = true;
    uint64_t e = 0;
    char path[300];
    size_t len = 0;
    int ok = tael_holder_fencer_state(made, &want) == TAEL_STATUS_OK;
    tael_holder_fencer_free(made);
    new_file(s, path, sizeof path, &len);
    ok = ok && tael_fencer_open(path, len, true, &plain) == TAEL_STATUS_OK &&
         (highest == 0 || (tael_fencer_promote_to_at_least(plain, highest, &e) == TAEL_STATUS_OK &&
                           e == highest));
    tael_fencer_free(plain);
    if (ok && holder != NULL) {
        ok = tael_holder_fencer_open(path, len, false, &kept) == TAEL_STATUS_OK &&
             tael_holder_fencer_adopt(kept, highest, holder->bytes, holder->len, &v) ==
                 TAEL_STATUS_CURRENT;
        tael_holder_fencer_free(kept);
        kept = NULL;
    }
    ok = ok && tael_holder_fencer_open_with_options(path, len, false, o, &kept) == TAEL_STATUS_OK &&
         tael_holder_fencer_state(kept, &got) == TAEL_STATUS_OK &&
         tael_holder_fencer_closed(kept, &closed) == TAEL_STATUS_OK && !closed &&
         same_state(&got, &want);
    if (!ok) {
        tael_holder_fencer_free(kept);
        return NULL;
    }
    return kept;
}

/* `holder_gate`: made in memory first (which refuses a bad holder: a creation that fails
 * creates nothing and keeps the case's gate), with the older constructors for a step without
 * `refuse_zero` and the options form otherwise; with files, then kept in a file. */
static json_t *step_holder_gate(State *s, const json_t *step, uint64_t highest, int has_cap,
                                uint64_t cap, const Text *holder) {
    TaelGateOptions o;
    TaelHolderFencer *made = NULL;
    TaelStatus status;
    if (!options_of(step, has_cap, cap, &o)) return fault("refuse_zero is not a bool");
    if (json_object_get(step, "refuse_zero") != NULL || s->kind == KIND_FILE) {
        status = tael_holder_fencer_new_with_options(highest, holder ? holder->bytes : NULL,
                                                     holder ? holder->len : 0, &o, &made);
    } else if (holder != NULL) {
        status = tael_holder_fencer_new_with_holder(highest, holder->bytes, holder->len,
                                                    has_cap ? &cap : NULL, &made);
    } else {
        made = has_cap ? tael_holder_fencer_new_with_jump_cap(highest, cap)
                       : tael_holder_fencer_new(highest);
        status = made != NULL ? TAEL_STATUS_OK : TAEL_STATUS_INTERNAL;
    }
    if (status != TAEL_STATUS_OK) {
        if (made != NULL) return fault("a handle written on failure");
        return error_json(status);
    }
    if (s->kind == KIND_FILE) {
        made = holder_gate_file(s, made, highest, holder, &o);
        if (made == NULL) return fault("the holder gate kept in a file is not the one made in memory");
    }
    tael_holder_fencer_free(s->holder);
    s->holder = made;
    return NULL;
}

/* `registry`: in memory (as `gate`) or in a fresh file. */
static json_t *step_registry(State *s, const json_t *step, int has_cap, uint64_t cap) {
    TaelGateOptions o;
    TaelRegistry *made = NULL;
    if (!options_of(step, has_cap, cap, &o)) return fault("refuse_zero is not a bool");
    if (s->kind == KIND_MEMORY) {
        if (json_object_get(step, "refuse_zero") == NULL)
            made = has_cap ? tael_registry_new_with_jump_cap(cap) : tael_registry_new();
        else
            made = tael_registry_new_with_options(&o);
        if (made == NULL) return fault("tael_registry_new failed");
    } else {
        char path[300];
        size_t len = 0;
        new_file(s, path, sizeof path, &len);
        if (tael_registry_open_with_options(path, len, true, &o, &made) != TAEL_STATUS_OK)
            return fault("tael_registry_open_with_options failed");
    }
    tael_registry_free(s->registry);
    s->registry = made;
    return NULL;
}

static TaelStatus transitions_buffer(const void *previous, const void *next, char *b, size_t c,
                                     size_t *n) {
    return tael_transitions_json(previous, next, b, c, n);
}
static TaelStatus transitions_alloc(const void *previous, const void *next, char **out) {
    return tael_transitions_json_alloc(previous, next, out);
}

/* An event's text field: its NUL-terminated bytes, or null for (NULL, 0); NULL when the
 * pointer and the length disagree. */
static json_t *event_text(const char *p, size_t len) {
    if (p == NULL) return len == 0 ? json_null() : NULL;
    return strlen(p) == len ? json_stringn(p, len) : NULL;
}

/* An event's u64 field, or null; NULL when a value is set without its flag. */
static json_t *event_u64(bool has, uint64_t value) {
    if (!has) return value == 0 ? json_null() : NULL;
    return u64_json(value);
}

/* The event JSON of SEMANTICS.md §16 for one TaelEvent; NULL when a field is inconsistent. */
static json_t *event_json(const TaelEvent *e) {
    static const char *const names[] = {"elected", "lost", "changed"};
    json_t *fields[] = {
        e->group != NULL ? event_text(e->group, e->group_len) : NULL,
        event_text(e->leader, e->leader_len),
        event_u64(e->has_generation, e->generation),
        event_u64(e->has_epoch, e->epoch),
        event_text(e->previous, e->previous_len),
        event_u64(e->has_previous_generation, e->previous_generation),
        event_u64(e->has_previous_epoch, e->previous_epoch),
    };
    const size_t n = sizeof fields / sizeof fields[0];
    int ok = e->kind <= TAEL_EVENT_CHANGED;
    for (size_t i = 0; i < n; i++) ok = ok && fields[i] != NULL;
    if (!ok) {
        for (size_t i = 0; i < n; i++) json_decref(fields[i]);
        return NULL;
    }
    return json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "event", names[e->kind], "group",
                     fields[0], "leader", fields[1], "generation", fields[2], "epoch", fields[3],
                     "previous", fields[4], "previous_generation", fields[5], "previous_epoch",
                     fields[6]);
}

/* `transitions`: both views decided under the policy (tael_elect_leaders_alloc), then the
 * events JSON in both text forms, and the typed events (tael_transitions), which must be the
 * same events in the same order. */
static json_t *step_transitions(const json_t *step) {
    char *policy = document(step, "policy", "policy_text", "{}");
    char *views[2] = {document(step, "previous", "previous_text", NULL),
                      document(step, "next", "next_text", NULL)};
    char *lists[2] = {NULL, NULL};
    json_t *result = NULL;
    if (policy == NULL || views[0] == NULL || views[1] == NULL)
        result = fault("a transitions step needs two views and at most one policy");
    for (size_t i = 0; result == NULL && i < 2; i++) {
        if (tael_elect_leaders_alloc(views[i], policy, &lists[i]) != TAEL_STATUS_OK)
            result = fault("a view of a transitions step cannot be decided");
    }
    if (result == NULL) {
        result = text_answer(transitions_buffer, transitions_alloc, lists[0], lists[1], "events");
        TaelEvent *events = NULL;
        size_t n = SIZE_MAX;
        TaelStatus status = tael_transitions(lists[0], lists[1], &events, &n);
        json_t *typed = json_array();
        int same = status == TAEL_STATUS_OK && (n == 0) == (events == NULL);
        for (size_t i = 0; same && i < n; i++) {
            json_t *e = event_json(&events[i]);
            same = e != NULL && json_array_append_new(typed, e) == 0;
        }
        same = same && json_equal(json_object_get(result, "events"), typed);
        tael_events_free(events, n);
        json_decref(typed);
        if (!same) {
            json_decref(result);
            result = fault("tael_transitions disagrees with the events JSON");
        }
    }
    free(policy);
    free(views[0]);
    free(views[1]);
    tael_string_free(lists[0]);
    tael_string_free(lists[1]);
    return result;
}

/* One step: its result as JSON (new reference), or NULL for a step that has none. */
static json_t *run_step(State *s, const json_t *step) {
    const char *op = json_string_value(json_object_get(step, "op"));
    uint64_t epoch = 0, highest = 0, cap = 0, floor = 0, value = 0;
    bool flag = false;
    int has_cap = json_object_get(step, "cap") != NULL;
    Text text = {NULL, 0};
    json_t *result = NULL;
    TaelVerdict v;
    memset(&v, 0xA5, sizeof v); /* garbage, so a field the library forgot shows up */

    if (op == NULL) return fault("a step without an op");
    if (!u64_field(step, "epoch", 0, &epoch) || !u64_field(step, "highest", 0, &highest) ||
        !u64_field(step, "cap", 0, &cap) || !u64_field(step, "floor", 0, &floor))
        return fault("a u64 field that is not a canonical decimal string");
    const char *text_key = json_object_get(step, "holder") ? "holder"
                           : json_object_get(step, "stream") ? "stream"
                                                             : NULL;
    if (text_key != NULL && !text_of(json_object_get(step, text_key), &text))
        return fault("C cannot express the text of this case");

    if (strcmp(op, "elect") == 0) {
        result = step_elect(step);
    } else if (strcmp(op, "gate") == 0) {
        result = step_gate(s, step, highest, has_cap, cap);
    } else if (strcmp(op, "check") == 0) {
        result = verdict_json(tael_fencer_check(s->gate, epoch, &v), &v);
    } else if (strcmp(op, "check_and_advance") == 0) {
        result = bool_result(tael_fencer_check_and_advance(s->gate, epoch, &flag), "accepted", &flag);
    } else if (strcmp(op, "promote") == 0) {
        result = u64_result(tael_fencer_promote(s->gate, &value), "epoch", &value);
    } else if (strcmp(op, "promote_to_at_least") == 0) {
        result = u64_result(tael_fencer_promote_to_at_least(s->gate, floor, &value), "epoch", &value);
    } else if (strcmp(op, "highest") == 0) {
        result = u64_result(tael_fencer_highest(s->gate, &value), "highest", &value);
    } else if (strcmp(op, "holder_gate") == 0) {
        result = step_holder_gate(s, step, highest, has_cap, cap, text_key != NULL ? &text : NULL);
    } else if (strcmp(op, "holder_check") == 0) {
        result = verdict_json(tael_holder_fencer_check(s->holder, epoch, text.bytes, text.len, &v), &v);
    } else if (strcmp(op, "holder_check_and_advance") == 0) {
        result = bool_result(
            tael_holder_fencer_check_and_advance(s->holder, epoch, text.bytes, text.len, &flag),
            "accepted", &flag);
    } else if (strcmp(op, "holder_promote") == 0) {
        result = u64_result(tael_holder_fencer_promote(s->holder, text.bytes, text.len, &value),
                            "epoch", &value);
    } else if (strcmp(op, "holder_promote_to_at_least") == 0) {
        result = u64_result(tael_holder_fencer_promote_to_at_least(s->holder, floor, text.bytes,
                                                                   text.len, &value),
                            "epoch", &value);
    } else if (strcmp(op, "holder_close") == 0) {
        result = verdict_json(tael_holder_fencer_close(s->holder, epoch, text.bytes, text.len, &v), &v);
    } else if (strcmp(op, "holder_adopt") == 0) {
        result = verdict_json(tael_holder_fencer_adopt(s->holder, epoch, text.bytes, text.len, &v), &v);
    } else if (strcmp(op, "holder_state") == 0) {
        TaelHolderState st;
        memset(&st, 0xA5, sizeof st);
        TaelStatus status = tael_holder_fencer_state(s->holder, &st);
        TaelStatus closed_status = status == TAEL_STATUS_OK ? tael_holder_fencer_closed(s->holder, &flag)
                                                            : status;
        if (status != TAEL_STATUS_OK || closed_status != TAEL_STATUS_OK) {
            result = error_json(status != TAEL_STATUS_OK ? status : closed_status);
        } else if (!st.has_holder && st.holder[0] != '\0') {
            result = fault("a holder field without a holder");
        } else {
            result = success(json_pack("{s:o, s:o, s:b}", "highest", u64_json(st.highest), "holder",
                                       st.has_holder ? json_string(st.holder) : json_null(),
                                       "closed", flag));
        }
    } else if (strcmp(op, "registry") == 0) {
        result = step_registry(s, step, has_cap, cap);
    } else if (strcmp(op, "registry_add") == 0) {
        result = ok_result(tael_registry_add(s->registry, text.bytes, text.len, highest));
    } else if (strcmp(op, "registry_check") == 0) {
        result = verdict_json(tael_registry_check(s->registry, text.bytes, text.len, epoch, &v), &v);
    } else if (strcmp(op, "registry_check_and_advance") == 0) {
        result = bool_result(
            tael_registry_check_and_advance(s->registry, text.bytes, text.len, epoch, &flag),
            "accepted", &flag);
    } else if (strcmp(op, "registry_promote") == 0) {
        result = u64_result(tael_registry_promote(s->registry, text.bytes, text.len, &value),
                            "epoch", &value);
    } else if (strcmp(op, "registry_promote_to_at_least") == 0) {
        result = u64_result(
            tael_registry_promote_to_at_least(s->registry, text.bytes, text.len, floor, &value),
            "epoch", &value);
    } else if (strcmp(op, "registry_contains") == 0) {
        result = bool_result(tael_registry_contains(s->registry, text.bytes, text.len, &flag),
                             "contains", &flag);
    } else if (strcmp(op, "registry_highest") == 0) {
        result = u64_result(tael_registry_highest(s->registry, text.bytes, text.len, &value),
                            "highest", &value);
    } else if (strcmp(op, "registry_remove") == 0) {
        result = u64_result(tael_registry_remove(s->registry, text.bytes, text.len, &value),
                            "highest", &value);
    } else if (strcmp(op, "registry_snapshot") == 0) {
        result = snapshot_json(s->registry);
    } else if (strcmp(op, "registry_restore") == 0) {
        const json_t *snap = json_object_get(step, "snapshot");
        if (!json_is_string(snap) || strlen(json_string_value(snap)) != json_string_length(snap))
            result = fault("C cannot express this snapshot text");
        else
            result = ok_result(tael_registry_restore(s->registry, json_string_value(snap)));
    } else if (strcmp(op, "decide") == 0) {
        result = step_decide(step);
    } else if (strcmp(op, "transitions") == 0) {
        result = step_transitions(step);
    } else if (strcmp(op, "normalize_view") == 0) {
        result = step_normalize_view(step);
    } else if (strcmp(op, "next_epoch") == 0) {
        result = step_next_epoch(step);
    } else if (strcmp(op, "history") == 0) {
        result = step_history(s, step);
    } else if (strncmp(op, "history_", 8) == 0 && s->history == NULL) {
        result = fault("a history step before the case has a history");
    } else if (strcmp(op, "history_assign") == 0) {
        uint64_t start = 0;
        /* No holder is (NULL, 0); a holder, even an empty one, is its bytes. */
        result = !u64_field(step, "start_offset", 0, &start)
                     ? fault("a bad start_offset")
                     : bool_result(tael_epoch_history_assign(s->history, epoch, start,
                                                             text_key ? text.bytes : NULL,
                                                             text.len, &flag),
                                   "changed", &flag);
    } else if (strcmp(op, "history_truncate_from_end") == 0 ||
               strcmp(op, "history_truncate_from_start") == 0) {
        uint64_t offset = 0;
        if (!u64_field(step, "offset", 0, &offset)) {
            result = fault("a bad offset");
        } else {
            TaelStatus status =
                strcmp(op, "history_truncate_from_end") == 0
                    ? tael_epoch_history_truncate_from_end(s->history, offset, &flag)
                    : tael_epoch_history_truncate_from_start(s->history, offset, &flag);
            result = bool_result(status, "changed", &flag);
        }
    } else if (strcmp(op, "history_end_offset_for") == 0) {
        uint64_t log_end = 0;
        result = u64_field(step, "log_end", 0, &log_end) ? step_end_offset_for(s, epoch, log_end)
                                                          : fault("a bad log_end");
    } else if (strcmp(op, "history_latest_epoch") == 0) {
        result = step_latest_epoch(s);
    } else if (strcmp(op, "divergence_point") == 0) {
        result = step_divergence_point(step);
    } else if (strcmp(op, "follower_step") == 0) {
        result = step_follower_step(step);
    } else if (strcmp(op, "votes") == 0) {
        result = step_votes(step);
    } else {
        result = fault("unknown op");
    }
    free(text.bytes);
    return result;
}

/* 1 when the case lists its fronts and "c" is not among them. */
static int skipped_for_c(const json_t *c) {
    const json_t *fronts = json_object_get(c, "fronts");
    size_t i;
    const json_t *f;
    if (fronts == NULL) return 0;
    json_array_foreach(fronts, i, f) {
        if (json_is_string(f) && strcmp(json_string_value(f), FRONT) == 0) return 0;
    }
    return 1;
}

/* 1 when `got` is `want` (both absent, or equal as parsed JSON); otherwise says what differs. */
static int same_or_report(const char *name, size_t i, const json_t *step, const char *what,
                          const json_t *want, const json_t *got) {
    if ((got == NULL && want == NULL) || (got != NULL && want != NULL && json_equal(got, want)))
        return 1;
    char *w = want ? json_dumps(want, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    char *g = got ? json_dumps(got, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    fprintf(stderr, "FAIL corpus %s step %zu (%s) %s: expected %s, got %s\n", name, i,
            json_string_value(json_object_get(step, "op")), what, w ? w : "nothing",
            g ? g : "nothing");
    free(w);
    free(g);
    return 0;
}

/* Run one case with its state of `kind`; 1 when every step gave its expected result and left
 * its expected state. */
static int run_case(const json_t *c, const char *name, Kind kind) {
    State s;
    memset(&s, 0, sizeof s);
    s.kind = kind;
    if (kind == KIND_FILE) {
        const char *base = getenv("TMPDIR");
        snprintf(s.dir, sizeof s.dir, "%s/tael-c-corpus-XXXXXX", base != NULL && *base ? base : "/tmp");
        if (mkdtemp(s.dir) == NULL) {
            fprintf(stderr, "FAIL corpus %s: cannot make a directory for its files\n", name);
            return 0;
        }
    }
    const json_t *steps = json_object_get(c, "steps");
    const json_t *step;
    size_t i;
    int ok = json_array_size(steps) > 0;
    json_array_foreach(steps, i, step) {
        json_t *got = run_step(&s, step);
        ok = same_or_report(name, i, step, kind == KIND_FILE ? "result (in files)" : "result",
                            json_object_get(step, "expect"), got);
        json_decref(got);
        if (!ok) break;
        json_t *held = state_json(&s);
        if (json_object_size(held) == 0) {
            json_decref(held);
            held = NULL;
        }
        ok = same_or_report(name, i, step, kind == KIND_FILE ? "state (in files)" : "state",
                            json_object_get(step, "state"), held);
        json_decref(held);
        if (!ok) break;
    }
    state_free(&s);
    if (kind == KIND_FILE && !remove_files(&s)) {
        fprintf(stderr, "FAIL corpus %s: files were left behind in %s\n", name, s.dir);
        ok = 0;
    }
    return ok;
}

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void corpus_run(const char *vectors_dir) {
    DIR *dir = opendir(vectors_dir);
    char *files[64];
    size_t nfiles = 0;
    if (!CHECK(dir != NULL)) {
        fprintf(stderr, "cannot open %s\n", vectors_dir);
        return;
    }
    for (struct dirent *e; (e = readdir(dir)) != NULL;) {
        size_t n = strlen(e->d_name);
        if (n > 5 && strcmp(e->d_name + n - 5, ".json") == 0 && nfiles < 64)
            files[nfiles++] = strdup(e->d_name);
    }
    closedir(dir);
    qsort(files, nfiles, sizeof files[0], by_name);

    unsigned long total = 0, run = 0, passed = 0, skipped = 0, duplicates = 0;
    json_t *names = json_object(); /* every case name seen, to refuse duplicates */
    for (size_t f = 0; f < nfiles; f++) {
        char path[4096];
        json_error_t err;
        snprintf(path, sizeof path, "%s/%s", vectors_dir, files[f]);
        json_t *doc = json_load_file(path, JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES, &err);
        if (!CHECK(doc != NULL)) {
            fprintf(stderr, "%s:%d: %s\n", path, err.line, err.text);
            continue;
        }
        const json_t *c;
        size_t i;
        json_array_foreach(json_object_get(doc, "cases"), i, c) {
            const char *name = json_string_value(json_object_get(c, "name"));
            total++;
            if (name == NULL || json_object_get(names, name) != NULL) {
                duplicates++;
                fprintf(stderr, "FAIL corpus: case %zu of %s has a missing or repeated name\n", i,
                        files[f]);
                continue;
            }
            json_object_set_new(names, name, json_true());
            if (skipped_for_c(c)) {
                skipped++;
                continue;
            }
            run++;
            int memory = run_case(c, name, KIND_MEMORY);
            if (run_case(c, name, KIND_FILE) && memory) {
                passed++;
                tests_passed++;
            } else {
                tests_failed++;
            }
        }
        json_decref(doc);
    }
    json_decref(names);
    for (size_t f = 0; f < nfiles; f++) free(files[f]);

    printf("corpus: %lu cases in %zu files; %lu run (each in memory and in files), %lu passed, "
           "%lu failed, %lu skipped (their fronts exclude \"c\")\n",
           total, nfiles, run, passed, run - passed, skipped);
    CHECK(duplicates == 0);
    CHECK(total >= 60); /* the corpus README's floor; a missing file would show here */
    CHECK(run + skipped == total);
    CHECK(run > skipped);
}
