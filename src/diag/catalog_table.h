/* Internal to src/diag: the rows of the finding catalog. Use the functions
 * of catalog.h from outside. */
#ifndef SMBDIAG_DIAG_CATALOG_TABLE_H
#define SMBDIAG_DIAG_CATALOG_TABLE_H

#include <stddef.h>

#include "diag/catalog.h"

extern const struct sd_finding_def sd_catalog_rows[];
extern const size_t sd_catalog_rows_count;

/* The troubleshooting article's sections, named the same everywhere. */
#define SD_REF_ARTICLE "Microsoft: SMB negotiate, session setup and tree connect failures — "
#define SD_REF_ART_NEGOTIATE SD_REF_ARTICLE "Negotiate fails"
#define SD_REF_ART_SESSION SD_REF_ARTICLE "Session setup fails"
#define SD_REF_ART_TREE SD_REF_ARTICLE "Tree connect fails"

#endif
