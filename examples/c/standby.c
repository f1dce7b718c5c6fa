/* standby.c: a standby replica that fences its incoming record stream with tael-coord.
 *
 * Every record carries the epoch and the holder (node id) of the leader that wrote it. The
 * standby keeps a record only when its holder-aware gate admits the (epoch, holder) token, so
 * a deposed leader that keeps shipping after a failover, or a second node claiming the same
 * reign, cannot write to the replica.
 *
 * usage: standby            replay a built-in failover story
 *        standby FILE | -   read records from FILE (or stdin), one per line:
 *                           EPOCH HOLDER PAYLOAD...   (blank lines and # comments are skipped)
 *
 * Build (after `cargo build -p tael-coord-c`), from the repository root:
 *   cc -std=c11 examples/c/standby.c -Ibindings/c/include target/debug/libtael_coord.a \
 *      -lpthread -ldl -lm -o standby
 * or against an installed library (bash bindings/c/install.sh PREFIX):
 *   cc -std=c11 examples/c/standby.c $(pkg-config --cflags --libs tael_coord) -o standby
 * or with CMake and this directory's CMakeLists.txt (find_package(tael_coord CONFIG)).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tael_coord.h"

/* One stray epoch far in the future must not brick the gate: cap how far one record may jump. */
#define JUMP_CAP 1000

static const char *const STORY[] = {
    "1 node-a put x=1",
    "1 node-a put y=2",
    "# node-a stalls; node-b is elected and promotes to epoch 2",
    "2 node-b put x=10",
    "1 node-a put y=3",             /* the deposed leader is still shipping: stale */
    "2 node-c put x=99",            /* a second claimant of epoch 2: conflict */
    "999999 node-c put bogus",      /* a corrupted epoch: too far ahead */
    "2 node-b put z=7",
    "3 node-c put x=11",            /* node-c wins the next election */
    "not-an-epoch node-c put w=0",  /* malformed: skipped */
};

typedef struct {
    TaelHolderFencer *gate;
    unsigned long records, kept;
} Standby;

/* Judge one line; prints what the standby does with it. Returns 0 on an internal error. */
static int feed(Standby *s, const char *line, unsigned long lineno) {
    while (*line == ' ' || *line == '\t') line++;
    if (*line == '\0' || *line == '#') return 1;

    /* EPOCH HOLDER PAYLOAD */
    const char *epoch_end = strpbrk(line, " \t");
    const char *holder = epoch_end ? epoch_end + strspn(epoch_end, " \t") : NULL;
    const char *holder_end = holder ? holder + strcspn(holder, " \t") : NULL;
    if (holder == NULL || holder == holder_end) {
        printf("skip  line %lu: expected EPOCH HOLDER PAYLOAD\n", lineno);
        return 1;
    }
    const char *payload = holder_end + strspn(holder_end, " \t");

    uint64_t epoch = 0;
    if (tael_u64_parse(line, (size_t)(epoch_end - line), &epoch) != TAEL_STATUS_OK) {
        char why[256];
        tael_last_error_message(why, sizeof why);
        printf("skip  line %lu: %s\n", lineno, why);
        return 1;
    }

    s->records++;
    TaelVerdict v;
    int holder_len = (int)(holder_end - holder);
    TaelStatus status = tael_holder_fencer_check(s->gate, epoch, holder, (size_t)holder_len, &v);
    if (!tael_status_is_verdict(status)) {
        /* Not a verdict: the call failed (e.g. the holder is not a valid id). */
        char why[256];
        tael_last_error_message(why, sizeof why);
        printf("skip  line %lu: %s\n", lineno, why);
        return status != TAEL_STATUS_INTERNAL;
    }
    if (v.accepted) {
        s->kept++;
        printf("keep  epoch %llu from %.*s: %s\n", (unsigned long long)epoch, holder_len, holder,
               payload);
    } else if (status == TAEL_STATUS_CONFLICT) {
        printf("drop  epoch %llu from %.*s: %s (epoch %llu is held by %s)\n",
               (unsigned long long)epoch, holder_len, holder, tael_status_name(status),
               (unsigned long long)v.epoch, v.holder);
    } else if (status == TAEL_STATUS_CLOSED) {
        /* (Only a gate whose reign was closed, tael_holder_fencer_close, answers this.) */
        printf("drop  epoch %llu from %.*s: %s (%s closed the reign of epoch %llu)\n",
               (unsigned long long)epoch, holder_len, holder, tael_status_name(status), v.holder,
               (unsigned long long)v.epoch);
    } else {
        printf("drop  epoch %llu from %.*s: %s (the standby is at epoch %llu)\n",
               (unsigned long long)epoch, holder_len, holder, tael_status_name(status),
               (unsigned long long)v.highest);
    }
    return 1;
}

int main(int argc, char **argv) {
    Standby s = {tael_holder_fencer_new_with_jump_cap(0, JUMP_CAP), 0, 0};
    int ok = s.gate != NULL;
    unsigned long lineno = 0;

    if (ok && argc < 2) {
        for (size_t i = 0; ok && i < sizeof STORY / sizeof STORY[0]; i++) ok = feed(&s, STORY[i], ++lineno);
    } else if (ok) {
        FILE *in = strcmp(argv[1], "-") == 0 ? stdin : fopen(argv[1], "r");
        char line[4096];
        if (in == NULL) {
            perror(argv[1]);
            tael_holder_fencer_free(s.gate);
            return 2;
        }
        while (ok && fgets(line, sizeof line, in) != NULL) {
            line[strcspn(line, "\r\n")] = '\0';
            ok = feed(&s, line, ++lineno);
        }
        if (in != stdin) fclose(in);
    }

    TaelHolderState state;
    if (ok && tael_holder_fencer_state(s.gate, &state) == TAEL_STATUS_OK) {
        printf("kept %lu of %lu records; the standby is at epoch %llu, held by %s\n", s.kept,
               s.records, (unsigned long long)state.highest,
               state.has_holder ? state.holder : "nobody");
    } else {
        ok = 0;
    }
    tael_holder_fencer_free(s.gate);
    return ok ? 0 : 1;
}
