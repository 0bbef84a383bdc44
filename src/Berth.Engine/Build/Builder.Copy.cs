using System.Formats.Tar;
using System.Globalization;
using Berth.Engine.Build.Context;
using Berth.Engine.Build.Copy;
using Berth.Engine.Build.Dockerfile;
using Berth.Engine.Errors;
using Berth.Engine.Images;

namespace Berth.Engine.Build;

public sealed partial class Builder
{
    /// <summary>
    /// COPY/ADD: sources from the context or another stage/image, the destination resolved in the
    /// current image (relative to WORKDIR), one layer tar with the copied entries; ADD unpacks
    /// local archives into the destination.
    /// </summary>
    private async Task CopyAsync(StageState state, BuildStage? stage, CopyInstruction copy, CancellationToken cancellationToken)
    {
        string name = copy.IsAdd ? "ADD" : "COPY";
        var config = state.Config;
        LayeredView sourceTree = await SourceTreeAsync(copy, stage, cancellationToken);
        var rawSources = copy.Sources.Select(s => _vars.Expand(s, config)).ToList();
        if (copy.IsAdd && rawSources.Any(IsUrl))
        {
            throw DaemonException.InvalidParameter($"{name} failed: remote URLs are not supported by this builder: {rawSources.First(IsUrl)}");
        }
        var sources = CopySources.Find(sourceTree, rawSources, fromContext: copy.From is null, name);
        string dest = _vars.Expand(copy.Destination, config);
        bool destIsDir = dest.EndsWith('/') || dest is "." or "..";
        if (sources.Count > 1 && !destIsDir)
        {
            throw DaemonException.InvalidParameter($"When using {name} with more than one source file, the destination must be a directory and end with a /");
        }
        string destPath = DockerIgnore.CleanPath(dest.StartsWith('/') ? dest : (config.WorkingDir.Length == 0 ? "/" : config.WorkingDir) + "/" + dest);
        UnixFileMode? chmod = copy.Chmod is { } m ? ParseChmod(m) : null;

        var target = new LayeredView(state.Image.LayerDirs);
        var (uid, gid) = ResolveChown(copy.Chown is { } c ? _vars.Expand(c, config) : null, target);
        string hash = CopySources.Hash(sourceTree, sources);
        string createdBy = $"/bin/sh -c #(nop) {name} {hash} in {dest} ";
        string key = CacheKey(state.Image, createdBy, config, $"{copy.From}|{uid}:{gid}|{copy.Chmod}");
        if (await TryCacheAsync(state, key, config, cancellationToken))
        {
            return;
        }
        string tarPath = Path.Combine(_scratchDir, $"copy-{_step}.tar");
        await using (var file = File.Create(tarPath))
        await using (var tar = new TarWriter(file, TarEntryFormat.Pax, leaveOpen: true))
        {
            var writer = new CopyLayerWriter(target, tar, new CopyOwnership(uid, gid, chmod));
            foreach (var source in sources)
            {
                if (source.IsDirectory)
                {
                    writer.CopyDirectory(sourceTree, source.Path, destPath);
                    continue;
                }
                if (copy.IsAdd && await TryAddArchiveAsync(sourceTree, source, writer, tar, destPath, cancellationToken))
                {
                    continue;
                }
                bool intoDir = destIsDir || target.Lookup(target.Resolve(destPath, followFinal: true)).Kind == NodeKind.Directory;
                writer.CopyFile(sourceTree, source.Path, intoDir ? Join(destPath, source.Name) : destPath);
            }
        }
        await CommitTarAsync(state, tarPath, RunConfigs.Clone(config), createdBy, key, cancellationToken);
    }

    private async Task<LayeredView> SourceTreeAsync(CopyInstruction copy, BuildStage? stage, CancellationToken cancellationToken)
    {
        if (copy.From is null)
        {
            return new LayeredView([_contextRoot]);
        }
        string from = _vars.Expand(copy.From, null);
        int before = stage?.Index ?? _stageImages.Count;
        if (_plan.FindStage(from, before) is { } source)
        {
            return new LayeredView(_stageImages[source.Index].LayerDirs);
        }
        var image = _backend.FindImage(from) ?? await _backend.PullAsync(from, _options.Platform, _output, cancellationToken);
        return new LayeredView(image.LayerDirs);
    }

    /// <summary>ADD of a local tar (plain, gzip, bzip2, xz): its entries land under the destination directory.</summary>
    private static async Task<bool> TryAddArchiveAsync(LayeredView tree, CopySource source, CopyLayerWriter writer, TarWriter tar, string destDir, CancellationToken cancellationToken)
    {
        string host = tree.HostPath(source.Path)!;
        await using var file = File.OpenRead(host);
        var (stream, kind) = await Decompressor.OpenAsync(file, cancellationToken);
        if (kind is CompressionKind.Bzip2 or CompressionKind.Xz or CompressionKind.Zstd)
        {
            return false;
        }
        await using (stream)
        {
            var head = new byte[512];
            int n = await stream.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken);
            if (n < 512 || !head.AsSpan(257, 5).SequenceEqual("ustar"u8))
            {
                return false;
            }
        }
        string root = writer.EnsureDirectory(destDir);
        await using var again = File.OpenRead(host);
        var (body, _) = await Decompressor.OpenAsync(again, cancellationToken);
        await using var reader = new TarReader(body);
        while (await reader.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
        {
            string name = BuildContext.CleanEntryName(entry.Name);
            if (name.Length == 0 || entry.EntryType is TarEntryType.BlockDevice or TarEntryType.CharacterDevice or TarEntryType.Fifo)
            {
                continue;
            }
            var copy = new PaxTarEntry(entry.EntryType is TarEntryType.V7RegularFile ? TarEntryType.RegularFile : entry.EntryType, Join(root, name).TrimStart('/'))
            {
                Mode = entry.Mode,
                Uid = entry.Uid,
                Gid = entry.Gid,
                ModificationTime = entry.ModificationTime,
                DataStream = entry.DataStream,
            };
            if (entry.EntryType is TarEntryType.SymbolicLink)
            {
                copy.LinkName = entry.LinkName;
            }
            else if (entry.EntryType is TarEntryType.HardLink)
            {
                copy.LinkName = Join(root, BuildContext.CleanEntryName(entry.LinkName)).TrimStart('/');
            }
            await tar.WriteEntryAsync(copy, cancellationToken);
        }
        return true;
    }

    private static UnixFileMode ParseChmod(string value)
    {
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _) || value.Any(c => c > '7'))
        {
            throw DaemonException.InvalidParameter($"invalid chmod parameter: {value}");
        }
        return (UnixFileMode)Convert.ToInt32(value, 8);
    }

    private static bool IsUrl(string source) =>
        source.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || source.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

    private static string Join(string dir, string name) => dir == "/" ? "/" + name : dir.TrimEnd('/') + "/" + name;
}
