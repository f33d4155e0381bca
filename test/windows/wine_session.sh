#!/bin/sh
# The Wine session of the Windows tests (WINEPREFIX from the environment):
#   wine_session.sh start WINE WINESERVER KEEP_ALIVE_EXE
#     makes the prefix, turns off Wine's crash debugger (a crash then ends
#     the program at once, as with Windows Error Reporting off), starts
#     Wine's services and keeps them running with KEEP_ALIVE_EXE in the
#     background: otherwise a test's program would start them as its own
#     children, and the test would find them left behind;
#   wine_session.sh stop WINE WINESERVER
#     stops the wineserver and with it every program of the prefix.
# Output goes to /dev/null: ctest would wait for the background programs to
# close it.
set -u
action=$1 wine=$2 wineserver=$3
exec </dev/null >/dev/null 2>&1
case "$action" in
  start)
    "$wineserver" --kill
    "$wine" wineboot --init || exit 1
    "$wine" reg add \
      'HKLM\Software\Microsoft\Windows NT\CurrentVersion\AeDebug' \
      /v Debugger /d '' /f || exit 1
    "$wine" "$4" &
    ;;
  stop)
    # Fails when the server has already gone.
    "$wineserver" --kill || true
    ;;
esac
