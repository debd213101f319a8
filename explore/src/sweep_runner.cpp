#include "explore/sweep_runner.h"

#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <stdexcept>
#include <string>

#include "formats/error.h"

namespace mpsim {

namespace {

// What a worker writes to its pipe: one kDone byte per point, or on failure kUserError or
// kCrash followed by the message.
constexpr char kDone = '.';
constexpr char kUserError = 'E';
constexpr char kCrash = 'X';

void write_all(int fd, const std::string& s) {
  std::size_t done = 0;
  while (done < s.size()) {
    const auto n = ::write(fd, s.data() + done, s.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the parent is gone; nothing useful left to do
    done += static_cast<std::size_t>(n);
  }
}

std::string stopped_message(std::size_t n) {
  return "sweep stopped after " + std::to_string(n) +
         " points (MPSIM_SWEEP_STOP_AFTER); run the same command again to resume";
}

std::vector<PointResult> run_in_process(const std::vector<std::size_t>& pending,
                                        const std::function<PointResult(std::size_t)>& evaluate,
                                        const ResumeStore& store, const RunOptions& options,
                                        ProgressBar& progress) {
  ResultLog log(store.sidecar_path(), store.fingerprint(), false);
  std::vector<PointResult> results;
  for (auto index : pending) {
    if (options.stop_after && results.size() == options.stop_after)
      throw UserError(stopped_message(options.stop_after));
    results.push_back(evaluate(index));
    log.append(results.back());
    progress.advance();
  }
  return results;
}

// The body of worker `w`: never returns, never runs the parent's exit handlers or flushes its
// inherited stdio buffers (_exit).
[[noreturn]] void worker_main(int w, pid_t parent, int pipe_fd,
                              const std::vector<std::size_t>& mine,
                              const std::function<PointResult(std::size_t)>& evaluate,
                              const ResumeStore& store, const RunOptions& options) {
  // Stopped by SIGTERM, a worker just ends: not through a handler the parent installed (a test
  // framework's crash report, say).
  ::signal(SIGTERM, SIG_DFL);
  // Die with the parent (a killed sweep must not leave simulations running).
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (::getppid() != parent) ::_exit(1);
  int status = 0;
  try {
    ResultLog log(store.part_path(w), store.fingerprint(), true);
    std::size_t evaluated = 0;
    for (auto index : mine) {
      if (options.stop_after && evaluated == options.stop_after) break;
      log.append(evaluate(index));
      ++evaluated;
      write_all(pipe_fd, std::string(1, kDone));
    }
  } catch (const UserError& e) {
    write_all(pipe_fd, kUserError + std::string(e.what()));
    status = 2;
  } catch (const std::exception& e) {
    write_all(pipe_fd, kCrash + std::string(e.what()));
    status = 3;
  } catch (...) {
    write_all(pipe_fd, kCrash + std::string("unknown exception"));
    status = 3;
  }
  ::close(pipe_fd);
  ::_exit(status);
}

struct Worker {
  pid_t pid = -1;  // -1 once reaped
  int fd = -1;     // read end of its pipe; -1 at EOF
  std::string message;
  char failure = 0;
};

int reap(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

// Whatever ends run_forked (a failed fork or poll, a worker's error, an exception from the
// progress bar), no worker outlives it unreaped: those still running are stopped and waited for.
class Reaper {
 public:
  explicit Reaper(std::vector<Worker>& workers) : workers_(workers) {}
  Reaper(const Reaper&) = delete;
  Reaper& operator=(const Reaper&) = delete;
  ~Reaper() {
    for (auto& w : workers_) {
      if (w.fd >= 0) ::close(w.fd);
      w.fd = -1;
      if (w.pid > 0) {
        ::kill(w.pid, SIGTERM);
        reap(w.pid);
        w.pid = -1;
      }
    }
  }

 private:
  std::vector<Worker>& workers_;
};

std::vector<PointResult> run_forked(const std::vector<std::size_t>& pending,
                                    const std::function<PointResult(std::size_t)>& evaluate,
                                    const ResumeStore& store, const RunOptions& options,
                                    ProgressBar& progress) {
  const int n = static_cast<int>(std::min<std::size_t>(options.jobs, pending.size()));
  // Round-robin shares: neighbouring points (e.g. the fastest axis) spread over all workers.
  std::vector<std::vector<std::size_t>> shares(n);
  for (std::size_t i = 0; i < pending.size(); ++i)
    shares[i % n].push_back(pending[i]);

  // Buffered output would otherwise be written once by the parent and again by each child.
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  const pid_t parent = ::getpid();
  std::vector<Worker> workers(n);
  const Reaper reaper(workers);
  for (int w = 0; w < n; ++w) {
    int fds[2];
    if (::pipe(fds) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    const pid_t pid = ::fork();
    if (pid < 0) {
      const int err = errno;
      ::close(fds[0]);
      ::close(fds[1]);
      throw std::runtime_error(std::string("fork: ") + std::strerror(err));
    }
    if (pid == 0) {
      ::close(fds[0]);
      for (int v = 0; v < w; ++v)
        ::close(workers[v].fd);
      worker_main(w, parent, fds[1], shares[w], evaluate, store, options);
    }
    ::close(fds[1]);
    workers[w].pid = pid;
    workers[w].fd = fds[0];
  }

  bool killed = false;
  for (;;) {
    std::vector<pollfd> polls;
    std::vector<int> owner;
    for (int w = 0; w < n; ++w)
      if (workers[w].fd >= 0) {
        polls.push_back({workers[w].fd, POLLIN, 0});
        owner.push_back(w);
      }
    if (polls.empty()) break;
    if (::poll(polls.data(), polls.size(), -1) < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
    }
    for (std::size_t p = 0; p < polls.size(); ++p) {
      if (!(polls[p].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      Worker& wk = workers[owner[p]];
      char buf[512];
      const auto got = ::read(wk.fd, buf, sizeof buf);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        ::close(wk.fd);
        wk.fd = -1;
        continue;
      }
      for (ssize_t i = 0; i < got; ++i) {
        if (wk.failure) {
          wk.message += buf[i];
        } else if (buf[i] == kDone) {
          progress.advance();
        } else {
          wk.failure = buf[i];
        }
      }
      // One failure decides the outcome: stop the others instead of waiting for them (their
      // finished points are in their part files for a resume).
      if (wk.failure && !killed) {
        for (const auto& other : workers)
          if (other.pid != wk.pid) ::kill(other.pid, SIGTERM);
        killed = true;
      }
    }
  }

  // Every worker is reaped before any outcome is reported.
  std::vector<int> statuses(n);
  for (int w = 0; w < n; ++w) {
    statuses[w] = reap(workers[w].pid);
    workers[w].pid = -1;
  }
  std::string crash;
  for (int w = 0; w < n; ++w) {
    const int status = statuses[w];
    if (workers[w].failure == kUserError) throw UserError(workers[w].message);
    if (workers[w].failure == kCrash && crash.empty()) crash = workers[w].message;
    if (!killed && crash.empty() && WIFSIGNALED(status))
      crash = "sweep worker " + std::to_string(w + 1) + " died of signal " +
              std::to_string(WTERMSIG(status));
    else if (!killed && crash.empty() && WEXITSTATUS(status) != 0)
      crash = "sweep worker " + std::to_string(w + 1) + " exited with status " +
              std::to_string(WEXITSTATUS(status));
  }
  if (!crash.empty()) throw std::runtime_error(crash);

  auto results = store.read_parts(n);
  if (options.stop_after && results.size() < pending.size())
    throw UserError(stopped_message(options.stop_after));
  return results;
}

}  // namespace

std::vector<PointResult> run_points(const std::vector<std::size_t>& pending,
                                    const std::function<PointResult(std::size_t)>& evaluate,
                                    const ResumeStore& store, const RunOptions& options,
                                    ProgressBar& progress) {
  if (pending.empty()) return {};
  if (options.jobs <= 1) return run_in_process(pending, evaluate, store, options, progress);
  return run_forked(pending, evaluate, store, options, progress);
}

}  // namespace mpsim
