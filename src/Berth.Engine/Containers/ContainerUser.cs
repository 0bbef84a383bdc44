using System.Globalization;
using Berth.Linux;

namespace Berth.Engine.Containers;

/// <summary>
/// The uid/gid of a container's Config.User for docker cp -a (copyUIDGID): numbers as given, names
/// looked up in the container's /etc/passwd and /etc/group read through the root fd; root otherwise.
/// </summary>
internal static class ContainerUser
{
    public static (uint Uid, uint Gid) Resolve(int rootFd, string user)
    {
        if (user.Length == 0)
        {
            return (0, 0);
        }
        int colon = user.IndexOf(':', StringComparison.Ordinal);
        string u = colon < 0 ? user : user[..colon];
        string? g = colon < 0 ? null : user[(colon + 1)..];
        uint uid = 0, gid = 0;
        string[] passwd = ReadLines(rootFd, "etc/passwd");
        if (uint.TryParse(u, NumberStyles.None, CultureInfo.InvariantCulture, out uint n))
        {
            uid = n;
            gid = Find(passwd, 2, u) is { } row && uint.TryParse(row[3], CultureInfo.InvariantCulture, out uint pg) ? pg : 0;
        }
        else if (Find(passwd, 0, u) is { } row)
        {
            uid = uint.TryParse(row[2], CultureInfo.InvariantCulture, out uint pu) ? pu : 0;
            gid = uint.TryParse(row[3], CultureInfo.InvariantCulture, out uint pg) ? pg : 0;
        }
        if (g is not null)
        {
            if (uint.TryParse(g, NumberStyles.None, CultureInfo.InvariantCulture, out uint ng))
            {
                gid = ng;
            }
            else if (Find(ReadLines(rootFd, "etc/group"), 0, g) is { } grow && uint.TryParse(grow[2], CultureInfo.InvariantCulture, out uint gg))
            {
                gid = gg;
            }
        }
        return (uid, gid);
    }

    private static string[]? Find(string[] lines, int column, string value) =>
        lines.Select(l => l.Split(':')).FirstOrDefault(f => f.Length > 3 && f[column] == value);

    private static string[] ReadLines(int rootFd, string path)
    {
        int fd = FileSys.TryOpenInRoot(rootFd, path, FileSys.ORdonly);
        if (fd < 0)
        {
            return [];
        }
        using var handle = new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true);
        var buffer = new byte[256 * 1024];
        int n = RandomAccess.Read(handle, buffer, 0);
        return System.Text.Encoding.UTF8.GetString(buffer, 0, n).Split('\n');
    }
}
