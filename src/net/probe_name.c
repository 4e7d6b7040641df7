/* Is the typed server name a DNS alias? The probe asks the system
 * resolver for the name's CNAME records (res_nquery; getaddrinfo hides
 * the chain) and follows them. Windows builds the SPN from the name as
 * typed, cifs/<alias>, whatever the chain says (MS KB 3181029; MIT's
 * dns_canonicalize_hostname would ask for the canonical name instead),
 * so an alias needs its own SPN. */
#include <arpa/nameser.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "net/probe_internal.h"

#define CNAME_LINKS_MAX 8
#define DNS_ANSWER_MAX 4096

/* The target of name's CNAME record in one answer, if there is one. */
static bool
cname_target(res_state rs, const char *name, char *target, size_t cap)
{
	unsigned char answer[DNS_ANSWER_MAX];
	char expanded[NS_MAXDNAME];
	ns_msg msg;
	ns_rr rr;
	int len, i, n;

	len = res_nquery(rs, name, ns_c_in, ns_t_cname, answer, sizeof(answer));
	if (len <= 0 || len > (int)sizeof(answer) || ns_initparse(answer, len, &msg) != 0)
		return false;
	n = ns_msg_count(msg, ns_s_an);
	for (i = 0; i < n; i++) {
		if (ns_parserr(&msg, ns_s_an, i, &rr) != 0)
			return false;
		if (ns_rr_type(rr) != ns_t_cname)
			continue;
		if (ns_name_uncompress(ns_msg_base(msg), ns_msg_end(msg), ns_rr_rdata(rr), expanded,
				       sizeof(expanded)) < 0)
			return false;
		snprintf(target, cap, "%s", expanded);
		return target[0] != '\0';
	}
	return false;
}

bool
probe_cname_of(const char *name, char *canonical, size_t cap)
{
	struct __res_state rs;
	char current[NS_MAXDNAME], next[NS_MAXDNAME];
	bool alias = false;
	int links;

	if (!name || !name[0] || net_host_is_literal(name) || cap == 0)
		return false;
	memset(&rs, 0, sizeof(rs));
	if (res_ninit(&rs) != 0)
		return false;
	/* A silent name server must not hold the probe for long: the
	 * connection itself does not depend on this answer. */
	rs.retrans = 2;
	rs.retry = 1;
	snprintf(current, sizeof(current), "%s", name);
	for (links = 0; links < CNAME_LINKS_MAX && cname_target(&rs, current, next, sizeof(next)); links++) {
		if (strcasecmp(next, current) == 0)
			break;
		snprintf(current, sizeof(current), "%s", next);
		alias = true;
	}
	res_nclose(&rs);
	if (alias)
		snprintf(canonical, cap, "%s", current);
	return alias;
}
