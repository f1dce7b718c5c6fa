/* The C suite's small test kit: counted checks and the three parts of the suite. */
#ifndef TAEL_TEST_CHECK_H
#define TAEL_TEST_CHECK_H

#include <stddef.h>

#include "tael_coord.h"

/* Counted in the main thread only: worker threads collect, the main thread checks. */
extern unsigned long tests_passed;
extern unsigned long tests_failed;

/* Counts one check; prints it when it fails. Returns whether it passed. */
int check_at(int ok, const char *file, int line, const char *what);
#define CHECK(cond) check_at((cond) ? 1 : 0, __FILE__, __LINE__, #cond)

/* A status check that prints both names when it fails. */
int check_status_at(TaelStatus got, TaelStatus want, const char *file, int line, const char *call);
#define CHECK_STATUS(call, want) check_status_at((call), (want), __FILE__, __LINE__, #call)

/* This thread's last-error message (a static buffer) and its full length. */
const char *last_error(size_t *len);

/* Whether the last error is set and starts with the name of `status` and ": ". */
int last_error_is(TaelStatus status);

/* The parts of the suite. */
void corpus_run(const char *vectors_dir);
void bad_inputs_run(const char *vectors_dir);
void threads_run(void);
void durable_run(void);

#endif
