#!/bin/sh
# Remove the LAPOR! Desktop program installed by install.sh.
#
#   ~/.local/opt/lapor-desktop/uninstall.sh          what install.sh installed for you
#   sudo /opt/lapor-desktop/uninstall.sh             what install.sh --system installed
#   ./uninstall.sh [--system]                        the same, from the unpacked archive
#
# The data folder is NEVER deleted: it holds complaints that may not have reached the national
# LAPOR! service yet. This script says where it is; delete it yourself only when you are sure.
set -eu

value() {
    sed -n "s/^$1=//p" "$2" | head -n 1
}

main() {
    here=$(cd "$(dirname "$0")" && pwd)
    if [ -f "$here/install-layout" ]; then
        layout="$here/install-layout"
    else
        case "${1:-}" in
            --system) layout=/opt/lapor-desktop/install-layout ;;
            *) layout="$HOME/.local/opt/lapor-desktop/install-layout" ;;
        esac
    fi
    [ -f "$layout" ] || { echo "No LAPOR! Desktop installation found ($layout is missing)." >&2; return 1; }
    mode=$(value MODE "$layout")
    app=$(value APP "$layout")
    link=$(value BIN_LINK "$layout")
    desktop=$(value DESKTOP_FILE "$layout")
    case "$app" in
        */lapor-desktop) ;;
        *) echo "Refusing to remove $app: not a LAPOR! Desktop folder." >&2; return 1 ;;
    esac
    data="${LAPOR_DATA_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/lapor-desktop}"
    case "$data/" in
        "$app"/*) echo "Refusing: the data folder $data is inside $app." >&2; return 1 ;;
    esac

    if [ -L "$link" ] && [ "$(readlink "$link")" = "$app/lapor-desktop" ]; then rm -f "$link"; fi
    rm -f "$desktop"
    rm -rf "$app"
    if command -v update-desktop-database > /dev/null 2>&1; then
        update-desktop-database -q "$(dirname "$desktop")" 2> /dev/null || true
    fi

    echo "LAPOR! Desktop was removed from $app."
    echo
    if [ "$mode" = system ]; then
        echo "The data folders were KEPT: every user's ~/.local/share/lapor-desktop (or LAPOR_DATA_DIR)."
        echo "Folder data TIDAK dihapus: ~/.local/share/lapor-desktop milik setiap pengguna."
    else
        echo "Your data folder was KEPT: $data"
        echo "Folder data Anda TIDAK dihapus: $data"
    fi
    echo "It holds complaints that may not have reached the national LAPOR! service yet, with their"
    echo "backups and logs. Install LAPOR! Desktop again to carry on with it; delete it yourself only"
    echo "when you are sure every complaint was sent. The machine key (OS keyring or"
    echo "LAPOR_MACHINE_KEY_FILE) was kept too."
    echo "Folder itu berisi pengaduan yang mungkin belum terkirim ke layanan LAPOR! nasional. Hapus"
    echo "sendiri hanya jika Anda yakin semua pengaduan sudah terkirim."
}

main "$@"
