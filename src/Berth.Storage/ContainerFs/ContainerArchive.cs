using System.Formats.Tar;
using Berth.Engine.Containers;
using Berth.Engine.Errors;
using Berth.Linux;

namespace Berth.Storage.ContainerFs;

/// <summary>GET/HEAD /archive: stat and tar of a path below a container root (moby container/archive, go-archive).</summary>
internal static class ContainerArchive
{
    private const uint GoModeDir = 1u << 31, GoModeSymlink = 1u << 27, GoModeDevice = 1u << 26, GoModeNamedPipe = 1u << 25;
    private const uint GoModeSocket = 1u << 24, GoModeSetuid = 1u << 23, GoModeSetgid = 1u << 22, GoModeCharDevice = 1u << 21, GoModeSticky = 1u << 20;

    /// <summary>moby's absolute path with a trailing "/" or "/." kept (they make the final component followed).</summary>
    public static string AbsolutePath(string path)
    {
        string clean = Engine.Mounts.MountParser.CleanPath("/" + path);
        if (path.EndsWith("/.", StringComparison.Ordinal) || path == ".")
        {
            return clean == "/" ? "/." : clean + "/.";
        }
        return path.EndsWith('/') && clean != "/" ? clean + "/" : clean;
    }

    private static bool FollowFinal(string absPath) => absPath.EndsWith('/') || absPath.EndsWith("/.", StringComparison.Ordinal);

    public static PathStat Stat(int rootFd, string path)
    {
        string absPath = AbsolutePath(path);
        string resolved = InScopePath.Resolve(rootFd, absPath, FollowFinal(absPath));
        FileStat st = LstatInRoot(rootFd, resolved) ?? throw new FileNotFoundException(path);
        string linkTarget = st.Type == FileSys.S_IFLNK ? InScopePath.Resolve(rootFd, resolved, followFinal: true) : "";
        return new PathStat(GoBase(absPath), (long)st.Size, GoMode(st),
            DateTimeOffset.FromUnixTimeSeconds(st.MtimeSeconds).AddTicks(st.MtimeNanoseconds / 100), linkTarget);
    }

    public static void Write(int rootFd, string path, Stream output, CancellationToken cancellationToken)
    {
        string absPath = AbsolutePath(path);
        string resolved = InScopePath.Resolve(rootFd, absPath, FollowFinal(absPath));
        string baseName = GoBase(absPath);
        string parentPath = resolved == "/" ? "/" : resolved[..resolved.LastIndexOf('/')];
        string name = resolved == "/" ? "." : resolved[(resolved.LastIndexOf('/') + 1)..];
        int parent = FileSys.TryOpenInRoot(rootFd, InScopePath.Relative(parentPath), FileSys.ORdonly | FileSys.ODirectory);
        if (parent < 0)
        {
            throw new FileNotFoundException(path);
        }
        using var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        var links = new Dictionary<(ulong, ulong, ulong), string>();
        try
        {
            FileStat st = FileSys.TryLstatAt(parent, name) ?? throw new FileNotFoundException(path);
            if (st.Type == FileSys.S_IFDIR)
            {
                int dir = FileSys.TryOpenAt(parent, name, FileSys.ORdonly | FileSys.ODirectory | FileSys.ONofollow);
                if (dir < 0)
                {
                    throw new ErrnoException($"open {path}", -dir);
                }
                try
                {
                    writer.WriteEntry(TarEntries.Header(TarEntryType.Directory, baseName + "/", st));
                    WriteChildren(dir, baseName + "/", writer, links, cancellationToken);
                }
                finally
                {
                    FileSys.Close(dir);
                }
            }
            else
            {
                TarEntries.WriteNonDirectory(writer, parent, name, baseName, st, links);
            }
        }
        finally
        {
            FileSys.Close(parent);
        }
    }

    private static void WriteChildren(int dirFd, string prefix, TarWriter writer, Dictionary<(ulong, ulong, ulong), string> links, CancellationToken cancellationToken)
    {
        foreach (string name in FdTree.Names(dirFd))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (FileSys.TryLstatAt(dirFd, name) is not { } st)
            {
                continue;
            }
            if (st.Type != FileSys.S_IFDIR)
            {
                TarEntries.WriteNonDirectory(writer, dirFd, name, prefix + name, st, links);
                continue;
            }
            int child = FileSys.TryOpenAt(dirFd, name, FileSys.ORdonly | FileSys.ODirectory | FileSys.ONofollow);
            if (child < 0)
            {
                continue; // replaced by something else meanwhile
            }
            try
            {
                writer.WriteEntry(TarEntries.Header(TarEntryType.Directory, prefix + name + "/", st));
                WriteChildren(child, prefix + name + "/", writer, links, cancellationToken);
            }
            finally
            {
                FileSys.Close(child);
            }
        }
    }

    /// <summary>lstat of a resolved path: the parent opened in the root, the name not followed.</summary>
    public static FileStat? LstatInRoot(int rootFd, string resolved)
    {
        if (resolved == "/")
        {
            return FileSys.TryLstatAt(rootFd, "");
        }
        int cut = resolved.LastIndexOf('/');
        int parent = FileSys.TryOpenInRoot(rootFd, InScopePath.Relative(resolved[..cut]), FileSys.ORdonly | FileSys.ODirectory);
        if (parent < 0)
        {
            return null;
        }
        try
        {
            return FileSys.TryLstatAt(parent, resolved[(cut + 1)..]);
        }
        finally
        {
            FileSys.Close(parent);
        }
    }

    /// <summary>Go's filepath.Base.</summary>
    private static string GoBase(string path)
    {
        string trimmed = path.TrimEnd('/');
        if (trimmed.Length == 0)
        {
            return "/";
        }
        return trimmed[(trimmed.LastIndexOf('/') + 1)..];
    }

    /// <summary>Go's os.FileMode from st_mode.</summary>
    public static uint GoMode(FileStat st)
    {
        uint mode = st.Mode & 0x1FF;
        mode |= st.Type switch
        {
            FileSys.S_IFDIR => GoModeDir,
            FileSys.S_IFLNK => GoModeSymlink,
            FileSys.S_IFIFO => GoModeNamedPipe,
            FileSys.S_IFSOCK => GoModeSocket,
            FileSys.S_IFBLK => GoModeDevice,
            FileSys.S_IFCHR => GoModeDevice | GoModeCharDevice,
            _ => 0,
        };
        if ((st.Mode & 0x800) != 0) { mode |= GoModeSetuid; }
        if ((st.Mode & 0x400) != 0) { mode |= GoModeSetgid; }
        if ((st.Mode & 0x200) != 0) { mode |= GoModeSticky; }
        return mode;
    }

    internal static DaemonException NotADirectory() => DaemonException.InvalidParameter(Messages.ExtractionPointNotDirectory);
}
