// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The few rtnetlink requests the tunnel drivers make: a point-to-point
 * address on a tunnel interface, and VXLAN interfaces for trusted
 * underlays (mesh_netlink.c). Each request is one message answered by
 * the kernel's acknowledgement; failures return a negative errno with
 * the operation and interface named in err. libc only, so unit tests
 * link it directly.
 */
#ifndef MESH_NETLINK_H
#define MESH_NETLINK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Local and peer in network byte order, both /32; replaces. */
int mesh_nl_addr_p2p(const char *ifname, uint32_t local, uint32_t peer,
		     char *err, size_t errlen);
/* Remove that address (and with it the kernel's route to peer through
 * ifname); -EADDRNOTAVAIL if it is not there. */
int mesh_nl_addr_p2p_del(const char *ifname, uint32_t local, uint32_t peer,
			 char *err, size_t errlen);

/* A VXLAN interface with one unicast remote: vni (24 bits), local and
 * remote IPv4 addresses in network byte order, UDP port in host order
 * (both the one it listens on and the one it sends to). */
int mesh_nl_vxlan_add(const char *ifname, uint32_t vni, uint32_t local,
		      uint32_t remote, uint16_t port, unsigned int mtu,
		      char *err, size_t errlen);

/* Remove an interface by name; -ENODEV if there is none. */
int mesh_nl_link_del(const char *ifname, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* MESH_NETLINK_H */
