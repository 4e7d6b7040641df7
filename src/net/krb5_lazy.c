/* MIT Kerberos (GSSAPI and krb5), loaded on first use.
 *
 * Only Kerberos work (probe --auth kerberos|auto, serve's keytab acceptor,
 * analyze --keytab) needs MIT's libraries, but linking them makes every
 * start of smbdiag map and relocate libgssapi_krb5, libkrb5, libk5crypto,
 * libcom_err, libkrb5support and libkeyutils (and search the mit-krb5
 * rpath for each library): about a millisecond of CPU per process for an
 * NTLM probe that never touches them (bench/probe.sh). This file defines
 * the gss_* and krb5_* functions smbdiag calls and forwards them to
 * libgssapi_krb5.so.2 (which brings libkrb5) opened with dlopen() on the
 * first call, so the callers stay plain MIT API.
 *
 * The smbdiag executable does not link the Kerberos libraries
 * (src/cli/meson.build), so a gss_/krb5_ function that is missing below
 * fails the link with "undefined reference to `krb5_...'". To add one,
 * add an X(...) line to the list of its return type with the prototype
 * from <gssapi/gssapi*.h> or <krb5/krb5.h> (parameters named minor for a
 * GSS minor status, aN otherwise); the compiler checks it against the
 * header. Varargs functions need a va_list twin written by hand (see
 * krb5_build_principal). Data objects (OIDs) are at the end.
 *
 * When the library cannot be loaded, the functions fail the way their API
 * fails (GSS_S_FAILURE, an error code, krb5_get_error_message says why)
 * and the first failure is reported once on standard error.
 */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>
#include <krb5/krb5.h>

/* X(name, (parameters), (arguments)): GSS calls returning OM_uint32. */
#define KRB5_LAZY_GSS(X) \
	X(gss_accept_sec_context, (OM_uint32 *minor, gss_ctx_id_t *a2, gss_cred_id_t a3, gss_buffer_t a4, \
	    gss_channel_bindings_t a5, gss_name_t *a6, gss_OID *a7, gss_buffer_t a8, OM_uint32 *a9, OM_uint32 *a10, \
	    gss_cred_id_t *a11), (minor, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11)) \
	X(gss_acquire_cred_from, (OM_uint32 *minor, gss_name_t a2, OM_uint32 a3, gss_OID_set a4, gss_cred_usage_t a5, \
	    gss_const_key_value_set_t a6, gss_cred_id_t *a7, gss_OID_set *a8, OM_uint32 *a9), (minor, a2, a3, a4, a5, \
	    a6, a7, a8, a9)) \
	X(gss_delete_sec_context, (OM_uint32 *minor, gss_ctx_id_t *a2, gss_buffer_t a3), (minor, a2, a3)) \
	X(gss_display_name, (OM_uint32 *minor, gss_name_t a2, gss_buffer_t a3, gss_OID *a4), (minor, a2, a3, a4)) \
	X(gss_display_status, (OM_uint32 *minor, OM_uint32 a2, int a3, gss_OID a4, OM_uint32 *a5, gss_buffer_t a6), \
	    (minor, a2, a3, a4, a5, a6)) \
	X(gss_get_mic, (OM_uint32 *minor, gss_ctx_id_t a2, gss_qop_t a3, gss_buffer_t a4, gss_buffer_t a5), (minor, a2, \
	    a3, a4, a5)) \
	X(gss_import_name, (OM_uint32 *minor, gss_buffer_t a2, gss_OID a3, gss_name_t *a4), (minor, a2, a3, a4)) \
	X(gss_init_sec_context, (OM_uint32 *minor, gss_cred_id_t a2, gss_ctx_id_t *a3, gss_name_t a4, gss_OID a5, \
	    OM_uint32 a6, OM_uint32 a7, gss_channel_bindings_t a8, gss_buffer_t a9, gss_OID *a10, gss_buffer_t a11, \
	    OM_uint32 *a12, OM_uint32 *a13), (minor, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13)) \
	X(gss_inquire_context, (OM_uint32 *minor, gss_ctx_id_t a2, gss_name_t *a3, gss_name_t *a4, OM_uint32 *a5, \
	    gss_OID *a6, OM_uint32 *a7, int *a8, int *a9), (minor, a2, a3, a4, a5, a6, a7, a8, a9)) \
	X(gss_inquire_sec_context_by_oid, (OM_uint32 *minor, const gss_ctx_id_t a2, const gss_OID a3, gss_buffer_set_t \
	    *a4), (minor, a2, a3, a4)) \
	X(gss_krb5_import_cred, (OM_uint32 *minor, krb5_ccache a2, krb5_principal a3, krb5_keytab a4, gss_cred_id_t \
	    *a5), (minor, a2, a3, a4, a5)) \
	X(gss_release_buffer, (OM_uint32 *minor, gss_buffer_t a2), (minor, a2)) \
	X(gss_release_buffer_set, (OM_uint32 *minor, gss_buffer_set_t *a2), (minor, a2)) \
	X(gss_release_cred, (OM_uint32 *minor, gss_cred_id_t *a2), (minor, a2)) \
	X(gss_release_name, (OM_uint32 *minor, gss_name_t *a2), (minor, a2)) \
	X(gss_verify_mic, (OM_uint32 *minor, gss_ctx_id_t a2, gss_buffer_t a3, gss_buffer_t a4, gss_qop_t *a5), (minor, \
	    a2, a3, a4, a5))

/* X(name, (parameters), (arguments)): krb5 calls returning krb5_error_code. */
#define KRB5_LAZY_CODE(X) \
	X(krb5_c_decrypt, (krb5_context a1, const krb5_keyblock *a2, krb5_keyusage a3, const krb5_data *a4, const \
	    krb5_enc_data *a5, krb5_data *a6), (a1, a2, a3, a4, a5, a6)) \
	X(krb5_cc_close, (krb5_context a1, krb5_ccache a2), (a1, a2)) \
	X(krb5_cc_default, (krb5_context a1, krb5_ccache *a2), (a1, a2)) \
	X(krb5_cc_destroy, (krb5_context a1, krb5_ccache a2), (a1, a2)) \
	X(krb5_cc_get_principal, (krb5_context a1, krb5_ccache a2, krb5_principal *a3), (a1, a2, a3)) \
	X(krb5_cc_initialize, (krb5_context a1, krb5_ccache a2, krb5_principal a3), (a1, a2, a3)) \
	X(krb5_cc_new_unique, (krb5_context a1, const char *a2, const char *a3, krb5_ccache *a4), (a1, a2, a3, a4)) \
	X(krb5_cc_retrieve_cred, (krb5_context a1, krb5_ccache a2, krb5_flags a3, krb5_creds *a4, krb5_creds *a5), (a1, \
	    a2, a3, a4, a5)) \
	X(krb5_copy_keyblock_contents, (krb5_context a1, const krb5_keyblock *a2, krb5_keyblock *a3), (a1, a2, a3)) \
	X(krb5_copy_principal, (krb5_context a1, krb5_const_principal a2, krb5_principal *a3), (a1, a2, a3)) \
	X(krb5_decode_ticket, (const krb5_data *a1, krb5_ticket **a2), (a1, a2)) \
	X(krb5_enctype_to_name, (krb5_enctype a1, krb5_boolean a2, char *a3, size_t a4), (a1, a2, a3, a4)) \
	X(krb5_free_host_realm, (krb5_context a1, char *const *a2), (a1, a2)) \
	X(krb5_free_keytab_entry_contents, (krb5_context a1, krb5_keytab_entry *a2), (a1, a2)) \
	X(krb5_get_credentials, (krb5_context a1, krb5_flags a2, krb5_ccache a3, krb5_creds *a4, krb5_creds **a5), (a1, \
	    a2, a3, a4, a5)) \
	X(krb5_get_host_realm, (krb5_context a1, const char *a2, char ***a3), (a1, a2, a3)) \
	X(krb5_get_init_creds_opt_alloc, (krb5_context a1, krb5_get_init_creds_opt **a2), (a1, a2)) \
	X(krb5_get_init_creds_opt_set_out_ccache, (krb5_context a1, krb5_get_init_creds_opt *a2, krb5_ccache a3), (a1, \
	    a2, a3)) \
	X(krb5_get_init_creds_password, (krb5_context a1, krb5_creds *a2, krb5_principal a3, const char *a4, \
	    krb5_prompter_fct a5, void *a6, krb5_deltat a7, const char *a8, krb5_get_init_creds_opt *a9), (a1, a2, a3, \
	    a4, a5, a6, a7, a8, a9)) \
	X(krb5_init_context, (krb5_context *a1), (a1)) \
	X(krb5_kt_add_entry, (krb5_context a1, krb5_keytab a2, krb5_keytab_entry *a3), (a1, a2, a3)) \
	X(krb5_kt_close, (krb5_context a1, krb5_keytab a2), (a1, a2)) \
	X(krb5_kt_end_seq_get, (krb5_context a1, krb5_keytab a2, krb5_kt_cursor *a3), (a1, a2, a3)) \
	X(krb5_kt_next_entry, (krb5_context a1, krb5_keytab a2, krb5_keytab_entry *a3, krb5_kt_cursor *a4), (a1, a2, a3, \
	    a4)) \
	X(krb5_kt_remove_entry, (krb5_context a1, krb5_keytab a2, krb5_keytab_entry *a3), (a1, a2, a3)) \
	X(krb5_kt_resolve, (krb5_context a1, const char *a2, krb5_keytab *a3), (a1, a2, a3)) \
	X(krb5_kt_start_seq_get, (krb5_context a1, krb5_keytab a2, krb5_kt_cursor *a3), (a1, a2, a3)) \
	X(krb5_parse_name, (krb5_context a1, const char *a2, krb5_principal *a3), (a1, a2, a3)) \
	X(krb5_server_decrypt_ticket_keytab, (krb5_context a1, const krb5_keytab a2, krb5_ticket *a3), (a1, a2, a3)) \
	X(krb5_set_trace_callback, (krb5_context a1, krb5_trace_callback a2, void *a3), (a1, a2, a3)) \
	X(krb5_unparse_name, (krb5_context a1, krb5_const_principal a2, char **a3), (a1, a2, a3)) \
	X(krb5_unparse_name_flags, (krb5_context a1, krb5_const_principal a2, int a3, char **a4), (a1, a2, a3, a4))

/* X(name, (parameters), (arguments)): calls returning nothing. */
#define KRB5_LAZY_VOID(X) \
	X(krb5_free_context, (krb5_context a1), (a1)) \
	X(krb5_free_cred_contents, (krb5_context a1, krb5_creds *a2), (a1, a2)) \
	X(krb5_free_creds, (krb5_context a1, krb5_creds *a2), (a1, a2)) \
	X(krb5_free_error_message, (krb5_context a1, const char *a2), (a1, a2)) \
	X(krb5_free_keyblock_contents, (krb5_context a1, krb5_keyblock *a2), (a1, a2)) \
	X(krb5_free_principal, (krb5_context a1, krb5_principal a2), (a1, a2)) \
	X(krb5_free_ticket, (krb5_context a1, krb5_ticket *a2), (a1, a2)) \
	X(krb5_free_unparsed_name, (krb5_context a1, char *a2), (a1, a2)) \
	X(krb5_get_init_creds_opt_free, (krb5_context a1, krb5_get_init_creds_opt *a2), (a1, a2)) \
	X(krb5_set_kdc_recv_hook, (krb5_context a1, krb5_post_recv_fn a2, void *a3), (a1, a2, a3)) \
	X(krb5_set_kdc_send_hook, (krb5_context a1, krb5_pre_send_fn a2, void *a3), (a1, a2, a3))

/* X(return type, name, (parameters), (arguments), value without the library). */
#define KRB5_LAZY_OTHER(X) \
	X(const char *, krb5_get_error_message, (krb5_context a1, krb5_error_code a2), (a1, a2), krb5_lazy_error) \
	X(krb5_boolean, krb5_principal_compare, (krb5_context a1, krb5_const_principal a2, krb5_const_principal a3), \
	    (a1, a2, a3), FALSE)


/* Called by the forwarders below without being part of smbdiag's API. */
#define KRB5_LAZY_HIDDEN(X) \
	X(krb5_build_principal_alloc_va, (krb5_context a1, krb5_principal *a2, unsigned int a3, const char *a4, \
	    va_list a5))

#define KRB5_LAZY_POINTER(name, params, args) OM_uint32(*name) params;
#define KRB5_LAZY_POINTER_CODE(name, params, args) krb5_error_code(*name) params;
#define KRB5_LAZY_POINTER_VOID(name, params, args) void(*name) params;
#define KRB5_LAZY_POINTER_OTHER(ret, name, params, args, missing) ret(*name) params;
#define KRB5_LAZY_POINTER_HIDDEN(name, params) krb5_error_code(*name) params;

struct krb5_api {
	KRB5_LAZY_GSS(KRB5_LAZY_POINTER)
	KRB5_LAZY_CODE(KRB5_LAZY_POINTER_CODE)
	KRB5_LAZY_VOID(KRB5_LAZY_POINTER_VOID)
	KRB5_LAZY_OTHER(KRB5_LAZY_POINTER_OTHER)
	KRB5_LAZY_HIDDEN(KRB5_LAZY_POINTER_HIDDEN)
	gss_OID *inq_sspi_session_key;
};

/* libgssapi_krb5 depends on libkrb5, so one handle finds both APIs. */
static const char *const krb5_sonames[] = {"libgssapi_krb5.so.2", "libgssapi_krb5.so"};

static struct krb5_api krb5_api;
static const struct krb5_api *krb5_loaded;
static char krb5_lazy_error[512];
static pthread_once_t krb5_once = PTHREAD_ONCE_INIT;

/* The OIDs smbdiag passes (RFC 1964's mechanism and name type, MIT's
 * SSPI session key query): GSS compares OIDs by value, so these copies
 * serve; the one the header leaves writable points at the library's own
 * once it is loaded. */
static gss_OID_desc oid_mech_krb5 = {9, (void *)"\x2a\x86\x48\x86\xf7\x12\x01\x02\x02"};
static gss_OID_desc oid_nt_principal_name = {10, (void *)"\x2a\x86\x48\x86\xf7\x12\x01\x02\x02\x01"};
static gss_OID_desc oid_inq_sspi_session_key = {11, (void *)"\x2a\x86\x48\x86\xf7\x12\x01\x02\x02\x05\x05"};
const gss_OID gss_mech_krb5 = &oid_mech_krb5;
const gss_OID GSS_KRB5_NT_PRINCIPAL_NAME = &oid_nt_principal_name;
gss_OID GSS_C_INQ_SSPI_SESSION_KEY = &oid_inq_sspi_session_key;

/* dlsym returns void *; ISO C has no conversion to a function pointer, so
 * the address is copied into the pointer object instead. */
static int
resolve(void *lib, const char *name, void *slot, size_t slot_size)
{
	void *sym = dlsym(lib, name);

	if (sym == NULL) {
		snprintf(krb5_lazy_error, sizeof(krb5_lazy_error), "Kerberos library has no %s (too old?)", name);
		return -1;
	}
	memcpy(slot, &sym, slot_size);
	return 0;
}

#define KRB5_LAZY_RESOLVE(name, params, args) \
	if (resolve(lib, #name, &krb5_api.name, sizeof(krb5_api.name)) < 0) \
		goto fail;
#define KRB5_LAZY_RESOLVE_OTHER(ret, name, params, args, missing) KRB5_LAZY_RESOLVE(name, params, args)
#define KRB5_LAZY_RESOLVE_HIDDEN(name, params) KRB5_LAZY_RESOLVE(name, params, ())

static void
load_krb5(void)
{
	void *lib = NULL;
	size_t i;

	for (i = 0; lib == NULL && i < sizeof(krb5_sonames) / sizeof(krb5_sonames[0]); i++)
		lib = dlopen(krb5_sonames[i], RTLD_NOW | RTLD_LOCAL);
	if (lib == NULL) {
		snprintf(krb5_lazy_error, sizeof(krb5_lazy_error),
		    "cannot load MIT Kerberos (install libgssapi-krb5-2): %s", dlerror());
		goto fail;
	}
	KRB5_LAZY_GSS(KRB5_LAZY_RESOLVE)
	KRB5_LAZY_CODE(KRB5_LAZY_RESOLVE)
	KRB5_LAZY_VOID(KRB5_LAZY_RESOLVE)
	KRB5_LAZY_OTHER(KRB5_LAZY_RESOLVE_OTHER)
	KRB5_LAZY_HIDDEN(KRB5_LAZY_RESOLVE_HIDDEN)
	if (resolve(lib, "GSS_C_INQ_SSPI_SESSION_KEY", &krb5_api.inq_sspi_session_key,
		sizeof(krb5_api.inq_sspi_session_key)) < 0)
		goto fail;
	GSS_C_INQ_SSPI_SESSION_KEY = *krb5_api.inq_sspi_session_key;
	krb5_loaded = &krb5_api;   /* the handle stays open until exit */
	return;
fail:
	fprintf(stderr, "smbdiag: %s\n", krb5_lazy_error);
}

static const struct krb5_api *
krb5_lib(void)
{
	pthread_once(&krb5_once, load_krb5);
	return krb5_loaded;
}

#define KRB5_FORWARD_GSS(name, params, args) \
	OM_uint32 name params \
	{ \
		const struct krb5_api *api = krb5_lib(); \
		if (api == NULL) { \
			if (minor != NULL) \
				*minor = 0; \
			return GSS_S_FAILURE; \
		} \
		return api->name args; \
	}

#define KRB5_FORWARD_CODE(name, params, args) \
	krb5_error_code name params \
	{ \
		const struct krb5_api *api = krb5_lib(); \
		return api != NULL ? api->name args : ELIBACC; \
	}

#define KRB5_FORWARD_VOID(name, params, args) \
	void name params \
	{ \
		const struct krb5_api *api = krb5_lib(); \
		if (api != NULL) \
			api->name args; \
	}

#define KRB5_FORWARD_OTHER(ret, name, params, args, missing) \
	ret name params \
	{ \
		const struct krb5_api *api = krb5_lib(); \
		return api != NULL ? api->name args : (missing); \
	}

KRB5_LAZY_GSS(KRB5_FORWARD_GSS)
KRB5_LAZY_CODE(KRB5_FORWARD_CODE)
KRB5_LAZY_VOID(KRB5_FORWARD_VOID)
KRB5_LAZY_OTHER(KRB5_FORWARD_OTHER)

/* --- varargs ------------------------------------------------------------ */

krb5_error_code KRB5_CALLCONV_C
krb5_build_principal(krb5_context context, krb5_principal *princ, unsigned int rlen, const char *realm, ...)
{
	const struct krb5_api *api = krb5_lib();
	krb5_error_code code;
	va_list ap;

	if (api == NULL)
		return ELIBACC;
	va_start(ap, realm);
	code = api->krb5_build_principal_alloc_va(context, princ, rlen, realm, ap);
	va_end(ap);
	return code;
}

/* MIT has no va_list twin of krb5_build_principal_ext: the (length, data)
 * components go into a principal on the stack, which the library copies. */
#define KRB5_LAZY_MAX_COMPONENTS 16

krb5_error_code KRB5_CALLCONV_C
krb5_build_principal_ext(krb5_context context, krb5_principal *princ, unsigned int rlen, const char *realm, ...)
{
	krb5_data comps[KRB5_LAZY_MAX_COMPONENTS];
	krb5_principal_data p;
	unsigned int len;
	va_list ap;

	memset(&p, 0, sizeof(p));
	p.magic = KV5M_PRINCIPAL;
	p.realm.length = rlen;
	p.realm.data = (char *)(uintptr_t)realm;
	p.data = comps;
	va_start(ap, realm);
	while ((len = va_arg(ap, unsigned int)) != 0) {
		const char *s = va_arg(ap, const char *);

		if (p.length == KRB5_LAZY_MAX_COMPONENTS) {
			va_end(ap);
			return EINVAL;
		}
		comps[p.length].magic = KV5M_DATA;
		comps[p.length].length = len;
		comps[p.length].data = (char *)(uintptr_t)s;
		p.length++;
	}
	va_end(ap);
	/* The name type takes no part in matching (krb5_principal_compare
	 * ignores it); krbtgt/REALM is named as a service instance. */
	p.type = p.length == 2 && comps[0].length == KRB5_TGS_NAME_SIZE &&
			memcmp(comps[0].data, KRB5_TGS_NAME, KRB5_TGS_NAME_SIZE) == 0
		     ? KRB5_NT_SRV_INST
		     : KRB5_NT_PRINCIPAL;
	return krb5_copy_principal(context, &p, princ);
}
