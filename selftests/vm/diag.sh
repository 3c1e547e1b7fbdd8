# INET-DIAG in the VM (plan diag), sourced by tests.sh: sockets on lo and a
# dummy device, two cgroups; the bytecode table through the raw client
# without vjit, with vjit, and interpreted through vjit's hook; ss filters
# with and without vjit; refused bytecode stays refused; rmmod.
diag_setup() {
	for m in inet_diag tcp_diag udp_diag dummy; do
		insmod /$m.ko || { fail "insmod $m"; return 1; }
	done
	/ip link set lo up
	# dummy.ko makes dummy0 itself
	/ip link show dummy0 > /dev/null 2>&1 || /ip link add dummy0 type dummy
	/ip link set dummy0 up &&
		/ip addr add 10.9.0.1/24 dev dummy0 &&
		/ip -6 addr add fd00::1/64 dev dummy0 nodad || { fail "dummy0"; return 1; }
	mkdir -p /sys/fs/cgroup && mount -t cgroup2 none /sys/fs/cgroup || { fail "cgroup2"; return 1; }
}

plan_diag() {
	section "INET-DIAG"
	diag_setup || return
	/diagtest plain load vjit interp refuse \
		ss 'sport >= :1024' ss 'dport <= :80' ss 'sport = :8080' \
		ss 'src 127.0.0.0/8' ss 'src fd00::/64' ss 'autobound' \
		ss 'fwmark = 0x10/0x30' ss 'cgroup /vjit1' \
		ss '( dport = :22 or sport = :22 ) and not src 127.0.0.1' \
		|| echo "diagtest exited $?"
	/vjitctl status
	rmmod vjit && pass "diag: rmmod vjit" || fail "diag: rmmod vjit"
	check_kernel_log diag
}

# INET-DIAG benchmark: a filtered dump of 10,000 sockets, interpreted and
# through vjit, in one boot.
plan_diagbench() {
	section "INET-DIAG benchmark"
	diag_setup || return
	insmod /vjit.ko diag=1 || { fail "insmod vjit.ko"; return; }
	/diagtest bench 10000
}
