/* Functions over the finding catalog; the table itself is in
 * catalog_table.c so that each file stays readable. */
#include "diag/catalog.h"
#include "diag/catalog_table.h"

#include <string.h>
#include <strings.h>

const struct sd_finding_def *
sd_finding_table(size_t *count)
{
	if (count)
		*count = sd_catalog_rows_count;
	return sd_catalog_rows;
}

const struct sd_finding_def *
sd_finding_find(const char *id)
{
	size_t i;

	if (!id)
		return NULL;
	for (i = 0; i < sd_catalog_rows_count; i++)
		if (strcmp(sd_catalog_rows[i].id, id) == 0)
			return &sd_catalog_rows[i];
	return NULL;
}

size_t
sd_finding_remedy_count(const struct sd_finding_def *def)
{
	size_t n = 0;

	while (def && def->remedies && def->remedies[n].text)
		n++;
	return n;
}

size_t
sd_finding_ref_count(const struct sd_finding_def *def)
{
	size_t n = 0;

	while (def && def->refs && def->refs[n])
		n++;
	return n;
}

static const char *const step_names[SD_STEP__COUNT] = {
	[SD_STEP_TCP] = "tcp",
	[SD_STEP_NBSS] = "nbss",
	[SD_STEP_NEGOTIATE] = "negotiate",
	[SD_STEP_SESSION_SETUP] = "session_setup",
	[SD_STEP_TREE_CONNECT] = "tree_connect",
	[SD_STEP_LOGOFF] = "logoff",
};

const char *
sd_step_name(enum sd_step step)
{
	if ((unsigned)step >= SD_STEP__COUNT)
		return "?";
	return step_names[step];
}

/* Short forms people type, and the finding-id prefixes, map to steps too:
 * "tree", "session", "kerberos" (Kerberos belongs to SESSION_SETUP). */
static const struct {
	const char *name;
	enum sd_step step;
} step_aliases[] = {
	{"session", SD_STEP_SESSION_SETUP},
	{"sessionsetup", SD_STEP_SESSION_SETUP},
	{"kerberos", SD_STEP_SESSION_SETUP},
	{"tree", SD_STEP_TREE_CONNECT},
	{"treeconnect", SD_STEP_TREE_CONNECT},
	{"netbios", SD_STEP_NBSS},
};

bool
sd_step_parse(const char *text, enum sd_step *step)
{
	char norm[32];
	size_t i, len;

	if (!text)
		return false;
	len = strlen(text);
	if (len == 0 || len >= sizeof(norm))
		return false;
	for (i = 0; i <= len; i++)
		norm[i] = text[i] == '-' ? '_' : text[i];
	for (i = 0; i < SD_STEP__COUNT; i++) {
		if (strcasecmp(norm, step_names[i]) == 0) {
			*step = (enum sd_step)i;
			return true;
		}
	}
	for (i = 0; i < sizeof(step_aliases) / sizeof(step_aliases[0]); i++) {
		if (strcasecmp(norm, step_aliases[i].name) == 0) {
			*step = step_aliases[i].step;
			return true;
		}
	}
	return false;
}

const char *
sd_severity_name(enum sd_severity sev)
{
	switch (sev) {
	case SD_SEV_INFO:
		return "info";
	case SD_SEV_WARNING:
		return "warning";
	case SD_SEV_ERROR:
		return "error";
	}
	return "?";
}

const char *
sd_platform_name(enum sd_platform plat)
{
	switch (plat) {
	case SD_PLAT_ANY:
		return "any";
	case SD_PLAT_WINDOWS:
		return "windows";
	case SD_PLAT_SAMBA:
		return "samba";
	}
	return "?";
}
