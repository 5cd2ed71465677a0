// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * STAMP (RFC 8762), unauthenticated mode: the packets and the sender's
 * bookkeeping that turns replies into delay, delay variation, loss and a
 * tunnel up/down decision.
 *
 * Packets (RFC 8762 sections 4.2.1 and 4.3.1), 44 octets each:
 *   Session-Sender:    sequence(4) timestamp(8) error estimate(2) MBZ(30)
 *   Session-Reflector: sequence(4) timestamp(8) error estimate(2) MBZ(2)
 *                      receive timestamp(8) sender sequence(4)
 *                      sender timestamp(8) sender error estimate(2) MBZ(2)
 *                      sender TTL(1) MBZ(3)
 * The first two MBZ octets after the error estimate carry the Session-
 * Sender Identifier of RFC 8972 and are decoded as such; RFC 8972 TLVs
 * after the base packet are not interpreted (a reflected packet has the
 * size of the test packet, the extra octets zeroed). Timestamps are NTP
 * 64-bit (Z = 0) unless an error estimate says PTPv2 (Z = 1).
 *
 * The session functions are pure: every time is an NTP timestamp passed
 * in by the caller (T1 when a probe leaves, T4 when a reply arrives, now
 * for timer ticks), so tests drive them with scripted timelines.
 *
 * Measurements (T1 sent, T2 received by the reflector, T3 sent back by
 * it, T4 received back):
 *  - round trip = (T4 - T1) - (T3 - T2), RFC 8762 section 4;
 *  - one-way forward T2 - T1 and backward T4 - T3, only when our clock
 *    is configured synchronized and both error estimates carry S = 1 and
 *    both sides use NTP timestamps;
 *  - delay variation: RFC 3550 section 6.4.1's estimator
 *    J += (|D| - J) / 16, where D is the difference between the delays
 *    of two consecutively received replies (round trip, and forward
 *    one-way when available);
 *  - loss: lost / resolved over the last cfg.window resolved probes;
 *  - state: DOWN after cfg.down_after consecutive lost probes, UP after
 *    cfg.up_after consecutive answered ones (the hysteresis: one reply
 *    does not bring a down tunnel back).
 * A probe is lost when no reply came within cfg.timeout_ns of T1.
 * Outcomes are applied in sequence order, so "consecutive" means
 * consecutive sequence numbers even when replies are reordered; a reply
 * that arrives after its probe was declared lost is counted as late and
 * does not change the outcome.
 *
 * libc only; no libfrr, so unit tests and fuzz targets link it directly.
 */
#ifndef MESH_STAMP_H
#define MESH_STAMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MESH_STAMP_PORT 862	/* RFC 8762 section 4.1 */
#define MESH_STAMP_BASE_LEN 44	/* unauthenticated test packets */
#define MESH_STAMP_MAX_LEN 1472 /* largest UDP payload of 1500 over IPv4 */

/* Error Estimate (RFC 4656 section 4.1.2, RFC 8186 for Z). */
#define MESH_STAMP_EE_S 0x8000 /* clock synchronized to UTC */
#define MESH_STAMP_EE_Z 0x4000 /* timestamps are PTPv2, not NTP */
#define MESH_STAMP_EE_SCALE_SHIFT 8
#define MESH_STAMP_EE_SCALE_MASK 0x3f00
#define MESH_STAMP_EE_MULT_MASK 0x00ff

/* Seconds from 1900-01-01 (NTP era 0) to 1970-01-01. */
#define MESH_STAMP_NTP_UNIX_OFFSET 2208988800ULL

/* Most probes tracked at once, and largest loss window. */
#define MESH_STAMP_WINDOW_MAX 1024

enum mesh_stamp_result {
	MESH_STAMP_OK = 0,
	MESH_STAMP_TRUNCATED, /* shorter than the base packet */
	MESH_STAMP_OVERSIZED, /* longer than MESH_STAMP_MAX_LEN */
	MESH_STAMP_BAD_EE,    /* error estimate multiplier zero */
	MESH_STAMP_NO_ROOM,   /* encoder: output buffer too small */
};

/* A Session-Sender test packet. */
struct mesh_stamp_test {
	uint32_t seq;
	uint64_t ts; /* T1 */
	uint16_t ee;
	uint16_t ssid; /* RFC 8972 Session-Sender Identifier, or 0 */
	size_t len;    /* whole packet; encoder pads up to it */
};

/* A Session-Reflector test packet. */
struct mesh_stamp_reflected {
	uint32_t seq; /* reflector's sequence (a copy if stateless) */
	uint64_t ts;  /* T3 */
	uint16_t ee;  /* reflector's error estimate, for T2 and T3 */
	uint16_t ssid;
	uint64_t rx_ts;	     /* T2 */
	uint32_t sender_seq; /* echoed */
	uint64_t sender_ts;  /* echoed T1 */
	uint16_t sender_ee;  /* echoed */
	uint8_t sender_ttl;  /* TTL / hop limit the test packet arrived with */
	size_t len;
};

/* Time helpers. */
uint64_t mesh_stamp_ntp_from_unix(uint64_t sec, uint32_t nsec);
void mesh_stamp_ntp_to_unix(uint64_t ntp, uint64_t *sec, uint32_t *nsec);
/* CLOCK_REALTIME as an NTP timestamp (the one impure helper). */
uint64_t mesh_stamp_ntp_now(void);
/* a - b in nanoseconds; wraps correctly across an NTP era boundary for
 * differences under 68 years. */
int64_t mesh_stamp_ntp_diff_ns(uint64_t a, uint64_t b);
/* a - b for two timestamps in the format ptp selects. */
int64_t mesh_stamp_ts_diff_ns(uint64_t a, uint64_t b, bool ptp);
/* a + ns, NTP format. */
uint64_t mesh_stamp_ntp_add_ns(uint64_t a, uint64_t ns);

uint16_t mesh_stamp_ee_make(bool synced, bool ptp, uint8_t scale,
			    uint8_t multiplier);
/* The error in nanoseconds: multiplier * 2^(scale - 32) s, rounded up. */
uint64_t mesh_stamp_ee_ns(uint16_t ee);

/* Codec. Decoders read through a bounded buffer and accept packets of
 * MESH_STAMP_BASE_LEN to MESH_STAMP_MAX_LEN octets. Encoders write
 * max(len, MESH_STAMP_BASE_LEN) octets, MBZ and padding zero. */
enum mesh_stamp_result mesh_stamp_test_decode(const uint8_t *buf, size_t len,
					      struct mesh_stamp_test *t);
enum mesh_stamp_result mesh_stamp_test_encode(const struct mesh_stamp_test *t,
					      uint8_t *out, size_t cap,
					      size_t *outlen);
enum mesh_stamp_result
mesh_stamp_reflected_decode(const uint8_t *buf, size_t len,
			    struct mesh_stamp_reflected *r);
enum mesh_stamp_result
mesh_stamp_reflected_encode(const struct mesh_stamp_reflected *r, uint8_t *out,
			    size_t cap, size_t *outlen);
const char *mesh_stamp_result_str(enum mesh_stamp_result r);

/*
 * Session-Reflector: answer the test packet in (inlen octets) into out.
 * Stateless reflectors copy the sender's sequence; stateful ones use
 * *seq and increment it (RFC 8762 section 4.3.1).
 */
struct mesh_stamp_reflector {
	bool stateful;
	uint32_t seq; /* next sequence number when stateful */
	uint16_t ee;  /* our error estimate */
};
enum mesh_stamp_result mesh_stamp_reflect(struct mesh_stamp_reflector *rf,
					  const uint8_t *in, size_t inlen,
					  uint64_t t2, uint64_t t3, uint8_t ttl,
					  uint8_t *out, size_t cap,
					  size_t *outlen);

/* ------------------------------------------------------------------ */
/* Session-Sender bookkeeping                                         */

enum mesh_stamp_state {
	MESH_STAMP_STATE_UNKNOWN = 0, /* neither threshold reached yet */
	MESH_STAMP_STATE_UP,
	MESH_STAMP_STATE_DOWN,
};

struct mesh_stamp_cfg {
	uint64_t timeout_ns; /* a reply later than this means lost */
	uint16_t window;     /* probes in the loss window */
	uint16_t down_after; /* consecutive losses to declare down */
	uint16_t up_after;   /* consecutive replies to declare up */
	bool clock_synced;   /* our clock is synchronized to UTC */
	uint16_t ee;	     /* error estimate we send (S set if synced) */
	uint16_t ssid;	     /* RFC 8972 Session-Sender Identifier */
};

/* Events returned by the session functions (bit mask). */
#define MESH_STAMP_EV_UP 0x01	  /* state became UP */
#define MESH_STAMP_EV_DOWN 0x02	  /* state became DOWN */
#define MESH_STAMP_EV_SAMPLE 0x04 /* a new delay sample */
#define MESH_STAMP_EV_LOSS 0x08	  /* at least one probe declared lost */

/* What a reply matched. */
enum mesh_stamp_match {
	MESH_STAMP_MATCHED = 0,
	MESH_STAMP_LATE,       /* its probe was already declared lost */
	MESH_STAMP_DUPLICATE,  /* its probe was already answered */
	MESH_STAMP_UNKNOWN,    /* sequence never sent or long forgotten */
	MESH_STAMP_MISMATCHED, /* echoed T1 differs from the one we sent */
};

struct mesh_stamp_probe {
	uint32_t seq;
	uint8_t state; /* internal */
	uint64_t t1;
};

struct mesh_stamp_session {
	struct mesh_stamp_cfg cfg;
	enum mesh_stamp_state state;
	uint64_t last_change; /* when state last changed (NTP) */

	uint32_t next_seq; /* sequence of the next probe */
	uint32_t oldest;   /* oldest probe whose outcome is not applied */
	struct mesh_stamp_probe probes[MESH_STAMP_WINDOW_MAX];

	/* Outcomes of the last cfg.window resolved probes, 1 = lost. */
	uint8_t outcome[MESH_STAMP_WINDOW_MAX / 8];
	uint32_t outcome_pos;
	uint32_t window_n;
	uint32_t window_lost;

	uint32_t consec_lost;
	uint32_t consec_ok;

	/* Counters. */
	uint64_t sent, received, lost, late, duplicate, unknown, mismatched;

	/* Round trip, nanoseconds. */
	bool have_rtt;
	int64_t rtt_ns;	    /* last sample */
	int64_t rtt_min_ns; /* since init */
	int64_t rtt_max_ns;
	int64_t rtt_avg_ns; /* EWMA, gain 1/8 */
	int64_t rtt_dv_ns;  /* RFC 3550 estimator over round trips */

	/* One-way, nanoseconds; have_one_way tells whether the last reply
	 * allowed them. */
	bool have_one_way;
	bool have_fwd_prev;
	int64_t fwd_ns;
	int64_t bwd_ns;
	int64_t fwd_dv_ns; /* RFC 3550 estimator over forward delays */
};

/* Defaults used for zero fields of cfg: timeout 1 s, window 100,
 * down after 3, up after 3. window is capped at MESH_STAMP_WINDOW_MAX. */
void mesh_stamp_session_init(struct mesh_stamp_session *s,
			     const struct mesh_stamp_cfg *cfg);

/*
 * Make the next probe, sent at t1, into out. Expired probes are resolved
 * first; if MESH_STAMP_WINDOW_MAX probes are still unresolved, the oldest
 * is declared lost to make room. Returns MESH_STAMP_OK or _NO_ROOM;
 * *events gets MESH_STAMP_EV_* bits; *seq (if not NULL) the sequence.
 */
enum mesh_stamp_result mesh_stamp_session_send(struct mesh_stamp_session *s,
					       uint64_t t1, uint8_t *out,
					       size_t cap, size_t *outlen,
					       uint32_t *seq,
					       unsigned int *events);

/* A reply received at t4. Returns MESH_STAMP_EV_* bits; *match (if not
 * NULL) says what it matched. */
unsigned int mesh_stamp_session_reply(struct mesh_stamp_session *s,
				      const struct mesh_stamp_reflected *r,
				      uint64_t t4,
				      enum mesh_stamp_match *match);

/* Timer tick: declare probes older than the timeout lost. */
unsigned int mesh_stamp_session_tick(struct mesh_stamp_session *s,
				     uint64_t now);

/* When the oldest unanswered probe times out (NTP), 0 if none: the
 * caller arms its timer for it. */
uint64_t mesh_stamp_session_deadline(const struct mesh_stamp_session *s);

/* Loss over the window in parts per million (0 with no outcomes). */
uint32_t mesh_stamp_session_loss_ppm(const struct mesh_stamp_session *s);
/* Loss in RFC 8570/8571 units of 0.000003 %, capped at 0xFFFFFE. */
uint32_t mesh_stamp_loss_rfc8571(uint32_t lost, uint32_t total);
/*
 * The one-way delay to advertise, microseconds: the forward one-way
 * delay when clocks allow it, otherwise half the averaged round trip.
 * 0 if there is no sample yet.
 */
uint32_t mesh_stamp_session_delay_us(const struct mesh_stamp_session *s);
/* Delay variation to advertise, microseconds (forward one-way when
 * available, else round trip). */
uint32_t mesh_stamp_session_dv_us(const struct mesh_stamp_session *s);

const char *mesh_stamp_state_str(enum mesh_stamp_state st);
const char *mesh_stamp_match_str(enum mesh_stamp_match m);

#ifdef __cplusplus
}
#endif

#endif /* MESH_STAMP_H */
