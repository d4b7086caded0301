; مكتب المستفيد — the Windows installer (Inno Setup 6). Built by .github/workflows/windows.yml:
;   ISCC.exe /DAppVersion=0.1.0 packaging\windows\mustafid.iss          (from the checkout's root, after PyInstaller)
; Options: /DArabicIsl=PATH (Arabic.isl when the Inno Setup installed has none), /DSign (sign setup and uninstaller
; with the sign tool named "mustafid", given to ISCC as /Smustafid=... — see SIGNING.md).
;
; Per-user install without administrator rights by default (%LOCALAPPDATA%\Programs\MustafidDesk); an administrator
; may choose «لجميع المستخدمين» (Program Files). The officers' data is never under the program's folder: it is in
; each user's %LOCALAPPDATA%\Mustafid\MustafidDesk, kept by an upgrade (migrated at the first start, a copy taken
; first) and by an uninstall unless the officer asks to remove it.

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#ifndef ArabicIsl
  #define ArabicIsl "compiler:Languages\Arabic.isl"
#endif
#define AppName "مكتب المستفيد"
#define AppExe "mustafid.exe"
#define BundleDir "..\..\dist\mustafid"
#define DataDir "{localappdata}\Mustafid\MustafidDesk"

[Setup]
AppId={{6B1B2C2E-6F0E-4F57-9B52-3D7E5A1C9A41}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=مكتب المستفيد
VersionInfoVersion={#AppVersion}
DefaultDirName={autopf}\MustafidDesk
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog commandline
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir=..\..\dist\installer
OutputBaseFilename=mustafid-desk-{#AppVersion}-setup
Compression=lzma2/ultra64
SolidCompression=yes
WizardStyle=modern
ShowLanguageDialog=no
UninstallDisplayName={#AppName}
UninstallDisplayIcon={app}\{#AppExe}
ChangesAssociations=yes
CloseApplications=yes
RestartApplications=no
SetupLogging=yes
#ifdef Sign
SignTool=mustafid
SignedUninstaller=yes
#endif

[Languages]
Name: "arabic"; MessagesFile: "{#ArabicIsl}"

[Tasks]
Name: "desktopicon"; Description: "اختصار على سطح المكتب"; GroupDescription: "اختصارات:"
Name: "associate"; Description: "فتح ملفات سياسات الجمعيات (.toml) بمكتب المستفيد من «فتح باستخدام»"; GroupDescription: "الملفات:"

[InstallDelete]
; An upgrade replaces the program's libraries whole (no file of an older version left beside the new ones).
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"; Comment: "مكتب موظف علاقات المستفيدين"
Name: "{group}\إزالة {#AppName}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Registry]
; «فتح باستخدام» for .toml: listed under OpenWithProgids, never made the default program of every .toml file.
Root: HKA; Subkey: "Software\Classes\MustafidDesk.Policy"; ValueType: string; ValueName: ""; ValueData: "سياسة جمعية لمكتب المستفيد"; Flags: uninsdeletekey; Tasks: associate
Root: HKA; Subkey: "Software\Classes\MustafidDesk.Policy\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#AppExe},0"; Tasks: associate
Root: HKA; Subkey: "Software\Classes\MustafidDesk.Policy\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" --import-policy ""%1"""; Tasks: associate
Root: HKA; Subkey: "Software\Classes\.toml\OpenWithProgids"; ValueType: string; ValueName: "MustafidDesk.Policy"; ValueData: ""; Flags: uninsdeletevalue; Tasks: associate

[Run]
Filename: "{app}\{#AppExe}"; Description: "تشغيل {#AppName} الآن"; Flags: nowait postinstall skipifsilent

[Code]
{ The uninstaller keeps the officer's data (cases, signed documents, the log) unless asked: an interactive uninstall
  asks, «لا» being the default; a silent one removes it only with /DELETEDATA on its command line. }
function ShouldDeleteData(): Boolean;
var
  I: Integer;
begin
  Result := False;
  for I := 1 to ParamCount do
    if CompareText(ParamStr(I), '/DELETEDATA') = 0 then
      Result := True;
  if (not Result) and (not UninstallSilent) then
    Result := MsgBox('هل تريد حذف بيانات مكتب المستفيد من هذا الجهاز أيضًا (الحالات والمستندات الموقعة والسجل)؟' + #13#10 +
                     'اختر «لا» لإبقائها، فيفتحها البرنامج إذا ثُبِّت من جديد.',
                     mbConfirmation, MB_YESNO or MB_DEFBUTTON2) = IDYES;
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if (CurUninstallStep = usPostUninstall) and ShouldDeleteData() then
    DelTree(ExpandConstant('{#DataDir}'), True, True, True);
end;
