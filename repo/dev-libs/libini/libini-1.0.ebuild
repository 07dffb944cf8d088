# Copyright 2025 farmctl authors
# Distributed under the terms of the MIT license

EAPI=8

DESCRIPTION="INI file reader built on libstr"
HOMEPAGE="https://farm.invalid/"
SRC_URI="https://distfiles.farm.invalid/${P}.tar.gz"

LICENSE="MIT"
SLOT="0"
KEYWORDS="amd64 x86"

DEPEND="dev-libs/libstr"
RDEPEND="${DEPEND}"

src_compile() {
	${CC:-gcc} ${CFLAGS} -I"${ESYSROOT}"/usr/include -fPIC -c ini.c -o ini.o || die
	${CC:-gcc} ${CFLAGS} ${LDFLAGS} -shared -Wl,-soname,libini.so.1 -o libini.so.1 ini.o \
		-L"${ESYSROOT}"/usr/$(get_libdir) -lstr || die
}

src_install() {
	dolib.so libini.so.1
	dosym libini.so.1 /usr/$(get_libdir)/libini.so
	doheader ini.h
}
