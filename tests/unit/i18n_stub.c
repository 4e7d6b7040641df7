/* Stands in for src/cli/i18n.c in unit tests of the renderers: texts stay
 * English, and no locale or build path is needed. */
#include "cli/i18n.h"

const char *
cli_tr(const char *text)
{
	return text;
}

const char *
cli_trn(const char *one, const char *many, unsigned long n)
{
	return n == 1 ? one : many;
}
