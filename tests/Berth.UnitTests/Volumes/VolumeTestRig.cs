using Berth.Engine.Events;
using Berth.Engine.Volumes;
using Berth.Storage.Volumes;

namespace Berth.UnitTests.Volumes;

/// <summary>Records mount calls instead of making them; the mount table is a set of paths.</summary>
internal sealed class FakeMounter : IMounter
{
    public HashSet<string> Mounted { get; } = new(StringComparer.Ordinal);
    public List<string> Calls { get; } = [];
    public Exception? FailNextMount { get; set; }

    public void Mount(string device, string target, string fsType, string? options)
    {
        if (FailNextMount is { } e)
        {
            FailNextMount = null;
            throw e;
        }
        Calls.Add($"mount {device} {fsType} {options}");
        Assert.True(Mounted.Add(target), "mounted twice");
    }

    public void Unmount(string target)
    {
        Calls.Add("unmount");
        Mounted.Remove(target);
    }

    public bool IsMountPoint(string path) => Mounted.Contains(path);

    public bool FilesystemAvailable(string fsType) => fsType is "tmpfs" or "ext4";

    public IReadOnlyList<string> MountsUnder(string dir) =>
        Mounted.Where(m => m.StartsWith(dir + "/", StringComparison.Ordinal)).ToList();
}

/// <summary>A temp data-root, a real LocalVolumeStore on it, a fake mounter and an event bus.</summary>
internal sealed class VolumeTestRig : IDisposable
{
    private readonly string _parent;

    public VolumeTestRig()
    {
        _parent = Path.Combine(Path.GetTempPath(), "berth-voltest-" + Guid.NewGuid().ToString("N"));
        DataRoot = Path.Combine(_parent, "data");
        Service = NewService();
    }

    public string DataRoot { get; }
    public FakeMounter Mounter { get; } = new();
    public EventBus Events { get; } = new(TimeProvider.System);
    public VolumeService Service { get; private set; }

    /// <summary>A new service on the same disk state and mount table: a daemon restart.</summary>
    public VolumeService Restart()
    {
        Service.Dispose();
        Service = NewService();
        return Service;
    }

    public List<string> EventLog()
    {
        using var s = Events.Subscribe();
        return s.History.Where(e => e.Type == "volume").Select(e => $"{e.Action} {e.ActorId}").ToList();
    }

    private VolumeService NewService() =>
        new(new LocalVolumeStore(DataRoot, Mounter.MountsUnder), Mounter, Events, TimeProvider.System);

    public void Dispose()
    {
        Service.Dispose();
        if (Directory.Exists(_parent))
        {
            Directory.Delete(_parent, recursive: true);
        }
    }
}
