// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rtnetlink requests of the tunnel drivers (see mesh_netlink.h).
 *
 * A request is built in one fixed buffer: header, family message, then
 * attributes appended with mesh_nl_put(); nested attributes are opened
 * with mesh_nl_nest() and closed with mesh_nl_nest_end(). An attribute
 * that would not fit marks the request as overflowed and it is never
 * sent.
 */
#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "bgpd-ext/mesh_buf.h"
#include "meshd/mesh_netlink.h"

struct mesh_nl_req {
	union {
		struct nlmsghdr h;
		char buf[512];
	};
	bool overflow;
};

static void *mesh_nl_init(struct mesh_nl_req *r, uint16_t type, uint16_t flags,
			  size_t fam_len)
{
	memset(r, 0, sizeof(*r));
	r->h.nlmsg_len = NLMSG_LENGTH(fam_len);
	r->h.nlmsg_type = type;
	r->h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	r->h.nlmsg_seq = 1;
	return NLMSG_DATA(&r->h);
}

static struct rtattr *mesh_nl_put(struct mesh_nl_req *r, uint16_t type,
				  const void *data, size_t len)
{
	struct rtattr *rta;

	if (NLMSG_ALIGN(r->h.nlmsg_len) + RTA_SPACE(len) > sizeof(r->buf)) {
		r->overflow = true;
		return NULL;
	}
	rta = (struct rtattr *)(r->buf + NLMSG_ALIGN(r->h.nlmsg_len));
	rta->rta_type = type;
	rta->rta_len = RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(rta), data, len);
	r->h.nlmsg_len = NLMSG_ALIGN(r->h.nlmsg_len) + RTA_SPACE(len);
	return rta;
}

static struct rtattr *mesh_nl_nest(struct mesh_nl_req *r, uint16_t type)
{
	return mesh_nl_put(r, type, NULL, 0);
}

static void mesh_nl_nest_end(struct mesh_nl_req *r, struct rtattr *nest)
{
	if (nest)
		nest->rta_len =
			(unsigned short)(r->buf + NLMSG_ALIGN(r->h.nlmsg_len) -
					 (char *)nest);
}

/* Send the request and read the kernel's acknowledgement. */
static int mesh_nl_talk(struct mesh_nl_req *r, const char *what,
			const char *ifname, char *err, size_t errlen)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	union {
		struct nlmsghdr h;
		char buf[1024];
	} ans;
	ssize_t n;
	int fd, e;

	if (r->overflow) {
		mesh_errf(err, errlen, "%s: %s: request too large", ifname,
			  what);
		return -EMSGSIZE;
	}
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0) {
		e = errno;
		mesh_errf(err, errlen, "netlink socket: %s", strerror(e));
		return -e;
	}
	if (sendto(fd, r->buf, r->h.nlmsg_len, 0, (struct sockaddr *)&sa,
		   sizeof(sa)) < 0) {
		e = errno;
		close(fd);
		mesh_errf(err, errlen, "%s: %s: %s", ifname, what, strerror(e));
		return -e;
	}
	n = recv(fd, &ans, sizeof(ans), 0);
	e = n < 0 ? errno : 0;
	close(fd);
	if (n < (ssize_t)NLMSG_LENGTH(sizeof(struct nlmsgerr)) ||
	    ans.h.nlmsg_type != NLMSG_ERROR) {
		mesh_errf(err, errlen, "%s: %s: no answer (%s)", ifname, what,
			  e ? strerror(e) : "short reply");
		return e ? -e : -EPROTO;
	}
	e = -((struct nlmsgerr *)NLMSG_DATA(&ans.h))->error;
	if (e) {
		mesh_errf(err, errlen, "%s: %s: %s", ifname, what, strerror(e));
		return -e;
	}
	return 0;
}

static int mesh_nl_addr(int type, const char *ifname, uint32_t local,
			uint32_t peer, char *err, size_t errlen)
{
	struct mesh_nl_req r;
	struct ifaddrmsg *ifa;
	unsigned int ifindex = if_nametoindex(ifname);

	if (!ifindex) {
		int e = errno;

		mesh_errf(err, errlen, "%s: %s", ifname, strerror(e));
		return -e;
	}
	ifa = mesh_nl_init(&r, type,
			   type == RTM_NEWADDR ? NLM_F_CREATE | NLM_F_REPLACE
					       : 0,
			   sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = 32;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = ifindex;
	mesh_nl_put(&r, IFA_LOCAL, &local, 4);
	mesh_nl_put(&r, IFA_ADDRESS, &peer, 4);
	return mesh_nl_talk(&r,
			    type == RTM_NEWADDR ? "RTM_NEWADDR" : "RTM_DELADDR",
			    ifname, err, errlen);
}

int mesh_nl_addr_p2p(const char *ifname, uint32_t local, uint32_t peer,
		     char *err, size_t errlen)
{
	return mesh_nl_addr(RTM_NEWADDR, ifname, local, peer, err, errlen);
}

int mesh_nl_addr_p2p_del(const char *ifname, uint32_t local, uint32_t peer,
			 char *err, size_t errlen)
{
	return mesh_nl_addr(RTM_DELADDR, ifname, local, peer, err, errlen);
}

int mesh_nl_vxlan_add(const char *ifname, uint32_t vni, uint32_t local,
		      uint32_t remote, uint16_t port, unsigned int mtu,
		      char *err, size_t errlen)
{
	struct mesh_nl_req r;
	struct rtattr *info, *data;
	uint16_t nport = htons(port);

	if (!vni || vni > 0xffffff) {
		mesh_errf(err, errlen, "%s: VNI %u out of range", ifname, vni);
		return -EINVAL;
	}
	mesh_nl_init(&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL,
		     sizeof(struct ifinfomsg));
	mesh_nl_put(&r, IFLA_IFNAME, ifname, strlen(ifname) + 1);
	mesh_nl_put(&r, IFLA_MTU, &mtu, sizeof(mtu));
	info = mesh_nl_nest(&r, IFLA_LINKINFO);
	mesh_nl_put(&r, IFLA_INFO_KIND, "vxlan", 6);
	data = mesh_nl_nest(&r, IFLA_INFO_DATA);
	mesh_nl_put(&r, IFLA_VXLAN_ID, &vni, 4);
	mesh_nl_put(&r, IFLA_VXLAN_LOCAL, &local, 4);
	mesh_nl_put(&r, IFLA_VXLAN_GROUP, &remote, 4);
	mesh_nl_put(&r, IFLA_VXLAN_PORT, &nport, 2);
	mesh_nl_nest_end(&r, data);
	mesh_nl_nest_end(&r, info);
	return mesh_nl_talk(&r, "RTM_NEWLINK vxlan", ifname, err, errlen);
}

int mesh_nl_link_del(const char *ifname, char *err, size_t errlen)
{
	struct mesh_nl_req r;

	mesh_nl_init(&r, RTM_DELLINK, 0, sizeof(struct ifinfomsg));
	mesh_nl_put(&r, IFLA_IFNAME, ifname, strlen(ifname) + 1);
	return mesh_nl_talk(&r, "RTM_DELLINK", ifname, err, errlen);
}
