/* What a client must refuse in a NEGOTIATE answer (MS-SMB2 3.2.5.2): a
 * dialect it did not offer, buffer sizes below 64 KiB, and 3.1.1
 * negotiate contexts that are missing, repeated, or choose something the
 * client did not offer. Windows ends the connection on each of them, so
 * a server that sends such an answer fails with Windows clients even
 * when smbclient gets through.
 *
 * The probe's client refuses such answers; the capture analyzer reports
 * them. Both describe the request with the same offer record. */
#ifndef SMBDIAG_CORE_PROTO_NEGOTIATE_CHECK_H
#define SMBDIAG_CORE_PROTO_NEGOTIATE_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "core/wire/smb2.h"

/* The sizes Windows 8 and later insist on (Vista SP1 to 2012 R2: 4096). */
#define SMB2_MIN_MAX_SIZE 65536u

/* The ids of one context type the client sent. */
struct smb2_offer_ids {
	bool sent;
	uint8_t n;
	uint16_t ids[SMB2_NEGCTX_MAX_IDS];
};

struct smb2_negotiate_offer {
	/* The request was an SMB1 multi-protocol NEGOTIATE: the SMB2 answer
	 * carries 0x0202 ("SMB 2.002") or 0x02FF ("SMB 2.???"), and a
	 * 0x02FF answer is only the invitation to an SMB2 NEGOTIATE. */
	bool smb1;
	uint8_t n_dialects;
	uint16_t dialects[SMB2_MAX_DIALECTS];
	struct smb2_offer_ids hashes, ciphers, signing, compression, rdma;
};

void smb2_negotiate_offer_from_req(struct smb2_negotiate_offer *o, const struct smb2_negotiate_req *q);
void smb2_negotiate_offer_from_smb1(struct smb2_negotiate_offer *o, bool smb2_002, bool smb2_wildcard);

enum smb2_negfault_code {
	SMB2_NEGFAULT_NONE = 0,
	SMB2_NEGFAULT_DIALECT = 1,        /* value: the dialect chosen, which was not offered */
	SMB2_NEGFAULT_MAX_TRANSACT = 2,   /* value: MaxTransactSize, below SMB2_MIN_MAX_SIZE */
	SMB2_NEGFAULT_MAX_READ = 3,       /* value: MaxReadSize */
	SMB2_NEGFAULT_MAX_WRITE = 4,      /* value: MaxWriteSize */
	SMB2_NEGFAULT_CONTEXT_COUNT = 5,  /* context: the type; value: how often it came (preauth: not 1, others: > 1) */
	SMB2_NEGFAULT_ID_COUNT = 6,       /* context: the type; value: the count of its id list (must be 1; compression: > 0) */
	SMB2_NEGFAULT_ID_NOT_OFFERED = 7, /* context: the type; value: the id chosen */
};

struct smb2_negfault {
	uint8_t code;      /* enum smb2_negfault_code */
	uint16_t context;  /* negotiate context type, where it applies */
	uint32_t value;
};

#define SMB2_NEGFAULTS_MAX 6

struct smb2_negfaults {
	uint8_t n;
	struct smb2_negfault f[SMB2_NEGFAULTS_MAX];
};

/* Fills *out with what a client refuses in a successful answer r to the
 * offer o (none: out->n == 0). Checks stop at SMB2_NEGFAULTS_MAX. */
void smb2_negotiate_check(const struct smb2_negotiate_offer *o, const struct smb2_negotiate_rsp *r,
			  struct smb2_negfaults *out);

#endif
