#include "core/wire/nbss.h"

#include <string.h>

/* First-level encoding turns each byte into two letters 'A' + nibble, so
 * the 16-byte name always takes 32 bytes. */
#define NBSS_ENCODED_LABEL_LEN 32

static bool
nbss_type_known(uint8_t type)
{
	switch (type) {
	case NBSS_SESSION_MESSAGE:
	case NBSS_SESSION_REQUEST:
	case NBSS_POSITIVE_RESPONSE:
	case NBSS_NEGATIVE_RESPONSE:
	case NBSS_RETARGET_RESPONSE:
	case NBSS_KEEP_ALIVE:
		return true;
	default:
		return false;
	}
}

const char *
nbss_type_name(uint8_t type)
{
	switch (type) {
	case NBSS_SESSION_MESSAGE:
		return "SESSION_MESSAGE";
	case NBSS_SESSION_REQUEST:
		return "SESSION_REQUEST";
	case NBSS_POSITIVE_RESPONSE:
		return "POSITIVE_SESSION_RESPONSE";
	case NBSS_NEGATIVE_RESPONSE:
		return "NEGATIVE_SESSION_RESPONSE";
	case NBSS_RETARGET_RESPONSE:
		return "RETARGET_SESSION_RESPONSE";
	case NBSS_KEEP_ALIVE:
		return "SESSION_KEEP_ALIVE";
	default:
		return NULL;
	}
}

enum sd_err
nbss_header_decode(const uint8_t *p, size_t len, enum nbss_transport transport, struct nbss_header *hdr,
		   struct sd_anomalies *anom)
{
	struct sd_rd r;

	sd_rd_init(&r, p, len);
	memset(hdr, 0, sizeof(*hdr));
	hdr->type = sd_rd_u8(&r);
	if (transport == NBSS_TRANSPORT_DIRECT) {
		hdr->length = sd_rd_u24be(&r);
		if (!sd_rd_ok(&r))
			return r.err;
		/* Port 445 carries SMB messages; Samba also sends keep-alives
		 * there, and a negative session response when it refuses the
		 * client (hosts allow / hosts deny). */
		if (hdr->type != NBSS_SESSION_MESSAGE && hdr->type != NBSS_KEEP_ALIVE &&
		    hdr->type != NBSS_NEGATIVE_RESPONSE)
			return SD_ERR_MALFORMED;
		return SD_OK;
	}
	hdr->flags = sd_rd_u8(&r);
	hdr->length = sd_rd_u16be(&r);
	if (!sd_rd_ok(&r))
		return r.err;
	if (!nbss_type_known(hdr->type))
		return SD_ERR_MALFORMED;
	if (hdr->flags & NBSS_FLAG_LENGTH_EXT)
		hdr->length |= 0x10000u;
	if (hdr->flags & ~NBSS_FLAG_LENGTH_EXT)
		sd_anom_add(anom, SD_ANOM_RESERVED_NONZERO, 1, hdr->flags);
	return SD_OK;
}

enum sd_err
nbss_frame_length(const uint8_t *p, size_t len, enum nbss_transport transport, size_t max_pdu,
		  size_t *pdu_len)
{
	struct nbss_header hdr;
	enum sd_err err;
	size_t total;

	*pdu_len = 0;
	if (len < NBSS_HEADER_SIZE)
		return SD_ERR_TRUNCATED;
	err = nbss_header_decode(p, NBSS_HEADER_SIZE, transport, &hdr, NULL);
	if (err != SD_OK)
		return err;
	total = NBSS_HEADER_SIZE + (size_t)hdr.length;
	*pdu_len = total;
	if (max_pdu != 0 && total > max_pdu)
		return SD_ERR_LIMIT;
	if (len < total)
		return SD_ERR_TRUNCATED;
	return SD_OK;
}

static int
nbss_half_letter(uint8_t c)
{
	return c >= 'A' && c <= 'P' ? c - 'A' : -1;
}

/* Reads the 32-letter first label into name[]. */
static enum sd_err
nbss_first_label_decode(struct sd_rd *r, uint8_t name[NBSS_NAME_LEN])
{
	const uint8_t *letters;
	int hi, lo;
	size_t i;

	if (sd_rd_u8(r) != NBSS_ENCODED_LABEL_LEN)
		return sd_rd_ok(r) ? SD_ERR_MALFORMED : r->err;
	letters = sd_rd_bytes(r, NBSS_ENCODED_LABEL_LEN);
	if (letters == NULL)
		return r->err;
	for (i = 0; i < NBSS_NAME_LEN; i++) {
		hi = nbss_half_letter(letters[2 * i]);
		lo = nbss_half_letter(letters[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return SD_ERR_MALFORMED;
		name[i] = (uint8_t)(hi << 4 | lo);
	}
	return SD_OK;
}

enum sd_err
nbss_name_decode(struct sd_rd *r, struct nbss_name *name)
{
	size_t scope_start, encoded_len;
	enum sd_err err;
	uint8_t label;

	memset(name, 0, sizeof(*name));
	err = nbss_first_label_decode(r, name->name);
	if (err != SD_OK)
		return err;
	scope_start = r->off;
	encoded_len = 1 + NBSS_ENCODED_LABEL_LEN;
	for (;;) {
		label = sd_rd_u8(r);
		if (!sd_rd_ok(r))
			return r->err;
		encoded_len += 1 + (size_t)label;
		if (label == 0)
			break;
		/* The two top bits mark a label pointer (or a reserved form):
		 * the session service never compresses names. */
		if (label & 0xC0)
			return SD_ERR_MALFORMED;
		if (encoded_len > NBSS_ENCODED_NAME_MAX)
			return SD_ERR_MALFORMED;
		sd_rd_skip(r, label);
		if (!sd_rd_ok(r))
			return r->err;
	}
	if (encoded_len > NBSS_ENCODED_NAME_MAX)
		return SD_ERR_MALFORMED;
	if (r->off - scope_start > 1) {
		name->scope = r->p + scope_start;
		name->scope_len = r->off - scope_start - 1;
	}
	return SD_OK;
}

static char
nbss_printable(uint8_t c, char replacement)
{
	return c >= 0x20 && c < 0x7F ? (char)c : replacement;
}

void
nbss_name_text(const struct nbss_name *name, char out[NBSS_NAME_CHARS + 1])
{
	size_t n = NBSS_NAME_CHARS;
	size_t i;

	while (n > 0 && name->name[n - 1] == ' ')
		n--;
	for (i = 0; i < n; i++)
		out[i] = nbss_printable(name->name[i], '.');
	out[n] = '\0';
}

enum sd_err
nbss_scope_text(const struct nbss_name *name, char *out, size_t cap)
{
	size_t in = 0, n = 0, label, i;

	if (cap == 0)
		return SD_ERR_NO_SPACE;
	out[0] = '\0';
	while (in < name->scope_len) {
		label = name->scope[in++];
		if (label > name->scope_len - in)
			return SD_ERR_MALFORMED;
		/* label bytes, plus a dot before all but the first, plus the NUL */
		if (n + label + (n > 0) + 1 > cap) {
			out[0] = '\0';
			return SD_ERR_NO_SPACE;
		}
		if (n > 0)
			out[n++] = '.';
		for (i = 0; i < label; i++)
			out[n++] = nbss_printable(name->scope[in + i], '?');
		in += label;
	}
	out[n] = '\0';
	return SD_OK;
}

/* Checks text and scope and returns the encoded size in *encoded_len. */
static enum sd_err
nbss_name_encoded_len(const char *text, const char *scope, size_t *encoded_len)
{
	size_t text_len = text ? strlen(text) : 0;
	size_t total = 1 + NBSS_ENCODED_LABEL_LEN + 1;
	size_t label;
	const char *dot;

	if (text_len == 0 || text_len > NBSS_NAME_CHARS)
		return SD_ERR_INVALID_ARG;
	while (scope != NULL && *scope != '\0') {
		dot = strchr(scope, '.');
		label = dot ? (size_t)(dot - scope) : strlen(scope);
		if (label == 0 || label > NBSS_LABEL_MAX)
			return SD_ERR_INVALID_ARG;
		total += 1 + label;
		if (total > NBSS_ENCODED_NAME_MAX)
			return SD_ERR_INVALID_ARG;
		scope = dot ? dot + 1 : scope + label;
		if (dot != NULL && *scope == '\0')
			return SD_ERR_INVALID_ARG;
	}
	*encoded_len = total;
	return SD_OK;
}

enum sd_err
nbss_name_encode(struct sd_wr *w, const char *text, uint8_t suffix, const char *scope)
{
	uint8_t raw[NBSS_NAME_LEN];
	size_t encoded_len, text_len, i, label;
	const char *dot;
	enum sd_err err;

	err = nbss_name_encoded_len(text, scope, &encoded_len);
	if (err != SD_OK)
		return err;
	text_len = strlen(text);
	/* RFC 1001 14.1: the wildcard name "*" is padded with zeros, every
	 * other name with spaces. */
	memset(raw, strcmp(text, "*") == 0 ? 0x00 : ' ', sizeof(raw));
	for (i = 0; i < text_len; i++)
		raw[i] = (uint8_t)(text[i] >= 'a' && text[i] <= 'z' ? text[i] - 'a' + 'A' : text[i]);
	raw[NBSS_NAME_LEN - 1] = suffix;
	sd_wr_u8(w, NBSS_ENCODED_LABEL_LEN);
	for (i = 0; i < NBSS_NAME_LEN; i++) {
		sd_wr_u8(w, (uint8_t)('A' + (raw[i] >> 4)));
		sd_wr_u8(w, (uint8_t)('A' + (raw[i] & 0x0F)));
	}
	while (scope != NULL && *scope != '\0') {
		dot = strchr(scope, '.');
		label = dot ? (size_t)(dot - scope) : strlen(scope);
		sd_wr_u8(w, (uint8_t)label);
		sd_wr_bytes(w, scope, label);
		scope = dot ? dot + 1 : scope + label;
	}
	sd_wr_u8(w, 0);
	return w->err;
}

enum sd_err
nbss_header_encode(struct sd_wr *w, enum nbss_transport transport, uint8_t type, uint32_t length)
{
	if (transport == NBSS_TRANSPORT_DIRECT) {
		if (length > NBSS_MAX_LENGTH_DIRECT)
			return SD_ERR_INVALID_ARG;
		if (type != NBSS_SESSION_MESSAGE && type != NBSS_KEEP_ALIVE)
			return SD_ERR_INVALID_ARG;
		sd_wr_u8(w, type);
		sd_wr_u24be(w, length);
		return w->err;
	}
	if (length > NBSS_MAX_LENGTH_NETBIOS || !nbss_type_known(type))
		return SD_ERR_INVALID_ARG;
	sd_wr_u8(w, type);
	sd_wr_u8(w, length > 0xFFFF ? NBSS_FLAG_LENGTH_EXT : 0);
	sd_wr_u16be(w, (uint16_t)length);
	return w->err;
}

enum sd_err
nbss_session_request_encode(struct sd_wr *w, const char *called, uint8_t called_suffix, const char *calling,
			    uint8_t calling_suffix, const char *scope)
{
	size_t called_len, calling_len;
	enum sd_err err;

	err = nbss_name_encoded_len(called, scope, &called_len);
	if (err == SD_OK)
		err = nbss_name_encoded_len(calling, scope, &calling_len);
	if (err != SD_OK)
		return err;
	err = nbss_header_encode(w, NBSS_TRANSPORT_NETBIOS, NBSS_SESSION_REQUEST,
				 (uint32_t)(called_len + calling_len));
	if (err == SD_OK)
		err = nbss_name_encode(w, called, called_suffix, scope);
	if (err == SD_OK)
		err = nbss_name_encode(w, calling, calling_suffix, scope);
	return err;
}

enum sd_err
nbss_positive_response_encode(struct sd_wr *w)
{
	return nbss_header_encode(w, NBSS_TRANSPORT_NETBIOS, NBSS_POSITIVE_RESPONSE, 0);
}

enum sd_err
nbss_negative_response_encode(struct sd_wr *w, uint8_t error_code)
{
	if (nbss_header_encode(w, NBSS_TRANSPORT_NETBIOS, NBSS_NEGATIVE_RESPONSE, 1) == SD_OK)
		sd_wr_u8(w, error_code);
	return w->err;
}

enum sd_err
nbss_retarget_response_encode(struct sd_wr *w, uint32_t ip, uint16_t port)
{
	if (nbss_header_encode(w, NBSS_TRANSPORT_NETBIOS, NBSS_RETARGET_RESPONSE, 6) == SD_OK) {
		sd_wr_u32be(w, ip);
		sd_wr_u16be(w, port);
	}
	return w->err;
}

enum sd_err
nbss_keep_alive_encode(struct sd_wr *w, enum nbss_transport transport)
{
	return nbss_header_encode(w, transport, NBSS_KEEP_ALIVE, 0);
}

/* Fixed-size bodies: a shorter one cannot be read, a longer one is noted. */
static enum sd_err
nbss_body_size_check(const struct sd_rd *body, size_t need, struct sd_anomalies *anom)
{
	if (body->len < need)
		return SD_ERR_MALFORMED;
	if (body->len > need)
		sd_anom_add(anom, SD_ANOM_LENGTH_MISMATCH, NBSS_HEADER_SIZE, (uint32_t)body->len);
	return SD_OK;
}

static enum sd_err
nbss_session_request_decode(struct sd_rd *body, struct nbss_session_request *req, struct sd_anomalies *anom)
{
	enum sd_err err;

	err = nbss_name_decode(body, &req->called);
	if (err == SD_OK)
		err = nbss_name_decode(body, &req->calling);
	/* The header's length delimits the body: running out is a bad body. */
	if (err == SD_ERR_TRUNCATED)
		return SD_ERR_MALFORMED;
	if (err != SD_OK)
		return err;
	if (sd_rd_left(body) > 0)
		sd_anom_add(anom, SD_ANOM_TRAILING_BYTES, (uint32_t)(NBSS_HEADER_SIZE + body->off),
			    (uint32_t)sd_rd_left(body));
	return SD_OK;
}

static enum sd_err
nbss_body_decode(struct sd_rd *body, struct nbss_pdu *pdu, struct sd_anomalies *anom)
{
	enum sd_err err;

	switch (pdu->hdr.type) {
	case NBSS_SESSION_MESSAGE:
		pdu->payload = body->p;
		pdu->payload_len = body->len;
		return SD_OK;
	case NBSS_SESSION_REQUEST:
		return nbss_session_request_decode(body, &pdu->request, anom);
	case NBSS_NEGATIVE_RESPONSE:
		err = nbss_body_size_check(body, 1, anom);
		if (err == SD_OK)
			pdu->error_code = sd_rd_u8(body);
		return err;
	case NBSS_RETARGET_RESPONSE:
		err = nbss_body_size_check(body, 6, anom);
		if (err == SD_OK) {
			pdu->retarget_ip = sd_rd_u32be(body);
			pdu->retarget_port = sd_rd_u16be(body);
		}
		return err;
	default: /* positive response, keep-alive: no body */
		return nbss_body_size_check(body, 0, anom);
	}
}

enum sd_err
nbss_decode(const uint8_t *p, size_t len, enum nbss_transport transport, struct nbss_pdu *pdu,
	    struct sd_anomalies *anom)
{
	struct sd_rd r, body;
	enum sd_err err;

	memset(pdu, 0, sizeof(*pdu));
	err = nbss_header_decode(p, len, transport, &pdu->hdr, anom);
	if (err != SD_OK)
		return err;
	sd_rd_init(&r, p, len);
	sd_rd_skip(&r, NBSS_HEADER_SIZE);
	body = sd_rd_sub(&r, pdu->hdr.length);
	if (!sd_rd_ok(&r))
		return r.err;
	err = nbss_body_decode(&body, pdu, anom);
	if (err != SD_OK)
		return err;
	if (sd_rd_left(&r) > 0)
		sd_anom_add(anom, SD_ANOM_TRAILING_BYTES, (uint32_t)r.off, (uint32_t)sd_rd_left(&r));
	return SD_OK;
}
