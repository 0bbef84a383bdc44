using System.Text.Json;
using Berth.Engine.Errors;
using Berth.Engine.Images.References;

namespace Berth.Engine.Images.Archive;

/// <summary>One image to load: its config (verified against its digest), layer files bottom first, tags.</summary>
public sealed record LoadItem(byte[] ConfigBytes, Digest ConfigDigest, ImageConfig Config, IReadOnlyList<SpooledFile> Layers, IReadOnlyList<ImageReference> Tags);

/// <summary>
/// Reads what a spooled archive contains: a docker-archive (manifest.json, written by every
/// dockerd; Docker 25+ adds an OCI layout beside it) or an OCI image layout (index.json only, as
/// skopeo, buildx and containerd write it). Every blob named by digest is checked against the
/// sha256 computed while spooling; layer DiffIDs are checked later, while they are applied.
/// </summary>
public static class ArchiveLayout
{
    private const int MaxIndexDepth = 4;

    public static IReadOnlyList<LoadItem> Read(ArchiveSpool spool, PlatformMatcher platform)
    {
        if (spool.Find("manifest.json") is { } manifest)
        {
            return ReadDockerArchive(spool, manifest);
        }
        if (spool.Find("index.json") is { } index)
        {
            return ReadOciLayout(spool, index, platform);
        }
        throw DaemonException.InvalidParameter("invalid archive: does not contain a manifest.json");
    }

    private static IReadOnlyList<LoadItem> ReadDockerArchive(ArchiveSpool spool, SpooledFile manifestFile)
    {
        var manifest = Parse(spool.ReadSmall(manifestFile), ArchiveJson.Context.IReadOnlyListDockerManifestItem, "manifest.json")
            ?? throw DaemonException.InvalidParameter("invalid manifest, manifest cannot be null (but can be [])");
        var items = new List<LoadItem>();
        foreach (var entry in manifest)
        {
            var configFile = spool.Get(entry.Config, "config");
            var bytes = spool.ReadSmall(configFile);
            var digest = Digest.Compute(bytes);
            // Docker names configs by digest ("<hex>.json" before 25, "blobs/sha256/<hex>" since).
            if (DigestInName(entry.Config!) is { } named && named != digest.Hex)
            {
                throw DaemonException.InvalidParameter($"invalid archive: config {entry.Config} has digest {digest}");
            }
            var config = ParseLinuxConfig(bytes);
            var layerPaths = entry.Layers ?? [];
            if (layerPaths.Count != config.DiffIds.Count)
            {
                throw DaemonException.InvalidParameter($"invalid manifest, layers length mismatch: expected {layerPaths.Count}, got {config.DiffIds.Count}");
            }
            var layers = new List<SpooledFile>();
            foreach (var path in layerPaths)
            {
                var file = spool.Get(path, "layer");
                if (path.StartsWith("blobs/sha256/", StringComparison.Ordinal) && DigestInName(path) is { } hex && hex != ArchiveSpool.Sha256Of(file).Hex)
                {
                    throw DaemonException.InvalidParameter($"invalid archive: blob {path} has digest {ArchiveSpool.Sha256Of(file)}");
                }
                layers.Add(file);
            }
            var tags = new List<ImageReference>();
            foreach (var repoTag in entry.RepoTags ?? [])
            {
                if (!ImageReference.TryParseNormalizedNamed(repoTag, out var reference, out var error))
                {
                    throw DaemonException.InvalidParameter(error);
                }
                if (reference.Tag is null || reference.Digest is not null)
                {
                    throw DaemonException.InvalidParameter($"invalid tag \"{repoTag}\"");
                }
                tags.Add(reference);
            }
            items.Add(new LoadItem(bytes, digest, config, layers, tags));
        }
        return items;
    }

    private static IReadOnlyList<LoadItem> ReadOciLayout(ArchiveSpool spool, SpooledFile indexFile, PlatformMatcher platform)
    {
        var index = Parse(spool.ReadSmall(indexFile), ArchiveJson.Context.OciIndex, "index.json");
        var byConfig = new Dictionary<Digest, (LoadItem Item, List<ImageReference> Tags)>();
        var order = new List<Digest>();
        foreach (var descriptor in index?.Manifests ?? [])
        {
            if (MediaTypes.IsManifest(descriptor.MediaType) && !platform.Matches(descriptor.Platform))
            {
                continue;
            }
            var item = Resolve(spool, descriptor, platform, 0);
            if (item is null)
            {
                continue;
            }
            if (!byConfig.TryGetValue(item.ConfigDigest, out var known))
            {
                known = (item, []);
                byConfig[item.ConfigDigest] = known;
                order.Add(item.ConfigDigest);
            }
            if (NameOf(descriptor) is { } name && !known.Tags.Contains(name))
            {
                known.Tags.Add(name);
            }
        }
        if (order.Count == 0)
        {
            throw DaemonException.NotFound($"invalid archive: no image for linux/{platform.Architecture} in index.json");
        }
        return [.. order.Select(d => byConfig[d].Item with { Tags = byConfig[d].Tags })];
    }

    /// <summary>A manifest, or an index narrowed to this platform; null when the index has nothing for it.</summary>
    private static LoadItem? Resolve(ArchiveSpool spool, OciDescriptor descriptor, PlatformMatcher platform, int depth)
    {
        var bytes = spool.ReadSmall(Blob(spool, descriptor, "manifest"));
        if (MediaTypes.IsIndex(descriptor.MediaType))
        {
            if (depth >= MaxIndexDepth)
            {
                throw DaemonException.InvalidParameter("invalid archive: image indexes nested too deeply");
            }
            var nested = Parse(bytes, ArchiveJson.Context.OciIndex, descriptor.Digest!);
            var chosen = platform.Select(nested?.Manifests ?? []);
            return chosen is null ? null : Resolve(spool, chosen, platform, depth + 1);
        }
        if (!MediaTypes.IsManifest(descriptor.MediaType))
        {
            throw DaemonException.InvalidParameter($"invalid archive: unsupported media type {descriptor.MediaType} in index.json");
        }
        var manifest = Parse(bytes, ArchiveJson.Context.OciManifest, descriptor.Digest!)
            ?? throw DaemonException.InvalidParameter($"invalid archive: manifest {descriptor.Digest} is null");
        var configFile = Blob(spool, manifest.Config, "config");
        var configBytes = spool.ReadSmall(configFile);
        var config = ParseLinuxConfig(configBytes);
        var layerDescriptors = manifest.Layers ?? [];
        if (layerDescriptors.Count != config.DiffIds.Count)
        {
            throw DaemonException.InvalidParameter($"invalid manifest, layers length mismatch: expected {layerDescriptors.Count}, got {config.DiffIds.Count}");
        }
        var layers = layerDescriptors.Select(l => Blob(spool, l, "layer")).ToList();
        return new LoadItem(configBytes, Digest.Compute(configBytes), config, layers, []);
    }

    /// <summary>The blob a descriptor names, present and with the digest and size it claims.</summary>
    private static SpooledFile Blob(ArchiveSpool spool, OciDescriptor? descriptor, string what)
    {
        if (!Digest.TryParse(descriptor?.Digest, out var digest))
        {
            throw DaemonException.InvalidParameter($"invalid archive: {what} descriptor has an invalid or unsupported digest \"{descriptor?.Digest}\"");
        }
        var file = spool.Get("blobs/sha256/" + digest.Hex, what);
        var actual = ArchiveSpool.Sha256Of(file);
        if (actual != digest || file.Size != descriptor!.Size)
        {
            throw DaemonException.InvalidParameter($"invalid archive: {what} blob {digest} does not match its descriptor (digest {actual}, size {file.Size})");
        }
        return file;
    }

    /// <summary>
    /// The tag a manifest was saved under: containerd's image-name annotation (Docker 25+,
    /// containerd), else a ref.name that is a whole reference (skopeo "oci-archive:x.tar:name:tag");
    /// a bare ref.name ("latest") names no repository, so the image stays untagged.
    /// </summary>
    internal static ImageReference? NameOf(OciDescriptor descriptor)
    {
        var annotations = descriptor.Annotations;
        if (annotations is null)
        {
            return null;
        }
        foreach (var key in new[] { MediaTypes.ContainerdImageName, MediaTypes.OciRefName })
        {
            if (annotations.TryGetValue(key, out var value) && (key == MediaTypes.ContainerdImageName || value.Contains(':') || value.Contains('/')) &&
                ImageReference.TryParseNormalizedNamed(value, out var reference, out _) && reference.Digest is null)
            {
                return reference.WithDefaultTag();
            }
        }
        return null;
    }

    private static ImageConfig ParseLinuxConfig(byte[] bytes)
    {
        var config = ImageService.ParseConfig(bytes);
        if (config.Os is { Length: > 0 } os && os != "linux")
        {
            throw DaemonException.InvalidParameter($"cannot load {os} image on linux");
        }
        return config;
    }

    /// <summary>The 64-hex digest a path's last segment spells ("…/&lt;hex&gt;" or "&lt;hex&gt;.json"), if any.</summary>
    internal static string? DigestInName(string path)
    {
        string last = path[(path.LastIndexOf('/') + 1)..];
        if (last.EndsWith(".json", StringComparison.Ordinal))
        {
            last = last[..^5];
        }
        return Digest.TryParse("sha256:" + last, out var digest) ? digest.Hex : null;
    }

    private static T? Parse<T>(byte[] bytes, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, string what)
    {
        try
        {
            return JsonSerializer.Deserialize(bytes, type);
        }
        catch (JsonException e)
        {
            throw DaemonException.InvalidParameter($"invalid archive: failed to decode {what}: {e.Message}");
        }
    }
}
