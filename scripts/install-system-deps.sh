#!/bin/sh
# System packages gk-extract needs beyond its Python dependencies: LibreOffice, headless,
# to read .doc/.wps reports (and to print PDF fixtures in the tests), CJK fonts for it and for the
# Chinese labels of the notebooks' matplotlib plots, and
# Chromium, which prints and screenshots the generated web pages in the round-trip tests.
#
# Idempotent: does nothing when soffice, chromium and a Chinese font are already there. As root on
# Debian/Ubuntu it installs what is missing with apt-get; otherwise it prints one line
# saying what to install and exits 0, so `make setup` never fails for want of root.
#
# --no-install-recommends is enough for `soffice --headless --convert-to`: checked on
# Debian 12 (LibreOffice 7.4) that every shared library of soffice.bin and its modules comes
# from the packages this pulls in (~185 from scratch, against ~350 with recommends).
set -eu

PACKAGES="libreoffice-writer-nogui fonts-noto-cjk chromium"

has_soffice() {
    command -v soffice >/dev/null 2>&1 || command -v libreoffice >/dev/null 2>&1
}

has_cjk_font() {
    if command -v fc-list >/dev/null 2>&1; then
        [ -n "$(fc-list :lang=zh family 2>/dev/null | head -n 1)" ]
    else
        dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null | grep -q "ok installed"
    fi
}

has_chromium() {
    command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1
}

if has_soffice && has_cjk_font && has_chromium; then
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "gk-extract: .doc/.wps support needs LibreOffice (soffice) and a CJK font, and the browser tests Chromium; install them with your package manager"
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "gk-extract: .doc/.wps support needs LibreOffice, the browser tests Chromium; as root run: apt-get install --no-install-recommends $PACKAGES"
    exit 0
fi

echo "gk-extract: installing $PACKAGES"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086  # the package list is meant to split into words
apt-get install -y -q --no-install-recommends $PACKAGES
