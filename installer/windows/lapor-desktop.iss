; Inno Setup script: the Windows installer of LAPOR! Desktop, from the PyInstaller folder.
;
;   pyinstaller --noconfirm --distpath dist --workpath build\pyinstaller installer\lapor-desktop.spec
;   iscc /DAppVersion=0.1.0 installer\windows\lapor-desktop.iss
;
; gives dist\lapor-desktop-<version>-windows-x64-setup.exe. It installs dist\lapor-desktop\ as it
; is (lapor-desktop.exe for the command line, lapor-desktop-window.exe for the Start menu), per
; user by default or for all users when run as administrator.
;
; The data folder (%LOCALAPPDATA%\lapor-desktop: complaints, backups, logs) is never created,
; changed or deleted by this installer or its uninstaller: it may hold complaints that have not
; reached the national LAPOR! service yet. The uninstaller says where it was kept.

#ifndef AppVersion
  #error Pass the version: iscc /DAppVersion=X.Y.Z lapor-desktop.iss
#endif
#define AppName "LAPOR! Desktop"
#define DistDir "..\..\dist\lapor-desktop"

[Setup]
AppId={{6C0E4B53-2F0B-4E39-9A43-1D1A6A3F2104}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=LAPOR! Desktop
DefaultDirName={autopf}\LAPOR! Desktop
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename=lapor-desktop-{#AppVersion}-windows-x64-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
UninstallDisplayName={#AppName} {#AppVersion}
UninstallDisplayIcon={app}\lapor-desktop-window.exe
CloseApplications=yes

[Languages]
; Inno Setup ships no Indonesian catalogue of its own; the messages below are in both languages.
Name: "english"; MessagesFile: "compiler:Default.isl"

[CustomMessages]
english.DataKept=Folder data TIDAK dihapus / The data folder was KEPT:%n%n%1%n%nFolder ini berisi pengaduan yang mungkin belum terkirim ke layanan LAPOR! nasional, beserta cadangan dan log. Pasang LAPOR! Desktop lagi untuk melanjutkan; hapus sendiri hanya jika Anda yakin semua pengaduan sudah terkirim.%n%nIt holds complaints that may not have reached the national LAPOR! service yet, with their backups and logs. Install LAPOR! Desktop again to carry on with it; delete it yourself only when you are sure every complaint was sent.
english.SelfTest=Check this installation (self-test)

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
; The whole PyInstaller folder; an upgrade replaces the program files only.
Source: "{#DistDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
; Files of an older version that the new one no longer ships would otherwise be loaded.
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\lapor-desktop-window.exe"
Name: "{group}\{cm:SelfTest}"; Filename: "{cmd}"; Parameters: "/k ""{app}\lapor-desktop.exe"" --self-test"
Name: "{group}\{cm:UninstallProgram,{#AppName}}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\lapor-desktop-window.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\lapor-desktop-window.exe"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Only what the program writes inside its own folder. Deliberately NOT the data folder
; ({localappdata}\lapor-desktop) nor the machine key in the Windows Credential Manager.
Type: dirifempty; Name: "{app}"

[Code]
function DataFolder(): String;
begin
  Result := GetEnv('LAPOR_DATA_DIR');
  if Result = '' then
    Result := ExpandConstant('{localappdata}\lapor-desktop');
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if (CurUninstallStep = usPostUninstall) and DirExists(DataFolder()) then
  begin
    Log('Data folder kept: ' + DataFolder());
    SuppressibleMsgBox(FmtMessage(CustomMessage('DataKept'), [DataFolder()]),
      mbInformation, MB_OK, IDOK);
  end;
end;
