/*
 * version: what --version says and the man page's footer shows. The
 * date is the version's, not the build's, so that every build of one
 * version makes the same page (doc/sipca.1 is committed and compared).
 */
#ifndef SIPCA_VERSION_H
#define SIPCA_VERSION_H

#ifndef SIPCA_VERSION
#define SIPCA_VERSION "0.1.0"
#endif
#define SIPCA_VERSION_DATE "2026-12-02"

#endif
