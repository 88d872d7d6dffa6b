# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# TAP output for the shell parts of the rig, sourced:
#   tap_init FILE; tap_ok RC DESCRIPTION; tap_skip DESCRIPTION REASON; tap_done
# Each result is also echoed to stdout.

tap_init() {
	TAP_FILE=$1
	TAP_N=0
	mkdir -p "$(dirname "$TAP_FILE")"
	: > "$TAP_FILE"
}

tap_ok() {
	local rc=$1 what=$2 line
	TAP_N=$((TAP_N + 1))
	if [ "$rc" = 0 ]; then
		line="ok $TAP_N $what"
	else
		line="not ok $TAP_N $what"
	fi
	echo "$line" >> "$TAP_FILE"
	echo "$line"
}

tap_skip() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N $1 # SKIP $2" >> "$TAP_FILE"
	echo "ok $TAP_N $1 # SKIP $2"
}

tap_done() {
	echo "1..$TAP_N" >> "$TAP_FILE"
	echo "1..$TAP_N"
}
