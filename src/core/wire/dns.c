/* The CNAME walk of a DNS answer (RFC 1035 4.1). Written here rather than
 * taken from libresolv's ns_initparse/ns_parserr: those two were all the
 * probe still used of libresolv (glibc 2.34 moved res_nquery and the name
 * functions into libc), and linking libresolv made every start of smbdiag
 * map and relocate it for a lookup that only names, never addresses, need.
 * libc's dn_skipname/dn_expand do the compressed-name work (pointers,
 * loops, label lengths); every offset here is checked against len. */
#include "core/wire/dns.h"

#include <netinet/in.h>
#include <resolv.h>

#define DNS_HEADER_SIZE 12
#define DNS_QUESTION_FIXED 4 /* QTYPE, QCLASS */
#define DNS_RR_FIXED 10      /* TYPE, CLASS, TTL, RDLENGTH */
#define DNS_TYPE_CNAME 5

static unsigned
be16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/* Steps p over a name and `fixed` more bytes; false when they do not fit. */
static bool
skip_name(const uint8_t **p, const uint8_t *end, size_t fixed)
{
	int n = dn_skipname(*p, end);

	if (n < 0 || (size_t)(end - *p) < (size_t)n + fixed)
		return false;
	*p += n;
	return true;
}

bool
dns_answer_cname(const uint8_t *msg, size_t len, char *target, size_t cap)
{
	const uint8_t *p, *end = msg + len;
	unsigned questions, answers, i;

	if (!msg || len < DNS_HEADER_SIZE || !target || cap == 0 || cap > INT32_MAX)
		return false;
	target[0] = '\0';
	questions = be16(msg + 4);
	answers = be16(msg + 6);
	p = msg + DNS_HEADER_SIZE;
	for (i = 0; i < questions; i++) {
		if (!skip_name(&p, end, DNS_QUESTION_FIXED))
			return false;
		p += DNS_QUESTION_FIXED;
	}
	for (i = 0; i < answers; i++) {
		unsigned type, rdlength;

		if (!skip_name(&p, end, DNS_RR_FIXED))
			return false;
		type = be16(p);
		rdlength = be16(p + 8);
		p += DNS_RR_FIXED;
		if ((size_t)(end - p) < rdlength)
			return false;
		/* The name may point back into the message but must lie
		 * within this record's data. */
		if (type == DNS_TYPE_CNAME)
			return dn_expand(msg, p + rdlength, p, target, (int)cap) > 0 && target[0] != '\0';
		p += rdlength;
	}
	return false;
}
