// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * STAMP (RFC 8762) unauthenticated packets and Session-Sender
 * bookkeeping; see mesh_stamp.h for the measurements and their rules.
 */
#include <string.h>
#include <time.h>

#include "bgpd-ext/mesh_buf.h"
#include "mesh_stamp.h"

#define NS_PER_S 1000000000ULL

/* Defaults for zero configuration fields. */
#define MESH_STAMP_DEF_TIMEOUT_NS NS_PER_S
#define MESH_STAMP_DEF_WINDOW 100
#define MESH_STAMP_DEF_DOWN 3
#define MESH_STAMP_DEF_UP 3

/* Probe slot states. */
enum {
	PROBE_FREE = 0,
	PROBE_PENDING, /* sent, no reply yet */
	PROBE_ACKED,   /* answered, outcome not applied yet */
	PROBE_OK,      /* answered, outcome applied */
	PROBE_LOST,    /* declared lost, outcome applied */
};

/* ------------------------------------------------------------------ */
/* Time                                                               */

uint64_t mesh_stamp_ntp_from_unix(uint64_t sec, uint32_t nsec)
{
	uint64_t frac = (((uint64_t)nsec << 32) + NS_PER_S / 2) / NS_PER_S;

	if (frac > 0xffffffffULL)
		frac = 0xffffffffULL;
	return ((sec + MESH_STAMP_NTP_UNIX_OFFSET) << 32) | frac;
}

void mesh_stamp_ntp_to_unix(uint64_t ntp, uint64_t *sec, uint32_t *nsec)
{
	uint64_t s = ntp >> 32;
	uint64_t ns = ((ntp & 0xffffffffULL) * NS_PER_S + (1ULL << 31)) >> 32;

	if (ns >= NS_PER_S) {
		ns -= NS_PER_S;
		s++;
	}
	*sec = s - MESH_STAMP_NTP_UNIX_OFFSET;
	*nsec = (uint32_t)ns;
}

uint64_t mesh_stamp_ntp_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return mesh_stamp_ntp_from_unix((uint64_t)ts.tv_sec,
					(uint32_t)ts.tv_nsec);
}

int64_t mesh_stamp_ntp_diff_ns(uint64_t a, uint64_t b)
{
	int64_t d = (int64_t)(a - b);
	bool neg = d < 0;
	uint64_t u = neg ? (uint64_t)0 - (uint64_t)d : (uint64_t)d;
	uint64_t ns = (u >> 32) * NS_PER_S +
		      (((u & 0xffffffffULL) * NS_PER_S + (1ULL << 31)) >> 32);

	return neg ? -(int64_t)ns : (int64_t)ns;
}

/* PTPv2 truncated timestamp: 32-bit seconds, 32-bit nanoseconds. */
static int64_t mesh_stamp_ptp_diff_ns(uint64_t a, uint64_t b)
{
	int64_t ds =
		(int64_t)(int32_t)((uint32_t)(a >> 32) - (uint32_t)(b >> 32));
	int64_t dn = (int64_t)(uint32_t)a - (int64_t)(uint32_t)b;

	return ds * (int64_t)NS_PER_S + dn;
}

int64_t mesh_stamp_ts_diff_ns(uint64_t a, uint64_t b, bool ptp)
{
	return ptp ? mesh_stamp_ptp_diff_ns(a, b)
		   : mesh_stamp_ntp_diff_ns(a, b);
}

uint64_t mesh_stamp_ntp_add_ns(uint64_t a, uint64_t ns)
{
	uint64_t sec = ns / NS_PER_S;
	uint64_t rem = ns % NS_PER_S;

	return a + (sec << 32) + ((rem << 32) + NS_PER_S / 2) / NS_PER_S;
}

uint16_t mesh_stamp_ee_make(bool synced, bool ptp, uint8_t scale,
			    uint8_t multiplier)
{
	return (uint16_t)((synced ? MESH_STAMP_EE_S : 0) |
			  (ptp ? MESH_STAMP_EE_Z : 0) |
			  ((scale & 0x3f) << MESH_STAMP_EE_SCALE_SHIFT) |
			  multiplier);
}

uint64_t mesh_stamp_ee_ns(uint16_t ee)
{
	unsigned int scale =
		(ee & MESH_STAMP_EE_SCALE_MASK) >> MESH_STAMP_EE_SCALE_SHIFT;
	uint64_t mult = ee & MESH_STAMP_EE_MULT_MASK;

	/* mult * 2^scale in units of 2^-32 s; scale < 64, mult < 256. */
	if (scale >= 32) {
		unsigned int up = scale - 32;

		if (up >= 26) /* more than 2^34 s: saturate */
			return UINT64_MAX;
		return (mult << up) * NS_PER_S;
	}
	/* (mult * 1e9) >> (32 - scale), rounded up; mult * 1e9 < 2^38. */
	return (mult * NS_PER_S + (1ULL << (32 - scale)) - 1) >> (32 - scale);
}

/* ------------------------------------------------------------------ */
/* Codec                                                              */

static enum mesh_stamp_result mesh_stamp_check_len(size_t len)
{
	if (len < MESH_STAMP_BASE_LEN)
		return MESH_STAMP_TRUNCATED;
	if (len > MESH_STAMP_MAX_LEN)
		return MESH_STAMP_OVERSIZED;
	return MESH_STAMP_OK;
}

/* RFC 4656 section 4.1.2: a zero multiplier marks a corrupt packet. */
static bool mesh_stamp_ee_valid(uint16_t ee)
{
	return (ee & MESH_STAMP_EE_MULT_MASK) != 0;
}

enum mesh_stamp_result mesh_stamp_test_decode(const uint8_t *buf, size_t len,
					      struct mesh_stamp_test *t)
{
	enum mesh_stamp_result res = mesh_stamp_check_len(len);
	struct mesh_rbuf b, base;

	if (res != MESH_STAMP_OK)
		return res;
	mesh_rbuf_init(&b, buf, len);
	mesh_rbuf_sub(&b, MESH_STAMP_BASE_LEN, &base);
	memset(t, 0, sizeof(*t));
	mesh_rbuf_u32(&base, &t->seq);
	mesh_rbuf_u64(&base, &t->ts);
	mesh_rbuf_u16(&base, &t->ee);
	mesh_rbuf_u16(&base, &t->ssid);
	mesh_rbuf_skip(&base, 28); /* MBZ */
	if (base.err || mesh_rbuf_left(&base) != 0)
		return MESH_STAMP_TRUNCATED;
	/* What follows the base (RFC 8972 TLVs, padding) is not read. */
	t->len = len;
	if (!mesh_stamp_ee_valid(t->ee))
		return MESH_STAMP_BAD_EE;
	return MESH_STAMP_OK;
}

static enum mesh_stamp_result mesh_stamp_pad(struct mesh_wbuf *w, size_t want)
{
	static const uint8_t zero[64];

	while (!w->err && w->len < want) {
		size_t n = want - w->len;

		mesh_wbuf_bytes(w, zero, n > sizeof(zero) ? sizeof(zero) : n);
	}
	return w->err ? MESH_STAMP_NO_ROOM : MESH_STAMP_OK;
}

enum mesh_stamp_result mesh_stamp_test_encode(const struct mesh_stamp_test *t,
					      uint8_t *out, size_t cap,
					      size_t *outlen)
{
	size_t want =
		t->len > MESH_STAMP_BASE_LEN ? t->len : MESH_STAMP_BASE_LEN;
	struct mesh_wbuf w;

	if (want > MESH_STAMP_MAX_LEN)
		return MESH_STAMP_OVERSIZED;
	mesh_wbuf_init(&w, out, cap);
	mesh_wbuf_u32(&w, t->seq);
	mesh_wbuf_u64(&w, t->ts);
	mesh_wbuf_u16(&w, t->ee);
	mesh_wbuf_u16(&w, t->ssid);
	if (mesh_stamp_pad(&w, want) != MESH_STAMP_OK)
		return MESH_STAMP_NO_ROOM;
	*outlen = w.len;
	return MESH_STAMP_OK;
}

enum mesh_stamp_result
mesh_stamp_reflected_decode(const uint8_t *buf, size_t len,
			    struct mesh_stamp_reflected *r)
{
	enum mesh_stamp_result res = mesh_stamp_check_len(len);
	struct mesh_rbuf b, base;

	if (res != MESH_STAMP_OK)
		return res;
	mesh_rbuf_init(&b, buf, len);
	mesh_rbuf_sub(&b, MESH_STAMP_BASE_LEN, &base);
	memset(r, 0, sizeof(*r));
	mesh_rbuf_u32(&base, &r->seq);
	mesh_rbuf_u64(&base, &r->ts);
	mesh_rbuf_u16(&base, &r->ee);
	mesh_rbuf_u16(&base, &r->ssid);
	mesh_rbuf_u64(&base, &r->rx_ts);
	mesh_rbuf_u32(&base, &r->sender_seq);
	mesh_rbuf_u64(&base, &r->sender_ts);
	mesh_rbuf_u16(&base, &r->sender_ee);
	mesh_rbuf_skip(&base, 2); /* MBZ */
	mesh_rbuf_u8(&base, &r->sender_ttl);
	mesh_rbuf_skip(&base, 3); /* MBZ */
	if (base.err || mesh_rbuf_left(&base) != 0)
		return MESH_STAMP_TRUNCATED;
	r->len = len;
	if (!mesh_stamp_ee_valid(r->ee))
		return MESH_STAMP_BAD_EE;
	return MESH_STAMP_OK;
}

enum mesh_stamp_result
mesh_stamp_reflected_encode(const struct mesh_stamp_reflected *r, uint8_t *out,
			    size_t cap, size_t *outlen)
{
	size_t want =
		r->len > MESH_STAMP_BASE_LEN ? r->len : MESH_STAMP_BASE_LEN;
	static const uint8_t mbz[3];
	struct mesh_wbuf w;

	if (want > MESH_STAMP_MAX_LEN)
		return MESH_STAMP_OVERSIZED;
	mesh_wbuf_init(&w, out, cap);
	mesh_wbuf_u32(&w, r->seq);
	mesh_wbuf_u64(&w, r->ts);
	mesh_wbuf_u16(&w, r->ee);
	mesh_wbuf_u16(&w, r->ssid);
	mesh_wbuf_u64(&w, r->rx_ts);
	mesh_wbuf_u32(&w, r->sender_seq);
	mesh_wbuf_u64(&w, r->sender_ts);
	mesh_wbuf_u16(&w, r->sender_ee);
	mesh_wbuf_bytes(&w, mbz, 2);
	mesh_wbuf_u8(&w, r->sender_ttl);
	mesh_wbuf_bytes(&w, mbz, 3);
	if (mesh_stamp_pad(&w, want) != MESH_STAMP_OK)
		return MESH_STAMP_NO_ROOM;
	*outlen = w.len;
	return MESH_STAMP_OK;
}

enum mesh_stamp_result mesh_stamp_reflect(struct mesh_stamp_reflector *rf,
					  const uint8_t *in, size_t inlen,
					  uint64_t t2, uint64_t t3, uint8_t ttl,
					  uint8_t *out, size_t cap,
					  size_t *outlen)
{
	struct mesh_stamp_test t;
	struct mesh_stamp_reflected r;
	enum mesh_stamp_result res;

	res = mesh_stamp_test_decode(in, inlen, &t);
	if (res != MESH_STAMP_OK)
		return res;
	memset(&r, 0, sizeof(r));
	r.seq = rf->stateful ? rf->seq : t.seq;
	r.ts = t3;
	r.ee = rf->ee;
	r.ssid = t.ssid;
	r.rx_ts = t2;
	r.sender_seq = t.seq;
	r.sender_ts = t.ts;
	r.sender_ee = t.ee;
	r.sender_ttl = ttl;
	r.len = t.len; /* symmetric size, RFC 8762 section 4.3 */
	res = mesh_stamp_reflected_encode(&r, out, cap, outlen);
	if (res == MESH_STAMP_OK && rf->stateful)
		rf->seq++;
	return res;
}

const char *mesh_stamp_result_str(enum mesh_stamp_result r)
{
	switch (r) {
	case MESH_STAMP_OK:
		return "ok";
	case MESH_STAMP_TRUNCATED:
		return "truncated";
	case MESH_STAMP_OVERSIZED:
		return "oversized";
	case MESH_STAMP_BAD_EE:
		return "error estimate multiplier is zero";
	case MESH_STAMP_NO_ROOM:
		return "no room";
	}
	return "?";
}

/* ------------------------------------------------------------------ */
/* Session-Sender                                                     */

void mesh_stamp_session_init(struct mesh_stamp_session *s,
			     const struct mesh_stamp_cfg *cfg)
{
	memset(s, 0, sizeof(*s));
	if (cfg)
		s->cfg = *cfg;
	if (!s->cfg.timeout_ns)
		s->cfg.timeout_ns = MESH_STAMP_DEF_TIMEOUT_NS;
	if (!s->cfg.window)
		s->cfg.window = MESH_STAMP_DEF_WINDOW;
	if (s->cfg.window > MESH_STAMP_WINDOW_MAX)
		s->cfg.window = MESH_STAMP_WINDOW_MAX;
	if (!s->cfg.down_after)
		s->cfg.down_after = MESH_STAMP_DEF_DOWN;
	if (!s->cfg.up_after)
		s->cfg.up_after = MESH_STAMP_DEF_UP;
	if (!mesh_stamp_ee_valid(s->cfg.ee))
		/* 2^-10 s, about a millisecond: an NTP-disciplined clock. */
		s->cfg.ee =
			mesh_stamp_ee_make(s->cfg.clock_synced, false, 22, 1);
	if (s->cfg.clock_synced)
		s->cfg.ee |= MESH_STAMP_EE_S;
	else
		s->cfg.ee &= (uint16_t)~MESH_STAMP_EE_S;
	s->state = MESH_STAMP_STATE_UNKNOWN;
}

static struct mesh_stamp_probe *mesh_stamp_slot(struct mesh_stamp_session *s,
						uint32_t seq)
{
	return &s->probes[seq % MESH_STAMP_WINDOW_MAX];
}

static bool mesh_stamp_outcome_bit(const struct mesh_stamp_session *s,
				   uint32_t i)
{
	return s->outcome[i / 8] & (1u << (i % 8));
}

static void mesh_stamp_outcome_set(struct mesh_stamp_session *s, uint32_t i,
				   bool lost)
{
	if (lost)
		s->outcome[i / 8] |= (uint8_t)(1u << (i % 8));
	else
		s->outcome[i / 8] &= (uint8_t) ~(1u << (i % 8));
}

/* Apply one probe's outcome: loss window, counters, state machine. */
static unsigned int mesh_stamp_outcome(struct mesh_stamp_session *s, bool lost,
				       uint64_t now)
{
	uint32_t w = s->cfg.window;
	unsigned int ev = 0;

	if (s->window_n == w) {
		/* The oldest outcome leaves the window. */
		if (mesh_stamp_outcome_bit(s, s->outcome_pos))
			s->window_lost--;
	} else {
		s->window_n++;
	}
	mesh_stamp_outcome_set(s, s->outcome_pos, lost);
	s->outcome_pos = (s->outcome_pos + 1) % w;

	if (lost) {
		s->window_lost++;
		s->lost++;
		s->consec_lost++;
		s->consec_ok = 0;
		ev |= MESH_STAMP_EV_LOSS;
		if (s->state != MESH_STAMP_STATE_DOWN &&
		    s->consec_lost >= s->cfg.down_after) {
			s->state = MESH_STAMP_STATE_DOWN;
			s->last_change = now;
			ev |= MESH_STAMP_EV_DOWN;
		}
	} else {
		s->consec_ok++;
		s->consec_lost = 0;
		if (s->state != MESH_STAMP_STATE_UP &&
		    s->consec_ok >= s->cfg.up_after) {
			s->state = MESH_STAMP_STATE_UP;
			s->last_change = now;
			ev |= MESH_STAMP_EV_UP;
		}
	}
	return ev;
}

static bool mesh_stamp_expired(const struct mesh_stamp_session *s,
			       const struct mesh_stamp_probe *p, uint64_t now)
{
	int64_t age = mesh_stamp_ntp_diff_ns(now, p->t1);

	return age >= 0 && (uint64_t)age >= s->cfg.timeout_ns;
}

/*
 * Apply outcomes in sequence order, from the oldest unresolved probe on:
 * answered probes count as received, expired ones as lost; stop at the
 * first probe still waiting. With force, the oldest probe is resolved
 * even if it is still waiting (to make room in the ring).
 */
static unsigned int mesh_stamp_advance(struct mesh_stamp_session *s,
				       uint64_t now, bool force)
{
	unsigned int ev = 0;

	while (s->oldest != s->next_seq) {
		struct mesh_stamp_probe *p = mesh_stamp_slot(s, s->oldest);

		if (p->state == PROBE_ACKED) {
			p->state = PROBE_OK;
			ev |= mesh_stamp_outcome(s, false, now);
		} else if (p->state == PROBE_PENDING &&
			   (force || mesh_stamp_expired(s, p, now))) {
			p->state = PROBE_LOST;
			ev |= mesh_stamp_outcome(s, true, now);
		} else {
			break;
		}
		force = false;
		s->oldest++;
	}
	return ev;
}

enum mesh_stamp_result mesh_stamp_session_send(struct mesh_stamp_session *s,
					       uint64_t t1, uint8_t *out,
					       size_t cap, size_t *outlen,
					       uint32_t *seq,
					       unsigned int *events)
{
	struct mesh_stamp_test t = {0};
	struct mesh_stamp_probe *p;
	enum mesh_stamp_result res;
	unsigned int ev;

	t.seq = s->next_seq;
	t.ts = t1;
	t.ee = s->cfg.ee;
	t.ssid = s->cfg.ssid;
	t.len = MESH_STAMP_BASE_LEN;
	res = mesh_stamp_test_encode(&t, out, cap, outlen);
	if (res != MESH_STAMP_OK)
		return res;

	ev = mesh_stamp_advance(s, t1, false);
	if (s->next_seq - s->oldest >= MESH_STAMP_WINDOW_MAX)
		ev |= mesh_stamp_advance(s, t1, true);

	p = mesh_stamp_slot(s, s->next_seq);
	p->seq = s->next_seq;
	p->t1 = t1;
	p->state = PROBE_PENDING;
	if (seq)
		*seq = s->next_seq;
	s->next_seq++;
	s->sent++;
	if (events)
		*events = ev;
	return MESH_STAMP_OK;
}

/* RFC 3550 section 6.4.1: J += (|D| - J) / 16. */
static void mesh_stamp_dv(int64_t *j, int64_t d)
{
	if (d < 0)
		d = -d;
	*j += (d - *j) / 16;
}

static void mesh_stamp_sample(struct mesh_stamp_session *s,
			      const struct mesh_stamp_reflected *r,
			      const struct mesh_stamp_probe *p, uint64_t t4)
{
	bool rptp = r->ee & MESH_STAMP_EE_Z;
	int64_t total = mesh_stamp_ntp_diff_ns(t4, p->t1);
	int64_t proc = mesh_stamp_ts_diff_ns(r->ts, r->rx_ts, rptp);
	int64_t rtt = total - proc;

	/* A reflector whose timestamps say it held the packet longer than
	 * the whole round trip has a broken clock; keep the sample sane. */
	if (proc < 0 || rtt < 0)
		rtt = total < 0 ? 0 : total;

	if (s->have_rtt) {
		mesh_stamp_dv(&s->rtt_dv_ns, rtt - s->rtt_ns);
		if (rtt < s->rtt_min_ns)
			s->rtt_min_ns = rtt;
		if (rtt > s->rtt_max_ns)
			s->rtt_max_ns = rtt;
		s->rtt_avg_ns += (rtt - s->rtt_avg_ns) / 8;
	} else {
		s->rtt_min_ns = s->rtt_max_ns = s->rtt_avg_ns = rtt;
		s->have_rtt = true;
	}
	s->rtt_ns = rtt;

	s->have_one_way = s->cfg.clock_synced && (r->ee & MESH_STAMP_EE_S) &&
			  (r->sender_ee & MESH_STAMP_EE_S) && !rptp &&
			  !(r->sender_ee & MESH_STAMP_EE_Z);
	if (s->have_one_way) {
		int64_t fwd = mesh_stamp_ntp_diff_ns(r->rx_ts, p->t1);

		if (s->have_fwd_prev)
			mesh_stamp_dv(&s->fwd_dv_ns, fwd - s->fwd_ns);
		s->fwd_ns = fwd;
		s->bwd_ns = mesh_stamp_ntp_diff_ns(t4, r->ts);
		s->have_fwd_prev = true;
	}
}

unsigned int mesh_stamp_session_reply(struct mesh_stamp_session *s,
				      const struct mesh_stamp_reflected *r,
				      uint64_t t4, enum mesh_stamp_match *match)
{
	struct mesh_stamp_probe *p = mesh_stamp_slot(s, r->sender_seq);
	enum mesh_stamp_match m;
	unsigned int ev;

	/* Probes that timed out before this reply arrived are lost first,
	 * so a reply after the timeout is late whether or not a tick ran. */
	ev = mesh_stamp_advance(s, t4, false);

	if (p->state == PROBE_FREE || p->seq != r->sender_seq ||
	    (int32_t)(r->sender_seq - s->next_seq) >= 0) {
		m = MESH_STAMP_UNKNOWN;
		s->unknown++;
	} else if (p->state == PROBE_LOST) {
		m = MESH_STAMP_LATE;
		s->late++;
	} else if (p->state == PROBE_OK || p->state == PROBE_ACKED) {
		m = MESH_STAMP_DUPLICATE;
		s->duplicate++;
	} else if (r->sender_ts != p->t1) {
		m = MESH_STAMP_MISMATCHED;
		s->mismatched++;
	} else {
		m = MESH_STAMP_MATCHED;
		s->received++;
		p->state = PROBE_ACKED;
		mesh_stamp_sample(s, r, p, t4);
		ev |= MESH_STAMP_EV_SAMPLE;
		ev |= mesh_stamp_advance(s, t4, false);
	}
	if (match)
		*match = m;
	return ev;
}

unsigned int mesh_stamp_session_tick(struct mesh_stamp_session *s, uint64_t now)
{
	return mesh_stamp_advance(s, now, false);
}

uint64_t mesh_stamp_session_deadline(const struct mesh_stamp_session *s)
{
	for (uint32_t seq = s->oldest; seq != s->next_seq; seq++) {
		const struct mesh_stamp_probe *p =
			&s->probes[seq % MESH_STAMP_WINDOW_MAX];

		if (p->state == PROBE_PENDING)
			return mesh_stamp_ntp_add_ns(p->t1, s->cfg.timeout_ns);
	}
	return 0;
}

uint32_t mesh_stamp_session_loss_ppm(const struct mesh_stamp_session *s)
{
	if (!s->window_n)
		return 0;
	return (uint32_t)(((uint64_t)s->window_lost * 1000000ULL +
			   s->window_n / 2) /
			  s->window_n);
}

uint32_t mesh_stamp_loss_rfc8571(uint32_t lost, uint32_t total)
{
	/* One unit is 0.000003 %: fraction * 100 / 0.000003. */
	uint64_t units;

	if (!total || !lost)
		return 0;
	units = ((uint64_t)lost * 100000000ULL + (uint64_t)total * 3 / 2) /
		((uint64_t)total * 3);
	return units > 0xfffffeULL ? 0xfffffeU : (uint32_t)units;
}

static uint32_t mesh_stamp_ns_to_us(int64_t ns)
{
	if (ns <= 0)
		return 0;
	if ((uint64_t)ns / 1000 > UINT32_MAX)
		return UINT32_MAX;
	return (uint32_t)(((uint64_t)ns + 500) / 1000);
}

uint32_t mesh_stamp_session_delay_us(const struct mesh_stamp_session *s)
{
	if (s->have_one_way)
		return mesh_stamp_ns_to_us(s->fwd_ns);
	if (s->have_rtt)
		return mesh_stamp_ns_to_us(s->rtt_avg_ns / 2);
	return 0;
}

uint32_t mesh_stamp_session_dv_us(const struct mesh_stamp_session *s)
{
	if (s->have_one_way)
		return mesh_stamp_ns_to_us(s->fwd_dv_ns);
	return mesh_stamp_ns_to_us(s->rtt_dv_ns);
}

const char *mesh_stamp_state_str(enum mesh_stamp_state st)
{
	switch (st) {
	case MESH_STAMP_STATE_UNKNOWN:
		return "unknown";
	case MESH_STAMP_STATE_UP:
		return "up";
	case MESH_STAMP_STATE_DOWN:
		return "down";
	}
	return "?";
}

const char *mesh_stamp_match_str(enum mesh_stamp_match m)
{
	switch (m) {
	case MESH_STAMP_MATCHED:
		return "matched";
	case MESH_STAMP_LATE:
		return "late";
	case MESH_STAMP_DUPLICATE:
		return "duplicate";
	case MESH_STAMP_UNKNOWN:
		return "unknown";
	case MESH_STAMP_MISMATCHED:
		return "mismatched";
	}
	return "?";
}
