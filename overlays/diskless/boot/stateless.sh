#!/bin/sh
# /boot/stateless.sh: runs as init (kernel command line, written by farmctl into pxelinux.cfg:
# root=/dev/nfs nfsroot=SERVER:/ROOTS/CLASS/current,vers=3,... ro ip=dhcp init=/boot/stateless.sh softlevel=LEVEL).
# The NFS root stays read-only; /etc and /var get a writable tmpfs layer on top,
# the hostname comes from DHCP (or from the IP address), then the real init runs.
PATH=/sbin:/bin:/usr/sbin:/usr/bin
export PATH

mount -t proc proc /proc 2>/dev/null
mount -t sysfs sysfs /sys 2>/dev/null

# Stack a tmpfs over /etc and /var: overlayfs when the kernel has it, the
# out-of-tree unionfs module when that exists for this kernel, else a tmpfs copy.
union_mount() { # $1 = directory (etc or var)
    dir=$1
    mkdir -p /mnt/unionfs/$dir 2>/dev/null
    mount -t tmpfs -o mode=0755 tmpfs /mnt/unionfs/$dir || return 1
    mkdir -p /mnt/unionfs/$dir/upper /mnt/unionfs/$dir/work
    if grep -qw overlay /proc/filesystems; then
        mount -t overlay overlay \
            -o lowerdir=/$dir,upperdir=/mnt/unionfs/$dir/upper,workdir=/mnt/unionfs/$dir/work /$dir
    elif grep -qw unionfs /proc/filesystems; then
        mount -t unionfs -o dirs=/mnt/unionfs/$dir/upper=rw:/$dir=ro unionfs /$dir
    else
        cp -a /$dir/. /mnt/unionfs/$dir/upper/ && mount --bind /mnt/unionfs/$dir/upper /$dir
    fi
}

# overlayfs is built into farmctl's example kernels; a modular one, or the recipe's unionfs module
# (installed under /lib/modules/RELEASE/extra with depmod done), is loaded here.
if ! grep -qw overlay /proc/filesystems; then
    modprobe overlay 2>/dev/null
fi
if ! grep -qw overlay /proc/filesystems && [ -n "$(find /lib/modules/"$(uname -r)" -name 'unionfs.ko*' 2>/dev/null)" ]; then
    modprobe unionfs
fi
union_mount etc || echo "stateless: no writable /etc" >&2
union_mount var || echo "stateless: no writable /var" >&2

# Hostname: DHCP's (the kernel's IP autoconfiguration puts it in /proc/net/pnp
# and in the kernel hostname), else derived from the IP address: node-10-0-0-17.
name=$(hostname 2>/dev/null)
case $name in
    ""|"(none)"|localhost)
        ip=$(sed -n 's/^#IP-Config: .*address=\([0-9.]*\).*/\1/p' /proc/net/pnp 2>/dev/null)
        [ -n "$ip" ] || ip=$(ip -4 -o addr show scope global 2>/dev/null | sed -n '1s/.* inet \([0-9.]*\).*/\1/p')
        if [ -n "$ip" ]; then
            name=node-$(echo "$ip" | tr . -)
        else
            name=node-unknown
        fi
        ;;
esac
hostname "$name"
echo "hostname=\"$name\"" > /etc/conf.d/hostname
echo "$name" > /etc/hostname

# OpenRC starts the runlevel named by softlevel= on the kernel command line (farmctl links its services).
exec /sbin/init "$@"
