#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "diag/suggest.h"

static void
distance_counts_edits_and_swaps(void **state)
{
	(void)state;
	assert_int_equal(sd_suggest_distance("", ""), 0);
	assert_int_equal(sd_suggest_distance("Data", "Data"), 0);
	assert_int_equal(sd_suggest_distance("data", "DATA"), 0);
	assert_int_equal(sd_suggest_distance("Dta", "Data"), 1);     /* insertion */
	assert_int_equal(sd_suggest_distance("Daata", "Data"), 1);   /* deletion */
	assert_int_equal(sd_suggest_distance("Dato", "Data"), 1);    /* substitution */
	assert_int_equal(sd_suggest_distance("Dtaa", "Data"), 1);    /* neighbours swapped */
	assert_int_equal(sd_suggest_distance("ca", "abc"), 3);       /* OSA: no edit of a swapped pair */
	assert_int_equal(sd_suggest_distance("kitten", "sitting"), 3);
	assert_int_equal(sd_suggest_distance("", "abc"), 3);
	assert_int_equal(sd_suggest_distance("abc", ""), 3);
	/* Characters, not bytes: one accented letter is one edit. */
	assert_int_equal(sd_suggest_distance("Donnees", "Donn\xc3\xa9" "es"), 1);
	assert_int_equal(sd_suggest_distance("\xe8\xb3\x87\xe6\x96\x99", "\xe8\xb3\x87\xe6\x96\x99\xe5\xa4\xbe"), 1);
}

static void
distance_is_symmetric(void **state)
{
	static const char *const words[] = {"Data", "Dta", "Public", "Pubilc", "scans", "Scans$", "x", ""};
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		for (k = 0; k < sizeof(words) / sizeof(words[0]); k++)
			assert_int_equal(sd_suggest_distance(words[i], words[k]), sd_suggest_distance(words[k], words[i]));
}

static void
long_names_are_far(void **state)
{
	char a[SD_SUGGEST_MAX_CHARS + 2], b[SD_SUGGEST_MAX_CHARS + 2];

	(void)state;
	memset(a, 'a', sizeof(a) - 1);
	a[sizeof(a) - 1] = '\0';
	memcpy(b, a, sizeof(b));
	assert_int_equal(sd_suggest_distance(a, b), SD_SUGGEST_FAR);
	a[SD_SUGGEST_MAX_CHARS] = '\0';
	b[SD_SUGGEST_MAX_CHARS] = '\0';
	b[0] = 'b';
	assert_int_equal(sd_suggest_distance(a, b), 1);
}

static void
threshold_grows_with_length(void **state)
{
	(void)state;
	assert_int_equal(sd_suggest_threshold("Dta"), 1);
	assert_int_equal(sd_suggest_threshold("Data"), 1);
	assert_int_equal(sd_suggest_threshold("Public"), 2);
	assert_int_equal(sd_suggest_threshold("Projects"), 2);
	assert_int_equal(sd_suggest_threshold("Engineering"), 3);
}

static void
suggests_data_for_dta(void **state)
{
	static const char *const shares[] = {"IPC$", "Public", "Data", "Scans", "Daten", "print$"};
	size_t out[3], n;

	(void)state;
	n = sd_suggest("Dta", shares, 6, out, 3);
	assert_int_equal(n, 1);
	assert_string_equal(shares[out[0]], "Data");
}

static void
ranks_by_distance_then_order(void **state)
{
	static const char *const shares[] = {"Projekts", "Projects", "Project", "Prjects", "Other"};
	size_t out[4], n;

	(void)state;
	n = sd_suggest("projects", shares, 5, out, 4);
	assert_int_equal(n, 4);
	assert_string_equal(shares[out[0]], "Projects");  /* 0 */
	assert_string_equal(shares[out[1]], "Projekts");  /* 1, listed first */
	assert_string_equal(shares[out[2]], "Project");   /* 1 */
	assert_string_equal(shares[out[3]], "Prjects");   /* 1 */
}

static void
result_is_bounded(void **state)
{
	static const char *const shares[] = {"a1", "a2", "a3", "a4", "a5", "a6"};
	size_t out[2], n;

	(void)state;
	n = sd_suggest("a", shares, 6, out, 2);
	assert_int_equal(n, 2);
	assert_int_equal(out[0], 0);
	assert_int_equal(out[1], 1);
	assert_int_equal(sd_suggest("a", shares, 6, out, 0), 0);
}

static void
better_later_names_push_out_worse_ones(void **state)
{
	static const char *const shares[] = {"Dat", "Dta1", "Data", "Dtaa"};
	size_t out[1], n;

	(void)state;
	n = sd_suggest("Data", shares, 4, out, 1);
	assert_int_equal(n, 1);
	assert_string_equal(shares[out[0]], "Data");
}

static void
prefix_counts_as_close(void **state)
{
	static const char *const shares[] = {"Engineering", "Finance"};
	size_t out[2], n;

	(void)state;
	n = sd_suggest("Eng", shares, 2, out, 2);
	assert_int_equal(n, 1);
	assert_string_equal(shares[out[0]], "Engineering");
	/* Two characters are too few to be a prefix hint. */
	assert_int_equal(sd_suggest("En", shares, 2, out, 2), 0);
}

static void
hidden_shares_only_for_hidden_names(void **state)
{
	static const char *const shares[] = {"IPC$", "ADMIN$", "C$", "Admin"};
	size_t out[3], n;

	(void)state;
	n = sd_suggest("ADMN$", shares, 4, out, 3);
	assert_int_equal(n, 1);
	assert_string_equal(shares[out[0]], "ADMIN$");
	n = sd_suggest("Admn", shares, 4, out, 3);
	assert_int_equal(n, 1);
	assert_string_equal(shares[out[0]], "Admin");
}

static void
nothing_close_or_nothing_asked(void **state)
{
	static const char *const shares[] = {"Public", NULL, ""};
	size_t out[3];

	(void)state;
	assert_int_equal(sd_suggest("Zebra", shares, 3, out, 3), 0);
	assert_int_equal(sd_suggest("", shares, 3, out, 3), 0);
	assert_int_equal(sd_suggest(NULL, shares, 3, out, 3), 0);
	assert_int_equal(sd_suggest("Public", shares, 0, out, 3), 0);
}

static void
invalid_utf8_does_not_crash(void **state)
{
	static const char *const shares[] = {"\xff\xfe", "\xc3", "\xe8\xb3", "ok"};
	size_t out[4];

	(void)state;
	(void)sd_suggest("\xc3\x28", shares, 4, out, 4);
	assert_true(sd_suggest_distance("\xf0\x9f", "\xf0\x9f\x98\x80") <= 2);
}

/* "$IPC" is IPC$ with the dollar typed first (a capture's
 * suricata-verify named-pipe case). */
static void
misplaced_dollar_finds_hidden_share(void **state)
{
	const char *names[] = {"data", "IPC$"};
	size_t out[2];

	(void)state;
	assert_int_equal(sd_suggest("$IPC", names, 2, out, 2), 1);
	assert_int_equal(out[0], 1);
	assert_int_equal(sd_suggest("da$ta", names, 2, out, 2), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(distance_counts_edits_and_swaps),
		cmocka_unit_test(distance_is_symmetric),
		cmocka_unit_test(long_names_are_far),
		cmocka_unit_test(threshold_grows_with_length),
		cmocka_unit_test(suggests_data_for_dta),
		cmocka_unit_test(misplaced_dollar_finds_hidden_share),
		cmocka_unit_test(ranks_by_distance_then_order),
		cmocka_unit_test(result_is_bounded),
		cmocka_unit_test(better_later_names_push_out_worse_ones),
		cmocka_unit_test(prefix_counts_as_close),
		cmocka_unit_test(hidden_shares_only_for_hidden_names),
		cmocka_unit_test(nothing_close_or_nothing_asked),
		cmocka_unit_test(invalid_utf8_does_not_crash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
