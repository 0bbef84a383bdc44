/*
 * berth-exec: runs one process inside a running container, in place of `runc exec`, for the
 * exec sessions berthd judges plain enough (no terminal, no user namespace, no LSM label).
 *
 * Why: `runc exec` starts two Go programs and compiles the seccomp profile every time (about
 * 35 ms here); this does the same steps from a plan berthd wrote (about 3 ms), loading a
 * seccomp program berthd compiled once. conmon runs it exactly as it runs the runtime:
 *
 *   berth-exec [global options] exec --pid-file F --process P [--detach] CONTAINER-ID
 *
 * and reads the plan from exec.plan beside P: NUL-separated "key", "value" pairs (see
 * Berth.Runtime/Exec/ExecPlan.cs). The order of the steps follows runc's setns init: join the
 * cgroups, the namespaces and the session keyring; set rlimits, OOM score, umask,
 * no_new_privs; drop the bounding set; change user keeping capabilities; set the capability
 * sets; look the program up in the process's PATH; load seccomp last when no_new_privs allows
 * it; execve. Errors read as runc's, since berthd and the docker CLI map them by their words.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_LIST 4096
#define START_ERROR "exec failed: unable to start container process: "

enum { CAP_B, CAP_E, CAP_P, CAP_I, CAP_A, CAP_SETS };

struct rlimit_entry { int resource; struct rlimit value; };

struct plan {
    pid_t pid;
    unsigned long long start_time;
    const char *cgroups[64];
    int ncgroups;
    int no_new_privs;
    const char *seccomp;
    unsigned int seccomp_flags;
    struct sock_fprog filter;
    uid_t uid;
    gid_t gid;
    gid_t groups[256];
    int ngroups;
    int has_umask;
    mode_t umask;
    uint64_t caps[CAP_SETS];
    struct rlimit_entry rlimits[32];
    int nrlimits;
    int has_oom;
    int oom;
    const char *cwd;
    char *argv[MAX_LIST];
    int argc;
    char *envp[MAX_LIST];
    int envc;
    const char *keyring;
};

static int error_fd = -1; /* the child's report pipe; -1 in the parent */

/* Reports an error the way runc does (a line on stderr; conmon hands it to berthd) and ends.
 * In the child the text goes up the pipe instead: the parent prints it. */
static void __attribute__((noreturn, format(printf, 1, 2))) fail(const char *format, ...)
{
    char text[2048];
    va_list args;
    va_start(args, format);
    int length = vsnprintf(text, sizeof text, format, args);
    va_end(args);
    if (length < 0) {
        length = 0;
    } else if ((size_t)length >= sizeof text) {
        length = sizeof text - 1;
    }
    if (error_fd >= 0) {
        ssize_t ignored = write(error_fd, text, (size_t)length);
        (void)ignored;
        _exit(1);
    }
    fprintf(stderr, "%s\n", text);
    exit(1);
}

/* Go prints errno texts in lower case ("no such file or directory"); so does runc. */
static const char *errno_text(int error)
{
    static char text[256];
    snprintf(text, sizeof text, "%s", strerror(error));
    if (text[0] >= 'A' && text[0] <= 'Z' && !(text[1] >= 'A' && text[1] <= 'Z')) {
        text[0] = (char)(text[0] - 'A' + 'a');
    }
    return text;
}

static char *read_file(const char *path, size_t *size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fail("open %s: %s", path, errno_text(errno));
    }
    size_t capacity = 65536, used = 0;
    char *data = malloc(capacity + 1);
    for (;;) {
        if (data == NULL) {
            fail("out of memory reading %s", path);
        }
        ssize_t n = read(fd, data + used, capacity - used);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            fail("read %s: %s", path, errno_text(errno));
        }
        if (n == 0) {
            break;
        }
        used += (size_t)n;
        if (used == capacity) {
            capacity *= 2;
            data = realloc(data, capacity + 1);
        }
    }
    close(fd);
    data[used] = '\0';
    *size = used;
    return data;
}

static unsigned long long number(const char *key, const char *text)
{
    char *end;
    errno = 0;
    unsigned long long value = strtoull(text, &end, 0);
    if (errno != 0 || end == text || *end != '\0') {
        fail("berth-exec: plan key %s has a bad number: %s", key, text);
    }
    return value;
}

static void parse_rlimit(struct plan *plan, char *text)
{
    if (plan->nrlimits == (int)(sizeof plan->rlimits / sizeof plan->rlimits[0])) {
        fail("berth-exec: too many rlimits in the plan");
    }
    char *soft = strchr(text, ' ');
    char *hard = soft ? strchr(soft + 1, ' ') : NULL;
    if (hard == NULL) {
        fail("berth-exec: bad rlimit in the plan: %s", text);
    }
    *soft++ = '\0';
    *hard++ = '\0';
    struct rlimit_entry *entry = &plan->rlimits[plan->nrlimits++];
    entry->resource = (int)number("rlimit", text);
    entry->value.rlim_cur = (rlim_t)number("rlimit", soft);
    entry->value.rlim_max = (rlim_t)number("rlimit", hard);
}

static void parse_plan(struct plan *plan, char *data, size_t size)
{
    char *cursor = data, *end = data + size;
    while (cursor < end) {
        char *key = cursor;
        cursor += strlen(cursor) + 1;
        if (cursor >= end) {
            fail("berth-exec: plan key %s has no value", key);
        }
        char *value = cursor;
        cursor += strlen(cursor) + 1;
        if (!strcmp(key, "pid")) {
            plan->pid = (pid_t)number(key, value);
        } else if (!strcmp(key, "start")) {
            plan->start_time = number(key, value);
        } else if (!strcmp(key, "cgroup")) {
            if (plan->ncgroups == (int)(sizeof plan->cgroups / sizeof plan->cgroups[0])) {
                fail("berth-exec: too many cgroups in the plan");
            }
            plan->cgroups[plan->ncgroups++] = value;
        } else if (!strcmp(key, "nnp")) {
            plan->no_new_privs = number(key, value) != 0;
        } else if (!strcmp(key, "seccomp")) {
            plan->seccomp = value;
        } else if (!strcmp(key, "seccomp-flags")) {
            plan->seccomp_flags = (unsigned int)number(key, value);
        } else if (!strcmp(key, "uid")) {
            plan->uid = (uid_t)number(key, value);
        } else if (!strcmp(key, "gid")) {
            plan->gid = (gid_t)number(key, value);
        } else if (!strcmp(key, "group")) {
            if (plan->ngroups == (int)(sizeof plan->groups / sizeof plan->groups[0])) {
                fail("berth-exec: too many groups in the plan");
            }
            plan->groups[plan->ngroups++] = (gid_t)number(key, value);
        } else if (!strcmp(key, "umask")) {
            plan->has_umask = 1;
            plan->umask = (mode_t)number(key, value);
        } else if (!strcmp(key, "cap-bounding")) {
            plan->caps[CAP_B] = number(key, value);
        } else if (!strcmp(key, "cap-effective")) {
            plan->caps[CAP_E] = number(key, value);
        } else if (!strcmp(key, "cap-permitted")) {
            plan->caps[CAP_P] = number(key, value);
        } else if (!strcmp(key, "cap-inheritable")) {
            plan->caps[CAP_I] = number(key, value);
        } else if (!strcmp(key, "cap-ambient")) {
            plan->caps[CAP_A] = number(key, value);
        } else if (!strcmp(key, "rlimit")) {
            parse_rlimit(plan, value);
        } else if (!strcmp(key, "oom")) {
            plan->has_oom = 1;
            plan->oom = (int)strtol(value, NULL, 10);
        } else if (!strcmp(key, "cwd")) {
            plan->cwd = value;
        } else if (!strcmp(key, "arg")) {
            if (plan->argc == MAX_LIST - 1) {
                fail("berth-exec: too many arguments");
            }
            plan->argv[plan->argc++] = value;
        } else if (!strcmp(key, "env")) {
            if (plan->envc == MAX_LIST - 1) {
                fail("berth-exec: too many environment variables");
            }
            plan->envp[plan->envc++] = value;
        } else if (!strcmp(key, "keyring")) {
            plan->keyring = value;
        } else {
            fail("berth-exec: unknown plan key %s", key);
        }
    }
    if (plan->pid <= 0 || plan->start_time == 0 || plan->cwd == NULL || plan->argc == 0) {
        fail("berth-exec: the plan lacks pid, start, cwd or arg");
    }
}

/* Field 22 of /proc/<pid>/stat: tells a recycled pid from the container's init. */
static unsigned long long process_start_time(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return 0;
    }
    char text[1024];
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n <= 0) {
        return 0;
    }
    text[n] = '\0';
    char *field = strrchr(text, ')');
    if (field == NULL) {
        return 0;
    }
    /* after ") " come fields 3, 4, ...; start time is field 22 */
    for (int index = 3; index <= 22 && field != NULL; index++) {
        field = strchr(field + 1, ' ');
    }
    return field ? strtoull(field + 1, NULL, 10) : 0;
}

static void join_cgroups(const struct plan *plan)
{
    for (int i = 0; i < plan->ncgroups; i++) {
        int fd = open(plan->cgroups[i], O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, "0", 1) != 1) {
            fail(START_ERROR "failed to join cgroup %s: %s", plan->cgroups[i], errno_text(errno));
        }
        close(fd);
    }
}

static void write_oom_score(const struct plan *plan)
{
    if (!plan->has_oom) {
        return;
    }
    char text[32];
    int length = snprintf(text, sizeof text, "%d", plan->oom);
    int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, text, (size_t)length) != length) {
        fail(START_ERROR "failed to set oom_score_adj: %s", errno_text(errno));
    }
    close(fd);
}

/* Read before setns: the program's file is on the host, out of the container's sight. */
static void read_seccomp(struct plan *plan)
{
    if (plan->seccomp == NULL) {
        return;
    }
    size_t size;
    char *program = read_file(plan->seccomp, &size);
    if (size == 0 || size % sizeof(struct sock_filter) != 0 || size / sizeof(struct sock_filter) > 0xffff) {
        fail(START_ERROR "bad seccomp program %s", plan->seccomp);
    }
    plan->filter.len = (unsigned short)(size / sizeof(struct sock_filter));
    plan->filter.filter = (struct sock_filter *)program;
}

static void load_seccomp(const struct plan *plan)
{
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, plan->seccomp_flags, &plan->filter) != 0) {
        fail(START_ERROR "error loading seccomp filter into kernel: %s", errno_text(errno));
    }
}

static void drop_bounding_set(const struct plan *plan)
{
    for (unsigned long cap = 0; cap < 64; cap++) {
        if (!(plan->caps[CAP_B] & (1ULL << cap)) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) {
            if (errno == EINVAL) {
                break; /* past the kernel's last capability */
            }
            fail(START_ERROR "unable to apply bounding set: %s", errno_text(errno));
        }
    }
}

static void apply_capability_sets(const struct plan *plan)
{
    struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
    struct __user_cap_data_struct data[2];
    for (int half = 0; half < 2; half++) {
        data[half].effective = (uint32_t)(plan->caps[CAP_E] >> (32 * half));
        data[half].permitted = (uint32_t)(plan->caps[CAP_P] >> (32 * half));
        data[half].inheritable = (uint32_t)(plan->caps[CAP_I] >> (32 * half));
    }
    if (syscall(SYS_capset, &header, data) != 0) {
        fail(START_ERROR "unable to apply caps: %s", errno_text(errno));
    }
    /* As runc: ambient capabilities are best effort (an old kernel lacks them). */
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    for (unsigned long cap = 0; cap < 64; cap++) {
        if (plan->caps[CAP_A] & (1ULL << cap)) {
            prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0);
        }
    }
}

/* Go's exec.findExecutable: a regular or other non-directory file with some execute bit. */
static int find_executable(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        return errno;
    }
    if (S_ISDIR(st.st_mode) || (st.st_mode & 0111) == 0) {
        return EACCES;
    }
    return 0;
}

/* Go's exec.LookPath over the process's own PATH, with its error texts. */
static const char *look_path(const struct plan *plan, char *buffer, size_t size)
{
    const char *file = plan->argv[0];
    if (strchr(file, '/') != NULL) {
        int error = find_executable(file);
        if (error == EACCES) {
            fail(START_ERROR "exec: \"%s\": permission denied", file);
        }
        if (error != 0) {
            fail(START_ERROR "exec: \"%s\": stat %s: %s", file, file, errno_text(error));
        }
        return file;
    }
    const char *path = "";
    for (int i = 0; i < plan->envc; i++) {
        if (!strncmp(plan->envp[i], "PATH=", 5)) {
            path = plan->envp[i] + 5;
        }
    }
    while (*path != '\0') {
        const char *colon = strchr(path, ':');
        size_t length = colon ? (size_t)(colon - path) : strlen(path);
        if (length == 0) {
            snprintf(buffer, size, "./%s", file);
        } else {
            snprintf(buffer, size, "%.*s/%s", (int)length, path, file);
        }
        if (find_executable(buffer) == 0) {
            if (buffer[0] != '/') {
                fail(START_ERROR "exec: \"%s\": cannot run executable found relative to current directory", file);
            }
            return buffer;
        }
        if (colon == NULL) {
            break;
        }
        path = colon + 1;
    }
    fail(START_ERROR "exec: \"%s\": executable file not found in $PATH", file);
}

static void __attribute__((noreturn)) run_child(const struct plan *plan)
{
    /* First of all, before any path is resolved in the container: no host descriptor (the pid
     * file's directory) may stay reachable, or a working dir of /proc/self/fd/N would lead out
     * (runc's CVE-2024-21626). Only stdio and the report pipe (O_CLOEXEC) remain. */
    if (error_fd > 3 && syscall(SYS_close_range, 3, error_fd - 1, 0) != 0) {
        fail(START_ERROR "close_range: %s", errno_text(errno));
    }
    if (syscall(SYS_close_range, error_fd + 1, ~0U, 0) != 0) {
        fail(START_ERROR "close_range: %s", errno_text(errno));
    }
    if (setsid() < 0) {
        fail(START_ERROR "setsid failed: %s", errno_text(errno));
    }
    if (plan->keyring != NULL && syscall(SYS_keyctl, 1 /* KEYCTL_JOIN_SESSION_KEYRING */, plan->keyring) < 0 && errno != ENOSYS) {
        fail(START_ERROR "unable to join session keyring: %s", errno_text(errno));
    }
    for (int i = 0; i < plan->nrlimits; i++) {
        if (setrlimit(plan->rlimits[i].resource, &plan->rlimits[i].value) != 0) {
            fail(START_ERROR "error setting rlimit type %d: %s", plan->rlimits[i].resource, errno_text(errno));
        }
    }
    if (plan->has_umask) {
        umask(plan->umask);
    }
    if (plan->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        fail(START_ERROR "unable to set no_new_privs: %s", errno_text(errno));
    }
    /* Without no_new_privs, loading a filter needs CAP_SYS_ADMIN: before the capabilities go. */
    if (plan->seccomp != NULL && !plan->no_new_privs) {
        load_seccomp(plan);
    }
    drop_bounding_set(plan);
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) {
        fail(START_ERROR "unable to keep capabilities: %s", errno_text(errno));
    }
    /* As root first (a directory only root may enter), then again as the user if that failed. */
    int chdir_error = chdir(plan->cwd) == 0 ? 0 : errno;
    if (setgroups((size_t)plan->ngroups, plan->groups) != 0) {
        fail(START_ERROR "unable to set groups: %s", errno_text(errno));
    }
    if (setgid(plan->gid) != 0) {
        fail(START_ERROR "unable to set gid %u: %s", (unsigned)plan->gid, errno_text(errno));
    }
    if (setuid(plan->uid) != 0) {
        fail(START_ERROR "unable to set uid %u: %s", (unsigned)plan->uid, errno_text(errno));
    }
    if (chdir_error != 0 && chdir(plan->cwd) != 0) {
        fail(START_ERROR "chdir to cwd (\"%s\") set in config.json failed: %s", plan->cwd, errno_text(errno));
    }
    if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0) {
        fail(START_ERROR "unable to clear keep capabilities: %s", errno_text(errno));
    }
    apply_capability_sets(plan);
    static char found[4096];
    const char *program = look_path(plan, found, sizeof found);
    /* With the effective ids and capabilities, as execve judges (plain access() would drop the
     * capabilities of a non-root user, and a root dir of mode 000 would then refuse). */
    if (syscall(SYS_faccessat2, AT_FDCWD, program, X_OK, AT_EACCESS) != 0 && errno == EACCES) {
        fail(START_ERROR "exec %s: %s", program, errno_text(errno));
    }
    /* Last, so the program's own start-up is the first thing the filter judges. */
    if (plan->seccomp != NULL && plan->no_new_privs) {
        load_seccomp(plan);
    }
    execve(program, plan->argv, plan->envp);
    fail(START_ERROR "exec %s: %s", program, errno_text(errno));
}

/* The pid file's directory, opened before setns: its path means nothing in the container. */
static int open_pid_dir(const char *path, const char **name)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
    if (slash == path) {
        snprintf(dir, sizeof dir, "/");
    }
    *name = slash ? slash + 1 : path;
    int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        fail("berth-exec: pid file directory %s: %s", dir, errno_text(errno));
    }
    return fd;
}

/* Written whole then renamed, as runc does: conmon never reads half a number. */
static void write_pid_file(int dir_fd, const char *name, pid_t pid)
{
    char temp[512], text[32];
    snprintf(temp, sizeof temp, ".%s.tmp", name);
    int length = snprintf(text, sizeof text, "%d", (int)pid);
    int fd = openat(dir_fd, temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || write(fd, text, (size_t)length) != length || close(fd) != 0 || renameat(dir_fd, temp, dir_fd, name) != 0) {
        fail("berth-exec: writing pid file %s: %s", name, errno_text(errno));
    }
}

int main(int argc, char **argv)
{
    const char *pid_file = NULL, *process = NULL, *container_id = NULL;
    int i = 1;
    while (i < argc && strcmp(argv[i], "exec") != 0) {
        i++; /* global options (--root, --log-format=…): the plan says everything */
    }
    if (i == argc) {
        fail("berth-exec: only the exec command is supported");
    }
    for (i++; i < argc; i++) {
        const char *arg = argv[i];
        if (!strcmp(arg, "--pid-file") && i + 1 < argc) {
            pid_file = argv[++i];
        } else if (!strncmp(arg, "--pid-file=", 11)) {
            pid_file = arg + 11;
        } else if ((!strcmp(arg, "--process") || !strcmp(arg, "-p")) && i + 1 < argc) {
            process = argv[++i];
        } else if (!strncmp(arg, "--process=", 10)) {
            process = arg + 10;
        } else if (!strcmp(arg, "--detach") || !strcmp(arg, "-d")) {
            /* always detached: conmon reaps the process as its subreaper */
        } else if (arg[0] == '-') {
            fail("berth-exec: unsupported option %s (berthd uses runc for this exec)", arg);
        } else {
            container_id = arg;
        }
    }
    if (pid_file == NULL || process == NULL || container_id == NULL) {
        fail("berth-exec: usage: berth-exec exec --pid-file F --process P [--detach] ID");
    }

    char plan_path[4096];
    const char *slash = strrchr(process, '/');
    snprintf(plan_path, sizeof plan_path, "%.*sexec.plan", slash ? (int)(slash - process + 1) : 0, process);
    size_t size;
    char *data = read_file(plan_path, &size);
    static struct plan plan;
    parse_plan(&plan, data, size);
    read_seccomp(&plan);
    const char *pid_name;
    int pid_dir = open_pid_dir(pid_file, &pid_name);

    int pidfd = (int)syscall(SYS_pidfd_open, plan.pid, 0);
    if (pidfd < 0 || process_start_time(plan.pid) != plan.start_time) {
        fail("exec failed: container %s is not running", container_id);
    }
    write_oom_score(&plan);
    join_cgroups(&plan);
    if (setns(pidfd, CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWCGROUP) != 0) {
        if (errno == ESRCH) {
            fail("exec failed: container %s is not running", container_id);
        }
        fail(START_ERROR "setns: %s", errno_text(errno));
    }
    close(pidfd);

    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0) {
        fail("berth-exec: pipe: %s", errno_text(errno));
    }
    pid_t child = fork();
    if (child < 0) {
        fail(START_ERROR "fork: %s", errno_text(errno));
    }
    if (child == 0) {
        close(report[0]);
        error_fd = report[1];
        run_child(&plan);
    }
    close(report[1]);
    char text[2048];
    size_t used = 0;
    for (;;) {
        ssize_t n = read(report[0], text + used, sizeof text - 1 - used);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0 || (used += (size_t)n) == sizeof text - 1) {
            break;
        }
    }
    if (used > 0) {
        text[used] = '\0';
        waitpid(child, NULL, 0);
        fail("%s", text);
    }
    /* EOF without a word: the program is running (execve closed the pipe). */
    write_pid_file(pid_dir, pid_name, child);
    return 0;
}
