using Berth.Engine.Errors;
using Berth.Linux;

namespace Berth.Runtime.Cgroups;

/// <summary>Major/minor of a block device path (--device-read-bps /dev/sda), following symlinks as stat(2).</summary>
public static class BlockDevices
{
    public static (long Major, long Minor) Resolve(string path)
    {
        try
        {
            string target = File.ResolveLinkTarget(path, returnFinalTarget: true)?.FullName ?? path;
            FileStat st = FileSys.Lstat(target);
            return (st.RdevMajor, st.RdevMinor);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw DaemonException.InvalidParameter(Messages.BlkioDeviceStat(path, e.Message));
        }
    }
}
