// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meshd error catalogue: every error meshd logs with flog_err() or
 * flog_warn() has a code here, so 'show error <code>' explains it.
 */
#ifndef MESH_ERRORS_H
#define MESH_ERRORS_H

#include "lib/ferr.h"

/* libfrr's ferr.h hands out ranges per daemon; 0x12 is the next free one
 * after pathd's. */
#define MESH_FERR_START 0x12000001
#define MESH_FERR_END 0x12FFFFFF

enum mesh_log_refs {
	/* Codes are added with the subsystem that logs them. */
	EC_MESH_CONFIG = MESH_FERR_START,
	EC_MESH_TUNNEL,
};

void mesh_error_init(void);

#endif /* MESH_ERRORS_H */
