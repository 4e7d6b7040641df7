/* SMB1 as far as the diagnosis needs it (NEGOTIATE, with the upgrade to
 * SMB2; SESSION_SETUP_ANDX with extended security) and the NetBIOS
 * session service's control PDUs on port 139. */
#include <stdio.h>
#include <string.h>

#include "capture/cap_smb.h"
#include "core/wire/names.h"
#include "core/wire/nbss.h"
#include "core/wire/smb1.h"

#define SMB1_COM_SESSION_SETUP_ANDX 0x73

/* SMB_COM_SESSION_SETUP_ANDX with extended security (MS-SMB 2.2.4.6):
 * the request's SecurityBlobLength is word 7, the response's word 3; the
 * blob starts the byte block. */
static void
smb1_session_setup(struct cap_analyzer *a, struct cap_flow *f, int di, const struct smb1_header *h, const uint8_t *p,
		   size_t len)
{
	struct cap_smbconn *sc = f->smb;
	bool reply = (h->flags & SMB1_FLAGS_REPLY) != 0;
	const uint8_t *words, *bytes;
	uint16_t blob_len = 0, byte_count;
	struct ev_step *st;
	struct sd_rd r;
	uint8_t wc;

	sd_rd_init(&r, p, len);
	sd_rd_skip(&r, SMB1_HEADER_SIZE);
	wc = sd_rd_u8(&r);
	words = sd_rd_bytes(&r, (size_t)wc * 2);
	byte_count = sd_rd_u16le(&r);
	if (!reply) {
		cap_smb_learn_client(a, f, di);
		st = cap_smb_step_at(a, sc, sc->ss_step);
		if (st == NULL || (st->outcome == EV_ANSWERED && st->status != CAP_STATUS_MORE_PROCESSING))
			sc->ss_step = cap_smb_add_step(a, sc, SD_STEP_SESSION_SETUP);
		if ((st = cap_smb_step_at(a, sc, sc->ss_step)) != NULL)
			cap_smb_request_step(a, st, a->frame, h->mid, NULL);
		cap_conn(a, sc)->session.seen = true;
		if (words != NULL && wc == 12)
			blob_len = sd_load_u16le(words + 14);
	} else {
		st = cap_smb_step_at(a, sc, sc->ss_step);
		if (st != NULL && st->outcome == EV_NOT_SENT)
			cap_smb_answer_step(a, st, h->status, NULL);
		if (words != NULL && wc == 4)
			blob_len = sd_load_u16le(words + 6);
	}
	bytes = sd_rd_bytes(&r, byte_count);
	if (bytes == NULL || blob_len == 0 || blob_len > byte_count)
		return;
	if (!reply)
		cap_auth_request(a, cap_conn(a, sc), bytes, blob_len);
	else
		cap_auth_response(a, cap_conn(a, sc), f, di, bytes, blob_len);
}

void
cap_smb1_message(struct cap_analyzer *a, struct cap_flow *f, int di, const uint8_t *p, size_t len, uint32_t end_seq)
{
	struct cap_smbconn *sc = f->smb;
	struct sd_anomalies anom;
	struct smb1_header h;
	struct ev_connection *c;
	int si;

	a->stats.smb1_messages++;
	if (smb1_header_decode(p, len, &h) != SD_OK)
		return;
	if (h.command == SMB1_COM_SESSION_SETUP_ANDX) {
		smb1_session_setup(a, f, di, &h, p, len);
		return;
	}
	if (h.command != SMB1_COM_NEGOTIATE)
		return;
	memset(&anom, 0, sizeof(anom));
	if (!(h.flags & SMB1_FLAGS_REPLY)) {
		struct smb1_negotiate_request q;

		cap_smb_learn_client(a, f, di);
		if (smb1_negotiate_request_decode(p, len, &q, &anom) != SD_OK)
			return;
		si = cap_smb_add_step(a, sc, SD_STEP_NEGOTIATE);
		c = cap_conn(a, sc);
		c->negotiate.smb1_negotiate = true;
		c->negotiate.smb1_offers_smb2 = smb1_negotiate_offers_smb2(&q);
		smb2_negotiate_offer_from_smb1(&sc->offer, q.offers_smb2_002, q.offers_smb2_wildcard);
		sc->have_offer = true;
		if (si >= 0) {
			cap_smb_request_step(a, cap_smb_step_at(a, sc, si), a->frame, 0, NULL);
			ev_copy(cap_smb_step_at(a, sc, si)->detail, sizeof(cap_smb_step_at(a, sc, si)->detail), "SMB1");
			cap_smb_watch_ack(f, end_seq, sc->conn, si);
		}
		cap_smb_pending_add(a, sc, CAP_SMB1_MID, SMB1_COM_NEGOTIATE, si);
	} else {
		struct cap_pending *pd = cap_smb_pending_find(sc, CAP_SMB1_MID, SMB1_COM_NEGOTIATE);
		struct smb1_negotiate_response r;

		c = cap_conn(a, sc);
		c->negotiate.smb1_answered = true;
		if (pd != NULL) {
			pd->used = false;
			if (pd->step >= 0)
				cap_smb_answer_step(a, cap_smb_step_at(a, sc, pd->step), h.status, NULL);
		}
		if (smb1_negotiate_response_decode(p, len, &r, &anom) != SD_OK)
			return;
		c->negotiate.seen_response = true;
		/* The server chose an SMB1 dialect: the connection stays on SMB1. */
		if (r.form != SMB1_NEG_FORM_ERROR && r.dialect_index != SMB1_NO_DIALECT)
			c->negotiate.dialect = SD_DIALECT_SMB1;
		if (r.form == SMB1_NEG_FORM_NT) {
			c->negotiate.server_security_mode = r.security_mode;
			c->negotiate.server_capabilities = r.capabilities;
			if (r.server_guid != NULL) {
				c->negotiate.has_server_guid = true;
				memcpy(c->negotiate.server_guid, r.server_guid, 16);
			}
			if (r.system_time != 0) {
				c->negotiate.has_server_time = true;
				c->negotiate.server_time = r.system_time;
			}
		}
	}
}

/* The called name, so that nbss.called_name_rejected names what the
 * server refused; the step's detail says it in the probe's words
 * ("called name FS1<20>"). */
static void
called_name_detail(struct ev_connection *c, struct ev_step *s, const uint8_t *p, size_t len)
{
	struct nbss_pdu pdu;
	struct sd_anomalies anom;
	char name[NBSS_NAME_CHARS + 1];

	memset(&anom, 0, sizeof(anom));
	if (nbss_decode(p, len, NBSS_TRANSPORT_NETBIOS, &pdu, &anom) != SD_OK)
		return;
	nbss_name_text(&pdu.request.called, name);
	snprintf(s->detail, sizeof(s->detail), "called name %s<%02X>", name, nbss_name_suffix(&pdu.request.called));
	ev_copy(c->called_name, sizeof(c->called_name), name);
	c->called_suffix = nbss_name_suffix(&pdu.request.called);
}

void
cap_smb_nbss_control(struct cap_analyzer *a, struct cap_flow *f, int di, const uint8_t *p, size_t len)
{
	struct cap_smbconn *sc = f->smb;
	struct ev_step *s;
	int si;

	if (p[0] == NBSS_SESSION_REQUEST) {
		cap_smb_learn_client(a, f, di);
		si = cap_smb_add_step(a, sc, SD_STEP_NBSS);
		if ((s = cap_smb_step_at(a, sc, si)) != NULL) {
			cap_smb_request_step(a, s, a->frame, 0, NULL);
			called_name_detail(cap_conn(a, sc), s, p, len);
		}
		return;
	}
	if (p[0] != NBSS_POSITIVE_RESPONSE && p[0] != NBSS_NEGATIVE_RESPONSE)
		return;
	s = ev_last_step(cap_conn(a, sc), SD_STEP_NBSS);
	/* On port 445 Samba refuses a client it does not allow (hosts deny)
	 * with a negative session response in answer to NEGOTIATE. */
	if ((s == NULL || s->outcome != EV_NOT_SENT) && p[0] == NBSS_NEGATIVE_RESPONSE)
		s = ev_last_step(cap_conn(a, sc), SD_STEP_NEGOTIATE);
	if (s == NULL || s->outcome != EV_NOT_SENT) {
		/* Nothing asked yet: smbd refuses a denied host on accept. */
		if (cap_nbss_refusal(p, len) && sc->refusal.n == 0) {
			sc->refusal.n = (uint8_t)(len < sizeof(sc->refusal.b) ? len : sizeof(sc->refusal.b));
			memcpy(sc->refusal.b, p, sc->refusal.n);
			sc->refusal.frame = a->frame;
			sc->refusal.at = cap_smb_now(a);
		}
		return;
	}
	cap_smb_answer_step(a, s, 0, NULL);
	if (p[0] == NBSS_NEGATIVE_RESPONSE) {
		s->outcome = EV_NBSS_REJECTED;
		s->status = len > NBSS_HEADER_SIZE ? p[NBSS_HEADER_SIZE] : 0;
	}
}
