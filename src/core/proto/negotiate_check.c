/* MS-SMB2 3.2.5.2: the checks a client applies to a NEGOTIATE answer
 * before it goes on (failure catalog C2, C3 and C6). */
#include "core/proto/negotiate_check.h"

#include <string.h>

#include "core/wire/smb2_const.h"

static void
copy_ids(struct smb2_offer_ids *dst, const uint16_t *ids, uint8_t n)
{
	dst->sent = true;
	dst->n = n < SMB2_NEGCTX_MAX_IDS ? n : SMB2_NEGCTX_MAX_IDS;
	memcpy(dst->ids, ids, dst->n * sizeof(ids[0]));
}

void
smb2_negotiate_offer_from_req(struct smb2_negotiate_offer *o, const struct smb2_negotiate_req *q)
{
	uint8_t i;

	memset(o, 0, sizeof(*o));
	o->n_dialects = q->n_dialects < SMB2_MAX_DIALECTS ? q->n_dialects : SMB2_MAX_DIALECTS;
	memcpy(o->dialects, q->dialects, o->n_dialects * sizeof(q->dialects[0]));
	for (i = 0; i < q->ctx.n; i++) {
		const struct smb2_negctx *c = &q->ctx.ctx[i];

		if (!c->known)
			continue;
		switch (c->type) {
		case SMB2_PREAUTH_INTEGRITY_CAPABILITIES:
			if (!o->hashes.sent)
				copy_ids(&o->hashes, c->u.preauth.hash_ids, c->u.preauth.n_hash_ids);
			break;
		case SMB2_ENCRYPTION_CAPABILITIES:
			if (!o->ciphers.sent)
				copy_ids(&o->ciphers, c->u.encryption.ids, c->u.encryption.n_ids);
			break;
		case SMB2_SIGNING_CAPABILITIES:
			if (!o->signing.sent)
				copy_ids(&o->signing, c->u.signing.ids, c->u.signing.n_ids);
			break;
		case SMB2_COMPRESSION_CAPABILITIES:
			if (!o->compression.sent)
				copy_ids(&o->compression, c->u.compression.algs, c->u.compression.n_algs);
			break;
		case SMB2_RDMA_TRANSFORM_CAPABILITIES:
			if (!o->rdma.sent)
				copy_ids(&o->rdma, c->u.rdma.ids, c->u.rdma.n_ids);
			break;
		default:
			break;
		}
	}
}

void
smb2_negotiate_offer_from_smb1(struct smb2_negotiate_offer *o, bool smb2_002, bool smb2_wildcard)
{
	memset(o, 0, sizeof(*o));
	o->smb1 = true;
	if (smb2_002)
		o->dialects[o->n_dialects++] = SMB2_DIALECT_202;
	if (smb2_wildcard)
		o->dialects[o->n_dialects++] = SMB2_DIALECT_WILDCARD;
}

static void
add(struct smb2_negfaults *out, enum smb2_negfault_code code, uint16_t context, uint32_t value)
{
	if (out->n < SMB2_NEGFAULTS_MAX)
		out->f[out->n++] = (struct smb2_negfault){.code = (uint8_t)code, .context = context, .value = value};
}

static bool
has_id(const uint16_t *ids, uint8_t n, uint16_t id)
{
	uint8_t i;

	for (i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

static const struct smb2_negctx *
first_of(const struct smb2_negctx_list *l, uint16_t type, unsigned *times)
{
	const struct smb2_negctx *first = NULL;
	uint8_t i;

	*times = 0;
	for (i = 0; i < l->n; i++) {
		if (l->ctx[i].type != type)
			continue;
		if (first == NULL)
			first = &l->ctx[i];
		++*times;
	}
	return first;
}

/* A list that must name exactly one id the client offered (0 allowed for
 * the cipher: no common cipher). */
static void
check_single(struct smb2_negfaults *out, uint16_t type, uint16_t count, const uint16_t *ids, uint8_t n,
	     const struct smb2_offer_ids *offered, bool zero_ok)
{
	if (count != 1) {
		add(out, SMB2_NEGFAULT_ID_COUNT, type, count);
		return;
	}
	if (n == 1 && !(zero_ok && ids[0] == 0) && !has_id(offered->ids, offered->n, ids[0]))
		add(out, SMB2_NEGFAULT_ID_NOT_OFFERED, type, ids[0]);
}

/* Every id in the list must have been offered. */
static void
check_subset(struct smb2_negfaults *out, uint16_t type, const uint16_t *ids, uint8_t n,
	     const struct smb2_offer_ids *offered)
{
	uint8_t i;

	for (i = 0; i < n; i++) {
		if (!has_id(offered->ids, offered->n, ids[i])) {
			add(out, SMB2_NEGFAULT_ID_NOT_OFFERED, type, ids[i]);
			return;
		}
	}
}

/* A context the answer may carry at most once (preauth: exactly once).
 * What it chose is checked only against a context the client sent. */
static void
check_contexts(const struct smb2_negotiate_offer *o, const struct smb2_negctx_list *l, struct smb2_negfaults *out)
{
	static const uint16_t at_most_once[] = {
		SMB2_ENCRYPTION_CAPABILITIES, SMB2_SIGNING_CAPABILITIES, SMB2_COMPRESSION_CAPABILITIES,
		SMB2_RDMA_TRANSFORM_CAPABILITIES, SMB2_TRANSPORT_CAPABILITIES,
	};
	const struct smb2_negctx *c;
	unsigned times, i;

	c = first_of(l, SMB2_PREAUTH_INTEGRITY_CAPABILITIES, &times);
	if (times != 1)
		add(out, SMB2_NEGFAULT_CONTEXT_COUNT, SMB2_PREAUTH_INTEGRITY_CAPABILITIES, times);
	else if (c->known && o->hashes.sent)
		check_single(out, c->type, c->u.preauth.hash_count, c->u.preauth.hash_ids, c->u.preauth.n_hash_ids,
			     &o->hashes, false);
	for (i = 0; i < sizeof(at_most_once) / sizeof(at_most_once[0]); i++) {
		c = first_of(l, at_most_once[i], &times);
		if (times > 1)
			add(out, SMB2_NEGFAULT_CONTEXT_COUNT, at_most_once[i], times);
		if (c == NULL || !c->known)
			continue;
		switch (c->type) {
		case SMB2_ENCRYPTION_CAPABILITIES:
			if (o->ciphers.sent)
				check_single(out, c->type, c->u.encryption.count, c->u.encryption.ids,
					     c->u.encryption.n_ids, &o->ciphers, true);
			break;
		case SMB2_SIGNING_CAPABILITIES:
			if (o->signing.sent)
				check_single(out, c->type, c->u.signing.count, c->u.signing.ids, c->u.signing.n_ids,
					     &o->signing, false);
			break;
		case SMB2_COMPRESSION_CAPABILITIES:
			if (!o->compression.sent)
				break;
			if (c->u.compression.count == 0)
				add(out, SMB2_NEGFAULT_ID_COUNT, c->type, 0);
			check_subset(out, c->type, c->u.compression.algs, c->u.compression.n_algs, &o->compression);
			break;
		case SMB2_RDMA_TRANSFORM_CAPABILITIES:
			if (o->rdma.sent)
				check_subset(out, c->type, c->u.rdma.ids, c->u.rdma.n_ids, &o->rdma);
			break;
		default:
			break;
		}
	}
}

void
smb2_negotiate_check(const struct smb2_negotiate_offer *o, const struct smb2_negotiate_rsp *r,
		     struct smb2_negfaults *out)
{
	memset(out, 0, sizeof(*out));
	/* 0x02FF only asks for an SMB2 NEGOTIATE: the real answer follows. */
	if (r->dialect == SMB2_DIALECT_WILDCARD)
		return;
	if (!has_id(o->dialects, o->n_dialects, r->dialect)) {
		add(out, SMB2_NEGFAULT_DIALECT, 0, r->dialect);
		return;  /* the rest is read by the rules of a dialect nobody agreed on */
	}
	if (r->max_transact_size < SMB2_MIN_MAX_SIZE)
		add(out, SMB2_NEGFAULT_MAX_TRANSACT, 0, r->max_transact_size);
	if (r->max_read_size < SMB2_MIN_MAX_SIZE)
		add(out, SMB2_NEGFAULT_MAX_READ, 0, r->max_read_size);
	if (r->max_write_size < SMB2_MIN_MAX_SIZE)
		add(out, SMB2_NEGFAULT_MAX_WRITE, 0, r->max_write_size);
	if (r->dialect == SMB2_DIALECT_311)
		check_contexts(o, &r->ctx, out);
}
