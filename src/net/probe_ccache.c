/* Whether --auth auto can have a Kerberos ticket without a password: a
 * TGT in the user's default credential cache (after kinit), as Windows
 * uses the logon session's. Asked before the probe runs, so that no
 * password is asked for when the cache will do. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <krb5/krb5.h>

#include "net/probe.h"

/* The cache's principal is the account -U named: "alice" matches
 * alice@ANY.REALM, "alice@REALM" that realm alone. Windows account names
 * ignore case, and so does this. */
static bool
principal_is(krb5_context ctx, krb5_const_principal client, const char *user)
{
	const char *at = strchr(user, '@');
	size_t name_len = at ? (size_t)(at - user) : strlen(user);
	char *name = NULL;
	bool same;

	if (krb5_unparse_name_flags(ctx, client, KRB5_PRINCIPAL_UNPARSE_NO_REALM, &name) != 0)
		return false;
	same = strlen(name) == name_len && strncasecmp(name, user, name_len) == 0;
	krb5_free_unparsed_name(ctx, name);
	if (same && at)
		same = client->realm.length == strlen(at + 1) &&
		       strncasecmp(client->realm.data, at + 1, client->realm.length) == 0;
	return same;
}

/* krbtgt/REALM@REALM of the client's realm, unexpired. */
static bool
holds_tgt(krb5_context ctx, krb5_ccache cc, krb5_principal client)
{
	const krb5_data *realm = &client->realm;
	krb5_principal tgs = NULL;
	krb5_creds in, out;
	bool ok = false;

	if (krb5_build_principal_ext(ctx, &tgs, realm->length, realm->data, KRB5_TGS_NAME_SIZE, KRB5_TGS_NAME,
				     realm->length, realm->data, 0) != 0)
		return false;
	memset(&in, 0, sizeof(in));
	memset(&out, 0, sizeof(out));
	in.client = client;
	in.server = tgs;
	if (krb5_cc_retrieve_cred(ctx, cc, 0, &in, &out) == 0) {
		ok = (uint32_t)out.times.endtime > (uint32_t)time(NULL);  /* MIT reads them unsigned */
		krb5_free_cred_contents(ctx, &out);
	}
	krb5_free_principal(ctx, tgs);
	return ok;
}

bool
probe_cache_has_tgt(const char *user)
{
	krb5_context ctx = NULL;
	krb5_ccache cc = NULL;
	krb5_principal client = NULL;
	bool ok = false;

	if (krb5_init_context(&ctx) != 0)
		return false;
	if (krb5_cc_default(ctx, &cc) == 0 && krb5_cc_get_principal(ctx, cc, &client) == 0)
		ok = (!user || !*user || principal_is(ctx, client, user)) && holds_tgt(ctx, cc, client);
	if (client)
		krb5_free_principal(ctx, client);
	if (cc)
		krb5_cc_close(ctx, cc);
	krb5_free_context(ctx);
	return ok;
}
