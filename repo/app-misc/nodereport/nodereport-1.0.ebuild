# Copyright 2025 farmctl authors
# Distributed under the terms of the MIT license

EAPI=8

DESCRIPTION="One-line node report (load, memory, CPUs) plus identity checksums"
HOMEPAGE="https://farm.invalid/"
SRC_URI="https://distfiles.farm.invalid/${P}.tar.gz"

LICENSE="MIT"
SLOT="0"
KEYWORDS="amd64 x86"

# nodereport-sums calls fhsum at run time only: no build-time dependency.
RDEPEND="app-misc/fhsum"

src_compile() {
	${CC:-gcc} ${CFLAGS} ${LDFLAGS} -o nodereport nodereport.c || die
}

src_install() {
	dobin nodereport
	newbin nodereport-sums.sh nodereport-sums
}
