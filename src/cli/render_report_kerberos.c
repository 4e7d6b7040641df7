/* One Kerberos record of the text report as a line: the logon step, the
 * message and the names, the error, then where, how long, which key, whose
 * clock and how the KDC's host refused. Kept apart from
 * render_report_text.c, which lays the lines out. */
#include <string.h>

#include "cli/i18n.h"
#include "cli/render_report_internal.h"
#include "core/wire/names.h"

#define KDC_SLOW_MS 1000.0

static const char *
kerberos_step_label(enum ev_krb_step step)
{
	switch (step) {
	case EV_KRB_STEP_TGT: return _("TGT");
	case EV_KRB_STEP_SERVICE_TICKET: return _("service ticket");
	case EV_KRB_STEP_AP_REQ: return _("AP-REQ");
	case EV_KRB_STEP_SERVER_ANSWER: return _("server answer");
	case EV_KRB_STEP_MUTUAL: return _("mutual authentication");
	default: return NULL;
	}
}

/* analyze: what the KDC's host answered instead of Kerberos. */
static const char *
kerberos_refusal_label(const struct ev_kerberos *k)
{
	const char *reason = ev_krb_refusal_reason(k);

	if (reason == NULL)
		return NULL;
	if (strcmp(reason, "port_unreachable") == 0)
		return _("port unreachable");
	if (strcmp(reason, "connection_refused") == 0)
		return _("connection refused");
	if (strcmp(reason, "admin_prohibited") == 0)
		return _("administratively prohibited");
	if (strcmp(reason, "host_unreachable") == 0)
		return _("host unreachable");
	if (strcmp(reason, "net_unreachable") == 0)
		return _("network unreachable");
	if (strcmp(reason, "protocol_unreachable") == 0)
		return _("protocol unreachable");
	if (strcmp(reason, "fragmentation_needed") == 0)
		return _("fragmentation needed");
	return _("unreachable");
}

/* The probe's ladder facts after the message: where, how long, which key,
 * whose clock, and what it means. */
static void
kerberos_step_suffix(const struct ev_kerberos *k, char *line, size_t cap)
{
	const char *etype = k->has_enctype ? krb_etype_name(k->enctype) : NULL;
	size_t used = strlen(line);

#define ADD(...) (used < cap ? used += (size_t)snprintf(line + used, cap - used, __VA_ARGS__) : 0)
	if (k->kdc[0])
		ADD(", KDC %s", k->kdc);
	if (k->has_ms)
		ADD(", %.1f ms", k->ms);
	if (k->from_cache)
		ADD(", %s", _("from the cache"));
	if (k->has_kvno)
		ADD(", kvno %u", k->kvno);
	if (etype)
		ADD(", %s", etype);
	else if (k->has_enctype)
		ADD(", enctype %d", (int)k->enctype);
	/* The KDC read its clock somewhere in the round trip: a slow answer
	 * leaves the estimate that loose. */
	if (k->has_kdc_skew && k->has_ms && k->ms >= KDC_SLOW_MS)
		ADD(", %s %+.1f s (%s %.1f s)", _("KDC clock vs local"), k->kdc_skew_s, _("to within the round trip of"),
		    k->ms / 1000.0);
	else if (k->has_kdc_skew)
		ADD(", %s %+.1f s", _("KDC clock vs local"), k->kdc_skew_s);
	if (k->refusal == EV_KRB_REFUSAL_TCP_RESET)
		ADD(", %s (%s", kerberos_refusal_label(k), _("TCP reset"));
	else if (k->refusal != EV_KRB_REFUSAL_NONE)
		ADD(", %s (%s %u/%u", kerberos_refusal_label(k), k->refusal == EV_KRB_REFUSAL_ICMPV6 ? "ICMPv6" : "ICMP",
		    k->refusal_icmp_type, k->refusal_icmp_code);
	if (k->refusal != EV_KRB_REFUSAL_NONE && k->refusal_from[0])
		ADD(" %s %s", _("from"), k->refusal_from);
	if (k->refusal != EV_KRB_REFUSAL_NONE && k->refusal_frame)
		ADD(", %s %u", _("frame"), k->refusal_frame);
	if (k->refusal != EV_KRB_REFUSAL_NONE)
		ADD(")");
	if (k->detail[0])
		ADD(": %s", k->detail);
#undef ADD
}

void
report_kerberos_line(const struct ev_kerberos *k, char *line, size_t cap)
{
	const char *err = k->has_error ? krb_error_name(k->error) : NULL;
	const char *label = kerberos_step_label(k->step);

	const char *message = k->message == EV_KRB_NO_MESSAGE ? "-" : ev_krb_message_name(k->message);

	if (!k->cname[0] && !k->sname[0] && k->realm[0])
		/* A realm alone would read as a name (a scanner's AS-REQ names
		 * neither client nor service). */
		snprintf(line, cap, "%s%s%s %s %s (%s)%s", label ? label : "", label ? ": " : "", message, _("for realm"),
			 k->realm, _("no client or service name"), err ? " " : "");
	else
		snprintf(line, cap, "%s%s%s%s%s%s%s%s%s%s%s%s", label ? label : "", label ? ": " : "", message,
			 k->cname[0] ? " " : "", k->cname, k->cname[0] && k->realm[0] ? "@" : "",
			 k->cname[0] ? k->realm : "", k->sname[0] ? " -> " : "", k->sname,
			 !k->cname[0] && k->realm[0] ? "@" : "", !k->cname[0] ? k->realm : "", err ? " " : "");
	if (err)
		strncat(line, err, cap - strlen(line) - 1);
	kerberos_step_suffix(k, line, cap);
}
