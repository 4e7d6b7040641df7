#include "cli/i18n.h"

#include <libintl.h>
#include <limits.h>
#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_paths.h"

#define TEXT_DOMAIN "smbdiag"

static char localedir_buf[PATH_MAX];

static bool
running_from_build_tree(void)
{
	char exe[PATH_MAX], root[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	size_t len;

	if (n <= 0 || !realpath(SMBDIAG_BUILD_ROOT, root))
		return false;
	exe[n] = '\0';
	len = strlen(root);
	return strncmp(exe, root, len) == 0 && exe[len] == '/';
}

const char *
cli_i18n_localedir(void)
{
	const char *env = getenv("SMBDIAG_LOCALEDIR");

	if (env && *env)
		return env;
	if (running_from_build_tree()) {
		snprintf(localedir_buf, sizeof(localedir_buf), "%s/po", SMBDIAG_BUILD_ROOT);
		return localedir_buf;
	}
	return SMBDIAG_LOCALEDIR;
}

static bool
locale_is_c(void)
{
	const char *cur = setlocale(LC_MESSAGES, NULL);

	return !cur || strcmp(cur, "C") == 0 || strcmp(cur, "POSIX") == 0;
}

/* Only the categories the output depends on: messages (the catalog) and
 * the character type (its UTF-8 codeset). LC_NUMERIC must stay "C" so that
 * JSON and text numbers keep their decimal point under any locale, and
 * loading all twelve categories from a locale's files was a tenth of a
 * probe's CPU (bench/probe.sh). NULL when either is unavailable. */
static const char *
set_output_locale(const char *name)
{
	if (!setlocale(LC_CTYPE, name))
		return NULL;
	return setlocale(LC_MESSAGES, name);
}

/* An explicit language wins over the environment. GNU gettext ignores
 * LANGUAGE under the "C" locale, and most machines lack generated locales
 * other than C.UTF-8: fall back to it so the catalog is still used. */
static void
select_language(const char *lang)
{
	char name[64];

	setenv("LANGUAGE", lang, 1);
	if (!strchr(lang, '.')) {
		snprintf(name, sizeof(name), "%s.UTF-8", lang);
		if (set_output_locale(name))
			return;
	} else if (set_output_locale(lang)) {
		return;
	}
	if (locale_is_c())
		set_output_locale("C.UTF-8");
}

/* The language the environment asks for, as setlocale(LC_MESSAGES, "")
 * reads it; NULL for none or C. */
static const char *
environment_language(void)
{
	static const char *const vars[] = {"LC_ALL", "LC_MESSAGES", "LANG"};
	const char *v;
	size_t i;

	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		v = getenv(vars[i]);
		if (v && *v)
			return strcmp(v, "C") == 0 || strcmp(v, "POSIX") == 0 || strncmp(v, "C.", 2) == 0 ? NULL : v;
	}
	return NULL;
}

/* Nothing would be translated: no --lang, no LANGUAGE, and the locale
 * the environment names is C, POSIX or C.<codeset>, under which gettext
 * returns every message as written. Then the locale files, the alias
 * table and the catalog search are not worth their cost (a tenth of a
 * probe's CPU in bench/probe.sh, where LANG=C.UTF-8 is common). */
static bool
nothing_to_translate(const char *lang)
{
	const char *language = getenv("LANGUAGE");

	return !(lang && *lang) && !(language && *language) && !environment_language();
}

void
cli_i18n_init(const char *lang)
{
	const char *env_lang;

	if (nothing_to_translate(lang))
		return;
	if (lang && *lang) {
		set_output_locale("");
		select_language(lang);
	} else if (!set_output_locale("") && (env_lang = environment_language()) != NULL) {
		/* LANG=zh_TW.UTF-8 on a machine where that locale was never
		 * generated: still honour the language. */
		if (!getenv("LANGUAGE") || !*getenv("LANGUAGE"))
			setenv("LANGUAGE", env_lang, 1);
		set_output_locale("C.UTF-8");
	} else if (locale_is_c() && getenv("LANGUAGE") && *getenv("LANGUAGE")) {
		set_output_locale("C.UTF-8");
	}
	bindtextdomain(TEXT_DOMAIN, cli_i18n_localedir());
	bind_textdomain_codeset(TEXT_DOMAIN, "UTF-8");
	textdomain(TEXT_DOMAIN);
}

const char *
cli_lang_option(int argc, char **argv)
{
	const char *lang = NULL;
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strncmp(argv[i], "--lang=", 7) == 0)
			lang = argv[i] + 7;
		else if (strcmp(argv[i], "--lang") == 0 && i + 1 < argc)
			lang = argv[++i];
	}
	return lang;
}

const char *
cli_trn(const char *one, const char *many, unsigned long n)
{
	return dngettext(TEXT_DOMAIN, one, many, n);
}

const char *
cli_tr(const char *text)
{
	if (!text || !*text)
		return text;
	return dgettext(TEXT_DOMAIN, text);
}
