# Build, install and package iszmount and isz.
#
#   make                  build build/bin/iszmount and build/bin/isz
#   make install          install into $(DESTDIR)$(PREFIX) (default /usr/local)
#   make uninstall        remove what install installed
#   make man              regenerate the man pages and completion scripts
#                         (packaging/, from internal/manual)
#   make deb              build dist/iszmount_VERSION_ARCH.deb with dpkg-deb
#
# PREFIX and DESTDIR work as usual: "make install DESTDIR=/tmp/stage
# PREFIX=/usr" stages a system install. With no DESTDIR, install and
# uninstall refresh the MIME, desktop and man databases when their tools
# are there.

PREFIX  ?= /usr/local
DESTDIR ?=
GO      ?= go
# Where the binaries and the package's staging tree are built, and where
# the .deb is written.
BUILD ?= build
DIST  ?= dist

bindir  = $(PREFIX)/bin
datadir = $(PREFIX)/share
mandir  = $(datadir)/man/man1
# bash-completion, zsh and fish look here for completions of a command.
bashcompdir = $(datadir)/bash-completion/completions
zshcompdir ?= $(datadir)/zsh/site-functions
fishcompdir = $(datadir)/fish/vendor_completions.d
mimedir     = $(datadir)/mime
appdir      = $(datadir)/applications

# The Debian version: the date and hash of the commit built.
DEB_VERSION ?= 0~git$(shell git log -1 --format=%cd.%h --date=format:%Y%m%d 2>/dev/null || echo 0)
DEB_ARCH    ?= $(shell dpkg --print-architecture 2>/dev/null || $(GO) env GOARCH)
DEB         = $(DIST)/iszmount_$(DEB_VERSION)_$(DEB_ARCH).deb

# Every installed file: source, destination directory, mode.
FILES = \
	$(BUILD)/bin/iszmount:$(bindir):755 \
	$(BUILD)/bin/isz:$(bindir):755 \
	packaging/man/iszmount.1:$(mandir):644 \
	packaging/man/isz.1:$(mandir):644 \
	packaging/completions/iszmount.bash:$(bashcompdir):644 \
	packaging/completions/isz.bash:$(bashcompdir):644 \
	packaging/completions/_iszmount:$(zshcompdir):644 \
	packaging/completions/_isz:$(zshcompdir):644 \
	packaging/completions/iszmount.fish:$(fishcompdir):644 \
	packaging/completions/isz.fish:$(fishcompdir):644 \
	packaging/iszmount.xml:$(mimedir)/packages:644 \
	packaging/iszmount.desktop:$(appdir):644

.PHONY: all build install uninstall man deb clean refresh
all: build

build:
	$(GO) build -o $(BUILD)/bin/ ./cmd/iszmount ./cmd/isz

install: build
	@set -e; for f in $(FILES); do \
		src=$${f%%:*}; rest=$${f#*:}; dir=$${rest%%:*}; mode=$${rest#*:}; \
		dst="$(DESTDIR)$$dir/$$(basename $$src .bash)"; \
		echo "install $$src $$dst"; \
		install -D -m $$mode "$$src" "$$dst"; \
	done
	@$(MAKE) --no-print-directory refresh

uninstall:
	@set -e; for f in $(FILES); do \
		src=$${f%%:*}; rest=$${f#*:}; dir=$${rest%%:*}; \
		dst="$(DESTDIR)$$dir/$$(basename $$src .bash)"; \
		echo "rm -f $$dst"; rm -f "$$dst"; \
	done
	@$(MAKE) --no-print-directory refresh

# refresh rebuilds the MIME and desktop databases of an install without
# DESTDIR (a staged install is refreshed where it lands, by the package).
refresh:
	@if [ -z "$(DESTDIR)" ]; then \
		if command -v update-mime-database >/dev/null && [ -d "$(mimedir)/packages" ]; then update-mime-database "$(mimedir)"; fi; \
		if command -v update-desktop-database >/dev/null && [ -d "$(appdir)" ]; then update-desktop-database -q "$(appdir)"; fi; \
	fi

man:
	$(GO) generate ./internal/manual

deb: build
	rm -rf $(BUILD)/deb
	$(MAKE) --no-print-directory install DESTDIR=$(abspath $(BUILD))/deb PREFIX=/usr zshcompdir=/usr/share/zsh/vendor-completions
	gzip -9n $(BUILD)/deb/usr/share/man/man1/*.1    # Debian policy 12.1
	mkdir -p $(BUILD)/deb/DEBIAN $(DIST)
	install -m 755 packaging/debian/postinst packaging/debian/postrm $(BUILD)/deb/DEBIAN/
	sed -e 's/@VERSION@/$(DEB_VERSION)/' -e 's/@ARCH@/$(DEB_ARCH)/' \
		-e "s/@SIZE@/$$(du -sk $(BUILD)/deb | cut -f1)/" \
		packaging/debian/control.in >$(BUILD)/deb/DEBIAN/control
	dpkg-deb --root-owner-group -Zxz --build $(BUILD)/deb $(DEB)

clean:
	rm -rf $(BUILD) $(DIST)
