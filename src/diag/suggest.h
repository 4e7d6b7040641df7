/* Close names for a misspelled one ("Data" for "Dta"): the shares a
 * server lists, ranked by case-insensitive Damerau-Levenshtein distance
 * (optimal string alignment: insertions, deletions, substitutions and
 * swaps of neighbours each cost 1). Pure functions, no allocation. */
#ifndef SMBDIAG_DIAG_SUGGEST_H
#define SMBDIAG_DIAG_SUGGEST_H

#include <stddef.h>

/* Names longer than this (in characters) are never suggested. */
#define SD_SUGGEST_MAX_CHARS 96

/* Distance between a and b, comparing Unicode characters (UTF-8; ASCII
 * letters case-insensitively). SD_SUGGEST_FAR when either is longer than
 * SD_SUGGEST_MAX_CHARS characters. */
#define SD_SUGGEST_FAR 1000u
unsigned sd_suggest_distance(const char *a, const char *b);

/* The largest distance still suggested for a wanted name: 1 up to 4
 * characters, 2 up to 8, 3 beyond. */
unsigned sd_suggest_threshold(const char *wanted);

/* Writes to out[] the indexes of the names close to wanted, best first
 * (ties keep the order of names[]), at most max_out; returns how many.
 * A name that starts with wanted (at least 3 characters) counts as close
 * at the threshold. Hidden names ending in '$' (IPC$, ADMIN$) are
 * suggested only when wanted ends in '$' too. NULL names are skipped. */
size_t sd_suggest(const char *wanted, const char *const *names, size_t n_names, size_t *out, size_t max_out);

#endif
