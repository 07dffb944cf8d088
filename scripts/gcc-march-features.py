#!/usr/bin/env python3
"""Print, for each GCC -march name, the ISA features GCC enables, as /proc/cpuinfo names.

Reads `gcc -m64|-m32 -march=NAME -Q --help=target` of the gcc on PATH; cmov and cmpxchg8b are not
-m options, so they come from compiling a probe (tests/docs: docs/classify.md).
Usage: scripts/gcc-march-features.py NAME...   (prints `NAME: feature feature ...`, or `NAME: unknown`)
"""
import subprocess, sys, tempfile, os

# GCC -m option → /proc/cpuinfo flag. None: not an instruction-set option.
OPTION_FEATURE = {
    "mmx": "mmx", "3dnow": "3dnow", "3dnowa": "3dnowext", "sse": "sse", "sse2": "sse2", "sse3": "sse3",
    "ssse3": "ssse3", "sse4.1": "sse4_1", "sse4.2": "sse4_2", "crc32": "sse4_2", "sse4a": "sse4a",
    "popcnt": "popcnt", "abm": "abm", "lzcnt": "abm", "aes": "aes", "pclmul": "pclmulqdq", "avx": "avx",
    "avx2": "avx2", "fma": "fma", "fma4": "fma4", "xop": "xop", "lwp": "lwp", "tbm": "tbm", "bmi": "bmi1",
    "bmi2": "bmi2", "f16c": "f16c", "movbe": "movbe", "cx16": "cx16", "sahf": "lahf_lm", "rdrnd": "rdrand",
    "rdseed": "rdseed", "adx": "adx", "prfchw": "3dnowprefetch", "fsgsbase": "fsgsbase", "fxsr": "fxsr",
    "xsave": "xsave", "xsaveopt": "xsaveopt", "xsavec": "xsavec", "xsaves": "xsaves", "clflushopt": "clflushopt",
    "clwb": "clwb", "sha": "sha_ni", "pku": "pku", "hle": "hle", "rtm": "rtm", "sgx": "sgx", "mwait": "monitor",
    "mwaitx": "mwaitx", "clzero": "clzero", "rdpid": "rdpid", "wbnoinvd": "wbnoinvd", "gfni": "gfni",
    "vaes": "vaes", "vpclmulqdq": "vpclmulqdq", "movdiri": "movdiri", "movdir64b": "movdir64b",
    "waitpkg": "waitpkg", "cldemote": "cldemote", "serialize": "serialize", "tsxldtrk": "tsxldtrk",
    "uintr": "uintr", "pconfig": "pconfig", "ptwrite": "ptwrite", "enqcmd": "enqcmd", "hreset": "hreset",
    "kl": "kl", "widekl": "widekl", "avxvnni": "avx_vnni", "amx-tile": "amx_tile", "amx-int8": "amx_int8",
    "amx-bf16": "amx_bf16", "prefetchwt1": "prefetchwt1",
    "avx512f": "avx512f", "avx512cd": "avx512cd", "avx512dq": "avx512dq", "avx512bw": "avx512bw",
    "avx512vl": "avx512vl", "avx512ifma": "avx512ifma", "avx512vbmi": "avx512vbmi",
    "avx512vbmi2": "avx512_vbmi2", "avx512vnni": "avx512_vnni", "avx512bitalg": "avx512_bitalg",
    "avx512vpopcntdq": "avx512_vpopcntdq", "avx512bf16": "avx512_bf16", "avx512fp16": "avx512_fp16",
    "avx512vp2intersect": "avx512_vp2intersect", "avx512er": "avx512er", "avx512pf": "avx512pf",
    "avx5124vnniw": "avx512_4vnniw", "avx5124fmaps": "avx512_4fmaps",
}
NOT_ISA = {"32", "64", "80387", "96bit-long-double", "128bit-long-double", "align-stringops",
           "direct-extern-access", "fancy-math-387", "fp-ret-in-387", "glibc", "hard-float", "ieee-fp",
           "long-double-80", "no-red-zone", "red-zone", "no-sse4", "push-args", "stv", "tls-direct-seg-refs",
           "vzeroupper", "accumulate-outgoing-args", "sse4", "avx256-split-unaligned-load",
           "avx256-split-unaligned-store", "no-fancy-math-387", "soft-float"}
PROBE = """int pick(int a, int b, int c) { return a < b ? c : b; }
_Bool swap64(long long *p, long long e, long long d) {
  return __atomic_compare_exchange_n(p, &e, d, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); }
"""

def features(name):
    bits = "-m64"
    out = subprocess.run(["gcc", bits, f"-march={name}", "-Q", "--help=target"], capture_output=True, text=True)
    if out.returncode != 0 or "bad value" in out.stderr:
        bits = "-m32"
        out = subprocess.run(["gcc", bits, f"-march={name}", "-Q", "--help=target"], capture_output=True, text=True)
        if out.returncode != 0:
            return None
    found = set()
    for line in out.stdout.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[-1] == "[enabled]" and parts[0].startswith("-m"):
            option = parts[0][2:]
            if option in NOT_ISA:
                continue
            if option not in OPTION_FEATURE:
                raise SystemExit(f"{name}: GCC enables -m{option}, which has no /proc/cpuinfo name here")
            found.add(OPTION_FEATURE[option])
            if option == "3dnowa":
                found.add("mmxext")
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "probe.c")
        open(src, "w").write(PROBE)
        asm = subprocess.run(["gcc", bits, "-O2", f"-march={name}", "-S", "-o", "-", src],
                             capture_output=True, text=True).stdout
    if "cmov" in asm: found.add("cmov")
    if "cmpxchg8b" in asm or "cmpxchg16b" in asm or bits == "-m64": found.add("cx8")
    if bits == "-m64": found.update({"lm", "cmov"})
    else: found.discard("lahf_lm")  # sahf needs lahf_lm only in 64-bit mode
    found.add("fpu")
    return sorted(found)

for name in sys.argv[1:]:
    result = features(name)
    print(f"{name}: " + ("unknown" if result is None else " ".join(result)))
