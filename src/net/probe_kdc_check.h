/* The probe's own look at a KDC its Kerberos library could not reach. */
#ifndef SMBDIAG_NET_PROBE_KDC_CHECK_H
#define SMBDIAG_NET_PROBE_KDC_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "diag/evidence.h"

struct kdc_check {
	enum ev_krb_refusal refusal;   /* NONE: no refusal came back */
	uint8_t icmp_type, icmp_code;
	char from[64];                 /* who sent the ICMP error */
	bool udp_answered;             /* something came back to our datagram */
	bool tcp_open;                 /* a TCP connection was accepted */
};

/* Sends one empty UDP datagram to kdc ("10.0.0.1:88", "[fd00::1]:88") and
 * waits up to timeout_ms for an ICMP error or an answer; when neither
 * comes, tries a TCP connection as long. False when kdc is not an address
 * or no socket could be made. */
bool probe_kdc_check(const char *kdc, unsigned timeout_ms, struct kdc_check *out);

#endif
