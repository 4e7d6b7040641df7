/* Names for the protocol numbers smbdiag reports: NTSTATUS, Kerberos error
 * codes, NetBIOS session-service codes, SMB2 commands, dialects and flag
 * words. Lookups by number return NULL when the number is unknown; lookups
 * by name are case-insensitive. Tables are const data: no state. */
#ifndef SMBDIAG_CORE_WIRE_NAMES_H
#define SMBDIAG_CORE_WIRE_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* NTSTATUS (and the SSPI HRESULTs that travel in the Status field). */
struct sd_status_info {
	uint32_t code;
	const char *name;     /* "STATUS_BAD_NETWORK_NAME" */
	const char *meaning;  /* one plain sentence, untranslated */
};
const struct sd_status_info *sd_ntstatus_info(uint32_t code);
const char *sd_ntstatus_name(uint32_t code);
/* The name, or "0x%08X" for a status without one. */
void sd_ntstatus_text(uint32_t code, char *buf, size_t cap);
/* Accepts "STATUS_X", smbclient's "NT_STATUS_X" and "X"; true when found. */
bool sd_ntstatus_lookup(const char *name, uint32_t *code);
/* Every known status, for listing and for tests. */
const struct sd_status_info *sd_ntstatus_table(size_t *count);

/* Kerberos error codes: RFC 4120 section 7.5.9 plus MS-KILE / PKINIT / FAST. */
struct krb_error_info {
	int32_t code;
	const char *name;     /* "KDC_ERR_S_PRINCIPAL_UNKNOWN" */
	const char *meaning;
};
const struct krb_error_info *krb_error_info(int32_t code);
const char *krb_error_name(int32_t code);
/* Accepts the exact name, the name without its KDC_ERR_ / KRB_AP_ERR_ /
 * KRB_ERR_ prefix, and "krb:N" / "N". */
bool krb_error_lookup(const char *name, int32_t *code);
const struct krb_error_info *krb_error_table(size_t *count);
/* Encryption type names (RFC 3961 8, RFC 3962, RFC 4757, RFC 6803,
 * RFC 8009), as MIT spells them: 18 -> "aes256-cts-hmac-sha1-96". */
const char *krb_etype_name(int32_t etype);

/* NetBIOS session service (RFC 1002 4.3.4) negative response codes. */
const char *nbss_error_name(uint8_t code);
const char *nbss_error_meaning(uint8_t code);
bool nbss_error_lookup(const char *name, uint8_t *code);

const char *smb2_command_name(uint16_t command);          /* "NEGOTIATE" */
/* Accepts "NEGOTIATE", "SMB2_NEGOTIATE" (any case) and "0x0000". */
bool smb2_command_lookup(const char *name, uint16_t *command);

/* Pseudo dialect for SMB1 ("NT LM 0.12"): no SMB2 dialect has this value,
 * so option parsers can take smbclient's "NT1" in the same list. */
#define SD_DIALECT_SMB1 0x0001
/* "2.0.2" ... "3.1.1", "2.???" for 0x02FF, "1.0" for SD_DIALECT_SMB1;
 * NULL when unknown. */
const char *smb2_dialect_name(uint16_t dialect);
/* A GUID as MS-DTYP 2.3.4.3 writes it ("6ba7b810-9dad-11d1-80b4-00c04fd430c8")
 * from its wire form (the first three fields little-endian); cap >= 37. */
void sd_guid_text(const uint8_t guid[16], char *buf, size_t cap);
/* smbclient's spelling: "SMB2_02" ... "SMB3_11", "NT1"; NULL when it has none. */
const char *smb2_dialect_smbclient_name(uint16_t dialect);
/* Accepts "3.1.1", "311", "SMB3_11", "SMB2_02", "0x0311", "2.???", the
 * SMB1 negotiate strings "SMB 2.002" / "SMB 2.???", smbclient's "SMB2"
 * (= 2.1) and "SMB3" (= 3.1.1), and "NT1" / "SMB1" / "1.0" (SD_DIALECT_SMB1).
 * Case-insensitive; true when the text names a known dialect. */
bool smb2_dialect_parse(const char *text, uint16_t *dialect);

/* Flag words: a table of {bit, name} ending with {0, NULL}.
 * A multi-bit field (the share caching mode, the header priority) is given
 * as entries {value, name, mask}: the entry matches when (word & mask) ==
 * value. Its zero value is the default and is not listed. */
struct sd_flag_name {
	uint32_t bit;
	const char *name;  /* lower_case as in the JSON report: "signing_required" */
	uint32_t mask;     /* 0 for a single-bit flag */
};
/* Writes the names of the set bits into out[] (at most max) and returns the
 * number of names written; bits no entry names are reported in *unknown
 * (may be NULL), and so are named bits that did not fit in out[]. */
size_t sd_flags_names(const struct sd_flag_name *table, uint32_t value, const char **out, size_t max,
		      uint32_t *unknown);
/* Reverse lookup, case-insensitive: the bits of the named entry. */
bool sd_flag_lookup(const struct sd_flag_name *table, const char *name, uint32_t *bits);

extern const struct sd_flag_name smb2_header_flag_names[];
extern const struct sd_flag_name smb2_security_mode_names[];
extern const struct sd_flag_name smb2_capability_names[];
extern const struct sd_flag_name smb2_session_flag_names[];
extern const struct sd_flag_name smb2_share_flag_names[];
extern const struct sd_flag_name smb2_share_capability_names[];
extern const struct sd_flag_name smb2_tree_connect_flag_names[];

const char *smb2_share_type_name(uint8_t type);           /* "disk", "pipe", "print" */
const char *smb2_negotiate_context_name(uint16_t type);   /* "PREAUTH_INTEGRITY_CAPABILITIES" */
const char *smb2_cipher_name(uint16_t id);                /* "AES-128-GCM" */
const char *smb2_signing_algorithm_name(uint16_t id);     /* "AES-128-GMAC" */
const char *smb2_compression_algorithm_name(uint16_t id); /* "LZ77+Huffman" */
const char *smb2_hash_algorithm_name(uint16_t id);        /* "SHA-512" */
/* Reverse lookups, case-insensitive; "AES_128_GCM" and "aes-128-gcm" are
 * the same name. Cipher 0 is "none" (a server's "no common cipher"). */
bool smb2_cipher_lookup(const char *name, uint16_t *id);
bool smb2_signing_algorithm_lookup(const char *name, uint16_t *id);
bool smb2_compression_algorithm_lookup(const char *name, uint16_t *id);
bool smb2_share_type_lookup(const char *name, uint8_t *type);

#endif
