/* The plaintexts inside Kerberos encrypted parts that a session key comes
 * from (RFC 4120 5.5.1, 5.5.2): the Authenticator of an AP-REQ (the
 * initiator's subkey) and the EncAPRepPart of an AP-REP (the acceptor's
 * subkey), plus the raw Ticket element of an AP-REQ for a Kerberos
 * library's ticket decoder.
 *
 * Why hand-written: MIT krb5 decrypts these parts (krb5_c_decrypt) but has
 * no public decoder for their plaintext, and krb5_rd_req / krb5_rd_rep
 * check the current time and their own request state, which a capture
 * read later cannot satisfy. Sans-I/O like the rest of src/core; every
 * pointer points into the input.
 */
#ifndef SMBDIAG_CORE_AUTH_KRB5ENC_H
#define SMBDIAG_CORE_AUTH_KRB5ENC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/auth/krb5msg.h"
#include "core/err.h"

/* Key usages (RFC 4120 7.5.1). */
#define KRB_KEYUSAGE_AP_REQ_AUTH 11
#define KRB_KEYUSAGE_AP_REP_ENCPART 12

/* EncryptionKey. */
struct krb_key {
	bool present;
	int32_t keytype;
	struct krb_str value;
};

struct krb_authenticator {
	int64_t ctime;
	uint32_t cusec;
	struct krb_key subkey;
	bool has_seq;
	uint32_t seq;
};

struct krb_enc_ap_rep_part {
	int64_t ctime;
	uint32_t cusec;
	struct krb_key subkey;
	bool has_seq;
	uint32_t seq;
};

/* The Ticket ([APPLICATION 1], header included) of an AP-REQ, bare or
 * GSS-framed (RFC 4121 4.1). SD_ERR_PROTOCOL_ID when it is no AP-REQ. */
enum sd_err krb_ap_req_ticket_der(const uint8_t *p, size_t len, struct krb_str *ticket);

/* Decrypted plaintexts. Bytes after the element (padding of old enctypes)
 * are ignored. SD_ERR_TRUNCATED / SD_ERR_MALFORMED / SD_ERR_PROTOCOL_ID. */
enum sd_err krb_decode_authenticator(const uint8_t *p, size_t len, struct krb_authenticator *out);
enum sd_err krb_decode_enc_ap_rep_part(const uint8_t *p, size_t len, struct krb_enc_ap_rep_part *out);

#endif
