using Berth.Engine.Errors;

namespace Berth.Runtime.Spec;

/// <summary>A device node as it exists on the host.</summary>
public sealed record HostDevice(string Path, char Type, long Major, long Minor, uint FileMode, uint Uid, uint Gid);

/// <summary>Looks up host device nodes so the builder stays free of /dev access.</summary>
public interface IHostDeviceResolver
{
    /// <summary>The device at path, or every device under it when it is a directory.</summary>
    /// <exception cref="DaemonException">Not a device and no devices under it.</exception>
    IReadOnlyList<HostDevice> Resolve(string pathOnHost);

    /// <summary>Every device node under /dev, for privileged containers.</summary>
    IReadOnlyList<HostDevice> AllHostDevices();
}

/// <summary>
/// Path of another container's namespace for "container:&lt;id&gt;" modes, normally
/// /proc/&lt;pid&gt;/ns/&lt;type&gt; of its running init. Throws NotFound/Conflict as appropriate.
/// </summary>
public interface INamespacePathResolver
{
    /// <param name="containerRef">Name or id after "container:".</param>
    /// <param name="nsFile">"net", "ipc", "pid".</param>
    string ResolveNamespacePath(string containerRef, string nsFile);
}

internal sealed class NoHostDevices : IHostDeviceResolver
{
    public static readonly NoHostDevices Instance = new();

    public IReadOnlyList<HostDevice> Resolve(string pathOnHost) =>
        throw DaemonException.InvalidParameter(Messages.DeviceGatherFailed(pathOnHost, "no device resolver"));

    public IReadOnlyList<HostDevice> AllHostDevices() => [];
}

internal sealed class NoNamespacePaths : INamespacePathResolver
{
    public static readonly NoNamespacePaths Instance = new();

    public string ResolveNamespacePath(string containerRef, string nsFile) =>
        throw DaemonException.NotFound($"No such container: {containerRef}");
}
