#!/bin/sh
# Times `smbdiag analyze` on a capture of at least 1 GiB of real Samba traffic
# against tshark extracting the same fields and against a libpcap loop that
# only counts packets (the floor), in one run, and prints MB/s and ratios.
#
# The capture is made once, in a private network namespace whose loopback has
# Ethernet's MTU and no segmentation offload (so packets are ~1500 bytes, not
# 64 KiB), with smbd on port 445, many smbclient and impacket sessions,
# failures (wrong password, missing share, encryption required) and large
# put/get transfers so that most bytes are file data. It is cached in
# $SMBDIAG_BENCH_DIR (default: build/bench) and reused on later runs.
#
# usage: bench/analyze.sh [PATH/TO/smbdiag]      (needs root for the namespace)
set -eu
if [ -z "${SMBDIAG_BENCH_BOUNDED:-}" ]; then
	# The whole run is bounded; TERM reaches the trap below, which cleans up.
	SMBDIAG_BENCH_BOUNDED=1 exec timeout 1800 "$0" "$@"
fi
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
smbdiag=${1:-$root/build/src/cli/smbdiag}
benchdir=${SMBDIAG_BENCH_DIR:-$root/build/bench}
capture=$benchdir/analyze-samba-1g.pcapng
py=/usr/bin/python3

for tool in "$smbdiag" tshark dumpcap smbd smbclient ip; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "bench/analyze.sh: $tool not found; skipped" >&2
		exit 0
	fi
done

# The floor: bench/pcap_count, built by Meson next to smbdiag, or here.
builddir=$(cd "$(dirname "$smbdiag")/../.." && pwd)
pcap_count=$builddir/bench/pcap_count
if [ ! -x "$pcap_count" ]; then
	mkdir -p "$benchdir"
	pcap_count=$benchdir/pcap_count
	cc -O2 -o "$pcap_count" "$here/pcap_count.c" -lpcap
fi

if [ ! -s "$capture" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "bench/analyze.sh: making the capture needs root (ip netns); skipped" >&2
		exit 0
	fi
	mkdir -p "$benchdir"
	avail_kb=$(df -Pk "$benchdir" | awk 'NR == 2 { print $4 }')
	if [ "$avail_kb" -lt 3000000 ]; then
		echo "bench/analyze.sh: less than 3 GB free under $benchdir; skipped" >&2
		exit 0
	fi
	ns=smbdiag-bench-$$
	trap 'ip netns del "$ns" 2>/dev/null || true; rm -f "$capture.part"' EXIT
	trap 'exit 143' INT TERM
	ip netns add "$ns"
	ip -n "$ns" link set lo up
	ip -n "$ns" link set lo mtu 1500 gso_max_size 1500 gso_max_segs 1
	start=$(date +%s)
	ip netns exec "$ns" "$py" "$here/analyze_capture.py" "$capture.part" "$root/tests/interop"
	mv "$capture.part" "$capture"
	ip netns del "$ns"
	trap - EXIT INT TERM
	echo "capture made in $(( $(date +%s) - start )) s: $capture"
else
	echo "reusing $capture (delete it to make a new one)"
fi

exec "$py" "$here/analyze_time.py" "$smbdiag" "$pcap_count" "$capture"
