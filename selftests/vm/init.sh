#!/bin/sh
# /init of the test VM (busybox sh). The plan comes from the kernel command
# line (vjitplan=check|bench|demo); the host reads the serial console.
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
echo 1 > /proc/sys/net/core/bpf_jit_enable
. /tests.sh
echo "VJIT-VM-START plan=$vjitplan kernel=$(uname -r) cpus=$(nproc)"
"plan_$vjitplan"
echo "VJIT-VM-DMESG-BEGIN"
dmesg
echo "VJIT-VM-DMESG-END"
echo "VJIT-VM-DONE"
poweroff -f
