#!/usr/bin/env bash
# Prepare a Debian 12 host (as root) to run the real Portage for farmctl:
#   - Debian packages needed by emerge and 32-bit builds,
#   - a venv at .venv with portage==3.0.83,
#   - .venv/bin/gtar -> /bin/tar (Portage calls gtar),
#   - .venv/etc/portage/make.profile -> repo/profiles/default/linux/x86 (host-side config
#     that emerge loads when ROOT != /; without it: "Your current profile is invalid").
# Idempotent: prints one line per action taken, nothing when all is in place.
set -euo pipefail

ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT_DIR/.venv"
PORTAGE_VERSION="3.0.83"

# make, bison, flex, libelf-dev, kmod and linux-source-6.1: the example classes' kernels (kmod also for the tests' depmod).
# gpg and gpg-agent: the farm signs gpkg binpkgs (signing_key); chromium and wrk: the tests load farmctl serve's pages
# in a real browser and under load during a build.
PACKAGES=(gcc gcc-multilib pax-utils zstd bzip2 xz-utils file tar gzip util-linux python3 python3-venv libsqlite3-dev libssl-dev libarchive-dev libzstd-dev pkg-config bc qemu-user openssh-server openssh-client libssh2-1-dev libcapstone-dev debootstrap make bison flex libelf-dev kmod cpio linux-source-6.1 gpg gpg-agent chromium wrk)

missing=()
for p in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done
if ((${#missing[@]})); then
    if [[ $(id -u) -ne 0 ]]; then
        echo "bootstrap: missing Debian packages (${missing[*]}); run as root" >&2
        exit 1
    fi
    echo "apt-get install ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    aptlog="$(mktemp)"
    # A mirror in mid-sync makes `apt-get update` fail (seen here with Debian's i386 security lists); the lists
    # already present usually still hold what is missing, so only a failed install stops the bootstrap.
    if ! apt-get update -qq >"$aptlog" 2>&1; then
        echo "bootstrap: apt-get update failed; installing from the package lists already present" >&2
    fi
    if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >>"$aptlog" 2>&1; then
        cat "$aptlog" >&2
        rm -f "$aptlog"
        exit 1
    fi
    rm -f "$aptlog"
fi

PY=/usr/bin/python3
[[ -x $PY ]] || PY="$(command -v python3)"
if [[ ! -x $VENV/bin/python3 ]]; then
    echo "create venv $VENV"
    "$PY" -m venv "$VENV"
fi
installed="$("$VENV/bin/python3" -c 'import importlib.metadata as m; print(m.version("portage"))' 2>/dev/null || true)"
if [[ $installed != "$PORTAGE_VERSION" ]]; then
    echo "pip install portage==$PORTAGE_VERSION"
    "$VENV/bin/pip" install -q --disable-pip-version-check "portage==$PORTAGE_VERSION"
fi

if [[ "$(readlink "$VENV/bin/gtar" 2>/dev/null)" != /bin/tar ]]; then
    echo "link $VENV/bin/gtar -> /bin/tar"
    ln -sfn /bin/tar "$VENV/bin/gtar"
fi

# Host-side ("running root") config: BDEPEND packages are installed into the venv prefix
# ($VENV/usr, $VENV/var/db/pkg) and emerge reads only $VENV/etc/portage for them, not the
# environment (except PATH, PORTAGE_REPOSITORIES, PORTAGE_USERNAME/GRPNAME...).
hostconf="$VENV/etc/portage/make.conf"
hostconf_text='# Written by scripts/bootstrap.sh: the build-host side of the emerge runs of farmctl.
FEATURES="-sandbox -usersandbox -userpriv -userfetch -usersync -qa-unresolved-soname-deps"
PORTAGE_USERNAME="root"
PORTAGE_GRPNAME="root"'
if [[ "$(cat "$hostconf" 2>/dev/null)" != "$hostconf_text" ]]; then
    echo "write $hostconf"
    mkdir -p "$VENV/etc/portage"
    printf '%s\n' "$hostconf_text" > "$hostconf"
fi

profile="$ROOT_DIR/repo/profiles/default/linux/x86"
if [[ "$(readlink "$VENV/etc/portage/make.profile" 2>/dev/null)" != "$profile" ]]; then
    echo "link $VENV/etc/portage/make.profile -> $profile"
    mkdir -p "$VENV/etc/portage"
    ln -sfn "$profile" "$VENV/etc/portage/make.profile"
fi

# GCC's own -march=native on the CPUID of each test dump (CPUTests' NativeMarchOracleTests): Debian's 32-bit
# gcc-12 driver, unpacked here (not installed), runs under qemu-i386 with that CPUID.
GCC386="$ROOT_DIR/.tools/gcc-i386"
if [[ ! -x $GCC386/usr/bin/i686-linux-gnu-gcc-12 ]]; then
    echo "unpack Debian's gcc-12:i386 driver into $GCC386"
    if ! dpkg --print-foreign-architectures | grep -qx i386; then
        dpkg --add-architecture i386
        apt-get update -qq >/dev/null 2>&1 || true   # a mirror's stale index must not stop the download below
    fi
    debdir="$(mktemp -d)"
    chmod 755 "$debdir"
    (cd "$debdir" && apt-get download -qq "gcc-12:i386" >/dev/null 2>&1)
    mkdir -p "$GCC386"
    dpkg-deb -x "$debdir"/gcc-12_*_i386.deb "$GCC386"
    rm -rf "$debdir"
fi
