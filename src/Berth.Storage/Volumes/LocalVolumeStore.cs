using System.Text.Json;
using Berth.Engine.Volumes;
using Berth.Linux;

namespace Berth.Storage.Volumes;

/// <summary>
/// The local driver's disk layout, dockerd's: <c>&lt;data-root&gt;/volumes/&lt;name&gt;/_data</c>
/// (0755, the Mountpoint) under a 0701 volume directory, with <c>metadata.json</c> beside
/// <c>_data</c> instead of dockerd's bolt database.
///
/// Crash safety comes from renames: a volume is assembled in a dot-directory and renamed into
/// place; metadata is rewritten temp-then-rename; a removal first renames the volume to a
/// dot-directory. Volume names cannot start with '.', so dot-directories are always leftovers
/// of an interrupted operation and are deleted at start.
/// </summary>
public sealed class LocalVolumeStore : IVolumeStore
{
    public const string DataDirName = "_data";
    public const string MetadataFileName = "metadata.json";
    private const int MetadataVersion = 1;
    private const UnixFileMode VolumeDirMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherExecute;
    private const UnixFileMode DataDirMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
        UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private readonly Func<string, IReadOnlyList<string>> _mountsUnder;

    public LocalVolumeStore(string dataRoot)
        : this(dataRoot, VolumeMounts.MountPointsUnder)
    {
    }

    /// <summary>Tests pass their own mount table.</summary>
    internal LocalVolumeStore(string dataRoot, Func<string, IReadOnlyList<string>> mountsUnder)
    {
        _mountsUnder = mountsUnder;
        Root = Path.Combine(dataRoot, "volumes");
        // 0701 like dockerd: containers running as other users reach _data, but cannot list volumes.
        Directory.CreateDirectory(Root, VolumeDirMode);
        File.SetUnixFileMode(Root, VolumeDirMode);
    }

    public string Root { get; }

    public string DataPath(string name) => Path.Combine(Root, name, DataDirName);

    public IReadOnlyList<VolumeRecord> LoadAll()
    {
        var result = new List<VolumeRecord>();
        foreach (var dir in new DirectoryInfo(Root).EnumerateDirectories())
        {
            if (dir.Name.StartsWith('.'))
            {
                DeleteTree(dir.FullName);
                continue;
            }
            var metadata = Path.Combine(dir.FullName, MetadataFileName);
            if (File.Exists(metadata))
            {
                var file = JsonSerializer.Deserialize(File.ReadAllBytes(metadata), VolumeMetadataJsonContext.Default.VolumeMetadataFile)
                    ?? throw new InvalidDataException($"{metadata} is empty");
                Directory.CreateDirectory(Path.Combine(dir.FullName, DataDirName), DataDirMode);
                result.Add(new VolumeRecord(dir.Name, file.Driver, file.CreatedAt, file.Labels, file.Options, file.Users));
            }
            else if (Directory.Exists(Path.Combine(dir.FullName, DataDirName)))
            {
                // A volume directory copied from dockerd (or made by hand): data without metadata,
                // which dockerd also lists, with no labels or options.
                result.Add(new VolumeRecord(dir.Name, "local", new DateTimeOffset(dir.CreationTimeUtc), null, null, []));
            }
        }
        return result;
    }

    public void Create(VolumeRecord record)
    {
        string target = Path.Combine(Root, record.Name);
        string staging = Path.Combine(Root, ".new-" + Guid.NewGuid().ToString("N"));
        try
        {
            Directory.CreateDirectory(staging, VolumeDirMode);
            Directory.CreateDirectory(Path.Combine(staging, DataDirName), DataDirMode);
            // CreateDirectory applies the umask; the modes are part of the contract, so set them.
            File.SetUnixFileMode(staging, VolumeDirMode);
            File.SetUnixFileMode(Path.Combine(staging, DataDirName), DataDirMode);
            WriteMetadata(staging, record);
            DurableFiles.FsyncDirectory(staging);
            Directory.Move(staging, target);
        }
        catch
        {
            DeleteTree(staging);
            throw;
        }
        DurableFiles.FsyncDirectory(Root);
    }

    public void Update(VolumeRecord record) => WriteMetadata(Path.Combine(Root, record.Name), record);

    public void Delete(string name)
    {
        string dir = Path.Combine(Root, name);
        if (!Directory.Exists(dir))
        {
            return;
        }
        // Never delete through a mount: for a bind volume that would empty the host directory.
        var mounts = _mountsUnder(dir);
        if (mounts.Count > 0)
        {
            throw new IOException($"refusing to remove {dir}: still mounted at {string.Join(", ", mounts)}");
        }
        string trash = Path.Combine(Root, ".rm-" + Guid.NewGuid().ToString("N"));
        Directory.Move(dir, trash);
        DurableFiles.FsyncDirectory(Root);
        DeleteTree(trash);
    }

    public long DataSize(string name, CancellationToken cancellationToken = default)
    {
        var data = new DirectoryInfo(DataPath(name));
        return data.Exists ? SizeOf(data, cancellationToken) : 0;
    }

    /// <summary>
    /// Sum of lstat sizes (a symlink counts as itself, never its target), like moby's
    /// directory.Size. Hard links are counted once per name (.NET exposes no inode number).
    /// </summary>
    private static long SizeOf(DirectoryInfo dir, CancellationToken cancellationToken)
    {
        long total = 0;
        var pending = new Stack<DirectoryInfo>();
        pending.Push(dir);
        var options = new EnumerationOptions { IgnoreInaccessible = true, AttributesToSkip = 0, RecurseSubdirectories = false };
        while (pending.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var entry in pending.Pop().EnumerateFileSystemInfos("*", options))
            {
                if (entry.LinkTarget is { } target)
                {
                    total += System.Text.Encoding.UTF8.GetByteCount(target);
                }
                else if (entry is DirectoryInfo sub)
                {
                    pending.Push(sub);
                }
                else if (entry is FileInfo file)
                {
                    total += file.Length;
                }
            }
        }
        return total;
    }

    private static void WriteMetadata(string volumeDir, VolumeRecord record)
    {
        var file = new VolumeMetadataFile(
            MetadataVersion, record.Name, record.Driver, record.CreatedAt,
            record.Labels is null ? null : new Dictionary<string, string>(record.Labels),
            record.Options is null ? null : new Dictionary<string, string>(record.Options),
            [.. record.Users]);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(file, VolumeMetadataJsonContext.Default.VolumeMetadataFile);
        // 0600: options may hold credentials (cifs password=...).
        DurableFiles.WriteAtomic(Path.Combine(volumeDir, MetadataFileName), bytes, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    /// <summary>Recursive delete; .NET removes symlinks without following them.</summary>
    private static void DeleteTree(string path)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }
}
