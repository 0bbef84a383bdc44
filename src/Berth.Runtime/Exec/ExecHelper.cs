using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using Berth.Linux;
using Berth.Runtime.Cgroups;
using Berth.Runtime.Containers;
using Berth.Runtime.Security;
using Berth.Runtime.Spec;

namespace Berth.Runtime.Exec;

/// <summary>
/// Decides, per exec, whether berth-exec (native/berth-exec, installed beside berthd) runs it
/// instead of `runc exec`, and writes its plan. runc spends ~35 ms per exec on two Go start-ups
/// and a seccomp compilation; berth-exec takes ~3 ms and loads a program compiled here once per
/// distinct profile (kept under &lt;exec-root&gt;/seccomp). Anything it does not handle, or any
/// doubt (no cgroup, init gone, compilation refused), leaves the exec to runc.
/// </summary>
public sealed class ExecHelper
{
    /// <summary>Set to "off" to send every exec through the container's runtime.</summary>
    public const string SwitchVariable = "BERTH_EXEC_HELPER";
    public const string BinaryName = "berth-exec";

    /// <summary>Part of each compiled program's file name: a change to how programs are built must not reuse old files.</summary>
    private const string ProgramFormat = "v1";

    private readonly string _programDir;
    private readonly string _cgroupRoot;
    private readonly ConcurrentDictionary<string, Lazy<string?>> _programs = new(StringComparer.Ordinal);
    private string? _ownPidsProcs;

    public ExecHelper(string path, string execRoot, string cgroupRoot = CgroupFs.DefaultRoot)
    {
        Path = path;
        _programDir = System.IO.Path.Combine(execRoot, "seccomp");
        _cgroupRoot = cgroupRoot;
    }

    public string Path { get; }

    /// <summary>The helper beside the daemon's binary, unless missing or switched off.</summary>
    public static ExecHelper? Locate(string execRoot)
    {
        if (string.Equals(Environment.GetEnvironmentVariable(SwitchVariable), "off", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        string path = System.IO.Path.Combine(AppContext.BaseDirectory, BinaryName);
        return File.Exists(path) ? new ExecHelper(path, execRoot) : null;
    }

    /// <summary>
    /// Writes the plan into <paramref name="sessionDir"/> and returns true when berth-exec can
    /// run this exec; false leaves it to the runtime.
    /// </summary>
    public bool TryPrepare(string containerId, string? runtime, OciSpec container, OciProcess process, int initPid, string? containerCgroup,
        string sessionDir, string rootfs)
    {
        // runc containers only: crun execs fast by itself, and other runtimes keep their own semantics.
        if ((runtime ?? "runc") != "runc")
        {
            return false;
        }
        if (containerCgroup is null || ExecPlan.Unsupported(container, process) is not null
            || ProcessStates.StartTime(initPid) is not ulong startTime)
        {
            return false;
        }
        string? program = null;
        uint flags = 0;
        if (container.Linux!.Seccomp is { } seccomp)
        {
            program = ProgramFor(seccomp);
            flags = ExecPlan.SeccompFlags(seccomp.Flags) ?? 0;
            if (program is null)
            {
                return false;
            }
        }
        List<string> procs = [.. CgroupFs.Hierarchies(_cgroupRoot)
            .Select(h => System.IO.Path.Join(h, containerCgroup, "cgroup.procs"))
            .Where(File.Exists)];
        if (procs.Count == 0)
        {
            return false;
        }
        // runc's rule when the env has no HOME: the user's entry in the container's passwd, else "/".
        string? home = process.Env.Any(e => e.StartsWith("HOME=", StringComparison.Ordinal))
            ? null
            : UserResolver.Resolve(process.User.Uid.ToString(System.Globalization.CultureInfo.InvariantCulture),
                RootfsFiles.ReadConfined(rootfs, "/etc/passwd"), null).Home;
        WarmMigrationLock();
        byte[] plan = ExecPlan.Build(process, new ExecPlanTarget(containerId, initPid, startTime, procs, program, flags, home));
        Directory.CreateDirectory(sessionDir);
        File.WriteAllBytes(System.IO.Path.Combine(sessionDir, ExecPlan.FileName), plan);
        return true;
    }

    /// <summary>
    /// berth-exec's first cgroup.procs write waits for an RCU grace period (10-13 ms here) under the
    /// kernel's global threadgroup lock, unless another migration has just taken it. A no-op
    /// migration of the daemon into the cgroup it is already in, started now on a pool thread,
    /// starts that grace period while conmon and berth-exec start, so the helper finds it (mostly)
    /// over. Best effort: any failure only costs the wait it would have saved.
    /// </summary>
    private void WarmMigrationLock()
    {
        string? procs = _ownPidsProcs ??= OwnProcsFile(_cgroupRoot);
        if (procs.Length == 0)
        {
            return;
        }
        _ = Task.Run(() =>
        {
            try
            {
                File.WriteAllText(procs, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // nothing saved, nothing lost
            }
        });
    }

    /// <summary>The cgroup.procs of the daemon's own pids cgroup ("" when there is none, e.g. a cgroup2-only host).</summary>
    private static string OwnProcsFile(string cgroupRoot)
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/cgroup"))
            {
                string[] parts = line.Split(':', 3);
                if (parts.Length == 3 && parts[1] == "pids")
                {
                    string procs = System.IO.Path.Join(cgroupRoot, "pids", parts[2], "cgroup.procs");
                    return File.Exists(procs) ? procs : "";
                }
            }
        }
        catch (IOException)
        {
            // no /proc/self/cgroup: nothing to warm
        }
        return "";
    }

    /// <summary>The compiled program's path, compiled on first use; null when libseccomp cannot build it.</summary>
    private string? ProgramFor(OciSeccomp profile)
    {
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(profile, OciSpecJsonContext.Default.OciSeccomp);
        string key = ProgramFormat + "-" + Convert.ToHexStringLower(SHA256.HashData(json));
        return _programs.GetOrAdd(key, k => new Lazy<string?>(() => Compile(profile, k))).Value;
    }

    private string? Compile(OciSeccomp profile, string key)
    {
        string path = System.IO.Path.Combine(_programDir, key + ".bpf");
        if (File.Exists(path))
        {
            return path; // compiled by an earlier daemon run (the exec root outlives restarts)
        }
        Directory.CreateDirectory(_programDir);
        string temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            if (!SeccompBpf.TryCompile(profile, temp, out _))
            {
                return null;
            }
            File.Move(temp, path, overwrite: true);
            return path;
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
