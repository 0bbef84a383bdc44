using Berth.Linux.Netlink;
using Berth.Linux.Netns;

namespace Berth.Networking.Sandbox;

/// <summary>
/// Containers' network namespaces, pinned at &lt;exec-root&gt;/netns/&lt;container id&gt; (the
/// SandboxKey the OCI spec points runc at). berthd creates them itself, before runc runs, so
/// endpoints can be set up while `runc create` works, and connect/disconnect reach a running
/// container's namespace through the pin, also after a daemon restart.
/// </summary>
public sealed class NetnsSandboxes
{
    private readonly string _dir;

    public NetnsSandboxes(string execRoot)
    {
        _dir = Path.Combine(execRoot, "netns");
    }

    public string Root => _dir;

    public string PathFor(string containerId) => Path.Combine(_dir, containerId);

    /// <summary>True for a path this manager pins (as opposed to another container's /proc/PID/ns/net).</summary>
    public bool Owns(string sandboxKey) =>
        sandboxKey.Length > 0 && string.Equals(Path.GetDirectoryName(sandboxKey), _dir, StringComparison.Ordinal);

    /// <summary>
    /// A fresh namespace for the container with lo up; returns a netlink socket that works inside
    /// it (the caller disposes it). A pin left by a crash under the same id is replaced.
    /// </summary>
    public async Task<IRtNetlink> CreateAsync(string containerId)
    {
        Directory.CreateDirectory(_dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string path = PathFor(containerId);
        NetworkNamespaces.Remove(path);
        var netlink = await NetworkNamespaces.CreateAsync<IRtNetlink>(path, () => new RtNetlink()).ConfigureAwait(false);
        try
        {
            // A namespace that runc does not create itself gets no loopback from it.
            netlink.SetUp("lo");
            return netlink;
        }
        catch
        {
            netlink.Dispose();
            NetworkNamespaces.Remove(path);
            throw;
        }
    }

    /// <summary>A netlink socket inside an existing namespace (pinned or /proc/PID/ns/net).</summary>
    public Task<IRtNetlink> OpenAsync(string sandboxKey) =>
        NetworkNamespaces.RunInAsync<IRtNetlink>(sandboxKey, () => new RtNetlink());

    public void Remove(string containerId) => NetworkNamespaces.Remove(PathFor(containerId));

    /// <summary>Container ids that have a pin (for start-up reconciliation).</summary>
    public IReadOnlyList<string> List() =>
        Directory.Exists(_dir) ? [.. Directory.EnumerateFiles(_dir).Select(f => Path.GetFileName(f))] : [];
}
