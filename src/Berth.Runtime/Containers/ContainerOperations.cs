using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Berth.Engine.Containers;
using Berth.Engine.Errors;
using Berth.Engine.Images;
using Berth.Linux;
using Berth.Runtime.Cgroups;
using Berth.Runtime.Monitor;

namespace Berth.Runtime.Containers;

/// <summary>
/// <see cref="IContainerOperations"/> on cgroupfs (<see cref="ICgroupManager"/>), /proc, the
/// monitor's exec sessions and the layer store. `docker update` writes the cgroup files
/// directly instead of running `runc update`: no process per update, the same code for runc
/// and crun, and one cgroup layer shared with stats and pause. (runc's own state.json keeps the
/// create-time values; nothing reads them back, since berthd never runs `runc update`.)
/// </summary>
public sealed class ContainerOperations : IContainerOperations
{
    private const int StatsBufferSize = 64 * 1024;

    private readonly ICgroupManager _cgroups;
    private readonly RuntimeMonitors _monitors;
    private readonly ILayerStore _layers;
    private readonly string _exportDir;
    private readonly ulong _machineMemory;
    private readonly ConcurrentDictionary<int, string> _netDevPaths = new();

    private readonly Exec.ExecHelper? _execHelper;

    /// <param name="execHelper">berth-exec for health probes of runc containers; null runs them all through the runtime.</param>
    public ContainerOperations(ICgroupManager cgroups, RuntimeMonitors monitors, ILayerStore layers, string execRoot, long machineMemory,
        Exec.ExecHelper? execHelper = null)
    {
        _execHelper = execHelper;
        _cgroups = cgroups;
        _monitors = monitors;
        _layers = layers;
        _exportDir = Path.Combine(execRoot, "export");
        _machineMemory = machineMemory > 0 ? (ulong)machineMemory : ulong.MaxValue;
        Support = cgroups.ReadSupport() with { CpuCount = Environment.ProcessorCount };
        RootfsExport.RemoveLeftovers(_exportDir);
    }

    public ResourceSupport Support { get; }

    private static string CgroupOf(ContainerRecord record) =>
        record.Monitor?.ContainerCgroup ?? throw DaemonException.Conflict(Messages.ContainerNotRunning(record.Id));

    public void ApplyResources(ContainerRecord record) =>
        _cgroups.Apply(CgroupOf(record), CgroupResources.ForUpdate(record.HostConfig, BlockDevices.Resolve));

    public bool ReadStats(ContainerRecord record, StatsSample sample)
    {
        if (record.Monitor?.ContainerCgroup is not { } cgroup)
        {
            return false;
        }
        byte[] buffer = ArrayPool<byte>.Shared.Rent(StatsBufferSize);
        try
        {
            sample.Read = DateTimeOffset.UtcNow;
            if (!_cgroups.ReadStats(cgroup, sample, buffer))
            {
                return false;
            }
            // An unlimited cgroup reports a huge limit: dockerd shows the host's memory instead.
            if (sample.Memory.Limit > _machineMemory)
            {
                sample.Memory.Limit = _machineMemory;
            }
            // Sampled right after the container's counters so the CPU % has little noise.
            (ulong system, uint cpus) = StatParsers.ParseProcStat(CgroupIo.Read("/proc/stat", buffer));
            sample.Cpu.SystemUsage = system;
            sample.Cpu.OnlineCpus = cpus;
            // The init's view of /proc/net/dev is its network namespace, whatever set it up.
            // Host networking has no interfaces of its own (dockerd reports none there).
            if (record.HostConfig.NetworkMode != "host" && record.State.Pid > 0)
            {
                StatParsers.ParseNetDev(CgroupIo.Read(NetDevPath(record.State.Pid), buffer), sample);
            }
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private string NetDevPath(int pid)
    {
        if (_netDevPaths.Count > 4096)
        {
            _netDevPaths.Clear(); // pids of containers long gone
        }
        return _netDevPaths.GetOrAdd(pid, p => string.Create(CultureInfo.InvariantCulture, $"/proc/{p}/net/dev"));
    }

    public IReadOnlyList<int> ListPids(ContainerRecord record) => _cgroups.Pids(CgroupOf(record));

    public async Task<PsOutput> RunPsAsync(IReadOnlyList<string> args, CancellationToken cancellationToken = default)
    {
        var psi = new ProcessStartInfo("ps")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }
        Process process;
        try
        {
            process = Process.Start(psi) ?? throw DaemonException.System("ps: cannot start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw DaemonException.System("ps: " + e.Message, e);
        }
        using (process)
        {
            Task<string> stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            Task<string> stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            return new PsOutput(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
        }
    }

    public Task SetFrozenAsync(ContainerRecord record, bool frozen, CancellationToken cancellationToken = default) =>
        _cgroups.SetFrozenAsync(CgroupOf(record), frozen, cancellationToken);

    public long? OomKillCount(ContainerRecord record) =>
        record.Monitor?.ContainerCgroup is { } cgroup ? _cgroups.OomKillCount(cgroup) : null;

    public Task<ProbeOutcome> RunProbeAsync(ContainerRecord record, string execId, IReadOnlyList<string> command, TimeSpan timeout,
        CancellationToken cancellationToken = default)
    {
        MonitorHandle handle = record.Monitor ?? throw DaemonException.Conflict(Messages.ContainerNotRunning(record.Id));
        var container = new MonitoredContainer(record.Id, handle.BundleDir, handle.StateDir, handle.Pid, handle.ConmonPid,
            handle.ContainerCgroup, handle.MonitorCgroup);
        return ProbeRunner.RunAsync(_monitors.ForExisting(handle.Runtime), container, execId, command, timeout, cancellationToken,
            _execHelper, handle.Runtime);
    }

    public async Task ExportAsync(ContainerRecord record, bool running, Stream output, CancellationToken cancellationToken = default)
    {
        if (running && record.Monitor is { } handle)
        {
            await RootfsExport.WriteAsync(Path.Combine(handle.BundleDir, "rootfs"), output, cancellationToken).ConfigureAwait(false);
            return;
        }
        string target = Path.Combine(_exportDir, record.Id + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(target);
        try
        {
            MountSpec mount = _layers.ReadWriteMount(record.Id, target);
            Mounts.Mount(mount.Type, mount.Source, mount.Target, mount.Options);
            try
            {
                await RootfsExport.WriteAsync(target, output, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                Mounts.Unmount(target);
            }
        }
        finally
        {
            try
            {
                Directory.Delete(target);
            }
            catch (IOException)
            {
                // still mounted (a lazy unmount in progress): the next start removes it
            }
        }
    }
}
