/*
 * suite: the one function every tests/check_MODULE.c defines. The shared
 * runner, tests/suite_main.c, is the main() of every suite binary: it
 * runs check_suite() (forking per test when CK_FORK=yes, as tests/run.sh
 * sets) and exits non-zero when a test failed. The Makefile compiles each
 * suite with -include suite.h, so the prototype is always in sight.
 */
#ifndef SIPCA_TESTS_SUITE_H
#define SIPCA_TESTS_SUITE_H

#include <check.h>

/* The module's test cases; a suite may hold several TCases. */
Suite *check_suite(void);

#endif
