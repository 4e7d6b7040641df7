#include "core/wire/utf16.h"

#define REPLACEMENT_CHAR 0xFFFDu

/* Bytes of the UTF-8 form of code point cp. */
static size_t
utf8_len(uint32_t cp)
{
	if (cp < 0x80)
		return 1;
	if (cp < 0x800)
		return 2;
	if (cp < 0x10000)
		return 3;
	return 4;
}

static void
utf8_put(char *dst, uint32_t cp)
{
	uint8_t *d = (uint8_t *)dst;

	switch (utf8_len(cp)) {
	case 1:
		d[0] = (uint8_t)cp;
		break;
	case 2:
		d[0] = (uint8_t)(0xC0 | cp >> 6);
		d[1] = (uint8_t)(0x80 | (cp & 0x3F));
		break;
	case 3:
		d[0] = (uint8_t)(0xE0 | cp >> 12);
		d[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
		d[2] = (uint8_t)(0x80 | (cp & 0x3F));
		break;
	default:
		d[0] = (uint8_t)(0xF0 | cp >> 18);
		d[1] = (uint8_t)(0x80 | (cp >> 12 & 0x3F));
		d[2] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
		d[3] = (uint8_t)(0x80 | (cp & 0x3F));
		break;
	}
}

/* Reads the code point at unit index i of n units; advances *i. Sets *bad
 * for an unpaired surrogate (which then reads as U+FFFD). */
static uint32_t
utf16_next(const uint8_t *p, size_t n, size_t *i, int *bad)
{
	uint32_t hi = sd_load_u16le(p + 2 * *i);
	uint32_t lo;

	(*i)++;
	if (hi < 0xD800 || hi > 0xDFFF)
		return hi;
	if (hi >= 0xDC00 || *i >= n) {
		*bad = 1;
		return REPLACEMENT_CHAR;
	}
	lo = sd_load_u16le(p + 2 * *i);
	if (lo < 0xDC00 || lo > 0xDFFF) {
		*bad = 1;
		return REPLACEMENT_CHAR;
	}
	(*i)++;
	return 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
}

enum sd_err
sd_utf16le_to_utf8(const uint8_t *p, size_t len, char *out, size_t cap, size_t *out_len)
{
	size_t units = len / 2, i = 0, o = 0;
	int bad = (len & 1) != 0;
	enum sd_err err = SD_OK;

	if (out == NULL || cap == 0)
		return SD_ERR_INVALID_ARG;
	if (p == NULL)
		units = 0;
	while (i < units) {
		uint32_t cp = utf16_next(p, units, &i, &bad);
		size_t n = utf8_len(cp);

		if (n > cap - 1 - o) {
			err = SD_ERR_NO_SPACE;
			break;
		}
		utf8_put(out + o, cp);
		o += n;
	}
	out[o] = '\0';
	if (out_len != NULL)
		*out_len = o;
	if (err == SD_OK && bad)
		err = SD_ERR_MALFORMED;
	return err;
}

/* Decodes one UTF-8 sequence at s[*i] (n bytes in all); advances *i. */
static uint32_t
utf8_next(const uint8_t *s, size_t n, size_t *i, int *bad)
{
	uint32_t c = s[*i], cp;
	size_t need, k;

	(*i)++;
	if (c < 0x80)
		return c;
	if (c >= 0xC2 && c <= 0xDF) {
		need = 1;
		cp = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 2;
		cp = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 3;
		cp = c & 0x07;
	} else {
		*bad = 1;
		return REPLACEMENT_CHAR;
	}
	for (k = 0; k < need; k++) {
		if (*i >= n || (s[*i] & 0xC0) != 0x80) {
			*bad = 1;
			return REPLACEMENT_CHAR;
		}
		cp = cp << 6 | (s[*i] & 0x3F);
		(*i)++;
	}
	/* Overlong forms, surrogates and values past U+10FFFF are not UTF-8. */
	if (utf8_len(cp) != need + 1 || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
		*bad = 1;
		return REPLACEMENT_CHAR;
	}
	return cp;
}

enum sd_err
sd_utf8_to_utf16le(const char *s, size_t len, struct sd_wr *w)
{
	const uint8_t *u = (const uint8_t *)s;
	size_t i = 0;
	int bad = 0;

	if (s == NULL && len != 0)
		return SD_ERR_INVALID_ARG;
	while (i < len) {
		uint32_t cp = utf8_next(u, len, &i, &bad);

		if (cp >= 0x10000) {
			cp -= 0x10000;
			sd_wr_u16le(w, (uint16_t)(0xD800 + (cp >> 10)));
			sd_wr_u16le(w, (uint16_t)(0xDC00 + (cp & 0x3FF)));
		} else {
			sd_wr_u16le(w, (uint16_t)cp);
		}
	}
	if (!sd_wr_ok(w))
		return w->err;
	return bad ? SD_ERR_MALFORMED : SD_OK;
}
