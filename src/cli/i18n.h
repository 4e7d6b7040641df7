/* Translations for the command line (gettext, text domain "smbdiag").
 * core and diag mark their texts with N_() and never call gettext; the
 * renderers in src/cli translate at the edge with _(). Evidence lines and
 * the probe's details are written once, in the report's language: the
 * CLI hands cli_tr to the timeline (ev_timeline.translate) for text
 * reports and nothing for JSON. */
#ifndef SMBDIAG_CLI_I18N_H
#define SMBDIAG_CLI_I18N_H

#ifndef N_
#define N_(text) text
#endif
#define _(text) cli_tr(text)

/* Selects the language: lang ("zh_TW", "zh_TW.UTF-8", "en", "C") or, when
 * NULL, the locale of the environment (LANGUAGE, LC_ALL, LC_MESSAGES,
 * LANG). Translations come from $SMBDIAG_LOCALEDIR, else from the build
 * tree when the program runs from it, else from the installed locale
 * folder. Without a catalog every text stays English. */
void cli_i18n_init(const char *lang);
/* The value of --lang in a command's arguments ("--lang X" or
 * "--lang=X", before any "--"), or NULL: looked up before the options are
 * parsed, so that their errors are in that language too. */
const char *cli_lang_option(int argc, char **argv);
/* The translation of text; NULL and "" are returned unchanged. */
const char *cli_tr(const char *text) __attribute__((format_arg(1)));
/* The translation of the form of one or many that fits n (languages
 * have more than two plural forms; Chinese has one). */
const char *cli_trn(const char *one, const char *many, unsigned long n) __attribute__((format_arg(1)))
	__attribute__((format_arg(2)));
/* The folder translations are read from (for diagnostics and tests). */
const char *cli_i18n_localedir(void);

#endif
