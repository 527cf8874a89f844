#!/bin/sh
# Install LAPOR! Desktop from this unpacked folder.
#
#   ./install.sh                 for you only: the program in ~/.local/opt/lapor-desktop, the
#                                `lapor-desktop` command in ~/.local/bin, an applications-menu entry
#   sudo ./install.sh --system   for every user of this PC: /opt/lapor-desktop, /usr/local/bin,
#                                /usr/share/applications
#
# Installing over an earlier version replaces the program only. The data folder (complaints,
# backups, logs: ~/.local/share/lapor-desktop of each user) lives elsewhere and is never touched.
set -eu

main() {
    here=$(cd "$(dirname "$0")" && pwd)
    mode=user
    case "${1:-}" in
        "") ;;
        --system) mode=system ;;
        -h | --help) sed -n '2,10p' "$0"; return 0 ;;
        *) echo "Unknown option: $1 (see $0 --help)" >&2; return 2 ;;
    esac
    if [ "$mode" = system ]; then
        [ "$(id -u)" = 0 ] || { echo "--system installs for every user: run it as root (sudo)." >&2; return 1; }
        app=/opt/lapor-desktop bin=/usr/local/bin share=/usr/share
    else
        app="$HOME/.local/opt/lapor-desktop" bin="$HOME/.local/bin"
        share="${XDG_DATA_HOME:-$HOME/.local/share}"
    fi
    [ -x "$here/lapor-desktop/lapor-desktop" ] || {
        echo "$here/lapor-desktop/lapor-desktop is missing: unpack the whole archive first." >&2
        return 1
    }
    if [ -e "$app" ] && [ ! -f "$app/install-layout" ]; then
        echo "$app exists but is not a LAPOR! Desktop installation: not replaced." >&2
        return 1
    fi

    # Copy beside the old version, then swap: a failed copy leaves the old one working.
    rm -rf "$app.new" "$app.old"
    mkdir -p "$(dirname "$app")"
    cp -R "$here/lapor-desktop" "$app.new"
    cp "$here/uninstall.sh" "$here/lapor-desktop.svg" "$app.new/"
    desktop="$share/applications/lapor-desktop.desktop"
    {
        echo "MODE=$mode"
        echo "APP=$app"
        echo "BIN_LINK=$bin/lapor-desktop"
        echo "DESKTOP_FILE=$desktop"
    } > "$app.new/install-layout"
    if [ -e "$app" ]; then mv "$app" "$app.old"; fi
    mv "$app.new" "$app"
    rm -rf "$app.old"

    mkdir -p "$bin" "$share/applications"
    ln -sfn "$app/lapor-desktop" "$bin/lapor-desktop"
    sed -e "s|@EXEC@|\"$app/lapor-desktop\"|" -e "s|@ICON@|$app/lapor-desktop.svg|" \
        "$here/lapor-desktop.desktop" > "$desktop"
    chmod 644 "$desktop"
    if command -v update-desktop-database > /dev/null 2>&1; then
        update-desktop-database -q "$share/applications" 2> /dev/null || true
    fi

    echo "LAPOR! Desktop is installed in $app."
    echo "  command: $bin/lapor-desktop   (check this installation: lapor-desktop --self-test)"
    echo "  menu entry: $desktop"
    echo "  to remove it: $app/uninstall.sh$([ "$mode" = system ] && echo ' (as root)')"
    case ":$PATH:" in
        *":$bin:"*) ;;
        *) echo "  note: $bin is not on your PATH; open a new terminal or add it." ;;
    esac
}

main "$@"
