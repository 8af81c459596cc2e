/*
 * version: what --version says and the man page's footer shows, made
 * into $(BUILD)/version-gen.h by scripts/version.sh: git describe in a
 * clone, .tarball-version in a release tarball, $SIPCA_VERSION for a
 * package. The date is the version's, not the build's, so that every
 * build of one version makes the same page.
 */
#ifndef SIPCA_VERSION_H
#define SIPCA_VERSION_H

#include "version-gen.h"

#endif
