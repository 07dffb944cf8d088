# Copyright 2025 farmctl authors
# Distributed under the terms of the MIT license

EAPI=8

DESCRIPTION="Print CRC-32, CRC-32C and FNV-1a checksums of files"
HOMEPAGE="https://farm.invalid/"
SRC_URI="https://distfiles.farm.invalid/${P}.tar.gz"

LICENSE="MIT"
SLOT="0"
KEYWORDS="amd64 x86"

# Rebuilt when libfarmhash's subslot (its soname) changes.
DEPEND="dev-libs/libfarmhash:="
RDEPEND="${DEPEND}"

src_compile() {
	${CC:-gcc} ${CFLAGS} -I"${ESYSROOT}"/usr/include ${LDFLAGS} \
		-L"${ESYSROOT}"/usr/$(get_libdir) -o fhsum fhsum.c -lfarmhash || die
}

src_install() {
	dobin fhsum
}
