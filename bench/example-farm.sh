# Sourced by the farm benchmarks (run from the repository's top directory): sets `farmctl` (the debug build)
# and `work`, a temp copy of the example farm using this repository's Portage venv, removed on exit.
farmctl="$PWD/.build/debug/farmctl"
[[ -x $farmctl ]] || { echo "run make build first" >&2; exit 1; }
work=$(mktemp -d /tmp/farmctl-bench.XXXXXX)
trap 'gpgconf --homedir "$work/var/gnupg" --kill gpg-agent 2>/dev/null; rm -rf "$work"' EXIT
cp -a workers.conf profiles repo mirror kernel overlays "$work/"
echo "emerge = \"$PWD/.venv/bin/emerge\"" >> "$work/workers.conf"
# The class kernels come from this repository's kernel cache (var/kernels, filled by `make demo`): a benchmark
# measures package builds and assembly, not a 5-minute kernel build per class.
mkdir -p var/kernels var/stages "$work/var"
ln -s "$PWD/var/kernels" "$work/var/kernels"
ln -s "$PWD/var/stages" "$work/var/stages"   # the seed stage (`make stage`)
# PIII builds in chroot mode in the example farm; the benchmarks measure host mode unless they set BENCH_CHROOT=1.
[[ ${BENCH_CHROOT:-0} == 1 ]] || sed -i 's/^mode = "chroot"/mode = "host"/' "$work/profiles/PIII/class.toml"
# The farm's binpkg signing key (workers.conf signing_key = "var/gnupg"), as `make demo` makes it.
"$farmctl" binpkg keygen --config "$work/workers.conf" > /dev/null

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
