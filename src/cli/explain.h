/* Entry point of `smbdiag explain` (see explain.c). */
#ifndef SMBDIAG_CLI_EXPLAIN_H
#define SMBDIAG_CLI_EXPLAIN_H

int cmd_explain(int argc, char **argv);

#endif
