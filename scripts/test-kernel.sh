#!/usr/bin/env bash
# make test-kernel: the real kernel path of farmctl. Runs `farmctl build` on the example farm, whose classes
# name Debian's linux-source-6.1 tarball (tinyconfig + kernel/config/diskless.fragment + their CPU fragment)
# and the out-of-tree module kernel/module/farmmark, then checks each class's published root:
#   - boot/vmlinuz-REL is a real x86 bzImage, boot/config-REL has the class's CPU type and every fragment line,
#   - lib/modules/REL/extra/farmmark.ko is built for REL and the class's CPU (vermagic), listed by depmod,
#   - a second `farmctl build` takes kernel and module from the cache (key: source, version, .config, compiler).
# The kernel cache is the example farm's own (var/kernels, shared with `make demo`): the first run builds two
# kernels (about 3 minutes each on 2 cores), later runs reuse them. CLEAN=1 removes var/kernels first.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
FARMCTL="${FARMCTL:-$REPO/.build/debug/farmctl}"
CLASSES="${CLASSES:-PIII AthlonXP}"
log() { printf 'test-kernel: %s\n' "$*"; }
fail() { printf 'test-kernel: FAIL: %s\n' "$*" >&2; failed=1; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
failed=0

[[ -x $FARMCTL ]] || { echo "test-kernel: no $FARMCTL: run \`make build\` first" >&2; exit 1; }
[[ -z ${CLEAN:-} ]] || { log "CLEAN=1: removing var/kernels"; rm -rf var/kernels; }

# shellcheck disable=SC2086 # CLASSES is a list of words
run_build() { "$FARMCTL" build --plain $CLASSES; }
t0=$(now)
output=$(run_build 2>&1) || { printf '%s\n' "$output" >&2; echo "test-kernel: FAIL: farmctl build failed" >&2; exit 1; }
t_first=$(secs "$t0" "$(now)")
printf '%s\n' "$output" | grep -E 'kernel|module|published|unchanged' | sed 's/^/  /'
log "first farmctl build: $t_first s"

for CLASS in $CLASSES; do
    root=var/roots/$CLASS/current
    release=$(readlink "$root/boot/vmlinuz" 2>/dev/null | sed 's/^vmlinuz-//') || true
    [[ -n $release ]] || { fail "[$CLASS] $root/boot/vmlinuz is not a link to vmlinuz-RELEASE"; continue; }
    image=$root/boot/vmlinuz-$release
    case $(file -b "$image") in
        *"Linux kernel x86 boot executable bzImage"*) ;;
        *) fail "[$CLASS] $image is not a bzImage: $(file -b "$image")" ;;
    esac
    case $CLASS in PIII) cpu=MPENTIUMIII; magic=PENTIUMIII ;; AthlonXP) cpu=MK7; magic=K7 ;; *) cpu=; magic= ;; esac
    [[ -z $cpu ]] || grep -qx "CONFIG_$cpu=y" "$root/boot/config-$release" || fail "[$CLASS] config-$release lacks CONFIG_$cpu=y"
    for fragment in kernel/config/diskless.fragment "kernel/config/cpu-$CLASS.fragment"; do
        while IFS= read -r line; do
            case $line in CONFIG_*=*) grep -qxF -- "$line" "$root/boot/config-$release" || fail "[$CLASS] $fragment: '$line' not in config-$release" ;; esac
        done < "$fragment"
    done
    ko=$root/lib/modules/$release/extra/farmmark.ko
    vermagic=$(/sbin/modinfo -F vermagic "$ko" 2>/dev/null || true)
    [[ $vermagic == "$release "*"$magic "* ]] || fail "[$CLASS] farmmark.ko vermagic '$vermagic' is not for $release $magic"
    grep -q '^extra/farmmark.ko:' "$root/lib/modules/$release/modules.dep" || fail "[$CLASS] modules.dep does not list extra/farmmark.ko"
    log "[$CLASS] kernel $release: bzImage $(stat -c %s "$image") bytes; farmmark vermagic '$vermagic'; depmod done"
done

t0=$(now)
again=$(run_build 2>&1) || { printf '%s\n' "$again" >&2; fail "the second farmctl build failed"; }
t_second=$(secs "$t0" "$(now)")
for CLASS in $CLASSES; do
    printf '%s\n' "$again" | grep -q "^$CLASS: kernel .* from the cache" || fail "[$CLASS] the second build did not take the kernel from the cache"
done
log "second farmctl build (kernel and modules from the cache): $t_second s"
((failed == 0)) || exit 1
log PASS
