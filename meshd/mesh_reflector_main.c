// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mesh-reflector: the STAMP Session-Reflector of a meshd with graceful
 * restart. meshd binds the STAMP port and starts this program with the
 * socket as descriptor 3; it answers probes until SIGTERM, including
 * while meshd itself is down, so that peers do not fail their tunnels to
 * a node whose data plane (wireguard-go, zebra's routes) is still
 * forwarding. The next meshd takes it over (mesh_tunnel.c, "Reflector").
 *
 *     mesh-reflector EE      EE: the STAMP error estimate to send
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mesh_reflect.h"

#define REFLECTOR_FD 3

int main(int argc, char **argv)
{
	struct mesh_stamp_reflector rf = {};
	unsigned long ee;
	char *end;
	int type = 0, flags;
	socklen_t len = sizeof(type);

	if (argc != 2) {
		fprintf(stderr, "usage: %s EE (UDP socket as descriptor 3)\n",
			argv[0]);
		return 2;
	}
	errno = 0;
	ee = strtoul(argv[1], &end, 0);
	if (errno || *end || ee > 0xffff) {
		fprintf(stderr, "%s: bad error estimate %s\n", argv[0],
			argv[1]);
		return 2;
	}
	rf.ee = (uint16_t)ee;
	if (getsockopt(REFLECTOR_FD, SOL_SOCKET, SO_TYPE, &type, &len) < 0 ||
	    type != SOCK_DGRAM) {
		fprintf(stderr, "%s: descriptor 3 is not a UDP socket\n",
			argv[0]);
		return 2;
	}
	flags = fcntl(REFLECTOR_FD, F_GETFL);
	if (flags < 0 ||
	    fcntl(REFLECTOR_FD, F_SETFL, flags & ~O_NONBLOCK) < 0 ||
	    mesh_reflect_sockopts(REFLECTOR_FD) < 0) {
		perror(argv[0]);
		return 1;
	}
	for (;;)
		if (mesh_reflect_once(REFLECTOR_FD, &rf) < 0 &&
		    errno != EINTR && errno != EAGAIN) {
			perror(argv[0]);
			return 1;
		}
}
