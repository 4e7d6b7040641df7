/* See gss_kdc_log.h. The messages are decoded with the product's own
 * Kerberos decoder (core/auth/krb5msg.h): only their clear outer parts
 * are read (message type, sname, the KRB-ERROR's code, stime and e-data). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/auth/krb5msg.h"
#include "net/conn.h"
#include "net/gss_kdc_log.h"

static void
copy_bounded(char *dst, size_t cap, const uint8_t *p, size_t len)
{
	size_t n = len < cap - 1 ? len : cap - 1;

	if (p && n)
		memcpy(dst, p, n);
	dst[p ? n : 0] = '\0';
}

static double
wall_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* MIT formats a KDC address as "<transport> <address>:<port>" (e.g.
 * "stream 127.0.0.1:88") at the end of these trace lines. */
static bool
trace_address(const char *line, const char *prefix, char *addr, size_t cap, char *transport, size_t tcap)
{
	const char *at = strstr(line, prefix), *space;

	if (!at)
		return false;
	at += strlen(prefix);
	space = strchr(at, ' ');
	if (!space || !space[1])
		return false;
	if (strncmp(at, "stream ", 7) == 0)
		snprintf(transport, tcap, "tcp");
	else if (strncmp(at, "dgram ", 6) == 0)
		snprintf(transport, tcap, "udp");
	else if (strncmp(at, "https ", 6) == 0)
		snprintf(transport, tcap, "https");
	else
		return false;
	snprintf(addr, cap, "%.*s", (int)strcspn(space + 1, " \r\n"), space + 1);
	return addr[0] != '\0';
}

/* The last address tried joins the list, once per transport. */
static void
note_tried(struct gss_kdc_log *log)
{
	uint8_t i;

	for (i = 0; i < log->n_tried; i++)
		if (strcmp(log->tried_all[i].kdc, log->tried) == 0 &&
		    strcmp(log->tried_all[i].transport, log->tried_transport) == 0)
			return;
	if (log->n_tried == GSS_KDC_TRIED_MAX)
		return;
	snprintf(log->tried_all[log->n_tried].kdc, sizeof(log->tried_all[0].kdc), "%s", log->tried);
	snprintf(log->tried_all[log->n_tried].transport, sizeof(log->tried_all[0].transport), "%s",
		 log->tried_transport);
	log->n_tried++;
}

void
gss_kdc_log_trace_line(struct gss_kdc_log *log, const char *line)
{
	if (!line)
		return;
	if (strstr(line, "Received answer") &&
	    trace_address(line, "bytes) from ", log->answered, sizeof(log->answered), log->answered_transport,
			  sizeof(log->answered_transport)))
		return;
	/* "Received answer (N bytes) from stream A:P"; "Sending TCP request
	 * to stream A:P", "Initiating TCP connection to stream A:P". */
	if (trace_address(line, "request to ", log->tried, sizeof(log->tried), log->tried_transport,
			  sizeof(log->tried_transport)) ||
	    trace_address(line, "connection to ", log->tried, sizeof(log->tried), log->tried_transport,
			  sizeof(log->tried_transport)))
		note_tried(log);
}

double
gss_kdc_clock_offset(double kdc_from, double kdc_to, double sent, double received)
{
	double lo = kdc_from - received, hi = kdc_to - sent;

	if (lo > 0)
		return lo;
	if (hi < 0)
		return hi;
	return 0.0;
}

static void KRB5_CALLCONV
on_trace(krb5_context ctx, const krb5_trace_info *info, void *data)
{
	(void)ctx;
	if (info && data)
		gss_kdc_log_trace_line(data, info->message);
}

static krb5_error_code KRB5_CALLCONV
on_send(krb5_context ctx, void *data, const krb5_data *realm, const krb5_data *message, krb5_data **new_message,
	krb5_data **new_reply)
{
	struct gss_kdc_log *log = data;
	struct gss_kdc_exchange *x;
	struct krb_message m;
	unsigned i;

	(void)ctx;
	(void)realm;
	*new_message = NULL;
	*new_reply = NULL;
	if (log->n == GSS_KDC_LOG_MAX) {
		log->dropped++;
		return 0;
	}
	x = &log->ex[log->n++];
	memset(x, 0, sizeof(*x));
	x->stage = log->stage;
	x->sent_us = net_now_us();
	x->sent_time = wall_clock();
	log->tried[0] = log->answered[0] = '\0';
	log->n_tried = 0;
	if (krb_decode((const uint8_t *)message->data, message->length, &m) == SD_OK &&
	    (m.msg_type == KRB_MSG_AS_REQ || m.msg_type == KRB_MSG_TGS_REQ)) {
		x->request = m.msg_type;
		if (krb_principal_text(&m.u.req.sname, x->sname, sizeof(x->sname)) != SD_OK)
			x->sname[0] = '\0';
		for (i = 0; i < m.u.req.n_etypes && i < GSS_KDC_ETYPES_MAX; i++)
			x->etypes[x->n_etypes++] = m.u.req.etypes[i];
	}
	return 0;
}

static void
read_error(struct gss_kdc_exchange *x, const struct krb_error *e)
{
	unsigned i;

	x->has_error = true;
	x->error = e->error_code;
	x->has_kdc_time = true;
	x->kdc_time = (double)e->stime + (double)e->susec / 1e6;
	if (e->has_ext_error) {
		x->has_ext_status = true;
		x->ext_status = e->ext_status;
	}
	copy_bounded(x->e_text, sizeof(x->e_text), e->e_text.p, e->e_text.len);
	x->has_method_data = e->has_method_data;
	for (i = 0; i < e->n_etype_info && i < GSS_KDC_ETYPES_MAX; i++)
		x->etype_info[x->n_etype_info++] = e->etype_info[i].etype;
}

static krb5_error_code KRB5_CALLCONV
on_receive(krb5_context ctx, void *data, krb5_error_code code, const krb5_data *realm, const krb5_data *message,
	   const krb5_data *reply, krb5_data **new_reply)
{
	struct gss_kdc_log *log = data;
	struct gss_kdc_exchange *x;
	struct krb_message m;

	(void)ctx;
	(void)realm;
	(void)message;
	*new_reply = NULL;
	if (log->n == 0)
		return 0;
	x = &log->ex[log->n - 1];
	x->n_tried = log->n_tried;
	memcpy(x->tried, log->tried_all, sizeof(x->tried));
	if (log->answered[0]) {
		snprintf(x->kdc, sizeof(x->kdc), "%s", log->answered);
		snprintf(x->transport, sizeof(x->transport), "%s", log->answered_transport);
	} else {
		snprintf(x->kdc, sizeof(x->kdc), "%s", log->tried);
		snprintf(x->transport, sizeof(x->transport), "%s", log->tried_transport);
	}
	/* No answer: pass the library's error on (a hook returning 0 here
	 * would have to supply a reply). */
	if (code || !reply) {
		x->failure = code ? code : KRB5_KDC_UNREACH;
		return code;
	}
	x->answered_us = net_now_us();
	x->local_time = wall_clock();
	if (krb_decode((const uint8_t *)reply->data, reply->length, &m) != SD_OK)
		return 0;
	x->reply = m.msg_type;
	if (m.msg_type == KRB_MSG_ERROR)
		read_error(x, &m.u.error);
	return 0;
}

void
gss_kdc_log_attach(krb5_context ctx, struct gss_kdc_log *log)
{
	krb5_set_kdc_send_hook(ctx, on_send, log);
	krb5_set_kdc_recv_hook(ctx, on_receive, log);
	/* A user's KRB5_TRACE keeps its file: the KDC address is then left
	 * out of the report rather than taking the user's trace away. */
	if (!getenv("KRB5_TRACE"))
		krb5_set_trace_callback(ctx, on_trace, log);
}

void
gss_kdc_log_detach(krb5_context ctx)
{
	krb5_set_kdc_send_hook(ctx, NULL, NULL);
	krb5_set_kdc_recv_hook(ctx, NULL, NULL);
	krb5_set_trace_callback(ctx, NULL, NULL);
}
