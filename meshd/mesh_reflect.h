// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * STAMP Session-Reflector I/O: one probe in, one reply out, on a UDP
 * socket bound to the STAMP port. Shared by meshd's reflector pthread and
 * the mesh-reflector process that outlives meshd under graceful restart.
 */
#ifndef MESH_REFLECT_H
#define MESH_REFLECT_H

#include "mesh_stamp.h"

/* comm of the process, as /proc/<pid>/comm shows it (15 characters at
 * most), and the name of its program and pid file; without "meshd" in
 * it, so that tools that find meshd by its pid file name do not take it
 * for meshd. */
#define MESH_REFLECTOR_NAME "mesh-reflector"

/*
 * Read one datagram from fd and answer it through the interface and
 * from the address it arrived on. 1: a reply was sent; 0: the datagram
 * was not a STAMP test packet, or the reply could not be sent; -1: recvmsg
 * failed (errno says why, EAGAIN on an empty non-blocking socket).
 */
int mesh_reflect_once(int fd, struct mesh_stamp_reflector *rf);

/* Options a reflector socket needs (IP_PKTINFO, IP_RECVTTL). */
int mesh_reflect_sockopts(int fd);

#endif
