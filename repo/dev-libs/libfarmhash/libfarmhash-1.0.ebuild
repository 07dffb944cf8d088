# Copyright 2025 farmctl authors
# Distributed under the terms of the MIT license

EAPI=8

DESCRIPTION="CRC-32, CRC-32C and FNV-1a hashing library"
HOMEPAGE="https://farm.invalid/"
SRC_URI="https://distfiles.farm.invalid/${P}.tar.gz"

LICENSE="MIT"
# The subslot is the soname version: consumers use dev-libs/libfarmhash:=
SLOT="0/1"
KEYWORDS="amd64 x86"

# The CRC tables are generated at build time by mktable, run on the build host.
BDEPEND="dev-util/mktable"

src_compile() {
	{ "${BROOT}"/usr/bin/mktable crc32 && "${BROOT}"/usr/bin/mktable crc32c; } > tables.h || die
	${CC:-gcc} ${CFLAGS} -fPIC -c farmhash.c -o farmhash.o || die
	${CC:-gcc} ${CFLAGS} ${LDFLAGS} -shared -Wl,-soname,libfarmhash.so.1 \
		-o libfarmhash.so.1 farmhash.o || die
}

src_install() {
	dolib.so libfarmhash.so.1
	dosym libfarmhash.so.1 /usr/$(get_libdir)/libfarmhash.so
	doheader farmhash.h
}
