/* NTLMSSP messages (MS-NLMP 2.2.1): NEGOTIATE, CHALLENGE, AUTHENTICATE.
 *
 * Decoders expose every field, raw: names stay in their wire encoding
 * (UTF-16LE with NTLMSSP_NEGOTIATE_UNICODE, OEM otherwise) as pointers into
 * the message, and the NTLMv2 response is split into the parts the NTLMv2
 * computation needs (NTProofStr, the blob "temp", its timestamp, client
 * challenge and AV pairs). No crypto here.
 */
#ifndef SMBDIAG_CORE_AUTH_NTLMSSP_H
#define SMBDIAG_CORE_AUTH_NTLMSSP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/wire/anomaly.h"
#include "core/wire/cursor.h"
#include "core/wire/names.h"

enum ntlm_msg_type {
	NTLM_NEGOTIATE = 1,
	NTLM_CHALLENGE = 2,
	NTLM_AUTHENTICATE = 3,
};

/* NegotiateFlags (MS-NLMP 2.2.2.5). */
#define NTLMSSP_NEGOTIATE_UNICODE                  0x00000001u
#define NTLMSSP_NEGOTIATE_OEM                      0x00000002u
#define NTLMSSP_REQUEST_TARGET                     0x00000004u
#define NTLMSSP_NEGOTIATE_SIGN                     0x00000010u
#define NTLMSSP_NEGOTIATE_SEAL                     0x00000020u
#define NTLMSSP_NEGOTIATE_DATAGRAM                 0x00000040u
#define NTLMSSP_NEGOTIATE_LM_KEY                   0x00000080u
#define NTLMSSP_NEGOTIATE_NTLM                     0x00000200u
#define NTLMSSP_NEGOTIATE_ANONYMOUS                0x00000800u
#define NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED      0x00001000u
#define NTLMSSP_NEGOTIATE_OEM_WORKSTATION_SUPPLIED 0x00002000u
#define NTLMSSP_NEGOTIATE_ALWAYS_SIGN              0x00008000u
#define NTLMSSP_TARGET_TYPE_DOMAIN                 0x00010000u
#define NTLMSSP_TARGET_TYPE_SERVER                 0x00020000u
#define NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY 0x00080000u
#define NTLMSSP_NEGOTIATE_IDENTIFY                 0x00100000u
#define NTLMSSP_REQUEST_NON_NT_SESSION_KEY         0x00400000u
#define NTLMSSP_NEGOTIATE_TARGET_INFO              0x00800000u
#define NTLMSSP_NEGOTIATE_VERSION                  0x02000000u
#define NTLMSSP_NEGOTIATE_128                      0x20000000u
#define NTLMSSP_NEGOTIATE_KEY_EXCH                 0x40000000u
#define NTLMSSP_NEGOTIATE_56                       0x80000000u

/* {bit, "negotiate_unicode"} ... ending with {0, NULL}. */
extern const struct sd_flag_name ntlm_flag_names[];
/* Name of one flag bit ("negotiate_sign"), NULL when not a known bit. */
const char *ntlm_flag_name(uint32_t bit);

/* AV_PAIR ids (MS-NLMP 2.2.2.1). */
enum ntlm_av_id {
	NTLM_AV_EOL = 0,
	NTLM_AV_NB_COMPUTER_NAME = 1,
	NTLM_AV_NB_DOMAIN_NAME = 2,
	NTLM_AV_DNS_COMPUTER_NAME = 3,
	NTLM_AV_DNS_DOMAIN_NAME = 4,
	NTLM_AV_DNS_TREE_NAME = 5,
	NTLM_AV_FLAGS = 6,
	NTLM_AV_TIMESTAMP = 7,
	NTLM_AV_SINGLE_HOST = 8,
	NTLM_AV_TARGET_NAME = 9,
	NTLM_AV_CHANNEL_BINDINGS = 10,
};
/* "MsvAvNbComputerName" etc.; NULL for unknown ids. */
const char *ntlm_av_name(uint16_t id);

/* MsvAvFlags bits. */
#define NTLM_AVFLAG_CONSTRAINED    0x1u
#define NTLM_AVFLAG_MIC_PRESENT    0x2u
#define NTLM_AVFLAG_UNTRUSTED_SPN  0x4u

/* Offsets of the fixed parts. */
#define NTLM_NEGOTIATE_FIXED     32
#define NTLM_CHALLENGE_FIXED     48
#define NTLM_AUTHENTICATE_FIXED  64
#define NTLM_VERSION_LEN         8
#define NTLM_MIC_OFFSET          72
#define NTLM_MIC_LEN             16

/* One Len / MaxLen / Offset descriptor with the bytes it points at. */
struct ntlm_field {
	uint16_t len;
	uint16_t max_len;
	uint32_t offset;     /* from the message start */
	const uint8_t *p;    /* NULL when len == 0 */
};

struct ntlm_version {
	bool present;
	uint8_t major;
	uint8_t minor;
	uint16_t build;
	uint8_t revision;    /* NTLMSSP_REVISION_W2K3 = 15 */
};

#define NTLM_AV_MAX 16

struct ntlm_av_pair {
	uint16_t id;
	uint16_t len;
	const uint8_t *value;
};

struct ntlm_av_list {
	uint8_t n;
	uint8_t dropped;          /* pairs beyond NTLM_AV_MAX */
	bool has_eol;
	struct ntlm_av_pair av[NTLM_AV_MAX];
	const uint8_t *raw;       /* the pairs through MsvAvEOL */
	size_t raw_len;
	/* Convenience copies of the pairs the diagnosis reads. */
	bool has_flags;
	uint32_t flags;           /* MsvAvFlags */
	bool has_timestamp;
	uint64_t timestamp;       /* FILETIME */
	const uint8_t *target_name;  /* MsvAvTargetName, UTF-16LE, NULL when absent */
	uint16_t target_name_len;
	const uint8_t *channel_bindings;  /* 16 bytes or NULL */
};

/* Finds a pair by id, NULL when absent. */
const struct ntlm_av_pair *ntlm_av_find(const struct ntlm_av_list *list, uint16_t id);
/* Decodes an AV pair list (used for TargetInfo and the NTLMv2 blob).
 * Bytes after MsvAvEOL are left to the caller: *used gets the bytes
 * through the EOL (or all bytes when there is no EOL, which is an anomaly
 * recorded at base_offset + position). */
enum sd_err ntlm_av_decode(const uint8_t *p, size_t len, struct ntlm_av_list *out, size_t *used,
			   struct sd_anomalies *anom, uint32_t base_offset);

struct ntlm_negotiate {
	uint32_t flags;
	struct ntlm_field domain;
	struct ntlm_field workstation;
	struct ntlm_version version;
	struct sd_anomalies anom;
};

struct ntlm_challenge {
	struct ntlm_field target_name;
	uint32_t flags;
	uint8_t server_challenge[8];
	uint64_t reserved;
	struct ntlm_field target_info;
	struct ntlm_av_list av;      /* decoded target_info */
	struct ntlm_version version;
	struct sd_anomalies anom;
};

enum ntlm_response_kind {
	NTLM_RESP_NONE = 0,          /* no NT response and no LM response */
	NTLM_RESP_ANONYMOUS = 1,     /* empty NT response, LM empty or Z(1) */
	NTLM_RESP_LM_ONLY = 2,       /* only an LM response */
	NTLM_RESP_NTLMV1 = 3,        /* 24-byte NT response */
	NTLM_RESP_NTLMV1_ESS = 4,    /* 24-byte NT response, ESS, LM = ClientChallenge || Z(16) */
	NTLM_RESP_NTLMV2 = 5,        /* NTProofStr || NTLMv2_CLIENT_CHALLENGE */
	NTLM_RESP_UNKNOWN = 6,       /* a length that fits none of the above */
};
const char *ntlm_response_kind_name(enum ntlm_response_kind kind);

/* NTLMv2_RESPONSE split up (MS-NLMP 2.2.2.8 / 2.2.2.7). */
struct ntlmv2_response {
	const uint8_t *nt_proof_str;   /* 16 bytes */
	const uint8_t *blob;           /* "temp": from RespType to the end of the response */
	size_t blob_len;
	uint8_t resp_type;             /* 1 */
	uint8_t hi_resp_type;          /* 1 */
	uint64_t timestamp;            /* FILETIME */
	const uint8_t *client_challenge;  /* 8 bytes */
	struct ntlm_av_list av;
};

struct ntlm_authenticate {
	struct ntlm_field lm_response;
	struct ntlm_field nt_response;
	struct ntlm_field domain;
	struct ntlm_field user;
	struct ntlm_field workstation;
	struct ntlm_field session_key;   /* EncryptedRandomSessionKey */
	uint32_t flags;
	struct ntlm_version version;
	/* The MIC has no flag of its own: it is there when the payload starts
	 * at or after offset 88. MsvAvFlags 0x2 says the client claims one. */
	bool has_mic;
	bool mic_announced;              /* MsvAvFlags has NTLM_AVFLAG_MIC_PRESENT */
	const uint8_t *mic;              /* 16 bytes at NTLM_MIC_OFFSET, or NULL */
	enum ntlm_response_kind kind;
	struct ntlmv2_response v2;       /* kind == NTLM_RESP_NTLMV2 */
	const uint8_t *raw;              /* the whole message (MIC computation) */
	size_t raw_len;
	struct sd_anomalies anom;
};

/* The NegotiateFlags of one NTLM exchange as it went: what the client
 * asked, what the server's CHALLENGE granted, what the AUTHENTICATE
 * settled, and whether it carried an EncryptedRandomSessionKey. */
enum ntlm_seen {
	NTLM_SEEN_NEGOTIATE = 1,
	NTLM_SEEN_CHALLENGE = 2,
	NTLM_SEEN_AUTHENTICATE = 4,
};

struct ntlm_flag_trail {
	uint8_t seen;                /* enum ntlm_seen bits */
	uint32_t negotiate, challenge, authenticate;
	bool key_exchanged;
};

/* The server's CHALLENGE dropped NTLMSSP_NEGOTIATE_SIGN, which the
 * NEGOTIATE asked for (MS-NLMP 2.2.2.5: it MUST return it), yet kept
 * KEY_EXCH, and the client exchanged no key: MS-NLMP 3.1.5.1.2 exchanges
 * a key only with KEY_EXCH and SIGN or SEAL, so the client's session key
 * is the key-exchange key, while a server that goes by KEY_EXCH alone
 * derives its key from the missing EncryptedRandomSessionKey. */
bool ntlm_trail_sign_dropped(const struct ntlm_flag_trail *t);

/* Checks the signature and returns the MessageType (SD_ERR_PROTOCOL_ID
 * when the bytes do not start with "NTLMSSP\0"). */
enum sd_err ntlm_message_type(const uint8_t *p, size_t len, uint32_t *type);

/* Each returns SD_OK, SD_ERR_TRUNCATED (shorter than the fixed part),
 * SD_ERR_PROTOCOL_ID (signature / type), SD_ERR_BAD_OFFSET (a field points
 * outside the message) or SD_ERR_MALFORMED. */
enum sd_err ntlm_decode_negotiate(const uint8_t *p, size_t len, struct ntlm_negotiate *out);
enum sd_err ntlm_decode_challenge(const uint8_t *p, size_t len, struct ntlm_challenge *out);
enum sd_err ntlm_decode_authenticate(const uint8_t *p, size_t len, struct ntlm_authenticate *out);
/* Classifies an AUTHENTICATE's responses and splits an NTLMv2 response;
 * called by ntlm_decode_authenticate, exposed for tests. */
void ntlm_classify_responses(struct ntlm_authenticate *a);

/* --- encoders ---
 * Payload order is the one Windows uses (and the MS-NLMP 4.2 examples):
 * domain, user, workstation, LM, NT, session key for AUTHENTICATE. Fields
 * are taken from p / len (offset and max_len are computed). The Version is
 * written when version.present. */
enum sd_err ntlm_encode_negotiate(struct sd_wr *w, const struct ntlm_negotiate *in);
/* target_info is written from in->target_info.p / len as given (build it
 * with ntlm_encode_av_pair). */
enum sd_err ntlm_encode_challenge(struct sd_wr *w, const struct ntlm_challenge *in);
/* with_mic reserves the 16-byte MIC at offset 72, filled from in->mic when
 * not NULL, zeros otherwise (the MIC is computed over a zeroed field). */
enum sd_err ntlm_encode_authenticate(struct sd_wr *w, const struct ntlm_authenticate *in, bool with_mic);
void ntlm_encode_av_pair(struct sd_wr *w, uint16_t id, const void *value, uint16_t len);

#endif
