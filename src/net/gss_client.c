/* MIT krb5 + GSSAPI glue for the probe (see gss_client.h). The probe
 * never touches the user's cache when it is given a password: the TGT
 * goes to a MEMORY cache of its own. The service principal is built from
 * the name as typed (no DNS canonicalisation), as Windows asks for
 * cifs/<name in the path>. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>
#include <krb5/krb5.h>

#include "core/auth/krb5msg.h"
#include "net/conn.h"
#include "net/gss_client.h"

#define RFC_ERROR_MAX 127

struct gss_client {
	krb5_context kctx;
	krb5_ccache cc;
	krb5_principal client;
	krb5_principal server;
	gss_cred_id_t cred;
	gss_name_t target;
	gss_ctx_id_t gctx;
	bool as_exchange;
	bool have_kvno;
	uint32_t kvno;
	bool mutual;
	struct gss_kdc_log log;
	struct gss_client_ticket tgt;
	struct gss_client_ticket ticket;
	struct gss_client_ap ap;
	char cname[GSS_CLIENT_TEXT];
	char realm[GSS_CLIENT_TEXT];
	char sname[GSS_CLIENT_TEXT];
	char host[GSS_CLIENT_TEXT];
	struct gss_client_error last;
};

static void
set_error(struct gss_client *g, struct gss_client_error *err, enum gss_client_stage stage, long code)
{
	const char *msg = g->kctx ? krb5_get_error_message(g->kctx, (krb5_error_code)code) : "krb5 unavailable";
	long rel = code - ERROR_TABLE_BASE_krb5;

	memset(err, 0, sizeof(*err));
	err->stage = stage;
	err->code = code;
	err->krb_error = rel >= 0 && rel <= RFC_ERROR_MAX ? (int32_t)rel : -1;
	snprintf(err->message, sizeof(err->message), "%s", msg ? msg : "?");
	if (g->kctx && msg)
		krb5_free_error_message(g->kctx, msg);
}

static void
copy_text(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

/* The ticket's times and its enc-part header (kvno, enctype: the key the
 * service must hold) without decrypting anything. */
static void
remember_ticket(struct gss_client *g, const krb5_creds *creds, bool from_cache, struct gss_client_ticket *t)
{
	krb5_ticket *tkt = NULL;

	memset(t, 0, sizeof(*t));
	t->present = true;
	t->from_cache = from_cache;
	t->authtime = creds->times.authtime;
	t->starttime = creds->times.starttime ? creds->times.starttime : creds->times.authtime;
	t->endtime = creds->times.endtime;
	t->session_enctype = creds->keyblock.enctype;
	t->got_us = net_now_us();
	if (krb5_decode_ticket(&creds->ticket, &tkt) == 0) {
		t->has_kvno = true;
		t->kvno = tkt->enc_part.kvno;
		t->enctype = tkt->enc_part.enctype;
		krb5_free_ticket(g->kctx, tkt);
	}
}

/* The TGT of the cache, to show where it came from and until when. */
static void
remember_cached_tgt(struct gss_client *g)
{
	krb5_creds in, out;
	krb5_principal tgs = NULL;
	const krb5_data *realm = &g->client->realm;

	if (krb5_build_principal_ext(g->kctx, &tgs, realm->length, realm->data, KRB5_TGS_NAME_SIZE, KRB5_TGS_NAME,
				     realm->length, realm->data, 0) != 0)
		return;
	memset(&in, 0, sizeof(in));
	memset(&out, 0, sizeof(out));
	in.client = g->client;
	in.server = tgs;
	if (krb5_cc_retrieve_cred(g->kctx, g->cc, 0, &in, &out) == 0) {
		remember_ticket(g, &out, true, &g->tgt);
		krb5_free_cred_contents(g->kctx, &out);
	}
	krb5_free_principal(g->kctx, tgs);
}

/* -U user@REALM names the realm; -U DOMAIN\user takes DOMAIN when it
 * holds a dot; otherwise the default realm (SPEC "Kerberos conventions"). */
static krb5_error_code
parse_client(struct gss_client *g, const struct gss_client_config *cfg, krb5_principal *out)
{
	char name[2 * GSS_CLIENT_TEXT + 2];
	size_t i, n;

	if (strchr(cfg->user, '@') || !cfg->domain || !strchr(cfg->domain, '.'))
		return krb5_parse_name(g->kctx, cfg->user, out);
	n = (size_t)snprintf(name, sizeof(name), "%s@%s", cfg->user, cfg->domain);
	for (i = strlen(cfg->user) + 1; i < n && i < sizeof(name); i++)
		name[i] = (char)toupper((unsigned char)name[i]);
	return krb5_parse_name(g->kctx, name, out);
}

/* -U USER without a password names whose TGT the default cache must hold
 * (SPEC: "the user's default cache"): a cache of someone else would log
 * on as them. Names compare without case, as the accounts of a Windows
 * domain do. On a mismatch the user asked for becomes the client (the
 * evidence names them) and err says whose the cache is. */
static bool
cache_of_other_user(struct gss_client *g, const struct gss_client_config *cfg, struct gss_client_error *err)
{
	krb5_principal want = NULL;
	char *have = NULL, *asked = NULL;
	bool other = false;

	if (!cfg->user || parse_client(g, cfg, &want) != 0)
		return false;
	if (krb5_unparse_name(g->kctx, g->client, &have) == 0 && krb5_unparse_name(g->kctx, want, &asked) == 0 &&
	    strcasecmp(have, asked) != 0) {
		other = true;
		snprintf(err->cache_principal, sizeof(err->cache_principal), "%s", have);
		krb5_free_principal(g->kctx, g->client);
		g->client = want;
		want = NULL;
	}
	if (have)
		krb5_free_unparsed_name(g->kctx, have);
	if (asked)
		krb5_free_unparsed_name(g->kctx, asked);
	if (want)
		krb5_free_principal(g->kctx, want);
	return other;
}

static void
remember_client(struct gss_client *g)
{
	char *unparsed = NULL;

	if (krb5_unparse_name_flags(g->kctx, g->client, KRB5_PRINCIPAL_UNPARSE_NO_REALM, &unparsed) == 0) {
		copy_text(g->cname, sizeof(g->cname), unparsed);
		krb5_free_unparsed_name(g->kctx, unparsed);
	}
	/* The realm's data is counted, not NUL-terminated. */
	snprintf(g->realm, sizeof(g->realm), "%.*s", (int)g->client->realm.length, g->client->realm.data);
}

static krb5_error_code
as_exchange(struct gss_client *g, const char *password)
{
	krb5_get_init_creds_opt *opt = NULL;
	krb5_creds creds;
	krb5_error_code code;

	code = krb5_cc_new_unique(g->kctx, "MEMORY", NULL, &g->cc);
	if (code == 0)
		code = krb5_cc_initialize(g->kctx, g->cc, g->client);
	if (code == 0)
		code = krb5_get_init_creds_opt_alloc(g->kctx, &opt);
	if (code == 0)
		code = krb5_get_init_creds_opt_set_out_ccache(g->kctx, opt, g->cc);
	if (code)
		goto out;
	memset(&creds, 0, sizeof(creds));
	code = krb5_get_init_creds_password(g->kctx, &creds, g->client, password, NULL, NULL, 0, NULL, opt);
	if (code == 0) {
		remember_ticket(g, &creds, false, &g->tgt);
		krb5_free_cred_contents(g->kctx, &creds);
	}
	g->as_exchange = true;
out:
	if (opt)
		krb5_get_init_creds_opt_free(g->kctx, opt);
	return code;
}

enum sd_err
gss_client_create(const struct gss_client_config *cfg, struct gss_client **out, struct gss_client_error *err)
{
	struct gss_client *g = calloc(1, sizeof(*g));
	krb5_error_code code;

	*out = NULL;
	memset(err, 0, sizeof(*err));
	if (!g)
		return SD_ERR_NOMEM;
	g->gctx = GSS_C_NO_CONTEXT;
	g->cred = GSS_C_NO_CREDENTIAL;
	g->target = GSS_C_NO_NAME;
	copy_text(g->host, sizeof(g->host), cfg->host);
	code = krb5_init_context(&g->kctx);
	if (code) {
		/* Without a context there are no message tables: ELIBACC is
		 * what the lazy loader (krb5_lazy.c) answers when the library
		 * is not installed, and it has said why on standard error. */
		err->stage = GSS_STAGE_TGT;
		err->code = code;
		err->krb_error = -1;
		err->cannot_start = true;
		if (code == ELIBACC)
			snprintf(err->message, sizeof(err->message),
				 "MIT Kerberos could not be loaded (Debian package libgssapi-krb5-2)");
		else
			snprintf(err->message, sizeof(err->message), "the Kerberos library could not start (error %ld)",
				 (long)code);
		gss_client_free(g);
		return SD_ERR_UNSUPPORTED;
	}
	gss_kdc_log_attach(g->kctx, &g->log);
	g->log.stage = GSS_STAGE_TGT;
	if (cfg->password) {
		code = cfg->user ? parse_client(g, cfg, &g->client) : KRB5_PARSE_MALFORMED;
		if (code == 0) {
			remember_client(g);
			code = as_exchange(g, cfg->password);
		}
	} else {
		code = krb5_cc_default(g->kctx, &g->cc);
		if (code == 0)
			code = krb5_cc_get_principal(g->kctx, g->cc, &g->client);
		if (code == 0 && cache_of_other_user(g, cfg, err)) {
			err->other_user = err->no_credentials = true;
			code = KRB5_CC_NOTFOUND;
			remember_client(g);
		} else if (code == 0) {
			remember_client(g);
			remember_cached_tgt(g);
		} else {
			err->no_credentials = true;
		}
	}
	if (code) {
		struct gss_client_error kept = *err;

		set_error(g, err, GSS_STAGE_TGT, code);
		err->no_credentials = kept.no_credentials;
		err->other_user = kept.other_user;
		if (kept.other_user) {
			memcpy(err->cache_principal, kept.cache_principal, sizeof(err->cache_principal));
			snprintf(err->message, sizeof(err->message), "the default credential cache holds %.90s, not %.90s@%.30s",
				 kept.cache_principal, g->cname, g->realm);
		}
		*out = g;
		return SD_ERR_VERIFY;
	}
	*out = g;
	return SD_OK;
}

/* The service principal cifs/<host>@<realm of host, or the client's>. */
static krb5_error_code
build_server(struct gss_client *g, const char *host)
{
	char **realms = NULL, *unparsed = NULL;
	const char *realm = g->realm;
	krb5_error_code code;

	if (krb5_get_host_realm(g->kctx, host, &realms) == 0 && realms && realms[0] && realms[0][0])
		realm = realms[0];
	code = krb5_build_principal(g->kctx, &g->server, (unsigned)strlen(realm), realm, "cifs", host, (char *)NULL);
	if (realms)
		krb5_free_host_realm(g->kctx, realms);
	if (code == 0 && krb5_unparse_name_flags(g->kctx, g->server, KRB5_PRINCIPAL_UNPARSE_NO_REALM, &unparsed) == 0) {
		copy_text(g->sname, sizeof(g->sname), unparsed);
		krb5_free_unparsed_name(g->kctx, unparsed);
	}
	return code;
}

static krb5_error_code
import_for_gss(struct gss_client *g)
{
	gss_buffer_desc name_buf;
	OM_uint32 major, minor = 0;
	char *full = NULL;
	krb5_error_code code;

	code = krb5_unparse_name(g->kctx, g->server, &full);
	if (code)
		return code;
	name_buf.value = full;
	name_buf.length = strlen(full);
	major = gss_import_name(&minor, &name_buf, (gss_OID)GSS_KRB5_NT_PRINCIPAL_NAME, &g->target);
	krb5_free_unparsed_name(g->kctx, full);
	if (GSS_ERROR(major))
		return minor ? (krb5_error_code)minor : KRB5_PARSE_MALFORMED;
	major = gss_krb5_import_cred(&minor, g->cc, g->client, NULL, &g->cred);
	if (GSS_ERROR(major))
		return minor ? (krb5_error_code)minor : KRB5_CC_NOTFOUND;
	return 0;
}

enum sd_err
gss_client_get_ticket(struct gss_client *g, struct gss_client_error *err)
{
	krb5_creds in, *got = NULL;
	krb5_error_code code;
	size_t exchanges = g->log.n + g->log.dropped;

	memset(err, 0, sizeof(*err));
	g->log.stage = GSS_STAGE_TICKET;
	code = build_server(g, g->host);
	if (code == 0) {
		memset(&in, 0, sizeof(in));
		in.client = g->client;
		in.server = g->server;
		code = krb5_get_credentials(g->kctx, 0, g->cc, &in, &got);
	}
	if (code == 0) {
		remember_ticket(g, got, g->log.n + g->log.dropped == exchanges, &g->ticket);
		g->have_kvno = g->ticket.has_kvno;
		g->kvno = g->ticket.kvno;
	}
	if (got)
		krb5_free_creds(g->kctx, got);
	if (code == 0)
		code = import_for_gss(g);
	if (code) {
		set_error(g, err, GSS_STAGE_TICKET, code);
		return SD_ERR_VERIFY;
	}
	return SD_OK;
}

void
gss_client_reset(struct gss_client *g)
{
	OM_uint32 minor;

	if (g && g->gctx != GSS_C_NO_CONTEXT)
		gss_delete_sec_context(&minor, &g->gctx, GSS_C_NO_BUFFER);
	if (g) {
		g->gctx = GSS_C_NO_CONTEXT;
		g->mutual = false;
	}
}

void
gss_client_free(struct gss_client *g)
{
	OM_uint32 minor;

	if (!g)
		return;
	gss_client_reset(g);
	if (g->target != GSS_C_NO_NAME)
		gss_release_name(&minor, &g->target);
	if (g->cred != GSS_C_NO_CREDENTIAL)
		gss_release_cred(&minor, &g->cred);
	if (g->server)
		krb5_free_principal(g->kctx, g->server);
	if (g->client)
		krb5_free_principal(g->kctx, g->client);
	if (g->cc) {
		/* Our MEMORY cache dies with us; the user's cache is only closed. */
		if (g->as_exchange)
			krb5_cc_destroy(g->kctx, g->cc);
		else
			krb5_cc_close(g->kctx, g->cc);
	}
	if (g->kctx) {
		gss_kdc_log_detach(g->kctx);
		krb5_free_context(g->kctx);
	}
	free(g);
}

const struct gss_client_error *
gss_client_last_error(const struct gss_client *g)
{
	return &g->last;
}

bool
gss_client_did_as_exchange(const struct gss_client *g)
{
	return g->as_exchange;
}

const char *
gss_client_cname(const struct gss_client *g)
{
	return g->cname;
}

const char *
gss_client_realm(const struct gss_client *g)
{
	return g->realm;
}

const char *
gss_client_sname(const struct gss_client *g)
{
	return g->sname;
}

bool
gss_client_ticket_kvno(const struct gss_client *g, uint32_t *kvno)
{
	*kvno = g->kvno;
	return g->have_kvno;
}

bool
gss_client_mutual(const struct gss_client *g)
{
	return g->mutual;
}

const struct gss_kdc_log *
gss_client_kdc_log(const struct gss_client *g)
{
	return &g->log;
}

const struct gss_client_ticket *
gss_client_tgt(const struct gss_client *g)
{
	return &g->tgt;
}

const struct gss_client_ticket *
gss_client_service_ticket(const struct gss_client *g)
{
	return &g->ticket;
}

const struct gss_client_ap *
gss_client_ap(const struct gss_client *g)
{
	return &g->ap;
}

/* The AP-REQ's ticket header: the kvno and enctype the server must hold. */
static void
note_ap_request(struct gss_client *g, const uint8_t *token, size_t len)
{
	struct krb_message m;

	memset(&g->ap, 0, sizeof(g->ap));
	g->ap.error = -1;
	g->ap.request_us = net_now_us();
	if (krb_decode_gss(token, len, &m) == SD_OK && m.msg_type == KRB_MSG_AP_REQ &&
	    m.u.ap_req.ticket.enc_part.present) {
		g->ap.has_ticket = m.u.ap_req.ticket.enc_part.has_kvno;
		g->ap.kvno = m.u.ap_req.ticket.enc_part.kvno;
		g->ap.enctype = m.u.ap_req.ticket.enc_part.etype;
	}
}

static void
note_ap_answer(struct gss_client *g, const uint8_t *token, size_t len)
{
	struct krb_message m;

	g->ap.answer_us = net_now_us();
	if (krb_decode_gss(token, len, &m) == SD_OK && m.msg_type == KRB_MSG_ERROR) {
		g->ap.answer_is_error = true;
		g->ap.error = m.u.error.error_code;
	}
}

/* --- the smb2_client_auth_ops callbacks --- */

static enum sd_err
step(struct gss_client *g, const uint8_t *in, size_t in_len, uint8_t *out, size_t cap, size_t *out_len,
     bool *complete)
{
	gss_buffer_desc in_buf = {in_len, (void *)(uintptr_t)in}, out_buf = GSS_C_EMPTY_BUFFER;
	OM_uint32 major, minor = 0, flags = 0;
	enum sd_err err = SD_OK;

	*out_len = 0;
	if (in)
		note_ap_answer(g, in, in_len);
	major = gss_init_sec_context(&minor, g->cred, &g->gctx, g->target, (gss_OID)gss_mech_krb5,
				     GSS_C_MUTUAL_FLAG | GSS_C_INTEG_FLAG | GSS_C_CONF_FLAG | GSS_C_REPLAY_FLAG |
					     GSS_C_SEQUENCE_FLAG,
				     GSS_C_INDEFINITE, GSS_C_NO_CHANNEL_BINDINGS, in ? &in_buf : GSS_C_NO_BUFFER, NULL,
				     &out_buf, &flags, NULL);
	if (GSS_ERROR(major)) {
		set_error(g, &g->last, GSS_STAGE_CONTEXT, minor ? (long)minor : (long)major);
		if (in) {
			copy_text(g->ap.message, sizeof(g->ap.message), g->last.message);
			if (g->ap.error < 0)
				g->ap.error = g->last.krb_error;
		}
		err = SD_ERR_VERIFY;
	} else if (out_buf.length > cap) {
		err = SD_ERR_NO_SPACE;
	} else {
		if (out_buf.length)
			memcpy(out, out_buf.value, out_buf.length);
		*out_len = out_buf.length;
		if (complete)
			*complete = major == GSS_S_COMPLETE;
		if (major == GSS_S_COMPLETE)
			g->mutual = (flags & GSS_C_MUTUAL_FLAG) != 0;
		if (!in && out_buf.length)
			note_ap_request(g, out_buf.value, out_buf.length);
		if (in && major == GSS_S_COMPLETE)
			g->ap.verified = g->mutual;
	}
	gss_release_buffer(&minor, &out_buf);
	return err;
}

static enum sd_err
auth_first_token(void *auth_ctx, uint8_t *out, size_t cap, size_t *out_len)
{
	struct gss_client *g = auth_ctx;

	gss_client_reset(g);
	return step(g, NULL, 0, out, cap, out_len, NULL);
}

static enum sd_err
auth_next_token(void *auth_ctx, const uint8_t *in, size_t in_len, uint8_t *out, size_t cap, size_t *out_len,
		bool *complete)
{
	return step(auth_ctx, in, in_len, out, cap, out_len, complete);
}

/* MS-KILE 3.1.1.2: the session key is the AP-REP subkey when mutual
 * authentication sent one; GSS_C_INQ_SSPI_SESSION_KEY gives exactly it. */
static enum sd_err
auth_session_key(void *auth_ctx, uint8_t *key, size_t cap, size_t *key_len)
{
	struct gss_client *g = auth_ctx;
	gss_buffer_set_t set = GSS_C_NO_BUFFER_SET;
	OM_uint32 major, minor = 0;
	enum sd_err err = SD_OK;

	major = gss_inquire_sec_context_by_oid(&minor, g->gctx, (gss_OID)GSS_C_INQ_SSPI_SESSION_KEY, &set);
	if (GSS_ERROR(major) || set == GSS_C_NO_BUFFER_SET || set->count < 1) {
		set_error(g, &g->last, GSS_STAGE_CONTEXT, minor ? (long)minor : (long)major);
		err = SD_ERR_CRYPTO;
	} else if (set->elements[0].length == 0 || set->elements[0].length > cap) {
		err = SD_ERR_LIMIT;
	} else {
		memcpy(key, set->elements[0].value, set->elements[0].length);
		*key_len = set->elements[0].length;
	}
	if (set != GSS_C_NO_BUFFER_SET)
		gss_release_buffer_set(&minor, &set);
	return err;
}

const struct smb2_client_auth_ops gss_client_auth_ops = {
	auth_first_token,
	auth_next_token,
	auth_session_key,
};
