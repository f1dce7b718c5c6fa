/* Threads: several threads hammer one gate (and one holder gate, one registry, two epoch
 * histories, a counting holder gate that closes reigns, in memory and in a file) at once.
 * Workers only record what they saw; the main thread checks it after joining, so no check
 * depends on timing and no sleep is needed (a barrier starts the workers together). */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

#define THREADS 4
#define CHECKS 20000    /* per thread, on the shared epoch gate */
#define PROMOTES 2000   /* per thread, on each gate */
#define STREAM_OPS 2000 /* per thread, on the registry */
#define REIGNS 500      /* per thread, on each of two epoch histories */
#define TOKENS 5000     /* per thread, on the counting holder gate in memory */
#define FILE_TOKENS 300 /* per thread, on the counting holder gate in a file */
#define VERDICTS 24     /* verdict codes are below this */

static pthread_barrier_t start;

typedef struct {
    int id;
    TaelFencer *gate;
    TaelHolderFencer *holder_gate;
    TaelRegistry *registry;
    TaelEpochHistory *histories[2];
    /* what the worker saw */
    uint64_t max_offered;
    unsigned long accepted, rejected, advanced, errors, inconsistent, out_of_order;
    uint64_t promoted[PROMOTES];
    uint64_t holder_promoted[PROMOTES];
    /* the counting holder gate: tokens to offer, and each check's verdict counted by code */
    int tokens;
    unsigned long seen[VERDICTS];
    unsigned long closes, refused_zero;
} Worker;

/* xorshift64: a reproducible stream of offered epochs per thread. */
static uint64_t next_random(uint64_t *state) {
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}

static void *check_worker(void *arg) {
    Worker *w = arg;
    uint64_t rng = 0x9E3779B97F4A7C15u * (uint64_t)(w->id + 1);
    uint64_t last_accepted = 0;
    pthread_barrier_wait(&start);
    for (int i = 0; i < CHECKS; i++) {
        /* Mostly rising epochs with stragglers, as a failover storm looks. */
        uint64_t epoch = (uint64_t)i * 8 + next_random(&rng) % 64;
        if (epoch > w->max_offered) w->max_offered = epoch;
        int accepted;
        if ((i + w->id) % 2 == 0) {
            bool ok = false;
            if (tael_fencer_check_and_advance(w->gate, epoch, &ok) != TAEL_STATUS_OK) {
                w->errors++;
                continue;
            }
            accepted = ok;
        } else {
            TaelVerdict v;
            TaelStatus status = tael_fencer_check(w->gate, epoch, &v);
            if (!tael_status_is_verdict(status)) {
                w->errors++;
                continue;
            }
            accepted = v.accepted;
            if (status != v.code || v.epoch != epoch ||
                (status == TAEL_STATUS_ADVANCED && !(v.from < v.highest && v.highest == epoch)) ||
                (status == TAEL_STATUS_STALE_EPOCH && !(epoch < v.highest)) ||
                (status == TAEL_STATUS_CURRENT && v.highest != epoch))
                w->inconsistent++;
            if (status == TAEL_STATUS_ADVANCED) w->advanced++;
        }
        if (accepted) {
            /* The gate never moves down, so one thread's accepted epochs never decrease. */
            if (epoch < last_accepted) w->out_of_order++;
            last_accepted = epoch;
            w->accepted++;
        } else {
            w->rejected++;
        }
    }
    return NULL;
}

static void *promote_worker(void *arg) {
    Worker *w = arg;
    char holder[16];
    int n = snprintf(holder, sizeof holder, "node-%d", w->id);
    pthread_barrier_wait(&start);
    for (int i = 0; i < PROMOTES; i++) {
        if (tael_fencer_promote(w->gate, &w->promoted[i]) != TAEL_STATUS_OK) w->errors++;
        if (tael_holder_fencer_promote(w->holder_gate, holder, (size_t)n, &w->holder_promoted[i]) !=
            TAEL_STATUS_OK)
            w->errors++;
        if (i > 0 && (w->promoted[i] <= w->promoted[i - 1] ||
                      w->holder_promoted[i] <= w->holder_promoted[i - 1]))
            w->out_of_order++;
    }
    return NULL;
}

static void *registry_worker(void *arg) {
    Worker *w = arg;
    char own[16];
    int n = snprintf(own, sizeof own, "own-%d", w->id);
    uint64_t rng = 0xD1B54A32D192ED03u * (uint64_t)(w->id + 1);
    pthread_barrier_wait(&start);
    for (int i = 0; i < STREAM_OPS; i++) {
        uint64_t epoch = next_random(&rng) % 1000000;
        uint64_t highest = 0;
        TaelVerdict v;
        char *snapshot = NULL;
        if (epoch > w->max_offered) w->max_offered = epoch;
        if (!tael_status_is_verdict(tael_registry_check(w->registry, "shared", 6, epoch, &v)))
            w->errors++;
        /* Add, check and remove this thread's own stream while the others do the same. */
        if (tael_registry_add(w->registry, own, (size_t)n, (uint64_t)i) != TAEL_STATUS_OK) w->errors++;
        if (tael_registry_check(w->registry, own, (size_t)n, (uint64_t)i, &v) != TAEL_STATUS_CURRENT)
            w->inconsistent++;
        if (tael_registry_snapshot_alloc(w->registry, &snapshot) != TAEL_STATUS_OK ||
            strstr(snapshot, own) == NULL)
            w->inconsistent++;
        tael_string_free(snapshot);
        if (tael_registry_remove(w->registry, own, (size_t)n, &highest) != TAEL_STATUS_OK ||
            highest != (uint64_t)i)
            w->inconsistent++;
    }
    return NULL;
}

/* Every thread assigns the same reigns, (k, 10k) for k = 1..REIGNS, to two histories, while
 * reading them and asking for their divergence point (naming the two in either order, and one
 * as both). Whatever the interleaving, every entry is some (k, 10k), so every answer is a
 * multiple of 10. */
static void *history_worker(void *arg) {
    Worker *w = arg;
    const uint64_t log_end = 10 * (uint64_t)REIGNS;
    TaelEpochHistory *a = w->histories[w->id % 2], *b = w->histories[1 - w->id % 2];
    pthread_barrier_wait(&start);
    for (uint64_t k = 1; k <= REIGNS; k++) {
        bool changed = false;
        uint64_t e = 0, end = 0, offset = 0;
        TaelTruncation t;
        if (tael_epoch_history_assign(a, k, 10 * k, NULL, 0, &changed) != TAEL_STATUS_OK ||
            tael_epoch_history_assign(b, k, 10 * k, NULL, 0, &changed) != TAEL_STATUS_OK)
            w->errors++;
        TaelStatus status = tael_epoch_history_end_offset_for(a, k, log_end, &e, &end);
        if (status == TAEL_STATUS_OK) {
            if (e > k || end % 10 != 0 || end > log_end) w->inconsistent++;
        } else if (status != TAEL_STATUS_UNDEFINED_EPOCH) {
            w->errors++;
        }
        if (tael_divergence_point(a, log_end, b, log_end, &offset) != TAEL_STATUS_OK) {
            w->errors++;
        } else if (offset % 10 != 0) {
            w->inconsistent++;
        }
        /* One handle as both sides is read once: it never diverges from itself. */
        if (tael_divergence_point(b, log_end, b, log_end, &offset) != TAEL_STATUS_OK ||
            offset != log_end)
            w->inconsistent++;
        if (tael_follower_step(a, log_end, true, k, log_end, &t) != TAEL_STATUS_OK) {
            w->errors++;
        } else if (t.offset % 10 != 0) {
            w->inconsistent++;
        }
    }
    return NULL;
}

/* Tokens (k, own holder) for rising k on one counting holder gate that refuses epoch 0, with
 * a close of the thread's own reign now and then and an epoch 0 now and then; each check's
 * verdict is counted by code, to be compared with the gate's own counters. */
static void *token_worker(void *arg) {
    Worker *w = arg;
    char holder[16];
    int n = snprintf(holder, sizeof holder, "node-%d", w->id);
    pthread_barrier_wait(&start);
    for (int k = 1; k <= w->tokens; k++) {
        TaelVerdict v;
        TaelStatus status = tael_holder_fencer_check(w->holder_gate, (uint64_t)k, holder, (size_t)n, &v);
        if (!tael_status_is_verdict(status) || status >= VERDICTS) {
            w->errors++;
            continue;
        }
        w->seen[status]++;
        /* CLOSED and CONFLICT name a holder; a closed reign is one of the threads'. */
        if ((status == TAEL_STATUS_CLOSED || status == TAEL_STATUS_CONFLICT) &&
            strncmp(v.holder, "node-", 5) != 0)
            w->inconsistent++;
        if (status == TAEL_STATUS_ADVANCED && !(v.from < v.highest && v.highest == (uint64_t)k))
            w->inconsistent++;
        if ((k + w->id) % 16 == 0) {
            status = tael_holder_fencer_close(w->holder_gate, (uint64_t)k, holder, (size_t)n, &v);
            if (!tael_status_is_verdict(status) || status == TAEL_STATUS_CURRENT ||
                status == TAEL_STATUS_ADVANCED)
                w->inconsistent++; /* a close is never accepted */
            w->closes++;
        }
        if ((k + w->id) % 32 == 0) {
            if (tael_holder_fencer_check(w->holder_gate, 0, holder, (size_t)n, &v) ==
                TAEL_STATUS_INVALID_EPOCH)
                w->refused_zero++;
            else
                w->inconsistent++;
        }
    }
    return NULL;
}

/* The workers' verdicts, summed by code, are the gate's counters; the gate ends at the
 * highest epoch offered. */
static void check_tokens(const char *what, Worker *workers, TaelHolderFencer *h, int tokens) {
    unsigned long seen[VERDICTS] = {0}, checks = 0, closes = 0;
    for (int i = 0; i < THREADS; i++) {
        CHECK(workers[i].errors == 0 && workers[i].inconsistent == 0);
        CHECK(workers[i].refused_zero > 0);
        for (int c = 0; c < VERDICTS; c++) seen[c] += workers[i].seen[c];
        closes += workers[i].closes;
    }
    for (int c = 0; c < VERDICTS; c++) checks += seen[c];
    TaelCounters counters;
    TaelHolderState st;
    CHECK_STATUS(tael_holder_fencer_counters(h, &counters), TAEL_STATUS_OK);
    CHECK(counters.counting && checks == (unsigned long)THREADS * (unsigned long)tokens);
    CHECK(counters.current == seen[TAEL_STATUS_CURRENT] && counters.advanced == seen[TAEL_STATUS_ADVANCED] &&
          counters.stale_epoch == seen[TAEL_STATUS_STALE_EPOCH] &&
          counters.too_far_ahead == seen[TAEL_STATUS_TOO_FAR_AHEAD] &&
          counters.conflict == seen[TAEL_STATUS_CONFLICT] && counters.closed == seen[TAEL_STATUS_CLOSED]);
    CHECK(counters.advanced > 0);
    CHECK_STATUS(tael_holder_fencer_state(h, &st), TAEL_STATUS_OK);
    CHECK(st.highest == (uint64_t)tokens && st.has_holder);
    printf("threads: %d threads x %d tokens on one counting holder gate %s: %lu checks counted "
           "(%llu closed), %lu closes\n",
           THREADS, tokens, what, checks, (unsigned long long)counters.closed, closes);
}

/* Every entry of `h` is (k, 10k), and the latest is (REIGNS, 10 REIGNS). */
static int history_ends_well(const TaelEpochHistory *h) {
    size_t len = 0;
    TaelEpochEntryCopy e;
    if (tael_epoch_history_len(h, &len) != TAEL_STATUS_OK || len == 0) return 0;
    for (size_t i = 0; i < len; i++) {
        if (tael_epoch_history_entry(h, i, &e) != TAEL_STATUS_OK || e.start_offset != 10 * e.epoch ||
            e.has_holder)
            return 0;
    }
    return e.epoch == REIGNS;
}

static int run_workers(void *(*body)(void *), Worker *workers) {
    pthread_t threads[THREADS];
    int started = 0;
    if (pthread_barrier_init(&start, NULL, THREADS) != 0) return 0;
    for (int i = 0; i < THREADS; i++) {
        if (pthread_create(&threads[i], NULL, body, &workers[i]) == 0) started++;
    }
    for (int i = 0; i < started; i++) pthread_join(threads[i], NULL);
    pthread_barrier_destroy(&start);
    return started == THREADS;
}

static int by_value(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Every epoch 1..THREADS*PROMOTES handed out exactly once across all threads. */
static int each_epoch_once(Worker *workers, int holder) {
    const size_t n = (size_t)THREADS * PROMOTES;
    uint64_t *all = malloc(n * sizeof *all);
    int ok = all != NULL;
    for (int t = 0; ok && t < THREADS; t++)
        memcpy(all + (size_t)t * PROMOTES, holder ? workers[t].holder_promoted : workers[t].promoted,
               PROMOTES * sizeof *all);
    if (ok) qsort(all, n, sizeof *all, by_value);
    for (size_t i = 0; ok && i < n; i++) ok = all[i] == i + 1;
    free(all);
    return ok;
}

static void *last_error_worker(void *arg) {
    size_t *seen = arg;
    /* A new thread starts with no last error, whatever other threads did. */
    seen[0] = tael_last_error_message(NULL, 0);
    tael_fencer_promote(NULL, NULL);
    seen[1] = tael_last_error_message(NULL, 0);
    return NULL;
}

void threads_run(void) {
    static Worker workers[THREADS];
    unsigned long before = tests_failed;

    /* 1. check and check_and_advance on one gate, which counts its verdicts. */
    const TaelGateOptions count = {false, 0, false, true};
    TaelFencer *gate = tael_fencer_new_with_options(0, &count);
    if (!CHECK(gate != NULL)) return;
    memset(workers, 0, sizeof workers);
    for (int i = 0; i < THREADS; i++) workers[i] = (Worker){.id = i, .gate = gate};
    CHECK(run_workers(check_worker, workers));
    uint64_t max_offered = 0, highest = 0;
    unsigned long accepted = 0, advanced = 0;
    for (int i = 0; i < THREADS; i++) {
        CHECK(workers[i].errors == 0);
        CHECK(workers[i].inconsistent == 0);
        CHECK(workers[i].out_of_order == 0); /* each thread's accepted epochs never decrease */
        CHECK(workers[i].accepted + workers[i].rejected == CHECKS);
        if (workers[i].max_offered > max_offered) max_offered = workers[i].max_offered;
        accepted += workers[i].accepted;
        advanced += workers[i].advanced;
    }
    CHECK_STATUS(tael_fencer_highest(gate, &highest), TAEL_STATUS_OK);
    CHECK(highest == max_offered); /* the gate ends at the largest epoch anyone offered */
    CHECK(accepted > 0 && advanced > 0);
    /* Every check counted once: the accepted ones as CURRENT or ADVANCED, the rest as stale. */
    TaelCounters counters;
    CHECK_STATUS(tael_fencer_counters(gate, &counters), TAEL_STATUS_OK);
    CHECK(counters.counting && counters.current + counters.advanced == accepted &&
          counters.stale_epoch == (unsigned long)THREADS * CHECKS - accepted &&
          counters.advanced >= advanced && counters.too_far_ahead == 0 && counters.conflict == 0 &&
          counters.closed == 0);
    printf("threads: %d threads x %d checks on one gate: %lu accepted, highest %llu = max offered\n",
           THREADS, CHECKS, accepted, (unsigned long long)highest);
    tael_fencer_free(gate);

    /* 2. promote from every thread: every epoch exactly once, on both gates. */
    gate = tael_fencer_new(0);
    TaelHolderFencer *holder_gate = tael_holder_fencer_new(0);
    if (!CHECK(gate != NULL && holder_gate != NULL)) return;
    memset(workers, 0, sizeof workers);
    for (int i = 0; i < THREADS; i++)
        workers[i] = (Worker){.id = i, .gate = gate, .holder_gate = holder_gate};
    CHECK(run_workers(promote_worker, workers));
    for (int i = 0; i < THREADS; i++) CHECK(workers[i].errors == 0 && workers[i].out_of_order == 0);
    CHECK(each_epoch_once(workers, 0));
    CHECK(each_epoch_once(workers, 1));
    CHECK_STATUS(tael_fencer_highest(gate, &highest), TAEL_STATUS_OK);
    CHECK(highest == (uint64_t)THREADS * PROMOTES);
    TaelHolderState st;
    CHECK_STATUS(tael_holder_fencer_state(holder_gate, &st), TAEL_STATUS_OK);
    CHECK(st.highest == (uint64_t)THREADS * PROMOTES && st.has_holder);
    tael_fencer_free(gate);
    tael_holder_fencer_free(holder_gate);

    /* 3. one registry: a shared stream checked by all, own streams added and removed. */
    TaelRegistry *registry = tael_registry_new();
    if (!CHECK(registry != NULL)) return;
    CHECK_STATUS(tael_registry_add(registry, "shared", 6, 0), TAEL_STATUS_OK);
    memset(workers, 0, sizeof workers);
    for (int i = 0; i < THREADS; i++) workers[i] = (Worker){.id = i, .registry = registry};
    CHECK(run_workers(registry_worker, workers));
    max_offered = 0;
    for (int i = 0; i < THREADS; i++) {
        CHECK(workers[i].errors == 0 && workers[i].inconsistent == 0);
        if (workers[i].max_offered > max_offered) max_offered = workers[i].max_offered;
    }
    size_t streams = 0;
    CHECK_STATUS(tael_registry_highest(registry, "shared", 6, &highest), TAEL_STATUS_OK);
    CHECK(highest == max_offered);
    CHECK_STATUS(tael_registry_len(registry, &streams), TAEL_STATUS_OK);
    CHECK(streams == 1);
    tael_registry_free(registry);

    /* 4. two epoch histories: assigns, reads and divergence points from every thread. */
    TaelEpochHistory *histories[2] = {NULL, NULL};
    if (!CHECK(tael_epoch_history_new(NULL, 0, &histories[0]) == TAEL_STATUS_OK &&
               tael_epoch_history_new(NULL, 0, &histories[1]) == TAEL_STATUS_OK)) {
        tael_epoch_history_free(histories[0]);
        return;
    }
    memset(workers, 0, sizeof workers);
    for (int i = 0; i < THREADS; i++)
        workers[i] = (Worker){.id = i, .histories = {histories[0], histories[1]}};
    CHECK(run_workers(history_worker, workers));
    for (int i = 0; i < THREADS; i++) CHECK(workers[i].errors == 0 && workers[i].inconsistent == 0);
    /* Each thread's last assign was (REIGNS, 10 REIGNS): whatever came before, it is the latest. */
    CHECK(history_ends_well(histories[0]));
    CHECK(history_ends_well(histories[1]));
    printf("threads: %d threads x %d reigns on two histories: each ends at reign %d\n", THREADS,
           REIGNS, REIGNS);
    tael_epoch_history_free(histories[0]);
    tael_epoch_history_free(histories[1]);

    /* 5. a counting holder gate refusing epoch 0, with closes, in memory and in a file. */
    const TaelGateOptions options = {false, 0, true, true};
    TaelHolderFencer *counting = NULL;
    if (CHECK_STATUS(tael_holder_fencer_new_with_options(0, NULL, 0, &options, &counting),
                     TAEL_STATUS_OK)) {
        memset(workers, 0, sizeof workers);
        for (int i = 0; i < THREADS; i++)
            workers[i] = (Worker){.id = i, .holder_gate = counting, .tokens = TOKENS};
        CHECK(run_workers(token_worker, workers));
        check_tokens("in memory", workers, counting, TOKENS);
        tael_holder_fencer_free(counting);
    }
    char dir[256], path[300];
    const char *base = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/tael-c-threads-XXXXXX", base != NULL && *base ? base : "/tmp");
    if (CHECK(mkdtemp(dir) != NULL)) {
        int n = snprintf(path, sizeof path, "%s/vote", dir);
        counting = NULL;
        if (CHECK_STATUS(tael_holder_fencer_open_with_options(path, (size_t)n, true, &options, &counting),
                         TAEL_STATUS_OK)) {
            memset(workers, 0, sizeof workers);
            for (int i = 0; i < THREADS; i++)
                workers[i] = (Worker){.id = i, .holder_gate = counting, .tokens = FILE_TOKENS};
            CHECK(run_workers(token_worker, workers));
            check_tokens("in a file", workers, counting, FILE_TOKENS);
            /* Reopened: the reign the handle ended with is the file's. */
            TaelHolderState before, after;
            bool closed_before = false, closed_after = true;
            CHECK_STATUS(tael_holder_fencer_state(counting, &before), TAEL_STATUS_OK);
            CHECK_STATUS(tael_holder_fencer_closed(counting, &closed_before), TAEL_STATUS_OK);
            tael_holder_fencer_free(counting);
            counting = NULL;
            if (CHECK_STATUS(tael_holder_fencer_open(path, (size_t)n, false, &counting), TAEL_STATUS_OK)) {
                CHECK_STATUS(tael_holder_fencer_state(counting, &after), TAEL_STATUS_OK);
                CHECK_STATUS(tael_holder_fencer_closed(counting, &closed_after), TAEL_STATUS_OK);
                CHECK(after.highest == before.highest && after.has_holder == before.has_holder &&
                      strcmp(after.holder, before.holder) == 0 && closed_after == closed_before);
                tael_holder_fencer_free(counting);
            }
            char lock[310];
            snprintf(lock, sizeof lock, "%s.lock", path);
            unlink(path);
            unlink(lock);
        }
        CHECK(rmdir(dir) == 0);
    }

    /* 6. the last error is per thread. */
    size_t seen[2] = {99, 0};
    pthread_t t;
    CHECK_STATUS(tael_fencer_highest(NULL, NULL), TAEL_STATUS_NULL_POINTER);
    size_t mine = tael_last_error_message(NULL, 0);
    CHECK(pthread_create(&t, NULL, last_error_worker, seen) == 0 && pthread_join(t, NULL) == 0);
    CHECK(seen[0] == 0 && seen[1] > 0);
    CHECK(tael_last_error_message(NULL, 0) == mine && last_error_is(TAEL_STATUS_NULL_POINTER));

    printf("threads: %s\n", tests_failed == before ? "all as expected" : "FAILURES above");
}
