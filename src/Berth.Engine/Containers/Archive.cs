using System.IO.Pipelines;
using Berth.Engine.Errors;
using Berth.Engine.Mounts;

namespace Berth.Engine.Containers;

/// <summary>
/// docker cp (moby daemon/archive*.go). Paths are resolved under the container's root fd
/// (see <see cref="IContainerFilesystem"/>): a running container through its own mount namespace,
/// a stopped one through a private mount of its rootfs with its binds and volumes bound in, held
/// under the container's gate so it cannot start meanwhile.
/// </summary>
public sealed partial class ContainerService : IContainerArchive
{
    public IContainerFilesystem? Filesystem { get; init; }

    public IContainerFileOps? Files { get; init; }

    private IContainerFileOps FileOps => Files ?? throw DaemonException.NotImplemented("container file access is not configured");

    public async Task<PathStat> StatPathAsync(string reference, string path, CancellationToken cancellationToken = default)
    {
        RequirePath(path);
        Entry entry = Find(reference);
        await using var root = await EnterAsync(entry, cancellationToken).ConfigureAwait(false);
        return StatOrNotFound(root.Root.Fd, path, reference);
    }

    public async Task GetArchiveAsync(string reference, string path, Stream output, Func<PathStat, Task> onStat, CancellationToken cancellationToken = default)
    {
        RequirePath(path);
        Entry entry = Find(reference);
        await using var root = await EnterAsync(entry, cancellationToken).ConfigureAwait(false);
        PathStat stat = StatOrNotFound(root.Root.Fd, path, reference);
        await onStat(stat).ConfigureAwait(false);
        int fd = root.Root.Fd;
        await PumpAsync(stream => FileOps.WriteArchive(fd, path, stream, cancellationToken), output, cancellationToken).ConfigureAwait(false);
        Publish(entry.Record, "archive-path");
    }

    public async Task ExtractAsync(string reference, string path, Stream tar, bool noOverwriteDirNonDir, bool copyUidGid, CancellationToken cancellationToken = default)
    {
        RequirePath(path);
        Entry entry = Find(reference);
        await using var root = await EnterAsync(entry, cancellationToken).ConfigureAwait(false);
        int fd = root.Root.Fd;
        string directory;
        try
        {
            directory = FileOps.ResolveDirectory(fd, path);
        }
        catch (IOException e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw DaemonException.NotFound(Messages.ContainerFileNotFound(path, reference));
        }
        ContainerRecord record = entry.Record;
        MountPoint? mount = record.MountPoints.Where(m => Contains(m.Destination, directory)).MaxBy(m => m.Destination.Length);
        if (mount is { RW: false })
        {
            throw DaemonException.InvalidParameter(Messages.VolumeReadOnly);
        }
        if (mount is null && record.HostConfig.ReadonlyRootfs)
        {
            throw DaemonException.InvalidParameter(Messages.RootfsReadOnly);
        }
        (uint, uint)? chown = copyUidGid ? ContainerUser.Resolve(fd, record.Config.User) : null;
        var options = new ExtractOptions(noOverwriteDirNonDir, chown);
        await RunWithInputAsync(tar, stream => FileOps.Extract(fd, directory, stream, options, cancellationToken), cancellationToken).ConfigureAwait(false);
        Publish(record, "extract-to-dir");
    }

    private PathStat StatOrNotFound(int rootFd, string path, string reference)
    {
        try
        {
            return FileOps.Stat(rootFd, path);
        }
        catch (IOException e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw DaemonException.NotFound(Messages.ContainerFileNotFound(path, reference));
        }
    }

    private static void RequirePath(string path)
    {
        if (string.IsNullOrEmpty(path))
        {
            throw DaemonException.InvalidParameter("bad parameter: path cannot be empty");
        }
    }

    private static bool Contains(string destination, string path) =>
        path == destination || path.StartsWith(destination.TrimEnd('/') + "/", StringComparison.Ordinal);

    /// <summary>
    /// The container's root for one operation. A stopped container keeps its gate until disposed
    /// (its rootfs is mounted privately and it must not start on the same upper directory meanwhile).
    /// </summary>
    private async Task<HeldRoot> EnterAsync(Entry entry, CancellationToken cancellationToken)
    {
        IContainerFilesystem fs = Filesystem ?? throw DaemonException.NotImplemented("container file access is not configured");
        await entry.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ContainerRecord record = entry.Record;
            if (entry.RemovalInProgress || record.State.Status is ContainerStatus.Removing or ContainerStatus.Dead)
            {
                throw DaemonException.Conflict(Messages.RemovalInProgress(record.Id));
            }
            var mounts = record.MountPoints.Where(m => m.Type != MountTypes.Tmpfs).Select(m => (m, m.Source)).ToList();
            IContainerRoot root = await fs.OpenAsync(record, mounts, cancellationToken).ConfigureAwait(false);
            if (record.State.Running)
            {
                entry.Gate.Release(); // the running container's namespace is held by the fd; start/stop may proceed
                return new HeldRoot(root, null);
            }
            return new HeldRoot(root, entry.Gate);
        }
        catch
        {
            entry.Gate.Release();
            throw;
        }
    }

    /// <summary>
    /// Large segments for the archive pipes: the response gets one write (one HTTP chunk) per
    /// segment and the request body is read a segment at a time, so 4 KiB ones cost a syscall and
    /// a thread hand-off per 4 KiB of a multi-megabyte copy.
    /// </summary>
    private const int SegmentSize = 256 * 1024;

    private static PipeOptions ArchivePipeOptions => new(pauseWriterThreshold: 4 << 20, resumeWriterThreshold: 2 << 20,
        minimumSegmentSize: SegmentSize, useSynchronizationContext: false);

    /// <summary>Runs a synchronous tar writer on a worker thread and copies its output to <paramref name="output"/> asynchronously.</summary>
    private static async Task PumpAsync(Action<Stream> write, Stream output, CancellationToken cancellationToken)
    {
        var pipe = new Pipe(ArchivePipeOptions);
        Task producer = Task.Run(() =>
        {
            try
            {
                using (Stream stream = pipe.Writer.AsStream(leaveOpen: true))
                {
                    write(stream);
                }
                pipe.Writer.Complete();
            }
            catch (Exception e)
            {
                pipe.Writer.Complete(e);
                throw;
            }
        }, CancellationToken.None);
        try
        {
            await pipe.Reader.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await pipe.Reader.CompleteAsync().ConfigureAwait(false);
            try
            {
                await producer.ConfigureAwait(false);
            }
            catch (InvalidOperationException)
            {
                // the reader stopped first (client gone): the writer's failure is that, not news
            }
        }
    }

    /// <summary>
    /// Runs a synchronous tar reader on a worker thread over <paramref name="input"/>, which must
    /// allow synchronous reads (the API passes the request's body reader as a stream: no extra
    /// pipe, copy and thread hand-off per block of a large upload).
    /// </summary>
    private static Task RunWithInputAsync(Stream input, Action<Stream> work, CancellationToken cancellationToken) =>
        Task.Run(() => work(input), cancellationToken);

    private sealed class HeldRoot(IContainerRoot root, SemaphoreSlim? gate) : IAsyncDisposable
    {
        public IContainerRoot Root { get; } = root;

        public ValueTask DisposeAsync()
        {
            Root.Dispose();
            gate?.Release();
            return ValueTask.CompletedTask;
        }
    }
}
