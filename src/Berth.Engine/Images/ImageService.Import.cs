using System.Runtime.InteropServices;
using Berth.Engine.Errors;
using Berth.Engine.Images.References;
using Berth.Engine.SystemInfo;

namespace Berth.Engine.Images;

public sealed partial class ImageService
{
    /// <summary>
    /// moby ImportImage: the body becomes one layer, the changes make the run config, the history
    /// gets one entry with the message ("Imported from -" by default), then the optional tag.
    /// The image row is written only after the layer and the config blob exist.
    /// </summary>
    public async Task<Digest> ImportAsync(ImportRequest request, Stream layerTar, CancellationToken cancellationToken)
    {
        if (request.Source != "-")
        {
            throw DaemonException.NotImplemented(Messages.ImportFromUrlNotImplemented);
        }
        var tag = ImageTagRules.ValidateTagRequest(request.Repo, request.Tag);
        var (os, architecture, variant) = ParsePlatform(request.Platform);
        var runConfig = ImportChanges.Apply(new RunConfig(), request.Changes);
        string comment = string.IsNullOrEmpty(request.Message) ? "Imported from " + request.Source : request.Message;

        BeginWrite();
        try
        {
            var layer = await _layers.ApplyAsync(null, layerTar, null, cancellationToken);
            var created = _time.GetUtcNow().ToUniversalTime();
            var bytes = ImageConfigWriter.Write(new NewImageConfig(
                architecture, os, variant, created, comment, BuildInfo.Version, runConfig, [layer.DiffId],
                [new HistoryEntry { Created = created, Comment = comment }]));
            var id = _content.Write(bytes);
            var config = ParseConfig(bytes);
            ImageEntry entry;
            lock (_lock)
            {
                var record = new ImageRecord(id, layer.ChainId, layer.Size, config.Created, created, null);
                _store.AddImage(record, []);
                if (!_images.TryGetValue(id, out entry!))
                {
                    entry = new ImageEntry(record, config, [layer.ChainId]);
                    _images[id] = entry;
                }
                if (tag is not null)
                {
                    AddTag(entry, tag);
                }
            }
            if (tag is not null)
            {
                Publish("tag", id, tag.FamiliarString, entry.Labels);
            }
            Publish("import", id, id.ToString(), entry.Labels);
            return id;
        }
        finally
        {
            EndWrite();
        }
    }

    /// <summary>containerd platforms.Parse for "os[/arch[/variant]]" or a bare architecture; only linux images.</summary>
    internal static (string Os, string Architecture, string? Variant) ParsePlatform(string? platform)
    {
        string defaultArch = GoArch(RuntimeInformation.OSArchitecture);
        if (string.IsNullOrEmpty(platform))
        {
            return ("linux", defaultArch, null);
        }
        var parts = platform.ToLowerInvariant().Split('/');
        if (parts.Length > 3 || parts.Any(p => p.Length == 0))
        {
            throw DaemonException.InvalidParameter($"\"{platform}\": invalid platform specifier");
        }
        string first = parts[0];
        string os = first;
        string arch = defaultArch;
        string? variant = null;
        if (parts.Length == 1 && NormalizeArch(first, null) is var (a, v) && IsKnownArch(a))
        {
            return ("linux", a, v);
        }
        if (parts.Length >= 2)
        {
            (arch, variant) = NormalizeArch(parts[1], parts.Length == 3 ? parts[2] : null);
        }
        if (os != "linux")
        {
            throw DaemonException.InvalidParameter(Messages.OperatingSystemNotSupported);
        }
        return (os, arch, variant);
    }

    private static (string Arch, string? Variant) NormalizeArch(string arch, string? variant) => arch switch
    {
        "x86_64" or "x86-64" => ("amd64", variant),
        "aarch64" => ("arm64", variant is "8" ? "v8" : variant),
        "armhf" => ("arm", "v7"),
        "armel" => ("arm", "v6"),
        "i386" => ("386", variant),
        _ => (arch, variant),
    };

    private static bool IsKnownArch(string arch) =>
        arch is "amd64" or "arm64" or "arm" or "386" or "ppc64le" or "s390x" or "riscv64" or "mips64le" or "loong64";

    private static string GoArch(Architecture architecture) => architecture switch
    {
        Architecture.X64 => "amd64",
        Architecture.Arm64 => "arm64",
        Architecture.Arm => "arm",
        Architecture.X86 => "386",
        Architecture.S390x => "s390x",
        Architecture.Ppc64le => "ppc64le",
        Architecture.RiscV64 => "riscv64",
        Architecture.LoongArch64 => "loong64",
        _ => architecture.ToString().ToLowerInvariant(),
    };
}
