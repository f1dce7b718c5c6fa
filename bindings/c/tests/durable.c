/* Durable gates, holder gates, registries and epoch histories from C: a mark (a vote, a
 * history) that survives closing and reopening, bad paths, NULL in every pointer parameter, one
 * owner at a time, corrupt, truncated and foreign files refused (and left as they are), a
 * failing write that acknowledges nothing, and options that belong to the handle, not the file.
 * Files go to a fresh directory under $TMPDIR (or /tmp), removed at the end. */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

#define LIT(s) (s), (sizeof(s) - 1) /* a string literal as (pointer, length) */
#define PATH(p) (p), strlen(p)     /* a NUL-terminated path as (pointer, length) */

static const uint64_t U64_SENTINEL = 0x5EA5EA5EA5EA5EA5u;

static char dir[256];

static void in_dir(char *out, size_t cap, const char *name) {
    snprintf(out, cap, "%s/%s", dir, name);
}

/* The whole file, into buf (at most cap bytes); its length, or -1. */
static long read_file(const char *path, char *buf, size_t cap) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) return -1;
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    return (long)n;
}

static int write_file(const char *path, const char *bytes, size_t len) {
    FILE *f = fopen(path, "wb");
    if (f == NULL) return 0;
    size_t n = fwrite(bytes, 1, len, f);
    return fclose(f) == 0 && n == len;
}

static void remove_all(const char *name) {
    char path[512];
    const char *suffixes[] = {"", ".lock", ".tmp"};
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        snprintf(path, sizeof path, "%s/%s%s", dir, name, suffixes[i]);
        struct stat st;
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            rmdir(path);
        } else {
            unlink(path);
        }
    }
}

static void gate_round_trip(void) {
    char path[512];
    in_dir(path, sizeof path, "gate");
    TaelFencer *g = NULL, *second = NULL;
    TaelVerdict v;
    uint64_t value = U64_SENTINEL;
    bool accepted = true, has_cap = true;

    /* A missing file is a fresh gate only when asked. */
    CHECK_STATUS(tael_fencer_open(PATH(path), false, &g), TAEL_STATUS_STORAGE);
    CHECK(g == NULL && last_error_is(TAEL_STATUS_STORAGE));
    CHECK(strstr(last_error(NULL), "create") != NULL);
    CHECK(access(path, F_OK) != 0); /* and nothing was made */
    if (!CHECK_STATUS(tael_fencer_open(PATH(path), true, &g), TAEL_STATUS_OK)) return;
    CHECK(g != NULL && access(path, F_OK) == 0); /* the fresh gate is on disk already */
    CHECK(tael_last_error_message(NULL, 0) == 0);

    CHECK_STATUS(tael_fencer_check(g, 5, &v), TAEL_STATUS_ADVANCED);
    CHECK(v.accepted && v.from == 0 && v.epoch == 5 && v.highest == 5);
    CHECK_STATUS(tael_fencer_promote(g, &value), TAEL_STATUS_OK);
    CHECK(value == 6);
    CHECK_STATUS(tael_fencer_check_and_advance(g, 4, &accepted), TAEL_STATUS_OK);
    CHECK(!accepted);
    CHECK_STATUS(tael_fencer_check(g, 6, &v), TAEL_STATUS_CURRENT);
    CHECK_STATUS(tael_fencer_jump_cap(g, &has_cap, &value), TAEL_STATUS_OK);
    CHECK(!has_cap && value == 0);

    /* One owner at a time: a second handle on the same file is refused, not handed out. */
    CHECK_STATUS(tael_fencer_open(PATH(path), true, &second), TAEL_STATUS_STORAGE);
    CHECK(second == NULL && strstr(last_error(NULL), "in use") != NULL);
    tael_fencer_free(g);

    /* Reopened, the mark is read back; `create` never resets an existing file. */
    g = NULL;
    if (!CHECK_STATUS(tael_fencer_open_with_jump_cap(PATH(path), true, 2, &g),
                      TAEL_STATUS_OK))
        return;
    CHECK_STATUS(tael_fencer_highest(g, &value), TAEL_STATUS_OK);
    CHECK(value == 6);
    CHECK_STATUS(tael_fencer_jump_cap(g, &has_cap, &value), TAEL_STATUS_OK);
    CHECK(has_cap && value == 2);
    CHECK_STATUS(tael_fencer_check(g, 9, &v), TAEL_STATUS_TOO_FAR_AHEAD);
    CHECK(v.cap == 2 && v.highest == 6);

    /* A directory where the temporary file goes makes every write fail: advances report
     * STORAGE and move nothing; verdicts that move nothing still work. */
    char tmp[520];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    CHECK(mkdir(tmp, 0700) == 0);
    CHECK_STATUS(tael_fencer_check(g, 7, &v), TAEL_STATUS_STORAGE);
    CHECK(last_error_is(TAEL_STATUS_STORAGE));
    CHECK_STATUS(tael_fencer_check_and_advance(g, 7, &accepted), TAEL_STATUS_STORAGE);
    CHECK_STATUS(tael_fencer_promote(g, &value), TAEL_STATUS_STORAGE);
    CHECK_STATUS(tael_fencer_check(g, 6, &v), TAEL_STATUS_CURRENT);
    CHECK_STATUS(tael_fencer_check(g, 1, &v), TAEL_STATUS_STALE_EPOCH);
    CHECK_STATUS(tael_fencer_highest(g, &value), TAEL_STATUS_OK);
    CHECK(value == 6);
    CHECK(rmdir(tmp) == 0);
    CHECK_STATUS(tael_fencer_promote(g, &value), TAEL_STATUS_OK);
    CHECK(value == 7);
    tael_fencer_free(g);
    g = NULL;
    CHECK_STATUS(tael_fencer_open(PATH(path), false, &g), TAEL_STATUS_OK);
    CHECK_STATUS(tael_fencer_highest(g, &value), TAEL_STATUS_OK);
    CHECK(value == 7);
    tael_fencer_free(g);
}

static void gate_nulls(void) {
    char path[512];
    in_dir(path, sizeof path, "nulls");
    TaelFencer *g = NULL;
    TaelFencer *untouched = (TaelFencer *)&g; /* any non-NULL value */
    TaelVerdict v;
    uint64_t value = U64_SENTINEL;
    bool accepted = true, has_cap = true;

    CHECK_STATUS(tael_fencer_open(NULL, 4, true, &untouched), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_fencer_open(PATH(path), true, NULL), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_fencer_open_with_jump_cap(NULL, 4, true, 1, &untouched),
                 TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_fencer_open_with_jump_cap(PATH(path), true, 1, NULL),
                 TAEL_STATUS_NULL_POINTER);
    CHECK(untouched == (TaelFencer *)&g); /* written only on success */
    CHECK(access(path, F_OK) != 0);              /* no call got as far as the file */

    if (!CHECK_STATUS(tael_fencer_open(PATH(path), true, &g), TAEL_STATUS_OK)) return;
    CHECK_STATUS(tael_fencer_check(NULL, 1, &v), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_fencer_check(g, 1, NULL), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_fencer_check_and_advance(NULL, 1, &accepted), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_fencer_check_and_advance(g, 1, NULL), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_fencer_promote(NULL, &value), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_fencer_promote(g, NULL), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_fencer_highest(NULL, &value), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_fencer_highest(g, NULL), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_fencer_jump_cap(NULL, &has_cap, &value), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_fencer_jump_cap(g, NULL, &value), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_fencer_jump_cap(g, &has_cap, NULL), TAEL_STATUS_NULL_POINTER);
    CHECK(accepted && has_cap && value == U64_SENTINEL);
    /* None of it moved the gate (a NULL out-pointer is caught before the check). */
    CHECK_STATUS(tael_fencer_highest(g, &value), TAEL_STATUS_OK);
    CHECK(value == 0);
    tael_fencer_free(g);
    tael_fencer_free(NULL);
    tael_registry_free(NULL);
}

static void bad_paths(void) {
    TaelFencer *g = NULL;
    TaelRegistry *r = NULL;
    char path[512];
    /* Empty, a NUL inside, a root: not a file path at all. */
    CHECK_STATUS(tael_fencer_open(NULL, 0, true, &g), TAEL_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(tael_fencer_open("", 0, true, &g), TAEL_STATUS_INVALID_ARGUMENT);
    in_dir(path, sizeof path, "a");
    size_t n = strlen(path);
    path[n + 1] = 'b';
    path[n + 2] = '\0';
    CHECK_STATUS(tael_fencer_open(path, n + 2, true, &g), TAEL_STATUS_INVALID_ARGUMENT);
    CHECK(strstr(last_error(NULL), "NUL") != NULL);
    CHECK_STATUS(tael_fencer_open(LIT("/"), true, &g), TAEL_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(tael_registry_open(NULL, 0, true, &r), TAEL_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(tael_registry_open(path, n + 2, true, &r), TAEL_STATUS_INVALID_ARGUMENT);
    /* A missing directory, a directory, a device: no usable file. */
    in_dir(path, sizeof path, "no/such/dir/gate");
    CHECK_STATUS(tael_fencer_open(PATH(path), true, &g), TAEL_STATUS_STORAGE);
    CHECK_STATUS(tael_fencer_open(PATH(dir), true, &g), TAEL_STATUS_STORAGE);
    CHECK_STATUS(tael_registry_open(PATH(dir), true, &r), TAEL_STATUS_STORAGE);
    CHECK_STATUS(tael_fencer_open(LIT("/dev/null"), false, &g), TAEL_STATUS_STORAGE);
    CHECK(strstr(last_error(NULL), "not a regular file") != NULL);
    /* Invalid UTF-8 is a valid POSIX path: it names a file like any other. */
    in_dir(path, sizeof path, "\xff\xfe");
    CHECK_STATUS(tael_fencer_open(PATH(path), true, &g), TAEL_STATUS_OK);
    tael_fencer_free(g);
    remove_all("\xff\xfe");
    CHECK(access(path, F_OK) != 0);
    /* Lengths no array can have are refused before anything is read. */
    CHECK_STATUS(tael_fencer_open(path, SIZE_MAX, true, &g), TAEL_STATUS_INVALID_ARGUMENT);
}

/* Every damaged form of a good file is refused with STORAGE and left exactly as it was. */
static void damaged_files(void) {
    char path[512], good[256], bad[512], back[512];
    in_dir(path, sizeof path, "damaged");
    TaelFencer *g = NULL;
    TaelRegistry *r = NULL;
    uint64_t value = 0;
    if (!CHECK_STATUS(tael_fencer_open(PATH(path), true, &g), TAEL_STATUS_OK)) return;
    CHECK_STATUS(tael_fencer_check_and_advance(g, 424242, &(bool){false}), TAEL_STATUS_OK);
    tael_fencer_free(g);
    long len = read_file(path, good, sizeof good);
    if (!CHECK(len > 40 && (size_t)len < sizeof good)) return;

    size_t refused = 0, tried = 0;
    for (long cut = 0; cut < len; cut++) { /* every truncation */
        tried++;
        CHECK(write_file(path, good, (size_t)cut));
        g = NULL;
        refused += tael_fencer_open(PATH(path), true, &g) == TAEL_STATUS_STORAGE;
        CHECK(g == NULL && read_file(path, back, sizeof back) == cut);
    }
    for (long i = 0; i < len; i++) { /* every byte, flipped */
        memcpy(bad, good, (size_t)len);
        bad[i] ^= 0x04;
        tried++;
        CHECK(write_file(path, bad, (size_t)len));
        g = NULL;
        refused += tael_fencer_open(PATH(path), false, &g) == TAEL_STATUS_STORAGE;
        CHECK(g == NULL && read_file(path, back, sizeof back) == len && memcmp(back, bad, len) == 0);
    }
    memcpy(bad, good, (size_t)len);
    memcpy(bad + len, "garbage\n", 8);
    tried++;
    CHECK(write_file(path, bad, (size_t)len + 8));
    refused += tael_fencer_open(PATH(path), false, &g) == TAEL_STATUS_STORAGE;
    CHECK(refused == tried);
    CHECK(last_error_is(TAEL_STATUS_STORAGE) && strstr(last_error(NULL), "corrupt") != NULL);
    printf("  durable: %zu damaged gate files refused\n", refused);

    /* A gate file is not a registry file, and the other way round. */
    CHECK(write_file(path, good, (size_t)len));
    CHECK_STATUS(tael_registry_open(PATH(path), false, &r), TAEL_STATUS_STORAGE);
    CHECK(strstr(last_error(NULL), "durable gate file") != NULL);
    /* The good bytes again: the mark is back. */
    g = NULL;
    CHECK_STATUS(tael_fencer_open(PATH(path), false, &g), TAEL_STATUS_OK);
    CHECK_STATUS(tael_fencer_highest(g, &value), TAEL_STATUS_OK);
    CHECK(value == 424242);
    tael_fencer_free(g);
}

static void registry_round_trip(void) {
    char path[512], buf[256];
    in_dir(path, sizeof path, "registry");
    TaelRegistry *r = NULL;
    TaelRegistry *untouched = (TaelRegistry *)&r;
    TaelVerdict v;
    uint64_t value = U64_SENTINEL;
    size_t len = 0;
    bool has_cap = true;
    char *owned = buf;

    CHECK_STATUS(tael_registry_open(PATH(path), false, &untouched), TAEL_STATUS_STORAGE);
    CHECK_STATUS(tael_registry_open(NULL, 3, true, &untouched), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_registry_open(PATH(path), true, NULL), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_registry_open_with_jump_cap(PATH(path), true, 1, NULL),
                 TAEL_STATUS_NULL_POINTER);
    CHECK(untouched == (TaelRegistry *)&r && access(path, F_OK) != 0);
    if (!CHECK_STATUS(tael_registry_open_with_jump_cap(PATH(path), true, 100, &r),
                      TAEL_STATUS_OK))
        return;
    CHECK_STATUS(tael_registry_add(r, LIT("wal-0"), 3), TAEL_STATUS_OK);
    CHECK_STATUS(tael_registry_add(r, LIT("wal-1"), 0), TAEL_STATUS_OK);
    CHECK_STATUS(tael_registry_add(r, LIT("wal-0"), 9), TAEL_STATUS_STREAM_EXISTS);
    CHECK_STATUS(tael_registry_add(r, LIT("\xff"), 9), TAEL_STATUS_INVALID_UTF8);
    CHECK_STATUS(tael_registry_add(r, LIT("a\0b"), 9), TAEL_STATUS_INVALID_ID);
    CHECK_STATUS(tael_registry_check(r, LIT("wal-0"), 8, &v), TAEL_STATUS_ADVANCED);
    CHECK(v.from == 3 && v.highest == 8);
    CHECK_STATUS(tael_registry_check(r, LIT("wal-0"), 500, &v), TAEL_STATUS_TOO_FAR_AHEAD);
    CHECK_STATUS(tael_registry_check(r, LIT("wal-0"), 2, &v), TAEL_STATUS_STALE_EPOCH);
    CHECK_STATUS(tael_registry_check(r, LIT("nope"), 2, &v), TAEL_STATUS_UNKNOWN_STREAM);
    CHECK_STATUS(tael_registry_promote(r, LIT("wal-1"), &value), TAEL_STATUS_OK);
    CHECK(value == 1);
    CHECK_STATUS(tael_registry_add(r, LIT("gone"), 5), TAEL_STATUS_OK);
    CHECK_STATUS(tael_registry_remove(r, LIT("gone"), &value), TAEL_STATUS_OK);
    CHECK(value == 5);
    CHECK_STATUS(tael_registry_restore(r, "{\"streams\":{\"wal-1\":\"40\",\"wal-0\":\"1\"}}"),
                 TAEL_STATUS_OK);
    CHECK_STATUS(tael_registry_restore(r, "{\"streams\":{\"wal-1\":-1}}"),
                 TAEL_STATUS_INVALID_SNAPSHOT);
    CHECK_STATUS(tael_registry_jump_cap(r, &has_cap, &value), TAEL_STATUS_OK);
    CHECK(has_cap && value == 100);

    /* NULLs. */
    CHECK_STATUS(tael_registry_add(NULL, LIT("s"), 1), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_registry_add(r, NULL, 1, 1), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_registry_check(NULL, LIT("wal-0"), 9, &v), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_registry_check(r, NULL, 1, 9, &v), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_registry_check(r, LIT("wal-0"), 9, NULL), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_registry_promote(NULL, LIT("wal-0"), &value), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_registry_promote(r, LIT("wal-0"), NULL), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_registry_highest(NULL, LIT("wal-0"), &value), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_registry_highest(r, LIT("wal-0"), NULL), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_registry_remove(NULL, LIT("wal-0"), &value), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_registry_remove(r, LIT("wal-0"), NULL), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_registry_len(NULL, &len), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_registry_len(r, NULL), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_registry_jump_cap(NULL, &has_cap, &value), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_registry_jump_cap(r, NULL, &value), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_registry_jump_cap(r, &has_cap, NULL), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_registry_snapshot(NULL, buf, sizeof buf, &len), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_registry_snapshot(r, NULL, sizeof buf, &len), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_registry_snapshot(r, buf, sizeof buf, NULL), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_registry_snapshot_alloc(NULL, &owned), TAEL_STATUS_NULL_POINTER);
    CHECK(owned == NULL);
    CHECK_STATUS(tael_registry_snapshot_alloc(r, NULL), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_registry_restore(NULL, "{\"streams\":{}}"), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_registry_restore(r, NULL), TAEL_STATUS_NULL_POINTER);
    CHECK(value == 100);
    tael_registry_free(r);

    /* Reopened: every change is there. */
    r = NULL;
    if (!CHECK_STATUS(tael_registry_open(PATH(path), false, &r), TAEL_STATUS_OK)) return;
    const char *expected = "{\"streams\":{\"wal-0\":\"8\",\"wal-1\":\"40\"}}";
    CHECK_STATUS(tael_registry_snapshot(r, buf, 4, &len), TAEL_STATUS_BUFFER_TOO_SMALL);
    CHECK(len == strlen(expected));
    CHECK_STATUS(tael_registry_snapshot(r, buf, sizeof buf, &len), TAEL_STATUS_OK);
    CHECK(strcmp(buf, expected) == 0);
    CHECK_STATUS(tael_registry_snapshot_alloc(r, &owned), TAEL_STATUS_OK);
    CHECK(owned != NULL && strcmp(owned, expected) == 0);
    tael_string_free(owned);
    CHECK_STATUS(tael_registry_len(r, &len), TAEL_STATUS_OK);
    CHECK(len == 2);
    CHECK_STATUS(tael_registry_highest(r, LIT("gone"), &value), TAEL_STATUS_UNKNOWN_STREAM);
    CHECK_STATUS(tael_registry_jump_cap(r, &has_cap, &value), TAEL_STATUS_OK);
    CHECK(!has_cap && value == 0);
    tael_registry_free(r);

    /* A registry file opened as a gate, and a damaged registry file. */
    TaelFencer *g = NULL;
    CHECK_STATUS(tael_fencer_open(PATH(path), false, &g), TAEL_STATUS_STORAGE);
    CHECK(g == NULL && strstr(last_error(NULL), "durable registry file") != NULL);
    long n = read_file(path, buf, sizeof buf);
    if (!CHECK(n > 10 && (size_t)n < sizeof buf)) return;
    CHECK(write_file(path, buf, (size_t)n - 10));
    r = NULL;
    CHECK_STATUS(tael_registry_open(PATH(path), true, &r), TAEL_STATUS_STORAGE);
    CHECK(r == NULL && read_file(path, buf, sizeof buf) == n - 10);
}

/* The JSON form of a history equals `want`. */
static int history_reads(const TaelEpochHistory *h, const char *want) {
    char *json = NULL;
    int same = tael_epoch_history_to_json_alloc(h, &json) == TAEL_STATUS_OK && strcmp(json, want) == 0;
    if (!same) fprintf(stderr, "  history: %s, expected %s\n", json ? json : "(unreadable)", want);
    tael_string_free(json);
    return same;
}

static void history_round_trip(void) {
    char path[512], gate_path[512], buf[512], back[512];
    in_dir(path, sizeof path, "history");
    in_dir(gate_path, sizeof gate_path, "gate"); /* gate_round_trip's file */
    TaelEpochHistory *h = NULL, *second = NULL;
    TaelEpochHistory *untouched = (TaelEpochHistory *)&h;
    TaelEpochEntryCopy e;
    TaelTruncation t;
    uint64_t epoch = U64_SENTINEL, end = U64_SENTINEL;
    size_t len = 0;
    bool changed = false;

    /* A missing file is a fresh history only when asked. */
    CHECK_STATUS(tael_epoch_history_open(PATH(path), false, &untouched), TAEL_STATUS_STORAGE);
    CHECK(untouched == (TaelEpochHistory *)&h && last_error_is(TAEL_STATUS_STORAGE));
    CHECK(access(path, F_OK) != 0);
    CHECK_STATUS(tael_epoch_history_open(NULL, 3, true, &untouched), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_epoch_history_open(PATH(path), true, NULL), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_epoch_history_open(NULL, 0, true, &untouched), TAEL_STATUS_INVALID_ARGUMENT);
    CHECK(untouched == (TaelEpochHistory *)&h && access(path, F_OK) != 0);
    if (!CHECK_STATUS(tael_epoch_history_open(PATH(path), true, &h), TAEL_STATUS_OK)) return;
    CHECK(h != NULL && access(path, F_OK) == 0); /* the fresh history is on disk already */
    CHECK(history_reads(h, "{\"entries\":[]}"));
    CHECK_STATUS(tael_epoch_history_latest_epoch(h, &epoch), TAEL_STATUS_UNDEFINED_EPOCH);

    CHECK_STATUS(tael_epoch_history_assign(h, 3, 0, LIT("node-a"), &changed), TAEL_STATUS_OK);
    CHECK(changed);
    CHECK_STATUS(tael_epoch_history_assign(h, 5, 120, LIT("node-b"), &changed), TAEL_STATUS_OK);
    CHECK_STATUS(tael_epoch_history_assign(h, 7, 150, NULL, 0, &changed), TAEL_STATUS_OK);
    CHECK_STATUS(tael_epoch_history_assign(h, 7, 160, NULL, 0, &changed), TAEL_STATUS_OK);
    CHECK(!changed); /* the latest reign, later: nothing to write */
    CHECK_STATUS(tael_epoch_history_assign(h, 9, 170, LIT(""), &changed), TAEL_STATUS_INVALID_ID);
    CHECK_STATUS(tael_epoch_history_assign(h, 9, 170, LIT("\xff"), &changed), TAEL_STATUS_INVALID_UTF8);
    CHECK_STATUS(tael_epoch_history_truncate_from_end(h, 150, &changed), TAEL_STATUS_OK);
    CHECK(changed);
    CHECK_STATUS(tael_epoch_history_end_offset_for(h, 3, 200, &epoch, &end), TAEL_STATUS_OK);
    CHECK(epoch == 3 && end == 120);
    CHECK_STATUS(tael_divergence_point(h, 200, h, 180, &end), TAEL_STATUS_OK);
    CHECK(end == 180);
    CHECK_STATUS(tael_follower_step(h, 200, true, 3, 100, &t), TAEL_STATUS_OK);
    CHECK(t.offset == 100 && t.done);
    const char *kept = "{\"entries\":[{\"epoch\":\"3\",\"start_offset\":\"0\",\"holder\":\"node-a\"},"
                       "{\"epoch\":\"5\",\"start_offset\":\"120\",\"holder\":\"node-b\"}]}";
    CHECK(history_reads(h, kept));

    /* One owner at a time. */
    CHECK_STATUS(tael_epoch_history_open(PATH(path), true, &second), TAEL_STATUS_STORAGE);
    CHECK(second == NULL && strstr(last_error(NULL), "in use") != NULL);
    CHECK_STATUS(tael_epoch_history_open(PATH(path), false, &second), TAEL_STATUS_STORAGE);
    CHECK(second == NULL);

    /* A failing write acknowledges nothing: the change is refused and the history unchanged;
     * calls that change nothing still answer. */
    char tmp[520];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    CHECK(mkdir(tmp, 0700) == 0);
    changed = false;
    CHECK_STATUS(tael_epoch_history_assign(h, 6, 130, NULL, 0, &changed), TAEL_STATUS_STORAGE);
    CHECK(!changed && last_error_is(TAEL_STATUS_STORAGE));
    CHECK_STATUS(tael_epoch_history_truncate_from_end(h, 0, &changed), TAEL_STATUS_STORAGE);
    CHECK_STATUS(tael_epoch_history_truncate_from_start(h, 50, &changed), TAEL_STATUS_STORAGE);
    CHECK_STATUS(tael_epoch_history_truncate_from_end(h, 500, &changed), TAEL_STATUS_OK);
    CHECK(!changed);
    CHECK_STATUS(tael_epoch_history_assign(h, 5, 200, LIT("node-b"), &changed), TAEL_STATUS_OK);
    CHECK(!changed);
    CHECK(history_reads(h, kept));
    CHECK(rmdir(tmp) == 0);
    CHECK_STATUS(tael_epoch_history_truncate_from_start(h, 50, &changed), TAEL_STATUS_OK);
    CHECK(changed);
    tael_epoch_history_free(h);

    /* Reopened (create never resets): every acknowledged change is there, nothing else. */
    h = NULL;
    if (!CHECK_STATUS(tael_epoch_history_open(PATH(path), true, &h), TAEL_STATUS_OK)) return;
    const char *after = "{\"entries\":[{\"epoch\":\"3\",\"start_offset\":\"50\",\"holder\":\"node-a\"},"
                        "{\"epoch\":\"5\",\"start_offset\":\"120\",\"holder\":\"node-b\"}]}";
    CHECK(history_reads(h, after));
    CHECK_STATUS(tael_epoch_history_len(h, &len), TAEL_STATUS_OK);
    CHECK(len == 2);
    CHECK_STATUS(tael_epoch_history_entry(h, 1, &e), TAEL_STATUS_OK);
    CHECK(e.epoch == 5 && e.start_offset == 120 && e.has_holder && strcmp(e.holder, "node-b") == 0);
    CHECK_STATUS(tael_epoch_history_latest_epoch(h, &epoch), TAEL_STATUS_OK);
    CHECK(epoch == 5);
    CHECK_STATUS(tael_epoch_history_end_offset_for(h, 6, 130, &epoch, &end),
                 TAEL_STATUS_UNDEFINED_EPOCH);
    tael_epoch_history_free(h);

    /* The file holds the JSON form under its own header; other kinds of file are refused. */
    long n = read_file(path, buf, sizeof buf);
    if (!CHECK(n > 0 && (size_t)n < sizeof buf)) return;
    buf[n] = '\0';
    CHECK(strncmp(buf, "tael-coord epoch-history 1\n", 27) == 0 && strstr(buf, after) != NULL);
    TaelFencer *g = NULL;
    CHECK_STATUS(tael_fencer_open(PATH(path), false, &g), TAEL_STATUS_STORAGE);
    CHECK(g == NULL && strstr(last_error(NULL), "durable history file") != NULL);
    h = NULL;
    CHECK_STATUS(tael_epoch_history_open(PATH(gate_path), false, &h), TAEL_STATUS_STORAGE);
    CHECK(h == NULL && strstr(last_error(NULL), "durable gate file") != NULL);
    /* A damaged history file is refused, never reset, and left as it is. */
    CHECK(write_file(path, buf, (size_t)n - 4));
    CHECK_STATUS(tael_epoch_history_open(PATH(path), true, &h), TAEL_STATUS_STORAGE);
    CHECK(h == NULL && read_file(path, back, sizeof back) == n - 4 && memcmp(back, buf, (size_t)n - 4) == 0);
}

/* Whether `h` holds the reign (highest, holder, closed). */
static int reign_is(const TaelHolderFencer *h, uint64_t highest, const char *holder, bool closed) {
    TaelHolderState st;
    bool is_closed = !closed;
    int same = tael_holder_fencer_state(h, &st) == TAEL_STATUS_OK &&
               tael_holder_fencer_closed(h, &is_closed) == TAEL_STATUS_OK && st.highest == highest &&
               (holder == NULL ? !st.has_holder : st.has_holder && strcmp(st.holder, holder) == 0) &&
               is_closed == closed;
    if (!same)
        fprintf(stderr, "  reign: %llu %s %d, expected %llu %s %d\n", (unsigned long long)st.highest,
                st.has_holder ? st.holder : "(none)", (int)is_closed, (unsigned long long)highest,
                holder ? holder : "(none)", (int)closed);
    return same;
}

/* A holder gate in a file keeps its vote and its close across a reopen; a failing write
 * acknowledges nothing; damaged files are refused and left as they are. */
static void holder_gate_round_trip(void) {
    char path[512], tmp[520], good[256], bad[256], back[256];
    in_dir(path, sizeof path, "vote");
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    TaelHolderFencer *h = NULL, *second = NULL;
    TaelHolderFencer *untouched = (TaelHolderFencer *)&h; /* any non-NULL value */
    TaelFencer *g = NULL;
    TaelVerdict v;
    TaelCounters c;
    uint64_t value = U64_SENTINEL;
    bool flag = false, has_cap = false;
    const TaelGateOptions options = {true, 2, true, true};

    /* A missing file is a fresh gate only when asked; NULLs and bad paths make nothing. */
    CHECK_STATUS(tael_holder_fencer_open(PATH(path), false, &untouched), TAEL_STATUS_STORAGE);
    CHECK(strstr(last_error(NULL), "create") != NULL);
    CHECK_STATUS(tael_holder_fencer_open(NULL, 3, true, &untouched), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_holder_fencer_open(PATH(path), true, NULL), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_holder_fencer_open(NULL, 0, true, &untouched), TAEL_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(tael_holder_fencer_open_with_options(NULL, 3, true, &options, &untouched),
                 TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_holder_fencer_open_with_options(PATH(path), true, &options, NULL),
                 TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_holder_fencer_open_with_options(LIT("/"), true, NULL, &untouched),
                 TAEL_STATUS_INVALID_ARGUMENT);
    CHECK(untouched == (TaelHolderFencer *)&h && access(path, F_OK) != 0);
    if (!CHECK_STATUS(tael_holder_fencer_open(PATH(path), true, &h), TAEL_STATUS_OK)) return;
    CHECK(access(path, F_OK) == 0 && reign_is(h, 0, NULL, false));
    CHECK_STATUS(tael_holder_fencer_check(h, 4, LIT("node-a"), &v), TAEL_STATUS_ADVANCED);
    CHECK(v.from == 0 && v.highest == 4);

    /* One owner at a time, whichever kind of gate asks. */
    CHECK_STATUS(tael_holder_fencer_open(PATH(path), true, &second), TAEL_STATUS_STORAGE);
    CHECK(second == NULL && strstr(last_error(NULL), "in use") != NULL);
    CHECK_STATUS(tael_fencer_open(PATH(path), false, &g), TAEL_STATUS_STORAGE);
    CHECK(g == NULL);
    tael_holder_fencer_free(h);

    /* Reopened: the vote is kept, and a close is kept too. */
    h = NULL;
    if (!CHECK_STATUS(tael_holder_fencer_open(PATH(path), false, &h), TAEL_STATUS_OK)) return;
    CHECK(reign_is(h, 4, "node-a", false));
    CHECK_STATUS(tael_holder_fencer_check(h, 4, LIT("node-b"), &v), TAEL_STATUS_CONFLICT);
    CHECK(strcmp(v.holder, "node-a") == 0);
    CHECK_STATUS(tael_holder_fencer_close(h, 4, LIT("node-b"), &v), TAEL_STATUS_CONFLICT);
    CHECK_STATUS(tael_holder_fencer_close(h, 4, LIT("node-a"), &v), TAEL_STATUS_CLOSED);
    CHECK(strcmp(v.holder, "node-a") == 0 && !v.accepted);
    tael_holder_fencer_free(h);

    /* Reopened with options: they are the handle's (the file has none), the close is the file's. */
    h = NULL;
    if (!CHECK_STATUS(tael_holder_fencer_open_with_options(PATH(path), false, &options, &h),
                      TAEL_STATUS_OK))
        return;
    CHECK(reign_is(h, 4, "node-a", true));
    CHECK_STATUS(tael_holder_fencer_check(h, 4, LIT("node-a"), &v), TAEL_STATUS_CLOSED);
    CHECK_STATUS(tael_holder_fencer_check(h, 0, LIT(""), &v), TAEL_STATUS_INVALID_EPOCH);
    CHECK_STATUS(tael_holder_fencer_close(h, 9, LIT("node-b"), &v), TAEL_STATUS_TOO_FAR_AHEAD);
    CHECK_STATUS(tael_holder_fencer_jump_cap(h, &has_cap, &value), TAEL_STATUS_OK);
    CHECK(has_cap && value == 2);
    CHECK_STATUS(tael_holder_fencer_refuses_epoch_zero(h, &flag), TAEL_STATUS_OK);
    CHECK(flag);

    /* A directory where the temporary file goes makes every write fail: changes report STORAGE
     * and change nothing; verdicts that change nothing still answer. */
    CHECK(mkdir(tmp, 0700) == 0);
    CHECK_STATUS(tael_holder_fencer_check(h, 4, LIT("node-b"), &v), TAEL_STATUS_CLOSED);
    CHECK_STATUS(tael_holder_fencer_close(h, 4, LIT("node-b"), &v), TAEL_STATUS_CLOSED);
    CHECK_STATUS(tael_holder_fencer_adopt(h, 3, LIT("node-b"), &v), TAEL_STATUS_STALE_EPOCH);
    CHECK_STATUS(tael_holder_fencer_check(h, 5, LIT("node-b"), &v), TAEL_STATUS_STORAGE);
    CHECK(last_error_is(TAEL_STATUS_STORAGE));
    CHECK_STATUS(tael_holder_fencer_check_and_advance(h, 5, LIT("node-b"), &flag), TAEL_STATUS_STORAGE);
    CHECK_STATUS(tael_holder_fencer_adopt(h, 5, LIT("node-b"), &v), TAEL_STATUS_STORAGE);
    CHECK_STATUS(tael_holder_fencer_close(h, 5, LIT("node-b"), &v), TAEL_STATUS_STORAGE);
    CHECK_STATUS(tael_holder_fencer_promote(h, LIT("node-b"), &value), TAEL_STATUS_STORAGE);
    CHECK(reign_is(h, 4, "node-a", true));
    /* Checks that failed are not counted: the two CLOSED checks are. */
    CHECK_STATUS(tael_holder_fencer_counters(h, &c), TAEL_STATUS_OK);
    CHECK(c.counting && c.closed == 2 && c.current == 0 && c.advanced == 0 && c.conflict == 0);
    CHECK(rmdir(tmp) == 0);
    /* Adopting moves past the cap, to an open reign. */
    CHECK_STATUS(tael_holder_fencer_adopt(h, 7, LIT("node-b"), &v), TAEL_STATUS_ADVANCED);
    CHECK(v.from == 4 && v.highest == 7);
    tael_holder_fencer_free(h);

    /* Reopened without options: every acknowledged change is there, nothing else. */
    h = NULL;
    if (!CHECK_STATUS(tael_holder_fencer_open(PATH(path), false, &h), TAEL_STATUS_OK)) return;
    CHECK(reign_is(h, 7, "node-b", false));
    CHECK_STATUS(tael_holder_fencer_refuses_epoch_zero(h, &flag), TAEL_STATUS_OK);
    CHECK(!flag);
    CHECK_STATUS(tael_holder_fencer_counters(h, &c), TAEL_STATUS_OK);
    CHECK(!c.counting && c.closed == 0); /* the counts were the handle's */
    CHECK_STATUS(tael_holder_fencer_jump_cap(h, &has_cap, &value), TAEL_STATUS_OK);
    CHECK(!has_cap);
    tael_holder_fencer_free(h);

    /* The file is version 2 of the gate file; a plain gate refuses it. */
    long len = read_file(path, good, sizeof good);
    if (!CHECK(len > 40 && (size_t)len < sizeof good)) return;
    good[len] = '\0';
    CHECK(strncmp(good, "tael-coord durable-gate 2\n", 26) == 0 &&
          strstr(good, "{\"highest\":\"7\",\"holder\":\"node-b\",\"closed\":false}") != NULL);
    CHECK_STATUS(tael_fencer_open(PATH(path), false, &g), TAEL_STATUS_STORAGE);
    CHECK(g == NULL && strstr(last_error(NULL), "durable holder gate file") != NULL);
    TaelRegistry *r = NULL;
    CHECK_STATUS(tael_registry_open(PATH(path), false, &r), TAEL_STATUS_STORAGE);
    CHECK(r == NULL);

    /* Every truncation and every flipped byte is refused, never reset, and left as it is. */
    size_t refused = 0, tried = 0;
    for (long cut = 0; cut < len; cut++) {
        tried++;
        CHECK(write_file(path, good, (size_t)cut));
        h = NULL;
        refused += tael_holder_fencer_open(PATH(path), true, &h) == TAEL_STATUS_STORAGE;
        CHECK(h == NULL && read_file(path, back, sizeof back) == cut);
    }
    for (long i = 0; i < len; i++) {
        memcpy(bad, good, (size_t)len);
        bad[i] ^= 0x04;
        tried++;
        CHECK(write_file(path, bad, (size_t)len));
        h = NULL;
        refused += tael_holder_fencer_open_with_options(PATH(path), false, &options, &h) ==
                   TAEL_STATUS_STORAGE;
        CHECK(h == NULL && read_file(path, back, sizeof back) == len && memcmp(back, bad, (size_t)len) == 0);
    }
    CHECK(refused == tried);
    CHECK(last_error_is(TAEL_STATUS_STORAGE));
    printf("  durable: %zu damaged holder gate files refused\n", refused);
    /* The good bytes again: the reign is back. */
    CHECK(write_file(path, good, (size_t)len));
    h = NULL;
    CHECK_STATUS(tael_holder_fencer_open(PATH(path), false, &h), TAEL_STATUS_OK);
    CHECK(reign_is(h, 7, "node-b", false));
    tael_holder_fencer_free(h);
}

/* A holder gate opens a plain gate's file (version 1: its mark, no holder, open) without
 * writing it, and rewrites it as version 2 on its first change. */
static void holder_gate_takes_over_a_gate_file(void) {
    char path[512], buf[256];
    in_dir(path, sizeof path, "plain");
    TaelFencer *g = NULL;
    TaelHolderFencer *h = NULL;
    TaelVerdict v;
    uint64_t value = 0;
    if (!CHECK_STATUS(tael_fencer_open(PATH(path), true, &g), TAEL_STATUS_OK)) return;
    CHECK_STATUS(tael_fencer_promote_to_at_least(g, 7, &value), TAEL_STATUS_OK);
    tael_fencer_free(g);
    if (!CHECK_STATUS(tael_holder_fencer_open(PATH(path), false, &h), TAEL_STATUS_OK)) return;
    CHECK(reign_is(h, 7, NULL, false));
    tael_holder_fencer_free(h);
    long n = read_file(path, buf, sizeof buf);
    CHECK(n > 26 && strncmp(buf, "tael-coord durable-gate 1\n", 26) == 0); /* opening writes nothing */
    h = NULL;
    if (!CHECK_STATUS(tael_holder_fencer_open(PATH(path), false, &h), TAEL_STATUS_OK)) return;
    CHECK_STATUS(tael_holder_fencer_check(h, 7, LIT("a"), &v), TAEL_STATUS_CURRENT);
    tael_holder_fencer_free(h);
    n = read_file(path, buf, sizeof buf);
    CHECK(n > 26 && strncmp(buf, "tael-coord durable-gate 2\n", 26) == 0);
    g = NULL;
    CHECK_STATUS(tael_fencer_open(PATH(path), false, &g), TAEL_STATUS_STORAGE);
    CHECK(g == NULL);
    h = NULL;
    CHECK_STATUS(tael_holder_fencer_open(PATH(path), false, &h), TAEL_STATUS_OK);
    CHECK(reign_is(h, 7, "a", false));
    tael_holder_fencer_free(h);
}

/* Options on gates and registries kept in files: the handle's, never the file's. */
static void options_on_files(void) {
    char gate_path[512], registry_path[512], before[256], after[256];
    in_dir(gate_path, sizeof gate_path, "options-gate");
    in_dir(registry_path, sizeof registry_path, "options-registry");
    const TaelGateOptions options = {true, 3, true, true};
    TaelFencer *g = NULL;
    TaelFencer *untouched = (TaelFencer *)&g;
    TaelRegistry *r = NULL;
    TaelVerdict v;
    TaelCounters c;
    bool flag = false;

    CHECK_STATUS(tael_fencer_open_with_options(NULL, 3, true, &options, &untouched),
                 TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_fencer_open_with_options(PATH(gate_path), true, &options, NULL),
                 TAEL_STATUS_NULL_POINTER);
    CHECK(untouched == (TaelFencer *)&g && access(gate_path, F_OK) != 0);
    if (!CHECK_STATUS(tael_fencer_open_with_options(PATH(gate_path), true, &options, &g),
                      TAEL_STATUS_OK))
        return;
    long n = read_file(gate_path, before, sizeof before);
    CHECK_STATUS(tael_fencer_check(g, 0, &v), TAEL_STATUS_INVALID_EPOCH);
    CHECK_STATUS(tael_fencer_check(g, 9, &v), TAEL_STATUS_TOO_FAR_AHEAD);
    CHECK(read_file(gate_path, after, sizeof after) == n && memcmp(before, after, (size_t)n) == 0);
    CHECK_STATUS(tael_fencer_check(g, 2, &v), TAEL_STATUS_ADVANCED);
    CHECK_STATUS(tael_fencer_counters(g, &c), TAEL_STATUS_OK);
    CHECK(c.counting && c.advanced == 1 && c.too_far_ahead == 1 && c.current == 0);
    tael_fencer_free(g);
    g = NULL;
    if (!CHECK_STATUS(tael_fencer_open_with_options(PATH(gate_path), false, NULL, &g), TAEL_STATUS_OK))
        return;
    CHECK_STATUS(tael_fencer_check(g, 0, &v), TAEL_STATUS_STALE_EPOCH);
    CHECK(v.highest == 2);
    CHECK_STATUS(tael_fencer_refuses_epoch_zero(g, &flag), TAEL_STATUS_OK);
    CHECK(!flag);
    CHECK_STATUS(tael_fencer_counters(g, &c), TAEL_STATUS_OK);
    CHECK(!c.counting);
    tael_fencer_free(g);

    CHECK_STATUS(tael_registry_open_with_options(NULL, 3, true, &options, &r), TAEL_STATUS_NULL_POINTER);
    CHECK_STATUS(tael_registry_open_with_options(PATH(registry_path), true, &options, NULL),
                 TAEL_STATUS_NULL_POINTER);
    CHECK(r == NULL && access(registry_path, F_OK) != 0);
    if (!CHECK_STATUS(tael_registry_open_with_options(PATH(registry_path), true, &options, &r),
                      TAEL_STATUS_OK))
        return;
    CHECK_STATUS(tael_registry_add(r, LIT("wal-0"), 0), TAEL_STATUS_OK);
    CHECK_STATUS(tael_registry_check(r, LIT("nope"), 0, &v), TAEL_STATUS_INVALID_EPOCH);
    CHECK_STATUS(tael_registry_check(r, LIT("nope"), 1, &v), TAEL_STATUS_UNKNOWN_STREAM);
    CHECK_STATUS(tael_registry_check(r, LIT("wal-0"), 1, &v), TAEL_STATUS_ADVANCED);
    CHECK_STATUS(tael_registry_check(r, LIT("wal-0"), 1, &v), TAEL_STATUS_CURRENT);
    CHECK_STATUS(tael_registry_counters(r, &c), TAEL_STATUS_OK);
    CHECK(c.counting && c.advanced == 1 && c.current == 1 && c.stale_epoch == 0);
    CHECK_STATUS(tael_registry_refuses_epoch_zero(r, &flag), TAEL_STATUS_OK);
    CHECK(flag);
    tael_registry_free(r);
    r = NULL;
    if (!CHECK_STATUS(tael_registry_open(PATH(registry_path), false, &r), TAEL_STATUS_OK)) return;
    CHECK_STATUS(tael_registry_check(r, LIT("wal-0"), 0, &v), TAEL_STATUS_STALE_EPOCH);
    CHECK_STATUS(tael_registry_counters(r, &c), TAEL_STATUS_OK);
    CHECK(!c.counting);
    tael_registry_free(r);
}

void durable_run(void) {
    unsigned long before = tests_failed;
    const char *base = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/tael-c-durable-XXXXXX", base != NULL && *base ? base : "/tmp");
    if (!CHECK(mkdtemp(dir) != NULL)) return;
    gate_round_trip();
    gate_nulls();
    bad_paths();
    damaged_files();
    registry_round_trip();
    history_round_trip();
    holder_gate_round_trip();
    holder_gate_takes_over_a_gate_file();
    options_on_files();
    remove_all("gate");
    remove_all("nulls");
    remove_all("damaged");
    remove_all("registry");
    remove_all("history");
    remove_all("vote");
    remove_all("plain");
    remove_all("options-gate");
    remove_all("options-registry");
    CHECK(rmdir(dir) == 0); /* nothing else was left behind */
    printf("durable: %s\n", tests_failed == before ? "all as expected" : "FAILURES above");
}
