#include "cli/render_report_notes.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/i18n.h"
#include "cli/render_report_internal.h"

static void note(struct report_capture_view *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static const char *tr(const struct report_capture_view *v, const char *english) __attribute__((format_arg(2)));

static const char *
tr(const struct report_capture_view *v, const char *english)
{
	return v->translate ? _(english) : english;
}

static void
note(struct report_capture_view *v, const char *fmt, ...)
{
	va_list ap;

	if (v->n_notes >= REPORT_MAX_NOTES)
		return;
	va_start(ap, fmt);
	vsnprintf(v->notes[v->n_notes], sizeof(v->notes[0]), fmt, ap);
	va_end(ap);
	v->n_notes++;
}

static void
offer(struct report_capture_view *v, const char *option)
{
	if (v->n_decrypt_with < sizeof(v->decrypt_with) / sizeof(v->decrypt_with[0]))
		v->decrypt_with[v->n_decrypt_with++] = option;
}

/* Which secret opens the session's keys: NTLM's come from the user's
 * password, Kerberos' from the service ticket (the server's keytab). */
static const char *
decrypt_hint(const struct ev_connection *c, struct report_capture_view *v)
{
	switch (c->session.seen ? c->session.mechanism : EV_MECH_UNKNOWN) {
	case EV_MECH_NTLMSSP:
		offer(v, "--password");
		offer(v, "--nt-hash");
		return tr(v, N_("To read them, run again with --password PASSWORD or --nt-hash HASH (the user's secret)."));
	case EV_MECH_KERBEROS:
		offer(v, "--keytab");
		return tr(v, N_("The session used Kerberos: to read them, run again with --keytab FILE (the server's "
			 "keytab); --password and --nt-hash only open NTLM sessions."));
	default:
		offer(v, "--password");
		offer(v, "--nt-hash");
		offer(v, "--keytab");
		return tr(v, N_("The keys come from the SESSION_SETUP, which the capture must hold: then run again with "
			 "--password PASSWORD or --nt-hash HASH (NTLM) or --keytab FILE (Kerberos)."));
	}
}

/* Why --keytab did not open a Kerberos session; NULL when it was not the
 * keytab's doing. */
static const char *
keytab_hint(const struct ev_connection *c, const struct report_capture_view *v)
{
	switch (c->keytab_result) {
	case EV_KEYTAB_NO_KEY:
		return tr(v, N_("The keytab holds no key for the service ticket (its principal or encryption type is "
			 "missing): export the key of the account the client asked a ticket for (cifs/NAME)."));
	case EV_KEYTAB_WRONG_KEY:
		return tr(v, N_("No key of the keytab decrypts the service ticket: the keytab is stale (the account's "
			 "key version changed after it was exported) or belongs to another account."));
	case EV_KEYTAB_UNDECODABLE:
		return tr(v, N_("The Kerberos token of the SESSION_SETUP could not be read (not an AP-REQ or AP-REP, or "
			 "its content does not decode)."));
	case EV_KEYTAB_FAILED:
		return tr(v, N_("The Kerberos library failed while decrypting the service ticket."));
	default:
		return NULL;
	}
}

static void
hidden_note(const struct ev_connection *c, struct report_capture_view *v)
{
	const char *which = v->tree_connect_hidden
				    ? tr(v, N_("the steps after SESSION_SETUP (the TREE_CONNECT and everything later) are hidden"))
				    : tr(v, N_("the requests after the TREE_CONNECT are hidden"));
	const char *hint = decrypt_hint(c, v);

	if (c->decrypt_tried && keytab_hint(c, v))
		hint = keytab_hint(c, v);
	else if (c->decrypt_tried)
		hint = tr(v, N_("The secret given did not open them (another user's session, a wrong secret, or a "
			 "SESSION_SETUP the capture lacks)."));
	note(v, tr(v, N_("%u of %u SMB3 messages are encrypted (SMB2 TRANSFORM) and could not be read: %s. %s")),
	     (unsigned)v->hidden, (unsigned)v->encrypted, which, hint);
}

void
report_capture_view(const struct ev_connection *c, struct report_capture_view *v, bool translate)
{
	memset(v, 0, sizeof(*v));
	v->translate = translate;
	v->encrypted = c->encrypted_messages;
	v->decrypted = c->decrypted_messages <= c->encrypted_messages ? c->decrypted_messages : c->encrypted_messages;
	v->hidden = v->encrypted - v->decrypted;
	v->tree_connect_hidden = ev_last_step_const(c, SD_STEP_TREE_CONNECT) == NULL;
	v->gaps = c->capture_gaps;
	v->mid_stream = c->started_mid_stream;
	v->snapped = c->capture_snapped;
	if (v->hidden > 0)
		hidden_note(c, v);
	if (v->decrypted > 0)
		note(v, tr(v, N_("%u SMB3-encrypted messages were decrypted with the secret given; the steps after "
			  "SESSION_SETUP are shown from their decrypted content.")),
		     (unsigned)v->decrypted);
	if (v->gaps)
		note(v, "%s", tr(v, N_("The capture lacks some TCP data of this connection (packets it did not record): "
				"messages there are unseen; the analysis resumed at the next NetBIOS / SMB2 header.")));
	if (v->snapped)
		note(v, "%s", tr(v, N_("The capture's snap length cut packets of this connection short: the messages in "
				"them are partial or unread (capture again with no snap length: tcpdump -s 0, dumpcap "
				"without -s).")));
	if (v->mid_stream)
		note(v, tr(v, N_("The capture began after this connection was opened (no TCP handshake seen): %s.")),
		     c->negotiate.seen_request || c->negotiate.seen_response
			     ? tr(v, N_("the SMB steps start with its NEGOTIATE, none is missing"))
			     : tr(v, N_("the NEGOTIATE and maybe the SESSION_SETUP happened before it and are missing")));
	v->any = v->encrypted > 0 || v->gaps || v->mid_stream || v->snapped;
}

size_t
report_hidden_connections(const struct ev_timeline *t, const struct render_opts *o)
{
	size_t hidden = 0, i;

	for (i = 0; i < t->n_conns; i++)
		if (report_want_connection(o, (int)i) && t->conns[i].encrypted_messages > t->conns[i].decrypted_messages)
			hidden++;
	return hidden;
}
