# Copyright 2025 farmctl authors
# Distributed under the terms of the MIT license

EAPI=8

DESCRIPTION="Float dot-product micro benchmark with per-CPU SIMD code paths"
HOMEPAGE="https://farm.invalid/"
SRC_URI="https://distfiles.farm.invalid/${P}.tar.gz"

LICENSE="MIT"
SLOT="0"
KEYWORDS="amd64 x86"
IUSE="cpu_flags_x86_3dnow cpu_flags_x86_sse threads"

src_compile() {
	local flags=(
		$(usex cpu_flags_x86_sse -msse -mno-sse)
		$(usex cpu_flags_x86_3dnow -m3dnow -mno-3dnow)
		$(usex threads "-DCPUBENCH_THREADS -pthread" "")
	)
	${CC:-gcc} ${CFLAGS} "${flags[@]}" ${LDFLAGS} -o cpubench cpubench.c || die
}

src_install() {
	dobin cpubench
}
