/* MIT GSSAPI acceptor for `smbdiag serve` (see gss_server.h). Refusals
 * keep both the GSS major and minor status text (the minor text of MIT
 * names the principal and key version that were looked for) and the
 * RFC 4120 error number the core turns into a finding. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>
#include <krb5/krb5.h>

#include "net/gss_server.h"

#define RFC_ERROR_MAX 127
/* RFC 4120 7.5.9: what a Windows acceptor would have said where MIT
 * reports a keytab lookup failure instead of a protocol error. */
#define KRB_AP_ERR_BADKEYVER 44
#define KRB_AP_ERR_NOKEY 45

struct gss_server {
	gss_cred_id_t cred;
	char keytab[512];
};

struct gss_server_session {
	gss_ctx_id_t ctx;
};

/* One status code's text (possibly several messages, joined by "; "). */
static size_t
one_status(OM_uint32 st, int type, char *out, size_t cap)
{
	OM_uint32 more = 0, m2;
	gss_buffer_desc buf;
	size_t len = 0;

	do {
		buf.length = 0;
		buf.value = NULL;
		if (GSS_ERROR(gss_display_status(&m2, st, type, (gss_OID)gss_mech_krb5, &more, &buf)))
			break;
		if (len + 3 < cap)
			len += (size_t)snprintf(out + len, cap - len, "%s%.*s", len ? "; " : "", (int)buf.length,
						(const char *)buf.value);
		gss_release_buffer(&m2, &buf);
	} while (more != 0);
	return len < cap ? len : cap - 1;
}

/* "<minor text> (GSS major: <major text>)": MIT's minor text names the
 * principal and key version looked for, so it comes first; the major
 * text's "Minor code may provide more information" is left out. */
static void
status_text(OM_uint32 major, OM_uint32 minor, char *out, size_t cap)
{
	char maj[128] = "", *dot;
	size_t len = 0;

	out[0] = '\0';
	if (minor != 0)
		len = one_status(minor, GSS_C_MECH_CODE, out, cap);
	if (GSS_ROUTINE_ERROR(major) == 0 || len + 16 >= cap)
		return;
	one_status(major, GSS_C_GSS_CODE, maj, sizeof(maj));
	dot = strstr(maj, ".  Minor code");
	if (dot)
		*dot = '\0';
	snprintf(out + len, cap - len, "%s(GSS major: %s)", len ? " " : "", maj);
}

/* The krb5 mechanism's minor status is a krb5_error_code carried in an
 * unsigned OM_uint32: back to the signed code first. */
static krb5_error_code
krb5_code(OM_uint32 minor)
{
	return (krb5_error_code)(int32_t)minor;
}

static int32_t
rfc_error(OM_uint32 minor)
{
	long rel = (long)krb5_code(minor) - ERROR_TABLE_BASE_krb5;

	if (krb5_code(minor) == KRB5_KT_KVNONOTFOUND)
		return KRB_AP_ERR_BADKEYVER;
	if (krb5_code(minor) == KRB5_KT_NOTFOUND)
		return KRB_AP_ERR_NOKEY;
	return rel >= 0 && rel <= RFC_ERROR_MAX ? (int32_t)rel : -1;
}

enum sd_err
gss_server_create(const char *keytab, struct gss_server **out, char *err, size_t err_cap)
{
	struct gss_server *g;
	gss_key_value_element_desc elem;
	gss_key_value_set_desc store;
	gss_OID_set_desc mechs = {1, (gss_OID)gss_mech_krb5};
	OM_uint32 major, minor = 0;
	char text[SMB2S_KRB_TEXT];

	*out = NULL;
	g = calloc(1, sizeof(*g));
	if (g == NULL)
		return SD_ERR_NOMEM;
	snprintf(g->keytab, sizeof(g->keytab), "%s", keytab);
	g->cred = GSS_C_NO_CREDENTIAL;
	elem.key = "keytab";
	elem.value = g->keytab;
	store.count = 1;
	store.elements = &elem;
	/* No name: every principal of the keytab is accepted here; the
	 * server's policy decides which service names it welcomes. */
	major = gss_acquire_cred_from(&minor, GSS_C_NO_NAME, GSS_C_INDEFINITE, &mechs, GSS_C_ACCEPT, &store, &g->cred,
				      NULL, NULL);
	if (GSS_ERROR(major)) {
		status_text(major, minor, text, sizeof(text));
		snprintf(err, err_cap, "keytab %s: %s", keytab, text);
		gss_server_free(g);
		return krb5_code(minor) == KRB5_KT_NOTFOUND || krb5_code(minor) == ENOENT
			       ? SD_ERR_NOT_FOUND : SD_ERR_CRYPTO;
	}
	*out = g;
	return SD_OK;
}

void
gss_server_free(struct gss_server *g)
{
	OM_uint32 minor;

	if (g == NULL)
		return;
	if (g->cred != GSS_C_NO_CREDENTIAL)
		gss_release_cred(&minor, &g->cred);
	free(g);
}

size_t
gss_server_list_keys(const struct gss_server *g, void (*fn)(void *user, const char *line), void *user)
{
	krb5_context kctx = NULL;
	krb5_keytab kt = NULL;
	krb5_kt_cursor cur;
	krb5_keytab_entry e;
	char *name = NULL, etype[64], line[384];
	size_t n = 0;

	if (krb5_init_context(&kctx) != 0)
		return 0;
	if (krb5_kt_resolve(kctx, g->keytab, &kt) != 0 || krb5_kt_start_seq_get(kctx, kt, &cur) != 0)
		goto out;
	while (n < 64 && krb5_kt_next_entry(kctx, kt, &e, &cur) == 0) {
		if (krb5_unparse_name(kctx, e.principal, &name) == 0) {
			if (krb5_enctype_to_name(e.key.enctype, false, etype, sizeof(etype)) != 0)
				snprintf(etype, sizeof(etype), "etype %d", (int)e.key.enctype);
			snprintf(line, sizeof(line), "%s kvno %u %s", name, (unsigned)e.vno, etype);
			fn(user, line);
			krb5_free_unparsed_name(kctx, name);
		}
		krb5_free_keytab_entry_contents(kctx, &e);
		n++;
	}
	krb5_kt_end_seq_get(kctx, kt, &cur);
out:
	if (kt)
		krb5_kt_close(kctx, kt);
	krb5_free_context(kctx);
	return n;
}

/* --- the smb2s_krb_ops callbacks --- */

static void
display_name(gss_name_t name, char *out, size_t cap)
{
	gss_buffer_desc buf = GSS_C_EMPTY_BUFFER;
	OM_uint32 minor;

	out[0] = '\0';
	if (name == GSS_C_NO_NAME || GSS_ERROR(gss_display_name(&minor, name, &buf, NULL)))
		return;
	snprintf(out, cap, "%.*s", (int)buf.length, (const char *)buf.value);
	gss_release_buffer(&minor, &buf);
}

/* MS-KILE 3.1.1.2: the session key is the acceptor subkey of the AP-REP
 * (or the authenticator's); GSS_C_INQ_SSPI_SESSION_KEY gives exactly the
 * key the client takes, as the probe does in gss_client.c. */
static enum sd_err
session_key(gss_ctx_id_t ctx, struct smb2s_krb_result *res)
{
	gss_buffer_set_t set = GSS_C_NO_BUFFER_SET;
	OM_uint32 major, minor = 0;
	enum sd_err err = SD_OK;

	major = gss_inquire_sec_context_by_oid(&minor, ctx, (gss_OID)GSS_C_INQ_SSPI_SESSION_KEY, &set);
	if (GSS_ERROR(major) || set == GSS_C_NO_BUFFER_SET || set->count < 1) {
		status_text(major, minor, res->text, sizeof(res->text));
		err = SD_ERR_CRYPTO;
	} else if (set->elements[0].length == 0 || set->elements[0].length > sizeof(res->key)) {
		snprintf(res->text, sizeof(res->text), "session key of %zu bytes", set->elements[0].length);
		err = SD_ERR_LIMIT;
	} else {
		memcpy(res->key, set->elements[0].value, set->elements[0].length);
		res->key_len = set->elements[0].length;
	}
	if (set != GSS_C_NO_BUFFER_SET)
		gss_release_buffer_set(&minor, &set);
	return err;
}

static enum sd_err
acc_accept(void *acceptor, void **sess_ctx, const uint8_t *in, size_t in_len, uint8_t *out, size_t cap,
	   size_t *out_len, struct smb2s_krb_result *res)
{
	struct gss_server *g = acceptor;
	struct gss_server_session *ss = *sess_ctx;
	gss_buffer_desc in_buf = {in_len, (void *)(uintptr_t)in}, out_buf = GSS_C_EMPTY_BUFFER;
	gss_name_t src = GSS_C_NO_NAME, targ = GSS_C_NO_NAME;
	OM_uint32 major, minor = 0, flags = 0, m2;
	enum sd_err err = SD_OK;

	memset(res, 0, sizeof(*res));
	*out_len = 0;
	if (ss == NULL) {
		ss = calloc(1, sizeof(*ss));
		if (ss == NULL) {
			snprintf(res->text, sizeof(res->text), "out of memory");
			return SD_ERR_NOMEM;
		}
		ss->ctx = GSS_C_NO_CONTEXT;
		*sess_ctx = ss;
	}
	major = gss_accept_sec_context(&minor, &ss->ctx, g->cred, &in_buf, GSS_C_NO_CHANNEL_BINDINGS, &src, NULL,
				       &out_buf, &flags, NULL, NULL);
	if (GSS_ERROR(major)) {
		res->code = (long)krb5_code(minor);
		res->krb_error = rfc_error(minor);
		status_text(major, minor, res->text, sizeof(res->text));
		err = SD_ERR_VERIFY;
		goto out;
	}
	if (major & GSS_S_CONTINUE_NEEDED) {
		/* Only DCE-style Kerberos needs a second leg; SMB never asks. */
		snprintf(res->text, sizeof(res->text), "the Kerberos context wants another leg (DCE style?)");
		err = SD_ERR_UNSUPPORTED;
		goto out;
	}
	if (out_buf.length > cap) {
		snprintf(res->text, sizeof(res->text), "AP-REP of %zu bytes does not fit", out_buf.length);
		err = SD_ERR_NO_SPACE;
		goto out;
	}
	if (out_buf.length)  /* no AP-REP without mutual authentication: value is NULL */
		memcpy(out, out_buf.value, out_buf.length);
	*out_len = out_buf.length;
	res->mutual = (flags & GSS_C_MUTUAL_FLAG) && out_buf.length;
	display_name(src, res->client, sizeof(res->client));
	/* The acceptor's name is the principal whose key opened the ticket. */
	if (!GSS_ERROR(gss_inquire_context(&m2, ss->ctx, NULL, &targ, NULL, NULL, NULL, NULL, NULL)))
		display_name(targ, res->service, sizeof(res->service));
	err = session_key(ss->ctx, res);
out:
	gss_release_buffer(&m2, &out_buf);
	if (src != GSS_C_NO_NAME)
		gss_release_name(&m2, &src);
	if (targ != GSS_C_NO_NAME)
		gss_release_name(&m2, &targ);
	return err;
}

static enum sd_err
acc_get_mic(void *sess_ctx, const uint8_t *msg, size_t len, uint8_t *mic, size_t cap, size_t *mic_len)
{
	struct gss_server_session *ss = sess_ctx;
	gss_buffer_desc in = {len, (void *)(uintptr_t)msg}, out = GSS_C_EMPTY_BUFFER;
	OM_uint32 major, minor;
	enum sd_err err = SD_OK;

	if (ss == NULL || ss->ctx == GSS_C_NO_CONTEXT)
		return SD_ERR_STATE;
	major = gss_get_mic(&minor, ss->ctx, GSS_C_QOP_DEFAULT, &in, &out);
	if (GSS_ERROR(major))
		return SD_ERR_CRYPTO;
	if (out.length > cap)
		err = SD_ERR_NO_SPACE;
	else {
		memcpy(mic, out.value, out.length);
		*mic_len = out.length;
	}
	gss_release_buffer(&minor, &out);
	return err;
}

static enum sd_err
acc_verify_mic(void *sess_ctx, const uint8_t *msg, size_t len, const uint8_t *mic, size_t mic_len)
{
	struct gss_server_session *ss = sess_ctx;
	gss_buffer_desc in = {len, (void *)(uintptr_t)msg}, tok = {mic_len, (void *)(uintptr_t)mic};
	OM_uint32 major, minor;

	if (ss == NULL || ss->ctx == GSS_C_NO_CONTEXT)
		return SD_ERR_STATE;
	major = gss_verify_mic(&minor, ss->ctx, &in, &tok, NULL);
	return GSS_ERROR(major) ? SD_ERR_VERIFY : SD_OK;
}

static void
acc_end(void *sess_ctx)
{
	struct gss_server_session *ss = sess_ctx;
	OM_uint32 minor;

	if (ss == NULL)
		return;
	if (ss->ctx != GSS_C_NO_CONTEXT)
		gss_delete_sec_context(&minor, &ss->ctx, GSS_C_NO_BUFFER);
	free(ss);
}

const struct smb2s_krb_ops gss_server_krb_ops = {
	acc_accept,
	acc_get_mic,
	acc_verify_mic,
	acc_end,
};
