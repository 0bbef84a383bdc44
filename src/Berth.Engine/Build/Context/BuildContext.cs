using System.Diagnostics;
using System.Formats.Tar;
using System.Text;
using Berth.Engine.Errors;
using Berth.Engine.Images;

namespace Berth.Engine.Build.Context;

/// <summary>
/// The build context unpacked into a private directory. The body of POST /build is a tar (plain,
/// gzip, bzip2 or xz) or, as with <c>docker build - &lt; Dockerfile</c>, the Dockerfile itself.
/// Entries are written only below the root: names are cleaned and must stay inside, and an entry
/// may not pass through a symlink an earlier entry created (the directory starts empty, so those
/// are the only symlinks it can meet). Device files and FIFOs are skipped: COPY never needs them.
/// </summary>
public sealed class BuildContext : IDisposable
{
    private BuildContext(string root) => Root = root;

    public string Root { get; }

    public static async Task<BuildContext> ExtractAsync(Stream body, string root, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(root);
        var context = new BuildContext(root);
        try
        {
            var (stream, kind) = await Decompressor.OpenAsync(body, cancellationToken);
            await using (stream)
            {
                switch (kind)
                {
                    case CompressionKind.Bzip2:
                        await ExtractThroughAsync("bzip2", stream, root, cancellationToken);
                        break;
                    case CompressionKind.Xz:
                        await ExtractThroughAsync("xz", stream, root, cancellationToken);
                        break;
                    default:
                        await ExtractTarOrDockerfileAsync(stream, root, cancellationToken);
                        break;
                }
            }
            return context;
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>.NET has no bzip2 or xz; the distribution's decompressor runs as a filter.</summary>
    private static async Task ExtractThroughAsync(string tool, Stream compressed, string root, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(tool, "-dc") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start) ?? throw DaemonException.System($"cannot run {tool}");
        var feed = Task.Run(async () =>
        {
            try
            {
                await compressed.CopyToAsync(process.StandardInput.BaseStream, cancellationToken);
            }
            finally
            {
                process.StandardInput.Close();
            }
        }, cancellationToken);
        await ExtractTarAsync(process.StandardOutput.BaseStream, root, cancellationToken);
        await feed;
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw DaemonException.InvalidParameter($"failed to decompress the build context with {tool}");
        }
    }

    private static async Task ExtractTarOrDockerfileAsync(Stream stream, string root, CancellationToken cancellationToken)
    {
        // A tar has "ustar" at offset 257; anything else is taken as a bare Dockerfile.
        var head = new byte[512];
        int n = 0;
        while (n < head.Length)
        {
            int read = await stream.ReadAsync(head.AsMemory(n), cancellationToken);
            if (read == 0)
            {
                break;
            }
            n += read;
        }
        bool isTar = n == 512 && head.AsSpan(257, 5).SequenceEqual("ustar"u8);
        var whole = new PrefixedStream(head.AsMemory(0, n), stream);
        if (isTar)
        {
            await ExtractTarAsync(whole, root, cancellationToken);
            return;
        }
        await using var file = File.Create(Path.Combine(root, "Dockerfile"));
        await whole.CopyToAsync(file, cancellationToken);
    }

    private static async Task ExtractTarAsync(Stream tar, string root, CancellationToken cancellationToken)
    {
        var symlinks = new HashSet<string>(StringComparer.Ordinal);
        await using var reader = new TarReader(tar, leaveOpen: true);
        while (await reader.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
        {
            string name = CleanEntryName(entry.Name);
            if (name.Length == 0)
            {
                continue;
            }
            CheckNoSymlinkParent(name, symlinks);
            string target = Path.Combine(root, name);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            switch (entry.EntryType)
            {
                case TarEntryType.Directory:
                    Directory.CreateDirectory(target);
                    File.SetUnixFileMode(target, entry.Mode);
                    break;
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                    DeleteExisting(target);
                    await using (var file = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: false))
                    {
                        if (entry.DataStream is { } data)
                        {
                            await data.CopyToAsync(file, cancellationToken);
                        }
                    }
                    File.SetUnixFileMode(target, entry.Mode);
                    File.SetLastWriteTimeUtc(target, entry.ModificationTime.UtcDateTime);
                    break;
                case TarEntryType.SymbolicLink:
                    DeleteExisting(target);
                    File.CreateSymbolicLink(target, entry.LinkName);
                    symlinks.Add(name);
                    break;
                case TarEntryType.HardLink:
                    string source = CleanEntryName(entry.LinkName);
                    CheckNoSymlinkParent(source, symlinks);
                    if (source.Length == 0 || symlinks.Contains(source) || !File.Exists(Path.Combine(root, source)))
                    {
                        throw DaemonException.InvalidParameter($"invalid hardlink {entry.Name} -> {entry.LinkName} in the build context");
                    }
                    DeleteExisting(target);
                    File.Copy(Path.Combine(root, source), target);
                    break;
            }
        }
    }

    private static void DeleteExisting(string path)
    {
        if (File.Exists(path) || new FileInfo(path).LinkTarget is not null)
        {
            File.Delete(path);
        }
    }

    /// <summary>A relative, cleaned name; one that climbs out of the root is refused.</summary>
    internal static string CleanEntryName(string name)
    {
        string cleaned = DockerIgnore.CleanPath("/" + name).TrimStart('/');
        var raw = DockerIgnore.CleanPath(name);
        if (raw == ".." || raw.StartsWith("../", StringComparison.Ordinal))
        {
            throw DaemonException.InvalidParameter($"invalid path in the build context: {name}");
        }
        return cleaned;
    }

    private static void CheckNoSymlinkParent(string name, HashSet<string> symlinks)
    {
        var prefix = new StringBuilder();
        var parts = name.Split('/');
        for (int i = 0; i < parts.Length - 1; i++)
        {
            if (i > 0)
            {
                prefix.Append('/');
            }
            prefix.Append(parts[i]);
            if (symlinks.Contains(prefix.ToString()))
            {
                throw DaemonException.InvalidParameter($"invalid path in the build context: {name} passes through a symlink");
            }
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
