/* Hand-built evidence timelines for tests/unit/test_rules.c: small
 * builders (rc_*) and one positive case per finding id of the catalog. */
#ifndef SMBDIAG_TESTS_RULES_CASES_H
#define SMBDIAG_TESTS_RULES_CASES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag/evidence.h"

#define ST_ACCESS_DENIED 0xC0000022u
#define ST_LOGON_FAILURE 0xC000006Du
#define ST_ACCOUNT_DISABLED 0xC0000072u
#define ST_NOT_SUPPORTED 0xC00000BBu
#define ST_BAD_NETWORK_NAME 0xC00000CCu
#define ST_TIME_DIFFERENCE_AT_DC 0xC0000133u
#define ST_MORE_PROCESSING 0xC0000016u

struct rules_case {
	const char *id;
	void (*build)(struct ev_timeline *t);
	const char *evidence; /* a piece of text the finding's evidence must hold */
};

extern const struct rules_case rules_positive_cases[];
extern const size_t rules_positive_count;
/* Builds the positive case of that finding id into t; false when none. */
bool rules_case_build(const char *id, struct ev_timeline *t);

/* A step with a response 0.7 ms later when answered. */
struct ev_step *rc_step(struct ev_connection *c, enum sd_step which, enum ev_outcome outcome, uint32_t status,
			double at);
/* A connection from 10.0.0.5 to fs1 (10.0.0.9:445) through a 3.1.1
 * NEGOTIATE with AES-128-GCM; Kerberos and NTLMSSP offered. */
struct ev_connection *rc_negotiated(struct ev_timeline *t);
/* A SESSION_SETUP step of CONTOSO\alice (NTLMv2, target cifs/fs1). */
struct ev_step *rc_session(struct ev_connection *c, enum ev_outcome outcome, uint32_t status, uint8_t legs);
struct ev_step *rc_tree(struct ev_connection *c, enum ev_outcome outcome, uint32_t status, const char *path);
struct ev_kerberos *rc_krb_error(struct ev_timeline *t, int32_t code, const char *sname, int connection);

const struct ev_finding *rc_finding(const struct ev_timeline *t, const char *id, int connection);
bool rc_evidence_has(const struct ev_timeline *t, const char *id, const char *text);
size_t rc_errors(const struct ev_timeline *t);
/* Prints the findings as TAP comments. */
void rc_dump(const struct ev_timeline *t);

#endif
