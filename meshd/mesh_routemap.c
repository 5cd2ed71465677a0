// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meshd policy: per-neighbor prefix-lists and route-maps of libfrr.
 *
 * A route passes its neighbor's prefix-list first, then its route-map
 * (bgpd's order). Both are looked up by name each time, so a policy
 * configured after the neighbor, or deleted, takes effect at once: a
 * named policy that does not exist denies everything, as in bgpd.
 *
 * The route-map object is a scratch copy of the route's attributes
 * (struct mesh_bgp_attrs); 'set' rules edit the copy, and only a copy
 * that a rule changed is interned as a new attribute set. A route that no
 * rule changed keeps its interned set, so policy costs no memory.
 *
 * Route-map rules meshd implements:
 *   match ip address prefix-list NAME      match ipv6 address prefix-list NAME
 *   match ip address NAME (access-list)    match ipv6 address NAME
 *   set metric [+-]N           MULTI_EXIT_DISC (RFC 4271 5.1.4)
 *   set local-preference [+-]N LOCAL_PREF (RFC 4271 5.1.5)
 *   set as-path prepend ASN... AS_PATH (RFC 4271 5.1.2, 4-octet ASNs)
 *   set community ... [additive] | none   COMMUNITIES (RFC 1997)
 * The last three are bgpd's commands and YANG nodes (frr-bgp-route-map);
 * meshd implements that module's callbacks for them and refuses, with a
 * reason, the rest of it.
 *
 * Any change of a prefix-list or route-map re-runs the policies of every
 * neighbor that names one (mesh_bgp_policy_changed()), once per burst of
 * changes.
 */
#include <zebra.h>

#include "lib/filter.h"
#include "lib/log.h"
#include "lib/memory.h"
#include "lib/northbound.h"
#include "lib/plist.h"
#include "lib/prefix.h"
#include "lib/routemap.h"
#include "lib/thread.h"
#include "lib/yang.h"

#include "meshd/meshd.h"
#include "meshd/mesh_bgp.h"
#include "meshd/mesh_debug.h"
#include "meshd/mesh_nb.h"

DEFINE_MTYPE_STATIC(MESHD, MESH_RMAP_RULE, "Mesh route-map rule");
DEFINE_MTYPE_STATIC(MESHD, MESH_RMAP_ATTR, "Mesh route-map scratch");

/* RFC 4271 9.1.1: the LOCAL_PREF of a route without one. */
#define MESH_LOCAL_PREF_DEFAULT 100
/* Most ASNs one 'set as-path prepend' may add. */
#define MESH_PREPEND_MAX 32
/* Most communities one 'set community' may list. */
#define MESH_COMMUNITY_SET_MAX 64

/* ---- The route-map object ---- */

struct mesh_rmap_obj {
	struct mesh_bgp_attrs a; /* scratch copy; bytes owned below or by
				  * the interned set it was copied from */
	bool changed;
	uint8_t *as_path; /* owned AS_PATH bytes, if a rule rebuilt it */
	uint8_t *communities;
};

static void mesh_rmap_obj_fini(struct mesh_rmap_obj *o)
{
	XFREE(MTYPE_MESH_RMAP_ATTR, o->as_path);
	XFREE(MTYPE_MESH_RMAP_ATTR, o->communities);
}

static void mesh_rmap_prefix(const struct mesh_bgp_prefix *bp, struct prefix *p)
{
	memset(p, 0, sizeof(*p));
	if (bp->afi == MESH_BGP_AFI_IPV6) {
		p->family = AF_INET6;
		memcpy(&p->u.prefix6, bp->addr, 16);
	} else {
		p->family = AF_INET;
		memcpy(&p->u.prefix4, bp->addr, 4);
	}
	p->prefixlen = bp->plen;
}

/* ---- match rules ---- */

static void *mesh_rmap_name_compile(const char *arg)
{
	return XSTRDUP(MTYPE_MESH_RMAP_RULE, arg);
}

static void mesh_rmap_rule_free(void *rule)
{
	XFREE(MTYPE_MESH_RMAP_RULE, rule);
}

static enum route_map_cmd_result_t
mesh_rmap_match_plist(afi_t afi, const char *name, const struct prefix *p)
{
	struct prefix_list *plist;

	if (p->family != afi2family(afi))
		return RMAP_NOMATCH;
	plist = prefix_list_lookup(afi, name);
	if (!plist)
		return RMAP_NOMATCH;
	return prefix_list_apply(plist, p) == PREFIX_PERMIT ? RMAP_MATCH
							    : RMAP_NOMATCH;
}

static enum route_map_cmd_result_t
mesh_rmap_match_ip_plist(void *rule, const struct prefix *p, void *object)
{
	return mesh_rmap_match_plist(AFI_IP, rule, p);
}

static enum route_map_cmd_result_t
mesh_rmap_match_ip6_plist(void *rule, const struct prefix *p, void *object)
{
	return mesh_rmap_match_plist(AFI_IP6, rule, p);
}

static enum route_map_cmd_result_t
mesh_rmap_match_alist(afi_t afi, const char *name, const struct prefix *p)
{
	struct access_list *alist;

	if (p->family != afi2family(afi))
		return RMAP_NOMATCH;
	alist = access_list_lookup(afi, name);
	if (!alist)
		return RMAP_NOMATCH;
	return access_list_apply(alist, p) == FILTER_PERMIT ? RMAP_MATCH
							    : RMAP_NOMATCH;
}

static enum route_map_cmd_result_t
mesh_rmap_match_ip_alist(void *rule, const struct prefix *p, void *object)
{
	return mesh_rmap_match_alist(AFI_IP, rule, p);
}

static enum route_map_cmd_result_t
mesh_rmap_match_ip6_alist(void *rule, const struct prefix *p, void *object)
{
	return mesh_rmap_match_alist(AFI_IP6, rule, p);
}

static const struct route_map_rule_cmd mesh_rmap_match_ip_plist_cmd = {
	"ip address prefix-list", mesh_rmap_match_ip_plist,
	mesh_rmap_name_compile, mesh_rmap_rule_free};
static const struct route_map_rule_cmd mesh_rmap_match_ip6_plist_cmd = {
	"ipv6 address prefix-list", mesh_rmap_match_ip6_plist,
	mesh_rmap_name_compile, mesh_rmap_rule_free};
static const struct route_map_rule_cmd mesh_rmap_match_ip_alist_cmd = {
	"ip address", mesh_rmap_match_ip_alist, mesh_rmap_name_compile,
	mesh_rmap_rule_free};
static const struct route_map_rule_cmd mesh_rmap_match_ip6_alist_cmd = {
	"ipv6 address", mesh_rmap_match_ip6_alist, mesh_rmap_name_compile,
	mesh_rmap_rule_free};

/* ---- set rules ---- */

/* "N" sets, "+N" adds, "-N" subtracts (saturating), N in 0..2^32-1. */
struct mesh_rmap_value {
	char op; /* '=', '+', '-' */
	uint32_t v;
};

static bool mesh_rmap_value_parse(const char *s, struct mesh_rmap_value *rv)
{
	unsigned long long v;
	char *end;

	rv->op = '=';
	if (*s == '+' || *s == '-')
		rv->op = *s++;
	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end != '\0' || v > UINT32_MAX)
		return false;
	rv->v = v;
	return true;
}

static void *mesh_rmap_value_compile(const char *arg)
{
	struct mesh_rmap_value rv, *ret;

	if (!mesh_rmap_value_parse(arg, &rv))
		return NULL; /* 'rtt' and the like: meshd has no RTT */
	ret = XMALLOC(MTYPE_MESH_RMAP_RULE, sizeof(*ret));
	*ret = rv;
	return ret;
}

static uint32_t mesh_rmap_value_apply(const struct mesh_rmap_value *rv,
				      uint32_t cur)
{
	switch (rv->op) {
	case '+':
		return cur > UINT32_MAX - rv->v ? UINT32_MAX : cur + rv->v;
	case '-':
		return cur < rv->v ? 0 : cur - rv->v;
	default:
		return rv->v;
	}
}

static enum route_map_cmd_result_t
mesh_rmap_set_metric(void *rule, const struct prefix *p, void *object)
{
	struct mesh_rmap_obj *o = object;
	uint32_t cur =
		mesh_bgp_attr_present(&o->a, MESH_BGP_ATTR_MED) ? o->a.med : 0;

	o->a.med = mesh_rmap_value_apply(rule, cur);
	mesh_bgp_bit_set(o->a.present, MESH_BGP_ATTR_MED);
	o->changed = true;
	return RMAP_OKAY;
}

static enum route_map_cmd_result_t
mesh_rmap_set_local_pref(void *rule, const struct prefix *p, void *object)
{
	struct mesh_rmap_obj *o = object;
	uint32_t cur = mesh_bgp_attr_present(&o->a, MESH_BGP_ATTR_LOCAL_PREF)
			       ? o->a.local_pref
			       : MESH_LOCAL_PREF_DEFAULT;

	o->a.local_pref = mesh_rmap_value_apply(rule, cur);
	mesh_bgp_bit_set(o->a.present, MESH_BGP_ATTR_LOCAL_PREF);
	o->changed = true;
	return RMAP_OKAY;
}

static const struct route_map_rule_cmd mesh_rmap_set_metric_cmd = {
	"metric", mesh_rmap_set_metric, mesh_rmap_value_compile,
	mesh_rmap_rule_free};
static const struct route_map_rule_cmd mesh_rmap_set_local_pref_cmd = {
	"local-preference", mesh_rmap_set_local_pref, mesh_rmap_value_compile,
	mesh_rmap_rule_free};

/* 'set as-path prepend ASN...': the ASNs, first to be leftmost. */
struct mesh_rmap_prepend {
	uint8_t n;
	uint32_t asn[MESH_PREPEND_MAX];
};

static bool mesh_rmap_prepend_parse(const char *s, struct mesh_rmap_prepend *pp)
{
	pp->n = 0;
	while (*s) {
		unsigned long long v;
		char *end;

		while (*s == ' ')
			s++;
		if (!*s)
			break;
		if (!isdigit((unsigned char)*s) || pp->n == MESH_PREPEND_MAX)
			return false;
		errno = 0;
		v = strtoull(s, &end, 10);
		if (errno || v == 0 || v > UINT32_MAX ||
		    (*end != ' ' && *end != '\0'))
			return false;
		pp->asn[pp->n++] = v;
		s = end;
	}
	return pp->n > 0;
}

static void *mesh_rmap_prepend_compile(const char *arg)
{
	struct mesh_rmap_prepend pp, *ret;

	if (!mesh_rmap_prepend_parse(arg, &pp))
		return NULL;
	ret = XMALLOC(MTYPE_MESH_RMAP_RULE, sizeof(*ret));
	*ret = pp;
	return ret;
}

/*
 * Prepends to a 4-octet AS_PATH: into its leading AS_SEQUENCE when that
 * has room (a segment holds at most 255 ASNs), else as a new segment in
 * front (RFC 4271 5.1.2 / 9.1.2.2).
 */
static enum route_map_cmd_result_t
mesh_rmap_set_prepend(void *rule, const struct prefix *p, void *object)
{
	const struct mesh_rmap_prepend *pp = rule;
	struct mesh_rmap_obj *o = object;
	const uint8_t *old = NULL;
	size_t old_len = 0, skip = 0, len;
	uint8_t *buf, *w;
	uint8_t seg_n = pp->n;

	if (mesh_bgp_attr_present(&o->a, MESH_BGP_ATTR_AS_PATH)) {
		if (o->a.as_path_width != 4)
			return RMAP_ERROR;
		old = o->a.as_path.p;
		old_len = o->a.as_path.len;
	}
	if (old_len >= 2 && old[0] == MESH_BGP_AS_SEQUENCE &&
	    old[1] + pp->n <= 255) {
		seg_n = old[1] + pp->n;
		skip = 2; /* merge: the old header goes */
	}

	len = 2 + 4 * pp->n + old_len - skip;
	buf = XMALLOC(MTYPE_MESH_RMAP_ATTR, len);
	w = buf;
	*w++ = MESH_BGP_AS_SEQUENCE;
	*w++ = seg_n;
	for (uint8_t i = 0; i < pp->n; i++) {
		uint32_t asn = htonl(pp->asn[i]);

		memcpy(w, &asn, 4);
		w += 4;
	}
	if (old_len > skip)
		memcpy(w, old + skip, old_len - skip);

	XFREE(MTYPE_MESH_RMAP_ATTR, o->as_path); /* a second prepend rule */
	o->as_path = buf;
	o->a.as_path.p = buf;
	o->a.as_path.len = len;
	o->a.as_path_width = 4;
	mesh_bgp_bit_set(o->a.present, MESH_BGP_ATTR_AS_PATH);
	o->changed = true;
	return RMAP_OKAY;
}

static const struct route_map_rule_cmd mesh_rmap_set_prepend_cmd = {
	"as-path prepend", mesh_rmap_set_prepend, mesh_rmap_prepend_compile,
	mesh_rmap_rule_free};

/* ---- Communities (RFC 1997, and the well-known ones of IANA's
 * registry that bgpd names) ---- */

static const struct {
	const char *name;
	uint32_t val;
} mesh_community_names[] = {
	{"internet", 0x00000000},
	{"graceful-shutdown", 0xFFFF0000},
	{"accept-own", 0xFFFF0001},
	{"route-filter-translated-v4", 0xFFFF0002},
	{"route-filter-v4", 0xFFFF0003},
	{"route-filter-translated-v6", 0xFFFF0004},
	{"route-filter-v6", 0xFFFF0005},
	{"llgr-stale", 0xFFFF0006},
	{"no-llgr", 0xFFFF0007},
	{"accept-own-nexthop", 0xFFFF0008},
	{"blackhole", 0xFFFF029A},
	{"no-export", 0xFFFFFF01},
	{"no-advertise", 0xFFFFFF02},
	{"local-AS", 0xFFFFFF03},
	{"no-peer", 0xFFFFFF04},
};

struct mesh_rmap_community {
	bool none;     /* remove the attribute */
	bool additive; /* add to what is there */
	uint16_t n;
	uint32_t val[MESH_COMMUNITY_SET_MAX]; /* sorted, unique */
};

static int mesh_u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static size_t mesh_u32_sort_uniq(uint32_t *v, size_t n)
{
	size_t out = 0;

	qsort(v, n, sizeof(*v), mesh_u32_cmp);
	for (size_t i = 0; i < n; i++)
		if (out == 0 || v[out - 1] != v[i])
			v[out++] = v[i];
	return out;
}

static bool mesh_community_token(const char *tok, size_t len, uint32_t *val)
{
	unsigned long aa, nn;
	char buf[32], *end;

	for (size_t i = 0; i < array_size(mesh_community_names); i++) {
		if (strlen(mesh_community_names[i].name) == len &&
		    strncmp(tok, mesh_community_names[i].name, len) == 0) {
			*val = mesh_community_names[i].val;
			return true;
		}
	}
	if (len == 0 || len >= sizeof(buf) || !isdigit((unsigned char)*tok))
		return false;
	memcpy(buf, tok, len);
	buf[len] = '\0';
	errno = 0;
	aa = strtoul(buf, &end, 10);
	if (errno || *end != ':' || aa > 0xFFFF ||
	    !isdigit((unsigned char)end[1]))
		return false;
	nn = strtoul(end + 1, &end, 10);
	if (errno || *end != '\0' || nn > 0xFFFF)
		return false;
	*val = (uint32_t)aa << 16 | nn;
	return true;
}

static bool mesh_community_parse(const char *s, struct mesh_rmap_community *c)
{
	memset(c, 0, sizeof(*c));
	while (*s) {
		size_t len;

		while (*s == ' ')
			s++;
		if (!*s)
			break;
		len = strcspn(s, " ");
		if (len == 8 && strncmp(s, "additive", 8) == 0)
			c->additive = true;
		else if (len == 4 && strncmp(s, "none", 4) == 0)
			c->none = true;
		else if (c->n == MESH_COMMUNITY_SET_MAX ||
			 !mesh_community_token(s, len, &c->val[c->n++]))
			return false;
		s += len;
	}
	if (c->none)
		return c->n == 0 && !c->additive;
	if (c->n == 0)
		return false;
	c->n = mesh_u32_sort_uniq(c->val, c->n);
	return true;
}

/* Canonical text of a 'set community' argument, as bgpd writes it:
 * values sorted, well-known ones by name, then 'additive'. */
bool mesh_community_canon(const char *in, char *out, size_t outlen)
{
	struct mesh_rmap_community c;
	size_t pos = 0;

	if (!mesh_community_parse(in, &c))
		return false;
	out[0] = '\0';
	if (c.none)
		return strlcpy(out, "none", outlen) < outlen;
	for (uint16_t i = 0; i < c.n; i++) {
		const char *name = NULL;

		for (size_t k = 0; k < array_size(mesh_community_names); k++)
			if (mesh_community_names[k].val == c.val[i])
				name = mesh_community_names[k].name;
		if (name)
			pos += snprintf(out + pos, outlen - pos, "%s%s",
					i ? " " : "", name);
		else
			pos += snprintf(out + pos, outlen - pos, "%s%u:%u",
					i ? " " : "", c.val[i] >> 16,
					c.val[i] & 0xFFFF);
		if (pos >= outlen)
			return false;
	}
	if (c.additive)
		pos += snprintf(out + pos, outlen - pos, " additive");
	return pos < outlen;
}

static void *mesh_rmap_community_compile(const char *arg)
{
	struct mesh_rmap_community c, *ret;

	if (!mesh_community_parse(arg, &c))
		return NULL;
	ret = XMALLOC(MTYPE_MESH_RMAP_RULE, sizeof(*ret));
	*ret = c;
	return ret;
}

static enum route_map_cmd_result_t
mesh_rmap_set_community(void *rule, const struct prefix *p, void *object)
{
	const struct mesh_rmap_community *c = rule;
	struct mesh_rmap_obj *o = object;
	uint32_t *v;
	size_t n = 0, have = 0;

	if (c->none) {
		o->a.present[MESH_BGP_ATTR_COMMUNITIES >> 3] &=
			~(1u << (MESH_BGP_ATTR_COMMUNITIES & 7));
		o->a.communities.p = NULL;
		o->a.communities.len = 0;
		o->changed = true;
		return RMAP_OKAY;
	}

	if (c->additive &&
	    mesh_bgp_attr_present(&o->a, MESH_BGP_ATTR_COMMUNITIES))
		have = o->a.communities.len / 4;
	v = XMALLOC(MTYPE_MESH_RMAP_ATTR, (have + c->n) * 4);
	for (size_t i = 0; i < have; i++) {
		uint32_t x;

		memcpy(&x, o->a.communities.p + 4 * i, 4);
		v[n++] = ntohl(x);
	}
	for (uint16_t i = 0; i < c->n; i++)
		v[n++] = c->val[i];
	n = mesh_u32_sort_uniq(v, n);
	for (size_t i = 0; i < n; i++)
		v[i] = htonl(v[i]);

	XFREE(MTYPE_MESH_RMAP_ATTR, o->communities);
	o->communities = (uint8_t *)v;
	o->a.communities.p = o->communities;
	o->a.communities.len = n * 4;
	mesh_bgp_bit_set(o->a.present, MESH_BGP_ATTR_COMMUNITIES);
	o->changed = true;
	return RMAP_OKAY;
}

static const struct route_map_rule_cmd mesh_rmap_set_community_cmd = {
	"community", mesh_rmap_set_community, mesh_rmap_community_compile,
	mesh_rmap_rule_free};

/* ---- Policy ---- */

static struct mesh_aset *mesh_policy(struct mesh_peer *peer, enum mesh_afi afi,
				     int dir, const struct mesh_bgp_prefix *bp,
				     struct mesh_aset *attr)
{
	const struct mesh_peer_af *af = &peer->cfg.af[afi];
	struct mesh_rmap_obj o;
	struct route_map *map;
	struct mesh_aset *ret;
	struct prefix p;
	route_map_result_t res;

	if (!af->plist[dir] && !af->rmap[dir])
		return mesh_aset_ref(attr);

	mesh_rmap_prefix(bp, &p);
	if (af->plist[dir]) {
		struct prefix_list *plist = prefix_list_lookup(
			p.family == AF_INET6 ? AFI_IP6 : AFI_IP,
			af->plist[dir]);

		/* an absent list denies, as prefix_list_apply(NULL) does */
		if (prefix_list_apply(plist, &p) != PREFIX_PERMIT)
			return NULL;
	}
	if (!af->rmap[dir])
		return mesh_aset_ref(attr);

	map = route_map_lookup_by_name(af->rmap[dir]);
	if (!map)
		return NULL;

	memset(&o, 0, sizeof(o));
	o.a = attr->a;
	res = route_map_apply(map, &p, &o);
	if (res == RMAP_DENYMATCH)
		ret = NULL;
	else if (!o.changed)
		ret = mesh_aset_ref(attr);
	else
		ret = mesh_aset_intern(&o.a);
	mesh_rmap_obj_fini(&o);
	return ret;
}

struct mesh_aset *mesh_policy_in(struct mesh_peer *peer, enum mesh_afi afi,
				 const struct mesh_bgp_prefix *p,
				 struct mesh_aset *attr)
{
	return mesh_policy(peer, afi, 0, p, attr);
}

struct mesh_aset *mesh_policy_out(struct mesh_peer *peer, enum mesh_afi afi,
				  const struct mesh_bgp_prefix *p,
				  struct mesh_aset *attr)
{
	return mesh_policy(peer, afi, 1, p, attr);
}

/* ---- Reacting to policy changes ---- */

static struct thread *t_policy_changed;

static void mesh_policy_changed_run(struct thread *t)
{
	MESH_DEBUG(bgp,
		   "prefix-lists or route-maps changed: re-applying policies");
	mesh_bgp_policy_changed();
}

/* One commit changes a route-map entry by entry: act once, after it. */
static void mesh_policy_changed_soon(void)
{
	thread_add_event(master, mesh_policy_changed_run, NULL, 0,
			 &t_policy_changed);
}

static void mesh_rmap_changed(const char *name)
{
	mesh_policy_changed_soon();
}

static void mesh_plist_changed(struct prefix_list *plist)
{
	mesh_policy_changed_soon();
}

/* ---- bgpd's route-map YANG module, as far as meshd implements it ---- */

static int mesh_rmap_nb_set(struct nb_cb_modify_args *args, const char *rule,
			    const char *value, bool (*check)(const char *))
{
	struct routemap_hook_context *rhc;

	switch (args->event) {
	case NB_EV_VALIDATE:
		if (check && !check(value)) {
			snprintf(args->errmsg, args->errmsg_len,
				 "set %s %s: malformed value", rule, value);
			return NB_ERR_VALIDATION;
		}
		return NB_OK;
	case NB_EV_PREPARE:
	case NB_EV_ABORT:
		return NB_OK;
	case NB_EV_APPLY:
		break;
	}

	rhc = nb_running_get_entry(args->dnode, NULL, true);
	rhc->rhc_shook = generic_set_delete;
	rhc->rhc_rule = rule;
	rhc->rhc_event = RMAP_EVENT_SET_DELETED;
	if (generic_set_add(rhc->rhc_rmi, rule, value, args->errmsg,
			    args->errmsg_len) != CMD_SUCCESS) {
		rhc->rhc_shook = NULL;
		return NB_ERR_INCONSISTENCY;
	}
	return NB_OK;
}

static bool mesh_rmap_value_check(const char *s)
{
	struct mesh_rmap_value rv;

	return mesh_rmap_value_parse(s, &rv);
}

static bool mesh_rmap_prepend_check(const char *s)
{
	struct mesh_rmap_prepend pp;

	return mesh_rmap_prepend_parse(s, &pp);
}

static bool mesh_rmap_community_check(const char *s)
{
	struct mesh_rmap_community c;

	return mesh_community_parse(s, &c);
}

static int mesh_rmap_local_pref_modify(struct nb_cb_modify_args *args)
{
	return mesh_rmap_nb_set(args, "local-preference",
				yang_dnode_get_string(args->dnode, NULL),
				mesh_rmap_value_check);
}

static int mesh_rmap_prepend_modify(struct nb_cb_modify_args *args)
{
	return mesh_rmap_nb_set(args, "as-path prepend",
				yang_dnode_get_string(args->dnode, NULL),
				mesh_rmap_prepend_check);
}

static int mesh_rmap_community_string_modify(struct nb_cb_modify_args *args)
{
	return mesh_rmap_nb_set(args, "community",
				yang_dnode_get_string(args->dnode, NULL),
				mesh_rmap_community_check);
}

static int mesh_rmap_community_none_modify(struct nb_cb_modify_args *args)
{
	if (!yang_dnode_get_bool(args->dnode, NULL))
		return NB_OK;
	return mesh_rmap_nb_set(args, "community", "none", NULL);
}

static int mesh_rmap_set_destroy(struct nb_cb_destroy_args *args)
{
	if (args->event != NB_EV_APPLY)
		return NB_OK;
	return lib_route_map_entry_set_destroy(args);
}

static bool mesh_rmap_is_match(const struct lyd_node *dnode)
{
	for (; dnode; dnode = lyd_parent(dnode))
		if (strcmp(dnode->schema->name, "match-condition") == 0)
			return true;
	return false;
}

/* The rest of bgpd's route-map module: refused before anything is
 * applied, with the name of what is not there. */
static int mesh_rmap_unsupported(const struct lyd_node *dnode,
				 enum nb_event event, char *errmsg,
				 size_t errmsg_len)
{
	if (event != NB_EV_VALIDATE)
		return NB_OK;
	snprintf(
		errmsg, errmsg_len,
		"route-map %s '%s' is a bgpd feature that meshd does not implement",
		mesh_rmap_is_match(dnode) ? "match" : "set",
		dnode->schema->name);
	return NB_ERR_VALIDATION;
}

static int mesh_rmap_unsupported_modify(struct nb_cb_modify_args *args)
{
	return mesh_rmap_unsupported(args->dnode, args->event, args->errmsg,
				     args->errmsg_len);
}

static int mesh_rmap_unsupported_create(struct nb_cb_create_args *args)
{
	return mesh_rmap_unsupported(args->dnode, args->event, args->errmsg,
				     args->errmsg_len);
}

static int mesh_rmap_unsupported_destroy(struct nb_cb_destroy_args *args)
{
	return NB_OK; /* never created */
}

#define RM_MATCH                                                               \
	"/frr-route-map:lib/route-map/entry/match-condition/"                  \
	"rmap-match-condition/frr-bgp-route-map:"
#define RM_SET                                                                 \
	"/frr-route-map:lib/route-map/entry/set-action/rmap-set-action/"       \
	"frr-bgp-route-map:"
#define RM_NODE(path, mod, del)                                                \
	{                                                                      \
		.xpath = path, .cbs = {.modify = mod, .destroy = del }         \
	}
#define RM_NO(path)                                                            \
	RM_NODE(path, mesh_rmap_unsupported_modify,                            \
		mesh_rmap_unsupported_destroy)
#define RM_NO_PRESENCE(path)                                                   \
	{                                                                      \
		.xpath = path,                                                 \
		.cbs = {.create = mesh_rmap_unsupported_create,                \
			.destroy = mesh_rmap_unsupported_destroy,              \
		}                                                              \
	}

/* clang-format off */
const struct frr_yang_module_info frr_bgp_route_map_mesh_info = {
	.name = "frr-bgp-route-map",
	.nodes = {
		RM_NODE(RM_SET "local-pref", mesh_rmap_local_pref_modify,
			mesh_rmap_set_destroy),
		RM_NODE(RM_SET "prepend-as-path", mesh_rmap_prepend_modify,
			mesh_rmap_set_destroy),
		RM_NODE(RM_SET "community-string",
			mesh_rmap_community_string_modify,
			mesh_rmap_set_destroy),
		RM_NODE(RM_SET "community-none",
			mesh_rmap_community_none_modify,
			mesh_rmap_set_destroy),

		RM_NO(RM_MATCH "local-preference"),
		RM_NO(RM_MATCH "alias"),
		RM_NO(RM_MATCH "script"),
		RM_NO(RM_MATCH "origin"),
		RM_NO(RM_MATCH "rpki"),
		RM_NO(RM_MATCH "rpki-extcommunity"),
		RM_NO(RM_MATCH "probability"),
		RM_NO(RM_MATCH "source-vrf"),
		RM_NO(RM_MATCH "peer-ipv4-address"),
		RM_NO(RM_MATCH "peer-interface"),
		RM_NO(RM_MATCH "peer-ipv6-address"),
		RM_NO(RM_MATCH "peer-local"),
		RM_NO(RM_MATCH "list-name"),
		RM_NO_PRESENCE(RM_MATCH "evpn-default-route"),
		RM_NO(RM_MATCH "evpn-vni"),
		RM_NO(RM_MATCH "evpn-route-type"),
		RM_NO(RM_MATCH "route-distinguisher"),
		RM_NO(RM_MATCH "comm-list/comm-list-name"),
		RM_NO(RM_MATCH "comm-list/comm-list-name-exact-match"),
		RM_NO(RM_MATCH "ipv4-address"),
		RM_NO(RM_MATCH "ipv6-address"),
		RM_NO(RM_SET "distance"),
		RM_NO(RM_SET "extcommunity-rt"),
		RM_NO(RM_SET "extcommunity-soo"),
		RM_NO(RM_SET "ipv4-address"),
		RM_NO(RM_SET "ipv4-nexthop"),
		RM_NO(RM_SET "ipv6-address"),
		RM_NO(RM_SET "preference"),
		RM_NO(RM_SET "label-index"),
		RM_NO(RM_SET "weight"),
		RM_NO(RM_SET "origin"),
		RM_NO(RM_SET "originator-id"),
		RM_NO(RM_SET "table"),
		RM_NO_PRESENCE(RM_SET "atomic-aggregate"),
		RM_NO(RM_SET "last-as"),
		RM_NO(RM_SET "exclude-as-path"),
		RM_NO(RM_SET "replace-as-path"),
		RM_NO(RM_SET "large-community-none"),
		RM_NO(RM_SET "large-community-string"),
		RM_NO(RM_SET "aggregator/aggregator-asn"),
		RM_NO(RM_SET "aggregator/aggregator-address"),
		RM_NO(RM_SET "comm-list-name"),
		RM_NO(RM_SET "extcommunity-none"),
		RM_NO(RM_SET "extcommunity-lb/lb-type"),
		RM_NO(RM_SET "extcommunity-lb/bandwidth"),
		RM_NO(RM_SET "extcommunity-lb/two-octet-as-specific"),
		RM_NO(RM_SET "evpn-gateway-ip-ipv4"),
		RM_NO(RM_SET "evpn-gateway-ip-ipv6"),
		RM_NO(RM_SET "l3vpn-nexthop-encapsulation"),
		{
			.xpath = NULL,
		},
	},
};
/* clang-format on */

/* After route_map_init() and prefix_list_init(). */
void mesh_routemap_init(void)
{
	route_map_match_ip_address_prefix_list_hook(generic_match_add);
	route_map_no_match_ip_address_prefix_list_hook(generic_match_delete);
	route_map_match_ipv6_address_prefix_list_hook(generic_match_add);
	route_map_no_match_ipv6_address_prefix_list_hook(generic_match_delete);
	route_map_match_ip_address_hook(generic_match_add);
	route_map_no_match_ip_address_hook(generic_match_delete);
	route_map_match_ipv6_address_hook(generic_match_add);
	route_map_no_match_ipv6_address_hook(generic_match_delete);
	route_map_set_metric_hook(generic_set_add);
	route_map_no_set_metric_hook(generic_set_delete);

	route_map_install_match(&mesh_rmap_match_ip_plist_cmd);
	route_map_install_match(&mesh_rmap_match_ip6_plist_cmd);
	route_map_install_match(&mesh_rmap_match_ip_alist_cmd);
	route_map_install_match(&mesh_rmap_match_ip6_alist_cmd);
	route_map_install_set(&mesh_rmap_set_metric_cmd);
	route_map_install_set(&mesh_rmap_set_local_pref_cmd);
	route_map_install_set(&mesh_rmap_set_prepend_cmd);
	route_map_install_set(&mesh_rmap_set_community_cmd);

	route_map_add_hook(mesh_rmap_changed);
	route_map_delete_hook(mesh_rmap_changed);
	route_map_event_hook(mesh_rmap_changed);
	prefix_list_add_hook(mesh_plist_changed);
	prefix_list_delete_hook(mesh_plist_changed);

	mesh_bgp_rmap_cli_init();
}
