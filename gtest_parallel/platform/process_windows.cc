// The process layer on Windows: CreateProcess with an explicit list of
// inherited handles, anonymous pipes, a job object per worker (so that a
// timeout or a crash takes the worker's children with it, and nothing
// outlives the coordinator), and a polling wait on the pipes, which
// anonymous pipes allow no other way. Compiled only on Windows.
#ifndef _WIN32_WINNT
#define _WIN32_WINNT 0x0601  // PROC_THREAD_ATTRIBUTE_HANDLE_LIST.
#endif
#ifndef NOMINMAX
#define NOMINMAX
#endif
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
// After windows.h.
#include <tlhelp32.h>
// _setmode, _get_osfhandle, _open_osfhandle, _dup2.
#include <fcntl.h>
#include <io.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "platform/child_process.h"
#include "protocol/variables.h"

namespace gtest_parallel {
namespace internal {
namespace {

HANDLE H(Handle handle) { return reinterpret_cast<HANDLE>(handle); }
Handle ToHandle(HANDLE handle) {
  return handle == nullptr || handle == INVALID_HANDLE_VALUE
             ? kNoHandle
             : reinterpret_cast<Handle>(handle);
}

std::string LastError(const char* what) {
  const DWORD code = GetLastError();
  char text[256] = {0};
  FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
                 nullptr, code, 0, text, sizeof(text), nullptr);
  std::string message = std::string(what) + ": " + text;
  while (!message.empty() &&
         (message.back() == '\n' || message.back() == '\r')) {
    message.pop_back();
  }
  return message;
}

void CloseQuietly(HANDLE* handle) {
  if (*handle != nullptr && *handle != INVALID_HANDLE_VALUE) {
    CloseHandle(*handle);
  }
  *handle = nullptr;
}

// Quotes one argument the way CommandLineToArgvW and the C runtime split
// command lines, when it needs quotes.
std::string QuoteArgument(const std::string& argument) {
  if (!argument.empty() &&
      argument.find_first_of(" \t\n\v\"") == std::string::npos) {
    return argument;
  }
  return QuotedArgument(argument);
}

// An inheritable, deleted-on-close temporary file opened for appending (the
// worker's stdout and stderr) and reading (the coordinator's ReadAt).
HANDLE AnonymousFile(std::string* error) {
  char directory[MAX_PATH + 1];
  char path[MAX_PATH + 1];
  if (GetTempPathA(sizeof(directory), directory) == 0 ||
      GetTempFileNameA(directory, "gtp", 0, path) == 0) {
    *error = LastError("cannot name a temporary file");
    return nullptr;
  }
  SECURITY_ATTRIBUTES inherit{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
  HANDLE file = CreateFileA(
      path, FILE_APPEND_DATA | FILE_READ_DATA | SYNCHRONIZE,
      FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, &inherit,
      CREATE_ALWAYS, FILE_ATTRIBUTE_TEMPORARY | FILE_FLAG_DELETE_ON_CLOSE,
      nullptr);
  if (file == INVALID_HANDLE_VALUE) {
    *error = LastError("cannot create a temporary file");
    DeleteFileA(path);
    return nullptr;
  }
  return file;
}

WorkerStatus* MapStatus(HANDLE mapping) {
  void* view =
      MapViewOfFile(mapping, FILE_MAP_ALL_ACCESS, 0, 0, sizeof(WorkerStatus));
  return static_cast<WorkerStatus*>(view);
}

// A Windows exit code that is an exception's status, by name.
const char* ExceptionName(DWORD code) {
  switch (code) {
    case 0xC0000005:
      return "access violation";
    case 0xC00000FD:
      return "stack overflow";
    case 0xC0000094:
      return "integer division by zero";
    case 0xC000001D:
      return "illegal instruction";
    case 0xC0000409:
      return "stack buffer overrun (fail fast)";
    case 0xC0000374:
      return "heap corruption";
    case 0x80000003:
      return "breakpoint";
    default:
      return nullptr;
  }
}

class WindowsChild : public ChildProcess {
 public:
  WindowsChild(PROCESS_INFORMATION info, HANDLE job, HANDLE commands,
               HANDLE events, HANDLE output, WorkerStatus* status)
      : info_(info),
        job_(job),
        commands_(commands),
        events_(events),
        output_(output),
        status_(status) {}

  ~WindowsChild() override {
    CloseQuietly(&commands_);
    CloseQuietly(&events_);
    CloseQuietly(&output_);
    if (status_ != nullptr) UnmapViewOfFile(status_);
    CloseQuietly(&info_.hThread);
    CloseQuietly(&info_.hProcess);
    // The job kills whatever of it is left when its last handle goes.
    CloseQuietly(&job_);
  }

  int64_t pid() const override { return info_.dwProcessId; }
  Handle commands() const override { return ToHandle(commands_); }
  Handle events() const override { return ToHandle(events_); }
  Handle output() const override { return ToHandle(output_); }
  // WaitReadable looks at pipes only: the caller looks with TryWait.
  Handle exit_watch() const override { return kNoHandle; }
  const WorkerStatus& status() const override { return *status_; }

  void CloseCommands() override { CloseQuietly(&commands_); }
  void CloseEvents() override { CloseQuietly(&events_); }

  // Windows has no polite request to a process without a console of its
  // own: both end the whole job.
  void Terminate() override { Kill(); }
  void Kill() override {
    if (job_ != nullptr) TerminateJobObject(job_, 1);
  }

  bool TryWait(ExitStatus* status) override {
    if (WaitForSingleObject(info_.hProcess, 0) != WAIT_OBJECT_0) return false;
    DWORD code = 0;
    GetExitCodeProcess(info_.hProcess, &code);
    status->exited = true;
    status->code = static_cast<int>(code);
    status->signal = 0;
    return true;
  }

 private:
  PROCESS_INFORMATION info_;
  HANDLE job_;
  HANDLE commands_;
  HANDLE events_;
  HANDLE output_;
  WorkerStatus* status_;
};

// Writes the one byte that wakes a thread waiting on a WakePipe.
void WriteWakeByte(Handle wake) {
  const char byte = 1;
  DWORD written = 0;
  WriteFile(H(wake), &byte, 1, &written, nullptr);
}

std::atomic<int> g_interrupts{0};
std::atomic<int> g_first_interrupt{0};
std::atomic<Handle> g_wake{kNoHandle};

BOOL WINAPI OnControl(DWORD event) {
  int signal = 0;
  switch (event) {
    case CTRL_C_EVENT:
      signal = 2;  // SIGINT
      break;
    case CTRL_BREAK_EVENT:
    case CTRL_CLOSE_EVENT:
      signal = 15;  // SIGTERM
      break;
    default:
      return FALSE;
  }
  int none = 0;
  g_first_interrupt.compare_exchange_strong(none, signal);
  g_interrupts.fetch_add(1);
  const Handle wake = g_wake.load();
  if (wake != kNoHandle) WriteWakeByte(wake);
  return TRUE;
}

}  // namespace

std::string ExitStatus::Describe() const {
  const DWORD unsigned_code = static_cast<DWORD>(code);
  if (const char* name = ExceptionName(unsigned_code)) {
    char hex[16];
    std::snprintf(hex, sizeof(hex), "0x%08lX",
                  static_cast<unsigned long>(unsigned_code));
    return std::string("crashed: ") + name + " (exit code " + hex + ")";
  }
  return "exited with status " + std::to_string(code);
}

std::unique_ptr<ChildProcess> ChildProcess::Spawn(const SpawnRequest& request,
                                                  std::string* error) {
  SECURITY_ATTRIBUTES inherit{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
  HANDLE commands_read = nullptr, commands_write = nullptr;
  HANDLE events_read = nullptr, events_write = nullptr;
  HANDLE output = nullptr, mapping = nullptr, null_input = nullptr;
  HANDLE job = nullptr;
  WorkerStatus* status = nullptr;
  auto fail = [&](const std::string& why) -> std::unique_ptr<ChildProcess> {
    *error = why;
    for (HANDLE* handle :
         {&commands_read, &commands_write, &events_read, &events_write, &output,
          &mapping, &null_input, &job}) {
      CloseQuietly(handle);
    }
    if (status != nullptr) UnmapViewOfFile(status);
    return nullptr;
  };
  // Inheritable child ends; the coordinator's ends are not inherited.
  if (!CreatePipe(&commands_read, &commands_write, &inherit, 0) ||
      !CreatePipe(&events_read, &events_write, &inherit, 0)) {
    return fail(LastError("cannot create a pipe"));
  }
  SetHandleInformation(commands_write, HANDLE_FLAG_INHERIT, 0);
  SetHandleInformation(events_read, HANDLE_FLAG_INHERIT, 0);
  output = AnonymousFile(error);
  if (output == nullptr) return fail(*error);
  mapping = CreateFileMappingA(INVALID_HANDLE_VALUE, &inherit, PAGE_READWRITE,
                               0, sizeof(WorkerStatus), nullptr);
  if (mapping == nullptr) return fail(LastError("cannot share memory"));
  status = MapStatus(mapping);
  if (status == nullptr) return fail(LastError("cannot map shared memory"));
  StartWorkerStatus(status);
  null_input =
      CreateFileA("NUL", GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE,
                  &inherit, OPEN_EXISTING, 0, nullptr);
  if (null_input == INVALID_HANDLE_VALUE) {
    null_input = nullptr;
    return fail(LastError("cannot open NUL"));
  }

  // The worker and everything it starts live in a job that dies with its
  // last handle: ours, so nothing outlives the coordinator.
  job = CreateJobObjectA(nullptr, nullptr);
  if (job == nullptr) return fail(LastError("cannot create a job object"));
  JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits{};
  limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
  SetInformationJobObject(job, JobObjectExtendedLimitInformation, &limits,
                          sizeof(limits));

  // Inherited handles keep their values in the child.
  std::vector<std::string> env = request.env;
  env.push_back(std::string(kChannelVariable) + "=" +
                std::to_string(reinterpret_cast<Handle>(commands_read)) + "," +
                std::to_string(reinterpret_cast<Handle>(events_write)) + "," +
                std::to_string(reinterpret_cast<Handle>(mapping)));
  std::string block;
  for (const std::string& entry : env) block.append(entry).push_back('\0');
  block.push_back('\0');
  std::string command_line;
  for (const std::string& argument : request.argv) {
    if (!command_line.empty()) command_line.push_back(' ');
    command_line += QuoteArgument(argument);
  }

  // Only these handles are inherited, whatever else is inheritable.
  HANDLE inherited[] = {null_input, output, commands_read, events_write,
                        mapping};
  SIZE_T list_size = 0;
  InitializeProcThreadAttributeList(nullptr, 1, 0, &list_size);
  std::vector<char> list_storage(list_size);
  auto* list =
      reinterpret_cast<LPPROC_THREAD_ATTRIBUTE_LIST>(list_storage.data());
  if (!InitializeProcThreadAttributeList(list, 1, 0, &list_size) ||
      !UpdateProcThreadAttribute(list, 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST,
                                 inherited, sizeof(inherited), nullptr,
                                 nullptr)) {
    return fail(LastError("cannot list the inherited handles"));
  }
  STARTUPINFOEXA startup{};
  startup.StartupInfo.cb = sizeof(startup);
  startup.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
  startup.StartupInfo.hStdInput = null_input;
  startup.StartupInfo.hStdOutput = output;
  startup.StartupInfo.hStdError = output;
  startup.lpAttributeList = list;
  PROCESS_INFORMATION info{};
  const BOOL started = CreateProcessA(
      request.argv[0].c_str(), command_line.data(), nullptr, nullptr, TRUE,
      CREATE_SUSPENDED | EXTENDED_STARTUPINFO_PRESENT |
          CREATE_NEW_PROCESS_GROUP,
      block.data(), request.cwd.empty() ? nullptr : request.cwd.c_str(),
      &startup.StartupInfo, &info);
  DeleteProcThreadAttributeList(list);
  if (!started) {
    return fail(LastError(("could not start " + request.argv[0]).c_str()));
  }
  // In the job before it runs a single instruction.
  if (!AssignProcessToJobObject(job, info.hProcess)) {
    TerminateProcess(info.hProcess, 1);
    CloseHandle(info.hThread);
    CloseHandle(info.hProcess);
    return fail(LastError("cannot put the worker in a job object"));
  }
  ResumeThread(info.hThread);
  CloseQuietly(&commands_read);
  CloseQuietly(&events_write);
  CloseQuietly(&mapping);
  CloseQuietly(&null_input);
  return std::make_unique<WindowsChild>(info, job, commands_write, events_read,
                                        output, status);
}

bool TakeWorkerChannel(Handle* commands, Handle* events, WorkerStatus** status,
                       std::string* error) {
  const char* value = std::getenv(kChannelVariable);
  if (value == nullptr) return false;
  long long in = 0, out = 0, shared = 0;
  char extra;
  const bool parsed =
      std::sscanf(value, "%lld,%lld,%lld%c", &in, &out, &shared, &extra) == 3;
  if (!parsed) {
    *error = std::string("bad ") + kChannelVariable + " '" + value + "'";
  }
  SetEnvironmentVariableA(kChannelVariable, nullptr);
  _putenv_s(kChannelVariable, "");
  if (!parsed) return false;
  // Not inherited any further: the tests' own processes must not hold them.
  for (long long handle : {in, out, shared}) {
    SetHandleInformation(H(static_cast<Handle>(handle)), HANDLE_FLAG_INHERIT,
                         0);
  }
  // The tests' output reaches the coordinator byte for byte: line ends are
  // translated once, by the coordinator's own stdout, as in a serial run.
  _setmode(_fileno(stdout), _O_BINARY);
  _setmode(_fileno(stderr), _O_BINARY);
  *commands = static_cast<Handle>(in);
  *events = static_cast<Handle>(out);
  HANDLE mapping = H(static_cast<Handle>(shared));
  *status = MapStatus(mapping);
  CloseHandle(mapping);
  if (*status == nullptr) {
    *error = LastError("cannot map the worker status");
    return false;
  }
  return true;
}

std::string SelfExecutable(const char* argv0) {
  char path[MAX_PATH + 1];
  const DWORD size = GetModuleFileNameA(nullptr, path, sizeof(path));
  if (size > 0 && size < sizeof(path)) return std::string(path, size);
  return argv0 ? argv0 : "";
}

long ReadSome(Handle handle, char* buffer, size_t size) {
  DWORD got = 0;
  if (!ReadFile(H(handle), buffer, static_cast<DWORD>(size), &got, nullptr)) {
    return GetLastError() == ERROR_BROKEN_PIPE ? 0 : -1;
  }
  return static_cast<long>(got);
}

std::string ReadAt(Handle handle, int64_t offset, size_t size) {
  std::string text(size, '\0');
  size_t done = 0;
  while (done < size) {
    OVERLAPPED at{};
    const uint64_t position = static_cast<uint64_t>(offset) + done;
    at.Offset = static_cast<DWORD>(position & 0xffffffffu);
    at.OffsetHigh = static_cast<DWORD>(position >> 32);
    DWORD got = 0;
    if (!ReadFile(H(handle), &text[done], static_cast<DWORD>(size - done), &got,
                  &at) ||
        got == 0) {
      break;
    }
    done += got;
  }
  text.resize(done);
  return text;
}

int64_t FileSize(Handle handle) {
  LARGE_INTEGER size;
  if (!GetFileSizeEx(H(handle), &size)) return -1;
  return size.QuadPart;
}

void DropRange(Handle /*handle*/, int64_t /*from*/, int64_t /*to*/) {
  // Punching holes needs a sparse file; the output files are not. Best
  // effort, as child_process.h allows: nothing happens.
}

bool WriteAll(Handle handle, const char* data, size_t size) {
  while (size > 0) {
    DWORD written = 0;
    if (!WriteFile(H(handle), data, static_cast<DWORD>(size), &written,
                   nullptr)) {
      return false;
    }
    data += written;
    size -= written;
  }
  return true;
}

int WaitReadable(const std::vector<Handle>& handles, int timeout_ms,
                 std::vector<bool>* ready) {
  // Anonymous pipes cannot be waited on: look, and sleep a little between
  // looks (1 ms, which is also how late a wake-up can be).
  const ULONGLONG deadline =
      timeout_ms < 0 ? 0
                     : GetTickCount64() + static_cast<ULONGLONG>(timeout_ms);
  ready->assign(handles.size(), false);
  for (;;) {
    int count = 0;
    for (size_t i = 0; i < handles.size(); ++i) {
      DWORD available = 0;
      if (!PeekNamedPipe(H(handles[i]), nullptr, 0, nullptr, &available,
                         nullptr) ||
          available > 0) {
        (*ready)[i] = true;  // Data, or end of stream (a read will say).
        ++count;
      }
    }
    if (count > 0) return count;
    if (timeout_ms >= 0 && GetTickCount64() >= deadline) return 0;
    Sleep(1);
  }
}

WakePipe::WakePipe() {
  HANDLE read = nullptr, write = nullptr;
  if (CreatePipe(&read, &write, nullptr, 0)) {
    read_ = ToHandle(read);
    write_ = ToHandle(write);
  }
}

WakePipe::~WakePipe() {
  if (read_ != kNoHandle) CloseHandle(H(read_));
  if (write_ != kNoHandle) CloseHandle(H(write_));
}

void WakePipe::Wake() { WriteWakeByte(write_); }

void WakePipe::Drain() {
  DWORD available = 0;
  while (PeekNamedPipe(H(read_), nullptr, 0, nullptr, &available, nullptr) &&
         available > 0) {
    char buffer[256];
    DWORD got = 0;
    if (!ReadFile(H(read_), buffer,
                  available < sizeof(buffer) ? available : sizeof(buffer), &got,
                  nullptr)) {
      return;
    }
  }
}

void CatchInterrupts(Handle wake, bool /*ignore_broken_pipes*/) {
  // Broken pipes are errors from WriteFile on Windows, never signals.
  g_wake.store(wake);
  SetConsoleCtrlHandler(&OnControl, TRUE);
}

void RestoreInterrupts() {
  SetConsoleCtrlHandler(&OnControl, FALSE);
  g_wake.store(kNoHandle);
}

int InterruptCount() { return g_interrupts.load(); }
int FirstInterrupt() { return g_first_interrupt.load(); }

int64_t StandardOutputSize(Handle output) {
  std::fflush(nullptr);
  // What printf writes to: the C runtime's descriptor 1.
  const HANDLE out = reinterpret_cast<HANDLE>(_get_osfhandle(1));
  BY_HANDLE_FILE_INFORMATION seen, own;
  if (out != nullptr && out != INVALID_HANDLE_VALUE &&
      GetFileInformationByHandle(out, &seen) &&
      GetFileInformationByHandle(H(output), &own) &&
      seen.dwVolumeSerialNumber == own.dwVolumeSerialNumber &&
      seen.nFileIndexHigh == own.nFileIndexHigh &&
      seen.nFileIndexLow == own.nFileIndexLow) {
    return FileSize(output);
  }
  // A test pointed stdout elsewhere or closed it: descriptors 1 and 2 and
  // the standard handles are pointed back at the output file.
  HANDLE copy = nullptr;
  if (DuplicateHandle(GetCurrentProcess(), H(output), GetCurrentProcess(),
                      &copy, 0, FALSE, DUPLICATE_SAME_ACCESS)) {
    const int fd = _open_osfhandle(reinterpret_cast<intptr_t>(copy),
                                   _O_BINARY | _O_APPEND);
    if (fd >= 0) {
      // With 1 or 2 closed, the new descriptor may be one of them.
      if (fd != 1) _dup2(fd, 1);
      if (fd != 2) _dup2(fd, 2);
      if (fd > 2) _close(fd);
    } else {
      CloseHandle(copy);
    }
  }
  SetStdHandle(STD_OUTPUT_HANDLE, reinterpret_cast<HANDLE>(_get_osfhandle(1)));
  SetStdHandle(STD_ERROR_HANDLE, reinterpret_cast<HANDLE>(_get_osfhandle(2)));
  std::clearerr(stdout);
  std::clearerr(stderr);
  return FileSize(output);
}

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

int64_t StandardOutputEnd(Handle output, int64_t /*at_least*/) {
  return StandardOutputSize(output);
}

Handle DuplicateStandardOutput() {
  HANDLE copy = nullptr;
  if (!DuplicateHandle(GetCurrentProcess(), GetStdHandle(STD_OUTPUT_HANDLE),
                       GetCurrentProcess(), &copy, 0, FALSE,
                       DUPLICATE_SAME_ACCESS)) {
    return kNoHandle;
  }
  return ToHandle(copy);
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

HandleIdentity IdentityOf(Handle handle) {
  HandleIdentity identity;
  DWORD flags = 0;
  identity.open =
      handle != kNoHandle && GetHandleInformation(H(handle), &flags) != 0;
  return identity;
}

int64_t CurrentPid() { return GetCurrentProcessId(); }

Handle HoldLock(const std::string& path) {
  // No sharing: nobody else opens it while this process holds it.
  HANDLE file =
      CreateFileA(path.c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr,
                  OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (file == INVALID_HANDLE_VALUE) return kNoHandle;
  return reinterpret_cast<Handle>(file);
}

void ReleaseLock(Handle lock) {
  if (lock != kNoHandle) CloseHandle(reinterpret_cast<HANDLE>(lock));
}

bool IsPrivateDirectory(const std::string& path) {
  const DWORD attributes = GetFileAttributesA(path.c_str());
  return attributes != INVALID_FILE_ATTRIBUTES &&
         (attributes & FILE_ATTRIBUTE_DIRECTORY) != 0 &&
         (attributes & FILE_ATTRIBUTE_REPARSE_POINT) == 0;
}

bool LockIsFree(const std::string& path) {
  HANDLE file =
      CreateFileA(path.c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr,
                  OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (file == INVALID_HANDLE_VALUE) return false;
  CloseHandle(file);
  return true;
}

std::string QuotedArgument(const std::string& argument) {
  std::string quoted = "\"";
  size_t backslashes = 0;
  for (char c : argument) {
    if (c == '\\') {
      ++backslashes;
      continue;
    }
    if (c == '"') {
      quoted.append(backslashes * 2 + 1, '\\');
    } else {
      quoted.append(backslashes, '\\');
    }
    backslashes = 0;
    quoted.push_back(c);
  }
  quoted.append(backslashes * 2, '\\');
  quoted.push_back('"');
  return quoted;
}

void SetOwnEnvironment(const std::string& name, const std::string& value) {
  // The C runtime's copy, which getenv() reads, and through it the
  // process's own.
  _putenv_s(name.c_str(), value.c_str());
}

}  // namespace internal
}  // namespace gtest_parallel
