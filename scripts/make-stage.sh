#!/usr/bin/env bash
# Make the example farm's seed stage: an i386 Debian userland (bookworm, minbase + OpenRC + sysvinit)
# packed as a stage tarball. It stands in for the Gentoo stage3-i686 a real farm would start from: the
# farm's overlay and generations are unpacked over it (they bring fstab and /etc/init.d/local, not this).
# Usage: bash scripts/make-stage.sh [OUTPUT]   (default <repo>/var/stages/example-i386.tar.zst; as root)
# Cached: OUTPUT.key holds a sha256 of this script and its inputs; a matching key skips the build.
# The last line on stdout is OUTPUT; progress goes to stderr. Also writes OUTPUT.manifest ("name version").
set -euo pipefail
ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SUITE=bookworm ARCH=i386 VARIANT=minbase
EXTRA=(openrc sysvinit-core kmod)
OUT="$(realpath -m "${1:-$ROOT_DIR/var/stages/example-i386.tar.zst}")"

say() { echo "make-stage: $*" >&2; }
die() { say "error: $*"; exit 1; }

KEY="$( { cat "${BASH_SOURCE[0]}"; printf '%s\n' "$SUITE" "$ARCH" "$VARIANT" "${EXTRA[*]}"; } \
        | sha256sum | cut -d' ' -f1)"
cached() { [[ -f $OUT && -f $OUT.key && "$(<"$OUT.key")" == "$KEY" ]]; }
if cached; then say "up to date (key ${KEY:0:12})"; echo "$OUT"; exit 0; fi

(( EUID == 0 )) || die "must run as root (debootstrap, mknod and chroot need it): sudo bash $0 ${1:-}"
for tool in zstd unshare timeout flock chroot dpkg-query; do
    command -v "$tool" >/dev/null || die "'$tool' not found; install it (zstd, util-linux, coreutils, dpkg)"
done
if ! command -v debootstrap >/dev/null; then
    say "installing debootstrap"
    apt-get install -y -qq --no-install-recommends debootstrap >&2 \
        || die "apt-get could not install debootstrap; run 'apt-get update' and retry, or install it by hand"
fi
mkdir -p "$(dirname "$OUT")" || die "cannot create the directory of $OUT"
# One build per OUTPUT at a time; the build's processes inherit the lock, so a second run waits for them.
exec 9>"$OUT.lock"
flock -n 9 || { say "waiting for another run on $OUT (holds $OUT.lock)"; flock 9; }
if cached; then say "up to date (built by a concurrent run)"; echo "$OUT"; exit 0; fi
# Leftovers of a run killed with SIGKILL (its trap never ran); the lock says none of it is still running.
rm -rf --one-file-system "$(dirname "$OUT")/.$(basename "$OUT").build."* "$OUT"*.tmp.*

# The host's Debian mirror: the first URIs of the deb822 stanza whose Suites hold SUITE itself (not
# SUITE-security), else the first matching 'deb' line of sources.list; empty = debootstrap's default.
host_mirror() {
    local f=/etc/apt/sources.list.d/debian.sources
    [[ -r $f ]] && awk -v s="$SUITE" 'BEGIN { RS = "" } {
        uri = ""; suite = 0; deb = 0; n = split($0, line, "\n")
        for (i = 1; i <= n; i++) {
            m = split(line[i], w, /[ \t]+/)
            if (w[1] == "URIs:" && uri == "") uri = w[2]
            for (j = 2; j <= m; j++) { if (w[1] == "Suites:" && w[j] == s) suite = 1; if (w[1] == "Types:" && w[j] == "deb") deb = 1 }
        }
        if (suite && deb && uri != "") { print uri; exit }
    }' "$f" | grep . && return
    [[ -r /etc/apt/sources.list ]] && awk -v s="$SUITE" '$1 == "deb" {
        i = 2; if ($2 ~ /^\[/) { while (i < NF && $i !~ /\]$/) i++; i++ }
        if ($(i + 1) == s) { print $i; exit } }' /etc/apt/sources.list
    return 0
}
MIRROR="$(host_mirror)"

# Runs inside a private mount + PID namespace: the proc/sys mounts debootstrap makes, and every process
# of the chroot, die with it, even when the build is SIGKILLed. Nothing is mounted on the host.
build_root() {
    local dir=$1 mirror=$2
    debootstrap --arch="$ARCH" --variant="$VARIANT" "$SUITE" "$dir" ${mirror:+"$mirror"} >&2 || {
        tail -n 25 "$dir/debootstrap/debootstrap.log" >&2 2>/dev/null
        echo "make-stage: error: debootstrap failed (log tail above); check the network and mirror" >&2; exit 1; }
    # apt in the chroot needs DNS: lend it the host's resolv.conf (removed below: the build host's DNS is no node's).
    rm -f "$dir/etc/resolv.conf"
    cp -L /etc/resolv.conf "$dir/etc/resolv.conf"
    printf '#!/bin/sh\nexit 101\n' > "$dir/usr/sbin/policy-rc.d"; chmod 755 "$dir/usr/sbin/policy-rc.d"  # start no services
    local apt=(env DEBIAN_FRONTEND=noninteractive chroot "$dir" apt-get -q -y -o Dpkg::Use-Pty=0)  # no /dev/pts
    { "${apt[@]}" update && "${apt[@]}" install --no-install-recommends "${EXTRA[@]}" && "${apt[@]}" clean; } >&2 \
        || { echo "make-stage: error: apt-get in the chroot failed (output above): mirror reachable? DNS?" >&2; exit 1; }
    rm -rf "$dir/var/lib/apt/lists/"* "$dir/usr/sbin/policy-rc.d" "$dir/etc/resolv.conf"
    rm -rf "$dir/run/openrc"                    # OpenRC state from caching deps in the chroot; a booted /run is a tmpfs
    # A node learns its DNS servers from the kernel's DHCP (ip=dhcp), which lists them in /proc/net/pnp in
    # resolv.conf format: the classic diskless link.
    ln -s /proc/net/pnp "$dir/etc/resolv.conf"
}
export -f build_root; export SUITE ARCH VARIANT; export EXTRA_LIST="${EXTRA[*]}"

BUILD="" TMP="$OUT.tmp.$$" CHILD=""
cleanup() {
    local rc=$?; set +e                         # a failing step here must not skip the rest
    if [[ -n $CHILD ]]; then kill "$CHILD" 2>/dev/null; wait "$CHILD" 2>/dev/null; fi
    # --one-file-system: never descend into a mount, should one ever be visible here. A second try
    # covers files a dying namespace process wrote during the first.
    if [[ -n $BUILD ]]; then rm -rf --one-file-system "$BUILD" 2>/dev/null || { sleep 1; rm -rf --one-file-system "$BUILD"; }; fi
    rm -f "$TMP" "$OUT.manifest.tmp.$$" "$OUT.key.tmp.$$"
    exit "$rc"
}
trap cleanup EXIT; trap 'exit 130' INT; trap 'exit 143' TERM
rm -f "$OUT.key"                                # no stale key may pair with a tarball of other inputs
BUILD="$(mktemp -d "$(dirname "$OUT")/.$(basename "$OUT").build.XXXXXX")"
chmod 755 "$BUILD"                              # becomes the stage's / (mktemp makes it 0700)

say "building $SUITE/$ARCH ($VARIANT + ${EXTRA[*]}) in $BUILD, mirror: $([[ -n $MIRROR ]] && echo "the host's apt mirror" || echo "debootstrap's default")"
# In the background so that INT/TERM run the trap at once (it kills timeout, which kills unshare,
# whose --kill-child then kills the namespace). timeout: exit 124 after 900 s.
timeout 900 unshare --mount --propagation private --pid --fork --kill-child \
    bash -euo pipefail -c 'read -ra EXTRA <<<"$EXTRA_LIST"; build_root "$@"' build_root "$BUILD" "$MIRROR" &
CHILD=$!
rc=0; wait "$CHILD" || rc=$?; CHILD=""
(( rc == 0 )) || die "building the root failed (exit $rc$( ((rc == 124)) && echo ': timed out after 900 s')); nothing was replaced"

# Read-only NFS root fixes for Debian's initscripts (docs: nfs-root-boot notes, measured on qemu boots).
# checkroot-bootclean.sh cannot write /tmp/.clean on a read-only root, so mountall.sh was skipped and no
# tmpfs came on /tmp; an empty /tmp/.tmpfs makes the scripts mount one.
: > "$BUILD/tmp/.tmpfs"
mkdir -p "$BUILD/var/lib/udev"                  # the farm's fstab mounts a tmpfs there: the mount point must exist
ln -sfn /proc/mounts "$BUILD/etc/mtab"          # no /etc/mtab otherwise, and none can be made on a read-only root
rm -f "$BUILD/etc/runlevels/off/savecache"      # savecache writes to / at shutdown: fails on a read-only root
# The nodes have no VGA console: the tty1..tty6 gettys would only respawn and fail. Serial lines stay.
sed -i -E 's|^([^#][^:]*:[^:]*:respawn:[^ ]*getty .*[[:space:]]tty[0-9]+([[:space:]].*)?)$|#\1|' "$BUILD/etc/inittab"

say "packing $OUT"
dpkg-query -W --admindir="$BUILD/var/lib/dpkg" -f '${Package} ${Version}\n' | sort > "$OUT.manifest.tmp.$$" \
    || die "dpkg-query could not read the packages of the new root"
tar --numeric-owner -C "$BUILD" -cf - . | zstd -q -T0 -3 > "$TMP" || die "packing with tar | zstd failed (disk full?)"
mv -f "$OUT.manifest.tmp.$$" "$OUT.manifest"
mv -f "$TMP" "$OUT"
echo "$KEY" > "$OUT.key.tmp.$$" && mv -f "$OUT.key.tmp.$$" "$OUT.key"
say "done: $(du -h "$OUT" | cut -f1), $(wc -l < "$OUT.manifest") packages"
echo "$OUT"
