; LocalClip's Windows setup program (NSIS 3, Modern UI 2). Built by installer/build_setup.py, which stages
; the files and passes: VERSION (x.y.z), STAGE (the staged folder), OUTFILE, PYTHON_VERSION, and ICON when
; it could draw one. makensis runs on Linux (Debian's nsis) as well as on Windows.
;
; Installs for the current user only, with no administrator rights:
;   %LOCALAPPDATA%\Programs\LocalClip   uv.exe, the bootstrap, LocalClip's source, a copy of this setup
;                                        program (for Repair), the uninstaller
;   %LOCALAPPDATA%\LocalClip             what the bootstrap makes: Python, app-env, worker-env, uv's cache,
;                                        downloads, Logs (and the user's settings and models, kept on
;                                        uninstall unless the user asks otherwise)
; Every path is quoted: user names with spaces and non-ASCII characters are normal.

Unicode true
Target amd64-unicode
ManifestDPIAware true
RequestExecutionLevel user
SetCompressor /SOLID lzma

!ifndef VERSION | STAGE | OUTFILE | PYTHON_VERSION
  !error "Build with installer/build_setup.py (it defines VERSION, STAGE, OUTFILE and PYTHON_VERSION)."
!endif

!include MUI2.nsh
!include LogicLib.nsh
!include FileFunc.nsh

!define APP "LocalClip"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\LocalClip"
!define SETTINGS_KEY "Software\LocalClip"
!define SETUP_COPY "LocalClip-Setup.exe"
!define UNINSTALLER "Uninstall LocalClip.exe"
!define NEEDED_MB 15000 ; Python, both environments, uv's cache and the torch download (CUDA build)
!define EXIT_GPU_UNUSABLE 3

Name "${APP}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\LocalClip"
ShowInstDetails show
ShowUninstDetails show
BrandingText "${APP} ${VERSION}"

VIProductVersion "${VERSION}.0"
VIFileVersion "${VERSION}.0"
VIAddVersionKey /LANG=1033 "ProductName" "${APP}"
VIAddVersionKey /LANG=1033 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=1033 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=1033 "FileDescription" "${APP} setup"
VIAddVersionKey /LANG=1033 "LegalCopyright" "${APP}"

Var DataDir        ; %LOCALAPPDATA%\LocalClip: where LocalClip looks for its environments (platformdirs)
Var RepairArgument ; " --repair" when started with /REPAIR (the Repair shortcut, or Modify in Settings)
Var SetupOk        ; 1 once the environments are ready

!ifdef ICON
  !define MUI_ICON "${ICON}"
  !define MUI_UNICON "${ICON}"
!endif
!define MUI_ABORTWARNING
!define MUI_WELCOMEPAGE_TITLE "$(WelcomeTitle)"
!define MUI_WELCOMEPAGE_TEXT "$(WelcomeText)"
!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_INSTFILES
!define MUI_PAGE_CUSTOMFUNCTION_PRE SkipFinishRunIfFailed
!define MUI_FINISHPAGE_RUN
!define MUI_FINISHPAGE_RUN_TEXT "$(RunText)"
!define MUI_FINISHPAGE_RUN_FUNCTION StartLocalClip
!insertmacro MUI_PAGE_FINISH

!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES

!insertmacro MUI_LANGUAGE "English"
!insertmacro MUI_LANGUAGE "SimpChinese"

; ---- Text (English, Simplified Chinese) ----------------------------------------------------------------
LangString WelcomeTitle ${LANG_ENGLISH} "Set up ${APP} ${VERSION}"
LangString WelcomeTitle ${LANG_SIMPCHINESE} "安装 ${APP} ${VERSION}"
LangString WelcomeText ${LANG_ENGLISH} "${APP} computes speaker embeddings and clones voices on this computer's own GPUs.$\r$\n$\r$\nThis setup installs ${APP} for you only (no administrator rights needed), then downloads Python and the speech packages (torch, WeSpeaker, fish-speech): about 3.5 GB, 15 GB of free disk space needed. With an NVIDIA card it picks the torch build that matches your driver; without one, LocalClip runs on the CPU.$\r$\n$\r$\nThe download takes a while. If it is interrupted, run this setup again: it goes on where it stopped."
LangString WelcomeText ${LANG_SIMPCHINESE} "${APP} 在本机的 GPU 上计算说话人嵌入并克隆声音。$\r$\n$\r$\n本程序只为当前用户安装 ${APP}（不需要管理员权限），然后下载 Python 和语音软件包（torch、WeSpeaker、fish-speech）：约 3.5 GB，需要 15 GB 可用磁盘空间。有 NVIDIA 显卡时，会选择与驱动匹配的 torch 版本；没有时，LocalClip 使用 CPU 运行。$\r$\n$\r$\n下载需要一些时间。如果中断，请再次运行本程序：它会从中断处继续。"
LangString RunText ${LANG_ENGLISH} "Start ${APP}"
LangString RunText ${LANG_SIMPCHINESE} "启动 ${APP}"
LangString LowDisk ${LANG_ENGLISH} "${APP} needs about 15 GB of free disk space on the drive of $LOCALAPPDATA; there are $0 MB free.$\r$\nFree some space and try again, or press OK to go on anyway."
LangString LowDisk ${LANG_SIMPCHINESE} "${APP} 在 $LOCALAPPDATA 所在的磁盘上需要约 15 GB 可用空间；当前只有 $0 MB。$\r$\n请释放空间后重试，或按“确定”继续。"
LangString Preparing ${LANG_ENGLISH} "Setting up Python and the speech packages (this takes a while the first time)..."
LangString Preparing ${LANG_SIMPCHINESE} "正在安装 Python 和语音软件包（第一次需要一些时间）……"
LangString SetupFailed ${LANG_ENGLISH} "${APP} could not finish setting up (code $0). The messages above say why; the full log is$\r$\n$DataDir\Logs\bootstrap.log$\r$\n$\r$\nRetry goes on where it stopped."
LangString SetupFailed ${LANG_SIMPCHINESE} "${APP} 未能完成安装（代码 $0）。上面的信息说明了原因；完整日志在$\r$\n$DataDir\Logs\bootstrap.log$\r$\n$\r$\n“重试”会从中断处继续。"
LangString GpuWarning ${LANG_ENGLISH} "${APP} is installed, but cannot use every NVIDIA GPU of this computer. The messages marked PROBLEM say why and what to do (usually: update the NVIDIA driver, then use Repair ${APP} in the Start menu)."
LangString GpuWarning ${LANG_SIMPCHINESE} "${APP} 已安装，但无法使用本机的全部 NVIDIA GPU。标有 PROBLEM 的信息说明了原因和解决办法（通常是：更新 NVIDIA 驱动，然后在开始菜单中运行“修复 ${APP}”）。"
LangString ShortcutRepair ${LANG_ENGLISH} "Repair ${APP}"
LangString ShortcutRepair ${LANG_SIMPCHINESE} "修复 ${APP}"
LangString ShortcutUninstall ${LANG_ENGLISH} "Uninstall ${APP}"
LangString ShortcutUninstall ${LANG_SIMPCHINESE} "卸载 ${APP}"
LangString ShortcutLogs ${LANG_ENGLISH} "${APP} logs"
LangString ShortcutLogs ${LANG_SIMPCHINESE} "${APP} 日志"
LangString ShortcutDescription ${LANG_ENGLISH} "Speaker embeddings and voice cloning on your own GPUs"
LangString ShortcutDescription ${LANG_SIMPCHINESE} "在本机 GPU 上计算说话人嵌入和克隆声音"
LangString RemovingEnvironments ${LANG_ENGLISH} "Removing Python and the environments..."
LangString RemovingEnvironments ${LANG_SIMPCHINESE} "正在删除 Python 和运行环境……"
LangString RemoveUserData ${LANG_ENGLISH} "Also delete your ${APP} settings and the models ${APP} downloaded (in $DataDir)?$\r$\nChoose No to keep them for a later installation."
LangString RemoveUserData ${LANG_SIMPCHINESE} "是否同时删除 ${APP} 的设置和已下载的模型（位于 $DataDir）？$\r$\n选择“否”可保留它们供以后安装使用。"
LangString NotLocalClipFolder ${LANG_ENGLISH} "$INSTDIR does not look like a ${APP} installation; only the shortcuts and the environments were removed."
LangString NotLocalClipFolder ${LANG_SIMPCHINESE} "$INSTDIR 看起来不是 ${APP} 的安装目录；只删除了快捷方式和运行环境。"

; ---- Install ----------------------------------------------------------------------------------------------
Function .onInit
  StrCpy $DataDir "$LOCALAPPDATA\${APP}"
  StrCpy $RepairArgument ""
  ${GetParameters} $0
  ClearErrors
  ${GetOptions} $0 "/REPAIR" $1
  ${IfNot} ${Errors}
    StrCpy $RepairArgument " --repair"
  ${EndIf}
FunctionEnd

Function CheckDiskSpace
  ${GetRoot} "$LOCALAPPDATA" $1
  ${DriveSpace} "$1\" "/D=F /S=M" $0
  ${If} $0 < ${NEEDED_MB}
    MessageBox MB_OKCANCEL|MB_ICONEXCLAMATION "$(LowDisk)" /SD IDOK IDOK +2
    Abort
  ${EndIf}
FunctionEnd

Function RunBootstrap
  ; uv keeps Python and its cache in LocalClip's data folder, so that the uninstaller can remove them.
  System::Call 'kernel32::SetEnvironmentVariable(t "UV_CACHE_DIR", t "$DataDir\uv-cache")'
  System::Call 'kernel32::SetEnvironmentVariable(t "UV_PYTHON_INSTALL_DIR", t "$DataDir\python")'
  System::Call 'kernel32::SetEnvironmentVariable(t "UV_PYTHON_PREFERENCE", t "only-managed")'
  System::Call 'kernel32::SetEnvironmentVariable(t "UV_NO_PROGRESS", t "1")'
  retry:
    DetailPrint "$(Preparing)"
    ; uv installs the pinned Python (if missing) and runs the bootstrap with it; each of its lines
    ; appears on this page.
    nsExec::ExecToLog '"$INSTDIR\uv.exe" run --no-project --no-config --python ${PYTHON_VERSION} "$INSTDIR\bootstrap\bootstrap.py" --uv "$INSTDIR\uv.exe" --app "$INSTDIR\app" --data-dir "$DataDir"$RepairArgument'
    Pop $0
    ${If} $0 == 0
      StrCpy $SetupOk 1
    ${ElseIf} $0 == ${EXIT_GPU_UNUSABLE}
      StrCpy $SetupOk 1
      MessageBox MB_OK|MB_ICONEXCLAMATION "$(GpuWarning)" /SD IDOK
    ${Else}
      MessageBox MB_RETRYCANCEL|MB_ICONSTOP "$(SetupFailed)" /SD IDCANCEL IDRETRY retry
      StrCpy $SetupOk 0
    ${EndIf}
FunctionEnd

Section "${APP}" SectionMain
  SectionIn RO
  Call CheckDiskSpace
  SetOutPath "$INSTDIR"
  File "${STAGE}\uv.exe"
  !ifdef ICON
    File "/oname=localclip.ico" "${ICON}"
  !endif
  ; A copy of this program: the Repair shortcut and "Modify" in Windows' settings run it with /REPAIR.
  ${If} "$EXEPATH" != "$INSTDIR\${SETUP_COPY}"
    CopyFiles /SILENT "$EXEPATH" "$INSTDIR\${SETUP_COPY}"
  ${EndIf}
  RMDir /r "$INSTDIR\bootstrap"
  SetOutPath "$INSTDIR\bootstrap"
  File "${STAGE}\bootstrap\*.py"
  ; The app's source replaces the old one whole: no file of an older version may linger.
  RMDir /r "$INSTDIR\app"
  SetOutPath "$INSTDIR\app"
  File /r "${STAGE}\app\*"

  ; The uninstaller is registered before the long part, so even an interrupted set-up can be removed.
  WriteUninstaller "$INSTDIR\${UNINSTALLER}"
  WriteRegStr HKCU "${SETTINGS_KEY}" "InstallDir" "$INSTDIR"
  WriteRegStr HKCU "${SETTINGS_KEY}" "DataDir" "$DataDir"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "${APP}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "${APP}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\localclip.ico"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\${UNINSTALLER}"'
  WriteRegStr HKCU "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\${UNINSTALLER}" /S'
  WriteRegStr HKCU "${UNINSTALL_KEY}" "ModifyPath" '"$INSTDIR\${SETUP_COPY}" /REPAIR'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "EstimatedSize" 12582912 ; KB: about 12 GB with the CUDA build

  SetOutPath "$PROFILE" ; the shortcuts' working folder
  CreateDirectory "$SMPROGRAMS\${APP}"
  CreateShortcut "$SMPROGRAMS\${APP}\$(ShortcutRepair).lnk" "$INSTDIR\${SETUP_COPY}" "/REPAIR"
  CreateShortcut "$SMPROGRAMS\${APP}\$(ShortcutUninstall).lnk" "$INSTDIR\${UNINSTALLER}"
  CreateDirectory "$DataDir\Logs"
  CreateShortcut "$SMPROGRAMS\${APP}\$(ShortcutLogs).lnk" "$DataDir\Logs"

  Call RunBootstrap
  ${If} $SetupOk != 1
    Abort
  ${EndIf}
  ; The window: pythonw (no console) running `python -m localclip`, which opens it with no arguments
  ; (-P: nothing in the working folder may stand in for LocalClip's modules).
  CreateShortcut "$SMPROGRAMS\${APP}\${APP}.lnk" "$DataDir\app-env\Scripts\pythonw.exe" "-P -m localclip" "$INSTDIR\localclip.ico" 0 SW_SHOWNORMAL "" "$(ShortcutDescription)"
  CreateShortcut "$DESKTOP\${APP}.lnk" "$DataDir\app-env\Scripts\pythonw.exe" "-P -m localclip" "$INSTDIR\localclip.ico" 0 SW_SHOWNORMAL "" "$(ShortcutDescription)"
SectionEnd

Function SkipFinishRunIfFailed
  ${If} $SetupOk != 1
    Abort ; no "Start LocalClip" page when there is nothing to start
  ${EndIf}
FunctionEnd

Function StartLocalClip
  SetOutPath "$PROFILE"
  Exec '"$DataDir\app-env\Scripts\pythonw.exe" -P -m localclip'
FunctionEnd

; ---- Uninstall --------------------------------------------------------------------------------------------
Function un.onInit
  ReadRegStr $DataDir HKCU "${SETTINGS_KEY}" "DataDir"
  ${If} $DataDir == ""
    StrCpy $DataDir "$LOCALAPPDATA\${APP}"
  ${EndIf}
FunctionEnd

Section "Uninstall"
  Delete "$DESKTOP\${APP}.lnk"
  RMDir /r "$SMPROGRAMS\${APP}"

  DetailPrint "$(RemovingEnvironments)"
  RMDir /r "$DataDir\app-env"
  RMDir /r "$DataDir\worker-env"
  RMDir /r "$DataDir\python"
  RMDir /r "$DataDir\uv-cache"
  RMDir /r "$DataDir\downloads"
  RMDir /r "$DataDir\Logs"
  MessageBox MB_YESNO|MB_ICONQUESTION|MB_DEFBUTTON2 "$(RemoveUserData)" /SD IDNO IDNO keep_user_data
    RMDir /r "$DataDir"
  keep_user_data:
  RMDir "$DataDir" ; only if nothing is left in it

  ; Delete the program folder only when it is recognisably LocalClip's (never a folder chosen by mistake).
  ${If} ${FileExists} "$INSTDIR\bootstrap\bootstrap.py"
    RMDir /r "$INSTDIR"
  ${Else}
    DetailPrint "$(NotLocalClipFolder)"
    Delete "$INSTDIR\${UNINSTALLER}"
  ${EndIf}
  DeleteRegKey HKCU "${UNINSTALL_KEY}"
  DeleteRegKey HKCU "${SETTINGS_KEY}"
SectionEnd
