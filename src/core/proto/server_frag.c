/* SPNEGO token fragmentation (MS-SPNG 3.1.5.4 - 3.1.5.9; MS-SMB2 3.3.5.5.3
 * Windows note): a client that keeps each GSS token under its buffer size
 * sends a large token (a Kerberos AP-REQ with a big PAC) over several
 * SESSION_SETUP legs. The first fragment starts with a complete ASN.1
 * header whose length exceeds the bytes carried; the server answers
 * STATUS_MORE_PROCESSING_REQUIRED with an empty blob until the declared
 * length is assembled, then treats the whole token as if it came at once. */
#include <stdlib.h>
#include <string.h>

#include "core/proto/server_internal.h"

#define FRAG_MAX (64 * 1024)   /* a token larger than this is no SMB logon */

/* The whole length an ASN.1 element declares (tag + length + contents),
 * from its first bytes; 0 when they are no such header. */
static size_t
declared_size(const uint8_t *p, size_t len)
{
	size_t n, i, body = 0;

	if (len < 2 || (p[0] != 0x60 && p[0] != 0xa0 && p[0] != 0xa1))
		return 0;   /* GSS InitialContextToken, NegTokenInit, NegTokenResp */
	if (p[1] < 0x80)
		return 2 + (size_t)p[1];
	n = p[1] & 0x7f;
	if (n == 0 || n > 3 || len < 2 + n)
		return 0;
	for (i = 0; i < n; i++)
		body = body << 8 | p[2 + i];
	return 2 + n + body;
}

enum srv_frag
srv_frag_take(struct srv_session *sess, const uint8_t **p, size_t *len)
{
	size_t total;

	if (sess->frag == NULL) {
		total = declared_size(*p, *len);
		if (total <= *len)
			return SRV_FRAG_WHOLE;
		if (total > FRAG_MAX)
			return SRV_FRAG_BAD;
		sess->frag = malloc(total);
		if (sess->frag == NULL)
			return SRV_FRAG_BAD;
		sess->frag_total = total;
		sess->frag_len = 0;
	}
	if (*len > sess->frag_total - sess->frag_len) {
		srv_frag_free(sess);
		return SRV_FRAG_BAD;   /* more than the first header declared */
	}
	memcpy(sess->frag + sess->frag_len, *p, *len);
	sess->frag_len += *len;
	if (sess->frag_len < sess->frag_total)
		return SRV_FRAG_MORE;
	*p = sess->frag;
	*len = sess->frag_total;
	return SRV_FRAG_DONE;
}

void
srv_frag_free(struct srv_session *sess)
{
	free(sess->frag);
	sess->frag = NULL;
	sess->frag_len = sess->frag_total = 0;
}
