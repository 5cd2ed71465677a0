// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * STAMP Session-Reflector I/O (RFC 8762 4.3, stateless): see
 * mesh_reflect.h. Only system calls and the codec of mesh_stamp.c, so the
 * mesh-reflector program links it without libfrr.
 */
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "mesh_reflect.h"

int mesh_reflect_sockopts(int fd)
{
	int on = 1;

	if (setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on)) < 0 ||
	    setsockopt(fd, IPPROTO_IP, IP_RECVTTL, &on, sizeof(on)) < 0)
		return -1;
	return 0;
}

int mesh_reflect_once(int fd, struct mesh_stamp_reflector *rf)
{
	uint8_t in[MESH_STAMP_MAX_LEN], out[MESH_STAMP_MAX_LEN];
	char cbuf[CMSG_SPACE(sizeof(struct in_pktinfo)) +
		  CMSG_SPACE(sizeof(int))];
	struct sockaddr_in from;
	struct iovec iov = {.iov_base = in, .iov_len = sizeof(in)};
	struct msghdr msg = {.msg_name = &from,
			     .msg_namelen = sizeof(from),
			     .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf)};
	struct in_pktinfo pi = {};
	uint8_t ttl = 0;
	size_t olen;
	ssize_t n;
	uint64_t t2;

	n = recvmsg(fd, &msg, 0);
	if (n < 0)
		return -1;
	t2 = mesh_stamp_ntp_now();
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c;
	     c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO)
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
		else if (c->cmsg_level == IPPROTO_IP &&
			 c->cmsg_type == IP_TTL) {
			int v;

			memcpy(&v, CMSG_DATA(c), sizeof(v));
			ttl = (uint8_t)v;
		}
	}
	if (mesh_stamp_reflect(rf, in, (size_t)n, t2, mesh_stamp_ntp_now(), ttl,
			       out, sizeof(out), &olen) != MESH_STAMP_OK)
		return 0;

	/* Reply from the address and interface the probe arrived on. */
	struct in_pktinfo spi = {.ipi_ifindex = pi.ipi_ifindex,
				 .ipi_spec_dst = pi.ipi_addr};
	char obuf[CMSG_SPACE(sizeof(spi))];
	struct iovec oiov = {.iov_base = out, .iov_len = olen};
	struct msghdr om = {.msg_name = &from,
			    .msg_namelen = sizeof(from),
			    .msg_iov = &oiov,
			    .msg_iovlen = 1,
			    .msg_control = obuf,
			    .msg_controllen = sizeof(obuf)};
	struct cmsghdr *oc;

	memset(obuf, 0, sizeof(obuf));
	oc = CMSG_FIRSTHDR(&om);
	oc->cmsg_level = IPPROTO_IP;
	oc->cmsg_type = IP_PKTINFO;
	oc->cmsg_len = CMSG_LEN(sizeof(spi));
	memcpy(CMSG_DATA(oc), &spi, sizeof(spi));
	return sendmsg(fd, &om, 0) > 0 ? 1 : 0;
}
