#include "capture/keytab.h"

#include <errno.h>
#include <krb5.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/auth/krb5enc.h"

struct keytab_key {
	krb5_principal principal;
	krb5_kvno kvno;
	krb5_keyblock key;
};

struct cap_keytab {
	krb5_context ctx;
	/* One key at a time goes in here for krb5_server_decrypt_ticket_keytab
	 * (the library's only public ticket decryption), so that we know
	 * which key (kvno) opened the ticket. */
	krb5_keytab trial;
	struct keytab_key *keys;
	size_t n;
	struct cap_krb_keysource source;
};

static void
say(char *errbuf, size_t errcap, krb5_context ctx, krb5_error_code code, const char *what, const char *path)
{
	const char *msg = code && ctx ? krb5_get_error_message(ctx, code) : NULL;

	snprintf(errbuf, errcap, "%s %s%s%s", what, path, msg ? ": " : "", msg ? msg : "");
	if (msg)
		krb5_free_error_message(ctx, msg);
}

static bool
keep_entry(struct cap_keytab *kt, krb5_keytab_entry *e)
{
	struct keytab_key *k;

	if (kt->n >= CAP_KEYTAB_MAX_ENTRIES || e->key.length > CAP_KRB_KEY_MAX)
		return true;
	k = &kt->keys[kt->n];
	memset(k, 0, sizeof(*k));
	if (krb5_copy_principal(kt->ctx, e->principal, &k->principal) != 0)
		return false;
	if (krb5_copy_keyblock_contents(kt->ctx, &e->key, &k->key) != 0) {
		krb5_free_principal(kt->ctx, k->principal);
		return false;
	}
	k->kvno = e->vno;
	kt->n++;
	return true;
}

static krb5_error_code
read_entries(struct cap_keytab *kt, krb5_keytab handle)
{
	krb5_kt_cursor cursor;
	krb5_keytab_entry e;
	krb5_error_code code;
	bool ok = true;

	code = krb5_kt_start_seq_get(kt->ctx, handle, &cursor);
	if (code)
		return code;
	while (ok && (code = krb5_kt_next_entry(kt->ctx, handle, &e, &cursor)) == 0) {
		ok = keep_entry(kt, &e);
		krb5_free_keytab_entry_contents(kt->ctx, &e);
	}
	krb5_kt_end_seq_get(kt->ctx, handle, &cursor);
	if (!ok)
		return ENOMEM;
	return code == KRB5_KT_END ? 0 : code;
}

static enum cap_krb_keys_result keytab_ap_req(void *ctx, const uint8_t *token, size_t len,
					      struct cap_krb_keys *keys);
static enum cap_krb_keys_result keytab_ap_rep(void *ctx, const uint8_t *token, size_t len,
					      struct cap_krb_keys *keys);

enum sd_err
cap_keytab_load(const char *path, struct cap_keytab **out, char *errbuf, size_t errcap)
{
	struct cap_keytab *kt;
	krb5_keytab handle = NULL;
	krb5_error_code code;
	char name[4096];

	*out = NULL;
	kt = calloc(1, sizeof(*kt));
	if (kt == NULL || (kt->keys = calloc(CAP_KEYTAB_MAX_ENTRIES, sizeof(*kt->keys))) == NULL) {
		free(kt);
		return SD_ERR_NOMEM;
	}
	code = krb5_init_context(&kt->ctx);
	if (code) {
		kt->ctx = NULL;
		say(errbuf, errcap, NULL, code, "cannot start the Kerberos library for", path);
		cap_keytab_free(kt);
		return SD_ERR_IO;
	}
	/* A bare path is a file, whatever the default keytab type is. */
	snprintf(name, sizeof(name), "%s%s", strchr(path, ':') ? "" : "FILE:", path);
	code = krb5_kt_resolve(kt->ctx, name, &handle);
	if (code == 0) {
		code = read_entries(kt, handle);
		krb5_kt_close(kt->ctx, handle);
	}
	if (code || kt->n == 0) {
		say(errbuf, errcap, kt->ctx, code, code ? "cannot read the keytab" : "no key in the keytab", path);
		cap_keytab_free(kt);
		return code == ENOMEM ? SD_ERR_NOMEM : SD_ERR_IO;
	}
	snprintf(name, sizeof(name), "MEMORY:smbdiag-analyze-%p", (void *)kt);
	code = krb5_kt_resolve(kt->ctx, name, &kt->trial);
	if (code) {
		kt->trial = NULL;
		say(errbuf, errcap, kt->ctx, code, "cannot make an in-memory keytab for", path);
		cap_keytab_free(kt);
		return SD_ERR_IO;
	}
	kt->source.ctx = kt;
	kt->source.ap_req = keytab_ap_req;
	kt->source.ap_rep = keytab_ap_rep;
	*out = kt;
	return SD_OK;
}

void
cap_keytab_free(struct cap_keytab *kt)
{
	size_t i;

	if (kt == NULL)
		return;
	for (i = 0; i < kt->n; i++) {
		krb5_free_principal(kt->ctx, kt->keys[i].principal);
		krb5_free_keyblock_contents(kt->ctx, &kt->keys[i].key);
	}
	free(kt->keys);
	if (kt->trial)
		krb5_kt_close(kt->ctx, kt->trial);
	if (kt->ctx)
		krb5_free_context(kt->ctx);
	free(kt);
}

size_t
cap_keytab_n_keys(const struct cap_keytab *kt)
{
	return kt ? kt->n : 0;
}

const struct cap_krb_keysource *
cap_keytab_source(struct cap_keytab *kt)
{
	return &kt->source;
}

static void
copy_key(struct cap_krb_key *dst, krb5_enctype enctype, const uint8_t *v, size_t len)
{
	if (len == 0 || len > sizeof(dst->v))
		return;
	dst->enctype = enctype;
	dst->len = len;
	memcpy(dst->v, v, len);
}

/* Candidates in order: the ticket's own name with its kvno; then any key
 * of that kvno; then any key at all of the enctype (a ticket without
 * kvno, a keytab listing the account under another name). */
static bool
candidate(const struct cap_keytab *kt, const struct keytab_key *k, const krb5_ticket *t, int round)
{
	if (k->key.enctype != t->enc_part.enctype)
		return false;
	switch (round) {
	case 0:
		return k->kvno == t->enc_part.kvno && krb5_principal_compare(kt->ctx, k->principal, t->server);
	case 1:
		return k->kvno == t->enc_part.kvno && !krb5_principal_compare(kt->ctx, k->principal, t->server);
	default:
		return k->kvno != t->enc_part.kvno;
	}
}

static bool
try_key(struct cap_keytab *kt, const struct keytab_key *k, krb5_ticket *t)
{
	krb5_keytab_entry e;
	krb5_error_code code;

	memset(&e, 0, sizeof(e));
	e.principal = k->principal;
	e.vno = k->kvno;
	e.key = k->key;
	if (krb5_kt_add_entry(kt->ctx, kt->trial, &e) != 0)
		return false;
	code = krb5_server_decrypt_ticket_keytab(kt->ctx, kt->trial, t);
	krb5_kt_remove_entry(kt->ctx, kt->trial, &e);
	return code == 0 && t->enc_part2 != NULL;
}

static enum cap_krb_keys_result
decrypt_ticket(struct cap_keytab *kt, krb5_ticket *t, struct cap_krb_keys *keys)
{
	bool tried = false;
	int round;
	size_t i;

	for (round = 0; round < 3; round++) {
		for (i = 0; i < kt->n; i++) {
			if (!candidate(kt, &kt->keys[i], t, round))
				continue;
			tried = true;
			if (try_key(kt, &kt->keys[i], t)) {
				keys->has_kvno = true;
				keys->kvno = kt->keys[i].kvno;
				return CAP_KRB_KEYS_OK;
			}
		}
	}
	return tried ? CAP_KRB_KEYS_WRONG_KEY : CAP_KRB_KEYS_NO_KEY;
}

/* Decrypts enc with key for usage and returns the plaintext (malloc'd)
 * in out; false when it does not decrypt. */
static bool
decrypt_part(krb5_context ctx, const struct cap_krb_key *key, krb5_keyusage usage, const struct krb_enc *enc,
	     krb5_data *out)
{
	krb5_keyblock kb;
	krb5_enc_data in;

	memset(&kb, 0, sizeof(kb));
	kb.enctype = key->enctype;
	kb.length = (unsigned int)key->len;
	kb.contents = (krb5_octet *)key->v;
	memset(&in, 0, sizeof(in));
	in.enctype = enc->etype;
	in.ciphertext.length = (unsigned int)enc->cipher.len;
	in.ciphertext.data = (char *)enc->cipher.p;
	out->magic = KV5M_DATA;
	out->length = (unsigned int)enc->cipher.len;
	out->data = malloc(enc->cipher.len ? enc->cipher.len : 1);
	if (out->data == NULL)
		return false;
	if (krb5_c_decrypt(ctx, &kb, usage, NULL, &in, out) != 0) {
		free(out->data);
		out->data = NULL;
		return false;
	}
	return true;
}

static void
wipe_free(krb5_data *d)
{
	if (d->data) {
		memset(d->data, 0, d->length);
		free(d->data);
	}
}

static void
client_name(krb5_context ctx, const krb5_ticket *t, struct cap_krb_keys *keys)
{
	char *name = NULL;

	if (t->enc_part2 && t->enc_part2->client && krb5_unparse_name(ctx, t->enc_part2->client, &name) == 0) {
		snprintf(keys->client, sizeof(keys->client), "%s", name);
		krb5_free_unparsed_name(ctx, name);
	}
}

static enum cap_krb_keys_result
keytab_ap_req(void *vctx, const uint8_t *token, size_t len, struct cap_krb_keys *keys)
{
	struct cap_keytab *kt = vctx;
	struct krb_message *m;
	struct krb_str tder;
	struct krb_authenticator au;
	krb5_ticket *t = NULL;
	krb5_data data, plain = {0};
	enum cap_krb_keys_result res;
	const krb5_keyblock *sk;

	memset(keys, 0, sizeof(*keys));
	if (krb_ap_req_ticket_der(token, len, &tder) != SD_OK)
		return CAP_KRB_KEYS_UNDECODABLE;
	m = malloc(sizeof(*m));
	if (m == NULL)
		return CAP_KRB_KEYS_FAILED;
	if (krb_decode_gss(token, len, m) != SD_OK || m->msg_type != KRB_MSG_AP_REQ) {
		free(m);
		return CAP_KRB_KEYS_UNDECODABLE;
	}
	data.magic = KV5M_DATA;
	data.length = (unsigned int)tder.len;
	data.data = (char *)tder.p;
	if (krb5_decode_ticket(&data, &t) != 0) {
		free(m);
		return CAP_KRB_KEYS_UNDECODABLE;
	}
	res = decrypt_ticket(kt, t, keys);
	if (res == CAP_KRB_KEYS_OK) {
		sk = t->enc_part2->session;
		copy_key(&keys->ticket, sk->enctype, sk->contents, sk->length);
		client_name(kt->ctx, t, keys);
		/* Without the Authenticator the ticket's key is still the
		 * session's when neither side sends a subkey. */
		if (keys->ticket.len && decrypt_part(kt->ctx, &keys->ticket, KRB_KEYUSAGE_AP_REQ_AUTH,
						     &m->u.ap_req.authenticator, &plain)) {
			if (krb_decode_authenticator((const uint8_t *)plain.data, plain.length, &au) != SD_OK)
				res = CAP_KRB_KEYS_UNDECODABLE;
			else if (au.subkey.present)
				copy_key(&keys->initiator, au.subkey.keytype, au.subkey.value.p, au.subkey.value.len);
			wipe_free(&plain);
		}
	}
	krb5_free_ticket(kt->ctx, t);
	free(m);
	return res;
}

static enum cap_krb_keys_result
keytab_ap_rep(void *vctx, const uint8_t *token, size_t len, struct cap_krb_keys *keys)
{
	struct cap_keytab *kt = vctx;
	struct krb_message *m;
	struct krb_enc_ap_rep_part rep;
	krb5_data plain = {0};
	enum cap_krb_keys_result res = CAP_KRB_KEYS_OK;

	if (keys->ticket.len == 0)
		return CAP_KRB_KEYS_NO_KEY;
	m = malloc(sizeof(*m));
	if (m == NULL)
		return CAP_KRB_KEYS_FAILED;
	if (krb_decode_gss(token, len, m) != SD_OK || m->msg_type != KRB_MSG_AP_REP) {
		free(m);
		return CAP_KRB_KEYS_UNDECODABLE;
	}
	/* The AP-REP is sealed with the ticket's session key (RFC 4120 5.5.2). */
	if (!decrypt_part(kt->ctx, &keys->ticket, KRB_KEYUSAGE_AP_REP_ENCPART, &m->u.ap_rep.enc_part, &plain)) {
		free(m);
		return CAP_KRB_KEYS_WRONG_KEY;
	}
	if (krb_decode_enc_ap_rep_part((const uint8_t *)plain.data, plain.length, &rep) != SD_OK)
		res = CAP_KRB_KEYS_UNDECODABLE;
	else if (rep.subkey.present)
		copy_key(&keys->acceptor, rep.subkey.keytype, rep.subkey.value.p, rep.subkey.value.len);
	wipe_free(&plain);
	free(m);
	return res;
}
