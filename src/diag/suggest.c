#include "diag/suggest.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* Decodes UTF-8 into characters, folding ASCII case; an invalid byte
 * stands for itself. Returns the count, or SIZE_MAX when longer than
 * SD_SUGGEST_MAX_CHARS. */
static size_t
decode(const char *s, uint32_t *out)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;

	while (*p) {
		uint32_t c = *p++;
		int more = c >= 0xF0 && c < 0xF8 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;

		if (c >= 0x80 && c < 0xC0)
			more = 0;
		if (more)
			c &= 0x3Fu >> more;
		for (; more > 0 && (*p & 0xC0) == 0x80; more--)
			c = (c << 6) | (*p++ & 0x3Fu);
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (n == SD_SUGGEST_MAX_CHARS)
			return SIZE_MAX;
		out[n++] = c;
	}
	return n;
}

static unsigned
min3(unsigned a, unsigned b, unsigned c)
{
	unsigned m = a < b ? a : b;

	return m < c ? m : c;
}

unsigned
sd_suggest_distance(const char *a, const char *b)
{
	/* Three rows of the dynamic-programming table are enough for the
	 * neighbour-swap step. */
	unsigned rows[3][SD_SUGGEST_MAX_CHARS + 1];
	uint32_t ca[SD_SUGGEST_MAX_CHARS], cb[SD_SUGGEST_MAX_CHARS];
	size_t na = decode(a, ca), nb = decode(b, cb), i, j;
	unsigned *prev2, *prev, *cur;

	if (na == SIZE_MAX || nb == SIZE_MAX)
		return SD_SUGGEST_FAR;
	for (j = 0; j <= nb; j++)
		rows[1][j] = (unsigned)j;
	for (i = 1; i <= na; i++) {
		/* Row r of the table lives in rows[(r + 1) % 3]. */
		prev2 = rows[(i + 2) % 3];
		prev = rows[i % 3];
		cur = rows[(i + 1) % 3];
		cur[0] = (unsigned)i;
		for (j = 1; j <= nb; j++) {
			unsigned cost = ca[i - 1] == cb[j - 1] ? 0 : 1;

			cur[j] = min3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
			if (i > 1 && j > 1 && ca[i - 1] == cb[j - 2] && ca[i - 2] == cb[j - 1] && prev2[j - 2] + 1 < cur[j])
				cur[j] = prev2[j - 2] + 1;
		}
	}
	return rows[(na + 1) % 3][nb];
}

static size_t
char_count(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

unsigned
sd_suggest_threshold(const char *wanted)
{
	size_t n = char_count(wanted);

	return n <= 4 ? 1 : n <= 8 ? 2 : 3;
}

static bool
hidden(const char *name)
{
	size_t n = strlen(name);

	return n > 0 && name[n - 1] == '$';
}

/* Case-insensitive (ASCII) prefix test. */
static bool
starts_with(const char *name, const char *prefix)
{
	for (; *prefix; name++, prefix++) {
		char a = *name, b = *prefix;

		if (a >= 'A' && a <= 'Z')
			a += 'a' - 'A';
		if (b >= 'A' && b <= 'Z')
			b += 'a' - 'A';
		if (a != b)
			return false;
	}
	return true;
}

size_t
sd_suggest(const char *wanted, const char *const *names, size_t n_names, size_t *out, size_t max_out)
{
	unsigned limit, dist[64];
	size_t n = 0, i, k;
	bool want_hidden;

	char moved[SD_SUGGEST_MAX_CHARS * 4 + 2];

	if (!wanted || !*wanted || max_out == 0)
		return 0;
	/* "$IPC" for "IPC$": a hidden share's '$' typed in the wrong place
	 * counts as typed at the end. */
	if (strchr(wanted, '$') && !hidden(wanted) && strlen(wanted) + 1 < sizeof(moved)) {
		size_t m = 0;

		for (k = 0; wanted[k]; k++)
			if (wanted[k] != '$')
				moved[m++] = wanted[k];
		moved[m++] = '$';
		moved[m] = '\0';
		wanted = moved;
	}
	if (max_out > sizeof(dist) / sizeof(dist[0]))
		max_out = sizeof(dist) / sizeof(dist[0]);
	limit = sd_suggest_threshold(wanted);
	want_hidden = hidden(wanted);
	for (i = 0; i < n_names; i++) {
		unsigned d;

		if (!names[i] || !*names[i] || hidden(names[i]) != want_hidden)
			continue;
		d = sd_suggest_distance(wanted, names[i]);
		if (d > limit && char_count(wanted) >= 3 && starts_with(names[i], wanted))
			d = limit;
		if (d > limit)
			continue;
		/* Insert in rank order; equal distances keep the input order. */
		for (k = n; k > 0 && dist[k - 1] > d; k--) {
			if (k < max_out) {
				dist[k] = dist[k - 1];
				out[k] = out[k - 1];
			}
		}
		if (k < max_out) {
			dist[k] = d;
			out[k] = i;
			if (n < max_out)
				n++;
		}
	}
	return n;
}
