#!/usr/bin/env bash
# make test-boot: boot each class's PUBLISHED root as a node does: qemu-system-i386 (TCG, the class's CPU model)
# loads the class kernel with exactly the command line farmctl wrote into pxelinux.cfg, mounts
# <roots>/<CLASS>/current read-only over NFSv4 from nfs-ganesha serving farmctl's own export config, runs
# /boot/stateless.sh as init, enters the softlevel's runlevel and powers off through the shutdown runlevel.
# No initramfs, nothing from the host in the guest. Then a second generation of one class is published, booted,
# rolled back with `farmctl roots rollback`, and booted again: the node follows `current`, no server reload.
#
# Pass/fail comes ONLY from the serial console (qemu exits 0 on power-off and on panic alike): the kernel's root
# mount line, the node's own FARM-SELFTEST lines (overlays/diskless/etc/local.d/farm-selftest.start, which runs
# because the DHCP host name ends in -selftest), FARMMARK-LOADED, and "reboot: Power down".
#
# Safety: nothing here mounts NFS on this machine; only the guests do. ganesha listens on 127.0.0.1 only, in a
# private mount and PID namespace (its own /run) started and stopped by PID; every qemu runs under `timeout`.
#
# Environment (optional): CLASSES (default: every class with a PXE label), CONFIG (default REPO/workers.conf),
# BOOT_TIMEOUT (s per boot, default 240), MOUNT_DEADLINE (s to the root mount, default 60), ROLLBACK_CLASS
# (default the first class; "none" skips), BOOT_CACHE (console logs, ganesha config; default REPO/.cache/boot),
# GUEST_SERVER (the server address the guests mount from, default 10.0.2.2).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FARMCTL="$REPO/.build/debug/farmctl"
CONFIG="${CONFIG:-$REPO/workers.conf}"
CACHE="${BOOT_CACHE:-$REPO/.cache/boot}"
TIMEOUT="${BOOT_TIMEOUT:-240}"
MOUNT_DEADLINE="${MOUNT_DEADLINE:-60}"
GUEST_SERVER="${GUEST_SERVER:-10.0.2.2}"   # the host's loopback as qemu's user-mode network shows it to the guest

log() { printf 'test-boot: %s\n' "$*"; }
die() { printf 'test-boot: error: %s\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# --- Debian packages (no service may start: policy-rc.d refuses while installing) ------------------------------
missing=()
for p in qemu-system-x86 nfs-ganesha nfs-ganesha-vfs libnfs-utils; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
    [[ $(id -u) -eq 0 ]] || die "missing Debian packages (${missing[*]}): run as root or apt-get install them"
    log "apt-get install ${missing[*]}"
    policy_added=""
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && policy_added=1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null 2>&1 || log "warning: apt-get update failed; installing from the lists present"
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || { [[ -z $policy_added ]] || rm -f /usr/sbin/policy-rc.d; die "apt-get install failed"; }
    [[ -z $policy_added ]] || rm -f /usr/sbin/policy-rc.d
fi
[[ -x $FARMCTL ]] || die "no $FARMCTL: run make build (make test-boot does)"

# --- farmctl's own boot files for the farm as it is ----------------------------------------------------------------
read -r TFTP ROOTS GANESHA_EXPORTS <<<"$("$FARMCTL" pxe sync --config "$CONFIG" --json | python3 -c '
import json, sys
r = json.load(sys.stdin)
print(r["tftp_root"], r["roots_directory"], r.get("ganesha_file") or "")')"
[[ -n $GANESHA_EXPORTS ]] || die "workers.conf [pxe] does not write nfs-ganesha exports: add nfs_server = [\"knfsd\", \"ganesha\"]"
DEFAULT="$TFTP/pxelinux.cfg/default"
[[ -f $DEFAULT ]] || die "no $DEFAULT: run make demo (or farmctl build) first"
if [[ -z ${CLASSES:-} ]]; then
    CLASSES="$(awk '$1 == "LABEL" && $2 != "local" { print $2 }' "$DEFAULT" | xargs)"
    [[ -n $CLASSES ]] || die "$DEFAULT has no class label: no class has a published kernel (run make demo)"
fi
mkdir -p "$CACHE"

qemu_cpu() { case $1 in PIII) echo pentium3 ;; AthlonXP) echo athlon,-sse2 ;; *) echo "" ;; esac; }
# The label's KERNEL or APPEND value in pxelinux.cfg/default.
label_value() { awk -v l="$1" -v k="$2" '$1 == "LABEL" { on = ($2 == l) } on && $1 == k { $1 = ""; sub(/^ /, ""); print; exit }' "$DEFAULT"; }

# --- nfs-ganesha on 127.0.0.1 ------------------------------------------------------------------------------------
GANESHA_PID="" QEMU_PID=""
start_ganesha() {
    local dir="$CACHE/ganesha"
    rm -rf "$dir" && mkdir -p "$dir/recovery"
    cat > "$dir/ganesha.conf" <<EOF
# make test-boot's nfs-ganesha: loopback only, NFSv4 only (no rpcbind), farmctl's exports included unchanged.
NFS_CORE_PARAM {
    Bind_addr = 127.0.0.1;
    NFS_Port = 2049;
    MNT_Port = 20048;
    Enable_NLM = false;
    Enable_RQUOTA = false;
    Enable_UDP = false;
    Protocols = 4;
}
NFSV4 {
    Graceless = true;
    Only_Numeric_Owners = true;
    RecoveryRoot = "$dir/recovery";
}
%include "$GANESHA_EXPORTS"
EOF
    if ss -Hltn 'sport = :2049' 2>/dev/null | grep -q .; then die "port 2049 is taken on this machine (another NFS server?)"; fi
    # A private /run (ganesha makes /run/ganesha) in a private mount and PID namespace: --kill-child ends it.
    unshare --mount --propagation private --pid --fork --kill-child \
        sh -c 'mount -t tmpfs tmpfs /run && exec ganesha.nfsd -F -f "$1" -L "$2" -p /run/ganesha.pid' ganesha \
        "$dir/ganesha.conf" "$dir/ganesha.log" >"$dir/stdout.log" 2>&1 &
    GANESHA_PID=$!
    local t0; t0=$(now)
    until grep -q "NFS SERVER INITIALIZED" "$dir/ganesha.log" 2>/dev/null; do
        kill -0 "$GANESHA_PID" 2>/dev/null || { tail -20 "$dir/ganesha.log" "$dir/stdout.log" >&2 || true; die "nfs-ganesha exited at start"; }
        (( $(awk -v a="$t0" -v b="$(now)" 'BEGIN { print (b - a > 30) }') )) && { tail -20 "$dir/ganesha.log" >&2; die "nfs-ganesha did not start in 30 s"; }
        sleep 0.2
    done
    log "nfs-ganesha $(dpkg-query -W -f='${Version}' nfs-ganesha) serving $GANESHA_EXPORTS on 127.0.0.1:2049 (pid $GANESHA_PID, up in $(secs "$t0" "$(now)") s)"
}
# unshare --fork ignores SIGTERM itself: stop ganesha (its child) with TERM, then unshare, whose --kill-child
# takes down whatever is left in the namespace.
stop_ganesha() {
    [[ -n $GANESHA_PID ]] || return 0
    local child i
    child=$(pgrep -P "$GANESHA_PID" || true)
    [[ -z $child ]] || kill -TERM $child 2>/dev/null || true
    for i in $(seq 50); do kill -0 "$GANESHA_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$GANESHA_PID" 2>/dev/null || true
    wait "$GANESHA_PID" 2>/dev/null || true
    GANESHA_PID=""
}

MARKER_FILE="" MARKER_DIR_MADE="" ROLLBACK_TO=""
cleanup() {
    local rc=$?
    set +e
    if [[ -n $QEMU_PID ]]; then kill "$QEMU_PID" 2>/dev/null; wait "$QEMU_PID" 2>/dev/null; fi
    stop_ganesha
    [[ -z $MARKER_FILE ]] || rm -f "$MARKER_FILE"
    [[ -z $MARKER_DIR_MADE ]] || rm -rf "$MARKER_DIR_MADE"
    exit "$rc"
}
trap cleanup EXIT INT TERM

# --- one boot ----------------------------------------------------------------------------------------------------
# boot CLASS HOSTNAME EXPECTED_MARKER: boots, watches the console, checks every criterion; prints PASS or FAIL.
BOOT_SECONDS=""
boot() {
    local class=$1 host=$2 marker=$3 cpu kernel append console t0 mounted="" bad=() services
    cpu=$(qemu_cpu "$class"); [[ -n $cpu ]] || { log "[$class] FAIL: no qemu CPU model for this class"; return 1; }
    kernel=$(label_value "$class" KERNEL); append=$(label_value "$class" APPEND)
    [[ -n $kernel && -f $TFTP/$kernel ]] || { log "[$class] FAIL: no kernel for label $class in $DEFAULT"; return 1; }
    # Exactly farmctl's line; only the server's address becomes the one the guest reaches (the example farm's is it).
    append=$(sed -E "s#nfsroot=[0-9.]+:#nfsroot=$GUEST_SERVER:#" <<<"$append")
    console="$CACHE/$class-$host.console"
    log "[$class] qemu -cpu $cpu -kernel $kernel -append \"$append\" (hostname $host)"
    t0=$(now)
    timeout "$TIMEOUT" qemu-system-i386 -accel tcg -cpu "$cpu" -m 256 -nographic -no-reboot -monitor none \
        -nic "user,model=e1000,hostname=$host" -kernel "$TFTP/$kernel" -append "$append" </dev/null >"$console" 2>&1 &
    QEMU_PID=$!
    while kill -0 "$QEMU_PID" 2>/dev/null; do
        if [[ -z $mounted ]]; then
            if grep -q "VFS: Mounted root" "$console"; then mounted=1
            elif grep -qE "VFS: Unable to mount root|Kernel panic" "$console" || \
                 (( $(awk -v a="$t0" -v b="$(now)" -v d="$MOUNT_DEADLINE" 'BEGIN { print (b - a > d) }') )); then
                kill "$QEMU_PID" 2>/dev/null; bad+=("no root mounted within $MOUNT_DEADLINE s (qemu stopped)"); break
            fi
        fi
        grep -q "reboot: Power down" "$console" && break
        sleep 0.5
    done
    wait "$QEMU_PID" 2>/dev/null || true
    QEMU_PID=""
    BOOT_SECONDS=$(secs "$t0" "$(now)")
    tr -d '\r' < "$console" > "$console.txt"
    if [[ -z $mounted ]] && ((${#bad[@]})); then
        log "[$class] FAIL after $BOOT_SECONDS s: ${bad[0]}; console ($console.txt), last lines:"
        tail -8 "$console.txt" | sed 's/^/    /'
        return 1
    fi
    expect() { grep -qE -- "$1" "$console.txt" || bad+=("$2"); }
    expect "VFS: Mounted root \(nfs4 filesystem\) readonly" "the root was not mounted read-only over NFSv4"
    expect "FARM-SELFTEST root $GUEST_SERVER:[^ ]+ nfs4 ro," "the node does not see / as read-only nfs4"
    expect "FARM-SELFTEST etc overlay" "no overlay on /etc (stateless.sh)"
    expect "FARM-SELFTEST var overlay" "no overlay on /var (stateless.sh)"
    expect "FARM-SELFTEST hostname $host\$" "the host name is not the DHCP one ($host)"
    expect "FARM-SELFTEST runlevel diskless" "not in the softlevel's runlevel (diskless)"
    services=$(python3 -c 'import sys, tomllib; print(" ".join(tomllib.load(open(sys.argv[1], "rb")).get("boot", {}).get("services", [])))' \
        "$(dirname "$CONFIG")/profiles/$class/class.toml")
    for s in $services; do expect "FARM-SELFTEST service $s started" "service $s did not start"; done
    expect "FARMMARK-LOADED class=$class " "farmmark did not load with class=$class"
    expect "FARM-SELFTEST module farmmark loaded" "farmmark is not in /proc/modules"
    expect "FARM-SELFTEST program host=$host .*machine=i686" "the farm's nodereport did not run"
    expect "FARM-SELFTEST write / refused" "a write to / was not refused"
    expect "FARM-SELFTEST write /etc /var ok" "writes to /etc and /var failed"
    expect "FARM-SELFTEST sleep ok" "sleep failed (CONFIG_COMPAT_32BIT_TIME?)"
    expect "FARM-SELFTEST marker $marker\$" "the root's marker is not \"$marker\""
    expect "reboot: Power down" "no clean power-off"
    if ((${#bad[@]})); then
        log "[$class] FAIL after $BOOT_SECONDS s: $(IFS=';'; echo "${bad[*]}")"
        log "[$class] console ($console.txt), last lines:"; tail -25 "$console.txt" | sed 's/^/    /'
        return 1
    fi
    log "[$class] PASS: $BOOT_SECONDS s from qemu start to power-off; $(grep -m1 -o 'VFS: Mounted root.*' "$console.txt")"
}

start_ganesha
failed=0
for class in $CLASSES; do
    boot "$class" "$(tr 'A-Z' 'a-z' <<<"$class")-selftest" none || failed=1
done

# --- rollback on a node: a second generation, booted; `roots rollback`; the older one booted; no server reload ---
ROLLBACK_CLASS="${ROLLBACK_CLASS:-${CLASSES%% *}}"
if [[ $failed == 0 && $ROLLBACK_CLASS != none ]]; then
    before=$(readlink "$ROOTS/$ROLLBACK_CLASS/current")
    overlay="$(dirname "$CONFIG")/profiles/$ROLLBACK_CLASS/overlay"
    [[ -d $overlay ]] || MARKER_DIR_MADE="$overlay"
    mkdir -p "$overlay/etc"
    MARKER_FILE="$overlay/etc/farm-boot-marker"
    echo "after-generation-$before" > "$MARKER_FILE"
    log "[$ROLLBACK_CLASS] publishing a generation after $before with /etc/farm-boot-marker (class overlay)"
    "$FARMCTL" build "$ROLLBACK_CLASS" --plain --config "$CONFIG" > "$CACHE/rollback-build.log" 2>&1 \
        || { tail -20 "$CACHE/rollback-build.log"; die "farmctl build $ROLLBACK_CLASS failed"; }
    rm -f "$MARKER_FILE"; MARKER_FILE=""
    [[ -z $MARKER_DIR_MADE ]] || { rm -rf "$MARKER_DIR_MADE"; MARKER_DIR_MADE=""; }
    after=$(readlink "$ROOTS/$ROLLBACK_CLASS/current")
    [[ $after != "$before" ]] || die "no new generation was published"
    boot "$ROLLBACK_CLASS" "$(tr 'A-Z' 'a-z' <<<"$ROLLBACK_CLASS")-selftest" "after-generation-$before" || failed=1
    "$FARMCTL" roots rollback "$ROLLBACK_CLASS" "$before" --config "$CONFIG"
    boot "$ROLLBACK_CLASS" "$(tr 'A-Z' 'a-z' <<<"$ROLLBACK_CLASS")-selftest" none || failed=1
    ((failed)) || log "[$ROLLBACK_CLASS] PASS: generation $after booted, rolled back to $before, booted without restarting nfs-ganesha"
fi
stop_ganesha
((failed == 0)) || die "a boot failed (console logs in $CACHE)"
log "all boots passed"
