/* `smbdiag serve` and `smbdiag hash` (see serve.c). */
#ifndef SMBDIAG_CLI_SERVE_H
#define SMBDIAG_CLI_SERVE_H

int cmd_serve(int argc, char **argv);
int cmd_hash(int argc, char **argv);

#endif
