# Copyright 2025 farmctl authors
# Distributed under the terms of the MIT license

EAPI=8

DESCRIPTION="Line-oriented CSV reader built on libstr"
HOMEPAGE="https://farm.invalid/"
SRC_URI="https://distfiles.farm.invalid/${P}.tar.gz"

LICENSE="MIT"
SLOT="0"
KEYWORDS="amd64 x86"

DEPEND="dev-libs/libstr"
RDEPEND="${DEPEND}"

src_compile() {
	${CC:-gcc} ${CFLAGS} -I"${ESYSROOT}"/usr/include -fPIC -c csv.c -o csv.o || die
	${CC:-gcc} ${CFLAGS} ${LDFLAGS} -shared -Wl,-soname,libcsv.so.1 -o libcsv.so.1 csv.o \
		-L"${ESYSROOT}"/usr/$(get_libdir) -lstr || die
}

src_install() {
	dolib.so libcsv.so.1
	dosym libcsv.so.1 /usr/$(get_libdir)/libcsv.so
	doheader csv.h
}
