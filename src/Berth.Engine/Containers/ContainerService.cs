using Berth.Engine.Errors;
using Berth.Engine.Events;
using Berth.Engine.Images;
using Berth.Engine.State;
using Berth.Engine.SystemInfo;
using Microsoft.Extensions.Logging;

namespace Berth.Engine.Containers;

/// <summary>Daemon settings the container service reads.</summary>
public sealed record ContainerServiceOptions
{
    public required string DataRoot { get; init; }
    public required string CgroupParent { get; init; }
    /// <summary>dockerd's default stop timeout when neither the request nor the container sets one.</summary>
    public int DefaultStopTimeoutSeconds { get; init; } = 10;
    /// <summary>Host resolv.conf (dockerd copies it, minus localhost nameservers).</summary>
    public string HostResolvConf { get; init; } = "/etc/resolv.conf";
    /// <summary>The daemon's --dns servers.</summary>
    public IReadOnlyList<string> DefaultDns { get; init; } = [];
    /// <summary>log-driver / log-opts: what a container without its own LogConfig.Type gets.</summary>
    public LogSettings DefaultLogConfig { get; init; } = new();
    /// <summary>The runtimes containers may name, and the default for those that name none.</summary>
    public RuntimeChoice Runtimes { get; init; } = RuntimeChoice.RuncOnly;
}

/// <summary>
/// Containers: state machine, persistence, events, and the lifecycle on top of the runtime
/// layer (dockerd's daemon/{create,start,stop,kill,wait,delete,rename,restart,list,inspect}.go).
/// One operation per file. Every state change is written to SQLite first and becomes visible
/// in memory only after it committed; each container has its own async lock, and list/inspect
/// read immutable snapshots without taking it.
/// </summary>
public sealed partial class ContainerService : IContainerService, IImageUsage
{
    private readonly IContainerStore _store;
    private readonly INameRegistry _names;
    private readonly IImageService _images;
    private readonly ILayerStore _layers;
    private readonly IContainerRuntime _runtime;
    private readonly IEventBus _events;
    private readonly TimeProvider _time;
    private readonly ContainerServiceOptions _options;
    private readonly ILogger _log;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public ContainerService(IContainerStore store, INameRegistry names, IImageService images, ILayerStore layers,
        IContainerRuntime runtime, IEventBus events, TimeProvider time, ContainerServiceOptions options, ILogger log)
    {
        _store = store;
        _names = names;
        _images = images;
        _layers = layers;
        _runtime = runtime;
        _events = events;
        _time = time;
        _options = options;
        _log = log;
        foreach (var record in store.List())
        {
            _entries[record.Id] = new Entry(record);
        }
    }

    /// <summary>Volumes, binds and tmpfs of containers; set by the composition root.</summary>
    public Mounts.IContainerMounts Mounts { get; init; } = Berth.Engine.Mounts.NoContainerMounts.Instance;

    private string ContainersDir => Path.Combine(_options.DataRoot, "containers");

    /// <summary>Exec ids for inspect; set by the composition root once the exec service exists (it needs this service).</summary>
    public Exec.IExecIdSource? ExecIds { get; set; }

    /// <summary>One container's live bookkeeping; <see cref="Record"/> is the committed snapshot.</summary>
    private sealed partial class Entry
    {
        public Entry(ContainerRecord record)
        {
            Record = record;
        }

        public SemaphoreSlim Gate { get; } = new(1, 1);

        public volatile ContainerRecord Record;

        /// <summary>Completed (and replaced) at every exit: wait next-exit/not-running.</summary>
        public TaskCompletionSource<WaitResult> NextExit { get; set; } = NewWaiter();

        /// <summary>Completed when the container is gone: wait removed.</summary>
        public TaskCompletionSource<WaitResult> Removed { get; } = NewWaiter();

        /// <summary>Attach clients waiting for the next start (the CLI attaches before it starts).</summary>
        public List<PendingStreams> PendingAttaches { get; } = [];

        /// <summary>The exit watcher of the current run; shutdown waits for these.</summary>
        public Task? ExitWatch { get; set; }

        public bool RemovalInProgress { get; set; }

        public static TaskCompletionSource<WaitResult> NewWaiter() => new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private Entry Find(string reference)
    {
        string id = _names.Resolve(reference);
        lock (_lock)
        {
            return _entries.TryGetValue(id, out var entry)
                ? entry
                : throw DaemonException.NotFound(Messages.NoSuchObject("container", reference));
        }
    }

    public ContainerRecord Get(string reference) => Find(reference).Record;

    /// <summary>Writes the new record, then publishes it in memory (never the other way round).</summary>
    private ContainerRecord Commit(Entry entry, ContainerRecord next)
    {
        _store.Save(next);
        entry.Record = next;
        return next;
    }

    /// <summary>A state only this process needs to know: in memory, not written (see the caller for why that is safe).</summary>
    private static ContainerRecord Remember(Entry entry, ContainerRecord next)
    {
        entry.Record = next;
        return next;
    }

    private void Publish(ContainerRecord record, string action, Dictionary<string, string>? extra = null)
    {
        // moby LogContainerEventWithAttributes: labels, then image and name.
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in record.Config.Labels)
        {
            attributes[key] = value;
        }
        attributes["image"] = record.Config.Image;
        attributes["name"] = record.Name;
        if (extra is not null)
        {
            foreach (var (key, value) in extra)
            {
                attributes[key] = value;
            }
        }
        _events.Publish(EventTypes.Container, action, record.Id, attributes);
    }

    public ContainerCounts Counts()
    {
        int running = 0, paused = 0, stopped = 0;
        lock (_lock)
        {
            foreach (var entry in _entries.Values)
            {
                var state = entry.Record.State;
                if (state.Paused)
                {
                    paused++;
                }
                else if (state.Running)
                {
                    running++;
                }
                else
                {
                    stopped++;
                }
            }
        }
        return new ContainerCounts(running, paused, stopped);
    }

    public IReadOnlyList<ImageUser> UsersOf(Digest imageId)
    {
        string id = imageId.ToString();
        lock (_lock)
        {
            return [.. _entries.Values.Select(e => e.Record).Where(r => r.ImageId == id).Select(r => new ImageUser(r.Id, r.State.Running))];
        }
    }

    public IReadOnlySet<Digest> PinnedLayers()
    {
        var set = new HashSet<Digest>();
        lock (_lock)
        {
            foreach (var entry in _entries.Values)
            {
                if (entry.Record.TopChainId is { } chain)
                {
                    set.Add(Digest.Parse(chain));
                }
            }
        }
        return set;
    }

    private List<Entry> Snapshot()
    {
        lock (_lock)
        {
            return [.. _entries.Values];
        }
    }

    private static DaemonException NotRunning(string id) => DaemonException.Conflict(Messages.ContainerNotRunning(id));
}
