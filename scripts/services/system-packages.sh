#!/usr/bin/env bash
# Install the Debian packages the test suite needs (real servers started by the tests themselves).
set -euo pipefail
packages=()
command -v sshd >/dev/null 2>&1 || [ -x /usr/sbin/sshd ] || packages+=(openssh-server)
# libvirt-python (the libvirt driver's tests) builds against libvirt's headers
pkg-config --exists libvirt 2>/dev/null || packages+=(libvirt-dev pkg-config gcc)
if [ ${#packages[@]} -gt 0 ]; then
    if [ "$(id -u)" -eq 0 ]; then
        sudo=""
    elif command -v sudo >/dev/null 2>&1; then
        sudo="sudo"
    else
        echo "need root to install: ${packages[*]}" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get install -y -q --no-install-recommends "${packages[@]}" >/dev/null \
        || { $sudo apt-get update -q >/dev/null && $sudo apt-get install -y -q --no-install-recommends "${packages[@]}" >/dev/null; }
    # the package's own service is not needed: tests start sshd on a free loopback port
    if command -v systemctl >/dev/null 2>&1; then $sudo systemctl disable --now ssh >/dev/null 2>&1 || true; fi
fi
