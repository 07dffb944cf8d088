#!/usr/bin/env bash
# make test-boot: boot each class's PUBLISHED root (var/roots/CLASS/current, as farmctl writes it) under
# qemu-system-i386 (TCG, the class's CPU model) with an initramfs made of that root, and check that a
# node of the class really works: the root's kernel boots, gets a DHCP lease, loads the root's farmmark
# module, and runs a program emerge built with the class's CFLAGS (/usr/bin/nodereport).
#
# The initramfs holds: /init = kernel/boot/farminit.c built with the class's CFLAGS (gcc -m32 -static),
# the whole class root, and the host's i386 glibc runtime the root's dynamic binaries need (the demo
# roots carry no glibc). Pass/fail is decided ONLY by marker lines on the serial console: qemu exits 0
# on a power-off and on a panic, and a kernel that does not suit the CPU hangs until `timeout` ends it.
#
# Environment (all optional):
#   CLASSES       classes to boot (default: every directory of PROFILES with a class.toml)
#   ROOTS         where the published roots are (default REPO/var/roots)
#   PROFILES      class profiles, for CFLAGS from make.conf (default REPO/profiles)
#   KERNEL_BUILD  a kernel build dir: pack with its usr/gen_init_cpio (default: GNU cpio -H newc)
#   QEMU_CPU      a qemu CPU model instead of the class's (PIII: pentium3, AthlonXP: athlon,-sse2)
#   BOOT_TIMEOUT  seconds per boot (default 120)
#   BOOT_CACHE    console logs and initramfs (default REPO/.cache/boot; one directory per class)
#   INIT_SRC      the init's source (default REPO/kernel/boot/farminit.c)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOTS="${ROOTS:-$REPO/var/roots}"
PROFILES="${PROFILES:-$REPO/profiles}"
BOOT_CACHE="${BOOT_CACHE:-$REPO/.cache/boot}"
INIT_SRC="${INIT_SRC:-$REPO/kernel/boot/farminit.c}"
TIMEOUT="${BOOT_TIMEOUT:-120}"
KERNEL_BUILD="${KERNEL_BUILD:-}"
PROGRAM=/usr/bin/nodereport   # what farminit runs from the class root

log() { printf 'test-boot: %s\n' "$*"; }
die() { printf 'test-boot: error: %s\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# --- Debian packages -----------------------------------------------------------------------------
missing=()
for p in qemu-system-x86 cpio gcc-multilib; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
    [[ $(id -u) -eq 0 ]] || die "missing Debian packages (${missing[*]}): run as root or apt-get install them"
    log "apt-get install ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # A failing index (e.g. a mirror in sync) must not stop the install when the lists we have suffice.
    apt-get update -qq >/dev/null 2>&1 || log "warning: apt-get update failed; installing from the lists present"
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

[[ -f $INIT_SRC ]] || die "no init source $INIT_SRC"
if [[ -z ${CLASSES:-} ]]; then
    CLASSES=""
    for d in "$PROFILES"/*/; do
        if [[ -f $d/class.toml ]]; then CLASSES+="$(basename "$d") "; fi
    done
    [[ -n $CLASSES ]] || die "no class profiles (class.toml) under $PROFILES"
fi

# qemu CPU model per class (TCG enforces 3DNow! and SSE3+ but not SSE2 on pentium3: see docs).
qemu_cpu() {
    case $1 in
        PIII) echo pentium3 ;;
        AthlonXP) echo athlon,-sse2 ;;
    esac
}

# Host files (the ELF interpreter and libraries) the root's dynamic ELF binaries need and the staged
# root lacks; copies them into the stage at the paths the host loader found them (which the same
# loader searches inside the guest: /lib/ld-linux.so.2, /lib32 or /lib/i386-linux-gnu, ...).
# Fails when PROGRAM cannot be resolved; other binaries only warn.
add_host_runtime() { # $1 = stage dir
    local stage=$1 f interp out line path
    for f in "$stage"/{bin,sbin,usr/bin,usr/sbin}/*; do
        [[ -f $f && ! -L $f && $(head -c4 "$f" | od -An -c | tr -d ' ') == '177ELF' ]] || continue
        interp=$(readelf -l "$f" 2>/dev/null | sed -n 's/.*Requesting program interpreter: \(.*\)\]$/\1/p')
        [[ -n $interp ]] || continue    # static
        if [[ ! -e $interp ]]; then
            [[ /${f#"$stage"/} != "$PROGRAM" ]] || { echo "the host has no $interp for $PROGRAM (install gcc-multilib)"; return 1; }
            continue
        fi
        if [[ ! -e $stage$interp ]]; then
            mkdir -p "$(dirname "$stage$interp")"
            cp -L "$interp" "$stage$interp"
            echo "$interp"
        fi
        out=$(LD_TRACE_LOADED_OBJECTS=1 LD_LIBRARY_PATH="$stage/lib:$stage/usr/lib" "$interp" "$f" 2>&1) || true
        if grep -q 'not found' <<<"$out" || ! grep -q '=>' <<<"$out"; then
            if [[ /${f#"$stage"/} == "$PROGRAM" ]]; then
                echo "cannot resolve the libraries of $PROGRAM: $(tr '\n\t' '; ' <<<"$out")"; return 1
            fi
            log "warning: libraries of /${f#"$stage"/}: $(tr '\n\t' '; ' <<<"$out")" >&2
        fi
        while read -r line; do
            path=$(sed -n 's/^.* => \(\/[^ ]*\) (0x.*$/\1/p' <<<"$line")
            [[ -n $path && $path != "$stage"/* && ! -e $stage$path ]] || continue
            mkdir -p "$(dirname "$stage$path")"
            cp -L "$path" "$stage$path"
            echo "$path"
        done <<<"$out"
    done
}

# Pack STAGE into a gzip'd newc initramfs, no root privileges needed: gen_init_cpio from a kernel build
# when KERNEL_BUILD is set (it also adds /dev/console), else GNU cpio with every file owned by 0:0.
pack() { # $1 = stage dir, $2 = output .cpio.gz
    local stage=$1 type mode path target
    if [[ -n $KERNEL_BUILD ]]; then
        {
            echo "nod /dev/console 0600 0 0 c 5 1"
            (cd "$stage" && find . -mindepth 1 -printf '%y %m %P %l\n' | LC_ALL=C sort -k3,3) |
                while read -r type mode path target; do
                    case $type in
                        d) echo "dir /$path $mode 0 0" ;;
                        f) echo "file /$path $stage/$path $mode 0 0" ;;
                        l) echo "slink /$path $target 0777 0 0" ;;
                    esac
                done
        } > "$stage.list"
        "$KERNEL_BUILD/usr/gen_init_cpio" "$stage.list" | gzip -9 > "$2"
    else
        (cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -9 > "$2"
    fi
}

# Boot one class; prints its result; returns non-zero when it fails.
boot_class() {
    local CLASS=$1 root="$ROOTS/$1/current" work="$BOOT_CACHE/$1" t0 rel f cflags cpu rc=0 added
    # shellcheck disable=SC2016 # the backquotes are meant literally
    local stage="$work/initramfs.d" hint='run `make demo` (or `make test-kernel`) first'
    [[ -d $root ]] || { log "[$CLASS] FAIL: no published root $root: $hint"; return 1; }
    [[ -L $root/boot/vmlinuz ]] || { log "[$CLASS] FAIL: missing $root/boot/vmlinuz (symlink to vmlinuz-RELEASE): $hint"; return 1; }
    rel=$(basename "$(readlink "$root/boot/vmlinuz")"); rel=${rel#vmlinuz-}
    for f in "boot/vmlinuz-$rel" "boot/System.map-$rel" "boot/config-$rel" "lib/modules/$rel/modules.dep" \
             "lib/modules/$rel/extra/farmmark.ko" "${PROGRAM#/}" boot/stateless.sh; do
        [[ -f $root/$f ]] || { log "[$CLASS] FAIL: missing $root/$f: $hint"; return 1; }
    done
    cpu=${QEMU_CPU:-$(qemu_cpu "$CLASS")}
    [[ -n $cpu ]] || { log "[$CLASS] FAIL: no qemu CPU model for this class (set QEMU_CPU)"; return 1; }
    cflags=$(sed -n 's/^CFLAGS="\(.*\)"$/\1/p' "$PROFILES/$CLASS/make.conf" 2>/dev/null | tail -n1)
    [[ -n $cflags ]] || { log "[$CLASS] FAIL: no CFLAGS=\"...\" in $PROFILES/$CLASS/make.conf"; return 1; }
    if [[ -n $KERNEL_BUILD && ! -x $KERNEL_BUILD/usr/gen_init_cpio ]]; then
        log "[$CLASS] FAIL: KERNEL_BUILD=$KERNEL_BUILD has no usr/gen_init_cpio"; return 1
    fi

    # --- the initramfs: /init + the class root + the host's i386 glibc runtime ----------------
    # (errexit is off in here: boot_class runs as `boot_class || ...`, so each step is checked)
    t0=$(now)
    rm -rf "$work"; mkdir -p "$stage"
    cp -a "$root/." "$stage/" || { log "[$CLASS] FAIL: cannot copy $root"; return 1; }
    mkdir -p "$stage"/{dev,proc,sys,mnt,tmp}
    # shellcheck disable=SC2086 # CFLAGS is a list of words
    gcc -m32 -static $cflags -o "$stage/init" "$INIT_SRC" || { log "[$CLASS] FAIL: cannot build $INIT_SRC"; return 1; }
    added=$(add_host_runtime "$stage") || { log "[$CLASS] FAIL: $added"; return 1; }
    pack "$stage" "$work/initramfs.cpio.gz" || { log "[$CLASS] FAIL: cannot pack the initramfs"; return 1; }
    rm -rf "$stage" "$stage.list"
    log "[$CLASS] initramfs: $(secs "$t0" "$(now)") s, $(stat -c %s "$work/initramfs.cpio.gz") bytes" \
        "(release $rel; init built with: $cflags; host runtime: ${added//$'\n'/ })"

    # --- boot ----------------------------------------------------------------------------------
    local append="console=ttyS0 panic=-1 farmclass=$CLASS ip=dhcp"
    log "[$CLASS] qemu-system-i386 -accel tcg -cpu $cpu ... -append \"$append\" (timeout $TIMEOUT s)"
    t0=$(now)
    timeout "$TIMEOUT" qemu-system-i386 -accel tcg -cpu "$cpu" -m 128 -nographic -no-reboot \
        -kernel "$root/boot/vmlinuz-$rel" -initrd "$work/initramfs.cpio.gz" \
        -nic user,model=e1000 -append "$append" </dev/null >"$work/console.log" 2>&1 || rc=$?
    local t_boot; t_boot=$(secs "$t0" "$(now)")
    tr -d '\r' < "$work/console.log" > "$work/console.txt"

    # --- judge by the console ------------------------------------------------------------------
    local c="$work/console.txt" bad=()
    grep -q "FARMBOOT-INIT class=$CLASS release=$rel" "$c" || bad+=("no init marker (the initramfs /init did not run)")
    grep -q "FARMBOOT-MOUNT devtmpfs=ok tmpfs=ok overlay=ok" "$c" || bad+=("$(grep -m1 'FARMBOOT-MOUNT' "$c" || echo 'no mount marker')")
    grep -q "farmmark: FARMMARK-LOADED class=$CLASS release=$rel" "$c" || bad+=("no farmmark marker")
    grep -q "FARMBOOT-INSMOD ok" "$c" || bad+=("$(grep -m1 'FARMBOOT-INSMOD' "$c" || echo 'module not loaded')")
    grep -q "FARMBOOT-ROOTPROG-OUT: .*kernel=$rel " "$c" || bad+=("no output of $PROGRAM naming kernel $rel")
    grep -q "FARMBOOT-ROOTPROG ok exit=0 program=$PROGRAM" "$c" || bad+=("$(grep -m1 'FARMBOOT-ROOTPROG ' "$c" || echo "$PROGRAM did not run")")
    grep -q "IP-Config: Complete" "$c" || bad+=("no DHCP autoconfiguration (IP-Config: Complete)")
    grep -q "FARMBOOT-DONE" "$c" || bad+=("init did not finish (no FARMBOOT-DONE)")
    if grep -q "Kernel panic" "$c"; then bad+=("$(grep -m1 'Kernel panic' "$c")"); fi
    ((rc != 124)) || bad+=("qemu killed by timeout after $TIMEOUT s")
    if ((${#bad[@]})); then
        log "[$CLASS] FAIL after $t_boot s (-cpu $cpu, qemu exit $rc; console: $c)"
        for f in "${bad[@]}"; do log "[$CLASS]   $f"; done
        grep -E 'FARMBOOT|FARMMARK|traps:|IP-Config: Complete' "$c" | sed 's/^/    | /' || true
        echo "    | ... last console lines:"
        tail -n 8 "$c" | sed 's/^/    | /'
        return 1
    fi
    log "[$CLASS] PASS: $t_boot s boot to power-off (-cpu $cpu, qemu exit $rc; console: $c)"
    grep -E 'FARMBOOT|FARMMARK|IP-Config: Complete' "$c" | sed 's/^/    | /'
}

overall=0
for CLASS in $CLASSES; do
    t_class=$(now)
    boot_class "$CLASS" || overall=1
    log "[$CLASS] $(secs "$t_class" "$(now)") s in all"
done
if ((overall == 0)); then log "all classes passed: ${CLASSES% }"; else log "FAILED (see above)"; fi
exit $overall
