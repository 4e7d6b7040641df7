/* libFuzzer target: the plaintexts analyze --keytab decodes after
 * decryption (Authenticator, EncAPRepPart) and the Ticket span of an
 * AP-REQ, bare, GSS-framed or inside SPNEGO. A decoded span must lie
 * inside the input. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/auth/krb5enc.h"
#include "core/auth/spnego.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
inside(const struct krb_str *s, const uint8_t *data, size_t size)
{
	if (s->p != NULL && (s->p < data || s->len > size || s->p + s->len > data + size))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct krb_authenticator au;
	struct krb_enc_ap_rep_part ep;
	struct krb_str ticket;
	struct spnego_token tok;
	struct spnego_blob inner;

	if (krb_decode_authenticator(data, size, &au) == SD_OK && au.subkey.present)
		inside(&au.subkey.value, data, size);
	if (krb_decode_enc_ap_rep_part(data, size, &ep) == SD_OK && ep.subkey.present)
		inside(&ep.subkey.value, data, size);
	if (krb_ap_req_ticket_der(data, size, &ticket) == SD_OK)
		inside(&ticket, data, size);
	if (spnego_decode(data, size, &tok) == SD_OK) {
		inner = spnego_inner_token(&tok);
		if (inner.p != NULL && krb_ap_req_ticket_der(inner.p, inner.len, &ticket) == SD_OK)
			inside(&ticket, data, size);
	}
	return 0;
}
