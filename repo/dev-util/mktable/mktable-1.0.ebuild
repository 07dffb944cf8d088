# Copyright 2025 farmctl authors
# Distributed under the terms of the MIT license

EAPI=8

DESCRIPTION="Build-time generator of CRC lookup tables as C headers"
HOMEPAGE="https://farm.invalid/"
SRC_URI="https://distfiles.farm.invalid/${P}.tar.gz"

LICENSE="MIT"
SLOT="0"
KEYWORDS="amd64 x86"

src_compile() {
	${CC:-gcc} ${CFLAGS} ${LDFLAGS} -o mktable mktable.c || die
}

src_install() {
	dobin mktable
}
