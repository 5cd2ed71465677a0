// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgp_feeder: the eBGP feeder of the BGP ingest benchmark
 * (tools/bench-ingest).
 *
 * Feed mode (--connect ADDR) opens one eBGP session to a daemon, builds a
 * table of IPv4 /24 prefixes with a few thousand distinct attribute sets
 * (each set has its own origin AS, so its own AS_PATH; some carry MED,
 * communities, large communities or AGGREGATOR), packs the prefixes of
 * each set into UPDATEs with meshd's codec (mesh_bgp_pack_next), and
 * sends the whole stream followed by End-of-RIB as fast as the socket
 * takes it. The stream is encoded before the session comes up, so the
 * send time measures the socket and the receiver, not the encoder. The
 * session is then kept up with KEEPALIVEs until stdin says "quit" or
 * closes; the feeder then sends a Cease and exits.
 *
 * Sink mode (--listen ADDR) is a null daemon: it accepts one session,
 * decodes every UPDATE with the same codec, counts the prefixes and says
 * when it has --expect of them. Feeding the sink shows how fast the
 * feeder and the kernel can go without a routing daemon in the way.
 *
 * Both modes print one line per event on stdout, "<event> t=<seconds>"
 * on CLOCK_MONOTONIC (the clock of Python's time.monotonic()), then
 * key=value fields. With --wait-go the feeder waits for a "go" line on
 * stdin between session establishment and the first UPDATE, so the
 * caller can measure the daemon at rest.
 *
 * libc only; build: gcc -O2 -I. tools/bench/bgp_feeder.c
 * meshd/mesh_bgp_wire.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "meshd/mesh_bgp_wire.h"

#define FEED_CHUNK (256 * 1024) /* bytes handed to one send() at most */
#define FEED_RBUF (256 * 1024)
#define FEED_ASPATH_MAX 12 /* ASNs in one AS_SEQUENCE */
#define FEED_COMM_MAX 6
#define FEED_LCOMM_MAX 2
#define FEED_PREFIX_MAX (1u << 22) /* 32.0.0.0/24 .. 95.255.255.0/24 */

struct feed_opts {
	const char *connect;
	const char *listen;
	uint16_t port;
	uint32_t local_as, peer_as;
	uint32_t router_id;
	uint32_t next_hop;
	uint32_t prefixes;
	uint32_t sets;
	uint64_t seed;
	uint16_t hold;
	uint32_t expect;
	bool wait_go;
	int connect_timeout;
};

/* One attribute set: the wire values of its attributes. */
struct feed_set {
	uint8_t origin;
	uint8_t aspath[2 + 4 * FEED_ASPATH_MAX];
	uint8_t aspath_len;
	uint8_t comm[4 * FEED_COMM_MAX];
	uint8_t comm_len;
	uint8_t lcomm[12 * FEED_LCOMM_MAX];
	uint8_t lcomm_len;
	bool has_med, has_aggr;
	uint32_t med;
	uint32_t aggr_as, aggr_id;
	uint32_t n_pfx;	   /* prefixes that use it */
	uint32_t start;	   /* first of them in the grouped array */
	uint32_t first_at; /* index of its first prefix in address order */
};

/* The prepared UPDATE stream. */
struct feed_stream {
	uint8_t *data;
	size_t len, cap;
	uint32_t updates;    /* UPDATE messages, End-of-RIB included */
	uint32_t prefixes;   /* prefixes announced */
	uint32_t sets_used;  /* attribute sets with at least one prefix */
	uint32_t with_comm;  /* prefixes whose set has communities */
	uint32_t max_in_msg; /* most prefixes in one UPDATE */
	double encode_s;
};

/* Session state shared by both modes. */
struct feed_sess {
	int fd;
	struct mesh_bgp_ctx ctx;
	bool established;
	uint16_t hold;
	double last_rx, last_tx;
	bool hold_warned;
	/* receive */
	uint8_t *rbuf;
	size_t rlen;
	/* send: the chunk being written, control messages waiting */
	const uint8_t *out;
	size_t out_len, out_off;
	uint8_t ctrl_q[8192];
	size_t ctrl_q_len;
	uint8_t ctrl_cur[8192];
	/* the stream */
	const struct feed_stream *st;
	size_t st_pos;
	bool sending, sent;
	/* counters */
	uint32_t updates_rx;
	uint64_t prefixes_rx;
	bool eor_rx;
	bool learned;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void say(const char *event, const char *fmt, ...)
{
	va_list ap;

	printf("%s t=%.6f", event, now());
	if (fmt && *fmt) {
		putchar(' ');
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
	}
	putchar('\n');
	fflush(stdout);
}

static void __attribute__((noreturn)) die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "bgp_feeder: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	printf("error t=%.6f\n", now());
	fflush(stdout);
	exit(2);
}

/* splitmix64: small, fast, reproducible from the seed. */
static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t rnd_below(uint32_t n)
{
	return n ? (uint32_t)(rnd() % n) : 0;
}

static double rnd_unit(void)
{
	return (double)(rnd() >> 11) / 9007199254740992.0;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/*
 * A transit AS: a pool of 600 plausible public ASNs, two thirds 2-octet
 * (1-64495), one third 4-octet (131072-399999).
 */
static uint32_t transit_as(uint32_t i)
{
	i %= 600;
	if (i < 400)
		return 1000 + i * 157;
	return 131072 + (i - 400) * 1327;
}

/* The origin AS of set j: distinct for each set, so is the AS_PATH. */
static uint32_t origin_as(uint32_t j)
{
	if (j % 3 == 2)
		return 200000 + j;
	return 10000 + j % 50000 + (j / 50000) * 70000;
}

static void set_make(struct feed_set *s, uint32_t j, uint32_t local_as)
{
	uint32_t path[FEED_ASPATH_MAX];
	uint32_t n = 0, mid, i, r;

	/* 2-6 ASNs, most often 3-4, like a table seen from a transit. */
	r = rnd_below(100);
	mid = r < 10 ? 0 : r < 35 ? 1 : r < 75 ? 2 : r < 92 ? 3 : 4;
	path[n++] = local_as;
	for (i = 0; i < mid; i++)
		path[n++] = transit_as(rnd_below(600));
	path[n++] = origin_as(j);
	/* some origins prepend */
	if (rnd_below(100) < 12) {
		uint32_t k, extra = 1 + rnd_below(3);

		for (k = 0; k < extra && n < FEED_ASPATH_MAX; k++)
			path[n++] = origin_as(j);
	}
	s->aspath[0] = MESH_BGP_AS_SEQUENCE;
	s->aspath[1] = (uint8_t)n;
	for (i = 0; i < n; i++)
		put32(&s->aspath[2 + 4 * i], path[i]);
	s->aspath_len = (uint8_t)(2 + 4 * n);

	r = rnd_below(100);
	s->origin = r < 85   ? MESH_BGP_ORIGIN_IGP
		    : r < 97 ? MESH_BGP_ORIGIN_INCOMPLETE
			     : MESH_BGP_ORIGIN_EGP;
	s->has_med = rnd_below(100) < 30;
	s->med = rnd_below(1000);

	s->comm_len = 0;
	if (rnd_below(100) < 40) {
		uint32_t k, nc = 1 + rnd_below(FEED_COMM_MAX);

		for (k = 0; k < nc; k++) {
			uint32_t asn = k == 0 ? (local_as & 0xffff)
					      : transit_as(rnd_below(400));

			put32(&s->comm[4 * k],
			      (asn << 16) | (100 + rnd_below(900)));
		}
		s->comm_len = (uint8_t)(4 * nc);
	}
	s->lcomm_len = 0;
	if (rnd_below(100) < 5) {
		uint32_t k, nl = 1 + rnd_below(FEED_LCOMM_MAX);

		for (k = 0; k < nl; k++) {
			put32(&s->lcomm[12 * k], local_as);
			put32(&s->lcomm[12 * k + 4], 1 + rnd_below(10));
			put32(&s->lcomm[12 * k + 8], origin_as(j));
		}
		s->lcomm_len = (uint8_t)(12 * nl);
	}
	s->has_aggr = rnd_below(100) < 3;
	s->aggr_as = origin_as(j);
	s->aggr_id = 0x0a000000u | j;
}

static void set_attrs(const struct feed_set *s, uint32_t next_hop,
		      struct mesh_bgp_attrs *a)
{
	memset(a, 0, sizeof(*a));
	mesh_bgp_bit_set(a->present, MESH_BGP_ATTR_ORIGIN);
	a->origin = s->origin;
	mesh_bgp_bit_set(a->present, MESH_BGP_ATTR_AS_PATH);
	a->as_path_width = 4;
	a->as_path.p = s->aspath;
	a->as_path.len = s->aspath_len;
	mesh_bgp_bit_set(a->present, MESH_BGP_ATTR_NEXT_HOP);
	a->next_hop = next_hop;
	if (s->has_med) {
		mesh_bgp_bit_set(a->present, MESH_BGP_ATTR_MED);
		a->med = s->med;
	}
	if (s->has_aggr) {
		mesh_bgp_bit_set(a->present, MESH_BGP_ATTR_ATOMIC_AGGREGATE);
		mesh_bgp_bit_set(a->present, MESH_BGP_ATTR_AGGREGATOR);
		a->aggregator_as = s->aggr_as;
		a->aggregator_id = s->aggr_id;
	}
	if (s->comm_len) {
		mesh_bgp_bit_set(a->present, MESH_BGP_ATTR_COMMUNITIES);
		a->communities.p = s->comm;
		a->communities.len = s->comm_len;
	}
	if (s->lcomm_len) {
		mesh_bgp_bit_set(a->present, MESH_BGP_ATTR_LARGE_COMMUNITIES);
		a->large_communities.p = s->lcomm;
		a->large_communities.len = s->lcomm_len;
	}
}

static void stream_append(struct feed_stream *st, const uint8_t *p, size_t n)
{
	if (st->len + n > st->cap) {
		size_t cap = st->cap ? st->cap : 1 << 20;

		while (cap < st->len + n)
			cap *= 2;
		st->data = realloc(st->data, cap);
		if (!st->data)
			die("out of memory for the stream");
		st->cap = cap;
	}
	memcpy(st->data + st->len, p, n);
	st->len += n;
}

static int cmp_first_at(const void *a, const void *b)
{
	const struct feed_set *x = *(struct feed_set *const *)a;
	const struct feed_set *y = *(struct feed_set *const *)b;

	return (x->first_at > y->first_at) - (x->first_at < y->first_at);
}

/*
 * Prefix i is (32.0.0.0 + i * 256)/24. Prefixes are dealt to attribute
 * sets in runs of 1-32 neighbours (an origin holds address blocks); the
 * first run of each set is forced so that every set is used, later runs
 * pick a set with a skewed law (set j gets about 1/sqrt(j) of the
 * table), so a few origins hold thousands of prefixes and most a
 * hundred or so. The UPDATEs are then packed the way a speaker packs
 * its Adj-RIB-Out: all prefixes of one set together, sets in order of
 * their first prefix.
 */
static void stream_build(const struct feed_opts *o, struct feed_stream *st)
{
	uint32_t n = o->prefixes, k = o->sets, i, j, run = 0;
	struct feed_set *sets, **order;
	uint32_t *set_of, *perm;
	struct mesh_bgp_prefix *pfx;
	struct mesh_bgp_ctx ctx;
	uint8_t msg[MESH_BGP_MAX_LEN];
	struct mesh_wbuf w;
	double t0 = now();

	memset(st, 0, sizeof(*st));
	sets = calloc(k, sizeof(*sets));
	order = calloc(k, sizeof(*order));
	perm = calloc(k, sizeof(*perm));
	set_of = calloc(n ? n : 1, sizeof(*set_of));
	pfx = calloc(n ? n : 1, sizeof(*pfx));
	if (!sets || !order || !perm || !set_of || !pfx)
		die("out of memory building the table");

	for (j = 0; j < k; j++) {
		set_make(&sets[j], j, o->local_as);
		sets[j].first_at = UINT32_MAX;
		perm[j] = j;
	}
	for (j = k; j > 1; j--) {
		uint32_t x = rnd_below(j), t = perm[j - 1];

		perm[j - 1] = perm[x];
		perm[x] = t;
	}

	for (i = 0; i < n; run++) {
		uint32_t len = 1 + rnd_below(32), s;

		if (run < k)
			s = perm[run];
		else {
			double u = rnd_unit();

			s = (uint32_t)((double)k * u * u);
			if (s >= k)
				s = k - 1;
		}
		for (; len && i < n; len--, i++) {
			set_of[i] = s;
			if (sets[s].first_at == UINT32_MAX)
				sets[s].first_at = i;
			sets[s].n_pfx++;
		}
	}

	/* group the prefixes by set, address order kept within a set */
	for (j = 0, i = 0; j < k; j++) {
		sets[j].start = i;
		i += sets[j].n_pfx;
		order[j] = &sets[j];
	}
	for (j = 0; j < k; j++)
		sets[j].n_pfx = 0;
	for (i = 0; i < n; i++) {
		struct feed_set *s = &sets[set_of[i]];
		struct mesh_bgp_prefix *p = &pfx[s->start + s->n_pfx++];
		uint32_t a = 0x20000000u + (i << 8);

		p->afi = MESH_BGP_AFI_IPV4;
		p->plen = 24;
		p->addr[0] = (uint8_t)(a >> 24);
		p->addr[1] = (uint8_t)(a >> 16);
		p->addr[2] = (uint8_t)(a >> 8);
	}
	qsort(order, k, sizeof(*order), cmp_first_at);

	memset(&ctx, 0, sizeof(ctx));
	ctx.as4 = true;
	for (j = 0; j < k; j++) {
		struct feed_set *s = order[j];
		struct mesh_bgp_attrs a;
		struct mesh_bgp_pack pk;
		int r;

		if (!s->n_pfx)
			continue;
		st->sets_used++;
		if (s->comm_len)
			st->with_comm += s->n_pfx;
		set_attrs(s, o->next_hop, &a);
		memset(&pk, 0, sizeof(pk));
		pk.ctx = &ctx;
		pk.attrs = &a;
		pk.afi = MESH_BGP_AFI_IPV4;
		pk.safi = MESH_BGP_SAFI_UNICAST;
		pk.pfx = &pfx[s->start];
		pk.n_pfx = s->n_pfx;
		mesh_wbuf_init(&w, msg, sizeof(msg));
		while ((r = mesh_bgp_pack_next(&pk, &w)) > 0) {
			stream_append(st, w.data, w.len);
			st->updates++;
			st->prefixes += (uint32_t)r;
			if ((uint32_t)r > st->max_in_msg)
				st->max_in_msg = (uint32_t)r;
		}
		if (r < 0)
			die("packing the prefixes of a set failed");
	}
	mesh_wbuf_init(&w, msg, sizeof(msg));
	if (!mesh_bgp_eor_encode(&w, MESH_BGP_AFI_IPV4, MESH_BGP_SAFI_UNICAST))
		die("End-of-RIB encoding failed");
	stream_append(st, w.data, w.len);
	st->updates++;
	st->encode_s = now() - t0;

	free(sets);
	free(order);
	free(perm);
	free(set_of);
	free(pfx);
}

/* ---- session I/O ---- */

static void ctrl_queue(struct feed_sess *s, const struct mesh_wbuf *w)
{
	if (w->err || s->ctrl_q_len + w->len > sizeof(s->ctrl_q))
		die("control message queue overflow");
	memcpy(s->ctrl_q + s->ctrl_q_len, w->data, w->len);
	s->ctrl_q_len += w->len;
}

static void send_keepalive(struct feed_sess *s)
{
	uint8_t b[MESH_BGP_HDR_LEN];
	struct mesh_wbuf w;

	mesh_wbuf_init(&w, b, sizeof(b));
	mesh_bgp_keepalive_encode(&w);
	ctrl_queue(s, &w);
}

/*
 * Picks what to write next when the current chunk is done: control
 * messages first (they only ever go between whole messages of the
 * stream), then the next run of whole stream messages up to FEED_CHUNK.
 */
static void out_next(struct feed_sess *s)
{
	if (s->out_off < s->out_len)
		return;
	s->out = NULL;
	s->out_len = s->out_off = 0;
	if (s->ctrl_q_len) {
		memcpy(s->ctrl_cur, s->ctrl_q, s->ctrl_q_len);
		s->out = s->ctrl_cur;
		s->out_len = s->ctrl_q_len;
		s->ctrl_q_len = 0;
		return;
	}
	if (s->sending && s->st_pos < s->st->len) {
		size_t end = s->st_pos;

		while (end < s->st->len) {
			size_t ml = ((size_t)s->st->data[end + 16] << 8) |
				    s->st->data[end + 17];

			if (end > s->st_pos &&
			    end + ml - s->st_pos > FEED_CHUNK)
				break;
			end += ml;
		}
		s->out = s->st->data + s->st_pos;
		s->out_len = end - s->st_pos;
		s->st_pos = end;
	}
}

/* Writes as much as the socket takes. Returns false on a socket error. */
static bool do_write(struct feed_sess *s)
{
	for (;;) {
		ssize_t r;

		out_next(s);
		if (!s->out)
			break;
		r = send(s->fd, s->out + s->out_off, s->out_len - s->out_off,
			 MSG_NOSIGNAL);
		if (r < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return true;
			if (errno == EINTR)
				continue;
			say("closed", "reason=\"send: %s\"", strerror(errno));
			return false;
		}
		s->out_off += (size_t)r;
		s->last_tx = now();
	}
	if (s->sending && s->st_pos >= s->st->len && !s->out) {
		s->sending = false;
		s->sent = true;
	}
	return true;
}

static bool want_write(const struct feed_sess *s)
{
	return s->out || s->ctrl_q_len ||
	       (s->sending && s->st_pos < s->st->len);
}

static void open_send(struct feed_sess *s, const struct feed_opts *o)
{
	struct mesh_bgp_open op;
	uint8_t b[MESH_BGP_MAX_LEN];
	struct mesh_wbuf w;

	memset(&op, 0, sizeof(op));
	op.asn = o->local_as;
	op.hold_time = o->hold;
	op.bgp_id = o->router_id;
	op.caps = MESH_BGP_CAPF_MP | MESH_BGP_CAPF_ROUTE_REFRESH |
		  MESH_BGP_CAPF_AS4;
	op.n_mp = 1;
	op.mp[0].afi = MESH_BGP_AFI_IPV4;
	op.mp[0].safi = MESH_BGP_SAFI_UNICAST;
	mesh_wbuf_init(&w, b, sizeof(b));
	if (!mesh_bgp_open_encode(&w, &op))
		die("OPEN encoding failed");
	ctrl_queue(s, &w);
}

static void notify_and_exit(struct feed_sess *s,
			    const struct mesh_bgp_notify *n, int code)
{
	uint8_t b[MESH_BGP_MAX_LEN];
	struct mesh_wbuf w;
	int fl;

	mesh_wbuf_init(&w, b, sizeof(b));
	if (mesh_bgp_notify_encode(&w, n)) {
		fl = fcntl(s->fd, F_GETFL);
		fcntl(s->fd, F_SETFL, fl & ~O_NONBLOCK);
		/* whatever chunk is half written stays half written: the
		 * session is being torn down anyway */
		if (s->out_off == 0 || s->out_off == s->out_len)
			send(s->fd, w.data, w.len, MSG_NOSIGNAL);
	}
	close(s->fd);
	exit(code);
}

static void cease(struct feed_sess *s, const char *why)
{
	struct mesh_bgp_notify n;

	memset(&n, 0, sizeof(n));
	n.code = MESH_BGP_ERR_CEASE;
	n.subcode = MESH_BGP_CEASE_ADMIN_SHUTDOWN;
	say("cease", "reason=\"%s\" updates_rx=%u", why, s->updates_rx);
	notify_and_exit(s, &n, 0);
}

/* Handles one whole message; returns false to end the session. */
static bool handle_msg(struct feed_sess *s, const struct feed_opts *o,
		       const uint8_t *m, size_t len)
{
	struct mesh_bgp_verdict v;
	uint8_t type = m[18];

	s->last_rx = now();
	switch (type) {
	case MESH_BGP_MSG_OPEN: {
		struct mesh_bgp_open op;
		if (mesh_bgp_open_decode(m, len, &s->ctx, &op, &v) !=
		    MESH_BGP_ACT_NONE) {
			say("open-error", "code=%u subcode=%u", v.notify.code,
			    v.notify.subcode);
			notify_and_exit(s, &v.notify, 3);
		}
		if (!(op.caps & MESH_BGP_CAPF_AS4))
			die("the peer does not do 4-octet AS (RFC 6793): the "
			    "stream is encoded for it");
		s->ctx.as4 = true;
		s->hold = op.hold_time < o->hold ? op.hold_time : o->hold;
		say("open-rx", "peer_as=%u peer_id=%u.%u.%u.%u hold=%u", op.asn,
		    op.bgp_id >> 24, (op.bgp_id >> 16) & 0xff,
		    (op.bgp_id >> 8) & 0xff, op.bgp_id & 0xff, s->hold);
		send_keepalive(s);
		return true;
	}
	case MESH_BGP_MSG_KEEPALIVE:
		if (!s->established) {
			s->established = true;
			say("established", "hold=%u", s->hold);
		}
		return true;
	case MESH_BGP_MSG_UPDATE: {
		struct mesh_bgp_update u;
		struct mesh_bgp_nlri_iter it;
		struct mesh_bgp_prefix p;

		s->updates_rx++;
		if (!o->listen)
			return true; /* a feeder ignores what comes back */
		if (mesh_bgp_update_decode(m, len, &s->ctx, &u, &v) >=
		    MESH_BGP_ACT_AFISAFI_DISABLE) {
			say("update-error", "code=%u subcode=%u", v.notify.code,
			    v.notify.subcode);
			notify_and_exit(s, &v.notify, 3);
		}
		if (u.eor) {
			s->eor_rx = true;
			say("eor", "prefixes=%llu updates=%u",
			    (unsigned long long)s->prefixes_rx, s->updates_rx);
			return true;
		}
		mesh_bgp_nlri_iter_init(&it, &u.nlri, MESH_BGP_AFI_IPV4, false);
		while (mesh_bgp_nlri_iter_next(&it, &p) > 0)
			s->prefixes_rx++;
		if (!s->learned && o->expect && s->prefixes_rx >= o->expect) {
			s->learned = true;
			say("learned", "prefixes=%llu updates=%u",
			    (unsigned long long)s->prefixes_rx, s->updates_rx);
		}
		return true;
	}
	case MESH_BGP_MSG_NOTIFICATION: {
		struct mesh_bgp_notification n;
		char txt[512];

		mesh_bgp_notification_decode(m, len, &s->ctx, &n, &v);
		mesh_bgp_notification_fmt(txt, sizeof(txt), &n);
		say("notification-rx", "code=%u subcode=%u text=\"%s\"", n.code,
		    n.subcode, txt);
		return false;
	}
	default:
		return true; /* ROUTE-REFRESH: nothing to refresh from */
	}
}

/* Reads what is there and handles every whole message. */
static bool do_read(struct feed_sess *s, const struct feed_opts *o)
{
	for (;;) {
		ssize_t r =
			recv(s->fd, s->rbuf + s->rlen, FEED_RBUF - s->rlen, 0);
		size_t off = 0;

		if (r < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return true;
			if (errno == EINTR)
				continue;
			say("closed", "reason=\"recv: %s\"", strerror(errno));
			return false;
		}
		if (r == 0) {
			say("closed", "reason=\"peer closed the connection\"");
			return false;
		}
		s->rlen += (size_t)r;
		for (;;) {
			struct mesh_bgp_verdict v;
			int ml = mesh_bgp_msg_frame(s->rbuf + off,
						    s->rlen - off, &s->ctx, &v);

			if (ml < 0) {
				say("header-error", "code=%u subcode=%u",
				    v.notify.code, v.notify.subcode);
				notify_and_exit(s, &v.notify, 3);
			}
			if (ml == 0)
				break;
			if (!handle_msg(s, o, s->rbuf + off, (size_t)ml))
				return false;
			off += (size_t)ml;
		}
		memmove(s->rbuf, s->rbuf + off, s->rlen - off);
		s->rlen -= off;
	}
}

/* Unsent plus unacknowledged bytes in the socket's send queue. */
static int outq(int fd)
{
	int q = 0;

	if (ioctl(fd, SIOCOUTQ, &q) < 0)
		return -1;
	return q;
}

/* stdin: "go" starts the feed, "quit" or end of file ends the session. */
static int stdin_cmd(void)
{
	static char line[256];
	static size_t n;
	ssize_t r = read(0, line + n, sizeof(line) - 1 - n);
	char *nl;

	if (r <= 0)
		return 'q';
	n += (size_t)r;
	line[n] = '\0';
	while ((nl = strchr(line, '\n'))) {
		int c = 0;

		*nl = '\0';
		if (!strcmp(line, "go"))
			c = 'g';
		else if (!strcmp(line, "quit"))
			c = 'q';
		memmove(line, nl + 1, n - (size_t)(nl + 1 - line) + 1);
		n -= (size_t)(nl + 1 - line);
		if (c)
			return c;
	}
	if (n >= sizeof(line) - 1)
		n = 0;
	return 0;
}

static void run_session(struct feed_sess *s, const struct feed_opts *o,
			const struct feed_stream *st)
{
	bool go = !o->wait_go, stdin_open = true, drained = false;
	double t_first = 0;

	s->st = st;
	open_send(s, o);
	for (;;) {
		struct pollfd pf[2];
		int timeout = 1000, nfds = 1;
		double t = now();

		if (s->established && go && st->len && !s->sending &&
		    !s->sent) {
			s->sending = true;
			t_first = now();
			say("first-update", "bytes=%zu updates=%u prefixes=%u",
			    st->len, st->updates, st->prefixes);
		}
		if (s->established && s->hold) {
			double ka = s->hold / 3.0;

			if (t - s->last_tx >= ka && !s->ctrl_q_len)
				send_keepalive(s);
			if (!s->hold_warned && t - s->last_rx > s->hold) {
				s->hold_warned = true;
				say("hold-expired",
				    "note=\"nothing from the peer for %u s; "
				    "not enforced\"",
				    s->hold);
			}
			timeout = (int)((s->last_tx + ka - t) * 1000) + 1;
			if (timeout < 1)
				timeout = 1;
			if (timeout > 1000)
				timeout = 1000;
		}
		if (!do_write(s))
			exit(3);
		if (s->sent && t_first > 0) {
			double te = now();

			say("sent",
			    "send_s=%.6f bytes=%zu updates=%u prefixes=%u "
			    "mbit_s=%.0f",
			    te - t_first, st->len, st->updates, st->prefixes,
			    (double)st->len * 8 / 1e6 / (te - t_first));
			t_first = -1;
		}
		if (s->sent && !drained) {
			int q = outq(s->fd);

			if (q == 0) {
				drained = true;
				say("acked", "note=\"the peer acknowledged "
					     "every byte\"");
			} else if (timeout > 5) {
				timeout = 5;
			}
		}
		pf[0].fd = s->fd;
		pf[0].events = POLLIN | (want_write(s) ? POLLOUT : 0);
		if (stdin_open) {
			pf[1].fd = 0;
			pf[1].events = POLLIN;
			nfds = 2;
		}
		if (poll(pf, (nfds_t)nfds, timeout) < 0) {
			if (errno == EINTR)
				continue;
			die("poll: %s", strerror(errno));
		}
		if (pf[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			if (!do_read(s, o))
				exit(3);
		}
		if (nfds == 2 && (pf[1].revents & (POLLIN | POLLHUP))) {
			int c = stdin_cmd();

			if (c == 'g')
				go = true;
			else if (c == 'q') {
				stdin_open = false;
				cease(s, "asked to stop");
			}
		}
	}
}

static int connect_retry(const struct feed_opts *o, uint32_t *local)
{
	struct sockaddr_in sa;
	double deadline = now() + o->connect_timeout;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(o->port);
	if (inet_pton(AF_INET, o->connect, &sa.sin_addr) != 1)
		die("bad address %s", o->connect);
	for (;;) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in la;
		socklen_t ll = sizeof(la);

		if (fd < 0)
			die("socket: %s", strerror(errno));
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			getsockname(fd, (struct sockaddr *)&la, &ll);
			*local = ntohl(la.sin_addr.s_addr);
			return fd;
		}
		close(fd);
		if (now() > deadline)
			die("connect to %s: %s", o->connect, strerror(errno));
		usleep(100000);
	}
}

static int accept_one(const struct feed_opts *o, uint32_t *local)
{
	struct sockaddr_in sa, la;
	socklen_t ll = sizeof(la);
	int one = 1, lfd, fd;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(o->port);
	if (inet_pton(AF_INET, o->listen, &sa.sin_addr) != 1)
		die("bad address %s", o->listen);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0)
		die("socket: %s", strerror(errno));
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(lfd, 1) < 0)
		die("listen on %s: %s", o->listen, strerror(errno));
	say("listening", "addr=%s port=%u", o->listen, o->port);
	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		die("accept: %s", strerror(errno));
	close(lfd);
	getsockname(fd, (struct sockaddr *)&la, &ll);
	*local = ntohl(la.sin_addr.s_addr);
	return fd;
}

static uint32_t parse_ip(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		die("bad address %s", s);
	return ntohl(a.s_addr);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: bgp_feeder --connect ADDR [options]   (feed a daemon)\n"
		"       bgp_feeder --listen ADDR [options]    (null daemon)\n"
		"  --port N          TCP port (179)\n"
		"  --local-as N      our AS (65001)\n"
		"  --peer-as N       the peer's AS, checked in its OPEN (any)\n"
		"  --router-id A     our BGP identifier (local address)\n"
		"  --next-hop A      NEXT_HOP of the routes (local address)\n"
		"  --prefixes N      /24s to announce (1000000, max %u)\n"
		"  --sets N          distinct attribute sets (4000)\n"
		"  --seed N          random seed (1)\n"
		"  --hold N          hold time offered (90)\n"
		"  --expect N        sink: say 'learned' at N prefixes\n"
		"  --wait-go         wait for 'go' on stdin before feeding\n"
		"  --connect-timeout S  keep trying to connect for S s (30)\n",
		FEED_PREFIX_MAX);
	exit(1);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{"connect", required_argument, NULL, 'c'},
		{"listen", required_argument, NULL, 'l'},
		{"port", required_argument, NULL, 'p'},
		{"local-as", required_argument, NULL, 'a'},
		{"peer-as", required_argument, NULL, 'A'},
		{"router-id", required_argument, NULL, 'r'},
		{"next-hop", required_argument, NULL, 'n'},
		{"prefixes", required_argument, NULL, 'N'},
		{"sets", required_argument, NULL, 'S'},
		{"seed", required_argument, NULL, 's'},
		{"hold", required_argument, NULL, 'H'},
		{"expect", required_argument, NULL, 'e'},
		{"wait-go", no_argument, NULL, 'g'},
		{"connect-timeout", required_argument, NULL, 'T'},
		{NULL, 0, NULL, 0},
	};
	struct feed_opts o = {
		.port = 179,
		.local_as = 65001,
		.prefixes = 1000000,
		.sets = 4000,
		.seed = 1,
		.hold = 90,
		.connect_timeout = 30,
	};
	struct feed_stream st;
	struct feed_sess s;
	uint32_t local = 0;
	int c;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'c':
			o.connect = optarg;
			break;
		case 'l':
			o.listen = optarg;
			break;
		case 'p':
			o.port = (uint16_t)strtoul(optarg, NULL, 10);
			break;
		case 'a':
			o.local_as = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'A':
			o.peer_as = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'r':
			o.router_id = parse_ip(optarg);
			break;
		case 'n':
			o.next_hop = parse_ip(optarg);
			break;
		case 'N':
			o.prefixes = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'S':
			o.sets = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 's':
			o.seed = strtoull(optarg, NULL, 10);
			break;
		case 'H':
			o.hold = (uint16_t)strtoul(optarg, NULL, 10);
			break;
		case 'e':
			o.expect = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'g':
			o.wait_go = true;
			break;
		case 'T':
			o.connect_timeout = atoi(optarg);
			break;
		default:
			usage();
		}
	}
	if (!!o.connect == !!o.listen || o.sets == 0 ||
	    o.prefixes > FEED_PREFIX_MAX || (o.hold && o.hold < 3))
		usage();
	signal(SIGPIPE, SIG_IGN);
	rng_state = o.seed;

	memset(&s, 0, sizeof(s));
	s.rbuf = malloc(FEED_RBUF);
	if (!s.rbuf)
		die("out of memory");
	s.ctx.as4 = true;
	s.ctx.local_as = o.local_as;
	s.ctx.peer_as = o.peer_as;

	if (o.connect) {
		int one = 1;

		/* Feed mode: the stream needs the next hop, which defaults to
		 * the local address of the connection, so connect first and
		 * encode before the OPEN goes out. */
		s.fd = connect_retry(&o, &local);
		if (!o.next_hop)
			o.next_hop = local;
		if (!o.router_id)
			o.router_id = local;
		setsockopt(s.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		stream_build(&o, &st);
		say("ready",
		    "prefixes=%u updates=%u bytes=%zu sets=%u "
		    "prefixes_with_communities=%u max_prefixes_per_update=%u "
		    "encode_s=%.3f",
		    st.prefixes, st.updates, st.len, st.sets_used, st.with_comm,
		    st.max_in_msg, st.encode_s);
	} else {
		memset(&st, 0, sizeof(st));
		s.fd = accept_one(&o, &local);
		if (!o.router_id)
			o.router_id = local;
		o.wait_go = false;
	}
	fcntl(s.fd, F_SETFL, fcntl(s.fd, F_GETFL) | O_NONBLOCK);
	say("connected", "");
	s.last_rx = s.last_tx = now();
	run_session(&s, &o, &st);
	return 0;
}
