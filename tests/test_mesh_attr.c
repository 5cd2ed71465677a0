// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the mesh path attribute codec (bgpd-ext/mesh_attr.c).
 *
 * The tests read like doc/mesh-attribute.md: tables of named byte
 * vectors with the outcome the specification demands (accept,
 * treat-as-withdraw, unsupported version), the examples of the
 * specification with the very same hex, a round trip for every TLV
 * type, and the hostile shapes that broke other BGP parsers. Every
 * accepted vector is also re-encoded, decoded again, shown and turned
 * into JSON.
 *
 * Run without arguments for the tests; "--write-corpus DIR" writes the
 * named vectors as seed files for the fuzz target instead.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <json-c/json.h>
#include <openssl/evp.h>

#include "mesh_attr.h"

/* RFC 8032 section 7.1, TEST 1: the mesh CA key of the examples. */
static const uint8_t ca_secret[32] = {
	0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a,
	0xf4, 0x92, 0xec, 0x2c, 0xc4, 0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32,
	0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60};
static const uint8_t ca_public[32] = {
	0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b, 0xfe,
	0xd3, 0xc9, 0x64, 0x07, 0x3a, 0x0e, 0xe1, 0x72, 0xf3, 0xda, 0xa6,
	0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07, 0x51, 0x1a};
/* RFC 8032 section 7.1, TEST 2: some other key. */
static const uint8_t other_secret[32] = {
	0x4c, 0xcd, 0x08, 0x9b, 0x28, 0xff, 0x96, 0xda, 0x9d, 0xb6, 0xc3,
	0x46, 0xec, 0x11, 0x4e, 0x0f, 0x5b, 0x8a, 0x31, 0x9f, 0x35, 0xab,
	0xa6, 0x24, 0xda, 0x8c, 0xf6, 0xed, 0x4f, 0xb8, 0xa6, 0xfb};

/* ------------------------------------------------------------------ */
/* The examples of doc/mesh-attribute.md, TLV by TLV.                 */

#define HDR "01 00 "
#define ORIG_1 "0001 0004 0a000001 "
#define SEQ_7 "0002 0008 00000000 00000007 "
#define TENANT_100 "0003 0004 00000064 "
#define IVN_10 "0004 0004 0000000a "
#define LINK_2                                                                 \
	"0005 0018 0a000002 800005dc 00000078 0000012c 4cee6b28 4cbebc20 "
#define LINK_3                                                                 \
	"0005 0018 0a000003 a0002ee0 00000320 00000000 4b3ebc20 4b3ebc20 "
#define EP_V4                                                                  \
	"0006 0028 0001 ca6c c6336401 "                                        \
	"8520f009 8930a754 748b7ddc b43ef75a 0dbf3a0d 26381af4 eba4a98e "      \
	"aa9b4e6a "
#define SIG_EX2                                                                \
	"0009 0044 00000001 "                                                  \
	"b03b6888 65b2e4bf f16060bb b83b8a5c efefe920 b6cc74ba 3b12bb2d "      \
	"e850ad5b ac3e4e0c 44362863 a820e4d9 ff1cee77 b0097389 0f556905 "      \
	"151f8a40 a665110f "
#define LAT_250 "8001 0004 000000fa "

/* Example 1: the smallest valid attribute. */
#define EX1 HDR ORIG_1
/* Example 2: a signed node route. */
#define EX2_TLVS ORIG_1 SEQ_7 TENANT_100 IVN_10 LINK_2 LINK_3 EP_V4
#define EX2_BODY HDR EX2_TLVS
#define EX2 EX2_BODY SIG_EX2
/* Example 3: an IVN prefix route. */
#define EX3                                                                    \
	HDR ORIG_1 SEQ_7 TENANT_100 IVN_10                                     \
		"0007 0004 0a000001 "                                          \
		"0008 0008 0000000a 00000014 " LAT_250
/* Example 4: an IPv6 tunnel endpoint. */
#define EX4                                                                    \
	HDR "0001 0004 0a000004 "                                              \
	    "0006 0034 0002 ca6c 20010db8 00000000 00000000 00000004 "         \
	    "de9edb7d 7b7dc1b4 d35b61c2 ece43537 3f8343c8 5b78674d adfc7e14 "  \
	    "6f882b4f "
/* Example 5: unknown TLVs, one immutable and one mutable. */
#define EX5 HDR "0001 0004 0a000005 0042 0003 616263 8042 0000 "
/* Example 6: example 2 after `set mesh latency add 250` in transit. */
#define EX6 EX2_BODY LAT_250 SIG_EX2
/* Example 7: repeated singletons and non-canonical order. */
#define EX7                                                                    \
	HDR "0003 0004 00000064 0001 0004 0a000001 0003 0004 000000c8 "        \
	    "0001 0004 0a000009 "
#define EX7_CANON HDR ORIG_1 TENANT_100

static size_t hex2bin(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;

	for (; *hex; hex++) {
		int v;

		if (*hex >= '0' && *hex <= '9')
			v = *hex - '0';
		else if (*hex >= 'a' && *hex <= 'f')
			v = *hex - 'a' + 10;
		else if (*hex >= 'A' && *hex <= 'F')
			v = *hex - 'A' + 10;
		else
			continue;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n >= cap)
			abort();
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	if (hi >= 0)
		abort(); /* odd number of digits: a broken vector */
	return n;
}

/* ------------------------------------------------------------------ */
/* Accepted vectors.                                                  */

struct accept_vec {
	const char *name;
	const char *hex;
	const char *text;      /* expected in mesh_attr_format() */
	const char *json_key;  /* top-level key of mesh_attr_to_json() */
	const char *json_val;  /* its value as json_object_get_string() */
	const char *canon_hex; /* canonical re-encoding; NULL: the input */
};

static const struct accept_vec accept_vecs[] = {
	{"ex1-minimal", EX1, "originator 10.0.0.1", "originator", "10.0.0.1",
	 NULL},
	{"ex2-node-route-signed", EX2,
	 "link 10.0.0.2 up delay 1500us jitter 120us", "sequence", "7", NULL},
	{"ex3-ivn-prefix-route", EX3, "tags 10 20", "prefixOwner", "10.0.0.1",
	 NULL},
	{"ex4-endpoint-ipv6", EX4, "endpoint 2001:db8::4 port 51820",
	 "originator", "10.0.0.4", NULL},
	{"ex5-unknown-tlvs", EX5, "unknown-tlv type 66 length 3", "originator",
	 "10.0.0.5", NULL},
	{"ex6-latency-added-in-transit", EX6, "path-latency 250us",
	 "pathLatencyUs", "250", NULL},
	{"ex7-repeated-singletons", EX7, "ignored 2 repeated", "tenantId",
	 "100", EX7_CANON},
	{"unknown-before-known-reordered", HDR "0042 0001 ff " ORIG_1,
	 "unknown-tlv type 66", "originator", "10.0.0.1",
	 HDR ORIG_1 "0042 0001 ff "},
	{"unknown-same-type-keeps-order",
	 HDR "0050 0001 02 " ORIG_1 "0050 0001 01 0040 0000 ", "type 80",
	 "originator", "10.0.0.1",
	 HDR ORIG_1 "0040 0000 0050 0001 02 0050 0001 01 "},
	{"links-sorted-by-neighbor", HDR ORIG_1 LINK_3 LINK_2, "link 10.0.0.2",
	 "originator", "10.0.0.1", HDR ORIG_1 LINK_2 LINK_3},
	{"duplicate-link-neighbor-first-kept",
	 HDR ORIG_1 LINK_2
	 "0005 0018 0a000002 00000001 00000001 00000001 00000000 00000000 ",
	 "link 10.0.0.2 up delay 1500us", "ignoredTlvs", "1",
	 HDR ORIG_1 LINK_2},
	{"tags-sorted-and-unique",
	 HDR ORIG_1 "0008 0010 00000003 00000001 00000003 00000002 ",
	 "tags 1 2 3", "originator", "10.0.0.1",
	 HDR ORIG_1 "0008 000c 00000001 00000002 00000003 "},
	{"reserved-bits-kept",
	 "01 5a " ORIG_1
	 "0005 0018 0a000002 1f000001 ff000002 ee000003 00000000 00000000 ",
	 "flags 0x5a", "flags", "90", NULL},
	{"max-24-bit-metrics",
	 HDR ORIG_1
	 "0005 0018 0a000002 80ffffff 00ffffff 00ffffff 7f7fffff 00000001 ",
	 "delay 16777215us jitter 16777215us loss 50.331642%", "originator",
	 "10.0.0.1", NULL},
	{"path-latency-max", HDR ORIG_1 "8001 0004 ffffffff ",
	 "path-latency 4294967295us", "pathLatencyUs", "4294967295", NULL},
	{"sequence-max", HDR ORIG_1 "0002 0008 ffffffff ffffffff ",
	 "seq 18446744073709551615", "sequence", "18446744073709551615", NULL},
	{"signature-alone-unverified", HDR ORIG_1 SIG_EX2, "key-id 1 unchecked",
	 "signature", "unchecked", NULL},
	{"zero-length-unknown", HDR ORIG_1 "1234 0000 ", "type 4660 length 0",
	 "originator", "10.0.0.1", NULL},
};

#define N_ACCEPT (sizeof(accept_vecs) / sizeof(accept_vecs[0]))

/* Decode, re-encode, decode again: equal forms, stable bytes. */
static void check_round_trip(const char *name, const uint8_t *buf, size_t len,
			     const uint8_t *canon, size_t canon_len)
{
	struct mesh_attr a, b;
	uint8_t out1[MESH_ATTR_MAX_LEN], out2[MESH_ATTR_MAX_LEN];
	size_t l1, l2;
	char err[256];

	CU_ASSERT_EQUAL_FATAL(mesh_attr_decode(buf, len, &a, err, sizeof(err)),
			      MESH_ATTR_OK);
	CU_ASSERT_EQUAL_FATAL(
		mesh_attr_encode(&a, buf, out1, sizeof(out1), &l1), 0);
	if (l1 != canon_len || memcmp(out1, canon, l1))
		fprintf(stderr, "\n%s: canonical encoding differs\n", name);
	CU_ASSERT_EQUAL(l1, canon_len);
	CU_ASSERT(l1 == canon_len && memcmp(out1, canon, l1) == 0);
	CU_ASSERT_EQUAL_FATAL(mesh_attr_decode(out1, l1, &b, err, sizeof(err)),
			      MESH_ATTR_OK);
	CU_ASSERT(mesh_attr_equal(&a, buf, &b, out1));
	CU_ASSERT_EQUAL_FATAL(
		mesh_attr_encode(&b, out1, out2, sizeof(out2), &l2), 0);
	CU_ASSERT(l1 == l2 && memcmp(out1, out2, l1) == 0);
}

static void test_accepted_vectors(void)
{
	size_t i;

	for (i = 0; i < N_ACCEPT; i++) {
		const struct accept_vec *v = &accept_vecs[i];
		uint8_t buf[MESH_ATTR_MAX_LEN], canon[MESH_ATTR_MAX_LEN];
		size_t len, clen;
		struct mesh_attr a;
		struct json_object *jo, *jv;
		char err[256], text[2048];
		enum mesh_attr_result r;

		len = hex2bin(v->hex, buf, sizeof(buf));
		clen = hex2bin(v->canon_hex ? v->canon_hex : v->hex, canon,
			       sizeof(canon));
		r = mesh_attr_decode(buf, len, &a, err, sizeof(err));
		if (r != MESH_ATTR_OK)
			fprintf(stderr, "\n%s: %s\n", v->name, err);
		CU_ASSERT_EQUAL_FATAL(r, MESH_ATTR_OK);
		check_round_trip(v->name, buf, len, canon, clen);

		mesh_attr_format(&a, text, sizeof(text));
		if (!strstr(text, v->text))
			fprintf(stderr, "\n%s: \"%s\" not in:\n%s\n", v->name,
				v->text, text);
		CU_ASSERT_PTR_NOT_NULL(strstr(text, v->text));

		jo = mesh_attr_to_json(&a);
		CU_ASSERT_PTR_NOT_NULL_FATAL(jo);
		CU_ASSERT_PTR_NOT_NULL(json_object_to_json_string(jo));
		CU_ASSERT_FATAL(
			json_object_object_get_ex(jo, v->json_key, &jv));
		CU_ASSERT_STRING_EQUAL(json_object_get_string(jv), v->json_val);
		json_object_put(jo);
	}
}

/* ------------------------------------------------------------------ */
/* Malformed vectors: treat-as-withdraw with a precise reason.        */

struct reject_vec {
	const char *name;
	const char *hex;
	enum mesh_attr_result expect;
	const char *err; /* expected in the error text */
};

static const struct reject_vec reject_vecs[] = {
	{"zero-length-attribute", "", MESH_ATTR_MALFORMED, "zero-length"},
	{"header-truncated", "01", MESH_ATTR_MALFORMED, "header truncated"},
	{"version-2", "02 00" ORIG_1, MESH_ATTR_UNSUPPORTED,
	 "unsupported version 2"},
	{"version-0", "00", MESH_ATTR_UNSUPPORTED, "unsupported version 0"},
	{"no-tlv-at-all", HDR, MESH_ATTR_MALFORMED, "originator TLV missing"},
	{"originator-missing", HDR TENANT_100, MESH_ATTR_MALFORMED,
	 "originator TLV missing"},
	{"truncated-tlv-header", HDR ORIG_1 "0003 00", MESH_ATTR_MALFORMED,
	 "truncated TLV header at offset 10 (3 octets left)"},
	{"trailing-byte", HDR ORIG_1 "00", MESH_ATTR_MALFORMED,
	 "truncated TLV header at offset 10 (1 octets left)"},
	{"tlv-length-past-end", HDR "0001 0008 0a000001", MESH_ATTR_MALFORMED,
	 "length 8 exceeds the 4 octets left"},
	{"unknown-tlv-length-past-end", HDR ORIG_1 "0042 0010 0102",
	 MESH_ATTR_MALFORMED, "length 16 exceeds the 2 octets left"},
	{"originator-zero-length", HDR "0001 0000 " ORIG_1, MESH_ATTR_MALFORMED,
	 "length 0 outside 4..4"},
	{"originator-too-long", HDR "0001 0005 0a00000100", MESH_ATTR_MALFORMED,
	 "length 5 outside 4..4"},
	{"originator-zero-id", HDR "0001 0004 00000000", MESH_ATTR_MALFORMED,
	 "node ID is 0"},
	{"sequence-short", HDR ORIG_1 "0002 0004 00000001", MESH_ATTR_MALFORMED,
	 "(sequence) at offset 10: length 4"},
	{"link-23-octets",
	 HDR ORIG_1
	 "0005 0017 0a000002 800005dc 00000078 0000012c 4cee6b28 4cbebc",
	 MESH_ATTR_MALFORMED, "(link) at offset 10: length 23 outside 24..24"},
	{"link-neighbor-zero",
	 HDR ORIG_1
	 "0005 0018 00000000 800005dc 00000078 0000012c 4cee6b28 4cbebc20",
	 MESH_ATTR_MALFORMED, "neighbor node ID is 0"},
	{"link-bandwidth-nan",
	 HDR ORIG_1
	 "0005 0018 0a000002 800005dc 00000078 0000012c 7fc00000 4cbebc20",
	 MESH_ATTR_MALFORMED, "maximum bandwidth 0x7fc00000"},
	{"link-bandwidth-infinite",
	 HDR ORIG_1
	 "0005 0018 0a000002 800005dc 00000078 0000012c 4cee6b28 7f800000",
	 MESH_ATTR_MALFORMED, "available bandwidth 0x7f800000"},
	{"link-bandwidth-negative",
	 HDR ORIG_1
	 "0005 0018 0a000002 800005dc 00000078 0000012c bf800000 00000000",
	 MESH_ATTR_MALFORMED, "maximum bandwidth 0xbf800000"},
	{"endpoint-unknown-afi",
	 HDR ORIG_1 "0006 0028 0003 ca6c c6336401 "
		    "8520f009 8930a754 748b7ddc b43ef75a 0dbf3a0d 26381af4 "
		    "eba4a98e aa9b4e6a",
	 MESH_ATTR_MALFORMED, "unknown address family 3"},
	{"endpoint-key-31-octets",
	 HDR ORIG_1 "0006 0027 0001 ca6c c6336401 "
		    "8520f009 8930a754 748b7ddc b43ef75a 0dbf3a0d 26381af4 "
		    "eba4a98e aa9b4e",
	 MESH_ATTR_MALFORMED, "length 39 outside 40..52"},
	{"endpoint-key-33-octets",
	 HDR ORIG_1 "0006 0029 0001 ca6c c6336401 "
		    "8520f009 8930a754 748b7ddc b43ef75a 0dbf3a0d 26381af4 "
		    "eba4a98e aa9b4e6a 00",
	 MESH_ATTR_MALFORMED, "length 41 does not match AFI 1 (expected 40)"},
	{"endpoint-ipv6-with-ipv4-length",
	 HDR ORIG_1 "0006 0028 0002 ca6c c6336401 "
		    "8520f009 8930a754 748b7ddc b43ef75a 0dbf3a0d 26381af4 "
		    "eba4a98e aa9b4e6a",
	 MESH_ATTR_MALFORMED, "length 40 does not match AFI 2 (expected 52)"},
	{"endpoint-port-zero",
	 HDR ORIG_1 "0006 0028 0001 0000 c6336401 "
		    "8520f009 8930a754 748b7ddc b43ef75a 0dbf3a0d 26381af4 "
		    "eba4a98e aa9b4e6a",
	 MESH_ATTR_MALFORMED, "UDP port is 0"},
	{"prefix-owner-zero", HDR ORIG_1 "0007 0004 00000000",
	 MESH_ATTR_MALFORMED, "(prefix-owner) at offset 10: node ID is 0"},
	{"tags-zero-length", HDR ORIG_1 "0008 0000", MESH_ATTR_MALFORMED,
	 "length 0 outside 4..128"},
	{"tags-not-multiple-of-4", HDR ORIG_1 "0008 0006 00000001 0002",
	 MESH_ATTR_MALFORMED, "length 6 is not a multiple of 4"},
	{"signature-63-octets",
	 HDR ORIG_1 "0009 0043 00000001 "
		    "b03b6888 65b2e4bf f16060bb b83b8a5c efefe920 b6cc74ba "
		    "3b12bb2d e850ad5b ac3e4e0c 44362863 a820e4d9 ff1cee77 "
		    "b0097389 0f556905 151f8a40 a66511",
	 MESH_ATTR_MALFORMED, "length 67 outside 68..68"},
	{"signature-not-last", HDR ORIG_1 SIG_EX2 TENANT_100,
	 MESH_ATTR_MALFORMED, "TLV type 3 at offset 82 follows the signature"},
	{"signature-repeated", HDR ORIG_1 SIG_EX2 SIG_EX2, MESH_ATTR_MALFORMED,
	 "TLV type 9 at offset 82 follows the signature"},
	{"unknown-after-signature", HDR ORIG_1 SIG_EX2 "0042 0000",
	 MESH_ATTR_MALFORMED, "follows the signature"},
	{"reserved-type-0", HDR ORIG_1 "0000 0000", MESH_ATTR_MALFORMED,
	 "reserved TLV type 0"},
	{"reserved-type-32768", HDR ORIG_1 "8000 0000", MESH_ATTR_MALFORMED,
	 "reserved TLV type 32768"},
	{"reserved-type-65535", HDR ORIG_1 "ffff 0001 00", MESH_ATTR_MALFORMED,
	 "reserved TLV type 65535"},
	{"path-latency-short", HDR ORIG_1 "8001 0002 0001", MESH_ATTR_MALFORMED,
	 "(path-latency) at offset 10: length 2"},
	{"malformed-after-repeat-of-valid",
	 HDR ORIG_1 "0001 0004 0a000002 0005 0001 00", MESH_ATTR_MALFORMED,
	 "(link) at offset 18: length 1"},
};

#define N_REJECT (sizeof(reject_vecs) / sizeof(reject_vecs[0]))

static void test_rejected_vectors(void)
{
	size_t i;

	for (i = 0; i < N_REJECT; i++) {
		const struct reject_vec *v = &reject_vecs[i];
		uint8_t buf[MESH_ATTR_MAX_LEN];
		struct mesh_attr a;
		char err[256];
		enum mesh_attr_result r;
		size_t len = hex2bin(v->hex, buf, sizeof(buf));

		r = mesh_attr_decode(buf, len, &a, err, sizeof(err));
		if (r != v->expect || !strstr(err, v->err))
			fprintf(stderr, "\n%s: got %s \"%s\", want %s \"%s\"\n",
				v->name, mesh_attr_result_str(r), err,
				mesh_attr_result_str(v->expect), v->err);
		CU_ASSERT_EQUAL(r, v->expect);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, v->err));
		/* Truncated to any length the answer stays the same kind. */
		if (len > 2 && v->expect == MESH_ATTR_MALFORMED &&
		    strstr(v->name, "past-end")) {
			CU_ASSERT_EQUAL(
				mesh_attr_decode(buf, len - 1, &a, NULL, 0),
				MESH_ATTR_MALFORMED);
		}
	}
	/* NULL buffer and an error buffer of one octet. */
	{
		struct mesh_attr a;
		char err[1] = {'x'};

		CU_ASSERT_EQUAL(mesh_attr_decode(NULL, 5, &a, err, sizeof(err)),
				MESH_ATTR_MALFORMED);
		CU_ASSERT_EQUAL(err[0], '\0');
	}
}

/* Every prefix of every accepted vector is rejected or accepted, never
 * anything else, and an accepted prefix still round trips. */
static void test_truncations(void)
{
	size_t i, l;

	for (i = 0; i < N_ACCEPT; i++) {
		uint8_t buf[MESH_ATTR_MAX_LEN];
		size_t len = hex2bin(accept_vecs[i].hex, buf, sizeof(buf));

		for (l = 0; l < len; l++) {
			struct mesh_attr a;
			enum mesh_attr_result r;

			r = mesh_attr_decode(buf, l, &a, NULL, 0);
			CU_ASSERT(r == MESH_ATTR_OK ||
				  r == MESH_ATTR_MALFORMED);
			/* A prefix ending inside a TLV is never accepted. */
			if (l == len - 1)
				CU_ASSERT_EQUAL(r, MESH_ATTR_MALFORMED);
		}
	}
}

/* ------------------------------------------------------------------ */
/* Round trips for every TLV type, built through the API.             */

static void set_link(struct mesh_attr_link *l, uint32_t nbr)
{
	memset(l, 0, sizeof(*l));
	l->neighbor = nbr;
	l->flags = MESH_ATTR_LINK_F_UP;
	l->delay_us = 1500;
	l->delay_var_us = 120;
	l->loss = 300;
	l->max_bw_bits = mesh_attr_bw_from_float(125e6f);
	l->avail_bw_bits = mesh_attr_bw_from_float(100e6f);
}

struct tlv_case {
	const char *name;
	void (*build)(struct mesh_attr *a);
	const char *hex; /* the whole canonical attribute */
};

static void build_originator(struct mesh_attr *a)
{
	(void)a;
}
static void build_sequence(struct mesh_attr *a)
{
	a->present |= MESH_ATTR_HAS_SEQUENCE;
	a->sequence = 7;
}
static void build_tenant(struct mesh_attr *a)
{
	a->present |= MESH_ATTR_HAS_TENANT;
	a->tenant = 100;
}
static void build_ivn(struct mesh_attr *a)
{
	a->present |= MESH_ATTR_HAS_IVN;
	a->ivn = 10;
}
static void build_link(struct mesh_attr *a)
{
	set_link(&a->links[0], 0x0a000002);
	a->n_links = 1;
}
static void build_endpoint_v4(struct mesh_attr *a)
{
	static const uint8_t addr[4] = {198, 51, 100, 1};

	a->present |= MESH_ATTR_HAS_ENDPOINT;
	a->endpoint.afi = MESH_ATTR_AFI_IPV4;
	a->endpoint.port = 51820;
	memcpy(a->endpoint.addr, addr, 4);
	hex2bin("8520f009 8930a754 748b7ddc b43ef75a 0dbf3a0d 26381af4 "
		"eba4a98e aa9b4e6a",
		a->endpoint.pubkey, sizeof(a->endpoint.pubkey));
}
static void build_endpoint_v6(struct mesh_attr *a)
{
	a->present |= MESH_ATTR_HAS_ENDPOINT;
	a->endpoint.afi = MESH_ATTR_AFI_IPV6;
	a->endpoint.port = 51820;
	hex2bin("20010db8 00000000 00000000 00000004", a->endpoint.addr,
		sizeof(a->endpoint.addr));
	hex2bin("de9edb7d 7b7dc1b4 d35b61c2 ece43537 3f8343c8 5b78674d "
		"adfc7e14 6f882b4f",
		a->endpoint.pubkey, sizeof(a->endpoint.pubkey));
}
static void build_prefix_owner(struct mesh_attr *a)
{
	a->present |= MESH_ATTR_HAS_PREFIX_OWNER;
	a->prefix_owner = 0x0a000001;
}
static void build_tags(struct mesh_attr *a)
{
	a->present |= MESH_ATTR_HAS_SEG_TAGS;
	a->n_tags = 2;
	a->tags[0] = 20;
	a->tags[1] = 10;
}
static void build_latency(struct mesh_attr *a)
{
	mesh_attr_latency_add(a, 250);
}
static void build_signature(struct mesh_attr *a)
{
	EVP_PKEY *k = mesh_attr_key_private_from_raw(ca_secret, 32);

	build_sequence(a);
	build_tenant(a);
	build_ivn(a);
	set_link(&a->links[0], 0x0a000002);
	a->links[0].avail_bw_bits = mesh_attr_bw_from_float(100e6f);
	set_link(&a->links[1], 0x0a000003);
	a->links[1].flags = MESH_ATTR_LINK_F_UP | MESH_ATTR_LINK_F_BACKUP;
	a->links[1].delay_us = 12000;
	a->links[1].delay_var_us = 800;
	a->links[1].loss = 0;
	a->links[1].max_bw_bits = mesh_attr_bw_from_float(12.5e6f);
	a->links[1].avail_bw_bits = mesh_attr_bw_from_float(12.5e6f);
	a->n_links = 2;
	build_endpoint_v4(a);
	CU_ASSERT_EQUAL(mesh_attr_sign(a, NULL, k, 1), 0);
	EVP_PKEY_free(k);
}

static const struct tlv_case tlv_cases[] = {
	{"originator", build_originator, EX1},
	{"sequence", build_sequence, HDR ORIG_1 SEQ_7},
	{"tenant", build_tenant, HDR ORIG_1 TENANT_100},
	{"ivn", build_ivn, HDR ORIG_1 IVN_10},
	{"link", build_link, HDR ORIG_1 LINK_2},
	{"tunnel-endpoint-ipv4", build_endpoint_v4, HDR ORIG_1 EP_V4},
	{"tunnel-endpoint-ipv6", build_endpoint_v6,
	 HDR ORIG_1 "0006 0034 0002 ca6c 20010db8 00000000 00000000 00000004 "
		    "de9edb7d 7b7dc1b4 d35b61c2 ece43537 3f8343c8 5b78674d "
		    "adfc7e14 6f882b4f "},
	{"prefix-owner", build_prefix_owner, HDR ORIG_1 "0007 0004 0a000001"},
	{"segmentation-tags", build_tags,
	 HDR ORIG_1 "0008 0008 0000000a 00000014"},
	{"path-latency", build_latency, HDR ORIG_1 LAT_250},
	{"signature", build_signature, EX2},
};

#define N_TLV_CASES (sizeof(tlv_cases) / sizeof(tlv_cases[0]))

static void test_tlv_round_trips(void)
{
	size_t i;

	for (i = 0; i < N_TLV_CASES; i++) {
		const struct tlv_case *c = &tlv_cases[i];
		uint8_t want[MESH_ATTR_MAX_LEN], out[MESH_ATTR_MAX_LEN];
		size_t wlen, olen;
		struct mesh_attr a, b;

		mesh_attr_init(&a);
		a.present = MESH_ATTR_HAS_ORIGINATOR;
		a.originator = 0x0a000001;
		c->build(&a);
		wlen = hex2bin(c->hex, want, sizeof(want));
		CU_ASSERT_EQUAL_FATAL(
			mesh_attr_encode(&a, NULL, out, sizeof(out), &olen), 0);
		if (olen != wlen || memcmp(out, want, olen))
			fprintf(stderr, "\n%s: encoding differs\n", c->name);
		CU_ASSERT(olen == wlen && memcmp(out, want, olen) == 0);
		CU_ASSERT_EQUAL_FATAL(mesh_attr_decode(out, olen, &b, NULL, 0),
				      MESH_ATTR_OK);
		check_round_trip(c->name, out, olen, want, wlen);
	}
	for (i = MESH_ATTR_TLV_ORIGINATOR; i <= MESH_ATTR_TLV_SIGNATURE; i++)
		CU_ASSERT_PTR_NOT_NULL(mesh_attr_tlv_name((uint16_t)i));
	CU_ASSERT_STRING_EQUAL(mesh_attr_tlv_name(MESH_ATTR_TLV_PATH_LATENCY),
			       "path-latency");
	CU_ASSERT_PTR_NULL(mesh_attr_tlv_name(0x42));
}

/* The encoder refuses what it could not decode again. */
static void test_encode_refusals(void)
{
	struct mesh_attr a;
	uint8_t out[MESH_ATTR_MAX_LEN];
	size_t olen = 99;

	mesh_attr_init(&a);
	CU_ASSERT_EQUAL(mesh_attr_encode(&a, NULL, out, sizeof(out), &olen),
			-1); /* no originator */
	CU_ASSERT_EQUAL(olen, 0);
	a.present = MESH_ATTR_HAS_ORIGINATOR;
	a.originator = 0x0a000001;
	CU_ASSERT_EQUAL(mesh_attr_encode(&a, NULL, out, 9, &olen), -1);
	CU_ASSERT_EQUAL(mesh_attr_encode(&a, NULL, out, 10, &olen), 0);

	build_link(&a);
	a.links[0].max_bw_bits = 0x7fc00000; /* NaN */
	CU_ASSERT_EQUAL(mesh_attr_encode(&a, NULL, out, sizeof(out), &olen),
			-1);
	set_link(&a.links[0], 0x0a000002);
	a.links[0].delay_us = 0x1000000; /* 25 bits */
	CU_ASSERT_EQUAL(mesh_attr_encode(&a, NULL, out, sizeof(out), &olen),
			-1);
	a.n_links = MESH_ATTR_MAX_LINKS + 1;
	CU_ASSERT_EQUAL(mesh_attr_encode(&a, NULL, out, sizeof(out), &olen),
			-1);
	a.n_links = 0;

	a.present |= MESH_ATTR_HAS_SEG_TAGS; /* with no tag */
	CU_ASSERT_EQUAL(mesh_attr_encode(&a, NULL, out, sizeof(out), &olen),
			-1);
	a.present &= ~MESH_ATTR_HAS_SEG_TAGS;

	a.n_unknown = 1; /* unknown TLV without its raw buffer */
	a.unknown[0].type = 0x42;
	a.unknown[0].len = 1;
	CU_ASSERT_EQUAL(mesh_attr_encode(&a, NULL, out, sizeof(out), &olen),
			-1);
	a.unknown[0].type = MESH_ATTR_TLV_TENANT; /* "unknown" known type */
	CU_ASSERT_EQUAL(mesh_attr_encode(&a, out, out, sizeof(out), &olen), -1);
	a.n_unknown = 0;

	a.version = 2;
	CU_ASSERT_EQUAL(mesh_attr_encode(&a, NULL, out, sizeof(out), &olen),
			-1);
}

/* ------------------------------------------------------------------ */
/* Repeated, unknown and duplicate TLVs.                              */

static void test_repeated_singletons(void)
{
	uint8_t buf[256];
	size_t len = hex2bin(EX7, buf, sizeof(buf));
	struct mesh_attr a;

	CU_ASSERT_EQUAL_FATAL(mesh_attr_decode(buf, len, &a, NULL, 0),
			      MESH_ATTR_OK);
	CU_ASSERT_EQUAL(a.originator, 0x0a000001);
	CU_ASSERT_EQUAL(a.tenant, 100);
	CU_ASSERT_EQUAL(a.n_ignored, 2);

	/* A repeated singleton is ignored without looking at its value. */
	len = hex2bin(HDR ORIG_1 "0001 0004 00000000", buf, sizeof(buf));
	CU_ASSERT_EQUAL(mesh_attr_decode(buf, len, &a, NULL, 0), MESH_ATTR_OK);
	CU_ASSERT_EQUAL(a.originator, 0x0a000001);
	/* ... but its length must still be right. */
	len = hex2bin(HDR ORIG_1 "0001 0002 0000", buf, sizeof(buf));
	CU_ASSERT_EQUAL(mesh_attr_decode(buf, len, &a, NULL, 0),
			MESH_ATTR_MALFORMED);
}

static void test_unknown_kept_byte_for_byte(void)
{
	uint8_t buf[256], out[256];
	size_t len = hex2bin(EX5, buf, sizeof(buf)), olen;
	struct mesh_attr a;

	CU_ASSERT_EQUAL_FATAL(mesh_attr_decode(buf, len, &a, NULL, 0),
			      MESH_ATTR_OK);
	CU_ASSERT_EQUAL_FATAL(a.n_unknown, 2);
	CU_ASSERT_EQUAL(a.unknown[0].type, 0x42);
	CU_ASSERT_EQUAL(a.unknown[0].len, 3);
	CU_ASSERT_EQUAL(memcmp(buf + a.unknown[0].off, "abc", 3), 0);
	CU_ASSERT_EQUAL(a.unknown[1].type, 0x8042);
	CU_ASSERT_EQUAL(a.unknown[1].len, 0);
	CU_ASSERT_EQUAL_FATAL(
		mesh_attr_encode(&a, buf, out, sizeof(out), &olen), 0);
	CU_ASSERT(olen == len && memcmp(buf, out, len) == 0);

	/* After an edit the unknown TLVs are still there. */
	mesh_attr_latency_add(&a, 10);
	CU_ASSERT_EQUAL_FATAL(
		mesh_attr_encode(&a, buf, out, sizeof(out), &olen), 0);
	CU_ASSERT_EQUAL(olen, len + 8);
	{
		uint8_t want[256];
		size_t wlen = hex2bin(HDR "0001 0004 0a000005 0042 0003 616263 "
					  "8001 0004 0000000a 8042 0000",
				      want, sizeof(want));

		CU_ASSERT(olen == wlen && memcmp(out, want, wlen) == 0);
	}
}

/* ------------------------------------------------------------------ */
/* Limits.                                                            */

static size_t put_tlv_hdr(uint8_t *p, uint16_t type, uint16_t len)
{
	p[0] = (uint8_t)(type >> 8);
	p[1] = (uint8_t)type;
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
	return 4;
}

/* HDR ORIG_1 then n Link TLVs to distinct neighbors. */
static size_t build_links(uint8_t *buf, size_t n)
{
	size_t len = hex2bin(HDR ORIG_1, buf, 16), i;

	for (i = 0; i < n; i++) {
		len += hex2bin(LINK_2, buf + len, 28);
		buf[len - 24 + 3] = (uint8_t)(i + 10); /* neighbor 10.0.0.x */
	}
	return len;
}

static void test_limits(void)
{
	static uint8_t buf[8192];
	struct mesh_attr a;
	char err[256];
	size_t len, i;
	uint8_t out[MESH_ATTR_MAX_LEN];
	size_t olen;

	len = build_links(buf, MESH_ATTR_MAX_LINKS);
	CU_ASSERT_EQUAL(mesh_attr_decode(buf, len, &a, err, sizeof(err)),
			MESH_ATTR_OK);
	CU_ASSERT_EQUAL(a.n_links, MESH_ATTR_MAX_LINKS);
	CU_ASSERT_EQUAL(mesh_attr_encode(&a, buf, out, sizeof(out), &olen), 0);
	CU_ASSERT(olen == len && memcmp(out, buf, len) == 0);

	len = build_links(buf, MESH_ATTR_MAX_LINKS + 1);
	CU_ASSERT_EQUAL(mesh_attr_decode(buf, len, &a, err, sizeof(err)),
			MESH_ATTR_MALFORMED);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "more than 64 Link TLVs"));

	/* 32 tags fit, 33 do not. */
	len = hex2bin(HDR ORIG_1, buf, 16);
	len += put_tlv_hdr(buf + len, MESH_ATTR_TLV_SEG_TAGS, 4 * 32);
	for (i = 0; i < 32; i++) {
		memset(buf + len, 0, 4);
		buf[len + 3] = (uint8_t)i;
		len += 4;
	}
	CU_ASSERT_EQUAL(mesh_attr_decode(buf, len, &a, NULL, 0), MESH_ATTR_OK);
	CU_ASSERT_EQUAL(a.n_tags, 32);
	buf[10 + 3] = 4 * 33;
	memset(buf + len, 0, 4);
	buf[len + 3] = 99;
	len += 4;
	CU_ASSERT_EQUAL(mesh_attr_decode(buf, len, &a, err, sizeof(err)),
			MESH_ATTR_MALFORMED);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "length 132 outside 4..128"));

	/* 32 unknown TLVs are kept, the 33rd is too many. */
	len = hex2bin(HDR ORIG_1, buf, 16);
	for (i = 0; i < MESH_ATTR_MAX_UNKNOWN; i++)
		len += put_tlv_hdr(buf + len, (uint16_t)(0x100 + i), 0);
	CU_ASSERT_EQUAL(mesh_attr_decode(buf, len, &a, NULL, 0), MESH_ATTR_OK);
	CU_ASSERT_EQUAL(a.n_unknown, MESH_ATTR_MAX_UNKNOWN);
	len += put_tlv_hdr(buf + len, 0x200, 0);
	CU_ASSERT_EQUAL(mesh_attr_decode(buf, len, &a, err, sizeof(err)),
			MESH_ATTR_MALFORMED);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "more than 32 unknown TLVs"));

	/* 4096 octets are allowed, 4097 are not. */
	len = hex2bin(HDR ORIG_1, buf, 16);
	len += put_tlv_hdr(buf + len, 0x4242, (uint16_t)(4096 - len - 4));
	memset(buf + len, 0xab, 4096 - len);
	len = 4096;
	CU_ASSERT_EQUAL(mesh_attr_decode(buf, len, &a, NULL, 0), MESH_ATTR_OK);
	CU_ASSERT_EQUAL(mesh_attr_encode(&a, buf, out, sizeof(out), &olen), 0);
	CU_ASSERT_EQUAL(olen, 4096);
	/* Adding the Path Latency TLV would exceed the limit. */
	mesh_attr_latency_add(&a, 1);
	CU_ASSERT_EQUAL(mesh_attr_encode(&a, buf, out, sizeof(out), &olen), -1);
	buf[12] = 0x0f;
	buf[13] = 0xf3; /* unknown TLV one octet longer */
	CU_ASSERT_EQUAL(mesh_attr_decode(buf, 4097, &a, err, sizeof(err)),
			MESH_ATTR_MALFORMED);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "length 4097 exceeds 4096"));
}

/* ------------------------------------------------------------------ */
/* Metric arithmetic.                                                 */

static void test_saturation(void)
{
	struct mesh_attr a;
	uint8_t buf[64], out[64];
	size_t len, olen;
	int i;

	CU_ASSERT_EQUAL(mesh_attr_sat_add_u32(1, 2), 3);
	CU_ASSERT_EQUAL(mesh_attr_sat_add_u32(UINT32_MAX - 1, 5), UINT32_MAX);
	CU_ASSERT_EQUAL(mesh_attr_sat_add_u32(UINT32_MAX, UINT32_MAX),
			UINT32_MAX);
	CU_ASSERT_EQUAL(mesh_attr_sat_add_u32(0x80000000u, 0x80000000u),
			UINT32_MAX);
	CU_ASSERT_EQUAL(mesh_attr_sat_add_u24(0xfffff0, 0x10), 0xffffff);
	CU_ASSERT_EQUAL(mesh_attr_sat_add_u24(0xfffff0, 0xf), 0xffffff);
	CU_ASSERT_EQUAL(mesh_attr_sat_add_u24(0xffffffff, 0xffffffff),
			0xffffff);
	CU_ASSERT_EQUAL(mesh_attr_sat_add_u24(10, 20), 30);

	/* A wire value near the top, then `set mesh latency add`. */
	len = hex2bin(HDR ORIG_1 "8001 0004 fffffff0", buf, sizeof(buf));
	CU_ASSERT_EQUAL_FATAL(mesh_attr_decode(buf, len, &a, NULL, 0),
			      MESH_ATTR_OK);
	mesh_attr_latency_add(&a, 15);
	CU_ASSERT_EQUAL(mesh_attr_latency_get(&a), 0xffffffffu);
	mesh_attr_latency_add(&a, 100);
	CU_ASSERT_EQUAL(mesh_attr_latency_get(&a), 0xffffffffu);
	for (i = 0; i < 3; i++)
		mesh_attr_latency_add(&a, UINT32_MAX);
	CU_ASSERT_EQUAL_FATAL(
		mesh_attr_encode(&a, buf, out, sizeof(out), &olen), 0);
	CU_ASSERT_EQUAL(olen, len);
	CU_ASSERT_EQUAL(memcmp(out + len - 4, "\xff\xff\xff\xff", 4), 0);

	/* Absent TLV: latency 0, add creates it. */
	len = hex2bin(EX1, buf, sizeof(buf));
	CU_ASSERT_EQUAL_FATAL(mesh_attr_decode(buf, len, &a, NULL, 0),
			      MESH_ATTR_OK);
	CU_ASSERT_EQUAL(mesh_attr_latency_get(&a), 0);
	mesh_attr_latency_add(&a, 0);
	CU_ASSERT(a.present & MESH_ATTR_HAS_PATH_LATENCY);
	mesh_attr_latency_add(&a, 250);
	CU_ASSERT_EQUAL(mesh_attr_latency_get(&a), 250);

	/* Loss above the RFC 8570 maximum reads as the maximum. */
	CU_ASSERT_DOUBLE_EQUAL(mesh_attr_loss_percent(0xffffff), 50.331642,
			       1e-9);
	CU_ASSERT_DOUBLE_EQUAL(mesh_attr_loss_percent(300), 0.0009, 1e-12);

	/* Bandwidth conversions clamp what the wire cannot carry. */
	CU_ASSERT_EQUAL(mesh_attr_bw_from_float(-1.0f), 0);
	CU_ASSERT_EQUAL(mesh_attr_bw_from_float(NAN), 0);
	CU_ASSERT_EQUAL(mesh_attr_bw_from_float(INFINITY), 0x7f7fffffu);
	CU_ASSERT_EQUAL(mesh_attr_bw_from_float(125e6f), 0x4cee6b28u);
	CU_ASSERT_EQUAL(mesh_attr_bw_to_float(0x4cbebc20u), 100e6f);

	/* Highest available bandwidth among links that are up. */
	{
		uint8_t big[512];
		size_t blen = hex2bin(EX2, big, sizeof(big));

		CU_ASSERT_EQUAL_FATAL(mesh_attr_decode(big, blen, &a, NULL, 0),
				      MESH_ATTR_OK);
		CU_ASSERT_EQUAL(mesh_attr_bandwidth_get(&a), 100e6f);
		a.links[0].flags = 0;
		CU_ASSERT_EQUAL(mesh_attr_bandwidth_get(&a), 12.5e6f);
	}
}

/* ------------------------------------------------------------------ */
/* Signatures.                                                        */

static EVP_PKEY *ca_pub(void)
{
	EVP_PKEY *k = mesh_attr_key_public_from_raw(ca_public, 32);

	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	return k;
}

static enum mesh_attr_sig_status verify_hex(const char *hex, EVP_PKEY *key)
{
	uint8_t buf[1024];
	size_t len = hex2bin(hex, buf, sizeof(buf));

	return mesh_attr_verify(buf, len, key);
}

static void test_signature_examples(void)
{
	EVP_PKEY *pub = ca_pub();

	CU_ASSERT_EQUAL(verify_hex(EX2, pub), MESH_ATTR_SIG_VALID);
	/* Path Latency is mutable: adding it keeps the signature. */
	CU_ASSERT_EQUAL(verify_hex(EX6, pub), MESH_ATTR_SIG_VALID);
	CU_ASSERT_EQUAL(verify_hex(EX1, pub), MESH_ATTR_SIG_UNSIGNED);
	/* The same TLVs in another order verify too. */
	CU_ASSERT_EQUAL(verify_hex(HDR LINK_3 EP_V4 IVN_10 TENANT_100 SEQ_7
					   LINK_2 ORIG_1 SIG_EX2,
				   pub),
			MESH_ATTR_SIG_VALID);
	/* So does a repeated singleton after the first. */
	CU_ASSERT_EQUAL(verify_hex(EX2_BODY TENANT_100 SIG_EX2, pub),
			MESH_ATTR_SIG_VALID);
	/* An unknown mutable TLV is outside the signature ... */
	CU_ASSERT_EQUAL(verify_hex(EX2_BODY "8042 0001 01 " SIG_EX2, pub),
			MESH_ATTR_SIG_VALID);
	/* ... an unknown immutable one is inside. */
	CU_ASSERT_EQUAL(verify_hex(EX2_BODY "0042 0001 01 " SIG_EX2, pub),
			MESH_ATTR_SIG_BAD);
	/* A repeated singleton put first takes over and breaks it. */
	CU_ASSERT_EQUAL(
		verify_hex(HDR "0003 0004 00000065 " EX2_TLVS SIG_EX2, pub),
		MESH_ATTR_SIG_BAD);
	/* Malformed: not even looked at. */
	CU_ASSERT_EQUAL(verify_hex(HDR ORIG_1 SIG_EX2 TENANT_100, pub),
			MESH_ATTR_SIG_BAD);
	EVP_PKEY_free(pub);
}

static void test_signature_tampering(void)
{
	EVP_PKEY *pub = ca_pub();
	EVP_PKEY *other = mesh_attr_key_private_from_raw(other_secret, 32);
	uint8_t buf[512], t[512];
	size_t len = hex2bin(EX2, buf, sizeof(buf)), i;
	struct mesh_attr a;
	char text[2048];
	struct json_object *jo, *je, *ju;

	CU_ASSERT_PTR_NOT_NULL_FATAL(other);

	/* Valid: the endpoint may be used, and show says so. */
	CU_ASSERT_EQUAL_FATAL(mesh_attr_decode(buf, len, &a, NULL, 0),
			      MESH_ATTR_OK);
	CU_ASSERT_EQUAL(a.sig_status, MESH_ATTR_SIG_UNCHECKED);
	CU_ASSERT_FALSE(mesh_attr_endpoint_usable(&a));
	CU_ASSERT_EQUAL(mesh_attr_verify_decoded(&a, buf, pub),
			MESH_ATTR_SIG_VALID);
	CU_ASSERT_TRUE(mesh_attr_endpoint_usable(&a));
	mesh_attr_format(&a, text, sizeof(text));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "signature key-id 1 valid"));
	jo = mesh_attr_to_json(&a);
	CU_ASSERT_FATAL(json_object_object_get_ex(jo, "endpoint", &je));
	CU_ASSERT_FATAL(json_object_object_get_ex(je, "usable", &ju));
	CU_ASSERT_TRUE(json_object_get_boolean(ju));
	CU_ASSERT_FATAL(json_object_object_get_ex(je, "publicKey", &ju));
	CU_ASSERT_STRING_EQUAL(json_object_get_string(ju),
			       "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=");
	json_object_put(jo);

	/* Any flipped bit that still decodes: BAD, or UNSIGNED where the
	 * flip turned the signature TLV into another type. */
	for (i = 0; i < len; i++) {
		enum mesh_attr_sig_status s;
		enum mesh_attr_result r;

		memcpy(t, buf, len);
		t[i] ^= 0x01;
		r = mesh_attr_decode(t, len, &a, NULL, 0);
		if (r != MESH_ATTR_OK)
			continue; /* framing or value broken */
		s = mesh_attr_verify_decoded(&a, t, pub);
		if (s == MESH_ATTR_SIG_VALID)
			fprintf(stderr, "\nbit flip at %zu still verifies\n",
				i);
		if (a.present & MESH_ATTR_HAS_SIGNATURE) {
			CU_ASSERT_EQUAL(s, MESH_ATTR_SIG_BAD);
		} else {
			CU_ASSERT_EQUAL(s, MESH_ATTR_SIG_UNSIGNED);
		}
		CU_ASSERT_FALSE(mesh_attr_endpoint_usable(&a));
	}

	/* The tunnel public key replaced by an attacker's: BAD, keys not
	 * used, the route still decodes for reachability. */
	memcpy(t, buf, len);
	memset(t + 106, 0x42, MESH_ATTR_PUBKEY_LEN);
	CU_ASSERT_EQUAL_FATAL(mesh_attr_decode(t, len, &a, NULL, 0),
			      MESH_ATTR_OK);
	CU_ASSERT_EQUAL(memcmp(a.endpoint.pubkey, t + 106, 32), 0);
	CU_ASSERT_EQUAL(mesh_attr_verify_decoded(&a, t, pub),
			MESH_ATTR_SIG_BAD);
	CU_ASSERT_FALSE(mesh_attr_endpoint_usable(&a));
	jo = mesh_attr_to_json(&a);
	CU_ASSERT_FATAL(json_object_object_get_ex(jo, "signature", &ju));
	CU_ASSERT_STRING_EQUAL(json_object_get_string(ju), "bad");
	CU_ASSERT_FATAL(json_object_object_get_ex(jo, "endpoint", &je));
	CU_ASSERT_FATAL(json_object_object_get_ex(je, "usable", &ju));
	CU_ASSERT_FALSE(json_object_get_boolean(ju));
	json_object_put(jo);

	/* Re-signed by someone who is not the mesh CA: BAD. */
	CU_ASSERT_EQUAL(mesh_attr_sign(&a, t, other, 1), 0);
	CU_ASSERT_EQUAL(mesh_attr_verify_decoded(&a, t, pub),
			MESH_ATTR_SIG_BAD);

	/* Key ID changed: BAD (it is part of the signed data). */
	memcpy(t, buf, len);
	t[len - 68 + 3] = 2;
	CU_ASSERT_EQUAL(mesh_attr_verify(t, len, pub), MESH_ATTR_SIG_BAD);

	/* Signature missing: UNSIGNED, endpoint not usable. */
	CU_ASSERT_EQUAL_FATAL(mesh_attr_decode(buf, len - 72, &a, NULL, 0),
			      MESH_ATTR_OK);
	CU_ASSERT_EQUAL(mesh_attr_verify_decoded(&a, buf, pub),
			MESH_ATTR_SIG_UNSIGNED);
	CU_ASSERT_FALSE(mesh_attr_endpoint_usable(&a));

	EVP_PKEY_free(other);
	EVP_PKEY_free(pub);
}

static void test_signature_keys(void)
{
	uint8_t buf[512];
	size_t len = hex2bin(EX2, buf, sizeof(buf));
	EVP_PKEY *x25519, *pub;
	struct mesh_attr a;

	/* Raw keys must be 32 octets. */
	CU_ASSERT_PTR_NULL(mesh_attr_key_public_from_raw(ca_public, 31));
	CU_ASSERT_PTR_NULL(mesh_attr_key_public_from_raw(ca_public, 33));
	CU_ASSERT_PTR_NULL(mesh_attr_key_private_from_raw(ca_secret, 0));
	CU_ASSERT_PTR_NULL(mesh_attr_key_public_from_raw(NULL, 32));

	/* Ed25519 only: an X25519 key neither signs nor verifies. */
	x25519 = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, ca_secret,
					      32);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x25519);
	CU_ASSERT_EQUAL_FATAL(mesh_attr_decode(buf, len, &a, NULL, 0),
			      MESH_ATTR_OK);
	CU_ASSERT_EQUAL(mesh_attr_verify(buf, len, x25519), MESH_ATTR_SIG_BAD);
	CU_ASSERT_EQUAL(mesh_attr_sign(&a, buf, x25519, 1), -1);
	CU_ASSERT_EQUAL(mesh_attr_verify(buf, len, NULL), MESH_ATTR_SIG_BAD);
	CU_ASSERT_EQUAL(mesh_attr_sign(&a, buf, NULL, 1), -1);
	/* A public key cannot sign. */
	pub = ca_pub();
	CU_ASSERT_EQUAL(mesh_attr_sign(&a, buf, pub, 1), -1);
	EVP_PKEY_free(pub);
	EVP_PKEY_free(x25519);
}

/* Signing through the API then decoding verifies, whatever the unknown
 * TLVs carried along. */
static void test_sign_with_unknown(void)
{
	uint8_t buf[256], out[512];
	size_t len = hex2bin(EX5, buf, sizeof(buf)), olen;
	EVP_PKEY *priv = mesh_attr_key_private_from_raw(ca_secret, 32);
	EVP_PKEY *pub = ca_pub();
	struct mesh_attr a;

	CU_ASSERT_EQUAL_FATAL(mesh_attr_decode(buf, len, &a, NULL, 0),
			      MESH_ATTR_OK);
	CU_ASSERT_EQUAL_FATAL(mesh_attr_sign(&a, buf, priv, 7), 0);
	CU_ASSERT_EQUAL_FATAL(
		mesh_attr_encode(&a, buf, out, sizeof(out), &olen), 0);
	CU_ASSERT_EQUAL(olen, len + 72);
	CU_ASSERT_EQUAL(mesh_attr_verify(out, olen, pub), MESH_ATTR_SIG_VALID);
	/* Change the immutable unknown's value: BAD. */
	out[14] = 'x';
	CU_ASSERT_EQUAL(mesh_attr_verify(out, olen, pub), MESH_ATTR_SIG_BAD);
	EVP_PKEY_free(priv);
	EVP_PKEY_free(pub);
}

/* ------------------------------------------------------------------ */
/* Show output.                                                       */

static void test_format_small_buffers(void)
{
	uint8_t buf[512];
	size_t len = hex2bin(EX2, buf, sizeof(buf)), sz;
	struct mesh_attr a;
	char text[512];

	CU_ASSERT_EQUAL_FATAL(mesh_attr_decode(buf, len, &a, NULL, 0),
			      MESH_ATTR_OK);
	for (sz = 1; sz < sizeof(text); sz++) {
		memset(text, 'Z', sizeof(text));
		mesh_attr_format(&a, text, sz);
		CU_ASSERT(strlen(text) < sz);
		CU_ASSERT_EQUAL(text[sz], 'Z'); /* nothing written beyond */
	}
	CU_ASSERT_PTR_NULL(mesh_attr_format(&a, NULL, 10));
	CU_ASSERT_STRING_EQUAL(mesh_attr_result_str(MESH_ATTR_UNSUPPORTED),
			       "unsupported-version");
	CU_ASSERT_STRING_EQUAL(mesh_attr_sig_status_str(MESH_ATTR_SIG_BAD),
			       "bad");
}

/* ------------------------------------------------------------------ */

static int write_corpus(const char *dir)
{
	size_t i, len;
	uint8_t buf[MESH_ATTR_MAX_LEN];
	char path[1024];
	FILE *f;

	/* The accepted vectors: the fuzzer mutates them into the rest. */
	for (i = 0; i < N_ACCEPT; i++) {
		const char *name = accept_vecs[i].name;

		len = hex2bin(accept_vecs[i].hex, buf, sizeof(buf));
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		f = fopen(path, "wb");
		if (!f || fwrite(buf, 1, len, f) != len) {
			fprintf(stderr, "%s: %s\n", path, strerror(errno));
			if (f)
				fclose(f);
			return 1;
		}
		fclose(f);
	}
	return 0;
}

struct test_entry {
	const char *name;
	CU_TestFunc fn;
};

static const struct test_entry tests[] = {
	{"accepted vectors (spec examples and edge shapes)",
	 test_accepted_vectors},
	{"rejected vectors (treat-as-withdraw, unsupported)",
	 test_rejected_vectors},
	{"every truncation of accepted vectors", test_truncations},
	{"round trip of every TLV type", test_tlv_round_trips},
	{"encoder refuses inconsistent input", test_encode_refusals},
	{"repeated singleton: first kept", test_repeated_singletons},
	{"unknown TLVs kept byte for byte", test_unknown_kept_byte_for_byte},
	{"limits: links, tags, unknown TLVs, size", test_limits},
	{"saturating metric arithmetic", test_saturation},
	{"signature: spec examples", test_signature_examples},
	{"signature: tampering", test_signature_tampering},
	{"signature: key types and sizes", test_signature_keys},
	{"signature: with unknown TLVs", test_sign_with_unknown},
	{"format: small buffers", test_format_small_buffers},
};

int main(int argc, char **argv)
{
	CU_pSuite suite;
	unsigned int failed;
	size_t i;

	if (argc == 3 && strcmp(argv[1], "--write-corpus") == 0)
		return write_corpus(argv[2]);

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	suite = CU_add_suite("mesh_attr", NULL, NULL);
	if (!suite)
		goto fail;
	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (!CU_add_test(suite, tests[i].name, tests[i].fn))
			goto fail;
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return failed ? 1 : 0;
fail:
	CU_cleanup_registry();
	return 2;
}
