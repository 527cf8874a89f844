"""Indonesian for the texts of Qt's own dialogs, which Qt ships no translation for.

PySide6 has no ``qtbase_id.qm``, so the print and file dialogs, the message
box buttons and the text fields' right-click menu showed English on the step
done for every citizen. Keyed by Qt's translation context and English source
text, exactly as Qt asks for them (see ``ui.qt_dialogs``). The scope is what
a desk shows: the CUPS job options and the paper-size names are left out.
Terms follow Windows in Indonesian (Batal, Simpan, Cari di, Nama file).
"""

from __future__ import annotations

_EDIT_MENU = {
    "&Undo": "&Batalkan",
    "&Redo": "&Ulangi",
    "Cu&t": "Po&tong",
    "&Copy": "&Salin",
    "&Paste": "T&empel",
    "Delete": "Hapus",
    "Select All": "Pilih semua",
    "Copy &Link Location": "Salin a&lamat tautan",
}

QT_INDONESIAN: dict[str, dict[str, str]] = {
    "QPlatformTheme": {
        "OK": "OK",
        "Cancel": "Batal",
        "&Yes": "&Ya",
        "&No": "&Tidak",
        "Close": "Tutup",
        "Save": "Simpan",
        "Open": "Buka",
        "Apply": "Terapkan",
        "Reset": "Atur ulang",
        "Help": "Bantuan",
        "Discard": "Buang",
        "Abort": "Hentikan",
        "Retry": "Coba lagi",
        "Ignore": "Abaikan",
        "Save All": "Simpan semua",
        "Yes to &All": "Ya untuk &semua",
        "N&o to All": "T&idak untuk semua",
        "Restore Defaults": "Kembalikan bawaan",
    },
    "QDialogButtonBox": {"OK": "OK"},
    "QMessageBox": {
        "Show Details...": "Tampilkan rincian...",
        "Hide Details...": "Sembunyikan rincian...",
    },
    "QLineEdit": _EDIT_MENU,
    "QWidgetTextControl": _EDIT_MENU,
    "QFileDialog": {
        "&Look in:": "&Cari di:",
        "File &name:": "&Nama file:",
        "Files of &type:": "&Jenis file:",
        "&Open": "&Buka",
        "Open": "Buka",
        "&Save": "&Simpan",
        "Save As": "Simpan sebagai",
        "&Choose": "&Pilih",
        "All Files (*)": "Semua file (*)",
        "All files (*)": "Semua file (*)",
        "Back": "Kembali",
        "Forward": "Maju",
        "Parent Directory": "Folder induk",
        "Go back": "Kembali",
        "Go forward": "Maju",
        "Go to the parent directory": "Ke folder induk",
        "Create New Folder": "Buat folder baru",
        "Create a New Folder": "Buat folder baru",
        "List View": "Tampilan daftar",
        "Detail View": "Tampilan rinci",
        "Change to list view mode": "Tampilkan sebagai daftar",
        "Change to detail view mode": "Tampilkan dengan rincian",
        "&New Folder": "&Folder baru",
        "New Folder": "Folder baru",
        "&Rename": "&Ganti nama",
        "&Delete": "&Hapus",
        "Delete": "Hapus",
        "Remove": "Hapus",
        "Show &hidden files": "Tampilkan file &tersembunyi",
        "Show ": "Tampilkan ",
        "Directories": "Folder",
        "Directory:": "Folder:",
        "Files": "File",
        "Find Directory": "Cari folder",
        "Recent Places": "Lokasi terakhir",
        "Sidebar": "Bilah samping",
        "List of places and bookmarks": "Daftar lokasi dan penanda",
        "%1 already exists.\nDo you want to replace it?": "%1 sudah ada.\nGanti file itu?",
        "Are you sure you want to delete '%1'?": "Yakin ingin menghapus '%1'?",
        "'%1' is write protected.\nDo you want to delete it anyway?": (
            "'%1' dilindungi dari perubahan.\nTetap hapus?"
        ),
        "Could not delete directory.": "Folder tidak dapat dihapus.",
        "%1\nFile not found.\nPlease verify the correct file name was given.": (
            "%1\nFile tidak ditemukan.\nPeriksa kembali nama file."
        ),
        "%1\nDirectory not found.\nPlease verify the correct directory name was given.": (
            "%1\nFolder tidak ditemukan.\nPeriksa kembali nama folder."
        ),
    },
    "QFileSystemModel": {
        "Name": "Nama",
        "Size": "Ukuran",
        "Type": "Jenis",
        "Kind": "Jenis",
        "Date Modified": "Tanggal diubah",
        "Computer": "Komputer",
        "My Computer": "Komputer saya",
    },
    "QAbstractFileIconProvider": {
        "Drive": "Drive",
        "File": "File",
        "File Folder": "Folder",
        "Folder": "Folder",
        "Shortcut": "Pintasan",
        "Alias": "Alias",
        "Unknown": "Tidak dikenal",
    },
    "QPrintDialog": {
        "Print": "Cetak",
        "&Print": "&Cetak",
        "&Options >>": "&Pilihan >>",
        "&Options <<": "&Pilihan <<",
        "Print to File (PDF)": "Cetak ke file (PDF)",
        "Print To File ...": "Cetak ke file ...",
        "Local file": "File di komputer ini",
        "Write PDF file": "Tulis file PDF",
        "All Pages": "Semua halaman",
        "Odd Pages": "Halaman ganjil",
        "Even Pages": "Halaman genap",
        "%1 already exists.\nDo you want to overwrite it?": "%1 sudah ada.\nTimpa file itu?",
        "%1 is a directory.\nPlease choose a different file name.": (
            "%1 adalah folder.\nPilih nama file lain."
        ),
        "File %1 is not writable.\nPlease choose a different file name.": (
            "File %1 tidak dapat ditulisi.\nPilih nama file lain."
        ),
        "The 'From' value cannot be greater than the 'To' value.": (
            "Halaman 'dari' tidak boleh lebih besar daripada halaman 'sampai'."
        ),
        "Invalid Pages Definition": "Halaman yang diminta tidak sah",
        "%1 does not follow the correct syntax. Please use ',' to separate ranges and pages, "
        "'-' to define ranges and make sure ranges do not intersect with each other.": (
            "%1 tidak sesuai aturan. Pisahkan halaman dan rentang dengan ',', tulis rentang "
            "dengan '-', dan pastikan rentang tidak saling bertumpuk."
        ),
        "Duplex Settings Conflicts": "Pengaturan cetak bolak-balik bertentangan",
        "There are conflicts in duplex settings. Do you want to fix them?": (
            "Pengaturan cetak bolak-balik bertentangan. Perbaiki sekarang?"
        ),
        "Options 'Pages Per Sheet' and 'Page Set' cannot be used together.\n"
        "Please turn one of those options off.": (
            "Pilihan 'Halaman per lembar' dan 'Set halaman' tidak dapat dipakai bersamaan.\n"
            "Matikan salah satunya."
        ),
        "Left to Right, Top to Bottom": "Kiri ke kanan, atas ke bawah",
        "Left to Right, Bottom to Top": "Kiri ke kanan, bawah ke atas",
        "Right to Left, Bottom to Top": "Kanan ke kiri, bawah ke atas",
        "Right to Left, Top to Bottom": "Kanan ke kiri, atas ke bawah",
        "Bottom to Top, Left to Right": "Bawah ke atas, kiri ke kanan",
        "Bottom to Top, Right to Left": "Bawah ke atas, kanan ke kiri",
        "Top to Bottom, Left to Right": "Atas ke bawah, kiri ke kanan",
        "Top to Bottom, Right to Left": "Atas ke bawah, kanan ke kiri",
    },
    "QPrintWidget": {
        "Form": "Formulir",
        "Printer": "Printer",
        "&Name:": "&Nama:",
        "P&roperties": "P&roperti",
        "Location:": "Lokasi:",
        "Preview": "Pratinjau",
        "Type:": "Jenis:",
        "Output &file:": "&File hasil:",
        "...": "...",
    },
    "QPrintSettingsOutput": {
        "Form": "Formulir",
        "Copies": "Salinan",
        "Copies:": "Jumlah salinan:",
        "Print range": "Halaman yang dicetak",
        "Print all": "Semua",
        "Pages from": "Dari",
        "to": "sampai",
        "Pages": "Halaman",
        "Current Page": "Halaman ini",
        "Selection": "Bagian terpilih",
        "Output Settings": "Pengaturan hasil",
        "Collate": "Urutkan per salinan",
        "Reverse": "Urutan terbalik",
        "Options": "Pilihan",
        "Color Mode": "Warna",
        "Color": "Berwarna",
        "Grayscale": "Hitam putih",
        "Double Sided Printing": "Cetak bolak-balik",
        "Off": "Tidak",
        "Long side binding": "Jilid sisi panjang",
        "Short side binding": "Jilid sisi pendek",
        "Page &Set:": "&Set halaman:",
        "Specify pages or ranges separated by commas. Ranges are specified by two numbers "
        "separated by a hyphen. E.g: 3,5-7,9 prints pages 3, 5, 6, 7 and 9.": (
            "Tulis halaman atau rentang, dipisahkan koma. Rentang ditulis dua angka dengan "
            "tanda hubung. Contoh: 3,5-7,9 mencetak halaman 3, 5, 6, 7 dan 9."
        ),
    },
    "QPrintPropertiesWidget": {
        "Form": "Formulir",
        "Page": "Halaman",
        "Advanced": "Lanjutan",
        "There are conflicts in some options. Please fix them.": (
            "Ada pilihan yang bertentangan. Perbaiki dulu."
        ),
    },
    "QPageSetupWidget": {
        "Form": "Formulir",
        "Paper": "Kertas",
        "Page size:": "Ukuran kertas:",
        "Width:": "Lebar:",
        "Height:": "Tinggi:",
        "Paper source:": "Sumber kertas:",
        "Orientation": "Orientasi",
        "Portrait": "Tegak",
        "Landscape": "Mendatar",
        "Reverse landscape": "Mendatar terbalik",
        "Reverse portrait": "Tegak terbalik",
        "Margins": "Margin",
        "top margin": "margin atas",
        "left margin": "margin kiri",
        "right margin": "margin kanan",
        "bottom margin": "margin bawah",
        "Page Layout": "Tata letak halaman",
        "Page &order:": "&Urutan halaman:",
        "Pages &per sheet:": "Halaman &per lembar:",
        "Custom": "Ukuran lain",
        "Millimeters (mm)": "Milimeter (mm)",
        "Inches (in)": "Inci (in)",
        "Points (pt)": "Poin (pt)",
    },
}
