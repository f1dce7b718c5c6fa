#define _POSIX_C_SOURCE 199309L
/* P4: the gate check through the C ABI, as nanoseconds per call (median of rounds), printed as
 * one JSON line. scripts/bench compares it with the same call in Rust (benches/core.rs).
 *   cc -O2 bindings/c/bench/gate.c -Ibindings/c/include target/release/libtael_coord.a \
 *      -lpthread -ldl -lm -o gate && ./gate [--quick] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tael_coord.h"

static double now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
    const long iters = quick ? 2000000 : 20000000;
    enum { ROUNDS = 11 };
    double samples[ROUNDS];
    TaelFencer *fencer = tael_fencer_new(7);
    if (!fencer) return 1;
    volatile uint64_t epoch = 7;
    long accepted = 0;
    for (int r = 0; r < ROUNDS; r++) {
        double t0 = now_ns();
        for (long i = 0; i < iters; i++) {
            bool ok = false;
            if (tael_fencer_check_and_advance(fencer, epoch, &ok) != TAEL_STATUS_OK) return 1;
            accepted += ok;
        }
        samples[r] = (now_ns() - t0) / (double)iters;
    }
    tael_fencer_free(fencer);
    qsort(samples, ROUNDS, sizeof samples[0], by_value);
    if (accepted != (long)ROUNDS * iters) return 1;
    printf("{\"check_current_ns\": %.4f}\n", samples[ROUNDS / 2]);
    return 0;
}
