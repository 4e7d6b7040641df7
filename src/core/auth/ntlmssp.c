#include "core/auth/ntlmssp.h"

#include <string.h>

static const uint8_t ntlm_signature[8] = {'N', 'T', 'L', 'M', 'S', 'S', 'P', 0};

const struct sd_flag_name ntlm_flag_names[] = {
	{NTLMSSP_NEGOTIATE_UNICODE, "negotiate_unicode"},
	{NTLMSSP_NEGOTIATE_OEM, "negotiate_oem"},
	{NTLMSSP_REQUEST_TARGET, "request_target"},
	{NTLMSSP_NEGOTIATE_SIGN, "negotiate_sign"},
	{NTLMSSP_NEGOTIATE_SEAL, "negotiate_seal"},
	{NTLMSSP_NEGOTIATE_DATAGRAM, "negotiate_datagram"},
	{NTLMSSP_NEGOTIATE_LM_KEY, "negotiate_lm_key"},
	{NTLMSSP_NEGOTIATE_NTLM, "negotiate_ntlm"},
	{NTLMSSP_NEGOTIATE_ANONYMOUS, "negotiate_anonymous"},
	{NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED, "negotiate_oem_domain_supplied"},
	{NTLMSSP_NEGOTIATE_OEM_WORKSTATION_SUPPLIED, "negotiate_oem_workstation_supplied"},
	{NTLMSSP_NEGOTIATE_ALWAYS_SIGN, "negotiate_always_sign"},
	{NTLMSSP_TARGET_TYPE_DOMAIN, "target_type_domain"},
	{NTLMSSP_TARGET_TYPE_SERVER, "target_type_server"},
	{NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY, "negotiate_extended_sessionsecurity"},
	{NTLMSSP_NEGOTIATE_IDENTIFY, "negotiate_identify"},
	{NTLMSSP_REQUEST_NON_NT_SESSION_KEY, "request_non_nt_session_key"},
	{NTLMSSP_NEGOTIATE_TARGET_INFO, "negotiate_target_info"},
	{NTLMSSP_NEGOTIATE_VERSION, "negotiate_version"},
	{NTLMSSP_NEGOTIATE_128, "negotiate_128"},
	{NTLMSSP_NEGOTIATE_KEY_EXCH, "negotiate_key_exch"},
	{NTLMSSP_NEGOTIATE_56, "negotiate_56"},
	{0, NULL},
};

const char *
ntlm_flag_name(uint32_t bit)
{
	const struct sd_flag_name *f;

	for (f = ntlm_flag_names; f->name; f++)
		if (f->bit == bit)
			return f->name;
	return NULL;
}

const char *
ntlm_av_name(uint16_t id)
{
	static const char *const names[] = {
		"MsvAvEOL", "MsvAvNbComputerName", "MsvAvNbDomainName", "MsvAvDnsComputerName",
		"MsvAvDnsDomainName", "MsvAvDnsTreeName", "MsvAvFlags", "MsvAvTimestamp",
		"MsvAvSingleHost", "MsvAvTargetName", "MsvAvChannelBindings",
	};

	return id < sizeof(names) / sizeof(names[0]) ? names[id] : NULL;
}

bool
ntlm_trail_sign_dropped(const struct ntlm_flag_trail *t)
{
	const uint8_t all = NTLM_SEEN_NEGOTIATE | NTLM_SEEN_CHALLENGE | NTLM_SEEN_AUTHENTICATE;

	return (t->seen & all) == all && (t->negotiate & NTLMSSP_NEGOTIATE_SIGN) &&
	       !(t->challenge & (NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL)) &&
	       (t->challenge & NTLMSSP_NEGOTIATE_KEY_EXCH) && !t->key_exchanged;
}

const char *
ntlm_response_kind_name(enum ntlm_response_kind kind)
{
	static const char *const names[] = {"none", "anonymous", "lm", "ntlmv1", "ntlmv1-ess", "ntlmv2",
					    "unknown"};

	return (unsigned)kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "unknown";
}

const struct ntlm_av_pair *
ntlm_av_find(const struct ntlm_av_list *list, uint16_t id)
{
	uint8_t i;

	for (i = 0; i < list->n; i++)
		if (list->av[i].id == id)
			return &list->av[i];
	return NULL;
}

static void
av_note(struct ntlm_av_list *out, uint16_t id, const uint8_t *v, uint16_t len)
{
	if (id == NTLM_AV_FLAGS && len == 4) {
		out->has_flags = true;
		out->flags = sd_load_u32le(v);
	} else if (id == NTLM_AV_TIMESTAMP && len == 8) {
		out->has_timestamp = true;
		out->timestamp = sd_load_u64le(v);
	} else if (id == NTLM_AV_TARGET_NAME) {
		out->target_name = v;
		out->target_name_len = len;
	} else if (id == NTLM_AV_CHANNEL_BINDINGS && len == 16) {
		out->channel_bindings = v;
	}
}

enum sd_err
ntlm_av_decode(const uint8_t *p, size_t len, struct ntlm_av_list *out, size_t *used,
	       struct sd_anomalies *anom, uint32_t base_offset)
{
	struct sd_rd r;
	uint16_t id, vlen;
	const uint8_t *v;

	memset(out, 0, sizeof(*out));
	*used = 0;
	sd_rd_init(&r, p, len);
	out->raw = p;
	while (sd_rd_left(&r) > 0) {
		size_t at = r.off;

		id = sd_rd_u16le(&r);
		vlen = sd_rd_u16le(&r);
		v = sd_rd_bytes(&r, vlen);
		if (!sd_rd_ok(&r))
			return SD_ERR_MALFORMED;
		if (id == NTLM_AV_EOL) {
			out->has_eol = true;
			if (vlen != 0)
				sd_anom_add(anom, SD_ANOM_LENGTH_MISMATCH, base_offset + (uint32_t)at, vlen);
			break;
		}
		av_note(out, id, v, vlen);
		if (out->n == NTLM_AV_MAX) {
			if (out->dropped == 0)
				sd_anom_add(anom, SD_ANOM_ITEMS_DROPPED, base_offset + (uint32_t)at, id);
			if (out->dropped < UINT8_MAX)
				out->dropped++;
			continue;
		}
		out->av[out->n].id = id;
		out->av[out->n].len = vlen;
		out->av[out->n].value = v;
		out->n++;
	}
	if (!out->has_eol)
		sd_anom_add(anom, SD_ANOM_LENGTH_MISMATCH, base_offset + (uint32_t)r.off, 0);
	out->raw_len = r.off;
	*used = r.off;
	return SD_OK;
}

enum sd_err
ntlm_message_type(const uint8_t *p, size_t len, uint32_t *type)
{
	*type = 0;
	if (len < 12)
		return len >= 8 && memcmp(p, ntlm_signature, 8) != 0 ? SD_ERR_PROTOCOL_ID : SD_ERR_TRUNCATED;
	if (memcmp(p, ntlm_signature, 8) != 0)
		return SD_ERR_PROTOCOL_ID;
	*type = sd_load_u32le(p + 8);
	return SD_OK;
}

/* Reads Len / MaxLen / Offset at the reader's position and checks that the
 * bytes lie inside the message. */
static enum sd_err
read_field(struct sd_rd *r, struct ntlm_field *f, struct sd_anomalies *anom)
{
	size_t at = r->off;

	f->len = sd_rd_u16le(r);
	f->max_len = sd_rd_u16le(r);
	f->offset = sd_rd_u32le(r);
	f->p = NULL;
	if (!sd_rd_ok(r))
		return r->err;
	if (f->max_len != f->len)
		sd_anom_add(anom, SD_ANOM_LENGTH_MISMATCH, (uint32_t)at, f->max_len);
	if (f->len == 0)
		return SD_OK;
	if (!sd_range_ok(r->len, f->offset, f->len))
		return SD_ERR_BAD_OFFSET;
	f->p = r->p + f->offset;
	return SD_OK;
}

/* Where the payload starts: the smallest offset of a non-empty field, or
 * the message length when every field is empty. */
static size_t
payload_start(const struct ntlm_field *const *fields, size_t n, size_t msg_len)
{
	size_t start = msg_len, i;

	for (i = 0; i < n; i++)
		if (fields[i]->len > 0 && fields[i]->offset < start)
			start = fields[i]->offset;
	return start;
}

/* The Version sits right after the fixed part when the flag says so and
 * the payload leaves room for it. */
static void
read_version(const uint8_t *p, size_t len, size_t at, size_t payload, uint32_t flags,
	     struct ntlm_version *v)
{
	memset(v, 0, sizeof(*v));
	if (!(flags & NTLMSSP_NEGOTIATE_VERSION) || payload < at + NTLM_VERSION_LEN || len < at + NTLM_VERSION_LEN)
		return;
	v->present = true;
	v->major = p[at];
	v->minor = p[at + 1];
	v->build = sd_load_u16le(p + at + 2);
	v->revision = p[at + 7];
}

static void
check_overlap(size_t payload, size_t fixed, struct sd_anomalies *anom)
{
	if (payload < fixed)
		sd_anom_add(anom, SD_ANOM_OVERLAP, (uint32_t)payload, (uint32_t)fixed);
}

static enum sd_err
check_header(const uint8_t *p, size_t len, uint32_t want, size_t fixed)
{
	uint32_t type;
	enum sd_err err = ntlm_message_type(p, len, &type);

	if (err != SD_OK)
		return err;
	if (type != want)
		return SD_ERR_PROTOCOL_ID;
	return len < fixed ? SD_ERR_TRUNCATED : SD_OK;
}

enum sd_err
ntlm_decode_negotiate(const uint8_t *p, size_t len, struct ntlm_negotiate *out)
{
	const struct ntlm_field *fields[] = {&out->domain, &out->workstation};
	struct sd_rd r;
	enum sd_err err;
	size_t payload;

	memset(out, 0, sizeof(*out));
	err = check_header(p, len, NTLM_NEGOTIATE, 16);
	if (err != SD_OK)
		return err;
	sd_rd_init(&r, p, len);
	sd_rd_skip(&r, 12);
	out->flags = sd_rd_u32le(&r);
	/* Very old clients stop after the flags; the name fields are then
	 * simply absent. */
	if (len >= NTLM_NEGOTIATE_FIXED) {
		if ((err = read_field(&r, &out->domain, &out->anom)) != SD_OK ||
		    (err = read_field(&r, &out->workstation, &out->anom)) != SD_OK)
			return err;
	}
	payload = payload_start(fields, 2, len);
	check_overlap(payload, NTLM_NEGOTIATE_FIXED, &out->anom);
	read_version(p, len, NTLM_NEGOTIATE_FIXED, payload, out->flags, &out->version);
	return SD_OK;
}

enum sd_err
ntlm_decode_challenge(const uint8_t *p, size_t len, struct ntlm_challenge *out)
{
	const struct ntlm_field *fields[] = {&out->target_name, &out->target_info};
	struct sd_rd r;
	enum sd_err err;
	size_t payload, used;

	memset(out, 0, sizeof(*out));
	err = check_header(p, len, NTLM_CHALLENGE, NTLM_CHALLENGE_FIXED);
	if (err != SD_OK)
		return err;
	sd_rd_init(&r, p, len);
	sd_rd_skip(&r, 12);
	if ((err = read_field(&r, &out->target_name, &out->anom)) != SD_OK)
		return err;
	out->flags = sd_rd_u32le(&r);
	sd_rd_copy(&r, out->server_challenge, 8);
	out->reserved = sd_rd_u64le(&r);
	if (out->reserved)
		sd_anom_add(&out->anom, SD_ANOM_RESERVED_NONZERO, 32, 0);
	if ((err = read_field(&r, &out->target_info, &out->anom)) != SD_OK)
		return err;
	payload = payload_start(fields, 2, len);
	check_overlap(payload, NTLM_CHALLENGE_FIXED, &out->anom);
	read_version(p, len, NTLM_CHALLENGE_FIXED, payload, out->flags, &out->version);
	if (out->target_info.len == 0)
		return SD_OK;
	err = ntlm_av_decode(out->target_info.p, out->target_info.len, &out->av, &used, &out->anom,
			     out->target_info.offset);
	if (err == SD_OK && used < out->target_info.len)
		sd_anom_add(&out->anom, SD_ANOM_TRAILING_BYTES, out->target_info.offset + (uint32_t)used,
			    (uint32_t)(out->target_info.len - used));
	return err;
}

static bool
all_zero(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* NTLMv2_RESPONSE = NTProofStr(16) || RespType(1) HiRespType(1) Z(6)
 * TimeStamp(8) ChallengeFromClient(8) Z(4) AvPairs, then the Z(4) the
 * computation appends (and any padding), which must be zeros. */
static void
split_ntlmv2(struct ntlm_authenticate *a)
{
	struct ntlmv2_response *v2 = &a->v2;
	const uint8_t *nt = a->nt_response.p;
	uint32_t base = a->nt_response.offset;
	size_t used = 0;

	v2->nt_proof_str = nt;
	v2->blob = nt + 16;
	v2->blob_len = a->nt_response.len - 16u;
	v2->resp_type = v2->blob[0];
	v2->hi_resp_type = v2->blob[1];
	if (!all_zero(v2->blob + 2, 6))
		sd_anom_add(&a->anom, SD_ANOM_RESERVED_NONZERO, base + 18, 0);
	v2->timestamp = sd_load_u64le(v2->blob + 8);
	v2->client_challenge = v2->blob + 16;
	if (!all_zero(v2->blob + 24, 4))
		sd_anom_add(&a->anom, SD_ANOM_RESERVED_NONZERO, base + 40, 0);
	if (ntlm_av_decode(v2->blob + 28, v2->blob_len - 28, &v2->av, &used, &a->anom, base + 44) != SD_OK) {
		sd_anom_add(&a->anom, SD_ANOM_LENGTH_MISMATCH, base + 44, (uint32_t)(v2->blob_len - 28));
		return;
	}
	if (!all_zero(v2->blob + 28 + used, v2->blob_len - 28 - used))
		sd_anom_add(&a->anom, SD_ANOM_PADDING_NONZERO, base + 44 + (uint32_t)used, 0);
}

void
ntlm_classify_responses(struct ntlm_authenticate *a)
{
	const struct ntlm_field *lm = &a->lm_response, *nt = &a->nt_response;

	memset(&a->v2, 0, sizeof(a->v2));
	if (nt->len == 0) {
		if (lm->len == 0 || (lm->len == 1 && lm->p[0] == 0))
			a->kind = NTLM_RESP_ANONYMOUS;
		else
			a->kind = lm->len == 24 ? NTLM_RESP_LM_ONLY : NTLM_RESP_UNKNOWN;
	} else if (nt->len == 24) {
		a->kind = (a->flags & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY) && lm->len == 24 &&
				  all_zero(lm->p + 8, 16)
			  ? NTLM_RESP_NTLMV1_ESS
			  : NTLM_RESP_NTLMV1;
	} else if (nt->len >= 16 + 28 && nt->p[16] == 1) {
		a->kind = NTLM_RESP_NTLMV2;
		split_ntlmv2(a);
	} else {
		a->kind = NTLM_RESP_UNKNOWN;
	}
}

enum sd_err
ntlm_decode_authenticate(const uint8_t *p, size_t len, struct ntlm_authenticate *out)
{
	struct ntlm_field *fields[] = {&out->lm_response, &out->nt_response, &out->domain,
				       &out->user, &out->workstation, &out->session_key};
	struct sd_rd r;
	enum sd_err err;
	size_t payload, i;

	memset(out, 0, sizeof(*out));
	err = check_header(p, len, NTLM_AUTHENTICATE, NTLM_AUTHENTICATE_FIXED);
	if (err != SD_OK)
		return err;
	out->raw = p;
	out->raw_len = len;
	sd_rd_init(&r, p, len);
	sd_rd_skip(&r, 12);
	for (i = 0; i < 6; i++)
		if ((err = read_field(&r, fields[i], &out->anom)) != SD_OK)
			return err;
	out->flags = sd_rd_u32le(&r);
	payload = payload_start((const struct ntlm_field *const *)fields, 6, len);
	check_overlap(payload, NTLM_AUTHENTICATE_FIXED, &out->anom);
	read_version(p, len, NTLM_AUTHENTICATE_FIXED, payload, out->flags, &out->version);
	if (payload >= NTLM_MIC_OFFSET + NTLM_MIC_LEN && len >= NTLM_MIC_OFFSET + NTLM_MIC_LEN) {
		out->has_mic = true;
		out->mic = p + NTLM_MIC_OFFSET;
	}
	ntlm_classify_responses(out);
	out->mic_announced = out->v2.av.has_flags && (out->v2.av.flags & NTLM_AVFLAG_MIC_PRESENT);
	if (out->mic_announced && !out->has_mic)
		sd_anom_add(&out->anom, SD_ANOM_LENGTH_MISMATCH, NTLM_MIC_OFFSET, (uint32_t)payload);
	return SD_OK;
}

/* --- encoders --- */

static void
wr_header(struct sd_wr *w, uint32_t type)
{
	sd_wr_bytes(w, ntlm_signature, sizeof(ntlm_signature));
	sd_wr_u32le(w, type);
}

/* Writes a field descriptor for len bytes at *next and advances *next. */
static void
wr_desc(struct sd_wr *w, uint16_t len, uint32_t *next)
{
	sd_wr_u16le(w, len);
	sd_wr_u16le(w, len);
	sd_wr_u32le(w, *next);
	*next += len;
}

static void
wr_version(struct sd_wr *w, const struct ntlm_version *v)
{
	sd_wr_u8(w, v->major);
	sd_wr_u8(w, v->minor);
	sd_wr_u16le(w, v->build);
	sd_wr_zero(w, 3);
	sd_wr_u8(w, v->revision);
}

static void
wr_payload(struct sd_wr *w, const struct ntlm_field *f)
{
	if (f->len)
		sd_wr_bytes(w, f->p, f->len);
}

enum sd_err
ntlm_encode_negotiate(struct sd_wr *w, const struct ntlm_negotiate *in)
{
	uint32_t next = NTLM_NEGOTIATE_FIXED + (in->version.present ? NTLM_VERSION_LEN : 0);

	wr_header(w, NTLM_NEGOTIATE);
	sd_wr_u32le(w, in->flags);
	wr_desc(w, in->domain.len, &next);
	wr_desc(w, in->workstation.len, &next);
	if (in->version.present)
		wr_version(w, &in->version);
	wr_payload(w, &in->domain);
	wr_payload(w, &in->workstation);
	return w->err;
}

enum sd_err
ntlm_encode_challenge(struct sd_wr *w, const struct ntlm_challenge *in)
{
	uint32_t next = NTLM_CHALLENGE_FIXED + (in->version.present ? NTLM_VERSION_LEN : 0);

	wr_header(w, NTLM_CHALLENGE);
	wr_desc(w, in->target_name.len, &next);
	sd_wr_u32le(w, in->flags);
	sd_wr_bytes(w, in->server_challenge, 8);
	sd_wr_u64le(w, in->reserved);
	wr_desc(w, in->target_info.len, &next);
	if (in->version.present)
		wr_version(w, &in->version);
	wr_payload(w, &in->target_name);
	wr_payload(w, &in->target_info);
	return w->err;
}

enum sd_err
ntlm_encode_authenticate(struct sd_wr *w, const struct ntlm_authenticate *in, bool with_mic)
{
	uint32_t next = NTLM_AUTHENTICATE_FIXED;
	uint32_t off_lm, off_nt, off_dom, off_user, off_ws, off_key;

	if (with_mic)
		next = NTLM_MIC_OFFSET + NTLM_MIC_LEN;
	else if (in->version.present)
		next = NTLM_MIC_OFFSET;
	/* Payload order: domain, user, workstation, LM, NT, key. */
	off_dom = next;
	off_user = off_dom + in->domain.len;
	off_ws = off_user + in->user.len;
	off_lm = off_ws + in->workstation.len;
	off_nt = off_lm + in->lm_response.len;
	off_key = off_nt + in->nt_response.len;
	wr_header(w, NTLM_AUTHENTICATE);
	wr_desc(w, in->lm_response.len, &off_lm);
	wr_desc(w, in->nt_response.len, &off_nt);
	wr_desc(w, in->domain.len, &off_dom);
	wr_desc(w, in->user.len, &off_user);
	wr_desc(w, in->workstation.len, &off_ws);
	wr_desc(w, in->session_key.len, &off_key);
	sd_wr_u32le(w, in->flags);
	if (in->version.present || with_mic)
		wr_version(w, &in->version);
	if (with_mic) {
		if (in->mic)
			sd_wr_bytes(w, in->mic, NTLM_MIC_LEN);
		else
			sd_wr_zero(w, NTLM_MIC_LEN);
	}
	wr_payload(w, &in->domain);
	wr_payload(w, &in->user);
	wr_payload(w, &in->workstation);
	wr_payload(w, &in->lm_response);
	wr_payload(w, &in->nt_response);
	wr_payload(w, &in->session_key);
	return w->err;
}

void
ntlm_encode_av_pair(struct sd_wr *w, uint16_t id, const void *value, uint16_t len)
{
	sd_wr_u16le(w, id);
	sd_wr_u16le(w, len);
	if (len)
		sd_wr_bytes(w, value, len);
}
