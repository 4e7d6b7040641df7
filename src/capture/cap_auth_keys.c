/* analyze --keytab: the GSS session key of a Kerberos SESSION_SETUP, from
 * the AP-REQ the client sent and the AP-REP that answered it, handed to the
 * connection's key tracker (core/proto/keytrack.h) so that the session's
 * signed and encrypted messages can be read. The keys come through
 * cap_opts.krb_keys; this file only routes tokens and keys. */
#include <stdlib.h>
#include <string.h>

#include "capture/cap_smb.h"
#include "core/auth/spnego.h"
#include "core/proto/keytrack.h"

/* MS-SMB2 3.2.5.3.1: a GSS key shorter than 16 bytes is zero-padded. */
#define SMB_SESSION_KEY_MIN 16

const struct cap_krb_key *
cap_krb_gss_key(const struct cap_krb_keys *keys)
{
	if (keys->acceptor.len)
		return &keys->acceptor;
	if (keys->initiator.len)
		return &keys->initiator;
	return keys->ticket.len ? &keys->ticket : NULL;
}

static bool
mech_token(const uint8_t *blob, size_t len, struct spnego_blob *inner)
{
	struct spnego_token tok;

	if (spnego_decode(blob, len, &tok) != SD_OK)
		return false;
	*inner = spnego_inner_token(&tok);
	return inner->p != NULL && inner->len > 0 && !(inner->len >= 8 && memcmp(inner->p, "NTLMSSP", 8) == 0);
}

/* The connection's record of what the keytab made of its ticket. */
static void
note_keytab_result(struct cap_analyzer *a, struct cap_smbconn *sc, enum cap_krb_keys_result r)
{
	static const enum ev_keytab_result as_evidence[] = {
		[CAP_KRB_KEYS_OK] = EV_KEYTAB_OK,
		[CAP_KRB_KEYS_NO_KEY] = EV_KEYTAB_NO_KEY,
		[CAP_KRB_KEYS_WRONG_KEY] = EV_KEYTAB_WRONG_KEY,
		[CAP_KRB_KEYS_UNDECODABLE] = EV_KEYTAB_UNDECODABLE,
		[CAP_KRB_KEYS_FAILED] = EV_KEYTAB_FAILED,
	};

	cap_conn(a, sc)->keytab_result =
		(unsigned)r < sizeof(as_evidence) / sizeof(as_evidence[0]) ? as_evidence[r] : EV_KEYTAB_FAILED;
}

static void
forget(struct cap_analyzer *a, struct cap_smbconn *sc)
{
	if (sc->krb_keys == NULL)
		return;
	memset(sc->krb_keys, 0, sizeof(*sc->krb_keys));
	free(sc->krb_keys);
	sc->krb_keys = NULL;
	cap_mem_give(a, sizeof(struct cap_krb_keys));
}

void
cap_auth_keys_request(struct cap_analyzer *a, struct cap_smbconn *sc, const uint8_t *blob, size_t len)
{
	const struct cap_krb_keysource *src = a->opts.krb_keys;
	struct spnego_blob inner;

	if (src == NULL || sc->kt == NULL || !mech_token(blob, len, &inner))
		return;
	forget(a, sc);
	if (!cap_mem_take(a, sizeof(*sc->krb_keys)))
		return;
	sc->krb_keys = malloc(sizeof(*sc->krb_keys));
	if (sc->krb_keys == NULL) {
		cap_mem_give(a, sizeof(*sc->krb_keys));
		return;
	}
	sc->krb_keys_result = src->ap_req(src->ctx, inner.p, inner.len, sc->krb_keys);
	note_keytab_result(a, sc, sc->krb_keys_result);
	if (sc->krb_keys_result == CAP_KRB_KEYS_OK)
		a->stats.krb_tickets_decrypted++;
	else
		a->stats.krb_tickets_not_decrypted++;
	if (sc->krb_keys_result != CAP_KRB_KEYS_OK)
		forget(a, sc);
}

/* The user the ticket was issued to: the AP-REQ hides it, the ticket
 * says it. */
static void
client_from_ticket(struct ev_session *s, const char *client)
{
	const char *at = strrchr(client, '@');
	size_t n = at ? (size_t)(at - client) : strlen(client);

	if (s->user[0] || client[0] == '\0')
		return;
	if (n >= sizeof(s->user))
		n = sizeof(s->user) - 1;
	memcpy(s->user, client, n);
	s->user[n] = '\0';
	if (at && !s->domain[0])
		ev_copy(s->domain, sizeof(s->domain), at + 1);
}

void
cap_auth_keys_response(struct cap_analyzer *a, struct cap_smbconn *sc, uint64_t session_id, uint32_t status,
		       const uint8_t *blob, size_t len)
{
	const struct cap_krb_keysource *src = a->opts.krb_keys;
	struct spnego_blob inner;
	const struct cap_krb_key *key;
	const struct smb2_kt_session *known;
	uint8_t padded[SMB_SESSION_KEY_MIN] = {0};

	if (src == NULL || sc->krb_keys == NULL)
		return;
	/* A re-authentication keeps the session's keys (MS-SMB2 3.3.5.5.3). */
	known = smb2_keytrack_session(sc->kt, session_id);
	if (known != NULL && known->state == SMB2_KT_KEYS_READY) {
		forget(a, sc);
		return;
	}
	if (status == CAP_STATUS_MORE_PROCESSING)
		return;  /* an AP-REP may still come (or a KRB-ERROR and a new AP-REQ) */
	if (status != 0) {
		forget(a, sc);
		return;
	}
	if (blob != NULL && mech_token(blob, len, &inner)) {
		enum cap_krb_keys_result r = src->ap_rep(src->ctx, inner.p, inner.len, sc->krb_keys);

		/* The ticket opened but the AP-REP's subkey did not: that is
		 * the key the session uses, so say so. */
		if (r != CAP_KRB_KEYS_OK)
			note_keytab_result(a, sc, r);
	}
	client_from_ticket(&cap_conn(a, sc)->session, sc->krb_keys->client);
	key = cap_krb_gss_key(sc->krb_keys);
	if (key != NULL && key->len < SMB_SESSION_KEY_MIN) {
		memcpy(padded, key->v, key->len);
		smb2_keytrack_add_session_key(sc->kt, session_id, padded, sizeof(padded));
	} else if (key != NULL) {
		smb2_keytrack_add_session_key(sc->kt, session_id, key->v,
					      key->len > SMB2_KT_SESSION_KEY_MAX ? SMB2_KT_SESSION_KEY_MAX : key->len);
	}
	memset(padded, 0, sizeof(padded));
	forget(a, sc);
}

void
cap_auth_keys_free(struct cap_analyzer *a, struct cap_smbconn *sc)
{
	forget(a, sc);
}
