// The process layer on Windows: CreateProcess with an explicit list of
// inherited handles, anonymous pipes and a job object per worker (so that a
// timeout or a crash takes the worker's children with it, and nothing
// outlives the coordinator). Compiled only on Windows.

// windows.h first, as the files below need it.
#include "platform/windows_handles.h"
// _setmode.
#include <fcntl.h>
#include <io.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "platform/files.h"
#include "platform/process.h"
#include "protocol/variables.h"

namespace gtest_parallel {
namespace internal {
namespace {

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

namespace {

// The coordinator's ends and the worker's ends of a worker's channel, its
// output file, its status page, its standard input and its job; null where
// not open. The worker's ends are inheritable, the coordinator's are not.
struct ChannelHandles {
  HANDLE commands_read = nullptr, commands_write = nullptr;
  HANDLE events_read = nullptr, events_write = nullptr;
  HANDLE output = nullptr, mapping = nullptr, null_input = nullptr;
  HANDLE job = nullptr;
  WorkerStatus* status = nullptr;

  void CloseAll() {
    for (HANDLE* handle :
         {&commands_read, &commands_write, &events_read, &events_write, &output,
          &mapping, &null_input, &job}) {
      CloseQuietly(handle);
    }
    if (status != nullptr) UnmapViewOfFile(status);
    status = nullptr;
  }
};

// The job the worker and everything it starts live in, which dies with its
// last handle: ours, so nothing outlives the coordinator. Null with *error
// when it cannot be made.
HANDLE CreateWorkerJob(std::string* error) {
  HANDLE job = CreateJobObjectA(nullptr, nullptr);
  if (job == nullptr) {
    *error = LastError("cannot create a job object");
    return nullptr;
  }
  JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits{};
  limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
  SetInformationJobObject(job, JobObjectExtendedLimitInformation, &limits,
                          sizeof(limits));
  return job;
}

// Opens the pipes, the output file, the mapped status page, the null input
// and the job of a worker; false with *error when one cannot be made (the
// caller closes what was opened).
bool OpenChannelHandles(ChannelHandles* files, std::string* error) {
  SECURITY_ATTRIBUTES inherit{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
  if (!CreatePipe(&files->commands_read, &files->commands_write, &inherit, 0) ||
      !CreatePipe(&files->events_read, &files->events_write, &inherit, 0)) {
    *error = LastError("cannot create a pipe");
    return false;
  }
  SetHandleInformation(files->commands_write, HANDLE_FLAG_INHERIT, 0);
  SetHandleInformation(files->events_read, HANDLE_FLAG_INHERIT, 0);
  files->output = AnonymousFile(error);
  if (files->output == nullptr) return false;
  files->mapping =
      CreateFileMappingA(INVALID_HANDLE_VALUE, &inherit, PAGE_READWRITE, 0,
                         sizeof(WorkerStatus), nullptr);
  if (files->mapping == nullptr) {
    *error = LastError("cannot share memory");
    return false;
  }
  files->status = MapStatus(files->mapping);
  if (files->status == nullptr) {
    *error = LastError("cannot map shared memory");
    return false;
  }
  StartWorkerStatus(files->status);
  files->null_input =
      CreateFileA("NUL", GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE,
                  &inherit, OPEN_EXISTING, 0, nullptr);
  if (files->null_input == INVALID_HANDLE_VALUE) {
    files->null_input = nullptr;
    *error = LastError("cannot open NUL");
    return false;
  }
  files->job = CreateWorkerJob(error);
  return files->job != nullptr;
}

// request's environment and the channel variable, as a CreateProcess
// environment block. Inherited handles keep their values in the child.
std::string EnvironmentBlock(const SpawnRequest& request,
                             const ChannelHandles& files) {
  std::vector<std::string> env = request.env;
  env.push_back(std::string(kChannelVariable) + "=" +
                std::to_string(reinterpret_cast<Handle>(files.commands_read)) +
                "," +
                std::to_string(reinterpret_cast<Handle>(files.events_write)) +
                "," + std::to_string(reinterpret_cast<Handle>(files.mapping)));
  std::string block;
  for (const std::string& entry : env) block.append(entry).push_back('\0');
  block.push_back('\0');
  return block;
}

// The arguments, quoted where need be, as one command line.
std::string CommandLine(const std::vector<std::string>& argv) {
  std::string command_line;
  for (const std::string& argument : argv) {
    if (!command_line.empty()) command_line.push_back(' ');
    command_line += QuoteArgument(argument);
  }
  return command_line;
}

// Starts request's program, suspended, with the worker's ends of `files`
// as the only handles it inherits (whatever else is inheritable); false
// with *error when it cannot be started.
bool SpawnWithChannel(const SpawnRequest& request, const ChannelHandles& files,
                      PROCESS_INFORMATION* info, std::string* error) {
  std::string block = EnvironmentBlock(request, files);
  std::string command_line = CommandLine(request.argv);
  HANDLE inherited[] = {files.null_input, files.output, files.commands_read,
                        files.events_write, files.mapping};
  SIZE_T list_size = 0;
  InitializeProcThreadAttributeList(nullptr, 1, 0, &list_size);
  std::vector<char> list_storage(list_size);
  auto* list =
      reinterpret_cast<LPPROC_THREAD_ATTRIBUTE_LIST>(list_storage.data());
  if (!InitializeProcThreadAttributeList(list, 1, 0, &list_size) ||
      !UpdateProcThreadAttribute(list, 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST,
                                 inherited, sizeof(inherited), nullptr,
                                 nullptr)) {
    *error = LastError("cannot list the inherited handles");
    return false;
  }
  STARTUPINFOEXA startup{};
  startup.StartupInfo.cb = sizeof(startup);
  startup.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
  startup.StartupInfo.hStdInput = files.null_input;
  startup.StartupInfo.hStdOutput = files.output;
  startup.StartupInfo.hStdError = files.output;
  startup.lpAttributeList = list;
  const BOOL started = CreateProcessA(
      request.argv[0].c_str(), command_line.data(), nullptr, nullptr, TRUE,
      CREATE_SUSPENDED | EXTENDED_STARTUPINFO_PRESENT |
          CREATE_NEW_PROCESS_GROUP,
      block.data(), request.cwd.empty() ? nullptr : request.cwd.c_str(),
      &startup.StartupInfo, info);
  DeleteProcThreadAttributeList(list);
  if (!started) {
    *error = LastError(("could not start " + request.argv[0]).c_str());
    return false;
  }
  return true;
}

}  // namespace

std::unique_ptr<ChildProcess> ChildProcess::Spawn(const SpawnRequest& request,
                                                  std::string* error) {
  ChannelHandles files;
  PROCESS_INFORMATION info{};
  if (!OpenChannelHandles(&files, error) ||
      !SpawnWithChannel(request, files, &info, error)) {
    files.CloseAll();
    return nullptr;
  }
  // In the job before it runs a single instruction.
  if (!AssignProcessToJobObject(files.job, info.hProcess)) {
    TerminateProcess(info.hProcess, 1);
    CloseHandle(info.hThread);
    CloseHandle(info.hProcess);
    *error = LastError("cannot put the worker in a job object");
    files.CloseAll();
    return nullptr;
  }
  ResumeThread(info.hThread);
  // The worker's ends are the worker's now.
  CloseQuietly(&files.commands_read);
  CloseQuietly(&files.events_write);
  CloseQuietly(&files.mapping);
  CloseQuietly(&files.null_input);
  return std::make_unique<WindowsChild>(info, files.job, files.commands_write,
                                        files.events_read, files.output,
                                        files.status);
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

int64_t CurrentPid() { return GetCurrentProcessId(); }

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
