/* libFuzzer target: Kerberos messages, bare, GSS framed and behind a TCP
 * record mark; principal names are rendered to text. */
#include <stddef.h>
#include <stdint.h>

#include "core/auth/krb5msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
render(const struct krb_message *m)
{
	char text[64];

	switch (m->msg_type) {
	case KRB_MSG_AS_REQ:
	case KRB_MSG_TGS_REQ:
		(void)krb_principal_text(&m->u.req.sname, text, sizeof(text));
		(void)krb_principal_text(&m->u.req.ap_req.ticket.sname, text, sizeof(text));
		break;
	case KRB_MSG_ERROR:
		(void)krb_principal_text(&m->u.error.sname, text, sizeof(text));
		break;
	case KRB_MSG_AP_REQ:
		(void)krb_principal_text(&m->u.ap_req.ticket.sname, text, sizeof(text));
		break;
	default:
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct krb_message m;
	const uint8_t *body;
	size_t len, used, need;

	if (krb_decode_gss(data, size, &m) == SD_OK)
		render(&m);
	if (krb_tcp_record(data, size, &body, &len, &used, &need) == SD_OK && krb_decode(body, len, &m) == SD_OK)
		render(&m);
	return 0;
}
