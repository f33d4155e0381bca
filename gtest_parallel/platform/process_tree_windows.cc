// This process's descendants on Windows: the worker's job object ends what
// its tests leave behind, so little is left to do here.

// windows.h first, as the files below need it.
#include "platform/windows_handles.h"
// After windows.h.
#include <tlhelp32.h>

#include <cstdint>
#include <string>
#include <vector>

#include "platform/process_tree.h"

namespace gtest_parallel {
namespace internal {

void AdoptOrphans(bool /*adopt*/) {
  // Windows keeps no parent links worth following: the job object catches
  // whatever the worker's tests leave behind.
}

// Looking for a test's leftover processes costs a process snapshot on
// Windows, far too slow to take after every test: it is not done. The job
// object ends whatever the tests leave behind when the worker ends.
std::vector<int64_t> LiveChildren() { return {}; }

bool HasChildren() { return false; }

std::string DescribeProcess(int64_t pid) {
  std::string name;
  HANDLE snapshot = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
  if (snapshot != INVALID_HANDLE_VALUE) {
    PROCESSENTRY32 entry{};
    entry.dwSize = sizeof(entry);
    for (BOOL more = Process32First(snapshot, &entry); more;
         more = Process32Next(snapshot, &entry)) {
      if (entry.th32ProcessID == static_cast<DWORD>(pid)) {
        name = entry.szExeFile;
        break;
      }
    }
    CloseHandle(snapshot);
  }
  return "pid " + std::to_string(pid) + (name.empty() ? "" : " (" + name + ")");
}

void KillChild(int64_t pid) {
  HANDLE process = OpenProcess(PROCESS_TERMINATE | SYNCHRONIZE, FALSE,
                               static_cast<DWORD>(pid));
  if (process == nullptr) return;
  TerminateProcess(process, 1);
  WaitForSingleObject(process, 5000);
  CloseHandle(process);
}

bool DieWithParent(int64_t parent) {
  // The job object ends the worker with the coordinator; here we only check
  // that the coordinator is still there.
  if (parent <= 0) return true;
  HANDLE process = OpenProcess(SYNCHRONIZE, FALSE, static_cast<DWORD>(parent));
  if (process == nullptr) return false;
  const bool alive = WaitForSingleObject(process, 0) == WAIT_TIMEOUT;
  CloseHandle(process);
  return alive;
}

void EndProcessTree(int code) {
  // The worker's job object ends what its tests started.
  ExitProcess(static_cast<UINT>(code));
}

int KillAdoptedOrphans(const std::vector<int64_t>& /*keep*/) { return 0; }

}  // namespace internal
}  // namespace gtest_parallel
