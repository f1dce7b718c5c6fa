/* The C suite: the whole conformance corpus, a bad-input matrix, a threads test and the
 * durable gates.
 *
 * usage: suite VECTORS_DIR
 * Prints `N passed, N failed` alone on its last line; exits 0 only when nothing failed. */
#include <stdio.h>
#include <string.h>

#include "check.h"

unsigned long tests_passed = 0;
unsigned long tests_failed = 0;

int check_at(int ok, const char *file, int line, const char *what) {
    if (ok) {
        tests_passed++;
    } else {
        tests_failed++;
        fprintf(stderr, "FAIL %s:%d: %s\n", file, line, what);
    }
    return ok;
}

int check_status_at(TaelStatus got, TaelStatus want, const char *file, int line, const char *call) {
    if (got == want) {
        tests_passed++;
        return 1;
    }
    tests_failed++;
    fprintf(stderr, "FAIL %s:%d: %s returned %s (%u), expected %s (%u); last error: %s\n", file,
            line, call, tael_status_name(got), (unsigned)got, tael_status_name(want),
            (unsigned)want, last_error(NULL));
    return 0;
}

const char *last_error(size_t *len) {
    static _Thread_local char buf[1024];
    size_t n = tael_last_error_message(buf, sizeof buf);
    if (len != NULL) {
        *len = n;
    }
    return buf;
}

int last_error_is(TaelStatus status) {
    const char *name = tael_status_name(status);
    size_t n = 0;
    const char *message = last_error(&n);
    size_t k = strlen(name);
    return n > k + 2 && strncmp(message, name, k) == 0 && message[k] == ':' && message[k + 1] == ' ';
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s VECTORS_DIR\n", argv[0]);
        return 2;
    }
    corpus_run(argv[1]);
    bad_inputs_run(argv[1]);
    threads_run();
    durable_run();
    printf("%lu passed, %lu failed\n", tests_passed, tests_failed);
    return tests_failed == 0 ? 0 : 1;
}
