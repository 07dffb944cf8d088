# Copyright 2025 farmctl authors
# Distributed under the terms of the MIT license

EAPI=8

DESCRIPTION="Small in-place string helpers (trim, split)"
HOMEPAGE="https://farm.invalid/"
SRC_URI="https://distfiles.farm.invalid/${P}.tar.gz"

LICENSE="MIT"
SLOT="0"
KEYWORDS="amd64 x86"

src_compile() {
	${CC:-gcc} ${CFLAGS} -fPIC -c str.c -o str.o || die
	${CC:-gcc} ${CFLAGS} ${LDFLAGS} -shared -Wl,-soname,libstr.so.1 -o libstr.so.1 str.o || die
}

src_install() {
	dolib.so libstr.so.1
	dosym libstr.so.1 /usr/$(get_libdir)/libstr.so
	doheader str.h
}
