using Berth.Engine.Configuration;
using Berth.Engine.Errors;

namespace Berth.Runtime.Monitor;

/// <summary>
/// One container monitor per configured OCI runtime, by runtime name. A container keeps the
/// name it was created with (its monitor handle carries it), and every later call for it —
/// start, kill, exec, probes, cleanup, recovery after a restart — goes through that runtime's
/// monitor, so the same binary and the same --root see it throughout.
/// </summary>
public sealed class RuntimeMonitors : IDisposable
{
    private readonly Dictionary<string, IContainerMonitor> _configured = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _missing = new(StringComparer.Ordinal);
    private readonly Func<string, IContainerMonitor?> _retired;
    private readonly Dictionary<string, IContainerMonitor?> _retiredByName = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <param name="runc">The stock runtime's monitor (also answers to containerd's name for runc).</param>
    /// <param name="retired">
    /// Makes a monitor for a runtime that is no longer configured but still has containers
    /// (created before a restart with another config), or null when it cannot. Such a runtime
    /// starts nothing new; it only lets those containers be stopped and cleaned up.
    /// </param>
    public RuntimeMonitors(IContainerMonitor runc, Func<string, IContainerMonitor?>? retired = null)
    {
        _configured[RuntimeNames.Runc] = runc;
        _configured[RuntimeNames.ContainerdRuncV2] = runc;
        _retired = retired ?? (_ => null);
    }

    /// <summary>Registers a configured runtime.</summary>
    public void Add(string name, IContainerMonitor monitor) => _configured[name] = monitor;

    /// <summary>Registers a configured runtime whose binary was not found: starting a container on it fails with dockerd's LookPath text.</summary>
    public void AddMissing(string name, string path) => _missing[name] = path;

    /// <summary>Every distinct monitor: configured ones, and retired ones made so far.</summary>
    public IReadOnlyList<IContainerMonitor> All
    {
        get
        {
            lock (_lock)
            {
                return [.. _configured.Values.Concat(_retiredByName.Values.OfType<IContainerMonitor>()).Distinct()];
            }
        }
    }

    /// <summary>The monitor that starts a container on <paramref name="name"/>: configured runtimes only (dockerd refuses others at start).</summary>
    public IContainerMonitor ForStart(string name)
    {
        if (_configured.TryGetValue(name, out IContainerMonitor? monitor))
        {
            return monitor;
        }
        if (_missing.TryGetValue(name, out string? path))
        {
            throw DaemonException.System(Messages.RuntimeNotFound(path));
        }
        throw DaemonException.InvalidParameter(Messages.UnknownRuntime(name));
    }

    /// <summary>
    /// The monitor of a container that was created on <paramref name="name"/> (null: records of
    /// berthd versions that only had runc). A runtime since removed from the config is still
    /// reached when it can be (<c>retired</c>), so its containers can be stopped.
    /// </summary>
    public IContainerMonitor ForExisting(string? name)
    {
        name ??= RuntimeNames.Runc;
        if (_configured.TryGetValue(name, out IContainerMonitor? monitor))
        {
            return monitor;
        }
        lock (_lock)
        {
            if (!_retiredByName.TryGetValue(name, out monitor))
            {
                monitor = _missing.ContainsKey(name) ? null : _retired(name);
                _retiredByName[name] = monitor;
            }
        }
        return monitor ?? throw DaemonException.InvalidParameter(Messages.UnknownRuntime(name));
    }

    public void Dispose()
    {
        foreach (IDisposable d in All.OfType<IDisposable>())
        {
            d.Dispose();
        }
    }
}
