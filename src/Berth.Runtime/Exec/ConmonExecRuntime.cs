using System.Globalization;
using System.Text.Json;
using Berth.Engine.Containers;
using Berth.Engine.Errors;
using Berth.Engine.Exec;
using Berth.Runtime.Cgroups;
using Berth.Runtime.Containers;
using Berth.Runtime.Monitor;
using Berth.Runtime.Spec;

namespace Berth.Runtime.Exec;

/// <summary>
/// <see cref="IExecRuntime"/> on conmon -e: the process object comes from the container's
/// config.json (what the container runs with) shaped by <see cref="ExecProcessBuilder"/>, and
/// each session gets &lt;exec-root&gt;/exec/&lt;exec id&gt;/ (process.json, conmon's attach/ctl,
/// its own exit dir), outside the bundle so a container cleanup never pulls it from under a
/// session that is still ending.
/// </summary>
public sealed class ConmonExecRuntime : IExecRuntime
{
    private readonly RuntimeMonitors _monitors;
    private readonly string _execRoot;
    private readonly DaemonSpecDefaults _defaults;
    private readonly ExecHelper? _helper;

    /// <param name="helper">berth-exec for the execs it can run; null sends all of them to the runtime.</param>
    public ConmonExecRuntime(RuntimeMonitors monitors, string execRoot, DaemonSpecDefaults defaults, ExecHelper? helper = null)
    {
        _monitors = monitors;
        _execRoot = execRoot;
        _defaults = defaults;
        _helper = helper;
        RemoveStaleSessions(Path.Combine(execRoot, "exec"));
    }

    public async Task<IExecProcess> StartAsync(ExecProcessRequest request, CancellationToken cancellationToken = default)
    {
        ContainerRecord container = request.Container;
        MonitorHandle handle = container.Monitor ?? throw DaemonException.Conflict(Messages.ContainerNotRunning(container.Id));
        OciSpec spec = await ReadContainerSpecAsync(handle.BundleDir, cancellationToken).ConfigureAwait(false);
        OciProcess template = spec.Process ?? throw DaemonException.System("container config.json has no process");
        string rootfs = Path.Combine(handle.BundleDir, "rootfs");
        bool resolveUser = request.User.Length > 0;
        var input = new ExecProcessInput
        {
            Args = request.Args,
            Env = request.Env,
            ContainerEnv = container.Config.Env ?? [],
            Hostname = container.Config.Hostname,
            Tty = request.Tty,
            User = request.User,
            WorkingDir = request.WorkingDir,
            Privileged = request.Privileged,
            ConsoleSize = request.ConsoleSize is ConsoleSize size ? (size.Height, size.Width) : null,
            PasswdText = resolveUser ? RootfsFiles.ReadConfined(rootfs, "/etc/passwd") : null,
            GroupText = resolveUser ? RootfsFiles.ReadConfined(rootfs, "/etc/group") : null,
            GroupAdd = NumericGroups(container.HostConfig.GroupAdd),
            CapabilityBoundingSet = _defaults.CapabilityBoundingSet,
        };
        OciProcess process = ExecProcessBuilder.Build(template, input);
        string json = JsonSerializer.Serialize(process, OciSpecJsonContext.Default.OciProcess);
        bool helped = _helper is not null
            && _helper.TryPrepare(container.Id, handle.Runtime, spec, process, handle.Pid, handle.ContainerCgroup, Path.Combine(_execRoot, "exec", request.ExecId), rootfs);

        // The monitor puts the session in <StateDir>/exec/<id>: the exec root keeps it short and apart.
        var monitored = new MonitoredContainer(container.Id, handle.BundleDir, _execRoot, handle.Pid, handle.ConmonPid,
            handle.ContainerCgroup, handle.MonitorCgroup);
        // The container's own runtime: exec must reach it in the state root it was created in.
        ExecSession session = await _monitors.ForExisting(handle.Runtime).ExecAsync(monitored, request.ExecId, new ExecOptions
        {
            ProcessJson = json,
            Tty = request.Tty,
            OpenStdin = request.OpenStdin,
            Attach = request.Attach,
            RuntimePath = helped ? _helper!.Path : null,
        }, cancellationToken).ConfigureAwait(false);
        string control = Path.Combine(_execRoot, "exec", request.ExecId, "ctl");
        return new ConmonExecProcess(session, control, AfterExitAsync(session, container.Id, handle));
    }

    /// <summary>The container's spec as written at its start (config.json in the bundle).</summary>
    private static async Task<OciSpec> ReadContainerSpecAsync(string bundleDir, CancellationToken cancellationToken)
    {
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(Path.Combine(bundleDir, "config.json"), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new DaemonException(ErrorKind.Conflict, "container bundle is gone: " + e.Message, e);
        }
        return OciSpecJson.Deserialize(bytes) ?? throw DaemonException.System("container config.json is empty");
    }

    /// <summary>
    /// Exec monitors live in the container's monitor cgroup. When the container ended first, its
    /// cleanup found that cgroup busy with this session's conmon: remove it once that is gone.
    /// </summary>
    private static async Task<int> AfterExitAsync(ExecSession session, string containerId, MonitorHandle handle)
    {
        int code = await session.ExitCode.ConfigureAwait(false);
        if (handle.MonitorCgroup is { } cgroup && !ConmonMonitor.IsMonitorAlive(handle.ConmonPid, containerId))
        {
            _ = RemoveCgroupWhenEmptyAsync(cgroup);
        }
        return code;
    }

    private static async Task RemoveCgroupWhenEmptyAsync(string cgroup)
    {
        // conmon exits a few ms after it reported the code; a restarted container's monitor keeps it busy for good.
        for (int attempt = 0; attempt < 40; attempt++)
        {
            CgroupFs.Remove(cgroup, parents: 1);
            if (!CgroupFs.Hierarchies().Any(h => Directory.Exists(Path.Join(h, cgroup))))
            {
                return;
            }
            await Task.Delay(25).ConfigureAwait(false);
        }
    }

    private static IReadOnlyList<uint> NumericGroups(IReadOnlyList<string>? groups) =>
        [.. (groups ?? []).Select(g => uint.TryParse(g, NumberStyles.None, CultureInfo.InvariantCulture, out uint gid) ? (uint?)gid : null).OfType<uint>()];

    /// <summary>Sessions of a previous daemon run: their records died with it (dockerd keeps execs in memory too).</summary>
    private static void RemoveStaleSessions(string dir)
    {
        if (!Directory.Exists(dir))
        {
            return;
        }
        foreach (string session in Directory.EnumerateDirectories(dir))
        {
            try
            {
                Directory.Delete(session, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // a live-restored session still running: its conmon holds files open; harmless on tmpfs
            }
        }
    }

    private sealed class ConmonExecProcess : IExecProcess
    {
        private readonly string _control;

        public ConmonExecProcess(ExecSession session, string control, Task<int> exited)
        {
            _control = control;
            Pid = session.Pid;
            Streams = session.Attachment is { } attachment ? new ContainerStreams(attachment) : null;
            Exited = exited;
        }

        public int Pid { get; }

        public IContainerStreams? Streams { get; }

        public Task<int> Exited { get; }

        public void Resize(int rows, int columns) => ConmonControl.Resize(_control, rows, columns);
    }
}
