namespace Berth.Runtime.Security;

/// <summary>
/// The syscall names of Berth's default profile, grouped by what they are for. Names the
/// running libseccomp does not know (other architectures' calls, newer kernels) are skipped
/// by runc, so listing 32-bit and time64 variants is safe and keeps 32-bit binaries working.
/// </summary>
internal static class DefaultSeccompSyscalls
{
    private static readonly string[] FileIo =
    [
        "read", "write", "readv", "writev", "pread64", "pwrite64", "preadv", "pwritev", "preadv2", "pwritev2",
        "lseek", "_llseek", "open", "openat", "openat2", "close", "close_range", "creat", "dup", "dup2", "dup3",
        "pipe", "pipe2", "sendfile", "sendfile64", "splice", "tee", "vmsplice", "copy_file_range",
        "fsync", "fdatasync", "sync", "syncfs", "sync_file_range", "fallocate", "ftruncate", "ftruncate64",
        "truncate", "truncate64", "fadvise64", "fadvise64_64", "readahead", "fcntl", "fcntl64", "ioctl", "flock",
        "io_setup", "io_destroy", "io_submit", "io_cancel", "io_getevents", "io_pgetevents", "io_pgetevents_time64",
        "cachestat",
    ];

    private static readonly string[] FileMetadata =
    [
        "stat", "lstat", "fstat", "stat64", "lstat64", "fstat64", "newfstatat", "fstatat64", "statx",
        "statfs", "statfs64", "fstatfs", "fstatfs64", "access", "faccessat", "faccessat2",
        "chmod", "fchmod", "fchmodat", "fchmodat2", "chown", "fchown", "lchown", "fchownat", "chown32", "fchown32",
        "lchown32", "utime", "utimes", "futimesat", "utimensat", "utimensat_time64", "mkdir", "mkdirat", "rmdir",
        "rename", "renameat", "renameat2", "link", "linkat", "symlink", "symlinkat", "unlink", "unlinkat",
        "readlink", "readlinkat", "mknod", "mknodat", "getdents", "getdents64", "getcwd", "chdir",
        "fchdir", "umask", "getxattr", "lgetxattr", "fgetxattr", "getxattrat", "setxattr", "lsetxattr",
        "fsetxattr", "setxattrat", "listxattr", "llistxattr", "flistxattr", "listxattrat", "removexattr",
        "lremovexattr", "fremovexattr", "removexattrat", "inotify_init", "inotify_init1", "inotify_add_watch",
        "inotify_rm_watch", "fanotify_mark", "memfd_create", "memfd_secret",
        "listmount", "statmount", "file_getattr", "file_setattr", "name_to_handle_at",
    ];

    private static readonly string[] Memory =
    [
        "brk", "mmap", "mmap2", "munmap", "mremap", "mprotect", "pkey_mprotect", "pkey_alloc", "pkey_free",
        "madvise", "mincore", "mlock", "mlock2", "munlock", "mlockall", "munlockall", "msync",
        "remap_file_pages", "membarrier", "map_shadow_stack", "mseal",
        "futex", "futex_time64", "futex_waitv", "futex_wake", "futex_wait", "futex_requeue",
        "set_robust_list", "get_robust_list", "set_tid_address", "rseq", "uretprobe", "process_mrelease",
    ];

    private static readonly string[] Processes =
    [
        "fork", "vfork", "execve", "execveat", "exit", "exit_group", "wait4", "waitid", "waitpid",
        "getpid", "getppid", "gettid", "getpgid", "setpgid", "getpgrp", "getsid", "setsid",
        "getuid", "geteuid", "getgid", "getegid", "getuid32", "geteuid32", "getgid32", "getegid32",
        "setuid", "setgid", "setreuid", "setregid", "setresuid", "setresgid", "getresuid", "getresgid",
        "setfsuid", "setfsgid", "setuid32", "setgid32", "setreuid32", "setregid32", "setresuid32",
        "setresgid32", "getresuid32", "getresgid32", "setfsuid32", "setfsgid32", "getgroups", "setgroups",
        "getgroups32", "setgroups32", "capget", "capset", "prctl", "getpriority", "setpriority",
        "sched_yield", "sched_getaffinity", "sched_setaffinity", "sched_getparam", "sched_setparam",
        "sched_getscheduler", "sched_setscheduler", "sched_get_priority_max", "sched_get_priority_min",
        "sched_rr_get_interval", "sched_rr_get_interval_time64", "sched_getattr", "sched_setattr",
        "getrlimit", "setrlimit", "prlimit64", "ugetrlimit", "getrusage", "times", "kill", "tkill", "tgkill",
        "pidfd_open", "pidfd_send_signal", "uname", "sysinfo", "getrandom", "ioprio_get", "ioprio_set",
        "set_thread_area", "get_thread_area", "restart_syscall", "seccomp", "getcpu",
        "landlock_create_ruleset", "landlock_add_rule", "landlock_restrict_self",
    ];

    private static readonly string[] Signals =
    [
        "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "rt_sigpending", "rt_sigsuspend", "rt_sigtimedwait",
        "rt_sigtimedwait_time64", "rt_sigqueueinfo", "rt_tgsigqueueinfo", "sigprocmask",
        "sigreturn", "sigaltstack", "signalfd", "signalfd4", "pause", "alarm",
    ];

    private static readonly string[] Time =
    [
        "time", "gettimeofday", "clock_gettime", "clock_gettime64", "clock_getres", "clock_getres_time64",
        "clock_nanosleep", "clock_nanosleep_time64", "nanosleep", "getitimer", "setitimer", "timer_create",
        "timer_delete", "timer_settime", "timer_settime64", "timer_gettime", "timer_gettime64",
        "timer_getoverrun", "timerfd_create", "timerfd_settime", "timerfd_settime64", "timerfd_gettime",
        "timerfd_gettime64",
    ];

    private static readonly string[] Polling =
    [
        "select", "_newselect", "pselect6", "pselect6_time64", "poll", "ppoll", "ppoll_time64",
        "epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old", "epoll_wait", "epoll_wait_old",
        "epoll_pwait", "epoll_pwait2", "eventfd", "eventfd2",
    ];

    private static readonly string[] Ipc =
    [
        "shmget", "shmat", "shmdt", "shmctl", "semget", "semop", "semtimedop", "semtimedop_time64", "semctl",
        "msgget", "msgsnd", "msgrcv", "msgctl", "ipc", "mq_open", "mq_unlink", "mq_timedsend",
        "mq_timedsend_time64", "mq_timedreceive", "mq_timedreceive_time64", "mq_notify", "mq_getsetattr",
    ];

    /// <summary>socket itself is filtered by family in the profile.</summary>
    private static readonly string[] Network =
    [
        "socketpair", "bind", "listen", "accept", "accept4", "connect", "getsockname", "getpeername",
        "sendto", "recvfrom", "send", "recv", "sendmsg", "recvmsg", "sendmmsg", "recvmmsg", "recvmmsg_time64",
        "shutdown", "setsockopt", "getsockopt", "socketcall",
    ];

    public static readonly string[] Unconditional =
        [.. FileIo, .. FileMetadata, .. Memory, .. Processes, .. Signals, .. Time, .. Polling, .. Ipc, .. Network];

    /// <summary>
    /// Calls that are safe exactly when the container holds the capability the kernel checks
    /// for them (the capability is what makes them dangerous, not the call).
    /// </summary>
    public static readonly (string Cap, string[] Names)[] ByCapability =
    [
        ("CAP_SYS_ADMIN",
        [
            "bpf", "clone", "clone3", "unshare", "setns", "mount", "umount", "umount2", "mount_setattr",
            "move_mount", "open_tree", "fsopen", "fsconfig", "fsmount", "fspick", "fanotify_init",
            "lookup_dcookie", "perf_event_open", "quotactl", "quotactl_fd", "sethostname", "setdomainname",
            "syslog", "lsm_get_self_attr", "lsm_set_self_attr", "lsm_list_modules",
        ]),
        ("CAP_SYS_BOOT", ["reboot"]),
        ("CAP_SYS_CHROOT", ["chroot"]),
        ("CAP_SYS_MODULE", ["init_module", "finit_module", "delete_module"]),
        ("CAP_SYS_PACCT", ["acct"]),
        ("CAP_SYS_PTRACE", ["ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd", "process_madvise"]),
        ("CAP_SYS_RAWIO", ["iopl", "ioperm"]),
        ("CAP_SYS_TIME", ["settimeofday", "stime", "clock_settime", "clock_settime64", "adjtimex", "clock_adjtime", "clock_adjtime64"]),
        ("CAP_SYS_TTY_CONFIG", ["vhangup"]),
        ("CAP_SYS_NICE", ["get_mempolicy", "set_mempolicy", "set_mempolicy_home_node", "mbind", "migrate_pages", "move_pages"]),
        ("CAP_SYSLOG", ["syslog"]),
        ("CAP_BPF", ["bpf"]),
        ("CAP_PERFMON", ["perf_event_open"]),
        ("CAP_DAC_READ_SEARCH", ["open_by_handle_at"]),
    ];
}
