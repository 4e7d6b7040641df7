/* The probe's record of every KDC exchange the Kerberos library makes for
 * it: which message went out, what came back (AS-REP, TGS-REP or a
 * KRB-ERROR with the KDC's clock), from which KDC address, and how long it
 * took. MIT krb5's KDC hooks give the messages themselves; only its trace
 * callback says which address answered (no public API gives it), so the
 * address is taken from the trace and left empty when the trace says
 * nothing recognisable (or the user's KRB5_TRACE owns the trace) - never
 * guessed.
 */
#ifndef SMBDIAG_NET_GSS_KDC_LOG_H
#define SMBDIAG_NET_GSS_KDC_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <krb5/krb5.h>

#define GSS_KDC_LOG_MAX 16
#define GSS_KDC_ADDR 64
#define GSS_KDC_TEXT 128
#define GSS_KDC_TRIED_MAX 8
#define GSS_KDC_ETYPES_MAX 8

/* A KDC address the library sent a request to, and how. */
struct gss_kdc_try {
	char kdc[GSS_KDC_ADDR];
	char transport[8];          /* "tcp", "udp", "https" */
};

struct gss_kdc_exchange {
	int stage;                  /* the caller's stage when it was sent */
	int request;                /* KRB_MSG_AS_REQ / KRB_MSG_TGS_REQ; 0 unknown */
	int reply;                  /* KRB_MSG_AS_REP / TGS_REP / ERROR; 0 no answer */
	bool has_error;
	int32_t error;              /* the KRB-ERROR's error-code */
	bool has_ext_status;
	uint32_t ext_status;        /* KERB-EXT-ERROR NTSTATUS */
	bool has_kdc_time;
	double kdc_time;            /* the KRB-ERROR's stime.susec, Unix seconds */
	double local_time;          /* our wall clock when the answer came, Unix seconds */
	double sent_time;           /* ... when the request left */
	uint64_t sent_us;           /* net_now_us() */
	uint64_t answered_us;       /* 0: no answer */
	long failure;               /* the library got no answer: its error code */
	char kdc[GSS_KDC_ADDR];     /* "127.0.0.1:88" that answered (or was tried last) */
	char transport[8];          /* "tcp", "udp", "https" */
	char sname[GSS_KDC_TEXT];   /* the request's sname, "krbtgt/REALM" or "cifs/host" */
	char e_text[GSS_KDC_TEXT];
	/* Every KDC address and transport the request went to, in order (the
	 * library tries the next when one is silent). */
	uint8_t n_tried;
	struct gss_kdc_try tried[GSS_KDC_TRIED_MAX];
	/* The encryption types the request asked for, and those the KDC's
	 * KRB-ERROR named keys for (ETYPE-INFO2 / ETYPE-INFO in its e-data). */
	uint8_t n_etypes;
	int32_t etypes[GSS_KDC_ETYPES_MAX];
	bool has_method_data;
	uint8_t n_etype_info;
	int32_t etype_info[GSS_KDC_ETYPES_MAX];
};

struct gss_kdc_log {
	int stage;                  /* set by the caller before each library call */
	size_t n;
	size_t dropped;
	struct gss_kdc_exchange ex[GSS_KDC_LOG_MAX];
	/* From the trace, for the exchange in flight: the last address tried,
	 * every one tried, and the one that answered. */
	char tried[GSS_KDC_ADDR];
	char tried_transport[8];
	uint8_t n_tried;
	struct gss_kdc_try tried_all[GSS_KDC_TRIED_MAX];
	char answered[GSS_KDC_ADDR];
	char answered_transport[8];
};

/* Installs the hooks and the trace callback on ctx; log must outlive
 * ctx or be detached first. */
void gss_kdc_log_attach(krb5_context ctx, struct gss_kdc_log *log);
void gss_kdc_log_detach(krb5_context ctx);

/* Exposed for the unit test: reads one trace line into the log. */
void gss_kdc_log_trace_line(struct gss_kdc_log *log, const char *line);

/* The KDC's clock minus ours from one exchange. The KDC read its clock at
 * some moment between our request (sent, our wall clock) and its answer
 * (received), and reported a time in [kdc_from, kdc_to] (a ticket's
 * start time is whole seconds): the offset lies in [kdc_from - received,
 * kdc_to - sent], as wide as the round trip. Returns the offset in that
 * range nearest zero: a KDC that is merely slow to answer has no skew. */
double gss_kdc_clock_offset(double kdc_from, double kdc_to, double sent, double received);

#endif
