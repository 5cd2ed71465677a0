// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * WireGuard tunnels through wireguard-go's UAPI socket.
 *
 * Where the kernel lacks WireGuard, meshd runs one wireguard-go process
 * per tunnel interface. mesh_wg_start() fork/execs the binary in the
 * foreground (`wireguard-go -f IFNAME`, WG_PROCESS_FOREGROUND=1), in the
 * caller's network namespace, with its log in a file of our choosing,
 * and waits until its control socket /var/run/wireguard/IFNAME.sock
 * answers. Everything else goes through that socket in the cross-platform
 * configuration protocol (https://www.wireguard.com/xplatform/):
 * "set=1" with key=value lines (private key, listen port, fwmark,
 * replace_peers, and per peer: public key, remove, preshared key,
 * endpoint, persistent keepalive, replace_allowed_ips, allowed IPs),
 * and "get=1", whose reply is parsed into struct mesh_wg_state with
 * per-peer byte counters and last handshake time. Keys are hex on this
 * socket. No shell commands, no `wg` tool.
 *
 * The socket directory is shared by all network namespaces, so an
 * interface name must be unique on the host; mesh_wg_start() refuses a
 * name whose socket already answers.
 *
 * Every failure returns a negative errno and a sentence in err naming
 * what failed: the system call and path, the UAPI errno wireguard-go
 * answered with and the reason from its log, or the line of a reply that
 * could not be parsed.
 *
 * The socket calls block (with a timeout, MESH_WG_IO_TIMEOUT_MS); a
 * wireguard-go answers in well under a millisecond. libc only, no
 * libfrr, so unit tests link it directly.
 */
#ifndef MESH_WG_H
#define MESH_WG_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MESH_WG_SOCK_DIR "/var/run/wireguard"
#define MESH_WG_BINARY "/usr/bin/wireguard-go"
#define MESH_WG_KEY_LEN 32
#define MESH_WG_MAX_PEERS 16	   /* per interface, in a get reply */
#define MESH_WG_MAX_ALLOWED_IPS 32 /* per peer, in a get reply */
#define MESH_WG_LINE_MAX 256	   /* longest UAPI line accepted */
#define MESH_WG_IO_TIMEOUT_MS 2000
#define MESH_WG_START_TIMEOUT_MS 3000

struct mesh_wg_prefix {
	int family; /* AF_INET or AF_INET6 */
	uint8_t len;
	uint8_t addr[16];
};

struct mesh_wg_endpoint {
	int family; /* AF_INET, AF_INET6, or 0 for none */
	uint16_t port;
	uint8_t addr[16];
};

/* ------------------------------------------------------------------ */
/* Configuration (set)                                                */

struct mesh_wg_peer_cfg {
	uint8_t public_key[MESH_WG_KEY_LEN];
	bool remove;	  /* remove this peer; other fields ignored */
	bool update_only; /* do not create the peer if it does not exist */
	bool has_preshared_key;
	uint8_t preshared_key[MESH_WG_KEY_LEN];
	struct mesh_wg_endpoint endpoint; /* family 0: leave unchanged */
	bool has_keepalive;
	uint16_t keepalive_s; /* 0 turns it off */
	bool replace_allowed_ips;
	const struct mesh_wg_prefix *allowed_ips;
	size_t n_allowed_ips;
};

struct mesh_wg_cfg {
	bool has_private_key;
	uint8_t private_key[MESH_WG_KEY_LEN];
	bool has_listen_port;
	uint16_t listen_port; /* 0: pick a random port */
	bool has_fwmark;
	uint32_t fwmark; /* 0 clears it */
	bool replace_peers;
	const struct mesh_wg_peer_cfg *peers;
	size_t n_peers;
};

/* ------------------------------------------------------------------ */
/* State (get)                                                        */

struct mesh_wg_peer_state {
	uint8_t public_key[MESH_WG_KEY_LEN];
	uint8_t preshared_key[MESH_WG_KEY_LEN]; /* zeros: none */
	unsigned int protocol_version;
	struct mesh_wg_endpoint endpoint; /* family 0: none known yet */
	uint64_t last_handshake_sec;	  /* Unix time, 0: never */
	uint32_t last_handshake_nsec;
	uint64_t rx_bytes;
	uint64_t tx_bytes;
	uint16_t keepalive_s;
	size_t n_allowed_ips;
	struct mesh_wg_prefix allowed_ips[MESH_WG_MAX_ALLOWED_IPS];
};

struct mesh_wg_state {
	bool has_private_key;
	uint8_t private_key[MESH_WG_KEY_LEN];
	uint16_t listen_port;
	uint32_t fwmark;
	size_t n_peers;
	struct mesh_wg_peer_state peers[MESH_WG_MAX_PEERS];
	unsigned int n_unknown; /* lines with keys we do not know, skipped */
};

/* Overwrite the private and preshared keys a get reply carried. */
void mesh_wg_state_wipe(struct mesh_wg_state *st);
/* The peer with this public key, or NULL. */
const struct mesh_wg_peer_state *
mesh_wg_state_peer(const struct mesh_wg_state *st,
		   const uint8_t key[MESH_WG_KEY_LEN]);

/* ------------------------------------------------------------------ */
/* Devices                                                            */

struct mesh_wg_dev {
	char ifname[IFNAMSIZ];
	char sock_path[108]; /* sizeof(sun_path) */
	char log_path[256];  /* "" if wireguard-go's output is discarded */
	pid_t pid;	     /* 0 if attached to a process we did not start */
	pid_t owner;	     /* attached: the process serving the socket */
};

struct mesh_wg_start_opts {
	const char *binary;    /* NULL: MESH_WG_BINARY */
	const char *sock_dir;  /* NULL: MESH_WG_SOCK_DIR (where it puts it) */
	const char *log_path;  /* NULL: discard wireguard-go's output */
	const char *log_level; /* NULL: "error" (debug, info, error, silent) */
	int timeout_ms;	       /* 0: MESH_WG_START_TIMEOUT_MS */
	bool keep_on_exit;     /* false: the process dies with its parent */
	/* Pass CAP_NET_ADMIN on as an ambient capability, for a caller that
	 * runs as an unprivileged user holding it in its permitted and
	 * inheritable sets (an FRR daemon after dropping privileges). */
	bool ambient_net_admin;
	/* A TUN device the caller created (mesh_wg_tun_open), handed to
	 * wireguard-go instead of letting it create one; 0: none. The
	 * caller closes its copy after the start. */
	int tun_fd;
};

/* Whether a name can be an interface and a socket file name: 1 to 15
 * characters of [A-Za-z0-9_.-], not "." or "..". */
bool mesh_wg_name_valid(const char *ifname);

/* Start wireguard-go for ifname in the caller's network namespace and
 * wait until its UAPI socket answers. */
int mesh_wg_start(struct mesh_wg_dev *dev, const char *ifname,
		  const struct mesh_wg_start_opts *opts, char *err,
		  size_t errlen);

/* Use an interface some other process started (its socket must answer). */
int mesh_wg_attach(struct mesh_wg_dev *dev, const char *ifname,
		   const char *sock_dir, char *err, size_t errlen);

/* Whether the wireguard-go we started still runs (reaps it if not), or
 * the one we attached to (by the socket owner's pid). */
bool mesh_wg_running(struct mesh_wg_dev *dev);

/* Stop it: SIGTERM, then SIGKILL after a second; its TUN interface
 * goes with it. An attached device is stopped the same way through the
 * socket owner's pid, or, where that is unknown, by removing its socket,
 * which makes wireguard-go exit. */
int mesh_wg_stop(struct mesh_wg_dev *dev, char *err, size_t errlen);

/* A helper process of meshd (wireguard-go, mesh-reflector), whether
 * started by this meshd or by one before it: whether it has ended
 * (reaping it if it is our child), and ending it the way mesh_wg_stop()
 * does, returning once it is gone. */
bool mesh_wg_proc_ended(pid_t pid);
int mesh_wg_proc_stop(pid_t pid, char *err, size_t errlen);

/* Configure through the socket. Validated completely before anything is
 * sent; note that wireguard-go applies lines as it reads them, so a set
 * refused half-way leaves the lines before the refused one applied. */
int mesh_wg_set(const struct mesh_wg_dev *dev, const struct mesh_wg_cfg *cfg,
		char *err, size_t errlen);

/* Read the state through the socket. */
int mesh_wg_get(const struct mesh_wg_dev *dev, struct mesh_wg_state *st,
		char *err, size_t errlen);

/* Administrative state and MTU (0: leave) of an interface in the
 * caller's network namespace (ioctl; wireguard-go leaves its TUN down). */
int mesh_wg_link_set(const char *ifname, bool up, unsigned int mtu, char *err,
		     size_t errlen);

/* Create the TUN interface ifname (IFF_TUN, with packet information) and
 * return its descriptor, or a negative errno with the reason in err. */
int mesh_wg_tun_open(const char *ifname, char *err, size_t errlen);

/* ------------------------------------------------------------------ */
/* The protocol text, without a socket (for tests and fuzzing)         */

/* Called once per line (without its newline). Returns 0 to go on. */
typedef int (*mesh_wg_line_fn)(void *arg, const char *line, size_t len);

/* Check cfg; returns 0 or -EINVAL with the offending field in err. */
int mesh_wg_cfg_check(const struct mesh_wg_cfg *cfg, char *err, size_t errlen);

/* The lines of a set operation after "set=1", without the final empty
 * line. cfg must have passed mesh_wg_cfg_check(). */
int mesh_wg_format_set(const struct mesh_wg_cfg *cfg, mesh_wg_line_fn fn,
		       void *arg);

/*
 * Parse a complete get reply (key=value lines, "errno=N", empty line).
 * Returns 0; the negative errno wireguard-go answered with (its errno
 * values are negative on the wire; either sign is accepted); -EPROTO for
 * a malformed reply, with "line N: ..." in err; -E2BIG when it holds
 * more peers or allowed IPs than the state has room for.
 */
int mesh_wg_parse_get(const char *text, size_t len, struct mesh_wg_state *st,
		      char *err, size_t errlen);

/* The same for a set reply, which is only "errno=N" and an empty line. */
int mesh_wg_parse_set_reply(const char *text, size_t len, char *err,
			    size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* MESH_WG_H */
