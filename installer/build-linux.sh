#!/usr/bin/env bash
# Build the Linux installer: dist/lapor-desktop-<version>-linux-<arch>.tar.gz
#
#   bash installer/build-linux.sh [--skip-self-test]
#
# PyInstaller builds the one-folder application from installer/lapor-desktop.spec, the built
# program checks itself (--self-test, offscreen, on a throwaway desk), and the folder is packed
# with install.sh, uninstall.sh, the desktop entry and the icon. Needs the project installed
# with the build extra: .venv/bin/pip install -e '.[build]'. PYTHON overrides the interpreter,
# DIST the output folder, WORK PyInstaller's working folder (kept: a second build is faster).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-$root/.venv/bin/python}"
dist="${DIST:-$root/dist}"
work="${WORK:-$root/build/pyinstaller}"
self_test=1
case "${1:-}" in
    "") ;;
    --skip-self-test) self_test=0 ;;
    *) echo "usage: $0 [--skip-self-test]" >&2; exit 2 ;;
esac

version="$("$python" -c 'import lapor_desktop; print(lapor_desktop.__version__)')"
name="lapor-desktop-$version-linux-$(uname -m)"

"$python" -m PyInstaller --noconfirm --log-level WARN \
    --distpath "$work/dist" --workpath "$work/build" "$root/installer/lapor-desktop.spec"
program="$work/dist/lapor-desktop/lapor-desktop"

if [ "$self_test" = 1 ]; then
    # A throwaway HOME: the check must not read or write the builder's own settings.
    home="$(mktemp -d)"
    trap 'rm -rf "$home"' EXIT
    HOME="$home" XDG_DATA_HOME="$home/share" QT_QPA_PLATFORM=offscreen "$program" --self-test
fi

stage="$work/stage"
rm -rf "$stage"
mkdir -p "$stage/$name" "$dist"
cp -R "$work/dist/lapor-desktop" "$stage/$name/lapor-desktop"
cp "$root/installer/linux/install.sh" "$root/installer/linux/uninstall.sh" \
    "$root/installer/linux/lapor-desktop.desktop" "$root/installer/lapor-desktop.svg" "$stage/$name/"
cp "$root/installer/linux/README.txt" "$stage/$name/README.txt"
chmod 755 "$stage/$name/install.sh" "$stage/$name/uninstall.sh"
tar -C "$stage" -czf "$dist/$name.tar.gz" "$name"
rm -rf "$stage"
echo "$dist/$name.tar.gz"
