#!/bin/sh
# Turns a copy of a class's seed stage into its build root: what `[build] setup` adds, then Portage from the wheel
# and what Portage needs in such a root (docs/chroot-builds.md says why each step is there).
# Usage (farmctl runs it inside `unshare --mount --propagation private --pid --fork --kill-child`, so its mounts
# and the chroot's processes die with it): buildroot.sh ROOT WHEEL [SETUP]
set -eu
root=$1 wheel=$2 setup=${3:-}
[ -x "$root/bin/sh" ] || { echo "buildroot: $root has no /bin/sh; is it a seed stage?" >&2; exit 2; }
mount -t proc proc "$root/proc"
mkdir -p "$root/dev/pts"
mount -t devpts -o newinstance,ptmxmode=0666 devpts "$root/dev/pts"

# The setup may fetch packages: lend it the build host's DNS, and put the stage's own resolv.conf back after.
if [ -e "$root/etc/resolv.conf" ] || [ -L "$root/etc/resolv.conf" ]; then mv "$root/etc/resolv.conf" "$root/etc/resolv.conf.farmctl"; fi
cp -L /etc/resolv.conf "$root/etc/resolv.conf"
mkdir -p "$root/tmp/farmctl"
cp "$wheel" "$root/tmp/farmctl/"
run() { chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
        DEBIAN_FRONTEND=noninteractive LC_ALL=C /bin/sh -c "$1"; }
if [ -n "$setup" ]; then echo "buildroot: setup: $setup"; run "$setup"; fi

echo "buildroot: Portage from $(basename "$wheel") into /opt/portage"
run 'set -e
command -v python3 >/dev/null || { echo "buildroot: no python3 in the root; let [build] setup install it (and its venv module)" >&2; exit 2; }
python3 -m venv /opt/portage
/opt/portage/bin/pip install -q --no-index --no-deps --disable-pip-version-check /tmp/farmctl/*.whl
getent group portage >/dev/null || groupadd -g 250 portage
getent passwd portage >/dev/null || useradd -u 250 -g portage -d /var/tmp/portage -s /bin/false portage
mkdir -p /share /usr/local/bin /var/tmp/portage /var/db/pkg /var/cache/binpkgs /var/cache/distfiles
ln -sfn /opt/portage/share/portage /share/portage
command -v gtar >/dev/null || ln -sf /bin/tar /usr/local/bin/gtar
for tool in gcc make bzip2 zstd file scanelf; do
    command -v $tool >/dev/null || echo "buildroot: warning: no $tool in the root; builds that need it fail (see docs/chroot-builds.md)" >&2
done'

rm -rf "$root/tmp/farmctl" "$root/etc/resolv.conf"
if [ -e "$root/etc/resolv.conf.farmctl" ] || [ -L "$root/etc/resolv.conf.farmctl" ]; then mv "$root/etc/resolv.conf.farmctl" "$root/etc/resolv.conf"; fi
echo "buildroot: done"
