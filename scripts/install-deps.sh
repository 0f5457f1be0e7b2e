#!/usr/bin/env bash
# Installs the Debian packages memae needs to build and test.
# Usage: scripts/install-deps.sh [--bench]   (--bench adds PyTorch, scikit-learn and
# opencv-doc, whose sample street video bench/video_real.py uses)
set -euo pipefail
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
pkgs=(build-essential pkg-config libcjson-dev zlib1g-dev libcmocka-dev libdnnl-dev
      libavformat-dev libavcodec-dev libswscale-dev libavutil-dev ffmpeg
      libmatio-dev libzip-dev dataset-fashion-mnist python3-minimal
      clang libclang-rt-14-dev libomp-14-dev)  # clang: make fuzz (libFuzzer, ASan, UBSan)
if [ "${1:-}" = "--bench" ]; then
  pkgs+=(python3-torch python3-numpy python3-sklearn opencv-doc)
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${pkgs[@]}"
