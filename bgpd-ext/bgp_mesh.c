// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bgpd mesh module (bgpd -M mesh): lets a stock FRR bgpd see and use the
 * mesh path attribute (doc/mesh-attribute.md).
 *
 * bgpd does not know the attribute: it stores it, with every other
 * unknown optional transitive attribute, as raw bytes in the path's
 * transit blob (struct transit) and passes it on with the Partial bit.
 * This module finds the attribute in that blob and decodes it with the
 * shared codec (bgpd-ext/mesh_attr.c) to provide:
 *
 *  - show bgp <ipv4|ipv6> unicast PREFIX mesh [json]
 *  - route-map match mesh latency <le|ge> N, match mesh bandwidth ge N,
 *    match mesh tenant N, match mesh malformed
 *  - route-map set mesh latency add N: adds to the Path Latency TLV and
 *    writes the re-encoded attribute into a new transit blob that bgpd
 *    interns with the rest of the path's attributes
 *  - per instance, under router bgp: bgp mesh attribute-type N (default
 *    255) and bgp mesh ca-key ID KEY (Ed25519 keys the show command
 *    verifies signatures with).
 *
 * Route-map match and set lines of FRR 8.4 normally go through the
 * northbound (frr-route-map YANG). A module cannot add YANG, so these
 * commands act on the running route-map entry directly (with the
 * library's route_map_add_match/_set, as its non-YANG users do) and the
 * module prints them in the entry's block of the running configuration
 * by wrapping the entry's cli_show_end callback, so show running-config,
 * write memory and vtysh keep them. Limitations that follow: the lines
 * are not in the northbound's YANG data (its JSON/XML configuration views
 * and northbound clients do not see them), and they need the entry to be
 * in the running configuration, which it is in the classic configuration
 * mode (the default, and the only one vtysh offers); elsewhere the
 * commands refuse with a message.
 *
 * Limits of a module: bgpd itself does not apply the specification's
 * treat-as-withdraw to a malformed attribute (it carries it as an unknown
 * transitive attribute); 'match mesh malformed' in a deny entry lets
 * policy do it. A change of 'bgp mesh attribute-type' applies to routes
 * as they are next evaluated ('clear bgp * soft' to re-evaluate now).
 *
 * Without -M mesh bgpd is untouched: nothing here is linked into bgpd.
 */

#include <zebra.h>

#include "command.h"
#include "hook.h"
#include "json.h"
#include "libfrr.h"
#include "lib/version.h"
#include "log.h"
#include "memory.h"
#include "northbound.h"
#include "prefix.h"
#include "routemap.h"
#include "vty.h"

#include "bgpd/bgpd.h"
#include "bgpd/bgp_attr.h"
#include "bgpd/bgp_memory.h"
#include "bgpd/bgp_route.h"
#include "bgpd/bgp_table.h"

#include "bgpd-ext/mesh_attr.h"
#include "bgpd-ext/mesh_buf.h"

DEFINE_MGROUP(BGP_MESH, "bgpd mesh module");
DEFINE_MTYPE_STATIC(BGP_MESH, BGP_MESH_INST, "BGP mesh instance settings");
DEFINE_MTYPE_STATIC(BGP_MESH, BGP_MESH_RULE, "BGP mesh route-map rule");

#define BGP_MESH_MAX_KEYS 8
#define BGP_MESH_RMAP_ENTRY_XPATH "/frr-route-map:lib/route-map/entry"

/* ------------------------------------------------------------------ */
/* Per-instance settings                                              */

struct bgp_mesh_key {
	uint32_t id;
	uint8_t raw[MESH_ATTR_PUBKEY_LEN];
	EVP_PKEY *pkey;
};

struct bgp_mesh_inst {
	struct bgp_mesh_inst *next;
	struct bgp *bgp;
	uint8_t code; /* BGP path attribute type code of the mesh attribute */
	uint16_t n_keys;
	struct bgp_mesh_key keys[BGP_MESH_MAX_KEYS];
};

static struct bgp_mesh_inst *bgp_mesh_insts;

static struct bgp_mesh_inst *bgp_mesh_inst_find(const struct bgp *bgp)
{
	struct bgp_mesh_inst *mi;

	for (mi = bgp_mesh_insts; mi; mi = mi->next)
		if (mi->bgp == bgp)
			return mi;
	return NULL;
}

static struct bgp_mesh_inst *bgp_mesh_inst_get(struct bgp *bgp)
{
	struct bgp_mesh_inst *mi = bgp_mesh_inst_find(bgp);

	if (mi)
		return mi;
	mi = XCALLOC(MTYPE_BGP_MESH_INST, sizeof(*mi));
	mi->bgp = bgp;
	mi->code = MESH_ATTR_BGP_TYPE_DEFAULT;
	mi->next = bgp_mesh_insts;
	bgp_mesh_insts = mi;
	return mi;
}

static void bgp_mesh_inst_free(struct bgp_mesh_inst *mi)
{
	uint16_t i;

	for (i = 0; i < mi->n_keys; i++)
		EVP_PKEY_free(mi->keys[i].pkey);
	XFREE(MTYPE_BGP_MESH_INST, mi);
}

/* Drop an instance's settings once they equal the defaults. */
static void bgp_mesh_inst_gc(struct bgp_mesh_inst *mi)
{
	struct bgp_mesh_inst **pp;

	if (mi->code != MESH_ATTR_BGP_TYPE_DEFAULT || mi->n_keys)
		return;
	for (pp = &bgp_mesh_insts; *pp; pp = &(*pp)->next)
		if (*pp == mi) {
			*pp = mi->next;
			bgp_mesh_inst_free(mi);
			return;
		}
}

static uint8_t bgp_mesh_code(const struct bgp *bgp)
{
	const struct bgp_mesh_inst *mi = bgp ? bgp_mesh_inst_find(bgp) : NULL;

	return mi ? mi->code : MESH_ATTR_BGP_TYPE_DEFAULT;
}

static int bgp_mesh_inst_delete(struct bgp *bgp)
{
	struct bgp_mesh_inst **pp, *mi;

	for (pp = &bgp_mesh_insts; *pp; pp = &(*pp)->next)
		if ((*pp)->bgp == bgp) {
			mi = *pp;
			*pp = mi->next;
			bgp_mesh_inst_free(mi);
			break;
		}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Finding and decoding the attribute in a path's transit blob        */

/* One path attribute inside a transit blob, as raw bytes. */
struct bgp_mesh_raw {
	const uint8_t *head; /* blob bytes before the attribute */
	size_t head_len;
	uint8_t flags; /* attribute flags octet as stored */
	uint8_t code;
	const uint8_t *val; /* attribute value */
	size_t len;
	const uint8_t *tail; /* blob bytes after the attribute */
	size_t tail_len;
};

/*
 * The transit blob is bgpd's concatenation of the unknown optional
 * transitive attributes of a path, each with its header (flags, type,
 * one- or two-octet length). The first attribute of type code wins
 * (RFC 7606 section 3 (g)).
 */
static bool bgp_mesh_transit_find(const struct transit *t, uint8_t code,
				  struct bgp_mesh_raw *raw)
{
	struct mesh_rbuf b, v;

	if (!t || !t->val || t->length <= 0)
		return false;
	mesh_rbuf_init(&b, t->val, (size_t)t->length);
	while (mesh_rbuf_left(&b) > 0) {
		size_t start = mesh_rbuf_pos(&b);
		uint8_t flags = 0, type = 0, len8 = 0;
		uint16_t len = 0;

		if (!mesh_rbuf_u8(&b, &flags) || !mesh_rbuf_u8(&b, &type))
			return false;
		if (CHECK_FLAG(flags, BGP_ATTR_FLAG_EXTLEN)) {
			if (!mesh_rbuf_u16(&b, &len))
				return false;
		} else {
			if (!mesh_rbuf_u8(&b, &len8))
				return false;
			len = len8;
		}
		if (!mesh_rbuf_sub(&b, len, &v))
			return false;
		if (type != code)
			continue;
		raw->head = t->val;
		raw->head_len = start;
		raw->flags = flags;
		raw->code = type;
		raw->val = mesh_rbuf_cur(&v);
		raw->len = mesh_rbuf_left(&v);
		raw->tail = mesh_rbuf_cur(&b);
		raw->tail_len = mesh_rbuf_left(&b);
		return true;
	}
	return false;
}

enum bgp_mesh_state {
	BGP_MESH_ABSENT = 0,
	BGP_MESH_OK,
	BGP_MESH_MALFORMED,
	BGP_MESH_UNSUPPORTED,
};

static const char *bgp_mesh_state_str(enum bgp_mesh_state s)
{
	switch (s) {
	case BGP_MESH_ABSENT:
		return "absent";
	case BGP_MESH_OK:
		return "ok";
	case BGP_MESH_MALFORMED:
		return "malformed";
	case BGP_MESH_UNSUPPORTED:
		return "unsupported-version";
	}
	return "?";
}

/* A path's mesh attribute: where it is and what it says. */
struct bgp_mesh_view {
	enum bgp_mesh_state state;
	struct bgp_mesh_raw raw;
	struct mesh_attr attr;
	char err[160];
};

static enum bgp_mesh_state bgp_mesh_view_get(const struct attr *attr,
					     uint8_t code,
					     struct bgp_mesh_view *v)
{
	enum mesh_attr_result r;

	memset(&v->raw, 0, sizeof(v->raw));
	v->err[0] = '\0';
	v->state = BGP_MESH_ABSENT;
	if (!attr ||
	    !bgp_mesh_transit_find(bgp_attr_get_transit(attr), code, &v->raw))
		return v->state;
	r = mesh_attr_decode(v->raw.val, v->raw.len, &v->attr, v->err,
			     sizeof(v->err));
	switch (r) {
	case MESH_ATTR_OK:
		v->state = BGP_MESH_OK;
		break;
	case MESH_ATTR_MALFORMED:
		v->state = BGP_MESH_MALFORMED;
		break;
	case MESH_ATTR_UNSUPPORTED:
		v->state = BGP_MESH_UNSUPPORTED;
		break;
	}
	return v->state;
}

static uint8_t bgp_mesh_path_code(const struct bgp_path_info *pi)
{
	return bgp_mesh_code(pi->peer ? pi->peer->bgp : NULL);
}

/*
 * Replace the attribute described by raw in attr's transit blob with a
 * new value. The blob the path carries is interned and shared, so a new
 * one is built; bgpd interns it with the rest of the attributes (or
 * frees it with bgp_attr_flush() if the route is denied). A blob with no
 * references was built by an earlier set in this same route-map run and
 * belongs to this attr alone: it is freed here.
 */
static void bgp_mesh_transit_replace(struct attr *attr,
				     const struct bgp_mesh_raw *raw,
				     const uint8_t *val, size_t len)
{
	struct transit *old = bgp_attr_get_transit(attr);
	struct transit *new;
	uint8_t flags = raw->flags;
	size_t hdr = 3, total;
	struct mesh_wbuf w;

	if (len > 255 || CHECK_FLAG(flags, BGP_ATTR_FLAG_EXTLEN)) {
		SET_FLAG(flags, BGP_ATTR_FLAG_EXTLEN);
		hdr = 4;
	}
	total = raw->head_len + hdr + len + raw->tail_len;

	new = XCALLOC(MTYPE_TRANSIT, sizeof(*new));
	new->val = XMALLOC(MTYPE_TRANSIT_VAL, total);
	new->length = (int)total;
	mesh_wbuf_init(&w, new->val, total);
	mesh_wbuf_bytes(&w, raw->head, raw->head_len);
	mesh_wbuf_u8(&w, flags);
	mesh_wbuf_u8(&w, raw->code);
	if (hdr == 4)
		mesh_wbuf_u16(&w, (uint16_t)len);
	else
		mesh_wbuf_u8(&w, (uint8_t)len);
	mesh_wbuf_bytes(&w, val, len);
	mesh_wbuf_bytes(&w, raw->tail, raw->tail_len);
	assert(!w.err && w.len == total);

	if (old && old->refcnt == 0) {
		XFREE(MTYPE_TRANSIT_VAL, old->val);
		XFREE(MTYPE_TRANSIT, old);
	}
	bgp_attr_set_transit(attr, new);
}

/* ------------------------------------------------------------------ */
/* Route-map rules                                                    */

static void *route_mesh_u32_compile(const char *arg)
{
	unsigned long long v;
	uint32_t *p;
	char *end;

	if (!arg || !*arg)
		return NULL;
	errno = 0;
	v = strtoull(arg, &end, 10);
	if (errno || *end || v > UINT32_MAX || arg[0] == '-')
		return NULL;
	p = XMALLOC(MTYPE_BGP_MESH_RULE, sizeof(*p));
	*p = (uint32_t)v;
	return p;
}

static void *route_mesh_u64_compile(const char *arg)
{
	unsigned long long v;
	uint64_t *p;
	char *end;

	if (!arg || !*arg || arg[0] == '-')
		return NULL;
	errno = 0;
	v = strtoull(arg, &end, 10);
	if (errno || *end)
		return NULL;
	p = XMALLOC(MTYPE_BGP_MESH_RULE, sizeof(*p));
	*p = v;
	return p;
}

static void route_mesh_rule_free(void *rule)
{
	XFREE(MTYPE_BGP_MESH_RULE, rule);
}

/* A match on a path whose attribute decodes; false otherwise. */
static bool route_mesh_decoded(void *object, struct bgp_mesh_view *v)
{
	const struct bgp_path_info *pi = object;

	return bgp_mesh_view_get(pi->attr, bgp_mesh_path_code(pi), v) ==
	       BGP_MESH_OK;
}

static enum route_map_cmd_result_t
route_match_mesh_latency_le(void *rule, const struct prefix *prefix,
			    void *object)
{
	struct bgp_mesh_view v;

	if (!route_mesh_decoded(object, &v))
		return RMAP_NOMATCH;
	return mesh_attr_latency_get(&v.attr) <= *(uint32_t *)rule
		       ? RMAP_MATCH
		       : RMAP_NOMATCH;
}

static enum route_map_cmd_result_t
route_match_mesh_latency_ge(void *rule, const struct prefix *prefix,
			    void *object)
{
	struct bgp_mesh_view v;

	if (!route_mesh_decoded(object, &v))
		return RMAP_NOMATCH;
	return mesh_attr_latency_get(&v.attr) >= *(uint32_t *)rule
		       ? RMAP_MATCH
		       : RMAP_NOMATCH;
}

static enum route_map_cmd_result_t
route_match_mesh_bandwidth_ge(void *rule, const struct prefix *prefix,
			      void *object)
{
	struct bgp_mesh_view v;

	if (!route_mesh_decoded(object, &v))
		return RMAP_NOMATCH;
	return (double)mesh_attr_bandwidth_get(&v.attr) >=
			       (double)*(uint64_t *)rule
		       ? RMAP_MATCH
		       : RMAP_NOMATCH;
}

static enum route_map_cmd_result_t
route_match_mesh_tenant(void *rule, const struct prefix *prefix, void *object)
{
	struct bgp_mesh_view v;

	if (!route_mesh_decoded(object, &v))
		return RMAP_NOMATCH;
	if (!(v.attr.present & MESH_ATTR_HAS_TENANT))
		return RMAP_NOMATCH;
	return v.attr.tenant == *(uint32_t *)rule ? RMAP_MATCH : RMAP_NOMATCH;
}

/* The spec wants treat-as-withdraw for a malformed attribute; bgpd
 * cannot be made to do that from a module, so policy can: a deny entry
 * with this match drops such routes. */
static enum route_map_cmd_result_t
route_match_mesh_malformed(void *rule, const struct prefix *prefix,
			   void *object)
{
	const struct bgp_path_info *pi = object;
	struct bgp_mesh_view v;

	return bgp_mesh_view_get(pi->attr, bgp_mesh_path_code(pi), &v) ==
			       BGP_MESH_MALFORMED
		       ? RMAP_MATCH
		       : RMAP_NOMATCH;
}

static enum route_map_cmd_result_t
route_set_mesh_latency_add(void *rule, const struct prefix *prefix,
			   void *object)
{
	struct bgp_path_info *pi = object;
	uint8_t code = bgp_mesh_path_code(pi);
	uint8_t enc[MESH_ATTR_MAX_LEN];
	struct bgp_mesh_view v;
	size_t elen = 0;

	/* Only a decodable attribute is changed; anything else (absent,
	 * malformed, unknown version) is passed on as received. */
	if (bgp_mesh_view_get(pi->attr, code, &v) != BGP_MESH_OK)
		return RMAP_OKAY;
	mesh_attr_latency_add(&v.attr, *(uint32_t *)rule);
	if (mesh_attr_encode(&v.attr, v.raw.val, enc, sizeof(enc), &elen)) {
		zlog_debug("bgp mesh: %pFX: attribute with latency added does "
			   "not fit %u octets, left unchanged",
			   prefix, MESH_ATTR_MAX_LEN);
		return RMAP_OKAY;
	}
	bgp_mesh_transit_replace(pi->attr, &v.raw, enc, elen);
	return RMAP_OKAY;
}

static const struct route_map_rule_cmd route_match_mesh_latency_le_cmd = {
	"mesh latency le", route_match_mesh_latency_le, route_mesh_u32_compile,
	route_mesh_rule_free};
static const struct route_map_rule_cmd route_match_mesh_latency_ge_cmd = {
	"mesh latency ge", route_match_mesh_latency_ge, route_mesh_u32_compile,
	route_mesh_rule_free};
static const struct route_map_rule_cmd route_match_mesh_bandwidth_ge_cmd = {
	"mesh bandwidth ge", route_match_mesh_bandwidth_ge,
	route_mesh_u64_compile, route_mesh_rule_free};
static const struct route_map_rule_cmd route_match_mesh_tenant_cmd = {
	"mesh tenant", route_match_mesh_tenant, route_mesh_u32_compile,
	route_mesh_rule_free};
static const struct route_map_rule_cmd route_match_mesh_malformed_cmd = {
	"mesh malformed", route_match_mesh_malformed, NULL, NULL};
static const struct route_map_rule_cmd route_set_mesh_latency_add_cmd = {
	"mesh latency add", route_set_mesh_latency_add, route_mesh_u32_compile,
	route_mesh_rule_free};

static const struct route_map_rule_cmd *const bgp_mesh_match_cmds[] = {
	&route_match_mesh_latency_le_cmd,   &route_match_mesh_latency_ge_cmd,
	&route_match_mesh_bandwidth_ge_cmd, &route_match_mesh_tenant_cmd,
	&route_match_mesh_malformed_cmd,
};

/* ------------------------------------------------------------------ */
/* Route-map lines in the running configuration                       */

static void (*bgp_mesh_entry_show_end_orig)(struct vty *vty,
					    const struct lyd_node *dnode);

static bool bgp_mesh_match_cmd_is_ours(const struct route_map_rule_cmd *cmd)
{
	size_t i;

	for (i = 0; i < array_size(bgp_mesh_match_cmds); i++)
		if (cmd == bgp_mesh_match_cmds[i])
			return true;
	return false;
}

static void bgp_mesh_rule_line(struct vty *vty, const char *verb,
			       const struct route_map_rule *rule)
{
	if (rule->rule_str)
		vty_out(vty, " %s %s %s\n", verb, rule->cmd->str,
			rule->rule_str);
	else
		vty_out(vty, " %s %s\n", verb, rule->cmd->str);
}

/*
 * cli_show_end of a route-map entry: our match and set lines, which the
 * northbound does not know, then the library's own end of the block.
 */
static void bgp_mesh_entry_show_end(struct vty *vty,
				    const struct lyd_node *dnode)
{
	struct route_map_index *index;
	struct route_map_rule *rule;

	index = nb_running_get_entry_non_rec(dnode, NULL, false);
	if (index) {
		for (rule = index->match_list.head; rule; rule = rule->next)
			if (bgp_mesh_match_cmd_is_ours(rule->cmd))
				bgp_mesh_rule_line(vty, "match", rule);
		for (rule = index->set_list.head; rule; rule = rule->next)
			if (rule->cmd == &route_set_mesh_latency_add_cmd)
				bgp_mesh_rule_line(vty, "set", rule);
	}
	if (bgp_mesh_entry_show_end_orig)
		bgp_mesh_entry_show_end_orig(vty, dnode);
}

static void bgp_mesh_rmap_show_init(void)
{
	struct nb_node *nb = nb_node_find(BGP_MESH_RMAP_ENTRY_XPATH);

	if (!nb) {
		zlog_warn(
			"bgp mesh: %s not in the northbound, mesh route-map "
			"lines will be missing from the running configuration",
			BGP_MESH_RMAP_ENTRY_XPATH);
		return;
	}
	bgp_mesh_entry_show_end_orig = nb->cbs.cli_show_end;
	nb->cbs.cli_show_end = bgp_mesh_entry_show_end;
}

/* ------------------------------------------------------------------ */
/* Commands                                                           */

/* vtysh extracts commands without clippy output: skip it there. */
#ifndef VTYSH_EXTRACT_PL
#include "bgpd-ext/bgp_mesh_clippy.c"
#endif

#define MESH_STR "Mesh path attribute (meshd)\n"
#define MESH_LATENCY_STR "Accumulated path latency (Path Latency TLV)\n"

/* The running route-map entry the vty is in (classic configuration
 * mode: the entry was committed when the vty entered it). */
static struct route_map_index *bgp_mesh_rmap_index(struct vty *vty)
{
	struct route_map_index *index = NULL;

	if (vty->xpath_index > 0)
		index = nb_running_get_entry_non_rec(NULL, VTY_CURR_XPATH,
						     false);
	if (!index)
		vty_out(vty, "%% route-map entry not in the running "
			     "configuration (mesh route-map commands need the "
			     "classic configuration mode)\n");
	return index;
}

static int bgp_mesh_rmap_result(struct vty *vty, int ret, const char *errmsg)
{
	if (ret != CMD_SUCCESS && errmsg[0])
		vty_out(vty, "%s\n", errmsg);
	return ret;
}

static int bgp_mesh_match(struct vty *vty, bool no, const char *rule,
			  const char *arg)
{
	struct route_map_index *index = bgp_mesh_rmap_index(vty);
	char errmsg[256] = "";
	int ret;

	if (!index)
		return CMD_WARNING_CONFIG_FAILED;
	if (no)
		ret = generic_match_delete(index, rule, arg,
					   RMAP_EVENT_MATCH_DELETED, errmsg,
					   sizeof(errmsg));
	else
		ret = generic_match_add(index, rule, arg,
					RMAP_EVENT_MATCH_ADDED, errmsg,
					sizeof(errmsg));
	return bgp_mesh_rmap_result(vty, ret, errmsg);
}

DEFPY(match_mesh_latency, match_mesh_latency_cmd,
      "[no] match mesh latency <le$le|ge$ge> (0-4294967295)$us",
      NO_STR MATCH_STR MESH_STR MESH_LATENCY_STR
      "Match if the latency is lower than or equal to\n"
      "Match if the latency is greater than or equal to\n"
      "Latency in microseconds\n")
{
	return bgp_mesh_match(
		vty, !!no, le ? "mesh latency le" : "mesh latency ge", us_str);
}

DEFPY(no_match_mesh_latency, no_match_mesh_latency_cmd,
      "no match mesh latency <le$le|ge$ge>",
      NO_STR MATCH_STR MESH_STR MESH_LATENCY_STR "Lower than or equal to\n"
						 "Greater than or equal to\n")
{
	return bgp_mesh_match(vty, true,
			      le ? "mesh latency le" : "mesh latency ge", NULL);
}

DEFPY(match_mesh_bandwidth, match_mesh_bandwidth_cmd,
      "[no] match mesh bandwidth ge (0-1000000000000)$bw",
      NO_STR MATCH_STR MESH_STR
      "Highest available bandwidth of the node's links that are up\n"
      "Match if greater than or equal to\n"
      "Bandwidth in bytes per second (RFC 8571 units)\n")
{
	return bgp_mesh_match(vty, !!no, "mesh bandwidth ge", bw_str);
}

DEFPY(no_match_mesh_bandwidth, no_match_mesh_bandwidth_cmd,
      "no match mesh bandwidth [ge]",
      NO_STR MATCH_STR MESH_STR
      "Highest available bandwidth of the node's links that are up\n"
      "Greater than or equal to\n")
{
	return bgp_mesh_match(vty, true, "mesh bandwidth ge", NULL);
}

DEFPY(match_mesh_tenant, match_mesh_tenant_cmd,
      "[no] match mesh tenant (0-4294967295)$tenant",
      NO_STR MATCH_STR MESH_STR "Tenant ID TLV\n"
				"Tenant ID\n")
{
	return bgp_mesh_match(vty, !!no, "mesh tenant", tenant_str);
}

DEFPY(no_match_mesh_tenant, no_match_mesh_tenant_cmd, "no match mesh tenant",
      NO_STR MATCH_STR MESH_STR "Tenant ID TLV\n")
{
	return bgp_mesh_match(vty, true, "mesh tenant", NULL);
}

DEFPY(match_mesh_malformed, match_mesh_malformed_cmd,
      "[no] match mesh malformed",
      NO_STR MATCH_STR MESH_STR
      "Mesh attribute present but malformed (treat-as-withdraw by policy)\n")
{
	return bgp_mesh_match(vty, !!no, "mesh malformed", NULL);
}

DEFPY(set_mesh_latency_add, set_mesh_latency_add_cmd,
      "[no] set mesh latency add (0-4294967295)$us",
      NO_STR SET_STR MESH_STR MESH_LATENCY_STR
      "Add to the accumulated latency (saturating)\n"
      "Latency in microseconds\n")
{
	struct route_map_index *index = bgp_mesh_rmap_index(vty);
	char errmsg[256] = "";
	int ret;

	if (!index)
		return CMD_WARNING_CONFIG_FAILED;
	if (no)
		ret = generic_set_delete(index, "mesh latency add", us_str,
					 errmsg, sizeof(errmsg));
	else
		ret = generic_set_add(index, "mesh latency add", us_str, errmsg,
				      sizeof(errmsg));
	return bgp_mesh_rmap_result(vty, ret, errmsg);
}

DEFPY(no_set_mesh_latency_add, no_set_mesh_latency_add_cmd,
      "no set mesh latency [add]",
      NO_STR SET_STR MESH_STR MESH_LATENCY_STR
      "Add to the accumulated latency\n")
{
	struct route_map_index *index = bgp_mesh_rmap_index(vty);
	char errmsg[256] = "";

	if (!index)
		return CMD_WARNING_CONFIG_FAILED;
	return bgp_mesh_rmap_result(vty,
				    generic_set_delete(index,
						       "mesh latency add", NULL,
						       errmsg, sizeof(errmsg)),
				    errmsg);
}

/* RFC 8093 deprecated these codes for squatting; the spec forbids them. */
static bool bgp_mesh_code_forbidden(long code)
{
	return code == 129 || (code >= 241 && code <= 243);
}

DEFPY(bgp_mesh_attribute_type, bgp_mesh_attribute_type_cmd,
      "[no] bgp mesh attribute-type (42-255)$code",
      NO_STR BGP_STR MESH_STR
      "BGP path attribute type code of the mesh attribute\n"
      "Type code (default 255)\n")
{
	VTY_DECLVAR_CONTEXT(bgp, bgp);
	struct bgp_mesh_inst *mi;

	if (no) {
		mi = bgp_mesh_inst_find(bgp);
		if (mi) {
			mi->code = MESH_ATTR_BGP_TYPE_DEFAULT;
			bgp_mesh_inst_gc(mi);
		}
		return CMD_SUCCESS;
	}
	if (bgp_mesh_code_forbidden(code)) {
		vty_out(vty,
			"%% attribute type %ld is deprecated by RFC 8093 and "
			"must not be used\n",
			code);
		return CMD_WARNING_CONFIG_FAILED;
	}
	mi = bgp_mesh_inst_get(bgp);
	mi->code = (uint8_t)code;
	bgp_mesh_inst_gc(mi);
	return CMD_SUCCESS;
}

DEFPY(no_bgp_mesh_attribute_type, no_bgp_mesh_attribute_type_cmd,
      "no bgp mesh attribute-type",
      NO_STR BGP_STR MESH_STR
      "BGP path attribute type code of the mesh attribute\n")
{
	VTY_DECLVAR_CONTEXT(bgp, bgp);
	struct bgp_mesh_inst *mi = bgp_mesh_inst_find(bgp);

	if (mi) {
		mi->code = MESH_ATTR_BGP_TYPE_DEFAULT;
		bgp_mesh_inst_gc(mi);
	}
	return CMD_SUCCESS;
}

static int bgp_mesh_hex_decode(const char *hex, uint8_t *out, size_t len)
{
	size_t i;

	if (strlen(hex) != 2 * len)
		return -1;
	for (i = 0; i < len; i++) {
		unsigned int b;

		if (!isxdigit((unsigned char)hex[2 * i]) ||
		    !isxdigit((unsigned char)hex[2 * i + 1]) ||
		    sscanf(hex + 2 * i, "%2x", &b) != 1)
			return -1;
		out[i] = (uint8_t)b;
	}
	return 0;
}

static void bgp_mesh_hex_out(char *out, const uint8_t *in, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0x0f];
	}
	out[2 * len] = '\0';
}

DEFPY(bgp_mesh_ca_key, bgp_mesh_ca_key_cmd,
      "[no] bgp mesh ca-key (0-4294967295)$key_id [WORD$hex]",
      NO_STR BGP_STR MESH_STR "Mesh CA public key that signs node attributes\n"
			      "Key ID\n"
			      "Ed25519 public key, 64 hexadecimal digits\n")
{
	VTY_DECLVAR_CONTEXT(bgp, bgp);
	struct bgp_mesh_inst *mi = bgp_mesh_inst_find(bgp);
	uint8_t raw[MESH_ATTR_PUBKEY_LEN];
	struct bgp_mesh_key *k = NULL;
	EVP_PKEY *pkey;
	uint16_t i;

	for (i = 0; mi && i < mi->n_keys; i++)
		if (mi->keys[i].id == (uint32_t)key_id)
			k = &mi->keys[i];
	if (no) {
		if (!k)
			return CMD_SUCCESS;
		EVP_PKEY_free(k->pkey);
		*k = mi->keys[--mi->n_keys];
		bgp_mesh_inst_gc(mi);
		return CMD_SUCCESS;
	}
	if (!hex) {
		vty_out(vty, "%% the key is missing\n");
		return CMD_WARNING_CONFIG_FAILED;
	}
	if (bgp_mesh_hex_decode(hex, raw, sizeof(raw))) {
		vty_out(vty, "%% an Ed25519 public key is 32 octets: 64 "
			     "hexadecimal digits\n");
		return CMD_WARNING_CONFIG_FAILED;
	}
	pkey = mesh_attr_key_public_from_raw(raw, sizeof(raw));
	if (!pkey) {
		vty_out(vty, "%% not a valid Ed25519 public key\n");
		return CMD_WARNING_CONFIG_FAILED;
	}
	mi = bgp_mesh_inst_get(bgp);
	if (!k) {
		if (mi->n_keys >= BGP_MESH_MAX_KEYS) {
			EVP_PKEY_free(pkey);
			vty_out(vty, "%% at most %u CA keys\n",
				BGP_MESH_MAX_KEYS);
			return CMD_WARNING_CONFIG_FAILED;
		}
		k = &mi->keys[mi->n_keys++];
	} else {
		EVP_PKEY_free(k->pkey);
	}
	k->id = (uint32_t)key_id;
	memcpy(k->raw, raw, sizeof(raw));
	k->pkey = pkey;
	return CMD_SUCCESS;
}

static int bgp_mesh_config_write(struct bgp *bgp, struct vty *vty)
{
	const struct bgp_mesh_inst *mi = bgp_mesh_inst_find(bgp);
	char hex[2 * MESH_ATTR_PUBKEY_LEN + 1];
	uint16_t i;

	if (!mi)
		return 0;
	if (mi->code != MESH_ATTR_BGP_TYPE_DEFAULT)
		vty_out(vty, " bgp mesh attribute-type %u\n", mi->code);
	for (i = 0; i < mi->n_keys; i++) {
		bgp_mesh_hex_out(hex, mi->keys[i].raw, MESH_ATTR_PUBKEY_LEN);
		vty_out(vty, " bgp mesh ca-key %u %s\n", mi->keys[i].id, hex);
	}
	return 0;
}

/* Signature status as the spec defines it: unknown key ID is bad. */
static void bgp_mesh_verify(const struct bgp_mesh_inst *mi,
			    struct bgp_mesh_view *v)
{
	uint16_t i;

	if (!mi || !mi->n_keys || !(v->attr.present & MESH_ATTR_HAS_SIGNATURE))
		return;
	for (i = 0; i < mi->n_keys; i++)
		if (mi->keys[i].id == v->attr.sig_key_id) {
			mesh_attr_verify_decoded(&v->attr, v->raw.val,
						 mi->keys[i].pkey);
			return;
		}
	v->attr.sig_status = MESH_ATTR_SIG_BAD;
}

static const char *bgp_mesh_path_peer(const struct bgp *bgp,
				      const struct bgp_path_info *pi)
{
	if (!pi->peer || pi->peer == bgp->peer_self)
		return "local";
	return pi->peer->host;
}

static void bgp_mesh_show_path(struct vty *vty, struct bgp *bgp,
			       const struct bgp_mesh_inst *mi,
			       struct bgp_path_info *pi, json_object *jpaths)
{
	struct bgp_mesh_view *v;
	char *hex = NULL;
	bool best = CHECK_FLAG(pi->flags, BGP_PATH_SELECTED);
	bool valid = CHECK_FLAG(pi->flags, BGP_PATH_VALID);

	v = XCALLOC(MTYPE_TMP, sizeof(*v));
	bgp_mesh_view_get(pi->attr, mi ? mi->code : MESH_ATTR_BGP_TYPE_DEFAULT,
			  v);
	if (v->state == BGP_MESH_OK)
		bgp_mesh_verify(mi, v);
	if (v->state != BGP_MESH_ABSENT) {
		hex = XMALLOC(MTYPE_TMP, 2 * v->raw.len + 1);
		bgp_mesh_hex_out(hex, v->raw.val, v->raw.len);
	}

	if (jpaths) {
		json_object *jp = json_object_new_object();

		json_object_string_add(jp, "peer", bgp_mesh_path_peer(bgp, pi));
		json_object_boolean_add(jp, "bestpath", best);
		json_object_boolean_add(jp, "valid", valid);
		json_object_string_add(jp, "meshStatus",
				       bgp_mesh_state_str(v->state));
		if (v->state != BGP_MESH_ABSENT) {
			json_object_int_add(jp, "attrFlags", v->raw.flags);
			json_object_boolean_add(
				jp, "partial",
				CHECK_FLAG(v->raw.flags,
					   BGP_ATTR_FLAG_PARTIAL));
			json_object_int_add(jp, "length", v->raw.len);
			json_object_string_add(jp, "hex", hex);
		}
		if (v->err[0])
			json_object_string_add(jp, "error", v->err);
		if (v->state == BGP_MESH_OK)
			json_object_object_add(jp, "mesh",
					       mesh_attr_to_json(&v->attr));
		json_object_array_add(jpaths, jp);
	} else {
		vty_out(vty,
			"  Path from %s%s%s: ", bgp_mesh_path_peer(bgp, pi),
			best ? ", best" : "", valid ? ", valid" : "");
		switch (v->state) {
		case BGP_MESH_ABSENT:
			vty_out(vty, "no mesh attribute\n");
			break;
		case BGP_MESH_OK: {
			/* 64 links of about 120 characters at most */
			size_t size = 16384;
			char *buf = XMALLOC(MTYPE_TMP, size);

			char *line, *save = NULL;

			vty_out(vty, "%zu octets, flags 0x%02x%s\n", v->raw.len,
				v->raw.flags,
				CHECK_FLAG(v->raw.flags, BGP_ATTR_FLAG_PARTIAL)
					? " (partial)"
					: "");
			mesh_attr_format(&v->attr, buf, size);
			for (line = strtok_r(buf, "\n", &save); line;
			     line = strtok_r(NULL, "\n", &save))
				vty_out(vty, "    %s\n", line);
			XFREE(MTYPE_TMP, buf);
			break;
		}
		case BGP_MESH_MALFORMED:
			vty_out(vty,
				"%zu octets, malformed: %s (the spec says "
				"treat-as-withdraw; bgpd keeps the route, "
				"'match mesh malformed' can deny it)\n",
				v->raw.len, v->err);
			break;
		case BGP_MESH_UNSUPPORTED:
			vty_out(vty,
				"%zu octets, %s: not interpreted, passed on "
				"unchanged\n",
				v->raw.len, v->err);
			break;
		}
		if (hex)
			vty_out(vty, "    hex %s\n", hex);
	}
	XFREE(MTYPE_TMP, hex);
	XFREE(MTYPE_TMP, v);
}

DEFPY(show_bgp_mesh, show_bgp_mesh_cmd,
      "show bgp <ipv4$v4|ipv6$v6> unicast "
      "<A.B.C.D/M|A.B.C.D|X:X::X:X/M|X:X::X:X>$addr mesh [json$uj]",
      SHOW_STR BGP_STR "Address Family\n"
		       "Address Family\n"
		       "Address Family modifier\n"
		       "IPv4 prefix\n"
		       "IPv4 address (longest match)\n"
		       "IPv6 prefix\n"
		       "IPv6 address (longest match)\n" MESH_STR JSON_STR)
{
	afi_t afi = v4 ? AFI_IP : AFI_IP6;
	struct bgp *bgp = bgp_get_default();
	const struct bgp_mesh_inst *mi;
	struct bgp_path_info *pi;
	struct bgp_dest *dest;
	json_object *json = NULL, *jpaths = NULL;
	struct prefix p;
	bool exact = strchr(addr, '/') != NULL;

	if (!str2prefix(addr, &p) || (afi == AFI_IP) != (p.family == AF_INET)) {
		vty_out(vty, "%% %s is not an %s prefix or address\n", addr,
			afi2str(afi));
		return CMD_WARNING;
	}
	apply_mask(&p);
	if (!bgp) {
		if (uj)
			vty_out(vty, "{}\n");
		else
			vty_out(vty, "%% No BGP instance\n");
		return CMD_WARNING;
	}
	mi = bgp_mesh_inst_find(bgp);
	dest = exact ? bgp_node_lookup(bgp->rib[afi][SAFI_UNICAST], &p)
		     : bgp_node_match(bgp->rib[afi][SAFI_UNICAST], &p);
	if (dest && !bgp_dest_has_bgp_path_info_data(dest)) {
		bgp_dest_unlock_node(dest);
		dest = NULL;
	}
	if (!dest) {
		if (uj)
			vty_out(vty, "{}\n");
		else
			vty_out(vty, "%% Network not in table\n");
		return CMD_WARNING;
	}

	if (uj) {
		json = json_object_new_object();
		jpaths = json_object_new_array();
		json_object_string_addf(json, "prefix", "%pFX",
					bgp_dest_get_prefix(dest));
		json_object_int_add(json, "attributeType",
				    mi ? mi->code : MESH_ATTR_BGP_TYPE_DEFAULT);
	} else {
		vty_out(vty,
			"BGP routing table entry for %pFX, mesh attribute type "
			"%u\n",
			bgp_dest_get_prefix(dest),
			mi ? mi->code : MESH_ATTR_BGP_TYPE_DEFAULT);
	}
	for (pi = bgp_dest_get_bgp_path_info(dest); pi; pi = pi->next)
		bgp_mesh_show_path(vty, bgp, mi, pi, jpaths);
	bgp_dest_unlock_node(dest);

	if (uj) {
		json_object_object_add(json, "paths", jpaths);
		return vty_json(vty, json);
	}
	return CMD_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* Module setup                                                       */

static int bgp_mesh_init(struct thread_master *tm)
{
	route_map_install_match(&route_match_mesh_latency_le_cmd);
	route_map_install_match(&route_match_mesh_latency_ge_cmd);
	route_map_install_match(&route_match_mesh_bandwidth_ge_cmd);
	route_map_install_match(&route_match_mesh_tenant_cmd);
	route_map_install_match(&route_match_mesh_malformed_cmd);
	route_map_install_set(&route_set_mesh_latency_add_cmd);
	bgp_mesh_rmap_show_init();

	install_element(RMAP_NODE, &match_mesh_latency_cmd);
	install_element(RMAP_NODE, &no_match_mesh_latency_cmd);
	install_element(RMAP_NODE, &match_mesh_bandwidth_cmd);
	install_element(RMAP_NODE, &no_match_mesh_bandwidth_cmd);
	install_element(RMAP_NODE, &match_mesh_tenant_cmd);
	install_element(RMAP_NODE, &no_match_mesh_tenant_cmd);
	install_element(RMAP_NODE, &match_mesh_malformed_cmd);
	install_element(RMAP_NODE, &set_mesh_latency_add_cmd);
	install_element(RMAP_NODE, &no_set_mesh_latency_add_cmd);

	install_element(BGP_NODE, &bgp_mesh_attribute_type_cmd);
	install_element(BGP_NODE, &no_bgp_mesh_attribute_type_cmd);
	install_element(BGP_NODE, &bgp_mesh_ca_key_cmd);

	install_element(VIEW_NODE, &show_bgp_mesh_cmd);
	return 0;
}

static int bgp_mesh_fini(void)
{
	struct bgp_mesh_inst *mi;

	while ((mi = bgp_mesh_insts)) {
		bgp_mesh_insts = mi->next;
		bgp_mesh_inst_free(mi);
	}
	return 0;
}

static int bgp_mesh_module_init(void)
{
	hook_register(frr_late_init, bgp_mesh_init);
	hook_register(frr_fini, bgp_mesh_fini);
	hook_register(bgp_inst_config_write, bgp_mesh_config_write);
	hook_register(bgp_inst_delete, bgp_mesh_inst_delete);
	return 0;
}

FRR_MODULE_SETUP(.name = "bgpd_mesh", .version = FRR_VERSION,
		 .description = "bgpd mesh path attribute module",
		 .init = bgp_mesh_module_init, );
