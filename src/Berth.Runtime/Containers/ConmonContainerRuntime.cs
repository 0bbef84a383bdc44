using Berth.Engine.Containers;
using Berth.Engine.Containers.Logs;
using Berth.Engine.Errors;
using Berth.Engine.Images;
using Berth.Linux;
using Berth.Runtime.Logs;
using Berth.Runtime.Monitor;
using Berth.Runtime.Oci;
using Berth.Runtime.Spec;

namespace Berth.Runtime.Containers;

/// <summary>
/// <see cref="IContainerRuntime"/> on the layer store, the spec builder, conmon and runc. Per
/// container it owns &lt;exec-root&gt;/containers/&lt;id&gt;/: the bundle (config.json, rootfs
/// mount point, conmon's attach/ctl) and monitor/ (pid files, persisted exit and oom).
/// </summary>
public sealed class ConmonContainerRuntime : IContainerRuntime
{
    private readonly RuntimeMonitors _monitors;
    private readonly ILayerStore _layers;
    private readonly string _containersDir;
    private readonly string _execRoot;
    private readonly DaemonSpecDefaults _defaults;
    private readonly LogRotator _rotator = new();
    private readonly BackgroundDrops _drops = new();

    public ConmonContainerRuntime(RuntimeMonitors monitors, ILayerStore layers, string execRoot, DaemonSpecDefaults defaults)
    {
        _monitors = monitors;
        _layers = layers;
        _execRoot = execRoot;
        _containersDir = Path.Combine(execRoot, "containers");
        _defaults = defaults;
        Directory.CreateDirectory(_containersDir);
    }

    public string Name => _monitors.ForExisting(null).Runtime.Name;

    /// <summary>The daemon-wide spec defaults read from this host (bounding set, cgroup version, kernel).</summary>
    public static DaemonSpecDefaults HostDefaults()
    {
        string status = File.Exists("/proc/self/status") ? File.ReadAllText("/proc/self/status") : "";
        return new DaemonSpecDefaults
        {
            CapabilityBoundingSet = Security.Capabilities.FromProcStatus(status),
            CgroupV2 = HostFacts.CgroupVersion() == "2",
            KernelVersion = HostFacts.KernelVersion(),
            Architecture = HostFacts.GoArch(),
            InitPath = InitBinary.Find(),
            UnusableSeccompArchitectures = SyscallAbis.X32Supported() ? [] : ["SCMP_ARCH_X32"],
        };
    }

    private string BundleDir(string id) => Path.Combine(_containersDir, id);

    private string RootfsDir(string id) => Path.Combine(BundleDir(id), "rootfs");

    public async Task<MonitorHandle> CreateAsync(RuntimeStartContext context, CancellationToken cancellationToken = default)
    {
        ContainerRecord record = context.Container;
        string id = record.Id;
        try
        {
            await _drops.WhenDone(id).ConfigureAwait(false); // the previous run's runtime state
        }
        catch (Exception e) when (e is DaemonException or IOException)
        {
            // `runtime create` reports what is still in the way
        }
        string bundle = BundleDir(id);
        string rootfs = RootfsDir(id);
        string stateDir = Path.Combine(bundle, "monitor");
        string runtimeName = record.HostConfig.Runtime;
        IContainerMonitor monitor = _monitors.ForStart(runtimeName); // before anything exists: an unknown runtime changes nothing
        // Before anything exists: bad option values fail the start as dockerd's logger does.
        (string? logPath, LogFileLimits logLimits) = ContainerLogFiles.For(record);
        Directory.CreateDirectory(bundle, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Directory.CreateDirectory(rootfs);
        Directory.CreateDirectory(stateDir);
        bool mounted = false;
        string monitorCgroup = context.CgroupParent.TrimEnd('/') + "/conmon-" + id;
        string? containerCgroup = null;
        try
        {
            MountSpec mount = _layers.ReadWriteMount(id, rootfs);
            Mounts.Mount(mount.Type, mount.Source, mount.Target, mount.Options);
            mounted = true;
            var paths = new SpecPaths
            {
                Rootfs = rootfs,
                HostnamePath = record.HostnamePath,
                HostsPath = record.HostsPath,
                ResolvConfPath = record.ResolvConfPath,
            };
            SpecInput input = SpecInputMapper.Map(record, context.CgroupParent, paths,
                RootfsFiles.ReadConfined(rootfs, "/etc/passwd"), RootfsFiles.ReadConfined(rootfs, "/etc/group"), _defaults) with { Mounts = context.Mounts };
            OciSpec spec = RuntimeSpecAdapter.Adapt(SpecBuilder.Build(input), monitor.Runtime is RuncRuntime r ? r.Traits : RuntimeTraits.Runc);
            await File.WriteAllBytesAsync(Path.Combine(bundle, "config.json"), OciSpecJson.Serialize(spec), cancellationToken).ConfigureAwait(false);
            containerCgroup = spec.Linux?.CgroupsPath;
            var options = new MonitorCreateOptions
            {
                Tty = record.Config.Tty,
                OpenStdin = record.Config.OpenStdin,
                StdinOnce = record.Config.StdinOnce,
                LogPath = logPath,
                // Out of berthd's cgroup before conmon forks, so containers survive a daemon stop.
                MonitorCgroup = monitorCgroup,
                ContainerCgroup = containerCgroup,
            };
            MonitoredContainer created = await monitor.CreateAsync(id, bundle, stateDir, options, cancellationToken).ConfigureAwait(false);
            if (logPath is not null)
            {
                ContainerLogFiles.SaveLimits(stateDir, logPath, logLimits);
                _rotator.Track(id, logPath, logLimits, () => monitor.ReopenLog(created));
            }
            return ToHandle(created, runtimeName);
        }
        catch
        {
            if (mounted)
            {
                Mounts.Unmount(rootfs);
            }
            TryDeleteBundle(id);
            // A failed create has no monitor to clean up after: its cgroups are ours to remove.
            await RemoveCgroupsAsync(monitorCgroup, containerCgroup).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The killed conmon leaves its cgroup a few ms after the kill: retry briefly while busy.</summary>
    private static async Task RemoveCgroupsAsync(string monitorCgroup, string? containerCgroup)
    {
        for (int attempt = 0; attempt < 40; attempt++)
        {
            if (containerCgroup is not null)
            {
                Cgroups.CgroupFs.Remove(containerCgroup, parents: 1);
            }
            Cgroups.CgroupFs.Remove(monitorCgroup, parents: 1);
            if (!Cgroups.CgroupFs.Hierarchies().Any(h => Directory.Exists(Path.Join(h, monitorCgroup))))
            {
                return;
            }
            await Task.Delay(25).ConfigureAwait(false);
        }
    }

    public async Task<IContainerStreams> AttachAsync(MonitorHandle handle, string id, CancellationToken cancellationToken = default) =>
        new ContainerStreams(await _monitors.ForExisting(handle.Runtime).AttachAsync(ToMonitored(handle, id), cancellationToken: cancellationToken).ConfigureAwait(false));

    public Task StartAsync(MonitorHandle handle, string id, CancellationToken cancellationToken = default) =>
        _monitors.ForExisting(handle.Runtime).Runtime.StartAsync(id, handle.Pid, cancellationToken);

    public async Task<ExitInfo> WaitForExitAsync(MonitorHandle handle, string id, CancellationToken cancellationToken = default)
    {
        ContainerExit exit = await _monitors.ForExisting(handle.Runtime).WaitForExitAsync(ToMonitored(handle, id), cancellationToken).ConfigureAwait(false);
        return new ExitInfo(exit.ExitCode, exit.OomKilled, exit.FinishedAt);
    }

    public Task KillAsync(MonitorHandle? handle, string id, int signal, CancellationToken cancellationToken = default) =>
        _monitors.ForExisting(handle?.Runtime).Runtime.KillAsync(id, signal, all: false, cancellationToken);

    public Task CleanupAsync(MonitorHandle? handle, string id, CancellationToken cancellationToken = default)
    {
        _rotator.Untrack(id);
        // The rootfs now (the layer store may remove it next); the runtime's state of a stopped
        // container does not depend on it and is dropped in the background (WhenCleanedAsync).
        Mounts.Unmount(RootfsDir(id));
        _drops.Start(id, async () =>
        {
            if (handle is not null)
            {
                await _monitors.ForExisting(handle.Runtime).CleanupAsync(ToMonitored(handle, id), CancellationToken.None).ConfigureAwait(false);
            }
            else
            {
                await _monitors.ForExisting(null).Runtime.DeleteAsync(id, force: true, CancellationToken.None).ConfigureAwait(false);
            }
            TryDeleteBundle(id);
        });
        return Task.CompletedTask;
    }

    public Task WhenCleanedAsync(string id) => _drops.WhenDone(id);

    public Task WhenAllCleanedAsync() => _drops.WhenAllDone();

    public async Task<RecoveredContainer> RecoverAsync(MonitorHandle handle, string id, CancellationToken cancellationToken = default)
    {
        IContainerMonitor monitor = _monitors.ForExisting(handle.Runtime);
        ReattachResult result = await monitor.ReattachAsync(ToMonitored(handle, id), cancellationToken).ConfigureAwait(false);
        MonitorHandle found = ToHandle(result.Container, handle.Runtime);
        ExitInfo? exit = result.Exit is { } e ? new ExitInfo(e.ExitCode, e.OomKilled, e.FinishedAt) : null;
        if (result.Status == ReattachStatus.Running && ContainerLogFiles.LoadLimits(result.Container.StateDir) is { } saved)
        {
            MonitoredContainer running = result.Container;
            _rotator.Track(id, saved.Path, saved.Limits, () => monitor.ReopenLog(running));
        }
        return new RecoveredContainer(found, result.Status == ReattachStatus.Running, exit);
    }

    public async Task<IReadOnlyList<string>> RemoveLeftoversAsync(IReadOnlySet<string> keep, string cgroupParent, CancellationToken cancellationToken = default)
    {
        // Every runtime's state root: a container's runtime state is only in the root of the runtime it ran on.
        IOciRuntime[] runtimes = [.. _monitors.All.Select(m => m.Runtime).DistinctBy(r => r.Root)];
        var at = new RuntimeLocations(_execRoot, [.. runtimes.Select(r => r.Root)], cgroupParent);
        LeftoverPlan plan = LeftoverPlan.For(LeftoverSweeper.Scan(at), keep, at.ContainersDir);
        return plan.IsEmpty ? [] : await LeftoverSweeper.ExecuteAsync(plan, at, runtimes, cancellationToken).ConfigureAwait(false);
    }

    public void Resize(MonitorHandle handle, string id, int rows, int columns) =>
        _monitors.ForExisting(handle.Runtime).Resize(ToMonitored(handle, id), rows, columns);

    /// <summary>
    /// dockerd (daemon/start.go translateContainerdStartErr): the command not found → 127 (the
    /// message must name the command), permission denied → 126; anything else is no exit code.
    /// </summary>
    public int? ExitCodeForStartError(Exception error, string command) => ExitCodeFor(error.Message, command);

    public static int? ExitCodeFor(string message, string command)
    {
        string lower = message.ToLowerInvariant();
        if (lower.Contains(command.ToLowerInvariant(), StringComparison.Ordinal)
            && (lower.Contains("executable file not found", StringComparison.Ordinal) || lower.Contains("no such file or directory", StringComparison.Ordinal)))
        {
            return 127;
        }
        if (lower.Contains("permission denied", StringComparison.Ordinal))
        {
            return 126;
        }
        if (lower.Contains("not a directory", StringComparison.Ordinal))
        {
            return 127;
        }
        return null;
    }

    private void TryDeleteBundle(string id)
    {
        string bundle = BundleDir(id);
        if (IsMounted(RootfsDir(id)))
        {
            return; // never recurse into a mounted rootfs
        }
        try
        {
            if (Directory.Exists(bundle))
            {
                Directory.Delete(bundle, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // leftovers in exec-root (tmpfs) are harmless; the next start of this id recreates them
        }
    }

    /// <summary>True when <paramref name="target"/> is a mount point (/proc/self/mountinfo field 5, octal escapes undone).</summary>
    private static bool IsMounted(string target)
    {
        foreach (string line in File.ReadLines("/proc/self/mountinfo"))
        {
            string[] fields = line.Split(' ');
            if (fields.Length > 4 && fields[4].Replace("\\040", " ", StringComparison.Ordinal) == target)
            {
                return true;
            }
        }
        return false;
    }

    private static MonitoredContainer ToMonitored(MonitorHandle h, string id) =>
        new(id, h.BundleDir, h.StateDir, h.Pid, h.ConmonPid, h.ContainerCgroup, h.MonitorCgroup);

    private static MonitorHandle ToHandle(MonitoredContainer m, string? runtime) =>
        new(m.BundleDir, m.StateDir, m.Pid, m.ConmonPid, m.ContainerCgroup, m.MonitorCgroup, runtime);
}
