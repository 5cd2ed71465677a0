// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of meshd's BGP message codec (meshd/mesh_bgp_wire.c).
 *
 * The tests read like the RFCs: tables of named byte vectors, each with
 * the decode context and the outcome the standards demand (action,
 * NOTIFICATION code/subcode for resets, and the section the decision
 * cites), then encode/decode round trips for every attribute row and
 * every message type, packing, and the hostile shapes from
 * the project reference on BGP error handling. Every vector also goes
 * through the formatters and the hex dump.
 *
 * Run without arguments for the tests; "--write-corpus DIR" writes the
 * named vectors as seeds for tests/fuzz/fuzz_bgp_msg.c instead (first
 * octet: the context flags below, as the fuzz target reads them).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "mesh_bgp_wire.h"

/* Context flags, one octet, shared with the fuzz target. */
#define C_AS4 0x01     /* 4-octet AS negotiated */
#define C_EXT 0x02     /* extended messages */
#define C_IBGP 0x04    /* internal peer */
#define C_AP4 0x08     /* ADD-PATH receive, IPv4 unicast */
#define C_AP6 0x10     /* ADD-PATH receive, IPv6 unicast */
#define C_AFD 0x20     /* AFI/SAFI disable available */
#define C_MESHV 0x40   /* mesh validator: first value octet 0 = bad */
#define C_MESH254 0x80 /* mesh attribute at type code 254 */

static int mesh_check(const uint8_t *val, size_t len, void *arg)
{
	(void)arg;
	return len == 0 || val[0] == 0;
}

static void ctx_from_flags(struct mesh_bgp_ctx *c, uint8_t f)
{
	memset(c, 0, sizeof(*c));
	c->as4 = f & C_AS4;
	c->ext_msg = f & C_EXT;
	c->ibgp = f & C_IBGP;
	c->addpath_rx = (f & C_AP4 ? MESH_BGP_AFB_IPV4 : 0) |
			(f & C_AP6 ? MESH_BGP_AFB_IPV6 : 0);
	c->addpath_tx = c->addpath_rx;
	c->afisafi_disable = f & C_AFD;
	if (f & C_MESHV)
		c->mesh_validate = mesh_check;
	c->mesh_type = f & C_MESH254 ? 254 : 0;
}

/* ------------------------------------------------------------------ */
/* Vectors                                                            */

enum shape {
	RAW,  /* hex is the whole message */
	BODY, /* hex is the body; header made with type */
	UPD,  /* "withdrawn | attributes | nlri", lengths computed */
};

struct vec {
	const char *name;
	enum shape shape;
	uint8_t type;
	const char *hex;
	uint8_t ctx;
	enum mesh_bgp_action action;
	uint8_t code, subcode; /* checked for resets */
	const char *cite;      /* a finding must cite this; NULL: none */
	int extra; /* UPDATE: 1 = End-of-RIB; NOTIFICATION: shut status;
		    * OPEN: capability bits; ROUTE-REFRESH: 1 = ignore */
};

#define MARKER "ffffffffffffffffffffffffffffffff "
#define ORIGIN "40 01 01 00 "
#define ASP2 "40 02 04 02 01 fd e9 "
#define ASP4 "40 02 06 02 01 00 00 fd e9 "
#define NH "40 03 04 0a 00 00 01 "
#define BASE ORIGIN ASP2 NH
#define BASE4 ORIGIN ASP4 NH
#define P24 "18 0a 01 02 "
#define V6NH "20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01 "
#define MPR6 "80 0e 1a 00 02 01 10 " V6NH "00 20 20 01 0d b8 "
#define MPU6 "80 0f 08 00 02 01 20 20 01 0d b8 "
#define MED "80 04 04 00 00 00 05 "
#define OPENHDR "04 fd e9 00 b4 0a 00 00 01 "

#define NONE MESH_BGP_ACT_NONE
#define DISC MESH_BGP_ACT_ATTR_DISCARD
#define TAW MESH_BGP_ACT_TREAT_AS_WITHDRAW
#define AFD MESH_BGP_ACT_AFISAFI_DISABLE
#define RST MESH_BGP_ACT_SESSION_RESET

static const struct vec framing_vecs[] = {
	{"frame-keepalive", RAW, 0, MARKER "00 13 04", 0, NONE, 0, 0, NULL, 0},
	{"frame-bad-marker", RAW, 0,
	 "fe ffffffffffffffffffffffffffffff 00 13 04", 0, RST, 1, 1,
	 "RFC 4271 6.1", 0},
	{"frame-length-18", RAW, 0, MARKER "00 12 04", 0, RST, 1, 2,
	 "RFC 4271 6.1", 0},
	{"frame-length-4097", RAW, 0, MARKER "10 01 02", 0, RST, 1, 2,
	 "RFC 4271 6.1", 0},
	{"frame-open-4097-even-with-ext", RAW, 0, MARKER "10 01 01", C_EXT, RST,
	 1, 2, "RFC 4271 6.1", 0},
	{"frame-bad-type-6", RAW, 0, MARKER "00 13 06", 0, RST, 1, 3,
	 "RFC 4271 6.1", 0},
	{"frame-keepalive-with-body", RAW, 0, MARKER "00 14 04 00", 0, RST, 1,
	 2, "RFC 4271 6.1", 0},
	{"frame-open-too-short", RAW, 0, MARKER "00 1c 01" OPENHDR, 0, RST, 1,
	 2, "RFC 4271 6.1", 0},
	{"frame-update-too-short", RAW, 0, MARKER "00 16 02 00 00 00", 0, RST,
	 1, 2, "RFC 4271 6.1", 0},
	{"frame-length-beyond-octets", RAW, 0, MARKER "00 20 04", 0, RST, 1, 2,
	 "RFC 4271 6.1", 0},
	{"frame-route-refresh-short", RAW, 0, MARKER "00 16 05 00 01 00", 0,
	 RST, 1, 2, "RFC 4271 6.1", 0},
};

static const struct vec update_vecs[] = {
	/* well formed */
	{"upd-basic", UPD, 2, "|" BASE "|" P24, 0, NONE, 0, 0, NULL, 0},
	{"upd-as4-basic", UPD, 2, "|" BASE4 "|" P24, C_AS4, NONE, 0, 0, NULL,
	 0},
	{"upd-withdraw-only", UPD, 2, P24 "||", 0, NONE, 0, 0, NULL, 0},
	{"upd-mp-reach-v6", UPD, 2, "|" ORIGIN ASP2 MPR6 "|", 0, NONE, 0, 0,
	 NULL, 0},
	{"upd-mp-unreach-v6", UPD, 2, "|" MPU6 "|", 0, NONE, 0, 0, NULL, 0},
	{"upd-addpath-v4", UPD, 2, "|" BASE "|00 00 00 07 " P24, C_AP4, NONE, 0,
	 0, NULL, 0},
	{"upd-addpath-v4-missing-id", UPD, 2, "|" BASE "|" P24, C_AP4, RST, 3,
	 10, "RFC 7606 5.3", 0},
	{"upd-host-bits-set", UPD, 2, "|" BASE "|17 0a 01 03", 0, NONE, 0, 0,
	 NULL, 0},
	/* End-of-RIB */
	{"eor-ipv4", UPD, 2, "||", 0, NONE, 0, 0, NULL, 1},
	{"eor-mp-ipv6", UPD, 2, "|80 0f 03 00 02 01|", 0, NONE, 0, 0, NULL, 1},
	{"eor-mp-ipv6-extlen", UPD, 2, "|90 0f 00 03 00 02 01|", 0, NONE, 0, 0,
	 NULL, 1},
	{"eor-with-malformed-origin", UPD, 2, "|80 0f 03 00 02 01 40 01 01 07|",
	 0, RST, 3, 1, "RFC 7606 5.2", 0},
	{"eor-mp-unreach-too-short", UPD, 2, "|80 0f 02 00 02|", 0, RST, 3, 9,
	 "RFC 7606 7.11", 0},
	/* RFC 7606 3.b */
	{"len-withdrawn-past-end", BODY, 2, "00 10 00 00", 0, RST, 3, 1,
	 "RFC 7606 3.b", 0},
	{"len-attrs-past-end", BODY, 2, "00 00 00 20 40 01 01 00", 0, RST, 3, 1,
	 "RFC 7606 3.b", 0},
	/* RFC 7606 4: attribute headers */
	{"attr-header-truncated", UPD, 2, "|40 01|" P24, 0, TAW, 0, 0,
	 "RFC 7606 4", 0},
	{"attr-length-past-end", UPD, 2, "|" BASE "c0 08 08 00 01|" P24, 0, TAW,
	 0, 0, "RFC 7606 4", 0},
	{"attr-extlen-header-truncated", UPD, 2, "|" BASE "d0 08 00|" P24, 0,
	 TAW, 0, 0, "RFC 7606 4", 0},
	{"attr-extlen-ok", UPD, 2, "|50 01 00 01 00 " ASP2 NH "|" P24, 0, NONE,
	 0, 0, NULL, 0},
	{"attr-zero-length-med", UPD, 2, "|" BASE "80 04 00|" P24, 0, TAW, 0, 0,
	 "RFC 7606 4", 0},
	{"attr-zero-length-communities", UPD, 2, "|" BASE "c0 08 00|" P24, 0,
	 TAW, 0, 0, "RFC 7606 4", 0},
	{"attr-zero-length-as-path-ok", UPD, 2,
	 "|" ORIGIN "40 02 00 " NH "|" P24, C_IBGP, NONE, 0, 0, NULL, 0},
	{"attr-no-nlri-taw-is-reset", UPD, 2, "|40 01 01 05|", 0, RST, 3, 1,
	 "RFC 7606 5.2", 0},
	/* RFC 7606 3.c flags */
	{"flags-origin-optional", UPD, 2, "|c0 01 01 00 " ASP2 NH "|" P24, 0,
	 TAW, 0, 0, "RFC 7606 3.c", 0},
	{"flags-partial-ignored", UPD, 2, "|60 01 01 00 " ASP2 NH "|" P24, 0,
	 NONE, 0, 0, NULL, 0},
	{"flags-med-transitive", UPD, 2, "|" BASE "c0 04 04 00 00 00 05|" P24,
	 0, TAW, 0, 0, "RFC 7606 3.c", 0},
	{"flags-mp-reach-transitive", UPD, 2,
	 "|" ORIGIN ASP2 "c0 0e 1a 00 02 01 10 " V6NH "00 20 20 01 0d b8|", 0,
	 TAW, 0, 0, "RFC 7606 3.c", 0},
	/* RFC 7606 3.g repeats */
	{"dup-med-first-kept", UPD, 2, "|" BASE MED MED "|" P24, 0, DISC, 0, 0,
	 "RFC 7606 3.g", 0},
	{"dup-mp-reach", UPD, 2, "|" ORIGIN ASP2 MPR6 MPR6 "|", 0, RST, 3, 1,
	 "RFC 7606 3.g", 0},
	{"dup-mp-unreach", UPD, 2, "|" MPU6 MPU6 "|", 0, RST, 3, 1,
	 "RFC 7606 3.g", 0},
	/* RFC 7606 3.d missing mandatory */
	{"missing-origin", UPD, 2, "|" ASP2 NH "|" P24, 0, TAW, 0, 0,
	 "RFC 7606 3.d", 0},
	{"missing-next-hop", UPD, 2, "|" ORIGIN ASP2 "|" P24, 0, TAW, 0, 0,
	 "RFC 7606 3.d", 0},
	{"missing-all-mp-reach", UPD, 2, "|" MPR6 "|", 0, TAW, 0, 0,
	 "RFC 7606 3.d", 0},
	{"missing-but-no-nlri", UPD, 2, "|" MED "|", 0, NONE, 0, 0, NULL, 0},
	/* RFC 7606 3.e */
	{"origin-value-3", UPD, 2, "|40 01 01 03 " ASP2 NH "|" P24, 0, TAW, 0,
	 0, "RFC 7606 3.e", 0},
	{"origin-length-2", UPD, 2, "|40 01 02 00 00 " ASP2 NH "|" P24, 0, TAW,
	 0, 0, "RFC 7606 3.e", 0},
	{"as-path-bad-segment-type", UPD, 2,
	 "|" ORIGIN "40 02 04 05 01 fd e9 " NH "|" P24, 0, TAW, 0, 0,
	 "RFC 7606 3.e", 0},
	{"as-path-segment-overrun", UPD, 2,
	 "|" ORIGIN "40 02 04 02 02 fd e9 " NH "|" P24, 0, TAW, 0, 0,
	 "RFC 7606 3.e", 0},
	{"as-path-empty-segment", UPD, 2,
	 "|" ORIGIN "40 02 02 02 00 " NH "|" P24, 0, TAW, 0, 0, "RFC 7606 3.e",
	 0},
	{"next-hop-length-5", UPD, 2,
	 "|" ORIGIN ASP2 "40 03 05 0a 00 00 01 00|" P24, 0, TAW, 0, 0,
	 "RFC 7606 3.e", 0},
	{"next-hop-0.0.0.0", UPD, 2,
	 "|" ORIGIN ASP2 "40 03 04 00 00 00 00|" P24, 0, TAW, 0, 0,
	 "RFC 7606 3.e", 0},
	{"med-length-3", UPD, 2, "|" BASE "80 04 03 00 00 05|" P24, 0, TAW, 0,
	 0, "RFC 7606 3.e", 0},
	{"local-pref-ibgp-length-2", UPD, 2, "|" BASE "40 05 02 00 64|" P24,
	 C_IBGP, TAW, 0, 0, "RFC 7606 3.e", 0},
	/* eBGP-only discards */
	{"local-pref-from-ebgp", UPD, 2, "|" BASE "40 05 04 00 00 00 64|" P24,
	 0, DISC, 0, 0, "RFC 7606 7.5", 0},
	{"local-pref-ibgp-ok", UPD, 2, "|" BASE "40 05 04 00 00 00 64|" P24,
	 C_IBGP, NONE, 0, 0, NULL, 0},
	{"originator-id-from-ebgp", UPD, 2,
	 "|" BASE "80 09 04 01 02 03 04|" P24, 0, DISC, 0, 0, "RFC 7606 7.9",
	 0},
	{"cluster-list-from-ebgp", UPD, 2, "|" BASE "80 0a 04 01 02 03 04|" P24,
	 0, DISC, 0, 0, "RFC 7606 7.10", 0},
	{"cluster-list-ibgp-length-5", UPD, 2,
	 "|" BASE "80 0a 05 01 02 03 04 05|" P24, C_IBGP, TAW, 0, 0,
	 "RFC 7606 7.10", 0},
	/* RFC 7606 3.f */
	{"atomic-aggregate-length-1", UPD, 2, "|" BASE "40 06 01 00|" P24, 0,
	 DISC, 0, 0, "RFC 7606 3.f", 0},
	{"atomic-aggregate-ok", UPD, 2, "|" BASE "40 06 00|" P24, 0, NONE, 0, 0,
	 NULL, 0},
	{"aggregator-length-5", UPD, 2, "|" BASE "c0 07 05 fd e9 0a 00 00|" P24,
	 0, DISC, 0, 0, "RFC 7606 3.f", 0},
	{"aggregator-as4-length-6", UPD, 2,
	 "|" BASE4 "c0 07 06 fd e9 0a 00 00 01|" P24, C_AS4, DISC, 0, 0,
	 "RFC 7606 3.f", 0},
	{"aggregator-as4-ok", UPD, 2,
	 "|" BASE4 "c0 07 08 00 00 fd e9 0a 00 00 01|" P24, C_AS4, NONE, 0, 0,
	 NULL, 0},
	/* optional attributes */
	{"communities-length-5", UPD, 2,
	 "|" BASE "c0 08 05 00 01 00 02 03|" P24, 0, TAW, 0, 0, "RFC 7606 7.8",
	 0},
	{"ext-communities-length-7", UPD, 2,
	 "|" BASE "c0 10 07 00 02 fd e9 00 00 00|" P24, 0, TAW, 0, 0,
	 "RFC 7606 7.14", 0},
	{"large-communities-length-13", UPD, 2,
	 "|" BASE "c0 20 0d 00 00 fd e9 00 00 00 01 00 00 00 02 00|" P24, 0,
	 TAW, 0, 0, "RFC 8092 6", 0},
	{"as4-path-from-as4-speaker", UPD, 2,
	 "|" BASE4 "c0 11 06 02 01 00 00 fd e9|" P24, C_AS4, DISC, 0, 0,
	 "RFC 6793 4.1", 0},
	{"as4-aggregator-from-as4-speaker", UPD, 2,
	 "|" BASE4 "c0 12 08 fa 56 ea 09 0a 00 00 09|" P24, C_AS4, DISC, 0, 0,
	 "RFC 6793 4.1", 0},
	/* the segments are discarded, not the attribute (RFC 6793 6) */
	{"as4-path-confed-segment", UPD, 2,
	 "|" BASE "c0 11 06 03 01 00 00 fd e9|" P24, 0, NONE, 0, 0,
	 "RFC 6793 6", 0},
	{"as4-path-bad-segment-type", UPD, 2,
	 "|" BASE "c0 11 06 05 01 00 00 fd e9|" P24, 0, DISC, 0, 0,
	 "RFC 6793 6", 0},
	{"as4-path-ok", UPD, 2, "|" BASE "c0 11 06 02 01 00 01 00 00|" P24, 0,
	 NONE, 0, 0, NULL, 0},
	/* unknown attributes */
	{"unknown-well-known", UPD, 2, "|" BASE "40 63 01 00|" P24, 0, RST, 3,
	 2, "RFC 4271 6.3", 0},
	{"unknown-optional-transitive-kept", UPD, 2,
	 "|" BASE "c0 63 02 ab cd|" P24, 0, NONE, 0, 0, NULL, 0},
	{"unknown-optional-non-transitive-dropped", UPD, 2,
	 "|" BASE "80 63 01 00|" P24, 0, NONE, 0, 0, NULL, 0},
	/* the mesh attribute */
	{"mesh-ok", UPD, 2, "|" BASE "c0 ff 03 01 02 03|" P24, C_MESHV, NONE, 0,
	 0, NULL, 0},
	{"mesh-malformed", UPD, 2, "|" BASE "c0 ff 03 00 02 03|" P24, C_MESHV,
	 TAW, 0, 0, "RFC 7606 8", 0},
	{"mesh-flags-non-transitive", UPD, 2, "|" BASE "80 ff 03 01 02 03|" P24,
	 0, TAW, 0, 0, "RFC 7606 3.c", 0},
	{"mesh-type-254", UPD, 2, "|" BASE "c0 fe 03 00 02 03|" P24,
	 C_MESHV | C_MESH254, TAW, 0, 0, "RFC 7606 8", 0},
	{"mesh-type-254-255-unknown", UPD, 2, "|" BASE "c0 ff 03 00 02 03|" P24,
	 C_MESHV | C_MESH254, NONE, 0, 0, NULL, 0},
	/* MP_REACH_NLRI / MP_UNREACH_NLRI (RFC 7606 3.j, 5.3, 7.11) */
	{"mp-next-hop-length-0", UPD, 2,
	 "|" ORIGIN ASP2 "80 0e 0a 00 02 01 00 00 20 20 01 0d b8|", 0, RST, 3,
	 9, "RFC 7606 3.j", 0},
	{"mp-next-hop-length-5", UPD, 2,
	 "|" ORIGIN ASP2 "80 0e 0e 00 01 01 05 0a 00 00 01 00 00 18 0a 01 02|",
	 0, RST, 3, 9, "RFC 7606 3.j", 0},
	{"mp-next-hop-length-17", UPD, 2,
	 "|" ORIGIN ASP2 "80 0e 1b 00 02 01 11 " V6NH "00 00 20 20 01 0d b8|",
	 0, RST, 3, 9, "RFC 7606 3.j", 0},
	{"mp-next-hop-length-33", UPD, 2,
	 "|" ORIGIN ASP2 "80 0e 2b 00 02 01 21 " V6NH V6NH
	 "00 00 20 20 01 0d b8|",
	 0, RST, 3, 9, "RFC 7606 3.j", 0},
	{"mp-next-hop-length-32-ok", UPD, 2,
	 "|" ORIGIN ASP2 "80 0e 2a 00 02 01 20 " V6NH V6NH "00 20 20 01 0d b8|",
	 0, NONE, 0, 0, NULL, 0},
	{"mp-next-hop-past-end", UPD, 2,
	 "|" ORIGIN ASP2 "80 0e 0a 00 02 01 30 00 20 20 01 0d b8|", 0, RST, 3,
	 9, "RFC 7606 3.j", 0},
	{"mp-reach-nlri-plen-129", UPD, 2,
	 "|" ORIGIN ASP2 "80 0e 1a 00 02 01 10 " V6NH "00 81 20 01 0d b8|", 0,
	 RST, 3, 9, "RFC 7606 5.3", 0},
	{"mp-reach-nlri-bad-afi-disable", UPD, 2,
	 "|" ORIGIN ASP2 "80 0e 1a 00 02 01 10 " V6NH "00 81 20 01 0d b8|",
	 C_AFD, AFD, 3, 9, "RFC 7606 5.3", 0},
	{"mp-unreach-nlri-truncated", UPD, 2, "|80 0f 05 00 02 01 40 20|", 0,
	 RST, 3, 9, "RFC 7606 5.3", 0},
	{"mp-reach-zero-length", UPD, 2, "|" ORIGIN ASP2 "80 0e 00|", 0, RST, 3,
	 9, "RFC 7606 7.11", 0},
	{"mp-reach-unknown-afi-kept", UPD, 2,
	 "|" ORIGIN ASP2 "80 0e 09 40 04 47 03 01 02 03 00 00|", 0, NONE, 0, 0,
	 NULL, 0},
	/* NLRI fields */
	{"nlri-plen-33", UPD, 2, "|" BASE "|21 0a 01 02 03 04", 0, RST, 3, 10,
	 "RFC 7606 5.3", 0},
	{"withdrawn-plen-33", UPD, 2, "21 0a 01 02 03 04||", 0, RST, 3, 10,
	 "RFC 7606 5.3", 0},
	{"nlri-truncated", UPD, 2, "|" BASE "|18 0a 01", 0, RST, 3, 10,
	 "RFC 7606 5.3", 0},
	/* regressions (reference file) */
	{"reg-attr-length-0-with-nlri", UPD, 2, "||" P24, 0, TAW, 0, 0,
	 "RFC 7606 3.d", 0},
	{"reg-only-unknown-transitive-with-nlri", UPD, 2,
	 "|c0 63 02 ab cd|" P24, 0, TAW, 0, 0, "RFC 7606 3.d", 0},
	{"reg-only-unknown-transitive-no-nlri", UPD, 2, "|c0 63 02 ab cd|", 0,
	 NONE, 0, 0, NULL, 0},
	{"reg-mp-unreach-trailing-nlri", UPD, 2, "|80 0f 03 00 02 01|" P24, 0,
	 TAW, 0, 0, "RFC 7606 3.d", 0},
	{"reg-eor-with-truncated-attr", UPD, 2, "|80 0f 03 00 02 01 40|", 0,
	 RST, 3, 1, "RFC 7606 5.2", 0},
};

static const struct vec open_vecs[] = {
	{"open-basic", BODY, 1, OPENHDR "00", 0, NONE, 0, 0, NULL, 0},
	{"open-all-capabilities", BODY, 1,
	 OPENHDR "22 02 20 01 04 00 01 00 01 02 00 41 04 00 00 fd e9 "
		 "40 06 80 78 00 01 01 80 45 04 00 01 01 03 46 00 06 00",
	 0, NONE, 0, 0, NULL, 0x7f},
	{"open-version-3", BODY, 1, "03 fd e9 00 b4 0a 00 00 01 00", 0, RST, 2,
	 1, "RFC 4271 6.2", 0},
	{"open-as-0", BODY, 1, "04 00 00 00 b4 0a 00 00 01 00", 0, RST, 2, 2,
	 "RFC 7607 2", 0},
	{"open-hold-time-2", BODY, 1, "04 fd e9 00 02 0a 00 00 01 00", 0, RST,
	 2, 6, "RFC 4271 6.2", 0},
	{"open-hold-time-0-ok", BODY, 1, "04 fd e9 00 00 0a 00 00 01 00", 0,
	 NONE, 0, 0, NULL, 0},
	{"open-bgp-id-0", BODY, 1, "04 fd e9 00 b4 00 00 00 00 00", 0, RST, 2,
	 3, "RFC 6286 2.2", 0},
	{"open-unsupported-param", BODY, 1, OPENHDR "04 01 02 aa bb", 0, RST, 2,
	 4, "RFC 4271 6.2", 0},
	{"open-cap-as4-length-3", BODY, 1, OPENHDR "07 02 05 41 03 00 00 01", 0,
	 RST, 2, 0, "RFC 5492 4", 0},
	{"open-cap-mp-length-3", BODY, 1, OPENHDR "07 02 05 01 03 00 01 00", 0,
	 RST, 2, 0, "RFC 5492 4", 0},
	{"open-cap-gr-length-3", BODY, 1, OPENHDR "07 02 05 40 03 00 78 00", 0,
	 RST, 2, 0, "RFC 5492 4", 0},
	{"open-cap-addpath-length-5", BODY, 1,
	 OPENHDR "09 02 07 45 05 00 01 01 03 00", 0, RST, 2, 0, "RFC 5492 4",
	 0},
	{"open-cap-route-refresh-length-1", BODY, 1,
	 OPENHDR "05 02 03 02 01 00", 0, RST, 2, 0, "RFC 5492 4", 0},
	{"open-cap-ext-message-length-1", BODY, 1, OPENHDR "05 02 03 06 01 00",
	 0, RST, 2, 0, "RFC 5492 4", 0},
	{"open-cap-unknown-ignored", BODY, 1, OPENHDR "07 02 05 49 03 61 62 63",
	 0, NONE, 0, 0, NULL, 0},
	{"open-cap-past-parameter", BODY, 1, OPENHDR "05 02 03 41 04 00", 0,
	 RST, 2, 0, "RFC 5492 4", 0},
	{"open-cap-as4-zero", BODY, 1, OPENHDR "08 02 06 41 04 00 00 00 00", 0,
	 RST, 2, 2, "RFC 7607 2", 0},
	{"open-optlen-mismatch", BODY, 1, OPENHDR "05 02 02 02 00", 0, RST, 2,
	 0, "RFC 4271 6.2", 0},
	{"open-ext-params-ok", BODY, 1,
	 OPENHDR "ff ff 00 0b 02 00 08 41 04 00 00 fd e9 02 00", 0, NONE, 0, 0,
	 NULL, MESH_BGP_CAPF_AS4 | MESH_BGP_CAPF_ROUTE_REFRESH},
	{"open-ext-params-ending-early", BODY, 1,
	 OPENHDR "ff ff 00 0b 02 00 08 41 04", 0, RST, 2, 0, "RFC 9072 2", 0},
	{"open-ext-params-param-past-end", BODY, 1,
	 OPENHDR "ff ff 00 05 02 00 20 41 04", 0, RST, 2, 0, "RFC 9072 2", 0},
	{"open-ext-params-no-length", BODY, 1, OPENHDR "ff ff", 0, RST, 2, 0,
	 "RFC 9072 2", 0},
};

static const struct vec notif_vecs[] = {
	{"notify-shutdown-valid", BODY, 3, "06 02 05 68 65 6c 6c 6f", 0, NONE,
	 0, 0, NULL, MESH_BGP_SHUT_OK},
	{"notify-shutdown-utf8-multibyte", BODY, 3, "06 04 04 e2 82 ac 21", 0,
	 NONE, 0, 0, NULL, MESH_BGP_SHUT_OK},
	{"notify-shutdown-overlong", BODY, 3, "06 02 c8 68 65", 0, NONE, 0, 0,
	 "RFC 9003 2", MESH_BGP_SHUT_TRUNCATED},
	{"notify-shutdown-invalid-utf8", BODY, 3, "06 04 03 c3 28 61", 0, NONE,
	 0, 0, "RFC 9003 2", MESH_BGP_SHUT_BAD_UTF8},
	{"notify-shutdown-overlong-encoding", BODY, 3, "06 02 02 c0 80", 0,
	 NONE, 0, 0, "RFC 9003 2", MESH_BGP_SHUT_BAD_UTF8},
	{"notify-shutdown-empty", BODY, 3, "06 02", 0, NONE, 0, 0, NULL,
	 MESH_BGP_SHUT_EMPTY},
	{"notify-other", BODY, 3, "03 01", 0, NONE, 0, 0, NULL,
	 MESH_BGP_SHUT_NONE},
};

static const struct vec rr_vecs[] = {
	{"rr-normal", BODY, 5, "00 01 00 01", 0, NONE, 0, 0, NULL, 0},
	{"rr-borr", BODY, 5, "00 02 01 01", 0, NONE, 0, 0, NULL, 0},
	{"rr-eorr-length-24", BODY, 5, "00 01 02 01 00", 0, RST, 7, 1,
	 "RFC 7313 5", 0},
	{"rr-unknown-subtype-ignored", BODY, 5, "00 01 07 01", 0, NONE, 0, 0,
	 NULL, 1},
	{"rr-normal-with-orf", BODY, 5, "00 01 00 01 01 00 03", 0, NONE, 0, 0,
	 NULL, 0},
};

#define TABLE(t)                                                               \
	{                                                                      \
#t, t, sizeof(t) / sizeof(t[0])                                \
	}
static const struct {
	const char *name;
	const struct vec *v;
	size_t n;
} tables[] = {
	TABLE(framing_vecs), TABLE(update_vecs), TABLE(open_vecs),
	TABLE(notif_vecs),   TABLE(rr_vecs),
};

/* Hex digits with any separators; returns the octet count. */
static size_t hex_parse(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;

	for (; *s && *s != '|'; s++) {
		int d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			continue;
		if (hi < 0) {
			hi = d;
			continue;
		}
		if (n < cap)
			out[n] = (uint8_t)(hi << 4 | d);
		n++;
		hi = -1;
	}
	return n;
}

static void put16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Builds the message of a vector into buf; returns its length. */
static size_t vec_build(const struct vec *v, uint8_t *buf, size_t cap)
{
	size_t n = 19, k;

	if (v->shape == RAW)
		return hex_parse(v->hex, buf, cap);
	memset(buf, 0xff, 16);
	buf[18] = v->type;
	if (v->shape == BODY) {
		n += hex_parse(v->hex, buf + n, cap - n);
	} else {
		const char *attrs = strchr(v->hex, '|');
		const char *nlri = attrs ? strchr(attrs + 1, '|') : NULL;

		if (!attrs || !nlri)
			return 0; /* a table typo: the vector fails */
		k = hex_parse(v->hex, buf + n + 2, cap - n - 2);
		put16(buf + n, k);
		n += 2 + k;
		k = hex_parse(attrs + 1, buf + n + 2, cap - n - 2);
		put16(buf + n, k);
		n += 2 + k;
		n += hex_parse(nlri + 1, buf + n, cap - n);
	}
	put16(buf + 16, n);
	return n;
}

static int n_vectors, n_vectors_failed;

static bool has_cite(const struct mesh_bgp_verdict *v, const char *cite)
{
	uint8_t i;

	for (i = 0; i < v->n_findings; i++)
		if (v->findings[i].cite && !strcmp(v->findings[i].cite, cite))
			return true;
	return false;
}

/* Runs one vector; returns a reason for failure or NULL. */
static const char *vec_run(const struct vec *t, char *log, size_t logsz)
{
	static uint8_t buf[70000];
	static char text[20000];
	struct mesh_bgp_ctx ctx;
	struct mesh_bgp_msg m;
	struct mesh_bgp_verdict v;
	size_t len = vec_build(t, buf, sizeof(buf));

	ctx_from_flags(&ctx, t->ctx);
	mesh_bgp_msg_decode(buf, len, &ctx, &m, &v);

	/* the display paths see every vector */
	mesh_bgp_verdict_fmt(log, logsz, &v);
	mesh_bgp_hexdump(text, sizeof(text), buf, len);
	if (m.type == MESH_BGP_MSG_UPDATE)
		mesh_bgp_update_fmt(text, sizeof(text), &ctx, &m.u.update);
	else if (m.type == MESH_BGP_MSG_OPEN)
		mesh_bgp_open_fmt(text, sizeof(text), &m.u.open);
	else if (m.type == MESH_BGP_MSG_NOTIFICATION)
		mesh_bgp_notification_fmt(text, sizeof(text),
					  &m.u.notification);

	if (v.action != t->action)
		return "action";
	if (v.action >= MESH_BGP_ACT_AFISAFI_DISABLE &&
	    (v.notify.code != t->code || v.notify.subcode != t->subcode))
		return "notification code/subcode";
	if (t->cite && !has_cite(&v, t->cite))
		return "citation";
	if (!t->cite && v.n_findings)
		return "unexpected finding";
	if (v.action >= MESH_BGP_ACT_SESSION_RESET)
		return NULL;
	switch (m.type) {
	case MESH_BGP_MSG_UPDATE:
		if (m.u.update.eor != (t->extra == 1))
			return "End-of-RIB";
		break;
	case MESH_BGP_MSG_NOTIFICATION:
		if ((int)m.u.notification.shut != t->extra)
			return "shutdown communication status";
		break;
	case MESH_BGP_MSG_OPEN:
		if (t->extra && m.u.open.caps != (uint32_t)t->extra)
			return "capabilities";
		break;
	case MESH_BGP_MSG_ROUTE_REFRESH:
		if (m.u.rr.ignore != (t->extra == 1))
			return "ignore flag";
		break;
	}
	return NULL;
}

static void test_vectors(void)
{
	size_t i, j;
	char log[2048];

	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		for (j = 0; j < tables[i].n; j++) {
			const struct vec *t = &tables[i].v[j];
			const char *why = vec_run(t, log, sizeof(log));

			n_vectors++;
			if (why) {
				n_vectors_failed++;
				printf("\n  FAIL %s/%s: %s (got: %s)",
				       tables[i].name, t->name, why, log);
			}
			CU_ASSERT(why == NULL);
		}
	}
	printf("\n  %d named vectors, %d failed\n", n_vectors,
	       n_vectors_failed);
}

/* ------------------------------------------------------------------ */
/* RFC 6793 4.2.3: AS_PATH + AS4_PATH, AGGREGATOR + AS4_AGGREGATOR      */

/*
 * An UPDATE from a 2-octet AS ("OLD") speaker, decoded, then merged into
 * the 4-octet attributes the RIB keeps (mesh_bgp_as4_merge). Each vector
 * gives the attributes of the UPDATE, the 4-octet AS_PATH value the RFC
 * constructs, and the aggregating node (AS 0: no AGGREGATOR).
 *
 * ASes: 65001 fde9, 65002 fdea (confederation members), 65010 fdf2,
 * 65020 fdfc, AS_TRANS 5ba0, 4200000000 fa56ea00 (and +1, +2, +9).
 */
struct as4_vec {
	const char *name;
	const char *hex; /* UPD shape */
	uint8_t ctx;
	const char *path;
	uint32_t aggr_as, aggr_id;
};

#define ON "|40 01 01 00 40 03 04 0a 00 00 01 " /* ORIGIN, NEXT_HOP */
#define END "|" P24
/* AS_PATH 65010 AS_TRANS */
#define P2_10T "40 02 06 02 02 fd f2 5b a0 "
/* AS4_PATH 4200000000 */
#define P4_X0 "c0 11 06 02 01 fa 56 ea 00 "
/* AGGREGATOR 65020 or AS_TRANS, AS4_AGGREGATOR 4200000009; 10.0.0.9 */
#define AG_20 "c0 07 06 fd fc 0a 00 00 09 "
#define AG_T "c0 07 06 5b a0 0a 00 00 09 "
#define AG4_X9 "c0 12 08 fa 56 ea 09 0a 00 00 09 "
#define ID9 0x0a000009
/* 4-octet results */
#define W_10T "02 02 00 00 fd f2 00 00 5b a0"
#define W_10_X0 "02 01 00 00 fd f2 02 01 fa 56 ea 00"

static const struct as4_vec as4_vecs[] = {
	/* AS4_PATH replaces the trailing ASes it covers */
	{"as4-merge-basic", ON P2_10T P4_X0 END, 0, W_10_X0, 0, 0},
	{"as4-merge-no-as4-path", ON P2_10T END, 0, W_10T, 0, 0},
	/* more ASes in AS4_PATH than in AS_PATH: AS4_PATH ignored */
	{"as4-merge-as4-path-longer-ignored",
	 ON P2_10T "c0 11 0e 02 03 fa 56 ea 00 fa 56 ea 01 fa 56 ea 02 " END, 0,
	 W_10T, 0, 0},
	/* "When both of the attributes are received, if the AS number in
	 * the AGGREGATOR attribute is not AS_TRANS": AS4_AGGREGATOR and
	 * AS4_PATH ignored, AGGREGATOR and AS_PATH taken as they are */
	{"as4-merge-aggregator-not-as-trans-ignores-as4-path",
	 ON P2_10T AG_20 P4_X0 AG4_X9 END, 0, W_10T, 65020, ID9},
	/* "Otherwise": AS4_AGGREGATOR taken, the path constructed */
	{"as4-merge-aggregator-as-trans", ON P2_10T AG_T P4_X0 AG4_X9 END, 0,
	 W_10_X0, 4200000009u, ID9},
	/* AGGREGATOR alone: the rule is for the pair; the path is built */
	{"as4-merge-aggregator-without-as4-aggregator",
	 ON P2_10T AG_20 P4_X0 END, 0, W_10_X0, 65020, ID9},
	/* ASes counted as in RFC 4271 9.1.2.2: an AS_SET counts as 1.
	 * AS_PATH 65010 {AS_TRANS 65020} (2) vs AS4_PATH 4200000000 (1):
	 * one AS taken from AS_PATH, the set is not split */
	{"as4-merge-as-set-counts-one",
	 ON "40 02 0a 02 01 fd f2 01 02 5b a0 fd fc " P4_X0 END, 0, W_10_X0, 0,
	 0},
	/* AS4_PATH {4200000001 4200000002} counts 1, not 2: 65010 kept */
	{"as4-merge-as4-path-as-set-counts-one",
	 ON P2_10T "c0 11 0a 01 02 fa 56 ea 01 fa 56 ea 02 " END, 0,
	 "02 01 00 00 fd f2 01 02 fa 56 ea 01 fa 56 ea 02", 0, 0},
	/* RFC 5065: confederation segments are not counted. AS_PATH
	 * (65001 65002) AS_TRANS counts 1, AS4_PATH 2: AS4_PATH ignored */
	{"as4-merge-confed-not-counted",
	 ON "40 02 0a 03 02 fd e9 fd ea 02 01 5b a0 "
	    "c0 11 0a 02 02 fa 56 ea 00 fa 56 ea 01 " END,
	 C_IBGP, "03 02 00 00 fd e9 00 00 fd ea 02 01 00 00 5b a0", 0, 0},
	/* a leading confederation segment is prepended, uncounted */
	{"as4-merge-confed-leading-prepended",
	 ON "40 02 0a 03 02 fd e9 fd ea 02 01 5b a0 " P4_X0 END, C_IBGP,
	 "03 02 00 00 fd e9 00 00 fd ea 02 01 fa 56 ea 00", 0, 0},
	{"as4-merge-confed-then-sequence",
	 ON "40 02 0a 03 01 fd e9 02 02 fd f2 5b a0 " P4_X0 END, C_IBGP,
	 "03 01 00 00 fd e9 " W_10_X0, 0, 0},
	/* RFC 6793 6: confederation segments in AS4_PATH are discarded,
	 * the rest of AS4_PATH is used */
	{"as4-merge-as4-path-confed-segment-dropped",
	 ON P2_10T "c0 11 0c 03 01 00 00 fd e9 02 01 fa 56 ea 00 " END, 0,
	 W_10_X0, 0, 0},
	{"as4-merge-as4-path-only-confed",
	 ON P2_10T "c0 11 06 03 01 00 00 fd e9 " END, 0, W_10T, 0, 0},
};

#undef ON
#undef END

/* Runs one merge vector; returns a reason for failure or NULL. */
static const char *as4_run(const struct as4_vec *t, char *log, size_t logsz)
{
	static uint8_t buf[4096], path[2048], want[512];
	struct vec v = {t->name, UPD, 2, t->hex, t->ctx, NONE, 0, 0, NULL, 0};
	struct mesh_bgp_ctx ctx;
	struct mesh_bgp_msg m;
	struct mesh_bgp_verdict verdict;
	struct mesh_bgp_attrs a;
	struct mesh_wbuf w;
	size_t len = vec_build(&v, buf, sizeof(buf)), nwant, i, k = 0;

	ctx_from_flags(&ctx, t->ctx);
	mesh_bgp_msg_decode(buf, len, &ctx, &m, &verdict);
	mesh_bgp_verdict_fmt(log, logsz, &verdict);
	if (m.type != MESH_BGP_MSG_UPDATE ||
	    verdict.action > MESH_BGP_ACT_ATTR_DISCARD)
		return "UPDATE not accepted";
	a = m.u.update.attrs;
	mesh_wbuf_init(&w, path, sizeof(path));
	if (!mesh_bgp_as4_merge(&a, &w))
		return "merge ran out of room";
	for (i = 0; i < a.as_path.len && k + 4 < logsz; i++)
		k += (size_t)snprintf(log + k, logsz - k, "%02x ",
				      a.as_path.p[i]);
	if (!k)
		snprintf(log, logsz, "empty AS_PATH");
	nwant = hex_parse(t->path, want, sizeof(want));
	if (!mesh_bgp_attr_present(&a, MESH_BGP_ATTR_AS_PATH) ||
	    a.as_path_width != 4 || a.as_path.len != nwant ||
	    memcmp(a.as_path.p, want, nwant))
		return "AS_PATH";
	if (mesh_bgp_attr_present(&a, MESH_BGP_ATTR_AS4_PATH) ||
	    mesh_bgp_attr_present(&a, MESH_BGP_ATTR_AS4_AGGREGATOR))
		return "AS4_PATH or AS4_AGGREGATOR left over";
	if (mesh_bgp_attr_present(&a, MESH_BGP_ATTR_AGGREGATOR) !=
	    (t->aggr_as != 0))
		return "AGGREGATOR presence";
	if (t->aggr_as &&
	    (a.aggregator_as != t->aggr_as || a.aggregator_id != t->aggr_id))
		return "AGGREGATOR";
	return NULL;
}

static void test_as4_merge(void)
{
	size_t i;
	int failed = 0;
	char log[2048];

	for (i = 0; i < sizeof(as4_vecs) / sizeof(as4_vecs[0]); i++) {
		const char *why = as4_run(&as4_vecs[i], log, sizeof(log));

		if (why) {
			failed++;
			printf("\n  FAIL %s: %s (got: %s)", as4_vecs[i].name,
			       why, log);
		}
		CU_ASSERT(why == NULL);
	}
	printf("\n  %zu AS4 merge vectors, %d failed\n",
	       sizeof(as4_vecs) / sizeof(as4_vecs[0]), failed);
}

/* ------------------------------------------------------------------ */
/* Round trips: every attribute row                                    */

static const uint8_t as_path2[] = {2, 2, 0xfd, 0xe9, 0xfd, 0xea};
static const uint8_t as_path4[] = {2, 1, 0, 1, 0, 0};
static const uint8_t comm[] = {0xfd, 0xe9, 0, 1, 0xff, 0xff, 0xff, 0x01};
static const uint8_t ecomm[] = {0, 2, 0xfd, 0xe9, 0, 0, 0, 1};
static const uint8_t lcomm[] = {0, 0, 0xfd, 0xe9, 0, 0, 0, 1, 0, 0, 0, 2};
static const uint8_t clist[] = {1, 2, 3, 4, 5, 6, 7, 8};
static const uint8_t v6nh[] = {0x20, 1, 0xd, 0xb8, 0, 0, 0, 0,
			       0,    0, 0,   0,	   0, 0, 0, 1};
static const uint8_t v6nlri[] = {0x40, 0x20, 1, 0xd, 0xb8, 0, 1, 0, 0};
static const uint8_t meshval[] = {1, 0, 0, 1, 0, 4, 10, 0, 0, 1};
static const uint8_t unknown_attr[] = {0xc0, 0x63, 2, 0xab, 0xcd};
static uint8_t big_comm[400];

static void attrs_base(struct mesh_bgp_attrs *a, bool as4)
{
	memset(a, 0, sizeof(*a));
	mesh_bgp_bit_set(a->present, MESH_BGP_ATTR_ORIGIN);
	a->origin = MESH_BGP_ORIGIN_EGP;
	mesh_bgp_bit_set(a->present, MESH_BGP_ATTR_AS_PATH);
	a->as_path_width = as4 ? 4 : 2;
	a->as_path.p = as4 ? as_path4 : as_path2;
	a->as_path.len = as4 ? sizeof(as_path4) : sizeof(as_path2);
	mesh_bgp_bit_set(a->present, MESH_BGP_ATTR_NEXT_HOP);
	a->next_hop = 0x0a000001;
}

#define SETB(field, arr) (a->field.p = arr, a->field.len = sizeof(arr))

static void rt_set(struct mesh_bgp_attrs *a, uint8_t type)
{
	mesh_bgp_bit_set(a->present, type);
	switch (type) {
	case MESH_BGP_ATTR_MED:
		a->med = 77;
		break;
	case MESH_BGP_ATTR_LOCAL_PREF:
		a->local_pref = 200;
		break;
	case MESH_BGP_ATTR_AGGREGATOR:
		a->aggregator_as = 65001;
		a->aggregator_id = 0x0a000002;
		break;
	case MESH_BGP_ATTR_AS4_AGGREGATOR:
		a->as4_aggregator_as = 4200000000u;
		a->as4_aggregator_id = 0x0a000003;
		break;
	case MESH_BGP_ATTR_COMMUNITIES:
		SETB(communities, comm);
		break;
	case MESH_BGP_ATTR_ORIGINATOR_ID:
		a->originator_id = 0x01020304;
		break;
	case MESH_BGP_ATTR_CLUSTER_LIST:
		SETB(cluster_list, clist);
		break;
	case MESH_BGP_ATTR_MP_REACH:
		a->mp_reach.afi = MESH_BGP_AFI_IPV6;
		a->mp_reach.safi = MESH_BGP_SAFI_UNICAST;
		SETB(mp_reach.nh, v6nh);
		SETB(mp_reach.nlri, v6nlri);
		break;
	case MESH_BGP_ATTR_MP_UNREACH:
		a->mp_unreach.afi = MESH_BGP_AFI_IPV6;
		a->mp_unreach.safi = MESH_BGP_SAFI_UNICAST;
		SETB(mp_unreach.nlri, v6nlri);
		break;
	case MESH_BGP_ATTR_EXT_COMMUNITIES:
		SETB(ext_communities, ecomm);
		break;
	case MESH_BGP_ATTR_AS4_PATH:
		SETB(as4_path, as_path4);
		break;
	case MESH_BGP_ATTR_LARGE_COMMUNITIES:
		SETB(large_communities, lcomm);
		break;
	case MESH_BGP_ATTR_MESH_DEFAULT:
		SETB(mesh, meshval);
		break;
	}
}

static const struct {
	const char *name;
	uint8_t type;
	uint8_t ctx;
} rt_rows[] = {
	{"ORIGIN/AS_PATH/NEXT_HOP 2-octet", MESH_BGP_ATTR_ORIGIN, 0},
	{"AS_PATH 4-octet", MESH_BGP_ATTR_AS_PATH, C_AS4},
	{"MED", MESH_BGP_ATTR_MED, 0},
	{"LOCAL_PREF", MESH_BGP_ATTR_LOCAL_PREF, C_IBGP},
	{"ATOMIC_AGGREGATE", MESH_BGP_ATTR_ATOMIC_AGGREGATE, 0},
	{"AGGREGATOR 2-octet", MESH_BGP_ATTR_AGGREGATOR, 0},
	{"AGGREGATOR 4-octet", MESH_BGP_ATTR_AGGREGATOR, C_AS4},
	{"COMMUNITIES", MESH_BGP_ATTR_COMMUNITIES, 0},
	{"ORIGINATOR_ID", MESH_BGP_ATTR_ORIGINATOR_ID, C_IBGP},
	{"CLUSTER_LIST", MESH_BGP_ATTR_CLUSTER_LIST, C_IBGP},
	{"MP_REACH_NLRI", MESH_BGP_ATTR_MP_REACH, 0},
	{"MP_UNREACH_NLRI", MESH_BGP_ATTR_MP_UNREACH, 0},
	{"EXTENDED_COMMUNITIES", MESH_BGP_ATTR_EXT_COMMUNITIES, 0},
	{"AS4_PATH", MESH_BGP_ATTR_AS4_PATH, 0},
	{"AS4_AGGREGATOR", MESH_BGP_ATTR_AS4_AGGREGATOR, 0},
	{"LARGE_COMMUNITIES", MESH_BGP_ATTR_LARGE_COMMUNITIES, 0},
	{"MESH", MESH_BGP_ATTR_MESH_DEFAULT, C_MESHV},
	{"MESH at 254", 254, C_MESHV | C_MESH254},
	{"ADD-PATH NLRI", MESH_BGP_ATTR_ORIGIN, C_AP4 | C_AP6},
};

/* Encodes a with NLRI, decodes, compares; returns true on success. */
static bool rt_one(const struct mesh_bgp_ctx *ctx,
		   const struct mesh_bgp_attrs *a, struct mesh_bgp_update *u,
		   uint8_t *buf, size_t cap, size_t *len)
{
	static const uint8_t nlri4[] = {24, 10, 1, 2};
	static const uint8_t nlri4ap[] = {0, 0, 0, 9, 24, 10, 1, 2};
	struct mesh_bgp_bytes nlri = {nlri4, sizeof(nlri4)};
	struct mesh_bgp_verdict v;
	struct mesh_wbuf w;
	char text[4096];

	if (ctx->addpath_rx & MESH_BGP_AFB_IPV4) {
		nlri.p = nlri4ap;
		nlri.len = sizeof(nlri4ap);
	}
	mesh_wbuf_init(&w, buf, cap);
	if (!mesh_bgp_update_encode(&w, ctx, NULL, a, &nlri))
		return false;
	*len = w.len;
	mesh_bgp_update_decode(buf, w.len, ctx, u, &v);
	mesh_bgp_update_fmt(text, sizeof(text), ctx, u);
	if (v.action != MESH_BGP_ACT_NONE) {
		mesh_bgp_verdict_fmt(text, sizeof(text), &v);
		printf("\n  round trip verdict: %s", text);
		return false;
	}
	return mesh_bgp_attrs_equal(a, &u->attrs);
}

static void test_attr_roundtrip(void)
{
	static uint8_t buf[70000];
	struct mesh_bgp_attrs a;
	struct mesh_bgp_update u;
	struct mesh_bgp_ctx ctx;
	size_t i, len;

	for (i = 0; i < sizeof(rt_rows) / sizeof(rt_rows[0]); i++) {
		bool ok;

		ctx_from_flags(&ctx, rt_rows[i].ctx);
		attrs_base(&a, ctx.as4);
		rt_set(&a, rt_rows[i].type);
		if (rt_rows[i].type == 254)
			a.mesh.p = meshval, a.mesh.len = sizeof(meshval);
		ok = rt_one(&ctx, &a, &u, buf, sizeof(buf), &len);
		if (!ok)
			printf("\n  round trip %s failed", rt_rows[i].name);
		CU_ASSERT(ok);
	}

	/* extended length on encode when the value passes 255 octets */
	ctx_from_flags(&ctx, 0);
	attrs_base(&a, false);
	memset(big_comm, 0x11, sizeof(big_comm));
	mesh_bgp_bit_set(a.present, MESH_BGP_ATTR_COMMUNITIES);
	a.communities.p = big_comm;
	a.communities.len = sizeof(big_comm);
	CU_ASSERT(rt_one(&ctx, &a, &u, buf, sizeof(buf), &len));

	/* unknown optional transitive: passed on with Partial set */
	attrs_base(&a, false);
	a.raw.p = unknown_attr;
	a.raw.len = sizeof(unknown_attr);
	mesh_bgp_bit_set(a.pass_on, 0x63);
	CU_ASSERT(rt_one(&ctx, &a, &u, buf, sizeof(buf), &len));
	CU_ASSERT(len >= 5 && buf[len - 4 - 5] == 0xe0 &&
		  buf[len - 4 - 4] == 0x63);

	/* a decoded unknown transitive is re-emitted with Partial */
	{
		struct mesh_bgp_verdict v;
		uint8_t msg[128], out[128];
		struct vec t = {"",   UPD,  2, "|" BASE "c0 63 02 ab cd|" P24,
				0,    NONE, 0, 0,
				NULL, 0};
		struct mesh_wbuf w;
		size_t n = vec_build(&t, msg, sizeof(msg));

		mesh_bgp_update_decode(msg, n, &ctx, &u, &v);
		CU_ASSERT(v.action == MESH_BGP_ACT_NONE);
		CU_ASSERT(mesh_bgp_bit_test(u.attrs.pass_on, 0x63));
		mesh_wbuf_init(&w, out, sizeof(out));
		CU_ASSERT(mesh_bgp_attrs_encode(&w, &ctx, &u.attrs));
		CU_ASSERT(w.len == 18 + 5 && out[18] == 0xe0 &&
			  out[19] == 0x63);
	}

	/* attributes without a row are not encoded alone */
	{
		uint8_t out[16];
		struct mesh_wbuf w;

		mesh_wbuf_init(&w, out, sizeof(out));
		CU_ASSERT(!mesh_bgp_attr_encode(&w, &ctx, &a, 0x63));
		CU_ASSERT(mesh_bgp_attr_name(&ctx, 0x63) == NULL);
		CU_ASSERT(!strcmp(mesh_bgp_attr_name(&ctx, 255), "MESH"));
		CU_ASSERT(
			!strcmp(mesh_bgp_attr_name(NULL, 14), "MP_REACH_NLRI"));
	}
}

/* AS_PATH longer than 2048 ASNs: parsed, formatted, re-encoded. */
static void test_big_as_path(void)
{
	static uint8_t path[10 * (2 + 255 * 4)], buf[70000];
	struct mesh_bgp_attrs a;
	struct mesh_bgp_update u;
	struct mesh_bgp_ctx ctx;
	char small[64];
	static char large[200000];
	size_t i, k = 0, len, n;

	for (i = 0; i < 10; i++) {
		size_t j;

		path[k++] = MESH_BGP_AS_SEQUENCE;
		path[k++] = 255;
		for (j = 0; j < 255; j++) {
			path[k++] = 0;
			path[k++] = 1;
			path[k++] = (uint8_t)(i >> 8);
			path[k++] = (uint8_t)j;
		}
	}
	ctx_from_flags(&ctx, C_AS4 | C_EXT);
	attrs_base(&a, true);
	a.as_path.p = path;
	a.as_path.len = k;
	CU_ASSERT(rt_one(&ctx, &a, &u, buf, sizeof(buf), &len));
	CU_ASSERT(len > 4096);
	n = mesh_bgp_update_fmt(small, sizeof(small), &ctx, &u);
	CU_ASSERT(n > sizeof(small) && strlen(small) == sizeof(small) - 1);
	n = mesh_bgp_update_fmt(large, sizeof(large), &ctx, &u);
	CU_ASSERT(n == strlen(large));

	/* without extended messages the same UPDATE does not frame */
	{
		struct mesh_bgp_verdict v;

		ctx_from_flags(&ctx, C_AS4);
		CU_ASSERT(mesh_bgp_msg_frame(buf, len, &ctx, &v) == -1);
		CU_ASSERT(v.notify.code == 1 && v.notify.subcode == 2);
		ctx_from_flags(&ctx, C_AS4 | C_EXT);
		CU_ASSERT(mesh_bgp_msg_frame(buf, len, &ctx, &v) == (int)len);
	}
}

/* ------------------------------------------------------------------ */
/* Round trips: every message type                                    */

static void test_open_roundtrip(void)
{
	static const uint8_t fqdn[] = {3, 'r', 't', 'r', 0};
	struct mesh_bgp_open o, d;
	struct mesh_bgp_verdict v;
	struct mesh_bgp_notify n;
	uint8_t buf[4096];
	struct mesh_wbuf w;
	char text[1024];
	int ext;

	for (ext = 0; ext < 2; ext++) {
		memset(&o, 0, sizeof(o));
		o.asn = 4200000001u;
		o.hold_time = 90;
		o.bgp_id = 0x0a000001;
		o.ext_params = ext;
		o.caps = 0x7f;
		o.n_mp = 2;
		o.mp[0].afi = 1, o.mp[0].safi = 1;
		o.mp[1].afi = 2, o.mp[1].safi = 1;
		o.gr_flags = MESH_BGP_GR_RESTART_STATE;
		o.gr_time = 120;
		o.n_gr = 1;
		o.gr[0].afi = 2, o.gr[0].safi = 1;
		o.gr[0].flags = MESH_BGP_GR_AF_FORWARDING;
		o.n_addpath = 1;
		o.addpath[0].afi = 1, o.addpath[0].safi = 1;
		o.addpath[0].flags = MESH_BGP_ADDPATH_RX | MESH_BGP_ADDPATH_TX;
		o.n_other = 1;
		o.other[0].code = MESH_BGP_CAP_FQDN;
		o.other[0].len = sizeof(fqdn);
		o.other[0].val = fqdn;

		mesh_wbuf_init(&w, buf, sizeof(buf));
		CU_ASSERT_FATAL(mesh_bgp_open_encode(&w, &o));
		CU_ASSERT(mesh_bgp_msg_frame(buf, w.len, NULL, &v) ==
			  (int)w.len);
		CU_ASSERT(mesh_bgp_open_decode(buf, w.len, NULL, &d, &v) ==
			  MESH_BGP_ACT_NONE);
		mesh_bgp_open_fmt(text, sizeof(text), &d);
		CU_ASSERT(d.my_as == MESH_BGP_AS_TRANS);
		CU_ASSERT(d.asn == o.asn && d.hold_time == 90 &&
			  d.bgp_id == o.bgp_id);
		CU_ASSERT(d.caps == o.caps && d.ext_params == o.ext_params);
		CU_ASSERT(d.n_mp == 2 && d.mp[1].afi == 2);
		CU_ASSERT(d.gr_flags == o.gr_flags && d.gr_time == 120 &&
			  d.n_gr == 1 && d.gr[0].flags == 0x80);
		CU_ASSERT(d.n_addpath == 1 && d.addpath[0].flags == 3);
		CU_ASSERT(d.n_other == 1 && d.other[0].code == 73 &&
			  d.other[0].len == sizeof(fqdn) &&
			  !memcmp(d.other[0].val, fqdn, sizeof(fqdn)));
		CU_ASSERT(mesh_bgp_open_check_caps(&d, MESH_BGP_CAPF_AS4, &n));
	}

	/* a required capability missing: OPEN error 7 listing it */
	o.caps = MESH_BGP_CAPF_ROUTE_REFRESH;
	CU_ASSERT(!mesh_bgp_open_check_caps(
		&o, MESH_BGP_CAPF_AS4 | MESH_BGP_CAPF_MP, &n));
	CU_ASSERT(n.code == 2 && n.subcode == 7 && n.local_len == 4 &&
		  n.local[0] == MESH_BGP_CAP_MP &&
		  n.local[2] == MESH_BGP_CAP_AS4);

	/* peer AS and identifier checks from the context */
	{
		struct mesh_bgp_ctx ctx;

		memset(&ctx, 0, sizeof(ctx));
		memset(&o, 0, sizeof(o));
		o.asn = 65001, o.hold_time = 3, o.bgp_id = 0x01010101;
		mesh_wbuf_init(&w, buf, sizeof(buf));
		CU_ASSERT_FATAL(mesh_bgp_open_encode(&w, &o));
		ctx.peer_as = 65002;
		mesh_bgp_open_decode(buf, w.len, &ctx, &d, &v);
		CU_ASSERT(v.action == MESH_BGP_ACT_SESSION_RESET &&
			  v.notify.subcode == MESH_BGP_ERR_OPEN_PEER_AS);
		ctx.peer_as = 65001;
		ctx.ibgp = true;
		ctx.local_id = 0x01010101;
		mesh_bgp_open_decode(buf, w.len, &ctx, &d, &v);
		CU_ASSERT(v.action == MESH_BGP_ACT_SESSION_RESET &&
			  v.notify.subcode == MESH_BGP_ERR_OPEN_BGP_ID);
		ctx.local_id = 0x02020202;
		CU_ASSERT(mesh_bgp_open_decode(buf, w.len, &ctx, &d, &v) ==
			  MESH_BGP_ACT_NONE);
	}
}

static void test_small_messages(void)
{
	struct mesh_bgp_notification nd;
	struct mesh_bgp_notify n;
	struct mesh_bgp_verdict v;
	struct mesh_bgp_msg m;
	struct mesh_bgp_rr rr;
	uint8_t buf[4096], data[64];
	struct mesh_wbuf w;
	char text[2048];
	int i;

	/* KEEPALIVE */
	mesh_wbuf_init(&w, buf, sizeof(buf));
	CU_ASSERT(mesh_bgp_keepalive_encode(&w) && w.len == 19);
	CU_ASSERT(mesh_bgp_msg_decode(buf, w.len, NULL, &m, &v) ==
		  MESH_BGP_ACT_NONE);
	CU_ASSERT(m.type == MESH_BGP_MSG_KEEPALIVE);

	/* NOTIFICATION from a verdict, data flattened */
	memset(&n, 0, sizeof(n));
	n.code = 3, n.subcode = 2;
	n.local[0] = 0x40, n.local_len = 1;
	n.ref.p = (const uint8_t *)"\x63\x01\x00";
	n.ref.len = 3;
	CU_ASSERT(mesh_bgp_notify_data(&n, data, sizeof(data)) == 4 &&
		  data[0] == 0x40 && data[1] == 0x63);
	mesh_wbuf_init(&w, buf, sizeof(buf));
	CU_ASSERT(mesh_bgp_notify_encode(&w, &n) && w.len == 25);
	CU_ASSERT(mesh_bgp_notification_decode(buf, w.len, NULL, &nd, &v) ==
		  MESH_BGP_ACT_NONE);
	CU_ASSERT(nd.code == 3 && nd.subcode == 2 && nd.data.len == 4 &&
		  nd.shut == MESH_BGP_SHUT_NONE);

	/* shutdown communication: cut to 255 octets at a character */
	{
		char longtext[401];

		for (i = 0; i < 200; i++) {
			longtext[2 * i] = (char)0xc3;
			longtext[2 * i + 1] = (char)0xa9; /* e acute */
		}
		longtext[400] = '\0';
		mesh_wbuf_init(&w, buf, sizeof(buf));
		CU_ASSERT(mesh_bgp_notify_shutdown_encode(&w, 2, longtext));
		CU_ASSERT(buf[21] == 254 && w.len == 22 + 254);
		mesh_bgp_notification_decode(buf, w.len, NULL, &nd, &v);
		CU_ASSERT(nd.shut == MESH_BGP_SHUT_OK &&
			  nd.shut_text.len == 254);
		mesh_bgp_notification_fmt(text, sizeof(text), &nd);
		mesh_wbuf_init(&w, buf, sizeof(buf));
		CU_ASSERT(
			mesh_bgp_notify_shutdown_encode(&w, 4, "maintenance"));
		mesh_bgp_notification_decode(buf, w.len, NULL, &nd, &v);
		CU_ASSERT(nd.shut == MESH_BGP_SHUT_OK &&
			  nd.shut_text.len == 11 &&
			  !memcmp(nd.shut_text.p, "maintenance", 11));
		mesh_bgp_notification_fmt(text, sizeof(text), &nd);
		CU_ASSERT(strstr(text, "\"maintenance\"") != NULL);
	}

	/* ROUTE-REFRESH, all three subtypes */
	for (i = 0; i <= 2; i++) {
		mesh_wbuf_init(&w, buf, sizeof(buf));
		CU_ASSERT(mesh_bgp_rr_encode(&w, 2, 1, (uint8_t)i) &&
			  w.len == 23);
		CU_ASSERT(mesh_bgp_rr_decode(buf, w.len, NULL, &rr, &v) ==
			  MESH_BGP_ACT_NONE);
		CU_ASSERT(rr.afi == 2 && rr.safi == 1 && rr.subtype == i &&
			  !rr.ignore);
	}

	/* End-of-RIB, both shapes */
	for (i = 1; i <= 2; i++) {
		mesh_wbuf_init(&w, buf, sizeof(buf));
		CU_ASSERT(mesh_bgp_eor_encode(&w, (uint16_t)i, 1));
		CU_ASSERT(mesh_bgp_msg_decode(buf, w.len, NULL, &m, &v) ==
			  MESH_BGP_ACT_NONE);
		CU_ASSERT(m.u.update.eor && m.u.update.eor_afi == i &&
			  m.u.update.eor_safi == 1);
		mesh_bgp_update_fmt(text, sizeof(text), NULL, &m.u.update);
		CU_ASSERT(strncmp(text, "End-of-RIB", 10) == 0);
	}

	/* no room: the writer refuses and says so */
	mesh_wbuf_init(&w, buf, 10);
	CU_ASSERT(!mesh_bgp_keepalive_encode(&w) && w.err);
}

static void test_frame_stream(void)
{
	uint8_t buf[64];
	struct mesh_bgp_verdict v;
	struct mesh_wbuf w;

	mesh_wbuf_init(&w, buf, sizeof(buf));
	mesh_bgp_keepalive_encode(&w);
	mesh_bgp_rr_encode(&w, 1, 1, 0);
	CU_ASSERT(mesh_bgp_msg_frame(buf, 0, NULL, &v) == 0);
	CU_ASSERT(mesh_bgp_msg_frame(buf, 18, NULL, &v) == 0);
	CU_ASSERT(mesh_bgp_msg_frame(buf, w.len, NULL, &v) == 19);
	CU_ASSERT(mesh_bgp_msg_frame(buf + 19, 20, NULL, &v) == 0);
	CU_ASSERT(mesh_bgp_msg_frame(buf + 19, w.len - 19, NULL, &v) == 23);
	buf[19 + 18] = 9;
	CU_ASSERT(mesh_bgp_msg_frame(buf + 19, 19, NULL, &v) == -1);
	CU_ASSERT(v.notify.code == 1 && v.notify.subcode == 3 &&
		  v.notify.ref.len == 1 && v.notify.ref.p[0] == 9);
}

/* ------------------------------------------------------------------ */
/* Packing                                                             */

static void pack_check(uint16_t afi, bool withdraw, uint8_t ctxf, size_t count,
		       int min_msgs)
{
	static struct mesh_bgp_prefix pfx[3000];
	static uint8_t buf[MESH_BGP_EXT_MAX_LEN];
	struct mesh_bgp_attrs a;
	struct mesh_bgp_ctx ctx;
	struct mesh_bgp_pack p;
	struct mesh_wbuf w;
	size_t i, seen = 0;
	int n, msgs = 0;

	ctx_from_flags(&ctx, ctxf);
	attrs_base(&a, ctx.as4);
	rt_set(&a, MESH_BGP_ATTR_COMMUNITIES);
	a.mp_reach.nh.p = v6nh;
	a.mp_reach.nh.len = sizeof(v6nh);
	memset(pfx, 0, sizeof(pfx));
	for (i = 0; i < count; i++) {
		pfx[i].afi = afi;
		pfx[i].plen = afi == MESH_BGP_AFI_IPV6 ? 64 : 24;
		pfx[i].addr[0] = afi == MESH_BGP_AFI_IPV6 ? 0x20 : 10;
		pfx[i].addr[1] = (uint8_t)(i >> 8);
		pfx[i].addr[2] = (uint8_t)i;
		pfx[i].path_id = (uint32_t)i;
		pfx[i].has_path_id = mesh_bgp_ctx_addpath(&ctx, afi, true);
	}
	memset(&p, 0, sizeof(p));
	p.ctx = &ctx;
	p.attrs = withdraw ? NULL : &a;
	p.afi = afi;
	p.safi = MESH_BGP_SAFI_UNICAST;
	p.withdraw = withdraw;
	p.pfx = pfx;
	p.n_pfx = count;
	mesh_wbuf_init(&w, buf, sizeof(buf));
	while ((n = mesh_bgp_pack_next(&p, &w)) > 0) {
		struct mesh_bgp_verdict v;
		struct mesh_bgp_update u;
		struct mesh_bgp_nlri_iter it;
		struct mesh_bgp_prefix x;
		const struct mesh_bgp_bytes *field;
		int k = 0;

		msgs++;
		CU_ASSERT(w.len <= (ctx.ext_msg ? 65535u : 4096u));
		CU_ASSERT(mesh_bgp_msg_frame(buf, w.len, &ctx, &v) ==
			  (int)w.len);
		mesh_bgp_update_decode(buf, w.len, &ctx, &u, &v);
		if (v.action != MESH_BGP_ACT_NONE) {
			char text[1024];

			mesh_bgp_verdict_fmt(text, sizeof(text), &v);
			printf("\n  pack: %s", text);
		}
		CU_ASSERT(v.action == MESH_BGP_ACT_NONE);
		if (afi == MESH_BGP_AFI_IPV4)
			field = withdraw ? &u.withdrawn : &u.nlri;
		else
			field = withdraw ? &u.attrs.mp_unreach.nlri
					 : &u.attrs.mp_reach.nlri;
		mesh_bgp_nlri_iter_init(&it, field, afi,
					mesh_bgp_ctx_addpath(&ctx, afi, false));
		while (mesh_bgp_nlri_iter_next(&it, &x) > 0) {
			CU_ASSERT(x.plen == pfx[seen + k].plen &&
				  !memcmp(x.addr, pfx[seen + k].addr, 16));
			if (x.has_path_id)
				CU_ASSERT(x.path_id == seen + k);
			k++;
		}
		CU_ASSERT(k == n);
		seen += (size_t)n;
		if (!withdraw)
			CU_ASSERT(mesh_bgp_attrs_equal(&u.attrs, &u.attrs));
	}
	CU_ASSERT(n == 0);
	CU_ASSERT(seen == count);
	if (msgs < min_msgs || msgs > min_msgs + 1)
		printf("\n  pack afi %u withdraw %d: %d messages", afi,
		       withdraw, msgs);
	CU_ASSERT(msgs >= min_msgs);
	/* "as few as fit": one more message than the octets strictly need
	 * at most */
	CU_ASSERT(msgs <= min_msgs + 1);
}

static void test_pack(void)
{
	/* 3000 x /24: 4 octets each (8 with path IDs), about 1000 per
	 * 4096-octet message */
	pack_check(MESH_BGP_AFI_IPV4, false, 0, 3000, 3);
	pack_check(MESH_BGP_AFI_IPV4, true, 0, 3000, 3);
	pack_check(MESH_BGP_AFI_IPV4, false, C_AP4, 3000, 6);
	pack_check(MESH_BGP_AFI_IPV4, false, C_EXT, 3000, 1);
	/* /64: 9 octets each, about 450 per message; 13 with path IDs */
	pack_check(MESH_BGP_AFI_IPV6, false, 0, 3000, 7);
	pack_check(MESH_BGP_AFI_IPV6, true, 0, 3000, 7);
	pack_check(MESH_BGP_AFI_IPV6, false, C_AP6 | C_AS4, 3000, 10);
	pack_check(MESH_BGP_AFI_IPV6, false, 0, 1, 1);
}

/* Host bits beyond the prefix length are cleared on decode. */
/*
 * ADD-PATH on send (RFC 7911 3): each NLRI is preceded by its 4-octet
 * path identifier, in the NLRI and Withdrawn Routes fields and inside
 * MP_REACH_NLRI / MP_UNREACH_NLRI, and only when the send direction was
 * negotiated. Whole messages as byte vectors.
 */
struct ap_vec {
	const char *name;
	uint16_t afi;
	bool withdraw;
	uint8_t tx, rx; /* MESH_BGP_AFB_* */
	uint32_t ids[2];
	const char *hex;
};

#define AP_ATTRS4                                                              \
	"40 01 01 00  40 02 00  40 03 04 0a 00 00 01  40 05 04 00 00 00 64 "
#define AP_ATTRS6 "40 01 01 00  40 02 00  40 05 04 00 00 00 64 "
#define AP_P4 "18 c0 00 02 "
#define AP_P6 "30 20 01 0d b8 00 01 "
#define AP_NH6 "20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01 "

static const struct ap_vec ap_vecs[] = {
	{"addpath-tx-v4-announce",
	 MESH_BGP_AFI_IPV4,
	 false,
	 MESH_BGP_AFB_IPV4,
	 0,
	 {1, 2},
	 MARKER "00 3c 02  00 00  00 15 " AP_ATTRS4 "00 00 00 01 " AP_P4
		"00 00 00 02 " AP_P4},
	{"addpath-tx-v4-withdraw",
	 MESH_BGP_AFI_IPV4,
	 true,
	 MESH_BGP_AFB_IPV4,
	 0,
	 {1, 2},
	 MARKER "00 27 02  00 10 00 00 00 01 " AP_P4 "00 00 00 02 " AP_P4
		"00 00"},
	/* receiving path identifiers does not mean sending them */
	{"addpath-rx-only-v4-announce",
	 MESH_BGP_AFI_IPV4,
	 false,
	 0,
	 MESH_BGP_AFB_IPV4,
	 {1, 2},
	 MARKER "00 34 02  00 00  00 15 " AP_ATTRS4 AP_P4 AP_P4},
	{"addpath-tx-v6-announce",
	 MESH_BGP_AFI_IPV6,
	 false,
	 MESH_BGP_AFB_IPV6,
	 0,
	 {3, 7},
	 MARKER "00 54 02  00 00  00 3d  90 0e 00 2b 00 02 01 10 " AP_NH6
		"00  00 00 00 03 " AP_P6 "00 00 00 07 " AP_P6 AP_ATTRS6},
	{"addpath-tx-v6-withdraw",
	 MESH_BGP_AFI_IPV6,
	 true,
	 MESH_BGP_AFB_IPV6,
	 0,
	 {3, 7},
	 MARKER "00 34 02  00 00  00 1d  90 0f 00 19 00 02 01 "
		"00 00 00 03 " AP_P6 "00 00 00 07 " AP_P6},
	/* the other family's setting does not leak */
	{"addpath-tx-v4-only-v6-withdraw",
	 MESH_BGP_AFI_IPV6,
	 true,
	 MESH_BGP_AFB_IPV4,
	 0,
	 {3, 7},
	 MARKER "00 2c 02  00 00  00 15  90 0f 00 11 00 02 01 " AP_P6 AP_P6},
};

static void test_pack_addpath(void)
{
	static const uint8_t nh6[16] = {0x20, 1, 0xd, 0xb8, [15] = 1};
	uint8_t buf[4096], want[4096];

	for (size_t i = 0; i < sizeof(ap_vecs) / sizeof(ap_vecs[0]); i++) {
		const struct ap_vec *t = &ap_vecs[i];
		struct mesh_bgp_prefix pfx[2];
		struct mesh_bgp_attrs a;
		struct mesh_bgp_ctx ctx;
		struct mesh_bgp_pack p;
		struct mesh_bgp_verdict v;
		struct mesh_bgp_update u;
		struct mesh_wbuf w;
		size_t wl = hex_parse(t->hex, want, sizeof(want));
		int n;

		memset(&ctx, 0, sizeof(ctx));
		ctx.as4 = ctx.ibgp = true;
		ctx.addpath_tx = t->tx;
		ctx.addpath_rx = t->rx;
		memset(&a, 0, sizeof(a));
		mesh_bgp_bit_set(a.present, MESH_BGP_ATTR_ORIGIN);
		a.origin = MESH_BGP_ORIGIN_IGP;
		mesh_bgp_bit_set(a.present, MESH_BGP_ATTR_AS_PATH);
		a.as_path_width = 4;
		mesh_bgp_bit_set(a.present, MESH_BGP_ATTR_LOCAL_PREF);
		a.local_pref = 100;
		if (t->afi == MESH_BGP_AFI_IPV4) {
			mesh_bgp_bit_set(a.present, MESH_BGP_ATTR_NEXT_HOP);
			a.next_hop = 0x0a000001;
		} else {
			mesh_bgp_bit_set(a.present, MESH_BGP_ATTR_MP_REACH);
			a.mp_reach.afi = MESH_BGP_AFI_IPV6;
			a.mp_reach.safi = MESH_BGP_SAFI_UNICAST;
			a.mp_reach.nh.p = nh6;
			a.mp_reach.nh.len = sizeof(nh6);
		}
		memset(pfx, 0, sizeof(pfx));
		for (int k = 0; k < 2; k++) {
			pfx[k].afi = t->afi;
			pfx[k].has_path_id = true;
			pfx[k].path_id = t->ids[k];
			if (t->afi == MESH_BGP_AFI_IPV4) {
				pfx[k].plen = 24;
				memcpy(pfx[k].addr, "\xc0\x00\x02", 3);
			} else {
				pfx[k].plen = 48;
				memcpy(pfx[k].addr, "\x20\x01\x0d\xb8\x00\x01",
				       6);
			}
		}
		memset(&p, 0, sizeof(p));
		p.ctx = &ctx;
		p.attrs = t->withdraw ? NULL : &a;
		p.afi = t->afi;
		p.safi = MESH_BGP_SAFI_UNICAST;
		p.withdraw = t->withdraw;
		p.pfx = pfx;
		p.n_pfx = 2;
		mesh_wbuf_init(&w, buf, sizeof(buf));
		n = mesh_bgp_pack_next(&p, &w);
		CU_ASSERT_EQUAL(n, 2);
		if (w.len != wl || memcmp(buf, want, wl)) {
			char text[2048];

			mesh_bgp_hexdump(text, sizeof(text), buf, w.len);
			printf("\n  %s: got\n%s", t->name, text);
			CU_FAIL("encoding differs");
		}
		CU_ASSERT_EQUAL(mesh_bgp_pack_next(&p, &w), 0);

		/* and it decodes back with the same identifiers when the
		 * receiver expects them */
		ctx.addpath_rx = ctx.addpath_tx;
		CU_ASSERT(mesh_bgp_update_decode(want, wl, &ctx, &u, &v) ==
			  MESH_BGP_ACT_NONE);
		{
			const struct mesh_bgp_bytes *field =
				t->afi == MESH_BGP_AFI_IPV4
					? (t->withdraw ? &u.withdrawn : &u.nlri)
					: (t->withdraw
						   ? &u.attrs.mp_unreach.nlri
						   : &u.attrs.mp_reach.nlri);
			bool ap = mesh_bgp_ctx_addpath(&ctx, t->afi, false);
			struct mesh_bgp_nlri_iter it;
			struct mesh_bgp_prefix x;
			int k = 0;

			mesh_bgp_nlri_iter_init(&it, field, t->afi, ap);
			while (mesh_bgp_nlri_iter_next(&it, &x) > 0) {
				CU_ASSERT(x.has_path_id == ap);
				if (ap && k < 2)
					CU_ASSERT(x.path_id == t->ids[k]);
				k++;
			}
			CU_ASSERT_EQUAL(k, 2);
		}
	}
}

static void test_nlri_host_bits(void)
{
	static const uint8_t nlri[] = {23, 10, 1, 3, 0, 33, 1, 2, 3, 4, 5};
	struct mesh_bgp_bytes b = {nlri, sizeof(nlri)};
	struct mesh_bgp_nlri_iter it;
	struct mesh_bgp_prefix p;

	mesh_bgp_nlri_iter_init(&it, &b, MESH_BGP_AFI_IPV4, false);
	CU_ASSERT(mesh_bgp_nlri_iter_next(&it, &p) == 1);
	CU_ASSERT(p.plen == 23 && p.addr[2] == 2);
	CU_ASSERT(mesh_bgp_nlri_iter_next(&it, &p) == 1 && p.plen == 0);
	CU_ASSERT(mesh_bgp_nlri_iter_next(&it, &p) == -1);
	CU_ASSERT(mesh_bgp_nlri_iter_next(&it, &p) == -1);
}

static void test_hexdump(void)
{
	uint8_t b[20];
	char out[256];
	size_t n;

	memset(b, 0xab, sizeof(b));
	n = mesh_bgp_hexdump(out, sizeof(out), b, sizeof(b));
	CU_ASSERT(n == strlen(out));
	CU_ASSERT(!strncmp(out, "0000  ab ab", 11));
	CU_ASSERT(strstr(out, "\n0010  ab ab ab ab\n") != NULL);
	CU_ASSERT(mesh_bgp_hexdump(out, 8, b, sizeof(b)) == n);
	CU_ASSERT(strlen(out) == 7);
}

/* ------------------------------------------------------------------ */

static int write_corpus(const char *dir)
{
	static uint8_t buf[70000];
	size_t i, j;
	int count = 0;

	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		for (j = 0; j < tables[i].n; j++) {
			const struct vec *t = &tables[i].v[j];
			char path[512];
			size_t len = vec_build(t, buf + 1, sizeof(buf) - 1);
			FILE *f;

			buf[0] = t->ctx;
			snprintf(path, sizeof(path), "%s/%s", dir, t->name);
			f = fopen(path, "wb");
			if (!f) {
				fprintf(stderr, "%s: %s\n", path,
					strerror(errno));
				return 1;
			}
			fwrite(buf, 1, len + 1, f);
			fclose(f);
			count++;
		}
	}
	printf("%d seeds written to %s\n", count, dir);
	return 0;
}

int main(int argc, char **argv)
{
	CU_pSuite s;
	unsigned int failures;

	if (argc == 3 && !strcmp(argv[1], "--write-corpus"))
		return write_corpus(argv[2]);

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	s = CU_add_suite("bgp_wire", NULL, NULL);
	if (!s || !CU_add_test(s, "named byte vectors", test_vectors) ||
	    !CU_add_test(s, "RFC 6793 4.2.3 AS4 merge byte vectors",
			 test_as4_merge) ||
	    !CU_add_test(s, "attribute round trips", test_attr_roundtrip) ||
	    !CU_add_test(s, "AS_PATH over 2048 ASNs", test_big_as_path) ||
	    !CU_add_test(s, "OPEN round trip", test_open_roundtrip) ||
	    !CU_add_test(s, "KEEPALIVE, NOTIFICATION, ROUTE-REFRESH, EoR",
			 test_small_messages) ||
	    !CU_add_test(s, "framing a stream", test_frame_stream) ||
	    !CU_add_test(s, "update packing", test_pack) ||
	    !CU_add_test(s, "ADD-PATH send byte vectors", test_pack_addpath) ||
	    !CU_add_test(s, "NLRI host bits", test_nlri_host_bits) ||
	    !CU_add_test(s, "hex dump", test_hexdump)) {
		CU_cleanup_registry();
		return 2;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures();
	CU_cleanup_registry();
	return failures ? 1 : 0;
}
