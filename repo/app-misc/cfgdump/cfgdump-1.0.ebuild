# Copyright 2025 farmctl authors
# Distributed under the terms of the MIT license

EAPI=8

DESCRIPTION="Dump INI and CSV files as flat key=value lines"
HOMEPAGE="https://farm.invalid/"
SRC_URI="https://distfiles.farm.invalid/${P}.tar.gz"

LICENSE="MIT"
SLOT="0"
KEYWORDS="amd64 x86"

# The top of a diamond: libcsv and libini both depend on libstr.
DEPEND="
	dev-libs/libcsv
	dev-libs/libini
	dev-libs/libstr
"
RDEPEND="${DEPEND}"

src_compile() {
	${CC:-gcc} ${CFLAGS} -I"${ESYSROOT}"/usr/include ${LDFLAGS} \
		-L"${ESYSROOT}"/usr/$(get_libdir) -o cfgdump cfgdump.c -lcsv -lini -lstr || die
}

src_install() {
	dobin cfgdump
}
