/* Terminal columns of UTF-8 text: padding and wrapping by what the eye
 * sees, not by bytes (a Chinese label of 4 characters is 12 bytes and 8
 * columns). */
#ifndef SMBDIAG_CLI_TEXT_COLUMNS_H
#define SMBDIAG_CLI_TEXT_COLUMNS_H

#include <stddef.h>
#include <stdio.h>

/* Columns of the character at *p (advanced past it): 0 for combining
 * marks, 2 for wide (East Asian) ones, 1 otherwise and for bytes that are
 * not UTF-8. *p must not point at the terminating NUL. */
int text_char_columns(const char **p);

/* Columns of the whole string. */
int text_columns(const char *s);

/* Writes s, then spaces up to width columns; returns the columns written
 * (more than width when s is wider). */
int text_pad(FILE *f, const char *s, int width);

/* The word at p, for wrapping: up to the next space, except that a wide
 * character is a word of its own (Chinese has no spaces and breaks
 * between characters). Its length in bytes; *cols its columns. */
size_t text_word(const char *p, int *cols);

#endif
