/*
 * suite_main: the main() shared by every tests/check_MODULE binary, so
 * that each suite only says which tests it has (tests/suite.h).
 */
#include <stdlib.h>

#include <gnutls/gnutls.h>

#include "suite.h"

int
main(void)
{
	SRunner *sr;
	int failed;

	/* Explicit, so suites that make keys and certificates do not depend
	 * on the library's constructor having run. */
	gnutls_global_init();
	sr = srunner_create(check_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	gnutls_global_deinit();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
