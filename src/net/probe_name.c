/* Is the typed server name a DNS alias? The probe asks the system
 * resolver for the name's CNAME records (res_nquery; getaddrinfo hides
 * the chain) and follows them. Windows builds the SPN from the name as
 * typed, cifs/<alias>, whatever the chain says (MS KB 3181029; MIT's
 * dns_canonicalize_hostname would ask for the canonical name instead),
 * so an alias needs its own SPN. The answer is read by dns_answer_cname
 * (core/wire/dns.c), which says why not with libresolv. */
#include <arpa/nameser.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/wire/dns.h"
#include "net/probe_internal.h"

#define CNAME_LINKS_MAX 8
#define DNS_ANSWER_MAX 4096

/* The target of name's CNAME record in one answer, if there is one. */
static bool
cname_target(res_state rs, const char *name, char *target, size_t cap)
{
	unsigned char answer[DNS_ANSWER_MAX];
	int len = res_nquery(rs, name, ns_c_in, ns_t_cname, answer, sizeof(answer));

	return len > 0 && len <= (int)sizeof(answer) && dns_answer_cname(answer, (size_t)len, target, cap);
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
