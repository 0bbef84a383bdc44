using Berth.Engine.Errors;
using Berth.Engine.Events;
using Berth.Engine.Filters;
using Berth.Engine.State;
using Microsoft.Extensions.Logging;

namespace Berth.Engine.Volumes;

/// <summary>
/// <see cref="IVolumeService"/> over one <see cref="IVolumeStore"/> (the local driver, the only
/// one Berth has). All state changes run under one async lock: volume operations are rare and
/// short, and one lock makes "check users, then delete" atomic without per-name lock juggling.
/// </summary>
public sealed partial class VolumeService : IVolumeService, IDisposable
{
    private readonly IVolumeStore _store;
    private readonly IMounter _mounter;
    private readonly IEventBus _events;
    private readonly TimeProvider _time;
    private readonly ILogger? _log;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly Dictionary<string, Entry> _volumes = new(StringComparer.Ordinal);
    private int _pruneRunning;

    public VolumeService(IVolumeStore store, IMounter mounter, IEventBus events, TimeProvider time, ILogger? log = null)
    {
        _store = store;
        _mounter = mounter;
        _events = events;
        _time = time;
        _log = log;
        foreach (var record in store.LoadAll())
        {
            // Like dockerd's restoreIfMounted: an option volume still mounted from before a
            // restart is known as mounted, so the next Mount does not stack a second mount on it.
            bool mounted = LocalVolumeRules.NeedsMount(record.Options) && _mounter.IsMountPoint(store.DataPath(record.Name));
            _volumes[record.Name] = new Entry(record) { Mounted = mounted };
        }
    }

    public async Task<VolumeInfo> CreateAsync(VolumeCreateRequest request, CancellationToken cancellationToken = default)
    {
        string name = request.Name ?? "";
        var labels = request.Labels is null ? null : new Dictionary<string, string>(request.Labels, StringComparer.Ordinal);
        if (name.Length == 0)
        {
            name = IdGenerator.NewId();
            labels ??= new Dictionary<string, string>(StringComparer.Ordinal);
            labels[LocalVolumeRules.AnonymousLabel] = "";
        }
        string driver = string.IsNullOrEmpty(request.Driver) ? LocalVolumeRules.DriverName : request.Driver;
        if (driver != LocalVolumeRules.DriverName)
        {
            throw DaemonException.NotFound(Messages.VolumeOp("create", name, Messages.VolumeDriverNotFound(driver)));
        }
        await _lock.WaitAsync(cancellationToken);
        try
        {
            // dockerd returns an existing volume as it is: labels and options of the new request
            // are ignored, and no conflict is raised for the same driver.
            if (_volumes.TryGetValue(name, out var existing))
            {
                if (!string.IsNullOrEmpty(request.Reference))
                {
                    AddUser(existing, request.Reference);
                }
                return ToInfo(existing.Record);
            }
            string? invalid = LocalVolumeRules.ValidateName(name) ??
                LocalVolumeRules.ValidateOptions(request.DriverOpts, _mounter.FilesystemAvailable);
            if (invalid is not null)
            {
                throw DaemonException.InvalidParameter(Messages.VolumeOp("create", name, invalid));
            }
            var record = new VolumeRecord(
                name, driver, TruncateToSeconds(_time.GetUtcNow()), labels,
                request.DriverOpts is null ? null : new Dictionary<string, string>(request.DriverOpts, StringComparer.Ordinal),
                string.IsNullOrEmpty(request.Reference) ? [] : [request.Reference]);
            try
            {
                _store.Create(record);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw DaemonException.System(Messages.VolumeOp("create", name, e.Message), e);
            }
            _volumes[name] = new Entry(record);
            _events.Publish(EventTypes.Volume, "create", name, DriverAttributes(record));
            return ToInfo(record);
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task<VolumeInfo> GetAsync(string name, CancellationToken cancellationToken = default)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            return ToInfo(Find("get", name).Record);
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task<IReadOnlyList<VolumeInfo>> ListAsync(FilterArgs filters, CancellationToken cancellationToken = default)
    {
        var predicate = VolumeFilters.ForList(filters);
        await _lock.WaitAsync(cancellationToken);
        try
        {
            return _volumes.Values.Select(e => e.Record).Where(predicate)
                .OrderBy(r => r.Name, StringComparer.Ordinal).Select(ToInfo).ToList();
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task RemoveAsync(string name, bool force, CancellationToken cancellationToken = default)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            if (!_volumes.TryGetValue(name, out var entry))
            {
                // dockerd's WithPurgeOnError: forcing the removal of a missing volume succeeds.
                if (force)
                {
                    return;
                }
                throw DaemonException.NotFound(Messages.VolumeOp("get", name, Messages.NoSuchVolume));
            }
            RemoveLocked(entry);
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task<VolumePruneReport> PruneAsync(FilterArgs filters, CancellationToken cancellationToken = default)
    {
        var predicate = VolumeFilters.ForPrune(filters);
        if (Interlocked.Exchange(ref _pruneRunning, 1) == 1)
        {
            throw DaemonException.Conflict(Messages.VolumePruneRunning);
        }
        try
        {
            await _lock.WaitAsync(cancellationToken);
            var deleted = new List<string>();
            ulong reclaimed = 0;
            try
            {
                foreach (var entry in _volumes.Values.Where(e => predicate(e.Record)).OrderBy(e => e.Record.Name, StringComparer.Ordinal).ToList())
                {
                    if (cancellationToken.IsCancellationRequested)
                    {
                        break; // dockerd returns what it pruned so far
                    }
                    long size = SafeSize(entry.Record.Name, cancellationToken);
                    try
                    {
                        RemoveLocked(entry);
                    }
                    catch (DaemonException e)
                    {
                        _log?.LogWarning("Could not prune volume {Name}: {Error}", entry.Record.Name, e.Message);
                        continue;
                    }
                    reclaimed += (ulong)Math.Max(0, size);
                    deleted.Add(entry.Record.Name);
                }
            }
            finally
            {
                _lock.Release();
            }
            _events.Publish(EventTypes.Volume, "prune", "", new Dictionary<string, string>
            {
                ["reclaimed"] = reclaimed.ToString(System.Globalization.CultureInfo.InvariantCulture),
            });
            return new VolumePruneReport(deleted, reclaimed);
        }
        finally
        {
            Volatile.Write(ref _pruneRunning, 0);
        }
    }

    public async Task<IReadOnlyList<VolumeUsage>> GetUsageAsync(CancellationToken cancellationToken = default)
    {
        List<(VolumeRecord Record, int Users)> snapshot;
        await _lock.WaitAsync(cancellationToken);
        try
        {
            // moby LocalVolumesSize: option volumes are mounts of something else, not local data.
            snapshot = _volumes.Values
                .Where(e => e.Record.Driver == LocalVolumeRules.DriverName && (e.Record.Options is null || e.Record.Options.Count == 0))
                .OrderBy(e => e.Record.Name, StringComparer.Ordinal)
                .Select(e => (e.Record, e.Record.Users.Count)).ToList();
        }
        finally
        {
            _lock.Release();
        }
        // Walking directories can take long: outside the lock. A volume removed meanwhile reports -1,
        // as dockerd reports a size it could not determine.
        return snapshot.Select(s => new VolumeUsage(ToInfo(s.Record), SafeSize(s.Record.Name, cancellationToken), s.Users)).ToList();
    }

    private long SafeSize(string name, CancellationToken cancellationToken)
    {
        try
        {
            return _store.DataSize(name, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log?.LogWarning("Could not determine size of volume {Name}: {Error}", name, e.Message);
            return -1;
        }
    }

    private Entry Find(string op, string name) =>
        _volumes.TryGetValue(name, out var entry)
            ? entry
            : throw DaemonException.NotFound(Messages.VolumeOp(op, name, Messages.NoSuchVolume));

    public void Dispose() => _lock.Dispose();

    private VolumeInfo ToInfo(VolumeRecord r) =>
        new(r.Name, r.Driver, _store.DataPath(r.Name), r.CreatedAt, r.Labels, r.Options, LocalVolumeRules.Scope);

    private static Dictionary<string, string> DriverAttributes(VolumeRecord r) => new() { ["driver"] = r.Driver };

    /// <summary>CreatedAt is shown as RFC 3339 with seconds; storing seconds keeps it stable across restarts.</summary>
    private static DateTimeOffset TruncateToSeconds(DateTimeOffset t) =>
        new(t.Ticks - (t.Ticks % TimeSpan.TicksPerSecond), t.Offset);

    /// <summary>Per-volume state: the durable record plus the in-memory mount bookkeeping.</summary>
    private sealed class Entry(VolumeRecord record)
    {
        public VolumeRecord Record { get; set; } = record;

        /// <summary>Active mounts by reference; a count, because one container may mount a volume twice.</summary>
        public Dictionary<string, int> ActiveMounts { get; } = new(StringComparer.Ordinal);

        public bool Mounted { get; set; }
    }
}
