using Berth.Linux;
using Microsoft.Win32.SafeHandles;

namespace Berth.Storage.ContainerFs;

/// <summary>
/// Copy-up of image content into a new volume (moby CopyImagePathContent): the source is read
/// through descriptors under the container root, the destination is the daemon's own volume
/// directory. Owners, modes and times are kept; the volume root takes the source directory's.
/// </summary>
internal static class TreeCopy
{
    public static void CopyIntoEmpty(int rootFd, string containerPath, string volumeDir)
    {
        int src = FileSys.TryOpenInRoot(rootFd, containerPath.TrimStart('/'), FileSys.ORdonly | FileSys.ODirectory);
        if (src < 0)
        {
            return; // nothing there (or not a directory): the volume stays empty
        }
        int dst = FileSys.OpenDirectory(volumeDir);
        try
        {
            if (FdTree.Names(dst).Count > 0)
            {
                return;
            }
            CopyChildren(src, dst);
            var st = FileSys.TryLstatAt(src, "")!.Value;
            FileSys.Fchown(dst, st.Uid, st.Gid);
            FileSys.Fchmod(dst, st.Mode & 0xFFF);
        }
        finally
        {
            FileSys.Close(src);
            FileSys.Close(dst);
        }
    }

    private static void CopyChildren(int src, int dst)
    {
        foreach (string name in FdTree.Names(src))
        {
            if (FileSys.TryLstatAt(src, name) is not { } st)
            {
                continue; // removed meanwhile
            }
            uint mode = st.Mode & 0xFFF;
            switch (st.Type)
            {
                case FileSys.S_IFDIR:
                    Check(FileSys.TryMkdirAt(dst, name, 0x1C0), name);
                    int childSrc = FdTree.OpenDirAt(src, name);
                    int childDst = FdTree.OpenDirAt(dst, name);
                    try
                    {
                        CopyChildren(childSrc, childDst);
                        FileSys.Fchown(childDst, st.Uid, st.Gid);
                        FileSys.Fchmod(childDst, mode);
                        FileSys.SetTimes(childDst, FdTree.AtimeNs(st), FdTree.MtimeNs(st));
                    }
                    finally
                    {
                        FileSys.Close(childSrc);
                        FileSys.Close(childDst);
                    }
                    break;
                case FileSys.S_IFREG:
                    using (SafeFileHandle input = FdTree.OpenFileAt(src, name))
                    {
                        int outFd = FileSys.TryOpenAt(dst, name, FileSys.OWronly | FileSys.OCreat | FileSys.OExcl | FileSys.ONofollow, 0x180);
                        Check(outFd < 0 ? -outFd : 0, name);
                        using var output = new SafeFileHandle(outFd, ownsHandle: true);
                        // Through RandomAccess: a FileStream would close the descriptors the metadata calls below still need.
                        var buffer = new byte[1 << 20];
                        long offset = 0;
                        int n;
                        while ((n = RandomAccess.Read(input, buffer, offset)) > 0)
                        {
                            RandomAccess.Write(output, buffer.AsSpan(0, n), offset);
                            offset += n;
                        }
                        FileSys.Fchown(outFd, st.Uid, st.Gid);
                        FileSys.Fchmod(outFd, mode);
                        FileSys.SetTimes(outFd, FdTree.AtimeNs(st), FdTree.MtimeNs(st));
                    }
                    break;
                case FileSys.S_IFLNK:
                    Check(FileSys.TrySymlinkAt(FdTree.ReadLinkAt(src, name), dst, name), name);
                    FileSys.FchownAt(dst, name, st.Uid, st.Gid);
                    FileSys.SetTimesAt(dst, name, FdTree.AtimeNs(st), FdTree.MtimeNs(st));
                    break;
                case FileSys.S_IFIFO or FileSys.S_IFCHR or FileSys.S_IFBLK:
                    Check(FileSys.TryMknodAt(dst, name, st.Type | mode, st.RdevMajor, st.RdevMinor), name);
                    FileSys.FchownAt(dst, name, st.Uid, st.Gid);
                    FileSys.FchmodAt(dst, name, mode);
                    break;
                default:
                    break; // sockets are not copied
            }
        }
    }

    private static void Check(int errno, string name)
    {
        if (errno != 0)
        {
            throw new ErrnoException($"copy {name}", errno);
        }
    }
}
