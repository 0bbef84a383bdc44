using System.Security.Cryptography;
using Berth.Engine.Containers;
using Berth.Engine.Errors;
using Berth.Engine.Images;
using Berth.Engine.Mounts;
using Berth.Linux;

namespace Berth.Runtime.Containers;

/// <summary>
/// <see cref="IContainerFilesystem"/>: a running container is entered through /proc/&lt;pid&gt;/root
/// — its own mount namespace, so volumes, binds and tmpfs are there exactly as the container sees
/// them, and resolution below that fd (RESOLVE_IN_ROOT) cannot leave it. A stopped container gets
/// its read-write layer mounted at a private directory under &lt;exec-root&gt;/cp, with its binds
/// and volumes bind-mounted onto targets that were themselves resolved inside that root.
/// </summary>
public sealed class ContainerRootAccess : IContainerFilesystem
{
    private const int OPath = 0x200000;
    private readonly ILayerStore _layers;
    private readonly string _dir;

    public ContainerRootAccess(ILayerStore layers, string execRoot)
    {
        _layers = layers;
        _dir = Path.Combine(execRoot, "cp");
    }

    public Task<IContainerRoot> OpenAsync(ContainerRecord record, IReadOnlyList<(MountPoint Mount, string HostPath)> mounts, CancellationToken cancellationToken = default)
    {
        if (record.State.Running && record.State.Pid > 0)
        {
            int fd = FileSys.OpenDirectory($"/proc/{record.State.Pid}/root");
            return Task.FromResult<IContainerRoot>(new Root(fd, []));
        }
        Directory.CreateDirectory(_dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string target = Path.Combine(_dir, record.Id + "-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)));
        Directory.CreateDirectory(target);
        var undo = new List<string>();
        int rootFd = -1;
        try
        {
            MountSpec spec = _layers.ReadWriteMount(record.Id, target);
            Mounts.Mount(spec.Type, spec.Source, spec.Target, spec.Options);
            undo.Add(target);
            rootFd = FileSys.OpenDirectory(target);
            foreach (var (mount, hostPath) in mounts.OrderBy(m => m.Mount.Destination.Count(c => c == '/')))
            {
                if (mount.Type == MountTypes.Tmpfs || !(File.Exists(hostPath) || Directory.Exists(hostPath)))
                {
                    continue; // a tmpfs exists only while the container runs
                }
                int targetFd = PrepareTarget(rootFd, mount.Destination, Directory.Exists(hostPath));
                try
                {
                    string procPath = $"/proc/self/fd/{targetFd}";
                    string bind = mount.NonRecursive ? "bind" : "rbind"; // as the container sees it
                    Mounts.Mount("bind", hostPath, procPath, mount.RW ? [bind] : [bind, "ro"]);
                    // Unmount by the path it really has: the fd's link target now names the mount point.
                    undo.Add(FileSys.ReadLink(procPath));
                }
                finally
                {
                    FileSys.Close(targetFd);
                }
            }
            return Task.FromResult<IContainerRoot>(new Root(rootFd, undo, target));
        }
        catch
        {
            FileSys.Close(rootFd);
            Undo(undo, target);
            throw;
        }
    }

    /// <summary>
    /// commit's pause: cgroup v2 cgroup.freeze (or the v1 freezer), waiting until the kernel reports
    /// the cgroup frozen. A container whose cgroup cannot be found is committed unfrozen.
    /// </summary>
    public async Task<IDisposable> FreezeAsync(ContainerRecord record, CancellationToken cancellationToken = default)
    {
        string? cgroup = record.Monitor?.ContainerCgroup;
        if (cgroup is null)
        {
            return new Thaw(null, "", "");
        }
        string v2 = Path.Join(Cgroups.CgroupFs.DefaultRoot, cgroup);
        string v1 = Path.Join(Cgroups.CgroupFs.DefaultRoot, "freezer", cgroup);
        bool unified = File.Exists(Path.Combine(v2, "cgroup.freeze"));
        string file = unified ? Path.Combine(v2, "cgroup.freeze") : Path.Combine(v1, "freezer.state");
        string on = unified ? "1" : "FROZEN", off = unified ? "0" : "THAWED";
        Func<bool> frozen = unified
            ? () => File.ReadAllText(Path.Combine(v2, "cgroup.events")).Contains("frozen 1", StringComparison.Ordinal)
            : () => File.ReadAllText(file).Trim() == "FROZEN";
        if (!File.Exists(file))
        {
            return new Thaw(null, "", "");
        }
        await File.WriteAllTextAsync(file, on, cancellationToken).ConfigureAwait(false);
        for (int i = 0; i < 200 && !frozen(); i++)
        {
            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }
        return new Thaw(file, off, cgroup);
    }

    private sealed class Thaw(string? file, string off, string cgroup) : IDisposable
    {
        public void Dispose()
        {
            if (file is not null && File.Exists(file))
            {
                File.WriteAllText(file, off);
            }
            _ = cgroup;
        }
    }

    /// <summary>
    /// Opens (O_PATH) the mount target inside the root, creating missing directories (and an empty
    /// file for a file bind) with mkdirat in already-confined parents, as runc does at start.
    /// </summary>
    private static int PrepareTarget(int rootFd, string destination, bool directory)
    {
        string relative = destination.TrimStart('/');
        int fd = FileSys.TryOpenInRoot(rootFd, relative, OPath);
        if (fd >= 0)
        {
            return fd;
        }
        string[] parts = relative.Split('/', StringSplitOptions.RemoveEmptyEntries);
        int parent = FileSys.TryOpenInRoot(rootFd, ".", FileSys.ORdonly | FileSys.ODirectory);
        for (int i = 0; i < parts.Length; i++)
        {
            bool last = i == parts.Length - 1;
            if (!last || directory)
            {
                _ = FileSys.TryMkdirAt(parent, parts[i], 0x1ED);
            }
            else
            {
                FileSys.Close(FileSys.TryOpenAt(parent, parts[i], FileSys.OWronly | FileSys.OCreat | FileSys.ONofollow, 0x1A4));
            }
            int next = FileSys.TryOpenInRoot(rootFd, string.Join('/', parts, 0, i + 1), last ? OPath : FileSys.ORdonly | FileSys.ODirectory);
            FileSys.Close(parent);
            if (next < 0)
            {
                throw new ErrnoException($"prepare mount point {destination}", -next);
            }
            parent = next;
        }
        return parent;
    }

    private static void Undo(List<string> mounts, string? dir)
    {
        for (int i = mounts.Count - 1; i >= 0; i--)
        {
            try
            {
                Mounts.Unmount(mounts[i]);
            }
            catch (ErrnoException)
            {
                // unmounting the parent (detached if busy) takes the rest with it
            }
        }
        if (dir is not null)
        {
            try
            {
                Directory.Delete(dir);
            }
            catch (IOException)
            {
                // still busy: a leftover empty directory in exec-root (tmpfs) is harmless
            }
        }
    }

    private sealed class Root(int fd, List<string> mounts, string? dir = null) : IContainerRoot
    {
        private int _disposed;

        public int Fd { get; } = fd;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                FileSys.Close(Fd);
                Undo(mounts, dir);
            }
        }
    }
}
