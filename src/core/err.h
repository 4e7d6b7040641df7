/* smbdiag error space.
 *
 * Every function of core and diag that can fail returns an enum sd_err.
 * Numbers are fixed forever: add new codes at the end, never renumber or
 * reuse one. Peer-reported failures (NTSTATUS, KRB-ERROR) are not sd_err:
 * they are data carried in decoded messages and evidence.
 */
#ifndef SMBDIAG_CORE_ERR_H
#define SMBDIAG_CORE_ERR_H

enum sd_err {
	SD_OK = 0,
	SD_ERR_TRUNCATED = 1,      /* input ended before the structure did */
	SD_ERR_MALFORMED = 2,      /* a field holds a value the format forbids */
	SD_ERR_STRUCTURE_SIZE = 3, /* StructureSize / fixed size does not match */
	SD_ERR_BAD_OFFSET = 4,     /* an offset/length points outside its block */
	SD_ERR_PROTOCOL_ID = 5,    /* not the protocol magic expected here */
	SD_ERR_LIMIT = 6,          /* more items or bytes than we keep */
	SD_ERR_NO_SPACE = 7,       /* caller's output buffer too small */
	SD_ERR_NOMEM = 8,          /* allocation failed */
	SD_ERR_UNSUPPORTED = 9,    /* valid, but not implemented by us */
	SD_ERR_INVALID_ARG = 10,   /* caller passed something unusable */
	SD_ERR_CRYPTO = 11,        /* libcrypto reported a failure */
	SD_ERR_VERIFY = 12,        /* signature, MIC or AEAD tag mismatch */
	SD_ERR_STATE = 13,         /* call not valid in the object's state */
	SD_ERR_NOT_FOUND = 14,     /* lookup found nothing */
	SD_ERR_IO = 15,            /* operating-system I/O failure (edges only) */
	SD_ERR_TIMEOUT = 16,       /* a deadline passed (edges only) */
};

/* "SD_ERR_TRUNCATED" etc.; "SD_ERR_?" for values outside the enum. */
const char *sd_err_name(enum sd_err err);
/* One plain sentence for people (untranslated; the CLI translates). */
const char *sd_err_text(enum sd_err err);

#endif
