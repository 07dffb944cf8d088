# Copyright 2025 farmctl authors
# Distributed under the terms of the MIT license

EAPI=8

DESCRIPTION="Meta package: the programs every farm node root carries"
HOMEPAGE="https://farm.invalid/"

LICENSE="metapackage"
SLOT="0"
KEYWORDS="amd64 x86"

RDEPEND="
	app-misc/cfgdump
	app-misc/cpubench
	app-misc/fhsum
	app-misc/nodereport
"
