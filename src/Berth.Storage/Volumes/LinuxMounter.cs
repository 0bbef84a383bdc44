using Berth.Engine.Volumes;
using Berth.Linux;

namespace Berth.Storage.Volumes;

/// <summary><see cref="IMounter"/> on the real kernel (Berth.Linux holds the syscalls).</summary>
public sealed class LinuxMounter : IMounter
{
    public void Mount(string device, string target, string fsType, string? options) =>
        VolumeMounts.Mount(device, target, fsType, options);

    public void Unmount(string target) => VolumeMounts.Unmount(target);

    public bool IsMountPoint(string path) => VolumeMounts.IsMountPoint(path);

    public bool FilesystemAvailable(string fsType) => VolumeMounts.FilesystemAvailable(fsType);
}
