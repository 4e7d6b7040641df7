/* Widths come from the C library (mbrtowc, wcwidth), which needs a UTF-8
 * character type. smbdiag sets none when it translates nothing (i18n.c:
 * the locale files cost a tenth of a probe), so for the first non-ASCII
 * character a C.UTF-8 character type is made and used only around these
 * calls (uselocale), never as the process's locale. ASCII, nearly every
 * report, never gets there. */
#include "cli/text_columns.h"

#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <stdbool.h>
#include <string.h>
#include <wchar.h>

static locale_t utf8_ctype;
static bool utf8_ctype_tried;

/* The UTF-8 character type to measure in: the process's own when it is
 * UTF-8 (LC_GLOBAL_LOCALE), else a private C.UTF-8; 0 when there is none. */
static locale_t
measuring_locale(void)
{
	if (!utf8_ctype_tried) {
		utf8_ctype_tried = true;
		if (strcmp(nl_langinfo(CODESET), "UTF-8") == 0)
			utf8_ctype = LC_GLOBAL_LOCALE;
		else
			utf8_ctype = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	}
	return utf8_ctype;
}

int
text_char_columns(const char **p)
{
	const unsigned char *s = (const unsigned char *)*p;
	locale_t loc, old;
	mbstate_t st;
	wchar_t wc;
	size_t n;
	int cols;

	if (*s < 0x80) {
		(*p)++;
		return 1;
	}
	loc = measuring_locale();
	if (loc == (locale_t)0) {
		/* No UTF-8 support at all: a character per lead byte, CJK
		 * (three bytes and more) two wide. */
		(*p)++;
		while ((**p & 0xC0) == 0x80)
			(*p)++;
		return *s >= 0xE0 ? 2 : 1;
	}
	old = uselocale(loc);
	memset(&st, 0, sizeof(st));
	n = mbrtowc(&wc, *p, strnlen(*p, MB_LEN_MAX), &st);
	cols = n == (size_t)-1 || n == (size_t)-2 || n == 0 ? -1 : wcwidth(wc);
	uselocale(old);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
		(*p)++;  /* not UTF-8: shown as one byte */
		return 1;
	}
	*p += n;
	return cols < 0 ? 1 : cols;
}

int
text_columns(const char *s)
{
	int cols = 0;

	while (*s)
		cols += text_char_columns(&s);
	return cols;
}

int
text_pad(FILE *f, const char *s, int width)
{
	int cols = text_columns(s);

	fputs(s, f);
	if (cols < width)
		fprintf(f, "%*s", width - cols, "");
	return cols < width ? width : cols;
}

size_t
text_word(const char *p, int *cols)
{
	const char *s = p, *next;
	int c;

	*cols = 0;
	while (*p && *p != ' ') {
		next = p;
		c = text_char_columns(&next);
		if (c == 2) {
			/* A wide character ends the word before it, or is one. */
			if (p == s) {
				*cols = 2;
				return (size_t)(next - s);
			}
			break;
		}
		*cols += c;
		p = next;
	}
	return (size_t)(p - s);
}
