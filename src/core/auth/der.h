/* A small DER reader and writer for the ASN.1 that SPNEGO and Kerberos put
 * on the wire.
 *
 * Why hand-written: OpenSSL's ASN.1 API needs a template per type and
 * allocates a tree of objects per message. We read untrusted bytes from
 * captures and peers, so we want a bounded, zero-copy reader that never
 * allocates (every value points into the input) and reports truncation
 * separately from malformation, plus a writer that fills a caller buffer.
 *
 * Encoding rules: Kerberos and SPNEGO peers send DER. Indefinite lengths,
 * constructed string encodings and length octets that overflow are refused
 * with SD_ERR_MALFORMED; a length running past the end of the input is
 * SD_ERR_TRUNCATED (the input may simply be cut). Non-minimal length octets
 * are accepted (some stacks send them) but der_validate() reports them.
 *
 * The reader functions take a struct sd_rd and use its sticky error: a run
 * of reads can be checked once at the end.
 */
#ifndef SMBDIAG_CORE_AUTH_DER_H
#define SMBDIAG_CORE_AUTH_DER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/wire/cursor.h"

enum der_class {
	DER_UNIVERSAL = 0,
	DER_APPLICATION = 1,
	DER_CONTEXT = 2,
	DER_PRIVATE = 3,
};

enum der_tag {
	DER_TAG_BOOLEAN = 1,
	DER_TAG_INTEGER = 2,
	DER_TAG_BIT_STRING = 3,
	DER_TAG_OCTET_STRING = 4,
	DER_TAG_NULL = 5,
	DER_TAG_OID = 6,
	DER_TAG_ENUMERATED = 10,
	DER_TAG_UTF8_STRING = 12,
	DER_TAG_SEQUENCE = 16,
	DER_TAG_SET = 17,
	DER_TAG_IA5_STRING = 22,
	DER_TAG_GENERALIZED_TIME = 24,
	DER_TAG_GENERAL_STRING = 27,  /* KerberosString */
};

/* Deepest nesting der_validate() follows; real SPNEGO / Kerberos tokens
 * stay under 12. */
#define DER_MAX_DEPTH 24
/* Longest tag number we accept in high-tag-number form. */
#define DER_MAX_TAG 0x0FFFFFFF

struct der_tlv {
	uint8_t cls;          /* enum der_class */
	bool constructed;
	uint32_t tag;         /* tag number within its class */
	const uint8_t *v;     /* contents (points into the input) */
	size_t len;           /* contents length */
	size_t hdr_len;       /* identifier + length octets */
	bool long_len_nonminimal;  /* length octets longer than needed */
};

/* Reads one TLV header and skips its contents. On failure sets r->err
 * (SD_ERR_TRUNCATED or SD_ERR_MALFORMED) and returns false. */
bool der_read_tlv(struct sd_rd *r, struct der_tlv *t);
/* Like der_read_tlv but leaves the reader where it was. */
bool der_peek_tlv(const struct sd_rd *r, struct der_tlv *t);
/* True when the next element has this class / constructed bit / number. */
bool der_next_is(const struct sd_rd *r, uint8_t cls, bool constructed, uint32_t tag);

/* Reads an element that must have the given identifier; anything else fails
 * the reader with SD_ERR_MALFORMED. */
bool der_expect(struct sd_rd *r, uint8_t cls, bool constructed, uint32_t tag, struct der_tlv *t);
/* Reads a constructed element and returns a reader over its contents. */
struct sd_rd der_enter(struct sd_rd *r, uint8_t cls, uint32_t tag);
/* [n] EXPLICIT: when the next element is context tag n (constructed),
 * consumes it, sets *inner to its contents and returns true. Otherwise
 * returns false and consumes nothing (an OPTIONAL field that is absent). */
bool der_ctx(struct sd_rd *r, uint32_t n, struct sd_rd *inner);

/* Value decoders on an already read TLV. */
enum sd_err der_int64(const struct der_tlv *t, int64_t *out);
/* Reads an INTEGER that must lie in [min, max] (else SD_ERR_MALFORMED). */
int64_t der_read_int(struct sd_rd *r, int64_t min, int64_t max);
/* Reads an ENUMERATED in [0, max]. */
int64_t der_read_enum(struct sd_rd *r, int64_t max);
/* Reads an OCTET STRING (primitive only); *len gets its length. */
const uint8_t *der_read_octets(struct sd_rd *r, size_t *len);
/* Reads a GeneralString (KerberosString) or other primitive string tag. */
const uint8_t *der_read_string(struct sd_rd *r, uint32_t tag, size_t *len);
/* Reads an OBJECT IDENTIFIER and returns its contents octets. */
const uint8_t *der_read_oid(struct sd_rd *r, size_t *len);

/* BIT STRING: *unused gets the count of unused bits in the last octet. */
enum sd_err der_bits(const struct der_tlv *t, uint8_t *unused, const uint8_t **bits, size_t *nbytes);
/* Reads a BIT STRING as Kerberos / GSS flags: bit 0 is the most significant
 * bit of the first octet, so the result is the first 32 bits big-endian
 * (shorter strings are zero-extended, longer ones truncated). */
uint32_t der_read_flags32(struct sd_rd *r);

/* OID contents -> "1.2.840.113554.1.2.2". SD_ERR_NO_SPACE when cap is too
 * small (out is then an empty string), SD_ERR_MALFORMED for an encoding
 * that is not a valid OID (empty, unfinished arc, leading 0x80, arc > 64 bit). */
enum sd_err der_oid_text(const uint8_t *v, size_t len, char *out, size_t cap);
static inline bool
der_oid_equal(const uint8_t *v, size_t len, const uint8_t *known, size_t known_len)
{
	size_t i;

	if (len != known_len)
		return false;
	for (i = 0; i < len; i++)
		if (v[i] != known[i])
			return false;
	return true;
}

/* GeneralizedTime "YYYYMMDDHHMMSS[.f*]Z" (KerberosTime has no fraction). */
struct der_time {
	uint16_t year;
	uint8_t month, day, hour, minute, second;
	int64_t epoch;  /* seconds since 1970-01-01T00:00:00Z (proleptic Gregorian) */
};
enum sd_err der_time(const uint8_t *v, size_t len, struct der_time *out);
/* Reads a GeneralizedTime and returns its epoch seconds. */
int64_t der_read_time(struct sd_rd *r);

/* Walks a whole DER tree (constructed elements recursively, at most
 * DER_MAX_DEPTH deep, SD_ERR_LIMIT beyond) and checks that every length is
 * consistent and the input is consumed exactly. *elements gets the count. */
enum sd_err der_validate(const uint8_t *p, size_t len, size_t *elements);

/* --- writer ---
 *
 * Constructed elements are written forward: der_wr_open() writes the
 * identifier and returns the position where contents start; der_wr_close()
 * then slides the contents up by the size of the length octets and writes
 * them. Nesting costs a memmove per level, which is nothing for tokens of a
 * few kilobytes, and the writer never needs to know a length in advance. */
void der_wr_tag(struct sd_wr *w, uint8_t cls, bool constructed, uint32_t tag);
void der_wr_len(struct sd_wr *w, size_t len);
size_t der_wr_open(struct sd_wr *w, uint8_t cls, uint32_t tag);
void der_wr_close(struct sd_wr *w, size_t content_start);
/* Primitive element with the given identifier and contents. */
void der_wr_prim(struct sd_wr *w, uint8_t cls, uint32_t tag, const void *v, size_t len);
void der_wr_int(struct sd_wr *w, int64_t v);
void der_wr_enum(struct sd_wr *w, int64_t v);
void der_wr_octets(struct sd_wr *w, const void *v, size_t len);
void der_wr_oid(struct sd_wr *w, const uint8_t *contents, size_t len);
void der_wr_string(struct sd_wr *w, uint32_t tag, const void *s, size_t len);
/* 32 Kerberos / GSS flag bits (bit 0 = MSB) as a 4-octet BIT STRING. */
void der_wr_flags32(struct sd_wr *w, uint32_t flags);
/* Epoch seconds as GeneralizedTime "YYYYMMDDHHMMSSZ". */
void der_wr_time(struct sd_wr *w, int64_t epoch);

#endif
