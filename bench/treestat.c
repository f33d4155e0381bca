/* treestat: runs a command and measures its whole process tree.
 *
 *   treestat [-a] [-t SECONDS] -o OUT.json -- COMMAND [ARG...]
 *
 * Writes one JSON object to OUT.json:
 *   wall_s      from just before the fork until the top process is reaped
 *   user_s, sys_s  CPU time of every process of the tree (RUSAGE_CHILDREN of
 *               this helper, which is the subreaper of the tree, so orphaned
 *               descendants are reaped and counted too)
 *   top_rss_kb  peak RSS (VmHWM) of the top process itself, read from
 *               /proc at its exit (ptrace exit stop), children not included
 *   top_cpu_s   CPU time of the top process itself (all its threads, not
 *               its children): with -a the sum of each thread's
 *               /proc/TID/schedstat run time at its exit (nanoseconds);
 *               without -a user+sys from /proc/PID/stat at its exit
 *               (clock-tick resolution, 10 ms)
 *   start_epoch  CLOCK_REALTIME just before the fork, in seconds
 *   child_rss_kb  with -a: the largest VmHWM of any other process of the
 *               tree, each read at its own exit; without -a: the largest
 *               ru_maxrss of any reaped process (top included), i.e. the
 *               kernel's RUSAGE_CHILDREN figure
 *   processes   with -a: how many processes (not threads) were seen
 *   status      exit code of the top process, or 128+signal
 *   timed_out   1 if the -t limit killed the tree
 *
 * With -a every descendant is traced (fork/vfork/clone events and an exit
 * stop each); that costs a few microseconds per process and event, so it is
 * meant for trees of tens of processes, not of thousands.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Reads VmHWM (kB) and Tgid of a task from /proc; 0 when unreadable. */
static long read_hwm(pid_t tid, pid_t *tgid) {
  char path[64], line[256];
  snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
  FILE *f = fopen(path, "r");
  long hwm = 0;
  *tgid = 0;
  if (!f) return 0;
  while (fgets(line, sizeof(line), f)) {
    if (strncmp(line, "Tgid:", 5) == 0) *tgid = (pid_t)atol(line + 5);
    if (strncmp(line, "VmHWM:", 6) == 0) hwm = atol(line + 6);
  }
  fclose(f);
  return hwm;
}

/* user+sys CPU seconds of the whole thread group of `tid`, from
 * /proc/TID/stat (fields 14 and 15); -1 when unreadable. */
static double read_cpu(pid_t tid) {
  char path[64], buf[1024];
  snprintf(path, sizeof(path), "/proc/%d/stat", (int)tid);
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  size_t n = fread(buf, 1, sizeof(buf) - 1, f);
  fclose(f);
  buf[n] = 0;
  char *p = strrchr(buf, ')');
  if (!p) return -1;
  /* After ") " come fields 3 (state) onwards; utime is field 14. */
  unsigned long utime = 0, stime = 0;
  int field = 2;
  for (char *tok = strtok(p + 1, " "); tok; tok = strtok(NULL, " ")) {
    field++;
    if (field == 14) utime = strtoul(tok, NULL, 10);
    if (field == 15) { stime = strtoul(tok, NULL, 10); break; }
  }
  return (double)(utime + stime) / sysconf(_SC_CLK_TCK);
}

/* Run time of one thread in seconds, from /proc/TID/schedstat; -1 when
 * unreadable. */
static double read_schedstat(pid_t tid) {
  char path[64];
  snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)tid);
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  unsigned long long ns = 0;
  int ok = fscanf(f, "%llu", &ns) == 1;
  fclose(f);
  return ok ? ns / 1e9 : -1;
}

/* Processes seen in the tree (with -a), so that a timeout can kill them all
 * even when they left the top process's process group. */
static pid_t *known = NULL;
static size_t known_count = 0, known_cap = 0;

static void remember(pid_t pid) {
  if (known_count == known_cap) {
    size_t cap = known_cap ? 2 * known_cap : 64;
    pid_t *grown = realloc(known, cap * sizeof(pid_t));
    if (!grown) return;
    known = grown;
    known_cap = cap;
  }
  known[known_count++] = pid;
}

static void forget(pid_t pid) {
  for (size_t i = 0; i < known_count; ++i) {
    if (known[i] == pid) {
      known[i] = known[--known_count];
      return;
    }
  }
}

static volatile sig_atomic_t alarm_fired = 0;
static void on_alarm(int sig) { (void)sig; alarm_fired = 1; }

int main(int argc, char **argv) {
  int trace_all = 0;
  double limit = 0;
  const char *out = NULL;
  int opt;
  while ((opt = getopt(argc, argv, "+at:o:")) != -1) {
    switch (opt) {
      case 'a': trace_all = 1; break;
      case 't': limit = atof(optarg); break;
      case 'o': out = optarg; break;
      default:
        fprintf(stderr, "usage: treestat [-a] [-t s] -o out.json -- cmd...\n");
        return 2;
    }
  }
  if (!out || optind >= argc) {
    fprintf(stderr, "usage: treestat [-a] [-t s] -o out.json -- cmd...\n");
    return 2;
  }
  char **cmd = argv + optind;

  prctl(PR_SET_CHILD_SUBREAPER, 1);
  int gate[2];
  if (pipe(gate) != 0) { perror("pipe"); return 2; }

  struct timespec epoch;
  clock_gettime(CLOCK_REALTIME, &epoch);
  const double start = now();
  pid_t top = fork();
  if (top < 0) { perror("fork"); return 2; }
  if (top == 0) {
    close(gate[1]);
    char c;
    /* Wait until the parent has attached. */
    if (read(gate[0], &c, 1) < 0) _exit(127);
    close(gate[0]);
    setpgid(0, 0);
    execvp(cmd[0], cmd);
    fprintf(stderr, "treestat: cannot run %s: %s\n", cmd[0], strerror(errno));
    _exit(127);
  }
  close(gate[0]);
  setpgid(top, top);
  long options = PTRACE_O_TRACEEXIT | PTRACE_O_EXITKILL | PTRACE_O_TRACEEXEC;
  if (trace_all)
    options |= PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE;
  int traced = ptrace(PTRACE_SEIZE, top, NULL, (void *)options) == 0;
  if (!traced) perror("treestat: ptrace (peak RSS of the top process unknown)");
  if (write(gate[1], "x", 1) != 1) { perror("write"); return 2; }
  close(gate[1]);

  if (limit > 0) {
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it;
    memset(&it, 0, sizeof(it));
    it.it_value.tv_sec = (time_t)limit;
    it.it_value.tv_usec = (suseconds_t)((limit - (time_t)limit) * 1e6);
    it.it_interval.tv_sec = 1;
    setitimer(ITIMER_REAL, &it, NULL);
  }

  long top_hwm = 0, other_hwm = 0, processes = 1;
  double top_cpu = -1, top_thread_cpu = 0;
  int schedstat_ok = trace_all;
  int top_status = -1, timed_out = 0;
  double wall = 0;
  for (;;) {
    int status;
    pid_t pid = waitpid(-1, &status, __WALL);
    if (pid < 0) {
      if (errno == EINTR) {
        if (alarm_fired) {
          /* Again every second (the timer repeats) for late children. */
          alarm_fired = 0;
          timed_out = 1;
          kill(-top, SIGKILL);
          kill(top, SIGKILL);
          for (size_t i = 0; i < known_count; ++i) {
            kill(-known[i], SIGKILL);
            kill(known[i], SIGKILL);
          }
        }
        continue;
      }
      break; /* ECHILD: everything reaped */
    }
    if (WIFSTOPPED(status)) {
      const int event = status >> 16;
      int inject = 0;
      if (event == PTRACE_EVENT_EXIT) {
        pid_t tgid;
        long hwm = read_hwm(pid, &tgid);
        if (tgid == top) {
          if (hwm > top_hwm) top_hwm = hwm;
          /* /proc/TGID/stat sums the live and dead threads of the group. */
          double cpu = read_cpu(top);
          if (cpu > top_cpu) top_cpu = cpu;
          double thread_cpu = read_schedstat(pid);
          if (thread_cpu < 0) schedstat_ok = 0;
          top_thread_cpu += thread_cpu;
        } else if (hwm > other_hwm) {
          other_hwm = hwm;
        }
      } else if (event == PTRACE_EVENT_FORK || event == PTRACE_EVENT_VFORK) {
        unsigned long child = 0;
        if (ptrace(PTRACE_GETEVENTMSG, pid, NULL, &child) == 0)
          remember((pid_t)child);
        processes++;
      } else if (event == 0) {
        inject = WSTOPSIG(status); /* signal-delivery stop: pass it on */
      } /* PTRACE_EVENT_STOP (new child or group stop), exec, clone: resume */
      ptrace(PTRACE_CONT, pid, NULL, (void *)(long)inject);
      continue;
    }
    forget(pid); /* exited: its pid may be reused, never signal it again */
    if (pid == top) {
      wall = now() - start;
      top_status = WIFEXITED(status) ? WEXITSTATUS(status)
                                     : 128 + WTERMSIG(status);
    }
  }
  if (wall == 0) wall = now() - start;

  struct rusage ru;
  getrusage(RUSAGE_CHILDREN, &ru);
  if (!trace_all) other_hwm = ru.ru_maxrss;
  if (schedstat_ok && top_cpu >= 0) top_cpu = top_thread_cpu;
  FILE *f = fopen(out, "w");
  if (!f) { perror(out); return 2; }
  fprintf(f,
          "{\"wall_s\": %.6f, \"user_s\": %.6f, \"sys_s\": %.6f, "
          "\"top_rss_kb\": %ld, \"top_cpu_s\": %.4f, \"child_rss_kb\": %ld, "
          "\"traced_all\": %d, "
          "\"processes\": %ld, \"status\": %d, \"timed_out\": %d, "
          "\"start_epoch\": %.6f}\n",
          wall, ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6,
          ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6,
          traced ? top_hwm : -1, top_cpu, other_hwm, trace_all,
          trace_all ? processes : -1, top_status, timed_out,
          epoch.tv_sec + epoch.tv_nsec / 1e9);
  fclose(f);
  return top_status < 0 ? 2 : top_status;
}
