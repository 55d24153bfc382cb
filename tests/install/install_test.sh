#!/usr/bin/env bash
# Installs zhcanon from the build tree into a temporary prefix, then builds and runs a separate
# project that finds it with find_package(zhcanon) and, separately, checks pkg-config.
set -euo pipefail
build_dir=$1
source_dir=$2
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build_dir" --prefix "$prefix" >/dev/null
cmake -S "$source_dir/tests/install/consumer" -B "$prefix/consumer-build" \
      -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$prefix/consumer-build" >/dev/null
out=$("$prefix/consumer-build/consumer")
echo "$out"
[ "$out" = "0.1.0|标题|标题

正文强调。" ] || { echo "unexpected consumer output" >&2; exit 1; }
PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --cflags --libs zhcanon | grep -q -- "-lzhcanon"
test -f "$prefix/share/zhcanon/boilerplate.rules"
test -x "$prefix/bin/zhcanon-strip"
echo "install test: ok"
